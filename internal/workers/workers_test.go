package workers

import (
	"runtime"
	"sync/atomic"
	"testing"
)

// counts records how often each chunk ran.
type counts struct{ ran []atomic.Int32 }

func (c *counts) Chunk(i int) { c.ran[i].Add(1) }

// check fails unless every chunk ran once.
func (c *counts) check(t *testing.T, p, n int) {
	t.Helper()
	for i := range c.ran {
		if got := c.ran[i].Load(); got != 1 {
			t.Fatalf("p=%d n=%d: chunk %d ran %d times", p, n, i, got)
		}
	}
}

// TestDoRunsEveryChunkOnce, whatever p and n, also with several loops at
// once competing for the helpers; and a loop allocates nothing once the
// helpers exist.
func TestDoRunsEveryChunkOnce(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	for _, p := range []int{0, 1, 2, 3, 8} {
		for _, n := range []int{0, 1, 2, 5, 64, 1000} {
			done := make(chan *counts)
			for range 3 {
				go func() {
					c := &counts{make([]atomic.Int32, n)}
					Do(p, n, c)
					done <- c
				}()
			}
			c := &counts{make([]atomic.Int32, n)}
			Do(p, n, c)
			c.check(t, p, n)
			for range 3 {
				(<-done).check(t, p, n)
			}
		}
	}
	c := &counts{make([]atomic.Int32, 64)}
	Do(2, 64, c)
	if a := testing.AllocsPerRun(50, func() { Do(2, 64, c) }); a != 0 && !raceEnabled {
		t.Errorf("Do allocates %v times, want 0", a)
	}
}
