package optim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/testfunc"
)

// parabola is f(x) = (x − 3)², minimised at 3.
func parabola(x, g []float64) (float64, error) {
	g[0] = 2 * (x[0] - 3)
	return (x[0] - 3) * (x[0] - 3), nil
}

// checkWolfe verifies the conditions on a returned step: sufficient
// decrease always, and for StrongWolfe the strong curvature condition.
func checkWolfe(t *testing.T, name string, obj Objective[float64], x, d []float64, fx float64, gx []float64, r LineResult[float64], c1, c2 float64) {
	t.Helper()
	gtd := dot(gx, d)
	if !(r.Step > 0) {
		t.Fatalf("%s: step %g", name, r.Step)
	}
	// The result is f and ∇f at the returned X = x + α·d.
	g := make([]float64, len(x))
	f, _ := obj(r.X, g)
	if f != r.F || dot(g, d) != dot(r.Grad, d) {
		t.Errorf("%s: result f = %g, ∇f·d = %g, but at X f = %g, ∇f·d = %g", name, r.F, dot(r.Grad, d), f, dot(g, d))
	}
	for i := range x {
		if r.X[i] != math.FMA(r.Step, d[i], x[i]) {
			t.Fatalf("%s: X[%d] = %g is not x + α·d", name, i, r.X[i])
		}
	}
	if !(r.F <= fx+c1*r.Step*gtd) {
		t.Errorf("%s: sufficient decrease fails: f(x + αd) = %g > f(x) + c₁αφ'(0) = %g", name, r.F, fx+c1*r.Step*gtd)
	}
	if c2 > 0 && !(math.Abs(dot(r.Grad, d)) <= -c2*gtd) {
		t.Errorf("%s: strong curvature fails: |φ'(α)| = %g > c₂|φ'(0)| = %g", name, math.Abs(dot(r.Grad, d)), -c2*gtd)
	}
}

// On f(x) = (x − 3)² from x = 0 the answers are known: φ(α) = (αd − 3)² is
// a quadratic, so the cubic interpolation of PyTorch's search is exact.
func TestLineSearchParabola(t *testing.T) {
	x := []float64{0}
	g := []float64{-6}
	for _, c := range []struct {
		name  string
		ls    LineSearch
		d     float64
		step  float64
		evals int
	}{
		// α = 1 already satisfies both conditions: φ'(1) = −4, |−4| ≤ 0.9·6.
		{"wolfe accepts α₀", StrongWolfe{}, 1, 1, 1},
		// d = 0.1: φ'(1) = −0.58 is too steep; the cubic through α = 0 and 1
		// has its minimum at 30, clamped to 10·α = 10, where φ'(10) = −0.4.
		{"wolfe extrapolates", StrongWolfe{}, 0.1, 10, 2},
		// d = 10: φ(1) = 49 > φ(0) brackets [0, 1]; the cubic (exact for a
		// quadratic) gives the minimiser 0.3, where φ' = 0.
		{"wolfe zooms", StrongWolfe{}, 10, 0.3, 2},
		// Armijo: φ(1) = 49 fails, φ(0.5) = 4 ≤ 9 − 1e-4·0.5·60 holds.
		{"armijo halves", Backtracking{}, 10, 0.5, 2},
		{"armijo accepts α₀", Backtracking{}, 1, 1, 1},
		{"armijo shrink 0.1", Backtracking{Shrink: 0.1}, 10, 0.1, 2},
	} {
		d := []float64{c.d}
		r, err := SearchLine(c.ls, parabola, x, d, 9, g)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if math.Abs(r.Step-c.step) > 1e-15*c.step || r.Evals != c.evals {
			t.Errorf("%s: step %.17g after %d evaluations, want %g after %d", c.name, r.Step, r.Evals, c.step, c.evals)
		}
		c2 := 0.0
		if _, ok := c.ls.(StrongWolfe); ok {
			c2 = 0.9
		}
		checkWolfe(t, c.name, parabola, x, d, 9, g, r, 1e-4, c2)
	}
}

