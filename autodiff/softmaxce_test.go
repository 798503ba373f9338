package autodiff_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// unfusedCE is the composition SoftmaxCrossEntropy stands for.
func unfusedCE[T Float](z *Var[T], labels []int) *Var[T] {
	return Neg(Mean(TakeAlong(LogSoftmax(z, 1), 1, labels), false))
}

func ceInputs[T Float](seed uint64, n, c int, shift float64) (*tensor.Tensor[T], []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	z := tensor.New[T](n, c)
	for i := range z.Data() {
		z.Data()[i] = T(rng.NormFloat64()*3 + shift)
	}
	labels := make([]int, n)
	for i := range labels {
		labels[i] = rng.IntN(c)
	}
	return z, labels
}

// TestSoftmaxCEMatchesUnfused compares the fused loss, its gradient and a
// Hessian-vector product through it with the unfused composition, in
// float32 and float64, at the MLP's shapes and wide ones, with logits
// around 0 and shifted by ±500 (where e^z alone would overflow or vanish).
func TestSoftmaxCEMatchesUnfused(t *testing.T) {
	t.Run("float64", ceMatches[float64])
	t.Run("float32", ceMatches[float32])
}

func ceMatches[T Float](t *testing.T) {
	// tolerances: a few ulps of the type, and of the logits' magnitude
	// when they are shifted (z − logsumexp(z) cancels to O(1), leaving the
	// rounding errors of numbers near 500, which the two forms make
	// differently: the fused one keeps the difference in float64)
	tol0 := 1e-13
	if _, ok := any(T(0)).(float32); ok {
		tol0 = 2e-6
	}
	for _, sh := range [][2]int{{1, 1}, {3, 4}, {64, 10}, {256, 10}, {5, 1000}, {17, 33}} {
		for _, shift := range []float64{0, 500, -500} {
			tol := tol0 * math.Max(1, math.Abs(shift))
			name := fmt.Sprintf("%dx%d shift %v", sh[0], sh[1], shift)
			z, labels := ceInputs[T](uint64(sh[0]*1000+sh[1]), sh[0], sh[1], shift)
			zf, zu := Param(z.Clone()), Param(z.Clone())
			lf, lu := SoftmaxCrossEntropy(zf, labels), unfusedCE(zu, labels)
			if d := math.Abs(float64(lf.Item() - lu.Item())); d > tol*math.Max(1, math.Abs(float64(lu.Item()))) {
				t.Errorf("%s: loss %v, unfused %v", name, lf.Item(), lu.Item())
			}
			if err := lf.Backward(); err != nil {
				t.Fatal(err)
			}
			if err := lu.Backward(); err != nil {
				t.Fatal(err)
			}
			closeAll(t, name+" gradient", zf.Grad().Data(), zu.Grad().Data(), tol/float64(sh[0]))
			if sh[0]*sh[1] > 2000 {
				continue
			}
			v, _ := ceInputs[T](7, sh[0], sh[1], 0)
			hf, err := HVP(func(x *Var[T]) *Var[T] { return SoftmaxCrossEntropy(x, labels) }, z, v)
			if err != nil {
				t.Fatal(err)
			}
			hu, err := HVP(func(x *Var[T]) *Var[T] { return unfusedCE(x, labels) }, z, v)
			if err != nil {
				t.Fatal(err)
			}
			closeAll(t, name+" Hessian-vector product", hf.Data(), hu.Data(), 10*tol/float64(sh[0]))
		}
	}
}

func closeAll[T Float](t *testing.T, what string, got, want []T, tol float64) {
	t.Helper()
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); !(d <= tol*math.Max(1, math.Abs(float64(want[i])))) {
			t.Fatalf("%s: element %d is %v, unfused %v (tolerance %g)", what, i, got[i], want[i], tol)
		}
	}
}

// TestSoftmaxCEGradCheck checks the fused loss's gradient against central
// differences in float64 (GradCheck), at the MLP's 10 classes.
func TestSoftmaxCEGradCheck(t *testing.T) {
	z, labels := ceInputs[float64](11, 8, 10, 0)
	res, err := GradCheck(func(x *Var[float64]) *Var[float64] { return SoftmaxCrossEntropy(x, labels) }, z, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pass {
		t.Fatalf("gradient check failed: %+v", res)
	}
}

// TestSoftmaxCESecondDerivative: the Hessian of the mean cross-entropy of
// one row is (diag(s) − s·sᵀ), s = softmax(z), whatever the label.
func TestSoftmaxCESecondDerivative(t *testing.T) {
	z := tensor.FromSlice([]float64{0.5, -1, 2, 0}, 1, 4)
	h, err := Hessian(func(x *Var[float64]) *Var[float64] { return SoftmaxCrossEntropy(x, []int{1}) }, z)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	s := make([]float64, 4)
	for i, v := range z.Data() {
		s[i] = math.Exp(v)
		sum += s[i]
	}
	for i := range s {
		s[i] /= sum
	}
	for i := range 4 {
		for j := range 4 {
			want := -s[i] * s[j]
			if i == j {
				want += s[i]
			}
			if got := h.Data()[i*4+j]; math.Abs(got-want) > 1e-15 {
				t.Errorf("H[%d,%d] = %v, want %v", i, j, got, want)
			}
		}
	}
}
