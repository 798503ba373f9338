package vec

import (
	"math"
	"math/big"
)

// This file holds the kernels of vec that are not bit-identical to a plain
// loop of the math package: Exp (and in log.go Log), and the row maximum
// Max used beside it by softmax. Exp has its own algorithm, written once in
// Go (exp64, exp32) and once in assembly (exp_amd64.s, from gen_exp.go)
// performing the same IEEE operations in the same order, FMAs included, so
// every implementation returns the same bits on every machine; the tests
// check that, and measure the algorithm's error against eˣ.
//
// The algorithm (Cody and Waite's reduction, then a polynomial):
//
//	x clamped to [lo, hi]                (NaN passes through)
//	y = fma(x, log₂e, 1.5·2⁵²)           x·log₂e rounded to the integer n in y's low bits
//	n = y − 1.5·2⁵²
//	r = x − n·ln2                        by FMAs: |r| ≤ ln2/2 + tiny
//	p = Σₖ rᵏ/k!                         Horner's rule with FMAs
//	eˣ = p·2ⁿ                            2ⁿ built from n's bits
//
// float64: lo = −746 and hi = 710 (beyond them eˣ rounds to 0 and +Inf);
// ln2 is split as ln2Hi + ln2Lo (two FMAs); the series stops at r¹³/13!
// (truncation < 6·10⁻¹⁸ relative); and 2ⁿ is applied as 2^⌊n/2⌋ · 2^(n−⌊n/2⌋),
// both normal numbers, so that n may reach −1076 and 1024: the first
// scaling is exact, the second too unless the result is subnormal
// (x < −708.4), where it rounds p·2ⁿ once to the subnormal grid.
//
// float32: the arithmetic is done in float64 and the result rounded to
// float32 once. lo = −104, hi = 89 (e⁸⁹ > MaxFloat32 becomes +Inf, e⁻¹⁰⁴ is
// below half the smallest subnormal and becomes 0); one FMA with ln2; the
// series stops at r⁹/9! (truncation < 10⁻¹¹ relative). The float64 value is
// within ~10⁻¹¹ relative of eˣ, so the float32 result is the correctly
// rounded one except when eˣ lies within that distance of a midpoint between
// two float32s: it is always faithful (error < 1 ulp).
//
// Error bound (measured by TestExpAccuracy over random and edge inputs):
// float64 within 1 ulp of eˣ (max 0.84 ulp seen against eˣ computed with
// big.Float to 256 bits; 0.80 ulp for subnormal results), hence within
// 2 ulp of math.Exp, which is within 1 ulp itself (and on amd64 wrongly
// returns +Inf from x = 709.436…, where eˣ is still finite up to 709.78);
// float32 within 1 ulp of eˣ, correctly rounded but for rare near-ties
// (max 0.5000 ulp seen, relative error ≤ 6·10⁻⁸ ≪ the 10⁻⁵ asked of it).
// Special values: e^NaN = NaN (payload unspecified), e^+Inf = +Inf,
// e^−Inf = +0, e^±0 = 1.

// Exp sets dst[i] = e^x[i], within 1 ulp (see the comment at the top of
// exp.go for the algorithm and its accuracy). dst may be x.
func Exp[T Float](dst, x []T) {
	same2("Exp", dst, x)
	if len(dst) < small {
		expGo(dst, x)
		return
	}
	pickMath[T]().exp(dst, x)
}

// Max returns the largest element of x that is not NaN: NaNs are skipped,
// and a slice of NaNs alone gives −Inf. Which of −0 and +0 it returns when
// both are the largest is unspecified. Softmax shifts by it (a NaN element
// makes its row NaN all the same, through x − max).
func Max[T Float](x []T) T {
	if len(x) < small {
		return maxGo(x)
	}
	return pickMath[T]().max(x)
}

// mathKernels are one implementation of this file's kernels for one type.
type mathKernels[T Float] struct {
	exp, log func(dst, x []T)
	max      func(x []T) T
}

// mathImpl is one level's mathKernels for both types (impl.math).
type mathImpl struct {
	k32 *mathKernels[float32]
	k64 *mathKernels[float64]
}

// goMath is the Go loops of this file.
var goMath = &mathImpl{
	k32: &mathKernels[float32]{exp: expGo[float32], log: logGo[float32], max: maxGo[float32]},
	k64: &mathKernels[float64]{exp: expGo[float64], log: logGo[float64], max: maxGo[float64]},
}

