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
	requiresGrad bool
	// noRecord marks gradients flowing through a first-order backward pass:
	// operations on them record nothing, so Backward builds no second graph.
	noRecord bool
}

// extra holds what few Vars need: a name, and the inputs of operations with
// more than two (Concat, Stack). Keeping them out of Var keeps a scalar node
// at 96 bytes, which is what a long chain of scalar operations costs.
type extra[T Float] struct {
	name string
	more []*Var[T]
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
func (v *Var[T]) Value() *tensor.Tensor[T] { return v.val() }

// val returns v's tensor, making it first if v is a lazy scalar.
func (v *Var[T]) val() *tensor.Tensor[T] {
	if v.value == nil {
		v.value = tensor.Scalar(v.s)
	}
	return v.value
}

// isScalar reports whether v holds a 0-dimensional value.
func (v *Var[T]) isScalar() bool { return v.value == nil || v.value.Dims() == 0 }

// Item returns the value of a one-element Var.
func (v *Var[T]) Item() T {
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
func (v *Var[T]) Grad() *tensor.Tensor[T] {
	if v.grad == nil {
		return nil
	}
	return v.grad.val()
}

// GradVar returns the accumulated gradient as a Var. After a backward pass
// with CreateGraph it carries its own graph and can be differentiated again.
func (v *Var[T]) GradVar() *Var[T] { return v.grad }

// ZeroGrad forgets the accumulated gradient.
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
	if v.extra == nil {
		v.extra = new(extra[T])
	}
	v.extra.name = name
	return v
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
	arena *arena[T]    // set when the slab is scratch memory of a backward pass
	nodes [slabSize]Var[T]
}

// arena is the scratch memory of a first-order backward pass. The gradients
// flowing through such a pass record nothing and die with it, so their nodes
// come from slabs that the next pass reuses instead of leaving garbage.
type arena[T Float] struct {
	slabs []*slab[T]
	cur   int
}

// current returns the slab being filled, adding one when it is full.
func (a *arena[T]) current() *slab[T] {
	if len(a.slabs) == 0 {
		a.slabs = append(a.slabs, &slab[T]{arena: a})
	}
	if a.slabs[a.cur].taken >= slabSize {
		a.cur++
		if a.cur == len(a.slabs) {
			a.slabs = append(a.slabs, &slab[T]{arena: a})
		}
	}
	return a.slabs[a.cur]
}

// reset zeroes the used nodes (dropping their references) for the next pass.
func (a *arena[T]) reset() {
	for _, s := range a.slabs[:min(a.cur+1, len(a.slabs))] {
		clear(s.nodes[:s.taken])
		s.taken = 0
	}
	a.cur = 0
}

// allocNode returns a zeroed node for the result of an operation on a and b:
// from the arena of a non-recording input (the result records nothing
// either), else from an input's slab, else from a new slab.
func allocNode[T Float](a, b *Var[T]) *Var[T] {
	var s *slab[T]
	switch {
	case a != nil && a.noRecord && a.slab != nil:
		s = a.slab
	case b != nil && b.noRecord && b.slab != nil:
		s = b.slab
	case a != nil && a.slab != nil && !(b != nil && b.noRecord):
		s = a.slab
	case b != nil && b.slab != nil && !(a != nil && a.noRecord):
		s = b.slab
	}
	for s != nil && s.arena != nil { // scratch: owned by one backward pass
		if s.taken < slabSize {
			n := &s.nodes[s.taken]
			s.taken++
			n.slab = s
			return n
		}
		s = s.arena.current()
	}
	if s != nil {
		if i := s.used.Add(1) - 1; i < slabSize {
			n := &s.nodes[i]
			n.slab = s
			return n
		}
	}
	s = new(slab[T])
	s.used.Store(1)
	n := &s.nodes[0]
	n.slab = s
	return n
}

// newNode returns the result of fn applied to a (and b, or the inputs more),
// recorded with its backward rule when some input requires gradients and none
// is a non-recording gradient. The caller sets the value (see set, setScalar).
func newNode[T Float](fn op[T], a, b *Var[T], more []*Var[T]) *Var[T] {
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
			n.extra = &extra[T]{more: more}
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
		return n.setScalar(T(f(float64(x.Item()))))
	}
	return n.set(tensor.Apply(x.val(), f))
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
