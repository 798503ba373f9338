package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nabla-go/nabla/expr"
)

// The SymPy reference (expr/testdata, made by gen_sympy.py) through the
// command line: nabla grad --hessian --json matches value, gradient and
// Hessian to 1e-10.
func TestGradJSONMatchesSymPy(t *testing.T) {
	raw, err := os.ReadFile("../../expr/testdata/sympy_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Expr     string             `json:"expr"`
		Vars     []string           `json:"vars"`
		At       map[string]float64 `json:"at"`
		Value    float64            `json:"value"`
		Gradient []float64          `json:"gradient"`
		Hessian  [][]float64        `json:"hessian"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	near := func(got, want float64) bool { return math.Abs(got-want) <= 1e-10*math.Max(1, math.Abs(want)) }
	for _, c := range cases {
		var at []string
		for _, v := range c.Vars {
			at = append(at, fmt.Sprintf("%s=%v", v, c.At[v]))
		}
		out, err := run("grad", "--at", strings.Join(at, ","), "--hessian", "--json", "--", c.Expr)
		if err != nil {
			t.Errorf("nabla grad %q: %v\n%s", c.Expr, err, out)
			continue
		}
		var r gradResult
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Errorf("%s: output is not JSON: %v\n%s", c.Expr, err, out)
			continue
		}
		if !slices.Equal(r.Vars, c.Vars) || !near(r.Value, c.Value) {
			t.Errorf("%s: vars %v value %v, SymPy %v %v", c.Expr, r.Vars, r.Value, c.Vars, c.Value)
		}
		for i := range c.Vars {
			if !near(r.Gradient[i], c.Gradient[i]) || !near(r.Reverse[i], c.Gradient[i]) || !near(r.Forward[i], c.Gradient[i]) {
				t.Errorf("%s: ∂/∂%s symbolic %v, reverse %v, forward %v; SymPy %v", c.Expr, c.Vars[i], r.Gradient[i], r.Reverse[i], r.Forward[i], c.Gradient[i])
			}
			for j := range c.Vars {
				if !near(r.Hessian[i][j], c.Hessian[i][j]) {
					t.Errorf("%s: H[%d][%d] = %v, SymPy %v", c.Expr, i, j, r.Hessian[i][j], c.Hessian[i][j])
				}
			}
		}
		if !r.Check.Pass {
			t.Errorf("%s: gradient check failed:\n%s", c.Expr, r.Check.Report)
		}
	}
}

// ∇(x² + y²) at (1, 2) along (1, 1)/√2 is (2 + 4)/√2; the text shows the
// unit vector used and every method's partials.
func TestGradText(t *testing.T) {
	out, err := run("grad", "x^2 + y^2", "--at", "x=1, y=2", "--dir", "1,1")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out, "\n")
	for _, want := range []string{"∂f/∂x 2*x 2 2 2 2", "∂f/∂y 2*y 4 4 4 4"} {
		if !hasLine(lines, want) {
			t.Errorf("no row %q in\n%s", want, out)
		}
	}
	for _, want := range []string{
		fmt.Sprintf("u = (%.10g, %.10g): ∇f·u = %.10g", 1/math.Sqrt2, 1/math.Sqrt2, 6/math.Sqrt2),
		fmt.Sprintf("|∇f| = %.10g", math.Sqrt(20)),
		"gradient check PASS",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	// A saddle: x² − y² at the origin.
	out, err = run("grad", "x^2 - y^2", "--at", "x=0,y=0", "--hessian")
	if err != nil || !strings.Contains(out, "a saddle point") || !strings.Contains(out, "the gradient is zero") {
		t.Errorf("saddle: %v\n%s", err, out)
	}
}

func TestTangent(t *testing.T) {
	// f = x³ at 2: f = 8, f' = 12, f'' = 12; tangent y = 12x − 16.
	out, err := run("tangent", "x^3", "--at", "x=2")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"f' = 12", "f'' = 12", "= 12*x - 16", "increasing"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	for at, want := range map[string]string{"x=0": "local minimum", "x=-1": "decreasing"} {
		out, err := run("tangent", "x^2", "--at", at)
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("x^2 at %s: %v, want %q in\n%s", at, err, want, out)
		}
	}
	if out, _ := run("tangent", "cos(x)", "--at", "x=0"); !strings.Contains(out, "local maximum") {
		t.Errorf("cos at 0:\n%s", out)
	}
}

func TestJacobian(t *testing.T) {
	// f = (xy, x + sin y): J = [[y, x], [1, cos y]].
	out, err := run("jacobian", "x*y; x + sin(y)", "--at", "x=1,y=2", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var j jacobianResult
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatal(err)
	}
	want := [][]float64{{2, 1}, {1, math.Cos(2)}}
	for i := range want {
		for k := range want[i] {
			if math.Abs(j.Jacobian[i][k]-want[i][k]) > 1e-15 {
				t.Errorf("J[%d][%d] = %v, want %v", i, k, j.Jacobian[i][k], want[i][k])
			}
		}
	}
	if j.MaxAbsError > 1e-12 || !slices.Equal(j.Vars, []string{"x", "y"}) {
		t.Errorf("vars %v, autodiff difference %v", j.Vars, j.MaxAbsError)
	}
}

// Usage errors exit 2 and math errors 1, each with a message that says what
// to do.
func TestCommandErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"grad", "x^2 +", "--at", "x=1"}, 2, "^"},
		{[]string{"grad", "sinn(x)", "--at", "x=1"}, 2, `did you mean "sin"`},
		{[]string{"grad", "2x", "--at", "x=1"}, 2, "no implicit multiplication"},
		{[]string{"grad", "x + y", "--at", "x=1"}, 2, "no value for y"},
		{[]string{"grad", "x", "--at", "x=1,w=2"}, 2, "gives w, which the expression does not use"},
		{[]string{"grad", "x", "--at", "x=abc"}, 2, "not a finite number"},
		{[]string{"grad", "x", "--at", "x"}, 2, "not name=value"},
		{[]string{"grad", "x"}, 2, `required flag(s) "at" not set`},
		{[]string{"grad", "x+y", "--at", "x=1,y=1", "--dir", "1"}, 2, "--dir has 1 components but the function has 2"},
		{[]string{"grad", "x+y", "--at", "x=1,y=1", "--dir", "0,0"}, 2, "zero vector"},
		{[]string{"grad", "log(x)", "--at", "x=-1"}, 1, "log(x) is undefined here: its argument must be positive"},
		{[]string{"grad", "1/x", "--at", "x=0"}, 1, "divides by zero"},
		{[]string{"grad", "sqrt(x)", "--at", "x=0"}, 1, "∂f/∂x"},
		{[]string{"tangent", "x*y", "--at", "x=1,y=1"}, 2, "exactly one variable"},
		{[]string{"jacobian", "x;;y", "--at", "x=1,y=1"}, 2, "component 2 of the function is empty"},
		{[]string{"grad", "x", "y", "--at", "x=1"}, 2, "accepts 1 arg"},
		{[]string{"grad", "-x^2", "--at", "x=1"}, 2, "after --"},
	}
	for _, c := range cases {
		out, err := run(c.args...)
		if err == nil {
			t.Errorf("nabla %q: no error\n%s", c.args, out)
			continue
		}
		if got := exitCode(err); got != c.code || !strings.Contains(err.Error(), c.want) {
			t.Errorf("nabla %q: exit %d, error %q; want exit %d and %q", c.args, got, err, c.code, c.want)
		}
	}
}

func TestDiffCommand(t *testing.T) {
	// d²/dx² sin²x = 2cos²x − 2sin²x = 2cos 2x: check the printed form by value.
	out, err := run("diff", "sin(x)^2", "--wrt", "x", "--order", "2")
	if err != nil {
		t.Fatal(err)
	}
	d, err := expr.Parse(strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("diff printed %q, which does not parse: %v", out, err)
	}
	for _, x := range []float64{-1.3, 0, 0.4, 2} {
		if v, err := d.Eval(map[string]float64{"x": x}); err != nil || math.Abs(v-2*math.Cos(2*x)) > 1e-14 {
			t.Errorf("at %v: %v (%v), want %v", x, v, err, 2*math.Cos(2*x))
		}
	}
	out, err = run("diff", "x^2*y + y*z^3 + sin(x*y)")
	if err != nil || !strings.Contains(out, "∂f/∂x: 2*x*y + y*cos(x*y)") || !strings.Contains(out, "∂f/∂z: 3*y*z^2") {
		t.Errorf("gradient: %v\n%s", err, out)
	}
	if out, _ := run("diff", "x^3", "--latex"); !strings.Contains(out, "3 x^{2}") {
		t.Errorf("latex: %s", out)
	}
	if out, _ := run("diff", "x^3", "--go"); !strings.Contains(out, "3*x*x") {
		t.Errorf("go: %s", out)
	}
	if out, _ := run("diff", "x^2", "--wrt", "y"); strings.TrimSpace(out) != "0" {
		t.Errorf("d/dy x² = %q, want 0", out)
	}
	for _, args := range [][]string{{"diff", "x", "--latex", "--go"}, {"diff", "x", "--order", "-1"}, {"diff", "x^"}} {
		if _, err := run(args...); err == nil || exitCode(err) != 2 {
			t.Errorf("nabla %q: %v, want a usage error", args, err)
		}
	}
}
