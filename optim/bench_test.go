package optim

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

const benchParams = 1_000_000

// benchShapes are the parameter sets the step benchmarks update: one tensor
// of 10⁶ elements, and the four tensors of the MLP 784-128-10 that
// `nabla train` fits to Fashion-MNIST (101,770 parameters in all).
var benchShapes = []struct {
	name   string
	shapes [][]int
}{
	{"n=1000000", [][]int{{benchParams}}},
	{"n=101770", [][]int{{784, 128}, {128}, {128, 10}, {10}}},
}

// benchCase builds the optimiser benchNames calls name over params, with the
// settings of its common use.
func benchCase[T Float](name string, params []*autodiff.Var[T]) (Optimizer[T], error) {
	g := Params(params...)
	switch name {
	case "SGD":
		return NewSGD(g, SGD{LR: 1e-2})
	case "SGDMomentum":
		return NewSGD(g, SGD{LR: 1e-2, Momentum: 0.9, WeightDecay: 5e-4})
	case "SGDNesterov":
		return NewSGD(g, SGD{LR: 1e-2, Momentum: 0.9, Nesterov: true})
	case "Adam":
		return NewAdam(g, Adam{})
	case "AdamW":
		return NewAdamW(g, Adam{})
	case "AMSGrad":
		return NewAdam(g, Adam{AMSGrad: true})
	case "RMSprop":
		return NewRMSprop(g, RMSprop{})
	case "RMSpropCentered":
		// α = 0 keeps v − ḡ² = g² − g² = 0 exactly under the constant
		// gradient of the benchmark, where rounding would otherwise drive it
		// negative (and the step to NaN) after a few thousand steps.
		return NewRMSprop(g, RMSprop{Centered: true, Momentum: 0.9, Alpha: Zero})
	case "Adagrad":
		return NewAdagrad(g, Adagrad{})
	case "Adadelta":
		return NewAdadelta(g, Adadelta{})
	case "NAdam":
		return NewNAdam(g, NAdam{})
	}
	return nil, fmt.Errorf("no optimiser %s", name)
}

// benchNames are the optimisers the step benchmarks time.
var benchNames = []string{"SGD", "SGDMomentum", "SGDNesterov", "Adam", "AdamW", "AMSGrad", "RMSprop", "RMSpropCentered", "Adagrad", "Adadelta", "NAdam"}

// BenchmarkStep times one Step of every optimiser at both sizes of
// benchShapes, in float32 and float64 (the fast paths of internal/vec) and
// in the named types f32 and f64, which take the plain Go loops: the pair
// compares the two within one run. ns/param is the time of a step divided by
// the number of parameters. A step must allocate nothing.
func BenchmarkStep(b *testing.B) {
	for _, name := range benchNames {
		b.Run(name, func(b *testing.B) { benchSizes(b, name) })
	}
}

// BenchmarkAdamStep is BenchmarkStep for Adam alone.
func BenchmarkAdamStep(b *testing.B) { benchSizes(b, "Adam") }

func benchSizes(b *testing.B, name string) {
	for _, sh := range benchShapes {
		b.Run(sh.name, func(b *testing.B) {
			b.Run("float32", func(b *testing.B) { benchStep[float32](b, name, sh.shapes) })
			b.Run("float64", func(b *testing.B) { benchStep[float64](b, name, sh.shapes) })
			b.Run("plain32", func(b *testing.B) { benchStep[f32](b, name, sh.shapes) })
			b.Run("plain64", func(b *testing.B) { benchStep[f64](b, name, sh.shapes) })
		})
	}
}

func benchStep[T Float](b *testing.B, name string, shapes [][]int) {
	rng := rand.New(rand.NewPCG(1, 1))
	var params []*autodiff.Var[T]
	n := 0
	for _, s := range shapes {
		p := autodiff.Param(tensor.RandN[T](rng, s...))
		c := autodiff.Const(tensor.RandN[T](rng, s...))
		// Σ c·p has the contiguous gradient c.
		if err := autodiff.Sum(autodiff.Mul(c, p), false).Backward(); err != nil {
			b.Fatal(err)
		}
		params = append(params, p)
		n += p.Value().Size()
	}
	opt, err := benchCase(name, params)
	if err != nil {
		b.Fatal(err)
	}
	if err := opt.Step(); err != nil { // the first step makes the state
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := opt.Step(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/param")
}

// BenchmarkCopyAdamBytes copies the bytes an Adam step moves on 10⁶ float32
// parameters (reads p, g, m, v and writes p, m, v: 16 MB read, 12 MB
// written): the memory-bandwidth floor for BenchmarkAdamStep.
func BenchmarkCopyAdamBytes(b *testing.B) {
	src := make([]float32, 4*benchParams)
	dst := make([]float32, 3*benchParams)
	b.SetBytes(28 * benchParams)
	for b.Loop() {
		copy(dst, src[:3*benchParams])
		copy(dst[:benchParams], src[3*benchParams:])
	}
}
