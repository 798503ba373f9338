package gemm

// transposer is a fast transpose of a band of rows, for packing: fn sets
// dst[q·ldd + r] = src[r·lds + q] for r < rows and q < n, where n is a
// multiple of cols. fn does not check bounds; transpose does.
type transposer[T Float] struct {
	rows, cols int
	fn         func(n int, src []T, lds int, dst []T, ldd int)
}

// transpose sets dst[q·ldd + r] = src[r·lds + q] for r < rows and q < n:
// rows rows of src become n rows of dst, as packing an operand that is
// stored transposed needs. Bands of rows go through the first of kern.trs
// that fits them, for the leading multiple of its cols, and the rest
// through plain loops, so every kernel moves the same values.
func (kern *kernel[T]) transpose(rows, n int, src []T, lds int, dst []T, ldd int) {
	r := 0
	for _, t := range kern.trs {
		q := n / t.cols * t.cols
		for ; q > 0 && r+t.rows <= rows; r += t.rows {
			s, d := src[r*lds:], dst[r:]
			_ = s[(t.rows-1)*lds+q-1] // what fn reads and writes
			_ = d[(q-1)*ldd+t.rows-1]
			t.fn(q, s, lds, d, ldd)
			for p := q; p < n; p++ {
				for i := range t.rows {
					d[p*ldd+i] = s[i*lds+p]
				}
			}
		}
	}
	for ; r < rows; r++ {
		for p, v := range src[r*lds:][:n] {
			dst[p*ldd+r] = v
		}
	}
}
