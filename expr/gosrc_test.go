package expr

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/constant"
	"go/importer"
	goparser "go/parser"
	gotoken "go/token"
	"go/types"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestGoSource(t *testing.T) {
	cases := []struct {
		src, want string
	}{
		{"x^2*y + y*z^3 + sin(x*y)", "x*x*y + y*z*z*z + math.Sin(x*y)"},
		{"x - y - z", "x - y - z"},
		{"x + (y + z)", "x + (y + z)"},
		{"x - (y + z)", "x - (y + z)"},
		{"x*(y*z)", "x*y*z"},
		{"(x + 1)*(x - 1)", "(x + 1)*(x - 1)"},
		{"x*-y", "x*(-y)"},
		{"-x^2", "-x*x"},
		{"-(-y)", "-(-y)"},
		{"-(x/y)", "-x/y"},
		{"-2*x/y", "-2*x/y"},
		{"x/(y*z)", "x/(y*z)"},
		{"x/y/z", "x/y/z"},
		{"x/-2", "x/(-2)"},
		// powers
		{"x^2 + x^3 + x^-1", "x*x + x*x*x + 1/x"},
		{"x^-2 + x^-3", "1/(x*x) + 1/(x*x*x)"},
		{"(x + 1)^2 + (x + 1)^-1", "math.Pow(x + 1, 2) + 1/(x + 1)"},
		{"(x + 1)^-2 + x^-0.5 + x^4", "math.Pow(x + 1, -2) + math.Pow(x, -0.5) + math.Pow(x, 4)"},
		{"(-x)^2", "math.Pow(-x, 2)"},
		{"2^x^2", "math.Pow(2, x*x)"},
		{"e^x + e^-x", "math.Exp(x) + math.Exp(-x)"},
		{"pow(x, 2) + pow(x, y)", "x*x + math.Pow(x, y)"},
		{"sin(x)^2", "math.Pow(math.Sin(x), 2)"},
		// constants and numbers
		{"2*pi*x", "2*math.Pi*x"},
		{"pi/2 - x", "math.Pi/2 - x"},
		{"-pi*x + 1/pi", "-math.Pi*x + 1/math.Pi"},
		{"e*x", "math.E*x"},
		{"x/2", "x/2"},
		{"x/3", "x/3"},
		{"1/2", "0.5"},
		{"1/2 + x", "0.5 + x"},
		{"(1 + 2)/4*x", "0.75*x"},
		{"3/2/x", "1.5/x"},
		{"3*x/2", "3*x/2"},
		{"1/(2*x)", "1/(2*x)"},
		{"0.1*3*x", "0.30000000000000004*x"},
		{"1 + 2 + x", "3 + x"},
		{"x + 1 + 2", "x + 1 + 2"},
		{"1e300*1e300*x", "math.Inf(1)*x"},
		{"x/0", "x*math.Inf(1)"},
		{"x/2^-0.5", "x/0.7071067811865475"},
		{"x*2^-0.5", "x/1.4142135623730951"},
		{"2^0.5*x", "1.4142135623730951*x"},
		{"1.5e-5*x + 2.5e20", "1.5e-05*x + 2.5e+20"},
		{"x - 3", "x - 3"},
		{"-3 + x", "-3 + x"},
		{"pow(2, 3)*x", "8*x"},
		{"sin(1)*x", "math.Sin(1)*x"},
		// functions
		{"log10(x) + log2(y) + log(z) + atan(y/x)", "math.Log10(x) + math.Log2(y) + math.Log(z) + math.Atan(y/x)"},
		{"min(x, y) - max(x, -y)", "math.Min(x, y) - math.Max(x, -y)"},
		{"sqrt(abs(x))", "math.Sqrt(math.Abs(x))"},
		{"asin(x) + acos(x) + sinh(x)*cosh(x)*tanh(x)", "math.Asin(x) + math.Acos(x) + math.Sinh(x)*math.Cosh(x)*math.Tanh(x)"},
		{"exp(-(x^2))", "math.Exp(-x*x)"},
		{"relu(x - 1)", "math.Max(x - 1, 0)"},
		{"step(x)", "func(u float64) float64 { if u > 0 { return 1 }; return 0 }(x)"},
		{"sign(x)", "func(u float64) float64 { if u > 0 { return 1 }; if u < 0 { return -1 }; return u }(x)"},
		{"softplus(x)", "func(u float64) float64 { return math.Max(u, 0) + math.Log1p(math.Exp(-math.Abs(u))) }(x)"},
		{"2*sigmoid(x*y)", "2*func(u float64) float64 { if u >= 0 { return 1 / (1 + math.Exp(-u)) }; z := math.Exp(u); return z / (1 + z) }(x*y)"},
		// names
		{"type*math + x_ - float64", "type_*math_ + x__ - float64_"},
		{"theta_1*b1 + α", "theta_1*b1 + α"},
	}
	for _, c := range cases {
		if got := MustParse(c.src).GoSource(); got != c.want {
			t.Errorf("GoSource(%s)\n got %s\nwant %s", c.src, got, c.want)
		}
	}

	trees := []struct {
		e    *Expr
		want string
	}{
		{n(math.Copysign(0, -1)), "math.Copysign(0, -1)"},
		{Sum(x, n(math.Inf(-1))), "x + math.Inf(-1)"},
		{Product(n(math.NaN()), x), "math.NaN()*x"},
		{Sum(Variable("x y"), Variable("2x")), "vx_20y_ + v2x_"},
		{Apply("f", x, y), "f(x, y)"},
		{Product(Product(n(2), Power(n(-3), n(-1))), Power(x, n(-1))), "-0.6666666666666666/x"},
		{Product(n(3), Power(n(2), n(-1)), Power(x, n(-1))), "3.0/2/x"},
		{Product(Power(n(2), n(-1)), Power(x, n(-1))), "1.0/2/x"},
		{Product(Power(n(2), n(-1)), &Expr{Kind: Num, Value: math.Pi, Name: "pi"}), "math.Pi/2"},
		{Product(n(2), Power(&Expr{Kind: Num, Value: math.Pi, Name: "pi"}, n(-1))), "2/math.Pi"},
		{Product(n(2), n(3), &Expr{Kind: Num, Value: math.Pi, Name: "pi"}), "18.84955592153876"},
		{Product(x, Power(n(0), n(-1))), "x*math.Inf(1)"},
	}
	for _, c := range trees {
		if got := c.e.GoSource(); got != c.want {
			t.Errorf("GoSource(%s)\n got %s\nwant %s", c.e, got, c.want)
		}
	}
}

