package testfunc_test

import (
	"fmt"
	"math"

	"github.com/nabla-go/nabla/testfunc"
	"gonum.org/v1/gonum/mat"
)

// The value, gradient and Hessian at Rosenbrock's classic start (−1.2, 1):
// f = 2.2² + 100·(1 − 1.44)² = 24.2 and ∇f = (−2·2.2 − 400·(−1.2)·(−0.44),
// 200·(−0.44)) = (−215.6, −88).
func ExampleRosenbrock() {
	f := testfunc.Rosenbrock()
	x := f.Start
	g := make([]float64, f.Dim)
	f.Grad(g, x)
	h := mat.NewSymDense(f.Dim, nil)
	f.Hess(h, x)

	fmt.Println(f.Formula)
	fmt.Printf("f(%g, %g) = %.6g\n", x[0], x[1], f.Value(x))
	fmt.Printf("∇f = (%.6g, %.6g)\n", g[0], g[1])
	fmt.Printf("∇²f = %.6g\n", mat.Formatted(h, mat.Prefix("      ")))
	fmt.Println("minimum", f.MinValue, "at", f.Minima[0])
	// Output:
	// (1 - x)^2 + 100*(y - x^2)^2
	// f(-1.2, 1) = 24.2
	// ∇f = (-215.6, -88)
	// ∇²f = ⎡1330   480⎤
	//       ⎣ 480   200⎦
	// minimum 0 at [1 1]
}

// Himmelblau's function has four global minimisers.
func ExampleHimmelblau() {
	f := testfunc.Himmelblau()
	for _, m := range f.Minima {
		fmt.Printf("f(%9.6f, %9.6f) = %.1f\n", m[0], m[1], math.Abs(f.Value(m)))
	}
	// Output:
	// f( 3.000000,  2.000000) = 0.0
	// f(-2.805118,  3.131313) = 0.0
	// f(-3.779310, -3.283186) = 0.0
	// f( 3.584428, -1.848127) = 0.0
}

// ByName looks functions up by name, e.g. for a command-line flag.
func ExampleByName() {
	f, err := testfunc.ByName("styblinski-tang", 3)
	fmt.Println(f.Name, f.Dim, f.Formula, err)
	fmt.Printf("minimum %.6f at x_i = %.6f\n", f.MinValue, f.Minima[0][0])

	_, err = testfunc.ByName("banana", 2)
	fmt.Println(err)
	// Output:
	// styblinski-tang 3 0.5*Σ_{i=1}^{n} [x_i^4 - 16*x_i^2 + 5*x_i] <nil>
	// minimum -117.498497 at x_i = -2.903534
	// testfunc: unknown function "banana"; valid names: sphere, booth, beale, himmelblau, rosenbrock, rosenbrock-n, rastrigin, ill-conditioned, three-hump-camel, matyas, mccormick, styblinski-tang, six-hump-camel, saddle, monkey-saddle
}

// The saddle has no minimum (Minima is nil, MinValue −∞); its start lies
// near the stable manifold y = 0, so the gradient points almost straight at
// the saddle point (0, 0).
func ExampleSaddle() {
	f := testfunc.Saddle()
	g := make([]float64, 2)
	f.Grad(g, f.Start)
	fmt.Println(f.Minima == nil, f.MinValue)
	fmt.Println("start", f.Start, "gradient", g)
	// Output:
	// true -Inf
	// start [1 0.001] gradient [2 -0.002]
}
