// Package optim updates autodiff parameters from their gradients: gradient
// descent and its family (SGD with momentum and Nesterov, Adagrad, RMSprop,
// Adam, AdamW, Adadelta, NAdam), L-BFGS, line searches (Armijo backtracking,
// strong Wolfe), learning-rate schedules, gradient clipping, and minimisation
// loops with stopping rules (Minimize, MinimizeLBFGS, MinimizeSteepest,
// MultiStart).
//
// An optimiser is a small interface: Step applies one update to every
// parameter from the gradient Backward left in it. The hyperparameters are a
// settings struct whose zero value means PyTorch's defaults, and every update
// follows torch.optim (version 1.13) operation for operation, so a float64
// trajectory ported from PyTorch is reproduced step for step. Each rule is
// written as pseudocode in its type's doc comment, with the paper's symbols
// mapped to field names.
//
// A zero field means "the default". Where an explicit zero is a meaningful
// setting that differs from the default (Adam's β₁ = 0, say), write
// optim.Zero: a negative zero, which computes as 0 but is told apart from an
// unset field.
//
// Per-parameter state (moment estimates, step counts) is explicit: State and
// SetState copy it out and back in, so training can be checkpointed, resumed
// and reproduced bit for bit.
//
// Each update is written as a plain loop over the parameter's elements, the
// readable reference. For float32 and float64 parameters a step runs
// instead the fused one-pass update of internal/vec (SIMD on amd64), which
// performs the same operations in the same order and so leaves the same
// bits (vec.go).
package optim

