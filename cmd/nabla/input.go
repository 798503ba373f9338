package main

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/nabla-go/nabla/expr"
)

// usageError is a mistake in how the command was called (a malformed
// expression or flag): the process exits with status 2. Other errors (a point
// outside the function's domain) exit with 1.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitCode maps an error to the process status.
func exitCode(err error) int {
	var u usageError
	var se *expr.SyntaxError
	var uv *expr.UnknownVariableError
	if errors.As(err, &u) || errors.As(err, &se) || errors.As(err, &uv) || isCobraUsage(err) {
		return 2
	}
	return 1
}

// isCobraUsage recognises the errors cobra returns for bad flags and
// arguments.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires at most", "if any flags in the group", "required flag(s)"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// parseExpr reads the expression argument; a syntax error is a usage error
// whose message shows the caret.
func parseExpr(src string) (*expr.Expr, error) {
	e, err := expr.Parse(src)
	if err != nil {
		return nil, usageError{err}
	}
	return e, nil
}

// parsePoint reads --at "x=2, y=3" into values for exactly the variables
// vars, in their order.
func parsePoint(at string, vars []string) ([]float64, error) {
	given := map[string]float64{}
	var order []string
	if strings.TrimSpace(at) != "" {
		for _, part := range strings.Split(at, ",") {
			name, val, ok := strings.Cut(part, "=")
			name, val = strings.TrimSpace(name), strings.TrimSpace(val)
			if !ok || name == "" {
				return nil, usagef("--at: %q is not name=value; write e.g. --at x=2,y=3", strings.TrimSpace(part))
			}
			v, err := strconv.ParseFloat(val, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, usagef("--at: the value of %s, %q, is not a finite number", name, val)
			}
			if _, dup := given[name]; dup {
				return nil, usagef("--at gives %s twice", name)
			}
			given[name] = v
			order = append(order, name)
		}
	}
	x := make([]float64, len(vars))
	var missing []string
	for i, name := range vars {
		v, ok := given[name]
		if !ok {
			missing = append(missing, name)
		}
		x[i] = v
	}
	if len(missing) > 0 {
		return nil, usagef("--at has no value for %s: add %s=… (the expression uses %s)", strings.Join(missing, ", "), missing[0], strings.Join(vars, ", "))
	}
	for _, name := range order {
		if !slices.Contains(vars, name) {
			return nil, usagef("--at gives %s, which the expression does not use (its variables: %s)", name, strings.Join(vars, ", "))
		}
	}
	return x, nil
}

// parseVector reads "0.6,0.8,0" into n numbers.
func parseVector(flag, s string, n int) ([]float64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, usagef("%s has %d components but the function has %d variables", flag, len(parts), n)
	}
	u := make([]float64, n)
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, usagef("%s: component %d, %q, is not a finite number", flag, i+1, strings.TrimSpace(p))
		}
		u[i] = v
	}
	return u, nil
}

// env maps variable names to their values.
func env(vars []string, x []float64) map[string]float64 {
	m := make(map[string]float64, len(vars))
	for i, v := range vars {
		m[v] = x[i]
	}
	return m
}

// pointText writes "x = 2, y = 3".
func pointText(vars []string, x []float64) string {
	parts := make([]string, len(vars))
	for i, v := range vars {
		parts[i] = fmt.Sprintf("%s = %g", v, x[i])
	}
	return strings.Join(parts, ", ")
}
