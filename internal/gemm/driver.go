package gemm

import (
	"runtime"
	"sync/atomic"
	"unsafe"

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
	// fn sets the first rows×cols of the mr×nr tile at c (element (i, j)
	// at c[i·ldc + j·cs]) to alpha·acc + beta·c (alpha·acc if beta == 0),
	// where acc = Σₚ a[p·as:][:mr]ᵀ·b[p·bs:][:nr] over p < k, each element
	// one chain of fused multiply-adds in the order of p (the same in every
	// kernel, so an element does not depend on the kernel or the tile it
	// falls in): a is a packed micro-panel of A (as = mr) or a transposed
	// A itself (as = lda); b is a packed micro-panel of B (bs = nr) or B
	// itself (bs = ldb). Unless general, fn ignores cs, rows and cols and
	// sets the whole tile of a row-major C (cs = 1).
	fn      func(k int, a []T, as int, b []T, bs int, c []T, ldc, cs, rows, cols int, alpha, beta T)
	general bool
	// fnRowA, if not nil, is fn for a row-major A read in place: row i of
	// the micro-panel at a[i·as:] (as = lda).
	fnRowA func(k int, a []T, as int, b []T, bs int, c []T, ldc, cs, rows, cols int, alpha, beta T)
	// narrow, if not nil, is a kernel with fewer columns (and the same kc,
	// so that it sums in the same order), for products with few columns.
	narrow *kernel[T]
	// directRows: B is read in place, not packed, when it is row-major
	// and op(A) has at most this many rows. Packing B costs about as much
	// as reading it a few times; below that reuse, reading it in place is
	// cheaper.
	directRows int
	// trs are fast transposes for packing operands that have to be
	// transposed, most rows first (see transpose).
	trs []transposer[T]
}

// workspace holds one goroutine's packing buffers.
type workspace[T Float] struct {
	a, b, tile []T
}

// getWorkspace returns a workspace with buffers large enough for kern, from
// the free list if one is idle; give it back with putWorkspace.
func getWorkspace[T Float](kern *kernel[T]) *workspace[T] {
	w, ok := listOf[workspace[T]](freeWorkspaces32, freeWorkspaces64).get()
	if !ok {
		w = new(workspace[T])
	}
	if n := kern.mc * kern.kc; len(w.a) < n {
		w.a = make([]T, n)
	}
	if n := kern.kc * kern.nc; len(w.b) < n {
		w.b = make([]T, n)
	}
	if n := kern.mr * kern.nr; len(w.tile) < n { // also enough for kern.narrow
		w.tile = make([]T, n)
	}
	return w
}

// putWorkspace puts w back on the free list.
func putWorkspace[T Float](w *workspace[T]) {
	listOf[workspace[T]](freeWorkspaces32, freeWorkspaces64).put(w)
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
	rs, cs := ldc, 1 // element (i, j) of the product is c[i·rs + j·cs]
	kern, swap := orient(kern, transA, transB, m, n, k)
	if swap {
		m, n = n, m
		a, lda, transA, b, ldb, transB = b, ldb, !transB, a, lda, !transA
		rs, cs = 1, ldc
	}
	flops := 2 * float64(m) * float64(n) * float64(k)
	if flops < 2*ParallelFlops { // before asking for GOMAXPROCS, which takes a lock
		serial(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, rs, cs)
		return
	}
	p := min(runtime.GOMAXPROCS(0), int(flops/ParallelFlops), max(m/kern.mr, n/kern.nr))
	if p <= 1 {
		serial(kern, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, rs, cs)
		return
	}
	parallel(kern, p, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, rs, cs)
}

