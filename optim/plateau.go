package optim

import "math"

// Plateau lowers the learning rate when a watched quantity (a loss) stops
// improving, as torch.optim.lr_scheduler.ReduceLROnPlateau does in its
// default mode ("min", relative threshold): after each epoch call Step with
// the quantity m;
//
//	if m < best·(1 − Threshold): best ← m, bad ← 0    (an improvement)
//	else: bad ← bad + 1
//	if in cooldown: cooldown ← cooldown − 1, bad ← 0
//	if bad > Patience:
//	    for each group: η ← max(η·Factor, MinLR), unless that changes η by ≤ Eps
//	    cooldown ← Cooldown, bad ← 0
type Plateau struct {
	Factor    float64 // multiplier of η, in (0, 1); default 0.1
	Patience  int     // steps without improvement tolerated; default 10 (see NoPatience)
	Threshold float64 // relative improvement that counts; default 1e-4
	Cooldown  int     // steps to wait after a reduction; default 0
	MinLR     float64 // floor of η; default 0
	Eps       float64 // smallest change of η applied; default 1e-8
	// NoPatience makes Patience 0 (reduce after the first step without
	// improvement), which the zero value cannot say.
	NoPatience bool
}

// PlateauScheduler applies Plateau to an optimiser.
type PlateauScheduler[T Float] struct {
	opt      Optimizer[T]
	p        Plateau
	best     float64
	bad      int
	cooldown int
}

// NewPlateau returns a scheduler that lowers o's rates when Step sees no
// improvement.
func NewPlateau[T Float](o Optimizer[T], p Plateau) (*PlateauScheduler[T], error) {
	p.Factor, p.Threshold, p.Eps = or(p.Factor, 0.1), or(p.Threshold, 1e-4), or(p.Eps, 1e-8)
	if p.Patience == 0 && !p.NoPatience {
		p.Patience = 10
	}
	if !(p.Factor > 0 && p.Factor < 1) {
		return nil, errorf("Plateau: Factor = %g must lie in (0, 1)", p.Factor)
	}
	if p.Patience < 0 || p.Cooldown < 0 || p.MinLR < 0 || p.Threshold < 0 {
		return nil, errorf("Plateau: Patience, Cooldown, MinLR and Threshold must not be negative")
	}
	return &PlateauScheduler[T]{opt: o, p: p, best: math.Inf(1)}, nil
}

// Step records the watched quantity m and lowers the rates if it has not
// improved for more than Patience steps. It reports whether it did.
func (s *PlateauScheduler[T]) Step(m float64) bool {
	if m < s.best*(1-s.p.Threshold) { // best starts at +Inf: any finite m improves

		s.best, s.bad = m, 0
	} else {
		s.bad++
	}
	if s.cooldown > 0 {
		s.cooldown--
		s.bad = 0
	}
	if s.bad <= s.p.Patience {
		return false
	}
	for _, g := range s.opt.Groups() {
		if lr := math.Max(g.LR*s.p.Factor, s.p.MinLR); g.LR-lr > s.p.Eps {
			g.LR = lr
		}
	}
	s.cooldown, s.bad = s.p.Cooldown, 0
	return true
}
