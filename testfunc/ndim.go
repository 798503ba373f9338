package testfunc

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/gonum/mat"
)

// Sphere returns De Jong's sphere function F1 in n dimensions, the simplest
// convex quadratic:
//
//	f(x)   = Σᵢ xᵢ²
//	∂f/∂xᵢ = 2xᵢ
//	∇²f    = 2I
//
// Minimum f(0) = 0. Bounds [−5.12, 5.12]ⁿ (De Jong). There is no standard
// start; this package uses xᵢ = 3. It panics if n < 1.
func Sphere(n int) Function {
	const name = "sphere"
	if n < 1 {
		panic(fmt.Sprintf("testfunc: Sphere: n = %d, want n ≥ 1", n))
	}
	return Function{
		Name:    name,
		Formula: "Σ_{i=1}^{n} [x_i^2]",
		Dim:     n,
		Value: func(x []float64) float64 {
			checkX(name, n, x)
			var s float64
			for _, v := range x {
				s += v * v
			}
			return s
		},
		Grad: func(dst, x []float64) {
			checkGrad(name, n, dst, x)
			for i, v := range x {
				dst[i] = 2 * v
			}
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			checkHess(name, n, dst, x)
			dst.Zero()
			for i := range n {
				dst.SetSym(i, i, 2)
			}
		},
		Minima:   [][]float64{make([]float64, n)},
		MinValue: 0,
		Start:    fill(n, 3),
		Bounds:   box(n, -5.12, 5.12),
		Citation: "De Jong, K. A. (1975). An analysis of the behavior of a class of genetic adaptive systems. PhD thesis, University of Michigan (function F1)",
	}
}

// RosenbrockN returns the chained (generalised) Rosenbrock function in
// n ≥ 2 dimensions, the variant in which each coordinate is coupled to the
// next:
//
//	f(x) = Σ_{i=1}^{n−1} [100 (x_{i+1} − xᵢ²)² + (1 − xᵢ)²]
//
//	∂f/∂xⱼ = −400 xⱼ (x_{j+1} − xⱼ²) − 2 (1 − xⱼ)   [j < n]
//	         + 200 (xⱼ − x_{j−1}²)                 [j > 1]
//	∂²f/∂xⱼ² = 1200 xⱼ² − 400 x_{j+1} + 2 [j < n] + 200 [j > 1]
//	∂²f/∂xⱼ∂x_{j+1} = −400 xⱼ; every other entry is 0 (the Hessian is
//	tridiagonal)
//
// This is the form scipy.optimize.rosen computes and the one studied by
// Shang & Qiu (2006). It is not Moré, Garbow & Hillstrom's "extended
// Rosenbrock" (their problem 21), which sums independent 2-D copies over the
// pairs (x₁,x₂), (x₃,x₄), …; for n = 2 both equal Rosenbrock.
//
// Global minimum f(1, …, 1) = 0. For 4 ≤ n ≤ 30 f has two minima (Shang &
// Qiu 2006): the global one and a local one near (−1, 1, …, 1), where a
// local method can stop. Start (−1.2, 1, −1.2, 1, …), the alternating start of
// Moré, Garbow & Hillstrom; Bounds [−2.048, 2.048]ⁿ (De Jong's F2 box).
// It panics if n < 2.
//
// Value and Grad are single O(n) passes; Hess writes all n² entries of dst
// (it must clear them), so use it only for moderate n.
func RosenbrockN(n int) Function {
	const name = "rosenbrock-n"
	if n < 2 {
		panic(fmt.Sprintf("testfunc: RosenbrockN: n = %d, want n ≥ 2", n))
	}
	start := make([]float64, n)
	for i := range start {
		if i%2 == 0 {
			start[i] = -1.2
		} else {
			start[i] = 1
		}
	}
	return Function{
		Name:    name,
		Formula: "Σ_{i=1}^{n-1} [100*(x_{i+1} - x_i^2)^2 + (1 - x_i)^2]",
		Dim:     n,
		Value: func(x []float64) float64 {
			checkX(name, n, x)
			var s float64
			for i := 0; i+1 < len(x); i++ {
				a := x[i]
				t := x[i+1] - a*a
				u := 1 - a
				s += 100*t*t + u*u
			}
			return s
		},
		Grad: func(dst, x []float64) {
			checkGrad(name, n, dst, x)
			dst = dst[:len(x)]
			// back = 200 (xⱼ − x_{j−1}²), the part of ∂f/∂xⱼ from term j−1.
			// Step j reads x[j], x[j+1] and writes only dst[j], so dst may be x.
			var back float64
			for j := 0; j+1 < len(x); j++ {
				a := x[j]
				t := x[j+1] - a*a
				dst[j] = back - 400*a*t - 2*(1-a)
				back = 200 * t
			}
			dst[len(x)-1] = back
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			checkHess(name, n, dst, x)
			dst.Zero()
			for j := range n {
				var d float64
				if j+1 < n {
					d = 1200*x[j]*x[j] - 400*x[j+1] + 2
					dst.SetSym(j, j+1, -400*x[j])
				}
				if j > 0 {
					d += 200
				}
				dst.SetSym(j, j, d)
			}
		},
		Minima:   [][]float64{fill(n, 1)},
		MinValue: 0,
		Start:    start,
		Bounds:   box(n, -2.048, 2.048),
		Citation: "Chained form: Shang, Y.-W. & Qiu, Y.-H. (2006). A note on the extended Rosenbrock function. Evolutionary Computation 14(1):119–126. " +
			"Start: Moré, J. J., Garbow, B. S. & Hillstrom, K. E. (1981). Testing unconstrained optimization software. ACM TOMS 7(1):17–41. " +
			"Original 2-D function: Rosenbrock, H. H. (1960), The Computer Journal 3(3):175–184",
	}
}

