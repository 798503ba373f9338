package diagnose

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// The kinds of stationary point Classify tells apart.
const (
	Minimum = "minimum"
	Maximum = "maximum"
	Saddle  = "saddle"
	Flat    = "flat"
)

// RelTol and AbsTol decide which Hessian eigenvalues count as zero: λ is
// zero when |λ| ≤ RelTol·max|λ| or |λ| ≤ AbsTol. The relative test makes the
// classification independent of the scale of f; the absolute one makes a
// Hessian that vanishes entirely (up to rounding) flat.
const (
	RelTol = 1e-8
	AbsTol = 1e-12
)

// ClassifyEigenvalues applies the second-derivative test to the eigenvalues
// of a Hessian ∇²f(x) at a stationary point x (∇f(x) = 0):
//
//	all λ > 0                      → "minimum" (f curves up in every direction)
//	all λ < 0                      → "maximum"
//	some λ > 0 and some λ < 0      → "saddle" (up along some directions, down along others)
//	otherwise (some λ ≈ 0, no two
//	of opposite sign)              → "flat": the test is inconclusive, higher
//	                                 derivatives decide (x⁴ + y⁴ at 0 is a minimum,
//	                                 x³ at 0 is neither)
//
// with "≈ 0" as RelTol and AbsTol say. It panics on no eigenvalues or a NaN.
func ClassifyEigenvalues(eig []float64) string {
	if len(eig) == 0 {
		panic("diagnose: ClassifyEigenvalues: no eigenvalues")
	}
	big := 0.0
	for _, l := range eig {
		if math.IsNaN(l) {
			panic("diagnose: ClassifyEigenvalues: NaN eigenvalue")
		}
		big = max(big, math.Abs(l))
	}
	pos, neg, zero := 0, 0, 0
	for _, l := range eig {
		switch {
		case math.Abs(l) <= RelTol*big || math.Abs(l) <= AbsTol:
			zero++
		case l > 0:
			pos++
		default:
			neg++
		}
	}
	switch {
	case pos > 0 && neg > 0:
		return Saddle
	case zero > 0:
		return Flat
	case pos > 0:
		return Minimum
	default:
		return Maximum
	}
}

// Point describes f near a point x: the gradient, the Hessian's eigenvalues
// and the kind of stationary point the second-derivative test makes of it.
type Point struct {
	X           []float64 `json:"x"`
	Value       float64   `json:"value"`
	Grad        []float64 `json:"grad"`
	GradNorm    float64   `json:"grad_norm"`
	Eigenvalues []float64 `json:"eigenvalues"` // ascending
	// Kind is ClassifyEigenvalues(Eigenvalues): meaningful when x is
	// (nearly) stationary, i.e. GradNorm is small.
	Kind string `json:"kind"`
}

// Classify evaluates f: Rⁿ → R at x with its exact gradient and Hessian
// (autodiff.Hessian: the gradient's graph differentiated once per row, n + 1
// reverse passes; not finite differences), takes the
// Hessian's eigenvalues with gonum's mat.EigenSym and classifies them as
// ClassifyEigenvalues does. The Hessian is symmetrised, (H + Hᵀ)/2, against
// rounding. It returns an error if f fails or its value, gradient or
// Hessian is not finite; it panics on an empty x.
func Classify(f autodiff.Func[float64], x []float64) (Point, error) {
	if len(x) == 0 {
		panic("diagnose: Classify: empty point")
	}
	n := len(x)
	xt := tensor.FromSlice(append([]float64(nil), x...), n)
	v, g, err := autodiff.ValueAndGrad(f, xt)
	if err != nil {
		return Point{}, fmt.Errorf("diagnose: Classify at %v: %w", x, err)
	}
	h, err := autodiff.Hessian(f, xt)
	if err != nil {
		return Point{}, fmt.Errorf("diagnose: Classify at %v: %w", x, err)
	}
	p := Point{X: append([]float64(nil), x...), Value: v, Grad: append([]float64(nil), g.Data()...)}
	p.GradNorm = math.Sqrt(sumSquares(p.Grad))
	hd := h.Data()
	if math.IsNaN(v) || math.IsInf(v, 0) || countNonFinite(p.Grad) > 0 || countNonFinite(hd) > 0 {
		return p, fmt.Errorf("diagnose: Classify at %v: f, its gradient or its Hessian is not finite (f = %v)", x, v)
	}
	sym := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			sym.SetSym(i, j, (hd[i*n+j]+hd[j*n+i])/2)
		}
	}
	var es mat.EigenSym
	if !es.Factorize(sym, false) {
		return p, fmt.Errorf("diagnose: Classify at %v: the eigenvalue decomposition did not converge", x)
	}
	p.Eigenvalues = es.Values(nil)
	p.Kind = ClassifyEigenvalues(p.Eigenvalues)
	return p, nil
}

// SaddleVisit is a stretch of an optimiser's path that passed near a saddle
// point.
type SaddleVisit struct {
	// From and To are the indices of the first and last points of the
	// stretch in the path.
	From int `json:"from"`
	To   int `json:"to"`
	// Closest is the point of the stretch with the smallest gradient norm,
	// with its index, gradient and Hessian eigenvalues.
	Index   int   `json:"index"`
	Closest Point `json:"closest"`
}

// NearSaddles walks an optimiser's path (path[i] is the point after step i)
// and reports where it passed near a saddle point of f: stretches of
// consecutive points whose gradient norm is at most gradTol times the
// largest gradient norm along the path (so near-stationary, whatever the
// scale of f) and whose Hessian at the point of smallest gradient norm is
// indefinite (eigenvalues of both signs, as Classify says "saddle").
// gradTol 0 means 0.05. A path that slows down near a saddle and then
// escapes shows up here; one that ends at a minimum does not.
//
// It returns the visits in path order, or an error from f (naming the
// point). It panics if the points do not all have the same length.
func NearSaddles(f autodiff.Func[float64], path [][]float64, gradTol float64) ([]SaddleVisit, error) {
	if gradTol == 0 {
		gradTol = 0.05
	}
	if gradTol < 0 {
		panic("diagnose: NearSaddles: negative gradTol")
	}
	norms := make([]float64, len(path))
	big := 0.0
	for i, x := range path {
		if len(x) != len(path[0]) || len(x) == 0 {
			panic(fmt.Sprintf("diagnose: NearSaddles: point %d has %d coordinates, point 0 has %d", i, len(x), len(path[0])))
		}
		g, err := autodiff.Grad(f, tensor.FromSlice(append([]float64(nil), x...), len(x)))
		if err != nil {
			return nil, fmt.Errorf("diagnose: NearSaddles: point %d: %w", i, err)
		}
		norms[i] = math.Sqrt(sumSquares(g.Data()))
		if !math.IsNaN(norms[i]) && !math.IsInf(norms[i], 0) {
			big = max(big, norms[i])
		}
	}
	var visits []SaddleVisit
	for i := 0; i < len(path); {
		if !(norms[i] <= gradTol*big) {
			i++
			continue
		}
		j, best := i, i
		for j+1 < len(path) && norms[j+1] <= gradTol*big {
			j++
			if norms[j] < norms[best] {
				best = j
			}
		}
		p, err := Classify(f, path[best])
		if err != nil {
			return nil, fmt.Errorf("diagnose: NearSaddles: point %d: %w", best, err)
		}
		if p.Kind == Saddle {
			visits = append(visits, SaddleVisit{From: i, To: j, Index: best, Closest: p})
		}
		i = j + 1
	}
	return visits, nil
}
