package autodiff_test

// Every differentiable primitive is checked here in float64 against central
// differences (numdiff), at seeded random shapes and points, for its first
// derivative and for its second:
//
//   - first: the scalar loss L = Σ op(x…)·W, with a fixed random weight W so
//     that every output entry matters, is differentiated by reverse mode with
//     respect to each input and compared with numdiff.Gradient of L;
//   - second: the Hessian of the same L over all inputs together, built row by
//     row as vector-Jacobian products of the gradient recorded with
//     CreateGraph, is compared with numdiff.Jacobian of the first-order
//     reverse-mode gradient.
//
// Points are drawn away from kinks: every coordinate can move by kinkGap either
// way without changing Branches (the sign of each relu/abs input, the order of
// each maximum's operands, the position of each max), so a finite-difference
// step never straddles one.

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	. "github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/numdiff"
	"github.com/nabla-go/nabla/tensor"
)

type v64 = Var[float64]

// A domain draws one input coordinate.
type domain func(r *rand.Rand) float64

func uniform(lo, hi float64) domain {
	return func(r *rand.Rand) float64 { return lo + (hi-lo)*r.Float64() }
}

// signed draws |x| from [lo, hi) with a random sign, so x stays lo away from 0.
func signed(lo, hi float64) domain {
	u := uniform(lo, hi)
	return func(r *rand.Rand) float64 {
		if r.IntN(2) == 0 {
			return -u(r)
		}
		return u(r)
	}
}

var (
	anyD  = uniform(-2, 2)
	posD  = uniform(0.5, 3)    // log, sqrt, fractional powers, Pow's base
	nzD   = signed(0.05, 2)    // the kink at 0 of relu, leaky relu, abs
	denD  = signed(0.3, 2)     // denominators
	tanD  = uniform(-1.2, 1.2) // ≥ 0.37 inside tan's poles at ±π/2
	unitD = uniform(-0.8, 0.8) // inside asin's and acos's domain [−1, 1], away from its ends
)

// kinkGap is how far every sampled coordinate stays from a kink.
const kinkGap = 1e-3

// A shapeGen draws the shapes of an op's inputs.
type shapeGen func(r *rand.Rand) [][]int

// fixed gives the same shapes for every seed (nil is a 0-d scalar).
func fixed(shapes ...[]int) shapeGen { return func(*rand.Rand) [][]int { return shapes } }

