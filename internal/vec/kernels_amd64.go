//go:build amd64 && !purego

package vec

import "golang.org/x/sys/cpu"

//go:generate go run gen_kernels.go gen_exp.go

// The assembly loops (kernels_amd64.s); each walks the whole of its first
// slice, whose length must be a multiple of the vector width (8 float32 or
// 4 float64 for AVX2, twice that for AVX-512). See gen_kernels.go for what
// they compute.

//go:noescape
func addF32AVX2(dst, x, y []float32)

//go:noescape
func subF32AVX2(dst, x, y []float32)

//go:noescape
func mulF32AVX2(dst, x, y []float32)

//go:noescape
func divF32AVX2(dst, x, y []float32)

//go:noescape
func addScalarF32AVX2(dst, x []float32, c float32)

//go:noescape
func mulScalarF32AVX2(dst, x []float32, c float32)

//go:noescape
func axpyF32AVX2(y []float32, a float32, x []float32)

//go:noescape
func reluF32AVX2(dst, x []float32)

//go:noescape
func reluMaskF32AVX2(dst, g, x []float32)

//go:noescape
func stepF32AVX2(dst, x []float32)

//go:noescape
func allFiniteF32AVX2(x []float32) bool

//go:noescape
func sumF32AVX2(x []float32) float64

//go:noescape
func addF64AVX2(dst, x, y []float64)

//go:noescape
func subF64AVX2(dst, x, y []float64)

//go:noescape
func mulF64AVX2(dst, x, y []float64)

//go:noescape
func divF64AVX2(dst, x, y []float64)

//go:noescape
func addScalarF64AVX2(dst, x []float64, c float64)

//go:noescape
func mulScalarF64AVX2(dst, x []float64, c float64)

//go:noescape
func axpyF64AVX2(y []float64, a float64, x []float64)

//go:noescape
func reluF64AVX2(dst, x []float64)

//go:noescape
func reluMaskF64AVX2(dst, g, x []float64)

//go:noescape
func stepF64AVX2(dst, x []float64)

//go:noescape
func allFiniteF64AVX2(x []float64) bool

//go:noescape
func sumF64AVX2(x []float64) float64

//go:noescape
func addF32AVX512(dst, x, y []float32)

//go:noescape
func subF32AVX512(dst, x, y []float32)

//go:noescape
func mulF32AVX512(dst, x, y []float32)

//go:noescape
func divF32AVX512(dst, x, y []float32)

//go:noescape
func addScalarF32AVX512(dst, x []float32, c float32)

//go:noescape
func mulScalarF32AVX512(dst, x []float32, c float32)

//go:noescape
func axpyF32AVX512(y []float32, a float32, x []float32)

//go:noescape
func reluF32AVX512(dst, x []float32)

//go:noescape
func reluMaskF32AVX512(dst, g, x []float32)

//go:noescape
func stepF32AVX512(dst, x []float32)

//go:noescape
func allFiniteF32AVX512(x []float32) bool

//go:noescape
func sumF32AVX512(x []float32) float64

//go:noescape
func addF64AVX512(dst, x, y []float64)

//go:noescape
func subF64AVX512(dst, x, y []float64)

//go:noescape
func mulF64AVX512(dst, x, y []float64)

//go:noescape
func divF64AVX512(dst, x, y []float64)

//go:noescape
func addScalarF64AVX512(dst, x []float64, c float64)

//go:noescape
func mulScalarF64AVX512(dst, x []float64, c float64)

//go:noescape
func axpyF64AVX512(y []float64, a float64, x []float64)

//go:noescape
func reluF64AVX512(dst, x []float64)

//go:noescape
func reluMaskF64AVX512(dst, g, x []float64)

//go:noescape
func stepF64AVX512(dst, x []float64)

//go:noescape
func allFiniteF64AVX512(x []float64) bool

//go:noescape
func sumF64AVX512(x []float64) float64

