package autodiff

import (
	"fmt"

	"github.com/nabla-go/nabla/numdiff"
	"github.com/nabla-go/nabla/tensor"
)

// GradCheck compares ∇f(x) from reverse mode with finite differences (see
// numdiff.GradCheck for the settings and the report). Where a kink of f —
// relu or abs at 0, a max tie — lies within a coordinate's finite-difference
// step, that entry is flagged, because the numerical derivative means nothing
// there. Run checks in float64: float32 rounding swamps finite differences.
func GradCheck(f Func[float64], x *tensor.Tensor[float64], s *numdiff.CheckSettings) (numdiff.CheckResult, error) {
	_, grad, err := ValueAndGrad(f, x)
	if err != nil {
		return numdiff.CheckResult{}, err
	}
	shape := x.Shape()
	at := func(v []float64) *Var[float64] { return f(Const(tensor.FromSlice(v, shape...))) }
	eval := func(v []float64) float64 { return at(v).Item() }
	// Branches needs the recorded graph, so the kink probe evaluates at a Param.
	cs := withBranches(s, func(v []float64) string { return Branches(f(Param(tensor.FromSlice(v, shape...)))) })
	return numdiff.GradCheck(eval, grad.Clone().Data(), x.Clone().Data(), cs), nil
}

// CheckParams compares the gradients of a scalar loss with respect to every
// parameter of a model (all flattened into one vector, in order) with finite
// differences. loss must rebuild the loss from the current parameter values on
// each call. The parameters are perturbed in place one coordinate at a time
// and restored before CheckParams returns.
func CheckParams(loss func() *Var[float64], params []*Var[float64], s *numdiff.CheckSettings) (numdiff.CheckResult, error) {
	var x0 []float64
	for _, p := range params {
		x0 = append(x0, p.val().Data()...)
	}
	set := func(x []float64) {
		at := 0
		for _, p := range params {
			n := p.val().Size()
			p.val().CopyFrom(tensor.FromSlice(x[at:at+n], p.Shape()...))
			at += n
		}
	}
	defer set(x0)
	out := loss()
	if out.val().Size() != 1 {
		return numdiff.CheckResult{}, fmt.Errorf("autodiff: CheckParams needs a single-element loss, got shape %v", out.Shape())
	}
	grads, err := Gradients(out, params, BackwardOptions[float64]{})
	if err != nil {
		return numdiff.CheckResult{}, err
	}
	var g []float64
	for _, gi := range grads {
		g = append(g, gi.val().Data()...)
	}
	eval := func(x []float64) float64 {
		set(x)
		var v float64
		NoGrad(func() { v = loss().Item() }, params...)
		return v
	}
	cs := withBranches(s, func(x []float64) string { set(x); return Branches(loss()) })
	cs.Concurrent = 0 // the parameters are shared state
	return numdiff.GradCheck(eval, g, append([]float64(nil), x0...), cs), nil
}

// withBranches copies the settings (nil: defaults) and installs the kink
// detector unless the caller set one.
func withBranches(s *numdiff.CheckSettings, branches func([]float64) string) *numdiff.CheckSettings {
	var cs numdiff.CheckSettings
	if s != nil {
		cs = *s
	}
	if cs.Branches == nil {
		cs.Branches = branches
	}
	return &cs
}
