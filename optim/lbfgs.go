package optim

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/nabla-go/nabla/autodiff"
)

// Closure re-evaluates the model for L-BFGS, which needs f and ∇f at points
// of its choosing: it zeroes the gradients, computes the loss from the
// parameters' current values, calls Backward and returns the loss. For
// example,
//
//	closure := func() (float64, error) {
//		opt.ZeroGrad()
//		loss := model(x)
//		return loss.Item(), loss.Backward()
//	}
type Closure func() (float64, error)

// LBFGS is the limited-memory BFGS method (Nocedal, 1980; Liu & Nocedal,
// 1989), exactly as torch.optim.LBFGS (1.13), itself modelled on minFunc.
// One call of Step is one torch "outer step": up to MaxIter iterations on
// the function the closure computes. With g = ∇f at the parameters x (all
// parameters as one flat vector), k the iteration count kept across steps
// (state "n_iter") and (yᵢ, sᵢ, ρᵢ) the stored history pairs, oldest first:
//
//	f, g ← closure()                                    1 evaluation
//	if max|g| ≤ ToleranceGrad: return                   (0 iterations)
//	repeat, counting iterations:
//	    k ← k + 1
//	    if k = 1: d ← −g; history ← ∅; H₀ ← 1
//	    else:
//	        y ← g − g_prev; s ← t·d
//	        if y·s > 1e-10:                             (else skip the pair)
//	            drop the oldest pair if HistorySize are stored
//	            store (y, s, ρ = 1/(y·s)); H₀ ← (y·s)/(y·y)
//	        two-loop recursion, d = −H·g:
//	            q ← −g
//	            for i newest … oldest: αᵢ ← ρᵢ·(sᵢ·q); q ← q − αᵢ·yᵢ
//	            r ← H₀·q
//	            for i oldest … newest: βᵢ ← ρᵢ·(yᵢ·r); r ← r + (αᵢ − βᵢ)·sᵢ
//	            d ← r
//	    g_prev ← g; f_prev ← f
//	    t ← min(1, 1/Σ|g|)·LR if k = 1, else LR
//	    if g·d > −ToleranceChange: stop                 (not a descent direction)
//	    with LineSearch: t, f, g ← search along d from x starting at t
//	        (StrongWolfe: torch's "strong_wolfe"); x ← x + t·d
//	    without (nil): x ← x + t·d; f, g ← closure() unless this is
//	        iteration MaxIter (then f and g are left stale, as in torch)
//	    stop if: MaxIter iterations in this step; MaxEval evaluations in
//	        this step; max|g| ≤ ToleranceGrad; max|t·d| ≤ ToleranceChange;
//	        |f − f_prev| < ToleranceChange
//
// An evaluation is one closure call; the line search's trials count. An
// iteration is one pass through the loop, including the last one that stops
// at the descent test (so a converged optimiser's Step costs 1 evaluation
// and 1 iteration when g ≠ 0, 1 evaluation and 0 iterations when
// max|g| ≤ ToleranceGrad). d, t, the history, H₀ and g_prev carry over
// from one Step to the next; only k = 1 (the very first iteration) resets
// the history and uses the small first step.
//
// ToleranceChange is an absolute bound on three different things: the
// slope g·d, the step max|t·d| and the change of f. The slope test ends
// the descent once −g·d ≤ 1e-9, so with the default a problem of scale 1
// stops at f − f* of order 1e-10 (Rosenbrock: f ≈ 4e-10, 2e-5 from the
// minimiser); lower it (1e-20, say) to go further. The StrongWolfe search
// has its own ToleranceChange (default 1e-9), not LBFGS.ToleranceChange:
// torch.optim.LBFGS does not pass its tolerance_change on to
// _strong_wolfe.
//
// The group's LR is read at every Step, as torch reads param_groups[0]
// ["lr"]. The updates x + t·d and the two-loop's q − αᵢ·yᵢ and
// r + (αᵢ − βᵢ)·sᵢ are fused multiply-adds, as PyTorch's CPU kernels
// compute add_(v, alpha=a) on machines with FMA units; with that, float64
// runs reproduce torch's bit for bit (the tests check the reference
// trajectories to 1e-10 and find no difference on amd64).
type LBFGS struct {
	LR            float64 // step scale t > 0; default 1 (torch's lr)
	MaxIter       int     // iterations per Step; default 20
	MaxEval       int     // evaluations per Step; default MaxIter·5/4 (rounded down)
	ToleranceGrad float64 // stop when max|∇f| ≤ this; default 1e-7 (optim.Zero for 0)
	// ToleranceChange stops on small steps and loss changes, and on
	// directions that are not descending; default 1e-9 (optim.Zero for 0).
	ToleranceChange float64
	HistorySize     int // pairs (y, s) kept; default 100
	// LineSearch chooses t along d. Default nil: the fixed step t = LR
	// (torch's line_search_fn=None). StrongWolfe{} is torch's
	// line_search_fn="strong_wolfe" exactly. Backtracking{} (an extension:
	// Armijo only, started at t) is accepted too; a failed backtracking
	// search means t = 0, which ends the Step.
	LineSearch LineSearch
}

// LBFGSOptimizer applies L-BFGS to one parameter group. Like
// torch.optim.LBFGS it takes exactly one group (all parameters in it are
// treated as one flat vector) and has no weight decay (add a penalty to the
// loss instead). Its Step takes a Closure, so it is not an Optimizer.
//
// Its state, all kept across steps, is global as in PyTorch: State gives
// each parameter Step = n_iter and its own segment of the flat vectors
// "d", "prev_flat_grad" and the history pairs "old_dirs.i" (y) and
// "old_stps.i" (s), i = 0 the oldest; the first parameter also holds the
// scalars as one-element buffers "func_evals", "n_iter", "t", "H_diag" and
// the buffer "ro" (ρᵢ, one per pair). SetState reads n_iter from Step.
// PyTorch's "prev_loss" and "al" are overwritten before they are read, so
// they are not kept. With float32 parameters t, H₀ and ρ are float32
// numbers (as in torch), so the state round-trips exactly; "func_evals" is
// exact up to 2²⁴.
type LBFGSOptimizer[T Float] struct {
	groups[T]
	s      LBFGS
	params []*autodiff.Var[T]
	n      int // total number of parameter elements
	st     lbfgsState[T]
}

// lbfgsState is torch's state["..."] for L-BFGS.
type lbfgsState[T Float] struct {
	funcEvals, nIter int
	d, prevG         []T // nil before the first iteration
	t, hDiag         float64
	dirs, stps       [][]T // yᵢ and sᵢ, oldest first
	ro               []float64
}

// LBFGSStep reports one Step.
type LBFGSStep struct {
	Loss    float64 // the loss at the start of the step (what torch's step returns)
	Evals   int     // closure calls made by the step (increase of "func_evals")
	Iters   int     // iterations done by the step (increase of "n_iter")
	Stopped string  // why the step ended
}

