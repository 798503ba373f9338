package gemm

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
)

// A Shape is one product to time: C (M×N) = op(A)·op(B) with K terms, op
// given by TransA and TransB.
type Shape struct {
	Name           string
	TransA, TransB blas.Transpose
	M, N, K        int
}

// StepShapes returns the products of one training step of an MLP 784–128–10 on
// a batch of b rows, X (b×784) → H (b×128) → logits (b×10), G the gradient
// of the logits. First with the weights stored in×out (W1 784×128, W2
// 128×10), as the formulas are usually written: the forward products X·W1
// and H·W2, the backward dW2 = Hᵀ·G, dH = G·W2ᵀ and dW1 = Xᵀ·dH. Then the
// same products as nn.Linear computes them, with the weights stored out×in
// (W1 128×784, W2 10×128): X·W1ᵀ, H·W2ᵀ, G·W2, dW2 = Gᵀ·H, dW1 = dHᵀ·X.
// The name gives the batch, the product and m×n×k.
//
// The benchmarks of this package and bench/openblas time these.
func StepShapes(b int) []Shape {
	N, T := blas.NoTrans, blas.Trans
	shapes := []Shape{
		{"X·W1", N, N, b, 128, 784},
		{"H·W2", N, N, b, 10, 128},
		{"Hᵀ·G", T, N, 128, 10, b},
		{"G·W2ᵀ", N, T, b, 128, 10},
		{"Xᵀ·dH", T, N, 784, 128, b},
		{"X·W1ᵀ", N, T, b, 128, 784},
		{"H·W2ᵀ", N, T, b, 10, 128},
		{"G·W2", N, N, b, 128, 10},
		{"Gᵀ·H", T, N, 10, 128, b},
		{"dHᵀ·X", T, N, 128, 784, b},
	}
	for i := range shapes {
		s := &shapes[i]
		s.Name = fmt.Sprintf("B%d/%s/%dx%dx%d", b, s.Name, s.M, s.N, s.K)
	}
	return shapes
}