// same draws one shape of rank lo…hi with sizes 1…3 for all n inputs.
func same(n, lo, hi int) shapeGen {
	return func(r *rand.Rand) [][]int {
		s := make([]int, lo+r.IntN(hi-lo+1))
		for i := range s {
			s[i] = 1 + r.IntN(3)
		}
		out := make([][]int, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
}

// matmul2 draws [m,k]·[k,n] with sizes 1…4.
func matmul2(r *rand.Rand) [][]int {
	m, k, n := 1+r.IntN(4), 1+r.IntN(4), 1+r.IntN(4)
	return [][]int{{m, k}, {k, n}}
}

// primCase is one row of the table: the part of name before "/" is the
// exported primitive it covers.
type primCase struct {
	name   string
	shapes shapeGen
	dom    []domain // one per input; the last serves the rest
	f      func(x []*v64) *v64
}

func primCases() []primCase {
	un := func(name string, sh shapeGen, d domain, f func(*v64) *v64) primCase {
		return primCase{name, sh, []domain{d}, func(x []*v64) *v64 { return f(x[0]) }}
	}
	r03, r13, r23, r33 := same(1, 0, 3), same(1, 1, 3), same(1, 2, 3), same(1, 3, 3)
	idx := func(f func(*v64, int, []int) *v64, axis int, ix ...int) func(*v64) *v64 {
		return func(x *v64) *v64 { return f(x, axis, ix) }
	}
	adj := func(f func([]int, int, []int, *v64) *v64, shape []int, axis int, ix ...int) func(*v64) *v64 {
		return func(x *v64) *v64 { return f(shape, axis, ix, x) }
	}
	cs := []primCase{
		un("Neg", r03, anyD, Neg[float64]),
		un("Exp", r03, anyD, Exp[float64]),
		un("Log", r03, posD, Log[float64]),
		un("Sqrt", r03, posD, Sqrt[float64]),
		un("Abs", r03, nzD, Abs[float64]),
		un("Sin", r03, anyD, Sin[float64]),
		un("Cos", r03, anyD, Cos[float64]),
		un("Tan", r03, tanD, Tan[float64]),
		un("Tanh", r03, anyD, Tanh[float64]),
		un("Asin", r03, unitD, Asin[float64]),
		un("Acos", r03, unitD, Acos[float64]),
		un("Atan", r03, anyD, Atan[float64]),
		un("Sigmoid", r03, anyD, Sigmoid[float64]),
		un("Softplus", r03, anyD, Softplus[float64]),
		un("Erf", r03, anyD, Erf[float64]),
		un("GELU", r03, anyD, GELU[float64]),
		un("ReLU", r03, nzD, ReLU[float64]),
		un("LeakyReLU", r03, nzD, func(x *v64) *v64 { return LeakyReLU(x, 0.1) }),
		un("Square", r03, anyD, Square[float64]),
		un("Scale", r03, anyD, func(x *v64) *v64 { return Scale(-1.7, x) }),
		un("AddConst", r03, anyD, func(x *v64) *v64 { return AddConst(x, 0.3) }),
		un("PowConst/2.5", r03, posD, func(x *v64) *v64 { return PowConst(x, 2.5) }),
		un("PowConst/-1.5", r03, posD, func(x *v64) *v64 { return PowConst(x, -1.5) }),
		un("PowConst/3", r03, anyD, func(x *v64) *v64 { return PowConst(x, 3) }),
		un("PowConst/2", r03, anyD, func(x *v64) *v64 { return PowConst(x, 2) }),
		un("PowConst/1", r03, anyD, func(x *v64) *v64 { return PowConst(x, 1) }),
		un("PowConst/0", r03, anyD, func(x *v64) *v64 { return PowConst(x, 0) }),

		un("Sum/all", r03, anyD, func(x *v64) *v64 { return Sum(x, false) }),
		un("Sum/all-keep", r13, anyD, func(x *v64) *v64 { return Sum(x, true) }),
		un("Sum/axis0", r13, anyD, func(x *v64) *v64 { return Sum(x, false, 0) }),
		un("Sum/last-keep", r13, anyD, func(x *v64) *v64 { return Sum(x, true, -1) }),
		un("Sum/axes02", r33, anyD, func(x *v64) *v64 { return Sum(x, false, 0, 2) }),
		un("Mean/all", r03, anyD, func(x *v64) *v64 { return Mean(x, false) }),
		un("Mean/last-keep", r13, anyD, func(x *v64) *v64 { return Mean(x, true, -1) }),
		un("Mean/axes02", r33, anyD, func(x *v64) *v64 { return Mean(x, false, 0, 2) }),
		un("Max/all", r03, anyD, func(x *v64) *v64 { return Max(x, false) }),
		un("Max/axis1-keep", r23, anyD, func(x *v64) *v64 { return Max(x, true, 1) }),
		un("Max/axes02", r33, anyD, func(x *v64) *v64 { return Max(x, false, 0, 2) }),
		un("Min/all", r03, anyD, func(x *v64) *v64 { return Min(x, false) }),
		un("Min/axis1-keep", r23, anyD, func(x *v64) *v64 { return Min(x, true, 1) }),
		un("Min/axes-20", r33, anyD, func(x *v64) *v64 { return Min(x, false, -1, 0) }),
		un("LogSumExp/all", r03, anyD, func(x *v64) *v64 { return LogSumExp(x, false) }),
		un("LogSumExp/last-keep", r13, anyD, func(x *v64) *v64 { return LogSumExp(x, true, -1) }),
		un("LogSumExp/axes02", r33, anyD, func(x *v64) *v64 { return LogSumExp(x, false, 0, 2) }),
		un("Softmax/0", r13, anyD, func(x *v64) *v64 { return Softmax(x, 0) }),
		un("Softmax/-1", r23, anyD, func(x *v64) *v64 { return Softmax(x, -1) }),
		un("LogSoftmax/0", r13, anyD, func(x *v64) *v64 { return LogSoftmax(x, 0) }),
		un("LogSoftmax/-1", r23, anyD, func(x *v64) *v64 { return LogSoftmax(x, -1) }),

		un("Reshape", fixed([]int{2, 3, 4}), anyD, func(x *v64) *v64 { return Reshape(x, 4, -1) }),
		un("Reshape/to-scalar", fixed([]int{1, 1}), anyD, func(x *v64) *v64 { return Reshape(x) }),
		un("Flatten", r03, anyD, Flatten[float64]),
		un("Unsqueeze/0", r03, anyD, func(x *v64) *v64 { return Unsqueeze(x, 0) }),
		un("Unsqueeze/-1", r13, anyD, func(x *v64) *v64 { return Unsqueeze(x, -1) }),
		un("Squeeze/all", fixed([]int{2, 1, 3, 1}), anyD, func(x *v64) *v64 { return Squeeze(x) }),
		un("Squeeze/axis", fixed([]int{2, 1, 3, 1}), anyD, func(x *v64) *v64 { return Squeeze(x, -1) }),
		un("Transpose", r33, anyD, func(x *v64) *v64 { return Transpose(x, 0, 2) }),
		un("Transpose/negative", r23, anyD, func(x *v64) *v64 { return Transpose(x, -1, 0) }),
		un("T", r23, anyD, T[float64]),
		un("Permute", r33, anyD, func(x *v64) *v64 { return Permute(x, 2, 0, 1) }),
		un("Permute/reverse", r23, anyD, func(x *v64) *v64 { return Permute(x) }),
		un("Slice", fixed([]int{2, 4, 3}), anyD, func(x *v64) *v64 { return Slice(x, 1, 1, 3) }),
		un("Slice/negative", fixed([]int{2, 4, 3}), anyD, func(x *v64) *v64 { return Slice(x, -1, -2, 3) }),
		un("Pad", fixed([]int{2, 3}), anyD, func(x *v64) *v64 { return Pad(x, 0, 1, 2) }),
		un("Pad/negative-axis", fixed([]int{2, 3}), anyD, func(x *v64) *v64 { return Pad(x, -1, 0, 1) }),
		un("Expand", fixed([]int{3, 1}), anyD, func(x *v64) *v64 { return Expand(x, 2, 3, 4) }),
		un("Expand/scalar", fixed(nil), anyD, func(x *v64) *v64 { return Expand(x, 2, 2) }),
		un("Expand/same", fixed([]int{2, 3}), anyD, func(x *v64) *v64 { return Expand(x, 2, 3) }),
		un("SumTo", fixed([]int{2, 3, 4}), anyD, func(x *v64) *v64 { return SumTo(x, 3, 1) }),
		un("SumTo/scalar", fixed([]int{2, 3}), anyD, func(x *v64) *v64 { return SumTo(x) }),
		un("IndexSelect", fixed([]int{4, 3}), anyD, idx(IndexSelect[float64], 0, 3, 0, 3, 1)),
		un("IndexSelect/last", fixed([]int{2, 3, 4}), anyD, idx(IndexSelect[float64], -1, 1, 1, 0)),
		un("IndexAdd", fixed([]int{3, 3}), anyD, adj(IndexAdd[float64], []int{4, 3}, 0, 2, 0, 2)),
		un("IndexAdd/last", fixed([]int{2, 2}), anyD, adj(IndexAdd[float64], []int{2, 3}, -1, 2, 2)),
		un("SoftmaxCrossEntropy", fixed([]int{3, 4}), anyD, func(x *v64) *v64 { return SoftmaxCrossEntropy(x, []int{2, 0, 3}) }),
		un("SoftmaxCrossEntropy/wide", fixed([]int{2, 37}), anyD, func(x *v64) *v64 { return SoftmaxCrossEntropy(x, []int{36, 5}) }),
		// squared, so the upstream gradient depends on x and the Hessian
		// needs the gradient primitive's rule with respect to it too
		un("SoftmaxCrossEntropy/squared", fixed([]int{3, 5}), anyD, func(x *v64) *v64 { return Square(SoftmaxCrossEntropy(x, []int{4, 0, 2})) }),
		un("SoftmaxCrossEntropy/oneclass", fixed([]int{2, 1}), anyD, func(x *v64) *v64 { return SoftmaxCrossEntropy(x, []int{0, 0}) }),
		un("TakeAlong", fixed([]int{3, 4}), anyD, idx(TakeAlong[float64], 1, 2, 0, 3)),
		un("TakeAlong/axis0", fixed([]int{3, 4}), anyD, idx(TakeAlong[float64], 0, 0, 2, 1, 2)),
		un("TakeAlong/middle", fixed([]int{2, 3, 2}), anyD, idx(TakeAlong[float64], 1, 2, 0, 1, 1)),
		un("PutAlong", fixed([]int{3, 1}), anyD, adj(PutAlong[float64], []int{3, 4}, 1, 2, 0, 3)),
		un("PutAlong/middle", fixed([]int{2, 1, 2}), anyD, adj(PutAlong[float64], []int{2, 3, 2}, 1, 2, 0, 1, 1)),
	}

	// Binary elementwise ops, each on every broadcasting pattern.
	patterns := []struct {
		name string
		g    shapeGen
	}{
		{"same", same(2, 0, 3)},
		{"[3,1,4]&[2,4]", fixed([]int{3, 1, 4}, []int{2, 4})},
		{"scalar&matrix", fixed(nil, []int{2, 3})},
		{"matrix&scalar", fixed([]int{2, 3}, nil)},
		{"[2,1]&[1,3]", fixed([]int{2, 1}, []int{1, 3})},
	}
	binary := []struct {
		name   string
		da, db domain
		f      func(a, b *v64) *v64
	}{
		{"Add", anyD, anyD, Add[float64]},
		{"Sub", anyD, anyD, Sub[float64]},
		{"Mul", anyD, anyD, Mul[float64]},
		{"Div", anyD, denD, Div[float64]},
		{"Pow", posD, anyD, Pow[float64]},
		{"Maximum", anyD, anyD, Maximum[float64]},
		{"Minimum", anyD, anyD, Minimum[float64]},
	}
	for _, b := range binary {
		for _, p := range patterns {
			cs = append(cs, primCase{b.name + "/" + p.name, p.g, []domain{b.da, b.db},
				func(x []*v64) *v64 { return b.f(x[0], x[1]) }})
		}
	}

	cond := tensor.FromSlice([]float64{1, 0, 0, 1, 1, 0}, 2, 3)
	many := func(name string, sh shapeGen, f func(x []*v64) *v64) primCase {
		return primCase{name, sh, []domain{anyD}, f}
	}
	return append(cs,
		many("Where/[2,3]&[3]", fixed([]int{2, 3}, []int{3}), func(x []*v64) *v64 { return Where(cond, x[0], x[1]) }),
		many("Where/scalar&[2,1]", fixed(nil, []int{2, 1}), func(x []*v64) *v64 { return Where(cond, x[0], x[1]) }),
		many("Concat", fixed([]int{2, 1}, []int{2, 3}, []int{2, 2}), func(x []*v64) *v64 { return Concat(1, x...) }),
		many("Concat/negative", fixed([]int{2, 1}, []int{2, 3}), func(x []*v64) *v64 { return Concat(-1, x...) }),
		many("Concat/axis0", same(3, 1, 3), func(x []*v64) *v64 { return Concat(0, x...) }),
		many("Stack", same(3, 0, 2), func(x []*v64) *v64 { return Stack(0, x...) }),
		many("Stack/-1", same(2, 0, 2), func(x []*v64) *v64 { return Stack(-1, x...) }),
		many("MatMul/2d", matmul2, func(x []*v64) *v64 { return MatMul(x[0], x[1]) }),
		many("MatMul/batched", fixed([]int{2, 3, 4}, []int{2, 4, 2}), func(x []*v64) *v64 { return MatMul(x[0], x[1]) }),
		many("MatMul/broadcast-batch", fixed([]int{2, 1, 3, 4}, []int{3, 4, 2}), func(x []*v64) *v64 { return MatMul(x[0], x[1]) }),
		many("MatMul/2d-by-batch", fixed([]int{3, 4}, []int{2, 4, 2}), func(x []*v64) *v64 { return MatMul(x[0], x[1]) }),
		many("MatMul/vec-mat", fixed([]int{4}, []int{4, 3}), func(x []*v64) *v64 { return MatMul(x[0], x[1]) }),
		many("MatMul/mat-vec", fixed([]int{2, 4}, []int{4}), func(x []*v64) *v64 { return MatMul(x[0], x[1]) }),
		many("MatMul/vec-vec", fixed([]int{4}, []int{4}), func(x []*v64) *v64 { return MatMul(x[0], x[1]) }),
		many("MatMul/batch-vec", fixed([]int{2, 3, 4}, []int{4}), func(x []*v64) *v64 { return MatMul(x[0], x[1]) }),
		many("MatMulTrans/a·bᵀ", fixed([]int{3, 4}, []int{2, 4}), func(x []*v64) *v64 { return MatMulTrans(x[0], x[1], false, true) }),
		many("MatMulTrans/aᵀ·b", fixed([]int{4, 3}, []int{4, 2}), func(x []*v64) *v64 { return MatMulTrans(x[0], x[1], true, false) }),
		many("MatMulTrans/aᵀ·bᵀ", fixed([]int{4, 3}, []int{2, 4}), func(x []*v64) *v64 { return MatMulTrans(x[0], x[1], true, true) }),
		many("MatMulTrans/batched-broadcast", fixed([]int{2, 1, 4, 3}, []int{3, 2, 4}), func(x []*v64) *v64 { return MatMulTrans(x[0], x[1], true, true) }),
	)
}

// leaves wraps each tensor as a leaf (Param or Const).
func leaves[T Float](xs []*tensor.Tensor[T], leaf func(*tensor.Tensor[T]) *Var[T]) []*Var[T] {
	vs := make([]*Var[T], len(xs))
	for i, x := range xs {
		vs[i] = leaf(x)
	}
	return vs
}

// weightedLoss is L = Σ f(x…)·W.
func weightedLoss[T Float](f func([]*Var[T]) *Var[T], xs []*Var[T], w *tensor.Tensor[float64]) *Var[T] {
	return Sum(Mul(f(xs), Const(tensor.Convert[T](w))), false)
}

// lossGrads returns ∂L/∂xᵢ for L = Σ f(x…)·W, computed in precision T from
// the float64 inputs and returned in float64.
func lossGrads[T Float](f func([]*Var[T]) *Var[T], xs []*tensor.Tensor[float64], w *tensor.Tensor[float64]) ([]*tensor.Tensor[float64], error) {
	ps := make([]*Var[T], len(xs))
	for i, x := range xs {
		ps[i] = Param(tensor.Convert[T](x))
	}
	gs, err := Gradients(weightedLoss(f, ps, w), ps, BackwardOptions[T]{})
	if err != nil {
		return nil, err
	}
	out := make([]*tensor.Tensor[float64], len(gs))
	for i, g := range gs {
		if !slices.Equal(g.Shape(), xs[i].Shape()) {
			return nil, fmt.Errorf("gradient of input %d has shape %v, the input %v", i, g.Shape(), xs[i].Shape())
		}
		out[i] = tensor.Convert[float64](g.Value())
	}
	return out, nil
}

// flat concatenates the elements of ts.
func flat(ts []*tensor.Tensor[float64]) []float64 {
	var z []float64
	for _, t := range ts {
		z = append(z, t.Data()...)
	}
	return z
}

// unflat splits z into tensors shaped like xs (sharing z).
func unflat(z []float64, xs []*tensor.Tensor[float64]) []*tensor.Tensor[float64] {
	out := make([]*tensor.Tensor[float64], len(xs))
	at := 0
	for i, x := range xs {
		out[i] = tensor.FromSlice(z[at:at+x.Size()], x.Shape()...)
		at += x.Size()
	}
	return out
}

// sample draws the inputs of c (rejecting points within kinkGap of a kink)
// and a standard normal weight W of the output's shape.
func (c primCase) sample(t *testing.T, r *rand.Rand) (xs []*tensor.Tensor[float64], w *tensor.Tensor[float64]) {
	t.Helper()
	shapes := c.shapes(r)
	for range 100 {
		xs = make([]*tensor.Tensor[float64], len(shapes))
		for i, s := range shapes {
			d := c.dom[min(i, len(c.dom)-1)]
			xs[i] = tensor.New[float64](s...)
			for j := range xs[i].Data() {
				xs[i].Data()[j] = d(r)
			}
		}
		if !nearKink(c.f, xs) {
			return xs, tensor.RandN[float64](r, c.f(leaves(xs, Const[float64])).Shape()...)
		}
	}
	t.Fatalf("%s: no point %g away from every kink in 100 draws at shapes %v", c.name, kinkGap, shapes)
	return nil, nil
}

// nearKink reports whether moving some coordinate of xs by ±kinkGap changes
// the Branches of f: a kink lies within kinkGap.
func nearKink(f func([]*v64) *v64, xs []*tensor.Tensor[float64]) bool {
	at := func() string { return Branches(f(leaves(xs, Param[float64]))) }
	b0 := at()
	if b0 == "" {
		return false
	}
	for _, x := range xs {
		d := x.Data()
		for j, v := range d {
			for _, s := range []float64{-kinkGap, kinkGap} {
				d[j] = v + s
				b := at()
				d[j] = v
				if b != b0 {
					return true
				}
			}
		}
	}
	return false
}

// expectClose fails t for every entry with |got − want| > atol + rtol·max(|got|, |want|)
// (or a NaN), naming what is compared and the multi-index of the entry.
func expectClose(t *testing.T, what string, shape []int, got, want []float64, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return
	}
	bad := 0
	for i := range got {
		d := math.Abs(got[i] - want[i])
		if d <= atol+rtol*math.Max(math.Abs(got[i]), math.Abs(want[i])) {
			continue
		}
		if bad++; bad <= 3 {
			t.Errorf("%s (shape %v) at %v: got %.12g, want %.12g (|diff| %.3g)", what, shape, unravel(i, shape), got[i], want[i], d)
		}
	}
	if bad > 3 {
		t.Errorf("%s: %d of %d entries differ", what, bad, len(got))
	}
}

// unravel turns a flat row-major index into a multi-index of shape.
func unravel(i int, shape []int) []int {
	ix := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		ix[k] = i % shape[k]
		i /= shape[k]
	}
	return ix
}

