package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// logInputs returns n positive and special inputs for Log: logs of
// uniforms over the whole exponent range, numbers near 1 (where log x is
// small and the reduction matters), subnormals, and specials.
func logInputs[T Float](rng *rand.Rand, n int) []T {
	sp := specials[T]()
	x := make([]T, n)
	for i := range x {
		switch rng.IntN(8) {
		case 0, 1, 2:
			if isF32[T]() {
				x[i] = T(math.Exp(rng.Float64()*190 - 103))
			} else {
				x[i] = T(math.Exp(rng.Float64()*1418 - 708))
			}
		case 3, 4:
			x[i] = T(1 + rng.NormFloat64()*0.3)
		case 5:
			if isF32[T]() {
				x[i] = T(math.Float32frombits(uint32(rng.Uint64N(0x7fffff) + 1)))
			} else {
				x[i] = T(math.Float64frombits(rng.Uint64N(0xfffffffffffff) + 1))
			}
		default:
			x[i] = sp[rng.IntN(len(sp))]
		}
	}
	return x
}

// TestLogKernelsMatchGo checks every implementation's Log against log64
// bit for bit (NaN-ness only for NaNs), as TestExpKernelsMatchGo does Exp.
func TestLogKernelsMatchGo(t *testing.T) {
	withImpl(t, func(t *testing.T) {
		t.Run("float32", checkLog[float32])
		t.Run("float64", checkLog[float64])
	})
}

func checkLog[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 4))
	k := pickMath[T]()
	for _, n := range lengths {
		for off := 0; off < 3; off++ {
			x := logInputs[T](rng, n+off)[off:]
			want := make([]T, n)
			logGo(want, x)
			got := make([]T, n+1)[1:]
			for _, f := range []struct {
				name string
				f    func(dst, x []T)
			}{{"Log", Log[T]}, {"kernel", k.log}} {
				f.f(got, x)
				sameOrNaN(t, fmt.Sprintf("%s n=%d off=%d", f.name, n, off), x, got, want)
				in := append([]T(nil), x...)
				f.f(in, in)
				sameOrNaN(t, fmt.Sprintf("%s in place n=%d off=%d", f.name, n, off), x, in, want)
			}
		}
	}
}

// TestLogAccuracy measures Log's error in ulps and asserts the bounds of
// log.go: float64 within 1 ulp of math.Log for normal x (both are within
// 1 ulp of log x: measured, they are at most 1 ulp apart), and within 2 ulp
// of log(x·2⁵⁴) − 54·ln2 for subnormal x (math.Log on amd64 is wrong there:
// it gives log 5e−324 = −709.09 for −744.44; that reference has an error
// of its own, up to about an ulp); float32 within 1 ulp of math.Log in
// float64, exact to float32 precision.
func TestLogAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	n := 1 << 20
	if testing.Short() {
		n = 1 << 16
	}
	t.Run("float64", func(t *testing.T) {
		x := logInputs[float64](rng, n)
		got := make([]float64, n)
		Log(got, x)
		worst, at, worstSub := 0.0, 0.0, 0.0
		for i, v := range x {
			if v != v || v <= 0 || math.IsInf(v, 1) {
				continue
			}
			if v < 0x1p-1022 {
				worstSub = max(worstSub, ulps(got[i], math.Log(v*0x1p54)-54*math.Ln2, false))
			} else if u := ulps(got[i], math.Log(v), false); u > worst {
				worst, at = u, v
			}
		}
		t.Logf("float64: %d inputs, max %.0f ulp from math.Log (at %v), %.0f ulp for subnormal x", n, worst, at, worstSub)
		if worst > 1 || worstSub > 2 {
			t.Errorf("float64 Log: %v ulp from math.Log at %v, %v for subnormals; the bounds are 1 and 2", worst, at, worstSub)
		}
	})
	t.Run("float32", func(t *testing.T) {
		x := logInputs[float32](rng, n)
		for b := uint64(0); b < 1<<31; b += 2053 { // every 2053rd positive float32
			x = append(x, math.Float32frombits(uint32(b)))
		}
		got := make([]float32, len(x))
		Log(got, x)
		worst, at := 0.0, float32(0)
		for i, v := range x {
			if v != v || v <= 0 || math.IsInf(float64(v), 1) {
				continue
			}
			if u := ulps(float64(got[i]), math.Log(float64(v)), true); u > worst {
				worst, at = u, v
			}
		}
		t.Logf("float32: %d inputs, max error %.4f ulp of log x (at %v)", len(x), worst, at)
		if worst > 1 {
			t.Errorf("float32 Log is %v ulp from log x at %v; the bound is 1", worst, at)
		}
	})
}

// TestLogSpecials pins the special values log.go promises.
func TestLogSpecials(t *testing.T) {
	withImpl(t, func(t *testing.T) {
		x := []float64{0, math.Copysign(0, -1), -1, math.Inf(-1), math.Inf(1), math.NaN(), 1, math.E, 5e-324, math.MaxFloat64, 0.5, 2}
		want := []float64{math.Inf(-1), math.Inf(-1), math.NaN(), math.NaN(), math.Inf(1), math.NaN(), 0, 1, -744.4400719213812, 709.782712893384, -math.Ln2, math.Ln2}
		for len(x) < 40 { // vectors and tails
			x, want = append(x, x...), append(want, want...)
		}
		got := make([]float64, len(x))
		Log(got, x)
		got32 := make([]float32, len(x))
		x32 := make([]float32, len(x))
		for i, v := range x {
			x32[i] = float32(v)
		}
		Log(got32, x32)
		for i := range x {
			if !(got[i] == want[i] || got[i] != got[i] && want[i] != want[i]) {
				t.Errorf("float64 log %v = %v, want %v", x[i], got[i], want[i])
			}
			w := float32(math.Log(float64(x32[i]))) // correctly rounded at these points
			if !(got32[i] == w || got32[i] != got32[i] && w != w) {
				t.Errorf("float32 log %v = %v, want %v", x32[i], got32[i], w)
			}
		}
	})
}
