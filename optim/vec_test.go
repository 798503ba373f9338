package optim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// f32 and f64 are named element types: the optimisers run their plain Go
// loops for them rather than the fused updates of internal/vec, so they are
// the reference for those.
type (
	f32 float32
	f64 float64
)

// vecCases name optimiser settings that between them take every branch of
// the fast paths (vec.go): momentum, dampening, Nesterov, weight decay
// (coupled and decoupled), Maximize, AMSGrad, centring, Adagrad's
// accumulation and learning-rate decay.
var vecCases = []string{
	"SGD", "SGD wd", "SGD maximize", "SGD momentum", "SGD momentum dampening wd", "SGD nesterov maximize wd",
	"Adam", "Adam wd maximize", "AdamW", "AMSGrad", "AdamW AMSGrad maximize",
	"NAdam", "NAdam wd", "NAdam textbook",
	"RMSprop", "RMSprop centered momentum wd", "RMSprop momentum maximize",
	"Adagrad", "Adagrad lrdecay wd maximize",
	"Adadelta", "Adadelta wd maximize",
}

// newVecCase builds the optimiser vecCases calls name.
func newVecCase[T Float](name string, params []*autodiff.Var[T]) (Optimizer[T], error) {
	g := Params(params...)
	switch name {
	case "SGD":
		return NewSGD(g, SGD{LR: 0.1})
	case "SGD wd":
		return NewSGD(g, SGD{LR: 0.1, WeightDecay: 0.01})
	case "SGD maximize":
		return NewSGD(g, SGD{LR: 0.1, Maximize: true})
	case "SGD momentum":
		return NewSGD(g, SGD{LR: 0.1, Momentum: 0.9})
	case "SGD momentum dampening wd":
		return NewSGD(g, SGD{LR: 0.1, Momentum: 0.8, Dampening: 0.3, WeightDecay: 0.01})
	case "SGD nesterov maximize wd":
		return NewSGD(g, SGD{LR: 0.1, Momentum: 0.9, Nesterov: true, Maximize: true, WeightDecay: 0.02})
	case "Adam":
		return NewAdam(g, Adam{LR: 0.01})
	case "Adam wd maximize":
		return NewAdam(g, Adam{LR: 0.01, WeightDecay: 0.1, Maximize: true})
	case "AdamW":
		return NewAdamW(g, Adam{LR: 0.01})
	case "AMSGrad":
		return NewAdam(g, Adam{LR: 0.01, AMSGrad: true, Beta1: 0.5})
	case "AdamW AMSGrad maximize":
		return NewAdamW(g, Adam{LR: 0.01, AMSGrad: true, Maximize: true})
	case "NAdam":
		return NewNAdam(g, NAdam{})
	case "NAdam wd":
		return NewNAdam(g, NAdam{WeightDecay: 0.1})
	case "NAdam textbook":
		return NewNAdam(g, NAdam{Textbook: true, Beta1: 0.5})
	case "RMSprop":
		return NewRMSprop(g, RMSprop{})
	case "RMSprop centered momentum wd":
		return NewRMSprop(g, RMSprop{Centered: true, Momentum: 0.9, WeightDecay: 0.1, Alpha: 0.9})
	case "RMSprop momentum maximize":
		return NewRMSprop(g, RMSprop{Momentum: 0.5, Maximize: true})
	case "Adagrad":
		return NewAdagrad(g, Adagrad{})
	case "Adagrad lrdecay wd maximize":
		return NewAdagrad(g, Adagrad{LRDecay: 0.1, WeightDecay: 0.1, Maximize: true, InitialAccumulator: 0.5})
	case "Adadelta":
		return NewAdadelta(g, Adadelta{})
	case "Adadelta wd maximize":
		return NewAdadelta(g, Adadelta{WeightDecay: 0.1, Maximize: true})
	}
	return nil, fmt.Errorf("no optimiser %s", name)
}

// vecValues returns n random values as T, a quarter of them replaced by
// signed zeros, subnormals, tiny and large values.
func vecValues[T Float](rng *rand.Rand, n int, scale float64) []T {
	sp := []float64{0, math.Copysign(0, -1), 5e-324, 1e-40, 1e10, -1e-3}
	out := make([]T, n)
	for i := range out {
		out[i] = T(rng.NormFloat64() * scale)
		if rng.IntN(4) == 0 {
			out[i] = T(sp[rng.IntN(len(sp))])
		}
	}
	return out
}

