package tensor

import (
	"fmt"
	"slices"
)

// ShapeError is the panic value of an operation given shapes that do not fit.
// It names the operation and every shape involved.
type ShapeError struct {
	Op     string  // the operation, e.g. "MatMul"
	Shapes [][]int // the operands' shapes, in argument order
	Msg    string  // what is wrong
}

func (e *ShapeError) Error() string {
	s := make([]string, len(e.Shapes))
	for i, sh := range e.Shapes {
		s[i] = fmt.Sprint(sh)
	}
	return fmt.Sprintf("tensor.%s: %s (shapes %v)", e.Op, e.Msg, s)
}

func shapeErr(op, msg string, shapes ...[]int) *ShapeError {
	return &ShapeError{Op: op, Shapes: shapes, Msg: msg}
}

// cloneInts copies s; an empty s gives an empty, non-nil slice, so a 0-d
// shape passed on as FromSlice(data, shape...) stays 0-d.
func cloneInts(s []int) []int {
	if len(s) == 0 {
		return []int{}
	}
	return slices.Clone(s)
}

func sizeOf(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

func sameShape(a, b []int) bool { return slices.Equal(a, b) }

// SameShape reports whether a and b have the same shape.
func SameShape[T Float](a, b *Tensor[T]) bool { return sameShape(a.shape, b.shape) }

func checkShape(op string, shape []int) int {
	for _, d := range shape {
		if d < 0 {
			panic(shapeErr(op, "negative dimension", shape))
		}
	}
	return sizeOf(shape)
}

func contiguousStrides(shape []int) []int {
	if len(shape) == 0 {
		return nil
	}
	st := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
	return st
}

// asOp makes a *ShapeError panicking out of an operation built from others
// name the outer operation the caller used. Use it as `defer asOp("Mean")`.
func asOp(op string) {
	if r := recover(); r != nil {
		if e, ok := r.(*ShapeError); ok {
			e.Op = op
		}
		panic(r)
	}
}

// normAxis maps a possibly negative axis into [0, nd) or panics.
func normAxis(op string, axis, nd int, shape []int) int {
	given := axis
	if axis < 0 {
		axis += nd
	}
	if axis < 0 || axis >= nd {
		panic(shapeErr(op, fmt.Sprintf("axis %d is out of range for %d dimensions", given, nd), shape))
	}
	return axis
}

// BroadcastShapes returns the NumPy broadcast of the given shapes: aligned at
// the right, each pair of sizes must be equal or one of them 1.
func BroadcastShapes(op string, shapes ...[]int) []int {
	nd := 0
	for _, s := range shapes {
		nd = max(nd, len(s))
	}
	out := make([]int, nd)
	for i := range out {
		out[i] = 1
	}
	for _, s := range shapes {
		for i, d := range s {
			j := nd - len(s) + i
			switch {
			case d < 0:
				panic(shapeErr(op, fmt.Sprintf("negative size %d", d), shapes...))
			case out[j] == d || d == 1:
			case out[j] == 1:
				out[j] = d
			default:
				panic(shapeErr(op, fmt.Sprintf("shapes do not broadcast: axis %d has sizes %d and %d", i-len(s), out[j], d), shapes...))
			}
		}
	}
	if nd == 0 {
		return nil
	}
	return out
}

// broadcastStrides returns t's strides for viewing it with shape out
// (stride 0 along broadcast axes).
func (t *Tensor[T]) broadcastStrides(out []int) []int {
	st := make([]int, len(out))
	k := len(out) - len(t.shape)
	for i := range t.shape {
		if t.shape[i] != 1 {
			st[k+i] = t.strides[i]
		}
	}
	return st
}

// Expand returns a view of t broadcast to shape (no copy; broadcast axes have
// stride 0). It panics if t does not broadcast to shape.
func Expand[T Float](t *Tensor[T], shape ...int) *Tensor[T] {
	if got := BroadcastShapes("Expand", t.shape, shape); !sameShape(got, shape) && !(len(got) == 0 && len(shape) == 0) {
		panic(shapeErr("Expand", "cannot expand to the target shape", t.shape, shape))
	}
	return &Tensor[T]{data: t.data, shape: cloneInts(shape), strides: t.broadcastStrides(shape), offset: t.offset}
}

// Reshape returns t with a new shape of the same size; one dimension may be -1
// and is then inferred. A contiguous t is viewed, otherwise copied first.
func Reshape[T Float](t *Tensor[T], shape ...int) *Tensor[T] {
	shape = cloneInts(shape)
	infer, known := -1, 1
	for i, d := range shape {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panic(shapeErr("Reshape", "dimensions must be ≥ 0, with at most one -1", t.shape, shape))
		default:
			known *= d
		}
	}
	n := t.Size()
	if infer >= 0 {
		if known == 0 || n%known != 0 {
			panic(shapeErr("Reshape", "cannot infer the -1 dimension", t.shape, shape))
		}
		shape[infer] = n / known
	} else if known != n {
		panic(shapeErr("Reshape", fmt.Sprintf("sizes differ: %d elements vs %d", n, known), t.shape, shape))
	}
	if !t.IsContiguous() {
		t = t.Clone()
	}
	return &Tensor[T]{data: t.data, shape: shape, strides: contiguousStrides(shape), offset: t.offset}
}

