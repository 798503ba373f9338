package autodiff_test

// The functional API against closed forms derived by hand (in the comments)
// and against itself: JVP·u = J·u, VJP = wᵀJ, HVP = H·v, D_u f = ∇f·u.
// Then the graph mechanics: accumulation, reuse, NoGrad, Detach, frozen
// weights and gradients of gradients.

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	. "github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// exact is the tolerance for results that are exact up to a few roundings.
const exact = 1e-12

func expectSame(t *testing.T, what string, got, want *tensor.Tensor[float64]) {
	t.Helper()
	if fmt.Sprint(got.Shape()) != fmt.Sprint(want.Shape()) {
		t.Errorf("%s: shape %v, want %v", what, got.Shape(), want.Shape())
		return
	}
	expectClose(t, what, want.Shape(), got.Data(), want.Data(), exact, exact)
}

func expectScalar(t *testing.T, what string, got, want float64) {
	t.Helper()
	expectClose(t, what, nil, []float64{got}, []float64{want}, exact, exact)
}

// matVec returns J·u for J of shape [m, n…] flattened to m×n.
func matVec(j *tensor.Tensor[float64], u []float64, m int) []float64 {
	n := len(u)
	out := make([]float64, m)
	for i := range m {
		for k := range n {
			out[i] += j.Data()[i*n+k] * u[k]
		}
	}
	return out
}

// vecMat returns wᵀ·J for J of shape [m…, n…] flattened to m×n.
func vecMat(w []float64, j *tensor.Tensor[float64], n int) []float64 {
	out := make([]float64, n)
	for i, wi := range w {
		for k := range n {
			out[k] += wi * j.Data()[i*n+k]
		}
	}
	return out
}

// sinSq is f(x) = Σ sin(xᵢ)·xᵢ². By the product rule
//
//	∂f/∂xᵢ     = xᵢ² cos xᵢ + 2xᵢ sin xᵢ,
//	∂²f/∂xᵢ²   = −xᵢ² sin xᵢ + 2xᵢ cos xᵢ + 2 sin xᵢ + 2xᵢ cos xᵢ
//	           = (2 − xᵢ²) sin xᵢ + 4xᵢ cos xᵢ,
//	∂²f/∂xᵢ∂xⱼ = 0 for i ≠ j.
func sinSq(x *v64) *v64 { return Sum(Mul(Sin(x), Square(x)), false) }

func TestScalarFunctionClosedForm(t *testing.T) {
	x := tensor.FromSlice([]float64{0.3, -1.1, 2.0, 0.7}, 2, 2) // any shape works: use a matrix
	u := tensor.FromSlice([]float64{0.5, -1, 2, 0.25}, 2, 2)
	wantF := tensor.Sum(tensor.Apply(x, func(v float64) float64 { return math.Sin(v) * v * v }), false).Item()
	wantG := tensor.Apply(x, func(v float64) float64 { return v*v*math.Cos(v) + 2*v*math.Sin(v) })
	d2 := tensor.Apply(x, func(v float64) float64 { return (2-v*v)*math.Sin(v) + 4*v*math.Cos(v) })
	wantH := tensor.New[float64](2, 2, 2, 2)
	for i, d := range d2.Data() {
		wantH.Data()[i*4+i] = d
	}
	wantD := tensor.Sum(tensor.Mul(wantG, u), false).Item()

	f, g, err := ValueAndGrad(sinSq, x)
	if err != nil {
		t.Fatal(err)
	}
	expectScalar(t, "ValueAndGrad value", f, wantF)
	expectSame(t, "ValueAndGrad gradient", g, wantG)

	g, err = Grad(sinSq, x)
	if err != nil {
		t.Fatal(err)
	}
	expectSame(t, "Grad", g, wantG)

	h, err := Hessian(sinSq, x)
	if err != nil {
		t.Fatal(err)
	}
	expectSame(t, "Hessian", h, wantH)

	hv, err := HVP(sinSq, x, u)
	if err != nil {
		t.Fatal(err)
	}
	expectSame(t, "HVP", hv, tensor.Mul(d2, u)) // diagonal H: H·u = d2 ⊙ u

	d, err := DirectionalDerivative(sinSq, x, u)
	if err != nil {
		t.Fatal(err)
	}
	expectScalar(t, "DirectionalDerivative", d, wantD)

	y, ydot, err := JVP(sinSq, x, u)
	if err != nil {
		t.Fatal(err)
	}
	expectScalar(t, "JVP value", y.Item(), wantF)
	expectScalar(t, "JVP tangent", ydot.Item(), wantD)

	y, xbar, err := VJP(sinSq, x, tensor.Scalar(-2.5))
	if err != nil {
		t.Fatal(err)
	}
	expectScalar(t, "VJP value", y.Item(), wantF)
	expectSame(t, "VJP = −2.5·∇f", xbar, tensor.Scale(-2.5, wantG))

	jac, err := Jacobian(sinSq, x) // one output: the gradient, shaped [] ++ [2,2]
	if err != nil {
		t.Fatal(err)
	}
	expectSame(t, "Jacobian of a scalar function", jac, wantG)
}

