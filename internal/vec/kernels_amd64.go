//go:build amd64 && !purego

package vec

import (
	"math"

	"golang.org/x/sys/cpu"
)

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

//go:noescape
func adamF32AVX2(p, g, s1, s2, s3 []float32, k [maxConsts]float32, flags uint64)

//go:noescape
func nadamF32AVX2(p, g, s1, s2, s3 []float32, k [maxConsts]float32, flags uint64)

//go:noescape
func rmspropF32AVX2(p, g, s1, s2, s3 []float32, k [maxConsts]float32, flags uint64)

//go:noescape
func adadeltaF32AVX2(p, g, s1, s2, s3 []float32, k [maxConsts]float32, flags uint64)

//go:noescape
func sgdF32AVX2(p, g, s1, s2, s3 []float32, k [maxConsts]float32, flags uint64)

//go:noescape
func adamF64AVX2(p, g, s1, s2, s3 []float64, k [maxConsts]float64, flags uint64)

//go:noescape
func nadamF64AVX2(p, g, s1, s2, s3 []float64, k [maxConsts]float64, flags uint64)

//go:noescape
func rmspropF64AVX2(p, g, s1, s2, s3 []float64, k [maxConsts]float64, flags uint64)

//go:noescape
func adadeltaF64AVX2(p, g, s1, s2, s3 []float64, k [maxConsts]float64, flags uint64)

//go:noescape
func sgdF64AVX2(p, g, s1, s2, s3 []float64, k [maxConsts]float64, flags uint64)

//go:noescape
func adamF32AVX512(p, g, s1, s2, s3 []float32, k [maxConsts]float32, flags uint64)

//go:noescape
func nadamF32AVX512(p, g, s1, s2, s3 []float32, k [maxConsts]float32, flags uint64)

//go:noescape
func rmspropF32AVX512(p, g, s1, s2, s3 []float32, k [maxConsts]float32, flags uint64)

//go:noescape
func adadeltaF32AVX512(p, g, s1, s2, s3 []float32, k [maxConsts]float32, flags uint64)

//go:noescape
func sgdF32AVX512(p, g, s1, s2, s3 []float32, k [maxConsts]float32, flags uint64)

//go:noescape
func adamF64AVX512(p, g, s1, s2, s3 []float64, k [maxConsts]float64, flags uint64)

//go:noescape
func nadamF64AVX512(p, g, s1, s2, s3 []float64, k [maxConsts]float64, flags uint64)

//go:noescape
func rmspropF64AVX512(p, g, s1, s2, s3 []float64, k [maxConsts]float64, flags uint64)

//go:noescape
func adadeltaF64AVX512(p, g, s1, s2, s3 []float64, k [maxConsts]float64, flags uint64)

//go:noescape
func sgdF64AVX512(p, g, s1, s2, s3 []float64, k [maxConsts]float64, flags uint64)