// On Rosenbrock from the standard start along −∇f (a direction whose good
// step is tiny: ‖∇f‖ ≈ 233), both searches return steps that satisfy their
// conditions, and on random convex quadratics in 5 dimensions along random
// descent directions too.
func TestLineSearchConditions(t *testing.T) {
	fn := testfunc.Rosenbrock()
	obj := ValueGrad(fn.Value, fn.Grad)
	x := fn.Start
	g := make([]float64, 2)
	fx, _ := obj(x, g)
	d := []float64{-g[0], -g[1]}
	for _, ls := range []LineSearch{StrongWolfe{}, Backtracking{}, StrongWolfe{C2: 0.1}, Backtracking{C1: 0.5, Shrink: 0.9, MaxIter: 100}} {
		r, err := SearchLine(ls, obj, x, d, fx, g)
		if err != nil {
			t.Fatalf("%#v: %v", ls, err)
		}
		c1, c2 := 1e-4, 0.0
		switch s := ls.(type) {
		case StrongWolfe:
			c2 = or(s.C2, 0.9)
		case Backtracking:
			c1 = or(s.C1, 1e-4)
		}
		checkWolfe(t, fmt.Sprintf("rosenbrock %#v", ls), obj, x, d, fx, g, r, c1, c2)
		t.Logf("%#v: α = %.4g, f = %.4g after %d evaluations", ls, r.Step, r.F, r.Evals)
	}

	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		const n = 5
		a, b := make([]float64, n), make([]float64, n)
		for i := range a {
			a[i] = math.Exp(4 * rng.Float64()) // condition numbers up to e⁴
			b[i] = rng.NormFloat64()
		}
		quad := func(x, g []float64) (float64, error) {
			f := 0.0
			for i := range x {
				g[i] = a[i]*x[i] - b[i]
				f += 0.5*a[i]*x[i]*x[i] - b[i]*x[i]
			}
			return f, nil
		}
		x, d := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i] = 3 * rng.NormFloat64()
		}
		g := make([]float64, n)
		fx, _ := quad(x, g)
		for i := range d { // a descent direction: −g turned by a random amount, scaled
			d[i] = (-g[i] + 0.5*rng.NormFloat64()*math.Abs(g[i])) * math.Exp(3*rng.NormFloat64())
		}
		if dot(g, d) >= 0 {
			continue
		}
		rw, err := SearchLine(StrongWolfe{}, quad, x, d, fx, g)
		if err != nil {
			t.Fatalf("trial %d: strong Wolfe: %v", trial, err)
		}
		checkWolfe(t, fmt.Sprintf("trial %d strong Wolfe", trial), quad, x, d, fx, g, rw, 1e-4, 0.9)
		rb, err := SearchLine(Backtracking{}, quad, x, d, fx, g)
		if err != nil {
			t.Fatalf("trial %d: backtracking: %v", trial, err)
		}
		checkWolfe(t, fmt.Sprintf("trial %d backtracking", trial), quad, x, d, fx, g, rb, 1e-4, 0)
	}
}

// An ascent direction (or a zero one) is an error before anything is
// evaluated; so are bad settings.
func TestLineSearchErrors(t *testing.T) {
	calls := 0
	obj := func(x, g []float64) (float64, error) { calls++; return parabola(x, g) }
	x, g := []float64{0}, []float64{-6}
	for _, ls := range []LineSearch{Backtracking{}, StrongWolfe{}} {
		for _, d := range []float64{1e-3, 0} {
			_, err := SearchLine(ls, obj, x, []float64{-d}, 9, g)
			if !errors.Is(err, ErrNotDescent) || !strings.Contains(err.Error(), "≥ 0") {
				t.Errorf("%T along %g: %v, want ErrNotDescent", ls, -d, err)
			}
		}
	}
	if calls != 0 {
		t.Errorf("%d evaluations for ascent directions", calls)
	}
	for _, c := range []struct {
		ls   LineSearch
		want string
	}{
		{Backtracking{Shrink: 1}, "Shrink = 1 must lie in (0, 1)"},
		{Backtracking{Step: -1}, "Step = -1"},
		{StrongWolfe{C1: 0.5, C2: 0.4}, "0 ≤ C1 < C2 < 1"},
		{StrongWolfe{C2: 1}, "0 ≤ C1 < C2 < 1"},
	} {
		if _, err := SearchLine(c.ls, obj, x, []float64{1}, 9, g); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%#v: %v, want %q", c.ls, err, c.want)
		}
	}
	// The objective's error comes back wrapped, with the step it failed at.
	boom := errors.New("boom")
	_, err := SearchLine(StrongWolfe{}, func(x, g []float64) (float64, error) { return 0, boom }, x, []float64{1}, 9, g)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "at step 1") {
		t.Errorf("objective error: %v", err)
	}
}

