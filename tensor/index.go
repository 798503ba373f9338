package tensor

import (
	"fmt"
	"slices"
)

// outerInner splits shape around axis: outer = Π shape[:axis], inner = Π shape[axis+1:].
func outerInner(shape []int, axis int) (outer, inner int) {
	return sizeOf(shape[:axis]), sizeOf(shape[axis+1:])
}

func checkIndices(op string, idx []int, n int, shape []int) {
	for j, i := range idx {
		if i < 0 || i >= n {
			panic(shapeErr(op, fmt.Sprintf("index %d at position %d is outside [0, %d)", i, j, n), shape))
		}
	}
}

// IndexSelect returns the slices of a at positions idx along axis, in order
// (repeats allowed): out[…, j, …] = a[…, idx[j], …].
func IndexSelect[T Float](a *Tensor[T], axis int, idx []int) *Tensor[T] {
	axis = normAxis("IndexSelect", axis, len(a.shape), a.shape)
	checkIndices("IndexSelect", idx, a.shape[axis], a.shape)
	var sb [maxStackDims]int
	shape := append(scratchInts(&sb, 0), a.shape...)
	shape[axis] = len(idx)
	out := arenaOf(a, nil).New(shape...)
	src := a.Data()
	outer, inner := outerInner(a.shape, axis)
	n := a.shape[axis]
	for o := 0; o < outer; o++ {
		for j, i := range idx {
			copy(out.data[(o*len(idx)+j)*inner:][:inner], src[(o*n+i)*inner:][:inner])
		}
	}
	return out
}

// IndexAdd returns a zero tensor of shape with src's slices added at positions
// idx along axis: out[…, idx[j], …] += src[…, j, …]. It is the adjoint of
// IndexSelect (repeated indices accumulate).
func IndexAdd[T Float](shape []int, axis int, idx []int, src *Tensor[T]) *Tensor[T] {
	axis = normAxis("IndexAdd", axis, len(shape), shape)
	var wb [maxStackDims]int
	want := append(scratchInts(&wb, 0), shape...)
	want[axis] = len(idx)
	if !sameShape(want, src.shape) {
		panic(shapeErr("IndexAdd", fmt.Sprintf("source must have shape %v", slices.Clone(want)), shape, src.shape))
	}
	checkIndices("IndexAdd", idx, shape[axis], shape)
	out := arenaOf(src, nil).New(shape...)
	s := src.Data()
	outer, inner := outerInner(shape, axis)
	n := shape[axis]
	for o := 0; o < outer; o++ {
		for j, i := range idx {
			dst := out.data[(o*n+i)*inner:][:inner]
			for k, v := range s[(o*len(idx)+j)*inner:][:inner] {
				dst[k] += v
			}
		}
	}
	return out
}

// TakeAlong picks one element of every slice along axis: idx holds one index
// per position of the other axes (row-major), and the result has a's shape with
// axis of size 1. For logits [N,C] and labels y, TakeAlong(logits, 1, y) is the
// [N,1] column of logits[i, y[i]].
func TakeAlong[T Float](a *Tensor[T], axis int, idx []int) *Tensor[T] {
	axis = normAxis("TakeAlong", axis, len(a.shape), a.shape)
	outer, inner := outerInner(a.shape, axis)
	if len(idx) != outer*inner {
		panic(shapeErr("TakeAlong", fmt.Sprintf("need %d indices (one per slice along axis %d), got %d", outer*inner, axis, len(idx)), a.shape))
	}
	n := a.shape[axis]
	checkIndices("TakeAlong", idx, n, a.shape)
	var sb [maxStackDims]int
	shape := append(scratchInts(&sb, 0), a.shape...)
	shape[axis] = 1
	out := arenaOf(a, nil).New(shape...)
	src := a.Data()
	for o := 0; o < outer; o++ {
		for k := 0; k < inner; k++ {
			out.data[o*inner+k] = src[(o*n+idx[o*inner+k])*inner+k]
		}
	}
	return out
}

// PutAlong returns a zero tensor of shape with src's elements added at the
// positions TakeAlong(·, axis, idx) reads: it is TakeAlong's adjoint.
func PutAlong[T Float](shape []int, axis int, idx []int, src *Tensor[T]) *Tensor[T] {
	axis = normAxis("PutAlong", axis, len(shape), shape)
	outer, inner := outerInner(shape, axis)
	var wb [maxStackDims]int
	want := append(scratchInts(&wb, 0), shape...)
	want[axis] = 1
	if !sameShape(want, src.shape) || len(idx) != outer*inner {
		panic(shapeErr("PutAlong", fmt.Sprintf("source must have shape %v and %d indices", slices.Clone(want), outer*inner), shape, src.shape))
	}
	n := shape[axis]
	checkIndices("PutAlong", idx, n, shape)
	out := arenaOf(src, nil).New(shape...)
	s := src.Data()
	for o := 0; o < outer; o++ {
		for k := 0; k < inner; k++ {
			out.data[(o*n+idx[o*inner+k])*inner+k] += s[o*inner+k]
		}
	}
	return out
}

