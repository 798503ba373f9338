package expr

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

var x, y, z = Variable("x"), Variable("y"), Variable("z")

func n(v float64) *Expr { return Number(v) }

// The trees Parse must build, written with the constructors from the grammar.
func TestParsePrecedence(t *testing.T) {
	cases := []struct {
		src  string
		want *Expr
	}{
		{"-x^2", Negate(Power(x, n(2)))},
		{"2^x^2", Power(n(2), Power(x, n(2)))},
		{"x^-1", Power(x, n(-1))},
		{"x^-y^2", Power(x, Negate(Power(y, n(2))))},
		{"2*-x", Product(n(2), Negate(x))},
		{"x + -(-y)", Sum(x, Negate(Negate(y)))},
		{"x - y - z", Sum(Sum(x, Negate(y)), Negate(z))},
		{"x / y / z", Quotient(Quotient(x, y), z)},
		{"x / y * z", Product(Quotient(x, y), z)},
		{"x + y * z", Sum(x, Product(y, z))},
		{"(x + y) * z", Product(Sum(x, y), z)},
		{"-3", n(-3)},
		{"--x", Negate(Negate(x))},
		{"+x", x},
		{"1e-3 + .5 + 2.", Sum(Sum(n(1e-3), n(0.5)), n(2))},
		{"sin(x)^2", Power(Apply("sin", x), n(2))},
		{"max(x, y*2)", Apply("max", x, Product(y, n(2)))},
		{"theta_1 * b1", Product(Variable("theta_1"), Variable("b1"))},
		{"2*pi", Product(n(2), &Expr{Kind: Num, Value: math.Pi, Name: "pi"})},
		{"e^x", Power(&Expr{Kind: Num, Value: math.E, Name: "e"}, x)},
		{"  x  ", x},
	}
	for _, c := range cases {
		got, err := Parse(c.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.src, err)
			continue
		}
		if !Equal(got, c.want) {
			t.Errorf("Parse(%q) = %s, want %s", c.src, got, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		src, msg string
		col      int
	}{
		{"", "empty expression", 1},
		{"   ", "empty expression", 4},
		{"sinn(x)", `unknown function "sinn" (did you mean "sin"?)`, 1},
		{"x*(y + 1", "unbalanced parenthesis", 3},
		{"x + 1)", "unmatched )", 6},
		{"2x", "missing operator between 2 and x: write 2*x (there is no implicit multiplication)", 2},
		{"x y", "missing operator between x and y", 3},
		{"(x+1)(x-1)", "missing operator between (x+1) and (", 6},
		{"x +", "found the end of the expression", 4},
		{"* x", "expected a number, variable, function or ( at the start", 1},
		{"sin x", "function sin needs its argument in parentheses", 1},
		{"min(x)", "min takes 2 arguments, got 1", 1},
		{"exp(x, y)", "exp takes 1 argument, got 2", 1},
		{"x # y", "unexpected character '#'", 3},
		{"2 × x", "write * for multiplication", 3},
		{"x²", "write x^2 for a power", 2},
		{"1e400", "out of range", 1},
		{".", "malformed number", 1},
		{"f(x)", `unknown function "f"`, 1},
		{"x, y", "a comma only separates", 2},
		{"()", "nothing inside the parentheses", 2},
		{"αβ + ", "found the end of the expression", 6},
	}
	for _, c := range cases {
		_, err := Parse(c.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q): error %v, want a *SyntaxError", c.src, err)
			continue
		}
		if !strings.Contains(se.Msg, c.msg) || se.Column != c.col {
			t.Errorf("Parse(%q): column %d %q, want column %d containing %q", c.src, se.Column, se.Msg, c.col, c.msg)
		}
		// The message shows the input with a caret under the column.
		lines := strings.Split(err.Error(), "\n")
		if len(lines) != 3 || lines[1] != "  "+c.src || len([]rune(lines[2])) != c.col+2 || !strings.HasSuffix(lines[2], "^") {
			t.Errorf("Parse(%q): message\n%s\nhas no caret at column %d", c.src, err, c.col)
		}
	}
}

func TestParseLimits(t *testing.T) {
	deep := strings.Repeat("(", 4000) + "x" + strings.Repeat(")", 4000)
	if _, err := Parse(deep); err == nil || !strings.Contains(err.Error(), "nests more than") {
		t.Errorf("deep parentheses: %v", err)
	}
	for _, src := range []string{strings.Repeat("-", 5000) + "x", strings.Repeat("x^", 3000) + "x", strings.Repeat("sin(", 1000) + "x" + strings.Repeat(")", 1000)} {
		if _, err := Parse(src); err == nil || !strings.Contains(err.Error(), "nests more than") {
			t.Errorf("deep %.10s…: %v", src, err)
		}
	}
	long := strings.Repeat("x+", MaxLength) + "x"
	if _, err := Parse(long); err == nil || !strings.Contains(err.Error(), "limit is") {
		t.Errorf("long input: %v", err)
	}
	// Long but shallow input within the limit is fine.
	if _, err := Parse(strings.Repeat("x+", 4000) + "x"); err != nil {
		t.Errorf("4001 terms: %v", err)
	}
}

// randomExpr builds a random expression over x, y, z with every operator and
// function, to depth d.
func randomExpr(r *rand.Rand, d int) *Expr {
	if d == 0 || r.IntN(4) == 0 {
		switch r.IntN(4) {
		case 0:
			return Number(float64(r.IntN(7)) - 3 + float64(r.IntN(4))/4)
		case 1:
			return &Expr{Kind: Num, Value: math.Pi, Name: "pi"}
		}
		return Variable([]string{"x", "y", "z"}[r.IntN(3)])
	}
	a := func() *Expr { return randomExpr(r, d-1) }
	switch r.IntN(8) {
	case 0:
		return Sum(a(), a())
	case 1:
		return Difference(a(), a())
	case 2:
		return Product(a(), a())
	case 3:
		return Quotient(a(), a())
	case 4:
		return Power(a(), a())
	case 5:
		return Negate(a())
	}
	names := Functions()
	name := names[r.IntN(len(names))]
	args := make([]*Expr, functions[name].arity)
	for i := range args {
		args[i] = a()
	}
	return Apply(name, args...)
}

