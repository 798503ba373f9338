// Package vec holds the elementwise loops of a training step on contiguous
// float32 and float64 slices: arithmetic, axpy, ReLU, its derivative and
// mask, the finiteness check, a sum, the fused one-pass updates of the
// optimisers (update.go), and for softmax eˣ, log x and a maximum. Each
// operation has a plain Go loop, the reference, and on amd64 assembly
// versions (AVX2 and AVX-512, kernels_amd64.s, written by
// gen_kernels.go) chosen at run time from the CPU's features; build with the
// purego tag to use only the Go loops.
//
// The assembly performs, lane by lane, the same IEEE-754 operations in the
// same order as the Go loop, so every result is bit-identical to it (NaN
// payloads and the sign of zero included). Multiplies and adds are never
// fused into an FMA, matching Go on amd64 (where the compiler fuses only with
// GOAMD64=v3 or later; the Go loops convert explicitly to forbid it).
// When both operands of one operation are NaN, x86 returns the first one's
// payload; the assembly puts first the operand Go's compiler puts first
// (the element loaded from memory: x in x·c, x·a in y + x·a), and the tests
// check NaN payloads too. Sum is the exception: its order is its own (see
// Sum), not that of a plain loop. The fused updates match their Go loops
// bit for bit but for NaN payloads (see update.go). Exp and Log (exp.go,
// log.go) are exceptions too: no plain loop of math.Exp or math.Log is
// fast, so each has its own algorithm, within 1 ulp, written once in Go and
// once in assembly with the same operations, so that every implementation
// returns the same bits.
//
// Slices passed together must have the same length, or the call panics;
// dst may be the same slice as an operand (dst = x + y with dst == x is
// fine) but must not partially overlap one.
package vec

import "fmt"

// Float is the element type of the kernels: exactly float32 or float64.
type Float interface{ float32 | float64 }

// Add sets dst[i] = x[i] + y[i].
func Add[T Float](dst, x, y []T) {
	same3("Add", dst, x, y)
	if len(dst) < small {
		addGo(dst, x, y)
		return
	}
	pick[T]().add(dst, x, y)
}

// Sub sets dst[i] = x[i] − y[i].
func Sub[T Float](dst, x, y []T) {
	same3("Sub", dst, x, y)
	if len(dst) < small {
		subGo(dst, x, y)
		return
	}
	pick[T]().sub(dst, x, y)
}

// Mul sets dst[i] = x[i] · y[i].
func Mul[T Float](dst, x, y []T) {
	same3("Mul", dst, x, y)
	if len(dst) < small {
		mulGo(dst, x, y)
		return
	}
	pick[T]().mul(dst, x, y)
}

// Div sets dst[i] = x[i] / y[i].
func Div[T Float](dst, x, y []T) {
	same3("Div", dst, x, y)
	if len(dst) < small {
		divGo(dst, x, y)
		return
	}
	pick[T]().div(dst, x, y)
}

// AddScalar sets dst[i] = x[i] + c.
func AddScalar[T Float](dst, x []T, c T) {
	same2("AddScalar", dst, x)
	if len(dst) < small {
		addScalarGo(dst, x, c)
		return
	}
	pick[T]().addScalar(dst, x, c)
}

// MulScalar sets dst[i] = c · x[i].
func MulScalar[T Float](dst, x []T, c T) {
	same2("MulScalar", dst, x)
	if len(dst) < small {
		mulScalarGo(dst, x, c)
		return
	}
	pick[T]().mulScalar(dst, x, c)
}

// Axpy sets y[i] = y[i] + a·x[i]: the product is rounded to T before the
// sum (no fused multiply-add), as y[i] += a*x[i] on amd64.
func Axpy[T Float](y []T, a T, x []T) {
	same2("Axpy", y, x)
	if len(y) < small {
		axpyGo(y, a, x)
		return
	}
	pick[T]().axpy(y, a, x)
}

// ReLU sets dst[i] = max(x[i], 0) as tensor.ReLU computes it: x if x > 0,
// x if x is NaN (float32: quieted, as converting to float64 and back does),
// and +0 otherwise (−0 included).
func ReLU[T Float](dst, x []T) {
	same2("ReLU", dst, x)
	if len(dst) < small {
		reluGo(dst, x)
		return
	}
	pick[T]().relu(dst, x)
}

// ReLUMask sets dst[i] = g[i] · [x[i] > 0], the backward pass of ReLU as the
// product g · Step(x): g·1 where x > 0, and g·0 elsewhere, which is ±0 by
// the sign of g (NaN for x NaN is not > 0, so 0; NaN if g is NaN or ±Inf).
func ReLUMask[T Float](dst, g, x []T) {
	same3("ReLUMask", dst, g, x)
	if len(dst) < small {
		reluMaskGo(dst, g, x)
		return
	}
	pick[T]().reluMask(dst, g, x)
}

// Step sets dst[i] = 1 where x[i] > 0 and +0 elsewhere (NaN included), as
// tensor.Step: the derivative of ReLU.
func Step[T Float](dst, x []T) {
	same2("Step", dst, x)
	if len(dst) < small {
		stepGo(dst, x)
		return
	}
	pick[T]().step(dst, x)
}

// AllFinite reports whether no element of x is NaN or ±Inf.
func AllFinite[T Float](x []T) bool { return pick[T]().allFinite(x) }

