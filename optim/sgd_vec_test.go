package optim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// f32 and f64 are named element types: plain SGD runs its Go loop for them
// rather than internal/vec's Axpy, so they are the reference for it.
type (
	f32 float32
	f64 float64
)

// TestPlainSGDVecMatchesLoop checks that the SIMD update of plain SGD is
// bit-identical to the Go loop p[i] += −lr·g[i], on lengths covering every
// vector tail and gradients with signed zeros and subnormals.
func TestPlainSGDVecMatchesLoop(t *testing.T) {
	t.Run("float32", sgdVecMatchesLoop[float32, f32])
	t.Run("float64", sgdVecMatchesLoop[float64, f64])
}

// sgdStep takes three plain SGD steps on loss Σ p·c (gradient c) and
// returns the parameters.
func sgdStep[T Float](t *testing.T, p0, c []T, lr float64) []T {
	p := autodiff.Param(tensor.FromSlice(append([]T(nil), p0...)))
	k := autodiff.Const(tensor.FromSlice(c))
	opt, err := NewSGD(Params(p), SGD{LR: lr})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		ZeroGrad[T](opt)
		if err := autodiff.Sum(autodiff.Mul(p, k), false).Backward(); err != nil {
			t.Fatal(err)
		}
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
	}
	return p.Value().Data()
}

func sgdVecMatchesLoop[T, N Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	sp := []float64{0, math.Copysign(0, -1), 5e-324, 1e-40, 1e30, -1}
	for _, n := range []int{1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 100, 1031} {
		for _, lr := range []float64{0.1, 1e-3, 0.7} {
			p, c := make([]T, n), make([]T, n)
			for i := range p {
				p[i], c[i] = T(rng.NormFloat64()), T(rng.NormFloat64()*10)
				if rng.IntN(4) == 0 {
					c[i] = T(sp[rng.IntN(len(sp))])
				}
				if rng.IntN(6) == 0 {
					p[i] = T(sp[rng.IntN(len(sp))])
				}
			}
			pn, cn := make([]N, n), make([]N, n)
			for i := range p {
				pn[i], cn[i] = N(p[i]), N(c[i])
			}
			got, want := sgdStep(t, p, c, lr), sgdStep(t, pn, cn, lr)
			for i := range got {
				if fmt.Sprint(math.Float64bits(float64(got[i]))) != fmt.Sprint(math.Float64bits(float64(want[i]))) {
					t.Fatalf("n=%d lr=%v: p[%d] = %v, the Go loop gives %v", n, lr, i, got[i], want[i])
				}
			}
		}
	}
}
