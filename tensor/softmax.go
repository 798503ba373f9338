package tensor

import (
	"fmt"
	"math"
)

// This file holds the row-wise forms of softmax: Softmax, LogSoftmax and
// LogSumExp along the last axis of a contiguous float32 or float64 tensor
// (the layout of logits [batch, classes]), and the fused softmax
// cross-entropy with its gradient. Each reads a row, finds its maximum m,
// writes e^(x − m) with vec.Exp, and sums it, a block of rows at a time so
// that rows of ten classes still make one long call of vec.Exp and a block
// stays in the L1 cache. Other layouts, and named element types, take the
// plain compositions in reduce.go, the reference the tests compare with.

// rowOps are the loops the row-wise kernels are built from: internal/vec's
// (fast) for float32 and float64; for named element types, plain Go loops
// with math.Exp, so that SoftmaxCrossEntropy serves every element type.
func rowOps[T Float]() *vecOps[T] {
	if v := fast[T](); v != nil {
		return v
	}
	return &vecOps[T]{
		addScalar: func(dst, x []T, c T) {
			for i, v := range x {
				dst[i] = v + c
			}
		},
		mulScalar: func(dst, x []T, c T) {
			for i, v := range x {
				dst[i] = c * v
			}
		},
		exp: func(dst, x []T) {
			for i, v := range x {
				dst[i] = T(math.Exp(float64(v)))
			}
		},
		sum: func(x []T) float64 {
			var s float64
			for _, v := range x {
				s += float64(v)
			}
			return s
		},
		max: func(x []T) T {
			m := x[0]
			for _, v := range x[1:] {
				if v > m || v != v {
					m = v
				}
			}
			return m
		},
	}
}

// blockRows is how many rows of n elements the kernels do at once: about
// a thousand elements (one long call of vec.Exp), at most maxBlock rows.
func blockRows(n int) int { return min(max(1, 1024/n), maxBlock) }

const maxBlock = 64

// shiftedExp sets dst = e^(x − mᵣ) row by row for the rows of n elements
// of x (at most maxBlock), mᵣ the row's maximum (vec.Max: NaNs skipped; a
// NaN still makes its row NaN through x − mᵣ), kept in ms. With finite
// set, a maximum of ±Inf is replaced by 0, as LogSumExp shifts: a row of
// −Inf then gives zeros, and its log-sum-exp −Inf.
func shiftedExp[T Float](v *vecOps[T], dst, x []T, n int, ms []T, finite bool) {
	for r := 0; r*n < len(x); r++ {
		row := x[r*n : (r+1)*n]
		m := v.max(row)
		if finite && m-m != 0 {
			m = 0
		}
		ms[r] = m
		v.addScalar(dst[r*n:(r+1)*n], row, -m) // x + (−m) is x − m exactly
	}
	v.exp(dst, dst)
}

// rowSum is Σ e in float64: vec.Sum, or for a row shorter than its
// sixteen partial sums (ten classes) a plain loop.
func rowSum[T Float](v *vecOps[T], e []T) float64 {
	if len(e) >= 16 {
		return v.sum(e)
	}
	var s float64
	for _, x := range e {
		s += float64(x)
	}
	return s
}

// lastAxisRows reports whether a's softmax along axis can take the row-wise
// kernels (axis is the last, a is contiguous and has elements, T is float32
// or float64) and returns the fast loops, a's elements and the row length.
func lastAxisRows[T Float](op string, a *Tensor[T], axis int) (v *vecOps[T], x []T, n int) {
	if len(a.shape) == 0 {
		return nil, nil, 0
	}
	axis = normAxis(op, axis, len(a.shape), a.shape)
	v = fast[T]()
	if v == nil || axis != len(a.shape)-1 || !a.IsContiguous() || a.Size() == 0 {
		return nil, nil, 0
	}
	return v, a.data[a.offset : a.offset+a.Size()], a.shape[axis]
}

// softmaxRows is Softmax along the last axis: e = e^(x − m), then e·(1/Σe)
// (a multiplication by the reciprocal: up to an ulp from the quotient
// e/Σe the plain form computes, on top of vec.Exp's error).
func softmaxRows[T Float](v *vecOps[T], a *Tensor[T], x []T, n int) *Tensor[T] {
	out := arenaOf(a, nil).New(a.shape...)
	var ms [maxBlock]T
	b := blockRows(n) * n
	for o := 0; o < len(x); o += b {
		blk := out.data[o:min(o+b, len(x))]
		shiftedExp(v, blk, x[o:o+len(blk)], n, ms[:], false)
		for r := 0; r < len(blk); r += n {
			e := blk[r : r+n]
			v.mulScalar(e, e, T(1/rowSum(v, e)))
		}
	}
	return out
}

// logSoftmaxRows is LogSoftmax along the last axis: x − (m + log Σ e^(x−m)),
// the log-sum-exp as logSumExpRows computes it.
func logSoftmaxRows[T Float](v *vecOps[T], a *Tensor[T], x []T, n int) *Tensor[T] {
	out := arenaOf(a, nil).New(a.shape...)
	var ms [maxBlock]T
	b := blockRows(n) * n
	for o := 0; o < len(x); o += b {
		blk := out.data[o:min(o+b, len(x))]
		src := x[o : o+len(blk)]
		shiftedExp(v, blk, src, n, ms[:], true)
		for r := 0; r < len(blk); r += n {
			lse := T(math.Log(rowSum(v, blk[r:r+n]))) + ms[r/n]
			v.addScalar(blk[r:r+n], src[r:r+n], -lse)
		}
	}
	return out
}

