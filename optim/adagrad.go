package optim

import "github.com/nabla-go/nabla/internal/vec"

// Adagrad scales each coordinate by the root of its accumulated squared
// gradients (Duchi, Hazan & Singer, 2011), exactly as torch.optim.Adagrad:
// for each parameter p with gradient g, at step t = 1, 2, …,
//
//	if Maximize: g ← −g
//	if WeightDecay ≠ 0: g ← g + WeightDecay·p
//	η_t ← LR / (1 + (t − 1)·LRDecay)
//	s ← s + g²                 (state "sum", starting at InitialAccumulator)
//	p ← p − η_t · g / (√s + ε)
type Adagrad struct {
	LR                 float64 // η > 0; default 0.01
	LRDecay            float64 // ≥ 0; default 0
	WeightDecay        float64 // λ ≥ 0; default 0
	InitialAccumulator float64 // s₀ ≥ 0; default 0
	Eps                float64 // ε > 0; default 1e-10
	Maximize           bool    // ascend instead of descend
}

// AdagradOptimizer applies Adagrad to parameter groups.
type AdagradOptimizer[T Float] struct {
	groups[T]
	s Adagrad
}

// NewAdagrad returns an Adagrad optimiser over groups (see Params).
func NewAdagrad[T Float](groups []*Group[T], s Adagrad) (*AdagradOptimizer[T], error) {
	s.LR, s.Eps = or(s.LR, 0.01), or(s.Eps, 1e-10)
	if !(s.LRDecay >= 0) || !(s.InitialAccumulator >= 0) {
		return nil, errorf("Adagrad: LRDecay (%g) and InitialAccumulator (%g) must be ≥ 0", s.LRDecay, s.InitialAccumulator)
	}
	g, err := newGroups("Adagrad", groups, s.LR, s.WeightDecay,
		checkPositive("Adagrad", "Eps", s.Eps))
	if err != nil {
		return nil, err
	}
	return &AdagradOptimizer[T]{g, s}, nil
}

// Step applies one Adagrad update.
func (o *AdagradOptimizer[T]) Step() error {
	s := o.s
	return o.each(func(grp *Group[T], p, grad []T, st *ParamState[T]) {
		sum, _ := buffer(st, "sum", len(p), T(s.InitialAccumulator))
		st.Step++
		clr := T(grp.LR / (1 + float64(st.Step-1)*s.LRDecay))
		eps, wd := T(s.Eps), T(grp.WeightDecay)
		if vecRMSprop(vec.RMSprop{Eps: float64(eps), WeightDecay: float64(wd), NegLR: float64(-clr), Maximize: s.Maximize, Accumulate: true},
			p, grad, sum, nil, nil) {
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
			sum[i] += T(g * g)
			p[i] += -clr * g / (sqrtT(sum[i]) + eps)
		}
	})
}
