package numdiff

import (
	"math"
	"strings"
	"testing"

	"github.com/nabla-go/nabla/testfunc"
	"gonum.org/v1/gonum/mat"
)

func TestStandardStencilsValidate(t *testing.T) {
	for _, s := range Stencils() {
		if err := s.Validate(); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
		// The default step is the one that balances truncation and rounding.
		if want := math.Pow(0x1p-52, 1/float64(s.Order+s.Accuracy)); s.Step != want {
			t.Errorf("%s: step %g, want ε^(1/%d) = %g", s.Name, s.Step, s.Order+s.Accuracy, want)
		}
	}
	for _, s := range []Stencil{Forward, Central, FivePoint} {
		if err := s.Twice().Validate(); err != nil {
			t.Errorf("%s twice: %v", s.Name, err)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	bad := []struct {
		s    Stencil
		want string
	}{
		{Stencil{Name: "empty", Order: 1, Accuracy: 1, Step: 1e-6}, "points"},
		{Stencil{Name: "ragged", Order: 1, Accuracy: 1, Points: []float64{0, 1}, Coeffs: []float64{1}, Step: 1e-6}, "points"},
		{Stencil{Name: "order0", Order: 0, Accuracy: 1, Points: []float64{0}, Coeffs: []float64{1}, Step: 1e-6}, "order"},
		{Stencil{Name: "acc0", Order: 1, Accuracy: 0, Points: []float64{0, 1}, Coeffs: []float64{-1, 1}, Step: 1e-6}, "accuracy"},
		{Stencil{Name: "nostep", Order: 1, Accuracy: 1, Points: []float64{0, 1}, Coeffs: []float64{-1, 1}}, "step"},
		// Central's points with forward-difference weights: the zeroth moment is not 0.
		{Stencil{Name: "wrong", Order: 1, Accuracy: 2, Points: []float64{-1, 1}, Coeffs: []float64{-1, 1}, Step: 1e-6}, "Σ coeff·point^1"},
		// Forward difference claimed to be second-order accurate.
		{Stencil{Name: "overclaimed", Order: 1, Accuracy: 2, Points: []float64{0, 1}, Coeffs: []float64{-1, 1}, Step: 1e-6}, "point^2"},
	}
	for _, c := range bad {
		err := c.s.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.s.Name) {
			t.Errorf("%s: got %v, want an error naming the stencil and mentioning %q", c.s.Name, err, c.want)
		}
	}
}

// Each stencil is exact, up to rounding, on polynomials of degree below
// Order+Accuracy: p(x) = Σ xᵏ/k! has every derivative equal to Σ_{k≥d} xᵏ⁻ᵈ/(k−d)!.
func TestStencilsExactOnPolynomials(t *testing.T) {
	for _, s := range Stencils() {
		deg := s.Order + s.Accuracy - 1
		p := func(x float64) float64 { return taylorExp(x, deg) }
		x := 0.7
		want := taylorExp(x, deg-s.Order)
		// A large step: truncation is exactly zero, so only rounding remains.
		got := Derivative(p, x, &Settings{Stencil: s, Step: 0.25})
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%s on degree-%d polynomial: got %.17g, want %.17g", s.Name, deg, got, want)
		}
	}
}

// taylorExp is Σ_{k=0}^{deg} xᵏ/k!.
func taylorExp(x float64, deg int) float64 {
	sum, term := 0.0, 1.0
	for k := 0; k <= deg; k++ {
		sum += term
		term *= x / float64(k+1)
	}
	return sum
}

// Halving h divides the truncation error by 2^Accuracy: the error's observed
// order matches the stencil's claim.
func TestConvergenceOrder(t *testing.T) {
	x := 0.3
	for _, s := range Stencils() {
		want := math.Exp(x) // every derivative of exp is exp
		errAt := func(h float64) float64 {
			return math.Abs(Derivative(math.Exp, x, &Settings{Stencil: s, Step: h}) - want)
		}
		h := 0.05
		order := math.Log2(errAt(h) / errAt(h/2))
		if math.Abs(order-float64(s.Accuracy)) > 0.15 {
			t.Errorf("%s: observed order %.3f, want %d", s.Name, order, s.Accuracy)
		}
	}
}

