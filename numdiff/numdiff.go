package numdiff

import (
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// Settings choose the formula, the step and the parallelism. The zero value
// (and a nil *Settings) means the central difference with its default step,
// evaluated serially.
type Settings struct {
	// Stencil is the formula. Default (zero value): Central. Derivative
	// accepts any order; Gradient, Jacobian and Hessian need a first-order
	// stencil (Hessian applies it twice).
	Stencil Stencil
	// Step is the relative step: coordinate i moves by
	// hᵢ = Step · max(|xᵢ|, 1). Default: Stencil.Step (for Hessian, the
	// optimal step of the stencil applied twice). The scaling assumes f
	// varies on the scale of |xᵢ|; where it varies much faster (sin x near
	// x = 10⁴), pass a smaller Step.
	Step float64
	// Concurrent is the number of goroutines that evaluate f: 0 or 1 means
	// serial, a negative value means runtime.GOMAXPROCS(0). With more than
	// one, f must be safe for concurrent use; each goroutine passes f its own
	// copy of x.
	Concurrent int
}

// resolve returns the stencil to use, validated, checked to have the wanted
// order (0: any), and the relative step.
func (s *Settings) resolve(op string, order int) (Stencil, float64) {
	var st Stencil
	var step float64
	if s != nil {
		st, step = s.Stencil, s.Step
	}
	if st.Points == nil && st.Coeffs == nil {
		st = Central
	}
	if err := st.Validate(); err != nil {
		panic(fmt.Sprintf("numdiff: %s: %v", op, err))
	}
	if order != 0 && st.Order != order {
		panic(fmt.Sprintf("numdiff: %s needs a first-derivative stencil, got %q of order %d", op, st.Name, st.Order))
	}
	if step == 0 {
		step = st.Step
	}
	if !(step > 0) || math.IsInf(step, 0) {
		panic(fmt.Sprintf("numdiff: %s: step %g must be positive and finite", op, step))
	}
	return st, step
}

// workers is the number of goroutines to use for n independent tasks.
func (s *Settings) workers(n int) int {
	w := 1
	if s != nil {
		w = s.Concurrent
	}
	if w < 0 {
		w = runtime.GOMAXPROCS(0)
	}
	return max(1, min(w, n))
}

// stepAt returns the step for coordinate value x: rel·max(|x|, 1), rounded to
// the nearest h for which (x + h) − x == h, so the perturbation f sees is
// exactly the h divided by.
func stepAt(x, rel float64) float64 {
	h := rel * math.Max(math.Abs(x), 1)
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return h
	}
	return (x + h) - x
}

// Derivative returns the Order-th derivative of f at x by the stencil in s
// (default: the central first derivative).
func Derivative(f func(float64) float64, x float64, s *Settings) float64 {
	st, rel := s.resolve("Derivative", 0)
	h := stepAt(x, rel)
	var sum float64
	for k, p := range st.Points {
		sum += st.Coeffs[k] * f(x+p*h)
	}
	return sum / math.Pow(h, float64(st.Order))
}

// Gradient stores ∇f(x) in dst and returns it, one partial derivative per
// coordinate by the first-order stencil in s (default: central). dst may be
// nil, in which case a new slice is allocated; otherwise its length must equal
// len(x). f must not keep or modify its argument; x itself is not modified.
//
// Cost: f is evaluated len(Points) times per coordinate (once more if the
// stencil uses the centre point), so a gradient in n dimensions costs O(n)
// evaluations of f, unlike reverse-mode autodiff whose cost is a small
// multiple of one evaluation.
func Gradient(dst []float64, f func([]float64) float64, x []float64, s *Settings) []float64 {
	st, rel := s.resolve("Gradient", 1)
	dst = sized(dst, len(x), "Gradient")
	f0 := centreValue(st, f, x)
	parallel(len(x), s.workers(len(x)), x, func(_ int, xw []float64, i int) {
		h := stepAt(x[i], rel)
		var sum float64
		for k, p := range st.Points {
			sum += st.Coeffs[k] * at(f, xw, f0, i, p*h)
		}
		dst[i] = sum / h
	})
	return dst
}

// Jacobian stores the m×n Jacobian J[i][j] = ∂fᵢ/∂xⱼ of f: Rⁿ → Rᵐ at x in dst
// and returns it, by the first-order stencil in s (default: central). f writes
// f(x) into y (length m) and must not keep or modify x. dst must be m×n with
// n = len(x); its row count tells Jacobian m.
func Jacobian(dst *mat.Dense, f func(y, x []float64), x []float64, s *Settings) *mat.Dense {
	st, rel := s.resolve("Jacobian", 1)
	if dst == nil || dst.IsEmpty() {
		panic("numdiff: Jacobian needs an m×n destination matrix to know m")
	}
	m, n := dst.Dims()
	if n != len(x) {
		panic(fmt.Sprintf("numdiff: Jacobian: destination is %d×%d but len(x) = %d", m, n, len(x)))
	}
	var y0 []float64
	if hasCentre(st) {
		y0 = make([]float64, m)
		f(y0, x)
	}
	w := s.workers(n)
	ys, cols := make([][]float64, w), make([][]float64, w)
	for k := range w {
		ys[k], cols[k] = make([]float64, m), make([]float64, m)
	}
	parallel(n, w, x, func(wk int, xw []float64, j int) {
		y, col := ys[wk], cols[wk]
		clear(col)
		h := stepAt(x[j], rel)
		for k, p := range st.Points {
			yk := y0
			if p != 0 {
				xw[j] = x[j] + p*h
				f(y, xw)
				xw[j] = x[j]
				yk = y
			}
			for i := range col {
				col[i] += st.Coeffs[k] * yk[i]
			}
		}
		for i, v := range col {
			dst.Set(i, j, v/h)
		}
	})
	return dst
}