// noPanic, deferred, turns a panic into a failure of t, so that one broken
// case does not hide the others.
func noPanic(t *testing.T, what string) {
	if r := recover(); r != nil {
		t.Fatalf("%s panicked: %v\n%s", what, r, debug.Stack())
	}
}

func caseRand(name string, trial int) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(h.Sum64(), uint64(trial)))
}

func TestPrimitiveDerivatives(t *testing.T) {
	for _, c := range primCases() {
		t.Run(c.name, func(t *testing.T) {
			defer noPanic(t, c.name)
			for trial := range 3 {
				xs, w := c.sample(t, caseRand(c.name, trial))
				shapes := make([][]int, len(xs))
				for i, x := range xs {
					shapes[i] = x.Shape()
				}
				ctx := fmt.Sprintf("%s at shapes %v (trial %d)", c.name, shapes, trial)
				checkFirst(t, ctx, c.f, xs, w)
				checkSecond(t, ctx, c.f, xs, w)
			}
		})
	}
}

// checkFirst compares the reverse-mode gradient of L = Σ f(x…)·W with respect
// to each input with central differences.
func checkFirst(t *testing.T, ctx string, f func([]*v64) *v64, xs []*tensor.Tensor[float64], w *tensor.Tensor[float64]) {
	t.Helper()
	gs, err := lossGrads(f, xs, w)
	if err != nil {
		t.Fatalf("%s: %v", ctx, err)
	}
	for i, x := range xs {
		num := numdiff.Gradient(nil, func(v []float64) float64 {
			in := leaves(xs, Const[float64])
			in[i] = Const(tensor.FromSlice(v, x.Shape()...))
			return weightedLoss(f, in, w).Item()
		}, x.Data(), nil)
		expectClose(t, fmt.Sprintf("%s: ∂L/∂input%d", ctx, i), x.Shape(), gs[i].Data(), num, 1e-7, 1e-6)
	}
}

