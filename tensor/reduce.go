package tensor

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// reducedShape returns the shape of reducing a over axes (all if none), with
// reduced axes kept as size 1 (keep) or dropped, written into dst (which
// needs room for len(shape) entries), and the mask of reduced axes as bits.
func reducedShape(dst []int, op string, shape []int, axes []int, keep bool) (out []int, reduced uint64) {
	if len(shape) > 64 {
		panic(shapeErr(op, fmt.Sprintf("%d axes: at most 64 are supported", len(shape)), shape))
	}
	if len(axes) == 0 {
		reduced = 1<<len(shape) - 1
	}
	for _, ax := range axes {
		ax = normAxis(op, ax, len(shape), shape)
		if reduced&(1<<ax) != 0 {
			panic(shapeErr(op, fmt.Sprintf("axis %d given twice in %v", ax, slices.Clone(axes)), shape))
		}
		reduced |= 1 << ax
	}
	out = dst[:0]
	for i, d := range shape {
		switch {
		case reduced&(1<<i) == 0:
			out = append(out, d)
		case keep:
			out = append(out, 1)
		}
	}
	return out, reduced
}

// reduce folds the elements of a over axes with f, starting each output at init.
func reduce[T Float](op string, a *Tensor[T], keep bool, axes []int, init T, f func(acc, x T) T) *Tensor[T] {
	ar := arenaOf(a, nil)
	var sb [maxStackDims]int
	shape, reduced := reducedShape(scratchInts(&sb, len(a.shape)), op, a.shape, axes, keep)
	out := ar.New(shape...)
	if len(out.data) == 1 {
		acc := init
		a.each(func(off int) { acc = f(acc, a.data[off]) })
		out.data[0] = acc
		return out
	}
	for i := range out.data {
		out.data[i] = init
	}
	// Walk a in row-major order while tracking the output offset, whose stride
	// is 0 along reduced axes.
	nd := len(a.shape)
	var ob, ib [maxStackDims]int
	ost := scratchInts(&ob, nd)
	s := 1
	for i := nd - 1; i >= 0; i-- {
		if reduced&(1<<i) == 0 {
			ost[i] = s
			s *= a.shape[i]
		}
	}
	idx := scratchInts(&ib, nd)
	o := 0
	a.each(func(off int) {
		out.data[o] = f(out.data[o], a.data[off])
		for d := nd - 1; d >= 0; d-- {
			idx[d]++
			o += ost[d]
			if idx[d] < a.shape[d] {
				break
			}
			o -= idx[d] * ost[d]
			idx[d] = 0
		}
	})
	return out
}

// vecSumMin is the size from which Sum over every axis of a contiguous
// float32 or float64 tensor uses vec.Sum: sixteen interleaved float64
// partial sums, about ten times faster than one running sum and as accurate
// or more, but not bit-identical to it. Below it (the loss of a batch, a
// scalar's few terms) the running sum is kept: it is as fast there, and the
// small sums tests check against hand-computed values keep their bits.
const vecSumMin = 1024

// Sum returns the sum of a over the given axes (every axis if none). keepDims
// keeps each reduced axis with size 1, so the result broadcasts against a.
func Sum[T Float](a *Tensor[T], keepDims bool, axes ...int) *Tensor[T] {
	if len(axes) == 0 && a.IsContiguous() {
		ar := arenaOf(a, nil)
		var acc float64 // accumulate in float64 so float32 sums stay accurate
		src := a.data[a.offset : a.offset+a.Size()]
		if v := fast[T](); v != nil && len(src) >= vecSumMin {
			acc = v.sum(src) // in sixteen interleaved partial sums: see vec.Sum
		} else {
			for _, x := range src {
				acc += float64(x)
			}
		}
		var sb [maxStackDims]int
		shape, _ := reducedShape(scratchInts(&sb, len(a.shape)), "Sum", a.shape, nil, keepDims)
		out := ar.New(shape...)
		out.data[0] = T(acc)
		return out
	}
	if out := sumLeading(a, keepDims, axes); out != nil {
		return out
	}
	return reduce("Sum", a, keepDims, axes, 0, func(acc, x T) T { return acc + x })
}

// sumLeading is Sum over leading axes of a contiguous float32 or float64
// tensor (the bias gradient of a batch: axis 0 of batch×features), done as
// one SIMD vector addition per row of the kept axes: out ← out + row. Each
// output element is still 0 + x₀ + x₁ + … in row order, so the result is
// bit-identical to reduce's. It returns nil when it does not apply.
func sumLeading[T Float](a *Tensor[T], keepDims bool, axes []int) *Tensor[T] {
	v := fast[T]()
	if v == nil || len(axes) == 0 || !a.IsContiguous() {
		return nil
	}
	var sb [maxStackDims]int
	shape, reduced := reducedShape(scratchInts(&sb, len(a.shape)), "Sum", a.shape, axes, keepDims)
	k := bits.TrailingZeros64(^reduced) // reduced axes 0 … k−1
	if reduced != 1<<k-1 || k >= len(a.shape) {
		return nil
	}
	inner := sizeOf(a.shape[k:])
	out := arenaOf(a, nil).New(shape...)
	if inner == 0 {
		return out
	}
	acc := out.data[:inner]
	clear(acc)
	src := a.data[a.offset : a.offset+a.Size()]
	for r := 0; r+inner <= len(src); r += inner {
		v.add(acc, acc, src[r:r+inner])
	}
	return out
}

// Mean returns the arithmetic mean of a over the given axes (every axis if none).
func Mean[T Float](a *Tensor[T], keepDims bool, axes ...int) *Tensor[T] {
	defer asOp("Mean")
	s := Sum(a, keepDims, axes...)
	return Scale(T(len(s.data))/T(a.Size()), s)
}