// Rastrigin returns the generalised Rastrigin function in n dimensions, a
// sphere with a cosine ripple that creates a regular lattice of local
// minima near the integer points:
//
//	f(x)      = 10n + Σᵢ [xᵢ² − 10 cos(2π xᵢ)]
//	∂f/∂xᵢ    = 2xᵢ + 20π sin(2π xᵢ)
//	∂²f/∂xᵢ²  = 2 + 40π² cos(2π xᵢ); off-diagonal entries are 0
//
// Global minimum f(0) = 0. Bounds [−5.12, 5.12]ⁿ. There is no standard start
// (papers sample the box); this package uses xᵢ = 3, which lies in the basin
// of the local minimum near (2.98, …, 2.98), so a pure gradient method is
// expected to stop there. It panics if n < 1.
func Rastrigin(n int) Function {
	const name = "rastrigin"
	if n < 1 {
		panic(fmt.Sprintf("testfunc: Rastrigin: n = %d, want n ≥ 1", n))
	}
	const twoPi = 2 * math.Pi
	return Function{
		Name:    name,
		Formula: "10*n + Σ_{i=1}^{n} [x_i^2 - 10*cos(2*π*x_i)]",
		Dim:     n,
		Value: func(x []float64) float64 {
			checkX(name, n, x)
			s := 10 * float64(n)
			for _, v := range x {
				s += v*v - 10*math.Cos(twoPi*v)
			}
			return s
		},
		Grad: func(dst, x []float64) {
			checkGrad(name, n, dst, x)
			for i, v := range x {
				dst[i] = 2*v + 10*twoPi*math.Sin(twoPi*v)
			}
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			checkHess(name, n, dst, x)
			dst.Zero()
			for i, v := range x {
				dst.SetSym(i, i, 2+10*twoPi*twoPi*math.Cos(twoPi*v))
			}
		},
		Minima:   [][]float64{make([]float64, n)},
		MinValue: 0,
		Start:    fill(n, 3),
		Bounds:   box(n, -5.12, 5.12),
		Citation: "Rastrigin, L. A. (1974). Systems of Extremal Control. Nauka, Moscow (2-D). " +
			"n-D form: Mühlenbein, H., Schomisch, M. & Born, J. (1991). The parallel genetic algorithm as function optimizer. Parallel Computing 17(6–7):619–632",
	}
}

