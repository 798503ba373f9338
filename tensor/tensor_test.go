package tensor

import (
	"math"
	"slices"
	"testing"
)

func TestConstructors(t *testing.T) { forBoth(t, testConstructors[float32], testConstructors[float64]) }

func testConstructors[T Float](t *testing.T) {
	z := New[T](2, 3)
	assertClose(t, "New", z, newArr(2, 3), 0)
	assertClose(t, "Zeros", Zeros[T](0, 4), newArr(0, 4), 0)
	full := newArr(3, 1, 2)
	for i := range full.data {
		full.data[i] = -1.5
	}
	assertClose(t, "Full", Full[T](-1.5, 3, 1, 2), full, 0)
	ones := newArr(4)
	for i := range ones.data {
		ones.data[i] = 1
	}
	assertClose(t, "Ones", Ones[T](4), ones, 0)

	s := Scalar[T](2.5)
	if s.Dims() != 0 || s.Size() != 1 || s.Item() != 2.5 || s.At() != 2.5 || len(s.Shape()) != 0 {
		t.Errorf("Scalar(2.5): dims %d size %d item %v", s.Dims(), s.Size(), s.Item())
	}
	var dst Tensor[T]
	if p := PutScalar(&dst, 7); p != &dst || p.Item() != 7 || p.Dims() != 0 {
		t.Errorf("PutScalar: got %v dims %d", p.Item(), p.Dims())
	}
	// PutScalar over a view with an offset forgets the view entirely.
	reused := Slice(Transpose(Arange[T](0, 1, 6), 0, 0), 0, 2, 5)
	if p := PutScalar(reused, -4); p.Item() != -4 || p.Dims() != 0 || p.Size() != 1 || p.At() != -4 || !p.IsContiguous() || len(p.Data()) != 1 {
		t.Errorf("PutScalar over a slice: %v dims %d size %d", p, p.Dims(), p.Size())
	}
	assertClose(t, "Add(PutScalar, x)", Add(reused, Ones[T](2)), arr{shape: []int{2}, data: []float64{-3, -3}}, 0)
	if !SameShape(New[T](2, 3), Ones[T](2, 3)) || SameShape(New[T](2, 3), New[T](3, 2)) || !SameShape(Scalar[T](1), Reshape(Ones[T](1))) || SameShape(Scalar[T](1), Ones[T](1)) {
		t.Errorf("SameShape")
	}

	ar := Arange[T](-1, 0.5, 5)
	want := arr{shape: []int{5}, data: []float64{-1, -0.5, 0, 0.5, 1}}
	assertClose(t, "Arange", ar, want, 0)

	// FromSlice uses the slice as storage, row-major.
	data := []T{1, 2, 3, 4, 5, 6}
	m := FromSlice(data, 2, 3)
	for i := range 2 {
		for j := range 3 {
			if got, w := m.At(i, j), T(3*i+j+1); got != w {
				t.Fatalf("FromSlice At(%d,%d) = %v, want %v", i, j, got, w)
			}
		}
	}
	data[4] = 50
	if m.At(1, 1) != 50 {
		t.Errorf("FromSlice copied its storage: At(1,1) = %v after writing 50", m.At(1, 1))
	}
	if v := FromSlice(data); !slices.Equal(v.Shape(), []int{6}) {
		t.Errorf("FromSlice without shape: shape %v, want [6]", v.Shape())
	}

	if m.Dim(0) != 2 || m.Dim(-1) != 3 || m.Dims() != 2 || m.Size() != 6 {
		t.Errorf("Dim/Dims/Size of [2 3]: %d %d %d %d", m.Dim(0), m.Dim(-1), m.Dims(), m.Size())
	}
	sh := m.Shape()
	sh[0] = 99
	if m.Dim(0) != 2 {
		t.Errorf("Shape returned the tensor's own slice")
	}

	c := Convert[float64](m)
	c32 := Convert[float32](m)
	for i := range 6 {
		r, k := i/3, i%3
		if c.At(r, k) != float64(m.At(r, k)) || c32.At(r, k) != float32(m.At(r, k)) {
			t.Fatalf("Convert differs at %d", i)
		}
	}
	// Convert of a non-contiguous view keeps the logical order.
	ct := Convert[float64](Transpose(m, 0, 1))
	assertClose(t, "Convert(transpose)", ct, arr{shape: []int{3, 2}, data: []float64{1, 4, 2, 50, 3, 6}}, 0)
}

