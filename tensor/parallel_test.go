package tensor

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
)

// TestParallelKernelsMatchPlainLoops checks the elementwise operations on
// tensors long enough to run on several goroutines against the plain loops
// (a named element type) bit for bit, with GOMAXPROCS 1 and 4 alike, and
// lengths that end inside a chunk.
func TestParallelKernelsMatchPlainLoops(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 4} {
		runtime.GOMAXPROCS(procs)
		t.Run(fmt.Sprintf("GOMAXPROCS=%d/float32", procs), parallelMatchesPlain[float32, f32])
		t.Run(fmt.Sprintf("GOMAXPROCS=%d/float64", procs), parallelMatchesPlain[float64, f64])
	}
}

func parallelMatchesPlain[T, N Float](t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	n := parallelMin + 3*parallelChunk/2 + 13
	xs, ys := fastValues[T](rng, n), fastValues[T](rng, n)
	x, y := FromSlice(xs), FromSlice(ys)
	xn, yn := FromSlice(named[N](xs)), FromSlice(named[N](ys))
	c := T(0.375)
	cs, cn := Scalar(c), Scalar(N(c))
	sameBits(t, "Add", Add(x, y), Add(xn, yn))
	sameBits(t, "Sub", Sub(x, y), Sub(xn, yn))
	sameBits(t, "Mul", Mul(x, y), Mul(xn, yn))
	sameBits(t, "Div", Div(x, y), Div(xn, yn))
	sameBits(t, "Add scalar", Add(x, cs), Add(xn, cn))
	sameBits(t, "Mul scalar", Mul(cs, x), Mul(cn, xn))
	sameBits(t, "Scale", Scale(c, x), Scale(N(c), xn))
	sameBits(t, "Neg", Neg(x), Neg(xn))
	sameBits(t, "AddScalar", AddScalar(x, c), AddScalar(xn, N(c)))
	sameBits(t, "ReLU", ReLU(x), ReLU(xn))
	sameBits(t, "Step", Step(x), Step(xn))
	sameBits(t, "MulScaled", MulScaled(c, x, y), MulScaled(N(c), xn, yn))
	sameBits(t, "MulScaled scalar", MulScaled(c, cs, y), MulScaled(N(c), cn, yn))
	sameBits(t, "Pad", Pad(x, 0, 3, 5), Pad(xn, 0, 3, 5))
	sameBits(t, "Clone", x.Clone(), xn.Clone())
	sameBits(t, "AddInto in place", AddInto(clone(nil, y), clone(nil, y), x), AddInto(clone(nil, yn), clone(nil, yn), xn))
}

// TestParallelKernelsAllocateNothing: in an Arena, an operation split among
// goroutines allocates nothing once the helpers have started.
func TestParallelKernelsAllocateNothing(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(2)
	x := Full[float64](1.5, 2*parallelMin)
	var ar Arena[float64]
	step := func() {
		ar.Reset()
		xv := ar.View(x)
		MulScaled(2, Add(xv, xv), Scale(3, xv))
		Pad(xv, 0, 1, 1)
	}
	step()
	step()
	if n := testing.AllocsPerRun(20, step); n != 0 {
		t.Errorf("a step of parallel operations allocates %v times, want 0", n)
	}
}

// BenchmarkLongElementwise times ops on 10⁶ float64 in an Arena, the
// Rosenbrock gradient's sizes; run with -cpu 1,2 to see the split's effect.
func BenchmarkLongElementwise(b *testing.B) {
	x := Full[float64](1.5, 1_000_000)
	var ar Arena[float64]
	for _, c := range []struct {
		name string
		f    func(xv *Tensor[float64])
	}{
		{"Mul", func(xv *Tensor[float64]) { Mul(xv, xv) }},
		{"Scale", func(xv *Tensor[float64]) { Scale(3, xv) }},
		{"MulScaled", func(xv *Tensor[float64]) { MulScaled(2, xv, xv) }},
		{"Pad", func(xv *Tensor[float64]) { Pad(xv, 0, 1, 0) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(8 * 1_000_000)
			for b.Loop() {
				ar.Reset()
				c.f(ar.View(x))
			}
		})
	}
}
