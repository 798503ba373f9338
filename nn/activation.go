package nn

import "github.com/nabla-go/nabla/autodiff"

// Sigmoid applies σ(x) = 1/(1+e⁻ˣ) elementwise; σ' = σ(1−σ).
type Sigmoid[T Float] struct{}

// Forward implements Module.
func (Sigmoid[T]) Forward(x *autodiff.Var[T]) *autodiff.Var[T] { return autodiff.Sigmoid(x) }

// Params returns nil.
func (Sigmoid[T]) Params() []*autodiff.Var[T] { return nil }

// Tanh applies tanh x elementwise; tanh' = 1 − tanh².
type Tanh[T Float] struct{}

// Forward implements Module.
func (Tanh[T]) Forward(x *autodiff.Var[T]) *autodiff.Var[T] { return autodiff.Tanh(x) }

// Params returns nil.
func (Tanh[T]) Params() []*autodiff.Var[T] { return nil }

// ReLU applies max(x, 0) elementwise; its derivative at 0 is taken as 0, as in
// PyTorch.
type ReLU[T Float] struct{}

// Forward implements Module.
func (ReLU[T]) Forward(x *autodiff.Var[T]) *autodiff.Var[T] { return autodiff.ReLU(x) }

// Params returns nil.
func (ReLU[T]) Params() []*autodiff.Var[T] { return nil }

// LeakyReLU applies x for x > 0 and Slope·x otherwise.
type LeakyReLU[T Float] struct {
	Slope T // negative slope; 0 means PyTorch's default 0.01 (use ReLU for a slope of 0)
}

// Forward implements Module.
func (l LeakyReLU[T]) Forward(x *autodiff.Var[T]) *autodiff.Var[T] {
	s := l.Slope
	if s == 0 {
		s = 0.01
	}
	return autodiff.LeakyReLU(x, s)
}

// Params returns nil.
func (LeakyReLU[T]) Params() []*autodiff.Var[T] { return nil }

// GELU applies x·Φ(x) = x/2·(1 + erf(x/√2)), the exact form (PyTorch's
// default, not the tanh approximation).
type GELU[T Float] struct{}

// Forward implements Module.
func (GELU[T]) Forward(x *autodiff.Var[T]) *autodiff.Var[T] { return autodiff.GELU(x) }

// Params returns nil.
func (GELU[T]) Params() []*autodiff.Var[T] { return nil }

// Softmax applies e^x / Σ e^x along Axis (negative counts from the end), as
// torch.nn.Softmax(dim=Axis). The zero value normalises along axis 0, which
// for a batch [N, C] is across the batch: usually you want Axis −1
// (NewSoftmax(-1)). For training, feed logits to SoftmaxCrossEntropy instead,
// which is more stable than log(Softmax).
type Softmax[T Float] struct {
	Axis int
}

// NewSoftmax returns a Softmax along axis.
func NewSoftmax[T Float](axis int) Softmax[T] { return Softmax[T]{Axis: axis} }

// Forward implements Module.
func (s Softmax[T]) Forward(x *autodiff.Var[T]) *autodiff.Var[T] { return autodiff.Softmax(x, s.Axis) }

// Params returns nil.
func (Softmax[T]) Params() []*autodiff.Var[T] { return nil }