func TestRand(t *testing.T) { forBoth(t, testRand[float32], testRand[float64]) }

func testRand[T Float](t *testing.T) {
	a := Rand[T](newRNG(1), -2, 3, 100, 50)
	b := Rand[T](newRNG(1), -2, 3, 100, 50)
	if !slices.Equal(a.Data(), b.Data()) {
		t.Errorf("Rand with equal seeds differs")
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range a.Data() {
		if x < -2 || x >= 3 {
			t.Fatalf("Rand value %v outside [-2, 3)", x)
		}
		lo, hi = math.Min(lo, float64(x)), math.Max(hi, float64(x))
	}
	if lo > -1.9 || hi < 2.9 {
		t.Errorf("5000 uniform draws on [-2,3) span only [%v, %v]", lo, hi)
	}
	n := RandN[T](newRNG(2), 20000)
	m := Mean(n, false).Item()
	v := Mean(Mul(n, n), false).Item() - m*m
	if math.Abs(float64(m)) > 0.03 || math.Abs(float64(v)-1) > 0.05 {
		t.Errorf("RandN: mean %v variance %v, want about 0 and 1", m, v)
	}
}

func TestAtSetItem(t *testing.T) { forBoth(t, testAtSetItem[float32], testAtSetItem[float64]) }

func testAtSetItem[T Float](t *testing.T) {
	x := New[T](2, 3, 4)
	forEachIndex(x.Shape(), func(idx []int) { x.Set(T(offsetIn([]int{2, 3, 4}, idx)), idx...) })
	for i, v := range x.Data() {
		if v != T(i) {
			t.Fatalf("Set(v, idx) did not store row-major: Data()[%d] = %v", i, v)
		}
	}
	one := Slice(Slice(Slice(x, 0, 1, 2), 1, 2, 3), 2, 3, 4)
	if one.Item() != T(offsetIn([]int{2, 3, 4}, []int{1, 2, 3})) {
		t.Errorf("Item of a one-element view = %v, want 23", one.Item())
	}
}

// TestViews checks the documented storage sharing of views: writes through a
// view show in the base and the other way round; Clone and the copy made by
// Reshape of a non-contiguous tensor share nothing.
func TestViews(t *testing.T) { forBoth(t, testViews[float32], testViews[float64]) }

func testViews[T Float](t *testing.T) {
	base := Arange[T](0, 1, 24)
	x := Reshape(base, 2, 3, 4) // x[i,j,k] = 12i + 4j + k
	val := func(i, j, k int) T { return T(12*i + 4*j + k) }
	check := func(what string, got, want T) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}

	x.Set(100, 1, 2, 3)
	check("Reshape view: base[23]", base.At(23), 100)
	base.Set(val(1, 2, 3), 23)

	tr := Transpose(x, 0, 2) // [4,3,2]
	if !slices.Equal(tr.Shape(), []int{4, 3, 2}) || tr.IsContiguous() {
		t.Fatalf("Transpose shape %v contiguous %v", tr.Shape(), tr.IsContiguous())
	}
	forEachIndex(tr.Shape(), func(idx []int) { check("Transpose", tr.At(idx...), val(idx[2], idx[1], idx[0])) })
	tr.Set(-1, 0, 1, 1)
	check("write through Transpose", x.At(1, 1, 0), -1)
	x.Set(val(1, 1, 0), 1, 1, 0)

	p := Permute(x, 1, 2, 0) // p[a,b,c] = x[c,a,b]
	forEachIndex(p.Shape(), func(idx []int) { check("Permute", p.At(idx...), val(idx[2], idx[0], idx[1])) })
	q := Permute(p, InversePermutation([]int{1, 2, 0})...)
	forEachIndex(x.Shape(), func(idx []int) { check("Permute∘inverse", q.At(idx...), x.At(idx...)) })
	rev := Permute(x)
	if !slices.Equal(rev.Shape(), []int{4, 3, 2}) || rev.At(3, 2, 1) != val(1, 2, 3) {
		t.Errorf("Permute() does not reverse the axes: shape %v", rev.Shape())
	}

	// Transpose then slice: a view with an offset and gaps.
	s := Slice(Slice(tr, 0, 1, 3), 1, -2, -1) // tr[1:3, 1:2, :]
	if !slices.Equal(s.Shape(), []int{2, 1, 2}) {
		t.Fatalf("Slice shape %v", s.Shape())
	}
	forEachIndex(s.Shape(), func(idx []int) { check("Slice", s.At(idx...), val(idx[2], 1, idx[0]+1)) })
	s.Set(-2, 1, 0, 1)
	check("write through Slice", x.At(1, 1, 2), -2)
	x.Set(val(1, 1, 2), 1, 1, 2)
	if e := Slice(x, 1, 3, 3); e.Size() != 0 || e.Dim(1) != 0 {
		t.Errorf("empty Slice: shape %v", e.Shape())
	}

	u := Unsqueeze(x, 1)
	if !slices.Equal(u.Shape(), []int{2, 1, 3, 4}) || !slices.Equal(Unsqueeze(x, -1).Shape(), []int{2, 3, 4, 1}) {
		t.Errorf("Unsqueeze shapes %v %v", u.Shape(), Unsqueeze(x, -1).Shape())
	}
	u.Set(-3, 0, 0, 2, 2)
	check("write through Unsqueeze", x.At(0, 2, 2), -3)
	x.Set(val(0, 2, 2), 0, 2, 2)
	sq := Squeeze(Unsqueeze(Unsqueeze(x, 0), 2))
	if !slices.Equal(sq.Shape(), []int{2, 3, 4}) || !slices.Equal(Squeeze(u, 1).Shape(), []int{2, 3, 4}) {
		t.Errorf("Squeeze shapes %v %v", sq.Shape(), Squeeze(u, 1).Shape())
	}
	sq.Set(-4, 1, 0, 0)
	check("write through Squeeze", x.At(1, 0, 0), -4)
	x.Set(val(1, 0, 0), 1, 0, 0)

	row := Slice(x, 0, 1, 2)   // [1,3,4]
	ex := Expand(row, 5, 3, 4) // every [i] is x[1]
	forEachIndex(ex.Shape(), func(idx []int) { check("Expand", ex.At(idx...), val(1, idx[1], idx[2])) })
	x.Set(-5, 1, 2, 0)
	check("Expand sees base writes", ex.At(4, 2, 0), -5)
	x.Set(val(1, 2, 0), 1, 2, 0)
	ex2 := Expand(Scalar[T](3), 2, 2)
	if !slices.Equal(ex2.Shape(), []int{2, 2}) || ex2.At(1, 1) != 3 {
		t.Errorf("Expand of a scalar: %v", ex2)
	}

	// Fill and CopyFrom on views touch only the view's elements.
	s.Fill(9)
	forEachIndex(x.Shape(), func(idx []int) {
		want := val(idx[0], idx[1], idx[2])
		if idx[1] == 1 && idx[2] >= 1 && idx[2] < 3 {
			want = 9
		}
		check("Fill through a view", x.At(idx...), want)
	})
	src := New[T](2, 1, 2)
	forEachIndex(src.Shape(), func(idx []int) { src.Set(T(-offsetIn([]int{2, 1, 2}, idx)-1), idx...) })
	s.CopyFrom(src)
	forEachIndex(s.Shape(), func(idx []int) { check("CopyFrom into a view", x.At(idx[2], 1, idx[0]+1), src.At(idx...)) })
	forEachIndex(x.Shape(), func(idx []int) { x.Set(val(idx[0], idx[1], idx[2]), idx...) })

	// Clone shares nothing, either way.
	c := tr.Clone()
	if !c.IsContiguous() {
		t.Errorf("Clone is not contiguous")
	}
	c.Set(-6, 0, 0, 0)
	check("Clone write leaks to base", x.At(0, 0, 0), 0)
	x.Set(-7, 0, 0, 1)
	check("base write leaks to Clone", c.At(1, 0, 0), 1)
	x.Set(1, 0, 0, 1)

	// Data: the storage itself when contiguous, a copy otherwise.
	x.Data()[5] = -8
	check("write through contiguous Data", x.At(0, 1, 1), -8)
	x.Set(5, 0, 1, 1)
	tr.Data()[0] = -9
	check("write to non-contiguous Data copy", x.At(0, 0, 0), 0)
	sd := Slice(x, 0, 1, 2).Data() // contiguous with an offset: a window on the storage
	if len(sd) != 12 || sd[0] != 12 {
		t.Errorf("Data of a contiguous slice: len %d first %v", len(sd), sd[0])
	}
	if x.Contiguous() != x || tr.Contiguous() == tr {
		t.Errorf("Contiguous: copied a contiguous tensor or returned a view as is")
	}

	// Reshape copies a non-contiguous tensor; the result is in tr's row-major order.
	r := Reshape(tr, 6, -1)
	if !slices.Equal(r.Shape(), []int{6, 4}) {
		t.Fatalf("Reshape(-1) shape %v", r.Shape())
	}
	i := 0
	forEachIndex(tr.Shape(), func(idx []int) {
		check("Reshape of a view", r.At(i/4, i%4), tr.At(idx...))
		i++
	})
	r.Set(-10, 0, 0)
	check("Reshape copy leaks to base", x.At(0, 0, 0), 0)
	if sc := Reshape(Ones[T](1, 1)); sc.Dims() != 0 || sc.Item() != 1 {
		t.Errorf("Reshape to a scalar: dims %d", sc.Dims())
	}
}

