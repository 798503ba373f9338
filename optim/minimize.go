package optim

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/floats"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// Factory makes an optimiser over parameter groups; Minimize calls it with
// the one parameter it optimises. For example:
//
//	func(g []*optim.Group[float64]) (optim.Optimizer[float64], error) {
//		return optim.NewAdam(g, optim.Adam{LR: 0.05})
//	}
type Factory func(groups []*Group[float64]) (Optimizer[float64], error)

// Stop says when Minimize ends. The zero value runs 1000 steps with no
// tolerance test and the default divergence guard.
type Stop struct {
	// MaxSteps is the number of optimiser steps at most. Default 1000.
	MaxSteps int
	// GradTol ends the run when ‖∇f‖₂ ≤ GradTol at the current point.
	// Default 0: no test, so exactly MaxSteps steps are taken.
	GradTol float64
	// RelTol ends the run when a step changes f by at most
	// RelTol·max(|f|, 1). Default 0: no test.
	RelTol float64
	// BlowUp reports divergence when f exceeds f₀ + BlowUp·max(|f₀|, 1),
	// f₀ being the value at the start. Default 1e8. NaN or Inf always
	// counts as divergence.
	BlowUp float64
}

// done says why a run at r stops before its next step, or "".
func (s Stop) done(r Result) string {
	switch {
	case s.GradTol > 0 && r.GradNorm <= s.GradTol:
		return fmt.Sprintf("gradient norm %.3g ≤ tolerance %g", r.GradNorm, s.GradTol)
	case r.Steps == s.MaxSteps:
		return fmt.Sprintf("reached the step limit (%d)", s.MaxSteps)
	}
	return ""
}

// stalled says why a step from f = prev to f = fx ends the run, or "".
func (s Stop) stalled(prev, fx float64) string {
	if s.RelTol > 0 && math.Abs(fx-prev) <= s.RelTol*math.Max(math.Abs(fx), 1) {
		return fmt.Sprintf("f changed by at most %g relative", s.RelTol)
	}
	return ""
}

// Result is the outcome of Minimize.
type Result struct {
	X        []float64   // the final point
	F        float64     // f there
	GradNorm float64     // ‖∇f‖₂ there
	Steps    int         // optimiser steps taken (L-BFGS: outer steps)
	Evals    int         // evaluations of f and ∇f by the optimiser
	Stopped  string      // why the run ended
	Path     [][]float64 // the start, then the point after each step
	Loss     []float64   // f at each point of Path
}

// Options add a schedule or gradient clipping to Minimize.
type Options struct {
	Schedule  Schedule // default: constant learning rate
	ClipNorm  float64  // if > 0, clip the gradient's norm to this (ClipGradNorm)
	ClipValue float64  // if > 0, clamp each gradient entry to ±this (ClipGradValue)
}

// DivergenceError reports a run whose objective became NaN, Inf or blew up.
type DivergenceError struct {
	Step int
	F    float64
	LR   float64
}

func (e *DivergenceError) Error() string {
	return fmt.Sprintf("optim: the objective diverged at step %d (f = %g): try a learning rate smaller than %g, gradient clipping or a schedule", e.Step, e.F, e.LR)
}