// Every function the parser knows has its Go form; only unknown names are
// left for the caller to define.
func TestGoSourceFunctions(t *testing.T) {
	for _, name := range Functions() {
		args := []*Expr{x, y}[:functions[name].arity]
		got := Apply(name, args...).GoSource()
		if !strings.HasPrefix(got, "math.") && !strings.HasPrefix(got, "func(u float64) float64 {") && name != "pow" {
			t.Errorf("%s is %s", name, got)
		}
	}
}

// The partials of the textbook function, as Go.
func TestGoSourceTextbook(t *testing.T) {
	e := MustParse("x^2*y + y*z^3 + sin(x*y)")
	want := map[string]string{
		"x": "2*x*y + y*math.Cos(x*y)",
		"y": "x*x + z*z*z + x*math.Cos(x*y)",
		"z": "3*y*z*z",
	}
	for v, w := range want {
		if got := MustDiff(e, v).GoSource(); got != w {
			t.Errorf("∂f/∂%s = %s, want %s", v, got, w)
		}
	}
}

func TestGoName(t *testing.T) {
	for name, want := range map[string]string{
		"x": "x", "theta_1": "theta_1", "α": "α", "b1": "b1", "_x": "_x",
		"type": "type_", "func": "func_", "range": "range_", "math": "math_", "float64": "float64_",
		"x_": "x__", "type_": "type__", "_": "__",
		"x y": "vx_20y_", "2x": "v2x_", "": "v_", "a-b": "va_2db_", "a_ b": "va_5f_20b_",
	} {
		if got := GoName(name); got != want {
			t.Errorf("GoName(%q) = %q, want %q", name, got, want)
		}
	}
	// Different names give different valid identifiers, none a keyword.
	names := []string{"", "_", "__", "v", "v_", "v__", "x", "x_", "x__", "type", "type_", "type__",
		"math", "math_", "x y", "vx_20y", "vx_20y_", "2x", "v2x", "v2x_", "a_b", "a b", "va_20b", "va_20b_", "α", "α β"}
	seen := map[string]string{}
	for _, name := range names {
		g := GoName(name)
		if !gotoken.IsIdentifier(g) || g == "_" {
			t.Errorf("GoName(%q) = %q is not a usable identifier", name, g)
		}
		if other, dup := seen[g]; dup {
			t.Errorf("GoName(%q) = GoName(%q) = %q", name, other, g)
		}
		seen[g] = name
	}
}

