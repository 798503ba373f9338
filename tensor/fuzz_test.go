package tensor

import (
	"fmt"
	"slices"
	"testing"
)

// fuzzBytes hands out the fuzz input a byte at a time (0 when exhausted).
type fuzzBytes struct{ b []byte }

func (r *fuzzBytes) next() byte {
	if len(r.b) == 0 {
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// shape decodes a rank ≤ 4 and dims ≤ 4 (zero allowed).
func (r *fuzzBytes) shape() []int {
	s := make([]int, r.next()%5)
	for i := range s {
		s[i] = int(r.next() % 5)
	}
	return s
}

// values fills an array with multiples of 1/8 in [-16, 16): every sum and
// product the fuzz target forms is exact in float32, so results must match
// the reference bit for bit. Exhausted input continues with a fixed pattern.
func (r *fuzzBytes) values(shape []int) arr {
	a := newArr(shape...)
	for i := range a.data {
		if len(r.b) == 0 {
			a.data[i] = float64(i*7%17-8) / 4
			continue
		}
		a.data[i] = float64(int8(r.next())) / 8
	}
	return a
}

// scalarView is the fuzz layout after the build layouts: the array's first
// value broadcast by Expand from a scalar (all strides 0).
const scalarView = numLayouts

// fuzzOperand builds a in layout l (scalarView: every element a's first one).
func fuzzOperand[T Float](a *arr, l layout) *Tensor[T] {
	if l != scalarView {
		return build[T](*a, l)
	}
	v := 0.0
	if len(a.data) > 0 {
		v = a.data[0]
	}
	for i := range a.data {
		a.data[i] = v
	}
	return Expand(Scalar(T(v)), a.shape...)
}

// FuzzBroadcastOps decodes two shapes (rank ≤ 4, dims ≤ 4), their storage
// layouts, axes, a reshape target and data, then runs Add, Sub, Mul, Sum,
// Max, MatMul, Reshape, Expand, SumTo and Concat in both precisions. Each call
// must either panic with a *ShapeError exactly when the reference says the
// shapes do not fit, or return the reference's result exactly. Any other
// panic (index out of range, nil dereference) is a bug.
//
// Input layout: rankA dimsA… rankB dimsB… layoutA layoutB axisMask axis
// rankR dimsR… data….
func FuzzBroadcastOps(f *testing.F) {
	f.Add([]byte{2, 2, 3, 1, 3, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{3, 2, 1, 3, 2, 4, 1, 1, 3, 5, 255, 2, 4, 0, 10, 20, 30, 40})
	f.Add([]byte{2, 2, 3, 2, 3, 4, 2, 1, 1, 1, 1, 1, 250, 3, 1, 7})
	f.Add([]byte{1, 3, 1, 3, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 4, 3, 2, 4, 3, 3, 2, 6, 130, 2, 0, 2})
	f.Add([]byte{4, 1, 2, 1, 3, 3, 2, 3, 3, 1, 2, 15, 3, 3, 4, 0, 3, 11, 12, 13, 14})
	f.Add([]byte{2, 0, 3, 2, 3, 2, 0, 3, 7, 1, 2, 0, 3})
	f.Add([]byte{0, 2, 2, 2, 1, 2, 3, 0, 1, 1, 5, 8})
	f.Add([]byte{2, 2, 2, 2, 2, 2, 4, 3, 3, 0, 0})
	f.Add([]byte{3, 4, 4, 4, 3, 4, 4, 4, 1, 3, 7, 2, 2, 4, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzBody[float64](t, data)
		fuzzBody[float32](t, data)
	})
}

// fuzzResult runs f and checks the outcome against the reference: a
// *ShapeError when !valid, otherwise exactly want.
func fuzzResult[T Float](t *testing.T, what string, valid bool, want arr, f func() *Tensor[T]) {
	t.Helper()
	var got *Tensor[T]
	se, other, stack := catchPanic(func() { got = f() })
	switch {
	case other != nil:
		t.Fatalf("%s: panic that is not a *ShapeError: %v\n%s", what, other, stack)
	case valid && se != nil:
		t.Fatalf("%s: unexpected ShapeError: %v", what, se)
	case !valid && se == nil:
		t.Fatalf("%s: succeeded with shape %v, want a *ShapeError", what, got.Shape())
	case valid:
		assertClose(t, what, got, want, 0)
	}
}

func fuzzBody[T Float](t *testing.T, data []byte) {
	r := &fuzzBytes{data}
	sa, sb := r.shape(), r.shape()
	la, lb := layout(int(r.next())%int(scalarView+1)), layout(int(r.next())%int(scalarView+1))
	mask, axis := int(r.next()), int(int8(r.next()))%6
	target := make([]int, r.next()%5)
	for i := range target {
		target[i] = int(r.next()%6) - 1
	}
	a, b := r.values(sa), r.values(sb)
	x, y := fuzzOperand[T](&a, la), fuzzOperand[T](&b, lb)
	desc := fmt.Sprintf("%s A=%v (%v) B=%v (%v)", typeName[T](), sa, la, sb, lb)

	for _, c := range binaryCases[T]()[:3] { // Add, Sub, Mul
		want, ok := refZip(a, b, c.ref)
		fuzzResult(t, c.name+" "+desc, ok, want, func() *Tensor[T] { return c.op(x, y) })
	}

	axes, red := axesOf(newRNG(uint64(mask)), mask&(1<<len(sa)-1), len(sa))
	keep := mask&16 != 0
	fuzzResult(t, fmt.Sprintf("Sum(keep=%v, %v) %s", keep, axes, desc), true,
		refReduce(a, red, keep, refSum), func() *Tensor[T] { return Sum(x, keep, axes...) })
	nonEmpty := true
	for i, rd := range red {
		nonEmpty = nonEmpty && (!rd || sa[i] > 0)
	}
	var wantMax arr
	if nonEmpty {
		wantMax = refReduce(a, red, keep, refMax)
	}
	fuzzResult(t, fmt.Sprintf("Max(keep=%v, %v) %s", keep, axes, desc), nonEmpty, wantMax,
		func() *Tensor[T] { return Max(x, keep, axes...) })

	inRange := axis >= -len(sa) && axis < len(sa)
	var wantAx arr
	if inRange {
		one := make([]bool, len(sa))
		one[(axis+len(sa))%len(sa)] = true
		wantAx = refReduce(a, one, false, refSum)
	}
	fuzzResult(t, fmt.Sprintf("Sum(axis %d) %s", axis, desc), inRange, wantAx,
		func() *Tensor[T] { return Sum(x, false, axis) })

	wantMM, ok := refMatMul(a, b)
	fuzzResult(t, "MatMul "+desc, ok, wantMM, func() *Tensor[T] { return MatMul(x, y) })

	rs, ok := refReshapeOK(len(a.data), target)
	fuzzResult(t, fmt.Sprintf("Reshape(%v) %s", target, desc), ok, arr{shape: rs, data: a.data},
		func() *Tensor[T] { return Reshape(x, target...) })

	out, ok := refBroadcastShape(sa, sb)
	ok = ok && len(sa) <= len(sb) && slices.Equal(out, sb)
	var wantEx arr
	if ok {
		wantEx = refGather(sb, func(idx []int) float64 { return a.at(bcIndex(sa, idx)) })
	}
	fuzzResult(t, "Expand(A, B.shape) "+desc, ok, wantEx, func() *Tensor[T] { return Expand(x, sb...) })

	out, ok = refBroadcastShape(sa, sb)
	ok = ok && len(sb) <= len(sa) && slices.Equal(out, sa)
	var wantST arr
	if ok {
		wantST = refSumTo(a, sb)
	}
	fuzzResult(t, "SumTo(A, B.shape) "+desc, ok, wantST, func() *Tensor[T] { return SumTo(x, sb...) })

	ok = len(sa) == len(sb) && len(sa) > 0
	for i := 1; ok && i < len(sa); i++ {
		ok = sa[i] == sb[i]
	}
	var wantCat arr
	if ok {
		wantCat = refConcat(0, a, b)
	}
	fuzzResult(t, "Concat(0, A, B) "+desc, ok, wantCat, func() *Tensor[T] { return Concat(0, x, y) })
}

func typeName[T Float]() string {
	if isFloat32[T]() {
		return "float32"
	}
	return "float64"
}
