// Package workers runs the chunks of a parallel loop on the calling
// goroutine and long-lived helper goroutines (matrix products in
// internal/gemm, large elementwise kernels in tensor). Chunks are claimed in
// turn by whichever goroutine is free, so a helper that starts late, or is
// busy with another loop, delays little: the others take its chunks. A loop
// allocates nothing once the helpers exist.
package workers

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// helperSpin is how long a helper that has run out of work keeps looking
// for more before it parks. Waking a parked goroutine on an idle core took
// 80–300 µs on the 2-vCPU virtual machine we measured (the scheduler wakes
// an OS thread, the hypervisor a virtual CPU): as long as a whole
// 64×784×128 product takes on one core. A spinning helper starts in under
// a µs. OpenBLAS's threads spin the same way. The spin yields the core to
// any other runnable goroutine (runtime.Gosched), and it only follows a
// parallel loop, which kept the helper busy.
const helperSpin = 50 * time.Microsecond

// A job is what a helper is offered: one parallel loop to work on (see
// task). A helper that picks it up late finds no chunks left, and the task
// stays out of its pool until the helper lets go.
type job struct{ w interface{ run() } }

// A helper is a long-lived goroutine that runs the jobs offered to it.
type helper struct {
	next   atomic.Pointer[job] // the job to run next; nil: none
	parked atomic.Bool         // blocked on wake
	wake   chan struct{}       // capacity 1
}

var helpers struct {
	sync.Mutex
	all []*helper
}

// getHelpers returns n helpers, starting the ones that do not exist yet.
func getHelpers(n int) []*helper {
	helpers.Lock()
	defer helpers.Unlock()
	for len(helpers.all) < n {
		h := &helper{wake: make(chan struct{}, 1)}
		go h.loop()
		helpers.all = append(helpers.all, h)
	}
	return helpers.all[:n]
}

// offer gives j to h unless h already has a job waiting (another loop's:
// then the caller's goroutines do h's share), and reports whether h took it.
func (h *helper) offer(j *job) bool {
	if !h.next.CompareAndSwap(nil, j) {
		return false
	}
	if h.parked.Load() {
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
	return true
}

func (h *helper) loop() {
	for {
		h.wait().w.run()
	}
}

// wait returns the next job: it spins for helperSpin, then parks until
// offer wakes it.
func (h *helper) wait() *job {
	deadline := time.Now().Add(helperSpin)
	for {
		if j := h.next.Swap(nil); j != nil {
			return j
		}
		if time.Now().Before(deadline) {
			runtime.Gosched()
			continue
		}
		// Announce the parking, then look again: an offer made before the
		// announcement is seen here, one made after it sends a wake-up.
		h.parked.Store(true)
		if j := h.next.Swap(nil); j != nil {
			h.parked.Store(false)
			return j
		}
		<-h.wake
		h.parked.Store(false)
		deadline = time.Now().Add(helperSpin)
	}
}

// Body is the body of a parallel loop: Chunk(i) does chunk i. Chunks of one
// loop may run at the same time on different goroutines.
type Body interface{ Chunk(i int) }

// Do runs body.Chunk(i) for every i in [0, n), on the calling goroutine and
// up to p−1 helpers, and returns when all have run. With p ≤ 1 or n ≤ 1 the
// calling goroutine runs them in order. Do allocates nothing once the
// helpers have started; body is not used after Do returns.
func Do(p, n int, body Body) {
	if p <= 1 || n <= 1 {
		for i := range n {
			body.Chunk(i)
		}
		return
	}
	t := getTask()
	t.body, t.n = body, int64(n)
	t.next.Store(0)
	t.done.Store(0)
	t.refs.Store(1) // the caller's
	for _, h := range getHelpers(min(p, n) - 1) {
		t.refs.Add(1)
		if !h.offer(&t.job) {
			t.refs.Add(-1)
		}
	}
	t.chunks()
	for t.done.Load() < t.n { // chunks still running on helpers
		runtime.Gosched()
	}
	t.release()
}

// task is the shared state of one parallel loop: its body and counters of
// the chunks handed out and done. Tasks are pooled; refs counts the
// goroutines that may still touch one (the caller, and every helper it was
// offered to), and the last to let go returns it. A helper that takes the
// task after its chunks are gone reads only the counters, never the body.
type task struct {
	job  // what helpers are offered; job.w is the task itself
	body Body
	n    int64
	next atomic.Int64
	done atomic.Int64
	refs atomic.Int32
}

// run is what a helper does with the task: its share of the chunks, then
// let go.
func (t *task) run() {
	t.chunks()
	t.release()
}

// chunks runs chunks until none is left.
func (t *task) chunks() {
	for {
		i := t.next.Add(1) - 1
		if i >= t.n {
			return
		}
		t.body.Chunk(int(i))
		t.done.Add(1)
	}
}

// release lets go of the task; the last one puts it back on the free list,
// without its body.
func (t *task) release() {
	if t.refs.Add(-1) == 0 {
		t.body = nil
		select {
		case freeTasks <- t:
		default: // full: let the collector have it
		}
	}
}

// freeTasks keeps idle tasks. It is a channel, not a sync.Pool: a pool
// hands an item put by another goroutine's processor only after a detour
// that often misses it (tasks are mostly let go by helpers and taken again
// by callers), and it empties at garbage collections.
var freeTasks = make(chan *task, 16)

// getTask returns an idle task from the free list, or a new one.
func getTask() *task {
	select {
	case t := <-freeTasks:
		return t
	default:
	}
	t := new(task)
	t.job.w = t
	return t
}
