package tensor

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// arenaStep is a computation touching the operations an MLP step uses
// (products with transposes, broadcasting, reductions along axes, views,
// gathers and their adjoints) and other views and joins.
func arenaStep(ar *Arena[float32], x, w, b *Tensor[float32], labels []int) float32 {
	xv := ar.View(x)
	y := Add(MatMulTrans(xv, w, false, true), b)
	h := Map(y, func(v float32) float32 { return max(v, 0) })
	ls := LogSoftmax(h, 1)
	picked := TakeAlong(ls, 1, labels)
	var sb [8]int
	back := PutAlong(ls.AppendShape(sb[:0]), 1, labels, picked)
	g := MatMulTrans(back, xv, true, false)
	s := SumTo(Expand(Reshape(Sum(g, true, 1), -1), 3, w.Dim(0)), w.Dim(0))
	// Views, joins and gathers.
	v := Squeeze(Unsqueeze(Permute(Slice(h, 1, 2, 7), 1, 0), 0))
	v = Pad(Concat(0, v, v), 1, 1, 2)
	v = IndexAdd(v.AppendShape(sb[:0]), 0, labels[:3], IndexSelect(v, 0, labels[:3]))
	// The row-wise softmax kernels and the fused cross-entropy.
	ce := SoftmaxCrossEntropy(h, labels) + Sum(SoftmaxCrossEntropyGrad(h, labels, 0.5), false).Item()
	ce += Sum(Softmax(h, 1), false).Item() + Sum(LogSumExp(h, false, 1), false).Item() + Sum(Exp(Slice(h, 1, 0, 9)), false).Item()
	return Mean(picked, false).Item() + Sum(s, false).Item() + Max(v, false).Item() + ce
}

func TestArenaMatchesHeapAndRecycles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x, w, b := RandN[float32](rng, 70, 300), RandN[float32](rng, 200, 300), RandN[float32](rng, 200)
	labels := make([]int, 70)
	for i := range labels {
		labels[i] = i % 200
	}
	want := arenaStep(nil, x, w, b, labels)
	var ar Arena[float32]
	for range 3 {
		ar.Reset()
		if got := arenaStep(&ar, x, w, b, labels); got != want {
			t.Fatalf("with an arena: %v, without: %v", got, want)
		}
	}
	if n := testing.AllocsPerRun(20, func() { ar.Reset(); arenaStep(&ar, x, w, b, labels) }); n != 0 {
		t.Errorf("a recycled step allocates %v times, want 0", n)
	}
}

func TestArenaUseAfterReset(t *testing.T) {
	var ar Arena[float64]
	v := ar.New(2, 3)
	ar.Reset()
	defer func() {
		r := recover()
		if s, ok := r.(string); !ok || !strings.Contains(s, "after the arena's Reset") {
			t.Fatalf("use after Reset: got %v, want a panic naming the Reset", r)
		}
	}()
	Add(v, v)
}

func TestAddInto(t *testing.T) {
	a := FromSlice([]float64{1, 2, 3, 4}, 2, 2)
	b := FromSlice([]float64{10, 20}, 2)
	AddInto(a, a, b)
	if got := a.Data(); got[0] != 11 || got[1] != 22 || got[2] != 13 || got[3] != 24 {
		t.Fatalf("AddInto(a, a, b) = %v", got)
	}
	expectShapeError(t, "Add", [][]int{{2}, {2, 2}, {2}}, func() { AddInto(New[float64](2), a, b) })
}
