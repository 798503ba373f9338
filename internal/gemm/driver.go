package gemm

import (
	"runtime"

	"github.com/nabla-go/nabla/internal/workers"
)

// ParallelFlops is the least work, in floating-point operations (2·m·n·k),
// per goroutine when a product is split: products of 2·ParallelFlops or more
// run on min(GOMAXPROCS, 2·m·n·k / ParallelFlops) goroutines. At 100 GFLOP/s
// that is at least 10 µs each, against well under 1 µs to hand a chunk to a
// spinning helper (internal/workers); a parked helper that wakes late costs
// nothing, as the caller takes its chunks. Smaller products run on the
// calling goroutine and never pay for synchronisation. Measured on Zen 4
// with 2 vCPUs, float32: 128³ (4.2 MFLOP) at 140–165 GFLOP/s against 93 on
// one goroutine; 64×784×128 at 141–149 against 86.
const ParallelFlops = 1 << 20

// kernel is a micro-kernel and the blocking that suits it.
type kernel[T Float] struct {
	name   string
	mr, nr int // tile of C computed by fn
	// kc: depth of a packed block; mc, nc: rows of the A block and columns
	// of the B block (multiples of mr and nr).
	mc, kc, nc int
	// fn sets the mr×nr tile at c (row stride ldc) to alpha·acc + beta·c
	// (alpha·acc if beta == 0), where acc = Σₚ a[p·mr:][:mr]ᵀ·b[p·bs:][:nr]
	// over p < k: a is a packed micro-panel of A; b is a packed micro-panel
	// of B (bs = nr) or B itself (bs = ldb).
	fn func(k int, a, b []T, bs int, c []T, ldc int, alpha, beta T)
	// directRows: B is read in place, not packed, when it is row-major
	// and op(A) has at most this many rows. Packing B costs about as much
	// as reading it a few times; below that reuse, reading it in place is
	// cheaper.
	directRows int
	// tr, if not nil, is a fast transpose4 (see there) for n a multiple
	// of trN; packing uses it for operands it has to transpose.
	tr  func(n int, src []T, lds int, dst []T, ldd int)
	trN int
}

// workspace holds one goroutine's packing buffers.
type workspace[T Float] struct {
	a, b, tile []T
}

