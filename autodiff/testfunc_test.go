package autodiff

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/nabla-go/nabla/tensor"
	"github.com/nabla-go/nabla/testfunc"
)

type vf = *Var[float64]

// xy splits a 2-vector into its coordinates as 1-element Vars.
func xy(v vf) (x, y vf) { return Slice(v, 0, 0, 1), Slice(v, 0, 1, 2) }

// sum adds any number of Vars.
func sum(terms ...vf) vf {
	s := terms[0]
	for _, t := range terms[1:] {
		s = Add(s, t)
	}
	return s
}

// autodiffForms writes each standard test function with autodiff ops, from
// its Formula, so its Hessian can be taken by differentiating the backward
// pass and compared with the closed form.
var autodiffForms = map[string]Func[float64]{
	"sphere": func(v vf) vf { return Sum(Square(v), false) },
	"booth": func(v vf) vf {
		x, y := xy(v)
		return Sum(Add(Square(AddConst(Add(x, Scale(2, y)), -7)), Square(AddConst(Add(Scale(2, x), y), -5))), false)
	},
	"beale": func(v vf) vf {
		x, y := xy(v)
		term := func(c float64, k float64) vf { return Square(AddConst(Sub(Mul(x, PowConst(y, k)), x), c)) }
		return Sum(sum(term(1.5, 1), term(2.25, 2), term(2.625, 3)), false)
	},
	"himmelblau": func(v vf) vf {
		x, y := xy(v)
		return Sum(Add(Square(AddConst(Add(Square(x), y), -11)), Square(AddConst(Add(x, Square(y)), -7))), false)
	},
	"rosenbrock": func(v vf) vf {
		x, y := xy(v)
		return Sum(Add(Square(AddConst(Neg(x), 1)), Scale(100, Square(Sub(y, Square(x))))), false)
	},
	"rosenbrock-n": rosenbrock,
	"rastrigin": func(v vf) vf {
		n := float64(v.Shape()[0])
		return AddConst(Sum(Sub(Square(v), Scale(10, Cos(Scale(2*math.Pi, v)))), false), 10*n)
	},
	"ill-conditioned": func(v vf) vf {
		n := v.Shape()[0]
		c := tensor.New[float64](n)
		for i := range n {
			c.Data()[i] = math.Pow(testfunc.DefaultCond, float64(i)/float64(n-1))
		}
		return Scale(0.5, Sum(Mul(Const(c), Square(v)), false))
	},
	"three-hump-camel": func(v vf) vf {
		x, y := xy(v)
		return Sum(sum(Scale(2, Square(x)), Scale(-1.05, PowConst(x, 4)), Scale(1.0/6, PowConst(x, 6)), Mul(x, y), Square(y)), false)
	},
	"matyas": func(v vf) vf {
		x, y := xy(v)
		return Sum(Sub(Scale(0.26, Add(Square(x), Square(y))), Scale(0.48, Mul(x, y))), false)
	},
	"mccormick": func(v vf) vf {
		x, y := xy(v)
		return Sum(AddConst(sum(Sin(Add(x, y)), Square(Sub(x, y)), Scale(-1.5, x), Scale(2.5, y)), 1), false)
	},
	"styblinski-tang": func(v vf) vf {
		return Scale(0.5, Sum(sum(PowConst(v, 4), Scale(-16, Square(v)), Scale(5, v)), false))
	},
	"six-hump-camel": func(v vf) vf {
		x, y := xy(v)
		x2, y2 := Square(x), Square(y)
		return Sum(sum(Mul(AddConst(Add(Scale(-2.1, x2), Scale(1.0/3, Square(x2))), 4), x2), Mul(x, y), Mul(AddConst(Scale(4, y2), -4), y2)), false)
	},
	"saddle": func(v vf) vf {
		x, y := xy(v)
		return Sum(Sub(Square(x), Square(y)), false)
	},
	"monkey-saddle": func(v vf) vf {
		x, y := xy(v)
		return Sum(Sub(PowConst(x, 3), Scale(3, Mul(x, Square(y)))), false)
	},
}

// The value, gradient and exact Hessian by autodiff of every standard test
// function match its closed forms to 1e-10 (relative to the entry's size).
func TestTestFunctionHessians(t *testing.T) {
	for _, fn := range testfunc.All() {
		f, ok := autodiffForms[fn.Name]
		if !ok {
			t.Errorf("%s: no autodiff form; add one to autodiffForms", fn.Name)
			continue
		}
		points := [][]float64{fn.Start, fn.Bounds[0][:]}
		for _, m := range fn.Minima {
			points = append(points, m)
		}
		for _, p := range points {
			x := make([]float64, fn.Dim)
			for i := range x {
				x[i] = p[i%len(p)] + 0.01*float64(i) // Bounds[0] has 2 entries; spread the rest
			}
			val, g, err := ValueAndGrad(f, tensor.FromSlice(x))
			if err != nil {
				t.Fatalf("%s: %v", fn.Name, err)
			}
			if !near(val, fn.Value(x), 1e-12) {
				t.Errorf("%s at %v: value %.17g, closed form %.17g", fn.Name, x, val, fn.Value(x))
			}
			wantG := make([]float64, fn.Dim)
			fn.Grad(wantG, x)
			for i, w := range wantG {
				if !near(g.Data()[i], w, 1e-12) {
					t.Errorf("%s at %v: ∂f/∂x%d = %.17g, closed form %.17g", fn.Name, x, i, g.Data()[i], w)
				}
			}
			h, err := Hessian(f, tensor.FromSlice(x))
			if err != nil {
				t.Fatalf("%s: %v", fn.Name, err)
			}
			wantH := mat.NewSymDense(fn.Dim, nil)
			fn.Hess(wantH, x)
			for i := range fn.Dim {
				for j := range fn.Dim {
					if got := h.At(i, j); !near(got, wantH.At(i, j), 1e-10) {
						t.Errorf("%s at %v: H[%d][%d] = %.17g, closed form %.17g", fn.Name, x, i, j, got, wantH.At(i, j))
					}
				}
			}
		}
	}
}

// near reports |a − b| ≤ tol·max(1, |b|).
func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }
