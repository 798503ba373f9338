package optim

import "github.com/nabla-go/nabla/internal/vec"

// RMSprop divides the gradient by a running root mean square of recent
// gradients (Tieleman & Hinton, 2012), exactly as torch.optim.RMSprop: for
// each parameter p with gradient g,
//
//	if Maximize: g ← −g
//	if WeightDecay ≠ 0: g ← g + WeightDecay·p
//	v ← α·v + (1 − α)·g²                   (Alpha; state "square_avg")
//	if Centered: ḡ ← α·ḡ + (1 − α)·g;  d ← √(v − ḡ²) + ε   (state "grad_avg")
//	else:        d ← √v + ε
//	if Momentum μ > 0: b ← μ·b + g/d;  p ← p − LR·b     (state "momentum_buffer")
//	else:              p ← p − LR·g/d
type RMSprop struct {
	LR          float64 // η > 0; default 0.01
	Alpha       float64 // α ∈ [0, 1); default 0.99 (optim.Zero for 0)
	Eps         float64 // ε > 0; default 1e-8
	WeightDecay float64 // λ ≥ 0; default 0
	Momentum    float64 // μ ∈ [0, 1); default 0
	Centered    bool    // normalise by the variance estimate instead of the raw second moment
	Maximize    bool    // ascend instead of descend
}

// RMSpropOptimizer applies RMSprop to parameter groups.
type RMSpropOptimizer[T Float] struct {
	groups[T]
	s RMSprop
}

// NewRMSprop returns an RMSprop optimiser over groups (see Params).
func NewRMSprop[T Float](groups []*Group[T], s RMSprop) (*RMSpropOptimizer[T], error) {
	s.LR, s.Alpha, s.Eps = or(s.LR, 0.01), or(s.Alpha, 0.99), or(s.Eps, 1e-8)
	g, err := newGroups("RMSprop", groups, s.LR, s.WeightDecay,
		checkUnit("RMSprop", "Alpha", s.Alpha), checkUnit("RMSprop", "Momentum", s.Momentum), checkPositive("RMSprop", "Eps", s.Eps))
	if err != nil {
		return nil, err
	}
	return &RMSpropOptimizer[T]{g, s}, nil
}

// Step applies one RMSprop update.
func (o *RMSpropOptimizer[T]) Step() error {
	s := o.s
	return o.each(func(grp *Group[T], p, grad []T, st *ParamState[T]) {
		v, _ := buffer(st, "square_avg", len(p), 0)
		var gavg, buf []T
		if s.Centered {
			gavg, _ = buffer(st, "grad_avg", len(p), 0)
		}
		if s.Momentum > 0 {
			buf, _ = buffer(st, "momentum_buffer", len(p), 0)
		}
		st.Step++
		lr, a, eps, wd, mu := T(grp.LR), T(s.Alpha), T(s.Eps), T(grp.WeightDecay), T(s.Momentum)
		if vecRMSprop(vec.RMSprop{Alpha: float64(a), OneMinusAlpha: float64(1 - a), Eps: float64(eps), WeightDecay: float64(wd),
			NegLR: float64(-lr), Momentum: float64(mu), Maximize: s.Maximize}, p, grad, v, gavg, buf) {
			return
		}
		// The plain loop, the reference for the fast path (vec.go); T(…)
		// rounds each product before its sum, forbidding FMA (see SGD).
		for i := range p {
			g := grad[i]
			if s.Maximize {
				g = -g
			}
			if wd != 0 {
				g += T(wd * p[i])
			}
			v[i] = T(v[i]*a) + T((1-a)*g*g)
			var d T
			if gavg != nil {
				gavg[i] = T(gavg[i]*a) + T((1-a)*g)
				d = sqrtT(v[i]+T((-1)*gavg[i]*gavg[i])) + eps
			} else {
				d = sqrtT(v[i]) + eps
			}
			if buf != nil {
				buf[i] = T(buf[i]*mu) + g/d
				p[i] += T(-lr * buf[i])
			} else {
				p[i] += -lr * g / d
			}
		}
	})
}
