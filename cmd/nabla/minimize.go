package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/expr"
	"github.com/nabla-go/nabla/internal/textdist"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/plot"
)

// optimizerNames are the --optimizer values, as PyTorch names the classes.
var optimizerNames = []string{"gd", "sgd", "adagrad", "rmsprop", "adam", "adamw", "adadelta", "nadam", "lbfgs"}

// minimizeFlags are the command's settings; hyperparameter flags carry
// PyTorch's argument names.
type minimizeFlags struct {
	from, optimizer, schedule, box, compare string
	lr, momentum, dampening, weightDecay    float64
	alpha, eps, beta1, beta2, lrDecay       float64
	initialAccumulator, rho, clipNorm       float64
	clipValue, tol                          float64
	nesterov, centered, amsgrad, maximize   bool
	steps, restarts, history                int
	lineSearch, plot                        string
	seed                                    uint64
	asJSON                                  bool
	set                                     *pflag.FlagSet
}

func newMinimizeCmd() *cobra.Command {
	var fl minimizeFlags
	cmd := &cobra.Command{
		Use:   "minimize EXPR --from x=…,y=… [--optimizer NAME]",
		Short: "Minimise an expression with gradient descent or one of its family, step by step",
		Long: `minimize runs an optimiser on a function from a starting point and shows its
progress and where it ends. The optimisers and their flags follow torch.optim:
gd (plain gradient descent), sgd (--momentum, --dampening, --nesterov),
adagrad (--lr-decay, --initial-accumulator), rmsprop (--alpha, --centered,
--momentum), adam and adamw (--beta1, --beta2, --amsgrad), adadelta (--rho)
and nadam; all take --lr, --eps where it applies, --weight-decay and
--maximize. lbfgs is L-BFGS with torch's strong-Wolfe line search (--history,
--line-search none for a fixed step of --lr); each of its steps is one torch
"outer step" of up to 20 iterations. A flag left out takes PyTorch's default.

--schedule changes the learning rate as the steps go: step:SIZE:GAMMA,
multistep:M1,M2:GAMMA, exp:GAMMA, cosine:TMAX, warmup:STEPS (from lr/STEPS
up to lr over STEPS steps), invtime:DECAY (lr/(1 + DECAY·t)).
--tol stops when the gradient norm falls to it (0: exactly --steps steps).
--restarts N starts N times from random points in --box lo:hi and reports
every distinct minimum met. --compare sgd,adam,… runs several optimisers
with the same flags and tabulates them.`,
		Example: `  nabla minimize "(x-2)^2 + (y-1)^2" --from x=4.5,y=3.5 --optimizer gd --lr 0.1 --steps 50
  nabla minimize "(1-x)^2 + 100*(y-x^2)^2" --from x=-1.2,y=1 --optimizer adam --lr 0.02 --steps 5000
  nabla minimize "(x^2+y-11)^2 + (x+y^2-7)^2" --from x=0,y=0 --restarts 20 --box -5:5
  nabla minimize "(1-x)^2 + 100*(y-x^2)^2" --from x=-1.2,y=1 --steps 3000 --compare sgd,adam,rmsprop`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fl.set = cmd.Flags()
			return runMinimize(cmd.OutOrStdout(), args[0], &fl)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.from, "from", "", "the starting point, as name=value pairs: x=-1.5,y=2 (required)")
	f.StringVar(&fl.optimizer, "optimizer", "gd", "one of "+strings.Join(optimizerNames, ", "))
	f.Float64Var(&fl.lr, "lr", 0, "learning rate (default: the optimiser's; gd and sgd 0.001)")
	f.IntVar(&fl.steps, "steps", 100, "the most steps to take")
	f.Float64Var(&fl.tol, "tol", 1e-8, "stop when the gradient norm is at most this (0: take exactly --steps steps)")
	fl.addHyperFlags(f)
	f.BoolVar(&fl.maximize, "maximize", false, "maximise instead of minimise")
	f.Float64Var(&fl.clipNorm, "clip-norm", 0, "clip the gradient's norm to this")
	f.Float64Var(&fl.clipValue, "clip-value", 0, "clamp each gradient entry to ± this")
	f.StringVar(&fl.schedule, "schedule", "", "learning-rate schedule: step:20:0.5, multistep:30,60:0.1, exp:0.99, cosine:100, warmup:10, invtime:0.01")
	f.IntVar(&fl.restarts, "restarts", 0, "start this many times from random points in --box")
	f.StringVar(&fl.box, "box", "-5:5", "the box for --restarts, lo:hi for every variable")
	f.Uint64Var(&fl.seed, "seed", 1, "random seed for --restarts")
	f.IntVar(&fl.history, "history", 0, "history size (lbfgs, default 100)")
	f.StringVar(&fl.lineSearch, "line-search", "strong_wolfe", "line search for lbfgs: strong_wolfe or none")
	f.StringVar(&fl.compare, "compare", "", "run several optimisers, e.g. sgd,adam,rmsprop, and compare them")
	f.BoolVar(&fl.asJSON, "json", false, "print one JSON object instead of text")
	f.StringVar(&fl.plot, "plot", "", "draw the path(s) over the contours of f (two variables) to this .svg or .png file")
	cmd.MarkFlagsMutuallyExclusive("clip-norm", "clip-value")
	cmd.MarkFlagsMutuallyExclusive("plot", "restarts")
	_ = cmd.MarkFlagRequired("from")
	return cmd
}

