// Package train fits nn models to data sets: a training loop (Fit) with
// full-batch, stochastic and mini-batch gradient descent under any optim
// optimiser, learning-rate schedules stepped per epoch, gradient clipping,
// L1/L2 penalties, early stopping that restores the best weights, and
// per-epoch history; prediction helpers (Predict); and the usual metrics
// (accuracy, confusion matrix, log loss, MSE, R²).
//
// One epoch of Fit is
//
//	nn.Train(model)
//	for each batch B of the epoch (order drawn from data.NewRand(Seed)):
//	    zero the gradients
//	    J = loss(model(X_B), y_B) + L1·Σ|w| + L2/2·Σw²
//	    backpropagate J
//	    clip ‖∇‖₂ to ClipNorm (if set)
//	    optimiser step
//	schedule step (if set)
//	nn.Eval(model); validation loss and accuracy; early-stopping check
//
// Everything random (batch order) comes from Config.Seed, so two runs with
// the same model initialisation, data and Config give bit-identical
// histories and weights.
//
// Targets are fed to the loss as a column [N, 1] of Dataset.Y: the value for
// regression, the class index for classification. That is what
// nn.LinearRegression (MSE), nn.LogisticRegression (BCE with {0, 1}
// labels) and nn.SoftmaxRegression / nn.CrossEntropy (class indices) want.
// Models with other target conventions (nn.LinearSVM's ±1) need their data
// relabelled first.
//
// The package never prints: progress is reported through Config.OnBatch and
// Config.OnEpoch.
package train

import (
	"errors"
	"fmt"
	"math"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/tensor"
)

// Config tunes Fit. The zero value trains for 100 epochs of full-batch Adam
// with PyTorch's defaults (LR 1e-3), no penalty, no clipping and no early
// stopping, with seed 0.
type Config struct {
	// Epochs is the number of passes over the training data. Default 100.
	Epochs int
	// BatchSize is the number of examples per gradient step: 0 (the
	// default) or ≥ N is full-batch gradient descent, 1 is stochastic
	// gradient descent, anything between is mini-batch gradient descent.
	// Mini-batches are reshuffled every epoch; full batches are not.
	BatchSize int
	// Optimizer makes the optimiser over the model's parameters (one group,
	// optim.Params(model.Params()...)). Default: optim.NewAdam with
	// optim.Adam{} (PyTorch's defaults).
	Optimizer optim.Factory
	// Schedule, if set, drives the learning rate through an
	// optim.Scheduler stepped once per epoch (so t counts epochs).
	// Default nil: constant rate.
	Schedule optim.Schedule
	// ClipNorm, if > 0, rescales the gradients so that their global norm
	// is at most ClipNorm before each step (optim.ClipGradNorm). Default 0:
	// no clipping.
	ClipNorm float64
	// L1 and L2 add the penalties nn.L1(L1, w) = L1·Σ|w| and
	// nn.L2(L2, w) = L2/2·Σw² to the training objective. w are the weights:
	// parameters with at least two axes (Linear weights), not biases or
	// BatchNorm scales, unless PenalizeAll. Default 0: no penalty.
	L1, L2 float64
	// PenalizeAll applies L1 and L2 to every parameter, biases included.
	PenalizeAll bool
	// Seed seeds data.NewRand, which orders the mini-batches. Default 0.
	Seed uint64
	// Patience, if > 0, switches early stopping on: training stops after
	// Patience epochs in a row without the monitored loss (validation
	// loss, or training loss without validation data) improving on the
	// best so far by more than MinDelta, and the weights and buffers of
	// the best epoch are restored. Default 0: run all Epochs.
	Patience int
	// MinDelta is the smallest decrease of the monitored loss that counts
	// as an improvement. Default 0.
	MinDelta float64
	// KeepLast keeps the last epoch's weights when early stopping instead
	// of restoring the best ones. Default false.
	KeepLast bool
	// OnBatch, if set, is called after every optimiser step.
	OnBatch func(Batch)
	// OnEpoch, if set, is called after every epoch with its statistics;
	// a non-nil error stops training and Fit returns it (wrapped) with the
	// history so far.
	OnEpoch func(Epoch) error
	// Resume, if set, continues an earlier Fit from a checkpoint (see
	// Resume). Default nil: start afresh.
	Resume *Resume
	// ReuseMemory computes every step in one autodiff.Arena, reset before
	// each step, so the activations and intermediate gradients of a step
	// reuse the previous step's memory instead of being garbage: faster
	// steps, the same results bit for bit. The model and the loss must not
	// keep a Var of a step beyond it (the built-in layers and losses do
	// not; a custom one that does panics when it uses it). Default false.
	ReuseMemory bool
}

