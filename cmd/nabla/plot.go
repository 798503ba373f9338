package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nabla-go/nabla/expr"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/plot"
)

// plotFlags are the settings of nabla plot; the optimiser flags are
// minimize's.
type plotFlags struct {
	minimizeFlags
	out, xRange, yRange, at, paths, minimum, spacing, size, title string
	field, descent, lines, tangent                                bool
	arrows, levels, grid                                          int
}

func newPlotCmd() *cobra.Command {
	cmd, _ := newPlotCmdFlags()
	return cmd
}

// newPlotCmdFlags returns the command and the flags it fills.
func newPlotCmdFlags() (*cobra.Command, *plotFlags) {
	var fl plotFlags
	cmd := &cobra.Command{
		Use:   "plot EXPR -o FILE.svg|FILE.png [--x lo:hi --y lo:hi] [--field] [--paths gd,adam --from x=…,y=…] | [--at x=… --tangent]",
		Short: "Pictures: contours with the gradient field and descent paths, or a function with its tangent line",
		Long: `plot draws a function of two variables as filled contours over the box
--x × --y (line contours with --lines), with a colour bar. The levels follow
--spacing: evenly spaced (linear), log-spaced above the minimum (log, good for
functions with steep walls like Rosenbrock's), at quantiles of the values
(quantile, equal areas between levels), or auto (log when most of the box lies
near the minimum, else linear). The axes have equal scales.

--field adds the gradient field as arrows of equal length along ∇f/|∇f|,
perpendicular to the contours and pointing uphill (--descent: along −∇f,
downhill). --paths runs optimisers from --from exactly as nabla minimize
does, with the same flags (--lr, --steps, --momentum, --schedule, …), and draws
their paths; momentum and nesterov are sgd with --momentum (default 0.9) and
Nesterov's variant. --minimum marks a point.

A function of one variable is drawn over --x; --at a --tangent adds the
tangent line y = f(a) + f'(a)(x − a). The x axis is the variable x (or the
first variable to appear), the y axis y (or the second).

The format follows the extension of -o: .svg or .png (--size pixels). The file
is written whole or not at all.`,
		Example: `  nabla plot "(x^2+y-11)^2 + (x+y^2-7)^2" --x -5:5 --y -5:5 --field --paths gd,momentum,adam --from x=-1,y=0.5 --lr 0.01 --steps 200 -o himmelblau.png
  nabla plot "(1-x)^2 + 100*(y-x^2)^2" --x -2:2 --y -1:3 --minimum x=1,y=1 -o rosenbrock.svg
  nabla plot "x^2" --at x=0.5 --tangent -o tangent.png`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fl.set = cmd.Flags()
			return runPlot(cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0], &fl)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&fl.out, "output", "o", "", "the picture to write: a .svg or .png file (required)")
	f.StringVar(&fl.xRange, "x", "-2:2", "the x range, lo:hi")
	f.StringVar(&fl.yRange, "y", "-2:2", "the y range, lo:hi (two variables)")
	f.BoolVar(&fl.field, "field", false, "draw the gradient field as arrows")
	f.IntVar(&fl.arrows, "arrows", 20, "arrows along the longer side with --field")
	f.BoolVar(&fl.descent, "descent", false, "arrows along −∇f (downhill) instead of ∇f")
	f.IntVar(&fl.levels, "levels", 10, "the number of contour levels")
	f.StringVar(&fl.spacing, "spacing", "auto", "level spacing: auto, linear, log or quantile")
	f.BoolVar(&fl.lines, "lines", false, "line contours instead of filled bands")
	f.IntVar(&fl.grid, "grid", 200, fmt.Sprintf("samples of f along each side (at most %d)", plot.MaxGrid))
	f.StringVar(&fl.paths, "paths", "", "optimisers whose paths to draw from --from, e.g. gd,momentum,adam (default gd when --from is given)")
	f.StringVar(&fl.from, "from", "", "the optimisers' starting point: x=-1,y=0.5")
	f.StringVar(&fl.minimum, "minimum", "", "mark this point: x=1,y=1")
	f.StringVar(&fl.at, "at", "", "the point of the tangent (one variable): x=0.5")
	f.BoolVar(&fl.tangent, "tangent", false, "draw the tangent line at --at")
	f.StringVar(&fl.title, "title", "", "the title (default: the expression)")
	f.StringVar(&fl.size, "size", "", "the picture's size in pixels, WxH (default 800x600 trimmed to the box's shape; 800x500 for one variable)")
	f.Float64Var(&fl.lr, "lr", 0, "learning rate for --paths (default: the optimiser's; gd and sgd 0.001)")
	f.IntVar(&fl.steps, "steps", 100, "the most steps of each optimiser")
	f.Float64Var(&fl.tol, "tol", 1e-8, "stop a path when the gradient norm is at most this")
	f.StringVar(&fl.schedule, "schedule", "", "learning-rate schedule, as for minimize")
	f.Float64Var(&fl.clipNorm, "clip-norm", 0, "clip the gradient's norm to this")
	f.Float64Var(&fl.clipValue, "clip-value", 0, "clamp each gradient entry to ± this")
	f.IntVar(&fl.history, "history", 0, "history size (lbfgs, default 100)")
	f.StringVar(&fl.lineSearch, "line-search", "strong_wolfe", "line search for lbfgs: strong_wolfe or none")
	fl.addHyperFlags(f)
	_ = cmd.MarkFlagRequired("output")
	return cmd, &fl
}

