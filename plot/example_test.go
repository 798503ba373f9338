package plot_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/nabla-go/nabla/plot"
)

// Levels for the values 0, 1, …, 100: evenly spaced ones, and log-spaced
// ones that crowd towards the minimum, where a function like Rosenbrock's
// has its valley.
func ExampleLevels() {
	var z []float64
	for i := 0; i <= 100; i++ {
		z = append(z, float64(i))
	}
	fmt.Println(plot.Levels(z, 4, plot.SpacingLinear))
	fmt.Println(plot.Levels(z, 4, plot.SpacingLog))
	// Output:
	// [20 40 60 80]
	// [1 3.16 10 31.6]
}

// The gradient field of f(x, y) = x² + y² points straight away from the
// origin; with descent it points back at the minimum.
func ExampleGradientArrows() {
	grad := func(x, y float64) (float64, float64) { return 2 * x, 2 * y }
	arrows, h := plot.GradientArrows(grad, plot.Box{X0: -1, X1: 1, Y0: -1, Y1: 1}, 2, true)
	fmt.Println("spacing", h)
	for _, a := range arrows {
		fmt.Printf("at (%4.1f, %4.1f): (%.3f, %.3f)\n", a.X, a.Y, a.DX, a.DY)
	}
	// Output:
	// spacing 1
	// at (-0.5, -0.5): (0.707, 0.707)
	// at ( 0.5, -0.5): (-0.707, 0.707)
	// at (-0.5,  0.5): (0.707, -0.707)
	// at ( 0.5,  0.5): (-0.707, -0.707)
}

// A contour plot of Himmelblau's function with its gradient field, a
// gradient-descent path and one of its four minima.
func ExampleContour() {
	f := func(x, y float64) float64 { return math.Pow(x*x+y-11, 2) + math.Pow(x+y*y-7, 2) }
	grad := func(x, y float64) (float64, float64) {
		a, b := x*x+y-11, x+y*y-7
		return 4*x*a + 2*b, 2*a + 4*y*b
	}
	path := plot.Path{Name: "gradient descent, lr 0.01"}
	x, y := -1.0, 0.5
	for range 40 {
		path.X, path.Y = append(path.X, x), append(path.Y, y)
		gx, gy := grad(x, y)
		x, y = x-0.01*gx, y-0.01*gy
	}
	out := filepath.Join(os.TempDir(), "himmelblau.svg")
	err := plot.Contour{
		F: f, Grad: grad, Box: plot.Box{X0: -5, X1: 5, Y0: -5, Y1: 5},
		Arrows: 20, Paths: []plot.Path{path}, Minimum: &plot.Point{X: 3, Y: 2},
		Title: "Himmelblau",
	}.Save(out)
	fmt.Println(err)
	os.Remove(out)
	// Output: <nil>
}

// Loss curves from a training history, on a log scale.
func ExampleLossCurves() {
	train := []float64{2.3, 1.1, 0.62, 0.41, 0.33, 0.29}
	val := []float64{2.2, 1.2, 0.71, 0.55, 0.52, 0.53}
	out := filepath.Join(os.TempDir(), "loss.png")
	err := plot.LossCurves(out, plot.Chart{Y: plot.ScaleLog},
		plot.Series{Name: "train", Y: train}, plot.Series{Name: "validation", Y: val})
	fmt.Println(err)
	os.Remove(out)
	// Output: <nil>
}

// The tangent line of x² at 0.5, whose slope is the derivative 2·0.5 = 1.
func ExampleFunction() {
	f := plot.Function{F: func(x float64) float64 { return x * x }, X0: -2, X1: 2,
		Tangent: &plot.Tangent{At: 0.5, Slope: 1}, Name: "x²"}
	x, y := f.TangentLine()
	fmt.Println(x, y)
	// Output: [-2 2] [-2.25 1.75]
}
