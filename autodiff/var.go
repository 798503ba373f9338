// Package autodiff computes exact derivatives of tensor programs by reverse
// mode (backpropagation), with forward-mode products, Hessians and
// Hessian-vector products built on it.
//
// A *Var wraps a tensor and remembers the operation that made it. Leaves come
// from Param (differentiable) and Const (not); every operation in this package
// returns a new Var whose backward rule — its vector-Jacobian product — is
// written next to its forward computation. Backward seeds the output with 1 and
// walks the graph in reverse topological order, accumulating each Var's
// gradient; a Var used twice just receives two contributions.
//
// Backward rules are written with the same differentiable operations, so with
// CreateGraph the gradient is itself a graph that can be differentiated again:
// Hessians and Hessian-vector products are exact, not finite differences.
//
// A training loop that builds the same graph at every step can take the
// memory of each step from an Arena, reset at the start of the step: then a
// step allocates nothing and results are unchanged. The gradient of a leaf
// lives in a buffer of the leaf that passes add into in place (see Grad).
//
// Several goroutines may build graphs from the same leaves (Param, Const) at
// once, but a backward pass writes bookkeeping into every Var it reaches,
// leaves included: run passes that share Vars one at a time. A Var computed
// by an operation belongs to one goroutine at a time.
package autodiff

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/nabla-go/nabla/tensor"
)

// Float is the element type: float32 or float64.
type Float = tensor.Float

// Var is a node of the computation graph: a value, how it was computed, and,
// after Backward, the gradient of the output with respect to it.
type Var[T Float] struct {
	// value is the Var's tensor. A scalar computed by an operation keeps its
	// number in s and leaves value nil until someone asks for the tensor
	// (see val): a chain of scalar operations then moves no tensor headers.
	value *tensor.Tensor[T]
	s     T
	grad  *Var[T]
	fn    op[T]      // the operation that made v; nil for leaves
	in    [2]*Var[T] // fn's first nin inputs, kept only when v records a graph
	// pending is the gradient being accumulated during a backward pass.
	pending      *Var[T]
	k            T // the constant of ops like Scale and AddConst
	slab         *slab[T]
	extra        *extra[T] // rarely used fields, kept out of the hot node
	mark         uint32    // visit mark of the current graph walk
	nin          uint8
	flags        uint8 // a small parameter of fn (MatMul's transposes)
	requiresGrad bool
	// noRecord marks gradients flowing through a first-order backward pass:
	// operations on them record nothing, so Backward builds no second graph.
	noRecord bool
}

// extra holds what few Vars need: a name, the inputs of operations with
// more than two (Concat, Stack), the parameters of recorded operations that
// have some (Sum's axes, TakeAlong's indices, Slice's window), and a leaf's
// gradient buffer.
// Keeping them out of Var keeps a scalar node at 96 bytes, which is what a
// long chain of scalar operations costs. The extra of a node in an Arena
// comes from the arena too.
type extra[T Float] struct {
	name string
	more []*Var[T]
	// axes is the set of reduced axes of Sum (bit i: axis i).
	axes uint64
	// axis and idx are TakeAlong's and PutAlong's axis and indices; axis is
	// also LogSoftmax's, idx SoftmaxCrossEntropy's labels; axis, before and
	// after are Slice's and Pad's axis and the sizes around the window.
	axis          int
	idx           []int
	before, after int
	// gradBuf is the leaf's own gradient storage (see accumulate).
	gradBuf *Var[T]
}

// ins returns the inputs v records (none for leaves and unrecorded results).
func (v *Var[T]) ins() []*Var[T] {
	if v.extra != nil && v.extra.more != nil {
		return v.extra.more
	}
	return v.in[:v.nin]
}

