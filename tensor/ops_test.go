package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// binaryCase pairs a broadcasting operation with its scalar definition.
type binaryCase[T Float] struct {
	name string
	op   func(a, b *Tensor[T]) *Tensor[T]
	ref  func(x, y float64) float64
}

func b2f(c bool) float64 {
	if c {
		return 1
	}
	return 0
}

func binaryCases[T Float]() []binaryCase[T] {
	return []binaryCase[T]{
		{"Add", Add[T], func(x, y float64) float64 { return x + y }},
		{"Sub", Sub[T], func(x, y float64) float64 { return x - y }},
		{"Mul", Mul[T], func(x, y float64) float64 { return x * y }},
		{"Div", Div[T], func(x, y float64) float64 { return x / y }},
		{"Pow", Pow[T], math.Pow},
		{"Maximum", Maximum[T], math.Max},
		{"Minimum", Minimum[T], math.Min},
		{"Greater", Greater[T], func(x, y float64) float64 { return b2f(x > y) }},
		{"Less", Less[T], func(x, y float64) float64 { return b2f(x < y) }},
		{"Equal", Equal[T], func(x, y float64) float64 { return b2f(x == y) }},
		{"Zip(hypot)", func(a, b *Tensor[T]) *Tensor[T] {
			return Zip("Hypot", a, b, func(x, y T) T { return T(math.Hypot(float64(x), float64(y))) })
		}, math.Hypot},
	}
}

// TestBroadcastBinary compares every broadcasting operation with the naive
// multi-index reference on random broadcastable shapes (rank 0–4, some sizes
// 0), both operands in every storage layout.
func TestBroadcastBinary(t *testing.T) {
	forBoth(t, testBroadcastBinary[float32], testBroadcastBinary[float64])
}

func testBroadcastBinary[T Float](t *testing.T) {
	rng := newRNG(11)
	tol := tolOf[T]()
	for trial := range 60 {
		out := randShape(rng, 4, 1, 4)
		if trial%10 == 9 && len(out) > 0 {
			out[rng.IntN(len(out))] = 0
		}
		sa, sb := weaken(rng, out), weaken(rng, out)
		if trial%2 == 0 {
			sa = out
		}
		a := randArr[T](rng, sa, quarters)
		b := randArr[T](rng, sb, quarters)
		// Positive bases for Pow, non-zero divisors for Div.
		pa := refMap(a, func(x float64) float64 { return math.Abs(x) + 0.25 })
		nzb := refMap(b, func(x float64) float64 { return x + b2f(x == 0) })
		for _, c := range binaryCases[T]() {
			x, y := a, b
			switch c.name {
			case "Pow":
				x = pa
			case "Div":
				y = nzb
			}
			want, ok := refZip(x, y, func(p, q float64) float64 { return float64(T(c.ref(p, q))) })
			if !ok {
				t.Fatalf("test bug: %v and %v do not broadcast", sa, sb)
			}
			for la := contiguous; la < numLayouts; la++ {
				lb := layout(rng.IntN(int(numLayouts)))
				what := fmt.Sprintf("%s(%v %v, %v %v)", c.name, sa, la, sb, lb)
				assertClose(t, what, c.op(build[T](x, la), build[T](y, lb)), want, tol)
			}
		}
	}
}

// TestBroadcastSpecialValues: NaN propagation and infinities through the
// elementwise operations follow IEEE / the documentation.
func TestBroadcastSpecialValues(t *testing.T) {
	forBoth(t, testBroadcastSpecialValues[float32], testBroadcastSpecialValues[float64])
}

func testBroadcastSpecialValues[T Float](t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	a := arr{shape: []int{2, 3}, data: []float64{nan, 1, -inf, inf, 0, -2}}
	b := arr{shape: []int{3}, data: []float64{1, nan, inf}}
	for _, c := range binaryCases[T]() {
		if c.name == "Zip(hypot)" {
			continue
		}
		want, _ := refZip(a, b, c.ref)
		assertClose(t, c.name+" specials", c.op(build[T](a, contiguous), build[T](b, contiguous)), want, 0)
	}
}

