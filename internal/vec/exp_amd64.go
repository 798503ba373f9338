//go:build amd64 && !purego

package vec

import "golang.org/x/sys/cpu"

// The assembly loops of exp.go (exp_amd64.s, written by gen_exp.go). Each
// walks the whole of dst, whose length must be a multiple of 4 (AVX2) or 8
// (AVX-512), the float64 lanes of a vector.

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
			im.math = asmMath(8, expF32AVX512, expF64AVX512)
		case im.name == "avx2" && cpu.X86.HasFMA: // the kernels use FMA3
			im.math = asmMath(4, expF32AVX2, expF64AVX2)
		}
	}
}

// asmMath wraps the assembly loops over whole vectors of the given number
// of lanes so that the Go loops do the remaining tail elements.
func asmMath(lanes int, e32 func(dst, x []float32), e64 func(dst, x []float64)) *mathImpl {
	return &mathImpl{
		k32: &mathKernels[float32]{exp: tailed(lanes, e32, expGo[float32]), max: maxGo[float32]},
		k64: &mathKernels[float64]{exp: tailed(lanes, e64, expGo[float64]), max: maxGo[float64]},
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
