package expr

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/nabla-go/nabla/numdiff"
)

// The partials of the textbook function print as a person would write them.
func TestDiffTextbook(t *testing.T) {
	e := MustParse("x^2*y + y*z^3 + sin(x*y)")
	want := map[string]string{"x": "2*x*y + y*cos(x*y)", "y": "x^2 + z^3 + x*cos(x*y)", "z": "3*y*z^2"}
	for v, w := range want {
		if got := MustDiff(e, v).String(); got != w {
			t.Errorf("∂/∂%s = %s, want %s", v, got, w)
		}
	}
	for src, w := range map[string]string{
		"x^3":              "3*x^2",
		"x*x^-1 + 4*x":     "4",
		"exp(-(x^2))":      "-2*x*exp(-x^2)",
		"log(x)":           "x^-1",
		"relu(x) + abs(x)": "step(x) + sign(x)",
		"5":                "0",
	} {
		if got := MustDiff(MustParse(src), "x").String(); got != w {
			t.Errorf("d/dx %s = %s, want %s", src, got, w)
		}
	}
	if got, err := DiffN(MustParse("x^3"), "x", 2); err != nil || got.String() != "6*x" {
		t.Errorf("d²/dx² x³ = %s, want 6*x", got)
	}
}

// smooth reports whether e uses only functions differentiable everywhere in
// their domain, so finite differences apply at random points.
func smooth(e *Expr) bool {
	if e.Kind == Call && slices.Contains([]string{"abs", "relu", "sign", "step", "min", "max"}, e.Name) {
		return false
	}
	for _, a := range e.Args {
		if !smooth(a) {
			return false
		}
	}
	return true
}

// Symbolic derivatives (first and second) of random smooth expressions agree
// with central differences of the expression itself, and Simplify never
// changes a value.
func TestDiffMatchesFiniteDifferences(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	checked, compared := 0, 0
	for i := 0; checked < 400 && i < 20000; i++ {
		e := randomExpr(r, 4)
		if !smooth(e) {
			continue
		}
		env := map[string]float64{"x": r.NormFloat64(), "y": r.NormFloat64(), "z": r.NormFloat64()}
		at := func(v float64) (float64, error) {
			env2 := map[string]float64{"x": v, "y": env["y"], "z": env["z"]}
			return e.Eval(env2)
		}
		f0, err := at(env["x"])
		if err != nil || math.IsInf(f0, 0) || math.Abs(f0) > 1e6 {
			continue
		}
		// Stay away from domain boundaries: the function must be defined a
		// little way around the point.
		ok := true
		for _, d := range []float64{-1e-3, 1e-3} {
			if _, err := at(env["x"] + d); err != nil {
				ok = false
			}
		}
		if !ok {
			continue
		}
		s, err := Simplify(e).Eval(env)
		if err != nil || math.Abs(s-f0) > 1e-9*math.Max(1, math.Abs(f0)) {
			t.Errorf("Simplify(%s) = %s: %v (%v), want %v", e, Simplify(e), s, err, f0)
		}
		g := func(v float64) float64 { y, _ := at(v); return y }
		for order, st := range []numdiff.Stencil{numdiff.FivePoint, numdiff.FivePoint2} {
			d, err := DiffN(e, "x", order+1)
			if err != nil {
				t.Fatalf("%s: %v", e, err)
			}
			got, err := d.Eval(env)
			want := numdiff.Derivative(g, env["x"], &numdiff.Settings{Stencil: st, Step: 1e-3})
			half := numdiff.Derivative(g, env["x"], &numdiff.Settings{Stencil: st, Step: 5e-4})
			tol := 1e-5 * math.Max(1, math.Abs(want))
			if order == 1 {
				tol = 1e-3 * math.Max(1, math.Abs(want))
			}
			// Trust the finite difference only where it has converged: a
			// fast-oscillating f needs smaller steps than rounding allows.
			if err != nil || math.IsNaN(want) || math.Abs(want) > 1e4 || math.Abs(want-half) > tol/4 {
				continue
			}
			compared++
			if math.Abs(got-want) > tol {
				t.Errorf("d^%d/dx^%d %s at %v\n  symbolic %s = %v\n  finite differences %v", order+1, order+1, e, env, d, got, want)
			}
		}
		checked++
	}
	if checked < 400 || compared < 600 {
		t.Fatalf("only %d expressions and %d derivatives checked", checked, compared)
	}
}

// A derivative that would grow past MaxDiffSize is refused quickly, not built.
func TestDiffTooLarge(t *testing.T) {
	// Each derivative of x^x^x roughly multiplies its size.
	_, err := DiffN(MustParse("x^x^x"), "x", 12)
	var tl *TooLargeError
	if !errors.As(err, &tl) || !strings.Contains(err.Error(), "automatic differentiation handles it") {
		t.Fatalf("12th derivative of x^x^x: %v", err)
	}
	// Modest nesting still works.
	if _, err := Diff(MustParse("x^x^x^x"), "x"); err != nil {
		t.Errorf("x^x^x^x: %v", err)
	}
}

// FuzzDiff: Diff and Simplify never panic or hang on anything Parse accepts,
// and Simplify keeps the value where the expression is defined.
func FuzzDiff(f *testing.F) {
	for _, s := range []string{"x^2*y + y*z^3 + sin(x*y)", "x^x^x", "max(x, y)/min(1, x)", "log(sigmoid(x)) - softplus(-x)", "asin(x/2) + acos(y/3)", "pow(x, y)^-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 200 {
			return
		}
		e, err := Parse(src)
		if err != nil {
			return
		}
		point := map[string]float64{}
		for i, v := range e.Vars() {
			point[v] = 0.3 + 0.2*float64(i)
		}
		if v, err := e.Eval(point); err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
			s, err := Simplify(e).Eval(point)
			if err != nil || (math.Abs(s-v) > 1e-6*math.Max(1, math.Abs(v)) && math.Abs(v) < 1e12) {
				t.Fatalf("Simplify(%s) = %s: %v (%v), want %v", e, Simplify(e), s, err, v)
			}
		}
		for _, name := range e.Vars() {
			d, err := Diff(e, name)
			var tl *TooLargeError
			if err != nil && !errors.As(err, &tl) {
				t.Fatalf("Diff(%s, %s): %v", e, name, err)
			}
			if err == nil {
				d.Eval(point) // any result or error, but no panic
			}
		}
	})
}

// parse(print(diff(e))) computes the same values as diff(e), up to rounding.
func TestDiffPrintRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 1000 {
		e := randomExpr(r, 4)
		d, err := Diff(e, "x")
		if err != nil {
			t.Fatalf("case %d: Diff(%s): %v", i, e, err)
		}
		back, err := Parse(d.String())
		if err != nil {
			t.Fatalf("case %d: %s does not parse: %v", i, d, err)
		}
		env := map[string]float64{"x": r.NormFloat64(), "y": r.NormFloat64(), "z": r.NormFloat64()}
		v1, err1 := d.Eval(env)
		v2, err2 := back.Eval(env)
		// Equal up to rounding: the reparsed text multiplies left to right
		// where the simplified tree holds one n-ary product.
		if (err1 == nil) != (err2 == nil) || (err1 == nil && !sameFloat(v1, v2) && !relClose(v1, v2, 1e-12)) {
			t.Errorf("case %d: d/dx %s = %s: %v (%v), reparsed %v (%v)", i, e, d, v1, err1, v2, err2)
		}
	}
}
