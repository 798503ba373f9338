package tensor

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Products of matrices are cut into tiles that a fixed set of worker
// goroutines computes together with the caller. The workers (GOMAXPROCS−1 at
// the first large product) are started once and the bookkeeping of each
// product is recycled, so a product costs no allocation (gonum's own
// parallel kernel starts goroutines per call). Every tile is gonum's serial
// kernel with the whole inner sum, so the result does not depend on how
// the tiles are shared out (TestMatMulTilesMatchSerial).

// tileJob is what the workers are sent: a share in a product being computed.
type tileJob interface{ work() }

// tiled is the shared state of one product: workers and the caller take
// tiles from next until none is left.
type tiled[T Float] struct {
	g     gemmArgs[T] // a copy: the caller's stays on its stack
	tiles int32
	next  atomic.Int32
	wg    sync.WaitGroup
}

// work computes tiles until none is left.
func (j *tiled[T]) work() {
	for {
		t := j.next.Add(1) - 1
		if t >= j.tiles {
			return
		}
		j.g.tile(int(t))
	}
}

var (
	startWorkers sync.Once
	jobs         chan tileJob // to the workers
	workers      int
)

// freeTiled keeps the idle bookkeeping of products for reuse, by element type.
var (
	freeTiled32 = make(chan *tiled[float32], 16)
	freeTiled64 = make(chan *tiled[float64], 16)
)

// runTiles computes the tiles of g on the caller and up to GOMAXPROCS−1
// workers, returning when all are done.
func runTiles[T Float](g *gemmArgs[T], tiles int) {
	startWorkers.Do(func() {
		workers = runtime.GOMAXPROCS(0) - 1
		jobs = make(chan tileJob, 4*max(workers, 1))
		for range workers {
			go func() {
				for j := range jobs {
					j.work()
				}
			}()
		}
	})
	helpers := min(workers, tiles-1)
	if helpers <= 0 {
		for t := range tiles {
			g.tile(t)
		}
		return
	}
	j := getTiled[T]()
	j.g, j.tiles = *g, int32(tiles)
	j.next.Store(0)
	j.wg.Add(helpers)
	for range helpers {
		jobs <- helper[T]{j}
	}
	j.work()
	j.wg.Wait()
	j.g = gemmArgs[T]{} // drop the references to the operands
	putTiled(j)
}

// helper is what a worker is sent: it works on the product, then says so.
type helper[T Float] struct{ j *tiled[T] }

func (h helper[T]) work() {
	h.j.work()
	h.j.wg.Done()
}

// freeList returns the pool for T (nil, i.e. no pooling, for a named float type).
func freeList[T Float]() chan *tiled[T] {
	if c, ok := any(freeTiled32).(chan *tiled[T]); ok {
		return c
	}
	c, _ := any(freeTiled64).(chan *tiled[T])
	return c
}

func getTiled[T Float]() *tiled[T] {
	select {
	case j := <-freeList[T]():
		return j
	default:
		return new(tiled[T])
	}
}

func putTiled[T Float](j *tiled[T]) {
	select {
	case freeList[T]() <- j:
	default:
	}
}
