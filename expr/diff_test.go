package expr

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nabla-go/nabla/numdiff"
)

// The partials of the textbook function print as a person would write them.
func TestDiffTextbook(t *testing.T) {
	e := MustParse("x^2*y + y*z^3 + sin(x*y)")
	want := map[string]string{"x": "2*x*y + y*cos(x*y)", "y": "x^2 + z^3 + x*cos(x*y)", "z": "3*y*z^2"}
	for v, w := range want {
		if got := Diff(e, v).String(); got != w {
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
		if got := Diff(MustParse(src), "x").String(); got != w {
			t.Errorf("d/dx %s = %s, want %s", src, got, w)
		}
	}
	if got := DiffN(MustParse("x^3"), "x", 2).String(); got != "6*x" {
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
			d := DiffN(e, "x", order+1)
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
