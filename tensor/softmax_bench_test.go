package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkSoftmaxRows times Softmax and LogSoftmax along the last axis,
// and Exp, at the logits' shapes of the MLP (64 and 256 × 10) and 256×1000.
func BenchmarkSoftmaxRows(b *testing.B) {
	b.Run("float32", benchSoftmax[float32])
	b.Run("float64", benchSoftmax[float64])
}

func benchSoftmax[T Float](b *testing.B) {
	for _, sh := range [][2]int{{64, 10}, {256, 10}, {256, 1000}} {
		a := RandN[T](rand.New(rand.NewPCG(1, 2)), sh[0], sh[1])
		for _, op := range []struct {
			name string
			f    func(*Tensor[T]) *Tensor[T]
		}{
			{"Softmax", func(a *Tensor[T]) *Tensor[T] { return Softmax(a, 1) }},
			{"LogSoftmax", func(a *Tensor[T]) *Tensor[T] { return LogSoftmax(a, 1) }},
			{"Exp", Exp[T]},
		} {
			b.Run(fmt.Sprintf("%s/%dx%d", op.name, sh[0], sh[1]), func(b *testing.B) {
				var ar Arena[T]
				v := ar.View(a)
				for b.Loop() {
					ar.Reset()
					v = ar.View(a)
					op.f(v)
				}
			})
		}
	}
}