// With the default step each stencil reaches the accuracy its error model
// promises: about ε^(A/(A+d)) relative.
func TestDerivativeDefaultStepAccuracy(t *testing.T) {
	tol := map[string]float64{"forward": 3e-8, "backward": 3e-8, "central": 1e-10, "five-point": 1e-12, "central2": 1e-7, "five-point2": 1e-9}
	for _, s := range Stencils() {
		for _, x := range []float64{-3, -0.2, 0, 1, 7.5} {
			// f = sin, whose derivatives cycle: sin⁽¹⁾ = cos, sin⁽²⁾ = −sin.
			want := math.Cos(x)
			if s.Order == 2 {
				want = -math.Sin(x)
			}
			got := Derivative(math.Sin, x, &Settings{Stencil: s})
			scale := math.Max(1, math.Abs(x)) // the step, and so the error, scales with |x|
			if s.Order == 2 {
				scale *= scale
			}
			if math.Abs(got-want) > tol[s.Name]*scale*scale {
				t.Errorf("%s: sin⁽%d⁾(%g) = %.15g, want %.15g (err %.3g)", s.Name, s.Order, x, got, want, math.Abs(got-want))
			}
		}
	}
}

// The step scales with |x|: at x = 1e8 an absolute step would vanish in
// rounding, a relative one does not.
func TestStepScalesWithX(t *testing.T) {
	for _, x := range []float64{1e-8, 1e8, -3e12} {
		got := Derivative(func(x float64) float64 { return x * x }, x, nil)
		if want := 2 * x; math.Abs(got-want) > 1e-9*math.Abs(want)+1e-9 {
			t.Errorf("d/dx x² at %g = %.17g, want %.17g", x, got, want)
		}
	}
	// The rounded step is exactly representable as a perturbation.
	for _, x := range []float64{0.1, 1.0 / 3, 12345.678, -1e-300} {
		h := stepAt(x, Central.Step)
		if (x+h)-x != h {
			t.Errorf("step %g at %g is not exact", h, x)
		}
	}
}

// The finite-difference gradient and Hessian of every standard test function
// match its closed forms.
func TestGradientAndHessianMatchClosedForms(t *testing.T) {
	for _, fn := range testfunc.All() {
		for _, x := range [][]float64{fn.Start, shifted(fn.Start)} {
			want := make([]float64, fn.Dim)
			fn.Grad(want, x)
			got := Gradient(nil, fn.Value, x, nil)
			for i := range want {
				if !close(got[i], want[i], 1e-7*(1+math.Abs(fn.Value(x)))) {
					t.Errorf("%s: ∂f/∂x%d at %v = %.12g, want %.12g", fn.Name, i, x, got[i], want[i])
				}
			}
			wantH := mat.NewSymDense(fn.Dim, nil)
			fn.Hess(wantH, x)
			gotH := Hessian(nil, fn.Value, x, nil)
			for i := range fn.Dim {
				for j := range fn.Dim {
					if !close(gotH.At(i, j), wantH.At(i, j), 1e-5*(1+math.Abs(fn.Value(x)))) {
						t.Errorf("%s: H[%d][%d] at %v = %.10g, want %.10g", fn.Name, i, j, x, gotH.At(i, j), wantH.At(i, j))
					}
				}
			}
		}
	}
}

// shifted moves a point off any special grid values.
func shifted(x []float64) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = v + 0.1*float64(i+1) - 0.37
	}
	return y
}