// Max returns the largest element over the given axes (every axis if none);
// NaN wins, as in PyTorch.
func Max[T Float](a *Tensor[T], keepDims bool, axes ...int) *Tensor[T] {
	checkNonEmpty("Max", a, axes)
	return reduce("Max", a, keepDims, axes, T(math.Inf(-1)), func(acc, x T) T {
		if x > acc || x != x {
			return x
		}
		return acc
	})
}

// Min returns the smallest element over the given axes (every axis if none).
func Min[T Float](a *Tensor[T], keepDims bool, axes ...int) *Tensor[T] {
	checkNonEmpty("Min", a, axes)
	return reduce("Min", a, keepDims, axes, T(math.Inf(1)), func(acc, x T) T {
		if x < acc || x != x {
			return x
		}
		return acc
	})
}

func checkNonEmpty[T Float](op string, a *Tensor[T], axes []int) {
	var sb [maxStackDims]int
	_, reduced := reducedShape(scratchInts(&sb, len(a.shape)), op, a.shape, axes, true)
	for i := range a.shape {
		if reduced&(1<<i) != 0 && a.shape[i] == 0 {
			panic(shapeErr(op, fmt.Sprintf("axis %d is empty: the %s of nothing is undefined", i, op), a.shape))
		}
	}
}

// LogSumExp returns log Σ eˣ over the given axes, computed as m + log Σ e^(x−m)
// with m the maximum so it neither overflows nor underflows. Over the last
// axis alone of a contiguous float32 or float64 tensor it is computed row by
// row with vec.Exp, the sum in float64 (see softmax.go).
func LogSumExp[T Float](a *Tensor[T], keepDims bool, axes ...int) *Tensor[T] {
	if len(axes) == 1 || len(a.shape) == 1 && len(axes) == 0 {
		ax := len(a.shape) - 1
		if len(axes) == 1 {
			ax = axes[0]
		}
		if v, x, n := lastAxisRows("LogSumExp", a, ax); v != nil {
			return logSumExpRows(v, a, x, n, keepDims) // see softmax.go
		}
	}
	defer asOp("LogSumExp")
	m := Max(a, true, axes...)
	m = Map(m, func(x T) T { // an all −Inf slice has logsumexp −Inf: shift by 0
		if math.IsInf(float64(x), 0) {
			return 0
		}
		return x
	})
	s := Sum(Exp(Sub(a, m)), true, axes...)
	out := Add(Log(s), m)
	if keepDims {
		return out
	}
	var sb [maxStackDims]int
	shape, _ := reducedShape(scratchInts(&sb, len(a.shape)), "LogSumExp", a.shape, axes, false)
	return Reshape(out, shape...)
}

// ArgMax returns, for each position of the other axes, the index of the
// largest element along axis (the first one on ties), in row-major order of
// the remaining shape.
func ArgMax[T Float](a *Tensor[T], axis int) []int {
	axis = normAxis("ArgMax", axis, len(a.shape), a.shape)
	if a.shape[axis] == 0 {
		panic(shapeErr("ArgMax", fmt.Sprintf("axis %d is empty", axis), a.shape))
	}
	perm := make([]int, 0, len(a.shape))
	for i := range a.shape {
		if i != axis {
			perm = append(perm, i)
		}
	}
	perm = append(perm, axis)
	rows := Permute(a, perm...).Data()
	n := a.shape[axis]
	out := make([]int, len(rows)/n)
	for r := range out {
		row := rows[r*n : (r+1)*n]
		best := 0
		for j, x := range row {
			if x > row[best] || (x != x && row[best] == row[best]) {
				best = j
			}
		}
		out[r] = best
	}
	return out
}

// SumTo sums a down to shape, which must broadcast to a's shape: the inverse
// of broadcasting, used by the backward pass of broadcast operations.
func SumTo[T Float](a *Tensor[T], shape ...int) *Tensor[T] {
	ar := arenaOf(a, nil)
	if sameShape(a.shape, shape) {
		return clone(ar, a)
	}
	var gb, ab [maxStackDims]int
	if got := broadcastInto(scratchInts(&gb, max(len(a.shape), len(shape))), "SumTo", a.shape, shape); !sameShape(got, a.shape) {
		panic(shapeErr("SumTo", "target shape does not broadcast to the source", a.shape, shape))
	}
	lead := len(a.shape) - len(shape)
	axes := scratchInts(&ab, 0)
	for i := range a.shape {
		if i < lead || (shape[i-lead] == 1 && a.shape[i] != 1) {
			axes = append(axes, i)
		}
	}
	s := Sum(a, true, axes...)
	return Reshape(s, shape...)
}

// Softmax returns e^(x−m) / Σ e^(x−m) along axis (m the max along axis).
// Along the last axis of a contiguous float32 or float64 tensor it is
// computed row by row with vec.Exp (see softmax.go).
func Softmax[T Float](a *Tensor[T], axis int) *Tensor[T] {
	if v, x, n := lastAxisRows("Softmax", a, axis); v != nil {
		return softmaxRows(v, a, x, n)
	}
	defer asOp("Softmax")
	e := Exp(Sub(a, Max(a, true, axis)))
	return Div(e, Sum(e, true, axis))
}

// LogSoftmax returns x − logsumexp(x) along axis. Along the last axis of a
// contiguous float32 or float64 tensor it is computed row by row with
// vec.Exp (see softmax.go).
func LogSoftmax[T Float](a *Tensor[T], axis int) *Tensor[T] {
	if v, x, n := lastAxisRows("LogSoftmax", a, axis); v != nil {
		return logSoftmaxRows(v, a, x, n)
	}
	defer asOp("LogSoftmax")
	return Sub(a, LogSumExp(a, true, axis))
}