// orient chooses how to compute a product of m×n×k: with kern or its
// narrow kernel, and as C = op(A)·op(B) or, with swap, as
// Cᵀ = op(B)ᵀ·op(A)ᵀ, whose rows are C's columns (stored through scatters
// or the scratch tile). Tiles past the edges of C are computed whole, so a
// C with few columns (n = 10 against nr = 32) wastes most of the work;
// packing an operand that the kernels cannot read in place costs as much as
// several multiply-adds per element, and storing a tile transposed more.
// orient takes the way of least estimated cost, in multiply-adds of one
// vector lane: the padded product, plus packCost per element packed (half
// that for a copy that does not transpose), plus 6·packCost per element of
// C stored transposed, once per block of kc. These weights and the limits
// of the narrow kernel were measured on Zen 4 (AVX-512) with the products
// of an MLP training step and squares up to 1024: each choice it makes
// there is the fastest or within 3% of it.
func orient[T Float](kern *kernel[T], transA, transB bool, m, n, k int) (*kernel[T], bool) {
	if m*n*k < 4096 { // the call costs more than any way of computing it
		return kern, false
	}
	var zero T
	packCost := 32 / int(unsafe.Sizeof(zero)) // 8 for float32, 4 for float64
	cost := func(kn *kernel[T], transA, transB bool, m, n int) int {
		c := padded(m, kn.mr) * padded(n, kn.nr) * k
		if !transA && !(kn.fnRowA != nil && n <= kn.nr) {
			c += packCost * m * k
		}
		switch {
		case transB:
			c += packCost * k * n
		case m > kn.directRows:
			c += packCost / 2 * k * n
		}
		return c
	}
	wide := kern
	best, swap := cost(kern, transA, transB, m, n), false
	choose := func(kn *kernel[T], sw bool) {
		c := 0
		if sw {
			c = cost(kn, !transB, !transA, n, m) + 6*packCost*m*n*((k+kn.kc-1)/kn.kc)
		} else {
			c = cost(kn, transA, transB, m, n)
		}
		if c < best {
			kern, best, swap = kn, c, sw
		}
	}
	// The narrow kernel is as fast as the wide one per multiply-add up to
	// 512×512 products (slower at 1024×1024: 28 against 22 ms), and when
	// one of its tiles spans all of C's columns.
	if kn := wide.narrow; kn != nil {
		if n <= kn.nr || m*n <= 512*512 {
			choose(kn, false)
		}
		if m <= kn.nr || m*n <= 512*512 {
			choose(kn, true)
		}
	}
	choose(wide, true)
	return kern, swap
}

// padded rounds n up to a multiple of tile.
func padded(n, tile int) int { return (n + tile - 1) / tile * tile }

