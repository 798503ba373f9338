package diagnose

import (
	"testing"

	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/train"
)

// digits returns the standardised digits data set.
func digits(t testing.TB) *data.Dataset {
	t.Helper()
	ds, err := data.Builtin("digits")
	if err != nil {
		t.Fatal(err)
	}
	var s data.Standardizer
	if err := s.Fit(ds.X); err != nil {
		t.Fatal(err)
	}
	ds.X = s.Transform(ds.X)
	return ds
}

// probe returns the first n rows of ds.
func probe(ds *data.Dataset, n int) data.Matrix {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return ds.Rows(idx)
}

func adam(lr float64) optim.Factory {
	return func(g []*optim.Group[float64]) (optim.Optimizer[float64], error) {
		return optim.NewAdam(g, optim.Adam{LR: lr})
	}
}

func sgd(lr float64) optim.Factory {
	return func(g []*optim.Group[float64]) (optim.Optimizer[float64], error) {
		return optim.NewSGD(g, optim.SGD{LR: lr})
	}
}

// run trains model on ds under a Monitor and returns the monitor, after
// Finish, and Fit's error.
func run(model *nn.Sequential[float64], loss nn.Loss[float64], ds *data.Dataset, cfg train.Config, opts Options) (*Monitor, error) {
	mon := NewMonitor(model, probe(ds, 64), opts)
	mon.Attach(&cfg)
	_, err := train.Fit(model, loss, ds, nil, cfg)
	mon.Finish(err)
	return mon, err
}

func kinds(fs []Finding) []string {
	var k []string
	for _, f := range fs {
		k = append(k, f.Kind)
	}
	return k
}