// addHyperFlags registers the optimisers' hyperparameter flags (all but
// --optimizer, --lr and --maximize), which factory reads; minimize and train
// share them.
func (fl *minimizeFlags) addHyperFlags(f *pflag.FlagSet) {
	f.Float64Var(&fl.momentum, "momentum", 0, "momentum factor (sgd, rmsprop)")
	f.Float64Var(&fl.dampening, "dampening", 0, "dampening for momentum (sgd)")
	f.BoolVar(&fl.nesterov, "nesterov", false, "Nesterov momentum (sgd)")
	f.Float64Var(&fl.weightDecay, "weight-decay", 0, "L2 penalty (decoupled for adamw, default 0.01 there)")
	f.Float64Var(&fl.alpha, "alpha", 0, "smoothing constant (rmsprop, default 0.99)")
	f.Float64Var(&fl.eps, "eps", 0, "term added to denominators (default: the optimiser's)")
	f.BoolVar(&fl.centered, "centered", false, "normalise by the variance estimate (rmsprop)")
	f.Float64Var(&fl.beta1, "beta1", 0, "first-moment decay (adam, adamw, nadam; default 0.9)")
	f.Float64Var(&fl.beta2, "beta2", 0, "second-moment decay (adam, adamw, nadam; default 0.999)")
	f.BoolVar(&fl.amsgrad, "amsgrad", false, "AMSGrad variant (adam, adamw)")
	f.Float64Var(&fl.lrDecay, "lr-decay", 0, "learning-rate decay (adagrad)")
	f.Float64Var(&fl.initialAccumulator, "initial-accumulator", 0, "initial sum of squares (adagrad)")
	f.Float64Var(&fl.rho, "rho", 0, "running-average coefficient (adadelta, default 0.9)")
}

// value returns a flag's value, turning an explicitly given 0 into
// optim.Zero so it is not mistaken for "use the default".
func (fl *minimizeFlags) value(name string, v float64) float64 {
	if v == 0 && fl.set.Changed(name) {
		return optim.Zero
	}
	return v
}

