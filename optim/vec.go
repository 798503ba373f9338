package optim

import "github.com/nabla-go/nabla/internal/vec"

// The fast paths of the optimisers: the fused one-pass updates of
// internal/vec (SIMD loops on amd64), which compute the operations of the
// plain loops in the same order, so the parameters and state they leave are
// bit-identical to the plain loops' (vec_test.go checks it; of a NaN, only
// the payload may differ). They run only when T is exactly float32 or
// float64: a named type like them takes the plain loop, the reference.
//
// Each helper reports whether it did the update. The settings structs of
// vec hold float64 copies of values already rounded to T, so converting
// them back is exact.

// vecAdam is vec.AdamStep for T exactly float32 or float64.
func vecAdam[T Float](a vec.Adam, p, g, m, v, vmax []T) bool {
	switch p := any(p).(type) {
	case []float32:
		vec.AdamStep(a, p, as[float32](g), as[float32](m), as[float32](v), as[float32](vmax))
	case []float64:
		vec.AdamStep(a, p, as[float64](g), as[float64](m), as[float64](v), as[float64](vmax))
	default:
		return false
	}
	return true
}

// vecNAdam is vec.NAdamStep for T exactly float32 or float64.
func vecNAdam[T Float](a vec.NAdam, p, g, m, v []T) bool {
	switch p := any(p).(type) {
	case []float32:
		vec.NAdamStep(a, p, as[float32](g), as[float32](m), as[float32](v))
	case []float64:
		vec.NAdamStep(a, p, as[float64](g), as[float64](m), as[float64](v))
	default:
		return false
	}
	return true
}

// vecRMSprop is vec.RMSpropStep for T exactly float32 or float64.
func vecRMSprop[T Float](a vec.RMSprop, p, g, v, gavg, buf []T) bool {
	switch p := any(p).(type) {
	case []float32:
		vec.RMSpropStep(a, p, as[float32](g), as[float32](v), as[float32](gavg), as[float32](buf))
	case []float64:
		vec.RMSpropStep(a, p, as[float64](g), as[float64](v), as[float64](gavg), as[float64](buf))
	default:
		return false
	}
	return true
}

// vecAdadelta is vec.AdadeltaStep for T exactly float32 or float64.
func vecAdadelta[T Float](a vec.Adadelta, p, g, v, u []T) bool {
	switch p := any(p).(type) {
	case []float32:
		vec.AdadeltaStep(a, p, as[float32](g), as[float32](v), as[float32](u))
	case []float64:
		vec.AdadeltaStep(a, p, as[float64](g), as[float64](v), as[float64](u))
	default:
		return false
	}
	return true
}

// vecSGD is vec.SGDStep for T exactly float32 or float64.
func vecSGD[T Float](a vec.SGD, p, g, buf []T) bool {
	switch p := any(p).(type) {
	case []float32:
		vec.SGDStep(a, p, as[float32](g), as[float32](buf))
	case []float64:
		vec.SGDStep(a, p, as[float64](g), as[float64](buf))
	default:
		return false
	}
	return true
}

// vecAxpy sets y ← y + a·x with vec.Axpy, bit-identical to the loop
// y[i] += a*x[i] (no fused multiply-add), for T exactly float32 or float64.
func vecAxpy[T Float](y []T, a T, x []T) bool {
	switch y := any(y).(type) {
	case []float32:
		vec.Axpy(y, any(a).(float32), as[float32](x))
	case []float64:
		vec.Axpy(y, any(a).(float64), as[float64](x))
	default:
		return false
	}
	return true
}

// as returns s, whose type is []U, as a []U (a nil s stays nil).
func as[U vec.Float, T Float](s []T) []U {
	u, _ := any(s).([]U)
	return u
}
