package train_test

import (
	"fmt"

	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/train"
)

// Softmax regression on iris: split, standardise on the training part,
// train with mini-batch Adam and early stopping, then score the test part.
func Example() {
	ds, _ := data.Builtin("iris")
	sp, _ := data.StratifiedSplit(ds, data.Fractions{Val: 0.2, Test: 0.2}, 1)
	var s data.Standardizer
	_ = s.Fit(sp.Train.X)
	for _, part := range []*data.Dataset{sp.Train, sp.Val, sp.Test} {
		part.X = s.Transform(part.X)
	}

	model, loss := nn.SoftmaxRegression[float64](ds.NumFeatures(), ds.NumClasses(), data.NewRand(1))
	h, err := train.Fit(model, loss, sp.Train, sp.Val, train.Config{
		Epochs:    200,
		BatchSize: 16,
		Optimizer: func(g []*optim.Group[float64]) (optim.Optimizer[float64], error) {
			return optim.NewAdam(g, optim.Adam{LR: 0.05})
		},
		Patience: 20,
		Seed:     1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	probs := train.Predict(model, sp.Test.X, data.Classify)
	pred := train.Classes(probs)
	fmt.Printf("epochs run: %d, best: %d\n", len(h.Epochs), h.BestEpoch)
	fmt.Printf("test accuracy: %.3f\n", train.Accuracy(pred, sp.Test.Labels))
	fmt.Printf("test log loss: %.3f\n", train.LogLoss(probs, sp.Test.Labels))
	fmt.Println("confusion matrix:", train.ConfusionMatrix(pred, sp.Test.Labels, ds.NumClasses()))
	// Output:
	// epochs run: 112, best: 92
	// test accuracy: 0.967
	// test log loss: 0.049
	// confusion matrix: [[10 0 0] [0 9 1] [0 0 10]]
}
