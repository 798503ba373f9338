package optim

import (
	"math/rand/v2"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

const benchParams = 1_000_000

// BenchmarkAdamStep times one Adam update of 10⁶ float32 parameters (reads
// p, g, m, v and writes p, m, v: 28 bytes per parameter). It must allocate
// nothing; compare its time with BenchmarkCopyAdamBytes, a bandwidth bound.
func BenchmarkAdamStep(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	p := autodiff.Param(tensor.RandN[float32](rng, benchParams))
	c := autodiff.Const(tensor.RandN[float32](rng, benchParams))
	// Σ c·p has the contiguous gradient c.
	if err := autodiff.Sum(autodiff.Mul(c, p), false).Backward(); err != nil {
		b.Fatal(err)
	}
	opt, err := NewAdam(Params(p), Adam{LR: 1e-3})
	if err != nil {
		b.Fatal(err)
	}
	if err := opt.Step(); err != nil { // the first step makes the state
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(28 * benchParams)
	for b.Loop() {
		if err := opt.Step(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCopyAdamBytes copies the bytes an Adam step moves (16 MB read,
// 12 MB written): the memory-bandwidth floor for BenchmarkAdamStep.
func BenchmarkCopyAdamBytes(b *testing.B) {
	src := make([]float32, 4*benchParams)
	dst := make([]float32, 3*benchParams)
	b.SetBytes(28 * benchParams)
	for b.Loop() {
		copy(dst, src[:3*benchParams])
		copy(dst[:benchParams], src[3*benchParams:])
	}
}
