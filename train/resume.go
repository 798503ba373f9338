package train

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/tensor"
)

// Resume continues an earlier Fit, so that training N epochs in one go and
// training k epochs, checkpointing (Save), loading (Load) and training the
// remaining N − k give bit-identical weights and histories.
//
// With Config.Resume set, Fit
//
//   - restores OptimizerState into the new optimiser (optim.Optimizer.SetState)
//     before the first step: moments, step counts;
//   - runs the epochs Epoch+1 … Config.Epochs (Config.Epochs stays the total),
//     numbering them so;
//   - starts the schedule at t = Epoch, as if it had been stepped Epoch times;
//   - advances the batch-order generator data.NewRand(Config.Seed) past the
//     shuffles of the first Epoch epochs, so the same mini-batches follow;
//   - continues the early-stopping record: the best epoch and loss, the
//     epochs since (Stale), and the best weights (Best). A run that had
//     already run out of patience stops at once, restoring Best.
//
// Dropout masks continue too, because their generator lives in the model
// (nn.Dropout.Src) and a checkpoint saves its state. Checkpoint.Resume fills
// a Resume from a loaded checkpoint.
type Resume struct {
	// Epoch is the number of epochs already completed. Default 0.
	Epoch int
	// OptimizerState is the optimiser's state after those epochs, as
	// History.OptimizerState or a checkpoint's Meta.OptimizerState holds it;
	// nil: a fresh optimiser.
	OptimizerState []optim.ParamState[float64]
	// BestEpoch, BestLoss and Stale are History's record after those epochs:
	// the best epoch (0: none, the record starts afresh), its monitored loss,
	// and the number of epochs since it.
	BestEpoch int
	BestLoss  float64
	Stale     int
	// Best holds the weights and buffers of BestEpoch (by nn.StateDict name)
	// when they differ from the model's, as History.Last's counterpart: nil
	// when the model holds them (BestEpoch = Epoch, or no early stopping).
	Best map[string]*tensor.Tensor[float64]
}

// apply restores the optimiser state and returns the epochs already done.
func (r *Resume) apply(opt optim.Optimizer[float64]) (int, error) {
	if r == nil {
		return 0, nil
	}
	if r.Epoch < 0 || r.BestEpoch < 0 || r.BestEpoch > r.Epoch || r.Stale < 0 {
		return 0, fmt.Errorf("train: Resume with Epoch %d, BestEpoch %d, Stale %d: want 0 ≤ BestEpoch ≤ Epoch and Stale ≥ 0", r.Epoch, r.BestEpoch, r.Stale)
	}
	if r.OptimizerState != nil {
		if err := opt.SetState(r.OptimizerState); err != nil {
			return 0, fmt.Errorf("train: resuming the optimiser: %w", err)
		}
	}
	return r.Epoch, nil
}

// record returns the early-stopping record to continue: the best epoch and
// loss, the epochs since, and the best state (nil: none kept). The model is
// m; keep says whether Fit keeps the best state (Patience > 0, !KeepLast).
func (r *Resume) record(m nn.Module[float64], keep bool) (bestEpoch int, bestLoss float64, stale int, best *state, err error) {
	if r == nil || r.BestEpoch == 0 {
		return 0, math.Inf(1), 0, nil, nil
	}
	if keep {
		switch {
		case r.Best != nil:
			cur := snapshot(m, nil)
			if err := loadStateDict(m, r.Best); err != nil {
				return 0, 0, 0, nil, fmt.Errorf("train: Resume.Best: %w", err)
			}
			best = snapshot(m, nil)
			restore(m, cur)
		case r.BestEpoch == r.Epoch:
			best = snapshot(m, nil)
		default:
			return 0, 0, 0, nil, fmt.Errorf("train: Resume has best epoch %d before epoch %d but not its weights (Resume.Best)", r.BestEpoch, r.Epoch)
		}
	}
	return r.BestEpoch, r.BestLoss, r.Stale, best, nil
}

// loadStateDict copies the tensors of a state dict (nn.StateDict names) into
// the model's parameters and buffers; every one must be present with its
// shape.
func loadStateDict(m nn.Module[float64], d map[string]*tensor.Tensor[float64]) error {
	for name, dst := range nn.StateDict(m) {
		src, ok := d[name]
		if !ok {
			return fmt.Errorf("no tensor %q", name)
		}
		if !tensor.SameShape(src, dst) {
			return fmt.Errorf("tensor %q has shape %v, the model's %v", name, src.Shape(), dst.Shape())
		}
		dst.CopyFrom(src)
	}
	return nil
}

// stateDictCopy returns a copy of the model's state dict.
func stateDictCopy(m nn.Module[float64]) map[string]*tensor.Tensor[float64] {
	d := nn.StateDict(m)
	for k, v := range d {
		d[k] = v.Clone()
	}
	return d
}

// skipEpochs draws the mini-batch orders of the first k epochs from rng.
func skipEpochs(n, batchSize int, rng *rand.Rand, k int) {
	for range k {
		for range data.Batches(n, batchSize, rng) {
		}
	}
}
