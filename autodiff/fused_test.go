package autodiff

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nabla-go/nabla/tensor"
)

// TestScaledMul: c·(a·b) as one node has the bits of Scale(c, Mul(a, b)),
// and its first and second derivatives (its rule, and the rule of its rule)
// agree with those of the two-node form, broadcasting included.
func TestScaledMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range [][2][]int{{{7}, {7}}, {{7}, {}}, {{}, {7}}, {{3, 4}, {4}}, {{3, 1}, {1, 4}}, {{}, {}}} {
		a0, b0 := tensor.RandN[float64](rng, c[0]...), tensor.RandN[float64](rng, c[1]...)
		na, nb := a0.Size(), b0.Size()
		x0 := tensor.Concat(0, tensor.Reshape(a0, -1), tensor.Reshape(b0, -1))
		split := func(x *Var[float64]) (a, b *Var[float64]) {
			return Reshape(Slice(x, 0, 0, na), c[0]...), Reshape(Slice(x, 0, na, na+nb), c[1]...)
		}
		// Cubic in x, so the Hessian is not constant and differentiates
		// scaledMul's rule again.
		fused := func(x *Var[float64]) *Var[float64] {
			a, b := split(x)
			p := scaledMul(2.5, a, b)
			return Sum(Mul(p, Sin(p)), false)
		}
		plain := func(x *Var[float64]) *Var[float64] {
			a, b := split(x)
			p := Scale(2.5, Mul(a, b))
			return Sum(Mul(p, Sin(p)), false)
		}
		name := fmt.Sprint(c[0], "∘", c[1])
		a, b := Const(a0), Const(b0)
		if got, want := scaledMul(2.5, a, b).Value().Data(), Scale(2.5, Mul(a, b)).Value().Data(); !slices.Equal(got, want) {
			t.Fatalf("%s: value %v, Scale(Mul) gives %v", name, got, want)
		}
		g1, err := Grad(fused, x0)
		if err != nil {
			t.Fatal(err)
		}
		g2, _ := Grad(plain, x0)
		closeAll(t, name+" gradient", g1.Data(), g2.Data(), 1e-13)
		h1, err := Hessian(fused, x0)
		if err != nil {
			t.Fatal(err)
		}
		h2, _ := Hessian(plain, x0)
		closeAll(t, name+" Hessian", h1.Data(), h2.Data(), 1e-12)
	}
}

func closeAll(t *testing.T, what string, got, want []float64, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(got[i] - want[i]); !(d <= rtol*math.Max(1, math.Abs(want[i]))) {
			t.Fatalf("%s: element %d is %v, want %v", what, i, got[i], want[i])
		}
	}
}

// shortcutCases exercise the shortcuts of a first-order pass (fused.go):
// Slices whose gradients overlap (added into an owned buffer in place),
// windows along a first axis (contiguous) and a last axis (not), gradients
// shared by the two inputs of an Add and then accumulated further, a Var
// used twice, rules writing into the gradient they were given (Neg, Scale,
// Square, PowConst) alone and before a shared use, and the broadcast seed
// going through Scale and Neg.
var shortcutCases = map[string]func(x *Var[float64]) *Var[float64]{
	"rosenbrock": rosenbrock,
	"overlapping windows": func(x *Var[float64]) *Var[float64] {
		n := x.Value().Dim(0)
		u, v, w := Slice(x, 0, 0, n-2), Slice(x, 0, 1, n-1), Slice(x, 0, 2, n)
		return Sum(Add(Mul(u, v), Scale(3, Mul(v, Sin(w)))), false)
	},
	"shared gradient": func(x *Var[float64]) *Var[float64] {
		n := x.Value().Dim(0)
		a1, a2 := Slice(x, 0, 0, n-1), Slice(x, 0, 1, n)
		s := Add(a1, a2) // its gradient goes to both slices
		return Add(Sum(Mul(s, s), false), Sum(Scale(-2, Mul(a1, Cos(a1))), false))
	},
	"rows and columns": func(x *Var[float64]) *Var[float64] {
		m := Reshape(x, 4, -1)
		k := m.Value().Dim(1)
		rows := Mul(Slice(m, 0, 0, 3), Slice(m, 0, 1, 4))
		cols := Mul(Slice(m, 1, 0, k-1), Slice(m, 1, 1, k))
		return Add(Sum(Square(rows), false), Neg(Sum(Square(cols), false)))
	},
	"donated chain": func(x *Var[float64]) *Var[float64] {
		// Each rule's gradient goes to one input and is overwritten there.
		c := Neg(Scale(3, AddConst(PowConst(Neg(Square(x)), 3), 1)))
		return Sum(Mul(Square(c), Sin(x)), false)
	},
	"donated then shared": func(x *Var[float64]) *Var[float64] {
		y := Scale(2, x)
		z := Sub(Neg(y), Square(y)) // y's gradient from both, then Scale's rule
		w := Add(Square(z), Neg(z)) // z's gradient shared by Sub's inputs
		return Sum(Mul(w, Cos(x)), false)
	},
	"scalar seed spread": func(x *Var[float64]) *Var[float64] {
		return Neg(Scale(7, Sum(Neg(Scale(-0.5, Square(x))), false)))
	},
}

