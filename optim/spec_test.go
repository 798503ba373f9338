package optim

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// build makes the optimiser s names over one parameter.
func build(t *testing.T, s Spec) Optimizer[float64] {
	t.Helper()
	f, err := s.Factory()
	if err != nil {
		t.Fatalf("%+v: %v", s, err)
	}
	o, err := f(Params(autodiff.Param(tensor.FromSlice([]float64{1}, 1))))
	if err != nil {
		t.Fatalf("%+v: %v", s, err)
	}
	return o
}

func TestSpecBuildsEachOptimizer(t *testing.T) {
	for _, name := range SpecNames() {
		if About(name) == "" {
			t.Errorf("%s has no About line", name)
		}
		build(t, Spec{Name: name, LR: 0.5})
	}
	sgd := func(s Spec) SGD { return build(t, s).(*SGDOptimizer[float64]).s }
	if got := sgd(Spec{Name: "momentum"}); got.Momentum != 0.9 || got.Nesterov {
		t.Errorf("momentum: %+v", got)
	}
	if got := sgd(Spec{Name: "nesterov", Momentum: 0.5}); got.Momentum != 0.5 || !got.Nesterov {
		t.Errorf("nesterov: %+v", got)
	}
	if got := sgd(Spec{Name: "sgd", LR: 0.2, Momentum: 0.3, Dampening: 0.1, WeightDecay: 0.01, Maximize: true}); got != (SGD{LR: 0.2, Momentum: 0.3, Dampening: 0.1, WeightDecay: 0.01, Maximize: true}) {
		t.Errorf("sgd: %+v", got)
	}
	if got := build(t, Spec{Name: "adamw", Beta1: 0.8, AMSGrad: true}).(*AdamOptimizer[float64]).s; !got.Decoupled || got.WeightDecay != 0.01 || got.Beta1 != 0.8 || !got.AMSGrad {
		t.Errorf("adamw: %+v", got)
	}
	if got := build(t, Spec{Name: "rmsprop", Alpha: 0.9, Centered: true}).(*RMSpropOptimizer[float64]).s; got.Alpha != 0.9 || !got.Centered {
		t.Errorf("rmsprop: %+v", got)
	}
	if got := build(t, Spec{Name: "adagrad", LRDecay: 0.1, InitialAccumulator: 0.2}).(*AdagradOptimizer[float64]).s; got.LRDecay != 0.1 || got.InitialAccumulator != 0.2 {
		t.Errorf("adagrad: %+v", got)
	}
	if got := build(t, Spec{Name: "adadelta", Rho: 0.5}).(*AdadeltaOptimizer[float64]).s; got.Rho != 0.5 {
		t.Errorf("adadelta: %+v", got)
	}
	if got := build(t, Spec{Name: "nadam", Beta2: 0.99}).(*NAdamOptimizer[float64]).s; got.Beta2 != 0.99 {
		t.Errorf("nadam: %+v", got)
	}
}

func TestSpecErrors(t *testing.T) {
	for _, c := range []struct {
		s    Spec
		want string
	}{
		{Spec{Name: "adma"}, `unknown optimizer "adma" (did you mean "adam"?); choose one of gd, sgd,`},
		{Spec{Name: "gd", Momentum: 0.9}, "use sgd for momentum"},
		{Spec{Name: "nadam", Maximize: true}, "negate the objective"},
	} {
		_, err := c.s.Factory()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.s, err, c.want)
		}
	}
	// Ranges are checked when the optimiser is built.
	f, err := Spec{Name: "adam", Beta1: 1.5}.Factory()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f(Params(autodiff.Param(tensor.FromSlice([]float64{1}, 1)))); err == nil || !strings.Contains(err.Error(), "Beta1") {
		t.Errorf("Beta1 1.5: %v", err)
	}
}

// A Spec builds any optimiser by name, e.g. from a flag or a JSON request.
func ExampleSpec() {
	f, err := Spec{Name: "nesterov", LR: 0.1}.Factory()
	if err != nil {
		panic(err)
	}
	x := autodiff.Param(tensor.FromSlice([]float64{3}, 1))
	opt, _ := f(Params(x))
	for range 100 {
		ZeroGrad(opt)
		_ = autodiff.Sum(autodiff.Mul(x, x), false).Backward() // f(x) = x²
		_ = opt.Step()
	}
	fmt.Println(About("nesterov"))
	fmt.Printf("|x| < 1e-6 after 100 steps: %v\n", math.Abs(x.Value().Data()[0]) < 1e-6)
	// Output:
	// Nesterov momentum (sgd, μ = 0.9)
	// |x| < 1e-6 after 100 steps: true
}
