package nn

import (
	"fmt"
	"math/rand/v2"
)

// LinearRegression returns the model ŷ = x·wᵀ + b ([N, in] → [N, 1]) and the
// mean squared error.
func LinearRegression[T Float](in int, rng *rand.Rand) (*Sequential[T], Loss[T]) {
	return NewSequential[T](NewLinear[T](in, 1, rng)), MSE[T]
}

// LogisticRegression returns the model z = x·wᵀ + b ([N, in] → [N, 1] logits;
// P(y=1 | x) = σ(z)) and the binary cross-entropy on logits, with targets in
// {0, 1} of shape [N, 1].
func LogisticRegression[T Float](in int, rng *rand.Rand) (*Sequential[T], Loss[T]) {
	return NewSequential[T](NewLinear[T](in, 1, rng)), BCEWithLogits[T]
}

// SoftmaxRegression returns the multinomial logistic model z = x·Wᵀ + b
// ([N, in] → [N, classes] logits) and the cross-entropy with class-index
// targets (see CrossEntropy).
func SoftmaxRegression[T Float](in, classes int, rng *rand.Rand) (*Sequential[T], Loss[T]) {
	return NewSequential[T](NewLinear[T](in, classes, rng)), CrossEntropy[T]
}

// LinearSVM returns the linear score z = x·wᵀ + b ([N, in] → [N, 1]) and the
// hinge loss with targets ±1 of shape [N, 1]. The soft-margin SVM adds
// L2(λ, the weight) to the loss; predict sign(z).
func LinearSVM[T Float](in int, rng *rand.Rand) (*Sequential[T], Loss[T]) {
	return NewSequential[T](NewLinear[T](in, 1, rng)), Hinge[T]
}

// MLP returns a multilayer perceptron from in to out features with one hidden
// block per entry of hidden:
//
//	Linear(in, h₀) [→ BatchNorm1d(h₀)] → activation [→ Dropout(dropout)] → … → Linear(h_last, out)
//
// The output layer has no activation (logits or regression values): pair it
// with the matching loss. activation nil means ReLU; it is shared by all
// blocks, so it must be stateless (the activations of this package are).
// batchnorm adds BatchNorm1d after each hidden Linear, dropout > 0 adds a
// Dropout after each activation. Weights are drawn from rng with PyTorch's
// defaults; the dropout masks come from one generator, seeded from rng and
// shared by the Dropout layers.
// Parameter names follow the layer indices of the Sequential, as in PyTorch.
func MLP[T Float](in int, hidden []int, out int, activation Module[T], batchnorm bool, dropout float64, rng *rand.Rand) *Sequential[T] {
	if rng == nil {
		panic("nn: MLP: nil *rand.Rand (pass a seeded generator)")
	}
	if activation == nil {
		activation = ReLU[T]{}
	}
	if !(dropout >= 0 && dropout < 1) {
		panic(fmt.Sprintf("nn: MLP: dropout probability %g is outside [0, 1)", dropout))
	}
	var layers []Module[T]
	var drng *rand.PCG
	if dropout > 0 {
		drng = rand.NewPCG(rng.Uint64(), rng.Uint64())
	}
	prev := in
	for _, h := range hidden {
		layers = append(layers, NewLinear[T](prev, h, rng))
		if batchnorm {
			layers = append(layers, NewBatchNorm1d[T](h))
		}
		layers = append(layers, activation)
		if dropout > 0 {
			layers = append(layers, NewDropout[T](dropout, drng))
		}
		prev = h
	}
	layers = append(layers, NewLinear[T](prev, out, rng))
	return NewSequential(layers...)
}
