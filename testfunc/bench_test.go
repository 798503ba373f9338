package testfunc

import "testing"

// benchN is the dimension of the RosenbrockN benchmarks.
const benchN = 1_000_000

func BenchmarkRosenbrockNValue(b *testing.B) {
	f := RosenbrockN(benchN)
	x := f.Start
	b.SetBytes(8 * benchN)
	var sink float64
	for b.Loop() {
		sink += f.Value(x)
	}
	_ = sink
}

func BenchmarkRosenbrockNGrad(b *testing.B) {
	f := RosenbrockN(benchN)
	x := f.Start
	g := make([]float64, benchN)
	b.SetBytes(8 * benchN)
	for b.Loop() {
		f.Grad(g, x)
	}
}
