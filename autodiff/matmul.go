package autodiff

import "github.com/nabla-go/nabla/tensor"

// MatMul returns the matrix product of a and b with NumPy semantics: trailing
// matrices [m,k]·[k,n], broadcast batch axes, 1-D operands as row/column
// vectors whose axis is dropped.
func MatMul[T Float](a, b *Var[T]) *Var[T] {
	tensor.MatMulShape(a.Shape(), b.Shape()) // shape errors name the operands as given
	ad, bd := a.val().Dims(), b.val().Dims()
	if ad == 1 || bd == 1 {
		a2, b2 := a, b
		if ad == 1 {
			a2 = Unsqueeze(a, 0)
		}
		if bd == 1 {
			b2 = Unsqueeze(b, 1)
		}
		out := matmul(a2, b2, false, false)
		switch {
		case ad == 1 && bd == 1:
			return Reshape(out)
		case ad == 1:
			return Squeeze(out, -2)
		default:
			return Squeeze(out, -1)
		}
	}
	return matmul(a, b, false, false)
}

// MatMulTrans returns op(a)·op(b), where op swaps the last two axes of its
// operand when transA (transB) is set, without a Transpose node or view:
// MatMulTrans(x, w, false, true) is x·wᵀ, the product of a linear layer.
// Both operands need at least two axes; batch axes broadcast as in MatMul.
func MatMulTrans[T Float](a, b *Var[T], transA, transB bool) *Var[T] {
	if a.val().Dims() < 2 || b.val().Dims() < 2 {
		panic(&tensor.ShapeError{Op: "MatMulTrans", Shapes: [][]int{a.Shape(), b.Shape()}, Msg: "operands must have at least two axes"})
	}
	return matmul(a, b, transA, transB)
}

// matmul is the primitive op(a)·op(b) for operands with at least two axes;
// the node's flags hold the transposes.
func matmul[T Float](a, b *Var[T], transA, transB bool) *Var[T] {
	n := newNode(matmulOp[T]{}, a, b, nil)
	if transA {
		n.flags |= transAFlag
	}
	if transB {
		n.flags |= transBFlag
	}
	return n.set(tensor.MatMulTrans(a.val(), b.val(), transA, transB))
}

const (
	transAFlag = 1 << iota
	transBFlag
)

type matmulOp[T Float] struct{}

func (matmulOp[T]) name() string { return "matmul" }

// C = op(A)·op(B), summed over broadcast batch axes:
//
//	C = A·B:   ∂L/∂A = G·Bᵀ,  ∂L/∂B = Aᵀ·G
//	C = A·Bᵀ:  ∂L/∂A = G·B,   ∂L/∂B = Gᵀ·A
//	C = Aᵀ·B:  ∂L/∂A = B·Gᵀ,  ∂L/∂B = A·G
//	C = Aᵀ·Bᵀ: ∂L/∂A = Bᵀ·Gᵀ, ∂L/∂B = Gᵀ·Aᵀ
//
// each again a product with transposes, so no transposed copy is made.
func (matmulOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	a, b := out.ins()[0], out.ins()[1]
	ta, tb := out.flags&transAFlag != 0, out.flags&transBFlag != 0
	if needs(out, 0) {
		pb := plain(g, b)
		if ta {
			grads[0] = unbroadcast(matmul(pb, g, tb, true), a)
		} else {
			grads[0] = unbroadcast(matmul(g, pb, false, !tb), a)
		}
	}
	if needs(out, 1) {
		pa := plain(g, a)
		if tb {
			grads[1] = unbroadcast(matmul(g, pa, true, ta), b)
		} else {
			grads[1] = unbroadcast(matmul(pa, g, !ta, false), b)
		}
	}
}