// IllConditioned returns the diagonal quadratic with condition number cond:
//
//	f(x)   = ½ Σᵢ λᵢ xᵢ²,  λᵢ = cond^((i−1)/(n−1)), i = 1 … n
//	∂f/∂xᵢ = λᵢ xᵢ
//	∇²f    = diag(λ₁, …, λₙ)
//
// The eigenvalues λ are log-spaced from λ₁ = 1 to λₙ = cond, so κ(∇²f) =
// cond. Steepest descent with exact line search contracts the error (in the
// ∇²f norm) only by the factor ((κ−1)/(κ+1))² per step in the worst case
// (Nocedal & Wright, Theorem 3.3), which is what this function exposes.
//
// Minimum f(0) = 0. There is no standard start or box; this package uses
// xᵢ = 1 and [−5, 5]ⁿ. It panics if n < 1, if cond is not a finite number
// ≥ 1, or if n = 1 and cond ≠ 1 (one eigenvalue has condition number 1).
func IllConditioned(n int, cond float64) Function {
	const name = "ill-conditioned"
	if n < 1 {
		panic(fmt.Sprintf("testfunc: IllConditioned: n = %d, want n ≥ 1", n))
	}
	if !(cond >= 1) || math.IsInf(cond, 1) {
		panic(fmt.Sprintf("testfunc: IllConditioned: cond = %v, want a finite number ≥ 1", cond))
	}
	if n == 1 && cond != 1 {
		panic(fmt.Sprintf("testfunc: IllConditioned: n = 1 has condition number 1, not cond = %v; use n ≥ 2", cond))
	}
	lambda := make([]float64, n)
	formula := "0.5*Σ_{i=1}^{n} [x_i^2]"
	if n == 1 {
		lambda[0] = 1
	} else {
		for i := range lambda {
			lambda[i] = math.Pow(cond, float64(i)/float64(n-1))
		}
		formula = "0.5*Σ_{i=1}^{n} [" + strconv.FormatFloat(cond, 'g', -1, 64) + "^((i-1)/(n-1))*x_i^2]"
	}
	return Function{
		Name:    name,
		Formula: formula,
		Dim:     n,
		Value: func(x []float64) float64 {
			checkX(name, n, x)
			var s float64
			for i, v := range x {
				s += lambda[i] * v * v
			}
			return s / 2
		},
		Grad: func(dst, x []float64) {
			checkGrad(name, n, dst, x)
			for i, v := range x {
				dst[i] = lambda[i] * v
			}
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			checkHess(name, n, dst, x)
			dst.Zero()
			for i, l := range lambda {
				dst.SetSym(i, i, l)
			}
		},
		Minima:   [][]float64{make([]float64, n)},
		MinValue: 0,
		Start:    fill(n, 1),
		Bounds:   box(n, -5, 5),
		Citation: "Nocedal, J. & Wright, S. J. (2006). Numerical Optimization, 2nd ed. Springer, §3.3 (rate of steepest descent on a quadratic, Theorem 3.3)",
	}
}

// styblinskiTangRoot is the smallest root of f′(t) = 2t³ − 16t + 5/2 = 0,
// the coordinate of the Styblinski–Tang minimiser, computed with SymPy
// (nsolve at 40 digits; see testdata/gen_sympy.py). The literature gives
// −2.903534.
const styblinskiTangRoot = -2.9035340277711770951

// styblinskiTangMin is ½(t⁴ − 16t² + 5t) at t = styblinskiTangRoot
// (SymPy, 30 digits). The literature usually quotes −39.16599, which is off
// in the fifth significant digit; the exact value is −39.166165703771….
const styblinskiTangMin = -39.166165703771415464

// StyblinskiTang returns the Styblinski–Tang function in n dimensions, a
// separable quartic with 2ⁿ local minima:
//
//	f(x)      = ½ Σᵢ (xᵢ⁴ − 16xᵢ² + 5xᵢ)
//	∂f/∂xᵢ    = 2xᵢ³ − 16xᵢ + 5/2
//	∂²f/∂xᵢ²  = 6xᵢ² − 16; off-diagonal entries are 0
//
// Global minimum at xᵢ = t* ≈ −2.903534 (the smallest root of
// 2t³ − 16t + 5/2), value −39.16616570… · n. Many references print
// −39.16599·n; that value is slightly wrong, see MinValue. Bounds [−5, 5]ⁿ.
// There is no standard start; this package uses xᵢ = 0, from which
// gradient descent (∂f/∂xᵢ = 5/2 > 0) heads to the global minimum.
// It panics if n < 1.
func StyblinskiTang(n int) Function {
	const name = "styblinski-tang"
	if n < 1 {
		panic(fmt.Sprintf("testfunc: StyblinskiTang: n = %d, want n ≥ 1", n))
	}
	return Function{
		Name:    name,
		Formula: "0.5*Σ_{i=1}^{n} [x_i^4 - 16*x_i^2 + 5*x_i]",
		Dim:     n,
		Value: func(x []float64) float64 {
			checkX(name, n, x)
			var s float64
			for _, v := range x {
				v2 := v * v
				s += v2*v2 - 16*v2 + 5*v
			}
			return s / 2
		},
		Grad: func(dst, x []float64) {
			checkGrad(name, n, dst, x)
			for i, v := range x {
				dst[i] = 2*v*v*v - 16*v + 2.5
			}
		},
		Hess: func(dst *mat.SymDense, x []float64) {
			checkHess(name, n, dst, x)
			dst.Zero()
			for i, v := range x {
				dst.SetSym(i, i, 6*v*v-16)
			}
		},
		Minima:   [][]float64{fill(n, styblinskiTangRoot)},
		MinValue: styblinskiTangMin * float64(n),
		Start:    make([]float64, n),
		Bounds:   box(n, -5, 5),
		Citation: "Styblinski, M. A. & Tang, T.-S. (1990). Experiments in nonconvex optimization: stochastic approximation with function smoothing and simulated annealing. Neural Networks 3(4):467–483",
	}
}
