package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// withImpl runs f once per implementation this CPU runs, with it in use.
func withImpl(t *testing.T, f func(t *testing.T)) {
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			saved := current
			current = im
			defer func() { current = saved }()
			f(t)
		})
	}
}

// lengths are the slice lengths tried: every length to 100 (all the tails
// of every vector width) and a few around larger multiples.
var lengths = func() []int {
	var l []int
	for n := 0; n <= 100; n++ {
		l = append(l, n)
	}
	return append(l, 127, 128, 129, 255, 256, 257, 1000, 1031)
}()

func bits[T Float](v T) uint64 {
	switch v := any(v).(type) {
	case float32:
		return uint64(math.Float32bits(v))
	default:
		return math.Float64bits(any(v).(float64))
	}
}

// specials are the values that test the corners: NaNs of both signs with
// payloads (quiet and signalling), infinities, signed zeros, subnormals,
// the extremes and ±1.
func specials[T Float]() []T {
	var z T
	if _, ok := any(z).(float32); ok {
		var out []T
		for _, b := range []uint32{0x7fc00000, 0xffc00000, 0x7fc12345, 0xff812345, 0x7f800001, 0xff800000, 0x7f800000, 0x80000000, 0, 1, 0x80000001, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000} {
			out = append(out, any(math.Float32frombits(b)).(T))
		}
		return out
	}
	var out []T
	for _, b := range []uint64{0x7ff8000000000000, 0xfff8000000000000, 0x7ff8000000012345, 0xfff0000000012345, 0x7ff0000000000001, 0xfff0000000000000, 0x7ff0000000000000, 0x8000000000000000, 0, 1, 0x8000000000000001, 0x7fefffffffffffff, 0x3ff0000000000000, 0xbff0000000000000} {
		out = append(out, any(math.Float64frombits(b)).(T))
	}
	return out
}

// operand returns n values starting at an offset into a larger slice (so the
// start is not aligned), random normals with some specials mixed in when
// special is set.
func operand[T Float](rng *rand.Rand, n, off int, special bool) []T {
	buf := make([]T, n+off+3)
	sp := specials[T]()
	for i := range buf {
		buf[i] = T(rng.NormFloat64() * 3)
		if special && rng.IntN(4) == 0 {
			buf[i] = sp[rng.IntN(len(sp))]
		}
	}
	return buf[off : off+n : off+n]
}

func equalBits[T Float](t *testing.T, what string, got, want []T) {
	t.Helper()
	for i := range want {
		if bits(got[i]) != bits(want[i]) && (strictNaN || got[i] == got[i] || want[i] == want[i]) {
			t.Fatalf("%s: element %d of %d is %v (%#x), want %v (%#x)", what, i, len(want), got[i], bits(got[i]), want[i], bits(want[i]))
		}
	}
}

