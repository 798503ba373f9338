package diagnose

import (
	"math"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// quadratic returns f(x) = Σ cᵢ·xᵢ², whose Hessian is diag(2cᵢ).
func quadratic(c ...float64) autodiff.Func[float64] {
	return func(x *autodiff.Var[float64]) *autodiff.Var[float64] {
		return autodiff.Sum(autodiff.Mul(autodiff.Const(tensor.FromSlice(c, len(c))), autodiff.Square(x)), false)
	}
}

func TestClassify(t *testing.T) {
	quartic := func(x *autodiff.Var[float64]) *autodiff.Var[float64] {
		return autodiff.Sum(autodiff.PowConst(x, 4), false)
	}
	for _, c := range []struct {
		name string
		f    autodiff.Func[float64]
		x    []float64
		kind string
		eig  []float64 // ascending, from the math
	}{
		{"x²+y²", quadratic(1, 1), []float64{0, 0}, Minimum, []float64{2, 2}},
		{"x²−y²", quadratic(1, -1), []float64{0, 0}, Saddle, []float64{-2, 2}},
		{"−x²−y²", quadratic(-1, -1), []float64{0, 0}, Maximum, []float64{-2, -2}},
		{"x⁴+y⁴", quartic, []float64{0, 0}, Flat, []float64{0, 0}},
		{"x²+0·y²", quadratic(1, 0), []float64{0, 0}, Flat, []float64{0, 2}},
		// Scale does not matter: the zero test is relative.
		{"1e-9·(x²−y²)", quadratic(1e-9, -1e-9), []float64{0, 0}, Saddle, []float64{-2e-9, 2e-9}},
	} {
		p, err := Classify(c.f, c.x)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if p.Kind != c.kind {
			t.Errorf("%s: %s, want %s (eigenvalues %v)", c.name, p.Kind, c.kind, p.Eigenvalues)
		}
		for i, l := range p.Eigenvalues {
			if math.Abs(l-c.eig[i]) > 1e-12*(1+math.Abs(c.eig[i])) {
				t.Errorf("%s: eigenvalues %v, want %v", c.name, p.Eigenvalues, c.eig)
			}
		}
		if p.GradNorm != 0 {
			t.Errorf("%s: gradient norm %g at the stationary point", c.name, p.GradNorm)
		}
	}
}

func TestClassifyRotatedSaddle(t *testing.T) {
	// f = x·y = ((x+y)² − (x−y)²)/4: Hessian [[0 1] [1 0]], eigenvalues ±1.
	f := func(x *autodiff.Var[float64]) *autodiff.Var[float64] {
		return autodiff.Sum(autodiff.Mul(autodiff.Slice(x, 0, 0, 1), autodiff.Slice(x, 0, 1, 2)), false)
	}
	p, err := Classify(f, []float64{0, 0})
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != Saddle || math.Abs(p.Eigenvalues[0]+1) > 1e-12 || math.Abs(p.Eigenvalues[1]-1) > 1e-12 {
		t.Errorf("x·y at 0: %s %v, want saddle [-1 1]", p.Kind, p.Eigenvalues)
	}
}

func TestClassifyNonFinite(t *testing.T) {
	f := func(x *autodiff.Var[float64]) *autodiff.Var[float64] { return autodiff.Sum(autodiff.Log(x), false) }
	if _, err := Classify(f, []float64{-1, 1}); err == nil {
		t.Error("log of a negative number classified without error")
	}
}

func TestClassifyEigenvaluesPanics(t *testing.T) {
	for _, eig := range [][]float64{nil, {1, math.NaN()}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%v: no panic", eig)
				}
			}()
			ClassifyEigenvalues(eig)
		}()
	}
}

// saddleThenMin is f(x, y) = x² − y² + y⁴/4: a saddle at 0 and minima at
// (0, ±√2), with ∇f = (2x, −2y + y³).
func saddleThenMin(x *autodiff.Var[float64]) *autodiff.Var[float64] {
	a, b := autodiff.Slice(x, 0, 0, 1), autodiff.Slice(x, 0, 1, 2)
	return autodiff.Sum(autodiff.Add(autodiff.Sub(autodiff.Square(a), autodiff.Square(b)), autodiff.Scale(0.25, autodiff.PowConst(b, 4))), false)
}

// descend runs gradient descent with the gradient written out by hand.
func descend(x, y, lr float64, steps int, grad func(x, y float64) (float64, float64)) [][]float64 {
	path := [][]float64{{x, y}}
	for range steps {
		gx, gy := grad(x, y)
		x, y = x-lr*gx, y-lr*gy
		path = append(path, []float64{x, y})
	}
	return path
}

func TestNearSaddles(t *testing.T) {
	// Starting almost on the x axis, descent slides into the saddle at 0,
	// lingers (y grows by 1.2× per step from 1e-4) and escapes to (0, √2).
	path := descend(1, 1e-4, 0.1, 120, func(x, y float64) (float64, float64) { return 2 * x, -2*y + y*y*y })
	if end := path[len(path)-1]; math.Abs(end[1]-math.Sqrt2) > 1e-3 {
		t.Fatalf("the path ends at %v, not at the minimum (0, √2)", end)
	}
	visits, err := NearSaddles(saddleThenMin, path, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(visits) != 1 {
		t.Fatalf("%d saddle visits, want 1: %+v", len(visits), visits)
	}
	v := visits[0]
	if math.Hypot(v.Closest.X[0], v.Closest.X[1]) > 0.05 || v.Closest.Kind != Saddle {
		t.Errorf("closest point %v (%s), want near the saddle at 0", v.Closest.X, v.Closest.Kind)
	}
	if !(v.From <= v.Index && v.Index <= v.To && v.To < len(path)-1) {
		t.Errorf("visit %d…%d around %d", v.From, v.To, v.Index)
	}
	// A path straight into the minimum of x² + y² passes no saddle.
	path = descend(1, 1, 0.1, 100, func(x, y float64) (float64, float64) { return 2 * x, 2 * y })
	visits, err = NearSaddles(quadratic(1, 1), path, 0)
	if err != nil || len(visits) != 0 {
		t.Errorf("bowl: visits %+v, err %v; want none", visits, err)
	}
}