// Batch reports one optimiser step to Config.OnBatch.
type Batch struct {
	Epoch, Epochs   int     // 1-based epoch, of Epochs
	Batch, Batches  int     // 1-based batch within the epoch, of Batches
	Loss            float64 // data loss of the batch (without the penalty)
	GradNorm        float64 // ‖∇J‖₂ before clipping; NaN unless ClipNorm > 0
	ExamplesPerStep int     // size of this batch
}

// Epoch holds the statistics of one epoch.
type Epoch struct {
	// Epoch counts from 1.
	Epoch int
	// TrainLoss is the data loss (without penalty) averaged over the
	// epoch's batches, weighted by batch size: what the optimiser saw,
	// measured before each step, in training mode.
	TrainLoss float64
	// ValLoss is the loss on the validation set in evaluation mode after
	// the epoch; NaN without validation data.
	ValLoss float64
	// ValAccuracy is the validation accuracy (classification only);
	// NaN otherwise.
	ValAccuracy float64
	// LR is the learning rate of the first parameter group during the epoch.
	LR float64
}

// History is the record of a Fit.
type History struct {
	Epochs []Epoch
	// BestEpoch is the 1-based epoch with the lowest monitored loss
	// (validation loss if there is validation data, else training loss);
	// 0 if no epoch finished.
	BestEpoch int
	// BestLoss is that loss.
	BestLoss float64
	// EarlyStopped reports that training ended by Config.Patience.
	EarlyStopped bool
	// Restored reports that the model holds the weights of BestEpoch
	// (restored after early stopping).
	Restored bool
	// Stale is the number of epochs since BestEpoch.
	Stale int
	// OptimizerState is a copy of the optimiser's state at the end of
	// training (optim.Optimizer.State), for checkpoints.
	OptimizerState []optim.ParamState[float64]
	// Last is a copy of the last epoch's weights and buffers (by
	// nn.StateDict name) when the model holds those of BestEpoch instead
	// (Restored): a checkpoint needs them to resume. Nil otherwise.
	Last map[string]*tensor.Tensor[float64]
}

// ErrNonFinite is wrapped by Fit's error when the loss becomes NaN or ±Inf.
var ErrNonFinite = errors.New("non-finite loss")