// Backtracking gives up after MaxIter shrinks and returns the start; a
// trial where f overflows to +Inf or is NaN counts as too long a step.
func TestBacktrackingFailureAndOverflow(t *testing.T) {
	// f(x) = −x near 0 but NaN for x > 1e-6: with d = 1 no step of 1·2⁻ᵏ,
	// k ≤ 3, is small enough.
	obj := func(x, g []float64) (float64, error) {
		g[0] = -1
		if x[0] > 1e-6 {
			return math.NaN(), nil
		}
		return -x[0], nil
	}
	r, err := SearchLine(Backtracking{MaxIter: 3}, obj, []float64{0}, []float64{1}, 0, []float64{-1})
	if !errors.Is(err, ErrLineSearch) || r.Step != 0 || r.Evals != 4 || r.X[0] != 0 || r.F != 0 {
		t.Errorf("failing search: %+v, %v", r, err)
	}
	// exp(x) from 0 along −1000: steps past ~710 overflow.
	exp := func(x, g []float64) (float64, error) { g[0] = math.Exp(x[0]); return g[0], nil }
	r, err = SearchLine(Backtracking{}, exp, []float64{0}, []float64{-1000}, 1, []float64{1})
	if err != nil || r.Step != 1 {
		t.Errorf("descending exp: %+v, %v", r, err)
	}
	r, err = SearchLine(Backtracking{}, exp, []float64{0}, []float64{-1}, 1, []float64{1})
	if err != nil || r.Step != 1 || r.F != math.Exp(-1) {
		t.Errorf("exp: %+v, %v", r, err)
	}
	ovf := func(x, g []float64) (float64, error) { g[0] = 2 * x[0]; return math.Exp(x[0] * x[0]), nil }
	r, err = SearchLine(Backtracking{}, ovf, []float64{1}, []float64{-100}, math.E, []float64{2})
	if err != nil || r.F >= math.E || r.Evals < 5 {
		t.Errorf("overflowing trials: %+v, %v", r, err)
	}
	r, err = SearchLine(StrongWolfe{}, ovf, []float64{1}, []float64{-100}, math.E, []float64{2})
	if err != nil || r.F >= math.E {
		t.Errorf("overflowing trials, strong Wolfe: %+v, %v", r, err)
	}
}

// A plain Go function, a value-and-gradient pair and an autodiff function
// are the same objective; with gx nil the search evaluates the start itself.
func TestObjectiveForms(t *testing.T) {
	fn := testfunc.Rosenbrock()
	plain := func(x, g []float64) (float64, error) {
		a, b := 1-x[0], x[1]-x[0]*x[0]
		g[0], g[1] = -2*a-400*x[0]*b, 200*b
		return a*a + 100*b*b, nil
	}
	rosen := func(p *autodiff.Var[float64]) *autodiff.Var[float64] {
		x, y := autodiff.Slice(p, 0, 0, 1), autodiff.Slice(p, 0, 1, 2)
		return autodiff.Sum(autodiff.Add(autodiff.Square(autodiff.AddConst(autodiff.Neg(x), 1)),
			autodiff.Scale(100, autodiff.Square(autodiff.Sub(y, autodiff.Square(x))))), false)
	}
	d := []float64{1, -0.5}
	var results []LineResult[float64]
	for _, obj := range []Objective[float64]{plain, ValueGrad(fn.Value, fn.Grad), ObjectiveOf(autodiff.Func[float64](rosen))} {
		r, err := SearchLine(StrongWolfe{}, obj, fn.Start, d, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	for i, r := range results {
		if math.Abs(r.Step-results[0].Step) > 1e-12 || math.Abs(r.F-results[0].F) > 1e-12*results[0].F || r.Evals != results[0].Evals {
			t.Errorf("objective %d: step %g, f %g, %d evaluations; the plain one: %g, %g, %d", i, r.Step, r.F, r.Evals, results[0].Step, results[0].F, results[0].Evals)
		}
	}
	if results[0].Evals < 2 {
		t.Errorf("with gx nil the start's evaluation is counted: %d", results[0].Evals)
	}
	// An autodiff function that does not return one number is an error.
	vec := ObjectiveOf(autodiff.Func[float64](func(p *autodiff.Var[float64]) *autodiff.Var[float64] { return p }))
	if _, err := SearchLine(Backtracking{}, vec, []float64{1, 2}, d, 0, nil); err == nil || !strings.Contains(err.Error(), "single-element") {
		t.Errorf("vector-valued objective: %v", err)
	}
}

// One step of steepest descent with Armijo backtracking on (x−1)² + 10y².
func ExampleSearchLine() {
	f := func(x, g []float64) (float64, error) {
		g[0], g[1] = 2*(x[0]-1), 20*x[1]
		return (x[0]-1)*(x[0]-1) + 10*x[1]*x[1], nil
	}
	x := []float64{0, 1}
	g := make([]float64, 2)
	fx, _ := f(x, g)
	d := []float64{-g[0], -g[1]}
	r, err := SearchLine(Backtracking{}, f, x, d, fx, g)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("α = %g, x = %.4g, f = %.4g after %d evaluations\n", r.Step, r.X, r.F, r.Evals)
	// Output:
	// α = 0.0625, x = [0.125 -0.25], f = 1.391 after 5 evaluations
}
