package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/expr"
	"github.com/nabla-go/nabla/tensor"
)

func newJacobianCmd() *cobra.Command {
	var at string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   `jacobian "EXPR1; EXPR2; …" --at x=…,y=…`,
		Short: "The Jacobian of a vector-valued function: symbolic entries and their values, checked by autodiff",
		Long: `jacobian differentiates each component of a vector-valued function (the
components separated by semicolons) with respect to every variable (ordered
by first appearance across the components) and evaluates the matrix at a
point. The symbolic values are checked against autodiff's Jacobian.`,
		Example: `  nabla jacobian "x*y; x + sin(y)" --at x=1,y=2`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			j, err := computeJacobian(args[0], at)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(j)
			}
			j.print(cmd.OutOrStdout())
			return nil
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "the point, as name=value pairs: x=1,y=2 (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object instead of text")
	_ = cmd.MarkFlagRequired("at")
	return cmd
}

// jacobianResult is what jacobian computes; its JSON form is the --json output.
type jacobianResult struct {
	Exprs       []string           `json:"exprs"`
	Vars        []string           `json:"vars"`
	At          map[string]float64 `json:"at"`
	Value       []float64          `json:"value"`
	Partials    [][]string         `json:"partials"`
	Jacobian    [][]float64        `json:"jacobian"`
	MaxAbsError float64            `json:"max_abs_error_vs_autodiff"`
}

func computeJacobian(src, at string) (*jacobianResult, error) {
	var es []*expr.Expr
	var vars []string
	for i, part := range strings.Split(src, ";") {
		if strings.TrimSpace(part) == "" {
			return nil, usagef("component %d of the function is empty; separate components with ;", i+1)
		}
		e, err := parseExpr(part)
		if err != nil {
			return nil, fmt.Errorf("component %d: %w", i+1, err)
		}
		es = append(es, e)
		for _, v := range e.Vars() {
			if !slices.Contains(vars, v) {
				vars = append(vars, v)
			}
		}
	}
	x, err := parsePoint(at, vars)
	if err != nil {
		return nil, err
	}
	point := env(vars, x)
	j := &jacobianResult{Vars: vars, At: point}
	for i, e := range es {
		j.Exprs = append(j.Exprs, e.String())
		v, err := e.Eval(point)
		if err != nil {
			return nil, fmt.Errorf("component %d: %w", i+1, err)
		}
		j.Value = append(j.Value, v)
		row, vals := make([]string, len(vars)), make([]float64, len(vars))
		for k, name := range vars {
			d, err := expr.Diff(e, name)
			if err != nil {
				return nil, err
			}
			row[k] = d.String()
			if vals[k], err = d.Eval(point); err != nil {
				return nil, fmt.Errorf("∂f%d/∂%s = %s: %w", i+1, name, d, err)
			}
		}
		j.Partials, j.Jacobian = append(j.Partials, row), append(j.Jacobian, vals)
	}
	if len(vars) > 0 {
		if err := j.checkAutodiff(es, x); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// checkAutodiff compares the symbolic Jacobian with autodiff's.
func (j *jacobianResult) checkAutodiff(es []*expr.Expr, x []float64) error {
	fs := make([]autodiff.Func[float64], len(es))
	for i, e := range es {
		f, err := expr.Func(e, j.Vars)
		if err != nil {
			return err
		}
		fs[i] = f
	}
	stacked := func(v *autodiff.Var[float64]) *autodiff.Var[float64] {
		parts := make([]*autodiff.Var[float64], len(fs))
		for i, f := range fs {
			parts[i] = f(v)
		}
		return autodiff.Stack(0, parts...)
	}
	jac, err := autodiff.Jacobian(stacked, tensor.FromSlice(x))
	if err != nil {
		return err
	}
	for i, row := range j.Jacobian {
		for k, v := range row {
			j.MaxAbsError = max(j.MaxAbsError, abs(v-jac.At(i, k)))
		}
	}
	return nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func (j *jacobianResult) print(w io.Writer) {
	fmt.Fprintf(w, "f = (%s)\nat %s\nf = %s\n\n", strings.Join(j.Exprs, "; "), pointText(j.Vars, valuesOf(j.Vars, j.At)), vecText(j.Value))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := []string{""}
	for _, v := range j.Vars {
		header = append(header, "∂/∂"+v)
	}
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for i, row := range j.Partials {
		cells := []string{fmt.Sprintf("f%d", i+1)}
		for k, p := range row {
			cells = append(cells, fmt.Sprintf("%s = %.10g", p, j.Jacobian[i][k]))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nlargest difference from autodiff's Jacobian: %.3g\n", j.MaxAbsError)
}