// logNorm is f(x) = log(1 + r), r = ‖x‖². With s = 1 + r:
//
//	∇f = 2x / s,   ∇²f = 2I/s − 4xxᵀ/s²  (not diagonal).
func logNorm(x *v64) *v64 { return Log(AddConst(Sum(Square(x), false), 1)) }

func TestHessianNotDiagonal(t *testing.T) {
	xs := []float64{0.5, -1.5, 2}
	x := tensor.FromSlice(xs)
	s := 1 + 0.25 + 2.25 + 4
	want := tensor.New[float64](3, 3)
	for i := range 3 {
		for j := range 3 {
			v := -4 * xs[i] * xs[j] / (s * s)
			if i == j {
				v += 2 / s
			}
			want.Set(v, i, j)
		}
	}
	h, err := Hessian(logNorm, x)
	if err != nil {
		t.Fatal(err)
	}
	expectSame(t, "Hessian of log(1+‖x‖²)", h, want)

	g, err := Grad(logNorm, x)
	if err != nil {
		t.Fatal(err)
	}
	expectSame(t, "gradient of log(1+‖x‖²)", g, tensor.Scale(2/s, x))

	r := rand.New(rand.NewPCG(7, 7))
	for k := range 3 {
		v := tensor.RandN[float64](r, 3)
		hv, err := HVP(logNorm, x, v)
		if err != nil {
			t.Fatal(err)
		}
		expectClose(t, fmt.Sprintf("HVP = H·v (v #%d)", k), []int{3}, hv.Data(), matVec(want, v.Data(), 3), exact, exact)
		d, err := DirectionalDerivative(logNorm, x, v)
		if err != nil {
			t.Fatal(err)
		}
		expectScalar(t, fmt.Sprintf("D_v f = ∇f·v (v #%d)", k), d, tensor.Sum(tensor.Mul(g, v), false).Item())
	}
}

// A vector map with its value and Jacobian in closed form.
type vectorMap struct {
	name  string
	f     Func[float64]
	x     *tensor.Tensor[float64]
	wantY *tensor.Tensor[float64]
	wantJ *tensor.Tensor[float64] // shape y.shape ++ x.shape
}

