package nn

import (
	"math"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// checkLoss grad-checks loss(output, target) with respect to the output.
func checkLoss(t *testing.T, name string, loss Loss[float64], out, target *tensor.Tensor[float64]) {
	t.Helper()
	tg := autodiff.Const(target)
	r, err := autodiff.GradCheck(func(z *V) *V { return loss(z, tg) }, out, nil)
	requirePass(t, name, r, err)
}

func TestMSE(t *testing.T) {
	rng := newRng(20)
	p, y := tensor.RandN[float64](rng, 5, 2), tensor.RandN[float64](rng, 5, 2)
	var want float64
	for i, v := range p.Data() {
		want += (v - y.Data()[i]) * (v - y.Data()[i])
	}
	want /= 10
	if got := MSE(autodiff.Const(p), autodiff.Const(y)).Item(); !close(got, want, 1e-14) {
		t.Errorf("MSE = %g, want %g", got, want)
	}
	checkLoss(t, "MSE", MSE[float64], p, y)
}

func TestMismatchedShapesPanic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MSE of [4,1] and [4] did not panic")
		}
	}()
	MSE(autodiff.Const(tensor.Zeros[float64](4, 1)), autodiff.Const(tensor.Zeros[float64](4)))
}

func TestBCEWithLogits(t *testing.T) {
	rng := newRng(21)
	z := randAway(rng, 0.01, 4, 6, 1)
	y := tensor.FromSlice([]float64{0, 1, 1, 0, 0.3, 1}, 6, 1)
	var want float64
	for i, zi := range z.Data() {
		s := 1 / (1 + math.Exp(-zi))
		yi := y.Data()[i]
		want += -yi*math.Log(s) - (1-yi)*math.Log(1-s)
	}
	want /= 6
	if got := BCEWithLogits(autodiff.Const(z), autodiff.Const(y)).Item(); !close(got, want, 1e-13) {
		t.Errorf("BCE = %g, want %g", got, want)
	}
	checkLoss(t, "BCEWithLogits", BCEWithLogits[float64], z, y)
	// Stability at z = ±800: naive log σ(z) overflows, the loss must not.
	zs := autodiff.Param(tensor.FromSlice([]float64{800, -800, 800, -800}, 4))
	ys := autodiff.Const(tensor.FromSlice([]float64{1, 0, 0, 1}, 4))
	l := BCEWithLogits(zs, ys)
	// Exact per element: 0, 0, 800, 800 (+ log(1+e^−800) = 0 in float64).
	if got := l.Item(); got != 400 {
		t.Errorf("BCE at ±800 = %g, want 400", got)
	}
	if err := l.Backward(); err != nil {
		t.Fatal(err)
	}
	// ∂/∂z = (σ(z) − y)/n = 0, 0, 1/4, −1/4.
	checkClose(t, "BCE grad at ±800", zs.Grad().Data(), []float64{0, 0, 0.25, -0.25}, 1e-15)
	// At z = 0 the gradient is σ(0) − y exactly (no kink).
	z0 := autodiff.Param(tensor.Zeros[float64](2))
	if err := BCEWithLogits(z0, autodiff.Const(tensor.FromSlice([]float64{1, 0}, 2))).Backward(); err != nil {
		t.Fatal(err)
	}
	checkClose(t, "BCE grad at 0", z0.Grad().Data(), []float64{-0.25, 0.25}, 1e-15)
}

func TestSoftmaxCrossEntropy(t *testing.T) {
	rng := newRng(22)
	z := tensor.RandN[float64](rng, 5, 4)
	labels := []int{0, 3, 1, 1, 2}
	var want float64
	for i, y := range labels {
		var s float64
		for k := range 4 {
			s += math.Exp(z.At(i, k))
		}
		want += math.Log(s) - z.At(i, y)
	}
	want /= 5
	if got := SoftmaxCrossEntropy(autodiff.Const(z), labels).Item(); !close(got, want, 1e-14) {
		t.Errorf("CE = %g, want %g", got, want)
	}
	r, err := autodiff.GradCheck(func(z *V) *V { return SoftmaxCrossEntropy(z, labels) }, z, nil)
	requirePass(t, "SoftmaxCrossEntropy", r, err)
	target := tensor.FromSlice([]float64{0, 3, 1, 1, 2}, 5)
	if got := CrossEntropy(autodiff.Const(z), autodiff.Const(target)).Item(); !close(got, want, 1e-14) {
		t.Errorf("CrossEntropy = %g, want %g", got, want)
	}
	checkLoss(t, "CrossEntropy", CrossEntropy[float64], z, target)
	// Huge logits stay finite.
	big := tensor.FromSlice([]float64{1000, 0, -1000, 0}, 2, 2)
	if got := SoftmaxCrossEntropy(autodiff.Const(big), []int{1, 0}).Item(); !close(got, 1000, 1e-12) {
		t.Errorf("CE at large logits = %g, want 1000", got)
	}
}

func TestHinge(t *testing.T) {
	rng := newRng(23)
	y := tensor.FromSlice([]float64{1, -1, 1, -1, 1, -1}, 6, 1)
	z := tensor.New[float64](6, 1)
	// Scores with margins y·z away from the kink at 1, on both sides.
	for i, m := range []float64{0.3, 1.7, -0.5, 2.5, 0.8, -1.2} {
		z.Data()[i] = m * y.Data()[i]
	}
	var want float64
	for i, zi := range z.Data() {
		want += math.Max(0, 1-y.Data()[i]*zi)
	}
	want /= 6
	if got := Hinge(autodiff.Const(z), autodiff.Const(y)).Item(); !close(got, want, 1e-15) {
		t.Errorf("Hinge = %g, want %g", got, want)
	}
	checkLoss(t, "Hinge", Hinge[float64], z, y)
	_ = rng
}

func TestPenalties(t *testing.T) {
	rng := newRng(24)
	a := autodiff.Param(randAway(rng, 0.1, 2, 3, 2))
	b := autodiff.Param(randAway(rng, 0.1, 2, 4))
	ps := []*V{a, b}
	var l1, l2 float64
	for _, p := range ps {
		for _, v := range p.Value().Data() {
			l1 += math.Abs(v)
			l2 += v * v
		}
	}
	if got := L1(0.3, ps).Item(); !close(got, 0.3*l1, 1e-14) {
		t.Errorf("L1 = %g, want %g", got, 0.3*l1)
	}
	if got := L2(0.3, ps).Item(); !close(got, 0.15*l2, 1e-14) {
		t.Errorf("L2 = %g, want %g", got, 0.15*l2)
	}
	for name, f := range map[string]func() *V{
		"L1": func() *V { return L1(0.3, ps) },
		"L2": func() *V { return L2(0.3, ps) },
	} {
		r, err := autodiff.CheckParams(f, ps, nil)
		requirePass(t, name, r, err)
	}
	// L2's gradient is λ·w, as SGD's weight_decay.
	if err := L2(0.3, ps).Backward(); err != nil {
		t.Fatal(err)
	}
	want := tensor.Scale(0.3, a.Value()).Data()
	checkClose(t, "∂L2/∂w", a.Grad().Data(), want, 1e-15)
}
