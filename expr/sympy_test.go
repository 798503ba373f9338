package expr

import (
	"encoding/json"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// sympyCase is one entry of testdata/sympy_reference.json, written by
// testdata/gen_sympy.py from SymPy's exact derivatives.
type sympyCase struct {
	Expr     string             `json:"expr"`
	Vars     []string           `json:"vars"`
	At       map[string]float64 `json:"at"`
	Value    float64            `json:"value"`
	Gradient []float64          `json:"gradient"`
	Hessian  [][]float64        `json:"hessian"`
}

func sympyCases(t *testing.T) []sympyCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/sympy_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var cs []sympyCase
	if err := json.Unmarshal(raw, &cs); err != nil {
		t.Fatal(err)
	}
	if len(cs) < 60 {
		t.Fatalf("only %d reference cases", len(cs))
	}
	return cs
}

// relClose reports |got − want| ≤ tol·max(1, |want|).
func relClose(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// Every reference expression parses with the same variables, and its value,
// symbolic gradient and Hessian, and its reverse-mode gradient and exact
// Hessian through autodiff, all match SymPy to 1e-10.
func TestSymPyReference(t *testing.T) {
	const tol = 1e-10
	for _, c := range sympyCases(t) {
		e, err := Parse(c.Expr)
		if err != nil {
			t.Errorf("%s: %v", c.Expr, err)
			continue
		}
		if !slices.Equal(e.Vars(), c.Vars) {
			t.Errorf("%s: vars %v, SymPy %v", c.Expr, e.Vars(), c.Vars)
			continue
		}
		check := func(what string, got, want float64) {
			if !relClose(got, want, tol) {
				t.Errorf("%s: %s = %.17g, SymPy %.17g", c.Expr, what, got, want)
			}
		}
		v, err := e.Eval(c.At)
		if err != nil {
			t.Errorf("%s: %v", c.Expr, err)
			continue
		}
		check("value", v, c.Value)
		for i, name := range c.Vars {
			d := MustDiff(e, name)
			g, err := d.Eval(c.At)
			if err != nil {
				t.Errorf("%s: ∂/∂%s = %s: %v", c.Expr, name, d, err)
				continue
			}
			check("∂/∂"+name+" = "+d.String(), g, c.Gradient[i])
			for j, name2 := range c.Vars {
				h, err := MustDiff(d, name2).Eval(c.At)
				if err != nil {
					t.Errorf("%s: ∂²/∂%s∂%s: %v", c.Expr, name, name2, err)
					continue
				}
				check("∂²/∂"+name+"∂"+name2, h, c.Hessian[i][j])
			}
		}
		f, err := Func(e, c.Vars)
		if err != nil {
			t.Errorf("%s: %v", c.Expr, err)
			continue
		}
		x := make([]float64, len(c.Vars))
		for i, name := range c.Vars {
			x[i] = c.At[name]
		}
		val, grad, err := autodiff.ValueAndGrad(f, tensor.FromSlice(x))
		if err != nil {
			t.Errorf("%s: autodiff: %v", c.Expr, err)
			continue
		}
		check("autodiff value", val, c.Value)
		for i := range x {
			check("autodiff ∂/∂"+c.Vars[i], grad.Data()[i], c.Gradient[i])
		}
		hess, err := autodiff.Hessian(f, tensor.FromSlice(x))
		if err != nil {
			t.Errorf("%s: autodiff Hessian: %v", c.Expr, err)
			continue
		}
		for i := range x {
			for j := range x {
				check("autodiff Hessian", hess.At(i, j), c.Hessian[i][j])
			}
		}
	}
}
