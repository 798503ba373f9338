package autodiff

import (
	"fmt"
	"math"
	"slices"

	"github.com/nabla-go/nabla/tensor"
)

// BackwardOptions tune a backward pass. The zero value is a first-order pass
// from a one-element output seeded with 1.
type BackwardOptions[T Float] struct {
	// Seed is the upstream gradient ∂L/∂out (the vector of a vector-Jacobian
	// product). It must have the output's shape. Default: 1, which needs a
	// one-element output.
	Seed *Var[T]
	// CreateGraph records the backward pass itself, so the gradients can be
	// differentiated again (Hessians, Hessian-vector products). Default false.
	CreateGraph bool
}

// Backward computes the gradient of v, which must hold a single element, with
// respect to every Param it depends on, and adds it to their Grad.
func (v *Var[T]) Backward() error { return v.BackwardWith(BackwardOptions[T]{}) }

// BackwardWith is Backward with a seed (for non-scalar outputs) or with the
// backward pass recorded for higher derivatives. Gradients accumulate into the
// Grad of every Param reached; call ZeroGrad to start afresh.
func (v *Var[T]) BackwardWith(opts BackwardOptions[T]) error {
	w := getWalker[T]()
	defer w.release()
	grads, leaves, err := w.backwardPass(v, nil, opts, false)
	if err == nil && !allFinite(grads) {
		err = locate(v, nil, opts)
	}
	if err != nil {
		return err
	}
	for i, leaf := range leaves {
		leaf.accumulate(grads[i], opts.CreateGraph)
	}
	return nil
}

// accumulate adds g, the gradient of one backward pass, to the leaf v's.
//
// Gradients accumulate, and a first-order gradient is a plain value, so a
// leaf keeps it in a buffer of its own: the first contribution is copied in
// and later ones are added in place, which allocates nothing once the buffer
// exists and survives ZeroGrad. (The contribution itself cannot be kept in
// general: it may be scratch memory of the pass, memory of an Arena, or
// shared with another leaf's gradient or with the seed. A leaf without a
// buffer does keep a contribution the pass made for it alone and that lives
// as long as the leaf, see ownedFlag and adoptable.) A gradient recorded with
// CreateGraph is a graph instead, and accumulates by Add so that it can be
// differentiated again.
func (v *Var[T]) accumulate(g *Var[T], createGraph bool) {
	var buf *Var[T]
	if v.extra != nil {
		buf = v.extra.gradBuf
	}
	switch {
	case createGraph && v.grad == nil:
		v.grad = g
	case createGraph || (v.grad != nil && v.grad != buf):
		if g.noRecord { // a value of this pass's scratch memory
			g = &Var[T]{value: g.value, s: g.s}
		}
		if v.grad == buf { // the buffer joins a graph: it is no longer v's to reuse
			v.extra.gradBuf = nil
		}
		v.grad = Add(v.grad, g)
	case v.grad == nil && (buf == nil || !sameShape(buf, v)) && owned(g) && adoptable(v, g.value):
		// No buffer yet (a new leaf, or every leaf of an Arena), and g is a
		// tensor the pass made for v's gradient alone: it becomes the buffer,
		// which saves filling a new one with zeros and copying g into it.
		g.flags &^= ownedFlag
		buf = constOf(v, g.value)
		v.params().gradBuf = buf
		v.grad = buf
	case v.grad == nil:
		if buf == nil || !sameShape(buf, v) {
			// Memory like v's: an Arena's leaf (Arena.Param) has its
			// gradient in the arena, any other leaf in ordinary memory.
			value := tensor.FullLike(v.val(), 0)
			if v.slab == nil && value.Arena() != nil { // an ordinary leaf of an arena tensor
				value = value.Clone()
			}
			buf = constOf(v, value)
			v.params().gradBuf = buf
		}
		if g.value == nil {
			buf.value.Data()[0] = g.s
		} else {
			buf.value.CopyFrom(g.value)
		}
		v.grad = buf
	default: // v.grad is v's buffer: add in place
		if g.value == nil {
			buf.value.Data()[0] += g.s
		} else {
			tensor.AddInto(buf.value, buf.value, g.value)
		}
	}
}