func TestString(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{FromSlice([]float64{1, 2, 3, 4.5, 5, 6}, 2, 3).String(), "[[1 2 3] [4.5 5 6]] shape=[2 3]"},
		{Transpose(FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3), 0, 1).String(), "[[1 4] [2 5] [3 6]] shape=[3 2]"},
		{Scalar(2.5).String(), "2.5"},
		{Arange[float64](0, 1, 10).String(), "[0 1 2 … 7 8 9] shape=[10]"},
		{New[float64](0).String(), "[] shape=[0]"},
		{Scalar(1 / 3.0).String(), "0.3333333333333333"},
		{FromSlice([]float64{1.0 / 3}, 1).String(), "[0.333333] shape=[1]"},
	} {
		if c.got != c.want {
			t.Errorf("String = %q, want %q", c.got, c.want)
		}
	}
}

// opCase is one operation on a tensor x of shape [3,4,5] (and, where needed,
// a second contiguous operand), for the view-equivalence tests.
type opCase[T Float] struct {
	name string
	f    func(x *Tensor[T]) *Tensor[T]
	view bool // the documented result is a view of x (skip the fresh-copy checks)
}

func opCases[T Float]() []opCase[T] {
	rng := newRNG(7)
	w := build[T](randArr[T](rng, []int{5, 2}, quarters), contiguous)
	row := build[T](randArr[T](rng, []int{5}, quarters), contiguous)
	col := build[T](randArr[T](rng, []int{3, 1, 1}, quarters), contiguous)
	cond := build[T](randArr[T](rng, []int{4, 5}, quarters), contiguous)
	idx := []int{2, 0, 2}
	along := []int{0, 3, 1, 2, 2, 0, 1, 1, 3, 0, 0, 2, 1, 3, 3}
	return []opCase[T]{
		{"Add(x,x)", func(x *Tensor[T]) *Tensor[T] { return Add(x, x) }, false},
		{"Sub(x,row)", func(x *Tensor[T]) *Tensor[T] { return Sub(x, row) }, false},
		{"Mul(col,x)", func(x *Tensor[T]) *Tensor[T] { return Mul(col, x) }, false},
		{"Div(x,2)", func(x *Tensor[T]) *Tensor[T] { return Div(x, Scalar[T](2)) }, false},
		{"Maximum", func(x *Tensor[T]) *Tensor[T] { return Maximum(x, row) }, false},
		{"Where", func(x *Tensor[T]) *Tensor[T] { return Where(cond, x, Neg(x)) }, false},
		{"Neg", Neg[T], false},
		{"Scale", func(x *Tensor[T]) *Tensor[T] { return Scale(3, x) }, false},
		{"AddScalar", func(x *Tensor[T]) *Tensor[T] { return AddScalar(x, 1) }, false},
		{"PowScalar2", func(x *Tensor[T]) *Tensor[T] { return PowScalar(x, 2) }, false},
		{"PowScalar1", func(x *Tensor[T]) *Tensor[T] { return PowScalar(x, 1) }, false},
		{"Exp", Exp[T], false},
		{"Sigmoid", Sigmoid[T], false},
		{"GELU", GELU[T], false},
		{"ReLU", ReLU[T], false},
		{"Sum", func(x *Tensor[T]) *Tensor[T] { return Sum(x, false) }, false},
		{"Sum(1)", func(x *Tensor[T]) *Tensor[T] { return Sum(x, true, 1) }, false},
		{"Mean(0,2)", func(x *Tensor[T]) *Tensor[T] { return Mean(x, false, 0, 2) }, false},
		{"Max(-1)", func(x *Tensor[T]) *Tensor[T] { return Max(x, false, -1) }, false},
		{"Min", func(x *Tensor[T]) *Tensor[T] { return Min(x, true) }, false},
		{"LogSumExp(1)", func(x *Tensor[T]) *Tensor[T] { return LogSumExp(x, false, 1) }, false},
		{"Softmax(2)", func(x *Tensor[T]) *Tensor[T] { return Softmax(x, 2) }, false},
		{"LogSoftmax(0)", func(x *Tensor[T]) *Tensor[T] { return LogSoftmax(x, 0) }, false},
		{"SumTo", func(x *Tensor[T]) *Tensor[T] { return SumTo(x, 4, 1) }, false},
		{"MatMul(x,w)", func(x *Tensor[T]) *Tensor[T] { return MatMul(x, w) }, false},
		{"MatMul(xᵀ,x)", func(x *Tensor[T]) *Tensor[T] { return MatMul(Transpose(x, 1, 2), x) }, false},
		{"MatMul(x,row)", func(x *Tensor[T]) *Tensor[T] { return MatMul(x, row) }, false},
		{"IndexSelect", func(x *Tensor[T]) *Tensor[T] { return IndexSelect(x, 0, idx) }, false},
		{"TakeAlong", func(x *Tensor[T]) *Tensor[T] { return TakeAlong(x, 1, along) }, false},
		{"Concat", func(x *Tensor[T]) *Tensor[T] { return Concat(1, x, x) }, false},
		{"Stack", func(x *Tensor[T]) *Tensor[T] { return Stack(-1, x, x) }, false},
		{"Pad", func(x *Tensor[T]) *Tensor[T] { return Pad(x, 2, 1, 2) }, false},
		{"Clone", func(x *Tensor[T]) *Tensor[T] { return x.Clone() }, false},
		{"Convert", func(x *Tensor[T]) *Tensor[T] { return Convert[T](Convert[float64](x)) }, false},
		{"Reshape", func(x *Tensor[T]) *Tensor[T] { return Reshape(x, 5, -1) }, true},
		{"Transpose", func(x *Tensor[T]) *Tensor[T] { return Transpose(x, 0, 2) }, true},
		{"Slice", func(x *Tensor[T]) *Tensor[T] { return Slice(x, 1, 1, 3) }, true},
	}
}