// checkSecond compares the Hessian of L over all inputs (flattened and
// concatenated), row j being the vector-Jacobian product of the recorded
// gradient with eⱼ, with the finite-difference Jacobian of the gradient.
func checkSecond(t *testing.T, ctx string, f func([]*v64) *v64, xs []*tensor.Tensor[float64], w *tensor.Tensor[float64]) {
	t.Helper()
	z := flat(xs)
	n := len(z)
	num := numdiff.Jacobian(mat.NewDense(n, n, nil), func(y, z []float64) {
		gs, err := lossGrads(f, unflat(z, xs), w)
		if err != nil {
			t.Fatalf("%s: %v", ctx, err)
		}
		copy(y, flat(gs))
	}, z, nil)

	ps := leaves(xs, Param[float64])
	gs, err := Gradients(weightedLoss(f, ps, w), ps, BackwardOptions[float64]{CreateGraph: true})
	if err != nil {
		t.Fatalf("%s: %v", ctx, err)
	}
	for i, g := range gs {
		gs[i] = Reshape(g, -1)
	}
	g := Concat(0, gs...)
	row := make([]float64, n) // stays 0 when the gradient is constant
	for j := range n {
		if g.RequiresGrad() {
			e := tensor.New[float64](n)
			e.Data()[j] = 1
			hs, err := Gradients(g, ps, BackwardOptions[float64]{Seed: Const(e)})
			if err != nil {
				t.Fatalf("%s: Hessian row %d: %v", ctx, j, err)
			}
			row = row[:0]
			for _, h := range hs {
				row = append(row, h.Value().Data()...)
			}
		}
		expectClose(t, fmt.Sprintf("%s: Hessian row %d", ctx, j), []int{n}, row, num.RawRowView(j), 1e-6, 1e-5)
	}
}

