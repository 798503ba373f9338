package playground

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"unicode/utf8"

	"gonum.org/v1/gonum/mat"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/expr"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/tensor"
)

// xy are the variables of the function view, in the order of a point's
// coordinates.
var xy = []string{"x", "y"}

// function is a parsed expression of x and y, compiled to autodiff.
type function struct {
	e *expr.Expr
	f autodiff.Func[float64] // f(p) for p = [x, y]
}

// parseFunction parses src as a function of x and y within the limits. A
// syntax error keeps expr's message, which shows the expression with a caret
// under the offending column.
func parseFunction(src string, lim Limits) (*function, error) {
	if n := utf8.RuneCountInString(src); n > lim.MaxExprLen {
		return nil, badRequest("the expression is %d characters long; the limit is %d", n, lim.MaxExprLen)
	}
	e, err := expr.Parse(src)
	if err != nil {
		he := &httpError{status: http.StatusBadRequest, msg: err.Error()}
		var se *expr.SyntaxError
		if errors.As(err, &se) {
			he.column = se.Column
		}
		return nil, he
	}
	for _, v := range e.Vars() {
		if !slices.Contains(xy, v) {
			return nil, badRequest("the expression uses the variable %s; the playground plots functions of x and y only", v)
		}
	}
	f, err := expr.Func(e, xy)
	if err != nil {
		return nil, badRequest("%v", err)
	}
	return &function{e: e, f: f}, nil
}

// at evaluates f at (x, y) with expr's checked evaluator, so a point outside
// the domain gives an error that names the failing subexpression.
func (fn *function) at(x, y float64) (float64, error) {
	v, err := fn.e.Eval(map[string]float64{"x": x, "y": y})
	if err != nil {
		return 0, badRequest("f is undefined at (%g, %g): %v", x, y, err)
	}
	return v, nil
}

// Box is the rectangle [XMin, XMax] × [YMin, YMax] of the plane.
type Box struct {
	XMin float64 `json:"xmin"`
	XMax float64 `json:"xmax"`
	YMin float64 `json:"ymin"`
	YMax float64 `json:"ymax"`
}

// check returns an error unless the box is finite, non-empty and not absurdly
// large (coordinates within ±1e6).
func (b Box) check() error {
	for _, v := range []float64{b.XMin, b.XMax, b.YMin, b.YMax} {
		if math.IsNaN(v) || math.Abs(v) > 1e6 {
			return badRequest("the box coordinates must be numbers within ±1e6")
		}
	}
	if !(b.XMin < b.XMax && b.YMin < b.YMax) {
		return badRequest("the box needs xmin < xmax and ymin < ymax")
	}
	return nil
}

// grid returns the n×n points of b, row-major with y rising by row and x by
// column: point (i, j) is (xᵢ, yⱼ) at index j·n + i, xᵢ = XMin + i·(XMax−XMin)/(n−1).
func (b Box) grid(n int) (xs, ys []float64) {
	xs, ys = make([]float64, n*n), make([]float64, n*n)
	for j := range n {
		for i := range n {
			xs[j*n+i] = b.XMin + float64(i)*(b.XMax-b.XMin)/float64(n-1)
			ys[j*n+i] = b.YMin + float64(j)*(b.YMax-b.YMin)/float64(n-1)
		}
	}
	return xs, ys
}

// SurfaceRequest asks for f on a grid (POST /api/surface).
type SurfaceRequest struct {
	Expr  string `json:"expr"`
	Box   *Box   `json:"box"`   // default [−3, 3]²
	N     int    `json:"n"`     // grid points per side, 2 … MaxGrid; default 100
	Field int    `json:"field"` // gradient-field points per side, 2 … MaxField; default 20
}

