package diagnose

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/tensor"
)

// Importance is how much a trained model's output depends on one input
// feature, averaged over the rows it was measured on.
type Importance struct {
	Feature string `json:"feature"` // the feature's name ("x3" when unnamed)
	Index   int    `json:"index"`   // its column
	// Saliency is mean over rows i of |∂yᵢ/∂xᵢⱼ|: how fast the output moves
	// when the feature moves by one unit (one standard deviation for
	// standardised features).
	Saliency float64 `json:"saliency"`
	// GradInput is mean over rows of |∂yᵢ/∂xᵢⱼ · xᵢⱼ|, gradient × input: the
	// first-order share of the output carried by the feature's value (for a
	// linear model exactly |wⱼ·xᵢⱼ|). It discounts features that are steep
	// but near 0.
	GradInput float64 `json:"grad_input"`
}

// FeatureImportance ranks the features of x by Saliency, most important
// first (ties in column order). The output yᵢ differentiated for row i is
// the model's single output for a one-column model (a regression value or a
// binary logit), and the logit of the predicted class (the largest output)
// for a model with several outputs: the gradient of the score that made the
// decision. The model runs in evaluation mode (its mode is restored) and
// rows are independent, so one backward pass gives every row's gradient.
//
// names names the columns (data.Dataset.FeatureNames); nil or short gives
// "x0", "x1", … for the missing ones. It returns an error if x has no rows
// or holds NaN or ±Inf (naming the row and column) or the gradient is not
// finite, and panics on a nil model.
func FeatureImportance(model nn.Module[float64], x data.Matrix, names []string) ([]Importance, error) {
	if model == nil {
		panic("diagnose: FeatureImportance: nil model")
	}
	if err := checkFinite(x); err != nil {
		return nil, fmt.Errorf("diagnose: FeatureImportance: %w", err)
	}
	defer evalMode(model)()
	xv := autodiff.Param(x.Clone().Tensor())
	out := model.Forward(xv)
	var score *autodiff.Var[float64]
	if sh := out.Shape(); len(sh) == 2 && sh[1] > 1 {
		cls := tensor.ArgMax(out.Value(), 1)
		score = autodiff.Sum(autodiff.TakeAlong(out, 1, cls), false)
	} else {
		score = autodiff.Sum(out, false)
	}
	g, err := autodiff.Gradients(score, []*autodiff.Var[float64]{xv}, autodiff.BackwardOptions[float64]{})
	if err != nil {
		return nil, fmt.Errorf("diagnose: FeatureImportance: %w", err)
	}
	gd := g[0].Value().Data()
	if n := countNonFinite(gd); n > 0 {
		return nil, fmt.Errorf("diagnose: FeatureImportance: %d entries of ∂y/∂x are NaN or ±Inf", n)
	}
	imp := make([]Importance, x.Cols)
	for j := range imp {
		imp[j] = Importance{Feature: "x" + strconv.Itoa(j), Index: j}
		if j < len(names) {
			imp[j].Feature = names[j]
		}
	}
	for i := range x.Rows {
		for j := range x.Cols {
			gij := gd[i*x.Cols+j]
			imp[j].Saliency += math.Abs(gij)
			imp[j].GradInput += math.Abs(gij * x.Data[i*x.Cols+j])
		}
	}
	for j := range imp {
		imp[j].Saliency /= float64(x.Rows)
		imp[j].GradInput /= float64(x.Rows)
	}
	sort.SliceStable(imp, func(a, b int) bool { return imp[a].Saliency > imp[b].Saliency })
	return imp, nil
}

// Anomaly is the gradient-based anomaly score of one example.
type Anomaly struct {
	Row int `json:"row"` // the example's row in the data set
	// ParamGradNorm is ‖∂ℓᵢ/∂θ‖₂, the norm of the gradient of the example's
	// own loss ℓᵢ with respect to all parameters θ: how hard this one
	// example pulls on the model. It is the score examples are ranked by.
	ParamGradNorm float64 `json:"param_grad_norm"`
	// InputGradNorm is ‖∂ℓᵢ/∂xᵢ‖₂: how sensitive the example's loss is to
	// its own features.
	InputGradNorm float64 `json:"input_grad_norm"`
	// Loss is ℓᵢ.
	Loss float64 `json:"loss"`
}

// AnomalyScores scores every example of ds by the gradient of its own loss
// ℓᵢ = loss(model(xᵢ), yᵢ), with the target fed as train.Fit feeds it (a
// [1, 1] column holding Dataset.Y), and returns them sorted by
// ParamGradNorm, most anomalous first (ties by row). Well-fitted examples
// have small gradients; mislabelled rows and outliers have large ones.
// It costs one forward and one backward pass per example, in evaluation
// mode (the model's mode is restored). It returns an error on an empty data
// set, NaN or ±Inf features (naming the row and column) or a non-finite
// loss, and panics on a nil model or loss.
func AnomalyScores(model nn.Module[float64], loss nn.Loss[float64], ds *data.Dataset) ([]Anomaly, error) {
	if model == nil || loss == nil || ds == nil {
		panic("diagnose: AnomalyScores needs a model, a loss and a data set")
	}
	if err := checkFinite(ds.X); err != nil {
		return nil, fmt.Errorf("diagnose: AnomalyScores: %w", err)
	}
	defer evalMode(model)()
	params := model.Params()
	out := make([]Anomaly, ds.Len())
	for i := range out {
		xv := autodiff.Param(tensor.FromSlice(append([]float64(nil), ds.X.Row(i)...), 1, ds.X.Cols))
		y := autodiff.Const(tensor.FromSlice([]float64{ds.Y[i]}, 1, 1))
		l := loss(model.Forward(xv), y)
		lv := l.Item()
		if math.IsNaN(lv) || math.IsInf(lv, 0) {
			return nil, fmt.Errorf("diagnose: AnomalyScores: row %d: the loss is %v", i, lv)
		}
		gs, err := autodiff.Gradients(l, append(params[:len(params):len(params)], xv), autodiff.BackwardOptions[float64]{})
		if err != nil {
			return nil, fmt.Errorf("diagnose: AnomalyScores: row %d: %w", i, err)
		}
		pg := 0.0
		for _, g := range gs[:len(params)] {
			pg += sumSquares(g.Value().Data())
		}
		out[i] = Anomaly{Row: i, Loss: lv, ParamGradNorm: math.Sqrt(pg), InputGradNorm: math.Sqrt(sumSquares(gs[len(params)].Value().Data()))}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].ParamGradNorm > out[b].ParamGradNorm })
	return out, nil
}

// checkFinite returns an error naming the first NaN or ±Inf of x, or if x
// is empty.
func checkFinite(x data.Matrix) error {
	if x.Rows == 0 || x.Cols == 0 {
		return fmt.Errorf("no data (%d×%d)", x.Rows, x.Cols)
	}
	for k, v := range x.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("row %d, column %d is %v", k/x.Cols, k%x.Cols, v)
		}
	}
	return nil
}

// evalMode puts model in evaluation mode and returns the function that
// restores its mode.
func evalMode(model nn.Module[float64]) func() {
	md, ok := model.(nn.Moded)
	if !ok {
		return func() {}
	}
	was := md.Training()
	md.SetTraining(false)
	return func() { md.SetTraining(was) }
}
