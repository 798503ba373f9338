package tensor

import (
	"fmt"
	"slices"
	"unsafe"
)

// Arena is reusable memory for tensors that live for one step of a loop (the
// activations and gradients of one training step). A tensor made by an Arena
// (New, View, FullLike of one of its tensors) belongs to it, and so does the
// result of every operation with an operand that belongs to it: the header,
// the shape and strides and the elements all come from the arena. Reset
// recycles all of it at once, so after the first step a loop that computes
// the same shapes each time allocates nothing.
//
// Why routing by operand rather than an extra argument to every operation:
// the allocating API stays as it is, each operation keeps one implementation
// (it asks its operands where its result goes), and no global state decides
// where memory comes from. Operations whose operands are all ordinary
// tensors (a model's weights, say) allocate ordinarily.
//
// A tensor of an Arena must not be used after the Arena's next Reset: its
// memory is handed out again. The arena alternates between two sets of
// memory, so a tensor kept from the step that Reset ended still holds its
// old values and is refused with a panic by every operation and accessor
// (Data, Item, At, Set, Shape …); a tensor kept across two Resets may
// already share memory with a new tensor. Clone what must outlive a step
// (Clone always allocates ordinary memory).
//
// An arena keeps the memory of its largest step. Results whose element type
// differs from the arena's (Convert) and results of operations without
// tensor operands (the package-level New, Full, Rand …) are ordinary memory.
//
// The zero value is ready to use. An Arena belongs to one goroutine at a time.
type Arena[T Float] struct {
	gen  uint32       // the generation being handed out; Reset increments it
	sets [2]memory[T] // sets[gen&1] serves the current generation
}

// memory is one set of an Arena's chunks.
type memory[T Float] struct {
	data    bump[T]
	ints    bump[int]
	headers bump[Tensor[T]]
}

// bump hands out consecutive pieces of reusable chunks. Reset rewinds it; as
// a loop asks for the same sizes in the same order each step, it then gives
// out the same pieces again without allocating.
type bump[E any] struct {
	chunks [][]E
	c, off int // current chunk and the offset in it
}

// chunkBytes is the least size of a chunk.
const chunkBytes = 64 << 10

// take returns n elements (not cleared).
func (b *bump[E]) take(n int) []E {
	for b.c < len(b.chunks) {
		if ch := b.chunks[b.c]; b.off+n <= len(ch) {
			s := ch[b.off : b.off+n : b.off+n]
			b.off += n
			return s
		}
		b.c++
		b.off = 0
	}
	var e E
	ch := make([]E, max(n, chunkBytes/int(unsafe.Sizeof(e))))
	b.chunks = append(b.chunks, ch)
	b.c, b.off = len(b.chunks)-1, n
	return ch[:n:n]
}

func (b *bump[E]) reset() { b.c, b.off = 0, 0 }

// Reset starts a new step: the tensors handed out so far are retired (see
// Arena), and the memory retired one Reset earlier is handed out again.
func (a *Arena[T]) Reset() {
	a.gen++
	m := &a.sets[a.gen&1]
	m.data.reset()
	m.ints.reset()
	m.headers.reset()
}

// New returns a zero-filled tensor of the given shape in the arena; on a nil
// *Arena it is the package-level New.
func (a *Arena[T]) New(shape ...int) *Tensor[T] {
	t := a.Scratch(shape...)
	clear(t.data)
	return t
}

// Scratch is New without the zero fill: the elements hold whatever the
// arena's memory last held (values of an earlier step). It is for a tensor
// about to be overwritten entirely, such as a batch gathered from a data
// set or the result of a product, and saves a pass over its memory. On a
// nil *Arena it is the package-level New.
func (a *Arena[T]) Scratch(shape ...int) *Tensor[T] {
	if a == nil {
		return New[T](shape...)
	}
	n := checkShape("New", shape)
	t := a.header(nil, shape, nil, 0)
	if n == 1 {
		t.data = t.one[:]
	} else {
		t.data = a.sets[a.gen&1].data.take(n)
	}
	return t
}

// View returns a tensor of the arena that shares t's elements, shape and
// strides: operations on it put their results in the arena. Use it for the
// inputs of a step (a batch of data). Writes through either show in both.
func (a *Arena[T]) View(t *Tensor[T]) *Tensor[T] {
	t.live()
	return a.header(t.data, t.shape, t.strides, t.offset)
}

// header returns a tensor header with copies of shape and strides (strides
// nil: contiguous), in a or, for a nil a, in ordinary memory.
func (a *Arena[T]) header(data []T, shape, strides []int, offset int) *Tensor[T] {
	if a == nil {
		t := &Tensor[T]{data: data, offset: offset}
		t.setDims(shape, strides, nil)
		return t
	}
	m := &a.sets[a.gen&1]
	t := &m.headers.take(1)[0]
	*t = Tensor[T]{data: data, offset: offset, arena: a, gen: a.gen}
	t.setDims(shape, strides, &m.ints)
	return t
}

// Arena returns the arena t belongs to, or nil for an ordinary tensor.
func (t *Tensor[T]) Arena() *Arena[T] {
	t.live()
	return t.arena
}

// live panics if t belongs to an arena that has been Reset since t was made.
func (t *Tensor[T]) live() {
	if t.arena != nil && t.gen != t.arena.gen {
		stale(t.shape, t.gen, t.arena.gen)
	}
}

// stale panics about a tensor of an Arena used after its Reset (kept out of
// live so that the check inlines).
func stale(shape []int, made, now uint32) {
	panic(fmt.Sprintf("tensor: a tensor of shape %v from an Arena is used after the arena's Reset (made in generation %d, now %d): its memory is recycled; Clone what must outlive a step", slices.Clone(shape), made, now))
}

// arenaOf returns the arena where the result of an operation on a and b goes
// (a's, else b's, else nil), checking that neither is stale. b may be nil.
func arenaOf[T Float](a, b *Tensor[T]) *Arena[T] {
	a.live()
	if a.arena != nil {
		if b != nil {
			b.live()
		}
		return a.arena
	}
	if b != nil {
		b.live()
		return b.arena
	}
	return nil
}

// FullLike returns a contiguous tensor of t's shape filled with v, in t's
// arena if t belongs to one.
func FullLike[T Float](t *Tensor[T], v T) *Tensor[T] {
	out := arenaOf(t, nil).New(t.shape...)
	if v != 0 {
		for i := range out.data {
			out.data[i] = v
		}
	}
	return out
}

// AppendShape appends t's shape to dst and returns it: the shape without an
// allocation when dst has room (e.g. a stack array's slice).
func (t *Tensor[T]) AppendShape(dst []int) []int {
	t.live()
	return append(dst, t.shape...)
}

// maxStackDims is the number of axes for which operations keep their
// temporary index arrays on the stack.
const maxStackDims = 8

// scratchInts returns buf[:n] when it fits, else a new slice: temporary index
// arrays of operations stay on the stack for up to maxStackDims axes.
func scratchInts(buf *[maxStackDims]int, n int) []int {
	if n <= len(buf) {
		s := buf[:n]
		clear(s)
		return s
	}
	return make([]int, n)
}
