package gemm

import (
	"runtime"
	"sync"
)

// ParallelFlops is the smallest product, in floating-point operations
// (2·m·n·k), that is split across goroutines. Each goroutine gets at least
// this much work, so the cost of starting and joining it (a few µs) stays
// below a few percent of its run time even at 100 GFLOP/s; smaller products
// run on the calling goroutine, so they never pay for synchronisation or lose
// to oversubscription.
const ParallelFlops = 1 << 22

// kernel is a micro-kernel and the blocking that suits it.
type kernel[T Float] struct {
	name   string
	mr, nr int // tile of C computed by fn
	// kc: depth of a packed block; mc, nc: rows of the A block and columns
	// of the B block (multiples of mr and nr).
	mc, kc, nc int
	// fn sets the mr×nr tile at c (row stride ldc) to alpha·acc + beta·c
	// (alpha·acc if beta == 0), where acc = Σₚ a[p·mr:][:mr]ᵀ·b[p·nr:][:nr]
	// over p < k.
	fn func(k int, a, b, c []T, ldc int, alpha, beta T)
}

// workspace holds one goroutine's packing buffers.
type workspace[T Float] struct {
	a, b, tile []T
}

var (
	pool32 sync.Pool // *workspace[float32]
	pool64 sync.Pool // *workspace[float64]
)

// getWorkspace returns a workspace with buffers large enough for kern.
func getWorkspace[T Float](kern *kernel[T]) (*workspace[T], *sync.Pool) {
	pool := &pool64
	var zero T
	if any(zero) == any(float32(0)) {
		pool = &pool32
	}
	w, _ := pool.Get().(*workspace[T])
	if w == nil {
		w = new(workspace[T])
	}
	if n := kern.mc * kern.kc; len(w.a) < n {
		w.a = make([]T, n)
	}
	if n := kern.kc * kern.nc; len(w.b) < n {
		w.b = make([]T, n)
	}
	if n := kern.mr * kern.nr; len(w.tile) < n {
		w.tile = make([]T, n)
	}
	return w, pool
}

