package train

import (
	"math"
	"reflect"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/tensor"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func TestMetricsByHand(t *testing.T) {
	pred := []int{0, 1, 2, 2, 1, 0}
	labels := []int{0, 1, 1, 2, 1, 2}
	if got := Accuracy(pred, labels); got != 4.0/6 {
		t.Errorf("Accuracy = %v, want 4/6", got)
	}
	want := [][]int{
		{1, 0, 0}, // class 0: one example, predicted 0
		{0, 2, 1}, // class 1: two predicted 1, one predicted 2
		{1, 0, 1}, // class 2: one predicted 0, one predicted 2
	}
	if got := ConfusionMatrix(pred, labels, 3); !reflect.DeepEqual(got, want) {
		t.Errorf("ConfusionMatrix = %v, want %v", got, want)
	}

	// Log loss: −(log 0.8 + log 0.5 + log 0.1)/3.
	probs := data.Matrix{Rows: 3, Cols: 2, Data: []float64{0.8, 0.2, 0.5, 0.5, 0.9, 0.1}}
	if got, want := LogLoss(probs, []int{0, 1, 1}), -(math.Log(0.8)+math.Log(0.5)+math.Log(0.1))/3; !near(got, want) {
		t.Errorf("LogLoss = %v, want %v", got, want)
	}
	// A probability 0 for the true class is clipped to 1e-15.
	if got, want := LogLoss(data.Matrix{Rows: 1, Cols: 2, Data: []float64{1, 0}}, []int{1}), -math.Log(1e-15); !near(got, want) {
		t.Errorf("LogLoss of a certain mistake = %v, want %v", got, want)
	}

	// y = (1, 2, 3, 4), ŷ = (1, 2, 4, 2): residuals 0, 0, −1, 2.
	y := []float64{1, 2, 3, 4}
	p := []float64{1, 2, 4, 2}
	if got := MSE(p, y); got != 5.0/4 {
		t.Errorf("MSE = %v, want 5/4", got)
	}
	// SS_res = 5, ȳ = 2.5, SS_tot = 2.25+0.25+0.25+2.25 = 5: R² = 0.
	if got := R2(p, y); !near(got, 0) {
		t.Errorf("R2 = %v, want 0", got)
	}
	// ŷ = (1, 2, 3, 3): SS_res = 1, R² = 1 − 1/5 = 0.8.
	if got := R2([]float64{1, 2, 3, 3}, y); !near(got, 0.8) {
		t.Errorf("R2 = %v, want 0.8", got)
	}
	if got := R2(y, y); got != 1 {
		t.Errorf("R2 of a perfect fit = %v", got)
	}
	if got := R2([]float64{1, 1}, []float64{2, 2}); got != 0 {
		t.Errorf("R2 against a constant target = %v, want 0", got)
	}
	if !math.IsNaN(Accuracy(nil, nil)) || !math.IsNaN(MSE(nil, nil)) {
		t.Error("empty metrics are not NaN")
	}
}

func TestMetricPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"Accuracy lengths":    func() { Accuracy([]int{1}, nil) },
		"ConfusionMatrix out": func() { ConfusionMatrix([]int{3}, []int{0}, 3) },
		"LogLoss label":       func() { LogLoss(data.Matrix{Rows: 1, Cols: 2, Data: []float64{1, 0}}, []int{2}) },
		"R2 lengths":          func() { R2([]float64{1}, []float64{1, 2}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// fixed is a model with the given output for any input, for Predict.
type fixed struct{ out *tensor.Tensor[float64] }

func (f fixed) Forward(*autodiff.Var[float64]) *autodiff.Var[float64] { return autodiff.Const(f.out) }
func (fixed) Params() []*autodiff.Var[float64]                        { return nil }

func TestPredict(t *testing.T) {
	x := data.NewMatrix(2, 1)
	// Binary: one logit column → (1 − σ, σ).
	bin := fixed{tensor.FromSlice([]float64{0, math.Log(3)}, 2, 1)}
	p := Predict(bin, x, data.Classify)
	if want := []float64{0.5, 0.5, 0.25, 0.75}; p.Rows != 2 || p.Cols != 2 || !near(p.Data[2], want[2]) || !near(p.Data[3], want[3]) || p.Data[0] != 0.5 {
		t.Errorf("binary Predict = %+v, want %v", p, want)
	}
	if got := Classes(p); !reflect.DeepEqual(got, []int{0, 1}) {
		t.Errorf("Classes = %v", got)
	}
	// Multiclass: softmax of the logits (0, log 2, log 5) is (1/8, 2/8, 5/8).
	multi := fixed{tensor.FromSlice([]float64{0, math.Log(2), math.Log(5), 1, 0, 0}, 2, 3)}
	p = Predict(multi, data.NewMatrix(2, 1), data.Classify)
	for j, w := range []float64{0.125, 0.25, 0.625} {
		if !near(p.At(0, j), w) {
			t.Errorf("softmax [0][%d] = %v, want %v", j, p.At(0, j), w)
		}
	}
	if got := Classes(p); !reflect.DeepEqual(got, []int{2, 0}) {
		t.Errorf("Classes = %v", got)
	}
	// Regression: values unchanged.
	if v := Column(Predict(bin, x, data.Regress), 0); v[0] != 0 || v[1] != math.Log(3) {
		t.Errorf("regression Predict = %v", v)
	}
	// Predict switches a Moded model to evaluation and back.
	model := nn.MLP[float64](1, []int{4}, 2, nil, false, 0.5, data.NewRand(1))
	a := Predict(model, data.Matrix{Rows: 1, Cols: 1, Data: []float64{1}}, data.Classify)
	b := Predict(model, data.Matrix{Rows: 1, Cols: 1, Data: []float64{1}}, data.Classify)
	if !reflect.DeepEqual(a, b) || !model.Training() {
		t.Errorf("Predict with dropout is not deterministic, or left the model in evaluation mode")
	}
}
