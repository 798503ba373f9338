package vec

import (
	"fmt"
	"testing"
)

// benchSizes: a bias (10), a hidden activation of the MLP step (64·128) and
// a weight matrix (784·128 ≈ 100k).
var benchSizes = []int{10, 8192, 100352}

// BenchmarkKernels times every kernel with every implementation; the
// reported throughput counts the bytes read and written.
func BenchmarkKernels(b *testing.B) {
	b.Run("float32", benchAll[float32])
	b.Run("float64", benchAll[float64])
}

func benchAll[T Float](b *testing.B) {
	var z T
	size := int64(8)
	if _, ok := any(z).(float32); ok {
		size = 4
	}
	for _, n := range benchSizes {
		x, y, d := make([]T, n), make([]T, n), make([]T, n)
		for i := range x {
			x[i], y[i] = T(i%7)-3, T(i%5)+1
		}
		ops := []struct {
			name    string
			streams int64 // slices read or written
			f       func()
		}{
			{"Add", 3, func() { Add(d, x, y) }},
			{"Mul", 3, func() { Mul(d, x, y) }},
			{"Div", 3, func() { Div(d, x, y) }},
			{"MulScalar", 2, func() { MulScalar(d, x, 3) }},
			{"Axpy", 3, func() { Axpy(d, 1e-3, x) }},
			{"ReLU", 2, func() { ReLU(d, x) }},
			{"Step", 2, func() { Step(d, x) }},
			{"ReLUMask", 3, func() { ReLUMask(d, y, x) }},
			{"Sum", 1, func() { _ = Sum(x) }},
			{"AllFinite", 1, func() { _ = AllFinite(x) }},
		}
		for _, op := range ops {
			for _, im := range impls {
				b.Run(fmt.Sprintf("%s/n=%d/%s", op.name, n, im.name), func(b *testing.B) {
					saved := current
					current = im
					defer func() { current = saved }()
					b.SetBytes(op.streams * size * int64(n))
					for b.Loop() {
						op.f()
					}
				})
			}
		}
	}
}
