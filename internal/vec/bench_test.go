package vec

import (
	"fmt"
	"testing"
)

// benchSizes: a bias (10), a hidden activation of the MLP step (64·128) and
// a weight matrix (784·128 ≈ 100k).
var benchSizes = []int{10, 8192, 100352}

// BenchmarkKernels times every kernel with every implementation; the
// reported throughput counts the bytes read and written.
func BenchmarkKernels(b *testing.B) {
	b.Run("float32", benchAll[float32])
	b.Run("float64", benchAll[float64])
}

func benchAll[T Float](b *testing.B) {
	var z T
	size := int64(8)
	if _, ok := any(z).(float32); ok {
		size = 4
	}
	for _, n := range benchSizes {
		x, y, d := make([]T, n), make([]T, n), make([]T, n)
		for i := range x {
			x[i], y[i] = T(i%7)-3, T(i%5)+1
		}
		ops := []struct {
			name    string
			streams int64 // slices read or written
			f       func()
		}{
			{"Add", 3, func() { Add(d, x, y) }},
			{"Mul", 3, func() { Mul(d, x, y) }},
			{"Div", 3, func() { Div(d, x, y) }},
			{"MulScalar", 2, func() { MulScalar(d, x, 3) }},
			{"Axpy", 3, func() { Axpy(d, 1e-3, x) }},
			{"ReLU", 2, func() { ReLU(d, x) }},
			{"Step", 2, func() { Step(d, x) }},
			{"ReLUMask", 3, func() { ReLUMask(d, y, x) }},
			{"Sum", 1, func() { _ = Sum(x) }},
			{"AllFinite", 1, func() { _ = AllFinite(x) }},
		}
		for _, op := range ops {
			for _, im := range impls {
				b.Run(fmt.Sprintf("%s/n=%d/%s", op.name, n, im.name), func(b *testing.B) {
					saved := current
					current = im
					defer func() { current = saved }()
					b.SetBytes(op.streams * size * int64(n))
					for b.Loop() {
						op.f()
					}
				})
			}
		}
	}
}

// BenchmarkUpdates times the fused optimiser updates with every
// implementation on a weight matrix of the MLP (784·128).
func BenchmarkUpdates(b *testing.B) {
	b.Run("float32", benchUpdates[float32])
	b.Run("float64", benchUpdates[float64])
}

func benchUpdates[T Float](b *testing.B) {
	n := benchSizes[2]
	s := make([][]T, 5)
	for j := range s {
		s[j] = make([]T, n)
		for i := range s[j] {
			s[j][i] = T(i%7+1) / 8
		}
	}
	p, g := s[0], s[1]
	adam := Adam{Beta1: 0.9, OneMinusBeta1: 0.1, Beta2: 0.999, OneMinusBeta2: 0.001, NegStepSize: -1e-9, BiasCorrection2: 1, Eps: 1e-8}
	for _, op := range []struct {
		name string
		f    func()
	}{
		{"Adam", func() { AdamStep(adam, p, g, s[2], s[3], nil) }},
		{"AMSGrad", func() { AdamStep(adam, p, g, s[2], s[3], s[4]) }},
		{"NAdam", func() { NAdamStep(NAdam{Beta1: 0.9, Beta2: 0.999, BiasCorrection2: 1, Eps: 1e-8}, p, g, s[2], s[3]) }},
		{"RMSprop", func() {
			RMSpropStep(RMSprop{Alpha: 0.99, OneMinusAlpha: 0.01, Eps: 1e-8, NegLR: -1e-9}, p, g, s[2], nil, nil)
		}},
		{"Adadelta", func() { AdadeltaStep(Adadelta{Rho: 0.9, OneMinusRho: 0.1, Eps: 1e-6, NegLR: -1e-9}, p, g, s[2], s[3]) }},
		{"SGDMomentum", func() { SGDStep(SGD{NegLR: -1e-9, Momentum: 0.9, OneMinusDampening: 1}, p, g, s[2]) }},
	} {
		for _, im := range impls {
			b.Run(fmt.Sprintf("%s/n=%d/%s", op.name, n, im.name), func(b *testing.B) {
				saved := current
				current = im
				defer func() { current = saved }()
				for b.Loop() {
					op.f()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
			})
		}
	}
}
