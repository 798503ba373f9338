package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// BenchmarkSoftmaxCE times the loss of a training step, forward and
// backward, in an autodiff.Arena (no allocations): SoftmaxCrossEntropy as
// the package computes it, and the composition
// −Mean(TakeAlong(LogSoftmax(z, 1), 1, y)) it replaced, at the MLP's
// batches of 64 and 256 with 10 classes and at 256×1000.
func BenchmarkSoftmaxCE(b *testing.B) {
	b.Run("float32", benchCE[float32])
	b.Run("float64", benchCE[float64])
}

func benchCE[T Float](b *testing.B) {
	for _, sh := range [][2]int{{64, 10}, {256, 10}, {256, 1000}} {
		rng := rand.New(rand.NewPCG(1, 2))
		z := tensor.RandN[T](rng, sh[0], sh[1])
		labels := make([]int, sh[0])
		for i := range labels {
			labels[i] = rng.IntN(sh[1])
		}
		for _, f := range []struct {
			name string
			loss func(*autodiff.Var[T], []int) *autodiff.Var[T]
		}{
			{"nn", SoftmaxCrossEntropy[T]},
			{"composed", func(z *autodiff.Var[T], y []int) *autodiff.Var[T] {
				return autodiff.Neg(autodiff.Mean(autodiff.TakeAlong(autodiff.LogSoftmax(z, 1), 1, y), false))
			}},
		} {
			b.Run(fmt.Sprintf("%dx%d/%s", sh[0], sh[1], f.name), func(b *testing.B) {
				var ar autodiff.Arena[T]
				b.ReportAllocs()
				for b.Loop() {
					ar.Reset()
					l := f.loss(ar.Param(z), labels)
					if err := l.Backward(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