// factory builds the named optimiser from the flags.
func (fl *minimizeFlags) factory(name string) (optim.Factory, error) {
	lr, wd, eps := fl.value("lr", fl.lr), fl.value("weight-decay", fl.weightDecay), fl.value("eps", fl.eps)
	if fl.set.Changed("lr") && !(fl.lr > 0) {
		return nil, usagef("--lr %g: the learning rate must be positive", fl.lr)
	}
	for _, b := range []struct {
		name string
		v    float64
	}{{"beta1", fl.beta1}, {"beta2", fl.beta2}, {"momentum", fl.momentum}, {"alpha", fl.alpha}, {"rho", fl.rho}} {
		if fl.set.Changed(b.name) && !(b.v >= 0 && b.v < 1) {
			return nil, usagef("--%s %g must lie in [0, 1)", b.name, b.v)
		}
	}
	if name == "lbfgs" {
		return nil, usagef("lbfgs takes its own steps; it cannot be used with --compare or --restarts")
	}
	if !slices.Contains(optimizerNames, name) {
		msg := fmt.Sprintf("unknown optimizer %q", name)
		if s := textdist.Closest(name, optimizerNames, 2); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return nil, usagef("%s; choose one of %s", msg, strings.Join(optimizerNames, ", "))
	}
	spec := optim.Spec{Name: name, LR: lr, Momentum: fl.momentum, Dampening: fl.dampening, Nesterov: fl.nesterov,
		WeightDecay: wd, Eps: eps, Alpha: fl.value("alpha", fl.alpha), Centered: fl.centered,
		Beta1: fl.value("beta1", fl.beta1), Beta2: fl.value("beta2", fl.beta2), AMSGrad: fl.amsgrad,
		LRDecay: fl.lrDecay, InitialAccumulator: fl.initialAccumulator, Rho: fl.value("rho", fl.rho), Maximize: fl.maximize}
	f, err := spec.Factory()
	if err != nil {
		return nil, usageError{err}
	}
	return f, nil
}

// parseSchedule reads --schedule.
func parseSchedule(spec string) (optim.Schedule, error) {
	if spec == "" {
		return nil, nil
	}
	kinds := []string{"step", "multistep", "exp", "cosine", "warmup", "invtime"}
	parts := strings.Split(spec, ":")
	bad := func(want string) error { return usagef("--schedule %q: write %s", spec, want) }
	num := func(s string) (float64, bool) {
		v, err := strconv.ParseFloat(s, 64)
		return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
	}
	switch parts[0] {
	case "step":
		if len(parts) != 3 {
			return nil, bad("step:SIZE:GAMMA, e.g. step:20:0.5")
		}
		size, err := strconv.Atoi(parts[1])
		g, ok := num(parts[2])
		if err != nil || !ok {
			return nil, bad("step:SIZE:GAMMA, e.g. step:20:0.5")
		}
		return optim.StepDecay{Size: size, Gamma: g}, nil
	case "multistep":
		if len(parts) != 3 {
			return nil, bad("multistep:M1,M2,…:GAMMA, e.g. multistep:30,60:0.1")
		}
		var ms []int
		for _, m := range strings.Split(parts[1], ",") {
			v, err := strconv.Atoi(strings.TrimSpace(m))
			if err != nil {
				return nil, bad("multistep:M1,M2,…:GAMMA with whole-number milestones")
			}
			ms = append(ms, v)
		}
		g, ok := num(parts[2])
		if !ok {
			return nil, bad("multistep:M1,M2,…:GAMMA, e.g. multistep:30,60:0.1")
		}
		return optim.MultiStep{Milestones: ms, Gamma: g}, nil
	case "exp", "invtime", "cosine", "warmup":
		if len(parts) != 2 {
			return nil, bad(parts[0] + ":VALUE, e.g. exp:0.99, invtime:0.01, cosine:100, warmup:10")
		}
		v, ok := num(parts[1])
		if !ok {
			return nil, bad(parts[0] + ":VALUE with a number")
		}
		switch parts[0] {
		case "exp":
			return optim.Exponential{Gamma: v}, nil
		case "invtime":
			return optim.InverseTime{Decay: v}, nil
		case "cosine":
			return optim.Cosine{TMax: int(v)}, nil
		}
		return optim.Warmup{Start: 1 / v, Steps: int(v)}, nil
	}
	msg := fmt.Sprintf("--schedule: unknown kind %q", parts[0])
	if s := textdist.Closest(parts[0], kinds, 2); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return nil, usagef("%s; choose one of %s", msg, strings.Join(kinds, ", "))
}

