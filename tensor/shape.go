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

// shapeErr makes a *ShapeError with copies of the shapes (which may be
// scratch memory of the caller).
func shapeErr(op, msg string, shapes ...[]int) *ShapeError {
	cp := make([][]int, len(shapes))
	for i, s := range shapes {
		cp[i] = slices.Clone(s)
	}
	return &ShapeError{Op: op, Shapes: cp, Msg: msg}
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
	fillContiguous(st, shape)
	return st
}

// fillContiguous writes the row-major strides of shape into st.
func fillContiguous(st, shape []int) {
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
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
	if nd == 0 {
		return nil
	}
	return broadcastInto(make([]int, nd), op, shapes...)
}

// broadcastInto writes the broadcast of shapes into dst, which must have room
// for the longest of them, and returns it.
func broadcastInto(dst []int, op string, shapes ...[]int) []int {
	nd := 0
	for _, s := range shapes {
		nd = max(nd, len(s))
	}
	out := dst[:nd]
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
	return out
}

// broadcastStridesInto writes t's strides for viewing it with shape out
// (stride 0 along broadcast axes) into st, of len(out), and returns st.
func (t *Tensor[T]) broadcastStridesInto(st, out []int) []int {
	clear(st)
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
	ar := arenaOf(t, nil)
	var gb, sb [maxStackDims]int
	nd := max(len(t.shape), len(shape))
	if got := broadcastInto(scratchInts(&gb, nd), "Expand", t.shape, shape); !sameShape(got, shape) {
		panic(shapeErr("Expand", "cannot expand to the target shape", t.shape, shape))
	}
	return ar.header(t.data, shape, t.broadcastStridesInto(scratchInts(&sb, len(shape)), shape), t.offset)
}

// Reshape returns t with a new shape of the same size; one dimension may be -1
// and is then inferred. A contiguous t is viewed, otherwise copied first.
func Reshape[T Float](t *Tensor[T], shape ...int) *Tensor[T] {
	ar := arenaOf(t, nil)
	var buf [maxStackDims]int
	given := shape
	shape = append(scratchInts(&buf, 0), shape...)
	infer, known := -1, 1
	for i, d := range shape {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panic(shapeErr("Reshape", "dimensions must be ≥ 0, with at most one -1", t.shape, given))
		default:
			known *= d
		}
	}
	n := t.Size()
	if infer >= 0 {
		if known == 0 || n%known != 0 {
			panic(shapeErr("Reshape", "cannot infer the -1 dimension", t.shape, given))
		}
		shape[infer] = n / known
	} else if known != n {
		panic(shapeErr("Reshape", fmt.Sprintf("sizes differ: %d elements vs %d", n, known), t.shape, given))
	}
	if !t.IsContiguous() {
		t = clone(ar, t)
	}
	return ar.header(t.data, shape, nil, t.offset)
}

// Permute returns a view of t with its axes reordered: axis i of the result is
// axis perm[i] of t. With no perm it reverses the axes.
func Permute[T Float](t *Tensor[T], perm ...int) *Tensor[T] {
	ar := arenaOf(t, nil)
	nd := len(t.shape)
	var pb, shb, stb [maxStackDims]int
	if len(perm) == 0 {
		perm = scratchInts(&pb, nd)
		for i := range perm {
			perm[i] = nd - 1 - i
		}
	}
	if len(perm) != nd {
		panic(shapeErr("Permute", fmt.Sprintf("permutation %v has %d axes, the tensor %d", slices.Clone(perm), len(perm), nd), t.shape))
	}
	var seen uint64 // a bit per axis; more than 64 axes are refused below
	if nd > 64 {
		panic(shapeErr("Permute", fmt.Sprintf("%d axes: at most 64 are supported", nd), t.shape))
	}
	shape, strides := scratchInts(&shb, nd), scratchInts(&stb, nd)
	for i, p := range perm {
		p = normAxis("Permute", p, nd, t.shape)
		if seen&(1<<p) != 0 {
			panic(shapeErr("Permute", fmt.Sprintf("permutation %v repeats axis %d", slices.Clone(perm), p), t.shape))
		}
		seen |= 1 << p
		shape[i], strides[i] = t.shape[p], t.strides[p]
	}
	return ar.header(t.data, shape, strides, t.offset)
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
	var buf [maxStackDims]int
	perm := scratchInts(&buf, nd)
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
	ar := arenaOf(t, nil)
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
	var buf [maxStackDims]int
	shape := append(scratchInts(&buf, 0), t.shape...)
	shape[axis] = end - start
	return ar.header(t.data, shape, t.strides, t.offset+start*t.strides[axis])
}

// Unsqueeze returns a view of t with a new axis of size 1 inserted at axis
// (0 ≤ axis ≤ Dims; negative counts from the end of the new shape).
func Unsqueeze[T Float](t *Tensor[T], axis int) *Tensor[T] {
	ar := arenaOf(t, nil)
	axis = normAxis("Unsqueeze", axis, len(t.shape)+1, t.shape)
	var shb, stb [maxStackDims]int
	shape := slices.Insert(append(scratchInts(&shb, 0), t.shape...), axis, 1)
	strides := slices.Insert(append(scratchInts(&stb, 0), t.strides...), axis, 0)
	return ar.header(t.data, shape, strides, t.offset)
}

// Squeeze returns a view of t without the given axes, which must have size 1;
// with no axes it drops every axis of size 1.
func Squeeze[T Float](t *Tensor[T], axes ...int) *Tensor[T] {
	ar := arenaOf(t, nil)
	var drop uint64 // a bit per axis
	if len(t.shape) > 64 {
		panic(shapeErr("Squeeze", fmt.Sprintf("%d axes: at most 64 are supported", len(t.shape)), t.shape))
	}
	if len(axes) == 0 {
		for i, d := range t.shape {
			if d == 1 {
				drop |= 1 << i
			}
		}
	}
	for _, a := range axes {
		a = normAxis("Squeeze", a, len(t.shape), t.shape)
		if t.shape[a] != 1 {
			panic(shapeErr("Squeeze", fmt.Sprintf("axis %d has size %d, not 1", a, t.shape[a]), t.shape))
		}
		drop |= 1 << a
	}
	var shb, stb [maxStackDims]int
	shape, strides := scratchInts(&shb, 0), scratchInts(&stb, 0)
	for i := range t.shape {
		if drop&(1<<i) == 0 {
			shape = append(shape, t.shape[i])
			strides = append(strides, t.strides[i])
		}
	}
	return ar.header(t.data, shape, strides, t.offset)
}