// goCase is an expression to compile, with the points to evaluate it at.
type goCase struct {
	e    *Expr
	vars []string // the parameters of the generated function, sorted
	at   [][]float64
}

// goProgram writes a Go program with one function per case, whose main
// prints each case's value at each of its points with %.17g, one a line.
func goProgram(cases []goCase) string {
	var b strings.Builder
	b.WriteString("package main\n\nimport (\n\t\"fmt\"\n\t\"math\"\n)\n\nvar _, _ = fmt.Sprint, math.Pi\n\n")
	for i, c := range cases {
		params := make([]string, len(c.vars))
		for j, v := range c.vars {
			params[j] = GoName(v)
		}
		sig := ""
		if len(params) > 0 {
			sig = strings.Join(params, ", ") + " float64"
		}
		fmt.Fprintf(&b, "// %s\nfunc f%d(%s) float64 {\n\treturn %s\n}\n\n", strings.ReplaceAll(c.e.String(), "\n", " "), i, sig, c.e.GoSource())
	}
	b.WriteString("func main() {\n")
	for i, c := range cases {
		for _, p := range c.at {
			args := make([]string, len(p))
			for j, v := range p {
				args[j] = strconv.FormatFloat(v, 'g', -1, 64)
			}
			fmt.Fprintf(&b, "\tfmt.Printf(\"%%.17g\\n\", f%d(%s))\n", i, strings.Join(args, ", "))
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// env is the point p of case c as a map for Eval.
func (c goCase) env(p []float64) map[string]float64 {
	m := map[string]float64{}
	for i, v := range c.vars {
		m[v] = p[i]
	}
	return m
}

// newGoCase evaluates e at points drawn by point, over e's variables.
func newGoCase(e *Expr, points [][]float64) goCase {
	vars := e.Vars()
	slices.Sort(vars)
	return goCase{e: e, vars: vars, at: points}
}

// hazards are expressions that test GoSource's corners: constant
// arithmetic the compiler would reject or do differently, names Go
// reserves, powers, and the functions package math lacks.
func hazards() []*Expr {
	pi := &Expr{Kind: Num, Value: math.Pi, Name: "pi"}
	es := []*Expr{
		Sum(Variable("x y"), Product(n(2), Variable("2x")), Variable("")),
		Product(n(5e-324), x), Sum(Product(n(math.MaxFloat64), x), n(-math.MaxFloat64)),
		Product(n(math.Copysign(0, -1)), x), Sum(x, n(math.Inf(1))), Product(x, Power(n(0), n(-1))),
		Product(n(2), Power(n(-3), n(-1)), Power(x, n(-1))),
		Product(n(3), Power(n(2), n(-1)), Power(x, n(-1))),
		Product(Power(n(2), n(-1)), Power(x, n(-1))),
		Product(Power(n(2), n(-1)), pi, x), Product(n(2), Power(pi, n(-1)), x),
		Sum(n(1e308), n(1e308), x),
	}
	for _, src := range []string{
		"x^2*y + y*z^3 + sin(x*y)",
		"1/2 + x", "3/2/x", "1/2/x", "x/0", "0^-1 + x", "x/(1 - 1)", "1e300*1e300*x", "0.1*3*x", "0.1 + 0.2 + x",
		"(1 + 2)/4*x", "2*pi*x", "pi/2 - x", "-pi*x + 1/pi", "x/2^-0.5", "pow(2, 3)/x", "pow(0, -1)*x",
		"x^-2 + x^-3 + x^2 + x^3 + (x + 1)^-2 + (x + 1)^2 + x^-1", "e^x + e^-x + e^(x*y)",
		"sigmoid(x) + softplus(x) + sign(x) + step(x) + relu(x)",
		"sigmoid(-x) + softplus(-x) + sign(-x) + step(-x) + relu(-x)",
		"type*math + x_ - float64 + func*range + _",
		"log10(x) + log2(x) + log(x) + atan(y/x) + sqrt(x) + abs(y)",
		"min(x, y) - max(x, -y) + pow(x, y)",
	} {
		es = append(es, MustParse(src))
	}
	return es
}

// points draws k points of dimension d; for a variable named like one of
// the special values, ±0, ±1, ±30 and ±800 come up too.
func points(r *rand.Rand, k, d int) [][]float64 {
	special := []float64{0, math.Copysign(0, -1), 1, -1, 30, -30, 800, -800, 0.5, 2}
	ps := make([][]float64, k)
	for i := range ps {
		ps[i] = make([]float64, d)
		for j := range ps[i] {
			if r.IntN(4) == 0 {
				ps[i][j] = special[r.IntN(len(special))]
			} else {
				ps[i][j] = r.NormFloat64() * 2
			}
		}
	}
	return ps
}

// GoSource of many random expressions type-checks as Go, and leaves no
// integer arithmetic on constants for the compiler (1/2 = 0).
func TestGoSourceTypeChecks(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var cases []goCase
	for _, e := range hazards() {
		cases = append(cases, newGoCase(e, nil))
	}
	for range 1000 {
		cases = append(cases, newGoCase(randomExpr(r, 5), nil))
	}
	src := goProgram(cases)
	fset := gotoken.NewFileSet()
	f, err := goparser.ParseFile(fset, "main.go", src, goparser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("the generated program does not parse: %v", err)
	}
	info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}}
	var errs []error
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil), Error: func(err error) { errs = append(errs, err) }}
	if _, err := conf.Check("main", fset, []*ast.File{f}, info); err != nil && strings.Contains(err.Error(), "could not import") {
		t.Skipf("cannot type-check: %v", err)
	}
	lines := strings.Split(src, "\n")
	for i, err := range errs {
		if i == 10 {
			t.Fatalf("… and %d more", len(errs)-10)
		}
		line := ""
		if te, ok := err.(types.Error); ok {
			line = lines[fset.Position(te.Pos).Line-1]
		}
		t.Errorf("%v\n%s", err, line)
	}
	// A constant quotient must be the quotient of real numbers.
	quotients := 0
	ast.Inspect(f, func(nd ast.Node) bool {
		be, ok := nd.(*ast.BinaryExpr)
		if !ok || be.Op != gotoken.QUO {
			return true
		}
		q, a, b := info.Types[be].Value, info.Types[be.X].Value, info.Types[be.Y].Value
		if q == nil || a == nil || b == nil {
			return true
		}
		quotients++
		got, _ := constant.Float64Val(constant.ToFloat(q))
		want, _ := constant.Float64Val(constant.BinaryOp(constant.ToFloat(a), gotoken.QUO, constant.ToFloat(b)))
		if got != want {
			line := fset.Position(be.Pos()).Line
			t.Errorf("integer division %s = %s on line %d: %s", types.ExprString(be), q, line, lines[line-1])
		}
		return true
	})
	if quotients == 0 {
		t.Error("no constant quotient checked")
	}
}

