package autodiff

import (
	"testing"

	"github.com/nabla-go/nabla/tensor"
)

// chain builds the 10,000-op scalar chain of the small-graph benchmark:
// alternately v·a, v+b, tanh v.
func chain(x *Var[float64], ops int) *Var[float64] {
	const a, b = 0.9, 0.1
	v := x
	for i := 0; i < ops; i++ {
		switch i % 3 {
		case 0:
			v = Scale(a, v)
		case 1:
			v = AddConst(v, b)
		default:
			v = Tanh(v)
		}
	}
	return v
}

// BenchmarkScalarChain times forward + backward of a 10,000-op chain of scalar
// operations; ns/op is reported per operation of the chain.
func BenchmarkScalarChain(b *testing.B) {
	const ops = 10000
	b.ReportAllocs()
	for b.Loop() {
		x := Param(tensor.Scalar(0.5))
		if err := chain(x, ops).Backward(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/ops, "ns/chain-op")
}

// BenchmarkScalarChainArena is BenchmarkScalarChain with the chain built in
// an Arena that each iteration resets: after the first iteration nothing is
// allocated, so no garbage collection scans the nodes.
func BenchmarkScalarChainArena(b *testing.B) {
	const ops = 10000
	var a Arena[float64]
	x0 := tensor.Scalar(0.5)
	b.ReportAllocs()
	for b.Loop() {
		a.Reset()
		x := a.Param(x0)
		if err := chain(x, ops).Backward(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/ops, "ns/chain-op")
}

// BenchmarkScalarChainForward times building the chain alone.
func BenchmarkScalarChainForward(b *testing.B) {
	const ops = 10000
	b.ReportAllocs()
	for b.Loop() {
		chain(Param(tensor.Scalar(0.5)), ops)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/ops, "ns/chain-op")
}

// BenchmarkScalarChainBackward times the backward pass alone, over one chain
// built once.
func BenchmarkScalarChainBackward(b *testing.B) {
	const ops = 10000
	x := Param(tensor.Scalar(0.5))
	y := chain(x, ops)
	for b.Loop() {
		x.ZeroGrad()
		if err := y.Backward(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/ops, "ns/chain-op")
}

// rosenbrock is the extended Rosenbrock function
// f(x) = Σ_{i<n−1} 100(x_{i+1} − x_i²)² + (1 − x_i)², written with autodiff ops.
func rosenbrock(x *Var[float64]) *Var[float64] {
	n := x.Value().Dim(0) // Shape would allocate its copy
	head, tail := Slice(x, 0, 0, n-1), Slice(x, 0, 1, n)
	return Sum(Add(Scale(100, Square(Sub(tail, Square(head)))), Square(AddConst(Neg(head), 1))), false)
}

func rosenbrockStart(n int) *tensor.Tensor[float64] {
	x := tensor.New[float64](n)
	for i := range x.Data() {
		x.Data()[i] = 1
		if i%2 == 0 {
			x.Data()[i] = -1.2
		}
	}
	return x
}

// The cheap-gradient principle: for n = 10⁶, compare
// BenchmarkRosenbrockValue with BenchmarkRosenbrockValueAndGrad (the ratio
// should stay a small constant) and with BenchmarkRosenbrockFiniteDiffGrad
// (which needs n+1 evaluations and is timed on a smaller n).
func BenchmarkRosenbrockValue(b *testing.B) {
	x := Const(rosenbrockStart(1_000_000))
	for b.Loop() {
		rosenbrock(x)
	}
}

func BenchmarkRosenbrockValueAndGrad(b *testing.B) {
	x := rosenbrockStart(1_000_000)
	for b.Loop() {
		if _, _, err := ValueAndGrad(rosenbrock, x); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRosenbrockValueAndGradArena is BenchmarkRosenbrockValueAndGrad
// with the intermediate tensors in an Arena, reused from one evaluation to
// the next (what a loop of gradient steps does), instead of fresh memory,
// which costs milliseconds per 8 MB on first touch.
func BenchmarkRosenbrockValueAndGradArena(b *testing.B) {
	x0 := rosenbrockStart(1_000_000)
	var a Arena[float64]
	eval := func() {
		a.Reset()
		if err := rosenbrock(a.Param(x0)).Backward(); err != nil {
			b.Fatal(err)
		}
	}
	eval() // the arena's two sets of memory grow in the first two steps
	eval()
	b.ReportAllocs()
	for b.Loop() {
		eval()
	}
}
