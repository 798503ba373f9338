// Package testfunc provides standard optimisation test functions as values:
// each [Function] carries its value, closed-form gradient and Hessian, its
// known global minimisers and minimum value, the standard starting point,
// the usual search box and a citation. They are the objectives against which
// gradients (autodiff, finite differences) and optimisers are tested.
//
// All functions are float64. Value, Grad and Hess never allocate; they panic
// with a message naming the function when a slice or matrix has the wrong
// dimension (a programming error, not a data error). They keep no state, so
// a Function is safe for concurrent use; treat its slices (Minima, Start,
// Bounds) as read-only, or copy them — every constructor call builds fresh
// ones.
//
// Conventions used throughout:
//
//   - 2-D functions are written in x, y; in code x = x[0], y = x[1].
//   - n-D functions are written with Σ and 1-based indices x₁ … xₙ, as in
//     the papers; in code x₁ = x[0].
//   - Formula is plain text meant to be machine-read later: ^ is a power,
//     multiplication is always written with *, and n-D sums are written
//     "Σ_{i=1}^{upper} [body]" with x_i and x_{i+1} in the body.
//
// The package is checked three ways: closed-form derivatives against central
// finite differences, against a SymPy reference committed under testdata/
// (regenerate with testdata/gen_sympy.py), and each listed minimiser against
// the literature.
package testfunc

