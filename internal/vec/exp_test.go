package vec

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// bigPrec is the precision of the reference eˣ: far beyond float64's 53
// bits, so rounding it gives the correctly rounded eˣ.
const bigPrec = 256

// bigLn2 is ln 2 to bigPrec bits, from ln 2 = Σₖ 1/(k·2ᵏ).
var bigLn2 = func() *big.Float {
	s := new(big.Float).SetPrec(bigPrec + 20)
	for k := 1; k < bigPrec+20; k++ {
		d := new(big.Float).SetPrec(bigPrec+20).SetMantExp(big.NewFloat(float64(k)), k)
		s.Add(s, new(big.Float).SetPrec(bigPrec+20).Quo(big.NewFloat(1), d))
	}
	return s
}()

// bigExp returns eˣ correctly rounded to float64.
func bigExp(x float64) float64 {
	if x > 710 {
		return math.Inf(1)
	}
	if x < -746 {
		return 0
	}
	f, _ := bigExpExact(x).Float64()
	return f
}

// bigExpUlps returns |got − eˣ| in ulps of float64 at eˣ, eˣ to bigPrec bits.
func bigExpUlps(got, x float64) float64 {
	want := bigExp(x)
	if x > 710 || x < -746 || math.IsInf(want, 0) || want == 0 {
		return ulps(got, want, false)
	}
	d := new(big.Float).SetPrec(bigPrec).SetFloat64(got)
	d.Sub(d, bigExpExact(x))
	d.Quo(d, big.NewFloat(ulpAt(want, false))) // in big: the difference may be below float64's range
	u, _ := d.Float64()
	return math.Abs(u)
}

// bigExpExact returns eˣ to bigPrec bits: x = k·ln2 + r exactly to bigPrec
// bits, e^r by its Taylor series, scaled by 2ᵏ.
func bigExpExact(x float64) *big.Float {
	k := math.Round(x / math.Ln2)
	r := new(big.Float).SetPrec(bigPrec).SetFloat64(x)
	r.Sub(r, new(big.Float).SetPrec(bigPrec).Mul(big.NewFloat(k), bigLn2))
	sum := new(big.Float).SetPrec(bigPrec).SetInt64(1)
	term := new(big.Float).SetPrec(bigPrec).SetInt64(1)
	for n := 1; n < 100; n++ {
		term.Mul(term, r)
		term.Quo(term, big.NewFloat(float64(n)))
		sum.Add(sum, term)
		if term.Sign() == 0 || term.MantExp(nil)-sum.MantExp(nil) < -bigPrec {
			break
		}
	}
	return sum.SetMantExp(sum, int(k))
}

// expInputs returns n inputs for Exp: normals of scale 3 (logits), uniforms
// over the whole finite range of eˣ and beyond, inputs whose results are
// subnormal, and specials.
func expInputs[T Float](rng *rand.Rand, n int) []T {
	lo, hi := float64(exp64Lo), float64(exp64Hi)
	sub := [2]float64{-745.2, -708.3} // subnormal float64 results
	if isF32[T]() {
		lo, hi = exp32Lo, exp32Hi
		sub = [2]float64{-104, -87.3}
	}
	sp := specials[T]()
	x := make([]T, n)
	for i := range x {
		switch rng.IntN(8) {
		case 0, 1, 2:
			x[i] = T(rng.NormFloat64() * 3)
		case 3, 4:
			x[i] = T(lo - 2 + rng.Float64()*(hi-lo+4))
		case 5:
			x[i] = T(sub[0] + rng.Float64()*(sub[1]-sub[0]))
		case 6:
			x[i] = T(rng.NormFloat64() * 1e-3)
		default:
			x[i] = sp[rng.IntN(len(sp))]
		}
	}
	return x
}

func isF32[T Float]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

// TestExpKernelsMatchGo checks every implementation's Exp against exp64 and
// exp32 bit for bit (NaN-ness only for NaNs), on every length to 100 and a
// few longer, at unaligned offsets, in place and out of place.
func TestExpKernelsMatchGo(t *testing.T) {
	withImpl(t, func(t *testing.T) {
		t.Run("float32", checkExp[float32])
		t.Run("float64", checkExp[float64])
	})
}

func checkExp[T Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	k := pickMath[T]()
	for _, n := range lengths {
		for off := 0; off < 3; off++ {
			buf := expInputs[T](rng, n+off)
			x := buf[off:]
			want := make([]T, n)
			expGo(want, x)
			got := make([]T, n+1)[1:]
			for _, f := range []struct {
				name string
				f    func(dst, x []T)
			}{{"Exp", Exp[T]}, {"kernel", k.exp}} {
				f.f(got, x)
				sameOrNaN(t, fmt.Sprintf("%s n=%d off=%d", f.name, n, off), x, got, want)
				in := append([]T(nil), x...)
				f.f(in, in)
				sameOrNaN(t, fmt.Sprintf("%s in place n=%d off=%d", f.name, n, off), x, in, want)
			}
		}
	}
}

