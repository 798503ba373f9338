package tensor

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// misuse is a programmer error and the *ShapeError it must raise.
type misuse struct {
	op     string
	shapes [][]int
	f      func()
}

func misuses[T Float]() []misuse {
	m23 := New[T](2, 3)
	s := func(dims ...int) []int { return dims }
	ms := []misuse{
		{"Add", [][]int{s(2, 3), s(3, 2)}, func() { Add(m23, New[T](3, 2)) }},
		{"Mul", [][]int{s(5, 2, 3), s(4, 3)}, func() { Mul(New[T](5, 2, 3), New[T](4, 3)) }},
		{"Where", [][]int{s(2, 3), s(4), s(2, 3)}, func() { Where(m23, New[T](4), m23) }},
		{"BroadcastShapes", [][]int{s(2), s(3), s(1)}, func() { BroadcastShapes("BroadcastShapes", s(2), s(3), s(1)) }},

		{"MatMul", [][]int{s(2, 3), s(4, 5)}, func() { MatMul(m23, New[T](4, 5)) }},
		{"MatMul", [][]int{s(3), s(4)}, func() { MatMul(New[T](3), New[T](4)) }},
		{"MatMul", [][]int{s(5, 3), s(2)}, func() { MatMul(New[T](5, 3), New[T](2)) }},
		{"MatMul", [][]int{s(2), s(3, 4)}, func() { MatMul(New[T](2), New[T](3, 4)) }},
		{"MatMul", [][]int{nil, s(2)}, func() { MatMul(Scalar[T](1), New[T](2)) }},
		{"MatMul", [][]int{s(2, 3, 4), s(5, 4, 6)}, func() { MatMul(New[T](2, 3, 4), New[T](5, 4, 6)) }},
		{"MatMul", [][]int{s(3, 2, 1, 4), s(2, 4)}, func() { MatMul(New[T](3, 2, 1, 4), New[T](2, 4)) }},
		{"MatMul", [][]int{s(4, 2, 3), s(2)}, func() { MatMul(New[T](4, 2, 3), New[T](2)) }},

		{"Reshape", [][]int{s(2, 3), s(4, 2)}, func() { Reshape(m23, 4, 2) }},
		{"Reshape", [][]int{s(2, 3), s(-1, -1)}, func() { Reshape(m23, -1, -1) }},
		{"Reshape", [][]int{s(2, 3), s(-1, 4)}, func() { Reshape(m23, -1, 4) }},
		{"Reshape", [][]int{s(2, 3), s(-2, -3)}, func() { Reshape(m23, -2, -3) }},
		{"Reshape", [][]int{s(0, 3), s(-1, 0)}, func() { Reshape(New[T](0, 3), -1, 0) }},

		{"Sum", [][]int{s(2, 3)}, func() { Sum(m23, false, 2) }},
		{"Sum", [][]int{s(2, 3)}, func() { Sum(m23, true, -3) }},
		{"Sum", [][]int{s(2, 3)}, func() { Sum(m23, false, 0, -2) }},
		{"Sum", [][]int{nil}, func() { Sum(Scalar[T](1), false, 0) }},
		{"Max", [][]int{s(2, 3)}, func() { Max(m23, false, 5) }},
		{"Max", [][]int{s(0, 3)}, func() { Max(New[T](0, 3), false, 0) }},
		{"Min", [][]int{s(2, 3)}, func() { Min(m23, false, -4) }},
		{"Min", [][]int{s(0, 3)}, func() { Min(New[T](0, 3), true) }},
		{"ArgMax", [][]int{s(2, 3)}, func() { ArgMax(m23, 2) }},
		{"ArgMax", [][]int{s(2, 0)}, func() { ArgMax(New[T](2, 0), 1) }},
		{"ArgMax", [][]int{nil}, func() { ArgMax(Scalar[T](1), 0) }},
		{"SumTo", [][]int{s(2, 3), s(3, 1)}, func() { SumTo(m23, 3, 1) }},
		{"SumTo", [][]int{s(2, 3), s(2, 1, 3)}, func() { SumTo(m23, 2, 1, 3) }},
		{"SumTo", [][]int{s(1, 3), s(2, 3)}, func() { SumTo(New[T](1, 3), 2, 3) }},

		{"Transpose", [][]int{s(2, 3)}, func() { Transpose(m23, 0, 2) }},
		{"Permute", [][]int{s(2, 3)}, func() { Permute(m23, 0) }},
		{"Permute", [][]int{s(2, 3)}, func() { Permute(m23, 1, 1) }},
		{"Permute", [][]int{s(2, 3)}, func() { Permute(m23, 0, 2) }},
		{"Slice", [][]int{s(2, 3)}, func() { Slice(m23, 1, 0, 4) }},
		{"Slice", [][]int{s(2, 3)}, func() { Slice(m23, 1, 2, 1) }},
		{"Slice", [][]int{s(2, 3)}, func() { Slice(m23, 0, -3, 1) }},
		{"Slice", [][]int{s(2, 3)}, func() { Slice(m23, 2, 0, 1) }},
		{"Squeeze", [][]int{s(2, 3)}, func() { Squeeze(m23, 0) }},
		{"Squeeze", [][]int{s(2, 3)}, func() { Squeeze(m23, 2) }},
		{"Unsqueeze", [][]int{s(2, 3)}, func() { Unsqueeze(m23, 3) }},
		{"Unsqueeze", [][]int{s(2, 3)}, func() { Unsqueeze(m23, -4) }},
		{"Expand", [][]int{s(3), s(4)}, func() { Expand(New[T](3), 4) }},
		{"Expand", [][]int{s(2, 3), s(3)}, func() { Expand(m23, 3) }},
		{"Expand", [][]int{s(2, 1), s(3, 3)}, func() { Expand(New[T](2, 1), 3, 3) }},

		{"Concat", [][]int{s(2, 3), s(3, 3)}, func() { Concat(1, m23, New[T](3, 3)) }},
		{"Concat", [][]int{s(2, 3), s(3)}, func() { Concat(0, m23, New[T](3)) }},
		{"Concat", [][]int{s(2, 3)}, func() { Concat(2, m23, m23) }},
		{"Concat", nil, func() { Concat[T](0) }},
		{"Stack", [][]int{s(2, 3), s(3, 2)}, func() { Stack(0, m23, New[T](3, 2)) }},
		{"Stack", nil, func() { Stack[T](0) }},
		{"Pad", [][]int{s(2, 3)}, func() { Pad(m23, 0, -1, 0) }},
		{"Pad", [][]int{s(2, 3)}, func() { Pad(m23, 2, 1, 1) }},

		{"IndexSelect", [][]int{s(2, 3)}, func() { IndexSelect(m23, 1, []int{0, 3}) }},
		{"IndexSelect", [][]int{s(2, 3)}, func() { IndexSelect(m23, 1, []int{-1}) }},
		{"IndexSelect", [][]int{s(2, 3)}, func() { IndexSelect(m23, -3, []int{0}) }},
		{"IndexAdd", [][]int{s(2, 3), s(2, 3)}, func() { IndexAdd(s(2, 3), 1, []int{0, 1}, m23) }},
		{"IndexAdd", [][]int{s(2, 3)}, func() { IndexAdd(s(2, 3), 1, []int{0, 3}, New[T](2, 2)) }},
		{"TakeAlong", [][]int{s(2, 3)}, func() { TakeAlong(m23, 1, []int{0}) }},
		{"TakeAlong", [][]int{s(2, 3)}, func() { TakeAlong(m23, 1, []int{0, 3}) }},
		{"PutAlong", [][]int{s(2, 3), s(2, 2)}, func() { PutAlong(s(2, 3), 1, []int{0, 1}, New[T](2, 2)) }},
		{"PutAlong", [][]int{s(2, 3), s(2, 1)}, func() { PutAlong(s(2, 3), 1, []int{0}, New[T](2, 1)) }},
		{"PutAlong", [][]int{s(2, 3)}, func() { PutAlong(s(2, 3), 1, []int{0, 5}, New[T](2, 1)) }},
		{"OneHot", [][]int{s(2, 3)}, func() { OneHot[T]([]int{0, 3}, 3) }},
		{"OneHot", [][]int{s(1, 3)}, func() { OneHot[T]([]int{-1}, 3) }},

		{"FromSlice", [][]int{s(2, 3)}, func() { FromSlice(make([]T, 5), 2, 3) }},
		{"New", [][]int{s(2, -1)}, func() { New[T](2, -1) }},
		{"Item", [][]int{s(2, 3)}, func() { m23.Item() }},
		{"Item", [][]int{s(0)}, func() { New[T](0).Item() }},
		{"At", [][]int{s(2, 3)}, func() { m23.At(0) }},
		{"At", [][]int{s(2, 3)}, func() { m23.At(2, 0) }},
		{"At", [][]int{s(2, 3)}, func() { m23.At(0, -1) }},
		{"Set", [][]int{s(2, 3)}, func() { m23.Set(1, 0, 3) }},
		{"Dim", [][]int{s(2, 3)}, func() { m23.Dim(2) }},
		{"CopyFrom", [][]int{s(2, 3), s(3, 2)}, func() { m23.CopyFrom(New[T](3, 2)) }},
	}
	for _, c := range binaryCases[T]() {
		op := c.name
		if strings.HasPrefix(op, "Zip") {
			op = "Hypot"
		}
		ms = append(ms, misuse{op, [][]int{s(2, 3), s(4)}, func() { c.op(m23, New[T](4)) }})
	}
	return ms
}