// minimizeOutput is the --json form.
type minimizeOutput struct {
	Vars     []string        `json:"vars"`
	Path     [][]float64     `json:"path"`
	Loss     []float64       `json:"loss"`
	X        []float64       `json:"x"`
	F        float64         `json:"f"`
	GradNorm float64         `json:"grad_norm"`
	Steps    int             `json:"steps"`
	Stopped  string          `json:"stopped"`
	Minima   []minimumOutput `json:"minima,omitempty"`
	// Stationary classifies the end point by the Hessian and lists the
	// saddles the path passed near (single runs only).
	Stationary *saddleReport `json:"stationary,omitempty"`
	Runs       []compareRow  `json:"runs,omitempty"`
}

type minimumOutput struct {
	X []float64 `json:"x"`
	F float64   `json:"f"`
}

type compareRow struct {
	Optimizer string    `json:"optimizer"`
	X         []float64 `json:"x"`
	F         float64   `json:"f"`
	Steps     int       `json:"steps"`
	Stopped   string    `json:"stopped"`
	Distance  float64   `json:"distance_to_best"`
	Error     string    `json:"error,omitempty"`
}

func runMinimize(w io.Writer, src string, fl *minimizeFlags) error {
	e, err := parseExpr(src)
	if err != nil {
		return err
	}
	vars := e.Vars()
	if len(vars) == 0 {
		return usagef("the expression has no variables to minimise over")
	}
	x0, err := parsePoint(fl.from, vars)
	if err != nil {
		return usageError{fmt.Errorf("--from: %w", err)}
	}
	if _, err := e.Eval(env(vars, x0)); err != nil {
		return fmt.Errorf("at the starting point: %w", err)
	}
	f, err := expr.Func(e, vars)
	if err != nil {
		return err
	}
	stop, opts, err := fl.stopOptions()
	if err != nil {
		return err
	}
	if fl.plot != "" {
		if len(vars) != 2 {
			return usagef("--plot draws the path over the contours of a function of two variables; this one has %d (%s)", len(vars), strings.Join(vars, ", "))
		}
		if err := plot.CheckFormat(fl.plot); err != nil {
			return usageError{err}
		}
	}
	if fl.compare != "" {
		return runCompare(w, e, vars, x0, f, fl, stop, opts)
	}
	if fl.optimizer == "lbfgs" {
		return runLBFGS(w, e, vars, x0, f, fl, stop)
	}
	newOpt, err := fl.factory(fl.optimizer)
	if err != nil {
		return err
	}
	if _, err := newOpt(optim.Params(autodiffParam(x0))); err != nil {
		return usageError{err}
	}
	if fl.restarts > 0 {
		return runRestarts(w, vars, f, fl, newOpt, stop, opts)
	}
	r, err := optim.Minimize(f, x0, newOpt, stop, opts)
	if err != nil && r.Path == nil {
		return err
	}
	if err := fl.drawPaths(e, vars, plot.PathOf(fl.optimizer, r.Path)); err != nil {
		return err
	}
	return reportRun(w, vars, f, r, fl.asJSON, err)
}

// drawPaths writes --plot, if given: the paths over the contours of e, in a
// box around them with a margin of a quarter of their extent.
func (fl *minimizeFlags) drawPaths(e *expr.Expr, vars []string, paths ...plot.Path) error {
	if fl.plot == "" {
		return nil
	}
	lo, hi := [2]float64{math.Inf(1), math.Inf(1)}, [2]float64{math.Inf(-1), math.Inf(-1)}
	for _, p := range paths {
		for i := range p.X {
			for k, v := range [2]float64{p.X[i], p.Y[i]} {
				if !math.IsNaN(v) && !math.IsInf(v, 0) {
					lo[k], hi[k] = min(lo[k], v), max(hi[k], v)
				}
			}
		}
	}
	var box [4]float64
	for k := range 2 {
		if lo[k] > hi[k] { // no finite point
			lo[k], hi[k] = -1, 1
		}
		m := max((hi[k]-lo[k])/4, 0.5*max(1e-3, math.Abs(lo[k]+hi[k])/2*1e-3))
		box[2*k], box[2*k+1] = lo[k]-m, hi[k]+m
	}
	c, err := exprContour(e, vars, plot.Box{X0: box[0], X1: box[1], Y0: box[2], Y1: box[3]}, true)
	if err != nil {
		return err
	}
	c.Paths = paths
	return c.Save(fl.plot)
}