// pickMath returns current's kernels of this file for T.
func pickMath[T Float]() *mathKernels[T] {
	m := current.math
	if m == nil {
		m = goMath
	}
	var z T
	if _, ok := any(z).(float32); ok {
		return any(m.k32).(*mathKernels[T])
	}
	return any(m.k64).(*mathKernels[T])
}

func expGo[T Float](dst, x []T) {
	x = x[:len(dst)]
	switch d := any(dst).(type) {
	case []float32:
		for i, v := range any(x).([]float32) {
			d[i] = exp32(v)
		}
	case []float64:
		for i, v := range any(x).([]float64) {
			d[i] = exp64(v)
		}
	}
}

// The constants of exp64 and exp32; gen_exp.go writes the same values.
const (
	expMagic = 0x1.8p52           // 1.5·2⁵²: adding it rounds to an integer
	expLog2e = 1.4426950408889634 // log₂e rounded
	expOne   = 0x3ff0000000000000 // the bits of 1.0: exponent bias
	// ln2 = ln2Hi + ln2Lo to about 2⁻⁸⁵ (fdlibm's split; ln2Hi has 32 bits).
	expLn2Hi = 6.93147180369123816490e-01
	expLn2Lo = 1.90821492927058770002e-10
	exp64Lo  = -746
	exp64Hi  = 710
	exp32Lo  = -104
	exp32Hi  = 89
)

// expCoef64 and expCoef32 are 1/k! rounded to float64, highest degree
// first: 13 and 9.
var expCoef64, expCoef32 = invFactorials(13), invFactorials(9)

// invFactorials returns 1/k! for k = deg … 0, each correctly rounded.
func invFactorials(deg int) []float64 {
	c := make([]float64, deg+1)
	f := big.NewInt(1)
	for k := 0; k <= deg; k++ {
		if k > 0 {
			f.Mul(f, big.NewInt(int64(k)))
		}
		c[deg-k], _ = new(big.Rat).SetFrac(big.NewInt(1), f).Float64()
	}
	return c
}

// horner returns Σ c[i]·r^(len(c)−1−i) by Horner's rule with FMAs.
func horner(c []float64, r float64) float64 {
	p := c[0]
	for _, k := range c[1:] {
		p = math.FMA(p, r, k)
	}
	return p
}

// exp64 is eˣ by the algorithm above, in float64.
func exp64(x float64) float64 {
	if x > exp64Hi {
		x = exp64Hi
	}
	if x < exp64Lo {
		x = exp64Lo
	}
	y := math.FMA(x, expLog2e, expMagic)
	n := y - expMagic
	r := math.FMA(-n, expLn2Hi, x)
	r = math.FMA(-n, expLn2Lo, r)
	p := horner(expCoef64, r)
	u := math.Float64bits(y)                                // 1.5·2⁵² + n: n in the low bits
	s1 := math.Float64frombits((u>>1)<<52 + expOne)         // 2^⌊n/2⌋
	s2 := math.Float64frombits(u<<52 - (u>>1)<<52 + expOne) // 2^(n−⌊n/2⌋)
	return float64(p*s1) * s2
}

// exp32 is eˣ by the algorithm above, in float64 rounded once to float32.
func exp32(x32 float32) float32 {
	x := float64(x32)
	if x > exp32Hi {
		x = exp32Hi
	}
	if x < exp32Lo {
		x = exp32Lo
	}
	y := math.FMA(x, expLog2e, expMagic)
	n := y - expMagic
	r := math.FMA(-n, math.Ln2, x)
	p := horner(expCoef32, r)
	return float32(p * math.Float64frombits(math.Float64bits(y)<<52+expOne))
}

// maxGo is Max's Go loop: four running maxima by the builtin max, which is
// branch-free (comparisons of random logits would mispredict half the
// time) but lets a NaN win; if one did, maxSkipNaN starts again.
func maxGo[T Float](x []T) T {
	inf := T(math.Inf(-1))
	m0, m1, m2, m3 := inf, inf, inf, inf
	i := 0
	for ; i+4 <= len(x); i += 4 {
		m0, m1, m2, m3 = max(m0, x[i]), max(m1, x[i+1]), max(m2, x[i+2]), max(m3, x[i+3])
	}
	for ; i < len(x); i++ {
		m0 = max(m0, x[i])
	}
	if m := max(m0, m1, m2, m3); m == m {
		return m
	}
	return maxSkipNaN(x)
}

// maxSkipNaN is the largest element that is not NaN (−Inf if none).
func maxSkipNaN[T Float](x []T) T {
	m := T(math.Inf(-1))
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	return m
}
