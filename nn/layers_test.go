package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

func TestLinearForwardAndGrad(t *testing.T) {
	rng := newRng(1)
	l := NewLinear[float64](3, 2, rng)
	if s := l.Weight.Shape(); s[0] != 2 || s[1] != 3 {
		t.Fatalf("weight shape %v, want [2 3]", s)
	}
	if l.Weight.Name() != "weight" || l.Bias.Name() != "bias" {
		t.Errorf("names %q %q", l.Weight.Name(), l.Bias.Name())
	}
	x := randAway(rng, 0.1, 2, 4, 3)
	y := l.Forward(autodiff.Const(x)).Value()
	w, b := l.Weight.Value(), l.Bias.Value()
	for n := range 4 {
		for o := range 2 {
			want := b.At(o)
			for i := range 3 {
				want += x.At(n, i) * w.At(o, i)
			}
			if !close(y.At(n, o), want, 1e-14) {
				t.Errorf("y[%d,%d] = %g, want %g", n, o, y.At(n, o), want)
			}
		}
	}
	checkModule(t, "Linear", l, x, nil)
	nb := NewLinearWith[float64](3, 2, rng, LinearConfig{NoBias: true})
	if len(nb.Params()) != 1 {
		t.Errorf("NoBias: %d params", len(nb.Params()))
	}
	checkModule(t, "Linear(no bias)", nb, x, nil)
	// A single sample [in] works too.
	if s := l.Forward(autodiff.Const(tensor.Ones[float64](3))).Shape(); len(s) != 1 || s[0] != 2 {
		t.Errorf("1-D input gives shape %v", s)
	}
}

func TestLinearDefaultInitBounds(t *testing.T) {
	l := NewLinear[float64](50, 40, newRng(2))
	b := 1 / math.Sqrt(50)
	for _, p := range l.Params() {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, v := range p.Value().Data() {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		if lo < -b || hi > b {
			t.Errorf("%s outside ±%g: [%g, %g]", p.Name(), b, lo, hi)
		}
		if p.Name() == "weight" && (lo > -0.9*b || hi < 0.9*b) {
			t.Errorf("weight does not fill ±%g: [%g, %g]", b, lo, hi)
		}
	}
}

func TestActivations(t *testing.T) {
	rng := newRng(3)
	x := randAway(rng, 0.05, 3, 4, 5)
	cases := []struct {
		name string
		m    Module[float64]
		f    func(v float64) float64
	}{
		{"Sigmoid", Sigmoid[float64]{}, func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }},
		{"Tanh", Tanh[float64]{}, math.Tanh},
		{"ReLU", ReLU[float64]{}, func(v float64) float64 { return math.Max(v, 0) }},
		{"LeakyReLU(0.2)", LeakyReLU[float64]{Slope: 0.2}, func(v float64) float64 {
			if v > 0 {
				return v
			}
			return 0.2 * v
		}},
		{"LeakyReLU default", LeakyReLU[float64]{}, func(v float64) float64 {
			if v > 0 {
				return v
			}
			return 0.01 * v
		}},
		{"GELU", GELU[float64]{}, func(v float64) float64 { return v / 2 * (1 + math.Erf(v/math.Sqrt2)) }},
	}
	for _, c := range cases {
		y := c.m.Forward(autodiff.Const(x)).Value().Data()
		want := make([]float64, len(y))
		for i, v := range x.Data() {
			want[i] = c.f(v)
		}
		checkClose(t, c.name, y, want, 1e-14)
		if c.m.Params() != nil {
			t.Errorf("%s has params", c.name)
		}
		checkModule(t, c.name, c.m, x, nil)
	}
	for _, axis := range []int{-1, 0} {
		sm := NewSoftmax[float64](axis)
		y := sm.Forward(autodiff.Const(x)).Value()
		for i := range 4 {
			for j := range 5 {
				var z float64
				if axis == -1 {
					for k := range 5 {
						z += math.Exp(x.At(i, k))
					}
				} else {
					for k := range 4 {
						z += math.Exp(x.At(k, j))
					}
				}
				if want := math.Exp(x.At(i, j)) / z; !close(y.At(i, j), want, 1e-14) {
					t.Errorf("Softmax(%d)[%d,%d] = %g, want %g", axis, i, j, y.At(i, j), want)
				}
			}
		}
		checkModule(t, "Softmax", sm, x, nil)
	}
}

