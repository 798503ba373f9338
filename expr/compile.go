package expr

import (
	"fmt"
	"math"
	"slices"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

type v64 = *autodiff.Var[float64]

// Build returns e as an autodiff graph with variable vars[i] bound to
// inputs[i]. The inputs may be scalars or tensors of one common shape (then
// e is evaluated at many points at once, elementwise), so the same
// expression can be evaluated, differentiated by reverse and forward mode,
// and checked by finite differences. It fails if e uses a variable not in
// vars.
func Build(e *Expr, vars []string, inputs []v64) (v64, error) {
	if len(vars) != len(inputs) {
		panic(fmt.Sprintf("expr: Build: %d variables but %d inputs", len(vars), len(inputs)))
	}
	if err := checkVars(e, vars); err != nil {
		return nil, err
	}
	return build(e, vars, inputs), nil
}

// checkVars returns an error naming the first variable of e not in vars.
func checkVars(e *Expr, vars []string) error {
	for _, v := range e.Vars() {
		if !slices.Contains(vars, v) {
			return &UnknownVariableError{Name: v, Known: vars}
		}
	}
	return nil
}

func build(e *Expr, vars []string, in []v64) v64 {
	switch e.Kind {
	case Num:
		return autodiff.Scalar(e.Value)
	case Var:
		return in[slices.Index(vars, e.Name)]
	case Add:
		s := build(e.Args[0], vars, in)
		for _, a := range e.Args[1:] {
			s = autodiff.Add(s, build(a, vars, in))
		}
		return s
	case Mul:
		args := e.Args
		c := 1.0
		if v, ok := plainNum(args[0]); ok && len(args) > 1 { // a leading coefficient scales
			c, args = v, args[1:]
		}
		p := build(args[0], vars, in)
		for _, a := range args[1:] {
			p = autodiff.Mul(p, build(a, vars, in))
		}
		if c != 1 {
			p = autodiff.Scale(c, p)
		}
		return p
	case Pow:
		base := build(e.Args[0], vars, in)
		if k, ok := plainNum(e.Args[1]); ok {
			return autodiff.PowConst(base, k)
		}
		return autodiff.Pow(base, build(e.Args[1], vars, in))
	}
	args := make([]v64, len(e.Args))
	for i, a := range e.Args {
		args[i] = build(a, vars, in)
	}
	return compiled[e.Name](args)
}

// compiled maps each function to autodiff operations. Those autodiff has no
// primitive for are built from others (sinh, cosh, log10, log2); sign and
// step are piecewise constant, so they enter as constants.
var compiled = map[string]func(a []v64) v64{
	"sin":  func(a []v64) v64 { return autodiff.Sin(a[0]) },
	"cos":  func(a []v64) v64 { return autodiff.Cos(a[0]) },
	"tan":  func(a []v64) v64 { return autodiff.Tan(a[0]) },
	"asin": func(a []v64) v64 { return autodiff.Asin(a[0]) },
	"acos": func(a []v64) v64 { return autodiff.Acos(a[0]) },
	"atan": func(a []v64) v64 { return autodiff.Atan(a[0]) },
	"sinh": func(a []v64) v64 {
		return autodiff.Scale(0.5, autodiff.Sub(autodiff.Exp(a[0]), autodiff.Exp(autodiff.Neg(a[0]))))
	},
	"cosh": func(a []v64) v64 {
		return autodiff.Scale(0.5, autodiff.Add(autodiff.Exp(a[0]), autodiff.Exp(autodiff.Neg(a[0]))))
	},
	"tanh":     func(a []v64) v64 { return autodiff.Tanh(a[0]) },
	"exp":      func(a []v64) v64 { return autodiff.Exp(a[0]) },
	"log":      func(a []v64) v64 { return autodiff.Log(a[0]) },
	"log10":    func(a []v64) v64 { return autodiff.Scale(1/math.Ln10, autodiff.Log(a[0])) },
	"log2":     func(a []v64) v64 { return autodiff.Scale(1/math.Ln2, autodiff.Log(a[0])) },
	"sqrt":     func(a []v64) v64 { return autodiff.Sqrt(a[0]) },
	"abs":      func(a []v64) v64 { return autodiff.Abs(a[0]) },
	"sign":     func(a []v64) v64 { return autodiff.Const(tensor.Sign(a[0].Value())) },
	"step":     func(a []v64) v64 { return autodiff.Const(tensor.Step(a[0].Value())) },
	"sigmoid":  func(a []v64) v64 { return autodiff.Sigmoid(a[0]) },
	"relu":     func(a []v64) v64 { return autodiff.ReLU(a[0]) },
	"softplus": func(a []v64) v64 { return autodiff.Softplus(a[0]) },
	"min":      func(a []v64) v64 { return autodiff.Minimum(a[0], a[1]) },
	"max":      func(a []v64) v64 { return autodiff.Maximum(a[0], a[1]) },
	"pow":      func(a []v64) v64 { return autodiff.Pow(a[0], a[1]) },
}

// Func returns e as a function of one vector x, x[i] being the value of
// vars[i], for autodiff's functional API (Grad, Hessian, JVP …).
func Func(e *Expr, vars []string) (autodiff.Func[float64], error) {
	if err := checkVars(e, vars); err != nil {
		return nil, err
	}
	return func(x v64) v64 {
		in := make([]v64, len(vars))
		for i := range vars {
			in[i] = autodiff.Reshape(autodiff.Slice(x, 0, i, i+1))
		}
		return build(e, vars, in)
	}, nil
}