import (
	"errors"
	"fmt"
	"math"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// Float is the element type of the parameters.
type Float = tensor.Float

// Zero is an explicit zero for a settings field whose default is not zero:
// Adam{Beta1: optim.Zero} has β₁ = 0, while Adam{} has β₁ = 0.9.
var Zero = math.Copysign(0, -1)

// or returns v, or def when v is an unset (positive) zero.
func or(v, def float64) float64 {
	if v == 0 && !math.Signbit(v) {
		return def
	}
	return v
}

// Optimizer updates parameters from their gradients.
type Optimizer[T Float] interface {
	// Step applies one update to every parameter that has a gradient.
	// Parameters without one (not reached by Backward) are left alone, as in
	// PyTorch.
	Step() error
	// Groups returns the parameter groups; changing a group's LR takes
	// effect at the next Step (this is how schedules work).
	Groups() []*Group[T]
	// State returns a copy of the per-parameter state, for checkpoints.
	State() []ParamState[T]
	// SetState restores state taken by State from an optimiser over the
	// same parameters.
	SetState([]ParamState[T]) error
}

// Group is a set of parameters sharing a learning rate and weight decay.
type Group[T Float] struct {
	Params []*autodiff.Var[T]
	// LR is the group's learning rate. Zero: the optimiser's.
	LR float64
	// WeightDecay is the group's L2 penalty coefficient (decoupled for
	// AdamW). Zero: the optimiser's; optim.Zero switches it off.
	WeightDecay float64
}

// ParamState is the state one optimiser keeps for one parameter: its step
// count and named buffers of the parameter's size (e.g. "exp_avg", as
// PyTorch names them).
type ParamState[T Float] struct {
	Step    int
	Buffers map[string][]T
}

// ZeroGrad forgets the gradients of every parameter of o.
func ZeroGrad[T Float](o Optimizer[T]) {
	for _, g := range o.Groups() {
		for _, p := range g.Params {
			p.ZeroGrad()
		}
	}
}

// SetLR sets the learning rate of every group of o.
func SetLR[T Float](o Optimizer[T], lr float64) {
	for _, g := range o.Groups() {
		g.LR = lr
	}
}

// groups is the shared part of every optimiser: parameter groups with their
// resolved hyperparameters, and one state per parameter.
type groups[T Float] struct {
	list  []*Group[T]
	state []ParamState[T] // in the order of the groups' parameters
}

// newGroups makes one group of params, or checks the given groups, filling
// unset learning rates and weight decays from the optimiser's.
// Any error among checks (the optimiser's own setting checks) is returned
// first.
func newGroups[T Float](name string, gs []*Group[T], lr, wd float64, checks ...error) (groups[T], error) {
	for _, err := range checks {
		if err != nil {
			return groups[T]{}, err
		}
	}
	if !(lr > 0) || math.IsInf(lr, 0) {
		return groups[T]{}, fmt.Errorf("optim: %s: learning rate %g must be positive and finite", name, lr)
	}
	if wd < 0 || math.IsNaN(wd) || math.IsInf(wd, 0) {
		return groups[T]{}, fmt.Errorf("optim: %s: weight decay %g must be a finite number ≥ 0", name, wd)
	}
	n := 0
	for i, g := range gs {
		g.LR = or(g.LR, lr)
		g.WeightDecay = or(g.WeightDecay, wd)
		if !(g.LR > 0) || math.IsInf(g.LR, 0) {
			return groups[T]{}, fmt.Errorf("optim: %s: group %d: learning rate %g must be positive and finite", name, i, g.LR)
		}
		if g.WeightDecay < 0 || math.IsNaN(g.WeightDecay) {
			return groups[T]{}, fmt.Errorf("optim: %s: group %d: weight decay %g must be ≥ 0", name, i, g.WeightDecay)
		}
		for j, p := range g.Params {
			if p == nil {
				return groups[T]{}, fmt.Errorf("optim: %s: group %d: parameter %d is nil", name, i, j)
			}
			if !p.Value().IsContiguous() {
				return groups[T]{}, fmt.Errorf("optim: %s: group %d: parameter %d (%s) is a non-contiguous view; optimise the tensor it views", name, i, j, p.Name())
			}
		}
		n += len(g.Params)
	}
	if n == 0 {
		return groups[T]{}, errors.New("optim: " + name + ": no parameters to optimise")
	}
	return groups[T]{list: gs, state: make([]ParamState[T], n)}, nil
}

// Groups returns the parameter groups.
func (g *groups[T]) Groups() []*Group[T] { return g.list }

// State returns a deep copy of the per-parameter state.
func (g *groups[T]) State() []ParamState[T] {
	out := make([]ParamState[T], len(g.state))
	for i, s := range g.state {
		out[i] = ParamState[T]{Step: s.Step, Buffers: map[string][]T{}}
		for k, b := range s.Buffers {
			out[i].Buffers[k] = append([]T(nil), b...)
		}
	}
	return out
}

// SetState restores a deep copy of s.
func (g *groups[T]) SetState(s []ParamState[T]) error {
	if len(s) != len(g.state) {
		return fmt.Errorf("optim: SetState: %d parameter states for %d parameters", len(s), len(g.state))
	}
	k := 0
	for _, grp := range g.list {
		for _, p := range grp.Params {
			for name, b := range s[k].Buffers {
				if len(b) != p.Value().Size() {
					return fmt.Errorf("optim: SetState: buffer %q of parameter %d has %d elements, the parameter %d", name, k, len(b), p.Value().Size())
				}
			}
			k++
		}
	}
	copy(g.state, (&groups[T]{state: s}).State())
	return nil
}

// each calls update for every parameter with a gradient: its group, its
// values (written in place), its gradient and its state. A parameter that
// the update leaves NaN or Inf is an error naming the step.
func (g *groups[T]) each(update func(grp *Group[T], p, grad []T, st *ParamState[T])) error {
	k := 0
	for _, grp := range g.list {
		for _, p := range grp.Params {
			st := &g.state[k]
			k++
			gt := p.Grad()
			if gt == nil {
				continue
			}
			if st.Buffers == nil {
				st.Buffers = map[string][]T{}
			}
			update(grp, p.Value().Data(), gt.Data(), st)
			if bad, at := tensor.CountNonFinite(p.Value()); bad > 0 {
				return fmt.Errorf("optim: step %d made %d entries of parameter %d%s NaN or Inf (first at %d): the updates diverged; try a smaller learning rate or clip the gradients", st.Step, bad, k-1, nameOf(p), at)
			}
		}
	}
	return nil
}

func nameOf[T Float](p *autodiff.Var[T]) string {
	if p.Name() == "" {
		return ""
	}
	return " (" + p.Name() + ")"
}

// buffer returns the state buffer name, creating it filled with init.
func buffer[T Float](st *ParamState[T], name string, n int, init T) ([]T, bool) {
	b, ok := st.Buffers[name]
	if !ok {
		b = make([]T, n)
		if init != 0 {
			for i := range b {
				b[i] = init
			}
		}
		st.Buffers[name] = b
	}
	return b, ok
}

// Params puts params in a single group with the optimiser's learning rate
// and weight decay: optim.NewAdam(optim.Params(w, b), optim.Adam{LR: 0.01}).
func Params[T Float](params ...*autodiff.Var[T]) []*Group[T] {
	return []*Group[T]{{Params: params}}
}

// checkUnit checks that a decay rate lies in [0, 1).
func checkUnit(opt, field string, v float64) error {
	if !(v >= 0 && v < 1) {
		return fmt.Errorf("optim: %s: %s = %g must lie in [0, 1)", opt, field, v)
	}
	return nil
}

// checkPositive checks that v > 0 and finite.
func checkPositive(opt, field string, v float64) error {
	if !(v > 0) || math.IsInf(v, 0) {
		return fmt.Errorf("optim: %s: %s = %g must be positive and finite", opt, field, v)
	}
	return nil
}

// errorf makes an error prefixed with "optim: ".
func errorf(format string, args ...any) error { return fmt.Errorf("optim: "+format, args...) }

// sqrtT is √x in the element type.
func sqrtT[T Float](x T) T { return T(math.Sqrt(float64(x))) }