func TestDropout(t *testing.T) {
	const p = 0.3
	x := tensor.Full[float64](2, 100, 50)
	d := NewDropout[float64](p, newPCG(4))
	if !d.Training() {
		t.Fatal("a new Dropout should be in training mode")
	}
	y := d.Forward(autodiff.Const(x)).Value().Data()
	zeros := 0
	for i, v := range y {
		switch {
		case v == 0:
			zeros++
		case !close(v, 2/(1-p), 1e-15):
			t.Fatalf("y[%d] = %g, want 0 or %g", i, v, 2/(1-p))
		}
	}
	// 5000 Bernoulli(0.3) draws: std of the fraction ≈ 0.0065.
	if frac := float64(zeros) / float64(len(y)); math.Abs(frac-p) > 0.03 {
		t.Errorf("dropped fraction %g, want ≈ %g", frac, p)
	}
	Eval(d)
	xv := autodiff.Const(x)
	if d.Forward(xv) != xv {
		t.Error("eval-mode Dropout is not the identity")
	}
	Train(d)
	if d.Forward(xv) == xv {
		t.Error("Train did not switch training mode back on")
	}
	// p = 1 drops everything; p = 0 is the identity.
	for _, v := range NewDropout[float64](1, newPCG(5)).Forward(xv).Value().Data() {
		if v != 0 {
			t.Fatal("Dropout(1) kept a value")
		}
	}
	if NewDropout[float64](0, nil).Forward(xv) != xv {
		t.Error("Dropout(0) is not the identity")
	}
	// Gradient: the same mask in every evaluation (reseeded RNG).
	dd := NewDropout[float64](0.4, nil)
	reset := func() { dd.Src = newPCG(6) }
	checkModule(t, "Dropout", dd, randAway(newRng(7), 0.1, 2, 6, 4), reset)
}

func TestBatchNorm1d(t *testing.T) {
	rng := newRng(8)
	const n, c = 6, 3
	x := randAway(rng, 0.1, 3, n, c)
	bn := NewBatchNorm1d[float64](c)
	// Non-trivial affine parameters.
	bn.Weight.Value().CopyFrom(tensor.FromSlice([]float64{1.5, -0.7, 2}, c))
	bn.Bias.Value().CopyFrom(tensor.FromSlice([]float64{0.1, 0.2, -0.3}, c))
	y := bn.Forward(autodiff.Const(x)).Value()
	for j := range c {
		var mu, v float64
		for i := range n {
			mu += x.At(i, j)
		}
		mu /= n
		for i := range n {
			v += (x.At(i, j) - mu) * (x.At(i, j) - mu)
		}
		for i := range n {
			want := (x.At(i, j)-mu)/math.Sqrt(v/n+1e-5)*bn.Weight.Value().At(j) + bn.Bias.Value().At(j)
			if !close(y.At(i, j), want, 1e-13) {
				t.Errorf("y[%d,%d] = %g, want %g", i, j, y.At(i, j), want)
			}
		}
		// running stats after one step from (0, 1): momentum 0.1, unbiased variance.
		if got, want := bn.RunningMean.At(j), 0.1*mu; !close(got, want, 1e-14) {
			t.Errorf("running_mean[%d] = %g, want %g", j, got, want)
		}
		if got, want := bn.RunningVar.At(j), 0.9+0.1*v/(n-1); !close(got, want, 1e-14) {
			t.Errorf("running_var[%d] = %g, want %g", j, got, want)
		}
	}
	if bn.NumBatches != 1 {
		t.Errorf("NumBatches = %d", bn.NumBatches)
	}
	// Eval uses the running statistics and leaves them alone.
	Eval(bn)
	rm, rv := bn.RunningMean.Clone(), bn.RunningVar.Clone()
	ye := bn.Forward(autodiff.Const(x)).Value()
	for i := range n {
		for j := range c {
			want := (x.At(i, j)-rm.At(j))/math.Sqrt(rv.At(j)+1e-5)*bn.Weight.Value().At(j) + bn.Bias.Value().At(j)
			if !close(ye.At(i, j), want, 1e-13) {
				t.Errorf("eval y[%d,%d] = %g, want %g", i, j, ye.At(i, j), want)
			}
		}
	}
	checkClose(t, "running_mean after eval", bn.RunningMean.Data(), rm.Data(), 0)
	checkModule(t, "BatchNorm1d eval", bn, x, nil)
	Train(bn)
	checkModule(t, "BatchNorm1d train", bn, x, nil)
	// [N, C, L] input.
	bn3 := NewBatchNorm1d[float64](c)
	bn3.Weight.Value().CopyFrom(tensor.FromSlice([]float64{0.5, 1.2, -1}, c))
	checkModule(t, "BatchNorm1d [N,C,L]", bn3, randAway(rng, 0.1, 2, 3, c, 4), nil)
	sd := StateDict[float64](NewSequential[float64](NewLinear[float64](2, c, rng), bn3))
	for _, k := range []string{"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var"} {
		if sd[k] == nil {
			t.Errorf("state dict lacks %q (has %v)", k, len(sd))
		}
	}
}