// TestSingleValueOperands: both operands hold one stored value (an Expand of
// a scalar has all strides 0) but the result has many elements — the shape
// autodiff's Sum backward produces. (Crashed with index out of range before
// commit b174d7d.)
func TestSingleValueOperands(t *testing.T) {
	forBoth(t, testSingleValueOperands[float32], testSingleValueOperands[float64])
}

func testSingleValueOperands[T Float](t *testing.T) {
	e := Expand(Scalar[T](3), 2, 3)
	for _, c := range binaryCases[T]() {
		for _, other := range []*Tensor[T]{Scalar[T](2), Ones[T](1, 1), Expand(Scalar[T](2), 3), Expand(Ones[T](1), 2, 1)} {
			want, _ := refZip(toArr(e), toArr(other), c.ref)
			want = refMap(want, func(v float64) float64 { return float64(T(v)) })
			what := fmt.Sprintf("%s(expanded scalar [2 3], %v)", c.name, other.Shape())
			se, p, stack := catchPanic(func() { assertClose(t, what, c.op(e, other), want, tolOf[T]()) })
			if se != nil || p != nil {
				t.Fatalf("%s: panic %v %v\n%s", what, se, p, stack)
			}
			if se, p, stack = catchPanic(func() { c.op(other, e) }); se != nil || p != nil {
				t.Fatalf("%s swapped: panic %v %v\n%s", what, se, p, stack)
			}
		}
	}
	assertClose(t, "PowScalar(expanded, 2)", PowScalar(e, 2), refMap(toArr(e), func(x float64) float64 { return x * x }), 0)
	assertClose(t, "Where(expanded…)", Where(e, Expand(Scalar[T](1), 3), Scalar[T](0)), refMap(toArr(e), func(float64) float64 { return 1 }), 0)
}

// TestWhere checks the three-way broadcast against the reference.
func TestWhere(t *testing.T) { forBoth(t, testWhere[float32], testWhere[float64]) }

func testWhere[T Float](t *testing.T) {
	rng := newRNG(12)
	for range 40 {
		out := randShape(rng, 4, 1, 3)
		sc, sa, sb := weaken(rng, out), weaken(rng, out), weaken(rng, out)
		c := randArr[T](rng, sc, func(r *rand.Rand) float64 { return float64(r.IntN(2)) * quarters(r) })
		a, b := randArr[T](rng, sa, quarters), randArr[T](rng, sb, quarters)
		shape, _ := refBroadcastShape(sc, sa)
		shape, _ = refBroadcastShape(shape, sb)
		want := refGather(shape, func(idx []int) float64 {
			if c.at(bcIndex(sc, idx)) != 0 {
				return a.at(bcIndex(sa, idx))
			}
			return b.at(bcIndex(sb, idx))
		})
		l := layout(rng.IntN(int(numLayouts)))
		got := Where(build[T](c, l), build[T](a, contiguous), build[T](b, l))
		assertClose(t, fmt.Sprintf("Where(%v,%v,%v)", sc, sa, sb), got, want, 0)
	}
}

// unaryCase pairs an elementwise function with its definition.
type unaryCase[T Float] struct {
	name string
	op   func(*Tensor[T]) *Tensor[T]
	ref  func(float64) float64
	tol  float64 // relative, in units of tolOf[T]
}

