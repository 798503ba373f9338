package optim

import (
	"math"

	"github.com/nabla-go/nabla/internal/vec"
)

// Adam is the adaptive moment estimation method (Kingma & Ba, 2015), with
// AMSGrad (Reddi et al., 2018) and, for AdamW, decoupled weight decay
// (Loshchilov & Hutter, 2019), exactly as torch.optim.Adam and AdamW: for
// each parameter p with gradient g, at step t = 1, 2, …,
//
//	if Maximize: g ← −g
//	if Decoupled (AdamW): p ← p·(1 − LR·WeightDecay)
//	else if WeightDecay ≠ 0: g ← g + WeightDecay·p
//	m ← β₁·m + (1 − β₁)·g                  (Beta1; state "exp_avg")
//	v ← β₂·v + (1 − β₂)·g²                 (Beta2; state "exp_avg_sq")
//	if AMSGrad: v̂ ← max(v̂, v), else v̂ = v  (state "max_exp_avg_sq")
//	p ← p − LR/(1 − β₁ᵗ) · m / (√v̂/√(1 − β₂ᵗ) + ε)
//
// The bias corrections are folded as PyTorch folds them (ε is added after
// dividing √v̂ by √(1 − β₂ᵗ), which the paper's ε̂ differs from slightly).
type Adam struct {
	LR          float64 // η > 0; default 1e-3
	Beta1       float64 // β₁ ∈ [0, 1); default 0.9 (optim.Zero for 0)
	Beta2       float64 // β₂ ∈ [0, 1); default 0.999 (optim.Zero for 0)
	Eps         float64 // ε > 0; default 1e-8
	WeightDecay float64 // λ ≥ 0; default 0 for Adam, 0.01 for AdamW (optim.Zero for 0)
	AMSGrad     bool    // keep the running maximum of v
	Maximize    bool    // ascend instead of descend
	// Decoupled applies weight decay to the parameters directly (AdamW)
	// instead of adding it to the gradient. NewAdamW sets it.
	Decoupled bool
}

// AdamOptimizer applies Adam or AdamW to parameter groups.
type AdamOptimizer[T Float] struct {
	groups[T]
	s Adam
}

// NewAdam returns an Adam optimiser over groups (see Params).
func NewAdam[T Float](groups []*Group[T], s Adam) (*AdamOptimizer[T], error) {
	name := "Adam"
	if s.Decoupled {
		name = "AdamW"
	}
	s.LR = or(s.LR, 1e-3)
	s.Beta1, s.Beta2, s.Eps = or(s.Beta1, 0.9), or(s.Beta2, 0.999), or(s.Eps, 1e-8)
	g, err := newGroups(name, groups, s.LR, s.WeightDecay,
		checkUnit(name, "Beta1", s.Beta1), checkUnit(name, "Beta2", s.Beta2), checkPositive(name, "Eps", s.Eps))
	if err != nil {
		return nil, err
	}
	return &AdamOptimizer[T]{g, s}, nil
}

// NewAdamW returns Adam with decoupled weight decay, default 0.01.
func NewAdamW[T Float](groups []*Group[T], s Adam) (*AdamOptimizer[T], error) {
	s.Decoupled = true
	s.WeightDecay = or(s.WeightDecay, 0.01)
	return NewAdam(groups, s)
}

// Step applies one Adam update.
func (o *AdamOptimizer[T]) Step() error {
	s := o.s
	return o.each(func(grp *Group[T], p, grad []T, st *ParamState[T]) {
		m, _ := buffer(st, "exp_avg", len(p), 0)
		v, _ := buffer(st, "exp_avg_sq", len(p), 0)
		var vmax []T
		if s.AMSGrad {
			vmax, _ = buffer(st, "max_exp_avg_sq", len(p), 0)
		}
		st.Step++
		t := float64(st.Step)
		stepSize := T(grp.LR / (1 - math.Pow(s.Beta1, t)))
		bc2 := T(math.Sqrt(1 - math.Pow(s.Beta2, t)))
		b1, b2, eps, wd := T(s.Beta1), T(s.Beta2), T(s.Eps), T(grp.WeightDecay)
		decay := T(1 - grp.LR*grp.WeightDecay)
		if vecAdam(vec.Adam{Beta1: float64(b1), OneMinusBeta1: float64(1 - b1), Beta2: float64(b2), OneMinusBeta2: float64(1 - b2),
			NegStepSize: float64(-stepSize), BiasCorrection2: float64(bc2), Eps: float64(eps), WeightDecay: float64(wd), Decay: float64(decay),
			Maximize: s.Maximize, Decoupled: s.Decoupled}, p, grad, m, v, vmax) {
			return
		}
		// The plain loop, the reference for the fast path (vec.go); T(…)
		// rounds each product before its sum, forbidding FMA (see SGD).
		for i := range p {
			g := grad[i]
			if s.Maximize {
				g = -g
			}
			if s.Decoupled {
				p[i] *= decay
			} else if wd != 0 {
				g += T(wd * p[i])
			}
			m[i] = T(m[i]*b1) + T((1-b1)*g)
			v[i] = T(v[i]*b2) + T((1-b2)*g*g)
			vi := v[i]
			if vmax != nil {
				vmax[i] = max(vmax[i], vi)
				vi = vmax[i]
			}
			denom := sqrtT(vi)/bc2 + eps
			p[i] += -stepSize * m[i] / denom // addcdiv: (value·m)/denom
		}
	})
}