// TestShapeErrors: every misuse panics with a *ShapeError that names the
// operation and the shapes involved.
func TestShapeErrors(t *testing.T) { forBoth(t, testShapeErrors[float32], testShapeErrors[float64]) }

func testShapeErrors[T Float](t *testing.T) {
	for _, m := range misuses[T]() {
		expectShapeError(t, m.op, m.shapes, m.f)
	}
}

// The tests below pin down bugs found while writing this suite (all fixed).

// allOnes is a rand.Source whose Float64 is the largest value below 1.
type allOnes struct{}

func (allOnes) Uint64() uint64 { return ^uint64(0) }

// TestFixedRandReachesHi: Rand documents [lo, hi), but lo + (hi−lo)·u rounds to
// hi for u just below 1 (always in float32, where T(u) rounds to 1; in float64
// for example with lo = 1, hi = 2).
func TestFixedRandReachesHi(t *testing.T) {
	if v := Rand[float32](rand.New(allOnes{}), 0, 1, 1).Item(); v >= 1 {
		t.Errorf("Rand[float32] on [0, 1) returned %v", v)
	}
	if v := Rand[float64](rand.New(allOnes{}), 1, 2, 1).Item(); v >= 2 {
		t.Errorf("Rand[float64] on [1, 2) returned %v", v)
	}
}

