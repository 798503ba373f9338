// Package numdiff computes derivatives by finite differences and checks
// analytic gradients against them.
//
// A finite-difference formula is data: a Stencil lists the offsets (in units of
// the step h) at which f is evaluated and the weights that combine those values,
//
//	f⁽ᵈ⁾(x) ≈ Σₖ Coeffs[k] · f(x + Points[k]·h) / hᵈ,   d = Order,
//
// with truncation error O(h^Accuracy). Derivative, Gradient, Jacobian and
// Hessian apply a stencil coordinate by coordinate with a step scaled to each
// coordinate, hᵢ = Step · max(|xᵢ|, 1), rounded so that xᵢ + hᵢ − xᵢ = hᵢ
// exactly in floating point. GradCheck compares an analytic gradient with the
// numerical one entry by entry.
//
// Finite differences trade truncation error (large h) against rounding error
// (small h): with machine epsilon ε the total error is smallest near
// h ≈ ε^(1/(Accuracy+Order)), which is each stencil's default Step. Even then a
// central difference is good to only about ε^(2/3) ≈ 4e-11 relative, so use
// float64 and compare with tolerances, never exactly.
package numdiff

import (
	"fmt"
	"math"
)

// Stencil is a finite-difference formula for the Order-th derivative:
//
//	f⁽ᴼʳᵈᵉʳ⁾(x) ≈ Σₖ Coeffs[k] · f(x + Points[k]·h) / h^Order + O(h^Accuracy).
//
// Write your own by filling the fields; Validate checks the moment conditions
// that make a formula exact for polynomials of degree < Order + Accuracy.
type Stencil struct {
	Name     string    // short name shown in reports, e.g. "central"
	Order    int       // which derivative: 1 for f′, 2 for f″
	Accuracy int       // truncation error is O(h^Accuracy)
	Points   []float64 // offsets from x in units of h
	Coeffs   []float64 // weights, one per point
	Step     float64   // default relative step: h = Step · max(|x|, 1)
}

// eps is the float64 machine epsilon, 2⁻⁵².
const eps = 0x1p-52

// optimalStep is the step that balances truncation error O(h^accuracy) against
// rounding error O(ε/h^order): h ≈ ε^(1/(accuracy+order)).
func optimalStep(order, accuracy int) float64 {
	return math.Pow(eps, 1/float64(accuracy+order))
}

// The standard stencils. Their Step is optimalStep(Order, Accuracy).
var (
	// Forward is the forward difference f′(x) ≈ (f(x+h) − f(x)) / h, O(h).
	Forward = Stencil{Name: "forward", Order: 1, Accuracy: 1,
		Points: []float64{0, 1}, Coeffs: []float64{-1, 1}, Step: optimalStep(1, 1)}
	// Backward is the backward difference f′(x) ≈ (f(x) − f(x−h)) / h, O(h).
	Backward = Stencil{Name: "backward", Order: 1, Accuracy: 1,
		Points: []float64{-1, 0}, Coeffs: []float64{-1, 1}, Step: optimalStep(1, 1)}
	// Central is the central difference f′(x) ≈ (f(x+h) − f(x−h)) / 2h, O(h²).
	// It is the default everywhere.
	Central = Stencil{Name: "central", Order: 1, Accuracy: 2,
		Points: []float64{-1, 1}, Coeffs: []float64{-0.5, 0.5}, Step: optimalStep(1, 2)}
	// FivePoint is the five-point central difference
	// f′(x) ≈ (f(x−2h) − 8f(x−h) + 8f(x+h) − f(x+2h)) / 12h, O(h⁴).
	FivePoint = Stencil{Name: "five-point", Order: 1, Accuracy: 4,
		Points: []float64{-2, -1, 1, 2}, Coeffs: []float64{1.0 / 12, -8.0 / 12, 8.0 / 12, -1.0 / 12}, Step: optimalStep(1, 4)}
	// Central2 is the second central difference
	// f″(x) ≈ (f(x−h) − 2f(x) + f(x+h)) / h², O(h²).
	Central2 = Stencil{Name: "central2", Order: 2, Accuracy: 2,
		Points: []float64{-1, 0, 1}, Coeffs: []float64{1, -2, 1}, Step: optimalStep(2, 2)}
	// FivePoint2 is the five-point second difference
	// f″(x) ≈ (−f(x−2h) + 16f(x−h) − 30f(x) + 16f(x+h) − f(x+2h)) / 12h², O(h⁴).
	FivePoint2 = Stencil{Name: "five-point2", Order: 2, Accuracy: 4,
		Points: []float64{-2, -1, 0, 1, 2}, Coeffs: []float64{-1.0 / 12, 16.0 / 12, -30.0 / 12, 16.0 / 12, -1.0 / 12}, Step: optimalStep(2, 4)}
)

// Stencils lists the standard stencils.
func Stencils() []Stencil {
	return []Stencil{Forward, Backward, Central, FivePoint, Central2, FivePoint2}
}

// Validate checks that s is a consistent formula: as many coefficients as
// points, Order ≥ 1, Accuracy ≥ 1, a positive finite Step, and the moment
// conditions Σₖ Coeffs[k]·Points[k]ʲ = Order!·[j = Order] for
// j = 0 … Order+Accuracy−1, which make the formula exact on polynomials of
// that degree (and so its error O(h^Accuracy) by Taylor's theorem).
func (s Stencil) Validate() error {
	switch {
	case len(s.Points) == 0 || len(s.Points) != len(s.Coeffs):
		return fmt.Errorf("numdiff: stencil %q has %d points and %d coefficients; they must be equal and non-zero", s.Name, len(s.Points), len(s.Coeffs))
	case s.Order < 1:
		return fmt.Errorf("numdiff: stencil %q has order %d; it must be at least 1", s.Name, s.Order)
	case s.Accuracy < 1:
		return fmt.Errorf("numdiff: stencil %q has accuracy %d; it must be at least 1", s.Name, s.Accuracy)
	case !(s.Step > 0) || math.IsInf(s.Step, 0):
		return fmt.Errorf("numdiff: stencil %q has step %g; it must be positive and finite", s.Name, s.Step)
	}
	factorial := 1.0
	for j := 2; j <= s.Order; j++ {
		factorial *= float64(j)
	}
	scale := 0.0
	for _, c := range s.Coeffs {
		scale += math.Abs(c)
	}
	for j := 0; j < s.Order+s.Accuracy; j++ {
		var moment float64
		for k, p := range s.Points {
			moment += s.Coeffs[k] * math.Pow(p, float64(j))
		}
		want := 0.0
		if j == s.Order {
			want = factorial
		}
		if math.Abs(moment-want) > 1e-12*scale*math.Max(1, math.Abs(want)) {
			return fmt.Errorf("numdiff: stencil %q: Σ coeff·point^%d = %g, want %g; the coefficients do not give an order-%d derivative with accuracy %d",
				s.Name, j, moment, want, s.Order, s.Accuracy)
		}
	}
	return nil
}

// String returns the stencil's name.
func (s Stencil) String() string { return s.Name }