func sameOrNaN[T Float](t *testing.T, what string, x, got, want []T) {
	t.Helper()
	for i := range want {
		if bits(got[i]) != bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
			t.Fatalf("%s: e^%v at %d is %v (%#x), Go loop %v (%#x)", what, x[i], i, got[i], bits(got[i]), want[i], bits(want[i]))
		}
	}
}

// ulps returns |got − want| in units of the last place of want's type at
// want (the spacing of subnormals below the normal range); want is the
// reference rounded to that type or, for float32, the float64 reference.
func ulps(got, want float64, f32 bool) float64 {
	if got == want || (math.IsInf(got, 1) && math.IsInf(want, 1)) {
		return 0
	}
	return math.Abs(got-want) / ulpAt(want, f32)
}

// ulpAt is the spacing of float64s (or float32s) at |v|: of subnormals
// below the normal range.
func ulpAt(v float64, f32 bool) float64 {
	minExp, mant := -1022, 52
	if f32 {
		minExp, mant = -126, 23
	}
	_, e := math.Frexp(math.Abs(v)) // v = f·2^e, f ∈ [½, 1)
	e = max(e-1, minExp)
	return math.Ldexp(1, e-mant)
}

// TestExpAccuracy measures Exp's error over random and edge inputs, in
// ulps, and asserts the documented bounds; it logs the maxima measured
// (go test -v). float64 is compared with math.Exp on a million inputs up to
// 709.4 (above, math.Exp on amd64 returns +Inf for finite e^x: it
// overflows from x = 1023.5·ln2 = 709.436…), and with the correctly rounded
// eˣ (bigExp) on fewer inputs over the whole range; float32 with math.Exp
// in float64, which is exact to float32 precision.
func TestExpAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	n := 1 << 20
	if testing.Short() {
		n = 1 << 16
	}
	t.Run("float64", func(t *testing.T) {
		x := expInputs[float64](rng, n)
		// all the edges: the clamps, the overflow and underflow thresholds,
		// the subnormal boundary, the reduction's half-way points
		for _, v := range []float64{709.782712893384, 709.7827128933841, -708.3964185322641, -708.39641853226, -745.1332191019411, -745.1332191019412, -744.44007192138, 0.5 * math.Ln2, -0.5 * math.Ln2, 1, -1, 1e-300, -1e-300} {
			x = append(x, v, math.Nextafter(v, 0), math.Nextafter(v, math.Inf(1)))
		}
		for v := 709.4; v < 709.79; v += 0.003 { // where math.Exp is wrong
			x = append(x, v)
		}
		got := make([]float64, len(x))
		Exp(got, x)
		worst, at, worstBig, atBig, nBig := 0.0, 0.0, 0.0, 0.0, 0
		for i, v := range x {
			if v != v {
				if got[i] == got[i] {
					t.Fatalf("e^%v = %v, want NaN", v, got[i])
				}
				continue
			}
			if v < 709.4 {
				if u := ulps(got[i], math.Exp(v), false); u > worst {
					worst, at = u, v
				}
			}
			if i%64 == 0 || i >= n {
				nBig++
				if u := bigExpUlps(got[i], v); u > worstBig {
					worstBig, atBig = u, v
				}
			}
		}
		t.Logf("float64: %d inputs, max error %.0f ulp of math.Exp (at x = %v); %d inputs, max error %.4f ulp of eˣ (at x = %v)", len(x), worst, at, nBig, worstBig, atBig)
		if worst > 2 || worstBig > 1 {
			t.Errorf("float64 Exp is %.3f ulp from math.Exp at x = %v, %.3f ulp from eˣ at %v; the documented bounds are 2 and 1", worst, at, worstBig, atBig)
		}
	})
	t.Run("float32", func(t *testing.T) {
		x := expInputs[float32](rng, n)
		// every 4099th bit pattern: about a million float32s over the whole line
		for b := uint64(0); b < 1<<32; b += 4099 {
			x = append(x, math.Float32frombits(uint32(b)))
		}
		for _, v := range []float32{88.72283, 88.72284, -87.33654, -103.27893, -103.97208, -103.97209, 0.5 * math.Ln2} {
			x = append(x, v, math.Nextafter32(v, 0), math.Nextafter32(v, float32(math.Inf(1))))
		}
		got := make([]float32, len(x))
		Exp(got, x)
		worst, at, worstRel := 0.0, float32(0), 0.0
		for i, v := range x {
			want := math.Exp(float64(v))
			if math.IsNaN(want) != math.IsNaN(float64(got[i])) {
				t.Fatalf("e^%v = %v, want %v", v, got[i], want)
			}
			if want > math.MaxFloat32 { // overflows to +Inf when rounded
				if r := float32(want); !math.IsInf(float64(got[i]), 1) && !math.IsInf(float64(r), 1) {
					continue
				}
				if !math.IsInf(float64(got[i]), 1) && float64(got[i]) != float64(float32(want)) {
					t.Fatalf("e^%v = %v, want %v", v, got[i], float32(want))
				}
				continue
			}
			if u := ulps(float64(got[i]), want, true); u > worst {
				worst, at = u, v
			}
			if want >= 0x1p-126 && want <= math.MaxFloat32 { // normal: relative error
				if rel := math.Abs(float64(got[i])-want) / want; rel > worstRel {
					worstRel = rel
				}
			}
		}
		t.Logf("float32: %d inputs, max error %.4f ulp of eˣ (at x = %v), max relative error %.3g for normal results", len(x), worst, at, worstRel)
		if worst > 1 {
			t.Errorf("float32 Exp is %.3f ulp from eˣ at x = %v; the documented bound is 1", worst, at)
		}
		if worstRel > 1e-7 {
			t.Errorf("float32 Exp relative error %.3g > 1e-7", worstRel)
		}
	})
}