func vectorMaps() []vectorMap {
	var maps []vectorMap
	// Tall (m = 3 > n = 2: Jacobian by forward-mode columns):
	// F(x, y) = (xy, sin x, x² eʸ),
	// J = [[y, x], [cos x, 0], [2x eʸ, x² eʸ]].
	{
		x, y := 0.7, -0.4
		ey := math.Exp(y)
		maps = append(maps, vectorMap{"tall R²→R³", func(v *v64) *v64 {
			a, b := Slice(v, 0, 0, 1), Slice(v, 0, 1, 2)
			return Concat(0, Mul(a, b), Sin(a), Mul(Square(a), Exp(b)))
		}, tensor.FromSlice([]float64{x, y}),
			tensor.FromSlice([]float64{x * y, math.Sin(x), x * x * ey}),
			tensor.FromSlice([]float64{y, x, math.Cos(x), 0, 2 * x * ey, x * x * ey}, 3, 2)})
	}
	// Wide (m = 2 ≤ n = 3: Jacobian by reverse-mode rows):
	// G(x) = (x₀x₁x₂, x₀² + sin x₂),
	// J = [[x₁x₂, x₀x₂, x₀x₁], [2x₀, 0, cos x₂]].
	{
		x0, x1, x2 := 1.2, -0.5, 0.9
		maps = append(maps, vectorMap{"wide R³→R²", func(v *v64) *v64 {
			a, b, c := Reshape(Slice(v, 0, 0, 1)), Reshape(Slice(v, 0, 1, 2)), Reshape(Slice(v, 0, 2, 3))
			return Stack(0, Mul(Mul(a, b), c), Add(Square(a), Sin(c)))
		}, tensor.FromSlice([]float64{x0, x1, x2}),
			tensor.FromSlice([]float64{x0 * x1 * x2, x0*x0 + math.Sin(x2)}),
			tensor.FromSlice([]float64{x1 * x2, x0 * x2, x0 * x1, 2 * x0, 0, math.Cos(x2)}, 2, 3)})
	}
	// Square (m = n = 4, the wide path) with matrix shapes: F(X) = X·X,
	// ∂(XX)ᵢⱼ/∂Xₖₗ = δᵢₖ Xₗⱼ + Xᵢₖ δⱼₗ.
	{
		X := tensor.FromSlice([]float64{1, -2, 0.5, 3}, 2, 2)
		j := tensor.New[float64](2, 2, 2, 2)
		for i := range 2 {
			for jj := range 2 {
				for k := range 2 {
					for l := range 2 {
						v := 0.0
						if i == k {
							v += X.At(l, jj)
						}
						if jj == l {
							v += X.At(i, k)
						}
						j.Set(v, i, jj, k, l)
					}
				}
			}
		}
		maps = append(maps, vectorMap{"matrix square X·X", func(v *v64) *v64 { return MatMul(v, v) },
			X, tensor.MatMul(X, X), j})
	}
	// Tall with shapes: x ∈ R² ↦ Y ∈ R^{2×3}, Yᵢⱼ = xᵢcⱼ + xᵢ²,
	// ∂Yᵢⱼ/∂xₖ = δᵢₖ (cⱼ + 2xᵢ).
	{
		x := []float64{-0.3, 1.4}
		c := []float64{2, -1, 0.5}
		y := tensor.New[float64](2, 3)
		j := tensor.New[float64](2, 3, 2)
		for i := range 2 {
			for jj := range 3 {
				y.Set(x[i]*c[jj]+x[i]*x[i], i, jj)
				j.Set(c[jj]+2*x[i], i, jj, i)
			}
		}
		C := Const(tensor.FromSlice(c, 1, 3))
		maps = append(maps, vectorMap{"tall R²→R^{2×3}", func(v *v64) *v64 {
			return Add(MatMul(Reshape(v, 2, 1), C), Unsqueeze(Square(v), 1))
		}, tensor.FromSlice(x), y, j})
	}
	// Tall from a 0-d input: F(s) = (s, s², sin s), J = (1, 2s, cos s).
	{
		s := 0.8
		maps = append(maps, vectorMap{"tall R→R³ from a scalar", func(v *v64) *v64 {
			return Stack(0, v, Square(v), Sin(v))
		}, tensor.Scalar(s),
			tensor.FromSlice([]float64{s, s * s, math.Sin(s)}),
			tensor.FromSlice([]float64{1, 2 * s, math.Cos(s)})})
	}
	return maps
}

