package autodiff

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/nabla-go/nabla/tensor"
)

// A node stays at 96 bytes: a long chain of scalar operations costs that
// much per operation.
func TestVarNodeSize(t *testing.T) {
	if n := unsafe.Sizeof(Var[float64]{}); n != 96 {
		t.Errorf("Var[float64] is %d bytes, want 96", n)
	}
}

// arenaModel is a small computation with broadcasting, reductions along
// axes, gathers, kinks and products with transposes: a·bᵀ through a hidden
// layer to a cross-entropy, plus a Max and a weight penalty.
func arenaModel(x *Var[float64], w1, b1, w2 *Var[float64], labels []int) *Var[float64] {
	h := Tanh(Add(MatMulTrans(x, w1, false, true), b1))
	z := MatMul(ReLU(h), w2)
	picked := TakeAlong(LogSoftmax(z, 1), 1, labels)
	loss := Neg(Mean(picked, false))
	loss = Add(loss, Scale(0.01, Sum(Max(Abs(z), false, 1), false)))
	return Add(loss, Scale(1e-3, Sum(Square(w1), false)))
}

// TestArenaMatchesOrdinary runs several steps of the same computation with
// and without an Arena: values, gradients and a Hessian-vector product
// (CreateGraph through arena values) agree bit for bit.
func TestArenaMatchesOrdinary(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	xs := tensor.RandN[float64](rng, 6, 5)
	w1 := Param(tensor.RandN[float64](rng, 4, 5))
	b1 := Param(tensor.RandN[float64](rng, 4))
	w2 := Param(tensor.RandN[float64](rng, 4, 3))
	labels := []int{0, 2, 1, 1, 0, 2}
	params := []*Var[float64]{w1, b1, w2}
	step := func(x *Var[float64]) (loss float64, grads, hvp [][]float64) {
		for _, p := range params {
			p.ZeroGrad()
		}
		l := arenaModel(x, w1, b1, w2, labels)
		if err := l.Backward(); err != nil {
			t.Fatal(err)
		}
		for _, p := range params {
			grads = append(grads, slices.Clone(p.Grad().Data()))
		}
		// Hessian-vector product H·v with v = 1: ∂(Σ ∂l/∂w1)/∂params.
		l = arenaModel(x, w1, b1, w2, labels)
		gs, err := Gradients(l, []*Var[float64]{w1}, BackwardOptions[float64]{CreateGraph: true})
		if err != nil {
			t.Fatal(err)
		}
		hs, err := Gradients(Sum(gs[0], false), params, BackwardOptions[float64]{})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			hvp = append(hvp, slices.Clone(h.Value().Data()))
		}
		return l.Item(), grads, hvp
	}
	var a Arena[float64]
	for i := range 3 {
		lo, gradO, hvpO := step(Const(xs))
		a.Reset()
		la, gradA, hvpA := step(a.Const(xs))
		if lo != la {
			t.Fatalf("step %d: loss %v with an arena, %v without", i, la, lo)
		}
		for j := range params {
			if !slices.Equal(gradO[j], gradA[j]) || !slices.Equal(hvpO[j], hvpA[j]) {
				t.Fatalf("step %d: gradient or H·v of parameter %d differs with an arena", i, j)
			}
		}
		for _, p := range params { // an SGD step, so the next step differs
			p.Value().CopyFrom(tensor.Sub(p.Value(), tensor.Scale(0.1, p.Grad())))
		}
	}
}

// TestArenaUseAfterReset: a Var of the arena is refused after Reset, by its
// accessors and by operations, with a message naming the Reset.
func TestArenaUseAfterReset(t *testing.T) {
	var a Arena[float64]
	w := Param(tensor.Ones[float64](3))
	y := Mul(a.Const(tensor.Ones[float64](3)), w)
	s := Sum(y, false)
	a.Reset()
	for name, use := range map[string]func(){
		"Item":     func() { s.Item() },
		"Value":    func() { y.Value() },
		"Add":      func() { Add(y, w) },
		"Backward": func() { _ = s.Backward() },
	} {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, "used after the arena's Reset") {
					t.Errorf("%s after Reset: got panic %q, want one naming the Reset", name, msg)
				}
			}()
			use()
		}()
	}
}