// op is a primitive operation: its name and its backward rule. Each primitive
// is a zero-size type defined next to the function that computes it, so
// recording a node allocates nothing beyond the node.
type op[T Float] interface {
	name() string
	// vjp writes into grads[i] the gradient with respect to out.ins()[i]
	// given the upstream gradient g of out (nil: no contribution). It is built
	// from differentiable operations, so it can be differentiated again.
	vjp(out, g *Var[T], grads []*Var[T])
}

// kinked is implemented by operations with kinks (relu, abs, max …): branch
// describes on which side of each kink the inputs of out lie; see Branches.
type kinked[T Float] interface {
	branch(out *Var[T]) string
}

// Param returns a leaf Var that requires gradients (a variable or a weight).
func Param[T Float](t *tensor.Tensor[T]) *Var[T] {
	return &Var[T]{value: t, requiresGrad: true}
}

// Const returns a leaf Var that is not differentiated (data, labels, fixed numbers).
func Const[T Float](t *tensor.Tensor[T]) *Var[T] { return &Var[T]{value: t} }

// Scalar returns a constant 0-dimensional Var holding v.
func Scalar[T Float](v T) *Var[T] { return Const(tensor.Scalar(v)) }

// Value returns the tensor this Var holds.
func (v *Var[T]) Value() *tensor.Tensor[T] {
	v.live()
	return v.val()
}

// val returns v's tensor, making it first if v is a lazy scalar (in the
// tensor memory of v's arena, if it has one).
func (v *Var[T]) val() *tensor.Tensor[T] {
	if v.value == nil {
		if s := v.slab; s != nil && s.arena != nil && s.arena.tensors != nil {
			v.value = s.arena.tensors.New()
			v.value.Data()[0] = v.s
		} else {
			v.value = tensor.Scalar(v.s)
		}
	}
	return v.value
}

// isScalar reports whether v holds a 0-dimensional value.
func (v *Var[T]) isScalar() bool { return v.value == nil || v.value.Dims() == 0 }

// Item returns the value of a one-element Var.
func (v *Var[T]) Item() T {
	v.live()
	return v.item()
}

// item is Item for operations, whose inputs newNode has checked.
func (v *Var[T]) item() T {
	if v.value == nil {
		return v.s
	}
	return v.value.Item()
}

// Shape returns the shape of the value.
func (v *Var[T]) Shape() []int {
	if v.value == nil {
		return []int{}
	}
	return v.value.Shape()
}

// Grad returns the gradient accumulated by Backward, or nil if none reached v.
//
// After a first-order pass the gradient of a leaf is the leaf's own buffer,
// which later passes add into in place, and which the first pass after
// ZeroGrad overwrites: Clone the tensor to keep a gradient beyond that.
func (v *Var[T]) Grad() *tensor.Tensor[T] {
	v.live()
	if v.grad == nil {
		return nil
	}
	v.grad.live()
	return v.grad.val()
}

// GradVar returns the accumulated gradient as a Var. After a backward pass
// with CreateGraph it carries its own graph and can be differentiated again.
func (v *Var[T]) GradVar() *Var[T] { return v.grad }

// ZeroGrad forgets the accumulated gradient: Grad returns nil until the next
// backward pass reaches v, and optimisers skip v meanwhile. The storage is
// kept, and the next first-order pass writes v's gradient into it instead of
// allocating (PyTorch's zero_grad(set_to_none=False) saves the allocation
// the same way, but leaves zeros that an optimiser with momentum or weight
// decay would then apply; forgetting keeps set_to_none's semantics).
func (v *Var[T]) ZeroGrad() { v.grad = nil }

// RequiresGrad reports whether gradients flow to v.
func (v *Var[T]) RequiresGrad() bool { return v.requiresGrad }

// SetRequiresGrad switches gradient recording for a leaf on or off (a frozen
// weight). It panics on a Var computed by an operation.
func (v *Var[T]) SetRequiresGrad(on bool) {
	if v.fn != nil {
		panic(fmt.Sprintf("autodiff: SetRequiresGrad on the result of %q; only leaves (Param, Const) can be switched — use Detach", v.Op()))
	}
	v.requiresGrad = on
}

