package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/optim"
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
//     shuffles of the first Epoch epochs, so the same mini-batches follow.
//
// Not resumed: the early-stopping record (best epoch, epochs without
// improvement) starts afresh, and Dropout masks, whose generator lives in the
// model, restart from the model's construction (so a model with dropout
// resumes close to, but not bit for bit like, an uninterrupted run).
type Resume struct {
	// Epoch is the number of epochs already completed. Default 0.
	Epoch int
	// OptimizerState is the optimiser's state after those epochs, as
	// History.OptimizerState or a checkpoint's Meta.Optimizer holds it;
	// nil: a fresh optimiser.
	OptimizerState []optim.ParamState[float64]
}

// apply restores the optimiser state and returns the epochs already done.
func (r *Resume) apply(opt optim.Optimizer[float64]) (int, error) {
	if r == nil {
		return 0, nil
	}
	if r.Epoch < 0 {
		return 0, fmt.Errorf("train: Resume.Epoch %d is negative", r.Epoch)
	}
	if r.OptimizerState != nil {
		if err := opt.SetState(r.OptimizerState); err != nil {
			return 0, fmt.Errorf("train: resuming the optimiser: %w", err)
		}
	}
	return r.Epoch, nil
}

// skipEpochs draws the mini-batch orders of the first k epochs from rng.
func skipEpochs(n, batchSize int, rng *rand.Rand, k int) {
	for range k {
		for range data.Batches(n, batchSize, rng) {
		}
	}
}