// SurfaceResponse holds f on an N×N grid and ∇f on a Field×Field grid, both
// laid out as Box.grid describes; NaN (JSON null) marks points where f or
// ∇f is undefined.
type SurfaceResponse struct {
	Expr   string `json:"expr"` // as expr prints it back
	Box    Box    `json:"box"`
	N      int    `json:"n"`
	Values Grid   `json:"values"`
	Min    Float  `json:"min"` // of the defined values
	Max    Float  `json:"max"`
	// Levels are contour levels at evenly spaced quantiles of the defined
	// values, so that a function with a huge range (Rosenbrock) still shows
	// contours where it is flat.
	Levels    Floats `json:"levels"`
	Undefined int    `json:"undefined"` // grid points where f is NaN or ±Inf
	Field     int    `json:"field"`
	GX        Grid   `json:"gx"` // ∂f/∂x on the field grid
	GY        Grid   `json:"gy"` // ∂f/∂y
}

func surfaceHandler(ctx context.Context, lim Limits, body []byte) (any, error) {
	var req SurfaceRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	fn, err := parseFunction(req.Expr, lim)
	if err != nil {
		return nil, err
	}
	box := Box{-3, 3, -3, 3}
	if req.Box != nil {
		box = *req.Box
	}
	if err := box.check(); err != nil {
		return nil, err
	}
	n, field := cmpOr(req.N, 100), cmpOr(req.Field, 20)
	if n < 2 || n > lim.MaxGrid || field < 2 || field > lim.MaxField {
		return nil, badRequest("n must lie in [2, %d] and field in [2, %d]", lim.MaxGrid, lim.MaxField)
	}
	out := SurfaceResponse{Expr: fn.e.String(), Box: box, N: n, Field: field}
	xs, ys := box.grid(n)
	vals, err := fn.values(xs, ys)
	if err != nil {
		return nil, err
	}
	out.Values = vals
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	finite := make([]float64, 0, len(vals))
	for _, v := range vals {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			finite = append(finite, v)
		}
	}
	out.Undefined = len(vals) - len(finite)
	out.Min, out.Max = Float(math.NaN()), Float(math.NaN())
	if len(finite) > 0 {
		slices.Sort(finite)
		out.Min, out.Max = Float(finite[0]), Float(finite[len(finite)-1])
		out.Levels = quantileLevels(finite, 16)
	}
	fx, fy := box.grid(field)
	out.GX, out.GY = fn.gradients(fx, fy)
	return out, nil
}

// cmpOr returns v, or def when v is 0.
func cmpOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// quantileLevels returns up to k distinct levels at the quantiles
// (m + ½)/k, m = 0 … k−1, of sorted.
func quantileLevels(sorted []float64, k int) Floats {
	var out Floats
	for m := range k {
		v := sorted[int((float64(m)+0.5)/float64(k)*float64(len(sorted)))]
		if len(out) == 0 || v > out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

// values evaluates f at every (xs[k], ys[k]) in one vectorised pass: expr.Build
// accepts tensors and evaluates elementwise. Undefined points come out NaN.
func (fn *function) values(xs, ys []float64) (out Grid, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = badRequest("f could not be evaluated on the grid: %v", r)
		}
	}()
	v, err := expr.Build(fn.e, xy, []*autodiff.Var[float64]{
		autodiff.Const(tensor.FromSlice(xs)), autodiff.Const(tensor.FromSlice(ys)),
	})
	if err != nil {
		return nil, badRequest("%v", err)
	}
	return broadcast(v.Value(), len(xs)), nil
}

// broadcast returns t's values as n numbers: t itself, or its single value
// repeated (an expression that does not depend on x or y).
func broadcast(t *tensor.Tensor[float64], n int) []float64 {
	d := t.Data()
	if len(d) == n {
		return slices.Clone(d)
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = d[0]
	}
	return out
}

