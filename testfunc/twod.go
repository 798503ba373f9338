package testfunc

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// set2 writes the symmetric 2×2 matrix [[a, b], [b, c]] into dst.
func set2(dst *mat.SymDense, a, b, c float64) {
	dst.SetSym(0, 0, a)
	dst.SetSym(0, 1, b)
	dst.SetSym(1, 1, c)
}

// Booth returns Booth's function, a convex quadratic (the least-squares form
// of the linear system x + 2y = 7, 2x + y = 5):
//
//	f(x, y) = (x + 2y − 7)² + (2x + y − 5)²
//	∇f      = (2a + 4b, 4a + 2b),  a = x + 2y − 7, b = 2x + y − 5
//	∇²f     = [[10, 8], [8, 10]]  (eigenvalues 2 and 18)
//
// Minimum f(1, 3) = 0. Bounds [−10, 10]². There is no standard start; this
// package uses (0, 0).
func Booth() Function {
	const name = "booth"
	return Function{
		Name:    name,
		Formula: "(x + 2*y - 7)^2 + (2*x + y - 5)^2",
		Dim:     2,
		Value: func(x []float64) float64 {
			checkX(name, 2, x)
			a := x[0] + 2*x[1] - 7
			b := 2*x[0] + x[1] - 5
			return a*a + b*b
		},
		Grad: func(dst, x []float64) {
			checkGrad(name, 2, dst, x)
			a := x[0] + 2*x[1] - 7
			b := 2*x[0] + x[1] - 5
			dst[0], dst[1] = 2*a+4*b, 4*a+2*b
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			checkHess(name, 2, dst, x)
			set2(dst, 10, 8, 10)
		},
		Minima:   [][]float64{{1, 3}},
		MinValue: 0,
		Start:    []float64{0, 0},
		Bounds:   box(2, -10, 10),
		Citation: jamilYang,
	}
}

// bealeC are the constants cₖ of Beale's function.
var bealeC = [3]float64{1.5, 2.25, 2.625}

// Beale returns Beale's function, a sum of three squared residuals whose
// minimum sits in a narrow curved valley:
//
//	f(x, y) = Σ_{k=1}^{3} tₖ²,  tₖ = cₖ − x + x yᵏ,  c = (1.5, 2.25, 2.625)
//	∂f/∂x   = 2 Σ tₖ aₖ,                  aₖ = ∂tₖ/∂x = yᵏ − 1
//	∂f/∂y   = 2 Σ tₖ bₖ,                  bₖ = ∂tₖ/∂y = k x yᵏ⁻¹
//	∂²f/∂x²  = 2 Σ aₖ²
//	∂²f/∂x∂y = 2 Σ (aₖ bₖ + tₖ k yᵏ⁻¹)
//	∂²f/∂y²  = 2 Σ (bₖ² + tₖ k(k−1) x yᵏ⁻²)
//
// Minimum f(3, 0.5) = 0. Start (1, 1) (Moré, Garbow & Hillstrom, problem 5);
// Bounds [−4.5, 4.5]².
func Beale() Function {
	const name = "beale"
	return Function{
		Name:    name,
		Formula: "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
		Dim:     2,
		Value: func(x []float64) float64 {
			checkX(name, 2, x)
			var s float64
			yk := 1.0
			for _, c := range bealeC {
				yk *= x[1]
				t := c - x[0] + x[0]*yk
				s += t * t
			}
			return s
		},
		Grad: func(dst, x []float64) {
			checkGrad(name, 2, dst, x)
			px, py := x[0], x[1]
			var gx, gy float64
			ykm1 := 1.0 // y^(k−1)
			for k, c := range bealeC {
				yk := ykm1 * py
				t := c - px + px*yk
				gx += t * (yk - 1)
				gy += t * float64(k+1) * px * ykm1
				ykm1 = yk
			}
			dst[0], dst[1] = 2*gx, 2*gy
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			checkHess(name, 2, dst, x)
			px, py := x[0], x[1]
			var hxx, hxy, hyy float64
			ykm2, ykm1 := 0.0, 1.0 // y^(k−2) (unused for k = 1), y^(k−1)
			for i, c := range bealeC {
				k := float64(i + 1)
				yk := ykm1 * py
				t := c - px + px*yk
				a := yk - 1
				b := k * px * ykm1
				hxx += a * a
				hxy += a*b + t*k*ykm1
				hyy += b*b + t*k*(k-1)*px*ykm2
				ykm2, ykm1 = ykm1, yk
			}
			set2(dst, 2*hxx, 2*hxy, 2*hyy)
		},
		Minima:   [][]float64{{3, 0.5}},
		MinValue: 0,
		Start:    []float64{1, 1},
		Bounds:   box(2, -4.5, 4.5),
		Citation: "Beale, E. M. L. (1958). On an iterative method for finding a local minimum of a function of more than one variable. Tech. Rep. 25, Statistical Techniques Research Group, Princeton University. " +
			"Start: Moré, J. J., Garbow, B. S. & Hillstrom, K. E. (1981). Testing unconstrained optimization software. ACM TOMS 7(1):17–41, problem 5",
	}
}

