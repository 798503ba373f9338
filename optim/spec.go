package optim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nabla-go/nabla/internal/textdist"
)

// Spec names a first-order optimiser and holds the hyperparameters of all
// of them, so that one value, e.g. filled from command-line flags or a JSON
// request, builds any of them. As in the settings structs, a zero field
// means the named optimiser's default (use Zero for an explicit 0), and a
// field the optimiser does not have is ignored.
type Spec struct {
	Name string // one of SpecNames

	LR                 float64 // all
	Momentum           float64 // sgd, rmsprop, and momentum and nesterov (default 0.9 there)
	Dampening          float64 // sgd, momentum
	Nesterov           bool    // sgd (nesterov sets it)
	WeightDecay        float64 // all (AdamW's default is 0.01)
	Eps                float64 // adagrad, rmsprop, adam, adamw, nadam, adadelta
	Alpha              float64 // rmsprop
	Centered           bool    // rmsprop
	Beta1, Beta2       float64 // adam, adamw, nadam
	AMSGrad            bool    // adam, adamw
	LRDecay            float64 // adagrad
	InitialAccumulator float64 // adagrad
	Rho                float64 // adadelta
	Maximize           bool    // all but nadam
}

// A specKind is a name a Spec takes, a line about it and its builder.
type specKind struct {
	name, about string
	build       func(s Spec) (Factory, error)
}

// specKinds are the names a Spec takes, as PyTorch names the classes, plus
// the textbook names gd, momentum and nesterov for SGD without and with
// (Nesterov) momentum.
var specKinds = []specKind{
	{"gd", "plain gradient descent: x ← x − η∇f", func(s Spec) (Factory, error) {
		if s.Momentum != 0 || s.Nesterov {
			return nil, fmt.Errorf("gd is plain gradient descent; use sgd for momentum or Nesterov momentum")
		}
		return factory(NewSGD, SGD{LR: s.LR, WeightDecay: s.WeightDecay, Maximize: s.Maximize}), nil
	}},
	{"sgd", "stochastic gradient descent with optional (Nesterov) momentum and weight decay", func(s Spec) (Factory, error) {
		return factory(NewSGD, SGD{LR: s.LR, Momentum: s.Momentum, Dampening: s.Dampening, WeightDecay: s.WeightDecay, Nesterov: s.Nesterov, Maximize: s.Maximize}), nil
	}},
	{"momentum", "heavy-ball momentum (sgd, μ = 0.9)", func(s Spec) (Factory, error) {
		return factory(NewSGD, SGD{LR: s.LR, Momentum: or(s.Momentum, 0.9), Dampening: s.Dampening, WeightDecay: s.WeightDecay, Maximize: s.Maximize}), nil
	}},
	{"nesterov", "Nesterov momentum (sgd, μ = 0.9)", func(s Spec) (Factory, error) {
		return factory(NewSGD, SGD{LR: s.LR, Momentum: or(s.Momentum, 0.9), WeightDecay: s.WeightDecay, Nesterov: true, Maximize: s.Maximize}), nil
	}},
	{"adagrad", "Adagrad: per-coordinate steps shrink with the summed squared gradients", func(s Spec) (Factory, error) {
		return factory(NewAdagrad, Adagrad{LR: s.LR, LRDecay: s.LRDecay, WeightDecay: s.WeightDecay, InitialAccumulator: s.InitialAccumulator, Eps: s.Eps, Maximize: s.Maximize}), nil
	}},
	{"rmsprop", "RMSprop: steps scaled by a running RMS of the gradient", func(s Spec) (Factory, error) {
		return factory(NewRMSprop, RMSprop{LR: s.LR, Alpha: s.Alpha, Eps: s.Eps, WeightDecay: s.WeightDecay, Momentum: s.Momentum, Centered: s.Centered, Maximize: s.Maximize}), nil
	}},
	{"adam", "Adam: momentum and RMS scaling with bias correction", func(s Spec) (Factory, error) {
		return factory(NewAdam, s.adam()), nil
	}},
	{"adamw", "AdamW: Adam with decoupled weight decay (default 0.01)", func(s Spec) (Factory, error) {
		return factory(NewAdamW, s.adam()), nil
	}},
	{"nadam", "NAdam: Adam with Nesterov momentum", func(s Spec) (Factory, error) {
		if s.Maximize {
			return nil, fmt.Errorf("nadam cannot maximise (as in PyTorch); negate the objective instead")
		}
		return factory(NewNAdam, NAdam{LR: s.LR, Beta1: s.Beta1, Beta2: s.Beta2, Eps: s.Eps, WeightDecay: s.WeightDecay}), nil
	}},
	{"adadelta", "Adadelta: step sizes from running averages, no learning rate needed (η scales)", func(s Spec) (Factory, error) {
		return factory(NewAdadelta, Adadelta{LR: s.LR, Rho: s.Rho, Eps: s.Eps, WeightDecay: s.WeightDecay, Maximize: s.Maximize}), nil
	}},
}

func (s Spec) adam() Adam {
	return Adam{LR: s.LR, Beta1: s.Beta1, Beta2: s.Beta2, Eps: s.Eps, WeightDecay: s.WeightDecay, AMSGrad: s.AMSGrad, Maximize: s.Maximize}
}

// factory is the Factory calling newOpt with the settings s.
func factory[S any, O Optimizer[float64]](newOpt func([]*Group[float64], S) (O, error), s S) Factory {
	return func(g []*Group[float64]) (Optimizer[float64], error) { return newOpt(g, s) }
}

// SpecNames returns the names a Spec takes, in a fixed order.
func SpecNames() []string {
	names := make([]string, len(specKinds))
	for i, k := range specKinds {
		names[i] = k.name
	}
	return names
}

// About returns a line about the named optimiser ("" for an unknown name).
func About(name string) string {
	for _, k := range specKinds {
		if k.name == name {
			return k.about
		}
	}
	return ""
}

// Factory returns the builder of the optimiser s names with its settings.
// An unknown name or a setting the optimiser refuses (momentum for gd,
// maximising with nadam) is an error that says what to do; the ranges of
// the values are checked when the Factory builds the optimiser.
func (s Spec) Factory() (Factory, error) {
	i := slices.IndexFunc(specKinds, func(k specKind) bool { return k.name == s.Name })
	if i < 0 {
		names := SpecNames()
		msg := fmt.Sprintf("unknown optimizer %q", s.Name)
		if c := textdist.Closest(s.Name, names, 2); c != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", c)
		}
		return nil, fmt.Errorf("%s; choose one of %s", msg, strings.Join(names, ", "))
	}
	return specKinds[i].build(s)
}