// checkAll compares every kernel of the implementation in use with the Go
// loops on many lengths, offsets and inputs, in place and out of place.
func checkAll[T Float](t *testing.T) {
	g, k := pickImpl[T](goImpl), pick[T]()
	rng := rand.New(rand.NewPCG(8, 8))
	for _, special := range []bool{false, true} {
		for _, n := range lengths {
			for off := 0; off < 3; off++ {
				name := fmt.Sprintf("n=%d off=%d special=%v", n, off, special)
				x, y := operand[T](rng, n, off, special), operand[T](rng, n, 2-off, special)
				c := operand[T](rng, 1, 0, special)[0]
				want, got := make([]T, n), make([]T, n+1)[1:]
				for _, op := range []struct {
					name   string
					f, ref func(dst, x, y []T)
				}{{"Add", Add[T], g.add}, {"Sub", Sub[T], g.sub}, {"Mul", Mul[T], g.mul}, {"Div", Div[T], g.div}, {"ReLUMask", ReLUMask[T], g.reluMask},
					// the implementation's own kernels, which Add and the rest skip below small
					{"add", k.add, g.add}, {"sub", k.sub, g.sub}, {"mul", k.mul, g.mul}, {"div", k.div, g.div}, {"reluMask", k.reluMask, g.reluMask},
					{"addScalar", func(d, x, y []T) { k.addScalar(d, x, c) }, func(d, x, y []T) { g.addScalar(d, x, c) }},
					{"mulScalar", func(d, x, y []T) { k.mulScalar(d, x, c) }, func(d, x, y []T) { g.mulScalar(d, x, c) }},
					{"relu", func(d, x, y []T) { k.relu(d, x) }, func(d, x, y []T) { g.relu(d, x) }},
					{"step", func(d, x, y []T) { k.step(d, x) }, func(d, x, y []T) { g.step(d, x) }},
					{"axpy", func(d, x, y []T) { copy(d, y); k.axpy(d, c, x) }, func(d, x, y []T) { copy(d, y); g.axpy(d, c, x) }},
				} {
					op.ref(want, x, y)
					op.f(got, x, y)
					equalBits(t, op.name+" "+name, got, want)
					if op.name == "axpy" {
						continue // its dst is y, not x
					}
					// in place: dst == x
					in := append([]T(nil), x...)
					op.f(in, in, y)
					equalBits(t, op.name+" in place "+name, in, want)
				}
				g.addScalar(want, x, c)
				AddScalar(got, x, c)
				equalBits(t, fmt.Sprintf("AddScalar c=%v %s", c, name), got, want)
				g.mulScalar(want, x, c)
				MulScalar(got, x, c)
				equalBits(t, fmt.Sprintf("MulScalar c=%v %s", c, name), got, want)
				g.relu(want, x)
				ReLU(got, x)
				equalBits(t, "ReLU "+name, got, want)
				g.step(want, x)
				Step(got, x)
				equalBits(t, "Step "+name, got, want)
				copy(want, y)
				g.axpy(want, c, x)
				copy(got, y)
				Axpy(got, c, x)
				equalBits(t, fmt.Sprintf("Axpy a=%v %s", c, name), got, want)
				if s, r := Sum(x), g.sum(x); math.Float64bits(s) != math.Float64bits(r) && !(s != s && r != r) {
					t.Fatalf("Sum %s: %v (%#x), Go loop %v (%#x)", name, s, math.Float64bits(s), r, math.Float64bits(r))
				}
				if k.allFinite(x) != g.allFinite(x) {
					t.Fatalf("allFinite %s: %v, Go loop says %v", name, k.allFinite(x), g.allFinite(x))
				}
				if AllFinite(x) != g.allFinite(x) {
					t.Fatalf("AllFinite %s: %v, Go loop says %v", name, AllFinite(x), g.allFinite(x))
				}
			}
		}
	}
}

func pickImpl[T Float](im *impl) *kernels[T] {
	saved := current
	current = im
	defer func() { current = saved }()
	return pick[T]()
}

func TestKernelsMatchGo(t *testing.T) {
	withImpl(t, func(t *testing.T) {
		t.Run("float32", checkAll[float32])
		t.Run("float64", checkAll[float64])
	})
}

// TestAllFiniteEachPosition puts one NaN or Inf at every position of every
// length, so every lane and every tail element is seen to report it.
func TestAllFiniteEachPosition(t *testing.T) {
	withImpl(t, func(t *testing.T) {
		t.Run("float32", allFiniteEachPosition[float32])
		t.Run("float64", allFiniteEachPosition[float64])
	})
}

func allFiniteEachPosition[T Float](t *testing.T) {
	for _, n := range lengths[:80] {
		x := make([]T, n)
		for i := range x {
			x[i] = T(i) - 30
		}
		if !AllFinite(x) {
			t.Fatalf("n=%d: finite values reported as not finite", n)
		}
		for i := range x {
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				old := x[i]
				x[i] = T(bad)
				if AllFinite(x) {
					t.Fatalf("n=%d: %v at %d not seen", n, bad, i)
				}
				x[i] = old
			}
		}
		if n > 0 {
			x[n-1] = T(math.MaxFloat32) // finite at the extreme
			if !AllFinite(x) {
				t.Fatalf("n=%d: MaxFloat32 reported as not finite", n)
			}
		}
	}
}