func unaryCases[T Float]() []unaryCase[T] {
	relu := func(x float64) float64 {
		if x > 0 || math.IsNaN(x) {
			return x
		}
		return 0
	}
	return []unaryCase[T]{
		{"Neg", Neg[T], func(x float64) float64 { return -x }, 0},
		{"Scale", func(a *Tensor[T]) *Tensor[T] { return Scale(-2.5, a) }, func(x float64) float64 { return -2.5 * x }, 0},
		{"AddScalar", func(a *Tensor[T]) *Tensor[T] { return AddScalar(a, 0.75) }, func(x float64) float64 { return x + 0.75 }, 0},
		{"PowScalar(2)", func(a *Tensor[T]) *Tensor[T] { return PowScalar(a, 2) }, func(x float64) float64 { return x * x }, 0},
		{"PowScalar(1)", func(a *Tensor[T]) *Tensor[T] { return PowScalar(a, 1) }, func(x float64) float64 { return x }, 0},
		{"PowScalar(3)", func(a *Tensor[T]) *Tensor[T] { return PowScalar(a, 3) }, func(x float64) float64 { return x * x * x }, 1},
		{"PowScalar(-1)", func(a *Tensor[T]) *Tensor[T] { return PowScalar(a, -1) }, func(x float64) float64 { return 1 / x }, 1},
		{"Exp", Exp[T], math.Exp, 1},
		{"Log", Log[T], math.Log, 1},
		{"Sqrt", Sqrt[T], math.Sqrt, 1},
		{"Abs", Abs[T], math.Abs, 0},
		{"Sin", Sin[T], math.Sin, 1},
		{"Cos", Cos[T], math.Cos, 1},
		{"Tan", Tan[T], math.Tan, 1},
		{"Tanh", Tanh[T], math.Tanh, 1},
		{"Erf", Erf[T], math.Erf, 1},
		{"Sign", Sign[T], func(x float64) float64 {
			if x == 0 || x != x {
				return x // ±0 and NaN are their own sign
			}
			return math.Copysign(1, x)
		}, 0},
		{"Sigmoid", Sigmoid[T], func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, 1},
		// log(1+eˣ); log1p keeps the small values of x ≪ 0 the formula is about.
		{"Softplus", Softplus[T], func(x float64) float64 { return math.Log1p(math.Exp(x)) }, 1},
		{"GELU", GELU[T], func(x float64) float64 { return x / 2 * (1 + math.Erf(x/math.Sqrt2)) }, 1},
		{"ReLU", ReLU[T], relu, 0},
		{"LeakyReLU", func(a *Tensor[T]) *Tensor[T] { return LeakyReLU(a, 0.125) }, func(x float64) float64 {
			if x > 0 {
				return x
			}
			return 0.125 * x
		}, 0},
		{"Step", Step[T], func(x float64) float64 { return b2f(x > 0) }, 0},
		{"Apply(cbrt)", func(a *Tensor[T]) *Tensor[T] { return Apply(a, math.Cbrt) }, math.Cbrt, 1},
		{"Map(x²+1)", func(a *Tensor[T]) *Tensor[T] { return Map(a, func(x T) T { return x*x + 1 }) }, func(x float64) float64 { return x*x + 1 }, 1},
	}
}

// TestUnary compares every elementwise function with math at random points in
// [-4, 4), at special values, on every layout and on a broadcast scalar view.
func TestUnary(t *testing.T) { forBoth(t, testUnary[float32], testUnary[float64]) }

func testUnary[T Float](t *testing.T) {
	rng := newRNG(13)
	a := randArr[T](rng, []int{3, 4, 5}, uniform)
	copy(a.data, []float64{0, 1, -1, 0.5, -0.5, 3, -3, 10, -10, 30, -30, math.Inf(1), math.Inf(-1), math.NaN()})
	for _, c := range unaryCases[T]() {
		want := refMap(a, func(x float64) float64 { return float64(T(c.ref(x))) })
		tol := 4 * c.tol * tolOf[T]()
		for l := contiguous; l < numLayouts; l++ {
			assertClose(t, c.name+" "+l.String(), c.op(build[T](a, l)), want, tol)
		}
		// An expanded scalar (all strides 0) through the same function.
		v := a.data[15]
		e := Expand(Scalar(T(v)), 2, 3)
		assertClose(t, c.name+" expanded scalar", c.op(e), refMap(newArr(2, 3), func(float64) float64 { return float64(T(c.ref(v))) }), tol)
	}
}

// TestUnaryExtremes: the activation functions stay finite and accurate where
// the textbook formulas overflow or cancel.
func TestUnaryExtremes(t *testing.T) {
	forBoth(t, testUnaryExtremes[float32], testUnaryExtremes[float64])
}

