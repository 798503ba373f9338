package playground

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/nabla-go/nabla/internal/textdist"
	"github.com/nabla-go/nabla/optim"
)

// OptimizerSpec names an optimiser and the hyperparameters the page offers.
// A zero field takes the optimiser's PyTorch default (see package optim);
// Momentum defaults to 0.9 for "momentum" and "nesterov".
type OptimizerSpec struct {
	Name     string  `json:"name"`               // one of the names /api/info lists
	LR       float64 `json:"lr"`                 // learning rate η > 0
	Momentum float64 `json:"momentum,omitempty"` // μ ∈ [0, 1) for momentum, nesterov and rmsprop
}

// pageOptimizers are the optimisers the page offers (optim.Spec names):
// "momentum" and "nesterov" are torch's SGD with those options.
var pageOptimizers = []string{"gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", "nadam", "adadelta"}

// optimizerInfo is how /api/info lists an optimiser.
type optimizerInfo struct {
	Name  string `json:"name"`
	About string `json:"about"`
}

func optimizerNames() []optimizerInfo {
	out := make([]optimizerInfo, len(pageOptimizers))
	for i, name := range pageOptimizers {
		out[i] = optimizerInfo{name, optim.About(name)}
	}
	return out
}

// factory checks s and returns the optimiser it names.
func (s OptimizerSpec) factory() (optim.Factory, error) {
	if s.LR < 0 || math.IsNaN(s.LR) || math.IsInf(s.LR, 0) {
		return nil, badRequest("%s: the learning rate %g must be a positive number (0 for the default)", s.Name, s.LR)
	}
	if !(s.Momentum >= 0 && s.Momentum < 1) {
		return nil, badRequest("%s: the momentum %g must lie in [0, 1)", s.Name, s.Momentum)
	}
	if !slices.Contains(pageOptimizers, s.Name) {
		msg := fmt.Sprintf("unknown optimiser %q", s.Name)
		if c := textdist.Closest(s.Name, pageOptimizers, 2); c != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", c)
		}
		return nil, badRequest("%s; choose one of %s", msg, strings.Join(pageOptimizers, ", "))
	}
	spec := optim.Spec{Name: s.Name, LR: s.LR}
	if s.Name != "gd" { // the page's momentum field is ignored for optimisers without one
		spec.Momentum = s.Momentum
	}
	f, err := spec.Factory()
	if err != nil {
		return nil, badRequest("%v", err)
	}
	return f, nil
}