// close reports |a − b| ≤ tol·max(1, |b|).
func close(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

// Every first-order stencil gives a usable gradient and Hessian, and
// concurrency does not change a single bit.
func TestStencilsAndConcurrency(t *testing.T) {
	fn := testfunc.RosenbrockN(7)
	x := shifted(fn.Start)
	want := make([]float64, fn.Dim)
	fn.Grad(want, x)
	wantH := mat.NewSymDense(fn.Dim, nil)
	fn.Hess(wantH, x)
	tol := map[string]float64{"forward": 1e-5, "backward": 1e-5, "central": 1e-8, "five-point": 1e-10}
	hessTol := map[string]float64{"forward": 1e-3, "backward": 1e-3, "central": 1e-6, "five-point": 1e-7}
	for _, s := range []Stencil{Forward, Backward, Central, FivePoint} {
		serial := Gradient(nil, fn.Value, x, &Settings{Stencil: s})
		serialH := Hessian(nil, fn.Value, x, &Settings{Stencil: s})
		for i := range want {
			if !close(serial[i], want[i], tol[s.Name]*fn.Value(x)) {
				t.Errorf("%s: gradient[%d] = %.12g, want %.12g", s.Name, i, serial[i], want[i])
			}
			for j := range want {
				if !close(serialH.At(i, j), wantH.At(i, j), hessTol[s.Name]*fn.Value(x)) {
					t.Errorf("%s: H[%d][%d] = %.10g, want %.10g", s.Name, i, j, serialH.At(i, j), wantH.At(i, j))
				}
			}
		}
		for _, workers := range []int{-1, 2, 5, 100} {
			set := &Settings{Stencil: s, Concurrent: workers}
			par := Gradient(make([]float64, fn.Dim), fn.Value, x, set)
			parH := Hessian(mat.NewSymDense(fn.Dim, nil), fn.Value, x, set)
			for i := range serial {
				if par[i] != serial[i] {
					t.Errorf("%s with %d workers: gradient[%d] = %v, serial %v", s.Name, workers, i, par[i], serial[i])
				}
				for j := range serial {
					if parH.At(i, j) != serialH.At(i, j) {
						t.Errorf("%s with %d workers: H[%d][%d] differs from serial", s.Name, workers, i, j)
					}
				}
			}
		}
	}
}

func TestGradientDoesNotModifyX(t *testing.T) {
	x := []float64{1, 2, 3}
	Gradient(nil, func(v []float64) float64 { return v[0] * v[1] * v[2] }, x, &Settings{Stencil: FivePoint, Concurrent: 2})
	Hessian(nil, func(v []float64) float64 { return v[0] * v[1] * v[2] }, x, nil)
	if x[0] != 1 || x[1] != 2 || x[2] != 3 {
		t.Errorf("x changed to %v", x)
	}
}

// f: R³ → R², f(x) = (x₀x₁, sin x₂ + x₀²) has
// J = [[x₁, x₀, 0], [2x₀, 0, cos x₂]].
func TestJacobian(t *testing.T) {
	f := func(y, x []float64) { y[0] = x[0] * x[1]; y[1] = math.Sin(x[2]) + x[0]*x[0] }
	x := []float64{1.5, -2, 0.4}
	want := mat.NewDense(2, 3, []float64{x[1], x[0], 0, 2 * x[0], 0, math.Cos(x[2])})
	for _, s := range []Stencil{Forward, Central, FivePoint} {
		for _, workers := range []int{0, 3} {
			got := Jacobian(mat.NewDense(2, 3, nil), f, x, &Settings{Stencil: s, Concurrent: workers})
			if !mat.EqualApprox(got, want, 1e-6) {
				t.Errorf("%s, %d workers: J = %v, want %v", s.Name, workers, mat.Formatted(got), mat.Formatted(want))
			}
		}
	}
}

func TestMisusePanics(t *testing.T) {
	f := func(x []float64) float64 { return x[0] }
	cases := []struct {
		name, want string
		run        func()
	}{
		{"short dst", "len(dst) = 1 but len(x) = 2", func() { Gradient(make([]float64, 1), f, []float64{1, 2}, nil) }},
		{"second-order stencil in Gradient", "first-derivative stencil", func() { Gradient(nil, f, []float64{1}, &Settings{Stencil: Central2}) }},
		{"negative step", "step -1", func() { Derivative(math.Sin, 0, &Settings{Step: -1}) }},
		{"invalid stencil", "stencil \"x\"", func() {
			Derivative(math.Sin, 0, &Settings{Stencil: Stencil{Name: "x", Order: 1, Accuracy: 1, Points: []float64{1}, Coeffs: []float64{1}, Step: 1e-3}})
		}},
		{"nil Jacobian dst", "m×n destination", func() { Jacobian(nil, func(y, x []float64) {}, []float64{1}, nil) }},
		{"Jacobian width", "destination is 2×3 but len(x) = 2", func() { Jacobian(mat.NewDense(2, 3, nil), func(y, x []float64) {}, []float64{1, 2}, nil) }},
		{"Hessian size", "destination is 3×3 but len(x) = 2", func() { Hessian(mat.NewSymDense(3, nil), f, []float64{1, 2}, nil) }},
		{"Twice of order 2", "Twice needs a first-order stencil", func() { Central2.Twice() }},
	}
	for _, c := range cases {
		func() {
			defer func() {
				r := recover()
				if r == nil {
					t.Errorf("%s: no panic", c.name)
					return
				}
				if msg, _ := r.(string); !strings.Contains(msg, c.want) || !strings.HasPrefix(msg, "numdiff: ") {
					t.Errorf("%s: panic %q, want it to start with \"numdiff: \" and mention %q", c.name, r, c.want)
				}
			}()
			c.run()
		}()
	}
}