// mixSmooth, mixLayer and mixReduce are written once for both precisions.
func mixSmooth[T Float](x []*Var[T]) *Var[T] {
	return Div(Mul(Sigmoid(x[0]), Exp(Sin(x[1]))), AddConst(Square(x[0]), 1))
}

func mixLayer[T Float](x []*Var[T]) *Var[T] {
	return LogSoftmax(Tanh(MatMul(x[0], x[1])), -1)
}

func mixReduce[T Float](x []*Var[T]) *Var[T] {
	return Add(Mean(Mul(GELU(x[0]), Softplus(x[0])), false, 0), LogSumExp(Sqrt(AddConst(Square(x[0]), 1)), false, 0))
}

// Float32 graphs give the float64 gradient to about 1e-4 relative (float32
// carries 7 digits; the slack is for cancellation in sums).
func TestFloat32MatchesFloat64(t *testing.T) {
	cases := []struct {
		name   string
		shapes [][]int
		f32    func([]*Var[float32]) *Var[float32]
		f64    func([]*Var[float64]) *Var[float64]
	}{
		{"sigmoid·exp∘sin/(x²+1)", [][]int{{3, 4}, {4}}, mixSmooth[float32], mixSmooth[float64]},
		{"logsoftmax∘tanh∘matmul", [][]int{{3, 5}, {5, 4}}, mixLayer[float32], mixLayer[float64]},
		{"mean gelu·softplus + lse", [][]int{{4, 3}}, mixReduce[float32], mixReduce[float64]},
	}
	for _, c := range cases {
		r := caseRand(c.name, 0)
		xs := make([]*tensor.Tensor[float64], len(c.shapes))
		for i, s := range c.shapes {
			xs[i] = tensor.Rand[float64](r, -2, 2, s...)
		}
		w := tensor.RandN[float64](r, c.f64(leaves(xs, Const[float64])).Shape()...)
		g64, err := lossGrads(c.f64, xs, w)
		if err != nil {
			t.Fatal(err)
		}
		g32, err := lossGrads(c.f32, xs, w)
		if err != nil {
			t.Fatal(err)
		}
		for i := range xs {
			ref := g64[i].Data()
			scale := 0.0
			for _, v := range ref {
				scale = math.Max(scale, math.Abs(v))
			}
			expectClose(t, fmt.Sprintf("%s: float32 ∂L/∂input%d", c.name, i), xs[i].Shape(), g32[i].Data(), ref, 1e-5*scale, 1e-4)
		}
	}
}