// Op returns the name of the operation that produced v, or "param" / "const"
// for leaves.
func (v *Var[T]) Op() string {
	switch {
	case v.fn != nil:
		return v.fn.name()
	case v.requiresGrad:
		return "param"
	}
	return "const"
}

// Inputs returns the Vars v was computed from (nil for leaves).
func (v *Var[T]) Inputs() []*Var[T] { return slices.Clone(v.ins()) }

// Name returns the name given by SetName, or "".
func (v *Var[T]) Name() string {
	if v.extra == nil {
		return ""
	}
	return v.extra.name
}

// SetName names v for error messages and reports (e.g. "layer1.weight") and returns v.
func (v *Var[T]) SetName(name string) *Var[T] {
	v.params().name = name
	return v
}

// params returns v's extra, making it (in v's arena, if any) when v has none.
func (v *Var[T]) params() *extra[T] {
	if v.extra == nil {
		if v.slab != nil && v.slab.arena != nil {
			v.extra = v.slab.arena.newExtra()
		} else {
			v.extra = new(extra[T])
		}
	}
	return v.extra
}

// Detach returns a constant Var sharing v's value with no history: gradients
// stop there.
func (v *Var[T]) Detach() *Var[T] { return &Var[T]{value: v.val(), s: v.s} }

// String prints the op, the value and, if any, the gradient.
func (v *Var[T]) String() string {
	var b strings.Builder
	if name := v.Name(); name != "" {
		fmt.Fprintf(&b, "%s ", name)
	}
	fmt.Fprintf(&b, "%s: %v", v.Op(), v.val())
	if v.grad != nil {
		fmt.Fprintf(&b, " grad=%v", v.grad.val())
	}
	return b.String()
}

// NoGrad runs f with gradient recording switched off for params, and restores
// their previous setting afterwards (even if f panics). Operations inside f
// whose inputs are only these params and constants build no graph: use it for
// evaluation or for in-place updates. It affects exactly the given Vars, so
// other goroutines' graphs are untouched.
func NoGrad[T Float](f func(), params ...*Var[T]) {
	saved := make([]bool, len(params))
	for i, p := range params {
		saved[i] = p.requiresGrad
		p.requiresGrad = false
	}
	defer func() {
		for i, p := range params {
			p.requiresGrad = saved[i]
		}
	}()
	f()
}

// slabSize is how many nodes are allocated at once.
const slabSize = 64

// slab is a block of nodes allocated together: a chain of scalar operations
// then costs one allocation per slabSize steps instead of one per step, and
// the garbage collector tracks one object instead of slabSize. A node is
// taken from the slab of an input (atomically, so graphs that share a Var may
// grow from several goroutines), else from a fresh slab. A slab lives as long
// as any of its nodes: at most slabSize−1 neighbours from the same graph stay
// reachable a little longer.
type slab[T Float] struct {
	used  atomic.Int32 // nodes handed out, for slabs of graphs
	taken int32        // nodes handed out, for arena slabs (one owner: no atomics)
	gen   uint32       // for arena slabs: the generation it was handed out in
	arena *arena[T]    // set when the slab is memory of an arena
	clock *uint32      // the owning Arena's generation; &ageless for other slabs
	nodes [slabSize]Var[T]
}

// arena is node memory reused from one pass or step to the next: the scratch
// memory of a first-order backward pass (whose gradients record nothing and
// die with it), or one of the two sets of an Arena.
type arena[T Float] struct {
	slabs  []*slab[T]
	cur    int
	extras [][]extra[T] // chunks of extraChunk
	ecur   int          // extras handed out
	// clock points to the owning Arena's generation; nil for scratch.
	clock *uint32
	// tensors is where lazy scalars of these nodes make their tensors: the
	// Arena's tensor memory, or for scratch that of the pass's output.
	tensors *tensor.Arena[T]
	gen     uint32 // the generation this set serves (Arena sets)
}