// Himmelblau returns Himmelblau's function, which has four global minima,
// one in each quadrant:
//
//	f(x, y)  = a² + b²,  a = x² + y − 11,  b = x + y² − 7
//	∇f       = (4x a + 2b, 2a + 4y b)
//	∂²f/∂x²  = 12x² + 4y − 42
//	∂²f/∂x∂y = 4(x + y)
//	∂²f/∂y²  = 4x + 12y² − 26
//
// Minimum value 0 at (3, 2), (−2.805118, 3.131312), (−3.779310, −3.283186)
// and (3.584428, −1.848126), as usually quoted (six decimals, truncated);
// Minima holds them to full float64 precision, from SymPy's nsolve at 40
// digits.
// It also has a local maximum near (−0.270845, −0.923039) and four saddle
// points. Bounds [−5, 5]². There is no standard start; this package uses
// (0, 0).
func Himmelblau() Function {
	const name = "himmelblau"
	return Function{
		Name:    name,
		Formula: "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
		Dim:     2,
		Value: func(x []float64) float64 {
			checkX(name, 2, x)
			a := x[0]*x[0] + x[1] - 11
			b := x[0] + x[1]*x[1] - 7
			return a*a + b*b
		},
		Grad: func(dst, x []float64) {
			checkGrad(name, 2, dst, x)
			px, py := x[0], x[1]
			a := px*px + py - 11
			b := px + py*py - 7
			dst[0], dst[1] = 4*px*a+2*b, 2*a+4*py*b
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			checkHess(name, 2, dst, x)
			px, py := x[0], x[1]
			set2(dst, 12*px*px+4*py-42, 4*(px+py), 4*px+12*py*py-26)
		},
		Minima: [][]float64{
			{3, 2},
			{-2.8051180869527449, 3.1313125182505730},
			{-3.7793102533777469, -3.2831859912861694},
			{3.5844283403304917, -1.8481265269644036},
		},
		MinValue: 0,
		Start:    []float64{0, 0},
		Bounds:   box(2, -5, 5),
		Citation: "Himmelblau, D. M. (1972). Applied Nonlinear Programming. McGraw-Hill",
	}
}

