package autodiff

import (
	"math"

	"github.com/nabla-go/nabla/tensor"
)

// unbroadcast sums a gradient down to the shape of the input it belongs to.
func unbroadcast[T Float](g, in *Var[T]) *Var[T] {
	var b [8]int
	return SumTo(g, in.dims(&b)...)
}

// Add returns a + b (broadcasting).
func Add[T Float](a, b *Var[T]) *Var[T] {
	n := newNode(addOp[T]{}, a, b, nil)
	if scalars(a, b) {
		return n.setScalar(a.item() + b.item())
	}
	return n.set(tensor.Add(a.val(), b.val()))
}

type addOp[T Float] struct{}

func (addOp[T]) name() string { return "add" }

// ∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1
func (addOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	if needs(out, 0) {
		grads[0] = unbroadcast(g, out.ins()[0])
	}
	if needs(out, 1) {
		grads[1] = unbroadcast(g, out.ins()[1])
	}
}

// Sub returns a − b (broadcasting).
func Sub[T Float](a, b *Var[T]) *Var[T] {
	n := newNode(subOp[T]{}, a, b, nil)
	if scalars(a, b) {
		return n.setScalar(a.item() - b.item())
	}
	return n.set(tensor.Sub(a.val(), b.val()))
}

type subOp[T Float] struct{}

func (subOp[T]) name() string { return "sub" }

// ∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1
func (subOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	if needs(out, 0) {
		grads[0] = unbroadcast(g, out.ins()[0])
	}
	if needs(out, 1) {
		grads[1] = fresh(unbroadcast(Neg(g), out.ins()[1]))
	}
}

// Mul returns a · b elementwise (broadcasting).
func Mul[T Float](a, b *Var[T]) *Var[T] {
	n := newNode(mulOp[T]{}, a, b, nil)
	if scalars(a, b) {
		return n.setScalar(a.item() * b.item())
	}
	return n.set(tensor.Mul(a.val(), b.val()))
}

type mulOp[T Float] struct{}

func (mulOp[T]) name() string { return "mul" }

// ∂(ab)/∂a = b, ∂(ab)/∂b = a
func (mulOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	a, b := out.ins()[0], out.ins()[1]
	if needs(out, 0) {
		grads[0] = unbroadcast(Mul(g, b), a)
	}
	if needs(out, 1) {
		grads[1] = unbroadcast(Mul(g, a), b)
	}
}

// Div returns a / b elementwise (broadcasting).
func Div[T Float](a, b *Var[T]) *Var[T] {
	n := newNode(divOp[T]{}, a, b, nil)
	if scalars(a, b) {
		return n.setScalar(a.item() / b.item())
	}
	return n.set(tensor.Div(a.val(), b.val()))
}

type divOp[T Float] struct{}

func (divOp[T]) name() string { return "div" }

// ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = −a/b² = −(a/b)/b
func (divOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	a, b := out.ins()[0], out.ins()[1]
	gb := Div(g, b)
	if needs(out, 0) {
		grads[0] = unbroadcast(gb, a)
	}
	if needs(out, 1) {
		grads[1] = unbroadcast(Neg(Mul(gb, plain(g, out))), b)
	}
}

// Pow returns a^b elementwise (broadcasting).
func Pow[T Float](a, b *Var[T]) *Var[T] {
	return apply2(powOp[T]{}, a, b, tensor.Pow(a.val(), b.val()))
}

type powOp[T Float] struct{}

func (powOp[T]) name() string { return "pow" }

// ∂(aᵇ)/∂a = b·a^(b−1); ∂(aᵇ)/∂b = aᵇ·log a, taken as 0 where a = 0 and b ≥ 0 (as PyTorch)
func (powOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	a, b := out.ins()[0], out.ins()[1]
	pa, pb := plain(g, a), plain(g, b)
	if needs(out, 0) {
		grads[0] = unbroadcast(Mul(g, Mul(pb, Pow(pa, AddConst(pb, -1)))), a)
	}
	if needs(out, 1) {
		zero := tensor.Mul(tensor.Equal(pa.val(), tensor.Scalar[T](0)), tensor.Sub(tensor.Scalar[T](1), tensor.Less(pb.val(), tensor.Scalar[T](0))))
		d := Where(zero, Scalar[T](0), Mul(Pow(pa, pb), Log(pa)))
		grads[1] = unbroadcast(Mul(g, d), b)
	}
}

