package tensor

import (
	"fmt"
	"unsafe"

	"gonum.org/v1/gonum/blas"

	gemmpkg "github.com/nabla-go/nabla/internal/gemm"
)

// MatMulShape returns the shape of MatMul(a, b) for operands of shapes a and b,
// and panics with a *ShapeError naming both when they do not multiply: an
// operand without axes, inner dimensions that differ, or batch axes that do
// not broadcast.
func MatMulShape(a, b []int) []int {
	if len(a) == 0 || len(b) == 0 {
		panic(shapeErr("MatMul", "operands must have at least one axis", a, b))
	}
	a2, b2 := a, b
	if len(a) == 1 {
		a2 = []int{1, a[0]}
	}
	if len(b) == 1 {
		b2 = []int{b[0], 1}
	}
	na, nb := len(a2), len(b2)
	m, k, k2, n := a2[na-2], a2[na-1], b2[nb-2], b2[nb-1]
	if k != k2 {
		panic(shapeErr("MatMul", fmt.Sprintf("inner dimensions differ: %d vs %d", k, k2), a, b))
	}
	ba, bb := a2[:na-2], b2[:nb-2]
	checkBatch("MatMul", ba, bb, a, b)
	out := cloneInts(BroadcastShapes("MatMul", ba, bb))
	if len(a) > 1 {
		out = append(out, m)
	}
	if len(b) > 1 {
		out = append(out, n)
	}
	return out
}

// checkBatch panics unless the batch axes ba and bb of operands of shapes a
// and b broadcast.
func checkBatch(op string, ba, bb, a, b []int) {
	for i := 1; i <= min(len(ba), len(bb)); i++ {
		if x, y := ba[len(ba)-i], bb[len(bb)-i]; x != y && x != 1 && y != 1 {
			panic(shapeErr(op, fmt.Sprintf("batch axes do not broadcast: sizes %d and %d", x, y), a, b))
		}
	}
}

// MatMul returns the matrix product of a and b with NumPy semantics: the last
// two axes are matrices [m,k]·[k,n] = [m,n], leading (batch) axes broadcast; a
// 1-D a is a row vector and a 1-D b a column vector, whose axis is then dropped.
// Transposed views are multiplied without copying.
func MatMul[T Float](a, b *Tensor[T]) *Tensor[T] {
	if len(a.shape) == 0 || len(b.shape) == 0 || len(a.shape) == 1 || len(b.shape) == 1 {
		MatMulShape(a.shape, b.shape) // validate, naming the shapes as given
		av, bv := a, b
		if len(a.shape) == 1 {
			av = Unsqueeze(a, 0)
		}
		if len(b.shape) == 1 {
			bv = Unsqueeze(b, 1)
		}
		return dropVectorAxes(matmul(av, bv, false, false), a, b)
	}
	return matmul(a, b, false, false)
}

// MatMulTrans returns op(a)·op(b), where op transposes the last two axes of
// its operand when transA (transB) is set, without making a transposed view:
// MatMulTrans(x, w, false, true) is x·wᵀ. Both operands need at least two
// axes; batch axes broadcast as in MatMul.
func MatMulTrans[T Float](a, b *Tensor[T], transA, transB bool) *Tensor[T] {
	if len(a.shape) < 2 || len(b.shape) < 2 {
		panic(shapeErr("MatMulTrans", "operands must have at least two axes", a.shape, b.shape))
	}
	return matmul(a, b, transA, transB)
}

