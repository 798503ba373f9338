package train

import (
	"fmt"
	"math"

	"github.com/nabla-go/nabla/data"
)

// Accuracy is the fraction of predictions equal to the labels,
//
//	accuracy = (1/N)·Σᵢ [ŷᵢ = yᵢ]
//
// It is NaN for N = 0 and panics if the lengths differ.
func Accuracy(pred, labels []int) float64 {
	checkLen("Accuracy", len(pred), len(labels))
	if len(pred) == 0 {
		return math.NaN()
	}
	ok := 0
	for i, p := range pred {
		if p == labels[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(pred))
}

// ConfusionMatrix counts the examples of true class i predicted as class j
// in entry [i][j] (rows: truth, columns: prediction, as scikit-learn's
// confusion_matrix), for classes 0 … classes−1. The diagonal holds the
// correct predictions. It panics on a class outside that range or on
// lengths that differ.
func ConfusionMatrix(pred, labels []int, classes int) [][]int {
	checkLen("ConfusionMatrix", len(pred), len(labels))
	m := make([][]int, classes)
	for i := range m {
		m[i] = make([]int, classes)
	}
	for i, p := range pred {
		y := labels[i]
		if y < 0 || y >= classes || p < 0 || p >= classes {
			panic(fmt.Sprintf("train: ConfusionMatrix: example %d has label %d and prediction %d; classes are 0…%d", i, y, p, classes-1))
		}
		m[y][p]++
	}
	return m
}

// LogLossEps bounds the probabilities LogLoss takes the logarithm of to
// [LogLossEps, 1], so a confident mistake costs −log 1e-15 ≈ 34.5 instead of
// +Inf.
const LogLossEps = 1e-15

// LogLoss is the mean negative log-likelihood (cross-entropy) of the labels
// under predicted class probabilities probs [N, C] (rows as Predict returns
// them for classification):
//
//	logloss = −(1/N)·Σᵢ log max(pᵢ[yᵢ], LogLossEps)
//
// Rows are used as given (not renormalised). It is NaN for N = 0 and
// panics on mismatched sizes or a label outside 0 … C−1.
func LogLoss(probs data.Matrix, labels []int) float64 {
	checkLen("LogLoss", probs.Rows, len(labels))
	if probs.Rows == 0 {
		return math.NaN()
	}
	s := 0.0
	for i, y := range labels {
		if y < 0 || y >= probs.Cols {
			panic(fmt.Sprintf("train: LogLoss: label %d of example %d is outside 0…%d", y, i, probs.Cols-1))
		}
		s -= math.Log(math.Max(probs.Data[i*probs.Cols+y], LogLossEps))
	}
	return s / float64(probs.Rows)
}

// MSE is the mean squared error
//
//	MSE = (1/N)·Σᵢ (ŷᵢ − yᵢ)²
//
// NaN for N = 0; it panics if the lengths differ.
func MSE(pred, y []float64) float64 {
	checkLen("MSE", len(pred), len(y))
	if len(y) == 0 {
		return math.NaN()
	}
	s := 0.0
	for i, p := range pred {
		d := p - y[i]
		s += d * d
	}
	return s / float64(len(y))
}

// R2 is the coefficient of determination
//
//	R² = 1 − SS_res/SS_tot,  SS_res = Σᵢ (yᵢ − ŷᵢ)²,  SS_tot = Σᵢ (yᵢ − ȳ)²
//
// with ȳ the mean of y: 1 for a perfect fit, 0 for predicting ȳ, negative
// for worse. As scikit-learn's r2_score, a constant y (SS_tot = 0) gives 1
// for a perfect fit and 0 otherwise. NaN for N = 0; it panics if the
// lengths differ.
func R2(pred, y []float64) float64 {
	checkLen("R2", len(pred), len(y))
	if len(y) == 0 {
		return math.NaN()
	}
	mean := 0.0
	for _, v := range y {
		mean += v
	}
	mean /= float64(len(y))
	var res, tot float64
	for i, v := range y {
		d := v - pred[i]
		res += d * d
		t := v - mean
		tot += t * t
	}
	if tot == 0 {
		if res == 0 {
			return 1
		}
		return 0
	}
	return 1 - res/tot
}

func checkLen(fn string, a, b int) {
	if a != b {
		panic(fmt.Sprintf("train: %s: %d predictions for %d targets", fn, a, b))
	}
}