import (
	"fmt"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Function is a standard test function with everything needed to test a
// gradient or an optimiser.
type Function struct {
	// Name is the lower-case, hyphenated identifier used by ByName,
	// e.g. "rosenbrock" or "six-hump-camel".
	Name string
	// Formula is the plain-text formula, e.g. "(1 - x)^2 + 100*(y - x^2)^2".
	// 2-D functions are written in x and y; n-D functions with
	// "Σ_{i=1}^{upper} [body]" and x_i, x_{i+1}, n (see the package doc).
	Formula string
	// Dim is the dimension n of the domain; every x passed to Value, Grad
	// and Hess must have length Dim.
	Dim int
	// Value returns f(x). It panics if len(x) != Dim.
	Value func(x []float64) float64
	// Grad stores the closed-form gradient ∇f(x) in dst. dst may be x
	// itself. It panics if len(dst) or len(x) differs from Dim.
	Grad func(dst, x []float64)
	// Hess stores the closed-form Hessian ∇²f(x) in dst, overwriting every
	// entry. dst must already be Dim×Dim (mat.NewSymDense(Dim, nil)); it
	// panics otherwise, or if len(x) != Dim.
	Hess func(dst *mat.SymDense, x []float64)
	// Minima are all known global minimisers of f over Bounds (for every
	// function here except McCormick these are also the global minimisers
	// over ℝⁿ). Nil when f has no minimum (Saddle, MonkeySaddle).
	Minima [][]float64
	// MinValue is f at the global minimisers, or −∞ when f is unbounded
	// below and Minima is nil.
	MinValue float64
	// Start is the standard starting point from the literature where one
	// exists; otherwise the package's documented convention (see each
	// constructor). It is never a stationary point.
	Start []float64
	// Bounds is the usual search box: Bounds[i] = [lo, hi] for coordinate i.
	Bounds [][2]float64
	// Citation says where the function (and its start point and box) comes
	// from: authors, year, title, venue.
	Citation string
}

// DefaultDim is the dimension All and ByName (with n = 0) use for the
// functions defined in any dimension.
const DefaultDim = 4

// DefaultCond is the condition number All and ByName use for IllConditioned.
const DefaultCond = 1000.0

// Jamil & Yang's survey is the reference for several 2-D functions.
const jamilYang = "Jamil, M. & Yang, X.-S. (2013). A literature survey of benchmark functions for global optimisation problems. Int. J. Mathematical Modelling and Numerical Optimisation 4(2):150–194"

// checkX panics unless len(x) == n.
func checkX(name string, n int, x []float64) {
	if len(x) != n {
		panic(fmt.Sprintf("testfunc: %s: len(x) = %d, want %d", name, len(x), n))
	}
}

// checkGrad panics unless len(dst) == len(x) == n.
func checkGrad(name string, n int, dst, x []float64) {
	if len(dst) != n {
		panic(fmt.Sprintf("testfunc: %s: gradient len(dst) = %d, want %d", name, len(dst), n))
	}
	checkX(name, n, x)
}

// checkHess panics unless dst is n×n and len(x) == n.
func checkHess(name string, n int, dst *mat.SymDense, x []float64) {
	if dst == nil {
		panic(fmt.Sprintf("testfunc: %s: Hessian dst is nil, want %d×%d (mat.NewSymDense(%d, nil))", name, n, n, n))
	}
	if d := dst.SymmetricDim(); d != n {
		panic(fmt.Sprintf("testfunc: %s: Hessian dst is %d×%d, want %d×%d (mat.NewSymDense(%d, nil))", name, d, d, n, n, n))
	}
	checkX(name, n, x)
}

// fill returns a slice of n copies of v.
func fill(n int, v float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// box returns n copies of [lo, hi].
func box(n int, lo, hi float64) [][2]float64 {
	b := make([][2]float64, n)
	for i := range b {
		b[i] = [2]float64{lo, hi}
	}
	return b
}

// entry describes one name known to ByName.
type entry struct {
	name  string
	fixed int // the fixed dimension, or 0 for functions defined in any dimension
	minN  int // the smallest dimension accepted when fixed == 0
	make  func(n int) Function
}

// registry lists every function in the order All returns them.
var registry = []entry{
	{name: "sphere", minN: 1, make: Sphere},
	{name: "booth", fixed: 2, make: func(int) Function { return Booth() }},
	{name: "beale", fixed: 2, make: func(int) Function { return Beale() }},
	{name: "himmelblau", fixed: 2, make: func(int) Function { return Himmelblau() }},
	{name: "rosenbrock", fixed: 2, make: func(int) Function { return Rosenbrock() }},
	{name: "rosenbrock-n", minN: 2, make: RosenbrockN},
	{name: "rastrigin", minN: 1, make: Rastrigin},
	{name: "ill-conditioned", minN: 2, make: func(n int) Function { return IllConditioned(n, DefaultCond) }},
	{name: "three-hump-camel", fixed: 2, make: func(int) Function { return ThreeHumpCamel() }},
	{name: "matyas", fixed: 2, make: func(int) Function { return Matyas() }},
	{name: "mccormick", fixed: 2, make: func(int) Function { return McCormick() }},
	{name: "styblinski-tang", minN: 1, make: StyblinskiTang},
	{name: "six-hump-camel", fixed: 2, make: func(int) Function { return SixHumpCamel() }},
	{name: "saddle", fixed: 2, make: func(int) Function { return Saddle() }},
	{name: "monkey-saddle", fixed: 2, make: func(int) Function { return MonkeySaddle() }},
}

// Names returns the names ByName accepts, in the order All returns the
// functions.
func Names() []string {
	names := make([]string, len(registry))
	for i, e := range registry {
		names[i] = e.name
	}
	return names
}

// All returns every function in the package, freshly built, with
// n = DefaultDim for those defined in any dimension and cond = DefaultCond
// for IllConditioned. The order is that of Names.
func All() []Function {
	fs := make([]Function, len(registry))
	for i, e := range registry {
		n := e.fixed
		if n == 0 {
			n = DefaultDim
		}
		fs[i] = e.make(n)
	}
	return fs
}

// ByName returns the function called name (case-insensitive; see Names) in
// dimension n. For functions defined in any dimension, n = 0 means
// DefaultDim; for fixed-dimension ones n must be 0 or that dimension.
// IllConditioned gets cond = DefaultCond. Unknown names and unsupported
// dimensions are errors; the error for an unknown name lists the valid ones.
func ByName(name string, n int) (Function, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	i := slices.IndexFunc(registry, func(e entry) bool { return e.name == key })
	if i < 0 {
		return Function{}, fmt.Errorf("testfunc: unknown function %q; valid names: %s", name, strings.Join(Names(), ", "))
	}
	e := registry[i]
	switch {
	case e.fixed != 0:
		if n != 0 && n != e.fixed {
			return Function{}, fmt.Errorf("testfunc: %s is defined only in dimension %d, not n = %d (pass n = 0 or %d)", e.name, e.fixed, n, e.fixed)
		}
		n = e.fixed
	case n == 0:
		n = DefaultDim
	case n < e.minN:
		return Function{}, fmt.Errorf("testfunc: %s needs dimension n ≥ %d, got n = %d", e.name, e.minN, n)
	}
	return e.make(n), nil
}
