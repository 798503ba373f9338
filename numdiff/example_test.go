package numdiff_test

import (
	"fmt"
	"math"

	"github.com/nabla-go/nabla/numdiff"
)

// The derivative of x² at −0.5, 0 and 0.5 is 2x = −1, 0, 1.
func ExampleDerivative() {
	square := func(x float64) float64 { return x * x }
	for _, x := range []float64{-0.5, 0, 0.5} {
		fmt.Printf("f'(%g) ≈ %.8f\n", x, numdiff.Derivative(square, x, nil))
	}
	// f''(x) = 2 everywhere, by the second-derivative stencil.
	fmt.Printf("f''(3) ≈ %.6f\n", numdiff.Derivative(square, 3, &numdiff.Settings{Stencil: numdiff.Central2}))
	// Output:
	// f'(-0.5) ≈ -1.00000000
	// f'(0) ≈ 0.00000000
	// f'(0.5) ≈ 1.00000000
	// f''(3) ≈ 2.000000
}

// ∇(x² + y²) = (2x, 2y).
func ExampleGradient() {
	f := func(v []float64) float64 { return v[0]*v[0] + v[1]*v[1] }
	g := numdiff.Gradient(nil, f, []float64{1, 2}, nil)
	fmt.Printf("∇f(1, 2) ≈ (%.8f, %.8f)\n", g[0], g[1])
	// Output:
	// ∇f(1, 2) ≈ (2.00000000, 4.00000000)
}

// A hand-written gradient of f(x, y, z) = x²y + yz³ + sin(xy) with a mistake
// in ∂f/∂y (the cos term forgotten) is caught and located.
func ExampleGradCheck() {
	f := func(v []float64) float64 {
		x, y, z := v[0], v[1], v[2]
		return x*x*y + y*z*z*z + math.Sin(x*y)
	}
	x, y, z := 2.0, 3.0, 1.0
	grad := []float64{
		2*x*y + y*math.Cos(x*y),
		x*x + z*z*z, // should be x² + z³ + x·cos(xy)
		3 * y * z * z,
	}
	r := numdiff.GradCheck(f, grad, []float64{x, y, z}, nil)
	fmt.Println("pass:", r.Pass)
	w := r.Worst[0]
	fmt.Printf("worst entry %d: analytic %.4f, numeric %.4f\n", w.Index, w.Analytic, w.Numeric)
	// Output:
	// pass: false
	// worst entry 1: analytic 5.0000, numeric 6.9203
}