// TestFixedInversePermutationNegativeAxes: Permute accepts negative axes, but
// InversePermutation of such a permutation indexes q[-1].
func TestFixedInversePermutationNegativeAxes(t *testing.T) {
	x := Arange[float64](0, 1, 6)
	m := Reshape(x, 2, 3)
	perm := []int{-1, 0}
	se, other, stack := catchPanic(func() {
		back := Permute(Permute(m, perm...), InversePermutation(perm)...)
		assertClose(t, "Permute∘InversePermutation", back, toArr(m), 0)
	})
	if se != nil || other != nil {
		t.Errorf("InversePermutation(%v): panic %v %v\n%s", perm, se, other, stack)
	}
}

// TestFixedFromSliceOneElement: the doc says "With no shape, data becomes a 1-D
// tensor", but a one-element slice becomes a 0-D scalar, so the rank of
// FromSlice(x) depends on len(x) (MatMul then rejects it).
func TestFixedFromSliceOneElement(t *testing.T) {
	if d := FromSlice([]float64{5}).Dims(); d != 1 {
		t.Errorf("FromSlice([]float64{5}).Dims() = %d, want 1", d)
	}
	// An explicit empty shape, such as a scalar's Shape(), means 0-d.
	if d := FromSlice([]float64{5}, Scalar(1.0).Shape()...).Dims(); d != 0 {
		t.Errorf("FromSlice(x, Scalar(1).Shape()...).Dims() = %d, want 0", d)
	}
}

