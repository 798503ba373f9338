package tensor

import "testing"

// The operations allocate their results (the API has no destination
// arguments), so the benchmarks reuse only their inputs: each is built once,
// outside the timed loop.

func BenchmarkMatMul256(b *testing.B) {
	b.Run("float64", benchMatMul[float64])
	b.Run("float32", benchMatMul[float32])
	b.Run("float64/transposedB", func(b *testing.B) { benchMatMulT[float64](b, true) })
}

func benchMatMul[T Float](b *testing.B) { benchMatMulT[T](b, false) }

// benchMatMulT times a 256×256 product; with trans the right operand is a
// transposed view (BLAS Trans, no copy).
func benchMatMulT[T Float](b *testing.B, trans bool) {
	const n = 256
	rng := newRNG(1)
	x, y := RandN[T](rng, n, n), RandN[T](rng, n, n)
	if trans {
		y = Transpose(y, 0, 1)
	}
	b.ReportAllocs()
	for b.Loop() {
		MatMul(x, y)
	}
	b.ReportMetric(2*n*n*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkAddBroadcast adds a [1000] row to every row of a [1000,1000] matrix.
func BenchmarkAddBroadcast(b *testing.B) {
	b.Run("float64", benchAddBroadcast[float64])
	b.Run("float32", benchAddBroadcast[float32])
}

func benchAddBroadcast[T Float](b *testing.B) {
	rng := newRNG(2)
	x, row := RandN[T](rng, 1000, 1000), RandN[T](rng, 1000)
	b.ReportAllocs()
	for b.Loop() {
		Add(x, row)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "Melem/s") // 10⁶ elements per call
}

// BenchmarkSumAxis sums a [1000,1000] matrix over each axis.
func BenchmarkSumAxis(b *testing.B) {
	for _, axis := range []int{0, 1} {
		name := [...]string{"axis0", "axis1"}[axis]
		b.Run(name+"/float64", func(b *testing.B) { benchSumAxis[float64](b, axis) })
		b.Run(name+"/float32", func(b *testing.B) { benchSumAxis[float32](b, axis) })
	}
}

func benchSumAxis[T Float](b *testing.B, axis int) {
	x := RandN[T](newRNG(3), 1000, 1000)
	b.ReportAllocs()
	for b.Loop() {
		Sum(x, false, axis)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "Melem/s") // 10⁶ elements per call
}
