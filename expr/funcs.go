package expr

import (
	"fmt"
	"math"
	"slices"

	"github.com/nabla-go/nabla/internal/textdist"
	"github.com/nabla-go/nabla/tensor"
)

// function is an entry of the function table: how many arguments it takes,
// how to evaluate it, and where it is defined.
type function struct {
	arity int
	eval  func(a []float64) float64
	// domain returns why a is outside the function's domain, or "".
	domain func(a []float64) string
	doc    string
}

// positive, atLeast0 and unit describe common domains.
func positive(a []float64) string {
	if a[0] <= 0 {
		return fmt.Sprintf("its argument must be positive, got %g", a[0])
	}
	return ""
}

func atLeast0(a []float64) string {
	if a[0] < 0 {
		return fmt.Sprintf("its argument must not be negative, got %g", a[0])
	}
	return ""
}

func unit(a []float64) string {
	if a[0] < -1 || a[0] > 1 {
		return fmt.Sprintf("its argument must lie in [-1, 1], got %g", a[0])
	}
	return ""
}

func one(f func(float64) float64) func([]float64) float64 {
	return func(a []float64) float64 { return f(a[0]) }
}

// functions is the table of every function the parser accepts.
var functions = map[string]function{
	"sin":      {1, one(math.Sin), nil, "sine"},
	"cos":      {1, one(math.Cos), nil, "cosine"},
	"tan":      {1, one(math.Tan), nil, "tangent"},
	"asin":     {1, one(math.Asin), unit, "inverse sine"},
	"acos":     {1, one(math.Acos), unit, "inverse cosine"},
	"atan":     {1, one(math.Atan), nil, "inverse tangent"},
	"sinh":     {1, one(math.Sinh), nil, "hyperbolic sine"},
	"cosh":     {1, one(math.Cosh), nil, "hyperbolic cosine"},
	"tanh":     {1, one(math.Tanh), nil, "hyperbolic tangent"},
	"exp":      {1, one(math.Exp), nil, "eˣ"},
	"log":      {1, one(math.Log), positive, "natural logarithm"},
	"log10":    {1, one(math.Log10), positive, "base-10 logarithm"},
	"log2":     {1, one(math.Log2), positive, "base-2 logarithm"},
	"sqrt":     {1, one(math.Sqrt), atLeast0, "square root"},
	"abs":      {1, one(math.Abs), nil, "absolute value"},
	"sign":     {1, one(tensor.SignOf), nil, "−1, 0 or 1 by the sign of the argument"},
	"step":     {1, one(stepOf), nil, "1 for a positive argument, else 0 (the derivative of relu)"},
	"sigmoid":  {1, one(tensor.SigmoidOf), nil, "1/(1 + e⁻ˣ)"},
	"relu":     {1, one(func(x float64) float64 { return math.Max(x, 0) }), nil, "max(x, 0)"},
	"softplus": {1, one(tensor.SoftplusOf), nil, "log(1 + eˣ)"},
	"min":      {2, func(a []float64) float64 { return math.Min(a[0], a[1]) }, nil, "the smaller argument"},
	"max":      {2, func(a []float64) float64 { return math.Max(a[0], a[1]) }, nil, "the larger argument"},
	"pow":      {2, func(a []float64) float64 { return math.Pow(a[0], a[1]) }, powDomain, "a^b"},
}

// Functions returns the names of the functions expressions may use, sorted.
func Functions() []string {
	names := make([]string, 0, len(functions))
	for n := range functions {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func stepOf(x float64) float64 {
	if x > 0 {
		return 1
	}
	return 0
}

// powDomain explains where aᵇ is not a real number or not finite.
func powDomain(a []float64) string {
	base, exp := a[0], a[1]
	switch {
	case base < 0 && exp != math.Trunc(exp):
		return fmt.Sprintf("a negative base (%g) needs an integer exponent, got %g", base, exp)
	case base == 0 && exp < 0:
		return fmt.Sprintf("0 to the negative power %g divides by zero", exp)
	}
	return ""
}

// suggest returns the known function name closest to name (edit distance at
// most 2), or "".
func suggest(name string) string { return textdist.Closest(name, Functions(), 2) }
