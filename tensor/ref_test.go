package tensor

// The naive reference the tests compare against: a logical shape with its
// row-major values in float64, and plain index-arithmetic loops for every
// operation. Nothing here calls the code under test except build (which
// stores a reference array into a tensor of a chosen layout) and toArr (which
// reads a tensor back element by element through At).

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// arr is a reference array: a shape and its values in row-major order.
type arr struct {
	shape []int
	data  []float64
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// offsetIn is the row-major flat offset of the multi-index idx in shape.
func offsetIn(shape, idx []int) int {
	off := 0
	for i, d := range shape {
		off = off*d + idx[i]
	}
	return off
}

// forEachIndex calls f with every multi-index of shape in row-major order
// (once with an empty index for a scalar). f must not keep idx.
func forEachIndex(shape []int, f func(idx []int)) {
	if numel(shape) == 0 {
		return
	}
	idx := make([]int, len(shape))
	for {
		f(idx)
		d := len(shape) - 1
		for ; d >= 0; d-- {
			idx[d]++
			if idx[d] < shape[d] {
				break
			}
			idx[d] = 0
		}
		if d < 0 {
			return
		}
	}
}

func newArr(shape ...int) arr {
	return arr{shape: slices.Clone(shape), data: make([]float64, numel(shape))}
}

func (a arr) at(idx []int) float64 { return a.data[offsetIn(a.shape, idx)] }

// sameDims compares shapes, treating nil and empty as equal.
func sameDims(a, b []int) bool { return len(a) == len(b) && (len(a) == 0 || slices.Equal(a, b)) }

func reversed(s []int) []int {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}

// isFloat32 reports whether T is float32 (the tests use only the two basic types).
func isFloat32[T Float]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

// tolOf is the relative tolerance for results of a few roundings in T.
func tolOf[T Float]() float64 {
	if isFloat32[T]() {
		return 1e-5
	}
	return 1e-12
}

// forBoth runs the float32 and float64 instantiations of a generic test.
func forBoth(t *testing.T, f32, f64 func(*testing.T)) {
	t.Helper()
	t.Run("float32", f32)
	t.Run("float64", f64)
}

func newRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)) }

// quarters draws a multiple of 1/4 in [-2, 2]: sums and products of a few are
// exact in float32, so most results must match the reference exactly.
func quarters(rng *rand.Rand) float64 { return float64(rng.IntN(17)-8) / 4 }

// uniform draws from [-4, 4).
func uniform(rng *rand.Rand) float64 { return 8*rng.Float64() - 4 }

// randArr fills shape with gen's values rounded to T, so the reference sees
// exactly the numbers the tensor holds.
func randArr[T Float](rng *rand.Rand, shape []int, gen func(*rand.Rand) float64) arr {
	a := newArr(shape...)
	for i := range a.data {
		a.data[i] = float64(T(gen(rng)))
	}
	return a
}

// randShape returns a shape of rank in [0, maxRank] with dims in [lo, hi].
func randShape(rng *rand.Rand, maxRank, lo, hi int) []int {
	s := make([]int, rng.IntN(maxRank+1))
	for i := range s {
		s[i] = lo + rng.IntN(hi-lo+1)
	}
	return s
}

// weaken returns a shape that broadcasts to out: some leading axes dropped and
// some sizes replaced by 1.
func weaken(rng *rand.Rand, out []int) []int {
	s := slices.Clone(out[rng.IntN(len(out)+1):])
	for i := range s {
		if rng.IntN(3) == 0 {
			s[i] = 1
		}
	}
	return s
}

// layout is how build stores a reference array in a tensor.
type layout int

const (
	contiguous layout = iota // FromSlice of the row-major values
	permuted                 // storage with all axes reversed, viewed through Permute
	swapped                  // storage with the last two axes swapped, viewed through Transpose
	sliced                   // permuted storage padded with NaN on every side, then Sliced back
	offset                   // contiguous, but at an offset inside NaN-padded storage (a Slice of a bigger vector)
	numLayouts
)

func (l layout) String() string {
	return [...]string{"contiguous", "permuted", "swapped", "sliced", "offset", "scalar view"}[l]
}

