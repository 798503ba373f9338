package tensor

import (
	"runtime"

	"github.com/nabla-go/nabla/internal/vec"
	"github.com/nabla-go/nabla/internal/workers"
)

// parallelMin is the length from which the SIMD loops of an elementwise
// operation on float32 or float64 run on several goroutines
// (internal/workers), in chunks of parallelChunk elements. Each element is
// computed exactly as in one loop, so results do not depend on GOMAXPROCS.
// Below it (2 MB of float64) starting the helpers costs about what they
// save.
const parallelMin = 1 << 18

// parallelChunk is the number of elements of one chunk (512 KB of float64
// per operand): large enough that claiming it costs nothing in comparison,
// small enough that a helper starting late still finds chunks to take.
const parallelChunk = 1 << 16

// kernel names an elementwise SIMD loop of internal/vec.
type kernel uint8

const (
	kAdd       kernel = iota // dst = x + y
	kSub                     // dst = x − y
	kMul                     // dst = x · y
	kDiv                     // dst = x / y
	kAddScalar               // dst = x + c
	kMulScalar               // dst = c · x
	kReLU                    // dst = max(x, 0)
	kStep                    // dst = [x > 0]
	kReLUMask                // dst = x · [y > 0]
	kExp                     // dst = eˣ (vec.Exp)
	kLog                     // dst = log x (vec.Log)
	kMulScaled               // dst = c · (x · y), x or y possibly of length 1
	kCopy                    // dst = x
)

// kernelJob is one call of a kernel, which workers.Do runs chunk by chunk.
type kernelJob[T vec.Float] struct {
	k         kernel
	dst, x, y []T
	c         T
}

// Chunk runs the kernel on chunk i.
func (j *kernelJob[T]) Chunk(i int) {
	lo := i * parallelChunk
	j.run(lo, min(lo+parallelChunk, len(j.dst)))
}

// run runs the kernel on elements [lo, hi).
func (j *kernelJob[T]) run(lo, hi int) {
	d := j.dst[lo:hi]
	switch j.k {
	case kAdd:
		vec.Add(d, j.x[lo:hi], j.y[lo:hi])
	case kSub:
		vec.Sub(d, j.x[lo:hi], j.y[lo:hi])
	case kMul:
		vec.Mul(d, j.x[lo:hi], j.y[lo:hi])
	case kDiv:
		vec.Div(d, j.x[lo:hi], j.y[lo:hi])
	case kAddScalar:
		vec.AddScalar(d, j.x[lo:hi], j.c)
	case kMulScalar:
		vec.MulScalar(d, j.x[lo:hi], j.c)
	case kReLU:
		vec.ReLU(d, j.x[lo:hi])
	case kStep:
		vec.Step(d, j.x[lo:hi])
	case kReLUMask:
		vec.ReLUMask(d, j.x[lo:hi], j.y[lo:hi])
	case kExp:
		vec.Exp(d, j.x[lo:hi])
	case kLog:
		vec.Log(d, j.x[lo:hi])
	case kMulScaled:
		x, y := j.x, j.y
		if len(x) == len(j.dst) {
			x = x[lo:hi]
		}
		if len(y) == len(j.dst) {
			y = y[lo:hi]
		}
		mulScaledBlocks(d, x, y, j.c)
	case kCopy:
		copy(d, j.x[lo:hi])
	}
}

// mulScaledBlocks sets dst = c·(x·y), x or y possibly of length 1, block by
// block with the kernels of Mul and then of Scale, in their operand order:
// the bits of the two passes, with the product still in cache when it is
// scaled.
func mulScaledBlocks[T vec.Float](dst, x, y []T, c T) {
	for lo := 0; lo < len(dst); lo += block {
		hi := min(lo+block, len(dst))
		d := dst[lo:hi]
		switch {
		case len(x) == len(dst) && len(y) == len(dst):
			vec.Mul(d, x[lo:hi], y[lo:hi])
		case len(x) == len(dst):
			vec.MulScalar(d, x[lo:hi], y[0])
		default:
			vec.MulScalar(d, y[lo:hi], x[0])
		}
		vec.MulScalar(d, d, c)
	}
}

// runKernel runs kernel k on dst (of any length) and its operands, on
// several goroutines from parallelMin elements.
func runKernel[T vec.Float](k kernel, dst, x, y []T, c T) {
	p := runtime.GOMAXPROCS(0)
	if len(dst) < parallelMin || p < 2 {
		j := kernelJob[T]{k: k, dst: dst, x: x, y: y, c: c}
		j.run(0, len(dst))
		return
	}
	pool := kernelJobs[T]()
	var j *kernelJob[T]
	select {
	case j = <-pool:
	default:
		j = new(kernelJob[T])
	}
	*j = kernelJob[T]{k: k, dst: dst, x: x, y: y, c: c}
	workers.Do(p, (len(dst)+parallelChunk-1)/parallelChunk, j)
	*j = kernelJob[T]{} // no references to the operands while idle
	select {
	case pool <- j:
	default:
	}
}

// Idle kernelJobs by element type: workers.Do keeps its body only until it
// returns, so a job is reused at once.
var (
	kernelJobs32 = make(chan *kernelJob[float32], 8)
	kernelJobs64 = make(chan *kernelJob[float64], 8)
)

func kernelJobs[T vec.Float]() chan *kernelJob[T] {
	if c, ok := any(kernelJobs32).(chan *kernelJob[T]); ok {
		return c
	}
	return any(kernelJobs64).(chan *kernelJob[T])
}
