// Package data loads, scales, splits and batches the data sets that nabla's
// models train on.
//
// # Sources
//
//   - CSV files with a header row (LoadCSV, LoadCSVFile): numeric feature
//     columns and one target column, chosen by name.
//   - Data sets shipped inside the module (Builtin): iris, digits,
//     breast_cancer, wine and diabetes, embedded with go:embed so a fresh
//     checkout works offline.
//   - The MNIST idx format (LoadIDX) and Fashion-MNIST from the Debian package
//     dataset-fashion-mnist (Builtin("fashion-mnist")).
//   - Load(spec) accepts "builtin:NAME" or a file path.
//
// # Layout (design note)
//
// Features are held in a Matrix: one contiguous []float64 in row-major order
// plus its row and column counts. A training loop wants exactly that: a row is
// a sub-slice (Row), a mini-batch is a gather of rows into a new contiguous
// block (Dataset.Rows), and Matrix.Tensor wraps the storage as a
// tensor.Tensor[float64] of shape [rows, cols] without copying, ready for
// autodiff. A [][]float64 would scatter rows across the heap and need a copy
// before every matrix product.
//
// Targets are held twice, in the form each kind of model wants: Labels holds
// class indices (0 … len(Classes)-1) for classification, and Y holds the
// target as a float64 — the value for regression, the class index for
// classification.
//
// # Errors
//
// A malformed file never panics: it returns a *ParseError naming the file,
// the line, the column and the offending cell (for the binary idx format,
// the file and what is wrong, with byte counts instead of a line). Programmer errors (a scaler
// applied to a matrix of the wrong width, an index out of range) panic with a
// message that says what was wrong.
package data

import (
	"fmt"

	"github.com/nabla-go/nabla/tensor"
)

// Task says whether a target column holds classes or real values.
type Task int

const (
	// Auto classifies when the target column has non-numeric labels, or
	// integer values with at most CSVOptions.MaxClasses distinct values;
	// otherwise it regresses. It is the zero value.
	Auto Task = iota
	// Classify treats every distinct target value as a class label.
	Classify
	// Regress treats the target as a real number.
	Regress
)

// String returns "auto", "classify" or "regress".
func (t Task) String() string {
	switch t {
	case Auto:
		return "auto"
	case Classify:
		return "classify"
	case Regress:
		return "regress"
	}
	return fmt.Sprintf("Task(%d)", int(t))
}

// Matrix is a dense row-major matrix: element (i, j) is Data[i*Cols+j].
type Matrix struct {
	Rows, Cols int
	Data       []float64
}

// NewMatrix returns a zero matrix of the given shape.
func NewMatrix(rows, cols int) Matrix {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("data.NewMatrix: negative shape %d×%d", rows, cols))
	}
	return Matrix{Rows: rows, Cols: cols, Data: make([]float64, rows*cols)}
}

// Row returns row i as a sub-slice of the storage (no copy).
func (m Matrix) Row(i int) []float64 {
	if i < 0 || i >= m.Rows {
		panic(fmt.Sprintf("data.Matrix.Row: row %d out of range [0, %d)", i, m.Rows))
	}
	return m.Data[i*m.Cols : (i+1)*m.Cols : (i+1)*m.Cols]
}

// At returns element (i, j).
func (m Matrix) At(i, j int) float64 {
	if j < 0 || j >= m.Cols {
		panic(fmt.Sprintf("data.Matrix.At: column %d out of range [0, %d)", j, m.Cols))
	}
	return m.Row(i)[j]
}

// Clone returns a deep copy.
func (m Matrix) Clone() Matrix {
	return Matrix{Rows: m.Rows, Cols: m.Cols, Data: append([]float64(nil), m.Data...)}
}

// Tensor wraps the storage as a tensor of shape [Rows, Cols] without copying:
// writes through either are seen by both.
func (m Matrix) Tensor() *tensor.Tensor[float64] {
	return tensor.FromSlice(m.Data, m.Rows, m.Cols)
}