// OneHot returns the [len(labels), classes] matrix with a 1 at (i, labels[i]).
func OneHot[T Float](labels []int, classes int) *Tensor[T] {
	shape := []int{len(labels), classes}
	checkIndices("OneHot", labels, classes, shape)
	out := New[T](shape...)
	for i, c := range labels {
		out.data[i*classes+c] = 1
	}
	return out
}

// Concat joins tensors along axis; their other axes must agree.
func Concat[T Float](axis int, ts ...*Tensor[T]) *Tensor[T] {
	if len(ts) == 0 {
		panic(shapeErr("Concat", "needs at least one tensor"))
	}
	first := ts[0].shape
	axis = normAxis("Concat", axis, len(first), first)
	var sb [maxStackDims]int
	shape := append(scratchInts(&sb, 0), first...)
	shape[axis] = 0
	for _, t := range ts {
		if len(t.shape) != len(first) {
			panic(shapeErr("Concat", "tensors differ in number of axes", first, t.shape))
		}
		for i := range first {
			if i != axis && t.shape[i] != first[i] {
				panic(shapeErr("Concat", fmt.Sprintf("axis %d differs", i), first, t.shape))
			}
		}
		shape[axis] += t.shape[axis]
	}
	var ar *Arena[T] // the first operand's arena, if any
	for _, t := range ts {
		if a := arenaOf(t, nil); a != nil && ar == nil {
			ar = a
		}
	}
	out := ar.New(shape...)
	outer, inner := outerInner(shape, axis)
	row := shape[axis] * inner
	at := 0
	for _, t := range ts {
		w := t.shape[axis] * inner
		src := t.Data()
		for o := 0; o < outer; o++ {
			copy(out.data[o*row+at:][:w], src[o*w:][:w])
		}
		at += w
	}
	return out
}

// Stack joins equally shaped tensors along a new axis at position axis.
func Stack[T Float](axis int, ts ...*Tensor[T]) *Tensor[T] {
	defer asOp("Stack")
	if len(ts) == 0 {
		panic(shapeErr("Stack", "needs at least one tensor"))
	}
	us := make([]*Tensor[T], len(ts))
	for i, t := range ts {
		if !sameShape(t.shape, ts[0].shape) {
			panic(shapeErr("Stack", "tensors must have equal shapes", ts[0].shape, t.shape))
		}
		us[i] = Unsqueeze(t, axis)
	}
	return Concat(normAxis("Stack", axis, len(ts[0].shape)+1, ts[0].shape), us...)
}

// Pad returns a with before zeros inserted ahead of it and after zeros behind
// it along axis. It is the adjoint of Slice.
func Pad[T Float](a *Tensor[T], axis, before, after int) *Tensor[T] {
	axis = normAxis("Pad", axis, len(a.shape), a.shape)
	if before < 0 || after < 0 {
		panic(shapeErr("Pad", fmt.Sprintf("padding (%d, %d) must be ≥ 0", before, after), a.shape))
	}
	var sb [maxStackDims]int
	shape := append(scratchInts(&sb, 0), a.shape...)
	shape[axis] += before + after
	ar := arenaOf(a, nil)
	if !a.IsContiguous() {
		out := ar.New(shape...)
		Slice(out, axis, before, before+a.shape[axis]).CopyFrom(a)
		return out
	}
	// One pass: each row of the result is zeros, a's row, zeros.
	out := ar.Scratch(shape...)
	outer, inner := outerInner(shape, axis)
	pre, mid, post := before*inner, a.shape[axis]*inner, after*inner
	src := a.data[a.offset : a.offset+outer*mid]
	v := fast[T]()
	for o, d := 0, out.data; o < outer; o++ {
		clear(d[:pre])
		if row := src[o*mid : (o+1)*mid]; v != nil {
			v.copy(d[pre:pre+mid], row) // on several goroutines if long
		} else {
			copy(d[pre:pre+mid], row)
		}
		clear(d[pre+mid : pre+mid+post])
		d = d[pre+mid+post:]
	}
	return out
}
