package nn

import (
	"math"
	"testing"
)

func stats(v []float64) (mean, std, lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		mean += x
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	mean /= float64(len(v))
	for _, x := range v {
		std += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(std / float64(len(v))), lo, hi
}

func TestInitializers(t *testing.T) {
	const out, in = 300, 200 // fan_in 200, fan_out 300; 60000 draws
	shape := []int{out, in}
	cases := []struct {
		name    string
		init    Initializer
		bound   float64 // uniform: the half-width; 0 for normal
		wantStd float64
	}{
		{"XavierUniform", XavierUniform{}, math.Sqrt(6.0 / (in + out)), 0},
		{"XavierUniform gain tanh", XavierUniform{Gain: Gain("tanh")}, 5.0 / 3 * math.Sqrt(6.0/(in+out)), 0},
		{"XavierNormal", XavierNormal{}, 0, math.Sqrt(2.0 / (in + out))},
		{"KaimingUniform relu", KaimingUniform{}, math.Sqrt(6.0 / in), 0},
		{"KaimingUniform fan_out", KaimingUniform{FanOut: true}, math.Sqrt(6.0 / out), 0},
		{"KaimingUniform a=√5 (Linear default)", KaimingUniform{A: math.Sqrt(5)}, 1 / math.Sqrt(in), 0},
		{"KaimingNormal relu", KaimingNormal{}, 0, math.Sqrt(2.0 / in)},
		{"KaimingNormal leaky 0.1", KaimingNormal{A: 0.1}, 0, math.Sqrt(2/(1+0.01)) / math.Sqrt(in)},
		{"SmallRandom default", SmallRandom{}, 0, 0.01},
		{"SmallRandom 0.5", SmallRandom{Std: 0.5}, 0, 0.5},
		{"Uniform", Uniform{Low: -0.25, High: 0.25}, 0.25, 0},
	}
	for _, c := range cases {
		v := NewTensor[float64](c.init, newRng(11), shape...).Data()
		mean, std, lo, hi := stats(v)
		want := c.wantStd
		if c.bound > 0 {
			want = c.bound / math.Sqrt(3) // std of U(−b, b)
			if lo < -c.bound || hi > c.bound {
				t.Errorf("%s: values in [%g, %g], outside ±%g", c.name, lo, hi, c.bound)
			}
			if lo > -0.99*c.bound || hi < 0.99*c.bound {
				t.Errorf("%s: values in [%g, %g] do not fill ±%g", c.name, lo, hi, c.bound)
			}
		}
		// With 60000 draws the sample std is within ~0.3 % (normal) of σ; allow 2 %.
		if math.Abs(std-want) > 0.02*want {
			t.Errorf("%s: std %g, want %g", c.name, std, want)
		}
		if math.Abs(mean) > 0.02*want {
			t.Errorf("%s: mean %g, want ≈ 0 (std %g)", c.name, mean, want)
		}
	}
	for _, v := range NewTensor[float64](Zeros{}, newRng(1), 3, 4).Data() {
		if v != 0 {
			t.Fatal("Zeros drew a nonzero value")
		}
	}
	mean, _, lo, hi := stats(NewTensor[float64](Uniform{}, newRng(12), 1000).Data())
	if lo < 0 || hi >= 1 || math.Abs(mean-0.5) > 0.05 {
		t.Errorf("zero Uniform is not U(0, 1): mean %g, range [%g, %g]", mean, lo, hi)
	}
	// Fans of a conv-like weight [out, in, k]: receptive field multiplies both.
	if fi, fo := Fans([]int{4, 3, 5}); fi != 15 || fo != 20 {
		t.Errorf("Fans([4 3 5]) = %d, %d", fi, fo)
	}
	// Reproducible from the seed.
	a := NewTensor[float64](XavierNormal{}, newRng(13), 5, 5).Data()
	b := NewTensor[float64](XavierNormal{}, newRng(13), 5, 5).Data()
	checkClose(t, "reseeded XavierNormal", a, b, 0)
}

func TestFansPanicsOnVectors(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("XavierUniform on a vector did not panic")
		}
	}()
	NewTensor[float64](XavierUniform{}, newRng(1), 7)
}
