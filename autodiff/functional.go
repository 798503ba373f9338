package autodiff

import (
	"errors"
	"fmt"
	"slices"

	"github.com/nabla-go/nabla/tensor"
)

// Func is a differentiable function of one tensor, written with this package's
// operations: f(x) for x of any shape.
type Func[T Float] func(x *Var[T]) *Var[T]

// call evaluates f at a fresh Param holding x, turning shape panics raised
// inside f into errors.
func call[T Float](f Func[T], x *tensor.Tensor[T]) (xv, y *Var[T], err error) {
	defer func() {
		if r := recover(); r != nil {
			var se *tensor.ShapeError
			if e, ok := r.(error); ok && errors.As(e, &se) {
				err = fmt.Errorf("autodiff: evaluating the function: %w", se)
				return
			}
			panic(r)
		}
	}()
	xv = Param(x)
	y = f(xv)
	if y == nil {
		return nil, nil, errors.New("autodiff: the function returned nil")
	}
	return xv, y, nil
}

// grad1 returns ∂y/∂x for one Var.
func grad1[T Float](y, x *Var[T], opts BackwardOptions[T]) (*Var[T], error) {
	if !y.requiresGrad { // y does not depend on x: the derivative is zero
		return Const(tensor.New[T](x.Shape()...)), nil
	}
	gs, err := Gradients(y, []*Var[T]{x}, opts)
	if err != nil {
		return nil, err
	}
	return gs[0], nil
}

func scalarOut[T Float](y *Var[T], what string) error {
	if y.val().Size() != 1 {
		return fmt.Errorf("autodiff: %s needs a function with a single-element output, but it returned shape %v (op %q); reduce it (Sum, Mean) or use Jacobian/VJP", what, y.Shape(), y.Op())
	}
	return nil
}

// ValueAndGrad returns f(x) and ∇f(x) for f: Rⁿ → R (x of any shape; the
// gradient has x's shape), in one forward and one backward pass.
func ValueAndGrad[T Float](f Func[T], x *tensor.Tensor[T]) (T, *tensor.Tensor[T], error) {
	xv, y, err := call(f, x)
	if err != nil {
		return 0, nil, err
	}
	if err := scalarOut(y, "ValueAndGrad"); err != nil {
		return 0, nil, err
	}
	g, err := grad1(y, xv, BackwardOptions[T]{})
	if err != nil {
		return 0, nil, err
	}
	return y.Item(), g.val(), nil
}

// Grad returns ∇f(x) for f: Rⁿ → R.
func Grad[T Float](f Func[T], x *tensor.Tensor[T]) (*tensor.Tensor[T], error) {
	_, g, err := ValueAndGrad(f, x)
	return g, err
}

// VJP returns y = f(x) and the vector-Jacobian product wᵀJ = J(x)ᵀw, of x's
// shape, for w of y's shape: one reverse pass.
func VJP[T Float](f Func[T], x, w *tensor.Tensor[T]) (y, xbar *tensor.Tensor[T], err error) {
	xv, yv, err := call(f, x)
	if err != nil {
		return nil, nil, err
	}
	if !slices.Equal(w.Shape(), yv.Shape()) {
		return nil, nil, fmt.Errorf("autodiff: VJP: w has shape %v but f(x) has shape %v; they must match", w.Shape(), yv.Shape())
	}
	g, err := grad1(yv, xv, BackwardOptions[T]{Seed: Const(w)})
	if err != nil {
		return nil, nil, err
	}
	return yv.val(), g.val(), nil
}

// transposer evaluates f at x once and records the map w ↦ J(x)ᵀw as a graph
// in w. Because that map is linear in w, its own vector-Jacobian product with
// u is J(x)u: forward mode obtained by transposing reverse mode (the converse
// of how JAX derives reverse mode from forward mode). Each product costs one
// backward pass over the recorded graph, independent of the output size.
type transposer[T Float] struct {
	x, y, w, jtw *Var[T]
}

func newTransposer[T Float](xv, y *Var[T]) (*transposer[T], error) {
	w := Param(tensor.New[T](y.Shape()...))
	tr := &transposer[T]{x: xv, y: y, w: w}
	if !y.requiresGrad {
		return tr, nil
	}
	gs, err := Gradients(y, []*Var[T]{xv}, BackwardOptions[T]{Seed: w, CreateGraph: true})
	if err != nil {
		return nil, err
	}
	tr.jtw = gs[0]
	return tr, nil
}

// jvp returns J(x)u.
func (tr *transposer[T]) jvp(u *tensor.Tensor[T]) (*tensor.Tensor[T], error) {
	if !slices.Equal(u.Shape(), tr.x.Shape()) {
		return nil, fmt.Errorf("autodiff: tangent of shape %v does not match the input's shape %v", u.Shape(), tr.x.Shape())
	}
	if tr.jtw == nil || !tr.jtw.requiresGrad {
		return tensor.New[T](tr.y.Shape()...), nil
	}
	gs, err := Gradients(tr.jtw, []*Var[T]{tr.w}, BackwardOptions[T]{Seed: Const(u)})
	if err != nil {
		return nil, err
	}
	return gs[0].val(), nil
}