// Maximum returns max(a, b) elementwise (broadcasting). At ties the gradient is
// split equally between a and b, as in PyTorch.
func Maximum[T Float](a, b *Var[T]) *Var[T] {
	return apply2(extremumOp[T]{max: true}, a, b, tensor.Maximum(a.val(), b.val()))
}

// Minimum returns min(a, b) elementwise (broadcasting), splitting ties equally.
func Minimum[T Float](a, b *Var[T]) *Var[T] {
	return apply2(extremumOp[T]{}, a, b, tensor.Minimum(a.val(), b.val()))
}

type extremumOp[T Float] struct{ max bool }

func (o extremumOp[T]) name() string {
	if o.max {
		return "maximum"
	}
	return "minimum"
}

// ∂max(a,b)/∂a = [a > b] + ½[a = b] (a constant mask); ∂/∂b likewise
func (o extremumOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	a, b := out.ins()[0], out.ins()[1]
	wins := tensor.Less[T]
	if o.max {
		wins = tensor.Greater[T]
	}
	half := tensor.Scale(0.5, tensor.Equal(a.val(), b.val()))
	if needs(out, 0) {
		grads[0] = unbroadcast(Mul(g, constOf(g, tensor.Add(wins(a.val(), b.val()), half))), a)
	}
	if needs(out, 1) {
		grads[1] = unbroadcast(Mul(g, constOf(g, tensor.Add(wins(b.val(), a.val()), half))), b)
	}
}

func (extremumOp[T]) branch(out *Var[T]) string {
	return signs(tensor.Sub(out.ins()[0].val(), out.ins()[1].val()))
}

// Where returns a where cond ≠ 0 and b elsewhere (all three broadcast). cond
// is a constant mask: no gradient flows to it.
func Where[T Float](cond *tensor.Tensor[T], a, b *Var[T]) *Var[T] {
	return apply2(whereOp[T]{cond}, a, b, tensor.Where(cond, a.val(), b.val()))
}

type whereOp[T Float] struct{ cond *tensor.Tensor[T] }

func (whereOp[T]) name() string { return "where" }

// ∂/∂a = [cond], ∂/∂b = [¬cond]
func (o whereOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	zero := Scalar[T](0)
	if needs(out, 0) {
		grads[0] = unbroadcast(Where(o.cond, g, zero), out.ins()[0])
	}
	if needs(out, 1) {
		grads[1] = unbroadcast(Where(o.cond, zero, g), out.ins()[1])
	}
}

// Neg returns −x.
func Neg[T Float](x *Var[T]) *Var[T] {
	n := newNode(negOp[T]{}, x, nil, nil)
	if x.isScalar() {
		return n.setScalar(-x.item())
	}
	if v, ok := broadcastScalar(x); ok { // a gradient that is one number
		return n.set(spread(x, -v))
	}
	return n.set(tensor.Neg(x.val()))
}

type negOp[T Float] struct{}

func (negOp[T]) name() string { return "neg" }

// d/dx (−x) = −1
func (negOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	if donate(g) { // −g into g's own memory (see ownedFlag)
		tensor.ScaleInto(g.value, -1, g.value)
		grads[0] = g
		return
	}
	grads[0] = fresh(Neg(g))
}

// Scale returns c·x for a constant c.
func Scale[T Float](c T, x *Var[T]) *Var[T] {
	n := newNode(scaleOp[T]{}, x, nil, nil)
	n.k = c
	if x.isScalar() {
		return n.setScalar(c * x.item())
	}
	if v, ok := broadcastScalar(x); ok { // a gradient that is one number
		return n.set(spread(x, c*v))
	}
	return n.set(tensor.Scale(c, x.val()))
}

type scaleOp[T Float] struct{}

func (scaleOp[T]) name() string { return "scale" }

// d/dx (c·x) = c
func (scaleOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	if donate(g) { // c·g into g's own memory (see ownedFlag)
		tensor.ScaleInto(g.value, out.k, g.value)
		grads[0] = g
		return
	}
	grads[0] = fresh(Scale(out.k, g))
}

// AddConst returns x + c for a constant c.
func AddConst[T Float](x *Var[T], c T) *Var[T] {
	n := newNode(addConstOp[T]{}, x, nil, nil)
	n.k = c
	if x.isScalar() {
		return n.setScalar(x.item() + c)
	}
	return n.set(tensor.AddScalar(x.val(), c))
}

