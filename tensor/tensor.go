// Package tensor holds dense n-dimensional arrays of float32 or float64 and the
// kernels that compute with them: elementwise maths with NumPy broadcasting,
// reductions along axes, matrix products, softmax, gathers and joins.
//
// One generic type, Tensor[T], serves both precisions. A tensor is a view: a
// shared data slice plus a shape, strides and an offset, so Reshape (of a
// contiguous tensor), Transpose, Slice and Expand copy nothing. Every operation
// returns a new contiguous tensor and never writes into its inputs, except the
// methods documented as in-place (Set, Fill, CopyFrom) and the
// destination-passing AddInto. An Arena supplies reusable memory: operations
// on its tensors put their results in it (see Arena).
//
// Programmer errors — shapes that do not fit, an axis out of range — panic with
// a *ShapeError that names the operation and the shapes involved. Higher-level
// packages (autodiff's functional API, the CLI) turn those panics into errors.
package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unsafe"
)

// Float is the element type of a tensor: float32 or float64.
type Float interface{ ~float32 | ~float64 }

// Tensor is a dense n-dimensional array. The zero value is not usable; build
// tensors with New, Zeros, Full, FromSlice, Scalar and friends.
type Tensor[T Float] struct {
	data    []T
	shape   []int
	strides []int
	offset  int
	one     [1]T      // storage for one-element tensors: a scalar costs one allocation
	dims    [4]int    // storage for shape and strides of up to two axes (see setDims)
	arena   *Arena[T] // the Arena the tensor belongs to, or nil
	gen     uint32    // the arena's generation when the tensor was made
}

// New returns a zero-filled tensor of the given shape (no dims: a scalar).
func New[T Float](shape ...int) *Tensor[T] {
	n := checkShape("New", shape)
	t := &Tensor[T]{}
	t.setDims(shape, nil, nil)
	if n == 1 {
		t.data = t.one[:]
	} else {
		t.data = make([]T, n)
	}
	return t
}

// setDims gives t a copy of shape and of strides (nil: the contiguous
// ones), stored in t itself for up to two axes, else taken from ints (nil:
// new slices). Shapes never change once made, so they may share t's storage:
// a matrix then costs one allocation for its header and one for its data.
func (t *Tensor[T]) setDims(shape, strides []int, ints *bump[int]) {
	nd := len(shape)
	var s []int
	switch {
	case 2*nd <= len(t.dims):
		s = t.dims[:2*nd]
	case ints != nil:
		s = ints.take(2 * nd)
	default:
		s = make([]int, 2*nd)
	}
	t.shape = s[:nd:nd] // never nil, also for 0-d (see cloneInts)
	copy(t.shape, shape)
	if nd == 0 {
		t.strides = nil
		return
	}
	t.strides = s[nd : 2*nd : 2*nd]
	if strides != nil {
		copy(t.strides, strides)
	} else {
		fillContiguous(t.strides, shape)
	}
}

// Zeros is New: a zero-filled tensor of the given shape.
func Zeros[T Float](shape ...int) *Tensor[T] { return New[T](shape...) }

// Full returns a tensor of the given shape with every element v.
func Full[T Float](v T, shape ...int) *Tensor[T] {
	defer asOp("Full")
	t := New[T](shape...)
	for i := range t.data {
		t.data[i] = v
	}
	return t
}

// Ones returns a tensor of the given shape filled with 1.
func Ones[T Float](shape ...int) *Tensor[T] { return Full[T](1, shape...) }

// Scalar returns a 0-dimensional tensor holding v.
func Scalar[T Float](v T) *Tensor[T] {
	t := &Tensor[T]{}
	t.one[0] = v
	t.data = t.one[:]
	return t
}

// FromSlice returns a tensor of the given shape that uses data as its storage
// (no copy). With no shape argument, data becomes a 1-D tensor of len(data)
// elements; an explicit empty shape, as in FromSlice(data, t.Shape()...) for
// a 0-d t, gives a 0-d tensor (so does Scalar). It panics if the shape's size
// differs from len(data).
func FromSlice[T Float](data []T, shape ...int) *Tensor[T] {
	if shape == nil { // no shape argument; an explicit empty one means 0-d
		shape = []int{len(data)}
	}
	n := checkShape("FromSlice", shape)
	if n != len(data) {
		panic(&ShapeError{Op: "FromSlice", Shapes: [][]int{shape}, Msg: fmt.Sprintf("shape holds %d elements but the slice has %d", n, len(data))})
	}
	t := &Tensor[T]{data: data}
	t.setDims(shape, nil, nil)
	return t
}

