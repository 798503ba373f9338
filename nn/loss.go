package nn

import (
	"fmt"
	"math"
	"slices"

	"github.com/nabla-go/nabla/autodiff"
)

// Loss is a training objective: a scalar Var from a model's output and the
// target. The losses in this package average over the batch (PyTorch's
// reduction='mean'). Output and target must have the same shape (no silent
// broadcasting of [N] against [N, 1]); SoftmaxCrossEntropy's Loss form takes
// class indices.
type Loss[T Float] func(output, target *autodiff.Var[T]) *autodiff.Var[T]

func sameShape[T Float](op string, a, b *autodiff.Var[T]) {
	if !slices.Equal(a.Shape(), b.Shape()) {
		panic(fmt.Sprintf("nn: %s: output shape %v and target shape %v differ (reshape the target: [N] and [N, 1] do not mix)", op, a.Shape(), b.Shape()))
	}
}

// MSE is the mean squared error mean((ŷ − y)²) over all elements, as
// torch.nn.MSELoss. ∂/∂ŷᵢ = 2(ŷᵢ − yᵢ)/n.
func MSE[T Float](pred, target *autodiff.Var[T]) *autodiff.Var[T] {
	sameShape("MSE", pred, target)
	return autodiff.Mean(autodiff.Square(autodiff.Sub(pred, target)), false)
}

// BCEWithLogits is the binary cross-entropy of labels y ∈ [0, 1] under
// probabilities σ(z), computed from the logits z without forming σ(z), as
// torch.nn.BCEWithLogitsLoss:
//
//	ℓ(z, y) = −y·log σ(z) − (1−y)·log(1−σ(z)) = max(z, 0) − z·y + log(1 + e^−|z|)
//
// averaged over all elements. The right-hand form never overflows (at
// z = ±800 it is exact); its gradient is ∂ℓ/∂z = σ(z) − y. It is computed as
// softplus(z) − z·y, softplus being evaluated in the same stable form, so the
// loss has no kink at z = 0.
func BCEWithLogits[T Float](logits, target *autodiff.Var[T]) *autodiff.Var[T] {
	sameShape("BCEWithLogits", logits, target)
	return autodiff.Mean(autodiff.Sub(autodiff.Softplus(logits), autodiff.Mul(logits, target)), false)
}

// SoftmaxCrossEntropy is the mean negative log-likelihood of integer class
// labels under softmax(logits), from logits [N, C], as
// torch.nn.CrossEntropyLoss:
//
//	ℓᵢ = −log softmax(zᵢ)[yᵢ] = logsumexp(zᵢ) − zᵢ[yᵢ],  ∂ℓᵢ/∂zᵢ = softmax(zᵢ) − onehot(yᵢ)
//
// computed by autodiff.SoftmaxCrossEntropy, which fuses the log-sum-exp
// (stable for large logits), the pick and the mean into one pass over the
// logits, and the gradient into one more; it equals
// −Mean(TakeAlong(LogSoftmax(logits, 1), 1, labels)) up to rounding, and
// second derivatives through it are exact.
func SoftmaxCrossEntropy[T Float](logits *autodiff.Var[T], labels []int) *autodiff.Var[T] {
	lv := logits.Value()
	if lv.Dims() != 2 || lv.Dim(0) != len(labels) {
		panic(fmt.Sprintf("nn: SoftmaxCrossEntropy: logits of shape %v with %d labels, want [%d, C]", logits.Shape(), len(labels), len(labels)))
	}
	for i, y := range labels {
		if c := lv.Dim(1); y < 0 || y >= c {
			panic(fmt.Sprintf("nn: SoftmaxCrossEntropy: label %d at index %d is outside [0, %d)", y, i, c))
		}
	}
	return autodiff.SoftmaxCrossEntropy(logits, labels)
}

// CrossEntropy is SoftmaxCrossEntropy in the form of a Loss: target holds the
// class indices as numbers, of shape [N] or [N, 1]. It panics on a target that
// is not a whole number.
func CrossEntropy[T Float](logits, target *autodiff.Var[T]) *autodiff.Var[T] {
	t := target.Value()
	if n := logits.Shape()[0]; t.Size() != n {
		panic(fmt.Sprintf("nn: CrossEntropy: target of shape %v for logits of shape %v, want [%d] class indices", target.Shape(), logits.Shape(), n))
	}
	labels := make([]int, t.Size())
	for i, v := range t.Data() {
		if float64(v) != math.Trunc(float64(v)) {
			panic(fmt.Sprintf("nn: CrossEntropy: target %v at index %d is not a class index", v, i))
		}
		labels[i] = int(v)
	}
	return SoftmaxCrossEntropy(logits, labels)
}

// Hinge is the loss of a linear SVM with labels y ∈ {−1, +1} and scores z:
//
//	mean(max(0, 1 − y·z)),  subgradient ∂/∂z = −y/n where y·z < 1, else 0
//
// (0 at the kink y·z = 1, as PyTorch's relu). Add L2(λ, weights) for the
// soft-margin SVM objective.
func Hinge[T Float](scores, target *autodiff.Var[T]) *autodiff.Var[T] {
	sameShape("Hinge", scores, target)
	margin := autodiff.Mul(scores, target)
	return autodiff.Mean(autodiff.ReLU(autodiff.AddConst(autodiff.Neg(margin), 1)), false)
}

// L1 is the lasso penalty λ·Σ|w| over all elements of params
// (subgradient λ·sign w, 0 at w = 0).
func L1[T Float](lambda T, params []*autodiff.Var[T]) *autodiff.Var[T] {
	total := autodiff.Scalar[T](0)
	for _, p := range params {
		total = autodiff.Add(total, autodiff.Sum(autodiff.Abs(p), false))
	}
	return autodiff.Scale(lambda, total)
}

// L2 is the ridge (weight decay) penalty λ/2·Σw² over all elements of params,
// with gradient λ·w: adding it to a loss is the same as torch.optim.SGD's
// weight_decay=λ. (Some texts write λ·Σw² without the ½; pass 2λ for that.)
// Usually only weights are penalised, not biases.
func L2[T Float](lambda T, params []*autodiff.Var[T]) *autodiff.Var[T] {
	total := autodiff.Scalar[T](0)
	for _, p := range params {
		total = autodiff.Add(total, autodiff.Sum(autodiff.Square(p), false))
	}
	return autodiff.Scale(lambda/2, total)
}