// Rosenbrock returns Rosenbrock's banana function, whose minimum lies at the
// end of a long, narrow, curved valley:
//
//	f(x, y)  = (1 − x)² + 100 (y − x²)²
//	∇f       = (−2(1 − x) − 400x (y − x²), 200 (y − x²))
//	∇²f      = [[1200x² − 400y + 2, −400x], [−400x, 200]]
//
// Minimum f(1, 1) = 0. Start (−1.2, 1), where f = 24.2 and ∇f = (−215.6, −88)
// (Rosenbrock 1960; also Moré, Garbow & Hillstrom, problem 1). Bounds
// [−2.048, 2.048]² (De Jong's F2 box). RosenbrockN(2) is the same function.
func Rosenbrock() Function {
	const name = "rosenbrock"
	return Function{
		Name:    name,
		Formula: "(1 - x)^2 + 100*(y - x^2)^2",
		Dim:     2,
		Value: func(x []float64) float64 {
			checkX(name, 2, x)
			u := 1 - x[0]
			t := x[1] - x[0]*x[0]
			return u*u + 100*t*t
		},
		Grad: func(dst, x []float64) {
			checkGrad(name, 2, dst, x)
			px := x[0]
			t := x[1] - px*px
			dst[0], dst[1] = -2*(1-px)-400*px*t, 200*t
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			checkHess(name, 2, dst, x)
			px := x[0]
			set2(dst, 1200*px*px-400*x[1]+2, -400*px, 200)
		},
		Minima:   [][]float64{{1, 1}},
		MinValue: 0,
		Start:    []float64{-1.2, 1},
		Bounds:   box(2, -2.048, 2.048),
		Citation: "Rosenbrock, H. H. (1960). An automatic method for finding the greatest or least value of a function. The Computer Journal 3(3):175–184",
	}
}

// ThreeHumpCamel returns the three-hump camel function, with one global and
// two local minima:
//
//	f(x, y)  = 2x² − 1.05x⁴ + x⁶/6 + xy + y²
//	∇f       = (4x − 4.2x³ + x⁵ + y, x + 2y)
//	∇²f      = [[4 − 12.6x² + 5x⁴, 1], [1, 2]]
//
// Minimum f(0, 0) = 0. Bounds [−5, 5]². There is no standard start; this
// package uses (2, −1), in the basin of the local minimum near
// (1.7476, −0.8738).
func ThreeHumpCamel() Function {
	const name = "three-hump-camel"
	return Function{
		Name:    name,
		Formula: "2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2",
		Dim:     2,
		Value: func(x []float64) float64 {
			checkX(name, 2, x)
			px, py := x[0], x[1]
			x2 := px * px
			return 2*x2 - 1.05*x2*x2 + x2*x2*x2/6 + px*py + py*py
		},
		Grad: func(dst, x []float64) {
			checkGrad(name, 2, dst, x)
			px, py := x[0], x[1]
			x2 := px * px
			dst[0], dst[1] = 4*px-4.2*x2*px+x2*x2*px+py, px+2*py
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			checkHess(name, 2, dst, x)
			x2 := x[0] * x[0]
			set2(dst, 4-12.6*x2+5*x2*x2, 1, 2)
		},
		Minima:   [][]float64{{0, 0}},
		MinValue: 0,
		Start:    []float64{2, -1},
		Bounds:   box(2, -5, 5),
		Citation: jamilYang,
	}
}

// Matyas returns the Matyas function, a convex quadratic with a shallow,
// diagonal valley:
//
//	f(x, y) = 0.26 (x² + y²) − 0.48xy
//	∇f      = (0.52x − 0.48y, 0.52y − 0.48x)
//	∇²f     = [[0.52, −0.48], [−0.48, 0.52]]  (eigenvalues 0.04 and 1, κ = 25)
//
// Minimum f(0, 0) = 0. Bounds [−10, 10]². There is no standard start; this
// package uses (5, 2).
func Matyas() Function {
	const name = "matyas"
	return Function{
		Name:    name,
		Formula: "0.26*(x^2 + y^2) - 0.48*x*y",
		Dim:     2,
		Value: func(x []float64) float64 {
			checkX(name, 2, x)
			px, py := x[0], x[1]
			return 0.26*(px*px+py*py) - 0.48*px*py
		},
		Grad: func(dst, x []float64) {
			checkGrad(name, 2, dst, x)
			px, py := x[0], x[1]
			dst[0], dst[1] = 0.52*px-0.48*py, 0.52*py-0.48*px
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			checkHess(name, 2, dst, x)
			set2(dst, 0.52, -0.48, 0.52)
		},
		Minima:   [][]float64{{0, 0}},
		MinValue: 0,
		Start:    []float64{5, 2},
		Bounds:   box(2, -10, 10),
		Citation: jamilYang,
	}
}

