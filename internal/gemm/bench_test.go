package gemm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShape is one product to time: C (m×n) = op(A)·op(B) with k terms.
type benchShape struct {
	name    string
	tA, tB  blas.Transpose
	m, n, k int
}

// benchShapes are the square sizes of the issue and the products of the
// training step of a 784–128–10 MLP (stepShapes) on batches of 64 and 256.
var benchShapes = append([]benchShape{
	{"n=128", blas.NoTrans, blas.NoTrans, 128, 128, 128},
	{"n=256", blas.NoTrans, blas.NoTrans, 256, 256, 256},
	{"n=512", blas.NoTrans, blas.NoTrans, 512, 512, 512},
	{"n=1024", blas.NoTrans, blas.NoTrans, 1024, 1024, 1024},
}, append(stepShapes(64), stepShapes(256)...)...)

// stepShapes are StepShapes(b) as benchShapes.
func stepShapes(b int) []benchShape {
	var out []benchShape
	for _, s := range StepShapes(b) {
		out = append(out, benchShape{s.Name, s.TransA, s.TransB, s.M, s.N, s.K})
	}
	return out
}

// benchGemm times f on random operands of each shape and reports GFLOP/s.
func benchGemm[T Float](b *testing.B, f func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)) {
	for _, s := range benchShapes {
		b.Run(s.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			fill := func(n int) []T {
				x := make([]T, n)
				for i := range x {
					x[i] = T(rng.Float64())
				}
				return x
			}
			x, y, z := fill(s.m*s.k), fill(s.k*s.n), fill(s.m*s.n)
			lda, ldb := s.k, s.n
			if s.tA == blas.Trans {
				lda = s.m
			}
			if s.tB == blas.Trans {
				ldb = s.k
			}
			b.ResetTimer()
			for b.Loop() {
				f(s.tA, s.tB, s.m, s.n, s.k, 1, x, lda, y, ldb, 0, z, s.n)
			}
			b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkSgemm compares Sgemm, each of its kernels run serially, and
// gonum's pure-Go BLAS in one run.
func BenchmarkSgemm(b *testing.B) {
	b.Run("nabla", func(b *testing.B) { benchGemm(b, Sgemm) })
	for _, kern := range kernels32 {
		b.Run(fmt.Sprintf("serial-%s", kern.name), func(b *testing.B) { benchGemm(b, serialWith(kern)) })
	}
	b.Run("gonum", func(b *testing.B) { benchGemm(b, gonum.Implementation{}.Sgemm) })
}

// BenchmarkDgemm is BenchmarkSgemm in float64.
func BenchmarkDgemm(b *testing.B) {
	b.Run("nabla", func(b *testing.B) { benchGemm(b, Dgemm) })
	for _, kern := range kernels64 {
		b.Run(fmt.Sprintf("serial-%s", kern.name), func(b *testing.B) { benchGemm(b, serialWith(kern)) })
	}
	b.Run("gonum", func(b *testing.B) { benchGemm(b, gonum.Implementation{}.Dgemm) })
}

// serialWith returns a gemm function that runs kern on one goroutine.
func serialWith[T Float](kern *kernel[T]) func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	return func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
		serial(kern, tA != blas.NoTrans, tB != blas.NoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 1)
	}
}

// BenchmarkPack times packing a 384-deep block of a 1024×1024 float32
// matrix for the default kernel, in ns per packed element, for each
// operand and transposition.
func BenchmarkPack(b *testing.B) {
	kern := kernels32[0]
	src := make([]float32, 1024*1024)
	dst := make([]float32, 1024*384)
	for _, trans := range []bool{false, true} {
		b.Run(fmt.Sprintf("A/trans=%v", trans), func(b *testing.B) {
			for b.Loop() {
				packA(kern, dst, trans, src, 1024, 0, 0, 1020, 384)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(1020*384), "ns/elem")
		})
		b.Run(fmt.Sprintf("B/trans=%v", trans), func(b *testing.B) {
			for b.Loop() {
				packB(kern, dst, trans, src, 1024, 0, 0, 384, 1020)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(1020*384), "ns/elem")
		})
	}
}

// BenchmarkPackTransposed times the packs that transpose, for every kernel
// this CPU runs, on the operands of the forward product X·W1ᵀ of an
// nn.Linear 784→128 (W1 stored 128×784): B = W1ᵀ (packB of the 784×128
// op(B) from a 128×784 row-major b) and A = W1 (packA of a 128×784
// row-major A), block by block as serial packs them, in ns per packed
// element.
func BenchmarkPackTransposed(b *testing.B) {
	b.Run("float32", func(b *testing.B) { benchPackTransposed(b, withNarrow(kernels32)) })
	b.Run("float64", func(b *testing.B) { benchPackTransposed(b, withNarrow(kernels64)) })
}

func benchPackTransposed[T Float](b *testing.B, kernels []*kernel[T]) {
	const rows, cols = 128, 784 // W1, row-major
	src := make([]T, rows*cols)
	for i := range src {
		src[i] = T(i)
	}
	for _, kern := range kernels {
		dst := make([]T, max(kern.mc*kern.kc, kern.kc*kern.nc))
		b.Run(kern.name+"/B=W1ᵀ", func(b *testing.B) {
			for b.Loop() {
				for pc := 0; pc < cols; pc += kern.kc {
					packB(kern, dst, true, src, cols, pc, 0, min(kern.kc, cols-pc), rows)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(rows*cols), "ns/elem")
		})
		b.Run(kern.name+"/A=W1", func(b *testing.B) {
			for b.Loop() {
				for pc := 0; pc < cols; pc += kern.kc {
					packA(kern, dst, false, src, cols, 0, pc, rows, min(kern.kc, cols-pc))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(rows*cols), "ns/elem")
		})
	}
}
