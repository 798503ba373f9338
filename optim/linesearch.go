package optim

import (
	"errors"
	"fmt"
	"math"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// Objective is a differentiable function f: Rⁿ → R for the line searches
// (SearchLine): it returns f(x) and stores ∇f(x) in grad (len(grad) =
// len(x), every entry overwritten). It must not modify x, nor keep x or
// grad after it returns. An error stops the search and is returned
// wrapped. (L-BFGS, which moves autodiff parameters, takes a Closure.)
//
// A plain Go function is one literal away,
//
//	obj := func(x, g []float64) (float64, error) {
//		g[0], g[1] = 2*x[0], 8*x[1]
//		return x[0]*x[0] + 4*x[1]*x[1], nil
//	}
//
// a value and a gradient function (such as a testfunc.Function's) are
// joined by ValueGrad, and an autodiff function is wrapped by ObjectiveOf.
type Objective[T Float] func(x, grad []T) (float64, error)

// ValueGrad joins a value function and a gradient function that writes
// ∇f(x) into dst into an Objective: optim.ValueGrad(fn.Value, fn.Grad) for
// a testfunc.Function fn.
func ValueGrad[T Float](value func(x []T) float64, grad func(dst, x []T)) Objective[T] {
	return func(x, g []T) (float64, error) {
		grad(g, x)
		return value(x), nil
	}
}

// ObjectiveOf wraps an autodiff function of one tensor as an Objective: x
// is viewed as a tensor of the given shape (default: a vector of len(x)),
// and f(x) and ∇f(x) come from one forward and one backward pass
// (autodiff.ValueAndGrad). Errors of the pass (a wrong output shape, a
// non-finite gradient) are returned.
func ObjectiveOf[T Float](f autodiff.Func[T], shape ...int) Objective[T] {
	return func(x, g []T) (float64, error) {
		v, gt, err := autodiff.ValueAndGrad(f, tensor.FromSlice(x, shape...))
		if err != nil {
			return math.NaN(), err
		}
		copy(g, gt.Data())
		return float64(v), nil
	}
}

// LineSearch chooses the step α along a direction d from a point x. It is
// implemented by Backtracking (sufficient decrease only) and StrongWolfe
// (sufficient decrease and curvature); run one with SearchLine, or give one
// to L-BFGS.
type LineSearch interface {
	lineSearch() // a closed set: Backtracking, StrongWolfe
}

// Errors of SearchLine, wrapped with the numbers that explain them; test
// with errors.Is.
var (
	// ErrNotDescent: ∇f(x)·d ≥ 0, so no small step along d lowers f.
	ErrNotDescent = errors.New("optim: not a descent direction")
	// ErrLineSearch: the search ended without a step that satisfies its
	// conditions (the result still holds the best point found).
	ErrLineSearch = errors.New("optim: line search failed")
)

// LineResult is the outcome of a line search along d from x.
type LineResult[T Float] struct {
	Step  float64 // the step α
	X     []T     // the new point x + α·d
	F     float64 // f(x + α·d)
	Grad  []T     // ∇f(x + α·d)
	Evals int     // evaluations of the objective made by the search
}

// Backtracking is the Armijo backtracking line search (Nocedal & Wright,
// Numerical Optimization, 2nd ed., Algorithm 3.1). With φ(α) = f(x + α·d)
// and φ'(0) = ∇f(x)·d < 0, it tries
//
//	α = α₀, ρ·α₀, ρ²·α₀, …   (α₀ = Step, ρ = Shrink)
//
// and returns the first α with sufficient decrease (the Armijo condition)
//
//	φ(α) ≤ φ(0) + c₁·α·φ'(0)   (c₁ = C1)
//
// A trial where f is NaN or ±Inf fails the test, so a step that overflows
// is shrunk too. It needs only values at the trial points, but returns the
// gradient at the accepted one (the Objective computes both).
type Backtracking struct {
	Step    float64 // α₀ > 0, the first trial step; default 1
	Shrink  float64 // ρ ∈ (0, 1); default 0.5
	C1      float64 // c₁ ∈ [0, 1); default 1e-4 (optim.Zero for 0: any decrease)
	MaxIter int     // times α may shrink; default 50 (so at most 51 evaluations)
}

// StrongWolfe is the line search of torch.optim.LBFGS (function
// _strong_wolfe of torch/optim/lbfgs.py, 1.13, a port of Torch7's
// lswolfe.lua; Nocedal & Wright, Algorithms 3.5 and 3.6), operation for
// operation. With φ(α) = f(x + α·d) and φ'(α) = ∇f(x + α·d)·d, it looks
// for α satisfying the strong Wolfe conditions
//
//	φ(α) ≤ φ(0) + c₁·α·φ'(0)     sufficient decrease (Armijo), c₁ = C1
//	|φ'(α)| ≤ −c₂·φ'(0)          curvature, c₂ = C2
//
// Bracketing, from α = Step with α_prev = 0 (at most MaxIter extra
// evaluations in both phases together):
//
//	if φ(α) breaks sufficient decrease, or φ(α) ≥ φ(α_prev) after the
//	    second trial: zoom in [α_prev, α]
//	if |φ'(α)| ≤ −c₂·φ'(0): accept α
//	if φ'(α) ≥ 0: zoom in [α_prev, α]
//	otherwise extrapolate: α ← cubic(α_prev, α) clamped to
//	    [α + 0.01·(α − α_prev), 10·α]
//
// Zoom keeps a bracket [lo, hi] (lo the end with the lower φ):
//
//	stop if |hi − lo|·max|d| < ToleranceChange
//	α ← cubic(lo, hi) inside the bracket; if α lies within 10 % of the
//	    bracket's width of an end, and did so at the previous trial too (or
//	    is outside), move it to 10 % of the width from the nearer end
//	if φ(α) breaks sufficient decrease or φ(α) ≥ φ(lo): hi ← α
//	else: accept α if |φ'(α)| ≤ −c₂·φ'(0); else if φ'(α)·(hi − lo) ≥ 0,
//	    hi ← lo; then lo ← α
//
// and returns lo when it stops. cubic(a, b) is the minimiser of the cubic
// through φ and φ' at a and b (Nocedal & Wright, eq. 3.59): for a ≤ b,
//
//	d₁ = φ'(a) + φ'(b) − 3·(φ(a) − φ(b))/(a − b)
//	d₂ = √(d₁² − φ'(a)·φ'(b))
//	α  = b − (b − a)·(φ'(b) + d₂ − d₁)/(φ'(b) − φ'(a) + 2·d₂)
//
// clamped to the bounds, or the bounds' midpoint when d₁² < φ'(a)·φ'(b)
// (the cubic has no minimiser).
//
// Where PyTorch's code would go on with NaN (a trial where f is NaN, or a
// cubic step that is 0/0), this one treats f = NaN or ±Inf as failing
// sufficient decrease and takes the bounds' midpoint for a NaN cubic step;
// with finite numbers it is PyTorch's arithmetic exactly.
type StrongWolfe struct {
	Step            float64 // α₀ > 0, the first trial step; default 1 (L-BFGS passes its own)
	C1              float64 // c₁ ∈ [0, c₂); default 1e-4
	C2              float64 // c₂ ∈ (c₁, 1); default 0.9
	ToleranceChange float64 // smallest bracket width times max|d|; default 1e-9 (optim.Zero for 0)
	MaxIter         int     // trials after the first (torch's max_ls); default 25
}

func (Backtracking) lineSearch() {}
func (StrongWolfe) lineSearch()  {}

// defaults fills unset fields and checks the settings.
func (s Backtracking) defaults() (Backtracking, error) {
	s.Step, s.Shrink, s.C1 = or(s.Step, 1), or(s.Shrink, 0.5), or(s.C1, 1e-4)
	s.MaxIter = cmpOr(s.MaxIter, 50)
	switch {
	case !(s.Step > 0) || math.IsInf(s.Step, 0):
		return s, errorf("Backtracking: Step = %g must be positive and finite", s.Step)
	case !(s.Shrink > 0 && s.Shrink < 1):
		return s, errorf("Backtracking: Shrink = %g must lie in (0, 1)", s.Shrink)
	case !(s.C1 >= 0 && s.C1 < 1):
		return s, errorf("Backtracking: C1 = %g must lie in [0, 1)", s.C1)
	case s.MaxIter < 0:
		return s, errorf("Backtracking: MaxIter = %d must not be negative", s.MaxIter)
	}
	return s, nil
}

func (s StrongWolfe) defaults() (StrongWolfe, error) {
	s.Step, s.C1, s.C2 = or(s.Step, 1), or(s.C1, 1e-4), or(s.C2, 0.9)
	s.ToleranceChange = or(s.ToleranceChange, 1e-9)
	s.MaxIter = cmpOr(s.MaxIter, 25)
	switch {
	case !(s.Step > 0) || math.IsInf(s.Step, 0):
		return s, errorf("StrongWolfe: Step = %g must be positive and finite", s.Step)
	case !(s.C1 >= 0 && s.C1 < s.C2 && s.C2 < 1):
		return s, errorf("StrongWolfe: C1 = %g and C2 = %g must satisfy 0 ≤ C1 < C2 < 1", s.C1, s.C2)
	case !(s.ToleranceChange >= 0):
		return s, errorf("StrongWolfe: ToleranceChange = %g must not be negative", s.ToleranceChange)
	case s.MaxIter < 0:
		return s, errorf("StrongWolfe: MaxIter = %d must not be negative", s.MaxIter)
	}
	return s, nil
}

// SearchLine runs the line search ls along d from x for the objective f,
// where fx = f(x) and gx = ∇f(x). With gx nil it evaluates them first (one
// more evaluation, counted in Evals; fx is then ignored). For example, one
// step of steepest descent with Armijo backtracking:
//
//	d := make([]float64, len(x))
//	for i := range d { d[i] = -g[i] }
//	r, err := optim.SearchLine(optim.Backtracking{}, obj, x, d, fx, g)
//	x, fx, g = r.X, r.F, r.Grad
//
// Errors: ErrNotDescent (∇f(x)·d ≥ 0; nothing is evaluated along d),
// ErrLineSearch (no acceptable step: Backtracking found no sufficient
// decrease in MaxIter shrinks, or StrongWolfe stopped before both strong
// Wolfe conditions held; the result then holds the best point found, which
// may be x itself with Step 0), a non-finite f(x) or ∇f(x), invalid settings,
// or an error of f. x, d, gx are not modified; the result's slices are new.
// It panics if d or gx does not have x's length.
func SearchLine[T Float](ls LineSearch, f Objective[T], x, d []T, fx float64, gx []T) (LineResult[T], error) {
	if len(d) != len(x) || (gx != nil && len(gx) != len(x)) {
		panic(fmt.Sprintf("optim: SearchLine: x has %d elements, d %d, gx %d; they must match", len(x), len(d), len(gx)))
	}
	evals := 0
	if gx == nil {
		gx = make([]T, len(x))
		var err error
		if fx, err = f(x, gx); err != nil {
			return LineResult[T]{}, fmt.Errorf("optim: SearchLine: evaluating f(x): %w", err)
		}
		evals = 1
	}
	if bad := nonFinite(fx, gx); bad != "" {
		return LineResult[T]{}, errorf("SearchLine: %s at the starting point; the line search needs finite values", bad)
	}
	gtd := dot(gx, d)
	if !(gtd < 0) {
		return LineResult[T]{}, fmt.Errorf("%w: ∇f(x)·d = %g ≥ 0; use a direction with negative slope, such as −∇f(x)", ErrNotDescent, gtd)
	}
	var (
		r   LineResult[T]
		ok  bool
		err error
	)
	switch s := ls.(type) {
	case Backtracking:
		if s, err = s.defaults(); err != nil {
			return LineResult[T]{}, err
		}
		r, ok, err = backtrack(s, f, x, s.Step, d, fx, gx, gtd)
	case StrongWolfe:
		if s, err = s.defaults(); err != nil {
			return LineResult[T]{}, err
		}
		r, ok, err = strongWolfe(s, f, x, s.Step, false, d, fx, gx, gtd)
	default:
		panic(fmt.Sprintf("optim: SearchLine: unknown line search %T", ls))
	}
	r.Evals += evals
	if err != nil {
		return r, fmt.Errorf("optim: SearchLine: %w", err)
	}
	r.X = axpy(x, r.Step, d)
	if len(gx) > 0 && len(r.Grad) > 0 && &r.Grad[0] == &gx[0] { // Step 0: do not hand back the caller's slice
		r.Grad = append([]T(nil), gx...)
	}
	if !ok {
		return r, fmt.Errorf("%w (%T after %d evaluations; best step %g with f = %g, f(x) = %g)", ErrLineSearch, ls, r.Evals, r.Step, r.F, fx)
	}
	return r, nil
}

// lineEval evaluates f at x + t·d, counting the evaluation.
type lineEval[T Float] struct {
	f     Objective[T]
	x, d  []T
	xt    []T // scratch for the trial point
	evals int
}

// at returns f(x + t·d) and a new slice with ∇f there.
func (e *lineEval[T]) at(t float64) (float64, []T, error) {
	if e.xt == nil {
		e.xt = make([]T, len(e.x))
	}
	tt := T(t)
	for i := range e.xt {
		e.xt[i] = fma(tt, e.d[i], e.x[i])
	}
	g := make([]T, len(e.x))
	e.evals++
	v, err := e.f(e.xt, g)
	if err != nil {
		return v, g, fmt.Errorf("evaluating f at step %g (evaluation %d of the line search): %w", t, e.evals, err)
	}
	return v, g, nil
}

// backtrack is Backtracking from the step t. ok is false when no trial
// satisfied the Armijo condition; the result is then the start (step 0).
func backtrack[T Float](s Backtracking, f Objective[T], x []T, t float64, d []T, fx float64, gx []T, gtd float64) (LineResult[T], bool, error) {
	e := &lineEval[T]{f: f, x: x, d: d}
	for k := 0; k <= s.MaxIter; k++ {
		v, g, err := e.at(t)
		if err != nil {
			return LineResult[T]{F: fx, Grad: gx, Evals: e.evals}, false, err
		}
		if v <= fx+s.C1*t*gtd { // false for NaN
			return LineResult[T]{Step: t, F: v, Grad: g, Evals: e.evals}, true, nil
		}
		t *= s.Shrink
	}
	return LineResult[T]{F: fx, Grad: gx, Evals: e.evals}, false, nil
}

// strongWolfe is torch.optim.lbfgs._strong_wolfe from the step t, with
// f = f(x), g = ∇f(x), gtd = g·d; tTensor says whether torch would hold
// this t as a tensor (see pyFloat). done reports whether the strong Wolfe
// conditions hold at the returned step (PyTorch's done flag). The names
// follow PyTorch's.
func strongWolfe[T Float](s StrongWolfe, obj Objective[T], x []T, t0 float64, tTensor bool, d []T, f float64, g []T, gtd float64) (LineResult[T], bool, error) {
	c1, c2, maxLS := s.C1, s.C2, s.MaxIter
	e := &lineEval[T]{f: obj, x: x, d: d}
	dNorm := maxAbs(d)
	t := pyFloat{t0, tTensor}
	fNew, gNew, err := e.at(t.v)
	if err != nil {
		return LineResult[T]{F: f, Grad: g, Evals: e.evals}, false, err
	}
	gtdNew := dot(gNew, d)
	// armijoFails is PyTorch's f_new > f + c1·t·gtd, also true for NaN.
	armijoFails := func(fNew, t float64) bool { return !(fNew <= f+c1*t*gtd) }

	// Bracket an interval containing a point satisfying the conditions.
	tPrev, fPrev, gPrev, gtdPrev := pyFloat{}, f, g, gtd
	var (
		br         [2]pyFloat
		brF, brGtd [2]float64
		brG        [2][]T
		nBr        int // 1: a single accepted point; 2: a bracket
	)
	done := false
	lsIter := 0
	for lsIter < maxLS {
		if armijoFails(fNew, t.v) || (lsIter > 1 && fNew >= fPrev) {
			br, brF, brG, brGtd, nBr = [2]pyFloat{tPrev, t}, [2]float64{fPrev, fNew}, [2][]T{gPrev, gNew}, [2]float64{gtdPrev, gtdNew}, 2
			break
		}
		if math.Abs(gtdNew) <= -c2*gtd {
			br[0], brF[0], brG[0], nBr = t, fNew, gNew, 1
			done = true
			break
		}
		if gtdNew >= 0 {
			br, brF, brG, brGtd, nBr = [2]pyFloat{tPrev, t}, [2]float64{fPrev, fNew}, [2][]T{gPrev, gNew}, [2]float64{gtdPrev, gtdNew}, 2
			break
		}
		// Extrapolate.
		minStep := pyFloat{t.v + 0.01*(t.v-tPrev.v), t.tensor || tPrev.tensor}
		maxStep := pyFloat{t.v * 10, t.tensor}
		tmp := t
		t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep)
		tPrev, fPrev, gPrev, gtdPrev = tmp, fNew, gNew, gtdNew
		if fNew, gNew, err = e.at(t.v); err != nil {
			return LineResult[T]{Step: tPrev.v, F: fPrev, Grad: gPrev, Evals: e.evals}, false, err
		}
		gtdNew = dot(gNew, d)
		lsIter++
	}
	if lsIter == maxLS { // no bracket: choose between 0 and the last trial
		br, brF, brG, nBr = [2]pyFloat{{}, t}, [2]float64{f, fNew}, [2][]T{g, gNew}, 2
	}

	// Zoom: refine the bracket until a point satisfies the conditions.
	insufProgress := false
	low, high := 0, 1
	if !(brF[0] <= brF[nBr-1]) {
		low, high = 1, 0
	}
	for !done && lsIter < maxLS {
		if math.Abs(br[1].v-br[0].v)*dNorm < s.ToleranceChange {
			break // the bracket is too small
		}
		lo, hi := br[0], br[1] // the bounds: the bracket's ends in order
		if !(lo.v <= hi.v) {
			lo, hi = hi, lo
		}
		t = cubicInterpolate(br[0], brF[0], brGtd[0], br[1], brF[1], brGtd[1], lo, hi)
		// A trial too close to an end of the bracket twice in a row, or at
		// or beyond an end, is moved to 10 % of the width from that end.
		bMax, bMin := pyMax(br[0], br[1]), pyMin(br[0], br[1])
		eps := pyFloat{0.1 * (bMax.v - bMin.v), bMax.tensor || bMin.tensor}
		if math.Min(bMax.v-t.v, t.v-bMin.v) < eps.v {
			if insufProgress || t.v >= bMax.v || t.v <= bMin.v {
				if math.Abs(t.v-bMax.v) < math.Abs(t.v-bMin.v) {
					t = pyFloat{bMax.v - eps.v, bMax.tensor || eps.tensor}
				} else {
					t = pyFloat{bMin.v + eps.v, bMin.tensor || eps.tensor}
				}
				insufProgress = false
			} else {
				insufProgress = true
			}
		} else {
			insufProgress = false
		}
		if fNew, gNew, err = e.at(t.v); err != nil {
			return LineResult[T]{Step: br[low].v, F: brF[low], Grad: brG[low], Evals: e.evals}, false, err
		}
		gtdNew = dot(gNew, d)
		lsIter++
		if armijoFails(fNew, t.v) || fNew >= brF[low] {
			// Not a sufficient decrease, or not below the low end.
			br[high], brF[high], brG[high], brGtd[high] = t, fNew, gNew, gtdNew
			if brF[0] <= brF[1] {
				low, high = 0, 1
			} else {
				low, high = 1, 0
			}
		} else {
			if math.Abs(gtdNew) <= -c2*gtd {
				done = true
			} else if gtdNew*(br[high].v-br[low].v) >= 0 {
				// The old high end becomes the new low end.
				br[high], brF[high], brG[high], brGtd[high] = br[low], brF[low], brG[low], brGtd[low]
			}
			br[low], brF[low], brG[low], brGtd[low] = t, fNew, gNew, gtdNew
		}
	}
	return LineResult[T]{Step: br[low].v, F: brF[low], Grad: brG[low], Evals: e.evals}, done, nil
}

