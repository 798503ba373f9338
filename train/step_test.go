package train

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/nabla-go/nabla/tensor"
)

// TestArenaStepBitIdentical trains the MLP of BenchmarkTrainStepMLP784 for a
// few steps with and without an autodiff.Arena: the logits, the loss, every
// gradient and every parameter must agree bit for bit at every step.
func TestArenaStepBitIdentical(t *testing.T) {
	t.Run("float32", func(t *testing.T) { arenaBitIdentical[float32](t) })
	t.Run("float64", func(t *testing.T) { arenaBitIdentical[float64](t) })
}

func arenaBitIdentical[T tensor.Float](t *testing.T) {
	heap, arena := newMLPStep[T](32, false), newMLPStep[T](32, true)
	for step := range 5 {
		lh, yh := heap.run()
		la, ya := arena.run()
		if lh != la {
			t.Fatalf("step %d: loss %v with an arena, %v without", step, la, lh)
		}
		if !slices.Equal(yh.Value().Data(), ya.Value().Data()) {
			t.Fatalf("step %d: the logits differ with an arena", step)
		}
		ph, pa := heap.model.Params(), arena.model.Params()
		for i := range ph {
			if !slices.Equal(ph[i].Grad().Data(), pa[i].Grad().Data()) {
				t.Fatalf("step %d: the gradient of %s differs with an arena", step, ph[i].Name())
			}
			if !slices.Equal(ph[i].Value().Data(), pa[i].Value().Data()) {
				t.Fatalf("step %d: %s differs with an arena after the update", step, ph[i].Name())
			}
		}
	}
}

// TestArenaStepAllocatesNothing: once the arena has grown to a step's size, a
// training step (zero grad, forward, backward, SGD update) allocates nothing.
func TestArenaStepAllocatesNothing(t *testing.T) {
	for _, batch := range []int{64, 256} {
		t.Run(fmt.Sprintf("float32/batch%d", batch), func(t *testing.T) { arenaAllocs[float32](t, batch) })
		t.Run(fmt.Sprintf("float64/batch%d", batch), func(t *testing.T) { arenaAllocs[float64](t, batch) })
	}
}

func arenaAllocs[T tensor.Float](t *testing.T, batch int) {
	s := newMLPStep[T](batch, true)
	s.run() // the first steps grow the arena and the parameters' gradient buffers
	s.run()
	if n := testing.AllocsPerRun(10, func() { s.run() }); n != 0 {
		t.Errorf("a training step in an arena allocates %v times, want 0", n)
	}
	// AllocsPerRun runs with GOMAXPROCS 1; count again with the products
	// shared among goroutines.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	s.run()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const steps = 10
	for range steps {
		s.run()
	}
	runtime.ReadMemStats(&after)
	if n := float64(after.Mallocs-before.Mallocs) / steps; n >= 0.5 {
		t.Errorf("with GOMAXPROCS 2, a training step in an arena allocates %.1f times, want 0", n)
	}
}

// TestArenaStepStaleLogits: logits kept from a step are refused after the
// arena's Reset, with a message that says so.
func TestArenaStepStaleLogits(t *testing.T) {
	s := newMLPStep[float64](8, true)
	_, logits := s.run()
	s.run()
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "used after the arena's Reset") {
			t.Fatalf("reading stale logits: got panic %q, want one about the Reset", msg)
		}
	}()
	logits.Value()
}