// TestFixedErrorMessages: operations built from others report the inner
// operation (Mean says Sum, Softmax says Max, Stack says Unsqueeze, Full says
// New), against "errors name the op and shape that failed"; and a negative
// axis out of range is reported shifted (Sum(x, -3) on 2 axes says "axis -1
// is out of range", though -1 is a valid axis).
func TestFixedErrorMessages(t *testing.T) {
	se, _, _ := catchPanic(func() { Sum(New[float64](2, 3), false, -3) })
	if se == nil || !strings.Contains(se.Msg, "axis -3") {
		t.Errorf("Sum(x, -3) on [2 3]: message %v does not name axis -3", se)
	}
	m23 := New[float64](2, 3)
	s := func(dims ...int) []int { return dims }
	for _, m := range []misuse{
		{"Mean", [][]int{s(2, 3)}, func() { Mean(m23, false, 2) }},
		{"LogSumExp", [][]int{s(2, 3)}, func() { LogSumExp(m23, false, 2) }},
		{"LogSumExp", [][]int{s(0, 3)}, func() { LogSumExp(New[float64](0, 3), false, 0) }},
		{"Softmax", [][]int{s(2, 3)}, func() { Softmax(m23, 2) }},
		{"LogSoftmax", [][]int{s(2, 3)}, func() { LogSoftmax(m23, -3) }},
		{"Stack", [][]int{s(2, 3)}, func() { Stack(4, m23, m23) }},
		{"Full", [][]int{s(-3)}, func() { Full(1.0, -3) }},
	} {
		expectShapeError(t, m.op, m.shapes, m.f)
	}
}

// TestFixedExpandNegativeSize: Expand([1] → [-1]) succeeds and returns a tensor
// with Size −1 (BroadcastShapes lets −1 replace a 1); it should panic.
func TestFixedExpandNegativeSize(t *testing.T) {
	expectShapeError(t, "Expand", [][]int{{1}, {-1}}, func() { Expand(Ones[float64](1), -1) })
}

// TestFixedSumToAliases: the package doc promises every operation returns a new
// contiguous tensor, but SumTo with the input's own shape returns the input
// (a non-contiguous view stays one, and writes to the result reach it).
func TestFixedSumToAliases(t *testing.T) {
	x := Transpose(Reshape(Arange[float64](0, 1, 6), 2, 3), 0, 1)
	got := SumTo(x, 3, 2)
	if got == x || !got.IsContiguous() {
		t.Fatalf("SumTo returned its input (contiguous %v)", got.IsContiguous())
	}
	got.Fill(-1)
	if x.At(0, 0) != 0 {
		t.Errorf("writing SumTo's result changed its input")
	}
}

// TestFixedCopyFromOverlap: CopyFrom reads src's storage while writing t's when
// src is contiguous and t a non-contiguous view of the same storage, so
// Transpose(m).CopyFrom(m) reads elements it has already overwritten.
// (A contiguous overlapping copy works: it is a memmove.)
func TestFixedCopyFromOverlap(t *testing.T) {
	m := FromSlice([]float64{1, 2, 3, 4}, 2, 2)
	Transpose(m, 0, 1).CopyFrom(m)
	assertClose(t, "Transpose(m).CopyFrom(m)", m, arr{shape: []int{2, 2}, data: []float64{1, 3, 2, 4}}, 0)
}
