package autodiff

import "github.com/nabla-go/nabla/tensor"

// This file holds what keeps a first-order backward pass over large tensors
// to few passes over memory, without changing any rule's mathematics:
//
//   - scaledMul, c·(a·b) as one operation (the rule of xᵖ);
//   - gradients that are a broadcast scalar (the seed spread by Sum's rule)
//     stay one number through Scale and Neg instead of becoming a tensor
//     of copies;
//   - a gradient that the pass made itself for one Var is owned: later
//     contributions are added into it in place, a Slice adds its gradient
//     into the owned buffer's window instead of padding it with zeros first
//     (see scatterer), the rules of Neg, Scale, Square and PowConst write
//     their result into an owned upstream gradient instead of a new tensor
//     (see donate), and a leaf adopts an owned gradient instead of copying
//     it (see accumulate). Fewer and warmer buffers: the memory a pass
//     touches stays closer to the cache.
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
// pass made for one Var's gradient alone: the sum of two contributions, a
// Slice's gradient put among zeros, or a new result of a rule (see fresh).
// Later contributions are added into it in place. When the pass hands it
// to the backward rule of its Var, a rule with one input may write its
// result into it and return it (see donate), and a rule that passes it on
// unchanged to its one input passes the mark on too; otherwise the pass
// clears the mark after the rule, which may have handed it to several
// inputs. (No operation that records flags of its own produces such a
// gradient.)
const ownedFlag = 1 << 7

// donate reports whether a backward rule with one input may overwrite the
// upstream gradient g with its result (and then return g): g is owned and
// a tensor.
func donate[T Float](g *Var[T]) bool { return owned(g) && g.value != nil }

// fresh marks r, a non-recording gradient a rule has just computed into a
// new tensor of its own, as owned (a view, such as a broadcast scalar, is
// not), and returns it.
func fresh[T Float](r *Var[T]) *Var[T] {
	if r.noRecord && r.value != nil && r.value.IsContiguous() {
		r.flags |= ownedFlag
	}
	return r
}

// scaledMulGrad is the rule c·(g·y) of Square and PowConst for their one
// input, y of g's shape: written into g when g may be donated.
func scaledMulGrad[T Float](c T, g, y *Var[T]) *Var[T] {
	if donate(g) && y.value != nil {
		tensor.MulScaledInto(g.value, c, g.value, y.value)
		return g
	}
	return fresh(scaledMul(c, g, y))
}

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
