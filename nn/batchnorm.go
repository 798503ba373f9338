package nn

import (
	"fmt"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// BatchNorm1d normalises each feature (channel) over the batch, as
// torch.nn.BatchNorm1d. The input is [N, C] or [N, C, L]; statistics are taken
// per channel c over the N (and L) axes, n values each.
//
//	training:   μ = mean(x),  σ² = mean((x − μ)²)        (biased, for normalising)
//	            y = (x − μ) / √(σ² + Eps) · Weight + Bias
//	            RunningMean ← (1 − Momentum)·RunningMean + Momentum·μ
//	            RunningVar  ← (1 − Momentum)·RunningVar  + Momentum·σ²·n/(n − 1)  (unbiased)
//	evaluation: y = (x − RunningMean) / √(RunningVar + Eps) · Weight + Bias
//
// In training the gradient flows through μ and σ² too; the running statistics
// are buffers, updated without gradient. Weight starts at 1, Bias at 0, the
// running mean at 0 and the running variance at 1, as in PyTorch.
type BatchNorm1d[T Float] struct {
	Weight, Bias  *autodiff.Var[T]  // [C], named "weight" and "bias"
	RunningMean   *tensor.Tensor[T] // [C]
	RunningVar    *tensor.Tensor[T] // [C]
	NumBatches    int               // training batches seen (PyTorch's num_batches_tracked)
	Momentum, Eps float64           // 0.1 and 1e-5 from NewBatchNorm1d
	eval          bool              // training mode by default
}

// NewBatchNorm1d returns a BatchNorm1d over c channels with PyTorch's defaults
// (Momentum 0.1, Eps 1e-5, affine).
func NewBatchNorm1d[T Float](c int) *BatchNorm1d[T] {
	if c <= 0 {
		panic(fmt.Sprintf("nn: NewBatchNorm1d: need a positive number of channels, got %d", c))
	}
	return &BatchNorm1d[T]{
		Weight:      autodiff.Param(tensor.Ones[T](c)).SetName("weight"),
		Bias:        autodiff.Param(tensor.Zeros[T](c)).SetName("bias"),
		RunningMean: tensor.Zeros[T](c),
		RunningVar:  tensor.Ones[T](c),
		Momentum:    0.1,
		Eps:         1e-5,
	}
}

// Forward implements Module.
func (b *BatchNorm1d[T]) Forward(x *autodiff.Var[T]) *autodiff.Var[T] {
	s := x.Shape()
	c := b.Weight.Shape()[0]
	if (len(s) != 2 && len(s) != 3) || s[1] != c {
		panic(fmt.Sprintf("nn: BatchNorm1d.Forward: input of shape %v, want [N, %d] or [N, %d, L]", s, c, c))
	}
	axes, pshape := []int{0}, []int{c} // reduction axes; shape params broadcast as
	if len(s) == 3 {
		axes, pshape = []int{0, 2}, []int{c, 1}
	}
	n := s[0]
	if len(s) == 3 {
		n *= s[2]
	}
	w, bias := autodiff.Reshape(b.Weight, pshape...), autodiff.Reshape(b.Bias, pshape...)
	var xhat *autodiff.Var[T]
	if b.eval {
		rm := autodiff.Const(tensor.Reshape(b.RunningMean, pshape...))
		rv := autodiff.Const(tensor.Reshape(b.RunningVar, pshape...))
		xhat = autodiff.Div(autodiff.Sub(x, rm), autodiff.Sqrt(autodiff.AddConst(rv, T(b.Eps))))
	} else {
		if n < 2 {
			panic(fmt.Sprintf("nn: BatchNorm1d.Forward: training needs more than one value per channel, got input shape %v", s))
		}
		mu := autodiff.Mean(x, true, axes...)
		d := autodiff.Sub(x, mu)
		v := autodiff.Mean(autodiff.Square(d), true, axes...)
		xhat = autodiff.Div(d, autodiff.Sqrt(autodiff.AddConst(v, T(b.Eps))))
		m := T(b.Momentum)
		muv, vv := mu.Value().Data(), v.Value().Data()
		rm, rv := b.RunningMean.Data(), b.RunningVar.Data()
		unbias := T(n) / T(n-1)
		for i := range rm {
			rm[i] = (1-m)*rm[i] + m*muv[i]
			rv[i] = (1-m)*rv[i] + m*vv[i]*unbias
		}
		b.NumBatches++
	}
	return autodiff.Add(autodiff.Mul(xhat, w), bias)
}

// Params returns Weight and Bias.
func (b *BatchNorm1d[T]) Params() []*autodiff.Var[T] { return []*autodiff.Var[T]{b.Weight, b.Bias} }

// Buffers returns the running statistics under PyTorch's names
// (running_mean, running_var; num_batches_tracked is the field NumBatches).
func (b *BatchNorm1d[T]) Buffers() map[string]*tensor.Tensor[T] {
	return map[string]*tensor.Tensor[T]{"running_mean": b.RunningMean, "running_var": b.RunningVar}
}

// SetTraining implements Moded.
func (b *BatchNorm1d[T]) SetTraining(on bool) { b.eval = !on }

// Training implements Moded.
func (b *BatchNorm1d[T]) Training() bool { return !b.eval }
