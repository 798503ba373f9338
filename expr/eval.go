package expr

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// DomainError reports a point where the expression has no real value: the
// logarithm of a non-positive number, a division by zero, a square root of a
// negative number …
type DomainError struct {
	Expr string // the subexpression that failed, as printed
	Msg  string
}

func (e *DomainError) Error() string { return fmt.Sprintf("%s is undefined here: %s", e.Expr, e.Msg) }

// UnknownVariableError reports a variable with no value.
type UnknownVariableError struct {
	Name  string
	Known []string // the variables that do have values
}

func (e *UnknownVariableError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("variable %s has no value", e.Name)
	}
	return fmt.Sprintf("variable %s has no value (values were given for %s)", e.Name, strings.Join(e.Known, ", "))
}

// Eval returns the value of e where each variable takes its value in env.
// A point outside the domain of some part of e gives a *DomainError naming
// it, a missing variable an *UnknownVariableError; Eval never returns NaN
// for such points. (Overflow to ±Inf, and what arithmetic then makes of it,
// is returned as is.)
func (e *Expr) Eval(env map[string]float64) (float64, error) {
	switch e.Kind {
	case Num:
		return e.Value, nil
	case Var:
		v, ok := env[e.Name]
		if !ok {
			known := make([]string, 0, len(env))
			for k := range env {
				known = append(known, k)
			}
			slices.Sort(known)
			return 0, &UnknownVariableError{Name: e.Name, Known: known}
		}
		return v, nil
	}
	args := make([]float64, len(e.Args))
	for i, a := range e.Args {
		v, err := a.Eval(env)
		if err != nil {
			return 0, err
		}
		args[i] = v
	}
	switch e.Kind {
	case Add:
		s := 0.0
		for _, v := range args {
			s += v
		}
		return s, nil
	case Mul:
		p := 1.0
		for _, v := range args {
			p *= v
		}
		return p, nil
	case Pow:
		if msg := powDomain(args); msg != "" {
			return 0, &DomainError{Expr: e.String(), Msg: msg}
		}
		return math.Pow(args[0], args[1]), nil
	}
	f, ok := functions[e.Name]
	if !ok {
		return 0, fmt.Errorf("expr: unknown function %q", e.Name)
	}
	if len(args) != f.arity {
		return 0, fmt.Errorf("expr: %s takes %d arguments, got %d", e.Name, f.arity, len(args))
	}
	if f.domain != nil {
		if msg := f.domain(args); msg != "" {
			return 0, &DomainError{Expr: e.String(), Msg: msg}
		}
	}
	v := f.eval(args)
	if math.IsNaN(v) && !hasNaN(args) {
		return 0, &DomainError{Expr: e.String(), Msg: fmt.Sprintf("no real value at %v", args)}
	}
	return v, nil
}

func hasNaN(xs []float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) {
			return true
		}
	}
	return false
}