// McCormick returns McCormick's function:
//
//	f(x, y) = sin(x + y) + (x − y)² − 1.5x + 2.5y + 1
//	∇f      = (cos(x + y) + 2(x − y) − 1.5, cos(x + y) − 2(x − y) + 2.5)
//	∇²f     = [[2 − s, −2 − s], [−2 − s, 2 − s]],  s = sin(x + y)
//
// ∇f = 0 gives cos(x + y) = −½ and x − y = 1; the Hessian is positive
// definite where sin(x + y) < 0, so the minimiser in Bounds is
// x + y = −2π/3, that is (½ − π/3, −½ − π/3) ≈ (−0.547198, −1.547198), with
// value −√3/2 − π/3 ≈ −1.913223. The literature quotes −1.9133 at
// (−0.54719, −1.54719): the same point, with the value rounded (slightly
// wrongly) to four decimals. Minima and MinValue hold the closed forms.
//
// f is unbounded below on ℝ² (along x = y it is sin 2x + x + 1), so this
// minimum is global only within Bounds, x ∈ [−1.5, 4], y ∈ [−3, 4]. There is
// no standard start; this package uses (0, 0).
func McCormick() Function {
	const name = "mccormick"
	return Function{
		Name:    name,
		Formula: "sin(x + y) + (x - y)^2 - 1.5*x + 2.5*y + 1",
		Dim:     2,
		Value: func(x []float64) float64 {
			checkX(name, 2, x)
			px, py := x[0], x[1]
			d := px - py
			return math.Sin(px+py) + d*d - 1.5*px + 2.5*py + 1
		},
		Grad: func(dst, x []float64) {
			checkGrad(name, 2, dst, x)
			px, py := x[0], x[1]
			c := math.Cos(px + py)
			d := px - py
			dst[0], dst[1] = c+2*d-1.5, c-2*d+2.5
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			checkHess(name, 2, dst, x)
			s := math.Sin(x[0] + x[1])
			set2(dst, 2-s, -2-s, 2-s)
		},
		Minima:   [][]float64{{0.5 - math.Pi/3, -0.5 - math.Pi/3}},
		MinValue: -math.Sqrt(3)/2 - math.Pi/3,
		Start:    []float64{0, 0},
		Bounds:   [][2]float64{{-1.5, 4}, {-3, 4}},
		Citation: jamilYang,
	}
}

// SixHumpCamel returns the six-hump camel function, with six local minima of
// which two, symmetric through the origin, are global:
//
//	f(x, y)  = (4 − 2.1x² + x⁴/3) x² + xy + (−4 + 4y²) y²
//	∇f       = (8x − 8.4x³ + 2x⁵ + y, x − 8y + 16y³)
//	∇²f      = [[8 − 25.2x² + 10x⁴, 1], [1, −8 + 48y²]]
//
// Minimum −1.0316 at (0.0898, −0.7126) and (−0.0898, 0.7126) (literature,
// four decimals, truncated); Minima and MinValue hold them to float64 precision
// (SymPy's nsolve at 40 digits: −1.031628453489877). Bounds x ∈ [−3, 3],
// y ∈ [−2, 2]. There is no standard start (the origin is a stationary
// point); this package uses (−1, 1).
func SixHumpCamel() Function {
	const name = "six-hump-camel"
	return Function{
		Name:    name,
		Formula: "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2",
		Dim:     2,
		Value: func(x []float64) float64 {
			checkX(name, 2, x)
			px, py := x[0], x[1]
			x2, y2 := px*px, py*py
			return (4-2.1*x2+x2*x2/3)*x2 + px*py + (-4+4*y2)*y2
		},
		Grad: func(dst, x []float64) {
			checkGrad(name, 2, dst, x)
			px, py := x[0], x[1]
			x2 := px * px
			dst[0], dst[1] = 8*px-8.4*x2*px+2*x2*x2*px+py, px-8*py+16*py*py*py
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			checkHess(name, 2, dst, x)
			x2 := x[0] * x[0]
			set2(dst, 8-25.2*x2+10*x2*x2, 1, -8+48*x[1]*x[1])
		},
		Minima: [][]float64{
			{0.089842013100318062, -0.71265640302073963},
			{-0.089842013100318062, 0.71265640302073963},
		},
		MinValue: -1.0316284534898774,
		Start:    []float64{-1, 1},
		Bounds:   [][2]float64{{-3, 3}, {-2, 2}},
		Citation: "Dixon, L. C. W. & Szegő, G. P. (1978). The global optimisation problem: an introduction. In Towards Global Optimisation 2, North-Holland, 1–15",
	}
}

