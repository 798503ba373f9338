package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// f32 and f64 are named element types: fast returns nil for them, so the
// tensor functions run their plain loops, the reference for the fast paths.
type (
	f32 float32
	f64 float64
)

func TestFastPathIsExactTypesOnly(t *testing.T) {
	if fast[float32]() == nil || fast[float64]() == nil {
		t.Fatal("no fast path for float32 or float64")
	}
	if fast[f32]() != nil || fast[f64]() != nil {
		t.Fatal("fast path for a named element type")
	}
}

// fastValues returns n values with NaNs (both signs, with payloads,
// signalling), infinities, signed zeros and subnormals mixed in.
func fastValues[T Float](rng *rand.Rand, n int) []T {
	sp := []float64{math.NaN(), -math.NaN(), math.Float64frombits(0x7ff8000000012345), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 5e-324, 1e-40, 1, -1}
	x := make([]T, n)
	for i := range x {
		x[i] = T(rng.NormFloat64() * 2)
		if rng.IntN(5) == 0 {
			x[i] = T(sp[rng.IntN(len(sp))])
		}
	}
	if n > 3 { // a float32 signalling NaN (float64's does not survive the conversion)
		if _, ok := any(x[0]).(float32); ok {
			x[3] = T(math.Float32frombits(0x7f800001))
		}
	}
	return x
}

// named converts to the named type, keeping every bit.
func named[N, T Float](x []T) []N {
	out := make([]N, len(x))
	for i, v := range x {
		out[i] = N(v)
	}
	return out
}

func sameBits[T, N Float](t *testing.T, what string, got *Tensor[T], want *Tensor[N]) {
	t.Helper()
	g, w := got.Data(), want.Data()
	if len(g) != len(w) {
		t.Fatalf("%s: %d elements, want %d", what, len(g), len(w))
	}
	for i := range g {
		var gb, wb uint64
		switch v := any(g[i]).(type) {
		case float32:
			gb, wb = uint64(math.Float32bits(v)), uint64(math.Float32bits(float32(w[i])))
		case float64:
			gb, wb = math.Float64bits(v), math.Float64bits(float64(w[i]))
		}
		if gb != wb {
			t.Fatalf("%s: element %d is %v (%#x), the plain loop gives %v (%#x)", what, i, g[i], gb, w[i], wb)
		}
	}
}

// TestFastPathsMatchPlainLoops checks every fast path against the plain
// loop bit for bit, on lengths covering every SIMD tail, unaligned starts,
// a nonzero tensor offset, and scalars on either side.
func TestFastPathsMatchPlainLoops(t *testing.T) {
	t.Run("float32", fastMatchesPlain[float32, f32])
	t.Run("float64", fastMatchesPlain[float64, f64])
}

func fastMatchesPlain[T, N Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	lengths := []int{0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 100, 1000, 1031}
	for _, n := range lengths {
		for off := 0; off < 3; off++ {
			name := fmt.Sprintf("n=%d off=%d", n, off)
			xs, ys := fastValues[T](rng, n+off), fastValues[T](rng, n)
			x := FromSlice(xs[off:]) // unaligned start
			if off == 2 {            // a view at a nonzero offset
				x = FromSlice(xs)
				x.offset, x.shape[0] = off, n
			}
			y := FromSlice(ys)
			xn, yn := FromSlice(named[N](xs[off:])), FromSlice(named[N](ys))
			c := fastValues[T](rng, 1)[0]
			cs, cn := Scalar(c), Scalar(N(c))
			for _, op := range []struct {
				name string
				f    func(a, b *Tensor[T]) *Tensor[T]
				g    func(a, b *Tensor[N]) *Tensor[N]
			}{{"Add", Add[T], Add[N]}, {"Sub", Sub[T], Sub[N]}, {"Mul", Mul[T], Mul[N]}, {"Div", Div[T], Div[N]}} {
				sameBits(t, op.name+" "+name, op.f(x, y), op.g(xn, yn))
				sameBits(t, op.name+" tensor∘scalar "+name, op.f(x, cs), op.g(xn, cn))
				sameBits(t, op.name+" scalar∘tensor "+name, op.f(cs, x), op.g(cn, xn))
			}
			sameBits(t, "AddInto in place "+name, AddInto(clone(nil, y), clone(nil, y), x), AddInto(clone(nil, yn), clone(nil, yn), xn))
			sameBits(t, "Neg "+name, Neg(x), Neg(xn))
			sameBits(t, fmt.Sprintf("Scale %v %s", c, name), Scale(c, x), Scale(N(c), xn))
			sameBits(t, fmt.Sprintf("AddScalar %v %s", c, name), AddScalar(x, c), AddScalar(xn, N(c)))
			sameBits(t, "ReLU "+name, ReLU(x), ReLU(xn))
			sameBits(t, "ReLU = Apply(ReLUOf) "+name, ReLU(x), Apply(x, ReLUOf))
			sameBits(t, "Step "+name, Step(x), Step(xn))
			sameBits(t, "ReLUMask "+name, ReLUMask(y, x), ReLUMask(yn, xn))
			sameBits(t, "ReLUMask = Mul(g, Step) "+name, ReLUMask(y, x), Mul(y, Step(x)))
			c1, f1 := CountNonFinite(x)
			c2, f2 := CountNonFinite(xn)
			if c1 != c2 || f1 != f2 {
				t.Fatalf("CountNonFinite %s: %d at %d, plain loop %d at %d", name, c1, f1, c2, f2)
			}
		}
	}
}

