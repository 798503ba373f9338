package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"gonum.org/v1/gonum/floats"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/expr"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/plot"
	"github.com/nabla-go/nabla/tensor"
)

func autodiffParam(x []float64) *autodiff.Var[float64] {
	return autodiff.Param(tensor.FromSlice(append([]float64(nil), x...)))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printProgress shows about ten rows of the path and the result.
func printProgress(w io.Writer, vars []string, r optim.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "step\tf\t%s\t\n", strings.Join(vars, "\t"))
	every := max(1, r.Steps/10)
	for i, x := range r.Path {
		if i%every != 0 && i != len(r.Path)-1 {
			continue
		}
		cells := make([]string, len(x))
		for k, v := range x {
			cells[k] = fmt.Sprintf("%.8g", v)
		}
		fmt.Fprintf(tw, "%d\t%.10g\t%s\t\n", i, r.Loss[i], strings.Join(cells, "\t"))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nended at %s after %d steps: f = %.10g, |∇f| = %.3g\nstopped: %s\n", pointText(vars, r.X), r.Steps, r.F, r.GradNorm, r.Stopped)
}

// runCompare runs each optimiser of --compare with the same flags.
func runCompare(w io.Writer, e *expr.Expr, vars []string, x0 []float64, f autodiff.Func[float64], fl *minimizeFlags, stop optim.Stop, opts optim.Options) error {
	var rows []compareRow
	var paths []plot.Path
	best := -1
	for _, name := range strings.Split(fl.compare, ",") {
		name = strings.TrimSpace(name)
		newOpt, err := fl.factory(name)
		if err != nil {
			return err
		}
		r, err := optim.Minimize(f, x0, newOpt, stop, opts)
		if r.Path != nil && fl.plot != "" {
			paths = append(paths, plot.PathOf(name, r.Path))
		}
		row := compareRow{Optimizer: name, X: r.X, F: r.F, Steps: r.Steps, Stopped: r.Stopped}
		if err != nil {
			row.Error = err.Error()
			if r.X == nil {
				return err
			}
		} else if best < 0 || r.F < rows[best].F {
			best = len(rows)
		}
		rows = append(rows, row)
	}
	if err := fl.drawPaths(e, vars, paths...); err != nil {
		return err
	}
	for i := range rows {
		rows[i].Distance = math.NaN()
		if best >= 0 && rows[i].Error == "" {
			rows[i].Distance = dist(rows[i].X, rows[best].X)
		}
	}
	if fl.asJSON {
		for i := range rows { // JSON has no NaN
			if math.IsNaN(rows[i].Distance) {
				rows[i].Distance = -1
			}
		}
		return writeJSON(w, minimizeOutput{Vars: vars, Runs: rows})
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "optimizer\tfinal f\tdistance to the best\tsteps\tstopped")
	for _, r := range rows {
		stopped := r.Stopped
		if r.Error != "" {
			stopped = r.Error
		}
		fmt.Fprintf(tw, "%s\t%.10g\t%.3g\t%d\t%s\n", r.Optimizer, r.F, r.Distance, r.Steps, stopped)
	}
	return tw.Flush()
}

// runRestarts runs --restarts starts in --box.
func runRestarts(w io.Writer, vars []string, f autodiff.Func[float64], fl *minimizeFlags, newOpt optim.Factory, stop optim.Stop, opts optim.Options) error {
	lo, hi, ok := strings.Cut(fl.box, ":")
	var a, b float64
	if _, err := fmt.Sscan(lo, &a); err != nil || !ok {
		return usagef("--box %q: write lo:hi, e.g. -5:5", fl.box)
	}
	if _, err := fmt.Sscan(hi, &b); err != nil || !(a < b) {
		return usagef("--box %q: write lo:hi with lo < hi, e.g. -5:5", fl.box)
	}
	bounds := make([][2]float64, len(vars))
	for i := range bounds {
		bounds[i] = [2]float64{a, b}
	}
	res, err := optim.MultiStart(f, bounds, fl.restarts, fl.seed, newOpt, stop, opts)
	if err != nil {
		return err
	}
	out := minimizeOutput{Vars: vars, Path: res.Best.Path, Loss: res.Best.Loss, X: res.Best.X, F: res.Best.F,
		GradNorm: res.Best.GradNorm, Steps: res.Best.Steps, Stopped: res.Best.Stopped}
	for _, m := range res.Minima {
		out.Minima = append(out.Minima, minimumOutput{X: m.X, F: m.F})
	}
	if fl.asJSON {
		return writeJSON(w, out)
	}
	fmt.Fprintf(w, "%d starts in [%g, %g]^%d; %d distinct end points, lowest first:\n", res.Runs, a, b, len(vars), len(res.Minima))
	for _, m := range res.Minima {
		fmt.Fprintf(w, "  f = %.10g at %s\n", m.F, pointText(vars, m.X))
	}
	return nil
}

// dist is the Euclidean distance between a and b.
func dist(a, b []float64) float64 { return floats.Distance(a, b, 2) }
