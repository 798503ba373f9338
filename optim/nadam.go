package optim

import (
	"math"

	"github.com/nabla-go/nabla/internal/vec"
)

// NAdam is Adam with Nesterov momentum (Dozat, 2016) and PyTorch's momentum
// schedule, exactly as torch.optim.NAdam: for each parameter p with gradient
// g, at step t = 1, 2, …,
//
//	if WeightDecay ≠ 0: g ← g + WeightDecay·p
//	μ_t ← β₁·(1 − ½·0.96^(t·ψ))            (ψ = MomentumDecay)
//	Π ← Π·μ_t                              (state "mu_product", from 1)
//	Π′ ← Π·μ_t·μ_{t+1}   (PyTorch 1.13's default; Π·μ_{t+1} if Textbook)
//	m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²
//	d ← √(v / (1 − β₂ᵗ)) + ε
//	p ← p − LR·(1 − μ_t)/(1 − Π) · g/d − LR·μ_{t+1}/(1 − Π′) · m/d
//
// Where this follows PyTorch rather than the paper: torch 1.13's default
// (single-tensor) NAdam counts μ_t twice in Π′, which later PyTorch
// versions and its own foreach path correct. The default reproduces 1.13
// as shipped; Textbook gives the corrected form (paths differ by ~1e-3 on
// the test functions).
type NAdam struct {
	LR            float64 // η > 0; default 2e-3
	Beta1         float64 // β₁ ∈ [0, 1); default 0.9 (optim.Zero for 0)
	Beta2         float64 // β₂ ∈ [0, 1); default 0.999 (optim.Zero for 0)
	Eps           float64 // ε > 0; default 1e-8
	WeightDecay   float64 // λ ≥ 0; default 0
	MomentumDecay float64 // ψ ≥ 0; default 4e-3 (optim.Zero for 0)
	Textbook      bool    // Π′ = Π·μ_{t+1}, as later PyTorch (and 1.13 with foreach=True)
}

// NAdamOptimizer applies NAdam to parameter groups.
type NAdamOptimizer[T Float] struct {
	groups[T]
	s NAdam
}

// NewNAdam returns a NAdam optimiser over groups (see Params).
func NewNAdam[T Float](groups []*Group[T], s NAdam) (*NAdamOptimizer[T], error) {
	s.LR, s.Beta1, s.Beta2 = or(s.LR, 2e-3), or(s.Beta1, 0.9), or(s.Beta2, 0.999)
	s.Eps, s.MomentumDecay = or(s.Eps, 1e-8), or(s.MomentumDecay, 4e-3)
	for _, c := range []struct {
		f string
		v float64
	}{{"Beta1", s.Beta1}, {"Beta2", s.Beta2}} {
		if err := checkUnit("NAdam", c.f, c.v); err != nil {
			return nil, err
		}
	}
	if err := checkPositive("NAdam", "Eps", s.Eps); err != nil {
		return nil, err
	}
	if !(s.MomentumDecay >= 0) {
		return nil, errorf("NAdam: MomentumDecay = %g must be ≥ 0", s.MomentumDecay)
	}
	g, err := newGroups("NAdam", groups, s.LR, s.WeightDecay)
	if err != nil {
		return nil, err
	}
	return &NAdamOptimizer[T]{g, s}, nil
}

// Step applies one NAdam update.
func (o *NAdamOptimizer[T]) Step() error {
	s := o.s
	return o.each(func(grp *Group[T], p, grad []T, st *ParamState[T]) {
		m, _ := buffer(st, "exp_avg", len(p), 0)
		v, _ := buffer(st, "exp_avg_sq", len(p), 0)
		prod, _ := buffer(st, "mu_product", 1, 1)
		st.Step++
		t := float64(st.Step)
		bc2 := T(1 - math.Pow(s.Beta2, t))
		mu := s.Beta1 * (1 - 0.5*math.Pow(0.96, t*s.MomentumDecay))
		muNext := s.Beta1 * (1 - 0.5*math.Pow(0.96, (t+1)*s.MomentumDecay))
		prod[0] *= T(mu)
		prodNext := prod[0] * T(mu) * T(muNext) // torch 1.13: μ_t counted twice
		if s.Textbook {
			prodNext = prod[0] * T(muNext)
		}
		cg := T(-grp.LR * (1 - mu) / (1 - float64(prod[0])))
		cm := T(-grp.LR * muNext / (1 - float64(prodNext)))
		b1, b2, eps, wd := T(s.Beta1), T(s.Beta2), T(s.Eps), T(grp.WeightDecay)
		if vecNAdam(vec.NAdam{Beta1: float64(b1), OneMinusBeta1: float64(1 - b1), Beta2: float64(b2), OneMinusBeta2: float64(1 - b2),
			BiasCorrection2: float64(bc2), Eps: float64(eps), WeightDecay: float64(wd), GradCoef: float64(cg), MomentCoef: float64(cm)}, p, grad, m, v) {
			return
		}
		// The plain loop, the reference for the fast path (vec.go); T(…)
		// rounds each product before its sum, forbidding FMA (see SGD).
		for i := range p {
			g := grad[i]
			if wd != 0 {
				g += T(wd * p[i])
			}
			m[i] = T(m[i]*b1) + T((1-b1)*g)
			v[i] = T(v[i]*b2) + T((1-b2)*g*g)
			d := sqrtT(v[i]/bc2) + eps
			p[i] += cg * g / d
			p[i] += cm * m[i] / d
		}
	})
}