// Minimize minimises f: Rⁿ → R from x0 with the optimiser newOpt makes,
// recording the path. It returns the result so far together with a
// *DivergenceError when the objective becomes NaN, Inf or blows up (see
// Stop.BlowUp). f is an autodiff function, so any expression built from
// autodiff operations works (package expr compiles text to one).
func Minimize(f autodiff.Func[float64], x0 []float64, newOpt Factory, stop Stop, o Options) (Result, error) {
	stop.MaxSteps = cmpOr(stop.MaxSteps, 1000)
	stop.BlowUp = or(stop.BlowUp, 1e8)
	if stop.MaxSteps < 0 || stop.GradTol < 0 || stop.RelTol < 0 {
		return Result{}, errorf("Minimize: MaxSteps, GradTol and RelTol must not be negative")
	}
	p := autodiff.Param(tensor.FromSlice(slices.Clone(x0)))
	opt, err := newOpt(Params(p))
	if err != nil {
		return Result{}, err
	}
	var sched *Scheduler[float64]
	if o.Schedule != nil {
		if sched, err = NewScheduler(opt, o.Schedule); err != nil {
			return Result{}, err
		}
	}
	var r Result
	// eval records f and ∇f at the current point.
	eval := func() (float64, error) {
		loss, fx, err := scalarLoss(f, p, "Minimize")
		if err != nil {
			return 0, err
		}
		r.Path = append(r.Path, slices.Clone(p.Value().Data()))
		r.Loss = append(r.Loss, fx)
		if math.IsNaN(fx) || math.IsInf(fx, 0) || (len(r.Loss) > 1 && fx > r.Loss[0]+stop.BlowUp*math.Max(1, math.Abs(r.Loss[0]))) {
			return fx, &DivergenceError{Step: len(r.Loss) - 1, F: fx, LR: opt.Groups()[0].LR}
		}
		if err := loss.Backward(); err != nil {
			return fx, &DivergenceError{Step: len(r.Loss) - 1, F: fx, LR: opt.Groups()[0].LR}
		}
		r.GradNorm = norm(p.Grad().Data())
		r.Evals++
		return fx, nil
	}
	finish := func(why string) Result {
		r.X, r.Stopped = slices.Clone(p.Value().Data()), why
		if len(r.Loss) > 0 {
			r.F = r.Loss[len(r.Loss)-1]
		}
		return r
	}
	fx, err := eval()
	var de *DivergenceError
	if err != nil && !errors.As(err, &de) {
		return finish("the objective is not usable"), err
	}
	if err != nil {
		return finish("diverged"), err
	}
	for {
		if why := stop.done(r); why != "" {
			return finish(why), nil
		}
		if o.ClipNorm > 0 {
			ClipGradNorm([]*autodiff.Var[float64]{p}, o.ClipNorm)
		}
		if o.ClipValue > 0 {
			ClipGradValue([]*autodiff.Var[float64]{p}, o.ClipValue)
		}
		if err := opt.Step(); err != nil {
			return finish("diverged"), &DivergenceError{Step: r.Steps + 1, F: math.NaN(), LR: opt.Groups()[0].LR}
		}
		if sched != nil {
			sched.Step()
		}
		r.Steps++
		prev := fx
		if fx, err = eval(); err != nil {
			return finish("diverged"), err
		}
		if why := stop.stalled(prev, fx); why != "" {
			return finish(why), nil
		}
	}
}

// scalarLoss zeroes p's gradient and evaluates f at p, which must give one
// number.
func scalarLoss(f autodiff.Func[float64], p *autodiff.Var[float64], caller string) (*autodiff.Var[float64], float64, error) {
	p.ZeroGrad()
	loss := f(p)
	if loss.Value().Size() != 1 {
		return nil, 0, errorf("%s: the objective returned shape %v; it must return one number", caller, loss.Shape())
	}
	return loss, loss.Item(), nil
}

// norm is ‖v‖₂.
func norm[T Float](v []T) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// MultiStartResult is the outcome of MultiStart.
type MultiStartResult struct {
	Best   Result   // the run that ended lowest
	Minima []Result // the distinct end points met, lowest first
	Runs   int
}

