package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"gonum.org/v1/gonum/blas"
)

// shapes are (m, n, k) triples: empty, tiny, around and off the tile sizes
// of every kernel (4, 6, 8, 12, 16, 32), and across the block sizes.
var shapes = [][3]int{
	{0, 0, 0}, {0, 5, 3}, {4, 0, 2}, {3, 4, 0}, {1, 1, 1}, {1, 7, 1}, {2, 3, 5},
	{4, 4, 4}, {5, 5, 5}, {6, 16, 7}, {7, 17, 9}, {11, 31, 13}, {12, 32, 16},
	{13, 33, 17}, {25, 65, 3}, {24, 48, 100}, {37, 19, 61}, {64, 10, 128},
	{1, 300, 50}, {300, 1, 50}, {50, 50, 1}, {97, 113, 389}, {130, 257, 200},
	{200, 300, 260}, {181, 1030, 33}, {970, 23, 45},
	// Few columns: computed as Cᵀ = op(B)ᵀ·op(A)ᵀ.
	{130, 7, 300}, {257, 5, 40}, {64, 10, 128}, {37, 2, 1},
}

// operands returns random op(A), op(B) and C stored with leading dimensions
// padded by pad, and C's NaN-filled twin for beta = 0.
func operands[T Float](rng *rand.Rand, transA, transB bool, m, n, k, pad int) (a []T, lda int, b []T, ldb int, c []T, ldc int) {
	mat := func(r, c int, trans bool) ([]T, int) {
		if trans {
			r, c = c, r
		}
		ld := max(c+pad, 1)
		x := make([]T, max(r*ld, 1))
		for i := range x {
			x[i] = T(rng.Float64()*2 - 1)
		}
		return x, ld
	}
	a, lda = mat(m, k, transA)
	b, ldb = mat(k, n, transB)
	c, ldc = mat(m, n, false)
	return
}

// reference computes alpha·op(A)·op(B) + beta·C in float64 and the bound
// |alpha|·|op(A)|·|op(B)| + |beta|·|C| that scales its rounding error.
func reference[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) (want, bound []float64) {
	want, bound = make([]float64, m*n), make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, sa float64
			for p := 0; p < k; p++ {
				x := float64(at(a, lda, transA, i, p)) * float64(at(b, ldb, transB, p, j))
				s += x
				sa += math.Abs(x)
			}
			w := float64(alpha) * s
			e := math.Abs(float64(alpha)) * sa
			if beta != 0 {
				w += float64(beta) * float64(c[i*ldc+j])
				e += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
			want[i*n+j], bound[i*n+j] = w, e
		}
	}
	return
}

func eps[T Float]() float64 {
	var x T
	if any(x) == any(float32(0)) {
		return 0x1p-24
	}
	return 0x1p-53
}