// pyFloat is a step length as PyTorch's _strong_wolfe holds it: a Python
// float, or a 0-d tensor (tensor = true) once a tensor took part in
// computing it (L-BFGS's first step min(1, 1/Σ|g|)·lr is one; so is every
// cubic minimiser). The difference shows in one place: Python evaluates
// float / tensor as tensor.reciprocal()·float, two roundings instead of
// one, and the cubic's first quotient 3·(f₁ − f₂)/(x₁ − x₂) is such a
// division when x₁ or x₂ is a tensor. It changes the last bit of about a
// quarter of those quotients, and the change can grow along a trajectory
// (to 1e-3 after three L-BFGS steps on Beale from (−0.52, 0.93)).
type pyFloat struct {
	v      float64
	tensor bool
}

// cubicInterpolate is PyTorch's _cubic_interpolate with explicit bounds:
// the minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1
// and g2, clamped to [lo, hi], or (lo + hi)/2 when the cubic has no
// minimiser (or the formula gives NaN).
func cubicInterpolate(x1 pyFloat, f1, g1 float64, x2 pyFloat, f2, g2 float64, lo, hi pyFloat) pyFloat {
	q := 3 * (f1 - f2) / (x1.v - x2.v)
	if x1.tensor || x2.tensor { // Python float / tensor
		q = 1 / (x1.v - x2.v) * (3 * (f1 - f2))
	}
	d1 := g1 + g2 - q
	d2sq := d1*d1 - g1*g2
	if d2sq >= 0 {
		d2 := math.Sqrt(d2sq)
		var minPos float64
		if x1.v <= x2.v {
			minPos = x2.v - (x2.v-x1.v)*((g2+d2-d1)/(g2-g1+2*d2))
		} else {
			minPos = x1.v - (x1.v-x2.v)*((g1+d2-d1)/(g1-g2+2*d2))
		}
		if !math.IsNaN(minPos) {
			return pyMin(pyMax(pyFloat{minPos, true}, lo), hi)
		}
	}
	return pyFloat{(lo.v + hi.v) / 2, lo.tensor || hi.tensor}
}