type addConstOp[T Float] struct{}

func (addConstOp[T]) name() string { return "add_const" }

// d/dx (x + c) = 1
func (addConstOp[T]) vjp(out, g *Var[T], grads []*Var[T]) { grads[0] = g }

// PowConst returns xᵖ for a constant p.
func PowConst[T Float](x *Var[T], p T) *Var[T] {
	n := newNode(powConstOp[T]{}, x, nil, nil)
	n.k = p
	if x.isScalar() {
		return n.setScalar(tensor.PowOf(x.item(), p))
	}
	return n.set(tensor.PowScalar(x.val(), p))
}

type powConstOp[T Float] struct{}

func (powConstOp[T]) name() string { return "pow_const" }

// d/dx xᵖ = p·x^(p−1)
func (powConstOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	x, p := plain(g, out.ins()[0]), out.k
	switch p {
	case 0:
		grads[0] = Scale(0, g)
	case 1:
		grads[0] = g
	case 2:
		grads[0] = scaledMulGrad(2, g, x) // 2·(g·x) in one pass
	default:
		grads[0] = scaledMulGrad(p, g, PowConst(x, p-1))
	}
}

// Square returns x².
func Square[T Float](x *Var[T]) *Var[T] { return PowConst(x, 2) }

// Exp returns eˣ: math.Exp for a scalar, tensor.Exp (SIMD for float32 and
// float64, within 1 ulp of eˣ; see vec.Exp) for a tensor.
func Exp[T Float](x *Var[T]) *Var[T] {
	if x.isScalar() {
		return unary(expOp[T]{}, x, math.Exp)
	}
	return apply1(expOp[T]{}, x, tensor.Exp(x.val()))
}

type expOp[T Float] struct{}

func (expOp[T]) name() string { return "exp" }

// d/dx eˣ = eˣ
func (expOp[T]) vjp(out, g *Var[T], grads []*Var[T]) { grads[0] = Mul(g, plain(g, out)) }

// Log returns the natural logarithm: math.Log for a scalar, tensor.Log
// (SIMD for float32 and float64, within 1 ulp; see vec.Log) for a tensor.
func Log[T Float](x *Var[T]) *Var[T] {
	if x.isScalar() {
		return unary(logOp[T]{}, x, math.Log)
	}
	return apply1(logOp[T]{}, x, tensor.Log(x.val()))
}

type logOp[T Float] struct{}

func (logOp[T]) name() string { return "log" }

// d/dx log x = 1/x
func (logOp[T]) vjp(out, g *Var[T], grads []*Var[T]) { grads[0] = Div(g, out.ins()[0]) }

// Sqrt returns √x.
func Sqrt[T Float](x *Var[T]) *Var[T] { return unary(sqrtOp[T]{}, x, math.Sqrt) }

type sqrtOp[T Float] struct{}

func (sqrtOp[T]) name() string { return "sqrt" }

// d/dx √x = 1/(2√x)
func (sqrtOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	grads[0] = Scale(0.5, Div(g, plain(g, out)))
}

// Abs returns |x|. Its derivative at 0 is taken as 0 (sign x), as in PyTorch.
func Abs[T Float](x *Var[T]) *Var[T] { return unary(absOp[T]{}, x, math.Abs) }

type absOp[T Float] struct{ signBranch[T] }

func (absOp[T]) name() string { return "abs" }

// d/dx |x| = sign x
func (absOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	grads[0] = Mul(g, constOf(g, tensor.Sign(out.ins()[0].val())))
}

// signBranch is the kink description of ops whose kink is at input 0.
type signBranch[T Float] struct{}

func (signBranch[T]) branch(out *Var[T]) string { return signs(out.ins()[0].val()) }

// Sin returns sin x.
func Sin[T Float](x *Var[T]) *Var[T] { return unary(sinOp[T]{}, x, math.Sin) }

type sinOp[T Float] struct{}

func (sinOp[T]) name() string { return "sin" }

// d/dx sin x = cos x
func (sinOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	grads[0] = Mul(g, Cos(plain(g, out.ins()[0])))
}

// Cos returns cos x.
func Cos[T Float](x *Var[T]) *Var[T] { return unary(cosOp[T]{}, x, math.Cos) }

