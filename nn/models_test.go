package nn

import (
	"math"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

func TestModelLossesGradCheck(t *testing.T) {
	rng := newRng(30)
	x := autodiff.Const(randAway(rng, 0.1, 2, 8, 3))
	pm1 := tensor.FromSlice([]float64{1, -1, 1, 1, -1, -1, 1, -1}, 8, 1)
	cases := []struct {
		name   string
		build  func() (*Sequential[float64], Loss[float64])
		target *tensor.Tensor[float64]
	}{
		{"LinearRegression", func() (*Sequential[float64], Loss[float64]) { return LinearRegression[float64](3, rng) }, tensor.RandN[float64](rng, 8, 1)},
		{"LogisticRegression", func() (*Sequential[float64], Loss[float64]) { return LogisticRegression[float64](3, rng) }, tensor.FromSlice([]float64{1, 0, 1, 1, 0, 0, 1, 0}, 8, 1)},
		{"SoftmaxRegression", func() (*Sequential[float64], Loss[float64]) { return SoftmaxRegression[float64](3, 4, rng) }, tensor.FromSlice([]float64{0, 1, 2, 3, 3, 2, 1, 0}, 8)},
		{"LinearSVM", func() (*Sequential[float64], Loss[float64]) { return LinearSVM[float64](3, rng) }, pm1},
	}
	for _, c := range cases {
		m, loss := c.build()
		if names := m.Params(); names[0].Name() != "0.weight" || names[1].Name() != "0.bias" {
			t.Errorf("%s: params named %q, %q", c.name, names[0].Name(), names[1].Name())
		}
		y := autodiff.Const(c.target)
		w := m.Params()[0]
		f := func() *V { return autodiff.Add(loss(m.Forward(x), y), L2(0.1, []*V{w})) }
		r, err := autodiff.CheckParams(f, m.Params(), nil)
		requirePass(t, c.name, r, err)
	}
}

// TestLogisticRegressionSeparates trains logistic regression by plain
// full-batch gradient descent on a linearly separable seeded toy set and
// requires every training point to be classified correctly.
func TestLogisticRegressionSeparates(t *testing.T) {
	rng := newRng(31)
	const n = 80
	xs := tensor.New[float64](n, 2)
	ys := tensor.New[float64](n, 1)
	for i := 0; i < n; {
		a, b := 4*rng.Float64()-2, 4*rng.Float64()-2
		s := 1.5*a - b + 0.5 // true boundary s = 0; keep a margin of 0.2
		if math.Abs(s) < 0.2 {
			continue
		}
		xs.Set(a, i, 0)
		xs.Set(b, i, 1)
		if s > 0 {
			ys.Set(1, i, 0)
		}
		i++
	}
	model, loss := LogisticRegression[float64](2, rng)
	x, y := autodiff.Const(xs), autodiff.Const(ys)
	accuracy := func() float64 {
		var ok int
		var z *tensor.Tensor[float64]
		autodiff.NoGrad(func() { z = model.Forward(x).Value() }, model.Params()...)
		for i := range n {
			if (z.At(i, 0) > 0) == (ys.At(i, 0) == 1) {
				ok++
			}
		}
		return float64(ok) / n
	}
	const lr = 0.5
	first := math.NaN()
	var last float64
	for step := range 2000 {
		l := loss(model.Forward(x), y)
		if step == 0 {
			first = l.Item()
		}
		last = l.Item()
		for _, p := range model.Params() {
			p.ZeroGrad()
		}
		if err := l.Backward(); err != nil {
			t.Fatal(err)
		}
		autodiff.NoGrad(func() {
			for _, p := range model.Params() {
				p.Value().CopyFrom(tensor.Sub(p.Value(), tensor.Scale(lr, p.Grad())))
			}
		}, model.Params()...)
		if accuracy() == 1 && step > 100 {
			break
		}
	}
	if acc := accuracy(); acc != 1 {
		t.Errorf("training accuracy %g after gradient descent, want 1 (loss %g → %g)", acc, first, last)
	}
	if !(last < first/2) {
		t.Errorf("loss did not fall: %g → %g", first, last)
	}
}
