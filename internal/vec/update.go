package vec

import (
	"fmt"
	"math"
)

// The fused optimiser updates: one pass over a parameter, its gradient and
// its state buffers per step, instead of a pass per operation. Each takes
// its scalars in a settings struct of float64 fields holding values already
// rounded to the element type T (the optimiser computes them in T, as its
// plain loop does, so converting back to T is exact), and flags.
//
// The formulas below are the operations performed, in order, each rounded
// to T: a·b + c·d is (a·b rounded) + (c·d rounded), never fused; √ is the
// correctly rounded square root; −x flips the sign bit. They are those of
// the plain loops of package optim, operation for operation, which the
// tests there check bit for bit.
//
// Unlike the kernels of vec.go, these promise bit-identical results except
// for the payloads of NaNs: a result is NaN exactly where the Go loop's is,
// but which payload it carries when two NaNs meet depends on the order in
// which Go's compiler happens to put the operands (it differs from loop to
// loop and version to version), and Go's max blends payloads. An optimiser
// step that makes a NaN is an error anyway.
//
// Every slice must have the length of p, except the optional state buffers
// documented as "nil when unused", which are nil or of that length.

// Adam is one step of Adam, AdamW or AMSGrad (see AdamStep).
type Adam struct {
	Beta1, OneMinusBeta1 float64 // β₁ and 1 − β₁
	Beta2, OneMinusBeta2 float64 // β₂ and 1 − β₂
	NegStepSize          float64 // −LR/(1 − β₁ᵗ)
	BiasCorrection2      float64 // √(1 − β₂ᵗ)
	Eps                  float64 // ε
	WeightDecay          float64 // λ of the L2 penalty; unused when 0 or Decoupled
	Decay                float64 // 1 − LR·λ, the decoupled (AdamW) factor
	Maximize             bool    // negate the gradient
	Decoupled            bool    // AdamW: scale p by Decay instead of adding λ·p to g
}

// AdamStep applies one Adam update: for each i, with g = grad[i],
//
//	if Maximize: g ← −g
//	if Decoupled: p ← p·Decay
//	else if WeightDecay ≠ 0: g ← g + WeightDecay·p
//	m ← m·Beta1 + OneMinusBeta1·g
//	v ← v·Beta2 + (OneMinusBeta2·g)·g
//	if vmax ≠ nil: vmax ← max(vmax, v) (Go's max); v̂ ← vmax
//	else v̂ ← v
//	p ← p + (NegStepSize·m) / (√v̂/BiasCorrection2 + Eps)
//
// vmax (AMSGrad's running maximum) is nil when unused.
func AdamStep[T Float](a Adam, p, grad, m, v, vmax []T) {
	same4("AdamStep", p, grad, m, v)
	optional("AdamStep", p, vmax)
	if len(p) < small {
		adamGo(a, p, grad, m, v, vmax)
		return
	}
	pick[T]().adam(a, p, grad, m, v, vmax)
}

func adamGo[T Float](a Adam, p, grad, m, v, vmax []T) {
	grad, m, v = grad[:len(p)], m[:len(p)], v[:len(p)]
	if vmax != nil {
		vmax = vmax[:len(p)]
	}
	b1, c1, b2, c2 := T(a.Beta1), T(a.OneMinusBeta1), T(a.Beta2), T(a.OneMinusBeta2)
	step, bc2, eps, wd, decay := T(a.NegStepSize), T(a.BiasCorrection2), T(a.Eps), T(a.WeightDecay), T(a.Decay)
	for i := range p {
		g := grad[i]
		if a.Maximize {
			g = -g
		}
		if a.Decoupled {
			p[i] *= decay
		} else if wd != 0 {
			g += T(wd * p[i])
		}
		m[i] = T(m[i]*b1) + T(c1*g)
		v[i] = T(v[i]*b2) + T(T(c2*g)*g)
		vi := v[i]
		if vmax != nil {
			vmax[i] = max(vmax[i], vi)
			vi = vmax[i]
		}
		p[i] += step * m[i] / (sqrt(vi)/bc2 + eps)
	}
}

// NAdam is one step of NAdam (see NAdamStep).
type NAdam struct {
	Beta1, OneMinusBeta1 float64 // β₁ and 1 − β₁
	Beta2, OneMinusBeta2 float64 // β₂ and 1 − β₂
	BiasCorrection2      float64 // 1 − β₂ᵗ
	Eps                  float64 // ε
	WeightDecay          float64 // λ of the L2 penalty; unused when 0
	GradCoef             float64 // −LR·(1 − μ_t)/(1 − Π)
	MomentCoef           float64 // −LR·μ_{t+1}/(1 − Π′)
}