// Hessian stores the n×n Hessian H[i][j] = ∂²f/∂xᵢ∂xⱼ at x in dst and returns
// it (dst may be nil; otherwise it must be n×n). It applies the first-order
// stencil in s (default: central) twice, once along xᵢ and once along xⱼ:
//
//	H[i][j] ≈ Σₐ Σ_b cₐ c_b f(x + pₐhᵢeᵢ + p_b hⱼeⱼ) / (hᵢhⱼ),
//
// which on the diagonal is the second-order stencil Twice() (for Central,
// (f(x+2h) − 2f(x) + f(x−2h)) / 4h²). The default step is Twice().Step,
// ε^(1/4) ≈ 1.2e-4 for Central, which balances its O(h²) truncation against
// rounding of order ε/h².
func Hessian(dst *mat.SymDense, f func([]float64) float64, x []float64, s *Settings) *mat.SymDense {
	st, _ := s.resolve("Hessian", 1)
	st2 := st.Twice()
	rel := st2.Step
	if s != nil && s.Step != 0 {
		rel = s.Step
	}
	n := len(x)
	if dst == nil || dst.IsEmpty() {
		dst = mat.NewSymDense(n, nil)
	} else if dst.SymmetricDim() != n {
		panic(fmt.Sprintf("numdiff: Hessian: destination is %d×%d but len(x) = %d", dst.SymmetricDim(), dst.SymmetricDim(), n))
	}
	f0 := centreValue(st2, f, x)
	parallel(n, s.workers(n), x, func(_ int, xw []float64, i int) {
		hi := stepAt(x[i], rel)
		var sum float64
		for k, p := range st2.Points {
			sum += st2.Coeffs[k] * at(f, xw, f0, i, p*hi)
		}
		dst.SetSym(i, i, sum/(hi*hi))
		for j := i + 1; j < n; j++ {
			hj := stepAt(x[j], rel)
			sum = 0
			for a, pa := range st.Points {
				xw[i] = x[i] + pa*hi
				known := math.NaN() // f at xw, known only at the centre
				if pa == 0 {
					known = f0
				}
				for b, pb := range st.Points {
					sum += st.Coeffs[a] * st.Coeffs[b] * at(f, xw, known, j, pb*hj)
				}
			}
			xw[i] = x[i]
			dst.SetSym(i, j, sum/(hi*hj))
		}
	})
	return dst
}

// Twice returns the second-order stencil obtained by applying the first-order
// stencil s twice along the same axis: points pₐ + p_b with weights cₐc_b,
// merged where points coincide. Its accuracy is that of s and its step is the
// optimal one for a second derivative of that accuracy.
func (s Stencil) Twice() Stencil {
	if s.Order != 1 {
		panic(fmt.Sprintf("numdiff: Twice needs a first-order stencil, got %q of order %d", s.Name, s.Order))
	}
	t := Stencil{Name: s.Name + "²", Order: 2, Accuracy: s.Accuracy, Step: optimalStep(2, s.Accuracy)}
	index := map[float64]int{}
	for a, pa := range s.Points {
		for b, pb := range s.Points {
			p := pa + pb
			k, ok := index[p]
			if !ok {
				k = len(t.Points)
				index[p] = k
				t.Points = append(t.Points, p)
				t.Coeffs = append(t.Coeffs, 0)
			}
			t.Coeffs[k] += s.Coeffs[a] * s.Coeffs[b]
		}
	}
	return t
}

// at evaluates f at xw with coordinate i moved by d, restoring it after. When
// d == 0 and known is not NaN, known is the value of f at xw and is returned
// without a call; callers pass NaN when they do not know it.
func at(f func([]float64) float64, xw []float64, known float64, i int, d float64) float64 {
	if d == 0 {
		if !math.IsNaN(known) {
			return known
		}
		return f(xw)
	}
	xi := xw[i]
	xw[i] = xi + d
	v := f(xw)
	xw[i] = xi
	return v
}

// centreValue returns f(x) if the stencil evaluates at its centre (a point
// 0), so that value is computed once instead of once per coordinate, and NaN
// (unknown) otherwise.
func centreValue(st Stencil, f func([]float64) float64, x []float64) float64 {
	if !hasCentre(st) {
		return math.NaN()
	}
	return f(x)
}

// hasCentre reports whether the stencil uses the point x itself.
func hasCentre(st Stencil) bool {
	for _, p := range st.Points {
		if p == 0 {
			return true
		}
	}
	return false
}

// parallel runs task(worker, xw, i) for i = 0 … n−1 on the given number of
// goroutines, handing out indices one at a time so uneven tasks balance.
// Each worker gets its own copy xw of x to perturb (and must restore).
func parallel(n, workers int, x []float64, task func(worker int, xw []float64, i int)) {
	if workers <= 1 {
		xw := append([]float64(nil), x...)
		for i := range n {
			task(0, xw, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			xw := append([]float64(nil), x...)
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				task(w, xw, i)
			}
		}()
	}
	wg.Wait()
}

// sized returns dst if it has length n, a new slice if dst is nil, and panics
// otherwise.
func sized(dst []float64, n int, op string) []float64 {
	if dst == nil {
		return make([]float64, n)
	}
	if len(dst) != n {
		panic(fmt.Sprintf("numdiff: %s: len(dst) = %d but len(x) = %d", op, len(dst), n))
	}
	return dst
}
