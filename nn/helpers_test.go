package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/numdiff"
	"github.com/nabla-go/nabla/tensor"
)

type V = autodiff.Var[float64]

func newRng(seed uint64) *rand.Rand { return rand.New(newPCG(seed)) }

func newPCG(seed uint64) *rand.PCG { return rand.NewPCG(seed, seed^0x9e3779b97f4a7c15) }

// randAway returns a tensor with entries uniform in ±[lo, hi], never within lo of 0
// (keeps relu-like kinks far from the finite-difference steps).
func randAway(rng *rand.Rand, lo, hi float64, shape ...int) *tensor.Tensor[float64] {
	t := tensor.New[float64](shape...)
	d := t.Data()
	for i := range d {
		v := lo + (hi-lo)*rng.Float64()
		if rng.IntN(2) == 0 {
			v = -v
		}
		d[i] = v
	}
	return t
}

// weighted reduces y to a scalar with fixed random weights, so that every
// output entry's gradient matters: L = Σ c ⊙ y.
func weighted(y *V, c *tensor.Tensor[float64]) *V {
	return autodiff.Sum(autodiff.Mul(y, autodiff.Const(c)), false)
}

func requirePass(t *testing.T, what string, r numdiff.CheckResult, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !r.Pass {
		t.Errorf("%s: gradient check failed: max rel err %g, worst %+v, warnings %v", what, r.MaxRelErr, r.Worst, r.Warnings)
	}
	for _, e := range r.Entries {
		if e.Kink {
			t.Errorf("%s: entry %d at a kink: test inputs should stay away from kinks", what, e.Index)
			break
		}
	}
}

func close(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func checkClose(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !close(got[i], want[i], tol) {
			t.Errorf("%s[%d] = %.15g, want %.15g", what, i, got[i], want[i])
		}
	}
}

// checkModule grad-checks a module with respect to its input and (if any) its
// parameters, at a seeded random input away from kinks. reset is called before
// each forward pass (for dropout masks).
func checkModule(t *testing.T, name string, m Module[float64], x *tensor.Tensor[float64], reset func()) {
	t.Helper()
	if reset == nil {
		reset = func() {}
	}
	reset()
	probe := m.Forward(autodiff.Const(x))
	c := randAway(newRng(99), 0.5, 1.5, probe.Shape()...)
	r, err := autodiff.GradCheck(func(x *V) *V { reset(); return weighted(m.Forward(x), c) }, x, nil)
	requirePass(t, name+" wrt input", r, err)
	if ps := m.Params(); len(ps) > 0 {
		xc := autodiff.Const(x)
		r, err := autodiff.CheckParams(func() *V { reset(); return weighted(m.Forward(xc), c) }, ps, nil)
		requirePass(t, name+" wrt params", r, err)
	}
}
