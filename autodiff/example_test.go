package autodiff_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// The derivative of f(x) = x² is 2x: −1, 0 and 1 at −0.5, 0 and 0.5.
func ExampleGrad() {
	square := func(x *autodiff.Var[float64]) *autodiff.Var[float64] { return autodiff.Square(x) }
	for _, a := range []float64{-0.5, 0, 0.5} {
		g, err := autodiff.Grad(square, tensor.Scalar(a))
		if err != nil {
			panic(err)
		}
		fmt.Printf("f'(%v) = %v\n", a, g.Item())
	}
	// Output:
	// f'(-0.5) = -1
	// f'(0) = 0
	// f'(0.5) = 1
}

// f(x, y) = x² + y² has gradient (2x, 2y).
func ExampleValueAndGrad() {
	f := func(v *autodiff.Var[float64]) *autodiff.Var[float64] {
		return autodiff.Sum(autodiff.Square(v), false)
	}
	value, grad, err := autodiff.ValueAndGrad(f, tensor.FromSlice([]float64{3, -4}))
	if err != nil {
		panic(err)
	}
	fmt.Println(value, grad.Data())
	// Output: 25 [6 -8]
}

// f(x, y, z) = x²y + yz³ + sin(xy) at (2, 3, 1) has
// ∇f = (2xy + y·cos(xy), x² + z³ + x·cos(xy), 3yz²) = (12 + 3 cos 6, 5 + 2 cos 6, 9).
func ExampleVar_Backward() {
	x := autodiff.Param(tensor.Scalar(2.0))
	y := autodiff.Param(tensor.Scalar(3.0))
	z := autodiff.Param(tensor.Scalar(1.0))
	f := autodiff.Add(autodiff.Add(
		autodiff.Mul(autodiff.Square(x), y),
		autodiff.Mul(y, autodiff.PowConst(z, 3))),
		autodiff.Sin(autodiff.Mul(x, y)))
	if err := f.Backward(); err != nil {
		panic(err)
	}
	fmt.Printf("∇f = (%.6f, %.6f, %.6f)\n", x.Grad().Item(), y.Grad().Item(), z.Grad().Item())
	fmt.Printf("want (%.6f, %.6f, %.6f)\n", 12+3*math.Cos(6), 5+2*math.Cos(6), 9.0)
	// Output:
	// ∇f = (14.880511, 6.920341, 9.000000)
	// want (14.880511, 6.920341, 9.000000)
}

// The Hessian of f(x, y) = x³y + y² is [[6xy, 3x²], [3x², 2]], exact because
// the backward pass is itself differentiated.
func ExampleHessian() {
	f := func(v *autodiff.Var[float64]) *autodiff.Var[float64] {
		x, y := autodiff.Slice(v, 0, 0, 1), autodiff.Slice(v, 0, 1, 2)
		return autodiff.Sum(autodiff.Add(autodiff.Mul(autodiff.PowConst(x, 3), y), autodiff.Square(y)), false)
	}
	h, err := autodiff.Hessian(f, tensor.FromSlice([]float64{1, 2}))
	if err != nil {
		panic(err)
	}
	fmt.Println(h)
	// Output: [[12 3] [3 2]] shape=[2 2]
}

// A Hessian-vector product costs two backward passes and never forms the
// Hessian: for f(x) = Σ xᵢ⁴, ∇²f = diag(12xᵢ²).
func ExampleHVP() {
	f := func(x *autodiff.Var[float64]) *autodiff.Var[float64] {
		return autodiff.Sum(autodiff.PowConst(x, 4), false)
	}
	hv, err := autodiff.HVP(f, tensor.FromSlice([]float64{1, 2, 3}), tensor.FromSlice([]float64{1, 1, 1}))
	if err != nil {
		panic(err)
	}
	fmt.Println(hv.Data())
	// Output: [12 48 108]
}