// TestFirstOrderShortcuts: the gradients of a first-order pass, with its
// shortcuts, equal those of a recorded pass, which takes none (compared with
// ==, so a zero's sign may differ); they are the same bit for bit with the
// computation in an Arena, where a step allocates nothing; and a leaf's
// gradient is right over several passes and after ZeroGrad.
func TestFirstOrderShortcuts(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	x0 := tensor.RandN[float64](rng, 24)
	for name, f := range shortcutCases {
		t.Run(name, func(t *testing.T) {
			p := Param(x0)
			if err := f(p).Backward(); err != nil {
				t.Fatal(err)
			}
			first := slices.Clone(p.Grad().Data())
			q := Param(x0)
			if err := f(q).BackwardWith(BackwardOptions[float64]{CreateGraph: true}); err != nil {
				t.Fatal(err)
			}
			if want := q.Grad().Data(); !slices.Equal(first, want) {
				t.Fatalf("first-order gradient %v, recorded pass %v", first, want)
			}
			// A second pass adds; after ZeroGrad a pass gives it afresh.
			if err := f(p).Backward(); err != nil {
				t.Fatal(err)
			}
			for i, g := range p.Grad().Data() {
				if g != 2*first[i] {
					t.Fatalf("after two passes element %d is %v, want %v", i, g, 2*first[i])
				}
			}
			p.ZeroGrad()
			if err := f(p).Backward(); err != nil {
				t.Fatal(err)
			}
			if got := p.Grad().Data(); !slices.Equal(got, first) {
				t.Fatalf("after ZeroGrad: %v, want %v", got, first)
			}
			// Gradients (wrt given) takes the same shortcuts.
			xp := Param(x0)
			gs, err := Gradients(f(xp), []*Var[float64]{xp}, BackwardOptions[float64]{})
			if err != nil {
				t.Fatal(err)
			}
			if got := gs[0].Value().Data(); !slices.Equal(got, first) {
				t.Fatalf("Gradients: %v, want %v", got, first)
			}
			var a Arena[float64]
			var xa *Var[float64]
			step := func() {
				a.Reset()
				xa = a.Param(x0)
				if err := f(xa).Backward(); err != nil {
					t.Fatal(err)
				}
			}
			for range 3 {
				step()
				if got := xa.Grad().Data(); !slices.Equal(got, first) {
					t.Fatalf("in an arena: %v, want %v", got, first)
				}
			}
			if n := testing.AllocsPerRun(10, step); n != 0 {
				t.Errorf("a step in an arena allocates %v times, want 0", n)
			}
		})
	}
}

// TestRosenbrockGradient checks the benchmark's extended Rosenbrock against
// its closed-form gradient, with and without an Arena.
func TestRosenbrockGradient(t *testing.T) {
	const n = 1001
	x0 := rosenbrockStart(n)
	x := x0.Data()
	want := make([]float64, n)
	for i := 0; i < n-1; i++ {
		r := x[i+1] - x[i]*x[i]
		want[i] += -400*x[i]*r - 2*(1-x[i])
		want[i+1] += 200 * r
	}
	_, g, err := ValueAndGrad(rosenbrock, x0)
	if err != nil {
		t.Fatal(err)
	}
	closeAll(t, "gradient", g.Data(), want, 1e-14)
	var a Arena[float64]
	for range 2 {
		a.Reset()
		p := a.Param(x0)
		if err := rosenbrock(p).Backward(); err != nil {
			t.Fatal(err)
		}
		if got := p.Grad().Data(); !slices.Equal(got, g.Data()) {
			t.Fatal("the gradient in an arena differs from ValueAndGrad's")
		}
	}
}