// build returns a tensor of T holding a's values, stored in layout l.
func build[T Float](a arr, l layout) *Tensor[T] {
	nd := len(a.shape)
	nan := T(math.NaN())
	switch {
	case l == contiguous:
		d := make([]T, len(a.data))
		for i, v := range a.data {
			d[i] = T(v)
		}
		return FromSlice(d, a.shape...)
	case l == swapped && nd >= 2:
		st := slices.Clone(a.shape)
		st[nd-1], st[nd-2] = st[nd-2], st[nd-1]
		base := Full(nan, st...)
		forEachIndex(a.shape, func(idx []int) {
			j := slices.Clone(idx)
			j[nd-1], j[nd-2] = j[nd-2], j[nd-1]
			base.Set(T(a.at(idx)), j...)
		})
		return Transpose(base, -1, -2)
	case l == swapped:
		return build[T](a, contiguous)
	case l == offset:
		n := len(a.data)
		base := Full(nan, n+5)
		for i, v := range a.data {
			base.Set(T(v), i+2)
		}
		return Reshape(Slice(base, 0, 2, 2+n), a.shape...)
	}
	pad := 0
	if l == sliced {
		pad = 1
	}
	st := reversed(a.shape)
	for i := range st {
		st[i] += 2 * pad
	}
	base := Full(nan, st...)
	forEachIndex(a.shape, func(idx []int) {
		j := reversed(idx)
		for i := range j {
			j[i] += pad
		}
		base.Set(T(a.at(idx)), j...)
	})
	v := Permute(base)
	for ax := 0; ax < nd && pad > 0; ax++ {
		v = Slice(v, ax, pad, pad+a.shape[ax])
	}
	return v
}

// toArr reads t's logical values element by element through At.
func toArr[T Float](t *Tensor[T]) arr {
	a := newArr(t.Shape()...)
	i := 0
	forEachIndex(a.shape, func(idx []int) { a.data[i] = float64(t.At(idx...)); i++ })
	return a
}

// closeTo compares with a relative tolerance (absolute below 1); NaNs match
// NaNs and infinities must be equal.
func closeTo(got, want, tol float64) bool {
	switch {
	case math.IsNaN(want) || math.IsNaN(got):
		return math.IsNaN(want) && math.IsNaN(got)
	case math.IsInf(want, 0) || math.IsInf(got, 0):
		return got == want
	}
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// assertClose checks got's shape and values against want, reading got both
// through At and through Data (which must agree exactly).
func assertClose[T Float](t *testing.T, what string, got *Tensor[T], want arr, tol float64) {
	t.Helper()
	if !sameDims(got.Shape(), want.shape) {
		t.Fatalf("%s: shape %v, want %v", what, got.Shape(), want.shape)
	}
	if got.Size() != len(want.data) || got.Dims() != len(want.shape) {
		t.Fatalf("%s: Size %d Dims %d, want %d and %d", what, got.Size(), got.Dims(), len(want.data), len(want.shape))
	}
	g := toArr(got)
	d := got.Data()
	if len(d) != len(want.data) {
		t.Fatalf("%s: Data has %d elements, want %d", what, len(d), len(want.data))
	}
	for i, w := range want.data {
		if !closeTo(g.data[i], w, tol) {
			idx := make([]int, len(want.shape))
			for k, r := len(want.shape)-1, i; k >= 0; k-- {
				idx[k], r = r%want.shape[k], r/want.shape[k]
			}
			t.Fatalf("%s: element %v = %v, want %v (shape %v)", what, idx, g.data[i], w, want.shape)
		}
		if dv := float64(d[i]); dv != g.data[i] && !(math.IsNaN(dv) && math.IsNaN(g.data[i])) {
			t.Fatalf("%s: Data()[%d] = %v but At gives %v", what, i, dv, g.data[i])
		}
	}
}

// catchPanic runs f and sorts its panic, if any, into a *ShapeError or
// anything else (with the stack of the panic).
func catchPanic(f func()) (se *ShapeError, other any, stack string) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*ShapeError); ok {
				se = e
				return
			}
			other, stack = r, string(debug.Stack())
		}
	}()
	f()
	return nil, nil, ""
}