// getWorkspace returns a workspace with buffers large enough for kern, from
// the free list if one is idle; give it back with putWorkspace.
func getWorkspace[T Float](kern *kernel[T]) *workspace[T] {
	w, ok := listOf[*workspace[T]](freeWorkspaces32, freeWorkspaces64).get()
	if !ok {
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
	return w
}

// putWorkspace puts w back on the free list.
func putWorkspace[T Float](w *workspace[T]) {
	listOf[*workspace[T]](freeWorkspaces32, freeWorkspaces64).put(w)
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
	// Tiles past the edges of C are computed whole, so a C with few columns
	// (n = 10 against nr = 32) wastes most of the work. Then compute
	// Cᵀ = op(B)ᵀ·op(A)ᵀ instead, whose rows are C's columns, if that wastes
	// much less; its tiles are merged into C through the scratch tile, so it
	// has to save more than that merge costs.
	rs, cs := ldc, 1 // element (i, j) of the product is c[i·rs + j·cs]
	if 4*padded(n, kern.mr)*padded(m, kern.nr) < 3*padded(m, kern.mr)*padded(n, kern.nr) {
		m, n = n, m
		a, lda, transA, b, ldb, transB = b, ldb, !transB, a, lda, !transA
		rs, cs = 1, ldc
	}
	flops := 2 * float64(m) * float64(n) * float64(k)
	p := min(runtime.GOMAXPROCS(0), int(flops/ParallelFlops), max(m/kern.mr, n/kern.nr))
	if p <= 1 {
		serial(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, rs, cs)
		return
	}
	parallel(kern, p, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, rs, cs)
}

// padded rounds n up to a multiple of tile.
func padded(n, tile int) int { return (n + tile - 1) / tile * tile }

// parallel runs serial on chunks of C, on the calling goroutine and p−1
// helpers (internal/workers). The chunks are bands of rows or of columns of C,
// whichever copies less: every band packs its own copy of the operand the
// bands share (all of op(B) for row bands, unless B is read in place; all
// of op(A) for column bands). The chunks (4p for products of up to p·10⁸
// flops, p above) are taken in turn by whichever goroutine is free, so a
// helper that starts late, or is busy with another product, delays
// little: the others take its chunks. The shared state is a pooled
// product, so a parallel product allocates nothing.
func parallel[T Float](kern *kernel[T], p int, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, rs, cs int) {
	// Four chunks per goroutine while a goroutine's share is under about a
	// millisecond (10⁸ flops), so a helper that starts up to 0.3 ms late
	// costs little; one per goroutine above, which packs fewer copies.
	perG := 4
	if 2*float64(m)*float64(n)*float64(k)/float64(p) >= 1e8 {
		perG = 1
	}
	chunks := func(long, tile int) (size, count int) {
		count = min(perG*p, (long+tile-1)/tile)
		size = padded((long+count-1)/count, tile)
		return size, (long + size - 1) / size
	}
	rowSize, rowCount := chunks(m, kern.mr)
	colSize, colCount := chunks(n, kern.nr)
	copyRows := float64(rowCount-1) * float64(k) * float64(n) // op(B) per row band
	if !transB && rowSize <= kern.directRows {
		copyRows = 0
	}
	copyCols := float64(colCount-1) * float64(m) * float64(k) // op(A) per column band
	pr := getProduct[T]()
	pr.args = args[T]{kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, rs, cs}
	pr.byRows = rowCount > 1 && (copyRows <= copyCols || colCount == 1)
	pr.size, pr.count = colSize, colCount
	if pr.byRows {
		pr.size, pr.count = rowSize, rowCount
	}
	workers.Do(p, pr.count, pr)
	pr.args = args[T]{}
	listOf[*product[T]](freeProducts32, freeProducts64).put(pr)
}

// args are the operands of one product, as serial takes them.
type args[T Float] struct {
	kern           *kernel[T]
	transA, transB bool
	m, n, k        int
	alpha          T
	a              []T
	lda            int
	b              []T
	ldb            int
	beta           T
	c              []T
	rs, cs         int
}

// product is one parallel product: its operands and how C is cut into
// chunks, run by workers.Do. Products are pooled: after Do returns no
// goroutine touches one.
type product[T Float] struct {
	args[T]          // the operands
	byRows      bool // bands of rows (else of columns)
	size, count int  // rows or columns per band, and bands
}

// Chunk computes band i of C.
func (pr *product[T]) Chunk(i int) {
	g := &pr.args
	lo := i * pr.size
	if pr.byRows { // rows lo:lo+size of op(A) and C
		rows := min(pr.size, g.m-lo)
		aOff := lo * g.lda
		if g.transA {
			aOff = lo
		}
		serial(g.kern, g.transA, g.transB, rows, g.n, g.k, g.alpha, g.a[aOff:], g.lda, g.b, g.ldb, g.beta, g.c[lo*g.rs:], g.rs, g.cs)
	} else { // columns lo:lo+size of op(B) and C
		cols := min(pr.size, g.n-lo)
		bOff := lo
		if g.transB {
			bOff = lo * g.ldb
		}
		serial(g.kern, g.transA, g.transB, g.m, cols, g.k, g.alpha, g.a, g.lda, g.b[bOff:], g.ldb, g.beta, g.c[lo*g.cs:], g.rs, g.cs)
	}
}

// getProduct returns an idle product from the free list, or a new one.
func getProduct[T Float]() *product[T] {
	if pr, ok := listOf[*product[T]](freeProducts32, freeProducts64).get(); ok {
		return pr
	}
	return new(product[T])
}

// freeList is a bounded list of idle objects kept for reuse. It is a
// channel, not a sync.Pool: a pool hands an item put by another
// goroutine's processor only after a detour that often misses it (products
// are mostly let go by helpers and taken again by callers), and it empties
// at garbage collections, when a workspace costs megabytes to make again.
type freeList[X any] chan X

// get returns an idle object, if there is one.
func (l freeList[X]) get() (x X, ok bool) {
	select {
	case x = <-l:
		return x, true
	default:
		return x, false
	}
}

// put keeps x for reuse, unless the list is full.
func (l freeList[X]) put(x X) {
	select {
	case l <- x:
	default: // full: let the collector have it
	}
}

// The free lists, by element type.
var (
	freeProducts32   = make(freeList[*product[float32]], 16)
	freeProducts64   = make(freeList[*product[float64]], 16)
	freeWorkspaces32 = make(freeList[*workspace[float32]], 16)
	freeWorkspaces64 = make(freeList[*workspace[float64]], 16)
)

// listOf returns whichever of the lists l32 and l64 holds X, or nil — a
// list that is always empty and always full — when neither does (a named
// float type).
func listOf[X any](l32, l64 any) freeList[X] {
	if l, ok := l32.(freeList[X]); ok {
		return l
	}
	l, _ := l64.(freeList[X])
	return l
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
// Element (i, j) of C is c[i·rs + j·cs]. With cs = 1 (C row-major) whole
// tiles are written by the kernel; otherwise (C stored transposed, see gemm)
// and at the edges, the kernel writes the scratch tile, which is merged.
func serial[T Float](kern *kernel[T], transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, rs, cs int) {
	w := getWorkspace(kern)
	defer putWorkspace(w)
	mr, nr := kern.mr, kern.nr
	tile := w.tile[:mr*nr]
	direct := !transB && m <= kern.directRows
	for ic := 0; ic < m; ic += kern.mc {
		mc := min(kern.mc, m-ic)
		for pc := 0; pc < k; pc += kern.kc {
			kc := min(kern.kc, k-pc)
			betaPC := beta
			if pc > 0 {
				betaPC = 1
			}
			packA(kern, w.a, transA, a, lda, ic, pc, mc, kc)
			for jc := 0; jc < n; jc += kern.nc {
				nc := min(kern.nc, n-jc)
				whole := nc / nr * nr // columns in whole panels
				if direct {
					// Pack only the partial panel at the edge.
					packB(kern, w.b, false, b, ldb, pc, jc+whole, kc, nc-whole)
				} else {
					packB(kern, w.b, transB, b, ldb, pc, jc, kc, nc)
				}
				for ir := 0; ir < mc; ir += mr {
					ap := w.a[ir*kc : (ir+mr)*kc]
					rows := min(mr, mc-ir)
					for jr := 0; jr < nc; jr += nr {
						bp, bs := w.b[jr*kc:(jr+nr)*kc], nr
						cols := min(nr, nc-jr)
						if direct {
							bp = w.b[:nr*kc]
							if jr < whole {
								bp, bs = b[pc*ldb+jc+jr:], ldb
							}
						}
						ci := (ic+ir)*rs + (jc+jr)*cs
						if rows == mr && cols == nr && cs == 1 {
							kern.fn(kc, ap, bp, bs, c[ci:], rs, alpha, betaPC)
							continue
						}
						kern.fn(kc, ap, bp, bs, tile, nr, 1, 0)
						merge(rows, cols, alpha, tile, nr, betaPC, c[ci:], rs, cs)
					}
				}
			}
		}
	}
}

// merge sets the rows×cols block of C at c (element (i, j) at c[i·rs+j·cs])
// to alpha·tile + beta·C, or alpha·tile if beta == 0. It walks C in memory
// order: by rows if C is row-major (cs = 1), by columns if it is stored
// transposed (rs = 1).
func merge[T Float](rows, cols int, alpha T, tile []T, ldt int, beta T, c []T, rs, cs int) {
	if rs == 1 && cs != 1 {
		// C is stored transposed: column j of the block is contiguous in c.
		for j := 0; j < cols; j++ {
			ccol := c[j*cs : j*cs+rows]
			if beta == 0 {
				for i := range ccol {
					ccol[i] = alpha * tile[i*ldt+j]
				}
			} else {
				for i := range ccol {
					ccol[i] = alpha*tile[i*ldt+j] + beta*ccol[i]
				}
			}
		}
		return
	}
	for i := 0; i < rows; i++ {
		trow := tile[i*ldt : i*ldt+cols]
		if beta == 0 {
			for j, t := range trow {
				c[i*rs+j*cs] = alpha * t
			}
		} else {
			for j, t := range trow {
				c[i*rs+j*cs] = alpha*t + beta*c[i*rs+j*cs]
			}
		}
	}
}

// packA copies op(A)[ic:ic+mc, pc:pc+kc] into dst as micro-panels of mr
// rows: panel q holds rows q·mr… stored column by column (kc columns of mr
// values), with rows past mc set to zero.
func packA[T Float](kern *kernel[T], dst []T, trans bool, a []T, lda, ic, pc, mc, kc int) {
	mr := kern.mr
	if trans {
		// op(A)[i, p] = a[p·lda + i]: a row of a holds column p of every
		// panel. Eight rows of a at a time, and for each panel the eight
		// columns it takes from them: few enough cache lines at once that
		// they stay in L1 even when lda is a power of two.
		if last := mc / mr * mr; last < mc { // zero the padding of a partial last panel
			clear(dst[last*kc : (last+mr)*kc])
		}
		for p0 := 0; p0 < kc; p0 += 8 {
			pn := min(8, kc-p0)
			for ir := 0; ir < mc; ir += mr {
				rows := min(mr, mc-ir)
				for p := p0; p < p0+pn; p++ {
					src := a[(pc+p)*lda+ic+ir:][:rows]
					col := dst[ir*kc+p*mr:][:rows]
					switch {
					case rows == 12: // block moves beat copy's call on a few values
						*(*[12]T)(col) = *(*[12]T)(src)
					case rows == 6:
						*(*[6]T)(col) = *(*[6]T)(src)
					default:
						for i, v := range src {
							col[i] = v
						}
					}
				}
			}
		}
		return
	}
	for ir := 0; ir < mc; ir += mr {
		panel := dst[ir*kc : (ir+mr)*kc]
		rows := min(mr, mc-ir)
		// op(A)[i, p] = a[i·lda + p]: rows of a are rows of the panel.
		base := (ic+ir)*lda + pc
		i := 0
		for ; i+4 <= rows; i += 4 {
			kern.transpose4(kc, a[base+i*lda:], lda, panel[i:], mr)
		}
		for ; i < rows; i++ {
			for p, v := range a[base+i*lda:][:kc] {
				panel[p*mr+i] = v
			}
		}
		for ; i < mr; i++ {
			for p := 0; p < kc; p++ {
				panel[p*mr+i] = 0
			}
		}
	}
}

// packB copies op(B)[pc:pc+kc, jc:jc+nc] into dst as micro-panels of nr
// columns: panel q holds columns q·nr… stored row by row (kc rows of nr
// values), with columns past nc set to zero.
func packB[T Float](kern *kernel[T], dst []T, trans bool, b []T, ldb, pc, jc, kc, nc int) {
	nr := kern.nr
	if !trans {
		// A row of b holds row p of every panel. Row by row, so b is read
		// in order whatever ldb is.
		if last := nc / nr * nr; last < nc { // zero the padding of a partial last panel
			clear(dst[last*kc : (last+nr)*kc])
		}
		for p := 0; p < kc; p++ {
			src := b[(pc+p)*ldb+jc:][:nc]
			for jr := 0; jr < nc; jr += nr {
				row := dst[jr*kc+p*nr:][:min(nr, nc-jr)]
				part := src[jr : jr+len(row)]
				switch len(row) { // block moves beat copy's call on a few values
				case 32:
					*(*[32]T)(row) = *(*[32]T)(part)
				case 16:
					*(*[16]T)(row) = *(*[16]T)(part)
				case 8:
					*(*[8]T)(row) = *(*[8]T)(part)
				default:
					copy(row, part)
				}
			}
		}
		return
	}
	for jr := 0; jr < nc; jr += nr {
		panel := dst[jr*kc : (jr+nr)*kc]
		cols := min(nr, nc-jr)
		// op(B)[p, j] = b[j·ldb + p]: rows of b are columns of the panel.
		base := (jc+jr)*ldb + pc
		j := 0
		for ; j+4 <= cols; j += 4 {
			kern.transpose4(kc, b[base+j*ldb:], ldb, panel[j:], nr)
		}
		for ; j < cols; j++ {
			for p, v := range b[base+j*ldb:][:kc] {
				panel[p*nr+j] = v
			}
		}
		for p := 0; p < kc && cols < nr; p++ {
			clear(panel[p*nr+cols : p*nr+nr])
		}
	}
}

// transpose4 sets dst[q·ldd + r] = src[r·lds + q] for r < 4 and q < n:
// four rows of src become n rows of four values in dst. It uses kern.tr,
// if there is one, for the leading multiple of kern.trN.
func (kern *kernel[T]) transpose4(n int, src []T, lds int, dst []T, ldd int) {
	q := 0
	if kern.tr != nil {
		q = n / kern.trN * kern.trN
		if q > 0 {
			_ = src[3*lds+q-1]
			_ = dst[(q-1)*ldd+3]
			kern.tr(q, src, lds, dst, ldd)
		}
	}
	for ; q < n; q++ {
		d := (*[4]T)(dst[q*ldd:])
		d[0], d[1], d[2], d[3] = src[q], src[lds+q], src[2*lds+q], src[3*lds+q]
	}
}