// NewLBFGS returns an L-BFGS optimiser over one group of parameters
// (optim.Params(w, b)).
func NewLBFGS[T Float](groups []*Group[T], s LBFGS) (*LBFGSOptimizer[T], error) {
	s.LR = or(s.LR, 1)
	s.MaxIter = cmpOr(s.MaxIter, 20)
	s.MaxEval = cmpOr(s.MaxEval, s.MaxIter*5/4)
	s.ToleranceGrad = or(s.ToleranceGrad, 1e-7)
	s.ToleranceChange = or(s.ToleranceChange, 1e-9)
	s.HistorySize = cmpOr(s.HistorySize, 100)
	switch {
	case len(groups) != 1:
		return nil, errorf("LBFGS: %d parameter groups; L-BFGS takes exactly one (as torch.optim.LBFGS): put every parameter in it with optim.Params", len(groups))
	case groups[0].WeightDecay > 0:
		return nil, errorf("LBFGS: weight decay %g: L-BFGS has none (as torch.optim.LBFGS); add the penalty to the loss", groups[0].WeightDecay)
	case s.MaxIter < 1 || s.MaxEval < 1 || s.HistorySize < 1:
		return nil, errorf("LBFGS: MaxIter = %d, MaxEval = %d and HistorySize = %d must be positive", s.MaxIter, s.MaxEval, s.HistorySize)
	case !(s.ToleranceGrad >= 0) || !(s.ToleranceChange >= 0):
		return nil, errorf("LBFGS: ToleranceGrad = %g and ToleranceChange = %g must not be negative", s.ToleranceGrad, s.ToleranceChange)
	}
	switch ls := s.LineSearch.(type) {
	case nil:
	case StrongWolfe:
		w, err := ls.defaults()
		if err != nil {
			return nil, err
		}
		s.LineSearch = w
	case Backtracking:
		b, err := ls.defaults()
		if err != nil {
			return nil, err
		}
		s.LineSearch = b
	}
	g, err := newGroups("LBFGS", groups, s.LR, 0)
	if err != nil {
		return nil, err
	}
	o := &LBFGSOptimizer[T]{groups: g, s: s, params: groups[0].Params}
	for _, p := range o.params {
		o.n += p.Value().Size()
	}
	return o, nil
}

// ZeroGrad forgets the gradients of every parameter.
func (o *LBFGSOptimizer[T]) ZeroGrad() {
	for _, p := range o.params {
		p.ZeroGrad()
	}
}

// FuncEvals returns the closure calls made so far (torch's "func_evals").
func (o *LBFGSOptimizer[T]) FuncEvals() int { return o.st.funcEvals }

// NIter returns the iterations done so far (torch's "n_iter").
func (o *LBFGSOptimizer[T]) NIter() int { return o.st.nIter }

// call runs the closure and gathers the parameters' gradients into g (zero
// for a parameter without one, as in torch).
func (o *LBFGSOptimizer[T]) call(closure Closure, g []T) (float64, error) {
	loss, err := closure()
	if err != nil {
		return loss, err
	}
	off := 0
	for _, p := range o.params {
		n := p.Value().Size()
		if gt := p.Grad(); gt != nil {
			copy(g[off:off+n], gt.Data())
		} else {
			clear(g[off : off+n])
		}
		off += n
	}
	return loss, nil
}

// flat returns the parameters as one vector.
func (o *LBFGSOptimizer[T]) flat() []T {
	x := make([]T, 0, o.n)
	for _, p := range o.params {
		x = append(x, p.Value().Data()...)
	}
	return x
}

// set writes the flat vector x into the parameters.
func (o *LBFGSOptimizer[T]) set(x []T) {
	off := 0
	for _, p := range o.params {
		v := p.Value().Data()
		copy(v, x[off:off+len(v)])
		off += len(v)
	}
}

// roundT rounds v to the parameters' precision (torch keeps t, H_diag and
// ρ as tensors of the parameters' dtype).
func roundT[T Float](v float64) float64 { return float64(T(v)) }