// Fit trains model on trainSet with loss, evaluating on valSet (nil for
// none) after every epoch; see the package comment for the loop and Config
// for the settings. The model is left in evaluation mode.
//
// Errors: invalid settings, data sets that do not match (different numbers
// of features), an optimiser or schedule that cannot be built, a loss that
// becomes NaN or infinite (the error names the epoch and batch), or an error
// from OnEpoch. With an error the History holds the epochs completed.
func Fit(model nn.Module[float64], loss nn.Loss[float64], trainSet, valSet *data.Dataset, cfg Config) (h History, err error) {
	if model == nil || loss == nil || trainSet == nil {
		panic("train: Fit needs a model, a loss and a training set")
	}
	if cfg.Epochs < 0 || cfg.BatchSize < 0 || cfg.Patience < 0 || cfg.ClipNorm < 0 || cfg.L1 < 0 || cfg.L2 < 0 || cfg.MinDelta < 0 {
		return h, errors.New("train: Epochs, BatchSize, Patience, ClipNorm, L1, L2 and MinDelta must not be negative")
	}
	n := trainSet.Len()
	if n == 0 {
		return h, errors.New("train: the training set is empty")
	}
	if valSet != nil && valSet.NumFeatures() != trainSet.NumFeatures() {
		return h, fmt.Errorf("train: the validation set has %d features, the training set %d", valSet.NumFeatures(), trainSet.NumFeatures())
	}
	if valSet != nil && valSet.Len() == 0 {
		valSet = nil
	}
	epochs := cfg.Epochs
	if epochs == 0 {
		epochs = 100
	}
	params := model.Params()
	if len(params) == 0 {
		return h, errors.New("train: the model has no parameters")
	}
	newOpt := cfg.Optimizer
	if newOpt == nil {
		newOpt = func(g []*optim.Group[float64]) (optim.Optimizer[float64], error) {
			return optim.NewAdam(g, optim.Adam{})
		}
	}
	opt, err := newOpt(optim.Params(params...))
	if err != nil {
		return h, fmt.Errorf("train: making the optimiser: %w", err)
	}
	start, err := cfg.Resume.apply(opt)
	if err != nil {
		return h, err
	}
	keepBest := cfg.Patience > 0 && !cfg.KeepLast
	var best *state
	if h.BestEpoch, h.BestLoss, h.Stale, best, err = cfg.Resume.record(model, keepBest); err != nil {
		return h, err
	}
	var sched *optim.Scheduler[float64]
	if cfg.Schedule != nil {
		if sched, err = optim.NewScheduler(opt, cfg.Schedule); err != nil {
			return h, fmt.Errorf("train: making the scheduler: %w", err)
		}
		for range start {
			sched.Step() // resumed: the schedule is at t = start
		}
	}
	var penalised []*autodiff.Var[float64]
	for _, p := range params {
		if cfg.PenalizeAll || p.Value().Dims() >= 2 {
			penalised = append(penalised, p)
		}
	}

	batchSize := cfg.BatchSize
	if batchSize == 0 || batchSize > n {
		batchSize = n
	}
	batches := (n + batchSize - 1) / batchSize
	rng := data.NewRand(cfg.Seed)
	if batchSize < n {
		skipEpochs(n, batchSize, rng, start)
	}
	// The full batch is built once and reused.
	var fullX, fullY *autodiff.Var[float64]
	if batchSize == n {
		fullX, fullY = inputs(trainSet, nil)
	}
	var valX, valY *autodiff.Var[float64]
	if valSet != nil {
		valX, valY = inputs(valSet, nil)
	}
	classify := trainSet.Task == data.Classify

	var arena *autodiff.Arena[float64]
	if cfg.ReuseMemory {
		arena = new(autodiff.Arena[float64])
	}
	defer func() { h.OptimizerState = opt.State() }()
	last := start // the last epoch completed
	h.EarlyStopped = cfg.Patience > 0 && h.Stale >= cfg.Patience
	for e := start + 1; e <= epochs && !h.EarlyStopped; e++ {
		nn.Train(model)
		lr := opt.Groups()[0].LR
		sum, b := 0.0, 0
		// step trains on the rows idx (nil: the full batch).
		step := func(idx []int, rows int) error {
			b++
			x, y := fullX, fullY
			switch {
			case arena != nil && idx == nil:
				arena.Reset()
				x, y = arena.Const(x.Value()), arena.Const(y.Value())
			case arena != nil:
				arena.Reset()
				x, y = arenaInputs(arena, trainSet, idx)
			case idx != nil:
				x, y = inputs(trainSet, idx)
			}
			optim.ZeroGrad(opt)
			l := loss(model.Forward(x), y)
			lv := l.Item()
			if math.IsNaN(lv) || math.IsInf(lv, 0) {
				return fmt.Errorf("train: epoch %d, batch %d: %w: the loss is %v (lower the learning rate, clip gradients or scale the features)", e, b, ErrNonFinite, lv)
			}
			sum += lv * float64(rows)
			obj := l
			if cfg.L1 > 0 && len(penalised) > 0 {
				obj = autodiff.Add(obj, nn.L1(cfg.L1, penalised))
			}
			if cfg.L2 > 0 && len(penalised) > 0 {
				obj = autodiff.Add(obj, nn.L2(cfg.L2, penalised))
			}
			if err := obj.Backward(); err != nil {
				return fmt.Errorf("train: epoch %d, batch %d: backward: %w", e, b, err)
			}
			gn := math.NaN()
			if cfg.ClipNorm > 0 {
				gn = optim.ClipGradNorm(params, cfg.ClipNorm)
			}
			if err := opt.Step(); err != nil {
				return fmt.Errorf("train: epoch %d, batch %d: optimiser step: %w", e, b, err)
			}
			if cfg.OnBatch != nil {
				cfg.OnBatch(Batch{Epoch: e, Epochs: epochs, Batch: b, Batches: batches, Loss: lv, GradNorm: gn, ExamplesPerStep: rows})
			}
			return nil
		}
		if fullX != nil {
			if err := step(nil, n); err != nil {
				return h, err
			}
		} else {
			for idx := range data.Batches(n, batchSize, rng) {
				if err := step(idx, len(idx)); err != nil {
					return h, err
				}
			}
		}
		if sched != nil {
			sched.Step()
		}

		ep := Epoch{Epoch: e, TrainLoss: sum / float64(n), ValLoss: math.NaN(), ValAccuracy: math.NaN(), LR: lr}
		nn.Eval(model)
		if valSet != nil {
			autodiff.NoGrad(func() {
				out := model.Forward(valX)
				ep.ValLoss = loss(out, valY).Item()
				if classify {
					ep.ValAccuracy = Accuracy(PredictClasses(out.Value()), valSet.Labels)
				}
			}, params...)
		}
		h.Epochs = append(h.Epochs, ep)
		last = e

		monitored := ep.TrainLoss
		if valSet != nil {
			monitored = ep.ValLoss
		}
		if monitored < h.BestLoss-cfg.MinDelta || h.BestEpoch == 0 {
			h.BestLoss, h.BestEpoch, h.Stale = monitored, e, 0
			if keepBest {
				best = snapshot(model, best)
			}
		} else {
			h.Stale++
		}
		if cfg.OnEpoch != nil {
			if err := cfg.OnEpoch(ep); err != nil {
				return h, fmt.Errorf("train: stopped by OnEpoch after epoch %d: %w", e, err)
			}
		}
		h.EarlyStopped = cfg.Patience > 0 && h.Stale >= cfg.Patience
	}
	if keepBest && best != nil && h.BestEpoch != last {
		h.Last = stateDictCopy(model)
		restore(model, best)
		h.Restored = true
	}
	nn.Eval(model)
	return h, nil
}

