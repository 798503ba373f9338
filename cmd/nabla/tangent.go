package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/nabla-go/nabla/expr"
)

func newTangentCmd() *cobra.Command {
	var at string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "tangent EXPR --at x=…",
		Short: "f(a), f'(a), f''(a) and the tangent line of a function of one variable",
		Long: `tangent evaluates a function of one variable and its first two derivatives
at a, writes the tangent line y = f(a) + f'(a)(x − a), and says what the
derivatives mean there: increasing, decreasing or stationary, and for a
stationary point whether the second derivative makes it a local minimum or
maximum.`,
		Example: `  nabla tangent "x^2" --at x=0.5
  nabla tangent "sin(x)" --at x=0 --json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := computeTangent(args[0], at)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(t)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "f(%[1]s) = %[2]s\nf'(%[1]s) = %[3]s\nf''(%[1]s) = %[4]s\n\n", t.Var, t.Expr, t.D1, t.D2)
			fmt.Fprintf(w, "at %s = %g:\n  f = %.10g\n  f' = %.10g\n  f'' = %.10g\n", t.Var, t.At, t.Value, t.Slope, t.Curvature)
			fmt.Fprintf(w, "tangent line: y = %s\n%s\n", t.Line, t.Meaning)
			return nil
		},
	}
	cmd.Flags().StringVar(&at, "at", "", "the point: x=0.5 (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object instead of text")
	_ = cmd.MarkFlagRequired("at")
	return cmd
}

// tangentResult is what tangent computes; its JSON form is the --json output.
type tangentResult struct {
	Expr      string  `json:"expr"`
	Var       string  `json:"var"`
	At        float64 `json:"at"`
	Value     float64 `json:"value"`
	D1        string  `json:"derivative"`
	D2        string  `json:"second_derivative"`
	Slope     float64 `json:"slope"`
	Curvature float64 `json:"second_derivative_value"`
	Line      string  `json:"tangent_line"`
	Intercept float64 `json:"intercept"`
	Meaning   string  `json:"meaning"`
}

func computeTangent(src, at string) (*tangentResult, error) {
	e, err := parseExpr(src)
	if err != nil {
		return nil, err
	}
	vars := e.Vars()
	if len(vars) != 1 {
		return nil, usagef("tangent needs a function of exactly one variable; %s has %d (%v): use grad for several", src, len(vars), vars)
	}
	x, err := parsePoint(at, vars)
	if err != nil {
		return nil, err
	}
	v, a := vars[0], x[0]
	point := env(vars, x)
	d1, err := expr.Diff(e, v)
	if err != nil {
		return nil, err
	}
	d2, err := expr.Diff(d1, v)
	if err != nil {
		return nil, err
	}
	t := &tangentResult{Expr: e.String(), Var: v, At: a, D1: d1.String(), D2: d2.String()}
	if t.Value, err = e.Eval(point); err != nil {
		return nil, err
	}
	if t.Slope, err = d1.Eval(point); err != nil {
		return nil, fmt.Errorf("f' = %s: %w", d1, err)
	}
	if t.Curvature, err = d2.Eval(point); err != nil {
		return nil, fmt.Errorf("f'' = %s: %w", d2, err)
	}
	t.Intercept = t.Value - t.Slope*a
	t.Line = fmt.Sprintf("%.10g + %.10g*(%s - %g) = %s", t.Value, t.Slope, v, a, lineText(t.Slope, t.Intercept, v))
	t.Meaning = slopeMeaning(t.Slope, t.Curvature, v)
	return t, nil
}

// lineText writes m·v + c readably: 2*x - 0.25, -x + 1, 3.
func lineText(m, c float64, v string) string {
	var b strings.Builder
	switch m {
	case 0:
	case 1:
		b.WriteString(v)
	case -1:
		b.WriteString("-" + v)
	default:
		fmt.Fprintf(&b, "%.10g*%s", m, v)
	}
	switch {
	case b.Len() == 0:
		fmt.Fprintf(&b, "%.10g", c)
	case c > 0:
		fmt.Fprintf(&b, " + %.10g", c)
	case c < 0:
		fmt.Fprintf(&b, " - %.10g", -c)
	}
	return b.String()
}

// slopeMeaning says what the signs of f′ and f″ tell about f near the point.
func slopeMeaning(d1, d2 float64, v string) string {
	switch {
	case d1 > 0:
		return fmt.Sprintf("f' > 0: f is increasing there (it rises as %s grows)", v)
	case d1 < 0:
		return fmt.Sprintf("f' < 0: f is decreasing there (it falls as %s grows)", v)
	case d2 > 0:
		return "f' = 0 and f'' > 0: a stationary point, a local minimum"
	case d2 < 0:
		return "f' = 0 and f'' < 0: a stationary point, a local maximum"
	}
	return "f' = 0 and f'' = 0: a stationary point that the second derivative cannot classify"
}