// expectShapeError checks that f panics with a *ShapeError for op whose
// Shapes are want and whose message names the op and every one of them.
func expectShapeError(t *testing.T, op string, want [][]int, f func()) {
	t.Helper()
	se, other, stack := catchPanic(f)
	switch {
	case other != nil:
		t.Errorf("%s: panicked with %T %v, want a *ShapeError\n%s", op, other, other, stack)
		return
	case se == nil:
		t.Errorf("%s: did not panic, want a *ShapeError", op)
		return
	}
	msg := se.Error()
	if se.Op != op || !strings.HasPrefix(msg, "tensor."+op+":") {
		t.Errorf("%s: ShapeError names op %q: %s", op, se.Op, msg)
	}
	if se.Msg == "" {
		t.Errorf("%s: ShapeError has no message", op)
	}
	if len(se.Shapes) != len(want) {
		t.Errorf("%s: ShapeError shapes %v, want %v (%s)", op, se.Shapes, want, msg)
		return
	}
	for i, s := range want {
		if !sameDims(se.Shapes[i], s) {
			t.Errorf("%s: ShapeError shape %d is %v, want %v (%s)", op, i, se.Shapes[i], s, msg)
		}
		if !strings.Contains(msg, fmt.Sprint(s)) {
			t.Errorf("%s: message %q does not show shape %v", op, msg, s)
		}
	}
}

// ---- reference operations ----

// refBroadcastShape is NumPy broadcasting of two shapes.
func refBroadcastShape(a, b []int) ([]int, bool) {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := range n {
		da, db := 1, 1
		if j := i - (n - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (n - len(b)); j >= 0 {
			db = b[j]
		}
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			return nil, false
		}
	}
	return out, true
}

// bcIndex maps an index of a broadcast result onto an operand of shape s
// (aligned at the right, coordinate 0 along size-1 axes).
func bcIndex(s, outIdx []int) []int {
	idx := make([]int, len(s))
	k := len(outIdx) - len(s)
	for i, d := range s {
		if d != 1 {
			idx[i] = outIdx[k+i]
		}
	}
	return idx
}

func refMap(a arr, f func(float64) float64) arr {
	out := newArr(a.shape...)
	for i, x := range a.data {
		out.data[i] = f(x)
	}
	return out
}

// refZip applies f elementwise to the broadcast of a and b.
func refZip(a, b arr, f func(x, y float64) float64) (arr, bool) {
	shape, ok := refBroadcastShape(a.shape, b.shape)
	if !ok {
		return arr{}, false
	}
	out := newArr(shape...)
	i := 0
	forEachIndex(shape, func(idx []int) {
		out.data[i] = f(a.at(bcIndex(a.shape, idx)), b.at(bcIndex(b.shape, idx)))
		i++
	})
	return out, true
}

// refReduce gathers, for every output position, the values of a over the
// axes marked in red, and folds each group with g. The output keeps reduced
// axes as size 1 when keep is set.
func refReduce(a arr, red []bool, keep bool, g func(vals []float64) float64) arr {
	var shape []int
	for i, d := range a.shape {
		switch {
		case !red[i]:
			shape = append(shape, d)
		case keep:
			shape = append(shape, 1)
		}
	}
	groups := make([][]float64, numel(shape))
	forEachIndex(a.shape, func(idx []int) {
		var o []int
		for i, x := range idx {
			switch {
			case !red[i]:
				o = append(o, x)
			case keep:
				o = append(o, 0)
			}
		}
		k := offsetIn(shape, o)
		groups[k] = append(groups[k], a.at(idx))
	})
	out := newArr(shape...)
	for i, vals := range groups {
		out.data[i] = g(vals)
	}
	return out
}

func refSum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func refMean(v []float64) float64 { return refSum(v) / float64(len(v)) }

func refMax(v []float64) float64 { return slices.Max(v) }

func refMin(v []float64) float64 { return slices.Min(v) }

// refLogSumExp is the textbook log Σ eˣ (fine for the moderate test inputs).
func refLogSumExp(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += math.Exp(x)
	}
	return math.Log(s)
}

// refArgMax is the first index of the largest value.
func refArgMax(v []float64) float64 {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return float64(best)
}

// refSumTo sums a over the axes along which shape was broadcast to a.shape.
func refSumTo(a arr, shape []int) arr {
	out := newArr(shape...)
	forEachIndex(a.shape, func(idx []int) {
		out.data[offsetIn(shape, bcIndex(shape, idx))] += a.at(idx)
	})
	return out
}

