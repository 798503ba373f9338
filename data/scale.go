package data

import (
	"errors"
	"fmt"
	"math"
)

// Scaler is fitted on a training matrix and then transforms any matrix with
// the same columns (training, validation, test, new data) the same way.
// Fit only on training rows, so no information leaks from the test set.
type Scaler interface {
	Fit(x Matrix) error
	Transform(x Matrix) Matrix
}

// Standardizer rescales each column to mean 0 and standard deviation 1:
//
//	x′ = (x − Mean[j]) / Scale[j]
//
// where Mean[j] is the column mean and Scale[j] the population standard
// deviation (divisor n, as scikit-learn's StandardScaler). A constant column
// has Scale 1, so it becomes all zeros instead of dividing by zero.
// The fields are exported (and JSON-tagged) so a fitted scaler can be saved
// with a model.
type Standardizer struct {
	Mean  []float64 `json:"mean"`
	Scale []float64 `json:"scale"`
}

// Fit computes Mean and Scale from the rows of x. It returns an error if x
// has no rows or holds a non-finite value.
func (s *Standardizer) Fit(x Matrix) error {
	if err := checkFit(x); err != nil {
		return fmt.Errorf("Standardizer.Fit: %w", err)
	}
	n := float64(x.Rows)
	s.Mean = make([]float64, x.Cols)
	s.Scale = make([]float64, x.Cols)
	for i := range x.Rows {
		for j, v := range x.Row(i) {
			s.Mean[j] += v
		}
	}
	for j := range s.Mean {
		s.Mean[j] /= n
	}
	// Two-pass variance: accurate when the mean is large relative to the spread.
	for i := range x.Rows {
		for j, v := range x.Row(i) {
			d := v - s.Mean[j]
			s.Scale[j] += d * d
		}
	}
	for j := range s.Scale {
		sd := math.Sqrt(s.Scale[j] / n)
		if sd <= 1e-12*math.Max(1, math.Abs(s.Mean[j])) {
			sd = 1 // constant column
		}
		s.Scale[j] = sd
	}
	return nil
}

// Transform returns a new matrix (x − Mean) / Scale. It panics if the
// scaler is not fitted or x has a different number of columns.
func (s *Standardizer) Transform(x Matrix) Matrix {
	out := x.Clone()
	s.TransformInPlace(out)
	return out
}

// TransformInPlace is Transform overwriting x, for data that is not needed
// unscaled (it saves a copy of the whole matrix).
func (s *Standardizer) TransformInPlace(x Matrix) {
	checkTransform("Standardizer", len(s.Mean), x)
	for i := range x.Rows {
		row := x.Row(i)
		for j := range row {
			row[j] = (row[j] - s.Mean[j]) / s.Scale[j]
		}
	}
}

// InverseTransform maps standardised values back: x = x′·Scale + Mean.
func (s *Standardizer) InverseTransform(x Matrix) Matrix {
	checkTransform("Standardizer", len(s.Mean), x)
	out := x.Clone()
	for i := range out.Rows {
		row := out.Row(i)
		for j := range row {
			row[j] = row[j]*s.Scale[j] + s.Mean[j]
		}
	}
	return out
}

// MinMaxScaler rescales each column to [0, 1] on the training data:
//
//	x′ = (x − Min[j]) / (Max[j] − Min[j])
//
// A constant column (Max = Min) maps to 0 instead of dividing by zero. Values
// outside the training range map outside [0, 1]; they are not clipped.
type MinMaxScaler struct {
	Min []float64 `json:"min"`
	Max []float64 `json:"max"`
}

// Fit records each column's minimum and maximum over the rows of x.
func (s *MinMaxScaler) Fit(x Matrix) error {
	if err := checkFit(x); err != nil {
		return fmt.Errorf("MinMaxScaler.Fit: %w", err)
	}
	s.Min = append([]float64(nil), x.Row(0)...)
	s.Max = append([]float64(nil), x.Row(0)...)
	for i := 1; i < x.Rows; i++ {
		for j, v := range x.Row(i) {
			s.Min[j] = math.Min(s.Min[j], v)
			s.Max[j] = math.Max(s.Max[j], v)
		}
	}
	return nil
}

// Transform returns a new matrix (x − Min) / (Max − Min); constant columns
// become x − Min. It panics if the scaler is not fitted or x has a different
// number of columns.
func (s *MinMaxScaler) Transform(x Matrix) Matrix {
	out := x.Clone()
	s.TransformInPlace(out)
	return out
}

// TransformInPlace is Transform overwriting x, for data that is not needed
// unscaled (it saves a copy of the whole matrix).
func (s *MinMaxScaler) TransformInPlace(x Matrix) {
	checkTransform("MinMaxScaler", len(s.Min), x)
	for i := range x.Rows {
		row := x.Row(i)
		for j := range row {
			r := s.Max[j] - s.Min[j]
			if r == 0 {
				r = 1
			}
			row[j] = (row[j] - s.Min[j]) / r
		}
	}
}

func checkFit(x Matrix) error {
	if x.Rows == 0 {
		return errors.New("no rows to fit on")
	}
	if len(x.Data) != x.Rows*x.Cols {
		panic(fmt.Sprintf("data: Matrix %d×%d has %d elements", x.Rows, x.Cols, len(x.Data)))
	}
	for k, v := range x.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("non-finite value %v at row %d, column %d", v, k/x.Cols, k%x.Cols)
		}
	}
	return nil
}

func checkTransform(who string, fitted int, x Matrix) {
	if fitted == 0 {
		panic("data." + who + ".Transform: not fitted; call Fit on the training matrix first")
	}
	if x.Cols != fitted {
		panic(fmt.Sprintf("data.%s.Transform: matrix has %d columns, the scaler was fitted on %d", who, x.Cols, fitted))
	}
}