// compare checks got against want within (k+2)·eps·bound, and that the
// padding between rows of C is untouched.
func compare[T Float](t *testing.T, name string, m, n, k int, got []T, ldc int, orig []T, want, bound []float64) {
	t.Helper()
	tol := float64(k+2) * eps[T]()
	bad := 0
	for i := 0; i < m; i++ {
		for j := 0; j < ldc; j++ {
			g := got[i*ldc+j]
			if j >= n {
				if g != orig[i*ldc+j] && !(g != g && orig[i*ldc+j] != orig[i*ldc+j]) {
					t.Errorf("%s: padding C[%d,%d] changed: %v → %v", name, i, j, orig[i*ldc+j], g)
					return
				}
				continue
			}
			w, e := want[i*n+j], bound[i*n+j]
			if d := math.Abs(float64(g) - w); !(d <= tol*e+1e-300) {
				if bad++; bad <= 3 {
					t.Errorf("%s: C[%d,%d] = %v, want %v (|diff| %.3g > %.3g)", name, i, j, g, w, d, tol*e)
				}
			}
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d elements wrong", name, bad)
	}
}

// testKernel checks kern on every shape, transposition, padding and a
// sample of (alpha, beta), against the float64 reference and checks Naive
// on the smaller shapes. With quick, only the shapes up to 10⁵ multiply-adds.
func testKernel[T Float](t *testing.T, kern *kernel[T], quick bool) {
	rng := rand.New(rand.NewPCG(1, 2))
	scalars := [][2]T{{1, 0}, {1, 1}, {0, 0}, {0, 1}, {0, 0.5}, {-1.5, 0}, {0.75, -2}}
	for _, s := range shapes {
		m, n, k := s[0], s[1], s[2]
		small := m*n*k <= 1e5
		if quick && !small {
			continue
		}
		for _, trans := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			for _, pad := range []int{0, 3} {
				a, lda, b, ldb, c0, ldc := operands[T](rng, trans[0], trans[1], m, n, k, pad)
				prod, bound1 := reference(trans[0], trans[1], m, n, k, 1, a, lda, b, ldb, 0, c0, ldc)
				for si, ab := range scalars {
					if si > 2 && si%2 != (m+n+k+pad)%2 { // a sample of the scalars for each shape
						continue
					}
					alpha, beta := ab[0], ab[1]
					c := c0
					if beta == 0 { // BLAS: beta = 0 ignores C, NaNs included
						c = append([]T(nil), c0...)
						for i := range c {
							c[i] = T(math.NaN())
						}
					}
					want, bound := make([]float64, m*n), make([]float64, m*n)
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							want[i*n+j] = float64(alpha) * prod[i*n+j]
							bound[i*n+j] = math.Abs(float64(alpha)) * bound1[i*n+j]
							if beta != 0 {
								x := float64(beta) * float64(c[i*ldc+j])
								want[i*n+j] += x
								bound[i*n+j] += math.Abs(x)
							}
						}
					}
					name := fmt.Sprintf("%s m=%d n=%d k=%d tA=%v tB=%v pad=%d alpha=%v beta=%v", kern.name, m, n, k, trans[0], trans[1], pad, alpha, beta)
					got := append([]T(nil), c...)
					gemm(kern, trans[0], trans[1], m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
					compare(t, name, m, n, k, got, ldc, c, want, bound)
					if small {
						naive := append([]T(nil), c...)
						Naive(trans[0], trans[1], m, n, k, alpha, a, lda, b, ldb, beta, naive, ldc)
						compare(t, "Naive "+name, m, n, k, naive, ldc, c, want, bound)
					}
				}
			}
		}
	}
}

// withNarrow returns kernels and, after each one that has a narrow
// kernel, that kernel.
func withNarrow[T Float](kernels []*kernel[T]) []*kernel[T] {
	var all []*kernel[T]
	for _, kern := range kernels {
		all = append(all, kern)
		if kern.narrow != nil {
			all = append(all, kern.narrow)
		}
	}
	return all
}

// TestKernels runs every kernel this CPU supports (AVX-512 and its narrow
// kernel, AVX2, Go on amd64; Go elsewhere) on every shape, against the
// float64 reference. Under the race detector, which only matters for
// TestParallel, just the small shapes.
func TestKernels(t *testing.T) {
	for _, kern := range withNarrow(kernels32) {
		t.Run("float32/"+kern.name, func(t *testing.T) { t.Parallel(); testKernel(t, kern, raceEnabled) })
	}
	for _, kern := range withNarrow(kernels64) {
		t.Run("float64/"+kern.name, func(t *testing.T) { t.Parallel(); testKernel(t, kern, raceEnabled) })
	}
}

// TestEdges runs every kernel on all m, n, k in 1…33 with every
// transposition, against the float64 reference, with leading dimensions
// larger than the rows (so the kernels' masked stores must leave the
// padding alone) and beta ≠ 0 (so they must read only C).
func TestEdges(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("35 937 shapes")
	}
	t.Run("float32", func(t *testing.T) { t.Parallel(); testEdges(t, withNarrow(kernels32)) })
	t.Run("float64", func(t *testing.T) { t.Parallel(); testEdges(t, withNarrow(kernels64)) })
}