// Arange returns the 1-D tensor [start, start+step, …] with n elements.
func Arange[T Float](start, step T, n int) *Tensor[T] {
	t := New[T](n)
	for i := range t.data {
		t.data[i] = start + T(i)*step
	}
	return t
}

// Rand returns a tensor with elements drawn uniformly from [lo, hi) by rng.
func Rand[T Float](rng *rand.Rand, lo, hi T, shape ...int) *Tensor[T] {
	t := New[T](shape...)
	for i := range t.data {
		v := lo + (hi-lo)*T(rng.Float64())
		if v >= hi { // rounding can reach hi (in float32, whenever u > 1 − 2⁻²⁵)
			v = below(hi)
		}
		t.data[i] = v
	}
	return t
}

// below returns the largest value of type T less than x.
func below[T Float](x T) T {
	if unsafe.Sizeof(x) == 4 {
		return T(math.Nextafter32(float32(x), float32(math.Inf(-1))))
	}
	return T(math.Nextafter(float64(x), math.Inf(-1)))
}

// RandN returns a tensor with standard normal elements drawn by rng.
func RandN[T Float](rng *rand.Rand, shape ...int) *Tensor[T] {
	t := New[T](shape...)
	for i := range t.data {
		t.data[i] = T(rng.NormFloat64())
	}
	return t
}

// Convert returns a copy of t with elements of type U (float32 ↔ float64).
func Convert[U, T Float](t *Tensor[T]) *Tensor[U] {
	out := New[U](t.shape...)
	i := 0
	t.each(func(off int) { out.data[i] = U(t.data[off]); i++ })
	return out
}

// Shape returns a copy of the tensor's shape.
func (t *Tensor[T]) Shape() []int {
	t.live()
	return cloneInts(t.shape)
}

// Dims returns the number of dimensions (0 for a scalar).
func (t *Tensor[T]) Dims() int { return len(t.shape) }

// Dim returns the size of axis i; negative i counts from the end.
func (t *Tensor[T]) Dim(i int) int { return t.shape[normAxis("Dim", i, len(t.shape), t.shape)] }

// Size returns the number of elements.
func (t *Tensor[T]) Size() int { return sizeOf(t.shape) }

// IsContiguous reports whether the elements lie in row-major order without gaps
// from the tensor's offset, so Data can return the storage itself.
func (t *Tensor[T]) IsContiguous() bool {
	want := 1
	for i := len(t.shape) - 1; i >= 0; i-- {
		if t.shape[i] != 1 && t.strides[i] != want {
			return false
		}
		want *= t.shape[i]
	}
	return true
}

// isBroadcastScalar reports whether every element is the same stored one
// (a scalar expanded to a shape: all strides 0).
func (t *Tensor[T]) isBroadcastScalar() bool {
	for i, s := range t.strides {
		if s != 0 && t.shape[i] != 1 {
			return false
		}
	}
	return len(t.data) > 0
}

// Data returns the elements in row-major order. For a contiguous tensor it is
// the storage itself (writes show through); otherwise a fresh copy.
func (t *Tensor[T]) Data() []T {
	t.live()
	if t.IsContiguous() {
		return t.data[t.offset : t.offset+t.Size()]
	}
	return t.Contiguous().data
}

// Contiguous returns t if it is contiguous, else a contiguous copy (in t's
// Arena if it belongs to one).
func (t *Tensor[T]) Contiguous() *Tensor[T] {
	if t.IsContiguous() && t.offset == 0 && len(t.data) == t.Size() {
		return t
	}
	return clone(arenaOf(t, nil), t)
}

// Clone returns a contiguous copy of t that shares nothing with it, in
// ordinary memory even if t belongs to an Arena: Clone keeps a value beyond
// the arena's Reset.
func (t *Tensor[T]) Clone() *Tensor[T] {
	t.live()
	return clone(nil, t)
}

// clone returns a contiguous copy of t in ar (nil: ordinary memory).
func clone[T Float](ar *Arena[T], t *Tensor[T]) *Tensor[T] {
	out := ar.Scratch(t.shape...)
	if t.IsContiguous() {
		if v := fast[T](); v != nil {
			v.copy(out.data, t.data[t.offset:t.offset+len(out.data)])
		} else {
			copy(out.data, t.data[t.offset:t.offset+len(out.data)])
		}
		return out
	}
	i := 0
	t.each(func(off int) { out.data[i] = t.data[off]; i++ })
	return out
}