// pyMax and pyMin are Python's max(a, b) and min(a, b): a unless b is
// strictly larger (smaller).
func pyMax(a, b pyFloat) pyFloat {
	if b.v > a.v {
		return b
	}
	return a
}

func pyMin(a, b pyFloat) pyFloat {
	if b.v < a.v {
		return b
	}
	return a
}

// dot is Σ aᵢbᵢ, accumulated in float64 from left to right.
func dot[T Float](a, b []T) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// maxAbs is max |vᵢ| (0 for an empty v; NaN if some vᵢ is NaN, as
// torch's v.abs().max()).
func maxAbs[T Float](v []T) float64 {
	m := 0.0
	for _, x := range v {
		a := math.Abs(float64(x))
		if math.IsNaN(a) {
			return a
		}
		m = max(m, a)
	}
	return m
}

// axpy returns x + t·d in a new slice, computed as the line search's trial
// points are.
func axpy[T Float](x []T, t float64, d []T) []T {
	out := make([]T, len(x))
	tt := T(t)
	for i := range x {
		out[i] = fma(tt, d[i], x[i])
	}
	return out
}

// fma is a·b + c with one rounding (in float64, then rounded to T).
// PyTorch's CPU kernel for x.add_(d, alpha=t) is a fused multiply-add on
// machines with FMA units (AVX2 and later), so the steps x + t·d, here as
// in torch, are fused: that is what makes the trajectories agree bit for
// bit rather than to the last few bits.
func fma[T Float](a, b, c T) T { return T(math.FMA(float64(a), float64(b), float64(c))) }

// nonFinite describes a NaN or infinite value or gradient, or returns "".
func nonFinite[T Float](f float64, g []T) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Sprintf("f = %g", f)
	}
	for i, v := range g {
		if x := float64(v); math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprintf("∇f[%d] = %g", i, x)
		}
	}
	return ""
}
