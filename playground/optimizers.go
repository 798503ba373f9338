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

// preset builds one optimiser of the playground from a spec.
type preset struct {
	name  string
	about string
	make  func(s OptimizerSpec) optim.Factory
}

type (
	groups = []*optim.Group[float64]
	opt    = optim.Optimizer[float64]
)

// presets are the optimisers the page offers, as the textbook names them:
// "momentum" and "nesterov" are torch's SGD with those options. Each is a
// thin mapping onto the optim settings struct, whose zero fields mean
// PyTorch's defaults. (nabla minimize builds optimisers from its flags in
// package main, one flag per torch argument; the page offers a learning rate
// and a momentum only, so it needs this smaller table rather than that one.)
var presets = []preset{
	{"gd", "plain gradient descent: x ← x − η∇f", func(s OptimizerSpec) optim.Factory {
		return func(g groups) (opt, error) { return optim.NewSGD(g, optim.SGD{LR: s.LR}) }
	}},
	{"momentum", "heavy-ball momentum (SGD, μ = 0.9)", func(s OptimizerSpec) optim.Factory {
		return func(g groups) (opt, error) {
			return optim.NewSGD(g, optim.SGD{LR: s.LR, Momentum: orDefault(s.Momentum, 0.9)})
		}
	}},
	{"nesterov", "Nesterov momentum (SGD, μ = 0.9)", func(s OptimizerSpec) optim.Factory {
		return func(g groups) (opt, error) {
			return optim.NewSGD(g, optim.SGD{LR: s.LR, Momentum: orDefault(s.Momentum, 0.9), Nesterov: true})
		}
	}},
	{"adagrad", "Adagrad: per-coordinate steps shrink with the summed squared gradients", func(s OptimizerSpec) optim.Factory {
		return func(g groups) (opt, error) { return optim.NewAdagrad(g, optim.Adagrad{LR: s.LR}) }
	}},
	{"rmsprop", "RMSprop: steps scaled by a running RMS of the gradient", func(s OptimizerSpec) optim.Factory {
		return func(g groups) (opt, error) {
			return optim.NewRMSprop(g, optim.RMSprop{LR: s.LR, Momentum: s.Momentum})
		}
	}},
	{"adam", "Adam: momentum and RMS scaling with bias correction", func(s OptimizerSpec) optim.Factory {
		return func(g groups) (opt, error) { return optim.NewAdam(g, optim.Adam{LR: s.LR}) }
	}},
	{"adamw", "AdamW: Adam with decoupled weight decay 0.01", func(s OptimizerSpec) optim.Factory {
		return func(g groups) (opt, error) { return optim.NewAdamW(g, optim.Adam{LR: s.LR}) }
	}},
	{"nadam", "NAdam: Adam with Nesterov momentum", func(s OptimizerSpec) optim.Factory {
		return func(g groups) (opt, error) { return optim.NewNAdam(g, optim.NAdam{LR: s.LR}) }
	}},
	{"adadelta", "Adadelta: step sizes from running averages, no learning rate needed (η scales)", func(s OptimizerSpec) optim.Factory {
		return func(g groups) (opt, error) { return optim.NewAdadelta(g, optim.Adadelta{LR: s.LR}) }
	}},
}

// orDefault returns v, or def when v is 0.
func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// optimizerInfo is how /api/info lists an optimiser.
type optimizerInfo struct {
	Name  string `json:"name"`
	About string `json:"about"`
}

func optimizerNames() []optimizerInfo {
	out := make([]optimizerInfo, len(presets))
	for i, p := range presets {
		out[i] = optimizerInfo{p.name, p.about}
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
	i := slices.IndexFunc(presets, func(p preset) bool { return p.name == s.Name })
	if i < 0 {
		names := make([]string, len(presets))
		for i, p := range presets {
			names[i] = p.name
		}
		msg := fmt.Sprintf("unknown optimiser %q", s.Name)
		if c := textdist.Closest(s.Name, names, 2); c != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", c)
		}
		return nil, badRequest("%s; choose one of %s", msg, strings.Join(names, ", "))
	}
	return presets[i].make(s), nil
}
