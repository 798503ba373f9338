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
		out := matmul(a2, b2)
		switch {
		case ad == 1 && bd == 1:
			return Reshape(out)
		case ad == 1:
			return Squeeze(out, -2)
		default:
			return Squeeze(out, -1)
		}
	}
	return matmul(a, b)
}

// matmul is the primitive for operands with at least two axes.
func matmul[T Float](a, b *Var[T]) *Var[T] {
	return apply2(matmulOp[T]{}, a, b, tensor.MatMul(a.val(), b.val()))
}

type matmulOp[T Float] struct{}

func (matmulOp[T]) name() string { return "matmul" }

// C = AB: ∂L/∂A = G·Bᵀ, ∂L/∂B = Aᵀ·G (summed over broadcast batch axes)
func (matmulOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	a, b := out.ins()[0], out.ins()[1]
	if needs(out, 0) {
		grads[0] = unbroadcast(matmul(g, Transpose(plain(g, b), -2, -1)), a)
	}
	if needs(out, 1) {
		grads[1] = unbroadcast(matmul(Transpose(plain(g, a), -2, -1), g), b)
	}
}
