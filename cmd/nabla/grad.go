package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/expr"
	"github.com/nabla-go/nabla/numdiff"
	"github.com/nabla-go/nabla/tensor"
)

func newGradCmd() *cobra.Command {
	var at, dir string
	var hessian, asJSON bool
	cmd := &cobra.Command{
		Use:   "grad EXPR --at x=…,y=…",
		Short: "Value, gradient (symbolic, reverse mode, forward mode, finite differences), directional derivative and Hessian at a point",
		Long: `grad evaluates a function of several variables at a point and shows its
gradient three ways side by side: the simplified symbolic partials, automatic
differentiation (reverse and forward mode) and central differences, with a
gradient check between them. It also gives the gradient's norm and the
direction of steepest ascent, the directional derivative along --dir (scaled
to unit length first), and with --hessian the Hessian, its eigenvalues and,
where the gradient vanishes, what kind of point it is.

Variables are ordered by first appearance in EXPR. Exit status: 2 for a
malformed expression or flag, 1 for a point outside the function's domain.`,
		Example: `  nabla grad "x^2*y + y*z^3 + sin(x*y)" --at x=2,y=3,z=1
  nabla grad "x^2 + y^2" --at x=1,y=2 --dir 1,1
  nabla grad "(1-x)^2 + 100*(y-x^2)^2" --at x=1,y=1 --hessian --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := computeGrad(args[0], at, dir, hessian)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			r.print(cmd.OutOrStdout())
			return nil
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "the point, as name=value pairs: x=2,y=3 (required)")
	cmd.Flags().StringVar(&dir, "dir", "", "a direction u, in variable order: 0.6,0.8 (normalised to unit length)")
	cmd.Flags().BoolVar(&hessian, "hessian", false, "also the Hessian, its eigenvalues and the kind of point")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object instead of text")
	_ = cmd.MarkFlagRequired("at")
	return cmd
}

// gradResult is everything grad computes; its JSON form is the --json output.
type gradResult struct {
	Expr        string             `json:"expr"`
	Vars        []string           `json:"vars"`
	At          map[string]float64 `json:"at"`
	Value       float64            `json:"value"`
	Partials    map[string]string  `json:"partials"`
	Gradient    []float64          `json:"gradient"`
	Reverse     []float64          `json:"gradient_reverse_mode"`
	Forward     []float64          `json:"gradient_forward_mode"`
	Central     []float64          `json:"gradient_central_difference"`
	Norm        float64            `json:"norm"`
	Ascent      []float64          `json:"steepest_ascent,omitempty"`
	Unit        []float64          `json:"direction,omitempty"`
	Directional *float64           `json:"directional,omitempty"`
	Hessian     [][]float64        `json:"hessian,omitempty"`
	Eigenvalues []float64          `json:"eigenvalues,omitempty"`
	Point       string             `json:"point_kind,omitempty"`
	Check       gradCheck          `json:"check"`
}

type gradCheck struct {
	MaxRelError float64 `json:"max_rel_error"`
	MaxAbsError float64 `json:"max_abs_error"`
	Pass        bool    `json:"pass"`
	Report      string  `json:"report"`
}

func computeGrad(src, at, dir string, withHessian bool) (*gradResult, error) {
	e, err := parseExpr(src)
	if err != nil {
		return nil, err
	}
	vars := e.Vars()
	x, err := parsePoint(at, vars)
	if err != nil {
		return nil, err
	}
	point := env(vars, x)
	r := &gradResult{Expr: e.String(), Vars: vars, At: point, Partials: map[string]string{}}
	if r.Value, err = e.Eval(point); err != nil {
		return nil, err
	}
	n := len(vars)
	r.Gradient = make([]float64, n)
	for i, v := range vars {
		d, err := expr.Diff(e, v)
		if err != nil {
			return nil, err
		}
		r.Partials[v] = d.String()
		if r.Gradient[i], err = d.Eval(point); err != nil {
			return nil, fmt.Errorf("∂f/∂%s = %s: %w", v, d, err)
		}
	}
	if n == 0 {
		r.Reverse, r.Forward, r.Central = []float64{}, []float64{}, []float64{}
		r.Check = gradCheck{Pass: true, Report: "nothing to check: the expression has no variables"}
		return r, nil
	}
	f, err := expr.Func(e, vars)
	if err != nil {
		return nil, err
	}
	xt := tensor.FromSlice(x)
	_, g, err := autodiff.ValueAndGrad(f, xt)
	if err != nil {
		return nil, err
	}
	r.Reverse = g.Clone().Data()
	r.Forward = make([]float64, n)
	for i := range n {
		u := tensor.New[float64](n)
		u.Data()[i] = 1
		d, err := autodiff.DirectionalDerivative(f, xt, u)
		if err != nil {
			return nil, err
		}
		r.Forward[i] = d
	}
	eval := func(p []float64) float64 {
		v, err := e.Eval(env(vars, p))
		if err != nil {
			return math.NaN()
		}
		return v
	}
	r.Central = numdiff.Gradient(nil, eval, x, nil)
	check, err := autodiff.GradCheck(f, xt, nil)
	if err != nil {
		return nil, err
	}
	r.Check = gradCheck{MaxRelError: check.MaxRelErr, MaxAbsError: check.MaxAbsErr, Pass: check.Pass, Report: check.String()}
	r.Norm = floats.Norm(r.Gradient, 2)
	if r.Norm > 0 {
		r.Ascent = make([]float64, n)
		floats.ScaleTo(r.Ascent, 1/r.Norm, r.Gradient)
	}
	if dir != "" {
		u, err := parseVector("--dir", dir, n)
		if err != nil {
			return nil, err
		}
		norm := floats.Norm(u, 2)
		if norm == 0 {
			return nil, usagef("--dir is the zero vector; a direction needs a nonzero length")
		}
		floats.Scale(1/norm, u)
		d := floats.Dot(r.Gradient, u)
		r.Unit, r.Directional = u, &d
	}
	if withHessian {
		if err := r.hessian(e, f, xt, point); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// hessian fills the symbolic Hessian, its eigenvalues and the kind of point.
func (r *gradResult) hessian(e *expr.Expr, f autodiff.Func[float64], x *tensor.Tensor[float64], point map[string]float64) error {
	n := len(r.Vars)
	h := mat.NewSymDense(n, nil)
	r.Hessian = make([][]float64, n)
	for i, vi := range r.Vars {
		r.Hessian[i] = make([]float64, n)
		di, err := expr.Diff(e, vi)
		if err != nil {
			return err
		}
		for j, vj := range r.Vars {
			dij, err := expr.Diff(di, vj)
			if err != nil {
				return err
			}
			v, err := dij.Eval(point)
			if err != nil {
				return fmt.Errorf("∂²f/∂%s∂%s: %w", vi, vj, err)
			}
			r.Hessian[i][j] = v
			if j >= i {
				h.SetSym(i, j, v)
			}
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(h, false) {
		return fmt.Errorf("the eigenvalues of the Hessian did not converge")
	}
	r.Eigenvalues = eig.Values(nil)
	scale := math.Max(1, math.Abs(r.Value))
	r.Point = classify(r.Eigenvalues, r.Norm/scale)
	return nil
}

func (r *gradResult) print(w io.Writer) {
	fmt.Fprintf(w, "f = %s\nat %s\nf = %.10g\n\n", r.Expr, pointText(r.Vars, valuesOf(r.Vars, r.At)), r.Value)
	if len(r.Vars) == 0 {
		fmt.Fprintln(w, "the expression has no variables: its gradient is empty")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "partial\tsymbolic\tvalue\treverse mode\tforward mode\tcentral difference")
	for i, v := range r.Vars {
		fmt.Fprintf(tw, "∂f/∂%s\t%s\t%.10g\t%.10g\t%.10g\t%.10g\n", v, r.Partials[v], r.Gradient[i], r.Reverse[i], r.Forward[i], r.Central[i])
	}
	tw.Flush()
	fmt.Fprintf(w, "\n∇f = %s, |∇f| = %.10g\n", vecText(r.Gradient), r.Norm)
	if r.Ascent != nil {
		fmt.Fprintf(w, "steepest ascent along %s (steepest descent along its negative)\n", vecText(r.Ascent))
	} else {
		fmt.Fprintln(w, "the gradient is zero: a stationary point")
	}
	if r.Directional != nil {
		fmt.Fprintf(w, "directional derivative along the unit vector u = %s: ∇f·u = %.10g\n", vecText(r.Unit), *r.Directional)
	}
	if r.Hessian != nil {
		fmt.Fprintln(w, "\nHessian:")
		for _, row := range r.Hessian {
			fmt.Fprintf(w, "  %s\n", vecText(row))
		}
		fmt.Fprintf(w, "eigenvalues %s: %s\n", vecText(r.Eigenvalues), r.Point)
	}
	fmt.Fprintf(w, "\n%s", r.Check.Report)
}

func valuesOf(vars []string, m map[string]float64) []float64 {
	x := make([]float64, len(vars))
	for i, v := range vars {
		x[i] = m[v]
	}
	return x
}

// vecText writes (a, b, c) with 10 significant digits.
func vecText(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf("%.10g", x)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