// adoptable reports whether the leaf v can keep t, a gradient tensor made by
// a backward pass, as its own gradient buffer: t must live as long as v,
// that is, be ordinary memory for an ordinary leaf and memory of v's own
// Arena for a leaf of an Arena.
func adoptable[T Float](v *Var[T], t *tensor.Tensor[T]) bool {
	if t == nil {
		return false
	}
	if v.slab == nil || v.slab.arena == nil {
		return t.Arena() == nil
	}
	return v.slab.arena.clock != nil && t.Arena() != nil && t.Arena() == v.val().Arena()
}

// Gradients returns ∂out/∂wrt[i] (seeded as in opts) for each requested Var,
// without touching any Grad field: the functional form of Backward. A Var that
// out does not depend on gets a zero gradient.
func Gradients[T Float](out *Var[T], wrt []*Var[T], opts BackwardOptions[T]) ([]*Var[T], error) {
	if len(wrt) == 0 {
		return nil, nil
	}
	grads, _, err := gradients(out, wrt, opts)
	return grads, err
}

// gradients runs one backward pass from out. With wrt nil it returns the
// gradients of every requiring-grad leaf reached (and those leaves); otherwise
// the gradients of wrt, propagating only along paths that reach them.
//
// A NaN or Inf made inside the pass is an error naming the rule that made it.
// Checking every intermediate gradient would cost a scan of each, so only the
// results are scanned; if one is not finite, the pass runs again checking
// every rule to find the culprit. (A non-finite value that a rule discards —
// Where, a max that picks the other input — never reaches a result, and
// rightly is no error.)
func gradients[T Float](out *Var[T], wrt []*Var[T], opts BackwardOptions[T]) ([]*Var[T], []*Var[T], error) {
	w := getWalker[T]()
	defer w.release()
	grads, leaves, err := w.backwardPass(out, wrt, opts, false)
	if err == nil && !allFinite(grads) {
		err = locate(out, wrt, opts)
	}
	if err != nil {
		return nil, nil, err
	}
	// Hand out fresh slices of plain values, not the walker's buffers or the
	// pass's scratch nodes, which the walker reuses.
	grads, leaves = slices.Clone(grads), slices.Clone(leaves)
	for i, g := range grads {
		if g.noRecord {
			grads[i] = &Var[T]{value: g.value, s: g.s}
		}
	}
	return grads, leaves, nil
}

// locate runs the pass again checking every rule for NaN and Inf, and returns
// the error naming the first rule that made one (nil if the seed itself was
// not finite).
func locate[T Float](out *Var[T], wrt []*Var[T], opts BackwardOptions[T]) error {
	w := getWalker[T]()
	defer w.release()
	_, _, err := w.backwardPass(out, wrt, opts, true)
	return err
}

// allFinite reports whether every gradient is free of NaN and Inf.
func allFinite[T Float](grads []*Var[T]) bool {
	for _, g := range grads {
		if g.value == nil {
			if f := float64(g.s); math.IsNaN(f) || math.IsInf(f, 0) {
				return false
			}
		} else if bad, _ := tensor.CountNonFinite(g.value); bad > 0 {
			return false
		}
	}
	return true
}

