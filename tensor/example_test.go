package tensor_test

import (
	"fmt"
	"math"

	"github.com/nabla-go/nabla/tensor"
)

// Broadcasting aligns shapes at the right: a [3] row is added to every row of
// a [2,3] matrix, a [2,1] column to every column.
func ExampleAdd() {
	a := tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	row := tensor.FromSlice([]float64{10, 20, 30})
	col := tensor.FromSlice([]float64{100, 200}, 2, 1)
	fmt.Println(tensor.Add(a, row))
	fmt.Println(tensor.Add(a, col))
	// Output:
	// [[11 22 33] [14 25 36]] shape=[2 3]
	// [[101 102 103] [204 205 206]] shape=[2 3]
}

// Sum over axis 0 adds the rows; keepDims leaves the reduced axis as size 1
// so the result broadcasts back against the input.
func ExampleSum() {
	a := tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3)
	fmt.Println(tensor.Sum(a, false, 0))
	fmt.Println(tensor.Sum(a, true, 1))
	fmt.Println(tensor.Sum(a, false))
	fmt.Println(tensor.Mean(a, false, -1))
	// Output:
	// [5 7 9] shape=[3]
	// [[6] [15]] shape=[2 1]
	// 21
	// [2 5] shape=[2]
}

// MatMul follows NumPy: matrices multiply, a 1-D operand is a vector whose
// axis is dropped from the result, and leading axes are batches.
func ExampleMatMul() {
	a := tensor.FromSlice([]float64{1, 2, 3, 4}, 2, 2)
	b := tensor.FromSlice([]float64{5, 6, 7, 8}, 2, 2)
	v := tensor.FromSlice([]float64{1, -1})
	fmt.Println(tensor.MatMul(a, b))
	fmt.Println(tensor.MatMul(a, v))
	fmt.Println(tensor.MatMul(v, v))
	batch := tensor.Stack(0, a, tensor.Transpose(a, 0, 1)) // [2,2,2]
	fmt.Println(tensor.MatMul(batch, v))
	// Output:
	// [[19 22] [43 50]] shape=[2 2]
	// [-1 -1] shape=[2]
	// 2
	// [[-1 -1] [-2 -2]] shape=[2 2]
}

// Softmax along an axis; shifting by the maximum keeps e¹⁰⁰⁰ from overflowing.
func ExampleSoftmax() {
	x := tensor.FromSlice([]float64{0, math.Log(2), math.Log(3)})
	fmt.Println(tensor.Softmax(x, 0)) // 1/6, 2/6, 3/6
	big := tensor.FromSlice([]float64{1000, 1000})
	fmt.Println(tensor.Softmax(big, 0))
	fmt.Println(tensor.LogSoftmax(big, 0)) // −ln 2
	// Output:
	// [0.166667 0.333333 0.5] shape=[3]
	// [0.5 0.5] shape=[2]
	// [-0.693147 -0.693147] shape=[2]
}

// Transpose is a view: writing through it changes the original.
func ExampleTranspose() {
	m := tensor.Reshape(tensor.Arange[float64](0, 1, 6), 2, 3)
	mt := tensor.Transpose(m, 0, 1)
	mt.Set(-1, 2, 0) // m[0,2]
	fmt.Println(m)
	fmt.Println(mt, mt.IsContiguous())
	// Output:
	// [[0 1 -1] [3 4 5]] shape=[2 3]
	// [[0 3] [1 4] [-1 5]] shape=[3 2] false
}

// Shapes that do not fit panic with a *ShapeError naming the op and shapes.
func ExampleShapeError() {
	defer func() {
		err := recover().(*tensor.ShapeError)
		fmt.Println(err.Op, err.Shapes)
		fmt.Println(err)
	}()
	tensor.Add(tensor.New[float64](2, 3), tensor.New[float64](4))
	// Output:
	// Add [[2 3] [4]]
	// tensor.Add: shapes do not broadcast: axis -1 has sizes 3 and 4 (shapes [[2 3] [4]])
}
