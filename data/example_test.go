package data_test

import (
	"fmt"

	"github.com/nabla-go/nabla/data"
)

// A typical preparation for training: load, split with class proportions
// kept, fit the scaler on the training rows only, then iterate mini-batches.
func Example() {
	ds, err := data.Load("builtin:iris")
	if err != nil {
		panic(err)
	}
	split, err := data.StratifiedSplit(ds, data.Fractions{Val: 0.2, Test: 0.2}, 1)
	if err != nil {
		panic(err)
	}
	var sc data.Standardizer
	if err := sc.Fit(split.Train.X); err != nil {
		panic(err)
	}
	train := sc.Transform(split.Train.X)
	test := sc.Transform(split.Test.X) // the training statistics, applied to test

	batches := 0
	for idx := range data.Batches(train.Rows, 32, data.NewRand(1)) {
		x, y := train.Gather(idx), split.Train.LabelsOf(idx)
		_, _ = x, y // a training step goes here
		batches++
	}
	fmt.Println(ds)
	fmt.Println("train/val/test:", split.Train.Len(), split.Val.Len(), split.Test.Len())
	fmt.Println("test class counts:", split.Test.ClassCounts(), "test rows:", test.Rows)
	fmt.Println("batches per epoch:", batches)
	// Output:
	// builtin:iris: 150 rows × 4 features, 3 classes
	// train/val/test: 90 30 30
	// test class counts: [10 10 10] test rows: 30
	// batches per epoch: 3
}