// backwardPass is one backward pass (see gradients); with locate it checks
// every rule's output for NaN and Inf. The slices it returns are w's, and a
// first-order gradient may be a node of w's scratch memory: both are valid
// until w is released.
func (w *walker[T]) backwardPass(out *Var[T], wrt []*Var[T], opts BackwardOptions[T], locate bool) ([]*Var[T], []*Var[T], error) {
	out.live()
	if !out.requiresGrad {
		return nil, nil, fmt.Errorf("autodiff: the output (op %q, shape %v) does not depend on any Param, so it has no gradient; build it from autodiff.Param values", out.Op(), out.Shape())
	}
	seed := opts.Seed
	if seed == nil {
		if out.val().Size() != 1 {
			return nil, nil, fmt.Errorf("autodiff: gradient of a non-scalar output (op %q, shape %v): reduce it to one element first (e.g. Sum or Mean), or pass a Seed of the same shape for a vector-Jacobian product", out.Op(), out.Shape())
		}
		ones := tensor.FullLike(out.val(), 1) // in out's Arena, if any
		if opts.CreateGraph {
			seed = Const(ones)
		} else {
			seed = w.scratch.node()
			seed.value, seed.noRecord = ones, true
		}
	} else if !slices.Equal(seed.Shape(), out.Shape()) {
		return nil, nil, fmt.Errorf("autodiff: seed of shape %v does not match the output (op %q) of shape %v", seed.Shape(), out.Op(), out.Shape())
	}
	w.scratch.tensors = out.val().Arena() // lazy scalar gradients go where out is
	if !opts.CreateGraph && !seed.noRecord {
		value := seed.val()
		seed = w.scratch.node()
		seed.value, seed.noRecord = value, true
	}
	order := w.topoOrder(out, wrt)
	// Every pending field in the order is nil here and is nil again when this
	// returns: the loop below clears each node's as it consumes it, and the
	// rest (leaves, wrt Vars, or everything after an error or a panic) are
	// cleared on the way out. This saves two passes over a large graph.
	cleared := false
	defer func() {
		if !cleared {
			for _, n := range order {
				n.pending = nil
			}
			out.pending = nil // out is outside order when no wrt Var is reachable
		}
	}()
	leaves := w.leaves[:0]
	buf := w.buf[:0]
	out.pending = seed
	var err error
	for i := len(order) - 1; i >= 0 && err == nil; i-- {
		n := order[i]
		g := n.pending
		if g == nil {
			continue
		}
		if n.fn == nil {
			if wrt == nil {
				leaves = append(leaves, n)
			}
			continue
		}
		if wrt == nil {
			n.pending = nil // free intermediate gradients as soon as they are used
		}
		ins := n.ins()
		// An owned g stays owned during the rule, which may then write its
		// result into it (see ownedFlag), unless the pass still needs g
		// afterwards: as the gradient of a wrt Var, or to attribute a NaN.
		owner := g.flags&ownedFlag != 0
		if owner && (locate || !g.noRecord || wrt != nil && slices.Contains(wrt, n)) {
			g.flags &^= ownedFlag
			owner = false
		}
		var sc scatterer[T]
		scatters := false
		if g.noRecord && g.value != nil { // not for lazy scalars: a scalar chain skips the assertion
			sc, scatters = n.fn.(scatterer[T])
		}
		if scatters && !locate {
			if in := ins[0]; in.requiresGrad && in.mark == n.mark && in.pending != nil && owned(in.pending) && sc.addGrad(n, g, in.pending) {
				continue
			}
		}
		if cap(buf) < len(ins) {
			buf = make([]*Var[T], len(ins))
		}
		buf = buf[:len(ins)]
		clear(buf)
		n.fn.vjp(n, g, buf)
		if owner && (len(ins) != 1 || buf[0] != g) {
			g.flags &^= ownedFlag // handed on to several inputs, or dead
		}
		for j, in := range ins {
			gi := buf[j]
			if gi == nil || !in.requiresGrad || in.mark != n.mark {
				continue
			}
			if !sameShape(gi, in) {
				panic(fmt.Sprintf("autodiff: internal error: backward of %q gave a gradient of shape %v for input %d of shape %v", n.Op(), gi.Shape(), j, in.Shape()))
			}
			if locate {
				if err = checkFinite(n, g, gi, j); err != nil {
					break
				}
			}
			if in.pending == nil {
				in.pending = gi
				if scatters && gi.value != nil { // a new tensor of the rule's own
					gi.flags |= ownedFlag
				}
			} else {
				in.pending = addPending(in.pending, gi)
			}
		}
	}
	w.leaves, w.buf = leaves, buf // keep what grew
	grads := w.grads[:0]
	if wrt != nil {
		grads = slices.Grow(grads, len(wrt))[:len(wrt)]
		for i, w := range wrt {
			if w.pending != nil && w.mark == out.mark {
				grads[i] = w.pending
			} else {
				grads[i] = Const(tensor.New[T](w.Shape()...))
			}
		}
	} else {
		for _, l := range leaves {
			grads = append(grads, l.pending)
		}
	}
	w.grads = grads
	if err != nil {
		return nil, nil, err
	}
	if wrt == nil { // only the leaves still hold a pending gradient
		for _, l := range leaves {
			l.pending = nil
		}
		cleared = true
	}
	return grads, leaves, nil
}

// walker holds the buffers of a graph walk, reused across backward passes
// (a long chain needs long ones, and fresh memory is slow to touch).
type walker[T Float] struct {
	order   []*Var[T]
	stack   []frame[T]
	scratch arena[T]
	// leaves and grads are a pass's results; buf collects one rule's gradients.
	leaves, grads, buf []*Var[T]
}

type frame[T Float] struct {
	v    *Var[T]
	next int // the next input to visit
}

// walkers keeps a few idle walkers. Unlike a sync.Pool it survives garbage
// collections, which matters: a long backward pass triggers them itself.
var walkers = make(chan any, 8)

