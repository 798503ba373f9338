package autodiff

import (
	"fmt"
	"slices"

	"github.com/nabla-go/nabla/tensor"
)

// Reshape returns x with a new shape of the same size (one dimension may be −1).
func Reshape[T Float](x *Var[T], shape ...int) *Var[T] {
	return apply1(reshapeOp[T]{}, x, tensor.Reshape(x.val(), shape...))
}

type reshapeOp[T Float] struct{}

func (reshapeOp[T]) name() string { return "reshape" }

// reshaping back is the adjoint
func (reshapeOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	var b [8]int
	grads[0] = Reshape(g, out.ins()[0].dims(&b)...)
}

// Flatten returns x as a 1-D Var.
func Flatten[T Float](x *Var[T]) *Var[T] { return Reshape(x, -1) }

// Permute reorders the axes of x: axis i of the result is axis perm[i] of x
// (no perm: reverse them).
func Permute[T Float](x *Var[T], perm ...int) *Var[T] {
	v := tensor.Permute(x.val(), perm...)
	if len(perm) == 0 {
		perm = make([]int, x.val().Dims())
		for i := range perm {
			perm[i] = len(perm) - 1 - i
		}
	}
	return apply1(permuteOp[T]{tensor.InversePermutation(perm)}, x, v)
}

type permuteOp[T Float] struct{ inverse []int }

func (permuteOp[T]) name() string { return "permute" }

// the inverse permutation is the adjoint
func (o permuteOp[T]) vjp(out, g *Var[T], grads []*Var[T]) { grads[0] = Permute(g, o.inverse...) }

// Transpose swaps axes i and j of x.
func Transpose[T Float](x *Var[T], i, j int) *Var[T] {
	v := tensor.Transpose(x.val(), i, j) // validates the axes
	nd := len(v.Shape())
	perm := make([]int, nd)
	for k := range perm {
		perm[k] = k
	}
	i, j = (i+nd)%nd, (j+nd)%nd
	perm[i], perm[j] = perm[j], perm[i]
	return apply1(permuteOp[T]{perm}, x, v) // a swap is its own inverse
}

// T swaps the last two axes of x (the matrix transpose).
func T[F Float](x *Var[F]) *Var[F] { return Transpose(x, -2, -1) }

// Slice returns x restricted to [start, end) along axis (negative values count
// from the end).
func Slice[T Float](x *Var[T], axis, start, end int) *Var[T] {
	v := tensor.Slice(x.val(), axis, start, end)
	n := newNode(sliceOp[T]{}, x, nil, nil).set(v)
	if n.requiresGrad {
		size := x.val().Dim(axis)
		if start < 0 {
			start += size
		}
		e := n.params()
		e.axis, e.before, e.after = axis, start, size-start-v.Dim(axis)
	}
	return n
}

// sliceOp is Slice; a recorded node keeps the axis and the number of
// elements before and after the window in its extra (an operation value
// holding them would be allocated per node).
type sliceOp[T Float] struct{}

func (sliceOp[T]) name() string { return "slice" }

// the adjoint of taking a window is putting it back among zeros
func (sliceOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	e := out.extra
	grads[0] = Pad(g, e.axis, e.before, e.after)
}

// Pad inserts before zeros ahead of x and after zeros behind it along axis.
func Pad[T Float](x *Var[T], axis, before, after int) *Var[T] {
	n := newNode(padOp[T]{}, x, nil, nil).set(tensor.Pad(x.val(), axis, before, after))
	if n.requiresGrad {
		e := n.params()
		e.axis, e.before = axis, before
	}
	return n
}

// padOp is Pad, with its parameters kept as Slice's.
type padOp[T Float] struct{}

func (padOp[T]) name() string { return "pad" }

// the adjoint of padding is slicing
func (padOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	e := out.extra
	grads[0] = Slice(g, e.axis, e.before, e.before+out.ins()[0].val().Dim(e.axis))
}

// Expand broadcasts x to shape without copying.
func Expand[T Float](x *Var[T], shape ...int) *Var[T] {
	if x.hasShape(shape) {
		return x
	}
	return apply1(expandOp[T]{}, x, tensor.Expand(x.val(), shape...))
}

type expandOp[T Float] struct{}

func (expandOp[T]) name() string { return "expand" }

// the adjoint of broadcasting is summing
func (expandOp[T]) vjp(out, g *Var[T], grads []*Var[T]) { grads[0] = unbroadcast(g, out.ins()[0]) }

// SumTo sums x down to shape (which must broadcast to x's shape): the adjoint
// of Expand.
func SumTo[T Float](x *Var[T], shape ...int) *Var[T] {
	if x.hasShape(shape) {
		return x
	}
	return apply1(sumToOp[T]{}, x, tensor.SumTo(x.val(), shape...))
}

type sumToOp[T Float] struct{}

func (sumToOp[T]) name() string { return "sum_to" }

// the adjoint of summing is broadcasting
func (sumToOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	var b [8]int
	grads[0] = Expand(g, out.ins()[0].dims(&b)...)
}