type cosOp[T Float] struct{}

func (cosOp[T]) name() string { return "cos" }

// d/dx cos x = −sin x
func (cosOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	grads[0] = Neg(Mul(g, Sin(plain(g, out.ins()[0]))))
}

// Tan returns tan x.
func Tan[T Float](x *Var[T]) *Var[T] { return unary(tanOp[T]{}, x, math.Tan) }

type tanOp[T Float] struct{}

func (tanOp[T]) name() string { return "tan" }

// d/dx tan x = 1 + tan² x
func (tanOp[T]) vjp(out, g *Var[T], grads []*Var[T]) { grads[0] = Add(g, Mul(Mul(g, out), out)) }

// Asin returns the inverse sine arcsin x (NaN outside [−1, 1]).
func Asin[T Float](x *Var[T]) *Var[T] { return unary(asinOp[T]{}, x, math.Asin) }

type asinOp[T Float] struct{}

func (asinOp[T]) name() string { return "asin" }

// d/dx arcsin x = (1 − x²)^(−½)
func (asinOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	grads[0] = Mul(g, arcsinSlope(plain(g, out.ins()[0])))
}

// arcsinSlope is (1 − x²)^(−½), the derivative of arcsin.
func arcsinSlope[T Float](x *Var[T]) *Var[T] { return PowConst(AddConst(Neg(Square(x)), 1), -0.5) }

// Acos returns the inverse cosine arccos x (NaN outside [−1, 1]).
func Acos[T Float](x *Var[T]) *Var[T] { return unary(acosOp[T]{}, x, math.Acos) }

type acosOp[T Float] struct{}

func (acosOp[T]) name() string { return "acos" }

// d/dx arccos x = −(1 − x²)^(−½)
func (acosOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	grads[0] = Neg(Mul(g, arcsinSlope(plain(g, out.ins()[0]))))
}

// Atan returns the inverse tangent arctan x.
func Atan[T Float](x *Var[T]) *Var[T] { return unary(atanOp[T]{}, x, math.Atan) }

type atanOp[T Float] struct{}

func (atanOp[T]) name() string { return "atan" }

// d/dx arctan x = 1/(1 + x²)
func (atanOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	grads[0] = Div(g, AddConst(Square(plain(g, out.ins()[0])), 1))
}

// Tanh returns tanh x.
func Tanh[T Float](x *Var[T]) *Var[T] { return unary(tanhOp[T]{}, x, math.Tanh) }

type tanhOp[T Float] struct{}

func (tanhOp[T]) name() string { return "tanh" }

// d/dx tanh x = 1 − tanh² x
func (tanhOp[T]) vjp(out, g *Var[T], grads []*Var[T]) { grads[0] = tanhBackward(g, out) }

// tanhBackward is g·(1 − y²), the backward of y = tanh x fused into one
// operation so a chain of scalar tanh costs one node per step.
func tanhBackward[T Float](g, y *Var[T]) *Var[T] {
	n := newNode(tanhBackwardOp[T]{}, g, y, nil)
	if scalars(g, y) {
		gv, yv := g.item(), y.item()
		return n.setScalar(gv * (1 - yv*yv))
	}
	return n.set(tensor.Mul(g.val(), tensor.Sub(tensor.Scalar[T](1), tensor.Mul(y.val(), y.val()))))
}

type tanhBackwardOp[T Float] struct{}

func (tanhBackwardOp[T]) name() string { return "tanh_backward" }

// ∂[g(1 − y²)]/∂g = 1 − y², ∂/∂y = −2gy
func (tanhBackwardOp[T]) vjp(out, gg *Var[T], grads []*Var[T]) {
	g, y := out.ins()[0], out.ins()[1]
	if needs(out, 0) {
		grads[0] = unbroadcast(tanhBackward(gg, y), g)
	}
	if needs(out, 1) {
		grads[1] = unbroadcast(Scale(-2, Mul(Mul(gg, g), y)), y)
	}
}

// Sigmoid returns σ(x) = 1/(1+e⁻ˣ).
func Sigmoid[T Float](x *Var[T]) *Var[T] { return unary(sigmoidOp[T]{}, x, tensor.SigmoidOf) }

type sigmoidOp[T Float] struct{}

func (sigmoidOp[T]) name() string { return "sigmoid" }

