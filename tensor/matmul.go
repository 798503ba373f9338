package tensor

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
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
	for i := 1; i <= min(len(ba), len(bb)); i++ {
		if x, y := ba[len(ba)-i], bb[len(bb)-i]; x != y && x != 1 && y != 1 {
			panic(shapeErr("MatMul", fmt.Sprintf("batch axes do not broadcast: sizes %d and %d", x, y), a, b))
		}
	}
	out := cloneInts(BroadcastShapes("MatMul", ba, bb))
	if len(a) > 1 {
		out = append(out, m)
	}
	if len(b) > 1 {
		out = append(out, n)
	}
	return out
}

// MatMul returns the matrix product of a and b with NumPy semantics: the last
// two axes are matrices [m,k]·[k,n] = [m,n], leading (batch) axes broadcast; a
// 1-D a is a row vector and a 1-D b a column vector, whose axis is then dropped.
// Transposed views are multiplied without copying.
func MatMul[T Float](a, b *Tensor[T]) *Tensor[T] {
	MatMulShape(a.shape, b.shape) // validate, naming the shapes as given
	av, bv := a, b
	if len(a.shape) == 1 {
		av = Unsqueeze(a, 0)
	}
	if len(b.shape) == 1 {
		bv = Unsqueeze(b, 1)
	}
	na, nb := len(av.shape), len(bv.shape)
	m, k, n := av.shape[na-2], av.shape[na-1], bv.shape[nb-1] // b's rows are k too: checked
	batch := BroadcastShapes("MatMul", av.shape[:na-2], bv.shape[:nb-2])
	outShape := append(append(cloneInts(batch), m), n)
	out := New[T](outShape...)
	if len(out.data) == 0 || k == 0 { // nothing to compute, or empty sums: zeros
		return dropVectorAxes(out, a, b)
	}
	av, at, alda := asMatrix(av)
	bv, bt, bldb := asMatrix(bv)
	abs := batchStrides(av, batch)
	bbs := batchStrides(bv, batch)
	nbatch := sizeOf(batch)
	idx := make([]int, len(batch))
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
	return dropVectorAxes(out, a, b)
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

// asMatrix returns t (copied if needed) such that each of its trailing
// matrices is row-major (NoTrans) or column-major (Trans) with leading dim ld.
func asMatrix[T Float](t *Tensor[T]) (*Tensor[T], blas.Transpose, int) {
	nd := len(t.shape)
	r, c := t.shape[nd-2], t.shape[nd-1]
	sr, sc := t.strides[nd-2], t.strides[nd-1]
	switch {
	case (sc == 1 || c == 1) && sr >= max(c, 1):
		return t, blas.NoTrans, sr
	case (sr == 1 || r == 1) && sc >= max(r, 1):
		return t, blas.Trans, sc
	}
	t = t.Clone()
	return t, blas.NoTrans, max(c, 1)
}

func batchStrides[T Float](t *Tensor[T], batch []int) []int {
	st := make([]int, len(batch))
	nd := len(t.shape) - 2
	k := len(batch) - nd
	for i := 0; i < nd; i++ {
		if t.shape[i] != 1 {
			st[k+i] = t.strides[i]
		}
	}
	return st
}

var blasImpl gonum.Implementation

// gemm computes c = op(a)·op(b) with gonum's BLAS.
func gemm[T Float](ta, tb blas.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		clear(c)
		return
	}
	// BLAS checks that the slices cover the last element exactly; trim them.
	alen, blen := lda*(rowsOf(ta, m, k)-1)+colsOf(ta, m, k), ldb*(rowsOf(tb, k, n)-1)+colsOf(tb, k, n)
	switch cc := any(c).(type) {
	case []float64:
		blasImpl.Dgemm(ta, tb, m, n, k, 1, any(a).([]float64)[:alen], lda, any(b).([]float64)[:blen], ldb, 0, cc, ldc)
	case []float32:
		blasImpl.Sgemm(ta, tb, m, n, k, 1, any(a).([]float32)[:alen], lda, any(b).([]float32)[:blen], ldb, 0, cc, ldc)
	default:
		panic("tensor: MatMul supports float32 and float64 element types")
	}
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