// gradients returns ∂f/∂x and ∂f/∂y at every (xs[k], ys[k]). The points are
// independent, so one backward pass from Σₖ f(xₖ, yₖ) gives every partial
// derivative at once. Where that pass fails (a NaN gradient somewhere on the
// grid is an error in autodiff), the points are differentiated one by one
// and the undefined ones left NaN.
func (fn *function) gradients(xs, ys []float64) (gx, gy Grid) {
	n := len(xs)
	gx, gy = make(Grid, n), make(Grid, n)
	ok := func() (ok bool) {
		defer func() {
			if recover() != nil {
				ok = false
			}
		}()
		X, Y := autodiff.Param(tensor.FromSlice(slices.Clone(xs))), autodiff.Param(tensor.FromSlice(slices.Clone(ys)))
		v, err := expr.Build(fn.e, xy, []*autodiff.Var[float64]{X, Y})
		if err != nil {
			return false
		}
		if !v.RequiresGrad() { // a constant: ∇f = 0
			return true
		}
		gs, err := autodiff.Gradients(autodiff.Sum(v, false), []*autodiff.Var[float64]{X, Y}, autodiff.BackwardOptions[float64]{})
		if err != nil {
			return false
		}
		copy(gx, broadcast(gs[0].Value(), n))
		copy(gy, broadcast(gs[1].Value(), n))
		return true
	}()
	if ok {
		return gx, gy
	}
	for k := range n {
		g, err := fn.grad(xs[k], ys[k])
		if err != nil {
			gx[k], gy[k] = math.NaN(), math.NaN()
			continue
		}
		gx[k], gy[k] = g[0], g[1]
	}
	return gx, gy
}

// grad returns ∇f(x, y) by reverse mode.
func (fn *function) grad(x, y float64) (g []float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	t, err := autodiff.Grad(fn.f, tensor.FromSlice([]float64{x, y}))
	if err != nil {
		return nil, err
	}
	return t.Data(), nil
}

// PointRequest asks about f at one point (POST /api/point).
type PointRequest struct {
	Expr string     `json:"expr"`
	X    float64    `json:"x"`
	Y    float64    `json:"y"`
	Dir  [2]float64 `json:"dir"` // a direction u (normalised by the server); default (1, 0)
}

// PointResponse describes f at a point.
//
//	Grad        ∇f = (∂f/∂x, ∂f/∂y), by reverse mode
//	Directional D_û f = ∇f·û for the unit vector û = u/‖u‖, by forward mode
//	Hessian     ∇²f, exact (the gradient's graph differentiated again)
//	Eigen…      of the symmetric Hessian (gonum mat.EigenSym), ascending
//	Curvature   "minimum" (both eigenvalues > 0: f curves up every way),
//	            "maximum" (both < 0), "saddle" (opposite signs) or "flat"
//	            (an eigenvalue ≈ 0: the second-order test says nothing);
//	            the point is a minimum, maximum or saddle only if also
//	            Stationary: ‖∇f‖ ≤ 1e-6·max(1, |f|).
type PointResponse struct {
	X            float64   `json:"x"`
	Y            float64   `json:"y"`
	Value        Float     `json:"value"`
	Grad         Floats    `json:"grad"`
	GradNorm     Float     `json:"grad_norm"`
	Dir          Floats    `json:"dir"` // û
	Directional  Float     `json:"directional"`
	Hessian      [2]Floats `json:"hessian"`
	Eigenvalues  Floats    `json:"eigenvalues"`
	Eigenvectors [2]Floats `json:"eigenvectors"` // column k belongs to eigenvalue k: Eigenvectors[i][k]
	Curvature    string    `json:"curvature"`
	Stationary   bool      `json:"stationary"`
	Verdict      string    `json:"verdict"` // a sentence for the page
}

func pointHandler(ctx context.Context, lim Limits, body []byte) (any, error) {
	var req PointRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	fn, err := parseFunction(req.Expr, lim)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(req.X) || math.IsNaN(req.Y) || math.Abs(req.X) > 1e6 || math.Abs(req.Y) > 1e6 {
		return nil, badRequest("the point must have coordinates within ±1e6")
	}
	return fn.point(req.X, req.Y, req.Dir)
}