func testUnaryExtremes[T Float](t *testing.T) {
	x := FromSlice([]T{-800, -50, 0, 50, 800})
	sig, sp, ge := Sigmoid(x).Data(), Softplus(x).Data(), GELU(x).Data()
	tol := tolOf[T]()
	e50 := float64(T(math.Exp(-50))) // a float32 subnormal-free value (1.9e-22)
	for _, c := range []struct {
		what      string
		got, want T
	}{
		{"σ(-800)", sig[0], 0}, {"σ(-50) ≈ e⁻⁵⁰", sig[1], T(e50)}, {"σ(0)", sig[2], 0.5}, {"σ(50)", sig[3], 1}, {"σ(800)", sig[4], 1},
		{"softplus(-800)", sp[0], 0}, {"softplus(-50) ≈ e⁻⁵⁰", sp[1], T(e50)}, {"softplus(0) = ln 2", sp[2], T(math.Ln2)},
		{"softplus(50)", sp[3], 50}, {"softplus(800)", sp[4], 800},
		{"GELU(-800)", ge[0], 0}, {"GELU(0)", ge[2], 0}, {"GELU(50)", ge[3], 50}, {"GELU(800)", ge[4], 800},
	} {
		if c.got != c.want && (c.want == 0 || math.Abs(float64(c.got-c.want)) > tol*math.Abs(float64(c.want))) {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	if n, first := CountNonFinite(Softplus(x)); n != 0 {
		t.Errorf("Softplus has %d non-finite values, first at %d", n, first)
	}
	n, first := CountNonFinite(FromSlice([]T{1, T(math.Inf(-1)), 2, T(math.NaN())}))
	if n != 2 || first != 1 {
		t.Errorf("CountNonFinite = %d, %d; want 2, 1", n, first)
	}
	n, first = CountNonFinite(Expand(Scalar(T(math.Inf(1))), 3, 4))
	if n != 12 || first != 0 {
		t.Errorf("CountNonFinite of an expanded Inf = %d, %d; want 12, 0", n, first)
	}
}

// TestCountNonFinite puts one NaN or ±Inf at every position of vectors of
// lengths 1–11 (so every lane and the tail of any unrolled loop), plus
// the largest finite values, which must not count.
func TestCountNonFinite(t *testing.T) {
	forBoth(t, testCountNonFinite[float32], testCountNonFinite[float64])
}

func testCountNonFinite[T Float](t *testing.T) {
	huge := T(math.MaxFloat32)
	for n := 1; n <= 11; n++ {
		x := Full(-huge, n)
		if c, f := CountNonFinite(x); c != 0 || f != -1 {
			t.Fatalf("n=%d finite: CountNonFinite = %d, %d", n, c, f)
		}
		for pos := range n {
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				x.Data()[pos] = T(bad)
				if c, f := CountNonFinite(x); c != 1 || f != pos {
					t.Fatalf("n=%d, %v at %d: CountNonFinite = %d, %d", n, bad, pos, c, f)
				}
				x.Data()[n-1-pos] = T(math.Inf(1))
				want, first := 2, min(pos, n-1-pos)
				if n-1-pos == pos {
					want = 1
				}
				if c, f := CountNonFinite(x); c != want || f != first {
					t.Fatalf("n=%d, bad at %d and %d: CountNonFinite = %d, %d; want %d, %d", n, pos, n-1-pos, c, f, want, first)
				}
				x.Fill(huge)
			}
		}
	}
	// Through a non-contiguous view the positions are row-major in the view.
	m := FromSlice([]T{0, 1, 2, 3, T(math.NaN()), 5}, 2, 3)
	if c, f := CountNonFinite(Transpose(m, 0, 1)); c != 1 || f != 3 {
		t.Errorf("CountNonFinite of a transposed view = %d, %d; want 1, 3", c, f)
	}
}

// TestPowOf: the one-number PowOf agrees with PowScalar and with math.Pow.
func TestPowOf(t *testing.T) { forBoth(t, testPowOf[float32], testPowOf[float64]) }

func testPowOf[T Float](t *testing.T) {
	for _, x := range []T{0, 0.5, -1.5, 2, 3.25, T(math.Inf(1)), T(math.NaN())} {
		for _, p := range []T{-2, -0.5, 0, 0.5, 1, 2, 3} {
			got, viaTensor := PowOf(x, p), PowScalar(Scalar(x), p).Item()
			want := T(math.Pow(float64(x), float64(p)))
			if !closeTo(float64(got), float64(want), tolOf[T]()) || !closeTo(float64(viaTensor), float64(got), 0) {
				t.Errorf("PowOf(%v, %v) = %v, PowScalar %v, math.Pow %v", x, p, got, viaTensor, want)
			}
		}
	}
}

// axesOf lists the axes of a rank-nd tensor selected by mask, each spelled
// negative at random.
func axesOf(rng *rand.Rand, mask, nd int) (axes []int, red []bool) {
	red = make([]bool, nd)
	for i := range nd {
		if mask>>i&1 == 1 {
			red[i] = true
			ax := i
			if rng.IntN(2) == 0 {
				ax -= nd
			}
			axes = append(axes, ax)
		}
	}
	if mask == 0 { // no axes: reduce everything
		for i := range red {
			red[i] = true
		}
	}
	rng.Shuffle(len(axes), func(i, j int) { axes[i], axes[j] = axes[j], axes[i] })
	return axes, red
}

type reduceCase[T Float] struct {
	name     string
	op       func(a *Tensor[T], keep bool, axes ...int) *Tensor[T]
	ref      func([]float64) float64
	nonEmpty bool
}

// TestReductions checks Sum, Mean, Max, Min and LogSumExp over every subset of
// axes, with and without keepDims, on every layout, against the reference.
func TestReductions(t *testing.T) { forBoth(t, testReductions[float32], testReductions[float64]) }

func testReductions[T Float](t *testing.T) {
	rng := newRNG(14)
	cases := []reduceCase[T]{
		{"Sum", Sum[T], refSum, false},
		{"Mean", Mean[T], refMean, false},
		{"Max", Max[T], refMax, true},
		{"Min", Min[T], refMin, true},
		{"LogSumExp", LogSumExp[T], refLogSumExp, true},
	}
	for trial := range 24 {
		shape := randShape(rng, 4, 1, 4)
		if trial%8 == 7 && len(shape) > 0 {
			shape[rng.IntN(len(shape))] = 0
		}
		a := randArr[T](rng, shape, quarters)
		for mask := range 1 << len(shape) {
			axes, red := axesOf(rng, mask, len(shape))
			empty := false
			for i, r := range red {
				empty = empty || (r && shape[i] == 0)
			}
			l := layout(rng.IntN(int(numLayouts)))
			x := build[T](a, l)
			for _, c := range cases {
				for _, keep := range []bool{false, true} {
					what := fmt.Sprintf("%s(%v %v, keep=%v, axes %v)", c.name, shape, l, keep, axes)
					if c.nonEmpty && empty {
						expectShapeError(t, c.name, [][]int{shape}, func() { c.op(x, keep, axes...) })
						continue
					}
					want := refReduce(a, red, keep, func(v []float64) float64 { return float64(T(c.ref(v))) })
					assertClose(t, what, c.op(x, keep, axes...), want, tolOf[T]())
				}
			}
		}
	}
}

// TestReductionSpecials: NaN wins in Max and Min (as in PyTorch), ArgMax takes
// the first of equal maxima, LogSumExp neither overflows nor underflows.
func TestReductionSpecials(t *testing.T) {
	forBoth(t, testReductionSpecials[float32], testReductionSpecials[float64])
}

func testReductionSpecials[T Float](t *testing.T) {
	nan := T(math.NaN())
	x := FromSlice([]T{1, nan, 3, 5, 2, 5, -1, -7, -7}, 3, 3)
	mx, mn := Max(x, false, 1).Data(), Min(x, false, 1).Data()
	if !math.IsNaN(float64(mx[0])) || !math.IsNaN(float64(mn[0])) || mx[1] != 5 || mn[1] != 2 || mx[2] != -1 || mn[2] != -7 {
		t.Errorf("Max/Min with NaN rows: %v %v", mx, mn)
	}
	if got := ArgMax(x, 1); !slices.Equal(got, []int{1, 0, 0}) {
		t.Errorf("ArgMax rows = %v, want [1 0 0] (NaN, then the first of equal maxima)", got)
	}
	if got := ArgMax(x, 0); !slices.Equal(got, []int{1, 0, 1}) {
		t.Errorf("ArgMax columns = %v, want [1 0 1]", got)
	}
	big := FromSlice([]T{1000, 1000, -1000, -1000, 0, T(math.Inf(-1))}, 3, 2)
	lse := LogSumExp(big, false, 1).Data()
	want := []float64{1000 + math.Ln2, -1000 + math.Ln2, 0}
	for i, w := range want {
		if !closeTo(float64(lse[i]), float64(T(w)), tolOf[T]()) {
			t.Errorf("LogSumExp row %d = %v, want %v", i, lse[i], w)
		}
	}
	ninf := T(math.Inf(-1))
	if v := LogSumExp(FromSlice([]T{ninf, ninf}), false).Item(); !math.IsInf(float64(v), -1) {
		t.Errorf("LogSumExp(-Inf, -Inf) = %v, want -Inf", v)
	}
	if v := LogSumExp(FromSlice([]T{T(math.Inf(1)), 0}), false).Item(); !math.IsInf(float64(v), 1) {
		t.Errorf("LogSumExp(+Inf, 0) = %v, want +Inf", v)
	}
	// A float32 sum of many ones stays exact (16777216 = 2²⁴ is where float32 stops counting).
	if s := Sum(Ones[T](1<<12, 1<<12), false).Item(); s != 1<<24 {
		t.Errorf("Sum of 2²⁴ ones = %v", s)
	}
	if s := Sum(Ones[T](0, 3), false, 0); !slices.Equal(s.Data(), []T{0, 0, 0}) {
		t.Errorf("Sum over an empty axis = %v, want zeros", s)
	}
}

// TestArgMax compares ArgMax along every axis with the reference on data
// with many ties.
func TestArgMax(t *testing.T) { forBoth(t, testArgMax[float32], testArgMax[float64]) }

func testArgMax[T Float](t *testing.T) {
	rng := newRNG(15)
	for range 30 {
		shape := randShape(rng, 4, 1, 4)
		if len(shape) == 0 {
			continue
		}
		a := randArr[T](rng, shape, func(r *rand.Rand) float64 { return float64(r.IntN(3)) })
		for axis := range shape {
			red := make([]bool, len(shape))
			red[axis] = true
			want := refReduce(a, red, false, refArgMax)
			l := layout(rng.IntN(int(numLayouts)))
			got := ArgMax(build[T](a, l), axis-len(shape)*rng.IntN(2))
			if len(got) != len(want.data) {
				t.Fatalf("ArgMax(%v, %d) has %d results, want %d", shape, axis, len(got), len(want.data))
			}
			for i, g := range got {
				if float64(g) != want.data[i] {
					t.Fatalf("ArgMax(%v %v, %d)[%d] = %d, want %v", shape, l, axis, i, g, want.data[i])
				}
			}
		}
	}
}

// TestSumTo sums random shapes down to shapes that broadcast to them.
func TestSumTo(t *testing.T) { forBoth(t, testSumTo[float32], testSumTo[float64]) }

func testSumTo[T Float](t *testing.T) {
	rng := newRNG(16)
	for range 60 {
		shape := randShape(rng, 4, 1, 4)
		target := weaken(rng, shape)
		a := randArr[T](rng, shape, quarters)
		l := layout(rng.IntN(int(numLayouts)))
		got := SumTo(build[T](a, l), target...)
		assertClose(t, fmt.Sprintf("SumTo(%v %v, %v)", shape, l, target), got, refSumTo(a, target), 0)
	}
}

// TestSoftmax compares Softmax and LogSoftmax along every axis with the
// textbook formulas; rows sum to 1.
func TestSoftmax(t *testing.T) { forBoth(t, testSoftmax[float32], testSoftmax[float64]) }

func testSoftmax[T Float](t *testing.T) {
	rng := newRNG(17)
	tol := 4 * tolOf[T]()
	for range 30 {
		shape := randShape(rng, 4, 1, 5)
		if len(shape) == 0 {
			shape = []int{3}
		}
		a := randArr[T](rng, shape, uniform)
		for axis := range shape {
			l := layout(rng.IntN(int(numLayouts)))
			ax := axis - len(shape)*rng.IntN(2)
			what := fmt.Sprintf("(%v %v, axis %d)", shape, l, ax)
			sm := Softmax(build[T](a, l), ax)
			assertClose(t, "Softmax"+what, sm, refSoftmax(a, axis, false), tol)
			assertClose(t, "LogSoftmax"+what, LogSoftmax(build[T](a, l), ax), refSoftmax(a, axis, true), tol)
			red := make([]bool, len(shape))
			red[axis] = true
			ones := refMap(refReduce(a, red, false, refSum), func(float64) float64 { return 1 })
			assertClose(t, "Softmax sums"+what, Sum(sm, false, axis), ones, tol)
		}
	}
}

// TestSoftmaxLargeInputs: shifting by the maximum keeps eˣ from overflowing
// (e¹⁰⁰⁰ is +Inf in both precisions).
func TestSoftmaxLargeInputs(t *testing.T) {
	forBoth(t, testSoftmaxLargeInputs[float32], testSoftmaxLargeInputs[float64])
}

func testSoftmaxLargeInputs[T Float](t *testing.T) {
	x := FromSlice([]T{1000, 1000, 1000, 1000, 999, 0, -1000, -1000, -1001}, 3, 3)
	e1 := math.Exp(-1)
	z := 1 + e1 + math.Exp(-1000)
	wantSm := arr{shape: []int{3, 3}, data: []float64{
		1.0 / 3, 1.0 / 3, 1.0 / 3,
		1 / z, e1 / z, 0,
		1 / (2 + e1), 1 / (2 + e1), e1 / (2 + e1),
	}}
	wantLsm := arr{shape: []int{3, 3}, data: []float64{
		-math.Log(3), -math.Log(3), -math.Log(3),
		-math.Log1p(e1), -1 - math.Log1p(e1), -1000 - math.Log1p(e1),
		-math.Log(2 + e1), -math.Log(2 + e1), -1 - math.Log(2+e1),
	}}
	tol := 4 * tolOf[T]()
	assertClose(t, "Softmax(±1000)", Softmax(x, 1), refMap(wantSm, func(v float64) float64 { return float64(T(v)) }), tol)
	assertClose(t, "LogSoftmax(±1000)", LogSoftmax(x, -1), refMap(wantLsm, func(v float64) float64 { return float64(T(v)) }), tol)
	// Along the other axis the columns mix 1000 and -1000.
	col := Softmax(x, 0).Data()
	if col[0] != 0.5 || col[3] != 0.5 || col[6] != 0 || col[2] != 1 || col[8] != 0 {
		t.Errorf("Softmax over columns (1000, 1000, -1000) and (1000, 0, -1001): %v", col)
	}
}

// TestGathers checks IndexSelect, IndexAdd, TakeAlong, PutAlong and OneHot
// against index loops, and that the scatters are the adjoints of the gathers.
func TestGathers(t *testing.T) { forBoth(t, testGathers[float32], testGathers[float64]) }

func testGathers[T Float](t *testing.T) {
	rng := newRNG(18)
	for range 30 {
		shape := randShape(rng, 4, 1, 4)
		if len(shape) == 0 {
			shape = []int{4}
		}
		a := randArr[T](rng, shape, quarters)
		for axis := range shape {
			n := shape[axis]
			l := layout(rng.IntN(int(numLayouts)))
			x := build[T](a, l)
			ax := axis - len(shape)*rng.IntN(2)

			idx := make([]int, rng.IntN(6)) // repeats allowed, possibly empty
			for i := range idx {
				idx[i] = rng.IntN(n)
			}
			selShape := slices.Clone(shape)
			selShape[axis] = len(idx)
			wantSel := refGather(selShape, func(j []int) float64 { return a.at(withAxis(j, axis, idx[j[axis]])) })
			what := fmt.Sprintf("(%v %v, axis %d, %v)", shape, l, ax, idx)
			assertClose(t, "IndexSelect"+what, IndexSelect(x, ax, idx), wantSel, 0)

			src := randArr[T](rng, selShape, quarters)
			wantAdd := newArr(shape...)
			forEachIndex(selShape, func(j []int) {
				wantAdd.data[offsetIn(shape, withAxis(j, axis, idx[j[axis]]))] += src.at(j)
			})
			assertClose(t, "IndexAdd"+what, IndexAdd(shape, ax, idx, build[T](src, l)), wantAdd, 0)

			// One index per slice along axis, in row-major order of the rest.
			oneShape := slices.Clone(shape)
			oneShape[axis] = 1
			along := make([]int, numel(oneShape))
			for i := range along {
				along[i] = rng.IntN(n)
			}
			pick := func(j []int) int { return along[offsetIn(oneShape, withAxis(j, axis, 0))] }
			wantTake := refGather(oneShape, func(j []int) float64 { return a.at(withAxis(j, axis, pick(j))) })
			assertClose(t, "TakeAlong"+what, TakeAlong(x, ax, along), wantTake, 0)

			vals := randArr[T](rng, oneShape, quarters)
			wantPut := refGather(shape, func(j []int) float64 {
				if j[axis] == pick(j) {
					return vals.at(withAxis(j, axis, 0))
				}
				return 0
			})
			assertClose(t, "PutAlong"+what, PutAlong(shape, ax, along, build[T](vals, l)), wantPut, 0)
		}
	}
	labels := []int{2, 0, 2, 1}
	want := refGather([]int{4, 3}, func(j []int) float64 { return b2f(labels[j[0]] == j[1]) })
	assertClose(t, "OneHot", OneHot[T](labels, 3), want, 0)
	assertClose(t, "OneHot(none)", OneHot[T](nil, 3), newArr(0, 3), 0)
}

// TestJoins checks Concat, Stack and Pad against index loops, on all layouts.
func TestJoins(t *testing.T) { forBoth(t, testJoins[float32], testJoins[float64]) }

func testJoins[T Float](t *testing.T) {
	rng := newRNG(19)
	for range 30 {
		shape := randShape(rng, 4, 1, 3)
		if len(shape) == 0 {
			shape = []int{2}
		}
		for axis := range shape {
			ax := axis - len(shape)*rng.IntN(2)
			parts := make([]arr, 1+rng.IntN(3))
			ts := make([]*Tensor[T], len(parts))
			for i := range parts {
				s := slices.Clone(shape)
				s[axis] = rng.IntN(4) // sizes may be 0
				parts[i] = randArr[T](rng, s, quarters)
				ts[i] = build[T](parts[i], layout(rng.IntN(int(numLayouts))))
			}
			assertClose(t, fmt.Sprintf("Concat(%d, %d parts of %v)", ax, len(parts), shape), Concat(ax, ts...), refConcat(axis, parts...), 0)

			same := make([]arr, len(parts))
			for i := range same {
				same[i] = randArr[T](rng, shape, quarters)
				ts[i] = build[T](same[i], layout(rng.IntN(int(numLayouts))))
			}
			for _, sax := range []int{axis, axis + 1, -1 - rng.IntN(len(shape)+1)} {
				norm := sax
				if norm < 0 {
					norm += len(shape) + 1
				}
				assertClose(t, fmt.Sprintf("Stack(%d, %v)", sax, shape), Stack(sax, ts...), refStack(norm, same...), 0)
			}

			before, after := rng.IntN(3), rng.IntN(3)
			x := build[T](same[0], layout(rng.IntN(int(numLayouts))))
			p := Pad(x, ax, before, after)
			assertClose(t, fmt.Sprintf("Pad(%v, %d, %d, %d)", shape, ax, before, after), p, refPad(same[0], axis, before, after), 0)
			assertClose(t, "Slice(Pad)", Slice(p, ax, before, before+shape[axis]), same[0], 0)
		}
	}
}
