package optim

import (
	"fmt"
	"math"
)

// Schedule gives the learning rate after t scheduler steps from a group's
// base rate η₀. Schedules are values; Scheduler applies one to an optimiser.
// Each follows the torch.optim.lr_scheduler class of the same idea.
type Schedule interface {
	LR(base float64, t int) float64
}

// Constant keeps η₀.
type Constant struct{}

// LR returns base.
func (Constant) LR(base float64, _ int) float64 { return base }

// StepDecay multiplies the rate by Gamma every Size steps (StepLR):
// η_t = η₀·γ^⌊t/Size⌋.
type StepDecay struct {
	Size  int
	Gamma float64
}

// LR returns η₀·γ^⌊t/Size⌋.
func (s StepDecay) LR(base float64, t int) float64 {
	return base * math.Pow(s.Gamma, float64(t/s.Size))
}

// MultiStep multiplies the rate by Gamma at each milestone step
// (MultiStepLR): η_t = η₀·γ^(number of milestones ≤ t).
type MultiStep struct {
	Milestones []int
	Gamma      float64
}

// LR returns η₀·γ^k with k the milestones passed.
func (s MultiStep) LR(base float64, t int) float64 {
	k := 0
	for _, m := range s.Milestones {
		if t >= m {
			k++
		}
	}
	return base * math.Pow(s.Gamma, float64(k))
}

// Exponential multiplies the rate by Gamma every step (ExponentialLR):
// η_t = η₀·γᵗ.
type Exponential struct{ Gamma float64 }

// LR returns η₀·γᵗ.
func (s Exponential) LR(base float64, t int) float64 { return base * math.Pow(s.Gamma, float64(t)) }

// InverseTime is the 1/t decay η_t = η₀/(1 + Decay·t).
type InverseTime struct{ Decay float64 }

// LR returns η₀/(1 + Decay·t).
func (s InverseTime) LR(base float64, t int) float64 { return base / (1 + s.Decay*float64(t)) }

// Cosine anneals from η₀ to Min over TMax steps (CosineAnnealingLR, without
// restarts): η_t = Min + (η₀ − Min)·(1 + cos(π·t/TMax))/2.
type Cosine struct {
	TMax int
	Min  float64
}

// LR returns the annealed rate.
func (s Cosine) LR(base float64, t int) float64 {
	return s.Min + (base-s.Min)*(1+math.Cos(math.Pi*float64(t)/float64(s.TMax)))/2
}

// Warmup ramps the rate linearly from Start·η₀ to η₀ over Steps steps, then
// holds it (LinearLR with end factor 1): η_t = η₀·(Start + (1 − Start)·min(t, Steps)/Steps).
type Warmup struct {
	Start float64 // the first step's fraction of η₀, in (0, 1]
	Steps int
}

// LR returns the ramped rate.
func (s Warmup) LR(base float64, t int) float64 {
	return base * (s.Start + (1-s.Start)*float64(min(t, s.Steps))/float64(s.Steps))
}

// Scheduler drives the learning rates of an optimiser's groups by a
// schedule: call Step after each optimiser step, as in PyTorch.
type Scheduler[T Float] struct {
	opt   Optimizer[T]
	sched Schedule
	base  []float64
	t     int
}

// NewScheduler sets o's rates to the schedule's first value; each group's
// current rate is its base rate η₀.
func NewScheduler[T Float](o Optimizer[T], s Schedule) (*Scheduler[T], error) {
	if err := checkSchedule(s); err != nil {
		return nil, err
	}
	sc := &Scheduler[T]{opt: o, sched: s}
	for _, g := range o.Groups() {
		sc.base = append(sc.base, g.LR)
	}
	sc.apply()
	return sc, nil
}

// Step advances the schedule by one step.
func (s *Scheduler[T]) Step() { s.t++; s.apply() }

// Steps returns how many times Step was called (t).
func (s *Scheduler[T]) Steps() int { return s.t }

func (s *Scheduler[T]) apply() {
	for i, g := range s.opt.Groups() {
		g.LR = s.sched.LR(s.base[i], s.t)
	}
}

// checkSchedule rejects schedules whose parameters make no sense.
func checkSchedule(s Schedule) error {
	bad := func(format string, args ...any) error { return fmt.Errorf("optim: schedule: "+format, args...) }
	switch s := s.(type) {
	case StepDecay:
		if s.Size <= 0 || !(s.Gamma > 0) {
			return bad("step decay needs Size > 0 and Gamma > 0, got %d and %g", s.Size, s.Gamma)
		}
	case MultiStep:
		if !(s.Gamma > 0) {
			return bad("multi-step decay needs Gamma > 0, got %g", s.Gamma)
		}
	case Exponential:
		if !(s.Gamma > 0) {
			return bad("exponential decay needs Gamma > 0, got %g", s.Gamma)
		}
	case InverseTime:
		if !(s.Decay >= 0) {
			return bad("1/t decay needs Decay ≥ 0, got %g", s.Decay)
		}
	case Cosine:
		if s.TMax <= 0 || s.Min < 0 {
			return bad("cosine annealing needs TMax > 0 and Min ≥ 0, got %d and %g", s.TMax, s.Min)
		}
	case Warmup:
		if s.Steps <= 0 || !(s.Start > 0 && s.Start <= 1) {
			return bad("warm-up needs Steps > 0 and Start in (0, 1], got %d and %g", s.Steps, s.Start)
		}
	}
	return nil
}