// TestPrimitiveCoverage lists the exported functions of the package that take
// and return *Var (the differentiable primitives) and fails for any that the
// table above does not check.
func TestPrimitiveCoverage(t *testing.T) {
	covered := map[string]bool{}
	for _, c := range primCases() {
		covered[strings.SplitN(c.name, "/", 2)[0]] = true
	}
	isVar := func(e ast.Expr) bool {
		if el, ok := e.(*ast.Ellipsis); ok {
			e = el.Elt
		}
		star, ok := e.(*ast.StarExpr)
		if !ok {
			return false
		}
		ix, ok := star.X.(*ast.IndexExpr)
		if !ok {
			return false
		}
		id, ok := ix.X.(*ast.Ident)
		return ok && id.Name == "Var"
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var prims, missing []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !fn.Name.IsExported() || fn.Type.Results == nil ||
				len(fn.Type.Results.List) != 1 || !isVar(fn.Type.Results.List[0].Type) {
				continue
			}
			if !slices.ContainsFunc(fn.Type.Params.List, func(p *ast.Field) bool { return isVar(p.Type) }) {
				continue // a leaf constructor (Param, Const, Scalar)
			}
			prims = append(prims, fn.Name.Name)
			if !covered[fn.Name.Name] {
				missing = append(missing, fn.Name.Name)
			}
		}
	}
	if len(prims) < 40 {
		t.Fatalf("found only %d primitives (%v): is the parser looking at the right files?", len(prims), prims)
	}
	if len(missing) > 0 {
		t.Errorf("primitives without a derivative check: %v", missing)
	}
	t.Logf("%d primitives checked: %v", len(prims), prims)
}