// point computes the PointResponse at (x, y) with direction u.
func (fn *function) point(x, y float64, u [2]float64) (out PointResponse, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = badRequest("f could not be differentiated at (%g, %g): %v", x, y, r)
		}
	}()
	v, err := fn.at(x, y)
	if err != nil {
		return out, err
	}
	un := math.Hypot(u[0], u[1])
	if un == 0 || math.IsNaN(un) || math.IsInf(un, 0) {
		u, un = [2]float64{1, 0}, 1
	}
	unit := []float64{u[0] / un, u[1] / un}
	p := tensor.FromSlice([]float64{x, y})
	g, err := autodiff.Grad(fn.f, p)
	if err != nil {
		return out, badRequest("∇f is undefined at (%g, %g): %v", x, y, err)
	}
	d, err := autodiff.DirectionalDerivative(fn.f, p, tensor.FromSlice(unit))
	if err != nil {
		return out, badRequest("the directional derivative is undefined at (%g, %g): %v", x, y, err)
	}
	h, err := autodiff.Hessian(fn.f, p)
	if err != nil {
		return out, badRequest("the Hessian is undefined at (%g, %g): %v", x, y, err)
	}
	hd := h.Data()
	out = PointResponse{X: x, Y: y, Value: Float(v), Grad: slices.Clone(g.Data()), Dir: unit, Directional: Float(d)}
	out.GradNorm = Float(math.Hypot(out.Grad[0], out.Grad[1]))
	out.Hessian = [2]Floats{{hd[0], hd[1]}, {hd[2], hd[3]}}
	out.Eigenvalues, out.Eigenvectors, err = eigenSym2(hd)
	if err != nil {
		return out, badRequest("the Hessian at (%g, %g) has no eigen-decomposition: %v", x, y, err)
	}
	out.Curvature = curvature(out.Eigenvalues)
	out.Stationary = float64(out.GradNorm) <= 1e-6*math.Max(1, math.Abs(v))
	out.Verdict = verdict(out.Curvature, out.Stationary)
	return out, nil
}

// eigenSym2 returns the eigenvalues (ascending) and eigenvectors of the
// symmetric 2×2 matrix h (row-major), by gonum.
func eigenSym2(h []float64) (Floats, [2]Floats, error) {
	for _, v := range h {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, [2]Floats{}, errors.New("it has NaN or Inf entries")
		}
	}
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(2, []float64{h[0], h[1], h[1], h[3]}), true) {
		return nil, [2]Floats{}, errors.New("the factorisation did not converge")
	}
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	return es.Values(nil), [2]Floats{{vecs.At(0, 0), vecs.At(0, 1)}, {vecs.At(1, 0), vecs.At(1, 1)}}, nil
}

// curvature classifies the eigenvalues λ of a Hessian: an eigenvalue with
// |λ| ≤ 1e-8·max(1, max|λ|) counts as zero.
func curvature(lambda Floats) string {
	tol := 1e-8
	for _, l := range lambda {
		tol = math.Max(tol, 1e-8*math.Abs(l))
	}
	pos, neg := 0, 0
	for _, l := range lambda {
		switch {
		case l > tol:
			pos++
		case l < -tol:
			neg++
		}
	}
	switch {
	case pos > 0 && neg > 0:
		return "saddle"
	case pos == len(lambda):
		return "minimum"
	case neg == len(lambda):
		return "maximum"
	}
	return "flat"
}

// verdict puts the second-order test into a sentence.
func verdict(curv string, stationary bool) string {
	if !stationary {
		switch curv {
		case "minimum":
			return "Not a stationary point (∇f ≠ 0). The Hessian is positive definite: f curves up in every direction here."
		case "maximum":
			return "Not a stationary point (∇f ≠ 0). The Hessian is negative definite: f curves down in every direction here."
		case "saddle":
			return "Not a stationary point (∇f ≠ 0). The Hessian is indefinite: f curves up one way and down another."
		}
		return "Not a stationary point (∇f ≠ 0). The Hessian is singular: f is flat along an eigenvector."
	}
	switch curv {
	case "minimum":
		return "Stationary point with a positive definite Hessian: a local minimum."
	case "maximum":
		return "Stationary point with a negative definite Hessian: a local maximum."
	case "saddle":
		return "Stationary point with an indefinite Hessian: a saddle point."
	}
	return "Stationary point with a singular Hessian: the second-order test is inconclusive (flat direction)."
}