// refMatMul is the NumPy matmul by a triple loop per batch element.
func refMatMul(a, b arr) (arr, bool) {
	if len(a.shape) == 0 || len(b.shape) == 0 {
		return arr{}, false
	}
	as, bs := a.shape, b.shape
	if len(as) == 1 {
		as = []int{1, as[0]}
	}
	if len(bs) == 1 {
		bs = []int{bs[0], 1}
	}
	na, nb := len(as), len(bs)
	m, k, k2, n := as[na-2], as[na-1], bs[nb-2], bs[nb-1]
	if k != k2 {
		return arr{}, false
	}
	batch, ok := refBroadcastShape(as[:na-2], bs[:nb-2])
	if !ok {
		return arr{}, false
	}
	full := append(slices.Clone(batch), m, n)
	out := newArr(full...)
	nbd := len(batch)
	i := 0
	forEachIndex(full, func(idx []int) {
		bi, r, c := idx[:nbd], idx[nbd], idx[nbd+1]
		ai, bj := bcIndex(as[:na-2], bi), bcIndex(bs[:nb-2], bi)
		s := 0.0
		for p := range k {
			var x, y float64
			if len(a.shape) == 1 {
				x = a.at([]int{p})
			} else {
				x = a.at(append(slices.Clone(ai), r, p))
			}
			if len(b.shape) == 1 {
				y = b.at([]int{p})
			} else {
				y = b.at(append(slices.Clone(bj), p, c))
			}
			s += x * y
		}
		out.data[i] = s
		i++
	})
	shape := slices.Clone(batch)
	if len(a.shape) > 1 {
		shape = append(shape, m)
	}
	if len(b.shape) > 1 {
		shape = append(shape, n)
	}
	out.shape = shape
	return out, true
}

// refSoftmax is eˣ / Σ eˣ (or x − log Σ eˣ) along axis, by the textbook formula.
func refSoftmax(a arr, axis int, log bool) arr {
	out := newArr(a.shape...)
	i := 0
	forEachIndex(a.shape, func(idx []int) {
		j := slices.Clone(idx)
		s := 0.0
		for p := range a.shape[axis] {
			j[axis] = p
			s += math.Exp(a.at(j))
		}
		if log {
			out.data[i] = a.at(idx) - math.Log(s)
		} else {
			out.data[i] = math.Exp(a.at(idx)) / s
		}
		i++
	})
	return out
}

// refGather builds an array of shape whose element at idx is src(idx).
func refGather(shape []int, src func(idx []int) float64) arr {
	out := newArr(shape...)
	i := 0
	forEachIndex(shape, func(idx []int) { out.data[i] = src(idx); i++ })
	return out
}

// withAxis returns a copy of idx with coordinate axis set to v.
func withAxis(idx []int, axis, v int) []int {
	j := slices.Clone(idx)
	j[axis] = v
	return j
}

func refConcat(axis int, as ...arr) arr {
	shape := slices.Clone(as[0].shape)
	shape[axis] = 0
	for _, a := range as {
		shape[axis] += a.shape[axis]
	}
	return refGather(shape, func(idx []int) float64 {
		p := idx[axis]
		for _, a := range as {
			if p < a.shape[axis] {
				return a.at(withAxis(idx, axis, p))
			}
			p -= a.shape[axis]
		}
		panic("unreachable")
	})
}

func refStack(axis int, as ...arr) arr {
	shape := slices.Insert(slices.Clone(as[0].shape), axis, len(as))
	return refGather(shape, func(idx []int) float64 {
		rest := slices.Delete(slices.Clone(idx), axis, axis+1)
		return as[idx[axis]].at(rest)
	})
}

func refPad(a arr, axis, before, after int) arr {
	shape := slices.Clone(a.shape)
	shape[axis] += before + after
	return refGather(shape, func(idx []int) float64 {
		p := idx[axis] - before
		if p < 0 || p >= a.shape[axis] {
			return 0
		}
		return a.at(withAxis(idx, axis, p))
	})
}

// refReshapeOK reports whether target is a valid Reshape of size elements
// (at most one −1, inferred from a non-zero product of the others) and
// returns it with the −1 filled in.
func refReshapeOK(size int, target []int) ([]int, bool) {
	out := slices.Clone(target)
	infer, known := -1, 1
	for i, d := range target {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			return nil, false
		default:
			known *= d
		}
	}
	if infer < 0 {
		return out, known == size
	}
	if known == 0 || size%known != 0 {
		return nil, false
	}
	out[infer] = size / known
	return out, true
}