// The directional derivative D_u f(x) = ∇f(x)·u, computed in forward mode.
func ExampleDirectionalDerivative() {
	f := func(v *autodiff.Var[float64]) *autodiff.Var[float64] {
		return autodiff.Sum(autodiff.Square(v), false) // ∇f = 2x
	}
	d, err := autodiff.DirectionalDerivative(f, tensor.FromSlice([]float64{1, 2}), tensor.FromSlice([]float64{0.6, 0.8}))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.4f\n", d) // 2·0.6 + 4·0.8
	// Output: 4.4000
}

// Asking for the gradient of a vector output is an error, not a silent sum.
func ExampleVar_Backward_nonScalar() {
	x := autodiff.Param(tensor.FromSlice([]float64{1, 2, 3}))
	err := autodiff.Exp(x).Backward()
	fmt.Println(err)
	// Output: autodiff: gradient of a non-scalar output (op "exp", shape [3]): reduce it to one element first (e.g. Sum or Mean), or pass a Seed of the same shape for a vector-Jacobian product
}

// The backprop gradients of a 2-layer ReLU network (3 inputs → 5 hidden → 2
// outputs, squared error on a batch of 4) agree with finite differences in
// every one of its 32 weights and biases.
func ExampleCheckParams() {
	rng := rand.New(rand.NewPCG(7, 7))
	X := autodiff.Const(tensor.RandN[float64](rng, 4, 3))
	Y := autodiff.Const(tensor.RandN[float64](rng, 4, 2))
	W1 := autodiff.Param(tensor.RandN[float64](rng, 3, 5))
	b1 := autodiff.Param(tensor.RandN[float64](rng, 5))
	W2 := autodiff.Param(tensor.RandN[float64](rng, 5, 2))
	b2 := autodiff.Param(tensor.RandN[float64](rng, 2))
	loss := func() *autodiff.Var[float64] {
		h := autodiff.ReLU(autodiff.Add(autodiff.MatMul(X, W1), b1))
		out := autodiff.Add(autodiff.MatMul(h, W2), b2)
		return autodiff.Mean(autodiff.Square(autodiff.Sub(out, Y)), false)
	}
	r, err := autodiff.CheckParams(loss, []*autodiff.Var[float64]{W1, b1, W2, b2}, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("entries:", len(r.Entries))
	fmt.Println("pass:", r.Pass)
	fmt.Println("max relative error below 1e-6:", r.MaxRelErr < 1e-6)
	// Output:
	// entries: 32
	// pass: true
	// max relative error below 1e-6: true
}

// A training loop whose steps reuse one Arena: the batch joins the arena
// through Const, so the forward values and the gradients flowing backward
// take their memory from it, while the weight and its gradient (in the
// weight's own buffer) live on. After the first steps a step allocates
// nothing.
func ExampleArena() {
	// Fit y = 2x by least squares with gradient descent.
	x := tensor.FromSlice([]float64{1, 2, 3, 4}, 4, 1)
	y := tensor.FromSlice([]float64{2, 4, 6, 8}, 4, 1)
	w := autodiff.Param(tensor.Zeros[float64](1, 1))
	var arena autodiff.Arena[float64]
	for step := range 30 {
		arena.Reset() // retires the previous step's values
		X, Y := arena.Const(x), arena.Const(y)
		w.ZeroGrad()
		loss := autodiff.Mean(autodiff.Square(autodiff.Sub(autodiff.MatMul(X, w), Y)), false)
		if err := loss.Backward(); err != nil {
			panic(err)
		}
		wd, gd := w.Value().Data(), w.Grad().Data()
		wd[0] -= 0.01 * gd[0]
		if step%10 == 0 {
			fmt.Printf("step %d: loss %.4g\n", step, loss.Item()) // copy out before the next Reset
		}
	}
	fmt.Printf("w = %.4f\n", w.Value().Item())
	// Output:
	// step 0: loss 30
	// step 10: loss 1.163
	// step 20: loss 0.04507
	// w = 1.9847
}