func runPlot(w, errw io.Writer, src string, fl *plotFlags) error {
	if err := plot.CheckFormat(fl.out); err != nil {
		return usagef("-o %s: name the picture .svg or .png", fl.out)
	}
	e, err := parseExpr(src)
	if err != nil {
		return err
	}
	vars := axisVars(e.Vars())
	size, err := parseSize(fl.size)
	if err != nil {
		return err
	}
	title := fl.title
	if title == "" {
		title = e.String()
	}
	switch len(vars) {
	case 0:
		return usagef("%s has no variables to plot", src)
	case 1:
		if err := fl.only("a function of one variable", "y", "field", "descent", "paths", "from", "minimum", "lines", "levels", "spacing", "arrows", "grid"); err != nil {
			return err
		}
		var p plot.Function
		if p, err = functionPlot(e, vars[0], title, size, fl); err == nil {
			err = p.Save(fl.out)
		}
	case 2:
		if err := fl.only("a contour plot", "at", "tangent"); err != nil {
			return err
		}
		var c plot.Contour
		if c, err = contourPlot(errw, e, vars, title, size, fl); err == nil {
			err = c.Save(fl.out)
		}
	default:
		return usagef("a contour plot needs a function of two variables, but %s has %d (%s)", src, len(vars), strings.Join(vars, ", "))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s\n", fl.out)
	return nil
}

// only refuses the flags that the kind of plot does not use.
func (fl *plotFlags) only(kind string, names ...string) error {
	for _, n := range names {
		if fl.set.Changed(n) {
			return usagef("--%s does not apply to %s", n, kind)
		}
	}
	return nil
}

// axisVars orders the variables as the axes take them: x then y when the
// expression uses both, else in order of appearance.
func axisVars(vars []string) []string {
	if len(vars) == 2 && vars[0] == "y" && vars[1] == "x" {
		return []string{"x", "y"}
	}
	return vars
}

// parseRange reads lo:hi.
func parseRange(flag, s string) (lo, hi float64, err error) {
	a, b, ok := strings.Cut(s, ":")
	lo, e1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	hi, e2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if !ok || e1 != nil || e2 != nil || math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return 0, 0, usagef("--%s %q: write lo:hi with two finite numbers, e.g. -2:2", flag, s)
	}
	if !(lo < hi) {
		return 0, 0, usagef("--%s %s: the lower bound must be below the upper one, e.g. %g:%g", flag, s, min(lo, hi), max(lo, hi))
	}
	return lo, hi, nil
}