// TestPrimitivesInArena: every primitive case computed with its inputs in an
// Arena (Arena.Param), two steps in a row with a Reset between, gives the
// loss, the gradients from Backward and a Hessian-vector product bit for bit
// as with ordinary memory.
func TestPrimitivesInArena(t *testing.T) {
	var a Arena[float64]
	for _, c := range primCases() {
		t.Run(c.name, func(t *testing.T) {
			defer noPanic(t, c.name)
			xs, w := c.sample(t, caseRand(c.name, 0))
			want, _ := lossGradsHVP(t, c.f, leaves(xs, Param[float64]), w)
			for step := range 2 {
				a.Reset()
				got, l := lossGradsHVP(t, c.f, leaves(xs, a.Param), w)
				if l.Value().Arena() != a.Tensors() {
					t.Fatalf("step %d: the loss is not in the arena", step)
				}
				for i := range want {
					if !slices.Equal(got[i], want[i]) {
						t.Fatalf("step %d: result %d (loss, then gradients, then H·1) differs in an arena: %v, want %v", step, i, got[i], want[i])
					}
				}
			}
		})
	}
}

// lossGradsHVP returns L = Σ f(x…)·W, the gradients Backward leaves in the
// inputs ps, and the Hessian-vector product H·1 (as copies), and L itself.
func lossGradsHVP(t *testing.T, f func([]*v64) *v64, ps []*v64, w *tensor.Tensor[float64]) ([][]float64, *v64) {
	t.Helper()
	l := weightedLoss(f, ps, w)
	if err := l.Backward(); err != nil {
		t.Fatal(err)
	}
	out := [][]float64{{l.Item()}}
	for _, p := range ps {
		out = append(out, slices.Clone(p.Grad().Data()))
	}
	gs, err := Gradients(weightedLoss(f, ps, w), ps, BackwardOptions[float64]{CreateGraph: true})
	if err != nil {
		t.Fatal(err)
	}
	var s *v64
	for _, g := range gs {
		if g.RequiresGrad() {
			if s == nil {
				s = Sum(g, false)
			} else {
				s = Add(s, Sum(g, false))
			}
		}
	}
	if s != nil { // else the gradient is constant and H = 0
		hs, err := Gradients(s, ps, BackwardOptions[float64]{})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			out = append(out, slices.Clone(h.Value().Data()))
		}
	}
	return out, l
}
