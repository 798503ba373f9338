package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/nabla-go/nabla/train"
)

// trainProgress reports training on stderr. Every epoch ends with one plain
// line (losses, validation accuracy, learning rate). On a terminal a
// progress bar also advances through the epoch's examples, showing the
// running training loss and the speed in examples per second; it is cleared
// before the epoch's line, so piped output and the terminal's scrollback
// hold the same lines.
type trainProgress struct {
	w      io.Writer
	tty    bool
	epochs int
	rows   int                      // training examples per epoch
	bar    *progressbar.ProgressBar // the current epoch's bar (tty only)
	sum    float64                  // Σ loss·examples over the epoch so far
	seen   int                      // examples so far
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newTrainProgress(w io.Writer, tty bool, epochs, rows int) *trainProgress {
	return &trainProgress{w: w, tty: tty, epochs: epochs, rows: rows}
}

// batch advances the bar by one optimiser step (train.Config.OnBatch).
func (p *trainProgress) batch(b train.Batch) {
	if !p.tty {
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions(p.rows,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetWidth(30),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("ex"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		p.sum, p.seen = 0, 0
	}
	p.sum += b.Loss * float64(b.ExamplesPerStep)
	p.seen += b.ExamplesPerStep
	p.bar.Describe(fmt.Sprintf("epoch %*d/%d  loss %.4g", len(strconv.Itoa(p.epochs)), b.Epoch, p.epochs, p.sum/float64(p.seen)))
	_ = p.bar.Add(b.ExamplesPerStep)
}

// note writes a line of its own (a warning), clearing the bar first; the
// bar comes back with the next batch.
func (p *trainProgress) note(msg string) {
	if p.bar != nil {
		_ = p.bar.Clear()
	}
	fmt.Fprintln(p.w, msg)
}

// epoch clears the bar and writes the epoch's line (train.Config.OnEpoch).
func (p *trainProgress) epoch(e train.Epoch) error {
	if p.bar != nil {
		_ = p.bar.Finish() // clears the bar (OptionClearOnFinish)
		p.bar = nil
	}
	line := fmt.Sprintf("epoch %*d/%d  train_loss %.6g", len(strconv.Itoa(p.epochs)), e.Epoch, p.epochs, e.TrainLoss)
	if !math.IsNaN(e.ValLoss) {
		line += fmt.Sprintf("  val_loss %.6g", e.ValLoss)
	}
	if !math.IsNaN(e.ValAccuracy) {
		line += fmt.Sprintf("  val_accuracy %.4f", e.ValAccuracy)
	}
	fmt.Fprintf(p.w, "%s  lr %.4g\n", line, e.LR)
	return nil
}