// parallel runs serial on chunks of C, on the calling goroutine and p−1
// helpers (internal/workers). The chunks are bands of rows or of columns of C,
// whichever copies less: every band packs its own copy of the operand the
// bands share (all of op(B) for row bands, unless B is read in place; all
// of op(A) for column bands). The chunks (4p for products of up to p·10⁸
// flops, p above, and p row bands that pack op(B)) are taken in turn by
// whichever goroutine is free, so a helper that starts late, or is busy
// with another product, delays little: the others take its chunks. The
// shared state is a pooled product, so a parallel product allocates
// nothing.
func parallel[T Float](kern *kernel[T], p int, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, rs, cs int) {
	// Four chunks per goroutine while a goroutine's share is under about a
	// millisecond (10⁸ flops), so a helper that starts up to 0.3 ms late
	// costs little; one per goroutine above, which packs fewer copies.
	perG := 4
	if 2*float64(m)*float64(n)*float64(k)/float64(p) >= 1e8 {
		perG = 1
	}
	chunks := func(long, tile, per int) (size, count int) {
		count = min(per*p, (long+tile-1)/tile)
		size = padded((long+count-1)/count, tile)
		return size, (long + size - 1) / size
	}
	rowSize, rowCount := chunks(m, kern.mr, perG)
	colSize, colCount := chunks(n, kern.nr, perG)
	copyRows := 0.0
	if transB || rowSize > kern.directRows {
		// Every row band packs all of op(B): one band per goroutine, as
		// each more packs it once more (64×128×784 with B transposed, on
		// 2 goroutines: 6–14% faster than 4 bands).
		rowSize, rowCount = chunks(m, kern.mr, 1)
		copyRows = float64(rowCount-1) * float64(k) * float64(n)
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
	listOf[product[T]](freeProducts32, freeProducts64).put(pr)
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
	if pr, ok := listOf[product[T]](freeProducts32, freeProducts64).get(); ok {
		return pr
	}
	return new(product[T])
}

// freeList is a bounded list of idle objects kept for reuse: one in an
// atomic slot, taken and given back without a lock (a goroutine that
// multiplies again and again, as a training loop does, finds its workspace
// there), up to 16 more in a channel. Not a sync.Pool: a pool hands an item
// put by another goroutine's processor only after a detour that often
// misses it (products are mostly let go by helpers and taken again by
// callers), and it empties at garbage collections, when a workspace costs
// megabytes to make again. A nil list is always empty and always full.
type freeList[E any] struct {
	one  atomic.Pointer[E]
	more chan *E
}

func newFreeList[E any]() *freeList[E] { return &freeList[E]{more: make(chan *E, 16)} }

// get returns an idle object, if there is one.
func (l *freeList[E]) get() (*E, bool) {
	if l == nil {
		return nil, false
	}
	if x := l.one.Swap(nil); x != nil {
		return x, true
	}
	select {
	case x := <-l.more:
		return x, true
	default:
		return nil, false
	}
}

// put keeps x for reuse, unless the list is full.
func (l *freeList[E]) put(x *E) {
	if l == nil || l.one.CompareAndSwap(nil, x) {
		return
	}
	select {
	case l.more <- x:
	default: // full: let the collector have it
	}
}

// The free lists, by element type.
var (
	freeProducts32   = newFreeList[product[float32]]()
	freeProducts64   = newFreeList[product[float64]]()
	freeWorkspaces32 = newFreeList[workspace[float32]]()
	freeWorkspaces64 = newFreeList[workspace[float64]]()
)

// listOf returns whichever of the lists l32 and l64 holds E, or nil when
// neither does (a named float type).
func listOf[E any](l32, l64 any) *freeList[E] {
	if l, ok := l32.(*freeList[E]); ok {
		return l
	}
	l, _ := l64.(*freeList[E])
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
	// A transposed holds the columns of A's micro-panels mr values apart:
	// read in place, whole panels need no packing. A row-major is read in
	// place by kern.fnRowA when one panel of B is all it meets, as packing
	// it would then cost more than the product. B row-major holds the rows
	// of B's micro-panels: read in place when few panels of A use it.
	// Partial panels are packed, as their padding has to be zero.
	rowA := !transA && kern.fnRowA != nil && n <= nr
	directA := transA || rowA
	directB := !transB && m <= kern.directRows
	for ic := 0; ic < m; ic += kern.mc {
		mc := min(kern.mc, m-ic)
		wholeA := mc / mr * mr // rows in whole panels
		for pc := 0; pc < k; pc += kern.kc {
			kc := min(kern.kc, k-pc)
			betaPC := beta
			if pc > 0 {
				betaPC = 1
			}
			if directA {
				packA(kern, w.a, transA, a, lda, ic+wholeA, pc, mc-wholeA, kc)
			} else {
				packA(kern, w.a, transA, a, lda, ic, pc, mc, kc)
			}
			for jc := 0; jc < n; jc += kern.nc {
				nc := min(kern.nc, n-jc)
				wholeB := nc / nr * nr // columns in whole panels
				if directB {
					packB(kern, w.b, false, b, ldb, pc, jc+wholeB, kc, nc-wholeB)
				} else {
					packB(kern, w.b, transB, b, ldb, pc, jc, kc, nc)
				}
				for ir := 0; ir < mc; ir += mr {
					ap, as, fn := w.a[ir*kc:(ir+mr)*kc], mr, kern.fn
					switch {
					case directA && ir >= wholeA: // the packed partial panel
						ap = w.a[:mr*kc]
					case transA:
						ap, as = a[pc*lda+ic+ir:], lda
					case rowA:
						ap, as, fn = a[(ic+ir)*lda+pc:], lda, kern.fnRowA
					}
					rows := min(mr, mc-ir)
					for jr := 0; jr < nc; jr += nr {
						bp, bs := w.b[jr*kc:(jr+nr)*kc], nr
						if directB {
							bp = w.b[:nr*kc]
							if jr < wholeB {
								bp, bs = b[pc*ldb+jc+jr:], ldb
							}
						}
						cols := min(nr, nc-jr)
						ci := (ic+ir)*rs + (jc+jr)*cs
						if kern.general && nr*cs < 1<<31 || cs == 1 && rows == mr && cols == nr {
							// (Scatters take 32-bit offsets.)
							fn(kc, ap, as, bp, bs, c[ci:], rs, cs, rows, cols, alpha, betaPC)
							continue
						}
						fn(kc, ap, as, bp, bs, tile, nr, 1, mr, nr, 1, 0)
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
						copy(col, src)
					}
				}
			}
		}
		return
	}
	for ir := 0; ir < mc; ir += mr {
		panel := dst[ir*kc : (ir+mr)*kc]
		rows := min(mr, mc-ir)
		if rows < mr { // zero the padding at once, not mr-rows strided values a step
			clear(panel)
		}
		// op(A)[i, p] = a[i·lda + p]: rows of a are rows of the panel.
		kern.transpose(rows, kc, a[(ic+ir)*lda+pc:], lda, panel, mr)
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
		if cols < nr { // zero the padding at once, not a few values a step
			clear(panel)
		}
		// op(B)[p, j] = b[j·ldb + p]: rows of b are columns of the panel.
		kern.transpose(cols, kc, b[(jc+jr)*ldb+pc:], ldb, panel, nr)
	}
}
