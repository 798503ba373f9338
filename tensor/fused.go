package tensor

// This file holds what makes the large elementwise steps of a gradient cheap
// in memory traffic: results whose every element is written are not cleared
// first (Arena.Scratch), two-operation kernels run block by block so the second
// operation finds its operand in cache (MulScaled), and a broadcast scalar
// can be recognised without materialising it (SingleValue).

// SingleValue reports whether every element of t is one stored element (a
// one-element tensor, or a scalar broadcast by Expand) and returns that
// element. Callers use it to keep a broadcast scalar a scalar instead of
// computing with a whole tensor of copies of it.
func (t *Tensor[T]) SingleValue() (v T, ok bool) {
	t.live()
	if !t.isBroadcastScalar() {
		return 0, false
	}
	return t.data[t.offset], true
}

// block is the number of elements a fused kernel processes at a time: both
// steps of a block stay in the first-level cache (4096 float64 are 32 KB
// for the result, read back at once; see mulScaledBlocks).
const block = 4096

// MulScaled returns c·(a·b) elementwise (broadcasting): the product rounded,
// then scaled and rounded again, exactly Scale(c, Mul(a, b)), but in one
// pass over memory for contiguous float32 and float64 operands of one shape,
// or one of them a broadcast scalar (the product of each block is scaled
// while it is still in cache). Other operands take the two operations.
func MulScaled[T Float](c T, a, b *Tensor[T]) *Tensor[T] { return MulScaledInto(nil, c, a, b) }

// MulScaledInto writes c·(a·b) (broadcasting), as MulScaled computes it,
// into dst and returns it: dst must be contiguous and have the broadcast
// shape, and may be a or b. A nil dst means a new tensor, as MulScaled.
func MulScaledInto[T Float](dst *Tensor[T], c T, a, b *Tensor[T]) *Tensor[T] {
	v := fast[T]()
	if v == nil || !(whole(a) && (whole(b) && sameShape(a.shape, b.shape) || single(b, a)) || single(a, b) && whole(b)) {
		r := Scale(c, Mul(a, b))
		if dst == nil {
			return r
		}
		return into("MulScaledInto", dst, r)
	}
	// zip calls the flat kernel with both operands whole, or one of length 1.
	return zip(dst, "MulScaled", a, b, func(x, y T) T { return c * (x * y) }, func(dst, x, y []T) {
		v.mulScaled(dst, x, y, c) // block by block: see mulScaledBlocks
	})
}

// ScaleInto writes c·a, as Scale computes it, into dst and returns it: dst
// must be contiguous and have a's shape, and may be a itself.
func ScaleInto[T Float](dst *Tensor[T], c T, a *Tensor[T]) *Tensor[T] {
	dst.live()
	a.live()
	if v := fast[T](); v != nil && a.IsContiguous() && !a.isBroadcastScalar() && dst.IsContiguous() && sameShape(dst.shape, a.shape) {
		n := a.Size()
		v.mulScalar(dst.data[dst.offset:dst.offset+n], a.data[a.offset:a.offset+n], c) // Scale's kernel
		return dst
	}
	return into("ScaleInto", dst, Scale(c, a))
}

// into copies the result r into dst, which must be contiguous with r's
// shape, and returns dst.
func into[T Float](op string, dst, r *Tensor[T]) *Tensor[T] {
	if !dst.IsContiguous() || !sameShape(dst.shape, r.shape) {
		panic(shapeErr(op, "the destination must be contiguous with the shape of the result", dst.shape, r.shape))
	}
	dst.CopyFrom(r)
	return dst
}

// whole reports whether t is contiguous and more than one stored element.
func whole[T Float](t *Tensor[T]) bool { return t.IsContiguous() && !t.isBroadcastScalar() }

// single reports whether s is one stored element whose broadcast with t has
// t's shape.
func single[T Float](s, t *Tensor[T]) bool {
	if !s.isBroadcastScalar() || len(s.shape) > len(t.shape) {
		return false
	}
	k := len(t.shape) - len(s.shape)
	for i, d := range s.shape {
		if d != 1 && d != t.shape[k+i] {
			return false
		}
	}
	return true
}