// runSteps takes five steps of the optimiser name on the loss
// Σ p·(c + p) (gradient c + 2p, which changes from step to step) of
// parameters starting at starts, and returns them and the optimiser's
// state.
func runSteps[T Float](t *testing.T, name string, starts, cs [][]T) ([][]T, []ParamState[T]) {
	var params []*autodiff.Var[T]
	var consts []*autodiff.Var[T]
	for i := range starts {
		params = append(params, autodiff.Param(tensor.FromSlice(append([]T(nil), starts[i]...))))
		consts = append(consts, autodiff.Const(tensor.FromSlice(cs[i])))
	}
	opt, err := newVecCase(name, params)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		ZeroGrad[T](opt)
		for i, p := range params {
			if err := autodiff.Sum(autodiff.Mul(p, autodiff.Add(consts[i], p)), false).Backward(); err != nil {
				t.Fatal(err)
			}
		}
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
	}
	var out [][]T
	for _, p := range params {
		out = append(out, p.Value().Data())
	}
	return out, opt.State()
}

// TestFastPathsMatchPlainLoops checks that every optimiser's fast path
// (float32 and float64) leaves parameters and state bit-identical to its
// plain loop (run for the named types f32 and f64), over five steps, on
// parameters of lengths covering every vector tail.
func TestFastPathsMatchPlainLoops(t *testing.T) {
	for _, name := range vecCases {
		t.Run(name, func(t *testing.T) {
			t.Run("float32", func(t *testing.T) { fastMatchesPlain[float32, f32](t, name) })
			t.Run("float64", func(t *testing.T) { fastMatchesPlain[float64, f64](t, name) })
		})
	}
}

func fastMatchesPlain[T, N Float](t *testing.T, name string) {
	rng := rand.New(rand.NewPCG(5, 6))
	lengths := []int{0, 1, 7, 15, 16, 17, 31, 33, 64, 65, 1023, 1025}
	var starts, cs [][]T
	for _, n := range lengths {
		starts, cs = append(starts, vecValues[T](rng, n, 1)), append(cs, vecValues[T](rng, n, 10))
	}
	gotP, gotS := runSteps(t, name, starts, cs)
	wantP, wantS := runSteps(t, name, named[T, N](starts), named[T, N](cs))
	for i := range gotP {
		sameBits(t, fmt.Sprintf("parameter %d (length %d)", i, lengths[i]), gotP[i], wantP[i])
	}
	for i := range gotS {
		if gotS[i].Step != wantS[i].Step || len(gotS[i].Buffers) != len(wantS[i].Buffers) {
			t.Fatalf("state %d: %d steps and %d buffers, plain loop %d and %d", i, gotS[i].Step, len(gotS[i].Buffers), wantS[i].Step, len(wantS[i].Buffers))
		}
		for k, b := range gotS[i].Buffers {
			sameBits(t, fmt.Sprintf("state %d %q", i, k), b, wantS[i].Buffers[k])
		}
	}
}

// named converts each slice to the element type N.
func named[T, N Float](s [][]T) [][]N {
	out := make([][]N, len(s))
	for i, x := range s {
		out[i] = make([]N, len(x))
		for j, v := range x {
			out[i][j] = N(v)
		}
	}
	return out
}

func sameBits[T, N Float](t *testing.T, what string, got []T, want []N) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, plain loop %d", what, len(got), len(want))
	}
	for i := range got {
		if math.Float64bits(float64(got[i])) != math.Float64bits(float64(want[i])) {
			t.Fatalf("%s: element %d is %v, the plain loop gives %v", what, i, got[i], want[i])
		}
	}
}

// TestStepAllocatesNothing: after the first step has made the optimiser's
// state, a step of every optimiser (fast paths, in float32 and float64)
// updates the parameters in place without allocating.
func TestStepAllocatesNothing(t *testing.T) {
	for _, name := range vecCases {
		t.Run(name, func(t *testing.T) {
			t.Run("float32", func(t *testing.T) { stepAllocs[float32](t, name) })
			t.Run("float64", func(t *testing.T) { stepAllocs[float64](t, name) })
		})
	}
}

func stepAllocs[T Float](t *testing.T, name string) {
	rng := rand.New(rand.NewPCG(1, 2))
	var params []*autodiff.Var[T]
	for _, n := range []int{100352, 128, 10} {
		p := autodiff.Param(tensor.FromSlice(vecValues[T](rng, n, 1)))
		c := autodiff.Const(tensor.FromSlice(vecValues[T](rng, n, 1)))
		if err := autodiff.Sum(autodiff.Mul(c, p), false).Backward(); err != nil {
			t.Fatal(err)
		}
		params = append(params, p)
	}
	opt, err := newVecCase(name, params)
	if err != nil {
		t.Fatal(err)
	}
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(5, func() {
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("%v allocations per step", n)
	}
}