// Item returns the single element of a one-element tensor; it panics otherwise.
func (t *Tensor[T]) Item() T {
	t.live()
	if t.Size() != 1 {
		panic(&ShapeError{Op: "Item", Shapes: [][]int{t.shape}, Msg: "Item needs a tensor with exactly one element"})
	}
	return t.data[t.offset]
}

// At returns the element at the given index (one coordinate per axis).
func (t *Tensor[T]) At(index ...int) T {
	t.live()
	return t.data[t.offsetOf("At", index)]
}

// Set writes v at the given index, in place (visible through every view).
func (t *Tensor[T]) Set(v T, index ...int) {
	t.live()
	t.data[t.offsetOf("Set", index)] = v
}

// Fill sets every element of t to v, in place.
func (t *Tensor[T]) Fill(v T) { t.each(func(off int) { t.data[off] = v }) }

// CopyFrom copies src's elements into t in place; the shapes must be equal.
func (t *Tensor[T]) CopyFrom(src *Tensor[T]) {
	if !sameShape(t.shape, src.shape) {
		panic(&ShapeError{Op: "CopyFrom", Shapes: [][]int{t.shape, src.shape}, Msg: "shapes must be equal"})
	}
	s := src.Data()
	if len(s) > 0 && len(src.data) > 0 && len(t.data) > 0 && &src.data[0] == &t.data[0] && src.IsContiguous() {
		s = slices.Clone(s) // src shares t's storage: writing t would change what is read
	}
	if t.IsContiguous() {
		copy(t.data[t.offset:t.offset+len(s)], s)
		return
	}
	i := 0
	t.each(func(off int) { t.data[off] = s[i]; i++ })
}

func (t *Tensor[T]) offsetOf(op string, index []int) int {
	if len(index) != len(t.shape) {
		panic(&ShapeError{Op: op, Shapes: [][]int{t.shape}, Msg: fmt.Sprintf("index %v has %d coordinates, the tensor has %d axes", index, len(index), len(t.shape))})
	}
	off := t.offset
	for i, x := range index {
		if x < 0 || x >= t.shape[i] {
			panic(&ShapeError{Op: op, Shapes: [][]int{t.shape}, Msg: fmt.Sprintf("index %v is out of range on axis %d", index, i)})
		}
		off += x * t.strides[i]
	}
	return off
}

// each calls f with the storage offset of every element in row-major order.
func (t *Tensor[T]) each(f func(off int)) {
	n := t.Size()
	if t.IsContiguous() {
		for i := 0; i < n; i++ {
			f(t.offset + i)
		}
		return
	}
	nd := len(t.shape)
	var buf [maxStackDims]int
	idx := scratchInts(&buf, nd)
	off := t.offset
	for k := 0; k < n; k++ {
		f(off)
		for d := nd - 1; d >= 0; d-- {
			idx[d]++
			off += t.strides[d]
			if idx[d] < t.shape[d] {
				break
			}
			off -= idx[d] * t.strides[d]
			idx[d] = 0
		}
	}
}

// String prints the tensor like a nested list with its shape, e.g.
// "[[1 2] [3 4]] shape=[2 2]"; long tensors are abbreviated.
func (t *Tensor[T]) String() string {
	var b strings.Builder
	d := t.Data()
	if len(t.shape) == 0 {
		fmt.Fprintf(&b, "%g", float64(d[0]))
		return b.String()
	}
	var rec func(axis, base int)
	rec = func(axis, base int) {
		b.WriteByte('[')
		n := t.shape[axis]
		step := sizeOf(t.shape[axis+1:])
		for i := 0; i < n; i++ {
			if n > 8 && i == 3 {
				b.WriteString(" …")
				i = n - 3
			}
			if i > 0 {
				b.WriteByte(' ')
			}
			if axis == len(t.shape)-1 {
				fmt.Fprintf(&b, "%.6g", float64(d[base+i]))
			} else {
				rec(axis+1, base+i*step)
			}
		}
		b.WriteByte(']')
	}
	rec(0, 0)
	fmt.Fprintf(&b, " shape=%v", t.shape)
	return b.String()
}

// PutScalar makes dst a 0-dimensional tensor holding v, stored inside dst
// itself: no allocation. It lets a caller embed a Tensor in a larger struct
// (as autodiff does for scalar graph nodes) and returns dst.
func PutScalar[T Float](dst *Tensor[T], v T) *Tensor[T] {
	// Field by field: cheaper than clearing the whole struct, which costs a
	// bulk write barrier.
	dst.one[0] = v
	dst.data = dst.one[:]
	dst.shape, dst.strides, dst.offset = nil, nil, 0
	dst.arena = nil
	return dst
}