// TestExpSpecials pins the results the package comment promises.
func TestExpSpecials(t *testing.T) {
	negZero := math.Copysign(0, -1)
	withImpl(t, func(t *testing.T) {
		x := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, negZero, 710, 709.79, 1000, -746, -800, -745.2, -745.1, 1}
		want := []float64{math.NaN(), math.Inf(1), 0, 1, 1, math.Inf(1), math.Inf(1), math.Inf(1), 0, 0, 0, 5e-324, math.E}
		x = append(x, x...) // twice: 26 values, vector and tail both
		want = append(want, want...)
		got := make([]float64, len(x))
		Exp(got, x)
		for i := range x {
			if !(got[i] == want[i] || got[i] != got[i] && want[i] != want[i]) || (want[i] == 0 && math.Signbit(got[i])) {
				t.Errorf("float64 e^%v = %v, want %v", x[i], got[i], want[i])
			}
		}
		x32 := make([]float32, len(x))
		for i := range x {
			x32[i] = float32(x[i])
		}
		x32[6], want[6] = 88.73, math.Inf(1)
		x32[12], want[12] = 1, float64(float32(math.E))
		x32[10], want[10] = -103.98, 0
		x32[11], want[11] = -103.2, 0x1p-149
		for i := range 13 {
			x32[13+i], want[13+i] = x32[i], want[i]
		}
		got32 := make([]float32, len(x32))
		Exp(got32, x32)
		for i := range x32 {
			if w := float32(want[i]); !(got32[i] == w || got32[i] != got32[i] && w != w) || (w == 0 && math.Signbit(float64(got32[i]))) {
				t.Errorf("float32 e^%v = %v, want %v", x32[i], got32[i], w)
			}
		}
	})
}

// k32max is Max with the implementation's kernel also below small.
func k32max(x []float32) float32 { return pickMath[float32]().max(x) }

func TestMax(t *testing.T) {
	withImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for _, n := range lengths[1:] {
			x := operand[float64](rng, n, 1, false)
			want := math.Inf(-1)
			for _, v := range x {
				want = math.Max(want, v)
			}
			if got := Max(x); got != want {
				t.Fatalf("Max of %d: %v, want %v", n, got, want)
			}
			x32 := make([]float32, n)
			for i, v := range x {
				x32[i] = float32(v)
			}
			if got := Max(x32); got != float32(want) {
				t.Fatalf("Max of %d float32s: %v, want %v", n, got, float32(want))
			}
		}
	})
	// With specials: the largest number, NaNs skipped (the sign of a zero
	// aside); −Inf for NaNs alone.
	withImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 3))
		for _, n := range lengths[1:] {
			x := operand[float32](rng, n, 0, true)
			want := float32(math.Inf(-1))
			for _, v := range x {
				if v == v {
					want = max(want, v)
				}
			}
			got := k32max(x)
			if got != want {
				t.Fatalf("Max of %v = %v, want %v", x, got, want)
			}
		}
		inf := []float64{math.Inf(-1), math.NaN()}
		for len(inf) < 40 {
			inf = append(inf, inf...)
		}
		if m := Max(inf); !math.IsInf(m, -1) {
			t.Errorf("Max of −Inf and NaN = %v", m)
		}
	})
}

// TestBigExp checks the reference itself on values known to many digits.
func TestBigExp(t *testing.T) {
	for _, c := range []struct{ x, want float64 }{
		{1, math.E}, {0, 1}, {-1, 1 / math.E}, {math.Ln2, 2}, {10, 22026.465794806718},
		{709.7, 1.6549840276802644e+308}, {-745.1, 5e-324}, {-720, 2.0322308024e-313},
		// from Python: float(Decimal(x).exp()) with 60 digits
		{4.46485040430518, 86.9080275004927}, {-602.0141615759479, 3.536483205194794e-262},
	} {
		if got := bigExp(c.x); got != c.want {
			t.Errorf("bigExp(%v) = %v, want %v", c.x, got, c.want)
		}
	}
}