func TestSequentialNamesAndModes(t *testing.T) {
	rng := newRng(9)
	m := MLP[float64](4, []int{8, 6}, 3, Tanh[float64]{}, true, 0.2, rng)
	var names []string
	for _, p := range m.Params() {
		names = append(names, p.Name())
	}
	// Linear, BatchNorm, Tanh, Dropout per hidden block: indices 0..3, 4..7, then 8.
	want := []string{"0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias", "5.weight", "5.bias", "8.weight", "8.bias"}
	if len(names) != len(want) {
		t.Fatalf("names %v, want %v", names, want)
	}
	for i := range want {
		if names[i] != want[i] {
			t.Errorf("param %d named %q, want %q", i, names[i], want[i])
		}
	}
	Eval(m)
	for i, l := range m.Layers {
		if md, ok := l.(Moded); ok && md.Training() {
			t.Errorf("layer %d still training after Eval", i)
		}
	}
	Train(m)
	if !m.Layers[1].(Moded).Training() || !m.Training() {
		t.Error("Train did not reach the layers")
	}
}

func TestMLPGradCheck(t *testing.T) {
	rng := newRng(10)
	for _, bn := range []bool{false, true} {
		m := MLP[float64](3, []int{5, 4}, 2, Tanh[float64]{}, bn, 0.25, rng)
		var drops []*Dropout[float64]
		for _, l := range m.Layers {
			if d, ok := l.(*Dropout[float64]); ok {
				drops = append(drops, d)
			}
		}
		reset := func() {
			for i, d := range drops {
				d.Src = newPCG(uint64(100 + i))
			}
		}
		checkModule(t, "MLP", m, randAway(rng, 0.1, 2, 7, 3), reset)
	}
	// ReLU MLP in eval mode: no dropout, the default activation.
	m := MLP[float64](3, []int{6}, 2, nil, false, 0, rng)
	if _, ok := m.Layers[1].(ReLU[float64]); !ok {
		t.Errorf("default activation is %T", m.Layers[1])
	}
	checkModule(t, "MLP relu", m, randAway(rng, 0.1, 2, 5, 3), nil)
}

func TestFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	m := MLP[float32](3, []int{4}, 2, GELU[float32]{}, true, 0.1, rng)
	x := autodiff.Const(tensor.RandN[float32](rng, 5, 3))
	loss := CrossEntropy(m.Forward(x), autodiff.Const(tensor.FromSlice([]float32{0, 1, 1, 0, 1}, 5)))
	if err := loss.Backward(); err != nil {
		t.Fatal(err)
	}
	for _, p := range m.Params() {
		if p.Grad() == nil {
			t.Errorf("%s has no gradient", p.Name())
		}
	}
}