func TestJacobianJVPVJP(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, mp := range vectorMaps() {
		t.Run(mp.name, func(t *testing.T) {
			jac, err := Jacobian(mp.f, mp.x)
			if err != nil {
				t.Fatal(err)
			}
			expectSame(t, "Jacobian", jac, mp.wantJ)
			m, n := mp.wantY.Size(), mp.x.Size()
			for k := range 2 {
				u := tensor.RandN[float64](r, mp.x.Shape()...)
				y, ydot, err := JVP(mp.f, mp.x, u)
				if err != nil {
					t.Fatal(err)
				}
				expectSame(t, "JVP value", y, mp.wantY)
				expectClose(t, fmt.Sprintf("JVP = J·u (u #%d)", k), mp.wantY.Shape(), ydot.Data(), matVec(mp.wantJ, u.Data(), m), exact, exact)
				expectClose(t, "JVP = Jacobian·u", mp.wantY.Shape(), ydot.Data(), matVec(jac, u.Data(), m), exact, exact)

				w := tensor.RandN[float64](r, mp.wantY.Shape()...)
				y, xbar, err := VJP(mp.f, mp.x, w)
				if err != nil {
					t.Fatal(err)
				}
				expectSame(t, "VJP value", y, mp.wantY)
				expectClose(t, fmt.Sprintf("VJP = wᵀJ (w #%d)", k), mp.x.Shape(), xbar.Data(), vecMat(w.Data(), mp.wantJ, n), exact, exact)
				expectClose(t, "VJP = wᵀ·Jacobian", mp.x.Shape(), xbar.Data(), vecMat(w.Data(), jac, n), exact, exact)
			}
		})
	}
}

// A function that ignores x has zero derivatives of every order, by every route.
func TestConstantFunction(t *testing.T) {
	x := tensor.FromSlice([]float64{1, 2, 3})
	c := Const(tensor.FromSlice([]float64{4, 5}))
	vec := func(*v64) *v64 { return c }
	scalar := func(*v64) *v64 { return Sum(c, false) }
	linear := func(v *v64) *v64 { return Sum(Scale(3, v), false) } // ∇ = 3, ∇² = 0
	zero3, zero2 := tensor.New[float64](3), tensor.New[float64](2)

	g, err := Grad(scalar, x)
	if err != nil {
		t.Fatal(err)
	}
	expectSame(t, "Grad of a constant", g, zero3)
	j, err := Jacobian(vec, x)
	if err != nil {
		t.Fatal(err)
	}
	expectSame(t, "Jacobian of a constant", j, tensor.New[float64](2, 3))
	_, ydot, err := JVP(vec, x, tensor.Ones[float64](3))
	if err != nil {
		t.Fatal(err)
	}
	expectSame(t, "JVP of a constant", ydot, zero2)
	_, xbar, err := VJP(vec, x, tensor.Ones[float64](2))
	if err != nil {
		t.Fatal(err)
	}
	expectSame(t, "VJP of a constant", xbar, zero3)
	h, err := Hessian(linear, x)
	if err != nil {
		t.Fatal(err)
	}
	expectSame(t, "Hessian of a linear function", h, tensor.New[float64](3, 3))
	hv, err := HVP(linear, x, tensor.Ones[float64](3))
	if err != nil {
		t.Fatal(err)
	}
	expectSame(t, "HVP of a linear function", hv, zero3)
	g, err = Grad(linear, x)
	if err != nil {
		t.Fatal(err)
	}
	expectSame(t, "Grad of 3Σx", g, tensor.Full(3.0, 3))
}