// NAdamStep applies one NAdam update: for each i, with g = grad[i],
//
//	if WeightDecay ≠ 0: g ← g + WeightDecay·p
//	m ← m·Beta1 + OneMinusBeta1·g
//	v ← v·Beta2 + (OneMinusBeta2·g)·g
//	d ← √(v/BiasCorrection2) + Eps
//	p ← p + (GradCoef·g)/d
//	p ← p + (MomentCoef·m)/d
func NAdamStep[T Float](a NAdam, p, grad, m, v []T) {
	same4("NAdamStep", p, grad, m, v)
	if len(p) < small {
		nadamGo(a, p, grad, m, v)
		return
	}
	pick[T]().nadam(a, p, grad, m, v)
}

func nadamGo[T Float](a NAdam, p, grad, m, v []T) {
	grad, m, v = grad[:len(p)], m[:len(p)], v[:len(p)]
	b1, c1, b2, c2 := T(a.Beta1), T(a.OneMinusBeta1), T(a.Beta2), T(a.OneMinusBeta2)
	bc2, eps, wd, cg, cm := T(a.BiasCorrection2), T(a.Eps), T(a.WeightDecay), T(a.GradCoef), T(a.MomentCoef)
	for i := range p {
		g := grad[i]
		if wd != 0 {
			g += T(wd * p[i])
		}
		m[i] = T(m[i]*b1) + T(c1*g)
		v[i] = T(v[i]*b2) + T(T(c2*g)*g)
		d := sqrt(v[i]/bc2) + eps
		p[i] += cg * g / d
		p[i] += cm * m[i] / d
	}
}

// RMSprop is one step of RMSprop or Adagrad (see RMSpropStep).
type RMSprop struct {
	Alpha, OneMinusAlpha float64 // α and 1 − α (RMSprop)
	Eps                  float64 // ε
	WeightDecay          float64 // λ of the L2 penalty; unused when 0
	NegLR                float64 // −LR (Adagrad: the decayed rate)
	Momentum             float64 // μ; used when buf is not nil
	Maximize             bool    // negate the gradient
	Accumulate           bool    // Adagrad: v ← v + g·g
}

// RMSpropStep applies one RMSprop update, or with Accumulate one Adagrad
// update: for each i, with g = grad[i],
//
//	if Maximize: g ← −g
//	if WeightDecay ≠ 0: g ← g + WeightDecay·p
//	if Accumulate: v ← v + g·g
//	else v ← v·Alpha + (OneMinusAlpha·g)·g
//	if gavg ≠ nil: gavg ← gavg·Alpha + OneMinusAlpha·g
//	               d ← √(v + (−1·gavg)·gavg) + Eps
//	else d ← √v + Eps
//	if buf ≠ nil: buf ← buf·Momentum + g/d;  p ← p + NegLR·buf
//	else p ← p + (NegLR·g)/d
//
// gavg (centred RMSprop's mean gradient) and buf (the momentum buffer) are
// nil when unused.
func RMSpropStep[T Float](a RMSprop, p, grad, v, gavg, buf []T) {
	same3("RMSpropStep", p, grad, v)
	optional("RMSpropStep", p, gavg)
	optional("RMSpropStep", p, buf)
	if len(p) < small {
		rmspropGo(a, p, grad, v, gavg, buf)
		return
	}
	pick[T]().rmsprop(a, p, grad, v, gavg, buf)
}

func rmspropGo[T Float](a RMSprop, p, grad, v, gavg, buf []T) {
	grad, v = grad[:len(p)], v[:len(p)]
	if gavg != nil {
		gavg = gavg[:len(p)]
	}
	if buf != nil {
		buf = buf[:len(p)]
	}
	alpha, c, eps, wd, lr, mu := T(a.Alpha), T(a.OneMinusAlpha), T(a.Eps), T(a.WeightDecay), T(a.NegLR), T(a.Momentum)
	for i := range p {
		g := grad[i]
		if a.Maximize {
			g = -g
		}
		if wd != 0 {
			g += T(wd * p[i])
		}
		if a.Accumulate {
			v[i] += T(g * g)
		} else {
			v[i] = T(v[i]*alpha) + T(T(c*g)*g)
		}
		var d T
		if gavg != nil {
			gavg[i] = T(gavg[i]*alpha) + T(c*g)
			d = sqrt(v[i]+T(T(-1*gavg[i])*gavg[i])) + eps
		} else {
			d = sqrt(v[i]) + eps
		}
		if buf != nil {
			buf[i] = T(buf[i]*mu) + g/d
			p[i] += T(lr * buf[i])
		} else {
			p[i] += lr * g / d
		}
	}
}