// impls lists the implementations this CPU runs, fastest first.
var impls = func() []*impl {
	var l []*impl
	if cpu.X86.HasAVX512F {
		l = append(l, &impl{name: "avx512",
			k32: asmKernels(16, &kernels[float32]{
				add: addF32AVX512, sub: subF32AVX512, mul: mulF32AVX512, div: divF32AVX512,
				addScalar: addScalarF32AVX512, mulScalar: mulScalarF32AVX512, axpy: axpyF32AVX512,
				relu: reluF32AVX512, reluMask: reluMaskF32AVX512, step: stepF32AVX512, allFinite: allFiniteF32AVX512, sum: sumF32AVX512,
			}),
			k64: asmKernels(8, &kernels[float64]{
				add: addF64AVX512, sub: subF64AVX512, mul: mulF64AVX512, div: divF64AVX512,
				addScalar: addScalarF64AVX512, mulScalar: mulScalarF64AVX512, axpy: axpyF64AVX512,
				relu: reluF64AVX512, reluMask: reluMaskF64AVX512, step: stepF64AVX512, allFinite: allFiniteF64AVX512, sum: sumF64AVX512,
			}),
		})
	}
	if cpu.X86.HasAVX2 {
		l = append(l, &impl{name: "avx2",
			k32: asmKernels(8, &kernels[float32]{
				add: addF32AVX2, sub: subF32AVX2, mul: mulF32AVX2, div: divF32AVX2,
				addScalar: addScalarF32AVX2, mulScalar: mulScalarF32AVX2, axpy: axpyF32AVX2,
				relu: reluF32AVX2, reluMask: reluMaskF32AVX2, step: stepF32AVX2, allFinite: allFiniteF32AVX2, sum: sumF32AVX2,
			}),
			k64: asmKernels(4, &kernels[float64]{
				add: addF64AVX2, sub: subF64AVX2, mul: mulF64AVX2, div: divF64AVX2,
				addScalar: addScalarF64AVX2, mulScalar: mulScalarF64AVX2, axpy: axpyF64AVX2,
				relu: reluF64AVX2, reluMask: reluMaskF64AVX2, step: stepF64AVX2, allFinite: allFiniteF64AVX2, sum: sumF64AVX2,
			}),
		})
	}
	return append(l, goImpl)
}()

// asmKernels wraps assembly loops over whole vectors of the given number of
// lanes so that the plain Go loops do the remaining tail elements.
func asmKernels[T Float](lanes int, a *kernels[T]) *kernels[T] {
	g := goKernels[T]()
	split := func(n int) int { return n &^ (lanes - 1) }
	bin := func(asm, tail func(dst, x, y []T)) func(dst, x, y []T) {
		return func(dst, x, y []T) {
			n := split(len(dst))
			if n > 0 {
				asm(dst[:n], x[:n], y[:n])
			}
			if n < len(dst) {
				tail(dst[n:], x[n:], y[n:])
			}
		}
	}
	sc := func(asm, tail func(dst, x []T, c T)) func(dst, x []T, c T) {
		return func(dst, x []T, c T) {
			n := split(len(dst))
			if n > 0 {
				asm(dst[:n], x[:n], c)
			}
			if n < len(dst) {
				tail(dst[n:], x[n:], c)
			}
		}
	}
	un := func(asm, tail func(dst, x []T)) func(dst, x []T) {
		return func(dst, x []T) {
			n := split(len(dst))
			if n > 0 {
				asm(dst[:n], x[:n])
			}
			if n < len(dst) {
				tail(dst[n:], x[n:])
			}
		}
	}
	return &kernels[T]{
		add: bin(a.add, g.add), sub: bin(a.sub, g.sub), mul: bin(a.mul, g.mul), div: bin(a.div, g.div),
		reluMask:  bin(a.reluMask, g.reluMask),
		addScalar: sc(a.addScalar, g.addScalar), mulScalar: sc(a.mulScalar, g.mulScalar),
		axpy: func(y []T, c T, x []T) {
			n := split(len(y))
			if n > 0 {
				a.axpy(y[:n], c, x[:n])
			}
			if n < len(y) {
				g.axpy(y[n:], c, x[n:])
			}
		},
		relu: un(a.relu, g.relu), step: un(a.step, g.step),
		sum: func(x []T) float64 {
			n := len(x) &^ 15
			if n == 0 {
				return g.sum(x)
			}
			return sumTail(a.sum(x[:n]), x[n:])
		},
		allFinite: func(x []T) bool {
			n := split(len(x))
			return (n == 0 || a.allFinite(x[:n])) && g.allFinite(x[n:])
		},
	}
}