// maxScratchSlabs bounds the scratch memory an idle walker may keep (~7 MB).
const maxScratchSlabs = 512

func getWalker[T Float]() *walker[T] {
	select {
	case x := <-walkers:
		if w, ok := x.(*walker[T]); ok {
			return w
		}
	default:
	}
	return &walker[T]{}
}

// release clears the walker's references and returns it to the pool.
func (w *walker[T]) release() {
	clear(w.order)
	w.order = w.order[:0]
	clear(w.leaves)
	clear(w.grads)
	clear(w.buf[:cap(w.buf)])
	w.leaves, w.grads, w.buf = w.leaves[:0], w.grads[:0], w.buf[:0]
	w.stack = w.stack[:0]
	w.scratch.reset()
	w.scratch.tensors = nil
	if len(w.scratch.slabs) > maxScratchSlabs {
		return
	}
	select {
	case walkers <- w:
	default:
	}
}

// topoOrder sets w.order to the Vars that out depends on through
// requiring-grad inputs, each after its inputs (depth-first post-order). With
// wrt given, it keeps only Vars with a path to some wrt Var. Every Var in the
// order is left carrying the same fresh mark.
func (w *walker[T]) topoOrder(out *Var[T], wrt []*Var[T]) []*Var[T] {
	// Marks: visiting (seen, not yet known relevant), relevant (reaches wrt),
	// target (a wrt Var not yet seen).
	visiting := walkEpoch.Add(1)
	relevant, target := visiting, visiting
	if wrt != nil {
		relevant, target = walkEpoch.Add(1), walkEpoch.Add(1)
		for _, v := range wrt {
			v.mark = target
		}
	}
	enter := func(v *Var[T]) {
		if v.mark == target && wrt != nil {
			v.mark = relevant // a wrt Var is relevant whatever its inputs
		} else {
			v.mark = visiting
		}
		w.stack = append(w.stack, frame[T]{v, 0})
	}
	enter(out)
	for len(w.stack) > 0 {
		top := &w.stack[len(w.stack)-1]
		if top.next < len(top.v.ins()) {
			in := top.v.ins()[top.next]
			top.next++
			if in.requiresGrad && in.mark != visiting && in.mark != relevant {
				enter(in)
			}
			continue
		}
		v := top.v
		w.stack = w.stack[:len(w.stack)-1]
		if wrt == nil {
			w.order = append(w.order, v)
			continue
		}
		for _, in := range v.ins() {
			if v.mark == relevant {
				break
			}
			if in.requiresGrad && in.mark == relevant {
				v.mark = relevant
			}
		}
		if v.mark == relevant {
			w.order = append(w.order, v)
		}
	}
	if wrt != nil { // give the kept Vars one mark; without wrt they all carry visiting
		final := walkEpoch.Add(1)
		for _, v := range w.order {
			v.mark = final
		}
	}
	return w.order
}

// sameShape reports whether a and b have the same shape, without making
// tensors for lazy scalars.
func sameShape[T Float](a, b *Var[T]) bool {
	if a.value == nil || b.value == nil {
		return a.isScalar() && b.isScalar()
	}
	return tensor.SameShape(a.value, b.value)
}

// checkFinite returns an error if the backward rule of n turned a finite
// upstream gradient g into a NaN or Inf gradient gi for input j.
func checkFinite[T Float](n, g, gi *Var[T], j int) error {
	if f := float64(gi.s); gi.value == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
		return nil // the common case of a lazy scalar, without making its tensor
	}
	bad, at := tensor.CountNonFinite(gi.val())
	if bad == 0 {
		return nil
	}
	if up, _ := tensor.CountNonFinite(g.val()); up > 0 {
		return nil // inherited: reported where it first appeared
	}
	in := n.ins()[j]
	val := in.val().Data()
	where := ""
	if in.val().Size() == gi.val().Size() {
		where = fmt.Sprintf(" (the input there is %g)", float64(val[at]))
	}
	v := gi.val().Data()[at]
	kind := "NaN"
	if math.IsInf(float64(v), 0) {
		kind = "Inf"
	}
	name := ""
	if in.Name() != "" {
		name = " " + in.Name()
	}
	return fmt.Errorf("autodiff: backward of %q made %s in the gradient of its input %d%s (shape %v) at element %d%s from a finite upstream gradient: the function is not differentiable there or the gradient overflows; move the point, add an epsilon, or clip", n.Op(), kind, j, name, in.Shape(), at, where)
}