// TestSumLeadingMatchesReduce checks Sum over leading axes (one SIMD
// addition per row) against reduce's walk, bit for bit.
func TestSumLeadingMatchesReduce(t *testing.T) {
	t.Run("float32", sumLeadingMatches[float32, f32])
	t.Run("float64", sumLeadingMatches[float64, f64])
}

func sumLeadingMatches[T, N Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, c := range []struct {
		shape []int
		axes  []int
	}{
		{[]int{64, 128}, []int{0}}, {[]int{64, 10}, []int{0}}, {[]int{3, 17}, []int{0}}, {[]int{0, 5}, []int{0}},
		{[]int{5, 0}, []int{0}}, {[]int{4, 3, 9}, []int{0, 1}}, {[]int{4, 3, 9}, []int{1, 0}}, {[]int{4, 3, 9}, []int{0}},
		{[]int{7, 1, 33}, []int{0}}, {[]int{2, 3}, []int{1}}, {[]int{2, 3}, []int{0, 1}}, {[]int{100, 31}, []int{-2}},
	} {
		for _, keep := range []bool{false, true} {
			xs := fastValues[T](rng, sizeOf(c.shape))
			x, xn := FromSlice(xs, c.shape...), FromSlice(named[N](xs), c.shape...)
			sameBits(t, fmt.Sprintf("Sum %v over %v keep=%v", c.shape, c.axes, keep), Sum(x, keep, c.axes...), Sum(xn, keep, c.axes...))
			if got, want := Sum(x, keep, c.axes...).Shape(), Sum(xn, keep, c.axes...).Shape(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("shape %v, want %v", got, want)
			}
		}
	}
}

// TestZipRowsMatchesStridedWalk checks the row-by-row broadcasts (a bias
// against a batch, a row statistic against its rows) against the strided
// walk of the plain path, bit for bit, both operand orders.
func TestZipRowsMatchesStridedWalk(t *testing.T) {
	t.Run("float32", zipRowsMatches[float32, f32])
	t.Run("float64", zipRowsMatches[float64, f64])
}

func zipRowsMatches[T, N Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, c := range [][2][]int{
		{{64, 128}, {128}}, {{64, 128}, {1, 128}}, {{64, 10}, {64, 1}}, {{3, 5, 7}, {5, 7}}, {{3, 5, 7}, {7}},
		{{3, 5, 7}, {3, 1, 1}}, {{3, 5, 7}, {3, 5, 1}}, {{3, 5, 7}, {1, 5, 1}}, {{3, 5, 7}, {3, 1, 7}},
		{{2, 1, 9}, {9}}, {{2, 1, 9}, {2, 1, 1}}, {{4, 33}, {33}}, {{4, 33}, {4, 1}}, {{0, 3}, {3}}, {{1, 3}, {3}},
	} {
		xs, ys := fastValues[T](rng, sizeOf(c[0])), fastValues[T](rng, sizeOf(c[1]))
		x, y := FromSlice(xs, c[0]...), FromSlice(ys, c[1]...)
		xn, yn := FromSlice(named[N](xs), c[0]...), FromSlice(named[N](ys), c[1]...)
		for _, op := range []struct {
			name string
			f    func(a, b *Tensor[T]) *Tensor[T]
			g    func(a, b *Tensor[N]) *Tensor[N]
		}{{"Add", Add[T], Add[N]}, {"Sub", Sub[T], Sub[N]}, {"Mul", Mul[T], Mul[N]}, {"Div", Div[T], Div[N]}} {
			// The named type also takes the row path: compare with Zip, which
			// has no flat kernel and so walks with strides.
			sameBits(t, fmt.Sprintf("%s %v∘%v", op.name, c[0], c[1]), op.f(x, y), op.g(xn, yn))
			sameBits(t, fmt.Sprintf("%s %v∘%v", op.name, c[1], c[0]), op.f(y, x), op.g(yn, xn))
		}
		sameBits(t, fmt.Sprintf("Add %v+%v vs Zip", c[0], c[1]), Add(x, y), Zip("Add", xn, yn, func(a, b N) N { return a + b }))
		sameBits(t, fmt.Sprintf("Sub %v−%v vs Zip", c[1], c[0]), Sub(y, x), Zip("Sub", yn, xn, func(a, b N) N { return a - b }))
		sameBits(t, fmt.Sprintf("Mul %v·%v vs Zip", c[0], c[1]), Mul(x, y), Zip("Mul", xn, yn, func(a, b N) N { return a * b }))
		sameBits(t, fmt.Sprintf("Div %v/%v vs Zip", c[1], c[0]), Div(y, x), Zip("Div", yn, xn, func(a, b N) N { return a / b }))
	}
}

// TestSumAllAxes checks that Sum over every axis keeps the running sum's
// bits below vecSumMin and, from it, gives vec's sixteen-way sum, within
// rounding of the running sum.
func TestSumAllAxes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 17, vecSumMin - 1, vecSumMin, vecSumMin + 15, 100352} {
		xs := make([]float32, n)
		var run float64
		for i := range xs {
			xs[i] = float32(rng.NormFloat64())
			run += float64(xs[i])
		}
		got := float64(Sum(FromSlice(xs), false).Item())
		plain := float64(Sum(FromSlice(named[f32](xs)), false).Item())
		if n < vecSumMin && got != plain {
			t.Fatalf("n=%d: %v, the running sum gives %v", n, got, plain)
		}
		if float32(run) != float32(plain) {
			t.Fatalf("n=%d: plain path %v, running sum %v", n, plain, run)
		}
		if math.Abs(got-run) > 1e-6*math.Max(1, math.Abs(run)) {
			t.Fatalf("n=%d: %v, running sum %v", n, got, run)
		}
	}
}