// Backward adds into Grad; ZeroGrad forgets.
func TestGradientAccumulation(t *testing.T) {
	x := Param(tensor.FromSlice([]float64{1.5, -2}))
	sq := Sum(Square(x), false) // ∇ = 2x
	for range 2 {
		if err := sq.Backward(); err != nil {
			t.Fatal(err)
		}
	}
	expectSame(t, "two Backward calls of Σx²", x.Grad(), tensor.FromSlice([]float64{6, -8})) // 2·2x
	x.ZeroGrad()
	if x.Grad() != nil {
		t.Fatalf("Grad after ZeroGrad = %v, want nil", x.Grad())
	}
	if err := sq.Backward(); err != nil {
		t.Fatal(err)
	}
	if err := Sum(Scale(3, x), false).Backward(); err != nil { // ∇ = 3
		t.Fatal(err)
	}
	expectSame(t, "Σx² then 3Σx", x.Grad(), tensor.FromSlice([]float64{6, -1})) // 2x + 3
}

// A Var used twice receives both contributions.
func TestVarUsedTwice(t *testing.T) {
	xs := []float64{0.4, -1.3}
	cases := []struct {
		name string
		f    func(x *v64) *v64
		want func(x float64) float64
	}{
		{"x·x", func(x *v64) *v64 { return Mul(x, x) }, func(x float64) float64 { return 2 * x }},
		{"x+x", func(x *v64) *v64 { return Add(x, x) }, func(float64) float64 { return 2 }},
		{"x/x", func(x *v64) *v64 { return Div(x, x) }, func(float64) float64 { return 0 }},
		// a = sin x, a·a + a: (2 sin x + 1)·cos x
		{"sin²+sin", func(x *v64) *v64 { a := Sin(x); return Add(Mul(a, a), a) },
			func(x float64) float64 { return (2*math.Sin(x) + 1) * math.Cos(x) }},
		// concat(x, x)·(1, 2): 1 + 2
		{"concat(x,x)", func(x *v64) *v64 { return Mul(Concat(0, x, x), Const(tensor.FromSlice([]float64{1, 1, 2, 2}))) },
			func(float64) float64 { return 3 }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer noPanic(t, "Backward of Σ "+c.name)
			x := Param(tensor.FromSlice(slices.Clone(xs)))
			if err := Sum(c.f(x), false).Backward(); err != nil {
				t.Fatal(err)
			}
			expectSame(t, "∇ Σ "+c.name, x.Grad(), tensor.Apply(tensor.FromSlice(xs), c.want))
		})
	}
}

func TestNoGradAndDetach(t *testing.T) {
	x := Param(tensor.FromSlice([]float64{2, -3}))
	c := Const(tensor.FromSlice([]float64{0.5, 4}))
	var y *v64
	NoGrad(func() { y = Mul(x, x) }, x)
	if y.RequiresGrad() || !x.RequiresGrad() {
		t.Fatalf("inside NoGrad: y.RequiresGrad = %v (want false); after it x.RequiresGrad = %v (want true)", y.RequiresGrad(), x.RequiresGrad())
	}
	if err := Sum(y, false).Backward(); err == nil {
		t.Error("Backward of a result computed under NoGrad succeeded; it has no Param to differentiate")
	}
	// L = Σ x·c + Σ y with y = x² recorded under NoGrad: ∇ = c only.
	if err := Add(Sum(Mul(x, c), false), Sum(y, false)).Backward(); err != nil {
		t.Fatal(err)
	}
	expectSame(t, "NoGrad cuts the x² branch", x.Grad(), c.Value())

	// L = Σ x·detach(x): ∇ = x, not 2x.
	x.ZeroGrad()
	d := x.Detach()
	if d.RequiresGrad() || d.Op() != "const" {
		t.Errorf("Detach: RequiresGrad %v, Op %q; want false, \"const\"", d.RequiresGrad(), d.Op())
	}
	if err := Sum(Mul(x, d), false).Backward(); err != nil {
		t.Fatal(err)
	}
	expectSame(t, "Detach cuts one factor", x.Grad(), x.Value())

	// NoGrad restores the flag even when f panics.
	func() {
		defer func() { _ = recover() }()
		NoGrad(func() { panic("boom") }, x)
	}()
	if !x.RequiresGrad() {
		t.Error("NoGrad did not restore RequiresGrad after a panic")
	}

	// A frozen weight gets no gradient; the other factor still does.
	a, b := Param(tensor.FromSlice([]float64{1, 2})), Param(tensor.FromSlice([]float64{3, 5}))
	b.SetRequiresGrad(false)
	if err := Sum(Mul(a, b), false).Backward(); err != nil {
		t.Fatal(err)
	}
	expectSame(t, "∂(a·b)/∂a with b frozen", a.Grad(), b.Value())
	if b.Grad() != nil {
		t.Errorf("frozen weight got a gradient %v", b.Grad())
	}
}

