package optim

import (
	"math"
	"strings"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/expr"
	"github.com/nabla-go/nabla/tensor"
)

// objective compiles an expression in x, y into a loss of a 2-vector Param.
func objective(t *testing.T, src string) func(p *autodiff.Var[float64]) *autodiff.Var[float64] {
	t.Helper()
	f, err := expr.Func(expr.MustParse(src), []string{"x", "y"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The textbook example: gradient descent with η = 0.1 on (x−2)² + (y−1)²
// from (4.5, 3.5). ∇f = (2(x−2), 2(y−1)) = (5, 5), so the first step lands on
// (4.5 − 0.5, 3.5 − 0.5) = (4, 3); every step shrinks the distance to (2, 1)
// by the factor 1 − 2η = 0.8.
func TestGradientDescentTextbook(t *testing.T) {
	f := objective(t, "(x-2)^2 + (y-1)^2")
	p := autodiff.Param(tensor.FromSlice([]float64{4.5, 3.5}))
	opt, err := NewSGD(Params(p), SGD{LR: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	for step := 1; step <= 100; step++ {
		ZeroGrad[float64](opt)
		if err := f(p).Backward(); err != nil {
			t.Fatal(err)
		}
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
		x, y := p.Value().Data()[0], p.Value().Data()[1]
		if step == 1 && (math.Abs(x-4) > 1e-15 || math.Abs(y-3) > 1e-15) {
			t.Fatalf("after one step (%v, %v), want (4, 3)", x, y)
		}
		want := math.Pow(0.8, float64(step)) // distance ratio to the start
		if d := math.Hypot(x-2, y-1) / math.Hypot(2.5, 2.5); math.Abs(d-want) > 1e-12 {
			t.Fatalf("step %d: distance ratio %v, want 0.8^%d = %v", step, d, step, want)
		}
	}
}

func TestSettingsErrors(t *testing.T) {
	p := autodiff.Param(tensor.FromSlice([]float64{1, 2}))
	for _, c := range []struct {
		name string
		make func() error
		want string
	}{
		{"negative lr", func() error { _, err := NewSGD(Params(p), SGD{LR: -1}); return err }, "learning rate -1 must be positive"},
		{"beta1 = 1", func() error { _, err := NewAdam(Params(p), Adam{Beta1: 1}); return err }, "Beta1 = 1 must lie in [0, 1)"},
		{"beta2 < 0", func() error { _, err := NewAdam(Params(p), Adam{Beta2: -0.1}); return err }, "Beta2 = -0.1"},
		{"nesterov without momentum", func() error { _, err := NewSGD(Params(p), SGD{Nesterov: true}); return err }, "Nesterov momentum needs"},
		{"no params", func() error { _, err := NewAdam(Params[float64](), Adam{}); return err }, "no parameters"},
		{"group lr", func() error {
			_, err := NewRMSprop([]*Group[float64]{{Params: []*autodiff.Var[float64]{p}, LR: math.NaN()}}, RMSprop{})
			return err
		}, "group 0: learning rate NaN"},
		{"negative weight decay", func() error { _, err := NewAdagrad(Params(p), Adagrad{WeightDecay: -1}); return err }, "weight decay -1"},
		{"bad schedule", func() error {
			opt, _ := NewSGD(Params(p), SGD{})
			_, err := NewScheduler[float64](opt, StepDecay{Size: 0, Gamma: 0.5})
			return err
		}, "Size > 0"},
	} {
		err := c.make()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
	// An update that overflows is an error that names the step and says
	// what to do.
	opt, _ := NewSGD(Params(p), SGD{LR: 1e300})
	if err := autodiff.Sum(autodiff.Scale(1e10, autodiff.Square(p)), false).Backward(); err != nil {
		t.Fatal(err)
	}
	if err := opt.Step(); err == nil || !strings.Contains(err.Error(), "step 1 made") || !strings.Contains(err.Error(), "smaller learning rate") {
		t.Errorf("diverging step: %v", err)
	}
}

// optim.Zero is an explicit zero: Adam with β₁ = 0 is RMSprop-like, and
// differs from the default β₁ = 0.9 after the first step.
func TestExplicitZero(t *testing.T) {
	run := func(s Adam) []float64 {
		p := autodiff.Param(tensor.FromSlice([]float64{1, -2}))
		opt, err := NewAdam(Params(p), s)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			ZeroGrad[float64](opt)
			autodiff.Sum(autodiff.Square(p), false).Backward()
			opt.Step()
		}
		return p.Value().Data()
	}
	zero, def := run(Adam{Beta1: Zero, LR: 0.1}), run(Adam{LR: 0.1})
	if zero[0] == def[0] {
		t.Errorf("Beta1: optim.Zero behaves like the default: %v", zero)
	}
	// With β₁ = 0, m = g; for the first step both equal p − η·sign(g).
	if want := run(Adam{Beta1: 1e-300, LR: 0.1}); math.Abs(zero[0]-want[0]) > 1e-15 {
		t.Errorf("β₁ = optim.Zero gives %v, β₁ = 1e-300 gives %v", zero, want)
	}
}

// State and SetState checkpoint an optimiser: a run resumed from a copy of
// the state continues bit for bit.
func TestStateRoundTrip(t *testing.T) {
	f := objective(t, "(1 - x)^2 + 100*(y - x^2)^2")
	p := autodiff.Param(tensor.FromSlice([]float64{-1.2, 1}))
	opt, _ := NewAdam(Params(p), Adam{LR: 0.01, AMSGrad: true})
	step := func(o Optimizer[float64], p *autodiff.Var[float64]) {
		ZeroGrad(o)
		f(p).Backward()
		o.Step()
	}
	for range 10 {
		step(opt, p)
	}
	saved, savedP := opt.State(), p.Value().Clone()
	for range 10 {
		step(opt, p)
	}
	q := autodiff.Param(savedP)
	resumed, _ := NewAdam(Params(q), Adam{LR: 0.01, AMSGrad: true})
	if err := resumed.SetState(saved); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		step(resumed, q)
	}
	for i, v := range p.Value().Data() {
		if q.Value().Data()[i] != v {
			t.Fatalf("resumed run differs: %v vs %v", q.Value().Data(), p.Value().Data())
		}
	}
	if saved[0].Step != 10 || len(saved[0].Buffers["max_exp_avg_sq"]) != 2 {
		t.Errorf("state %+v", saved[0])
	}
}

// Plateau: with patience 2 the rate halves on the third step in a row without
// a relative improvement of 1e-4, then waits out the cooldown.
func TestPlateau(t *testing.T) {
	p := autodiff.Param(tensor.FromSlice([]float64{1}))
	opt, _ := NewSGD(Params(p), SGD{LR: 1})
	s, err := NewPlateau[float64](opt, Plateau{Factor: 0.5, Patience: 2, Cooldown: 1})
	if err != nil {
		t.Fatal(err)
	}
	losses := []float64{5, 4, 4, 3.99999, 4, 4, 4, 4, 4, 4}
	// 3.99999 is not 1e-4 better than 4, so it counts as bad.
	wantLR := []float64{1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25}
	for i, m := range losses {
		s.Step(m)
		if lr := opt.Groups()[0].LR; lr != wantLR[i] {
			t.Fatalf("after loss %d (%v): lr %v, want %v", i, m, lr, wantLR[i])
		}
	}
	if _, err := NewPlateau[float64](opt, Plateau{Factor: 2}); err == nil {
		t.Error("Factor 2 accepted")
	}
}
