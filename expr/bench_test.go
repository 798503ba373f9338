package expr

import (
	"math/rand/v2"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// benchExpr returns a fixed expression of about 100 nodes in x, y, z, built
// from functions defined everywhere so any point is valid.
func benchExpr() *Expr {
	r := rand.New(rand.NewPCG(100, 1))
	names := []string{"sin", "cos", "tanh", "sigmoid", "softplus", "atan"}
	var gen func(d int) *Expr
	gen = func(d int) *Expr {
		if d == 0 || r.IntN(5) == 0 {
			if r.IntN(3) == 0 {
				return Number(float64(r.IntN(5)) - 2)
			}
			return Variable([]string{"x", "y", "z"}[r.IntN(3)])
		}
		switch r.IntN(5) {
		case 0:
			return Sum(gen(d-1), gen(d-1))
		case 1:
			return Difference(gen(d-1), gen(d-1))
		case 2:
			return Product(gen(d-1), gen(d-1))
		case 3:
			return Power(gen(d-1), Number(2))
		}
		return Apply(names[r.IntN(len(names))], gen(d-1))
	}
	for {
		if e := gen(8); e.Size() >= 95 && e.Size() <= 110 && len(e.Vars()) == 3 {
			return e
		}
	}
}

const (
	benchPoints = 1_000_000
	benchChunk  = 10_000 // points per graph: 100 nodes × 80 KB stay in cache-friendly reuse
)

// benchInputs returns the coordinates of the points, one tensor per variable.
func benchInputs() []*tensor.Tensor[float64] {
	r := rand.New(rand.NewPCG(7, 7))
	return []*tensor.Tensor[float64]{
		tensor.Rand[float64](r, -1, 1, benchPoints),
		tensor.Rand[float64](r, -1, 1, benchPoints),
		tensor.Rand[float64](r, -1, 1, benchPoints),
	}
}

// evalChunks evaluates e at every point, benchChunk points per graph; with
// grad it also backpropagates, which gives every point's gradient at once
// (the points are independent, so ∂(Σ f)/∂xᵢ = ∂f/∂xᵢ at point i).
func evalChunks(b *testing.B, e *Expr, vars []string, xs []*tensor.Tensor[float64], grad bool) {
	for lo := 0; lo < benchPoints; lo += benchChunk {
		in := make([]v64, len(xs))
		for k, x := range xs {
			part := tensor.Slice(x, 0, lo, lo+benchChunk)
			if grad {
				in[k] = autodiff.Param(part)
			} else {
				in[k] = autodiff.Const(part)
			}
		}
		out, err := Build(e, vars, in)
		if err != nil {
			b.Fatal(err)
		}
		if grad {
			if err := autodiff.Sum(out, false).Backward(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCompiledValue and BenchmarkCompiledValueAndGrad time a compiled
// 100-node expression at 10⁶ points; compare their points/s (the issue asks
// for the ratio).
func BenchmarkCompiledValue(b *testing.B) { benchCompiled(b, false) }

func BenchmarkCompiledValueAndGrad(b *testing.B) { benchCompiled(b, true) }

func benchCompiled(b *testing.B, grad bool) {
	e := benchExpr()
	vars, xs := e.Vars(), benchInputs()
	b.ResetTimer()
	for b.Loop() {
		evalChunks(b, e, vars, xs, grad)
	}
	b.ReportMetric(float64(benchPoints)*float64(b.N)/b.Elapsed().Seconds(), "points/s")
	b.ReportMetric(float64(e.Size()), "nodes")
}

// BenchmarkEvalTree is the tree-walking Eval, one point at a time, for
// contrast (10⁴ points).
func BenchmarkEvalTree(b *testing.B) {
	e := benchExpr()
	vars, xs := e.Vars(), benchInputs()
	env := map[string]float64{}
	const n = 10_000
	for b.Loop() {
		for i := range n {
			for k, v := range vars {
				env[v] = xs[k].Data()[i]
			}
			if _, err := e.Eval(env); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(n*float64(b.N)/b.Elapsed().Seconds(), "points/s")
}