// TestSemantics pins the Go loops' results at the corners the tensor
// package depends on.
func TestSemantics(t *testing.T) {
	negZero := math.Copysign(0, -1)
	withImpl(t, func(t *testing.T) {
		x := []float32{math.Float32frombits(0x7f800001), float32(negZero), -1, 2, float32(math.Inf(-1))}
		x = append(x, x...)
		x = append(x, x...) // 20 values: vector and tail both
		got := make([]float32, len(x))
		ReLU(got, x)
		for i, want := range []uint32{0x7fc00001, 0, 0, 0x40000000, 0} {
			for j := i; j < len(x); j += 5 {
				if b := math.Float32bits(got[j]); b != want {
					t.Errorf("ReLU(%v) = %#x, want %#x", x[j], b, want)
				}
			}
		}
		g := []float32{-3, 5, float32(math.Inf(1)), float32(math.NaN()), -2}
		g = append(g, g...)
		g = append(g, g...)
		ReLUMask(got, g, x)
		for i := range x {
			want := g[i] * 0
			if x[i] > 0 {
				want = g[i]
			}
			if math.Float32bits(got[i]) != math.Float32bits(want) && !(got[i] != got[i] && want != want) {
				t.Errorf("ReLUMask(%v, %v) = %v, want %v", g[i], x[i], got[i], want)
			}
		}
		if math.Float32bits(got[0]) != math.Float32bits(float32(negZero)) {
			t.Errorf("ReLUMask(−3, sNaN) = %v, want −0", got[0])
		}
		y := []float64{math.Float64frombits(0x7ff0000000000001), negZero, 3, -4, 5}
		y = append(y, y...)
		d := make([]float64, len(y))
		ReLU(d, y)
		for i, want := range []uint64{0x7ff0000000000001, 0, 0x4008000000000000, 0, 0x4014000000000000} {
			if b := math.Float64bits(d[i]); b != want || math.Float64bits(d[i+5]) != want {
				t.Errorf("ReLU(%v) = %#x, want %#x", y[i], b, want)
			}
		}
	})
}

func TestLengthMismatchPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Add on slices of different lengths did not panic")
		}
	}()
	Add(make([]float32, 3), make([]float32, 3), make([]float32, 2))
}

func TestNoAllocations(t *testing.T) {
	x := make([]float32, 100)
	if n := testing.AllocsPerRun(10, func() { Add(x, x, x); Axpy(x, 2, x); _ = AllFinite(x) }); n != 0 {
		t.Fatalf("%v allocations per call", n)
	}
}

// TestSumOrder pins the order sumGo documents on a case where it matters:
// 1e16 in s[0] and ones elsewhere, folded before the tail.
func TestSumOrder(t *testing.T) {
	withImpl(t, func(t *testing.T) {
		x := make([]float64, 35)
		for i := range x {
			x[i] = 1
		}
		x[0] = 1e16
		// s[0] = 1e16+1 = 1e16 (rounded), s[1…15] = 2; folding adds 30 in
		// steps that each round: s[0]+s[8] = 1e16+2, … ; then 3 ones one by one.
		var s [16]float64
		for i := 0; i < 32; i++ {
			s[i%16] += x[i]
		}
		for w := 8; w >= 1; w /= 2 {
			for k := 0; k < w; k++ {
				s[k] += s[k+w]
			}
		}
		want := s[0] + 1 + 1 + 1
		if got := Sum(x); got != want {
			t.Fatalf("Sum = %v, want %v", got, want)
		}
	})
}
