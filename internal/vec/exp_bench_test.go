package vec

import (
	"fmt"
	"math"
	"testing"
)

// BenchmarkLog times Log with every implementation against a loop of
// math.Log, as BenchmarkExp.
func BenchmarkLog(b *testing.B) {
	b.Run("float32", benchLog[float32])
	b.Run("float64", benchLog[float64])
}

func benchLog[T Float](b *testing.B) {
	for _, n := range []int{1000, 256000} {
		x, d := make([]T, n), make([]T, n)
		for i := range x {
			x[i] = T(i%23)*0.37 + 0.01
		}
		b.Run(fmt.Sprintf("n=%d/math.Log", n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				for i, v := range x {
					d[i] = T(math.Log(float64(v)))
				}
			}
		})
		for _, im := range impls {
			b.Run(fmt.Sprintf("n=%d/%s", n, im.name), func(b *testing.B) {
				saved := current
				current = im
				defer func() { current = saved }()
				b.SetBytes(int64(n))
				for b.Loop() {
					Log(d, x)
				}
			})
		}
	}
}

// BenchmarkExp times Exp with every implementation against a loop of
// math.Exp (in float64, rounded, for float32), on a row of 10 classes, a
// row of 1000 and the 256×1000 logits of a wide softmax.
func BenchmarkExp(b *testing.B) {
	b.Run("float32", benchExp[float32])
	b.Run("float64", benchExp[float64])
}

func benchExp[T Float](b *testing.B) {
	for _, n := range []int{10, 1000, 256000} {
		x, d := make([]T, n), make([]T, n)
		for i := range x {
			x[i] = T(i%23)*0.37 - 4
		}
		b.Run(fmt.Sprintf("n=%d/math.Exp", n), func(b *testing.B) {
			b.SetBytes(int64(n))
			for b.Loop() {
				for i, v := range x {
					d[i] = T(math.Exp(float64(v)))
				}
			}
		})
		for _, im := range impls {
			b.Run(fmt.Sprintf("n=%d/%s", n, im.name), func(b *testing.B) {
				saved := current
				current = im
				defer func() { current = saved }()
				b.SetBytes(int64(n)) // so MB/s reads as millions of elements per second
				for b.Loop() {
					Exp(d, x)
				}
			})
		}
	}
}