// JVP returns y = f(x) and the Jacobian-vector product J(x)u (forward mode,
// the directional derivative of every output along u), of y's shape.
func JVP[T Float](f Func[T], x, u *tensor.Tensor[T]) (y, ydot *tensor.Tensor[T], err error) {
	xv, yv, err := call(f, x)
	if err != nil {
		return nil, nil, err
	}
	tr, err := newTransposer(xv, yv)
	if err != nil {
		return nil, nil, err
	}
	ydot, err = tr.jvp(u)
	if err != nil {
		return nil, nil, err
	}
	return tr.y.val(), ydot, nil
}

// DirectionalDerivative returns D_u f(x) = ∇f(x)·u for f: Rⁿ → R. u is used as
// given (normalise it first for the slope per unit length).
func DirectionalDerivative[T Float](f Func[T], x, u *tensor.Tensor[T]) (T, error) {
	y, d, err := JVP(f, x, u)
	if err != nil {
		return 0, err
	}
	if y.Size() != 1 {
		return 0, fmt.Errorf("autodiff: DirectionalDerivative needs a single-element output, got shape %v", y.Shape())
	}
	return d.Item(), nil
}

// Jacobian returns ∂f(x)/∂x with shape y.shape ++ x.shape. It builds the
// matrix by rows with reverse mode when f has no more outputs than inputs
// (wide), and by columns with forward mode (JVPs) when it has more (tall).
func Jacobian[T Float](f Func[T], x *tensor.Tensor[T]) (*tensor.Tensor[T], error) {
	xv, y, err := call(f, x)
	if err != nil {
		return nil, err
	}
	m, n := y.val().Size(), x.Size()
	shape := append(y.Shape(), x.Shape()...)
	jac := tensor.New[T](m, n)
	if !y.requiresGrad {
		return tensor.Reshape(jac, shape...), nil
	}
	if m <= n { // reverse mode: row i = eᵢᵀJ
		for i := 0; i < m; i++ {
			e := tensor.New[T](m)
			e.Data()[i] = 1
			row, err := grad1(y, xv, BackwardOptions[T]{Seed: Const(tensor.Reshape(e, y.Shape()...))})
			if err != nil {
				return nil, err
			}
			copy(jac.Data()[i*n:(i+1)*n], row.val().Data())
		}
		return tensor.Reshape(jac, shape...), nil
	}
	tr, err := newTransposer(xv, y)
	if err != nil {
		return nil, err
	}
	for j := 0; j < n; j++ { // forward mode: column j = J eⱼ
		e := tensor.New[T](n)
		e.Data()[j] = 1
		col, err := tr.jvp(tensor.Reshape(e, x.Shape()...))
		if err != nil {
			return nil, err
		}
		for i, v := range col.Data() {
			jac.Data()[i*n+j] = v
		}
	}
	return tensor.Reshape(jac, shape...), nil
}

// Hessian returns ∇²f(x), of shape x.shape ++ x.shape, for f: Rⁿ → R: the
// gradient is recorded as a graph once, then differentiated row by row —
// exact, not finite differences.
func Hessian[T Float](f Func[T], x *tensor.Tensor[T]) (*tensor.Tensor[T], error) {
	xv, y, err := call(f, x)
	if err != nil {
		return nil, err
	}
	if err := scalarOut(y, "Hessian"); err != nil {
		return nil, err
	}
	n := x.Size()
	h := tensor.New[T](n, n)
	shape := append(x.Shape(), x.Shape()...)
	g, err := grad1(y, xv, BackwardOptions[T]{CreateGraph: true})
	if err != nil || !g.requiresGrad {
		return tensor.Reshape(h, shape...), err
	}
	for i := 0; i < n; i++ {
		e := tensor.New[T](n)
		e.Data()[i] = 1
		row, err := grad1(g, xv, BackwardOptions[T]{Seed: Const(tensor.Reshape(e, x.Shape()...))})
		if err != nil {
			return nil, err
		}
		copy(h.Data()[i*n:(i+1)*n], row.val().Data())
	}
	return tensor.Reshape(h, shape...), nil
}

// HVP returns the Hessian-vector product ∇²f(x)·v without forming the Hessian:
// the gradient of ∇f(x)·v, i.e. two reverse passes.
func HVP[T Float](f Func[T], x, v *tensor.Tensor[T]) (*tensor.Tensor[T], error) {
	if !slices.Equal(v.Shape(), x.Shape()) {
		return nil, fmt.Errorf("autodiff: HVP vector of shape %v does not match x of shape %v", v.Shape(), x.Shape())
	}
	xv, y, err := call(f, x)
	if err != nil {
		return nil, err
	}
	if err := scalarOut(y, "HVP"); err != nil {
		return nil, err
	}
	g, err := grad1(y, xv, BackwardOptions[T]{CreateGraph: true})
	if err != nil {
		return nil, err
	}
	if !g.requiresGrad {
		return tensor.New[T](x.Shape()...), nil
	}
	hv, err := grad1(g, xv, BackwardOptions[T]{Seed: Const(v)})
	if err != nil {
		return nil, err
	}
	return hv.val(), nil
}