// parseSize reads WxH ("" is the default size).
func parseSize(s string) (plot.Size, error) {
	if s == "" {
		return plot.Size{}, nil
	}
	a, b, ok := strings.Cut(strings.ToLower(s), "x")
	w, e1 := strconv.Atoi(a)
	h, e2 := strconv.Atoi(b)
	if !ok || e1 != nil || e2 != nil || w < 100 || h < 100 || w > plot.MaxPixels || h > plot.MaxPixels {
		return plot.Size{}, usagef("--size %q: write WIDTHxHEIGHT in pixels, each in [100, %d], e.g. 800x600", s, plot.MaxPixels)
	}
	return plot.Size{Width: w, Height: h}, nil
}

// evaluator returns e as a function of the axis variables; points outside
// its domain give NaN, which the plots leave blank.
func evaluator(e *expr.Expr, vars []string) func(x ...float64) float64 {
	return func(x ...float64) float64 {
		v, err := e.Eval(env(vars, x))
		if err != nil {
			return math.NaN()
		}
		return v
	}
}

// functionPlot makes the plot of a function of one variable.
func functionPlot(e *expr.Expr, v, title string, size plot.Size, fl *plotFlags) (plot.Function, error) {
	lo, hi, err := parseRange("x", fl.xRange)
	if err != nil {
		return plot.Function{}, err
	}
	f := evaluator(e, []string{v})
	p := plot.Function{F: func(x float64) float64 { return f(x) }, X0: lo, X1: hi, Name: e.String(), Title: title, XLabel: v, Size: size}
	switch {
	case fl.tangent && fl.at == "":
		return p, usagef("--tangent needs the point: --at %s=…", v)
	case fl.at != "" && !fl.tangent:
		return p, usagef("--at is the point of the tangent: add --tangent")
	case fl.tangent:
		t, err := computeTangent(e.String(), fl.at)
		if err != nil {
			return p, err
		}
		if t.At < lo || t.At > hi {
			if fl.set.Changed("x") {
				return p, usagef("--at %s=%g lies outside --x %s", v, t.At, fl.xRange)
			}
			p.X0, p.X1 = t.At-2, t.At+2 // centre the default range on the point
		}
		p.Tangent = &plot.Tangent{At: t.At, Slope: t.Slope, Label: fmt.Sprintf("tangent at %s = %g: y = %s", v, t.At, lineText(t.Slope, t.Intercept, v))}
	}
	return p, nil
}

// contourPlot makes the contour plot of a function of two variables,
// running the optimisers of --paths.
func contourPlot(errw io.Writer, e *expr.Expr, vars []string, title string, size plot.Size, fl *plotFlags) (plot.Contour, error) {
	var c plot.Contour
	var b plot.Box
	var err error
	if b.X0, b.X1, err = parseRange("x", fl.xRange); err != nil {
		return c, err
	}
	if b.Y0, b.Y1, err = parseRange("y", fl.yRange); err != nil {
		return c, err
	}
	if fl.grid < 2 || fl.grid > plot.MaxGrid {
		return c, usagef("--grid %d: choose between 2 and %d samples per side", fl.grid, plot.MaxGrid)
	}
	if fl.levels < 1 || fl.levels > 100 {
		return c, usagef("--levels %d: choose between 1 and 100", fl.levels)
	}
	if fl.arrows < 1 || fl.arrows > 200 {
		return c, usagef("--arrows %d: choose between 1 and 200", fl.arrows)
	}
	spacing, err := plot.ParseSpacing(fl.spacing)
	if err != nil {
		return c, usageError{err}
	}
	if fl.descent && !fl.field {
		return c, usagef("--descent turns the arrows of --field downhill: add --field")
	}
	if c, err = exprContour(e, vars, b, fl.field); err != nil {
		return c, err
	}
	c.Grid, c.NumLevels, c.Spacing, c.Lines, c.Title, c.Size = fl.grid, fl.levels, spacing, fl.lines, title, size
	if fl.field {
		c.Arrows, c.Descent = fl.arrows, fl.descent
	}
	if fl.minimum != "" {
		m, err := parsePoint(fl.minimum, vars)
		if err != nil {
			return c, usageError{fmt.Errorf("--minimum: %w", err)}
		}
		c.Minimum = &plot.Point{X: m[0], Y: m[1]}
	}
	if fl.paths != "" || fl.from != "" {
		if c.Paths, err = descentPaths(errw, e, vars, fl); err != nil {
			return c, err
		}
	}
	return c, nil
}