// sympyExprs are the expressions of testdata/sympy_reference.json with
// their points: real-world formulas and their gradients.
func sympyExprs(t *testing.T) []goCase {
	raw, err := os.ReadFile("testdata/sympy_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref []struct {
		Expr string             `json:"expr"`
		At   map[string]float64 `json:"at"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	var cases []goCase
	for _, c := range ref {
		e := MustParse(c.Expr)
		es := []*Expr{e}
		for _, v := range e.Vars() {
			if d, err := Diff(e, v); err == nil {
				es = append(es, d)
			}
		}
		for _, e := range es {
			vars := make([]string, 0, len(c.At))
			for v := range c.At {
				vars = append(vars, v)
			}
			slices.Sort(vars)
			p := make([]float64, len(vars))
			for i, v := range vars {
				p[i] = c.At[v]
			}
			cases = append(cases, goCase{e: e, vars: vars, at: [][]float64{p}})
		}
	}
	return cases
}

// The honest check: compile GoSource with the Go tool, run it, and compare
// its values with Eval's at the same points, for 30 random expressions,
// the corner cases above, and the SymPy reference expressions with their
// gradients.
func TestGoSourceRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go tool")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool:", err)
	}
	r := rand.New(rand.NewPCG(9, 10))
	var cases []goCase
	for _, e := range hazards() {
		c := newGoCase(e, nil)
		c.at = points(r, 6, len(c.vars))
		cases = append(cases, c)
	}
	// 30 random expressions, each with a value at one of its points at least.
	for found := 0; found < 30; {
		c := newGoCase(randomExpr(r, 4), nil)
		c.at = points(r, 4, len(c.vars))
		for _, p := range c.at {
			if _, err := c.e.Eval(c.env(p)); err == nil {
				cases = append(cases, c)
				found++
				break
			}
		}
	}
	cases = append(cases, sympyExprs(t)...)

	dir := t.TempDir()
	src := goProgram(cases)
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(goTool, "run", "main.go")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=", "GOTOOLCHAIN=local")
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go run: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go run: %v", err)
	}
	lines := strings.Fields(string(out))
	compared, exact, worst := 0, 0, 0.0
	k := 0
	for i, c := range cases {
		for _, p := range c.at {
			if k >= len(lines) {
				t.Fatalf("the program printed %d values, want more", len(lines))
			}
			got, err := strconv.ParseFloat(lines[k], 64)
			k++
			if err != nil {
				t.Fatalf("line %d: %v", k, err)
			}
			want, err := c.e.Eval(c.env(p))
			if err != nil {
				continue // undefined here: Go gives NaN or ±Inf, Eval an error
			}
			compared++
			if got == want || math.IsNaN(got) && math.IsNaN(want) {
				exact++
				continue
			}
			d := math.Abs(got-want) / math.Max(1, math.Abs(want))
			worst = max(worst, d)
			if !(d <= 1e-12) {
				t.Errorf("f%d = %s = %s at %v:\n  Go %v, Eval %v", i, c.e, c.e.GoSource(), c.env(p), got, want)
			}
		}
	}
	if k != len(lines) {
		t.Errorf("the program printed %d values, want %d", len(lines), k)
	}
	if compared < 300 {
		t.Errorf("only %d values compared", compared)
	}
	t.Logf("%d cases, %d values compared, %d equal to the bit, worst relative difference %.3g", len(cases), compared, exact, worst)
}
