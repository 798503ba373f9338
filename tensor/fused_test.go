package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestMulScaled: c·(a·b) in one pass has the bits of Scale(c, Mul(a, b)) and
// of the plain loop, over block boundaries and with every broadcast form.
func TestMulScaled(t *testing.T) {
	t.Run("float32", mulScaledMatches[float32, f32])
	t.Run("float64", mulScaledMatches[float64, f64])
}

func mulScaledMatches[T, N Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, c := range [][2][]int{
		{{1}, {1}}, {{17}, {17}}, {{block - 1}, {block - 1}}, {{block + 1}, {block + 1}}, {{3*block + 5}, {}},
		{{}, {2*block + 9}}, {{}, {}}, {{64, 130}, {130}}, {{64, 130}, {64, 1}}, {{3, 5, 7}, {1, 5, 1}}, {{0}, {}},
	} {
		xs, ys := fastValues[T](rng, sizeOf(c[0])), fastValues[T](rng, sizeOf(c[1]))
		x, y := FromSlice(xs, c[0]...), FromSlice(ys, c[1]...)
		xn, yn := FromSlice(named[N](xs), c[0]...), FromSlice(named[N](ys), c[1]...)
		for _, k := range []T{2, -0.5, 3} {
			name := fmt.Sprintf("%v·(%v∘%v)", k, c[0], c[1])
			sameBits(t, name+" vs plain", MulScaled(k, x, y), MulScaled(N(k), xn, yn))
			sameBits(t, name+" vs Scale(Mul)", MulScaled(k, x, y), Scale(k, Mul(x, y)))
			sameBits(t, name+" plain vs Scale(Mul)", MulScaled(N(k), xn, yn), Scale(N(k), Mul(xn, yn)))
		}
	}
	// A broadcast scalar against a vector (the seed of a backward pass).
	g := Expand(Scalar[T](0.75), 1000)
	xs := fastValues[T](rng, 1000)
	sameBits(t, "broadcast scalar", MulScaled(2, g, FromSlice(xs)), Scale(2, Mul(g, FromSlice(xs))))
}

func TestSingleValue(t *testing.T) {
	for _, c := range []struct {
		t    *Tensor[float64]
		v    float64
		want bool
	}{
		{Scalar(2.5), 2.5, true},
		{FromSlice([]float64{4}), 4, true},
		{Expand(Scalar(3.0), 5, 6), 3, true},
		{Expand(FromSlice([]float64{7}, 1, 1), 2, 3), 7, true},
		{FromSlice([]float64{1, 1}), 0, false},
		{Expand(FromSlice([]float64{1, 2}), 3, 2), 0, false},
	} {
		v, ok := c.t.SingleValue()
		if ok != c.want || v != c.v {
			t.Errorf("SingleValue of %v = %v, %v; want %v, %v", c.t, v, ok, c.v, c.want)
		}
	}
}

// TestPadMatchesStrided checks Pad's one-pass path for contiguous tensors
// against the padding of a non-contiguous view of the same values.
func TestPadMatchesStrided(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, shape := range [][]int{{5}, {3, 4}, {2, 3, 4}, {1, 0, 2}} {
		n := sizeOf(shape)
		a := FromSlice(fastValues[float64](rng, n), shape...)
		for axis := range shape {
			for _, pads := range [][2]int{{0, 0}, {1, 0}, {0, 2}, {2, 3}} {
				// The same values through a transposed copy seen transposed back:
				// not contiguous, so Pad takes its strided path.
				nd := len(shape)
				var strided *Tensor[float64]
				if nd >= 2 {
					strided = Transpose(Transpose(a, 0, nd-1).Contiguous(), 0, nd-1)
				} else {
					// Column 0 of [a a] as n×2: stride 2.
					both := Concat(1, Unsqueeze(a, 1), Unsqueeze(a, 1))
					strided = Squeeze(Slice(both, 1, 0, 1), 1)
				}
				name := fmt.Sprintf("Pad %v axis %d by %v", shape, axis, pads)
				if strided.IsContiguous() && n > 1 {
					t.Fatalf("%s: the reference is contiguous", name)
				}
				want := Pad(strided, axis, pads[0], pads[1])
				sameBits(t, name, Pad(a, axis, pads[0], pads[1]), want)
			}
		}
	}
}

// TestArenaResultsIgnoreOldContents: operations that skip clearing their
// result in an Arena give the same result whatever the recycled memory held.
func TestArenaResultsIgnoreOldContents(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	x := RandN[float64](rng, 40, 30)
	y := RandN[float64](rng, 30)
	step := func(ar *Arena[float64]) []*Tensor[float64] {
		xv := ar.View(x)
		return []*Tensor[float64]{
			Add(xv, y), Sub(xv, Scalar(1.5)), Mul(xv, xv), MulScaled(3, xv, y), Neg(xv), AddScalar(xv, 2),
			Map(xv, math.Abs), ReLU(xv), Step(xv), Pad(xv, 1, 2, 3), Pad(xv, 0, 1, 1), Transpose(xv, 0, 1).Contiguous(),
		}
	}
	want := step(nil)
	var ar Arena[float64]
	for range 2 { // both sets of the arena hold NaNs
		ar.Reset()
		for _, w := range want {
			ar.New(w.Shape()...).Fill(math.NaN())
		}
	}
	for round := range 2 {
		ar.Reset()
		for i, got := range step(&ar) {
			sameBits(t, fmt.Sprintf("round %d result %d", round, i), got, want[i])
		}
	}
}