// Adadelta is one step of Adadelta (see AdadeltaStep).
type Adadelta struct {
	Rho, OneMinusRho float64 // ρ and 1 − ρ
	Eps              float64 // ε
	WeightDecay      float64 // λ of the L2 penalty; unused when 0
	NegLR            float64 // −LR
	Maximize         bool    // negate the gradient
}

// AdadeltaStep applies one Adadelta update: for each i, with g = grad[i],
//
//	if Maximize: g ← −g
//	if WeightDecay ≠ 0: g ← g + WeightDecay·p
//	v ← v·Rho + (OneMinusRho·g)·g
//	Δ ← (√(u + Eps) / √(v + Eps))·g
//	u ← u·Rho + (OneMinusRho·Δ)·Δ
//	p ← p + NegLR·Δ
func AdadeltaStep[T Float](a Adadelta, p, grad, v, u []T) {
	same4("AdadeltaStep", p, grad, v, u)
	if len(p) < small {
		adadeltaGo(a, p, grad, v, u)
		return
	}
	pick[T]().adadelta(a, p, grad, v, u)
}

func adadeltaGo[T Float](a Adadelta, p, grad, v, u []T) {
	grad, v, u = grad[:len(p)], v[:len(p)], u[:len(p)]
	rho, c, eps, wd, lr := T(a.Rho), T(a.OneMinusRho), T(a.Eps), T(a.WeightDecay), T(a.NegLR)
	for i := range p {
		g := grad[i]
		if a.Maximize {
			g = -g
		}
		if wd != 0 {
			g += T(wd * p[i])
		}
		v[i] = T(v[i]*rho) + T(T(c*g)*g)
		delta := sqrt(u[i]+eps) / sqrt(v[i]+eps) * g
		u[i] = T(u[i]*rho) + T(T(c*delta)*delta)
		p[i] += T(lr * delta)
	}
}

// SGD is one step of SGD (see SGDStep).
type SGD struct {
	NegLR             float64 // −LR
	WeightDecay       float64 // λ of the L2 penalty; unused when 0
	Momentum          float64 // μ
	OneMinusDampening float64 // 1 − τ
	Maximize          bool    // negate the gradient
	First             bool    // the first step: the buffer starts as the gradient
	Nesterov          bool    // Nesterov momentum
}

// SGDStep applies one update of SGD: for each i, with d = grad[i],
//
//	if Maximize: d ← −d
//	if WeightDecay ≠ 0: d ← d + WeightDecay·p
//	if buf ≠ nil:
//	    if First: b ← d
//	    else b ← Momentum·b + OneMinusDampening·d
//	    if Nesterov: d ← d + Momentum·b, else d ← b
//	p ← p + NegLR·d
//
// buf (the momentum buffer) is nil when unused. (Plain SGD, without
// momentum, weight decay or Maximize, is Axpy.)
func SGDStep[T Float](a SGD, p, grad, buf []T) {
	same2("SGDStep", p, grad)
	optional("SGDStep", p, buf)
	if len(p) < small {
		sgdGo(a, p, grad, buf)
		return
	}
	pick[T]().sgd(a, p, grad, buf)
}

func sgdGo[T Float](a SGD, p, grad, buf []T) {
	grad = grad[:len(p)]
	if buf != nil {
		buf = buf[:len(p)]
	}
	lr, wd, mu, c := T(a.NegLR), T(a.WeightDecay), T(a.Momentum), T(a.OneMinusDampening)
	for i := range p {
		d := grad[i]
		if a.Maximize {
			d = -d
		}
		if wd != 0 {
			d += T(wd * p[i])
		}
		if buf != nil {
			if a.First {
				buf[i] = d
			} else {
				buf[i] = T(mu*buf[i]) + T(c*d)
			}
			if a.Nesterov {
				d += T(mu * buf[i])
			} else {
				d = buf[i]
			}
		}
		p[i] += T(lr * d)
	}
}

// sqrt is the correctly rounded square root in T (for float32 through
// float64, whose 53 bits make the double rounding exact).
func sqrt[T Float](x T) T { return T(math.Sqrt(float64(x))) }

func same4[T Float](op string, a, b, c, d []T) {
	if len(a) != len(b) || len(a) != len(c) || len(a) != len(d) {
		panic(fmt.Sprintf("vec.%s: slices of lengths %d, %d, %d and %d; they must be equal", op, len(a), len(b), len(c), len(d)))
	}
}

// optional panics unless the optional buffer b is nil or of p's length.
func optional[T Float](op string, p, b []T) {
	if b != nil && len(b) != len(p) {
		panic(fmt.Sprintf("vec.%s: an optional buffer of length %d with p of length %d; it must be nil or as long", op, len(b), len(p)))
	}
}