// Step performs one L-BFGS outer step (see LBFGS): up to MaxIter
// iterations and MaxEval closure calls, leaving the parameters at the last
// point reached. The parameters' gradients are whatever the last closure
// call left, which with a line search may be a rejected trial's (as in
// torch). A closure error, or a loss or gradient that is NaN or infinite
// where the step must use it, ends the step with an error; the parameters
// are then at the last point evaluated (for a failed line-search trial,
// back at the search's start), and the state is that of the interrupted
// step: restore a checkpoint (SetState) to retry.
func (o *LBFGSOptimizer[T]) Step(closure Closure) (LBFGSStep, error) {
	s, st := o.s, &o.st
	lr := o.list[0].LR
	if !(lr > 0) || math.IsInf(lr, 0) {
		return LBFGSStep{}, errorf("LBFGS: learning rate %g must be positive and finite", lr)
	}
	var res LBFGSStep
	g := make([]T, o.n)
	loss, err := o.call(closure, g)
	if err != nil {
		return res, fmt.Errorf("optim: LBFGS: the closure failed at the start of a step: %w", err)
	}
	st.funcEvals++
	res.Loss, res.Evals = loss, 1
	if bad := nonFinite(loss, g); bad != "" {
		return res, errorf("LBFGS: %s at the start of a step (iteration %d); check the model and data, or restart from a checkpoint", bad, st.nIter)
	}
	if m := maxAbs(g); m <= s.ToleranceGrad {
		res.Stopped = "max|∇f| = " + fmtG(m) + " ≤ ToleranceGrad"
		return res, nil
	}

	x := o.flat()
	optCond := false
	for res.Iters < s.MaxIter {
		res.Iters++
		st.nIter++

		// The direction d = −H·g.
		if st.nIter == 1 {
			st.d = make([]T, o.n)
			for i, v := range g {
				st.d[i] = -v
			}
			st.dirs, st.stps, st.ro = nil, nil, nil
			st.hDiag = 1
		} else {
			y := make([]T, o.n)
			sv := make([]T, o.n)
			t := T(st.t)
			for i := range y {
				y[i] = g[i] - st.prevG[i]
				sv[i] = st.d[i] * t
			}
			if ys := dot(y, sv); ys > 1e-10 {
				if len(st.dirs) == s.HistorySize { // drop the oldest pair
					st.dirs, st.stps, st.ro = st.dirs[1:], st.stps[1:], st.ro[1:]
				}
				st.dirs, st.stps = append(st.dirs, y), append(st.stps, sv)
				st.ro = append(st.ro, roundT[T](1/ys))
				st.hDiag = roundT[T](ys / dot(y, y))
			}
			st.d = twoLoop(g, st.dirs, st.stps, st.ro, st.hDiag)
		}
		if st.prevG == nil {
			st.prevG = make([]T, o.n)
		}
		copy(st.prevG, g)
		prevLoss := loss

		// The step length.
		tTensor := false
		if st.nIter == 1 {
			// Python's min(1., x): x if x < 1 (then a tensor; see pyFloat).
			st.t, tTensor = roundT[T](lr), false
			if r := 1 / sumAbs(g); r < 1 {
				st.t, tTensor = roundT[T](r*lr), true
			}
		} else {
			st.t = roundT[T](lr)
		}
		gtd := dot(g, st.d)
		if gtd > -s.ToleranceChange {
			res.Stopped = "∇f·d = " + fmtG(gtd) + " > -ToleranceChange: d is not a descent direction"
			break
		}

		if s.LineSearch == nil {
			t := T(st.t)
			for i := range x {
				x[i] = fma(t, st.d[i], x[i])
			}
			o.set(x)
			if res.Iters != s.MaxIter {
				if loss, err = o.call(closure, g); err != nil {
					return res, fmt.Errorf("optim: LBFGS: the closure failed at iteration %d: %w", st.nIter, err)
				}
				st.funcEvals++
				res.Evals++
				if bad := nonFinite(loss, g); bad != "" {
					return res, errorf("LBFGS: %s after the step of iteration %d: the fixed steps diverged; try a smaller LR or LineSearch: optim.StrongWolfe{}", bad, st.nIter)
				}
				optCond = maxAbs(g) <= s.ToleranceGrad
			}
		} else {
			obj := func(xt, gt []T) (float64, error) {
				o.set(xt)
				return o.call(closure, gt)
			}
			var r LineResult[T]
			switch ls := s.LineSearch.(type) {
			case StrongWolfe:
				r, _, err = strongWolfe(ls, obj, x, st.t, tTensor, st.d, loss, g, gtd)
			case Backtracking:
				r, _, err = backtrack(ls, obj, x, st.t, st.d, loss, g, gtd)
			}
			st.funcEvals += r.Evals
			res.Evals += r.Evals
			if err != nil {
				o.set(x)
				return res, fmt.Errorf("optim: LBFGS: line search of iteration %d: %w", st.nIter, err)
			}
			loss, g, st.t = r.F, r.Grad, roundT[T](r.Step)
			t := T(st.t)
			for i := range x {
				x[i] = fma(t, st.d[i], x[i])
			}
			o.set(x)
			if bad := nonFinite(loss, g); bad != "" {
				return res, errorf("LBFGS: %s at the point the line search of iteration %d chose", bad, st.nIter)
			}
			optCond = maxAbs(g) <= s.ToleranceGrad
		}

		// Stopping rules.
		switch {
		case res.Iters == s.MaxIter:
			res.Stopped = "reached MaxIter = " + strconv.Itoa(s.MaxIter) + " iterations"
		case res.Evals >= s.MaxEval:
			res.Stopped = "reached MaxEval = " + strconv.Itoa(s.MaxEval) + " evaluations"
		case optCond:
			res.Stopped = "max|∇f| ≤ ToleranceGrad"
		case maxAbsScaled(st.d, T(st.t)) <= s.ToleranceChange:
			res.Stopped = "max|t·d| ≤ ToleranceChange"
		case math.Abs(loss-prevLoss) < s.ToleranceChange:
			res.Stopped = "|Δf| < ToleranceChange"
		default:
			continue
		}
		break
	}
	return res, nil
}

