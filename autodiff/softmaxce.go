package autodiff

import "github.com/nabla-go/nabla/tensor"

// SoftmaxCrossEntropy is the mean cross-entropy of the class labels under
// the softmax of logits [N, C], as one primitive:
//
//	L = (1/N) Σᵢ ℓᵢ,  ℓᵢ = logsumexp(zᵢ) − zᵢ[yᵢ],  ∂L/∂zᵢ = (softmax(zᵢ) − onehot(yᵢ))/N
//
// Its value is that of −Mean(TakeAlong(LogSoftmax(logits, 1), 1, labels))
// up to rounding, but the forward pass reads the logits once and makes no
// log-softmax tensor (tensor.SoftmaxCrossEntropy), and the backward pass
// writes the gradient in one pass (tensor.SoftmaxCrossEntropyGrad), so a
// training step stores and walks three nodes fewer. The gradient is itself
// a primitive whose backward rule is written with differentiable
// operations, so Hessians and Hessian-vector products through the loss are
// exact. A recorded node keeps labels (not a copy): do not change them
// before the backward pass. It panics on a shape or label that does not fit.
func SoftmaxCrossEntropy[T Float](logits *Var[T], labels []int) *Var[T] {
	n := newNode(softmaxCEOp[T]{}, logits, nil, nil)
	loss := tensor.SoftmaxCrossEntropy(logits.val(), labels)
	if n.requiresGrad {
		n.params().idx = labels
	}
	return n.setScalar(loss)
}

// softmaxCEOp is SoftmaxCrossEntropy; a recorded node keeps the labels in
// its extra, as TakeAlong does.
type softmaxCEOp[T Float] struct{}

func (softmaxCEOp[T]) name() string { return "softmax_cross_entropy" }

// ∂L/∂zᵢⱼ = (softmax(zᵢ)ⱼ − [j = yᵢ])/N
func (softmaxCEOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	grads[0] = softmaxCEGrad(out.ins()[0], g, out.extra.idx)
}

// softmaxCEGrad is g·(softmax(zᵢ) − onehot(yᵢ))/N for the rows zᵢ of z
// [N, C] and a scalar upstream gradient g: the backward pass of
// SoftmaxCrossEntropy, recorded as a node with inputs z and g.
func softmaxCEGrad[T Float](z, g *Var[T], labels []int) *Var[T] {
	n := newNode(softmaxCEGradOp[T]{}, z, g, nil)
	n.set(tensor.SoftmaxCrossEntropyGrad(z.val(), labels, g.item()/T(len(labels))))
	if n.requiresGrad {
		n.params().idx = labels
	}
	return n
}

// softmaxCEGradOp is softmaxCEGrad, with the labels kept as
// SoftmaxCrossEntropy keeps them.
type softmaxCEGradOp[T Float] struct{}

func (softmaxCEGradOp[T]) name() string { return "softmax_cross_entropy_grad" }

// With G = (g/N)(S − Y), S = softmax(z) by rows, and upstream U:
// ∂⟨U, G⟩/∂z = (g/N)·S ⊙ (U − Σⱼ U ⊙ S), ∂⟨U, G⟩/∂g = (Σ U ⊙ S − Σᵢ Uᵢ[yᵢ])/N
func (softmaxCEGradOp[T]) vjp(out, u *Var[T], grads []*Var[T]) {
	z, g := plain(u, out.ins()[0]), plain(u, out.ins()[1])
	labels := out.extra.idx
	inv := 1 / T(len(labels))
	s := Softmax(z, 1)
	us := Mul(u, s)
	if needs(out, 0) {
		grads[0] = Mul(Scale(inv, g), Mul(s, Sub(u, Sum(us, true, 1))))
	}
	if needs(out, 1) {
		grads[1] = Scale(inv, Sub(Sum(us, false), Sum(TakeAlong(u, 1, labels), false)))
	}
}