// logSumExpRows is LogSumExp along the last axis, keeping it as size 1 when
// keep is set: m + log Σ e^(x−m) per row, the sum in float64.
func logSumExpRows[T Float](v *vecOps[T], a *Tensor[T], x []T, n int, keep bool) *Tensor[T] {
	var sb [maxStackDims]int
	shape := append(scratchInts(&sb, 0), a.shape...)
	if keep {
		shape[len(shape)-1] = 1
	} else {
		shape = shape[:len(shape)-1]
	}
	ar := arenaOf(a, nil)
	out := ar.New(shape...)
	b := blockRows(n) * n
	scratch := ar.New(min(b, len(x))).data
	var ms [maxBlock]T
	for o := 0; o < len(x); o += b {
		src := x[o:min(o+b, len(x))]
		blk := scratch[:len(src)]
		shiftedExp(v, blk, src, n, ms[:], true)
		for r := 0; r < len(blk); r += n {
			out.data[(o+r)/n] = T(math.Log(rowSum(v, blk[r:r+n]))) + ms[r/n]
		}
	}
	return out
}

// checkCE panics unless logits is [N, C] with C ≥ 1 and labels holds N
// class indices in [0, C).
func checkCE[T Float](op string, logits *Tensor[T], labels []int) {
	if len(logits.shape) != 2 || logits.shape[0] != len(labels) || logits.shape[1] == 0 {
		panic(shapeErr(op, fmt.Sprintf("logits must be [N, C] with C ≥ 1 for %d labels", len(labels)), logits.shape))
	}
	checkIndices(op, labels, logits.shape[1], logits.shape)
}

// SoftmaxCrossEntropy returns the mean over the N rows of logits [N, C] of
// the cross-entropy of the class labels[i] under softmax(logits[i]):
//
//	(1/N) Σᵢ ℓᵢ,  ℓᵢ = logsumexp(zᵢ) − zᵢ[yᵢ] = mᵢ + log Σⱼ e^(zᵢⱼ − mᵢ) − zᵢ[yᵢ]
//
// with mᵢ the row maximum (0 if infinite), in one pass over the logits: no
// softmax or log-softmax tensor is made. The sums are in float64, and the
// logarithms of a block of rows are taken as one, log Πᵢ Σⱼ e^(zᵢⱼ − mᵢ):
// each sum lies in [1, C], and a block holds at most max(1, 1024/C) rows,
// so the product stays below C^(1024/C) ≤ e^(1024/e) ≈ 10¹⁶³. It is the
// value of −mean(TakeAlong(LogSoftmax(logits, 1), 1, labels)) up to
// rounding. It panics on a shape or label that does not fit.
func SoftmaxCrossEntropy[T Float](logits *Tensor[T], labels []int) T {
	checkCE("SoftmaxCrossEntropy", logits, labels)
	v, x, n := rowOps[T](), logits.Data(), logits.shape[1]
	b := blockRows(n) * n
	scratch := arenaOf(logits, nil).New(min(b, len(x))).data
	var ms [maxBlock]T
	var total float64
	for o := 0; o < len(x); o += b {
		src := x[o:min(o+b, len(x))]
		blk := scratch[:len(src)]
		shiftedExp(v, blk, src, n, ms[:], true)
		prod := 1.0
		for r := 0; r < len(blk); r += n {
			prod *= rowSum(v, blk[r:r+n])
			total += float64(ms[r/n]) - float64(src[r+labels[(o+r)/n]])
		}
		total += math.Log(prod)
	}
	return T(total / float64(len(labels)))
}

// SoftmaxCrossEntropyGrad returns scale·(softmax(zᵢ) − onehot(yᵢ)) for each
// row zᵢ of logits [N, C] and label yᵢ: the gradient of SoftmaxCrossEntropy
// with respect to the logits times scale·N (scale = g/N for an upstream
// gradient g), in one pass: e = e^(z − m) written in place, then
// e·(scale/Σe), then scale subtracted at the label.
func SoftmaxCrossEntropyGrad[T Float](logits *Tensor[T], labels []int, scale T) *Tensor[T] {
	checkCE("SoftmaxCrossEntropyGrad", logits, labels)
	v, x, n := rowOps[T](), logits.Data(), logits.shape[1]
	out := arenaOf(logits, nil).New(logits.shape...)
	b := blockRows(n) * n
	var ms [maxBlock]T
	for o := 0; o < len(x); o += b {
		blk := out.data[o:min(o+b, len(x))]
		shiftedExp(v, blk, x[o:o+len(blk)], n, ms[:], true)
		for r := 0; r < len(blk); r += n {
			e := blk[r : r+n]
			v.mulScalar(e, e, T(float64(scale)/rowSum(v, e)))
			e[labels[(o+r)/n]] -= scale
		}
	}
	return out
}
