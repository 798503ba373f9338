package optim

import "github.com/nabla-go/nabla/internal/vec"

// Adadelta adapts the step from running averages of squared gradients and
// squared updates (Zeiler, 2012), exactly as torch.optim.Adadelta: for each
// parameter p with gradient g,
//
//	if Maximize: g ← −g
//	if WeightDecay ≠ 0: g ← g + WeightDecay·p
//	v ← ρ·v + (1 − ρ)·g²                   (Rho; state "square_avg")
//	Δ ← √(u + ε) / √(v + ε) · g            (state "acc_delta" is u)
//	u ← ρ·u + (1 − ρ)·Δ²
//	p ← p − LR·Δ
type Adadelta struct {
	LR          float64 // η > 0; default 1
	Rho         float64 // ρ ∈ [0, 1); default 0.9 (optim.Zero for 0)
	Eps         float64 // ε > 0; default 1e-6
	WeightDecay float64 // λ ≥ 0; default 0
	Maximize    bool    // ascend instead of descend
}

// AdadeltaOptimizer applies Adadelta to parameter groups.
type AdadeltaOptimizer[T Float] struct {
	groups[T]
	s Adadelta
}

// NewAdadelta returns an Adadelta optimiser over groups (see Params).
func NewAdadelta[T Float](groups []*Group[T], s Adadelta) (*AdadeltaOptimizer[T], error) {
	s.LR, s.Rho, s.Eps = or(s.LR, 1), or(s.Rho, 0.9), or(s.Eps, 1e-6)
	g, err := newGroups("Adadelta", groups, s.LR, s.WeightDecay,
		checkUnit("Adadelta", "Rho", s.Rho), checkPositive("Adadelta", "Eps", s.Eps))
	if err != nil {
		return nil, err
	}
	return &AdadeltaOptimizer[T]{g, s}, nil
}

// Step applies one Adadelta update.
func (o *AdadeltaOptimizer[T]) Step() error {
	s := o.s
	return o.each(func(grp *Group[T], p, grad []T, st *ParamState[T]) {
		v, _ := buffer(st, "square_avg", len(p), 0)
		u, _ := buffer(st, "acc_delta", len(p), 0)
		st.Step++
		lr, rho, eps, wd := T(grp.LR), T(s.Rho), T(s.Eps), T(grp.WeightDecay)
		if vecAdadelta(vec.Adadelta{Rho: float64(rho), OneMinusRho: float64(1 - rho), Eps: float64(eps), WeightDecay: float64(wd),
			NegLR: float64(-lr), Maximize: s.Maximize}, p, grad, v, u) {
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
			v[i] = T(v[i]*rho) + T((1-rho)*g*g)
			std := sqrtT(v[i] + eps)
			delta := sqrtT(u[i]+eps) / std * g
			u[i] = T(u[i]*rho) + T((1-rho)*delta*delta)
			p[i] += T(-lr * delta)
		}
	})
}