// y = x·x·x: y′ = 3x², y″ = 6x, y‴ = 6, by differentiating recorded gradients.
func TestGradientOfGradient(t *testing.T) {
	const x0 = 1.3
	x := Param(tensor.Scalar(x0))
	y := Mul(Mul(x, x), x)
	opts := BackwardOptions[float64]{CreateGraph: true}
	d1, err := Gradients(y, []*v64{x}, opts)
	if err != nil {
		t.Fatal(err)
	}
	d2, err := Gradients(d1[0], []*v64{x}, opts)
	if err != nil {
		t.Fatal(err)
	}
	d3, err := Gradients(d2[0], []*v64{x}, BackwardOptions[float64]{})
	if err != nil {
		t.Fatal(err)
	}
	expectScalar(t, "y′ = 3x²", d1[0].Item(), 3*x0*x0)
	expectScalar(t, "y″ = 6x", d2[0].Item(), 6*x0)
	expectScalar(t, "y‴ = 6", d3[0].Item(), 6)

	// The same through Backward and GradVar.
	if err := y.BackwardWith(opts); err != nil {
		t.Fatal(err)
	}
	g := x.GradVar()
	x.ZeroGrad()
	if err := g.Backward(); err != nil {
		t.Fatal(err)
	}
	expectScalar(t, "Backward of GradVar = 6x", x.Grad().Item(), 6*x0)

	// Without CreateGraph the gradient is a plain number.
	d, err := Gradients(y, []*v64{x}, BackwardOptions[float64]{})
	if err != nil {
		t.Fatal(err)
	}
	if d[0].RequiresGrad() {
		t.Error("a first-order gradient records a graph")
	}
}

// Gradients with respect to a Var the output does not depend on is zero, and
// leaves no trace in the graph: a later pass over it is unaffected.
func TestGradientsUnrelatedVar(t *testing.T) {
	xs := []float64{0.5, -1}
	x := Param(tensor.FromSlice(slices.Clone(xs)))
	z := Param(tensor.Scalar(5.0))
	y := Exp(x)
	gs, err := Gradients(y, []*v64{z}, BackwardOptions[float64]{Seed: Const(tensor.Ones[float64](2))})
	if err != nil {
		t.Fatal(err)
	}
	expectSame(t, "∂exp(x)/∂z", gs[0].Value(), tensor.Scalar(0.0))
	// d/dx Σ 2·exp(x) = 2 exp(x)
	if err := Sum(Scale(2, y), false).Backward(); err != nil {
		t.Fatal(err)
	}
	expectSame(t, "∇ Σ 2eˣ after an unrelated Gradients call", x.Grad(), tensor.Apply(tensor.FromSlice(xs), func(v float64) float64 { return 2 * math.Exp(v) }))
}

