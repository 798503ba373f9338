package diagnose

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/tensor"
	"github.com/nabla-go/nabla/train"
)

// deepNet is a stack of depth Linear layers (64 → 32 → … → 32 → 10) with
// act between them, weights drawn by init and zero biases.
func deepNet(act nn.Module[float64], init nn.Initializer, depth int, rng *rand.Rand) *nn.Sequential[float64] {
	var ls []nn.Module[float64]
	in := 64
	cfg := nn.LinearConfig{WeightInit: init, BiasInit: nn.Zeros{}}
	for range depth - 1 {
		ls = append(ls, nn.NewLinearWith[float64](in, 32, rng, cfg), act)
		in = 32
	}
	ls = append(ls, nn.NewLinearWith[float64](in, 10, rng, cfg))
	return nn.NewSequential(ls...)
}

func seq(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// wantKinds fails unless the findings include every kind of want and none
// of unwanted.
func wantKinds(t *testing.T, mon *Monitor, want []string, unwanted ...string) {
	t.Helper()
	got := kinds(mon.Findings())
	for _, k := range want {
		if !slices.Contains(got, k) {
			t.Errorf("no %q finding; got %v", k, mon.Findings())
		}
	}
	for _, k := range unwanted {
		if slices.Contains(got, k) {
			t.Errorf("unexpected %q finding: %v", k, mon.Findings())
		}
	}
}

func TestHealthyDigitsMLPHasNoFinding(t *testing.T) {
	ds := digits(t)
	model := nn.MLP[float64](64, []int{64}, 10, nil, false, 0, data.NewRand(1))
	mon, err := run(model, nn.CrossEntropy[float64], ds, train.Config{Epochs: 5, BatchSize: 32, Optimizer: adam(1e-3), Seed: 1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if fs := mon.Findings(); len(fs) != 0 {
		t.Errorf("healthy training reported %v", fs)
	}
	// It did learn: the check above is not vacuous.
	if last := mon.Samples[len(mon.Samples)-1].Loss; last > 0.5 {
		t.Errorf("final batch loss %g: the healthy run did not train", last)
	}
	if len(mon.Samples) != 1+len(mon.Losses)/20 {
		t.Errorf("%d samples of %d steps, want step 1 and every 20th", len(mon.Samples), len(mon.Losses))
	}
}

func TestVanishingDeepSigmoid(t *testing.T) {
	ds := digits(t).Subset(seq(512))
	cfg := train.Config{Epochs: 2, BatchSize: 32, Optimizer: adam(1e-3), Seed: 1}
	sig, err := run(deepNet(nn.Sigmoid[float64]{}, nn.SmallRandom{}, 10, data.NewRand(1)), nn.CrossEntropy[float64], ds, cfg, Options{Every: 2})
	if err != nil {
		t.Fatal(err)
	}
	wantKinds(t, sig, []string{Vanishing}, Exploding, NaN, Saturation)
	f := sig.Findings()[slices.Index(kinds(sig.Findings()), Vanishing)]
	if f.Layers[0] != "layer 0 (Linear 64→32)" {
		t.Errorf("vanishing layers %v, want the first layer first", f.Layers)
	}
	// The norms shrink layer by layer towards the input: each of the
	// sigmoid layers multiplies the backward signal by about
	// σ'·‖W‖ ≈ 0.25·0.01·√32 ≈ 0.014.
	_, gn := sig.GradNorms()
	for l := 1; l < len(gn); l++ {
		if !(gn[l-1][0] < gn[l][0]) {
			t.Errorf("step 1: layer %d gradient norm %g not below layer %d's %g", l-1, gn[l-1][0], l, gn[l][0])
		}
	}
	he, err := run(deepNet(nn.ReLU[float64]{}, nn.KaimingNormal{}, 10, data.NewRand(1)), nn.CrossEntropy[float64], ds, cfg, Options{Every: 2})
	if err != nil {
		t.Fatal(err)
	}
	if fs := he.Findings(); len(fs) != 0 {
		t.Errorf("ReLU with He init reported %v", fs)
	}
}

func TestHugeLearningRate(t *testing.T) {
	ds := digits(t)
	model := nn.MLP[float64](64, []int{64}, 10, nil, false, 0, data.NewRand(1))
	mon, _ := run(model, nn.CrossEntropy[float64], ds, train.Config{Epochs: 2, BatchSize: 32, Optimizer: sgd(10), Seed: 1}, Options{})
	wantKinds(t, mon, []string{Exploding, LRTooHigh}, Vanishing, LRTooLow)
}

func TestLossRisesWithAdam(t *testing.T) {
	ds := digits(t)
	model := nn.MLP[float64](64, []int{64}, 10, nil, false, 0, data.NewRand(1))
	mon, _ := run(model, nn.CrossEntropy[float64], ds, train.Config{Epochs: 2, BatchSize: 32, Optimizer: adam(1), Seed: 1}, Options{})
	wantKinds(t, mon, []string{LRTooHigh}, LRTooLow, Plateau)
}

func TestLearningRateTooLow(t *testing.T) {
	ds := digits(t)
	model := nn.MLP[float64](64, []int{64}, 10, nil, false, 0, data.NewRand(1))
	mon, err := run(model, nn.CrossEntropy[float64], ds, train.Config{Epochs: 2, BatchSize: 32, Optimizer: sgd(1e-7), Seed: 1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantKinds(t, mon, []string{LRTooLow}, LRTooHigh, Exploding, Vanishing)
}

func TestDeadReLU(t *testing.T) {
	ds := digits(t)
	rng := data.NewRand(1)
	// A bias of −10 or less against standardised inputs and PyTorch's
	// default weights (|w| ≤ 1/8): the pre-activation |w·x| rarely reaches 10.
	model := nn.NewSequential[float64](
		nn.NewLinearWith[float64](64, 64, rng, nn.LinearConfig{BiasInit: nn.Uniform{Low: -11, High: -10}}),
		nn.ReLU[float64]{},
		nn.NewLinear[float64](64, 10, rng))
	mon, err := run(model, nn.CrossEntropy[float64], ds, train.Config{Epochs: 1, BatchSize: 32, Optimizer: adam(1e-3), Seed: 1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantKinds(t, mon, []string{DeadReLU}, Saturation, LRTooLow)
	if d := mon.Samples[0].Layers[0].Dead; d != 1 {
		t.Errorf("dead fraction %g at step 1, want 1", d)
	}
	if d := mon.Samples[0].Layers[1].Dead; !math.IsNaN(d) {
		t.Errorf("dead fraction %g for the output layer, want NaN (no ReLU follows)", d)
	}
}

func TestSaturatedTanh(t *testing.T) {
	ds := digits(t)
	rng := data.NewRand(1)
	// Weights of standard deviation 5 against 64 standardised inputs give
	// pre-activations of standard deviation about 5·8 = 40: tanh is ±1.
	model := nn.NewSequential[float64](
		nn.NewLinearWith[float64](64, 64, rng, nn.LinearConfig{WeightInit: nn.SmallRandom{Std: 5}}),
		nn.Tanh[float64]{},
		nn.NewLinear[float64](64, 10, rng))
	mon, err := run(model, nn.CrossEntropy[float64], ds, train.Config{Epochs: 1, BatchSize: 32, Optimizer: adam(1e-3), Seed: 1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantKinds(t, mon, []string{Saturation}, DeadReLU)
	if s := mon.Samples[0].Layers[0].Saturated; s < 0.5 {
		t.Errorf("saturated fraction %g at step 1", s)
	}
}

func TestPlateauAtSymmetricSaddle(t *testing.T) {
	ds := digits(t).Subset(seq(512))
	rng := data.NewRand(1)
	// All-zero weights: the hidden units are all 0, so no weight ever
	// receives a gradient; only the output bias moves, to the class
	// frequencies, and then the loss is stuck near log 10.
	zero := nn.LinearConfig{WeightInit: nn.Zeros{}, BiasInit: nn.Zeros{}}
	model := nn.NewSequential[float64](nn.NewLinearWith[float64](64, 64, rng, zero), nn.ReLU[float64]{}, nn.NewLinearWith[float64](64, 10, rng, zero))
	mon, err := run(model, nn.CrossEntropy[float64], ds, train.Config{Epochs: 250, Optimizer: adam(1e-2), Seed: 1}, Options{Every: 5})
	if err != nil {
		t.Fatal(err)
	}
	wantKinds(t, mon, []string{Plateau}, LRTooHigh, Exploding)
	if l := mon.Losses[len(mon.Losses)-1]; l < 0.9*math.Log(10) {
		t.Errorf("final loss %g: not stuck near log 10", l)
	}
}

func TestNaNWeights(t *testing.T) {
	ds := digits(t).Subset(seq(256))
	model := nn.MLP[float64](64, []int{16}, 10, nil, false, 0, data.NewRand(1))
	cfg := train.Config{Epochs: 3, BatchSize: 32, Optimizer: adam(1e-3), Seed: 1}
	steps := 0
	cfg.OnBatch = func(train.Batch) {
		if steps++; steps == 12 {
			model.Params()[2].Value().Data()[3] = math.NaN() // the output layer's weight
		}
	}
	var live []Finding
	mon, err := run(model, nn.CrossEntropy[float64], ds, cfg, Options{OnFinding: func(f Finding) { live = append(live, f) }})
	if err == nil {
		t.Fatal("Fit did not stop on the NaN")
	}
	wantKinds(t, mon, []string{NaN})
	f := mon.Findings()[0]
	if f.Steps[0] != 12 || !slices.Equal(f.Layers, []string{"layer 2 (Linear 16→10)"}) {
		t.Errorf("nan finding %+v, want step 12 in layer 2", f)
	}
	if len(live) != 1 || live[0].Kind != NaN || live[0].Steps[0] != 12 {
		t.Errorf("OnFinding calls %v, want one nan at step 12", live)
	}
}

func TestNaNLossFromFitError(t *testing.T) {
	ds := digits(t).Subset(seq(64))
	ds.X = ds.X.Clone()
	ds.X.Data[5] = math.Inf(1)
	model := nn.MLP[float64](64, []int{16}, 10, nil, false, 0, data.NewRand(1))
	mon := NewMonitor(model, data.Matrix{}, Options{})
	cfg := train.Config{Epochs: 1}
	mon.Attach(&cfg)
	_, err := train.Fit(model, nn.CrossEntropy[float64], ds, nil, cfg)
	if err == nil {
		t.Fatal("Fit accepted an infinite feature")
	}
	if len(mon.Findings()) != 0 {
		t.Fatal("findings before Finish")
	}
	mon.Finish(err)
	wantKinds(t, mon, []string{NaN})
}

func TestOscillationFullBatch(t *testing.T) {
	model := nn.MLP[float64](2, []int{2}, 1, nil, false, 0, data.NewRand(1))
	mon := NewMonitor(model, data.Matrix{}, Options{Window: 10})
	for i := range 30 {
		l := 1.0 // full-batch losses bouncing between 1 and 1.4
		if i%2 == 1 {
			l = 1.4
		}
		mon.Observe(train.Batch{Epoch: i + 1, Batch: 1, Batches: 1, Loss: l})
	}
	wantKinds(t, mon, []string{LRTooHigh})
	// The same losses from mini-batches are noise, not oscillation.
	mon = NewMonitor(model, data.Matrix{}, Options{Window: 10})
	for i := range 30 {
		mon.Observe(train.Batch{Epoch: 1, Batch: i + 1, Batches: 30, Loss: 1 + 0.4*float64(i%2)})
	}
	wantKinds(t, mon, nil, LRTooHigh)
}

func TestAttachChainsHooks(t *testing.T) {
	model := nn.MLP[float64](2, []int{2}, 1, nil, false, 0, data.NewRand(1))
	mon := NewMonitor(model, data.Matrix{}, Options{})
	calls := 0
	cfg := train.Config{OnBatch: func(train.Batch) { calls++ }}
	mon.Attach(&cfg)
	cfg.OnBatch(train.Batch{Epoch: 1, Batch: 1, Batches: 1, Loss: 1})
	if calls != 1 || len(mon.Losses) != 1 {
		t.Errorf("previous hook called %d times, monitor saw %d steps; want 1 and 1", calls, len(mon.Losses))
	}
}

func TestFindingJSON(t *testing.T) {
	f := Finding{Kind: DeadReLU, Layers: []string{"layer 0 (Linear 4→2)"}, Steps: [2]int{3, 9}, Evidence: "e", Advice: advice[DeadReLU]}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"kind":"dead-relu"`, `"layers":["layer 0 (Linear 4→2)"]`, `"steps":[3,9]`, `"evidence":"e"`, `"advice":["use leaky ReLU`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
}

func TestEveryKindHasAdvice(t *testing.T) {
	for _, k := range Kinds {
		if len(advice[k]) == 0 {
			t.Errorf("no advice for %q", k)
		}
	}
}

func TestNewMonitorMisuse(t *testing.T) {
	model := nn.MLP[float64](4, []int{3}, 2, nil, false, 0, data.NewRand(1))
	for name, f := range map[string]func(){
		"nil model":      func() { NewMonitor(nil, data.Matrix{}, Options{}) },
		"no parameters":  func() { NewMonitor(nn.NewSequential[float64](nn.ReLU[float64]{}), data.Matrix{}, Options{}) },
		"probe too wide": func() { NewMonitor(model, data.NewMatrix(2, 5), Options{}) },
		"negative Every": func() { NewMonitor(model, data.Matrix{}, Options{Every: -1}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestSamplesMarshalWithNaN(t *testing.T) {
	s := Sample{Step: 1, GradNorm: math.Inf(1), Layers: []LayerStats{{GradNorm: 0.5, Dead: math.NaN(), Saturated: 0.25, UpdateRatio: math.NaN()}}}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"dead":null`, `"saturated":0.25`, `"grad_norm":0.5`, `"update_ratio":null`, `"grad_norm":null`, `"step":1`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
}

// TestExplodingTowardsInput drives the Monitor by hand with gradients of a
// made-up objective J = 1e4·Σ W₀² + Σ W₁², so ∂J/∂W₀ = 2e4·W₀ and
// ∂J/∂W₁ = 2·W₁: the ratio of the layers' gradient norms is
// 1e4·‖W₀‖/‖W₁‖, which for these weights is far above 1e3.
func TestExplodingTowardsInput(t *testing.T) {
	model := nn.MLP[float64](4, []int{4}, 4, nil, false, 0, data.NewRand(1))
	mon := NewMonitor(model, data.Matrix{}, Options{Every: 1})
	w0, w1 := model.Layers[0].Params()[0], model.Layers[2].Params()[0]
	j := autodiff.Add(autodiff.Scale(1e4, autodiff.Sum(autodiff.Square(w0), false)), autodiff.Sum(autodiff.Square(w1), false))
	if err := j.Backward(); err != nil {
		t.Fatal(err)
	}
	mon.Observe(train.Batch{Epoch: 1, Batch: 1, Batches: 1, Loss: 1})
	n0 := math.Sqrt(sumSquares(w0.Value().Data()))
	n1 := math.Sqrt(sumSquares(w1.Value().Data()))
	want := 1e4 * n0 / n1
	got := mon.Samples[0].Layers[0].GradNorm / mon.Samples[0].Layers[1].GradNorm
	if math.Abs(got-want) > 1e-9*want || want < 1e3 {
		t.Fatalf("gradient norm ratio %g, want %g (> 1e3)", got, want)
	}
	wantKinds(t, mon, []string{Exploding}, Vanishing)
	if f := mon.Findings()[0]; !slices.Equal(f.Layers, []string{"layer 0 (Linear 4→4)"}) {
		t.Errorf("layers %v", f.Layers)
	}
}

// TestPlateauNeedsAFlatLoss feeds losses by hand to a model that receives
// no gradient at all (the gradient norm is 0 throughout): a constant loss is
// a plateau, a loss climbing by 30% is not (it is not flat).
func TestPlateauNeedsAFlatLoss(t *testing.T) {
	model := nn.MLP[float64](2, []int{2}, 1, nil, false, 0, data.NewRand(1))
	for _, c := range []struct {
		slope float64
		want  bool
	}{{0, true}, {0.3 / 150, false}} {
		mon := NewMonitor(model, data.Matrix{}, Options{Every: 5})
		for i := range 150 {
			mon.Observe(train.Batch{Epoch: i + 1, Batch: 1, Batches: 1, Loss: 1 + c.slope*float64(i)})
		}
		if got := slices.Contains(kinds(mon.Findings()), Plateau); got != c.want {
			t.Errorf("loss slope %g: plateau %v, want %v (%v)", c.slope, got, c.want, mon.Findings())
		}
	}
}

// affine is a model that is not a Sequential: y = x·Wᵀ + b by hand.
type affine struct{ w, b *autodiff.Var[float64] }

func (a affine) Forward(x *autodiff.Var[float64]) *autodiff.Var[float64] {
	return autodiff.Add(autodiff.MatMul(x, autodiff.T(a.w)), a.b)
}
func (a affine) Params() []*autodiff.Var[float64] { return []*autodiff.Var[float64]{a.w, a.b} }

func TestLayerNames(t *testing.T) {
	rng := data.NewRand(1)
	bn := nn.MLP[float64](4, []int{3}, 2, nil, true, 0.5, rng) // Linear, BatchNorm1d, ReLU, Dropout, Linear
	nested := nn.NewSequential[float64](nn.NewLinear[float64](2, 4, rng), nn.MLP[float64](4, []int{3}, 2, nn.Tanh[float64]{}, false, 0, rng))
	custom := affine{autodiff.Param(tensor.Ones[float64](2, 4)).SetName("w"), autodiff.Param(tensor.Zeros[float64](2))}
	for _, c := range []struct {
		model nn.Module[float64]
		want  []string
	}{
		{bn, []string{"layer 0 (Linear 4→3)", "layer 4 (Linear 3→2)"}},
		{nested, []string{"layer 0 (Linear 2→4)", "layer 1.0 (Linear 4→3)", "layer 1.2 (Linear 3→2)"}},
		{custom, []string{"w"}},
	} {
		mon := NewMonitor(c.model, data.Matrix{}, Options{})
		if !slices.Equal(mon.Layers, c.want) {
			t.Errorf("layers %q, want %q", mon.Layers, c.want)
		}
	}
	// The batch-norm layer's parameters are counted with layer 0's.
	mon := NewMonitor(bn, data.Matrix{}, Options{})
	if got := len(mon.layers[0].params); got != 4 {
		t.Errorf("layer 0 watches %d parameters, want 4 (weight, bias, BN weight, BN bias)", got)
	}
}

func TestProbeLeavesModelAlone(t *testing.T) {
	ds := digits(t)
	model := nn.MLP[float64](64, []int{16}, 10, nil, true, 0, data.NewRand(1))
	bn := model.Layers[1].(*nn.BatchNorm1d[float64])
	before := bn.RunningMean.Clone()
	nn.Train(model)
	mon := NewMonitor(model, probe(ds, 64), Options{Every: 1})
	mon.Observe(train.Batch{Epoch: 1, Batch: 1, Batches: 1, Loss: 1})
	if !model.Training() {
		t.Error("the probe left the model in evaluation mode")
	}
	if !slices.Equal(bn.RunningMean.Data(), before.Data()) {
		t.Error("the probe pass changed the batch-norm running mean")
	}
	if d := mon.Samples[0].Layers[0].Dead; math.IsNaN(d) {
		t.Error("no dead-unit count for the ReLU after batch norm")
	}
	for _, p := range model.Params() {
		if p.Grad() != nil {
			t.Errorf("the probe pass left a gradient on %s", p.Name())
		}
	}
}
