package diagnose_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/diagnose"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/tensor"
	"github.com/nabla-go/nabla/train"
)

// stack builds 10 Linear layers 64 → 32 → … → 32 → 10 with act between
// them, weights drawn by init and zero biases.
func stack(act nn.Module[float64], init nn.Initializer, rng *rand.Rand) *nn.Sequential[float64] {
	var layers []nn.Module[float64]
	in := 64
	cfg := nn.LinearConfig{WeightInit: init, BiasInit: nn.Zeros{}}
	for range 9 {
		layers = append(layers, nn.NewLinearWith[float64](in, 32, rng, cfg), act)
		in = 32
	}
	layers = append(layers, nn.NewLinearWith[float64](in, 10, rng, cfg))
	return nn.NewSequential(layers...)
}

// A 10-layer sigmoid network initialised with small random numbers
// (N(0, 0.01²)) cannot learn: every layer shrinks the backward signal by
// about σ'·‖W‖ ≈ 0.25·0.01·√32, so the first layer gets nothing. The same
// network with ReLU and He initialisation passes the gradient through and
// learns, and the monitor finds nothing wrong.
func ExampleMonitor_vanishing() {
	ds, _ := data.Builtin("digits")
	var s data.Standardizer
	_ = s.Fit(ds.X)
	ds.X = s.Transform(ds.X)
	idx := make([]int, 512)
	for i := range idx {
		idx[i] = i
	}
	ds = ds.Subset(idx)
	probe := ds.Rows(idx[:64])

	for _, c := range []struct {
		name string
		act  nn.Module[float64]
		init nn.Initializer
	}{
		{"sigmoid, small random init", nn.Sigmoid[float64]{}, nn.SmallRandom{Std: 0.01}},
		{"ReLU, He init", nn.ReLU[float64]{}, nn.KaimingNormal{}},
	} {
		model := stack(c.act, c.init, data.NewRand(1))
		cfg := train.Config{Epochs: 5, BatchSize: 32, Seed: 1, Optimizer: func(g []*optim.Group[float64]) (optim.Optimizer[float64], error) {
			return optim.NewAdam(g, optim.Adam{LR: 3e-3})
		}}
		mon := diagnose.NewMonitor(model, probe, diagnose.Options{Every: 2})
		mon.Attach(&cfg)
		_, err := train.Fit(model, nn.CrossEntropy[float64], ds, nil, cfg)
		mon.Finish(err)

		_, norms := mon.GradNorms() // one curve per layer, input first
		first, last := norms[0][0], norms[len(norms)-1][0]
		fmt.Printf("%s: first/last layer gradient norm at step 1 below 1e-3: %v\n", c.name, first/last < 1e-3)
		epoch := func(e int) float64 { // mean loss of the 16 batches of epoch e
			sum := 0.0
			for _, l := range mon.Losses[16*(e-1) : 16*e] {
				sum += l
			}
			return sum / 16
		}
		fmt.Printf("  trains (last epoch's loss below half the first's): %v\n", epoch(cfg.Epochs) < epoch(1)/2)
		fmt.Print("  findings:")
		for _, f := range mon.Findings() {
			fmt.Print(" ", f.Kind)
		}
		fmt.Println()
	}
	// Output:
	// sigmoid, small random init: first/last layer gradient norm at step 1 below 1e-3: true
	//   trains (last epoch's loss below half the first's): false
	//   findings: vanishing
	// ReLU, He init: first/last layer gradient norm at step 1 below 1e-3: false
	//   trains (last epoch's loss below half the first's): true
	//   findings:
}

// The second-derivative test at the origin, from the exact Hessian.
func ExampleClassify() {
	fs := map[string]autodiff.Func[float64]{
		"x² + y²": func(x *autodiff.Var[float64]) *autodiff.Var[float64] {
			return autodiff.Sum(autodiff.Square(x), false)
		},
		"x² − y²": func(x *autodiff.Var[float64]) *autodiff.Var[float64] {
			c := autodiff.Const(tensor.FromSlice([]float64{1, -1}, 2))
			return autodiff.Sum(autodiff.Mul(c, autodiff.Square(x)), false)
		},
		"x⁴ + y⁴": func(x *autodiff.Var[float64]) *autodiff.Var[float64] {
			return autodiff.Sum(autodiff.PowConst(x, 4), false)
		},
	}
	for _, name := range []string{"x² + y²", "x² − y²", "x⁴ + y⁴"} {
		p, _ := diagnose.Classify(fs[name], []float64{0, 0})
		fmt.Printf("%s: %s, eigenvalues %v\n", name, p.Kind, p.Eigenvalues)
	}
	// Output:
	// x² + y²: minimum, eigenvalues [2 2]
	// x² − y²: saddle, eigenvalues [-2 2]
	// x⁴ + y⁴: flat, eigenvalues [0 0]
}

// For a linear model y = w·x + b the gradient ∂y/∂xⱼ is wⱼ on every row, so
// the saliency of each feature is |wⱼ|.
func ExampleFeatureImportance() {
	l := nn.NewLinear[float64](3, 1, data.NewRand(1))
	copy(l.Weight.Value().Data(), []float64{0.5, -4, 2})
	model := nn.NewSequential[float64](l)
	x := data.Matrix{Rows: 2, Cols: 3, Data: []float64{1, 1, 1, -1, 0.5, 2}}
	imp, _ := diagnose.FeatureImportance(model, x, []string{"age", "dose", "weight"})
	for _, im := range imp {
		fmt.Printf("%-6s saliency %.1f  grad×input %.1f\n", im.Feature, im.Saliency, im.GradInput)
	}
	// Output:
	// dose   saliency 4.0  grad×input 3.0
	// weight saliency 2.0  grad×input 3.0
	// age    saliency 0.5  grad×input 0.5
}

// The model y = 2x fits every row but one, whose target was mistyped: that
// row's loss gradient is the only one that is not zero. There the residual
// is r = 2·3 − 60 = −54, so ℓ = r² = 2916, ∂ℓ/∂(w, b) = 2r·(x, 1) =
// (−324, −108) with norm 341.5, and ∂ℓ/∂x = 2r·w = −216.
func ExampleAnomalyScores() {
	l := nn.NewLinear[float64](1, 1, data.NewRand(1))
	l.Weight.Value().Fill(2)
	l.Bias.Value().Fill(0)
	ds := &data.Dataset{
		X: data.Matrix{Rows: 4, Cols: 1, Data: []float64{1, 2, 3, 4}},
		Y: []float64{2, 4, 60, 8},
	}
	scores, _ := diagnose.AnomalyScores(nn.NewSequential[float64](l), nn.MSE[float64], ds)
	for _, a := range scores[:2] {
		fmt.Printf("row %d: loss %g, ‖∂ℓ/∂θ‖ %.4g, ‖∂ℓ/∂x‖ %g\n", a.Row, a.Loss, a.ParamGradNorm, a.InputGradNorm)
	}
	// Output:
	// row 2: loss 2916, ‖∂ℓ/∂θ‖ 341.5, ‖∂ℓ/∂x‖ 216
	// row 0: loss 0, ‖∂ℓ/∂θ‖ 0, ‖∂ℓ/∂x‖ 0
}