const extraChunk = 64

// ageless is the generation of slabs outside Arenas: always 0, as theirs.
var ageless uint32

// slabClock is the clock of the arena's slabs (see slab.clock).
func (a *arena[T]) slabClock() *uint32 {
	if a.clock == nil {
		return &ageless
	}
	return a.clock
}

// current returns the slab being filled, adding one when it is full.
func (a *arena[T]) current() *slab[T] {
	if len(a.slabs) == 0 {
		a.slabs = append(a.slabs, &slab[T]{arena: a, gen: a.gen, clock: a.slabClock()})
	}
	if a.slabs[a.cur].taken >= slabSize {
		a.cur++
		if a.cur == len(a.slabs) {
			a.slabs = append(a.slabs, &slab[T]{arena: a, clock: a.slabClock()})
		}
		a.slabs[a.cur].gen = a.gen
	}
	return a.slabs[a.cur]
}

// node returns a zeroed node from the arena.
func (a *arena[T]) node() *Var[T] {
	s := a.current()
	n := &s.nodes[s.taken]
	s.taken++
	if a.clock != nil { // Arena nodes are cleared when reused, see reset
		*n = Var[T]{}
	}
	n.slab = s
	return n
}

// newExtra returns a zeroed extra from the arena.
func (a *arena[T]) newExtra() *extra[T] {
	c, i := a.ecur/extraChunk, a.ecur%extraChunk
	if c == len(a.extras) {
		a.extras = append(a.extras, make([]extra[T], extraChunk))
	}
	a.ecur++
	e := &a.extras[c][i]
	*e = extra[T]{}
	return e
}

// reset makes the arena's memory available again. Scratch memory is cleared
// (dropping its references) at once; the nodes of an Arena keep their
// contents and their slab's old generation until they are handed out again,
// so a stale Var is still recognised as one (see Var.live).
func (a *arena[T]) reset() {
	if a.clock == nil {
		for _, s := range a.slabs[:min(a.cur+1, len(a.slabs))] {
			clear(s.nodes[:s.taken])
			s.taken = 0
		}
		for c := range a.ecur / extraChunk {
			clear(a.extras[c])
		}
		if r := a.ecur % extraChunk; r > 0 {
			clear(a.extras[a.ecur/extraChunk][:r])
		}
	} else {
		for _, s := range a.slabs[:min(a.cur+1, len(a.slabs))] {
			s.taken = 0
		}
		if len(a.slabs) > 0 {
			a.slabs[0].gen = a.gen
		}
	}
	a.cur, a.ecur = 0, 0
}

// live panics if v is memory of an Arena that has been Reset since v was made.
func (v *Var[T]) live() {
	if s := v.slab; s != nil && s.gen != *s.clock {
		v.stale()
	}
}

// stale panics about v, a Var of an Arena used after its Reset (kept out of
// live so that the check inlines).
func (v *Var[T]) stale() {
	panic(fmt.Sprintf("autodiff: a Var (op %q) from an Arena is used after the arena's Reset (made in generation %d, now %d): its memory is recycled; copy out what must outlive a step (Item, Value().Clone())", v.Op(), v.slab.gen, *v.slab.clock))
}

