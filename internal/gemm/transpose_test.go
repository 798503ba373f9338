package gemm

import (
	"fmt"
	"math"
	"testing"
)

// TestTranspose checks kernel.transpose, with each kernel's transposes
// together and each on its own, against the plain loop: every rows and n in
// 1…40, with strides larger than the rows and columns, so it must read only
// its block of src and write only its block of dst, and leave the rest of
// dst alone.
func TestTranspose(t *testing.T) {
	t.Run("float32", func(t *testing.T) { testTranspose(t, withNarrow(kernels32)) })
	t.Run("float64", func(t *testing.T) { testTranspose(t, withNarrow(kernels64)) })
}

func testTranspose[T Float](t *testing.T, kernels []*kernel[T]) {
	var cases []*kernel[T]
	for _, kern := range kernels {
		cases = append(cases, kern)
		for _, tr := range kern.trs {
			cases = append(cases, &kernel[T]{name: fmt.Sprintf("%s/%dx%d", kern.name, tr.rows, tr.cols), trs: []transposer[T]{tr}})
		}
	}
	nan := T(math.NaN())
	for _, kern := range cases {
		for rows := 1; rows <= 40; rows++ {
			for n := 1; n <= 40; n++ {
				lds, ldd := n+rows%3, rows+1+n%5
				src := make([]T, rows*lds)
				for i := range src {
					src[i] = T(i + 1)
				}
				dst := make([]T, n*ldd+7)
				for i := range dst {
					dst[i] = nan
				}
				kern.transpose(rows, n, src, lds, dst, ldd)
				for i, v := range dst {
					q, r := i/ldd, i%ldd
					want := nan
					if q < n && r < rows {
						want = src[r*lds+q]
					}
					if v != want && !(v != v && want != want) {
						t.Fatalf("%s rows=%d n=%d lds=%d ldd=%d: dst[%d·ldd+%d] = %v, want %v", kern.name, rows, n, lds, ldd, q, r, v, want)
					}
				}
			}
		}
	}
}
