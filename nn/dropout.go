package nn

import (
	"fmt"
	"math/rand/v2"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// Dropout zeroes each element with probability P in training mode and scales
// the survivors by 1/(1−P) (inverted dropout, as torch.nn.Dropout), so the
// expected output equals the input and evaluation needs no rescaling:
//
//	training:   y = x · m / (1 − P),  m ~ Bernoulli(1 − P) elementwise
//	evaluation: y = x
//
// The mask is a constant, so ∂y/∂x = m / (1 − P). With P = 1 the output is 0.
type Dropout[T Float] struct {
	P float64 // drop probability in [0, 1]
	// Src draws the masks; required in training mode. It is a PCG so that
	// its state can be saved and restored (MarshalBinary, UnmarshalBinary):
	// a checkpoint then resumes the same masks.
	Src *rand.PCG
	rng *rand.Rand // draws from src, made on first use
	src *rand.PCG  // the Src that rng wraps
	// eval is false by default: a Dropout starts in training mode, as in PyTorch.
	eval bool
}

// NewDropout returns a Dropout with drop probability p whose masks are drawn
// from src.
func NewDropout[T Float](p float64, src *rand.PCG) *Dropout[T] {
	if !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("nn: NewDropout: probability %g is outside [0, 1]", p))
	}
	return &Dropout[T]{P: p, Src: src}
}

// Forward implements Module. Each element draws one number from Src, in
// row-major order.
func (d *Dropout[T]) Forward(x *autodiff.Var[T]) *autodiff.Var[T] {
	if d.eval || d.P == 0 {
		return x
	}
	if d.Src == nil {
		panic("nn: Dropout.Forward: nil Src in training mode (set Dropout.Src to a seeded *rand.PCG)")
	}
	if d.src != d.Src {
		d.rng, d.src = rand.New(d.Src), d.Src
	}
	m := tensor.New[T](x.Shape()...)
	data := m.Data()
	if d.P < 1 {
		scale := T(1 / (1 - d.P))
		for i := range data {
			if d.rng.Float64() >= d.P {
				data[i] = scale
			}
		}
	}
	return autodiff.Mul(x, autodiff.Const(m))
}

// Params returns nil.
func (d *Dropout[T]) Params() []*autodiff.Var[T] { return nil }

// SetTraining implements Moded.
func (d *Dropout[T]) SetTraining(on bool) { d.eval = !on }

// Training implements Moded.
func (d *Dropout[T]) Training() bool { return !d.eval }