// allocNode returns a zeroed node for the result of an operation on a and b:
// from the scratch memory of a non-recording input (the result records
// nothing either), else from an input's Arena, else from an input's slab,
// else from a new slab.
func allocNode[T Float](a, b *Var[T]) *Var[T] {
	var s *slab[T]
	switch {
	case a != nil && a.noRecord && a.slab != nil:
		s = a.slab
	case b != nil && b.noRecord && b.slab != nil:
		s = b.slab
	case b != nil && b.noRecord:
	case a != nil && a.noRecord:
	case a != nil && a.slab != nil && (a.slab.arena != nil || b == nil || b.slab == nil || b.slab.arena == nil):
		s = a.slab
	case b != nil && b.slab != nil:
		s = b.slab
	}
	if s != nil && s.arena != nil { // scratch or Arena: one owner
		if s.taken < slabSize {
			n := &s.nodes[s.taken]
			s.taken++
			if s.arena.clock != nil {
				*n = Var[T]{}
			}
			n.slab = s
			return n
		}
		return s.arena.node()
	}
	if s != nil {
		if i := s.used.Add(1) - 1; i < slabSize {
			n := &s.nodes[i]
			n.slab = s
			return n
		}
	}
	s = &slab[T]{clock: &ageless}
	s.used.Store(1)
	n := &s.nodes[0]
	n.slab = s
	return n
}

// Arena is reusable memory for the graphs of a loop whose steps build the
// same computation again and again (a training loop): the nodes, tensors,
// shapes and operation parameters of a step's forward pass and the
// intermediate gradients of its backward pass. Reset at the start of each
// step recycles everything the arena handed out during the step before, so
// after the first step a step allocates nothing.
//
// A computation belongs to an arena when one of its inputs does. Inputs join
// it through Const (a batch of data); parameters stay ordinary leaves, and
// so every result computed from the batch and the parameters lands in the
// arena while the parameters, their gradients (kept in the parameters' own
// buffers, see Var.Grad) and the optimiser's state live on. A computation
// from parameters alone (a weight penalty) is ordinary memory, as without an
// arena. Results are bit for bit the same with and without an arena.
//
// Nothing from the arena may be used after the next Reset: copy out what
// must outlive a step (loss.Item(), Value().Clone()). That includes the
// gradients Gradients returns for a computation in the arena, and gradients
// recorded with CreateGraph through arena values (their graph is in the
// arena); the gradients Backward leaves in ordinary Params are in the
// Params' own buffers and live on. A Var or tensor used after the Reset that
// retired it panics. The arena alternates between two sets of memory, so
// this holds for anything kept from the previous step; something kept
// across two Resets may already share memory with a new value and is then
// not always caught.
//
// An Arena belongs to one goroutine at a time. The zero value is ready to use.
type Arena[T Float] struct {
	gen     uint32
	nodes   [2]arena[T] // nodes[gen&1] serves the current generation
	tensors tensor.Arena[T]
}

// set returns the node memory of the current generation.
func (a *Arena[T]) set() *arena[T] {
	m := &a.nodes[a.gen&1]
	if m.clock == nil {
		m.clock, m.gen, m.tensors = &a.gen, a.gen, &a.tensors
	}
	return m
}

// Reset starts a new step (call it at the start of each): what the arena
// handed out so far is retired, and the memory retired one Reset earlier is
// handed out again.
func (a *Arena[T]) Reset() {
	a.gen++
	a.tensors.Reset()
	m := a.set()
	m.gen = a.gen
	m.reset()
}

// Const returns a constant leaf holding t (shared, not copied) that belongs
// to the arena, so every computation with it takes its memory from the arena.
func (a *Arena[T]) Const(t *tensor.Tensor[T]) *Var[T] {
	n := a.set().node()
	n.value = a.tensors.View(t)
	return n
}

// Param returns a leaf that requires gradients, holding t (shared, not
// copied) and belonging to the arena, with its gradient: a variable of one
// step, such as an input whose saliency ∂loss/∂x is wanted. Like everything
// from the arena, it and its gradient are retired by the next Reset; a
// model's weights, which outlive steps, are made with the package-level Param.
func (a *Arena[T]) Param(t *tensor.Tensor[T]) *Var[T] {
	n := a.Const(t)
	n.requiresGrad = true
	return n
}

// Tensors returns the arena's tensor memory, for making inputs of a step in
// place (see tensor.Arena).
func (a *Arena[T]) Tensors() *tensor.Arena[T] { return &a.tensors }