// Gather returns a new matrix made of the given rows, in that order.
func (m Matrix) Gather(idx []int) Matrix {
	out := NewMatrix(len(idx), m.Cols)
	m.GatherInto(out.Data, idx)
	return out
}

// GatherInto is Gather into memory the caller owns: it copies the given
// rows, in that order, to dst[:len(idx)·Cols], and panics if dst is shorter.
func (m Matrix) GatherInto(dst []float64, idx []int) {
	if len(dst) < len(idx)*m.Cols {
		panic(fmt.Sprintf("data.Matrix.GatherInto: %d rows of %d need %d elements, dst has %d", len(idx), m.Cols, len(idx)*m.Cols, len(dst)))
	}
	for k, i := range idx {
		copy(dst[k*m.Cols:(k+1)*m.Cols], m.Row(i))
	}
}

// Dataset is a table of numeric features with one target per row.
type Dataset struct {
	// Name is where the data came from: a file name or "builtin:NAME".
	Name string
	// FeatureNames names the columns of X, from the header row.
	FeatureNames []string
	// TargetName names the target column.
	TargetName string
	// Task is Classify or Regress (never Auto once loaded).
	Task Task
	// X holds the features, one row per example.
	X Matrix
	// Y holds the target as a number: the value for regression, the class
	// index for classification.
	Y []float64
	// Labels holds class indices for classification; nil for regression.
	Labels []int
	// Classes holds the label of each class index as written in the source
	// (numeric labels are sorted numerically, others lexically); nil for
	// regression.
	Classes []string
}

// Len returns the number of examples.
func (ds *Dataset) Len() int { return ds.X.Rows }

// NumFeatures returns the number of feature columns.
func (ds *Dataset) NumFeatures() int { return ds.X.Cols }

// NumClasses returns the number of classes, or 0 for regression.
func (ds *Dataset) NumClasses() int { return len(ds.Classes) }

// ClassCounts returns how many examples each class has (nil for regression).
func (ds *Dataset) ClassCounts() []int {
	if ds.Task != Classify {
		return nil
	}
	c := make([]int, len(ds.Classes))
	for _, l := range ds.Labels {
		c[l]++
	}
	return c
}

// Rows returns the features of the given examples as a new matrix; with
// TargetsOf it gives a mini-batch.
func (ds *Dataset) Rows(idx []int) Matrix { return ds.X.Gather(idx) }

// TargetsOf returns Y for the given examples, in that order.
func (ds *Dataset) TargetsOf(idx []int) []float64 {
	out := make([]float64, len(idx))
	for k, i := range idx {
		out[k] = ds.Y[i]
	}
	return out
}

// LabelsOf returns Labels for the given examples (nil for regression).
func (ds *Dataset) LabelsOf(idx []int) []int {
	if ds.Labels == nil {
		return nil
	}
	out := make([]int, len(idx))
	for k, i := range idx {
		out[k] = ds.Labels[i]
	}
	return out
}

// Subset returns a new dataset holding copies of the given rows, in that
// order. Class indices and labels are kept, so a class may have no examples
// in the subset.
func (ds *Dataset) Subset(idx []int) *Dataset {
	return &Dataset{
		Name:         ds.Name,
		FeatureNames: ds.FeatureNames,
		TargetName:   ds.TargetName,
		Task:         ds.Task,
		X:            ds.X.Gather(idx),
		Y:            ds.TargetsOf(idx),
		Labels:       ds.LabelsOf(idx),
		Classes:      ds.Classes,
	}
}

// String summarises the data set, e.g. "builtin:iris: 150 rows × 4 features,
// 3 classes".
func (ds *Dataset) String() string {
	s := fmt.Sprintf("%s: %d rows × %d features", ds.Name, ds.Len(), ds.NumFeatures())
	if ds.Task == Classify {
		return s + fmt.Sprintf(", %d classes", ds.NumClasses())
	}
	return s + fmt.Sprintf(", regression target %q", ds.TargetName)
}
