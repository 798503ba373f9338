//go:build amd64 && !purego

package vec

import "golang.org/x/sys/cpu"

// The assembly loops of exp.go and log.go (exp_amd64.s, written by
// gen_exp.go). Each exp and log walks the whole of dst, whose length must be a multiple of 4 (AVX2)
// or 8 (AVX-512), the float64 lanes of a vector; each max the whole of x,
// whose length must be a multiple of a vector's lanes.

//go:noescape
func logF32AVX2(dst, x []float32)

//go:noescape
func logF64AVX2(dst, x []float64)

//go:noescape
func logF32AVX512(dst, x []float32)

//go:noescape
func logF64AVX512(dst, x []float64)

//go:noescape
func maxF32AVX2(x []float32) float32

//go:noescape
func maxF64AVX2(x []float64) float64

//go:noescape
func maxF32AVX512(x []float32) float32

//go:noescape
func maxF64AVX512(x []float64) float64

//go:noescape
func expF32AVX2(dst, x []float32)

//go:noescape
func expF64AVX2(dst, x []float64)

//go:noescape
func expF32AVX512(dst, x []float32)

//go:noescape
func expF64AVX512(dst, x []float64)

func init() {
	for _, im := range impls {
		switch {
		case im.name == "avx512":
			im.math = asmMath(8, expF32AVX512, expF64AVX512, logF32AVX512, logF64AVX512, maxF32AVX512, maxF64AVX512)
		case im.name == "avx2" && cpu.X86.HasFMA: // the exp kernels use FMA3
			im.math = asmMath(4, expF32AVX2, expF64AVX2, logF32AVX2, logF64AVX2, maxF32AVX2, maxF64AVX2)
		}
	}
}

// asmMath wraps the assembly loops over whole vectors (lanes float64s, or
// twice as many float32s for max) so that the Go loops do the remaining
// tail elements.
func asmMath(lanes int, e32 func(dst, x []float32), e64 func(dst, x []float64), l32 func(dst, x []float32), l64 func(dst, x []float64), m32 func([]float32) float32, m64 func([]float64) float64) *mathImpl {
	return &mathImpl{
		k32: &mathKernels[float32]{exp: tailed(lanes, e32, expGo[float32]), log: tailed(lanes, l32, logGo[float32]), max: maxTailed(2*lanes, m32)},
		k64: &mathKernels[float64]{exp: tailed(lanes, e64, expGo[float64]), log: tailed(lanes, l64, logGo[float64]), max: maxTailed(lanes, m64)},
	}
}

// maxTailed runs asm on the longest prefix of whole vectors and maxGo on
// the rest, and returns the larger (neither is NaN).
func maxTailed[T Float](lanes int, asm func([]T) T) func([]T) T {
	return func(x []T) T {
		n := len(x) &^ (lanes - 1)
		switch {
		case n == 0:
			return maxGo(x)
		case n == len(x):
			return asm(x)
		}
		return max(asm(x[:n]), maxGo(x[n:]))
	}
}

// tailed runs asm on the longest prefix of whole vectors and tail on the rest.
func tailed[T Float](lanes int, asm, tail func(dst, x []T)) func(dst, x []T) {
	return func(dst, x []T) {
		n := len(dst) &^ (lanes - 1)
		if n > 0 {
			asm(dst[:n], x[:n])
		}
		if n < len(dst) {
			tail(dst[n:], x[n:len(dst)])
		}
	}
}
