package autodiff

import (
	"fmt"
	"strings"

	"github.com/nabla-go/nabla/tensor"
)

// axesMask returns the set of axes of an nd-axis value that axes name (all
// if none), as bits; it panics as tensor.Sum would on a bad axis.
func axesMask(op string, nd int, axes []int) uint64 {
	if len(axes) == 0 {
		return 1<<nd - 1
	}
	var m uint64
	for _, a := range axes {
		if a < 0 {
			a += nd
		}
		if a < 0 || a >= nd || nd > 64 {
			panic(&tensor.ShapeError{Op: op, Msg: fmt.Sprintf("axis %d is out of range for %d dimensions", a, nd)})
		}
		m |= 1 << a
	}
	return m
}

// keptShape writes into buf x's shape with the axes in mask set to 1.
func keptShape[T Float](x *Var[T], mask uint64, buf *[8]int) []int {
	s := x.dims(buf)
	for i := range s {
		if mask&(1<<i) != 0 {
			s[i] = 1
		}
	}
	return s
}

// Sum adds x over the given axes (all if none); keepDims keeps them as size 1.
func Sum[T Float](x *Var[T], keepDims bool, axes ...int) *Var[T] {
	n := newNode(sumOp[T]{}, x, nil, nil)
	v := tensor.Sum(x.val(), keepDims, axes...) // checks the axes
	if n.requiresGrad {
		n.params().axes = axesMask("Sum", x.val().Dims(), axes)
	}
	return n.set(v)
}

// sumOp is Sum; a recorded node keeps the summed axes in its extra.
type sumOp[T Float] struct{}

func (sumOp[T]) name() string { return "sum" }

// ∂(Σx)/∂xᵢ = 1: spread g back over the summed axes
func (sumOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	x := out.ins()[0]
	var kb, xb [8]int
	grads[0] = Expand(Reshape(g, keptShape(x, out.extra.axes, &kb)...), x.dims(&xb)...)
}

// Mean averages x over the given axes (all if none).
func Mean[T Float](x *Var[T], keepDims bool, axes ...int) *Var[T] {
	s := Sum(x, keepDims, axes...)
	return Scale(T(s.val().Size())/T(x.val().Size()), s)
}

// Max returns the largest element over the given axes (all if none). The
// gradient is shared equally among tied maxima, as PyTorch's amax.
func Max[T Float](x *Var[T], keepDims bool, axes ...int) *Var[T] {
	return apply1(extremeOp[T]{axes, true}, x, tensor.Max(x.val(), keepDims, axes...))
}

// Min returns the smallest element over the given axes (all if none).
func Min[T Float](x *Var[T], keepDims bool, axes ...int) *Var[T] {
	return apply1(extremeOp[T]{axes, false}, x, tensor.Min(x.val(), keepDims, axes...))
}

type extremeOp[T Float] struct {
	axes []int
	max  bool
}

func (o extremeOp[T]) name() string {
	if o.max {
		return "max"
	}
	return "min"
}

// hits is 1 where x attains the extreme.
func (o extremeOp[T]) hits(out *Var[T]) *tensor.Tensor[T] {
	x := out.ins()[0]
	var kb [8]int
	return tensor.Equal(x.val(), tensor.Reshape(out.val(), keptShape(x, axesMask("Max", x.val().Dims(), o.axes), &kb)...))
}

// ∂max/∂xᵢ = [xᵢ = max] / #ties — a constant mask
func (o extremeOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	x := out.ins()[0]
	mask := o.hits(out)
	mask = tensor.Div(mask, tensor.Sum(mask, true, o.axes...))
	var kb, xb [8]int
	kept := keptShape(x, axesMask("Max", x.val().Dims(), o.axes), &kb)
	grads[0] = Mul(Expand(Reshape(g, kept...), x.dims(&xb)...), constOf(g, mask))
}

func (o extremeOp[T]) branch(out *Var[T]) string { return signs(o.hits(out)) }

// LogSumExp returns log Σ eˣ over the given axes, stably (shifted by the max,
// which is held constant: the shift cancels in the derivative).
func LogSumExp[T Float](x *Var[T], keepDims bool, axes ...int) *Var[T] {
	m := tensor.Max(x.val(), true, axes...)
	m = tensor.Map(m, func(v T) T {
		if v-v != 0 { // ±Inf or NaN: shift by 0 instead
			return 0
		}
		return v
	})
	mc := constOf(x, m)
	out := Add(Log(Sum(Exp(Sub(x, mc)), true, axes...)), mc)
	if keepDims {
		return out
	}
	shape := tensor.Sum(m, false, axes...).Shape()
	if len(axes) == 0 {
		shape = nil
	}
	return Reshape(out, shape...)
}

// Softmax returns e^x / Σ e^x along axis, as Exp(LogSoftmax(x, axis)).
func Softmax[T Float](x *Var[T], axis int) *Var[T] { return Exp(LogSoftmax(x, axis)) }

// LogSoftmax returns x − logsumexp(x) along axis, computed by
// tensor.LogSoftmax (row by row with vec.Exp along the last axis of a
// contiguous float32 or float64 value).
func LogSoftmax[T Float](x *Var[T], axis int) *Var[T] {
	n := newNode(logSoftmaxOp[T]{}, x, nil, nil)
	n.set(tensor.LogSoftmax(x.val(), axis))
	if n.requiresGrad {
		n.params().axis = axis
	}
	return n
}

// logSoftmaxOp is LogSoftmax; a recorded node keeps the axis in its extra.
type logSoftmaxOp[T Float] struct{}

func (logSoftmaxOp[T]) name() string { return "log_softmax" }

// ∂yᵢ/∂xⱼ = [i = j] − softmax(x)ⱼ with y = log softmax(x), so the
// vector-Jacobian product is g − e^y · Σ g along the axis
func (logSoftmaxOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	grads[0] = Sub(g, Mul(Exp(plain(g, out)), Sum(g, true, out.extra.axis)))
}

// signs encodes the sign of every element as '+', '-', '0' or 'n' (NaN).
func signs[T Float](t *tensor.Tensor[T]) string {
	var b strings.Builder
	for _, v := range t.Data() {
		switch {
		case v > 0:
			b.WriteByte('+')
		case v < 0:
			b.WriteByte('-')
		case v == 0:
			b.WriteByte('0')
		default:
			b.WriteByte('n')
		}
	}
	return b.String()
}

// Branches describes which side of every kink the computation of out lies on:
// the sign pattern of each relu, leaky relu and abs input, the comparison of
// each maximum/minimum's operands and the position of each max/min. Two points
// with different Branches are separated by a kink, where derivatives jump, so
// a finite difference across them is meaningless. GradCheck uses it.
func Branches[T Float](out *Var[T]) string {
	var b strings.Builder
	w := getWalker[T]()
	defer w.release()
	for _, v := range w.topoOrder(out, nil) {
		if k, ok := v.fn.(kinked[T]); ok {
			fmt.Fprintf(&b, "%s:%s;", v.Op(), k.branch(v))
		}
	}
	return b.String()
}