// Permute returns a view of t with its axes reordered: axis i of the result is
// axis perm[i] of t. With no perm it reverses the axes.
func Permute[T Float](t *Tensor[T], perm ...int) *Tensor[T] {
	nd := len(t.shape)
	if len(perm) == 0 {
		perm = make([]int, nd)
		for i := range perm {
			perm[i] = nd - 1 - i
		}
	}
	if len(perm) != nd {
		panic(shapeErr("Permute", fmt.Sprintf("permutation %v has %d axes, the tensor %d", perm, len(perm), nd), t.shape))
	}
	seen := make([]bool, nd)
	shape, strides := make([]int, nd), make([]int, nd)
	for i, p := range perm {
		p = normAxis("Permute", p, nd, t.shape)
		if seen[p] {
			panic(shapeErr("Permute", fmt.Sprintf("permutation %v repeats axis %d", perm, p), t.shape))
		}
		seen[p] = true
		shape[i], strides[i] = t.shape[p], t.strides[p]
	}
	return &Tensor[T]{data: t.data, shape: shape, strides: strides, offset: t.offset}
}

// InversePermutation returns q with q[perm[i]] = i, so Permute(Permute(t, perm...), q...) is t.
func InversePermutation(perm []int) []int {
	q := make([]int, len(perm))
	for i, p := range perm {
		if p < 0 { // Permute accepts axes counted from the end
			p += len(perm)
		}
		q[p] = i
	}
	return q
}

// Transpose returns a view of t with axes i and j swapped.
func Transpose[T Float](t *Tensor[T], i, j int) *Tensor[T] {
	nd := len(t.shape)
	perm := make([]int, nd)
	for k := range perm {
		perm[k] = k
	}
	i, j = normAxis("Transpose", i, nd, t.shape), normAxis("Transpose", j, nd, t.shape)
	perm[i], perm[j] = perm[j], perm[i]
	return Permute(t, perm...)
}

// Slice returns a view of t restricted to [start, end) along axis
// (negative values count from the end, as in Python).
func Slice[T Float](t *Tensor[T], axis, start, end int) *Tensor[T] {
	axis = normAxis("Slice", axis, len(t.shape), t.shape)
	n := t.shape[axis]
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 || end > n || start > end {
		panic(shapeErr("Slice", fmt.Sprintf("range [%d, %d) is outside axis %d of size %d", start, end, axis, n), t.shape))
	}
	shape := cloneInts(t.shape)
	shape[axis] = end - start
	return &Tensor[T]{data: t.data, shape: shape, strides: cloneInts(t.strides), offset: t.offset + start*t.strides[axis]}
}

// Unsqueeze returns a view of t with a new axis of size 1 inserted at axis
// (0 ≤ axis ≤ Dims; negative counts from the end of the new shape).
func Unsqueeze[T Float](t *Tensor[T], axis int) *Tensor[T] {
	axis = normAxis("Unsqueeze", axis, len(t.shape)+1, t.shape)
	shape := slices.Insert(cloneInts(t.shape), axis, 1)
	strides := slices.Insert(cloneInts(t.strides), axis, 0)
	return &Tensor[T]{data: t.data, shape: shape, strides: strides, offset: t.offset}
}

// Squeeze returns a view of t without the given axes, which must have size 1;
// with no axes it drops every axis of size 1.
func Squeeze[T Float](t *Tensor[T], axes ...int) *Tensor[T] {
	drop := make([]bool, len(t.shape))
	if len(axes) == 0 {
		for i, d := range t.shape {
			drop[i] = d == 1
		}
	}
	for _, a := range axes {
		a = normAxis("Squeeze", a, len(t.shape), t.shape)
		if t.shape[a] != 1 {
			panic(shapeErr("Squeeze", fmt.Sprintf("axis %d has size %d, not 1", a, t.shape[a]), t.shape))
		}
		drop[a] = true
	}
	var shape, strides []int
	for i := range t.shape {
		if !drop[i] {
			shape = append(shape, t.shape[i])
			strides = append(strides, t.strides[i])
		}
	}
	return &Tensor[T]{data: t.data, shape: shape, strides: strides, offset: t.offset}
}