// reportRun prints one minimisation run with the Hessian's verdict on its
// end and the saddles it passed (the verdict is left out if the Hessian
// cannot be evaluated there); runErr is passed through.
func reportRun(w io.Writer, vars []string, f autodiff.Func[float64], r optim.Result, asJSON bool, runErr error) error {
	st, stErr := newSaddleReport(f, r)
	if stErr != nil {
		st = nil
	}
	if asJSON {
		out := minimizeOutput{Vars: vars, Path: r.Path, Loss: r.Loss, X: r.X, F: r.F, GradNorm: r.GradNorm, Steps: r.Steps, Stopped: r.Stopped, Stationary: st}
		if err := writeJSON(w, out); err != nil {
			return err
		}
		return runErr
	}
	printProgress(w, vars, r)
	if st != nil {
		st.print(w, vars)
	}
	if r.Evals > 0 {
		fmt.Fprintf(w, "function evaluations: %d\n", r.Evals)
	}
	return runErr
}

// stopOptions reads --steps, --tol, --maximize, --schedule and clipping into
// the stopping rule and options of optim.Minimize.
func (fl *minimizeFlags) stopOptions() (optim.Stop, optim.Options, error) {
	if fl.steps < 1 || fl.tol < 0 {
		return optim.Stop{}, optim.Options{}, usagef("--steps must be at least 1 and --tol not negative")
	}
	sched, err := parseSchedule(fl.schedule)
	if err != nil {
		return optim.Stop{}, optim.Options{}, err
	}
	stop := optim.Stop{MaxSteps: fl.steps, GradTol: fl.tol}
	if fl.maximize {
		stop.BlowUp = math.Inf(1) // growth is the goal
	}
	return stop, optim.Options{Schedule: sched, ClipNorm: fl.clipNorm, ClipValue: fl.clipValue}, nil
}

// lbfgs reads the flags of --optimizer lbfgs.
func (fl *minimizeFlags) lbfgs() (optim.LBFGS, error) {
	if fl.restarts > 0 || fl.schedule != "" || fl.clipNorm > 0 || fl.clipValue > 0 || fl.maximize || fl.weightDecay != 0 {
		return optim.LBFGS{}, usagef("lbfgs takes no --restarts, --schedule, clipping, --maximize or --weight-decay (as in PyTorch)")
	}
	s := optim.LBFGS{LR: fl.value("lr", fl.lr), HistorySize: fl.history}
	switch fl.lineSearch {
	case "strong_wolfe":
		s.LineSearch = optim.StrongWolfe{}
	case "none":
	default:
		return optim.LBFGS{}, usagef("--line-search %q: choose strong_wolfe or none", fl.lineSearch)
	}
	return s, nil
}

// runLBFGS runs --optimizer lbfgs.
func runLBFGS(w io.Writer, e *expr.Expr, vars []string, x0 []float64, f autodiff.Func[float64], fl *minimizeFlags, stop optim.Stop) error {
	s, err := fl.lbfgs()
	if err != nil {
		return err
	}
	r, err := optim.MinimizeLBFGS(f, x0, s, stop)
	if err != nil && r.Path == nil {
		return usageError{err}
	}
	if err := fl.drawPaths(e, vars, plot.PathOf("lbfgs", r.Path)); err != nil {
		return err
	}
	return reportRun(w, vars, f, r, fl.asJSON, err)
}
