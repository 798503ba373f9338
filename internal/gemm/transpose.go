package gemm

// transposer is a fast transpose of a band of rows, for packing: fn sets
// dst[q·ldd + r] = src[r·lds + q] for r < rows and q < n, where n is a
// multiple of cols, a power of two. fn does not check bounds; transpose
// does.
type transposer[T Float] struct {
	rows, cols int
	fn         func(n int, src []T, lds int, dst []T, ldd int)
}

// transpose sets dst[q·ldd + r] = src[r·lds + q] for r < rows and q < n:
// rows rows of src become n rows of dst, as packing an operand that is
// stored transposed needs. Bands of rows go through the first of kern.trs
// that fits them, for the leading multiple of its cols, and the rest
// through transposeLoop, so every kernel moves the same values.
func (kern *kernel[T]) transpose(rows, n int, src []T, lds int, dst []T, ldd int) {
	r := 0
	for _, t := range kern.trs {
		q := n &^ (t.cols - 1) // not n / t.cols * t.cols: a division costs as much as packing a few values
		for ; q > 0 && r+t.rows <= rows; r += t.rows {
			s, d := src[r*lds:], dst[r:]
			_ = s[(t.rows-1)*lds+q-1] // what fn reads and writes
			_ = d[(q-1)*ldd+t.rows-1]
			t.fn(q, s, lds, d, ldd)
			for p := q; p < n; p++ { // fewer than t.cols columns left
				dp := d[p*ldd:][:t.rows]
				for i := range dp {
					dp[i] = s[i*lds+p]
				}
			}
		}
	}
	if r < rows {
		transposeLoop(rows-r, 0, n, src[r*lds:], lds, dst[r:], ldd)
	}
}

// transposeLoop sets dst[q·ldd + r] = src[r·lds + q] for r < rows and
// q0 ≤ q < n: four rows at a time, so each step writes four adjacent values
// of dst, then one.
func transposeLoop[T Float](rows, q0, n int, src []T, lds int, dst []T, ldd int) {
	if q0 >= n {
		return
	}
	r := 0
	for ; r+4 <= rows; r += 4 {
		transpose4Loop(q0, n, src[r*lds:], lds, dst[r:], ldd)
	}
	for ; r < rows; r++ {
		for q, v := range src[r*lds:][q0:n] {
			dst[(q0+q)*ldd+r] = v
		}
	}
}

// transpose4Loop is transposeLoop's step for four rows, not inlined so that
// its loop keeps everything in registers (inlined in transposeLoop it
// spills, and packing for the Go kernel takes 1.2–1.8 times as long).
//
//go:noinline
func transpose4Loop[T Float](q0, n int, src []T, lds int, dst []T, ldd int) {
	s0 := src[q0:n]
	s1, s2, s3 := src[lds+q0:][:len(s0)], src[2*lds+q0:][:len(s0)], src[3*lds+q0:][:len(s0)]
	dst = dst[q0*ldd:]
	for q, v := range s0 {
		d := (*[4]T)(dst[q*ldd:])
		d[0], d[1], d[2], d[3] = v, s1[q], s2[q], s3[q]
	}
}