// matmul is op(a)·op(b) for operands with at least two axes, into a new
// tensor (in the operands' Arena, if any).
func matmul[T Float](a, b *Tensor[T], transA, transB bool) *Tensor[T] {
	ar := arenaOf(a, b)
	na, nb := len(a.shape), len(b.shape)
	m, k := a.shape[na-2], a.shape[na-1]
	if transA {
		m, k = k, m
	}
	k2, n := b.shape[nb-2], b.shape[nb-1]
	if transB {
		k2, n = n, k2
	}
	op := "MatMul"
	if transA || transB {
		op = "MatMulTrans"
	}
	if k != k2 {
		panic(shapeErr(op, fmt.Sprintf("inner dimensions differ: %d vs %d", k, k2), a.shape, b.shape))
	}
	checkBatch(op, a.shape[:na-2], b.shape[:nb-2], a.shape, b.shape)
	var ob [maxStackDims]int
	outShape := append(broadcastInto(scratchInts(&ob, max(na, nb)-2), op, a.shape[:na-2], b.shape[:nb-2]), m, n)
	batch := outShape[:len(outShape)-2]
	if k == 0 { // empty sums: zeros
		return ar.New(outShape...)
	}
	out := ar.Scratch(outShape...) // every element is written below
	if len(out.data) == 0 {
		return out
	}
	av, at, alda := asMatrix(ar, a)
	bv, bt, bldb := asMatrix(ar, b)
	if transA {
		at = flip(at)
	}
	if transB {
		bt = flip(bt)
	}
	var asb, bsb, ib [maxStackDims]int
	abs := batchStrides(scratchInts(&asb, len(batch)), av, batch)
	bbs := batchStrides(scratchInts(&bsb, len(batch)), bv, batch)
	nbatch := sizeOf(batch)
	idx := scratchInts(&ib, len(batch))
	for p := 0; p < nbatch; p++ {
		ao, bo := av.offset, bv.offset
		for i, x := range idx {
			ao += x * abs[i]
			bo += x * bbs[i]
		}
		gemm(at, bt, m, n, k, av.data[ao:], alda, bv.data[bo:], bldb, out.data[p*m*n:(p+1)*m*n], n)
		for d := len(idx) - 1; d >= 0; d-- {
			idx[d]++
			if idx[d] < batch[d] {
				break
			}
			idx[d] = 0
		}
	}
	return out
}

func flip(t blas.Transpose) blas.Transpose {
	if t == blas.NoTrans {
		return blas.Trans
	}
	return blas.NoTrans
}

// dropVectorAxes removes from a MatMul result the axes that 1-D operands a
// or b were given to be multiplied as matrices.
func dropVectorAxes[T Float](out, a, b *Tensor[T]) *Tensor[T] {
	switch {
	case len(a.shape) == 1 && len(b.shape) == 1:
		return Reshape(out)
	case len(a.shape) == 1:
		return Squeeze(out, -2).Contiguous()
	case len(b.shape) == 1:
		return Squeeze(out, -1).Contiguous()
	}
	return out
}

// asMatrix returns t (copied into ar if needed) such that each of its
// trailing matrices is row-major (NoTrans) or column-major (Trans) with
// leading dim ld.
func asMatrix[T Float](ar *Arena[T], t *Tensor[T]) (*Tensor[T], blas.Transpose, int) {
	nd := len(t.shape)
	r, c := t.shape[nd-2], t.shape[nd-1]
	sr, sc := t.strides[nd-2], t.strides[nd-1]
	switch {
	case (sc == 1 || c == 1) && sr >= max(c, 1):
		return t, blas.NoTrans, sr
	case (sr == 1 || r == 1) && sc >= max(r, 1):
		return t, blas.Trans, sc
	}
	t = clone(ar, t)
	return t, blas.NoTrans, max(c, 1)
}

// batchStrides writes into st t's strides along the batch axes of the
// product (0 where t is broadcast) and returns st.
func batchStrides[T Float](st []int, t *Tensor[T], batch []int) []int {
	clear(st)
	nd := len(t.shape) - 2
	k := len(batch) - nd
	for i := 0; i < nd; i++ {
		if t.shape[i] != 1 {
			st[k+i] = t.strides[i]
		}
	}
	return st
}

// gemm computes c = op(a)·op(b) with internal/gemm: packed, cache-blocked
// products with AVX-512 or AVX2 micro-kernels where the CPU has them, a
// pure-Go kernel elsewhere, and goroutines for large products. Each element
// of c sums its k products in the same order however the work is shared
// out, so results do not depend on GOMAXPROCS.
func gemm[T Float](ta, tb blas.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	var zero T
	if unsafe.Sizeof(zero) == 8 {
		gemmpkg.Dgemm(ta, tb, m, n, k, 1, as64(a), lda, as64(b), ldb, 0, as64(c), ldc)
	} else {
		gemmpkg.Sgemm(ta, tb, m, n, k, 1, as32(a), lda, as32(b), ldb, 0, as32(c), ldc)
	}
}

// as64 and as32 view a []T as the float type of its size (T's underlying
// type), without the allocation of converting through an interface.
func as64[T Float](s []T) []float64 {
	return unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

func as32[T Float](s []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// rowsOf and colsOf give the stored dimensions of op(X) with op(X) r×c.
func rowsOf(t blas.Transpose, r, c int) int {
	if t == blas.NoTrans {
		return r
	}
	return c
}

func colsOf(t blas.Transpose, r, c int) int {
	if t == blas.NoTrans {
		return c
	}
	return r
}