// newNode returns the result of fn applied to a (and b, or the inputs more),
// recorded with its backward rule when some input requires gradients and none
// is a non-recording gradient. The caller sets the value (see set, setScalar).
func newNode[T Float](fn op[T], a, b *Var[T], more []*Var[T]) *Var[T] {
	if a != nil {
		a.live()
	}
	if b != nil {
		b.live()
	}
	n := allocNode(a, b)
	n.fn = fn
	req, noRec := false, false
	if a != nil {
		req, noRec = a.requiresGrad, a.noRecord
	}
	if b != nil {
		req, noRec = req || b.requiresGrad, noRec || b.noRecord
	}
	for _, in := range more {
		req, noRec = req || in.requiresGrad, noRec || in.noRecord
	}
	switch {
	case noRec:
		n.noRecord = true
	case req:
		n.requiresGrad = true
		switch {
		case more != nil:
			n.params().more = more
		case b != nil:
			n.in[0], n.in[1], n.nin = a, b, 2
		default:
			n.in[0], n.nin = a, 1
		}
	}
	return n
}

// set gives the new node n its value and returns it.
func (n *Var[T]) set(value *tensor.Tensor[T]) *Var[T] {
	n.value = value
	return n
}

// setScalar gives the new node n a 0-d value, kept as a lazy scalar (see
// Var.s), and returns it.
func (n *Var[T]) setScalar(v T) *Var[T] {
	n.s = v
	return n
}

// apply1 records fn on x and gives it the value value.
func apply1[T Float](fn op[T], x *Var[T], value *tensor.Tensor[T]) *Var[T] {
	return newNode(fn, x, nil, nil).set(value)
}

// apply2 records fn on a, b and gives it the value value.
func apply2[T Float](fn op[T], a, b *Var[T], value *tensor.Tensor[T]) *Var[T] {
	return newNode(fn, a, b, nil).set(value)
}

// unary records fn on x with value f(x) elementwise (computed in float64, which
// for float32 rounds exactly as float32 arithmetic would for + − × ÷ and √).
func unary[T Float](fn op[T], x *Var[T], f func(float64) float64) *Var[T] {
	n := newNode(fn, x, nil, nil)
	if x.isScalar() {
		return n.setScalar(T(f(float64(x.item()))))
	}
	return n.set(tensor.Apply(x.val(), f))
}

// dims returns v's shape in buf's memory: no allocation for up to 8 axes.
func (v *Var[T]) dims(buf *[8]int) []int {
	if v.value == nil {
		return buf[:0]
	}
	return v.value.AppendShape(buf[:0])
}

// hasShape reports whether v has the given shape.
func (v *Var[T]) hasShape(shape []int) bool {
	var buf [8]int
	return slices.Equal(v.dims(&buf), shape)
}

// constOf returns a constant leaf holding t, taken from the memory of like
// (its Arena or the scratch memory of its backward pass, if any), so that
// the constants backward rules and composite operations make are recycled
// with the values they are used with.
func constOf[T Float](like *Var[T], t *tensor.Tensor[T]) *Var[T] {
	if like.slab == nil || like.slab.arena == nil {
		return Const(t)
	}
	n := allocNode(like, nil)
	n.value, n.noRecord = t, like.noRecord
	return n
}

// scalars reports whether a and b are both 0-dimensional.
func scalars[T Float](a, b *Var[T]) bool { return a.isScalar() && b.isScalar() }

// needs reports whether the gradient for input i of out is wanted.
func needs[T Float](out *Var[T], i int) bool { return out.ins()[i].requiresGrad }

// plain returns x itself when g records a graph, else x detached, so that a
// factor computed from x alone during a first-order pass records nothing.
func plain[T Float](g, x *Var[T]) *Var[T] {
	if g.noRecord {
		n := allocNode(g, nil)
		n.value, n.s, n.noRecord = x.value, x.s, true
		return n
	}
	return x
}

var walkEpoch atomic.Uint32