// Gradients that are views of a scalar computed in the backward pass (the
// gradient of a sum, broadcast back) must survive the pass.
func TestGradientOfScalarReductions(t *testing.T) {
	xs := []float64{1, 2, 3, 4}
	cases := []struct {
		name string
		f    Func[float64]
		want float64 // every entry of the gradient
	}{
		{"Mean", func(x *v64) *v64 { return Mean(x, false) }, 0.25},                       // ∂(Σx/4)/∂xᵢ = 1/4
		{"Scale∘Sum", func(x *v64) *v64 { return Scale(3, Sum(x, false)) }, 3},            // ∂(3Σx)/∂xᵢ = 3
		{"Sum·c", func(x *v64) *v64 { return Mul(Sum(x, false), Scalar(-2.0)) }, -2},      // ∂(−2Σx)/∂xᵢ = −2
		{"Square∘Sum", func(x *v64) *v64 { return Square(Sum(x, false)) }, 20},            // 2Σx = 20
		{"Exp∘Mean", func(x *v64) *v64 { return Exp(Mean(x, false)) }, math.Exp(2.5) / 4}, // e^{x̄}/4
		{"Reshape∘Scale", func(x *v64) *v64 { return Sum(Reshape(Scale(2, Sum(x, true)), 1), false) }, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer noPanic(t, c.name)
			g, err := Grad(c.f, tensor.FromSlice(slices.Clone(xs)))
			if err != nil {
				t.Fatal(err)
			}
			expectSame(t, "Grad of "+c.name, g, tensor.Full(c.want, 4))
			x := Param(tensor.FromSlice(slices.Clone(xs)))
			if err := c.f(x).Backward(); err != nil {
				t.Fatal(err)
			}
			expectSame(t, "Backward of "+c.name, x.Grad(), tensor.Full(c.want, 4))
		})
	}
}