// twoLoop returns −H·g by the L-BFGS two-loop recursion, operation for
// operation as torch.optim.LBFGS: q ← −g; newest to oldest αᵢ = ρᵢ(sᵢ·q),
// q ← q − αᵢyᵢ; r ← H₀q; oldest to newest βᵢ = ρᵢ(yᵢ·r), r ← r + (αᵢ − βᵢ)sᵢ.
func twoLoop[T Float](g []T, dirs, stps [][]T, ro []float64, hDiag float64) []T {
	q := make([]T, len(g))
	for i, v := range g {
		q[i] = -v
	}
	al := make([]float64, len(dirs))
	for i := len(dirs) - 1; i >= 0; i-- {
		al[i] = roundT[T](dot(stps[i], q) * ro[i])
		a := T(-al[i])
		for j, y := range dirs[i] {
			q[j] = fma(a, y, q[j])
		}
	}
	h := T(hDiag)
	for j := range q {
		q[j] *= h
	}
	for i := range dirs {
		be := roundT[T](dot(dirs[i], q) * ro[i])
		a := T(al[i] - be)
		for j, s := range stps[i] {
			q[j] = fma(a, s, q[j])
		}
	}
	return q
}

// sumAbs is Σ|vᵢ|.
func sumAbs[T Float](v []T) float64 {
	var s float64
	for _, x := range v {
		s += math.Abs(float64(x))
	}
	return s
}

// maxAbsScaled is max|t·dᵢ| with the products rounded as torch's d.mul(t).
func maxAbsScaled[T Float](d []T, t T) float64 {
	m := 0.0
	for _, v := range d {
		a := math.Abs(float64(v * t))
		if math.IsNaN(a) {
			return a
		}
		m = max(m, a)
	}
	return m
}

func fmtG(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }

// State returns a deep copy of the L-BFGS state in the layout described at
// LBFGSOptimizer; before the first Step every buffer map is empty.
func (o *LBFGSOptimizer[T]) State() []ParamState[T] {
	st := &o.st
	out := make([]ParamState[T], len(o.params))
	for k := range out {
		out[k] = ParamState[T]{Step: st.nIter, Buffers: map[string][]T{}}
	}
	if st.funcEvals == 0 && st.nIter == 0 {
		return out
	}
	b0 := out[0].Buffers
	b0["func_evals"] = []T{T(st.funcEvals)}
	b0["n_iter"] = []T{T(st.nIter)}
	if st.nIter == 0 {
		return out
	}
	b0["t"] = []T{T(st.t)}
	b0["H_diag"] = []T{T(st.hDiag)}
	ro := make([]T, len(st.ro))
	for i, v := range st.ro {
		ro[i] = T(v)
	}
	b0["ro"] = ro
	off := 0
	for k, p := range o.params {
		n := p.Value().Size()
		seg := func(v []T) []T { return append([]T(nil), v[off:off+n]...) }
		b := out[k].Buffers
		b["d"], b["prev_flat_grad"] = seg(st.d), seg(st.prevG)
		for i := range st.dirs {
			b["old_dirs."+strconv.Itoa(i)] = seg(st.dirs[i])
			b["old_stps."+strconv.Itoa(i)] = seg(st.stps[i])
		}
		off += n
	}
	return out
}

