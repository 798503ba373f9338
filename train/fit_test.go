package train

import (
	"math"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/optim"
)

// prepared loads a built-in data set, splits off 20 % for testing (stratified
// for classification) with a fixed seed, and standardises the features with
// a Standardizer fitted on the training part only.
func prepared(t *testing.T, name string) (tr, te *data.Dataset) {
	t.Helper()
	ds, err := data.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	var sp *data.Split
	if ds.Task == data.Classify {
		sp, err = data.StratifiedSplit(ds, data.Fractions{Test: 0.2}, 42)
	} else {
		sp, err = data.RandomSplit(ds, data.Fractions{Test: 0.2}, 42)
	}
	if err != nil {
		t.Fatal(err)
	}
	var s data.Standardizer
	if err := s.Fit(sp.Train.X); err != nil {
		t.Fatal(err)
	}
	sp.Train.X = s.Transform(sp.Train.X)
	sp.Test.X = s.Transform(sp.Test.X)
	return sp.Train, sp.Test
}

func adam(lr float64) optim.Factory {
	return func(g []*optim.Group[float64]) (optim.Optimizer[float64], error) {
		return optim.NewAdam(g, optim.Adam{LR: lr})
	}
}

func sgd(lr, momentum float64) optim.Factory {
	return func(g []*optim.Group[float64]) (optim.Optimizer[float64], error) {
		return optim.NewSGD(g, optim.SGD{LR: lr, Momentum: momentum})
	}
}

func testAccuracy(model nn.Module[float64], te *data.Dataset) float64 {
	return Accuracy(Classes(Predict(model, te.X, data.Classify)), te.Labels)
}

func TestClassifiers(t *testing.T) {
	cases := []struct {
		name    string
		data    string
		mlp     bool
		cfg     Config
		minimum float64
	}{
		{"softmax regression", "iris", false, Config{Epochs: 200, Optimizer: adam(0.05)}, 0.93},
		{"logistic regression", "breast_cancer", false, Config{Epochs: 200, Optimizer: adam(0.05), L2: 1e-3}, 0.96},
		{"softmax regression", "wine", false, Config{Epochs: 200, Optimizer: adam(0.05), L2: 1e-3}, 0.96},
		{"softmax regression", "digits", false, Config{Epochs: 30, BatchSize: 32, Optimizer: adam(0.01), L2: 1e-3}, 0.95},
		{"MLP 64 ReLU", "digits", true, Config{Epochs: 30, BatchSize: 32, Optimizer: adam(1e-3)}, 0.97},
	}
	for _, c := range cases {
		t.Run(c.data+"/"+c.name, func(t *testing.T) {
			tr, te := prepared(t, c.data)
			rng := data.NewRand(7)
			var model nn.Module[float64]
			var loss nn.Loss[float64]
			switch {
			case c.mlp:
				model, loss = nn.MLP[float64](tr.NumFeatures(), []int{64}, tr.NumClasses(), nil, false, 0, rng), nn.CrossEntropy[float64]
			case tr.NumClasses() == 2:
				model, loss = nn.LogisticRegression[float64](tr.NumFeatures(), rng)
			default:
				model, loss = nn.SoftmaxRegression[float64](tr.NumFeatures(), tr.NumClasses(), rng)
			}
			start := time.Now()
			h, err := Fit(model, loss, tr, te, c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			acc := testAccuracy(model, te)
			last := h.Epochs[len(h.Epochs)-1]
			t.Logf("%s on %s: test accuracy %.4f (%d/%d), train loss %.4f, test loss %.4f, %d epochs in %v",
				c.name, c.data, acc, int(math.Round(acc*float64(te.Len()))), te.Len(), last.TrainLoss, last.ValLoss, len(h.Epochs), time.Since(start).Round(time.Millisecond))
			if acc < c.minimum {
				t.Errorf("test accuracy %.4f < %.2f", acc, c.minimum)
			}
			if math.Abs(last.ValAccuracy-acc) > 1e-12 {
				t.Errorf("history's validation accuracy %v ≠ Predict's %v", last.ValAccuracy, acc)
			}
		})
	}
}

func TestLinearRegressionDiabetes(t *testing.T) {
	tr, te := prepared(t, "diabetes")
	// Least squares with an intercept column, by gonum.
	design := func(ds *data.Dataset) *mat.Dense {
		a := mat.NewDense(ds.Len(), ds.NumFeatures()+1, nil)
		for i := range ds.Len() {
			a.Set(i, 0, 1)
			for j, v := range ds.X.Row(i) {
				a.Set(i, j+1, v)
			}
		}
		return a
	}
	var beta mat.Dense
	if err := beta.Solve(design(tr), mat.NewVecDense(tr.Len(), append([]float64(nil), tr.Y...))); err != nil {
		t.Fatal(err)
	}
	lsPred := func(ds *data.Dataset) []float64 {
		var p mat.Dense
		p.Mul(design(ds), &beta)
		return mat.Col(nil, 0, &p)
	}
	lsTrain, lsTest := R2(lsPred(tr), tr.Y), R2(lsPred(te), te.Y)

	model, loss := nn.LinearRegression[float64](tr.NumFeatures(), data.NewRand(7))
	start := time.Now()
	h, err := Fit(model, loss, tr, te, Config{Epochs: 500, Optimizer: sgd(0.1, 0.9)})
	if err != nil {
		t.Fatal(err)
	}
	gdTrain := R2(Column(Predict(model, tr.X, data.Regress), 0), tr.Y)
	gdTest := R2(Column(Predict(model, te.X, data.Regress), 0), te.Y)
	t.Logf("diabetes: R² train %.5f (least squares %.5f), test %.5f (least squares %.5f); %d epochs in %v",
		gdTrain, lsTrain, gdTest, lsTest, len(h.Epochs), time.Since(start).Round(time.Millisecond))
	if math.Abs(gdTrain-lsTrain) > 0.005 || math.Abs(gdTest-lsTest) > 0.005 {
		t.Errorf("R² differs from least squares by more than 0.005")
	}
}

// TestFitReuseMemory: Fit with ReuseMemory (every step in an autodiff.Arena)
// trains the same model bit for bit, with mini-batches, a penalty, clipping,
// and BatchNorm and Dropout in the model.
func TestFitReuseMemory(t *testing.T) {
	tr, te := prepared(t, "digits")
	fit := func(reuse bool) (History, []float64) {
		rng := data.NewRand(7)
		model := nn.MLP[float64](tr.NumFeatures(), []int{32}, tr.NumClasses(), nil, true, 0.2, rng)
		cfg := Config{Epochs: 3, BatchSize: 64, Optimizer: adam(1e-2), L2: 1e-3, ClipNorm: 1, ReuseMemory: reuse}
		h, err := Fit(model, nn.CrossEntropy[float64], tr, te, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var w []float64
		for _, p := range model.Params() {
			w = append(w, p.Value().Data()...)
		}
		return h, w
	}
	h0, w0 := fit(false)
	h1, w1 := fit(true)
	for i := range h0.Epochs {
		if h0.Epochs[i].TrainLoss != h1.Epochs[i].TrainLoss || h0.Epochs[i].ValLoss != h1.Epochs[i].ValLoss {
			t.Fatalf("epoch %d: losses %+v with ReuseMemory, %+v without", i+1, h1.Epochs[i], h0.Epochs[i])
		}
	}
	if !slices.Equal(w0, w1) {
		t.Fatal("the trained weights differ with ReuseMemory")
	}
}
