package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// randMatMulShapes returns operand shapes of ranks 1–4 whose matrix parts fit
// and whose batch parts broadcast (sizes 1 mixed in and leading axes dropped).
func randMatMulShapes(rng *rand.Rand, maxDim int) (sa, sb []int) {
	ra, rb := 1+rng.IntN(4), 1+rng.IntN(4)
	m, k, n := 1+rng.IntN(maxDim), 1+rng.IntN(maxDim), 1+rng.IntN(maxDim)
	var batch []int
	for range max(ra, rb) - 2 {
		batch = append(batch, 1+rng.IntN(3))
	}
	part := func(r int) []int {
		if r < 2 {
			return nil
		}
		s := slices.Clone(batch[len(batch)-(r-2):])
		for i := range s {
			if rng.IntN(3) == 0 {
				s[i] = 1
			}
		}
		return s
	}
	sa, sb = append(part(ra), m, k), append(part(rb), k, n)
	if ra == 1 {
		sa = []int{k}
	}
	if rb == 1 {
		sb = []int{k}
	}
	return sa, sb
}

// TestMatMul compares MatMul with the triple-loop reference on random ranks
// (vectors, matrices, broadcast batches) with both operands in every layout:
// transposed storage (BLAS Trans), sliced storage (leading dimension larger
// than the row), reversed batch axes (copied first).
func TestMatMul(t *testing.T) { forBoth(t, testMatMul[float32], testMatMul[float64]) }

func testMatMul[T Float](t *testing.T) {
	rng := newRNG(21)
	for range 120 {
		sa, sb := randMatMulShapes(rng, 5)
		a, b := randArr[T](rng, sa, quarters), randArr[T](rng, sb, quarters)
		want, ok := refMatMul(a, b)
		if !ok {
			t.Fatalf("test bug: %v · %v invalid", sa, sb)
		}
		for la := contiguous; la < numLayouts; la++ {
			for lb := contiguous; lb < numLayouts; lb++ {
				got := MatMul(build[T](a, la), build[T](b, lb))
				assertClose(t, fmt.Sprintf("MatMul(%v %v, %v %v)", sa, la, sb, lb), got, want, 0)
			}
		}
	}
}

// TestMatMulEdges: vectors, strided vectors, expanded (stride-0) operands,
// empty dimensions, and a matrix large enough for gonum's blocked kernels.
func TestMatMulEdges(t *testing.T) { forBoth(t, testMatMulEdges[float32], testMatMulEdges[float64]) }

func testMatMulEdges[T Float](t *testing.T) {
	rng := newRNG(22)
	check := func(what string, a, b *Tensor[T]) {
		t.Helper()
		want, ok := refMatMul(toArr(a), toArr(b))
		if !ok {
			t.Fatalf("test bug: %s invalid", what)
		}
		assertClose(t, what, MatMul(a, b), want, 0)
	}
	m := build[T](randArr[T](rng, []int{4, 6}, quarters), contiguous)
	v6 := build[T](randArr[T](rng, []int{6}, quarters), contiguous)
	v4 := build[T](randArr[T](rng, []int{4}, quarters), contiguous)
	check("vector·vector", v6, v6)
	if d := MatMul(v6, v6); d.Dims() != 0 {
		t.Errorf("vector·vector has shape %v, want a scalar", d.Shape())
	}
	check("matrix·vector", m, v6)
	check("vector·matrix", v4, m)
	c2, c5 := Squeeze(Slice(m, 1, 2, 3), 1), Squeeze(Slice(m, 1, 5, 6), 1) // [4] with stride 6
	check("strided vector·strided vector", c2, c5)
	check("transposed matrix·strided vector", Transpose(m, 0, 1), c5)
	check("strided vector·matrix", c2, m)
	check("strided column as matrix", Slice(m, 1, 1, 2), Slice(Transpose(m, 0, 1), 0, 3, 4))
	col := Slice(Transpose(m, 0, 1), 1, 2, 3) // [6,1] view with stride 6
	check("vector·strided column", v6, col)
	batched := build[T](randArr[T](rng, []int{3, 6, 2}, quarters), swapped)
	check("vector·batch", v6, batched)
	check("batch·vector", Transpose(batched, 1, 2), v6)
	check("expanded batch", Expand(m, 2, 3, 4, 6), batched)
	check("expanded scalar matrix", Expand(Scalar[T](1.5), 4, 4), m)
	check("expanded row matrix", Expand(Slice(m, 0, 0, 1), 5, 6), Transpose(m, 0, 1))
	check("1×1 expanded", Expand(Scalar[T](2), 1, 1), Expand(Scalar[T](3), 1, 5))
	check("k = 0", New[T](3, 0), New[T](0, 2))
	check("m = 0", New[T](0, 3), Ones[T](3, 2))
	check("n = 0", Ones[T](2, 3), New[T](3, 0))
	check("empty batch", New[T](0, 2, 3), Ones[T](3, 2))
	check("vectors, k = 0", New[T](0), New[T](0))
	if z := MatMul(Ones[T](3, 0), Ones[T](0, 2)); !slices.Equal(z.Data(), make([]T, 6)) {
		t.Errorf("k = 0 gives %v, want zeros", z)
	}
	big1 := build[T](randArr[T](rng, []int{70, 131}, quarters), sliced)
	big2 := build[T](randArr[T](rng, []int{131, 65}, quarters), contiguous)
	check("70×131 · 131×65", big1, big2)
	check("transposed 65×131 · 131×70", Transpose(big2, 0, 1), Transpose(big1, 0, 1))
}

