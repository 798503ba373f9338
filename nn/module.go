package nn

import (
	"fmt"
	"strconv"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// Float is the element type: float32 or float64.
type Float = tensor.Float

// Module is a layer or a model: a differentiable map from an input Var to an
// output Var, with trainable parameters.
type Module[T Float] interface {
	// Forward records the layer's computation on x and returns its output.
	Forward(x *autodiff.Var[T]) *autodiff.Var[T]
	// Params returns the trainable parameters (leaves made by autodiff.Param),
	// named with SetName as PyTorch's state_dict names them. A module without
	// parameters returns nil.
	Params() []*autodiff.Var[T]
}

// Moded is implemented by modules that behave differently in training and in
// evaluation (Dropout, BatchNorm1d, and Sequential, which passes the switch on
// to its layers). As in PyTorch, a module starts in training mode.
type Moded interface {
	// SetTraining switches training mode on or off.
	SetTraining(on bool)
	// Training reports whether the module is in training mode.
	Training() bool
}

// Buffered is implemented by modules with state that is not trained by
// gradients but belongs to the model (BatchNorm1d's running statistics):
// PyTorch's buffers, named as in its state_dict.
type Buffered[T Float] interface {
	Buffers() map[string]*tensor.Tensor[T]
}

// Train puts m in training mode if it has one (see Moded) and returns m;
// modules without a mode are returned unchanged.
func Train[M any](m M) M {
	if mm, ok := any(m).(Moded); ok {
		mm.SetTraining(true)
	}
	return m
}

// Eval puts m in evaluation mode if it has one (see Moded) and returns m;
// modules without a mode are returned unchanged.
func Eval[M any](m M) M {
	if mm, ok := any(m).(Moded); ok {
		mm.SetTraining(false)
	}
	return m
}

// StateDict returns m's parameters and buffers by name, as PyTorch's
// state_dict: the tensors themselves, not copies.
func StateDict[T Float](m Module[T]) map[string]*tensor.Tensor[T] {
	d := map[string]*tensor.Tensor[T]{}
	for i, p := range m.Params() {
		name := p.Name()
		if name == "" {
			name = "param" + strconv.Itoa(i)
		}
		d[name] = p.Value()
	}
	if b, ok := m.(Buffered[T]); ok {
		for k, v := range b.Buffers() {
			d[k] = v
		}
	}
	return d
}

// Sequential applies its layers in order: Forward(x) = Lₙ(…L₁(L₀(x))).
type Sequential[T Float] struct {
	Layers []Module[T]
	eval   bool
}

// NewSequential chains layers. It renames every layer's parameters with the
// layer's index as a prefix ("weight" of layer 0 becomes "0.weight"), as
// torch.nn.Sequential's state_dict does; nested Sequentials nest the prefixes.
// Put a layer into one Sequential only.
func NewSequential[T Float](layers ...Module[T]) *Sequential[T] {
	for i, l := range layers {
		if l == nil {
			panic(fmt.Sprintf("nn: NewSequential: layer %d is nil", i))
		}
		for _, p := range l.Params() {
			p.SetName(strconv.Itoa(i) + "." + p.Name())
		}
	}
	return &Sequential[T]{Layers: layers}
}

// Forward applies the layers in order.
func (s *Sequential[T]) Forward(x *autodiff.Var[T]) *autodiff.Var[T] {
	for _, l := range s.Layers {
		x = l.Forward(x)
	}
	return x
}

// Params returns the parameters of all layers, in layer order.
func (s *Sequential[T]) Params() []*autodiff.Var[T] {
	var ps []*autodiff.Var[T]
	for _, l := range s.Layers {
		ps = append(ps, l.Params()...)
	}
	return ps
}

// SetTraining switches every layer that has a mode.
func (s *Sequential[T]) SetTraining(on bool) {
	s.eval = !on
	for _, l := range s.Layers {
		if m, ok := l.(Moded); ok {
			m.SetTraining(on)
		}
	}
}

// Training reports whether the Sequential was last put in training mode.
func (s *Sequential[T]) Training() bool { return !s.eval }

// Buffers returns the layers' buffers, prefixed with the layer index.
func (s *Sequential[T]) Buffers() map[string]*tensor.Tensor[T] {
	d := map[string]*tensor.Tensor[T]{}
	for i, l := range s.Layers {
		if b, ok := l.(Buffered[T]); ok {
			for k, v := range b.Buffers() {
				d[strconv.Itoa(i)+"."+k] = v
			}
		}
	}
	return d
}