// impls lists the implementations this CPU runs, fastest first.
var impls = func() []*impl {
	var l []*impl
	if cpu.X86.HasAVX512F {
		l = append(l, &impl{name: "avx512",
			k32: asmKernels(16, &kernels[float32]{
				add: addF32AVX512, sub: subF32AVX512, mul: mulF32AVX512, div: divF32AVX512,
				addScalar: addScalarF32AVX512, mulScalar: mulScalarF32AVX512, axpy: axpyF32AVX512,
				relu: reluF32AVX512, reluMask: reluMaskF32AVX512, step: stepF32AVX512, allFinite: allFiniteF32AVX512, sum: sumF32AVX512,
			}, fusedAsm[float32]{adam: adamF32AVX512, nadam: nadamF32AVX512, rmsprop: rmspropF32AVX512, adadelta: adadeltaF32AVX512, sgd: sgdF32AVX512}),
			k64: asmKernels(8, &kernels[float64]{
				add: addF64AVX512, sub: subF64AVX512, mul: mulF64AVX512, div: divF64AVX512,
				addScalar: addScalarF64AVX512, mulScalar: mulScalarF64AVX512, axpy: axpyF64AVX512,
				relu: reluF64AVX512, reluMask: reluMaskF64AVX512, step: stepF64AVX512, allFinite: allFiniteF64AVX512, sum: sumF64AVX512,
			}, fusedAsm[float64]{adam: adamF64AVX512, nadam: nadamF64AVX512, rmsprop: rmspropF64AVX512, adadelta: adadeltaF64AVX512, sgd: sgdF64AVX512}),
		})
	}
	if cpu.X86.HasAVX2 {
		l = append(l, &impl{name: "avx2",
			k32: asmKernels(8, &kernels[float32]{
				add: addF32AVX2, sub: subF32AVX2, mul: mulF32AVX2, div: divF32AVX2,
				addScalar: addScalarF32AVX2, mulScalar: mulScalarF32AVX2, axpy: axpyF32AVX2,
				relu: reluF32AVX2, reluMask: reluMaskF32AVX2, step: stepF32AVX2, allFinite: allFiniteF32AVX2, sum: sumF32AVX2,
			}, fusedAsm[float32]{adam: adamF32AVX2, nadam: nadamF32AVX2, rmsprop: rmspropF32AVX2, adadelta: adadeltaF32AVX2, sgd: sgdF32AVX2}),
			k64: asmKernels(4, &kernels[float64]{
				add: addF64AVX2, sub: subF64AVX2, mul: mulF64AVX2, div: divF64AVX2,
				addScalar: addScalarF64AVX2, mulScalar: mulScalarF64AVX2, axpy: axpyF64AVX2,
				relu: reluF64AVX2, reluMask: reluMaskF64AVX2, step: stepF64AVX2, allFinite: allFiniteF64AVX2, sum: sumF64AVX2,
			}, fusedAsm[float64]{adam: adamF64AVX2, nadam: nadamF64AVX2, rmsprop: rmspropF64AVX2, adadelta: adadeltaF64AVX2, sgd: sgdF64AVX2}),
		})
	}
	return append(l, goImpl)
}()

// asmKernels wraps assembly loops over whole vectors of the given number of
// lanes so that the plain Go loops do the remaining tail elements.
func asmKernels[T Float](lanes int, a *kernels[T], f fusedAsm[T]) *kernels[T] {
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
		adam: func(c Adam, p, gr, m, v, vmax []T) {
			fl := bit(c.Maximize, flagMaximize) | bit(c.Decoupled, flagDecoupled) |
				bit(!c.Decoupled && T(c.WeightDecay) != 0, flagL2) | bit(vmax != nil, flagAMSGrad)
			k := consts[T](c.Beta1, c.OneMinusBeta1, c.Beta2, c.OneMinusBeta2, c.NegStepSize, c.BiasCorrection2, c.Eps, c.WeightDecay, c.Decay, negZero)
			if n := run(split, f.adam, k, fl, p, gr, m, v, vmax); n < len(p) {
				g.adam(c, p[n:], gr[n:], m[n:], v[n:], tail(vmax, n))
			}
		},
		nadam: func(c NAdam, p, gr, m, v []T) {
			fl := bit(T(c.WeightDecay) != 0, flagL2)
			k := consts[T](c.Beta1, c.OneMinusBeta1, c.Beta2, c.OneMinusBeta2, c.BiasCorrection2, c.Eps, c.WeightDecay, c.GradCoef, c.MomentCoef)
			if n := run(split, f.nadam, k, fl, p, gr, m, v, nil); n < len(p) {
				g.nadam(c, p[n:], gr[n:], m[n:], v[n:])
			}
		},
		rmsprop: func(c RMSprop, p, gr, v, gavg, buf []T) {
			fl := bit(c.Maximize, flagMaximize) | bit(T(c.WeightDecay) != 0, flagL2) | bit(c.Accumulate, flagAccumulate) |
				bit(gavg != nil, flagCentered) | bit(buf != nil, flagMomentum)
			k := consts[T](c.Alpha, c.OneMinusAlpha, c.Eps, c.WeightDecay, c.NegLR, c.Momentum, negZero)
			if n := run(split, f.rmsprop, k, fl, p, gr, v, gavg, buf); n < len(p) {
				g.rmsprop(c, p[n:], gr[n:], v[n:], tail(gavg, n), tail(buf, n))
			}
		},
		adadelta: func(c Adadelta, p, gr, v, u []T) {
			fl := bit(c.Maximize, flagMaximize) | bit(T(c.WeightDecay) != 0, flagL2)
			k := consts[T](c.Rho, c.OneMinusRho, c.Eps, c.WeightDecay, c.NegLR, negZero)
			if n := run(split, f.adadelta, k, fl, p, gr, v, u, nil); n < len(p) {
				g.adadelta(c, p[n:], gr[n:], v[n:], u[n:])
			}
		},
		sgd: func(c SGD, p, gr, buf []T) {
			fl := bit(c.Maximize, flagMaximize) | bit(T(c.WeightDecay) != 0, flagL2) | bit(buf != nil, flagMomentum) |
				bit(c.First, flagFirst) | bit(c.Nesterov, flagNesterov)
			k := consts[T](c.NegLR, c.WeightDecay, c.Momentum, c.OneMinusDampening, negZero)
			if n := run(split, f.sgd, k, fl, p, gr, buf, nil, nil); n < len(p) {
				g.sgd(c, p[n:], gr[n:], tail(buf, n))
			}
		},
	}
}