// OptimizeRequest asks for optimiser runs from one start (POST /api/optimize).
type OptimizeRequest struct {
	Expr  string          `json:"expr"`
	Start [2]float64      `json:"start"`
	Steps int             `json:"steps"` // 1 … MaxSteps; default 100 (or MaxSteps if less)
	Runs  []OptimizerSpec `json:"runs"`  // 1 … MaxRuns
}

// Run is one optimiser's trajectory: the start, then the point after each
// step (X[k], Y[k]), and f there (Loss[k]). A run that diverged ends early,
// with Error saying so.
type Run struct {
	Name    string  `json:"name"`
	LR      float64 `json:"lr"` // the learning rate used (the default filled in)
	X       Floats  `json:"x"`
	Y       Floats  `json:"y"`
	Loss    Floats  `json:"loss"`
	Steps   int     `json:"steps"`
	Stopped string  `json:"stopped"`
	Error   string  `json:"error,omitempty"`
}

// OptimizeResponse holds one Run per requested optimiser, in order.
type OptimizeResponse struct {
	Runs []Run `json:"runs"`
}

func optimizeHandler(ctx context.Context, lim Limits, body []byte) (any, error) {
	var req OptimizeRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	fn, err := parseFunction(req.Expr, lim)
	if err != nil {
		return nil, err
	}
	steps := cmpOr(req.Steps, min(100, lim.MaxSteps))
	if steps < 1 || steps > lim.MaxSteps {
		return nil, badRequest("steps must lie in [1, %d]", lim.MaxSteps)
	}
	if len(req.Runs) == 0 || len(req.Runs) > lim.MaxRuns {
		return nil, badRequest("choose between 1 and %d optimisers", lim.MaxRuns)
	}
	x0 := req.Start[:]
	if _, err := fn.at(x0[0], x0[1]); err != nil {
		return nil, badRequest("at the starting point: %v", err)
	}
	factories := make([]optim.Factory, len(req.Runs))
	for i, spec := range req.Runs {
		if factories[i], err = spec.factory(); err != nil {
			return nil, err
		}
	}
	out := OptimizeResponse{Runs: make([]Run, len(req.Runs))}
	for i, spec := range req.Runs {
		out.Runs[i] = fn.run(ctx, spec.Name, factories[i], x0, steps)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// stoppable is an optimiser whose Step fails once ctx is done, so that a
// long run ends at the request's deadline.
type stoppable struct {
	optim.Optimizer[float64]
	ctx context.Context
}

// Step implements optim.Optimizer.
func (s stoppable) Step() error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	return s.Optimizer.Step()
}

// run minimises f from x0 for steps steps (stopping early at a point where
// ‖∇f‖ ≤ 1e-12, or when ctx is done) and returns the trajectory.
func (fn *function) run(ctx context.Context, name string, newOpt optim.Factory, x0 []float64, steps int) (run Run) {
	run.Name = name
	lr := math.NaN()
	probe := func(g []*optim.Group[float64]) (optim.Optimizer[float64], error) {
		o, err := newOpt(g)
		if err != nil {
			return nil, err
		}
		lr = o.Groups()[0].LR
		return stoppable{o, ctx}, nil
	}
	defer func() {
		if r := recover(); r != nil {
			run.Error = fmt.Sprintf("the run failed: %v", r)
		}
	}()
	r, err := optim.Minimize(fn.f, x0, probe, optim.Stop{MaxSteps: steps, GradTol: 1e-12}, optim.Options{})
	run.LR, run.Steps, run.Stopped = lr, r.Steps, r.Stopped
	for _, p := range r.Path {
		run.X = append(run.X, p[0])
		run.Y = append(run.Y, p[1])
	}
	run.Loss = r.Loss
	if err != nil {
		run.Error = err.Error()
	}
	return run
}