// GradCheck and CheckParams agree with themselves on smooth functions, flag
// kinks instead of failing, and CheckParams restores the parameters.
func TestGradCheckAndCheckParams(t *testing.T) {
	x := tensor.FromSlice([]float64{0.3, -1.1, 2.0, 0.7})
	res, err := GradCheck(sinSq, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pass || res.MaxRelErr > 1e-7 {
		t.Errorf("GradCheck of Σ sin(x)x²: %v", res)
	}

	// relu(x) at x = 0 is a kink: flagged, not failed.
	res, err = GradCheck(func(v *v64) *v64 { return Sum(ReLU(v), false) }, tensor.FromSlice([]float64{0, 1}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pass || !res.Entries[0].Kink || res.Entries[1].Kink {
		t.Errorf("GradCheck of Σ relu at (0, 1): want a pass with entry 0 (only) flagged as a kink:\n%v", res)
	}

	w := Param(tensor.FromSlice([]float64{0.5, -0.2, 0.1, 0.9}, 2, 2))
	b := Param(tensor.FromSlice([]float64{0.1, -0.3}))
	in := Const(tensor.FromSlice([]float64{1, 2, -1, 0.5}, 2, 2))
	w0, b0 := w.Value().Clone(), b.Value().Clone()
	loss := func() *v64 { return Mean(Square(Tanh(Add(MatMul(in, w), b))), false) }
	res, err = CheckParams(loss, []*v64{w, b}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Pass || len(res.Entries) != 6 {
		t.Errorf("CheckParams of a one-layer model: %v", res)
	}
	expectSame(t, "w restored", w.Value(), w0)
	expectSame(t, "b restored", b.Value(), b0)
}

// Gradients with respect to an intermediate Var, the output itself, a
// constant and the same Var twice.
func TestGradientsWrt(t *testing.T) {
	xs := []float64{0.3, -0.8}
	x := Param(tensor.FromSlice(slices.Clone(xs)))
	c := Const(tensor.FromSlice([]float64{2, 3}))
	h := Square(x)                    // h = x²
	out := Sum(Mul(Sin(h), c), false) // L = Σ cᵢ sin hᵢ
	gs, err := Gradients(out, []*v64{h, x, out, c, x}, BackwardOptions[float64]{})
	if err != nil {
		t.Fatal(err)
	}
	xt := tensor.FromSlice(xs)
	dh := tensor.Mul(c.Value(), tensor.Apply(xt, func(v float64) float64 { return math.Cos(v * v) })) // ∂L/∂h = c cos h
	dx := tensor.Mul(dh, tensor.Scale(2, xt))                                                         // ∂L/∂x = c cos(x²)·2x
	expectSame(t, "∂L/∂h (intermediate)", gs[0].Value(), dh)
	expectSame(t, "∂L/∂x", gs[1].Value(), dx)
	expectSame(t, "∂L/∂L", gs[2].Value(), tensor.Scalar(1.0))
	expectSame(t, "∂L/∂c (a constant: no gradient)", gs[3].Value(), tensor.New[float64](2))
	expectSame(t, "∂L/∂x (asked twice)", gs[4].Value(), dx)
	if x.Grad() != nil || h.Grad() != nil {
		t.Error("Gradients wrote a Grad field")
	}
}

// Documented conventions at kinks and ties, and inputs where a naive formula
// would overflow: the gradients are the closed forms, not NaN.
func TestKinksAndExtremes(t *testing.T) {
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	cases := []struct {
		name string
		f    Func[float64]
		x    []float64
		want []float64
	}{
		// sign(0) = 0, as PyTorch
		{"abs at 0", func(x *v64) *v64 { return Sum(Abs(x), false) }, []float64{0, -2, 3}, []float64{0, -1, 1}},
		// [x > 0]: 0 at 0
		{"relu at 0", func(x *v64) *v64 { return Sum(ReLU(x), false) }, []float64{0, -2, 3}, []float64{0, 0, 1}},
		// 1 for x > 0, the slope otherwise (so at 0 too)
		{"leaky relu at 0", func(x *v64) *v64 { return Sum(LeakyReLU(x, 0.1), false) }, []float64{0, -2, 3}, []float64{0.1, 0.1, 1}},
		// tied maxima share the gradient equally
		{"max with a tie", func(x *v64) *v64 { return Max(x, false) }, []float64{1, 3, 3}, []float64{0, 0.5, 0.5}},
		{"min with a tie", func(x *v64) *v64 { return Min(x, false) }, []float64{2, 2, 5}, []float64{0.5, 0.5, 0}},
		// maximum(x, 1): 1 where x > 1, ½ at the tie, 0 below
		{"maximum at a tie", func(x *v64) *v64 { return Sum(Maximum(x, Scalar(1.0)), false) }, []float64{1, 2, 0}, []float64{0.5, 1, 0}},
		{"minimum at a tie", func(x *v64) *v64 { return Sum(Minimum(x, Scalar(1.0)), false) }, []float64{1, 2, 0}, []float64{0.5, 0, 1}},
		// ∂ lse/∂x = softmax x = (1, 3)/4 at (1000, 1000 + ln 3), without overflow
		{"logsumexp at 1000", func(x *v64) *v64 { return LogSumExp(x, false) }, []float64{1000, 1000 + math.Log(3)}, []float64{0.25, 0.75}},
		// Σ wᵢ log softmaxᵢ: ∂/∂xⱼ = wⱼ − softmaxⱼ Σw; here softmax = (1, 0) to double precision
		{"log softmax at ±1000", func(x *v64) *v64 {
			return Sum(Mul(LogSoftmax(x, 0), Const(tensor.FromSlice([]float64{1, 2}))), false)
		}, []float64{1000, -1000}, []float64{1 - 3, 2}},
		// softplus′ = σ: 1 and 0 (to double precision) far out
		{"softplus at ±1000", func(x *v64) *v64 { return Sum(Softplus(x), false) }, []float64{1000, -1000, 0.5}, []float64{1, 0, sig(0.5)}},
		// σ′ = σ(1 − σ) ≈ e^−40
		{"sigmoid at ±40", func(x *v64) *v64 { return Sum(Sigmoid(x), false) }, []float64{40, -40}, []float64{sig(40) * sig(-40), sig(40) * sig(-40)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer noPanic(t, c.name)
			g, err := Grad(c.f, tensor.FromSlice(slices.Clone(c.x)))
			if err != nil {
				t.Fatal(err)
			}
			expectSame(t, "gradient", g, tensor.FromSlice(c.want))
		})
	}
}
