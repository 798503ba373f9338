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
//
// The elementwise loops run on several goroutines for long slices (see
// runKernel), with the same results.
type vecOps[T Float] struct {
	add, sub, mul, div   func(dst, x, y []T)
	addScalar, mulScalar func(dst, x []T, c T)
	relu, step, exp, log func(dst, x []T)
	reluMask             func(dst, g, x []T)
	sum                  func(x []T) float64
	max                  func(x []T) T
	// mulScaled sets dst = c·(x·y) (x or y may have length 1) with the
	// bits of mul and then mulScalar (see MulScaled).
	mulScaled func(dst, x, y []T, c T)
	copy      func(dst, x []T) // the built-in copy, of equal lengths
}

func vecOpsOf[T vec.Float]() *vecOps[T] {
	return &vecOps[T]{
		add:       func(d, x, y []T) { runKernel(kAdd, d, x, y, 0) },
		sub:       func(d, x, y []T) { runKernel(kSub, d, x, y, 0) },
		mul:       func(d, x, y []T) { runKernel(kMul, d, x, y, 0) },
		div:       func(d, x, y []T) { runKernel(kDiv, d, x, y, 0) },
		addScalar: func(d, x []T, c T) { runKernel(kAddScalar, d, x, nil, c) },
		mulScalar: func(d, x []T, c T) { runKernel(kMulScalar, d, x, nil, c) },
		relu:      func(d, x []T) { runKernel(kReLU, d, x, nil, 0) },
		step:      func(d, x []T) { runKernel(kStep, d, x, nil, 0) },
		reluMask:  func(d, g, x []T) { runKernel(kReLUMask, d, g, x, 0) },
		exp:       func(d, x []T) { runKernel(kExp, d, x, nil, 0) },
		log:       func(d, x []T) { runKernel(kLog, d, x, nil, 0) },
		mulScaled: func(d, x, y []T, c T) { runKernel(kMulScaled, d, x, y, c) },
		copy:      func(d, x []T) { runKernel(kCopy, d, x, nil, 0) },
		sum:       vec.Sum[T], // one order of additions, whatever GOMAXPROCS
		max:       vec.Max[T],
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