// Saddle returns the hyperbolic paraboloid, the textbook non-degenerate
// saddle point:
//
//	f(x, y) = x² − y²
//	∇f      = (2x, −2y)
//	∇²f     = [[2, 0], [0, −2]]
//
// It has no minimum (f → −∞ along the y axis): Minima is nil and MinValue
// is −∞. Its only stationary point is the saddle (0, 0), f = 0, with Hessian
// eigenvalues 2 and −2; the stable manifold is the x axis. Bounds [−1, 1]².
// Start (1, 0.001): near the stable manifold, so gradient descent first
// slows down towards the saddle and only then escapes along y.
func Saddle() Function {
	const name = "saddle"
	return Function{
		Name:    name,
		Formula: "x^2 - y^2",
		Dim:     2,
		Value: func(x []float64) float64 {
			checkX(name, 2, x)
			return x[0]*x[0] - x[1]*x[1]
		},
		Grad: func(dst, x []float64) {
			checkGrad(name, 2, dst, x)
			dst[0], dst[1] = 2*x[0], -2*x[1]
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			checkHess(name, 2, dst, x)
			set2(dst, 2, 0, -2)
		},
		Minima:   nil,
		MinValue: math.Inf(-1),
		Start:    []float64{1, 0.001},
		Bounds:   box(2, -1, 1),
		Citation: "Textbook saddle; on why saddles, not local minima, slow down gradient methods in high dimensions: Dauphin, Y. N. et al. (2014). Identifying and attacking the saddle point problem in high-dimensional non-convex optimization. NeurIPS 27",
	}
}

// MonkeySaddle returns the monkey saddle, a degenerate saddle with three
// descending valleys (two for the legs and one for the tail):
//
//	f(x, y) = x³ − 3xy²  (= Re (x + iy)³)
//	∇f      = (3x² − 3y², −6xy)
//	∇²f     = [[6x, −6y], [−6y, −6x]]
//
// It has no minimum: Minima is nil and MinValue is −∞. Its only stationary
// point is (0, 0), f = 0, where the Hessian is the zero matrix, so no
// second-order test can classify it. Bounds [−1, 1]². Start (1, 0.2).
func MonkeySaddle() Function {
	const name = "monkey-saddle"
	return Function{
		Name:    name,
		Formula: "x^3 - 3*x*y^2",
		Dim:     2,
		Value: func(x []float64) float64 {
			checkX(name, 2, x)
			px, py := x[0], x[1]
			return px*px*px - 3*px*py*py
		},
		Grad: func(dst, x []float64) {
			checkGrad(name, 2, dst, x)
			px, py := x[0], x[1]
			dst[0], dst[1] = 3*px*px-3*py*py, -6*px*py
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			checkHess(name, 2, dst, x)
			px, py := x[0], x[1]
			set2(dst, 6*px, -6*py, -6*px)
		},
		Minima:   nil,
		MinValue: math.Inf(-1),
		Start:    []float64{1, 0.2},
		Bounds:   box(2, -1, 1),
		Citation: "Classical degenerate critical point, e.g. Hilbert, D. & Cohn-Vossen, S. (1932). Anschauliche Geometrie. Springer (English: Geometry and the Imagination, 1952)",
	}
}