// Unsqueeze inserts an axis of size 1 at position axis.
func Unsqueeze[T Float](x *Var[T], axis int) *Var[T] {
	return Reshape(x, tensor.Unsqueeze(x.val(), axis).Shape()...)
}

// Squeeze drops the given axes of size 1 (all of them if none given).
func Squeeze[T Float](x *Var[T], axes ...int) *Var[T] {
	return Reshape(x, tensor.Squeeze(x.val(), axes...).Shape()...)
}

// Concat joins xs along axis.
func Concat[T Float](axis int, xs ...*Var[T]) *Var[T] {
	vals := make([]*tensor.Tensor[T], len(xs))
	for i, x := range xs {
		vals[i] = x.val()
	}
	v := tensor.Concat(axis, vals...)
	if axis < 0 {
		axis += v.Dims()
	}
	return newNode(concatOp[T]{axis}, nil, nil, slices.Clone(xs)).set(v)
}

type concatOp[T Float] struct{ axis int }

func (concatOp[T]) name() string { return "concat" }

// each input's gradient is its window of g
func (o concatOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	at := 0
	for i, in := range out.ins() {
		n := in.val().Dim(o.axis)
		if needs(out, i) {
			grads[i] = Slice(g, o.axis, at, at+n)
		}
		at += n
	}
}

// Stack joins equally shaped xs along a new axis.
func Stack[T Float](axis int, xs ...*Var[T]) *Var[T] {
	if len(xs) == 0 {
		panic(&tensor.ShapeError{Op: "Stack", Msg: "needs at least one Var"})
	}
	shapes := make([][]int, len(xs))
	for i, x := range xs {
		shapes[i] = x.Shape()
		if !slices.Equal(shapes[i], shapes[0]) {
			panic(&tensor.ShapeError{Op: "Stack", Shapes: shapes[:i+1], Msg: fmt.Sprintf("input %d differs in shape from input 0", i)})
		}
	}
	if axis < 0 {
		axis += xs[0].val().Dims() + 1
	}
	us := make([]*Var[T], len(xs))
	for i, x := range xs {
		us[i] = Unsqueeze(x, axis)
	}
	return Concat(axis, us...)
}

// IndexSelect returns the slices of x at positions idx along axis.
func IndexSelect[T Float](x *Var[T], axis int, idx []int) *Var[T] {
	return apply1(indexSelectOp[T]{axis, idx}, x, tensor.IndexSelect(x.val(), axis, idx))
}

type indexSelectOp[T Float] struct {
	axis int
	idx  []int
}

func (indexSelectOp[T]) name() string { return "index_select" }

// the adjoint of selecting is adding back at the same positions
func (o indexSelectOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	grads[0] = IndexAdd(out.ins()[0].Shape(), o.axis, o.idx, g)
}

// IndexAdd returns zeros of shape with src's slices added at idx along axis
// (the adjoint of IndexSelect).
func IndexAdd[T Float](shape []int, axis int, idx []int, src *Var[T]) *Var[T] {
	return apply1(indexAddOp[T]{axis, idx}, src, tensor.IndexAdd(shape, axis, idx, src.val()))
}

type indexAddOp[T Float] struct {
	axis int
	idx  []int
}

func (indexAddOp[T]) name() string { return "index_add" }

// the adjoint of adding at positions is selecting them
func (o indexAddOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	grads[0] = IndexSelect(g, o.axis, o.idx)
}

// TakeAlong picks one element per slice along axis (see tensor.TakeAlong): for
// logits [N,C] and labels y, TakeAlong(logits, 1, y) is logits[i, y[i]] as [N,1].
// A recorded node keeps idx (not a copy): do not change it before the
// backward pass.
func TakeAlong[T Float](x *Var[T], axis int, idx []int) *Var[T] {
	n := newNode(takeAlongOp[T]{}, x, nil, nil)
	n.set(tensor.TakeAlong(x.val(), axis, idx))
	if n.requiresGrad {
		e := n.params()
		e.axis, e.idx = axis, idx
	}
	return n
}

// takeAlongOp is TakeAlong; a recorded node keeps its axis and indices in
// its extra (an operation value holding them would be allocated per node).
type takeAlongOp[T Float] struct{}

func (takeAlongOp[T]) name() string { return "take_along" }

// the adjoint of picking is putting back
func (takeAlongOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	var b [8]int
	grads[0] = PutAlong(out.ins()[0].dims(&b), out.extra.axis, out.extra.idx, g)
}

// PutAlong is the adjoint of TakeAlong: zeros of shape with src added at the
// picked positions.
func PutAlong[T Float](shape []int, axis int, idx []int, src *Var[T]) *Var[T] {
	n := newNode(putAlongOp[T]{}, src, nil, nil)
	n.set(tensor.PutAlong(shape, axis, idx, src.val()))
	if n.requiresGrad {
		e := n.params()
		e.axis, e.idx = axis, idx
	}
	return n
}

// putAlongOp is PutAlong, with its parameters kept as TakeAlong's.
type putAlongOp[T Float] struct{}

func (putAlongOp[T]) name() string { return "put_along" }

// the adjoint of putting is picking
func (putAlongOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	grads[0] = TakeAlong(g, out.extra.axis, out.extra.idx)
}