// fusedAsm holds the assembly loops of the fused updates of one level and
// element type. Each takes p, the gradient, up to three state buffers s1…s3
// (empty when unused), the constants of its settings struct as the lambdas
// in asmKernels lay them out (consts), and flag bits; see gen_kernels.go.
type fusedAsm[T Float] struct {
	adam, nadam, rmsprop, adadelta, sgd func(p, g, s1, s2, s3 []T, k [maxConsts]T, flags uint64)
}

// maxConsts is the length of the constant array of a fused kernel.
const maxConsts = 12

// The flag bits of the fused kernels, as gen_kernels.go defines them.
const (
	flagMaximize   = 1 << iota // negate the gradient
	flagL2                     // g ← g + λ·p
	flagDecoupled              // Adam: p ← p·Decay
	flagAMSGrad                // Adam: running maximum in s3
	flagAccumulate             // RMSprop: Adagrad's v ← v + g·g
	flagCentered               // RMSprop: mean gradient in s2
	flagMomentum               // RMSprop: momentum buffer in s3; SGD: in s1
	flagFirst                  // SGD: the buffer starts as the gradient
	flagNesterov               // SGD: Nesterov momentum
)

// negZero is −0, whose bits are the sign mask that negates a value.
var negZero = math.Copysign(0, -1)

// bit returns flag if b holds, else 0.
func bit(b bool, flag uint64) uint64 {
	if b {
		return flag
	}
	return 0
}

// consts rounds the settings to T (exactly: they are values of T) in the
// order of a kernel's constant array.
func consts[T Float](v ...float64) (k [maxConsts]T) {
	for i, x := range v {
		k[i] = T(x)
	}
	return k
}

// run calls a fused kernel on the whole vectors of p and the slices with
// it, and returns how many elements it did; the caller's Go loop does the
// rest. Nil (unused) buffers stay nil.
func run[T Float](split func(int) int, asm func(p, g, s1, s2, s3 []T, k [maxConsts]T, flags uint64), k [maxConsts]T, fl uint64, p, g, s1, s2, s3 []T) int {
	n := split(len(p))
	if n > 0 {
		asm(p[:n], g[:n], head(s1, n), head(s2, n), head(s3, n), k, fl)
	}
	return n
}

// head is s[:n], or nil for a nil s.
func head[T Float](s []T, n int) []T {
	if s == nil {
		return nil
	}
	return s[:n]
}

// tail is s[n:], or nil for a nil s.
func tail[T Float](s []T, n int) []T {
	if s == nil {
		return nil
	}
	return s[n:]
}