// TestGradBuffer: a leaf's gradient is its own buffer, added into in place,
// forgotten by ZeroGrad and then overwritten; gradients of different leaves
// never share memory, and a seed is never written to.
func TestGradBuffer(t *testing.T) {
	x1, x2 := Param(tensor.FromSlice([]float64{1, 2})), Param(tensor.FromSlice([]float64{3, 4}))
	seed := Const(tensor.FromSlice([]float64{1, 10}))
	back := func() {
		if err := Add(x1, x2).BackwardWith(BackwardOptions[float64]{Seed: seed}); err != nil {
			t.Fatal(err)
		}
	}
	back()
	first := x1.Grad()
	back()
	if got := x1.Grad().Data(); !slices.Equal(got, []float64{2, 20}) || x1.Grad() != first {
		t.Fatalf("after two passes x1.Grad() = %v (same tensor: %v), want [2 20] in the same tensor", got, x1.Grad() == first)
	}
	x1.Grad().Data()[0] = 99 // clipping in place, say
	if got := x2.Grad().Data(); !slices.Equal(got, []float64{2, 20}) {
		t.Fatalf("writing x1's gradient changed x2's: %v", got)
	}
	if got := seed.Value().Data(); !slices.Equal(got, []float64{1, 10}) {
		t.Fatalf("the seed was written to: %v", got)
	}
	x1.ZeroGrad()
	if x1.Grad() != nil {
		t.Fatal("Grad after ZeroGrad is not nil")
	}
	back()
	if got := x1.Grad(); got != first || !slices.Equal(got.Data(), []float64{1, 10}) {
		t.Fatalf("after ZeroGrad and a pass x1.Grad() = %v (same buffer: %v), want [1 10] in the buffer", got, got == first)
	}
	// A recorded pass on top of the buffer takes it into its graph: a later
	// first-order pass must not write into it.
	if err := Add(x1, x2).BackwardWith(BackwardOptions[float64]{Seed: seed, CreateGraph: true}); err != nil {
		t.Fatal(err)
	}
	g := x1.Grad().Clone()
	back()
	if got := first.Data(); !slices.Equal(got, []float64{1, 10}) {
		t.Fatalf("the buffer inside a recorded gradient was overwritten: %v", got)
	}
	if got := x1.Grad().Data(); !slices.Equal(got, []float64{g.Data()[0] + 1, g.Data()[1] + 10}) {
		t.Fatalf("accumulating onto a recorded gradient: %v", got)
	}
}

// TestArenaParam: a leaf of the arena gets the same gradient as an ordinary
// one; a chain of scalar operations from it allocates nothing once the arena
// has grown; and its gradient dies with the arena's Reset.
func TestArenaParam(t *testing.T) {
	x := Param(tensor.Scalar(0.5))
	if err := chain(x, 300).Backward(); err != nil {
		t.Fatal(err)
	}
	var a Arena[float64]
	x0 := tensor.Scalar(0.5)
	var xa *Var[float64]
	step := func() {
		a.Reset()
		xa = a.Param(x0)
		if err := chain(xa, 300).Backward(); err != nil {
			t.Fatal(err)
		}
	}
	step()
	if got, want := xa.Grad().Item(), x.Grad().Item(); got != want {
		t.Fatalf("gradient %v in an arena, %v without", got, want)
	}
	step()
	if n := testing.AllocsPerRun(10, step); n != 0 {
		t.Errorf("a scalar chain in an arena allocates %v times per pass, want 0", n)
	}
	a.Reset()
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "used after the arena's Reset") {
			t.Fatalf("Grad of a stale arena leaf: got panic %q", msg)
		}
	}()
	xa.Grad()
}
