package tensor

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// ulpDiff returns |got − want| in ulps of T at want (NaN-ness and infinities
// must match exactly: then 0, else +Inf).
func ulpDiff[T Float](got, want T) float64 {
	g, w := float64(got), float64(want)
	switch {
	case g == w || g != g && w != w:
		return 0
	case g != g || w != w || math.IsInf(g, 0) || math.IsInf(w, 0):
		return math.Inf(1)
	}
	var next float64
	if _, ok := any(want).(float32); ok {
		next = float64(math.Nextafter32(float32(math.Abs(w)), float32(math.Inf(1))))
	} else {
		next = math.Nextafter(math.Abs(w), math.Inf(1))
	}
	return math.Abs(g-w) / (next - math.Abs(w))
}

// TestExpFastPath compares Exp and Log of float32 and float64 tensors
// (vec.Exp, vec.Log) with the plain math.Exp and math.Log of a named element
// type: within the 1 ulp (float32) and 2 ulp (float64 Exp) that vec.Exp
// and vec.Log document, on contiguous, strided and broadcast tensors with
// specials mixed in.
func TestExpFastPath(t *testing.T) {
	t.Run("float32", expFastPath[float32, f32])
	t.Run("float64", expFastPath[float64, f64])
}

func expFastPath[T, N Float](t *testing.T) {
	bound := 2.0
	if _, ok := any(T(0)).(float32); ok {
		bound = 1
	}
	rng := rand.New(rand.NewPCG(4, 5))
	for _, n := range []int{1, 7, 16, 33, 1000} {
		x := fastValues[T](rng, 2*n)
		for i := range x {
			if rng.IntN(3) == 0 {
				x[i] *= 40 // reach overflow and underflow
			}
		}
		a, p := FromSlice(x, 2, n), FromSlice(named[N](x), 2, n)
		for _, c := range []struct {
			name string
			a    *Tensor[T]
			p    *Tensor[N]
		}{
			{"contiguous", a, p},
			{"transposed", Transpose(a, 0, 1), Transpose(p, 0, 1)},
			{"broadcast", Expand(Scalar(x[0]), 3, n), Expand(Scalar(N(x[0])), 3, n)},
		} {
			got, want := Exp(c.a).Data(), Exp(c.p).Data()
			for i := range want {
				if u := ulpDiff(got[i], T(want[i])); u > bound {
					t.Fatalf("%s n=%d: e^%v = %v, math.Exp gives %v (%.1f ulp)", c.name, n, c.a.Data()[i], got[i], want[i], u)
				}
			}
			got, want = Log(c.a).Data(), Log(c.p).Data()
			for i := range want {
				if x := float64(c.a.Data()[i]); x > 0 && x < 0x1p-1022 {
					continue // math.Log is wrong for subnormal float64s on amd64 (see vec.Log)
				}
				if u := ulpDiff(got[i], T(want[i])); u > 1 {
					t.Fatalf("%s n=%d: log %v = %v, math.Log gives %v (%.1f ulp)", c.name, n, c.a.Data()[i], got[i], want[i], u)
				}
			}
		}
	}
}

// TestSoftmaxRowsMatchPlain compares the row-wise kernels (softmax.go) with
// the plain compositions a named element type takes, on shapes that make
// one block, several blocks and a partial one, with logits shifted far
// from 0 and rows with −Inf.
func TestSoftmaxRowsMatchPlain(t *testing.T) {
	t.Run("float32", softmaxRowsMatch[float32, f32])
	t.Run("float64", softmaxRowsMatch[float64, f64])
}

