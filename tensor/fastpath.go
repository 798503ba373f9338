package tensor

import "github.com/nabla-go/nabla/internal/vec"

// vecOps are the SIMD loops of internal/vec for one element type. They are
// bit-identical to the plain loops they stand in for (internal/vec's tests
// check the assembly against its Go loops, and this package's tests check
// every fast path against the plain loops through a named element type,
// which never takes one), except exp, log and max: exp is within 1 ulp of
// math.Exp's result in float32 and 2 ulp in float64 (see vec.Exp), log
// within 1 ulp of math.Log's (see vec.Log), and max skips NaNs and may
// return either zero when −0 and +0 tie.
type vecOps[T Float] struct {
	add, sub, mul, div   func(dst, x, y []T)
	addScalar, mulScalar func(dst, x []T, c T)
	relu, step, exp, log func(dst, x []T)
	reluMask             func(dst, g, x []T)
	sum                  func(x []T) float64
	max                  func(x []T) T
}

func vecOpsOf[T vec.Float]() *vecOps[T] {
	return &vecOps[T]{
		add: vec.Add[T], sub: vec.Sub[T], mul: vec.Mul[T], div: vec.Div[T],
		addScalar: vec.AddScalar[T], mulScalar: vec.MulScalar[T],
		relu: vec.ReLU[T], step: vec.Step[T], reluMask: vec.ReLUMask[T], sum: vec.Sum[T],
		exp: vec.Exp[T], log: vec.Log[T], max: vec.Max[T],
	}
}

var vec32, vec64 = vecOpsOf[float32](), vecOpsOf[float64]()

// fast returns the SIMD loops for T, or nil unless T is exactly float32 or
// float64 (a named type such as `type F float32` takes the plain loops).
func fast[T Float]() *vecOps[T] {
	var z T
	switch any(z).(type) {
	case float32:
		return any(vec32).(*vecOps[T])
	case float64:
		return any(vec64).(*vecOps[T])
	}
	return nil
}
