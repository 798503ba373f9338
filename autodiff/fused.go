package autodiff

import "github.com/nabla-go/nabla/tensor"

// This file holds what keeps a first-order backward pass over large tensors
// to few passes over memory, without changing any rule's mathematics:
//
//   - scaledMul, c·(a·b) as one operation (the rule of xᵖ);
//   - gradients that are a broadcast scalar (the seed spread by Sum's rule)
//     stay one number through Scale and Neg instead of becoming a tensor
//     of copies;
//   - a gradient being accumulated that the pass made itself is owned: later
//     contributions are added into it in place, and a Slice adds its
//     gradient into the owned buffer's window instead of padding it with
//     zeros first (see scatterer), and a leaf adopts an owned gradient
//     instead of copying it (see accumulate).
//
// All of it applies only to the non-recording gradients of a first-order
// pass; with CreateGraph the rules record the same operations as always.

// scaledMul returns c·(a·b) elementwise (broadcasting): the product rounded,
// then scaled, so exactly Scale(c, Mul(a, b)), but recorded as one node and
// computed in one pass over memory (tensor.MulScaled).
func scaledMul[T Float](c T, a, b *Var[T]) *Var[T] {
	n := newNode(scaledMulOp[T]{}, a, b, nil)
	n.k = c
	if scalars(a, b) {
		return n.setScalar(c * (a.item() * b.item()))
	}
	return n.set(tensor.MulScaled(c, a.val(), b.val()))
}

type scaledMulOp[T Float] struct{}

func (scaledMulOp[T]) name() string { return "scaled_mul" }

// ∂[c·ab]/∂a = c·b, ∂[c·ab]/∂b = c·a
func (scaledMulOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	a, b := out.ins()[0], out.ins()[1]
	if needs(out, 0) {
		grads[0] = unbroadcast(scaledMul(out.k, g, b), a)
	}
	if needs(out, 1) {
		grads[1] = unbroadcast(scaledMul(out.k, g, a), b)
	}
}

// broadcastScalar reports whether x is a non-recording gradient whose
// elements are all one stored number (a scalar spread by Expand) and returns
// the number.
func broadcastScalar[T Float](x *Var[T]) (T, bool) {
	if !x.noRecord || x.value == nil || x.value.Size() <= 1 {
		return 0, false
	}
	return x.value.SingleValue()
}

// spread returns the number v broadcast to x's shape without copying it: a
// one-element tensor (in x's arena, if any) seen through Expand.
func spread[T Float](x *Var[T], v T) *tensor.Tensor[T] {
	s := x.value.Arena().New()
	s.Data()[0] = v
	var b [8]int
	return tensor.Expand(s, x.dims(&b)...)
}

// ownedFlag marks, in the flags of a non-recording gradient, a tensor the
// pass made for the accumulation of one Var's gradient alone: the sum of two
// contributions, or a Slice's gradient put among zeros. Later contributions
// are added into it in place. The pass clears the mark when it hands the
// gradient to a backward rule, which may pass it on to several inputs.
// (No operation that records flags of its own produces such a gradient.)
const ownedFlag = 1 << 7

// owned reports whether g is an owned accumulation buffer (see ownedFlag).
func owned[T Float](g *Var[T]) bool { return g.noRecord && g.flags&ownedFlag != 0 }

// addPending returns the sum of the accumulated gradient p and a further
// contribution gi, adding in place when p is owned (p + gi either way, bit
// for bit). A new sum of non-recording gradients is owned.
func addPending[T Float](p, gi *Var[T]) *Var[T] {
	if owned(p) && p.value != nil && gi.value != nil {
		tensor.AddInto(p.value, p.value, gi.value)
		return p
	}
	s := Add(p, gi)
	if s.noRecord && s.value != nil {
		s.flags |= ownedFlag
	}
	return s
}

// scatterer is implemented by operations whose gradient for their one input
// is the upstream gradient placed among zeros (Slice). Their vjp always
// makes a new tensor, which the pass owns; and when the input already has an
// owned gradient, addGrad adds the upstream gradient g into the right part
// of it in place, which saves materialising and then adding the zeros. It
// reports whether it could (else the pass calls vjp).
type scatterer[T Float] interface {
	addGrad(out, g, acc *Var[T]) bool
}

// addGrad adds g into the window [before, n−after) of acc along the sliced
// axis, when that window is contiguous (a slice of a vector, or along the
// first axis). The result differs from Add(acc, Pad(g)) at most in the sign
// of zeros outside the window, where acc is kept instead of adding +0 to it.
func (sliceOp[T]) addGrad(out, g, acc *Var[T]) bool {
	if g.value == nil || acc.value == nil {
		return false
	}
	e := out.extra
	w := tensor.Slice(acc.value, e.axis, e.before, acc.value.Dim(e.axis)-e.after)
	if !w.IsContiguous() {
		return false
	}
	tensor.AddInto(w, w, g.value)
	return true
}
