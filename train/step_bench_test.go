package train

import (
	"fmt"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/tensor"
)

// mlpStep is one SGD step of an MLP 784-128-10 (ReLU, softmax cross-entropy)
// on a fixed batch: the loop of issue 5.
type mlpStep[T tensor.Float] struct {
	model  *nn.Sequential[T]
	opt    *optim.SGDOptimizer[T]
	x      *tensor.Tensor[T]
	labels []int
	arena  *autodiff.Arena[T] // nil: ordinary memory
}

func newMLPStep[T tensor.Float](batch int, arena bool) *mlpStep[T] {
	rng := data.NewRand(1)
	m := nn.MLP[T](784, []int{128}, 10, nil, false, 0, rng)
	opt, err := optim.NewSGD(optim.Params(m.Params()...), optim.SGD{LR: 0.01})
	if err != nil {
		panic(err)
	}
	x := tensor.New[T](batch, 784)
	for i := range x.Data() {
		x.Data()[i] = T(rng.NormFloat64())
	}
	labels := make([]int, batch)
	for i := range labels {
		labels[i] = i % 10
	}
	s := &mlpStep[T]{model: m, opt: opt, x: x, labels: labels}
	if arena {
		s.arena = new(autodiff.Arena[T])
	}
	return s
}

// run does one step and returns the loss and the logits before the update
// (the logits only until the next step when an arena is used).
func (s *mlpStep[T]) run() (T, *autodiff.Var[T]) {
	var x *autodiff.Var[T]
	if s.arena != nil {
		s.arena.Reset()
		x = s.arena.Const(s.x)
	} else {
		x = autodiff.Const(s.x)
	}
	optim.ZeroGrad(s.opt)
	logits := s.model.Forward(x)
	l := nn.SoftmaxCrossEntropy(logits, s.labels)
	if err := l.Backward(); err != nil {
		panic(err)
	}
	if err := s.opt.Step(); err != nil {
		panic(err)
	}
	return l.Item(), logits
}

func benchStep[T tensor.Float](b *testing.B, batch int, arena bool) {
	s := newMLPStep[T](batch, arena)
	s.run() // warm up: the first steps size the arena and the gradient buffers
	s.run()
	b.ReportAllocs()
	for b.Loop() {
		s.run()
	}
}

// BenchmarkTrainStepMLP784 times one training step (zero grad, forward,
// backward, SGD update) of an MLP 784-128-10, without and with an
// autodiff.Arena; with one, a step allocates nothing.
func BenchmarkTrainStepMLP784(b *testing.B) {
	for _, arena := range []bool{false, true} {
		mem := "heap"
		if arena {
			mem = "arena"
		}
		for _, batch := range []int{64, 256} {
			b.Run(fmt.Sprintf("float32/batch%d/%s", batch, mem), func(b *testing.B) { benchStep[float32](b, batch, arena) })
			b.Run(fmt.Sprintf("float64/batch%d/%s", batch, mem), func(b *testing.B) { benchStep[float64](b, batch, arena) })
		}
	}
}