// SetState restores state taken by State from an L-BFGS optimiser over
// parameters of the same sizes (the layout is described at
// LBFGSOptimizer). Empty buffer maps mean a fresh optimiser.
func (o *LBFGSOptimizer[T]) SetState(s []ParamState[T]) error {
	if len(s) != len(o.params) {
		return errorf("LBFGS: SetState: %d parameter states for %d parameters", len(s), len(o.params))
	}
	b0 := s[0].Buffers
	if len(b0) == 0 {
		o.st = lbfgsState[T]{}
		return nil
	}
	scalar := func(name string) (float64, error) {
		v, ok := b0[name]
		if !ok || len(v) != 1 {
			return 0, errorf("LBFGS: SetState: the first parameter's state needs a one-element buffer %q", name)
		}
		return float64(v[0]), nil
	}
	fe, err := scalar("func_evals")
	if err != nil {
		return err
	}
	var st lbfgsState[T]
	st.funcEvals, st.nIter = int(fe), s[0].Step
	if fe < 0 || float64(st.funcEvals) != fe || st.nIter < 0 {
		return errorf("LBFGS: SetState: func_evals = %g and n_iter = %d must be whole numbers ≥ 0", fe, st.nIter)
	}
	if st.nIter > 0 {
		if st.t, err = scalar("t"); err != nil {
			return err
		}
		if st.hDiag, err = scalar("H_diag"); err != nil {
			return err
		}
		ro, ok := b0["ro"]
		if !ok || len(ro) > o.s.HistorySize {
			return errorf("LBFGS: SetState: buffer \"ro\" is missing or has more than HistorySize = %d pairs", o.s.HistorySize)
		}
		m := len(ro)
		for _, v := range ro {
			st.ro = append(st.ro, float64(v))
		}
		st.d, st.prevG = make([]T, 0, o.n), make([]T, 0, o.n)
		st.dirs, st.stps = make([][]T, m), make([][]T, m)
		for i := range m {
			st.dirs[i], st.stps[i] = make([]T, 0, o.n), make([]T, 0, o.n)
		}
		for k, p := range o.params {
			n := p.Value().Size()
			get := func(name string) ([]T, error) {
				v, ok := s[k].Buffers[name]
				if !ok || len(v) != n {
					return nil, errorf("LBFGS: SetState: parameter %d needs buffer %q of %d elements (has %d)", k, name, n, len(v))
				}
				return v, nil
			}
			for _, pair := range []struct {
				name string
				dst  *[]T
			}{{"d", &st.d}, {"prev_flat_grad", &st.prevG}} {
				v, err := get(pair.name)
				if err != nil {
					return err
				}
				*pair.dst = append(*pair.dst, v...)
			}
			for i := range m {
				y, err := get("old_dirs." + strconv.Itoa(i))
				if err != nil {
					return err
				}
				sv, err := get("old_stps." + strconv.Itoa(i))
				if err != nil {
					return err
				}
				st.dirs[i], st.stps[i] = append(st.dirs[i], y...), append(st.stps[i], sv...)
			}
		}
		for k := range s {
			for name := range s[k].Buffers {
				if !knownLBFGSBuffer(name, k, m) {
					return errorf("LBFGS: SetState: unexpected buffer %q on parameter %d (is this an L-BFGS state?)", name, k)
				}
			}
		}
	}
	o.st = st
	return nil
}

// knownLBFGSBuffer reports whether name belongs in the state of parameter k
// of an L-BFGS optimiser with m history pairs.
func knownLBFGSBuffer(name string, k, m int) bool {
	switch name {
	case "d", "prev_flat_grad":
		return true
	case "func_evals", "n_iter", "t", "H_diag", "ro":
		return k == 0
	}
	for _, prefix := range []string{"old_dirs.", "old_stps."} {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			i, err := strconv.Atoi(rest)
			return err == nil && i >= 0 && i < m
		}
	}
	return false
}