// d/dx σ(x) = σ(x)(1 − σ(x))
func (sigmoidOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	gy := Mul(g, out)
	grads[0] = Sub(gy, Mul(gy, out))
}

// Softplus returns log(1+eˣ).
func Softplus[T Float](x *Var[T]) *Var[T] { return unary(softplusOp[T]{}, x, tensor.SoftplusOf) }

type softplusOp[T Float] struct{}

func (softplusOp[T]) name() string { return "softplus" }

// d/dx log(1+eˣ) = σ(x)
func (softplusOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	grads[0] = Mul(g, Sigmoid(plain(g, out.ins()[0])))
}

// Erf returns the error function erf x.
func Erf[T Float](x *Var[T]) *Var[T] { return unary(erfOp[T]{}, x, math.Erf) }

type erfOp[T Float] struct{}

func (erfOp[T]) name() string { return "erf" }

// d/dx erf x = 2/√π · e^(−x²)
func (erfOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	x := plain(g, out.ins()[0])
	grads[0] = Mul(g, Scale(T(2/math.Sqrt(math.Pi)), Exp(Neg(Square(x)))))
}

// GELU returns x·Φ(x) = x/2·(1 + erf(x/√2)), the exact form (PyTorch's default).
func GELU[T Float](x *Var[T]) *Var[T] { return unary(geluOp[T]{}, x, tensor.GELUOf) }

type geluOp[T Float] struct{}

func (geluOp[T]) name() string { return "gelu" }

// d/dx x·Φ(x) = Φ(x) + x·φ(x), with φ(x) = e^(−x²/2)/√(2π)
func (geluOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	x := plain(g, out.ins()[0])
	cdf := Scale(0.5, AddConst(Erf(Scale(T(1/math.Sqrt2), x)), 1))
	pdf := Scale(T(1/math.Sqrt(2*math.Pi)), Exp(Scale(-0.5, Square(x))))
	grads[0] = Mul(g, Add(cdf, Mul(x, pdf)))
}

// ReLU returns max(x, 0). Its derivative at 0 is taken as 0, as in PyTorch.
func ReLU[T Float](x *Var[T]) *Var[T] {
	if x.isScalar() {
		return unary(reluOp[T]{}, x, tensor.ReLUOf)
	}
	n := newNode(reluOp[T]{}, x, nil, nil)
	return n.set(tensor.ReLU(x.val())) // tensor.Apply(x, ReLUOf), with SIMD
}

type reluOp[T Float] struct{ signBranch[T] }

func (reluOp[T]) name() string { return "relu" }

// d/dx max(x, 0) = [x > 0]
func (reluOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	x := out.ins()[0]
	if x.isScalar() {
		grads[0] = Mul(g, constOf(g, tensor.Step(x.val())))
		return
	}
	grads[0] = reluMask(g, x)
}

// reluMask returns g·[x > 0] (x held as a constant): ReLU's backward rule in
// one pass over memory, with the bits of Mul(g, Step(x)).
func reluMask[T Float](g, x *Var[T]) *Var[T] {
	n := newNode(reluMaskOp[T]{}, g, constOf(g, x.val()), nil)
	return n.set(tensor.ReLUMask(g.val(), x.val()))
}

type reluMaskOp[T Float] struct{}

func (reluMaskOp[T]) name() string { return "relu_mask" }

// ∂(g·[x > 0])/∂g = [x > 0]; the mask is a constant (its derivative in x is
// 0 wherever it exists).
func (reluMaskOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	grads[0] = reluMask(g, out.ins()[1])
}

// LeakyReLU returns x for x > 0 and slope·x otherwise (PyTorch's default slope
// is 0.01).
func LeakyReLU[T Float](x *Var[T], slope T) *Var[T] {
	n := newNode(leakyReLUOp[T]{}, x, nil, nil)
	n.k = slope
	return n.set(tensor.LeakyReLU(x.val(), slope))
}

type leakyReLUOp[T Float] struct{ signBranch[T] }

func (leakyReLUOp[T]) name() string { return "leaky_relu" }

// d/dx = 1 for x > 0, slope otherwise
func (leakyReLUOp[T]) vjp(out, g *Var[T], grads []*Var[T]) {
	slope := out.k
	d := tensor.Map(out.ins()[0].val(), func(v T) T {
		if v > 0 {
			return 1
		}
		return slope
	})
	grads[0] = Mul(g, constOf(g, d))
}
