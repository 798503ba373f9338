package gemm

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
// parallel product, which kept the helper busy for longer than this.
const helperSpin = 50 * time.Microsecond

// A job is what a helper is offered: one parallel product to work on (see
// product in driver.go). A helper that picks it up late finds no chunks
// left, and the product stays out of its pool until the helper lets go.
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

// offer gives j to h unless h already has a job waiting (another product's:
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