// Sum returns Σ x[i] accumulated in float64 (so float32 sums keep their
// accuracy) in a fixed order, the same for every implementation: sixteen
// partial sums s[k] of the elements i ≡ k (mod 16) up to the last multiple
// of 16, folded as s[k] += s[k+8], s[k] += s[k+4], s[k] += s[k+2],
// s[0] + s[1], and then the remaining elements added one by one. This is not
// the order of a plain loop, so the last bits differ from one; a sum of
// several NaNs is NaN, but which NaN's payload it carries is not specified.
func Sum[T Float](x []T) float64 { return pick[T]().sum(x) }

// small is the length below which the calls run the Go loops directly:
// short of a vector or two, choosing an implementation costs more than the
// assembly saves (the bias of a 10-class layer, say).
const small = 16

// Level names the implementation in use: "avx512", "avx2" or "go".
func Level() string { return current.name }

func same2[T Float](op string, a, b []T) {
	if len(a) != len(b) {
		panic(fmt.Sprintf("vec.%s: slices of lengths %d and %d; they must be equal", op, len(a), len(b)))
	}
}

func same3[T Float](op string, a, b, c []T) {
	if len(a) != len(b) || len(a) != len(c) {
		panic(fmt.Sprintf("vec.%s: slices of lengths %d, %d and %d; they must be equal", op, len(a), len(b), len(c)))
	}
}

// kernels is one implementation of every operation for one element type;
// the slices have been checked to have equal lengths.
type kernels[T Float] struct {
	add, sub, mul, div   func(dst, x, y []T)
	addScalar, mulScalar func(dst, x []T, c T)
	axpy                 func(y []T, a T, x []T)
	relu, step           func(dst, x []T)
	reluMask             func(dst, g, x []T)
	allFinite            func(x []T) bool
	sum                  func(x []T) float64
	// the fused optimiser updates of update.go
	adam     func(a Adam, p, g, m, v, vmax []T)
	nadam    func(a NAdam, p, g, m, v []T)
	rmsprop  func(a RMSprop, p, g, v, gavg, buf []T)
	adadelta func(a Adadelta, p, g, v, u []T)
	sgd      func(a SGD, p, g, buf []T)
}

// impl is an implementation level: the kernels of both element types.
type impl struct {
	name string
	k32  *kernels[float32]
	k64  *kernels[float64]
	math *mathImpl // the kernels of exp.go; nil: its Go loops
}

// current is the implementation in use: the first of impls, the fastest
// this CPU runs (tests switch it to compare the others).
var current = impls[0]

// pick returns current's kernels for T.
func pick[T Float]() *kernels[T] {
	var z T
	switch any(z).(type) {
	case float32:
		return any(current.k32).(*kernels[T])
	default:
		return any(current.k64).(*kernels[T])
	}
}

// goImpl is the plain Go loops, the reference for the assembly.
var goImpl = &impl{name: "go", k32: goKernels[float32](), k64: goKernels[float64]()}

func goKernels[T Float]() *kernels[T] {
	return &kernels[T]{
		add: addGo[T], sub: subGo[T], mul: mulGo[T], div: divGo[T],
		addScalar: addScalarGo[T], mulScalar: mulScalarGo[T],
		axpy: axpyGo[T], relu: reluGo[T], step: stepGo[T], reluMask: reluMaskGo[T], allFinite: allFiniteGo[T], sum: sumGo[T],
		adam: adamGo[T], nadam: nadamGo[T], rmsprop: rmspropGo[T], adadelta: adadeltaGo[T], sgd: sgdGo[T],
	}
}

func addGo[T Float](dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}

func subGo[T Float](dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] - y[i]
	}
}

func mulGo[T Float](dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] * y[i]
	}
}

func divGo[T Float](dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] / y[i]
	}
}

func addScalarGo[T Float](dst, x []T, c T) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + c
	}
}

func mulScalarGo[T Float](dst, x []T, c T) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = c * x[i]
	}
}

func axpyGo[T Float](y []T, a T, x []T) {
	x = x[:len(y)]
	for i := range y {
		y[i] += T(a * x[i]) // the conversion forbids fusing into an FMA
	}
}

func reluGo[T Float](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		if v > 0 || v != v {
			dst[i] = T(float64(v)) // float32: the trip through float64 quiets a signalling NaN
		} else {
			dst[i] = 0
		}
	}
}

func reluMaskGo[T Float](dst, g, x []T) {
	g, x = g[:len(dst)], x[:len(dst)]
	for i := range dst {
		var s T
		if x[i] > 0 {
			s = 1
		}
		dst[i] = g[i] * s
	}
}

func stepGo[T Float](dst, x []T) {
	x = x[:len(dst)]
	for i, v := range x {
		if v > 0 {
			dst[i] = 1
		} else {
			dst[i] = 0
		}
	}
}

func sumGo[T Float](x []T) float64 {
	var s [16]float64
	n := len(x) &^ 15
	for i := 0; i < n; i += 16 {
		for k := range s {
			s[k] += float64(x[i+k])
		}
	}
	for w := 8; w >= 1; w /= 2 {
		for k := 0; k < w; k++ {
			s[k] += s[k+w]
		}
	}
	return sumTail(s[0], x[n:])
}

// sumTail adds the elements of x to r one by one.
func sumTail[T Float](r float64, x []T) float64 {
	for _, v := range x {
		r += float64(v)
	}
	return r
}

// allFiniteGo uses that v − v is 0 for finite v and NaN otherwise: one
// subtraction and one addition per element, in four independent sums so the
// additions overlap.
func allFiniteGo[T Float](x []T) bool {
	var s0, s1, s2, s3 T
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] - x[i]
		s1 += x[i+1] - x[i+1]
		s2 += x[i+2] - x[i+2]
		s3 += x[i+3] - x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] - x[i]
	}
	return s0+s1+s2+s3 == 0
}
