package optim

import (
	"math"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// ClipGradNorm rescales the gradients of params together so that their
// global norm ‖(g₁, g₂, …)‖₂ is at most maxNorm, as
// torch.nn.utils.clip_grad_norm_ does:
//
//	c ← min(1, maxNorm / (‖g‖ + 1e-6));  gᵢ ← c·gᵢ
//
// and returns the norm before clipping. Parameters without a gradient are
// skipped.
func ClipGradNorm[T Float](params []*autodiff.Var[T], maxNorm float64) float64 {
	var sq float64
	for _, p := range params {
		if g := p.Grad(); g != nil {
			var s float64
			for _, x := range g.Data() {
				s += float64(x) * float64(x)
			}
			n := math.Sqrt(s) // per-parameter norms first, as PyTorch stacks them
			sq += n * n
		}
	}
	total := math.Sqrt(sq)
	c := T(min(1, maxNorm/(total+1e-6)))
	for _, p := range params {
		updateGrad(p, func(x T) T { return x * c })
	}
	return total
}

// ClipGradValue clamps every gradient entry of params to [−v, v], as
// torch.nn.utils.clip_grad_value_ does.
func ClipGradValue[T Float](params []*autodiff.Var[T], v float64) {
	lo, hi := T(-v), T(v)
	for _, p := range params {
		updateGrad(p, func(x T) T { return min(max(x, lo), hi) })
	}
}

// ClipParams returns every parameter of o, for the clipping functions.
func ClipParams[T Float](o Optimizer[T]) []*autodiff.Var[T] {
	var ps []*autodiff.Var[T]
	for _, g := range o.Groups() {
		ps = append(ps, g.Params...)
	}
	return ps
}

// updateGrad applies f to every entry of p's gradient in place.
func updateGrad[T Float](p *autodiff.Var[T], f func(T) T) {
	g := p.Grad()
	if g == nil {
		return
	}
	if g.IsContiguous() {
		d := g.Data()
		for i, x := range d {
			d[i] = f(x)
		}
		return
	}
	g.CopyFrom(tensor.Map(g, f)) // a view (e.g. a broadcast gradient): write through it
}
