package train

import (
	"fmt"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/tensor"
)

// Outputs runs model on x in evaluation mode, without recording gradients,
// and returns the raw outputs (logits for classifiers, values for
// regression) as a matrix [N, outputs]. The model's mode is restored
// afterwards.
func Outputs(model nn.Module[float64], x data.Matrix) data.Matrix {
	if md, ok := model.(nn.Moded); ok {
		defer md.SetTraining(md.Training())
	}
	nn.Eval(model)
	var out *tensor.Tensor[float64]
	autodiff.NoGrad(func() {
		out = model.Forward(autodiff.Const(x.Tensor())).Value()
	}, model.Params()...)
	return toMatrix(out)
}

// Predict returns what a model trained by Fit predicts for the rows of x:
//
//   - task data.Classify: class probabilities [N, C]. A model with one
//     output column is a binary logistic model, P(y=1|x) = σ(z); it gets the
//     two columns (1 − σ(z), σ(z)). With C ≥ 2 columns the outputs are
//     logits and the probabilities are softmax(z) along each row.
//   - task data.Regress (or Auto): the model's outputs, unchanged.
//
// Use Classes for the most probable class of each row.
func Predict(model nn.Module[float64], x data.Matrix, task data.Task) data.Matrix {
	out := Outputs(model, x)
	if task != data.Classify {
		return out
	}
	if out.Cols == 1 {
		p := data.NewMatrix(out.Rows, 2)
		for i, z := range out.Data {
			s := tensor.SigmoidOf(z)
			p.Data[2*i], p.Data[2*i+1] = 1-s, s
		}
		return p
	}
	return toMatrix(tensor.Softmax(out.Tensor(), 1))
}

// Classes returns the index of the largest entry of each row of scores
// (probabilities or logits; the first on ties). A single column is read as
// the logit of class 1: class 1 where it is > 0, else class 0.
func Classes(scores data.Matrix) []int {
	return PredictClasses(scores.Tensor())
}

// PredictClasses is Classes on a tensor of model outputs [N, C] (or [N]).
func PredictClasses(out *tensor.Tensor[float64]) []int {
	if out.Dims() == 1 || (out.Dims() == 2 && out.Dim(1) == 1) {
		d := out.Contiguous().Data()
		c := make([]int, len(d))
		for i, z := range d {
			if z > 0 {
				c[i] = 1
			}
		}
		return c
	}
	if out.Dims() != 2 {
		panic(fmt.Sprintf("train: PredictClasses: outputs of shape %v; want [N, C]", out.Shape()))
	}
	return tensor.ArgMax(out, 1)
}

// toMatrix copies a tensor [N] or [N, C] into a Matrix.
func toMatrix(t *tensor.Tensor[float64]) data.Matrix {
	d := append([]float64(nil), t.Contiguous().Data()...)
	switch t.Dims() {
	case 1:
		return data.Matrix{Rows: t.Dim(0), Cols: 1, Data: d}
	case 2:
		return data.Matrix{Rows: t.Dim(0), Cols: t.Dim(1), Data: d}
	case 0:
		return data.Matrix{Rows: 1, Cols: 1, Data: d}
	}
	cols := 1
	for _, s := range t.Shape()[1:] {
		cols *= s
	}
	return data.Matrix{Rows: t.Dim(0), Cols: cols, Data: d}
}

// Column returns column j of m as a new slice (for example the predicted
// values of a one-output regression model, for MSE and R2).
func Column(m data.Matrix, j int) []float64 {
	if j < 0 || j >= m.Cols {
		panic(fmt.Sprintf("train: Column %d of a matrix with %d columns", j, m.Cols))
	}
	c := make([]float64, m.Rows)
	for i := range c {
		c[i] = m.Data[i*m.Cols+j]
	}
	return c
}