// MultiStart runs Minimize from restarts points drawn uniformly (seeded by
// seed) from the box, bounds[i] = [lo, hi] for coordinate i, and returns the
// best end point and the distinct ones met (end points closer than 1e-3 of
// the box size count as one). Runs that diverge are skipped; if all do, the
// last divergence is returned.
func MultiStart(f autodiff.Func[float64], bounds [][2]float64, restarts int, seed uint64, newOpt Factory, stop Stop, o Options) (MultiStartResult, error) {
	if restarts <= 0 {
		return MultiStartResult{}, errorf("MultiStart: restarts = %d must be positive", restarts)
	}
	scale := 0.0
	for i, b := range bounds {
		if !(b[0] < b[1]) {
			return MultiStartResult{}, errorf("MultiStart: box side %d is [%g, %g]; it needs lo < hi", i, b[0], b[1])
		}
		scale = math.Max(scale, b[1]-b[0])
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var out MultiStartResult
	var lastErr error
	for range restarts {
		x0 := make([]float64, len(bounds))
		for i, b := range bounds {
			x0[i] = b[0] + (b[1]-b[0])*rng.Float64()
		}
		r, err := Minimize(f, x0, newOpt, stop, o)
		out.Runs++
		if err != nil {
			lastErr = err
			continue
		}
		if !slices.ContainsFunc(out.Minima, func(m Result) bool { return dist(m.X, r.X) < 1e-3*scale }) {
			out.Minima = append(out.Minima, r)
		}
	}
	if len(out.Minima) == 0 {
		return out, lastErr
	}
	slices.SortStableFunc(out.Minima, func(a, b Result) int { return cmp.Compare(a.F, b.F) })
	out.Best = out.Minima[0]
	return out, nil
}

// dist is the Euclidean distance between a and b.
func dist(a, b []float64) float64 { return floats.Distance(a, b, 2) }

// MinimizeLBFGS minimises f from x0 by L-BFGS with settings s. Each recorded
// step is one L-BFGS Step (up to s.MaxIter iterations); Result.Evals counts
// the closure calls L-BFGS made. It stops after stop.MaxSteps steps, when
// ‖∇f‖₂ ≤ stop.GradTol, when f changes by at most stop.RelTol relative, or
// when a step leaves the point where it was (L-BFGS has converged by its own
// tolerances).
func MinimizeLBFGS(f autodiff.Func[float64], x0 []float64, s LBFGS, stop Stop) (Result, error) {
	stop.MaxSteps = cmpOr(stop.MaxSteps, 1000)
	p := autodiff.Param(tensor.FromSlice(slices.Clone(x0)))
	opt, err := NewLBFGS(Params(p), s)
	if err != nil {
		return Result{}, err
	}
	var r Result
	closure := func() (float64, error) {
		loss, fx, err := scalarLoss(f, p, "MinimizeLBFGS")
		if err != nil {
			return 0, err
		}
		if math.IsNaN(fx) || math.IsInf(fx, 0) {
			return fx, &DivergenceError{Step: r.Steps + 1, F: fx, LR: opt.Groups()[0].LR}
		}
		return fx, loss.Backward()
	}
	record := func() (float64, error) { // f and ‖∇f‖ at the current point, outside L-BFGS's count
		fx, err := closure()
		if err != nil {
			return fx, err
		}
		r.Path = append(r.Path, slices.Clone(p.Value().Data()))
		r.Loss = append(r.Loss, fx)
		r.GradNorm = norm(p.Grad().Data())
		return fx, nil
	}
	finish := func(why string) Result {
		r.X, r.Stopped = slices.Clone(p.Value().Data()), why
		if len(r.Loss) > 0 {
			r.F = r.Loss[len(r.Loss)-1]
		}
		return r
	}
	fx, err := record()
	if err != nil {
		return finish("diverged"), err
	}
	for {
		if why := stop.done(r); why != "" {
			return finish(why), nil
		}
		before := slices.Clone(p.Value().Data())
		step, err := opt.Step(closure)
		r.Evals += step.Evals
		if err != nil {
			return finish("diverged"), err
		}
		r.Steps++
		prev := fx
		if fx, err = record(); err != nil {
			return finish("diverged"), err
		}
		switch {
		case slices.Equal(before, p.Value().Data()):
			return finish("L-BFGS converged: " + step.Stopped), nil
		case stop.stalled(prev, fx) != "":
			return finish(stop.stalled(prev, fx)), nil
		}
	}
}

// MinimizeSteepest minimises f from x0 by steepest descent with a line
// search along −∇f at every step (Backtracking{} for Armijo's rule,
// StrongWolfe{} for the strong Wolfe conditions). It stops by stop, or when
// the line search finds no step that lowers f (near a minimum, where f no
// longer changes beyond rounding).
func MinimizeSteepest(f autodiff.Func[float64], x0 []float64, ls LineSearch, stop Stop) (Result, error) {
	stop.MaxSteps = cmpOr(stop.MaxSteps, 1000)
	obj := ObjectiveOf(f, len(x0))
	x, g := slices.Clone(x0), make([]float64, len(x0))
	fx, err := obj(x, g)
	if err != nil {
		return Result{}, err
	}
	r := Result{Path: [][]float64{slices.Clone(x)}, Loss: []float64{fx}, Evals: 1, GradNorm: norm(g)}
	finish := func(why string) Result {
		r.X, r.F, r.Stopped = slices.Clone(x), fx, why
		return r
	}
	d := make([]float64, len(x))
	for {
		if why := stop.done(r); why != "" {
			return finish(why), nil
		}
		if r.GradNorm == 0 {
			return finish("the gradient is zero"), nil
		}
		for i, gi := range g {
			d[i] = -gi
		}
		res, err := SearchLine(ls, obj, x, d, fx, g)
		r.Evals += res.Evals
		if errors.Is(err, ErrLineSearch) { // no step lowers f: done, to rounding
			return finish("the line search found no step that lowers f further"), nil
		}
		if err != nil {
			return finish("line search failed"), err
		}
		prev := fx
		x, fx, g = res.X, res.F, res.Grad
		r.Steps++
		r.Path, r.Loss, r.GradNorm = append(r.Path, slices.Clone(x)), append(r.Loss, fx), norm(g)
		if why := stop.stalled(prev, fx); why != "" {
			return finish(why), nil
		}
	}
}