// inputs returns the features and the target column [N, 1] of the given
// rows (all rows, in order, for idx nil) as constants.
func inputs(ds *data.Dataset, idx []int) (x, y *autodiff.Var[float64]) {
	var m data.Matrix
	var t []float64
	if idx == nil {
		m, t = ds.X, ds.Y
	} else {
		m, t = ds.Rows(idx), ds.TargetsOf(idx)
	}
	return autodiff.Const(m.Tensor()), autodiff.Const(tensor.FromSlice(t, len(t), 1))
}

// arenaInputs is inputs for the rows idx gathered straight into the
// arena's memory, so that a step with Config.ReuseMemory allocates nothing.
func arenaInputs(a *autodiff.Arena[float64], ds *data.Dataset, idx []int) (x, y *autodiff.Var[float64]) {
	xt := a.Tensors().Scratch(len(idx), ds.X.Cols)
	ds.X.GatherInto(xt.Data(), idx)
	yt := a.Tensors().Scratch(len(idx), 1)
	for k, i := range idx {
		yt.Data()[k] = ds.Y[i]
	}
	return a.Const(xt), a.Const(yt)
}

// state is a copy of a model's parameters (by position in Params, so
// unnamed or equally named parameters of custom modules are kept apart) and
// buffers (by name; BatchNorm's running statistics).
//
// BatchNorm1d.NumBatches is a plain field, not a buffer, so it is not
// restored; it only counts batches and does not enter the forward pass.
type state struct {
	params  []*tensor.Tensor[float64]
	buffers map[string]*tensor.Tensor[float64]
}

// snapshot copies the model's state into dst, allocating it on first use.
func snapshot(m nn.Module[float64], dst *state) *state {
	if dst == nil {
		dst = &state{buffers: map[string]*tensor.Tensor[float64]{}}
		for _, p := range m.Params() {
			dst.params = append(dst.params, p.Value().Clone())
		}
	} else {
		for i, p := range m.Params() {
			dst.params[i].CopyFrom(p.Value())
		}
	}
	if b, ok := m.(nn.Buffered[float64]); ok {
		for k, v := range b.Buffers() {
			if d, ok := dst.buffers[k]; ok {
				d.CopyFrom(v)
			} else {
				dst.buffers[k] = v.Clone()
			}
		}
	}
	return dst
}

// restore copies a snapshot back into the model's tensors.
func restore(m nn.Module[float64], src *state) {
	for i, p := range m.Params() {
		p.Value().CopyFrom(src.params[i])
	}
	if b, ok := m.(nn.Buffered[float64]); ok {
		for k, v := range b.Buffers() {
			if s, ok := src.buffers[k]; ok {
				v.CopyFrom(s)
			}
		}
	}
}