// Printing then parsing gives back an expression that computes the same
// function: the same value, or the same domain error, at random points.
func TestPrintParseRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		e := randomExpr(r, 5)
		src := e.String()
		back, err := Parse(src)
		if err != nil {
			t.Fatalf("case %d: %s does not parse: %v", i, src, err)
		}
		for range 3 {
			env := map[string]float64{"x": r.NormFloat64(), "y": r.NormFloat64(), "z": r.NormFloat64()}
			v1, err1 := e.Eval(env)
			v2, err2 := back.Eval(env)
			if (err1 == nil) != (err2 == nil) || (err1 == nil && !sameFloat(v1, v2)) {
				t.Errorf("case %d: %s at %v: %v (%v) before printing, %v (%v) after", i, src, env, v1, err1, v2, err2)
			}
		}
	}
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

func TestPrint(t *testing.T) {
	cases := []struct {
		e    *Expr
		want string
	}{
		{Difference(x, Product(y, z)), "x - y*z"},
		{Difference(x, Sum(y, z)), "x - (y + z)"},
		{Quotient(x, Product(y, z)), "x/(y*z)"},
		{Product(n(-1), x, y), "-x*y"},
		{Power(Negate(x), n(2)), "(-x)^2"},
		{Power(n(-2), x), "(-2)^x"},
		{Power(Power(x, y), z), "(x^y)^z"},
		{Power(x, Power(y, z)), "x^y^z"},
		{Power(x, Negate(Product(y, z))), "x^(-(y*z))"},
		{Product(n(-1), Negate(y)), "-(-y)"},
		{Power(x, Product(n(-1), Power(y, n(-1)))), "x^(-1/y)"},
		{Product(n(2), Power(x, n(-2))), "2/x^2"},
		{Power(x, n(-1)), "x^-1"},
		{Sum(x, n(-3)), "x - 3"},
		{Apply("atan", Quotient(y, x)), "atan(y/x)"},
		{Product(n(1e-5), x), "1e-05*x"},
	}
	for _, c := range cases {
		if got := c.e.String(); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
}

func TestEval(t *testing.T) {
	env := map[string]float64{"x": 2, "y": 3, "z": 1}
	for src, want := range map[string]float64{
		"x^2*y + y*z^3 + sin(x*y)":            4*3 + 3 + math.Sin(6),
		"-x^2":                                -4,
		"2^x^2":                               16,
		"x/y/z":                               2.0 / 3,
		"min(x, y) + max(x, y)":               5,
		"sigmoid(0) + relu(-x) + softplus(0)": 0.5 + math.Log(2),
		"log10(100) + log2(8) + log(e)":       2 + 3 + 1,
		"pow(x, y) + sqrt(x*8) + abs(-y)":     8 + 4 + 3,
	} {
		got, err := MustParse(src).Eval(env)
		if err != nil || math.Abs(got-want) > 1e-14*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %v (%v), want %v", src, got, err, want)
		}
	}
	for src, msg := range map[string]string{
		"log(x - 3)":       "log(x - 3) is undefined here: its argument must be positive, got -1",
		"sqrt(-x)":         "must not be negative",
		"1/(x - 2)":        "divides by zero",
		"(-x)^0.5":         "needs an integer exponent",
		"asin(x)":          "must lie in [-1, 1]",
		"x + w":            "variable w has no value (values were given for x, y, z)",
		"pow(-y, 0.5)":     "needs an integer exponent",
		"log2(y - y)":      "must be positive",
		"acos(-x) + 1":     "acos(-x)",
		"x^-1 + 0^-1":      "0^-1",
		"sigmoid(1e308*x)": "", // finite: no error
	} {
		_, err := MustParse(src).Eval(env)
		if msg == "" {
			if err != nil {
				t.Errorf("%s: unexpected error %v", src, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %v, want one containing %q", src, err, msg)
		}
	}
}

func TestVars(t *testing.T) {
	got := MustParse("z*sin(theta) + x^z + theta").Vars()
	if strings.Join(got, ",") != "z,theta,x" {
		t.Errorf("Vars = %v", got)
	}
}

// FuzzParse: Parse never panics or hangs; whatever it accepts prints to text
// that parses again and computes the same values.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"x^2*y + y*z^3 + sin(x*y)", "-x^2", "2^x^2", "x^-1", "2*-x", "a + -(-b)", "max(x,y)/min(1,2)", "((x))", "1e-3", "sinn(x)", "2x", "(", ")", "x^^y", "pi*e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): error of type %T", src, err)
			}
			return
		}
		printed := e.String()
		_, _ = e.LaTeX(), e.GoSource() // the other printers must not panic either
		back, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) printed as %q, which does not parse: %v", src, printed, err)
		}
		env := map[string]float64{}
		for i, v := range e.Vars() {
			env[v] = 0.5 + 0.25*float64(i)
		}
		v1, err1 := e.Eval(env)
		v2, err2 := back.Eval(env)
		if (err1 == nil) != (err2 == nil) || (err1 == nil && !sameFloat(v1, v2)) {
			t.Fatalf("%q: %v (%v) before printing as %q, %v (%v) after", src, v1, err1, printed, v2, err2)
		}
	})
}