// TestMatMulEmptyViews: empty operands stored as views whose batch strides
// point past their (empty) storage. The fuzzer found a slice-bounds panic here
// (A=[3 0 1] from reversed storage, B=[1]): MatMul sliced data[offset:] for
// each batch before noticing there was nothing to compute.
func TestMatMulEmptyViews(t *testing.T) {
	forBoth(t, testMatMulEmptyViews[float32], testMatMulEmptyViews[float64])
}

func testMatMulEmptyViews[T Float](t *testing.T) {
	for _, c := range []struct{ sa, sb []int }{
		{[]int{3, 0, 1}, []int{1}},       // m = 0
		{[]int{3, 1, 0}, []int{0, 2}},    // k = 0: zeros
		{[]int{2, 3, 0}, []int{2, 0, 4}}, // k = 0, batched
		{[]int{4}, []int{3, 4, 0}},       // n = 0
		{[]int{2, 1, 3}, []int{2, 3, 0}}, // n = 0, batched
	} {
		want, ok := refMatMul(newArr(c.sa...), newArr(c.sb...))
		if !ok {
			t.Fatalf("test bug: %v · %v", c.sa, c.sb)
		}
		for la := contiguous; la < numLayouts; la++ {
			for lb := contiguous; lb < numLayouts; lb++ {
				what := fmt.Sprintf("MatMul(%v %v, %v %v)", c.sa, la, c.sb, lb)
				a, b := build[T](newArr(c.sa...), la), build[T](newArr(c.sb...), lb)
				se, other, stack := catchPanic(func() { assertClose(t, what, MatMul(a, b), want, 0) })
				if se != nil || other != nil {
					t.Fatalf("%s: panic %v %v\n%s", what, se, other, stack)
				}
			}
		}
	}
}

// TestMatMulShape: the exported shape rule agrees with the reference and
// with MatMul itself.
func TestMatMulShape(t *testing.T) {
	rng := newRNG(23)
	for range 200 {
		sa, sb := randMatMulShapes(rng, 3)
		if rng.IntN(3) == 0 { // perturb: may no longer fit
			s := [][]int{sa, sb}[rng.IntN(2)]
			s[rng.IntN(len(s))] = rng.IntN(4)
		}
		want, ok := refMatMul(newArr(sa...), newArr(sb...))
		if !ok {
			expectShapeError(t, "MatMul", [][]int{sa, sb}, func() { MatMulShape(sa, sb) })
			expectShapeError(t, "MatMul", [][]int{sa, sb}, func() { MatMul(New[float64](sa...), New[float64](sb...)) })
			continue
		}
		if got := MatMulShape(sa, sb); !sameDims(got, want.shape) {
			t.Errorf("MatMulShape(%v, %v) = %v, want %v", sa, sb, got, want.shape)
		}
	}
}

// TestMatMulTilesMatchSerial: a product large enough to be shared out among
// goroutines and blocked into panels equals, bit for bit, the kernel called
// on every element alone (a 1×1 product on one goroutine): each element's
// inner sum runs in the same order however the work is cut, for every
// combination of transposes and both precisions.
func TestMatMulTilesMatchSerial(t *testing.T) {
	t.Run("float64", func(t *testing.T) { tilesMatchSerial[float64](t) })
	t.Run("float32", func(t *testing.T) { tilesMatchSerial[float32](t) })
}

func tilesMatchSerial[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const m, k, n = 150, 70, 400 // 3 × 3 tiles
	for _, ta := range []bool{false, true} {
		for _, tb := range []bool{false, true} {
			sa, sb := []int{m, k}, []int{k, n}
			if ta {
				sa = []int{k, m}
			}
			if tb {
				sb = []int{n, k}
			}
			a, b := RandN[T](rng, sa...), RandN[T](rng, sb...)
			got := MatMulTrans(a, b, ta, tb)
			want := New[T](m, n)
			op := func(on bool) blas.Transpose {
				if on {
					return blas.Trans
				}
				return blas.NoTrans
			}
			for i := range m {
				for j := range n {
					ai, bj := a.data[i:], b.data[j:] // row i of op(A), column j of op(B)
					if !ta {
						ai = a.data[i*sa[1]:]
					}
					if tb {
						bj = b.data[j*sb[1]:]
					}
					gemm(op(ta), op(tb), 1, 1, k, ai, sa[1], bj, sb[1], want.data[i*n+j:], n)
				}
			}
			if !slices.Equal(got.data, want.data) {
				t.Errorf("transA %v, transB %v: the tiled product differs from the serial one", ta, tb)
			}
		}
	}
}

// A product in an arena writes every element of memory that held other
// values (NaN here) before, since Scratch skips the zero fill.
func TestMatMulArenaStaleMemory(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	a, b := RandN[float64](rng, 5, 7), RandN[float64](rng, 7, 3)
	want := MatMul(a, b)
	var ar Arena[float64]
	for range 2 { // the memory of one Reset comes back two Resets later
		ar.Reset()
		s := ar.Scratch(5, 3)
		for i := range s.Data() {
			s.Data()[i] = math.NaN()
		}
	}
	ar.Reset()
	if got := MatMul(ar.View(a), b); !slices.Equal(got.Data(), want.Data()) {
		t.Fatalf("product in reused arena memory: %v, want %v", got, want)
	}
	ar.Reset()
	if z := MatMul(ar.View(New[float64](2, 0)), New[float64](0, 3)); !slices.Equal(z.Data(), make([]float64, 6)) {
		t.Fatalf("empty sums: %v, want zeros", z)
	}
}