// exprContour returns the contour plot of e, a function of the two
// variables vars (horizontal axis first), over b with the plot's defaults:
// F evaluates e, Grad (with withGrad, for arrows) its symbolic partial
// derivatives, and the axes are named after vars. Add Paths
// (plot.PathOf(name, result.Path)), Arrows or a Minimum and Save it.
func exprContour(e *expr.Expr, vars []string, b plot.Box, withGrad bool) (plot.Contour, error) {
	f := evaluator(e, vars)
	c := plot.Contour{F: func(x, y float64) float64 { return f(x, y) }, Box: b, XLabel: vars[0], YLabel: vars[1]}
	if withGrad {
		ds, err := expr.Gradient(e, vars)
		if err != nil {
			return c, err
		}
		dx, dy := evaluator(ds[0], vars), evaluator(ds[1], vars)
		c.Grad = func(x, y float64) (float64, float64) { return dx(x, y), dy(x, y) }
	}
	return c, nil
}

// descentPaths runs each optimiser of --paths (default gd) from --from with
// the minimize flags, as nabla minimize does, and returns the paths. A run
// that diverges keeps its path up to there, with a note on errw.
func descentPaths(errw io.Writer, e *expr.Expr, vars []string, fl *plotFlags) ([]plot.Path, error) {
	if fl.from == "" {
		return nil, usagef("--paths needs the starting point: --from %s=…,%s=…", vars[0], vars[1])
	}
	x0, err := parsePoint(fl.from, vars)
	if err != nil {
		return nil, usageError{fmt.Errorf("--from: %w", err)}
	}
	if _, err := e.Eval(env(vars, x0)); err != nil {
		return nil, fmt.Errorf("at the starting point: %w", err)
	}
	f, err := expr.Func(e, vars)
	if err != nil {
		return nil, err
	}
	stop, opts, err := fl.stopOptions()
	if err != nil {
		return nil, err
	}
	names := fl.paths
	if names == "" {
		names = "gd"
	}
	var paths []plot.Path
	for _, name := range strings.Split(names, ",") {
		name = strings.TrimSpace(name)
		var r optim.Result
		var err error
		if name == "lbfgs" {
			s, serr := fl.lbfgs()
			if serr != nil {
				return nil, serr
			}
			r, err = optim.MinimizeLBFGS(f, x0, s, stop)
		} else {
			ofl := fl.minimizeFlags // momentum and nesterov are sgd with momentum
			opt := name
			if name == "momentum" || name == "nesterov" {
				opt, ofl.nesterov = "sgd", name == "nesterov"
				if !fl.set.Changed("momentum") {
					ofl.momentum = 0.9
				}
			}
			newOpt, ferr := ofl.factory(opt)
			if ferr != nil {
				return nil, ferr
			}
			r, err = optim.Minimize(f, x0, newOpt, stop, opts)
		}
		var div *optim.DivergenceError
		switch {
		case errors.As(err, &div) && len(r.Path) > 0:
			fmt.Fprintf(errw, "note: %s diverged at step %d; its path is drawn up to there\n", name, div.Step)
			if last := r.Loss[len(r.Loss)-1]; math.IsNaN(last) || math.IsInf(last, 0) {
				r.Path, r.Loss = r.Path[:len(r.Path)-1], r.Loss[:len(r.Loss)-1]
			}
		case err != nil:
			return nil, usageError{fmt.Errorf("%s: %w", name, err)}
		}
		p := plot.PathOf(name, r.Path)
		if len(r.Loss) > 0 {
			p.Name = fmt.Sprintf("%s: f = %.3g after %d steps", name, r.Loss[len(r.Loss)-1], len(r.Loss)-1)
		}
		paths = append(paths, p)
	}
	return paths, nil
}
