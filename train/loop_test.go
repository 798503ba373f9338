package train

import (
	"errors"
	"maps"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/tensor"
)

func stateCopy(m nn.Module[float64]) map[string][]float64 {
	out := map[string][]float64{}
	for k, v := range nn.StateDict(m) {
		out[k] = slices.Clone(v.Contiguous().Data())
	}
	return out
}

// TestEarlyStoppingRestoresBest overfits a BatchNorm MLP on 80 digits and
// checks that training stops, and that the model then holds exactly the
// weights and running statistics it had after the best epoch.
func TestEarlyStoppingRestoresBest(t *testing.T) {
	tr, te := prepared(t, "digits")
	tr = tr.Subset(slices.Collect(func(yield func(int) bool) {
		for i := range 80 {
			if !yield(i) {
				return
			}
		}
	}))
	model := nn.MLP[float64](tr.NumFeatures(), []int{128}, tr.NumClasses(), nil, true, 0, data.NewRand(3))
	var states []map[string][]float64
	cfg := Config{
		Epochs: 300, BatchSize: 16, Optimizer: adam(0.02), Patience: 5, Seed: 1,
		OnEpoch: func(Epoch) error { states = append(states, stateCopy(model)); return nil },
	}
	h, err := Fit(model, nn.CrossEntropy[float64], tr, te, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stopped after %d epochs; best epoch %d with validation loss %.4f", len(h.Epochs), h.BestEpoch, h.BestLoss)
	if !h.EarlyStopped || !h.Restored || h.BestEpoch != len(h.Epochs)-cfg.Patience {
		t.Fatalf("EarlyStopped %v, Restored %v, best %d of %d epochs", h.EarlyStopped, h.Restored, h.BestEpoch, len(h.Epochs))
	}
	if _, ok := nn.StateDict[float64](model)["1.running_mean"]; !ok {
		t.Fatalf("no BatchNorm buffers in the state dict: %v", slices.Sorted(maps.Keys(nn.StateDict[float64](model))))
	}
	for i, e := range h.Epochs {
		if e.ValLoss < h.BestLoss {
			t.Errorf("epoch %d has validation loss %v below the best %v", i+1, e.ValLoss, h.BestLoss)
		}
	}
	if got, want := stateCopy(model), states[h.BestEpoch-1]; !reflect.DeepEqual(got, want) {
		t.Errorf("the model's state is not that of the best epoch %d", h.BestEpoch)
	}
	if reflect.DeepEqual(states[h.BestEpoch-1], states[len(states)-1]) {
		t.Errorf("the best and last epochs have the same weights: the test proves nothing")
	}
	// Evaluating the restored model reproduces the best validation loss.
	out := Outputs(model, te.X)
	if l := nn.CrossEntropy(constOf(out), constOf(data.Matrix{Rows: te.Len(), Cols: 1, Data: te.Y})).Item(); l != h.BestLoss {
		t.Errorf("restored model's validation loss %v, want %v", l, h.BestLoss)
	}
}

// TestDeterministic trains twice from the same seeds, with mini-batches,
// dropout, a schedule, clipping and both penalties, and expects identical
// histories and weights bit for bit; a different Seed changes them.
func TestDeterministic(t *testing.T) {
	tr, te := prepared(t, "wine")
	run := func(seed uint64) (History, map[string][]float64) {
		model := nn.MLP[float64](tr.NumFeatures(), []int{16}, tr.NumClasses(), nn.Tanh[float64]{}, false, 0.2, data.NewRand(5))
		h, err := Fit(model, nn.CrossEntropy[float64], tr, te, Config{
			Epochs: 15, BatchSize: 10, Seed: seed, Optimizer: sgd(0.05, 0.9),
			Schedule: optim.Cosine{TMax: 15}, ClipNorm: 1, L1: 1e-4, L2: 1e-3,
		})
		if err != nil {
			t.Fatal(err)
		}
		return h, stateCopy(model)
	}
	h1, s1 := run(11)
	h2, s2 := run(11)
	if !reflect.DeepEqual(h1, h2) || !reflect.DeepEqual(s1, s2) {
		t.Fatalf("two runs with the same seed differ")
	}
	h3, _ := run(12)
	if reflect.DeepEqual(h1.Epochs, h3.Epochs) {
		t.Errorf("a different seed gave the same history")
	}
	if h1.Epochs[0].LR != 0.05 || !(h1.Epochs[14].LR < h1.Epochs[1].LR) {
		t.Errorf("the schedule did not act per epoch: LR %v … %v", h1.Epochs[0].LR, h1.Epochs[14].LR)
	}
}

// TestBatchModes runs full-batch, stochastic and mini-batch descent and
// checks the number of steps and examples per step reported to OnBatch.
func TestBatchModes(t *testing.T) {
	tr, te := prepared(t, "iris")
	for _, c := range []struct{ batch, steps, last int }{{0, 1, 120}, {1, 120, 1}, {50, 3, 20}, {500, 1, 120}} {
		model, loss := nn.SoftmaxRegression[float64](tr.NumFeatures(), tr.NumClasses(), data.NewRand(1))
		var got []Batch
		h, err := Fit(model, loss, tr, te, Config{Epochs: 2, BatchSize: c.batch, Optimizer: sgd(0.05, 0),
			OnBatch: func(b Batch) { got = append(got, b) }})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2*c.steps || got[c.steps-1].ExamplesPerStep != c.last || got[0].Batches != c.steps {
			t.Errorf("batch size %d: %d steps, last batch %d examples; want %d, %d", c.batch, len(got), got[len(got)-1].ExamplesPerStep, 2*c.steps, c.last)
		}
		if h.Epochs[1].TrainLoss >= h.Epochs[0].TrainLoss {
			t.Errorf("batch size %d: the training loss did not fall: %v", c.batch, h.Epochs)
		}
	}
}

func TestFitErrors(t *testing.T) {
	tr, _ := prepared(t, "diabetes")
	model, loss := nn.LinearRegression[float64](tr.NumFeatures(), data.NewRand(1))
	_, err := Fit(model, loss, tr, nil, Config{Epochs: 500, Optimizer: sgd(100, 0)})
	if err == nil {
		t.Fatal("a learning rate of 10 did not diverge")
	}
	t.Log(err)
	model, loss = nn.LinearRegression[float64](tr.NumFeatures(), data.NewRand(1))
	stop := errors.New("enough")
	h, err := Fit(model, loss, tr, nil, Config{Epochs: 50, OnEpoch: func(e Epoch) error {
		if e.Epoch == 3 {
			return stop
		}
		return nil
	}})
	if !errors.Is(err, stop) || len(h.Epochs) != 3 || !math.IsNaN(h.Epochs[0].ValLoss) {
		t.Errorf("OnEpoch stop: %v after %d epochs", err, len(h.Epochs))
	}
	if _, err := Fit(model, loss, tr, nil, Config{Epochs: -1}); err == nil {
		t.Error("negative Epochs accepted")
	}
}

func constOf(m data.Matrix) *autodiff.Var[float64] {
	return autodiff.Const(tensor.FromSlice(m.Data, m.Rows, m.Cols))
}