func softmaxRowsMatch[T, N Float](t *testing.T) {
	// a few ulps: vec.Exp's error, a sum in another order, e·(1/s) for e/s
	tol := 1e-14
	if _, ok := any(T(0)).(float32); ok {
		tol = 1e-6
	}
	rng := rand.New(rand.NewPCG(6, 7))
	for _, sh := range [][]int{{1}, {5}, {3, 1}, {4, 10}, {130, 10}, {3, 1000}, {2, 3, 17}} {
		for _, shift := range []float64{0, 300} {
			a := RandN[T](rng, sh...)
			for i := range a.Data() {
				a.Data()[i] = a.Data()[i]*3 + T(shift)
			}
			if sh[len(sh)-1] > 1 && len(sh) > 1 {
				a.Data()[0] = T(math.Inf(-1)) // one −Inf logit
			}
			p := FromSlice(named[N](a.Data()), sh...)
			name := fmt.Sprintf("%v shift %v", sh, shift)
			last := len(sh) - 1
			check := func(op string, got *Tensor[T], want *Tensor[N], scale float64) {
				t.Helper()
				if fmt.Sprint(got.Shape()) != fmt.Sprint(want.Shape()) {
					t.Fatalf("%s %s: shape %v, want %v", op, name, got.Shape(), want.Shape())
				}
				g, w := got.Data(), want.Data()
				for i := range w {
					d := math.Abs(float64(g[i]) - float64(w[i]))
					if !(d <= tol*scale*math.Max(1, math.Abs(float64(w[i])))) && !(math.IsInf(float64(w[i]), -1) && math.IsInf(float64(g[i]), -1)) {
						t.Fatalf("%s %s: element %d is %v, plain %v", op, name, i, g[i], w[i])
					}
				}
			}
			// log-softmax and log-sum-exp are differences of numbers of the
			// logits' size: their rounding errors scale with it
			mag := 1 + shift
			check("Softmax", Softmax(a, last), Softmax(p, last), 1)
			check("Softmax(-1)", Softmax(a, -1), Softmax(p, -1), 1)
			check("LogSoftmax", LogSoftmax(a, last), LogSoftmax(p, last), mag)
			check("LogSumExp", LogSumExp(a, false, last), LogSumExp(p, false, last), mag)
			check("LogSumExp keep", LogSumExp(a, true, -1), LogSumExp(p, true, -1), mag)
			if len(sh) == 1 {
				check("LogSumExp all", LogSumExp(a, false), LogSumExp(p, false), mag)
			}
		}
	}
	// A row of −Inf: log-sum-exp −Inf, log-softmax and softmax NaN, as plain.
	a := FromSlice([]T{T(math.Inf(-1)), T(math.Inf(-1)), 1, 2}, 2, 2)
	if l := LogSumExp(a, false, 1).Data(); !math.IsInf(float64(l[0]), -1) || math.Abs(float64(l[1])-(2+math.Log1p(math.Exp(-1)))) > tol*3 {
		t.Errorf("LogSumExp of [[−Inf −Inf] [1 2]] = %v", l)
	}
	if s := Softmax(a, 1).Data(); s[0] == s[0] || s[1] == s[1] {
		t.Errorf("Softmax of a row of −Inf = %v, want NaN as the plain form", s[:2])
	}
	// A NaN makes its row NaN (vec.Max skips it; x − max brings it back).
	for _, n := range []int{3, 40} {
		x := make([]T, 2*n)
		x[n+1] = T(math.NaN())
		a := FromSlice(x, 2, n)
		s, ls, l := Softmax(a, 1).Data(), LogSoftmax(a, 1).Data(), LogSumExp(a, false, 1).Data()
		for j := range n {
			if s[j] != s[j] || ls[j] != ls[j] || s[n+j] == s[n+j] || ls[n+j] == ls[n+j] {
				t.Fatalf("n=%d: softmax %v and log-softmax %v of rows [0…] and [0 NaN 0…]: want the second NaN", n, s, ls)
			}
		}
		if l[0] != l[0] || l[1] == l[1] {
			t.Errorf("LogSumExp of rows [0…] and [0 NaN 0…] = %v", l)
		}
		if ce := SoftmaxCrossEntropy(a, []int{0, 0}); ce == ce {
			t.Errorf("SoftmaxCrossEntropy with a NaN logit = %v", ce)
		}
	}
}

// TestSoftmaxCrossEntropy checks the fused loss and its gradient against
// their definitions built from the plain operations, for float32, float64
// and a named type (whose loops use math.Exp).
func TestSoftmaxCrossEntropy(t *testing.T) {
	t.Run("float32", softmaxCE[float32])
	t.Run("float64", softmaxCE[float64])
	t.Run("named", softmaxCE[f64])
}

func softmaxCE[T Float](t *testing.T) {
	tol := 1e-14
	if _, ok := any(T(0)).(float32); ok {
		tol = 2e-6
	}
	rng := rand.New(rand.NewPCG(8, 9))
	for _, sh := range [][2]int{{1, 1}, {1, 5}, {64, 10}, {130, 10}, {3, 1000}} {
		z := RandN[T](rng, sh[0], sh[1])
		for i := range z.Data() {
			z.Data()[i] *= 3
		}
		labels := make([]int, sh[0])
		for i := range labels {
			labels[i] = rng.IntN(sh[1])
		}
		// the definitions, in float64 with math.Exp
		var want float64
		grad := make([]float64, sh[0]*sh[1])
		const scale = 0.25
		for i := range sh[0] {
			row := z.Data()[i*sh[1] : (i+1)*sh[1]]
			var s float64
			for _, v := range row {
				s += math.Exp(float64(v))
			}
			want += math.Log(s) - float64(row[labels[i]])
			for j, v := range row {
				grad[i*sh[1]+j] = scale * math.Exp(float64(v)) / s
			}
			grad[i*sh[1]+labels[i]] -= scale
		}
		want /= float64(sh[0])
		if got := SoftmaxCrossEntropy(z, labels); math.Abs(float64(got)-want) > tol*math.Max(1, want) {
			t.Errorf("%v: loss %v, want %v", sh, got, want)
		}
		g := SoftmaxCrossEntropyGrad(z, labels, scale).Data()
		for i := range grad {
			if d := math.Abs(float64(g[i]) - grad[i]); d > tol*math.Max(scale, math.Abs(grad[i])) {
				t.Fatalf("%v: gradient element %d is %v, want %v", sh, i, g[i], grad[i])
			}
		}
	}
	for _, bad := range []func(){
		func() { SoftmaxCrossEntropy(New[T](2, 3), []int{0}) },
		func() { SoftmaxCrossEntropy(New[T](2, 3), []int{0, 3}) },
		func() { SoftmaxCrossEntropyGrad(New[T](2, 0), []int{0, 0}, 1) },
		func() { SoftmaxCrossEntropyGrad(New[T](6), []int{0}, 1) },
	} {
		func() {
			defer func() {
				if _, ok := recover().(*ShapeError); !ok {
					t.Error("a bad shape or label did not panic with a *ShapeError")
				}
			}()
			bad()
		}()
	}
}