// TestViewsMatchCopies runs every operation on non-contiguous views (transpose
// then slice, and the other layouts) and on contiguous copies of them: the
// results must agree, the inputs must be left alone, and results that are not
// documented as views must be fresh contiguous tensors.
func TestViewsMatchCopies(t *testing.T) {
	forBoth(t, testViewsMatchCopies[float32], testViewsMatchCopies[float64])
}

func testViewsMatchCopies[T Float](t *testing.T) {
	ref := randArr[T](newRNG(8), []int{3, 4, 5}, quarters)
	for l := contiguous; l < numLayouts; l++ {
		x := build[T](ref, l)
		if (l != contiguous && l != offset) == x.IsContiguous() {
			t.Fatalf("%v layout: IsContiguous() = %v", l, x.IsContiguous())
		}
		for _, c := range opCases[T]() {
			want := c.f(x.Clone())
			got := c.f(x)
			assertClose(t, l.String()+" "+c.name, got, toArr(want), tolOf[T]())
			assertClose(t, l.String()+" "+c.name+" leaves x alone", x, ref, 0)
			if c.view {
				continue
			}
			if !got.IsContiguous() {
				t.Errorf("%v %s: result is not contiguous", l, c.name)
			}
			got.Fill(-99)
			assertClose(t, l.String()+" "+c.name+" result shares storage with x", x, ref, 0)
		}
		if !slices.Equal(ArgMax(x, 1), ArgMax(x.Clone(), 1)) {
			t.Errorf("%v ArgMax differs from the copy's", l)
		}
		n1, f1 := CountNonFinite(x)
		n2, f2 := CountNonFinite(x.Clone())
		if n1 != n2 || f1 != f2 {
			t.Errorf("%v CountNonFinite %d,%d vs copy %d,%d", l, n1, f1, n2, f2)
		}
		if x.String() != x.Clone().String() {
			t.Errorf("%v String differs from the copy's", l)
		}
	}
}