func testEdges[T Float](t *testing.T, kernels []*kernel[T]) {
	rng := rand.New(rand.NewPCG(9, 10))
	for m := 1; m <= 33; m++ {
		for n := 1; n <= 33; n++ {
			for k := 1; k <= 33; k++ {
				tA, tB := (m+k)%2 == 1, (n+k)%3 == 1 // all four, spread over the shapes
				a, lda, b, ldb, c, ldc := operands[T](rng, tA, tB, m, n, k, 1+(m+n)%3)
				want, bound := reference(tA, tB, m, n, k, 1.5, a, lda, b, ldb, -0.5, c, ldc)
				for _, kern := range kernels {
					got := append([]T(nil), c...)
					gemm(kern, tA, tB, m, n, k, 1.5, a, lda, b, ldb, -0.5, got, ldc)
					compare(t, fmt.Sprintf("%s m=%d n=%d k=%d tA=%v tB=%v", kern.name, m, n, k, tA, tB), m, n, k, got, ldc, c, want, bound)
				}
			}
		}
	}
}

// TestSmallBlocks forces many blocks in every loop (mc, kc, nc of one or
// two tiles), so the block boundaries and the beta = 1 of later k blocks
// are exercised on small matrices, with B always packed and always read in
// place where it can be.
func TestSmallBlocks(t *testing.T) {
	for _, direct := range []int{0, 1 << 30} {
		for _, kern := range withNarrow(kernels64) {
			small := *kern
			small.mc, small.kc, small.nc, small.directRows, small.narrow = 2*kern.mr, 5, kern.nr, direct, nil
			t.Run(fmt.Sprintf("%s/direct=%d", kern.name, direct), func(t *testing.T) { testKernel(t, &small, true) })
		}
		for _, kern := range withNarrow(kernels32) {
			small := *kern
			small.mc, small.kc, small.nc, small.directRows, small.narrow = kern.mr, 7, 2*kern.nr, direct, nil
			t.Run(fmt.Sprintf("%s/direct=%d", kern.name, direct), func(t *testing.T) { testKernel(t, &small, true) })
		}
	}
}

// TestParallel checks products large enough to be split across goroutines
// (run it with -race), along rows and along columns.
func TestParallel(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, s := range [][3]int{{257, 131, 300}, {131, 257, 300}, {64, 784, 128}, {600, 40, 200}, {3000, 10, 300}} {
		m, n, k := s[0], s[1], s[2]
		if 2*m*n*k < 2*ParallelFlops {
			t.Fatalf("%v is too small to run in parallel", s)
		}
		for _, trans := range [][2]bool{{false, false}, {true, true}} {
			a, lda, b, ldb, c, ldc := operands[float32](rng, trans[0], trans[1], m, n, k, 1)
			want, bound := reference(trans[0], trans[1], m, n, k, 1.5, a, lda, b, ldb, 0.5, c, ldc)
			got := append([]float32(nil), c...)
			tA, tB := blas.NoTrans, blas.NoTrans
			if trans[0] {
				tA, tB = blas.Trans, blas.Trans
			}
			Sgemm(tA, tB, m, n, k, 1.5, a, lda, b, ldb, 0.5, got, ldc)
			compare(t, fmt.Sprintf("Sgemm %v %v", s, trans), m, n, k, got, ldc, c, want, bound)

			a64, lda, b64, ldb, c64, ldc := operands[float64](rng, trans[0], trans[1], m, n, k, 0)
			want, bound = reference(trans[0], trans[1], m, n, k, -1, a64, lda, b64, ldb, 0, c64, ldc)
			got64 := append([]float64(nil), c64...)
			Dgemm(tA, tB, m, n, k, -1, a64, lda, b64, ldb, 0, got64, ldc)
			compare(t, fmt.Sprintf("Dgemm %v %v", s, trans), m, n, k, got64, ldc, c64, want, bound)
		}
	}
}

