package diagnose

import (
	"math"
	"testing"

	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/tensor"
	"github.com/nabla-go/nabla/train"
)

// linear returns the model y = x·wᵀ + b with the given weights.
func linear(w []float64, b float64) *nn.Sequential[float64] {
	l := nn.NewLinear[float64](len(w), 1, data.NewRand(1))
	copy(l.Weight.Value().Data(), w)
	l.Bias.Value().Data()[0] = b
	return nn.NewSequential[float64](l)
}

// synthetic returns n rows of 5 standard normal features with target
// y = 3·x₁ − 2·x₃ (+ 0.1·noise), for regression.
func synthetic(n int) *data.Dataset {
	rng := data.NewRand(7)
	ds := &data.Dataset{Task: data.Regress, X: data.NewMatrix(n, 5), Y: make([]float64, n),
		FeatureNames: []string{"a", "b", "c", "d", "e"}}
	for i := range n {
		r := ds.X.Row(i)
		for j := range r {
			r[j] = rng.NormFloat64()
		}
		ds.Y[i] = 3*r[1] - 2*r[3] + 0.1*rng.NormFloat64()
	}
	return ds
}

func TestFeatureImportanceLinear(t *testing.T) {
	// For y = w·x + b, ∂y/∂xⱼ = wⱼ on every row: saliency is |wⱼ| and
	// gradient × input is |wⱼ|·mean|xⱼ|.
	w := []float64{0.5, -3, 0, 2, 1}
	x := data.Matrix{Rows: 2, Cols: 5, Data: []float64{1, 2, 3, 4, 5, -1, 0, 1, -2, 3}}
	imp, err := FeatureImportance(linear(w, 0.7), x, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	order := []int{1, 3, 4, 0, 2}
	names := []string{"b", "x3", "x4", "a", "c"}
	for k, im := range imp {
		j := order[k]
		meanAbsX := (math.Abs(x.At(0, j)) + math.Abs(x.At(1, j))) / 2
		if im.Index != j || im.Feature != names[k] || math.Abs(im.Saliency-math.Abs(w[j])) > 1e-15 || math.Abs(im.GradInput-math.Abs(w[j])*meanAbsX) > 1e-14 {
			t.Errorf("rank %d: %+v, want feature %d (%s) with saliency %g and grad×input %g", k, im, j, names[k], math.Abs(w[j]), math.Abs(w[j])*meanAbsX)
		}
	}
}

func TestFeatureImportanceClassifierUsesPredictedLogit(t *testing.T) {
	// Two logits z₀ = 2·x₀, z₁ = −x₁ (no bias). Row (1, 1): class 0 wins,
	// ∂z₀/∂x = (2, 0). Row (−1, 1): z = (−2, −1), class 1 wins, ∂z₁/∂x = (0, −1).
	l := nn.NewLinear[float64](2, 2, data.NewRand(1))
	copy(l.Weight.Value().Data(), []float64{2, 0, 0, -1})
	l.Bias.Value().Fill(0)
	x := data.Matrix{Rows: 2, Cols: 2, Data: []float64{1, 1, -1, 1}}
	imp, err := FeatureImportance(nn.NewSequential[float64](l), x, nil)
	if err != nil {
		t.Fatal(err)
	}
	if imp[0].Index != 0 || imp[0].Saliency != 1 || imp[1].Index != 1 || imp[1].Saliency != 0.5 {
		t.Errorf("got %+v, want x0 saliency (2+0)/2 = 1 then x1 (0+1)/2 = 0.5", imp)
	}
}

func TestFeatureImportanceTrainedMLP(t *testing.T) {
	ds := synthetic(400)
	model := nn.MLP[float64](5, []int{16}, 1, nn.Tanh[float64]{}, false, 0, data.NewRand(1))
	if _, err := train.Fit(model, nn.MSE[float64], ds, nil, train.Config{Epochs: 60, BatchSize: 32, Optimizer: adam(1e-2), Seed: 1}); err != nil {
		t.Fatal(err)
	}
	imp, err := FeatureImportance(model, ds.X, ds.FeatureNames)
	if err != nil {
		t.Fatal(err)
	}
	if imp[0].Feature != "b" || imp[1].Feature != "d" {
		t.Errorf("ranking %v, want b (weight 3) then d (weight −2) first", imp)
	}
	// The fitted function is close to 3·x₁ − 2·x₃, so the saliencies are
	// close to 3 and 2 and the others close to 0.
	if math.Abs(imp[0].Saliency-3) > 0.3 || math.Abs(imp[1].Saliency-2) > 0.3 || imp[2].Saliency > 0.3 {
		t.Errorf("saliencies %v, want about 3, 2 and < 0.3", imp)
	}
}

func TestFeatureImportanceErrors(t *testing.T) {
	m := linear([]float64{1, 2}, 0)
	if _, err := FeatureImportance(m, data.Matrix{Rows: 1, Cols: 2, Data: []float64{1, math.NaN()}}, nil); err == nil {
		t.Error("NaN feature accepted")
	}
	if _, err := FeatureImportance(m, data.Matrix{Cols: 2}, nil); err == nil {
		t.Error("empty matrix accepted")
	}
}

func TestAnomalyScoresLinear(t *testing.T) {
	// For ℓ = (w·x + b − y)² with residual r: ∂ℓ/∂w = 2r·x, ∂ℓ/∂b = 2r and
	// ∂ℓ/∂x = 2r·w, so ‖∂ℓ/∂θ‖ = 2|r|·√(‖x‖² + 1) and ‖∂ℓ/∂x‖ = 2|r|·‖w‖.
	w := []float64{1, -2}
	ds := &data.Dataset{Task: data.Regress, X: data.Matrix{Rows: 3, Cols: 2, Data: []float64{1, 0, 0, 1, 2, 2}}, Y: []float64{1.5, -2, 0}}
	got, err := AnomalyScores(linear(w, 0.5), nn.MSE[float64], ds)
	if err != nil {
		t.Fatal(err)
	}
	pred := func(i int) float64 { return w[0]*ds.X.At(i, 0) + w[1]*ds.X.At(i, 1) + 0.5 }
	want := map[int]Anomaly{}
	for i := range 3 {
		r := pred(i) - ds.Y[i]
		x := ds.X.Row(i)
		want[i] = Anomaly{Row: i, Loss: r * r, ParamGradNorm: 2 * math.Abs(r) * math.Sqrt(x[0]*x[0]+x[1]*x[1]+1), InputGradNorm: 2 * math.Abs(r) * math.Sqrt(5)}
	}
	// residuals: 0, 0.5, −1.5 → row 2 first, then row 1, then row 0.
	for k, row := range []int{2, 1, 0} {
		g, e := got[k], want[row]
		if g.Row != row || math.Abs(g.ParamGradNorm-e.ParamGradNorm) > 1e-12 || math.Abs(g.InputGradNorm-e.InputGradNorm) > 1e-12 || math.Abs(g.Loss-e.Loss) > 1e-12 {
			t.Errorf("rank %d: %+v, want %+v", k, g, e)
		}
	}
}

func TestAnomalyScoresFindInjectedOutlier(t *testing.T) {
	ds := synthetic(300)
	const bad = 137
	ds.Y[bad] += 25 // a wrong target
	model := nn.MLP[float64](5, []int{16}, 1, nn.Tanh[float64]{}, false, 0, data.NewRand(1))
	if _, err := train.Fit(model, nn.MSE[float64], ds, nil, train.Config{Epochs: 40, BatchSize: 32, Optimizer: adam(1e-2), Seed: 1}); err != nil {
		t.Fatal(err)
	}
	scores, err := AnomalyScores(model, nn.MSE[float64], ds)
	if err != nil {
		t.Fatal(err)
	}
	if scores[0].Row != bad {
		t.Errorf("most anomalous row %d, want %d: %+v", scores[0].Row, bad, scores[:3])
	}
	if len(scores) != ds.Len() {
		t.Errorf("%d scores for %d rows", len(scores), ds.Len())
	}
}

func TestAnomalyScoresClassifierAndErrors(t *testing.T) {
	// Cross-entropy with class-index targets, as train.Fit feeds them.
	l := nn.NewLinear[float64](1, 2, data.NewRand(1))
	copy(l.Weight.Value().Data(), []float64{1, -1})
	l.Bias.Value().Fill(0)
	m := nn.NewSequential[float64](l)
	ds := &data.Dataset{Task: data.Classify, X: data.Matrix{Rows: 2, Cols: 1, Data: []float64{3, 3}}, Y: []float64{0, 1}, Labels: []int{0, 1}}
	got, err := AnomalyScores(m, nn.CrossEntropy[float64], ds)
	if err != nil {
		t.Fatal(err)
	}
	// Both rows have logits (3, −3); row 1 is labelled against them.
	if got[0].Row != 1 || !(got[0].ParamGradNorm > got[1].ParamGradNorm) {
		t.Errorf("got %+v, want row 1 first", got)
	}
	// ℓ = logsumexp(z) − z_y; ∂ℓ/∂z = softmax(z) − onehot(y) = p − e_y.
	p := tensor.SigmoidOf(6)
	if want := -math.Log(1 - p); math.Abs(got[0].Loss-want) > 1e-12 {
		t.Errorf("loss %g, want %g", got[0].Loss, want)
	}
	ds.X.Data[1] = math.Inf(-1)
	if _, err := AnomalyScores(m, nn.CrossEntropy[float64], ds); err == nil {
		t.Error("infinite feature accepted")
	}
}
