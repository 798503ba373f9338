package vec

import "math"

// Log, like Exp, has its own algorithm written once in Go (log64, log32)
// and once in assembly (gen_exp.go's writeLog) with the same operations,
// FMAs included, so every implementation returns the same bits. It is
// fdlibm's (Go's pure-Go math.Log), made branch-free for vectors:
//
//	x subnormal: x·2⁵⁴, k −= 54       (a select, not a branch)
//	x = 2ᵏ·z, z ∈ [√½, √2)            from the bits: ix = bits(x) − bits(√½),
//	                                  k = ix >> 52 (arithmetic), z = bits(x) − k<<52
//	f = z − 1, s = f/(2 + f)          log z = log(1+s) − log(1−s), |s| < 0.1716
//	R = s²·(L1 + s⁴(L3 + s⁴(L5 + s⁴L7))) + s⁴·(L2 + s⁴(L4 + s⁴L6))   by FMAs
//	log x = k·ln2Hi − ((f²/2 − (s·(f²/2 + R) + k·ln2Lo)) − f)
//
// then the special cases selected in: log 0 = −Inf (either sign), log x =
// NaN for x < 0, log +Inf = +Inf, log NaN = NaN. float32 is computed in
// float64 and rounded once. The 64-bit arithmetic shift, which AVX2 lacks,
// is done as a logical one on ix + 2¹¹·2⁵² (k + 2048 ≥ 0), and k is made a
// float64 by the 2⁵² trick.
//
// Error bound (TestLogAccuracy): float64 within 1 ulp of log x, fdlibm's
// bound (measured: the same bits as math.Log on a million normal inputs,
// and within 1 ulp of log(x·2⁵⁴) − 54·ln2 for subnormal x, where math.Log
// on amd64 is wrong: it returns −709.09 for log 5e−324 = −744.44); float32
// within 1 ulp of log x, correctly rounded but for rare near-ties (max
// 0.5000 ulp seen).

// Log sets dst[i] = log x[i], the natural logarithm, within 1 ulp (see the
// comment at the top of log.go). dst may be x.
func Log[T Float](dst, x []T) {
	same2("Log", dst, x)
	if len(dst) < small {
		logGo(dst, x)
		return
	}
	pickMath[T]().log(dst, x)
}

func logGo[T Float](dst, x []T) {
	x = x[:len(dst)]
	switch d := any(dst).(type) {
	case []float32:
		for i, v := range any(x).([]float32) {
			d[i] = float32(log64(float64(v)))
		}
	case []float64:
		for i, v := range any(x).([]float64) {
			d[i] = log64(v)
		}
	}
}

// The constants of log64; gen_exp.go writes the same values.
const (
	logSqrtHalf = 0x3fe6a09e667f3bcd // the bits of √½
	logNaN      = 0x7ff8000000000000 // the NaN of log x for x < 0
	logL1       = 6.666666666666735130e-01
	logL2       = 3.999999999940941908e-01
	logL3       = 2.857142874366239149e-01
	logL4       = 2.222219843214978396e-01
	logL5       = 1.818357216161805012e-01
	logL6       = 1.531383769920937332e-01
	logL7       = 1.479819860511658591e-01
)

// log64 is log x by the algorithm above. Every product is rounded before
// it is added (the float64 conversions), so that no compiler fuses them.
func log64(x float64) float64 {
	xs, kadj := x, 0.0
	if x < 0x1p-1022 {
		xs, kadj = x*0x1p54, -54
	}
	u := math.Float64bits(xs)
	ix := u - logSqrtHalf
	k := math.Float64frombits((ix+2048<<52)>>52|0x4330000000000000) - (0x1p52 + 2048) + kadj
	z := math.Float64frombits(u - ix&0xfff0000000000000)
	f := z - 1
	s := f / (2 + f)
	s2 := float64(s * s)
	s4 := float64(s2 * s2)
	t1 := float64(s2 * math.FMA(s4, math.FMA(s4, math.FMA(s4, logL7, logL5), logL3), logL1))
	t2 := float64(s4 * math.FMA(s4, math.FMA(s4, logL6, logL4), logL2))
	r := t1 + t2
	hfsq := float64(float64(0.5*f) * f)
	a := float64(s*(hfsq+r)) + float64(k*expLn2Lo)
	y := float64(k*expLn2Hi) - ((hfsq - a) - f)
	switch {
	case x == 0:
		return math.Inf(-1)
	case x < 0:
		return math.Float64frombits(logNaN)
	case x > math.MaxFloat64, x != x:
		return x
	}
	return y
}
