package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/nabla-go/nabla/expr"
)

func newDiffCmd() *cobra.Command {
	var wrt string
	var order int
	var latex, goSrc, asJSON bool
	cmd := &cobra.Command{
		Use:   "diff EXPR [--wrt x] [--order n]",
		Short: "The symbolic derivative, simplified, as text, LaTeX or Go",
		Long: `diff differentiates an expression symbolically and simplifies the result
(constants folded, 0 and 1 identities, like terms and like factors
collected). Without --wrt it differentiates with respect to every variable,
in order of first appearance. The text form parses back to the same function.`,
		Example: `  nabla diff "x^2*y + y*z^3 + sin(x*y)"
  nabla diff "sin(x)^2" --wrt x --order 2
  nabla diff "sigmoid(w*x + b)" --wrt w --latex`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if latex && goSrc {
				return usagef("--latex and --go exclude each other")
			}
			if order < 0 || order > 20 {
				return usagef("--order %d: give an order from 0 to 20", order)
			}
			e, err := parseExpr(args[0])
			if err != nil {
				return err
			}
			vars := e.Vars()
			if wrt != "" {
				vars = []string{wrt}
			}
			form := func(d *expr.Expr) string {
				switch {
				case latex:
					return d.LaTeX()
				case goSrc:
					return d.GoSource()
				}
				return d.String()
			}
			type derivative struct {
				Wrt   string `json:"wrt"`
				Order int    `json:"order"`
				Expr  string `json:"derivative"`
			}
			var out []derivative
			for _, v := range vars {
				d, err := expr.DiffN(e, v, order)
				if err != nil {
					return err
				}
				out = append(out, derivative{v, order, form(d)})
			}
			w := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"expr": e.String(), "vars": e.Vars(), "derivatives": out})
			}
			if len(vars) == 0 {
				fmt.Fprintln(w, "0 (the expression has no variables)")
			}
			for _, d := range out {
				if len(out) == 1 && !latex && !goSrc {
					fmt.Fprintln(w, d.Expr)
					continue
				}
				fmt.Fprintf(w, "%s: %s\n", derivName(d.Wrt, d.Order), d.Expr)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&wrt, "wrt", "", "the variable to differentiate with respect to (default: each in turn)")
	cmd.Flags().IntVar(&order, "order", 1, "how many times to differentiate")
	cmd.Flags().BoolVar(&latex, "latex", false, "print LaTeX")
	cmd.Flags().BoolVar(&goSrc, "go", false, "print a Go expression (package math)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object instead of text")
	return cmd
}

// derivName writes ∂f/∂x, or ∂³f/∂x³ for higher orders.
func derivName(v string, order int) string {
	if order == 1 {
		return "∂f/∂" + v
	}
	return fmt.Sprintf("∂^%df/∂%s^%d", order, v, order)
}
