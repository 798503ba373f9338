package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nabla-go/nabla/autodiff"
)

// Linear is the affine layer y = x·Wᵀ + b, with W of shape [out, in] and b of
// shape [out], as torch.nn.Linear. x is [N, in] (or [in], or any batch shape
// […, in]); y is […, out].
type Linear[T Float] struct {
	Weight *autodiff.Var[T] // [out, in], named "weight"
	Bias   *autodiff.Var[T] // [out], named "bias"; nil without bias
}

// LinearConfig tunes NewLinearWith. The zero value is PyTorch's default.
type LinearConfig struct {
	// WeightInit initialises W. Default: KaimingUniform{A: √5}, i.e.
	// U(−1/√in, 1/√in), PyTorch's default.
	WeightInit Initializer
	// BiasInit initialises b. Default: U(−1/√in, 1/√in), PyTorch's default.
	BiasInit Initializer
	// NoBias leaves the bias out (y = x·Wᵀ). Default false.
	NoBias bool
}

// NewLinear returns a Linear layer from in to out features with PyTorch's
// default initialisation drawn from rng (weight first, then bias).
func NewLinear[T Float](in, out int, rng *rand.Rand) *Linear[T] {
	return NewLinearWith[T](in, out, rng, LinearConfig{})
}

// NewLinearWith returns a Linear layer initialised as cfg says.
func NewLinearWith[T Float](in, out int, rng *rand.Rand, cfg LinearConfig) *Linear[T] {
	if in <= 0 || out <= 0 {
		panic(fmt.Sprintf("nn: NewLinear: need positive sizes, got in = %d, out = %d", in, out))
	}
	wi := cfg.WeightInit
	if wi == nil {
		wi = KaimingUniform{A: math.Sqrt(5)}
	}
	l := &Linear[T]{Weight: autodiff.Param(NewTensor[T](wi, rng, out, in)).SetName("weight")}
	if !cfg.NoBias {
		bi := cfg.BiasInit
		if bi == nil {
			b := 1 / math.Sqrt(float64(in))
			bi = Uniform{Low: -b, High: b}
		}
		l.Bias = autodiff.Param(NewTensor[T](bi, rng, out)).SetName("bias")
	}
	return l
}

// Forward returns x·Wᵀ + b. For x with two axes or more the product is one
// MatMulTrans node (no transposed view of W is made, so a step in an
// autodiff.Arena allocates nothing); a 1-D x goes through MatMul.
func (l *Linear[T]) Forward(x *autodiff.Var[T]) *autodiff.Var[T] {
	xv, wv := x.Value(), l.Weight.Value()
	in := wv.Dim(1)
	if xv.Dims() == 0 || xv.Dim(-1) != in {
		panic(fmt.Sprintf("nn: Linear.Forward: input of shape %v, want last axis %d (weight %v)", x.Shape(), in, l.Weight.Shape()))
	}
	var y *autodiff.Var[T]
	if xv.Dims() >= 2 {
		y = autodiff.MatMulTrans(x, l.Weight, false, true)
	} else {
		y = autodiff.MatMul(x, autodiff.T(l.Weight))
	}
	if l.Bias != nil {
		y = autodiff.Add(y, l.Bias)
	}
	return y
}

// Params returns the weight and, if present, the bias.
func (l *Linear[T]) Params() []*autodiff.Var[T] {
	if l.Bias == nil {
		return []*autodiff.Var[T]{l.Weight}
	}
	return []*autodiff.Var[T]{l.Weight, l.Bias}
}
