//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

//go:generate go run gen_kernels.go
//go:generate go run gen_transpose.go

// The assembly micro-kernels (kernels_amd64.s); see kernel.fn for what they
// compute. They read k columns of mr values of A, as apart, and k rows of
// nr values of B, bs apart, and write the tile at c: its first rows×cols
// (AVX-512, with masked stores, or scatters if cs ≠ 1), or the whole mr×nr
// tile (AVX2, which ignore cs, rows and cols). The …RowA variants read the
// mr rows of a row-major A, as apart.

//go:noescape
func sgemmKernelAVX512(k int, a []float32, as int, b []float32, bs int, c []float32, ldc, cs, rows, cols int, alpha, beta float32)

//go:noescape
func sgemmKernelAVX512RowA(k int, a []float32, as int, b []float32, bs int, c []float32, ldc, cs, rows, cols int, alpha, beta float32)

//go:noescape
func sgemmKernelAVX512x16(k int, a []float32, as int, b []float32, bs int, c []float32, ldc, cs, rows, cols int, alpha, beta float32)

//go:noescape
func sgemmKernelAVX512x16RowA(k int, a []float32, as int, b []float32, bs int, c []float32, ldc, cs, rows, cols int, alpha, beta float32)

//go:noescape
func dgemmKernelAVX512(k int, a []float64, as int, b []float64, bs int, c []float64, ldc, cs, rows, cols int, alpha, beta float64)

//go:noescape
func dgemmKernelAVX512RowA(k int, a []float64, as int, b []float64, bs int, c []float64, ldc, cs, rows, cols int, alpha, beta float64)

//go:noescape
func dgemmKernelAVX512x8(k int, a []float64, as int, b []float64, bs int, c []float64, ldc, cs, rows, cols int, alpha, beta float64)

//go:noescape
func dgemmKernelAVX512x8RowA(k int, a []float64, as int, b []float64, bs int, c []float64, ldc, cs, rows, cols int, alpha, beta float64)

//go:noescape
func sgemmKernelAVX2(k int, a []float32, as int, b []float32, bs int, c []float32, ldc, cs, rows, cols int, alpha, beta float32)

//go:noescape
func dgemmKernelAVX2(k int, a []float64, as int, b []float64, bs int, c []float64, ldc, cs, rows, cols int, alpha, beta float64)

// transpose4x8 and transpose4x4 (transpose_amd64.s, AVX) set
// dst[q·ldd + r] = src[r·lds + q] for r < 4 and q < n; n is a multiple of
// 8 and 4.

//go:noescape
func transpose4x8(n int, src []float32, lds int, dst []float32, ldd int)

//go:noescape
func transpose4x4(n int, src []float64, lds int, dst []float64, ldd int)

// transpose16x16, transpose8x16 and transpose8x8 (transpose512_amd64.s,
// AVX-512F) set dst[q·ldd + r] = src[r·lds + q] for r < 16, 8, 8 and
// q < n; n is a multiple of 16, 16 and 8.

//go:noescape
func transpose16x16(n int, src []float32, lds int, dst []float32, ldd int)

//go:noescape
func transpose8x16(n int, src []float32, lds int, dst []float32, ldd int)

//go:noescape
func transpose8x8(n int, src []float64, lds int, dst []float64, ldd int)

// The transposes each kind of kernel packs with (see kernel.transpose).
var (
	transposes32AVX512 = []transposer[float32]{{16, 16, transpose16x16}, {8, 16, transpose8x16}, {4, 8, transpose4x8}}
	transposes64AVX512 = []transposer[float64]{{8, 8, transpose8x8}, {4, 4, transpose4x4}}
	transposes32AVX    = []transposer[float32]{{4, 8, transpose4x8}}
	transposes64AVX    = []transposer[float64]{{4, 4, transpose4x4}}
)

// kernels32 and kernels64 list the kernels this CPU can run, fastest first;
// the first is the one Sgemm and Dgemm use.
//
// Blocking: see the package documentation. directRows: on Zen 4, reading
// a row-major B in place beats packing it by 5–20% up to 256 rows of A
// (float32, 1024 columns), ties at 384–512 and loses at 1024.
var kernels32, kernels64 = func() ([]*kernel[float32], []*kernel[float64]) {
	var k32 []*kernel[float32]
	var k64 []*kernel[float64]
	if cpu.X86.HasAVX512F {
		narrow := &kernel[float32]{name: "avx512x16", mr: 16, nr: 16, mc: 2016, kc: 384, nc: 1024, directRows: 256, fn: sgemmKernelAVX512x16, fnRowA: sgemmKernelAVX512x16RowA, general: true, trs: transposes32AVX512}
		k32 = append(k32, &kernel[float32]{name: "avx512", mr: 12, nr: 32, mc: 2016, kc: 384, nc: 1024, directRows: 256, fn: sgemmKernelAVX512, fnRowA: sgemmKernelAVX512RowA, general: true, narrow: narrow, trs: transposes32AVX512})
		narrow64 := &kernel[float64]{name: "avx512x8", mr: 16, nr: 8, mc: 2016, kc: 192, nc: 512, directRows: 256, fn: dgemmKernelAVX512x8, fnRowA: dgemmKernelAVX512x8RowA, general: true, trs: transposes64AVX512}
		k64 = append(k64, &kernel[float64]{name: "avx512", mr: 12, nr: 16, mc: 2016, kc: 192, nc: 512, directRows: 256, fn: dgemmKernelAVX512, fnRowA: dgemmKernelAVX512RowA, general: true, narrow: narrow64, trs: transposes64AVX512})
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		k32 = append(k32, &kernel[float32]{name: "avx2", mr: 6, nr: 16, mc: 2016, kc: 384, nc: 1024, directRows: 256, fn: sgemmKernelAVX2, trs: transposes32AVX})
		k64 = append(k64, &kernel[float64]{name: "avx2", mr: 6, nr: 8, mc: 2016, kc: 192, nc: 512, directRows: 256, fn: dgemmKernelAVX2, trs: transposes64AVX})
	}
	return append(k32, goKernel[float32]()), append(k64, goKernel[float64]())
}()