// TestParallelLarge checks a product large enough for one chunk per
// goroutine (see parallel).
func TestParallelLarge(t *testing.T) {
	if raceEnabled {
		t.Skip("the same code as TestParallel, with fewer chunks; slow under the race detector")
	}
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	const m, n, k = 520, 520, 380
	if p := runtime.GOMAXPROCS(0); 2*m*n*k/p < 1e8 {
		t.Skipf("GOMAXPROCS=%d: too many goroutines for one chunk each", p)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	a, lda, b, ldb, c, ldc := operands[float64](rng, true, false, m, n, k, 2)
	want, bound := reference(true, false, m, n, k, 2, a, lda, b, ldb, -1, c, ldc)
	got := append([]float64(nil), c...)
	Dgemm(blas.Trans, blas.NoTrans, m, n, k, 2, a, lda, b, ldb, -1, got, ldc)
	compare(t, "Dgemm", m, n, k, got, ldc, c, want, bound)
}

// TestConcurrent runs parallel products from several goroutines at once,
// so they compete for the helpers (run it with -race).
func TestConcurrent(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	const m, n, k = 150, 170, 190
	rng := rand.New(rand.NewPCG(5, 6))
	a, lda, b, ldb, c, ldc := operands[float64](rng, false, true, m, n, k, 0)
	want, bound := reference(false, true, m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 5; r++ {
				got := make([]float64, len(c))
				Dgemm(blas.NoTrans, blas.Trans, m, n, k, 1, a, lda, b, ldb, 0, got, ldc)
				compare(t, fmt.Sprintf("goroutine %d run %d", g, r), m, n, k, got, ldc, c, want, bound)
			}
		}()
	}
	wg.Wait()
}

func TestPanics(t *testing.T) {
	x := make([]float64, 6)
	for name, f := range map[string]func(){
		"negative m": func() { Dgemm(blas.NoTrans, blas.NoTrans, -1, 2, 3, 1, x, 3, x, 2, 0, x, 2) },
		"small lda":  func() { Dgemm(blas.NoTrans, blas.NoTrans, 2, 2, 3, 1, x, 2, x, 2, 0, x, 2) },
		"short b":    func() { Dgemm(blas.NoTrans, blas.Trans, 2, 3, 3, 1, x, 3, x, 3, 0, x, 3) },
		"short c":    func() { Dgemm(blas.NoTrans, blas.NoTrans, 2, 3, 2, 1, x, 2, x, 3, 0, x[:5], 3) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestNoAllocs checks that the serial path packs into pooled buffers.
func TestNoAllocs(t *testing.T) {
	a, b, c := make([]float32, 40*50), make([]float32, 50*60), make([]float32, 40*60)
	allocs := testing.AllocsPerRun(20, func() {
		Sgemm(blas.NoTrans, blas.NoTrans, 40, 60, 50, 1, a, 50, b, 60, 0, c, 60)
	})
	if allocs > 0 {
		t.Errorf("Sgemm allocates %v times per call", allocs)
	}
}

// TestParallelNoAllocs checks that a product shared among goroutines
// allocates nothing once the pools are warm. testing.AllocsPerRun runs with
// GOMAXPROCS 1, which takes the serial path, so this counts the heap's
// allocations around a batch of calls with GOMAXPROCS 2.
func TestParallelNoAllocs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	const m, n, k = 256, 256, 256 // 33 MFLOP: parallel
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	call := func() { Sgemm(blas.NoTrans, blas.NoTrans, m, n, k, 1, a, k, b, n, 0, c, n) }
	for range 5 {
		call() // start the helpers, fill the pools
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const calls = 50
	for range calls {
		call()
	}
	runtime.ReadMemStats(&after)
	if perCall := float64(after.Mallocs-before.Mallocs) / calls; perCall >= 0.5 {
		t.Errorf("a parallel Sgemm allocates %.2f times per call", perCall)
	}
}

// TestTransposedC runs every kernel on products stored into a transposed
// C (element (i, j) at c[i + j·ldc]), as when a product is computed as
// Cᵀ = op(B)ᵀ·op(A)ᵀ, where the AVX-512 kernels scatter their tiles.
func TestTransposedC(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testTransposedC(t, withNarrow(kernels32)) })
	t.Run("float64", func(t *testing.T) { testTransposedC(t, withNarrow(kernels64)) })
}

func testTransposedC[T Float](t *testing.T, kernels []*kernel[T]) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, s := range [][3]int{{1, 1, 1}, {10, 64, 128}, {12, 32, 5}, {13, 33, 17}, {7, 70, 9}, {33, 20, 400}} {
		m, n, k := s[0], s[1], s[2]
		for _, beta := range []T{0, 0.5} {
			tA, tB := m%2 == 1, n%2 == 0
			a, lda, b, ldb, _, _ := operands[T](rng, tA, tB, m, n, k, 1)
			// cT holds Cᵀ (n×m, leading dimension m+2), NaNs for beta = 0.
			ctT, ldcT := make([]T, n*(m+2)), m+2
			for i := range ctT {
				ctT[i] = T(rng.Float64()*2 - 1)
				if beta == 0 {
					ctT[i] = T(math.NaN())
				}
			}
			c := make([]T, m*n) // C itself, for the reference
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					c[i*n+j] = ctT[j*ldcT+i]
				}
			}
			want, bound := reference(tA, tB, m, n, k, -1.25, a, lda, b, ldb, beta, c, n)
			for _, kern := range kernels {
				got := append([]T(nil), ctT...)
				serial(kern, tA, tB, m, n, k, -1.25, a, lda, b, ldb, beta, got, 1, ldcT)
				back := make([]T, m*n)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						back[i*n+j] = got[j*ldcT+i]
					}
				}
				compare(t, fmt.Sprintf("%s %v beta=%v", kern.name, s, beta), m, n, k, back, n, c, want, bound)
				for j := 0; j < n; j++ { // the padding of Cᵀ's rows
					for i := m; i < ldcT; i++ {
						if g, o := got[j*ldcT+i], ctT[j*ldcT+i]; g != o && !(g != g && o != o) {
							t.Fatalf("%s %v: padding Cᵀ[%d,%d] changed", kern.name, s, j, i)
						}
					}
				}
			}
		}
	}
}

