package optim

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/expr"
	"github.com/nabla-go/nabla/testfunc"
)

// funcOf compiles a 2-D test function's formula.
func funcOf(t *testing.T, fn testfunc.Function) autodiff.Func[float64] {
	t.Helper()
	f, err := expr.Func(expr.MustParse(fn.Formula), []string{"x", "y"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// From the standard starts, each optimiser with a sensible setting reaches
// the known minimum; reruns are bit-identical.
func TestMinimizeReachesMinima(t *testing.T) {
	type setting struct {
		name string
		make Factory
	}
	sgd := func(s SGD) Factory {
		return func(g []*Group[float64]) (Optimizer[float64], error) { return NewSGD(g, s) }
	}
	adam := func(s Adam) Factory {
		return func(g []*Group[float64]) (Optimizer[float64], error) { return NewAdam(g, s) }
	}
	rms := func(s RMSprop) Factory {
		return func(g []*Group[float64]) (Optimizer[float64], error) { return NewRMSprop(g, s) }
	}
	ada := func(s Adagrad) Factory {
		return func(g []*Group[float64]) (Optimizer[float64], error) { return NewAdagrad(g, s) }
	}
	cases := []struct {
		fn    testfunc.Function
		opt   setting
		steps int
	}{
		{testfunc.Booth(), setting{"gd", sgd(SGD{LR: 0.05})}, 2000},
		{testfunc.Booth(), setting{"nesterov", sgd(SGD{LR: 0.02, Momentum: 0.9, Nesterov: true})}, 2000},
		{testfunc.Matyas(), setting{"momentum", sgd(SGD{LR: 0.5, Momentum: 0.9})}, 3000},
		{testfunc.Rosenbrock(), setting{"momentum", sgd(SGD{LR: 1e-3, Momentum: 0.9})}, 20000},
		{testfunc.Rosenbrock(), setting{"adam", adam(Adam{LR: 0.02})}, 10000},
		{testfunc.Beale(), setting{"adam", adam(Adam{LR: 0.01})}, 10000},
		{testfunc.Booth(), setting{"rmsprop", rms(RMSprop{LR: 0.01, Centered: true})}, 5000},
		{testfunc.Booth(), setting{"adagrad", ada(Adagrad{LR: 1})}, 5000},
		{testfunc.Matyas(), setting{"adamw", func(g []*Group[float64]) (Optimizer[float64], error) {
			return NewAdamW(g, Adam{LR: 0.01})
		}}, 5000},
		{testfunc.Himmelblau(), setting{"adadelta", func(g []*Group[float64]) (Optimizer[float64], error) {
			return NewAdadelta(g, Adadelta{LR: 5})
		}}, 10000},
		{testfunc.Booth(), setting{"nadam", func(g []*Group[float64]) (Optimizer[float64], error) {
			return NewNAdam(g, NAdam{LR: 0.05})
		}}, 5000},
	}
	for _, c := range cases {
		f := funcOf(t, c.fn)
		stop := Stop{MaxSteps: c.steps, GradTol: 1e-9}
		r, err := Minimize(f, c.fn.Start, c.opt.make, stop, Options{})
		if err != nil {
			t.Errorf("%s with %s: %v", c.fn.Name, c.opt.name, err)
			continue
		}
		best := math.Inf(1)
		for _, m := range c.fn.Minima {
			best = math.Min(best, dist(m, r.X))
		}
		if best > 1e-4 || math.Abs(r.F-c.fn.MinValue) > 1e-8 {
			t.Errorf("%s with %s: ended at %v (f = %g, %s), %g from the nearest minimum", c.fn.Name, c.opt.name, r.X, r.F, r.Stopped, best)
		}
		again, _ := Minimize(f, c.fn.Start, c.opt.make, stop, Options{})
		if !slices.Equal(again.X, r.X) || again.Steps != r.Steps {
			t.Errorf("%s with %s: rerun differs", c.fn.Name, c.opt.name)
		}
	}
}

// The path starts at x0 and records every step; exactly MaxSteps steps are
// taken without a tolerance.
func TestMinimizePath(t *testing.T) {
	f := objective(t, "(x-2)^2 + (y-1)^2")
	gd := func(g []*Group[float64]) (Optimizer[float64], error) { return NewSGD(g, SGD{LR: 0.1}) }
	r, err := Minimize(f, []float64{4.5, 3.5}, gd, Stop{MaxSteps: 5}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Steps != 5 || len(r.Path) != 6 || len(r.Loss) != 6 || !slices.Equal(r.Path[0], []float64{4.5, 3.5}) || !slices.Equal(r.Path[1], []float64{4, 3}) {
		t.Errorf("result %+v", r)
	}
	if r.Loss[0] != 12.5 || r.Loss[1] != 8 { // 2.5² + 2.5², then 2² + 2²
		t.Errorf("losses %v", r.Loss)
	}
	// A schedule: the step decay halves η after 2 steps.
	r, _ = Minimize(f, []float64{4.5, 3.5}, gd, Stop{MaxSteps: 3}, Options{Schedule: StepDecay{Size: 2, Gamma: 0.5}})
	// distance to (2, 1) shrinks by 1 − 2η: 0.8, 0.8, then 0.9.
	if d := dist(r.X, []float64{2, 1}) / dist([]float64{4.5, 3.5}, []float64{2, 1}); math.Abs(d-0.8*0.8*0.9) > 1e-12 {
		t.Errorf("with step decay the distance ratio is %v, want 0.576", d)
	}
}

// Too large a learning rate diverges: the error names the step and suggests
// a smaller rate; the path up to there is returned.
func TestMinimizeDivergence(t *testing.T) {
	f := objective(t, "x^2 + y^2")
	gd := func(g []*Group[float64]) (Optimizer[float64], error) { return NewSGD(g, SGD{LR: 1.5}) }
	r, err := Minimize(f, []float64{1, 1}, gd, Stop{}, Options{})
	var de *DivergenceError
	if !errors.As(err, &de) || r.Stopped != "diverged" {
		t.Fatalf("got %v, %+v", err, r)
	}
	// f is multiplied by (1 − 2·1.5)² = 4 per step and passes 2 + 1e8·2 at step 14.
	if de.Step != 14 || de.LR != 1.5 || len(r.Loss) != 15 {
		t.Errorf("diverged at step %d (lr %g) after %d losses", de.Step, de.LR, len(r.Loss))
	}
}

// Himmelblau has four minima; restarts in [−5, 5]² find all of them.
func TestMultiStart(t *testing.T) {
	fn := testfunc.Himmelblau()
	adam := func(g []*Group[float64]) (Optimizer[float64], error) { return NewAdam(g, Adam{LR: 0.05}) }
	res, err := MultiStart(funcOf(t, fn), fn.Bounds, 30, 1, adam, Stop{MaxSteps: 3000, GradTol: 1e-10}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Minima) != 4 || res.Runs != 30 || res.Best.F > 1e-12 {
		t.Fatalf("found %d minima in %d runs, best f %g", len(res.Minima), res.Runs, res.Best.F)
	}
	for _, want := range fn.Minima {
		if !slices.ContainsFunc(res.Minima, func(m Result) bool { return dist(m.X, want) < 1e-5 }) {
			t.Errorf("minimum %v not found among %d", want, len(res.Minima))
		}
	}
	if _, err := MultiStart(funcOf(t, fn), [][2]float64{{1, 0}, {0, 1}}, 3, 1, adam, Stop{}, Options{}); err == nil {
		t.Error("an empty box was accepted")
	}
}

// L-BFGS and steepest descent with line searches, through the same
// Result: Rosenbrock's minimum by L-BFGS in a few dozen evaluations, and the
// quadratic bowl by Armijo and strong-Wolfe steepest descent.
func TestMinimizeLBFGSAndSteepest(t *testing.T) {
	rb := testfunc.Rosenbrock()
	r, err := MinimizeLBFGS(funcOf(t, rb), rb.Start, LBFGS{LineSearch: StrongWolfe{}, ToleranceChange: 1e-20}, Stop{MaxSteps: 50, GradTol: 1e-10})
	if err != nil {
		t.Fatal(err)
	}
	if dist(r.X, rb.Minima[0]) > 1e-8 || r.Evals > 200 || len(r.Path) != r.Steps+1 {
		t.Errorf("L-BFGS on Rosenbrock: %v after %d steps, %d evaluations (%s)", r.X, r.Steps, r.Evals, r.Stopped)
	}
	f := objective(t, "(x-1)^2 + 10*y^2")
	for _, ls := range []LineSearch{Backtracking{}, StrongWolfe{}} {
		r, err := MinimizeSteepest(f, []float64{3, 1}, ls, Stop{MaxSteps: 500, GradTol: 1e-9})
		if err != nil || dist(r.X, []float64{1, 0}) > 1e-8 || r.Steps < 2 {
			t.Errorf("steepest descent with %T: %v, %v (%s)", ls, err, r.X, r.Stopped)
		}
		for i := 1; i < len(r.Loss); i++ {
			if r.Loss[i] > r.Loss[i-1] {
				t.Fatalf("%T: f rose at step %d", ls, i)
			}
		}
	}
}

// An objective that does not return one number is an error, not a panic.
func TestMinimizeBadObjective(t *testing.T) {
	f := func(v *autodiff.Var[float64]) *autodiff.Var[float64] { return autodiff.Square(v) }
	gd := func(g []*Group[float64]) (Optimizer[float64], error) { return NewSGD(g, SGD{}) }
	if _, err := Minimize(f, []float64{1, 2}, gd, Stop{}, Options{}); err == nil || !strings.Contains(err.Error(), "must return one number") {
		t.Errorf("vector objective: %v", err)
	}
	if _, err := MinimizeLBFGS(f, []float64{1, 2}, LBFGS{}, Stop{}); err == nil || !strings.Contains(err.Error(), "must return one number") {
		t.Errorf("vector objective, L-BFGS: %v", err)
	}
	if _, err := MinimizeSteepest(f, []float64{1, 2}, Backtracking{}, Stop{}); err == nil {
		t.Error("vector objective, steepest descent: no error")
	}
}