// gemm checks the arguments, handles the cases without a product, and runs
// the blocked algorithm, in parallel bands when the product is large.
func gemm[T Float](kern *kernel[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	check(transA, transB, m, n, k, len(a), lda, len(b), ldb, len(c), ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scale(m, n, beta, c, ldc)
		return
	}
	flops := 2 * float64(m) * float64(n) * float64(k)
	p := min(runtime.GOMAXPROCS(0), int(flops/ParallelFlops))
	long, tile := n, kern.nr
	if m > n {
		long, tile = m, kern.mr
	}
	p = min(p, (long+tile-1)/tile)
	if p <= 1 {
		serial(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	parallel(kern, p, long, tile, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// parallel cuts the longer side of C (long, which is m or n) into p bands of
// whole tiles and runs serial on each band in its own goroutine. The bands
// write disjoint parts of C; each goroutine packs its own copy of the
// operand the bands share.
func parallel[T Float](kern *kernel[T], p, long, tile int, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	band := ((long+p-1)/p + tile - 1) / tile * tile
	var wg sync.WaitGroup
	for lo := 0; lo < long; lo += band {
		size := min(band, long-lo)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if long == n { // columns lo:lo+size of op(B) and C
				bOff := lo
				if transB {
					bOff = lo * ldb
				}
				serial(kern, transA, transB, m, size, k, alpha, a, lda, b[bOff:], ldb, beta, c[lo:], ldc)
			} else { // rows lo:lo+size of op(A) and C
				aOff := lo * lda
				if transA {
					aOff = lo
				}
				serial(kern, transA, transB, size, n, k, alpha, a[aOff:], lda, b, ldb, beta, c[lo*ldc:], ldc)
			}
		}()
	}
	wg.Wait()
}

// scale sets C = beta·C (C = 0 if beta == 0).
func scale[T Float](m, n int, beta T, c []T, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// serial runs the blocked algorithm on the calling goroutine. The loops,
// from the outside in:
//
//	ic: rows of C and op(A), mc at a time
//	pc: the k dimension, kc at a time; pack op(A)[ic:, pc:] (mc×kc)
//	jc: columns of C and op(B), nc at a time; pack op(B)[pc:, jc:] (kc×nc)
//	ir: a micro-panel of A (mr×kc), kept in L1 across the jr loop
//	jr: a micro-panel of B (kc×nr), streamed from the packed block in L2
//
// The first pc block applies beta; later ones add to C (beta = 1).
func serial[T Float](kern *kernel[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	w, pool := getWorkspace(kern)
	defer pool.Put(w)
	mr, nr := kern.mr, kern.nr
	tile := w.tile[:mr*nr]
	for ic := 0; ic < m; ic += kern.mc {
		mc := min(kern.mc, m-ic)
		for pc := 0; pc < k; pc += kern.kc {
			kc := min(kern.kc, k-pc)
			betaPC := beta
			if pc > 0 {
				betaPC = 1
			}
			packA(w.a, transA, a, lda, ic, pc, mc, kc, mr)
			for jc := 0; jc < n; jc += kern.nc {
				nc := min(kern.nc, n-jc)
				packB(w.b, transB, b, ldb, pc, jc, kc, nc, nr)
				for ir := 0; ir < mc; ir += mr {
					ap := w.a[ir*kc : (ir+mr)*kc]
					rows := min(mr, mc-ir)
					for jr := 0; jr < nc; jr += nr {
						bp := w.b[jr*kc : (jr+nr)*kc]
						cols := min(nr, nc-jr)
						ci := (ic+ir)*ldc + jc + jr
						if rows == mr && cols == nr {
							kern.fn(kc, ap, bp, c[ci:], ldc, alpha, betaPC)
							continue
						}
						// Edge tile: compute it whole, merge the valid part.
						kern.fn(kc, ap, bp, tile, nr, 1, 0)
						for i := 0; i < rows; i++ {
							crow := c[ci+i*ldc : ci+i*ldc+cols]
							trow := tile[i*nr : i*nr+cols]
							for j, t := range trow {
								if betaPC == 0 {
									crow[j] = alpha * t
								} else {
									crow[j] = alpha*t + betaPC*crow[j]
								}
							}
						}
					}
				}
			}
		}
	}
}

// packA copies op(A)[ic:ic+mc, pc:pc+kc] into dst as micro-panels of mr
// rows: panel q holds rows q·mr… stored column by column (kc columns of mr
// values), with rows past mc set to zero.
func packA[T Float](dst []T, trans bool, a []T, lda, ic, pc, mc, kc, mr int) {
	for ir := 0; ir < mc; ir += mr {
		panel := dst[ir*kc : (ir+mr)*kc]
		rows := min(mr, mc-ir)
		if trans { // op(A)[i, p] = a[p·lda + i]: rows of a are columns of the panel
			for p := 0; p < kc; p++ {
				src := a[(pc+p)*lda+ic+ir:]
				col := panel[p*mr : p*mr+mr]
				copy(col, src[:rows])
				clear(col[rows:])
			}
			continue
		}
		for i := 0; i < rows; i++ {
			src := a[(ic+ir+i)*lda+pc:]
			src = src[:kc]
			for p, v := range src {
				panel[p*mr+i] = v
			}
		}
		for i := rows; i < mr; i++ {
			for p := 0; p < kc; p++ {
				panel[p*mr+i] = 0
			}
		}
	}
}

// packB copies op(B)[pc:pc+kc, jc:jc+nc] into dst as micro-panels of nr
// columns: panel q holds columns q·nr… stored row by row (kc rows of nr
// values), with columns past nc set to zero.
func packB[T Float](dst []T, trans bool, b []T, ldb, pc, jc, kc, nc, nr int) {
	for jr := 0; jr < nc; jr += nr {
		panel := dst[jr*kc : (jr+nr)*kc]
		cols := min(nr, nc-jr)
		if !trans { // rows of b are rows of the panel
			for p := 0; p < kc; p++ {
				src := b[(pc+p)*ldb+jc+jr:]
				row := panel[p*nr : p*nr+nr]
				copy(row, src[:cols])
				clear(row[cols:])
			}
			continue
		}
		// op(B)[p, j] = b[j·ldb + p]: rows of b are columns of the panel.
		for j := 0; j < cols; j++ {
			src := b[(jc+jr+j)*ldb+pc:]
			src = src[:kc]
			for p, v := range src {
				panel[p*nr+j] = v
			}
		}
		for j := cols; j < nr; j++ {
			for p := 0; p < kc; p++ {
				panel[p*nr+j] = 0
			}
		}
	}
}
