package nn_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/tensor"
)

// An MLP with batch norm and dropout names its parameters as PyTorch's
// state_dict would, and switches to evaluation mode with Eval.
func ExampleMLP() {
	rng := rand.New(rand.NewPCG(1, 2))
	m := nn.MLP[float64](4, []int{8}, 3, nn.ReLU[float64]{}, true, 0.1, rng)
	for _, p := range m.Params() {
		fmt.Println(p.Name(), p.Shape())
	}
	nn.Eval(m)
	x := autodiff.Const(tensor.Ones[float64](2, 4))
	fmt.Println(m.Forward(x).Shape())
	// Output:
	// 0.weight [8 4]
	// 0.bias [8]
	// 1.weight [8]
	// 1.bias [8]
	// 4.weight [3 8]
	// 4.bias [3]
	// [2 3]
}

// BCEWithLogits stays finite where log σ(z) would overflow.
func ExampleBCEWithLogits() {
	z := autodiff.Const(tensor.FromSlice([]float64{800, -800}, 2))
	y := autodiff.Const(tensor.FromSlice([]float64{0, 0}, 2))
	fmt.Println(nn.BCEWithLogits(z, y).Item())
	// Output: 400
}
