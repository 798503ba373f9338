package optim

import "github.com/nabla-go/nabla/internal/vec"

// SGD is stochastic gradient descent with optional momentum, dampening,
// Nesterov momentum and L2 weight decay, exactly as torch.optim.SGD: for
// each parameter p with gradient g, at step t,
//
//	if Maximize: g ← −g
//	if WeightDecay ≠ 0: g ← g + WeightDecay·p
//	if Momentum μ ≠ 0:
//	    b ← g                              at the first step (no dampening)
//	    b ← μ·b + (1 − Dampening)·g        afterwards
//	    g ← g + μ·b  if Nesterov, else g ← b
//	p ← p − LR·g
//
// With no momentum this is plain gradient descent (gradient ascent with
// Maximize). The momentum buffer is the state "momentum_buffer".
type SGD struct {
	LR          float64 // learning rate η > 0; default 1e-3 (PyTorch requires it; this is nabla's)
	Momentum    float64 // μ ∈ [0, 1); default 0 (none)
	Dampening   float64 // τ ∈ [0, 1]; default 0
	WeightDecay float64 // λ ≥ 0; default 0
	Nesterov    bool    // Nesterov momentum; needs Momentum > 0 and Dampening = 0
	Maximize    bool    // ascend instead of descend
}

// SGDOptimizer applies SGD to parameter groups.
type SGDOptimizer[T Float] struct {
	groups[T]
	s SGD
}

// NewSGD returns an SGD optimiser over groups (see Params).
func NewSGD[T Float](groups []*Group[T], s SGD) (*SGDOptimizer[T], error) {
	s.LR = or(s.LR, 1e-3)
	switch {
	case s.Momentum < 0 || s.Momentum >= 1 || s.Momentum != s.Momentum:
		return nil, checkUnit("SGD", "momentum", s.Momentum)
	case !(s.Dampening >= 0 && s.Dampening <= 1):
		return nil, checkUnit("SGD", "dampening", s.Dampening)
	case s.Nesterov && (s.Momentum <= 0 || s.Dampening != 0):
		return nil, errorf("SGD: Nesterov momentum needs Momentum > 0 and no dampening")
	}
	g, err := newGroups("SGD", groups, s.LR, s.WeightDecay)
	if err != nil {
		return nil, err
	}
	return &SGDOptimizer[T]{g, s}, nil
}

// Step applies one SGD update.
func (o *SGDOptimizer[T]) Step() error {
	s := o.s
	return o.each(func(grp *Group[T], p, grad []T, st *ParamState[T]) {
		lr, wd, mu, damp := T(grp.LR), T(grp.WeightDecay), T(s.Momentum), T(s.Dampening)
		var buf []T
		first := false
		if s.Momentum != 0 {
			var had bool
			buf, had = buffer(st, "momentum_buffer", len(p), 0)
			first = !had
		}
		st.Step++
		grad = grad[:len(p)]
		if buf == nil && wd == 0 && !s.Maximize { // plain gradient descent: p ← p − lr·g
			if vecAxpy(p, -lr, grad) {
				return
			}
			for i := range p {
				p[i] += T(-lr * grad[i])
			}
			return
		}
		if vecSGD(vec.SGD{NegLR: float64(-lr), WeightDecay: float64(wd), Momentum: float64(mu), OneMinusDampening: float64(1 - damp),
			Maximize: s.Maximize, First: first, Nesterov: s.Nesterov}, p, grad, buf) {
			return
		}
		// The plain loop, the reference for the fast paths (vec.go). The
		// conversions T(…) round each product before its sum, which forbids
		// fusing the two into an FMA (as Go does on arm64, say): the result
		// is then the same everywhere.
		for i := range p {
			d := grad[i]
			if s.Maximize {
				d = -d
			}
			if wd != 0 {
				d += T(wd * p[i])
			}
			if buf != nil {
				if first {
					buf[i] = d
				} else {
					buf[i] = T(mu*buf[i]) + T((1-damp)*d)
				}
				if s.Nesterov {
					d += T(mu * buf[i])
				} else {
					d = buf[i]
				}
			}
			p[i] += T(-lr * d)
		}
	})
}