// TestFusedOrder checks the invariant that makes results independent of
// the kernel, the orientation and the split among goroutines: every
// assembly kernel computes each element of C in float64 exactly as
//
//	s = 0; s = fma(a[i,p], b[p,j], s) for p in a block of kc; c = fma(beta, c, alpha·s)
//
// block after block (beta = 1 after the first), bit for bit, on shapes that
// take every kernel, both orientations and several k blocks. The AVX2
// kernels compute edge tiles into the scratch tile, which merge adds to
// beta·C without fusing: there the last step agrees only for beta = 0 or 1
// (the tensor package passes 0), so they are checked with beta = 1.
func TestFusedOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, kern := range withNarrow(kernels64) {
		if kern.name == "go" { // Go fuses x*y + z on some platforms only
			continue
		}
		for _, s := range [][3]int{{1, 1, 1}, {64, 10, 128}, {10, 64, 400}, {33, 17, 193}, {128, 10, 64}, {70, 40, 385}} {
			m, n, k := s[0], s[1], s[2]
			for _, trans := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				tA, tB := trans[0], trans[1]
				a, lda, b, ldb, c, ldc := operands[float64](rng, tA, tB, m, n, k, 1)
				alpha, beta := 0.75, -1.5
				if !kern.general {
					beta = 1
				}
				want := append([]float64(nil), c...)
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						x := &want[i*ldc+j]
						for pc := 0; pc < k; pc += kern.kc {
							var s float64
							for p := pc; p < min(pc+kern.kc, k); p++ {
								s = math.FMA(at(a, lda, tA, i, p), at(b, ldb, tB, p, j), s)
							}
							bt := beta
							if pc > 0 {
								bt = 1
							}
							*x = math.FMA(bt, *x, alpha*s)
						}
					}
				}
				got := append([]float64(nil), c...)
				gemm(kern, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, got, ldc)
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("%s %v tA=%v tB=%v: c[%d] = %v, want %v bit for bit", kern.name, s, tA, tB, i, got[i], want[i])
						break
					}
				}
			}
		}
	}
}
