package expr

import (
	"fmt"
	gotoken "go/token"
	"math"
	"strconv"
	"strings"
)

// GoSource returns e as a Go expression of type float64 that uses package
// math. It compiles wherever each variable of e is a float64 variable
// named GoName(name), say a parameter of the enclosing function, and it
// computes what Eval computes, to within rounding (x/y rounds once where
// Eval's x·y⁻¹ rounds twice). Where Eval reports a domain error the Go code
// gives what float64 arithmetic gives, NaN or ±Inf.
//
//   - x^2 is x*x and x^3 is x*x*x for a variable x; for any other base u,
//     u^2 is math.Pow(u, 2), so that u is not computed twice;
//   - u^-1 is 1/u, x^-2 is 1/(x*x), e^u is math.Exp(u), any other power is
//     math.Pow(u, v); pow(a, b) is the same as a^b;
//   - sums and products read as String writes them, with - and /, with
//     parentheses where Go's precedence or order of evaluation needs them
//     (x*(-y), x/(y*z), x + (y + z): Go adds left to right);
//   - pi and e are math.Pi and math.E; a number prints with
//     strconv.FormatFloat(v, 'g', -1, 64), which the compiler reads as the
//     same float64; ±Inf, NaN and −0 print as math.Inf(±1), math.NaN() and
//     math.Copysign(0, -1);
//   - sin … tanh, exp, log, log10, log2, sqrt, abs, min, max are math.Sin …
//     math.Max; relu(u) is math.Max(u, 0); sigmoid, softplus, sign and step,
//     which package math lacks, are inline function literals with Eval's
//     formulas, func(u float64) float64 { … }(x), so the output needs no
//     helper functions; a function GoSource does not know (one made with
//     Apply) is called as GoName(name)(…), for the caller to define.
//
// Go evaluates arithmetic on constants exactly, at compile time: 1/2 would
// be an integer division (0), 1/0 and 1e300*1e300 would not compile, and
// 0.1*3 would differ from the float64 product. So GoSource leaves no
// arithmetic on plain numbers to the compiler: a part of e without
// variables or function calls (pow aside), and a run of such terms or
// factors at the start of a sum or product, is computed here, in float64
// as Eval computes it, and printed as one number ((1 + 2)/4*x → 0.75*x,
// 0.1*3*x → 0.30000000000000004*x, 0^-1 → math.Inf(1)). Two readable forms
// stay: products and quotients of pi or e with at most one plain number
// (2*math.Pi, math.Pi/2, -math.E), which are floating-point constants and
// cannot overflow, and division by a nonzero number (x/3), whose left side
// is never an integer constant (1.0/2/x rather than 1/2/x).
func (e *Expr) GoSource() string {
	s, _ := e.goSource()
	return s
}

// GoName returns the Go identifier GoSource uses for the variable name:
//
//   - a valid Go identifier is kept (x, theta_1, α), unless it is a keyword,
//     math or float64 (which the generated code refers to), or ends in an
//     underscore: those get one more underscore (type → type_, math → math_,
//     x_ → x__, _ → __);
//   - any other name becomes v, then its bytes with ASCII letters and digits
//     kept and every other byte written as _ and two hex digits, then _
//     ("x y" → vx_20y_, "2x" → v2x_, "" → v_).
//
// Different names always give different identifiers: only the second and
// third rules end in an underscore, and they cannot meet.
func GoName(name string) string {
	switch {
	case gotoken.IsKeyword(name) || name == "math" || name == "float64":
		return name + "_"
	case gotoken.IsIdentifier(name) && !strings.HasSuffix(name, "_"):
		return name
	case gotoken.IsIdentifier(name):
		return name + "_"
	}
	var b strings.Builder
	b.WriteByte('v')
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "_%02x", c)
		}
	}
	b.WriteByte('_')
	return b.String()
}

// goSource returns e as Go and how tightly that text binds: precSum for
// a + b, precProduct for a*b and a/b, precUnary for a negative number,
// precAtom for names, numbers and calls. (Go's unary minus binds tighter
// than *, so -x*y is (-x)*y: the same number.)
func (e *Expr) goSource() (string, int) {
	if e.Kind != Num && goConstant(e) && !namedConstantProduct(e) {
		return goNumber(goValue(e))
	}
	switch e.Kind {
	case Num:
		switch e.Name {
		case "pi":
			return "math.Pi", precAtom
		case "e":
			return "math.E", precAtom
		}
		return goNumber(e.Value)
	case Var:
		return GoName(e.Name), precAtom
	case Add:
		if len(e.Args) == 0 {
			return "0", precAtom
		}
		terms := foldLeading(e.Args, Sum)
		var b strings.Builder
		for i, t := range terms {
			if i == 0 {
				s, _ := t.goSource() // (a + b) + c is a + b + c: Go adds left to right
				b.WriteString(s)
				continue
			}
			s, p := t.goSource()
			s = goParen(s, p < precProduct) // a + (b + c) keeps its parentheses
			// a + -b*c is a - b*c, the same float64: −(b·c) = (−b)·c.
			if rest, neg := strings.CutPrefix(s, "-"); neg {
				b.WriteString(" - ")
				b.WriteString(rest)
			} else {
				b.WriteString(" + ")
				b.WriteString(s)
			}
		}
		return b.String(), precSum
	case Mul:
		if len(e.Args) == 0 {
			return "1", precAtom
		}
		if pos, neg := e.negated(); neg {
			s, p := pos.goSource()
			return "-" + goParen(s, p < precProduct || strings.HasPrefix(s, "-")), precProduct
		}
		num, den := splitFraction(e.Args, goReciprocal)
		return goFraction(num, den), precProduct
	case Pow:
		base, exp := e.Args[0], e.Args[1]
		k, numeric := plainNum(exp)
		switch {
		case base.Kind == Num && base.Name == "e":
			s, _ := exp.goSource()
			return "math.Exp(" + s + ")", precAtom
		case numeric && (k == 2 || k == 3) && base.Kind == Var:
			x := GoName(base.Name)
			return x + strings.Repeat("*"+x, int(k)-1), precProduct
		}
		if d, ok := goReciprocal(e); ok {
			return goFraction(nil, []*Expr{d}), precProduct
		}
		b, _ := base.goSource()
		x, _ := exp.goSource()
		return "math.Pow(" + b + ", " + x + ")", precAtom
	}
	// Call
	if e.Name == "pow" && len(e.Args) == 2 {
		return Power(e.Args[0], e.Args[1]).goSource()
	}
	args := make([]string, len(e.Args))
	for i, a := range e.Args {
		args[i], _ = a.goSource()
	}
	list := strings.Join(args, ", ")
	switch {
	case e.Name == "relu" && len(args) == 1:
		return "math.Max(" + list + ", 0)", precAtom
	case goFunctions[e.Name] != "":
		return goFunctions[e.Name] + "(" + list + ")", precAtom
	case goLiterals[e.Name] != "":
		return goLiterals[e.Name] + "(" + list + ")", precAtom
	}
	return GoName(e.Name) + "(" + list + ")", precAtom
}

// goFraction writes a product as numerator factors / denominator factors.
func goFraction(num, den []*Expr) string {
	var b strings.Builder
	top := "1"
	if len(num) > 0 {
		num = foldLeading(num, Product)
		for i, f := range num {
			s, p := f.goSource()
			// a*(-b) rather than a*-b; a*(b + c).
			s = goParen(s, p < precProduct || (i > 0 && strings.HasPrefix(s, "-")))
			if i > 0 {
				b.WriteByte('*')
			}
			b.WriteString(s)
		}
		top = b.String()
		b.Reset()
	}
	for i, d := range den {
		s, p := d.goSource()
		s = goParen(s, p < precAtom) // a/(b*c), a/(-2)
		if i == 0 && isIntLiteral(top) && isIntLiteral(s) {
			// 3.0/2/x: 3/2 would be Go's integer division.
			j := strings.LastIndexAny(top, "0123456789") + 1
			top = top[:j] + ".0" + top[j:]
		}
		b.WriteByte('/')
		b.WriteString(s)
	}
	return top + b.String()
}

// goReciprocal is reciprocal for GoSource: it takes u^-1, x^-2 and x^-3
// for a variable x (printed 1/u, 1/(x*x), 1/(x*x*x)) and c^-k for a
// constant c whose c^k is a nonzero finite number (x/3, x/1.4142135623730951).
// Other negative powers, such as u^-0.5 or (x + 1)^-2, stay math.Pow calls.
// 0^-1 stays a factor and prints as math.Inf(1): x*math.Inf(1) is what x/0
// gives, and Go rejects a constant divided by a constant zero (1/0/x).
func goReciprocal(f *Expr) (*Expr, bool) {
	d, ok := f.reciprocal()
	if !ok {
		return nil, false
	}
	base, k := f.Args[0], -f.Args[1].Value
	if goConstant(base) {
		v := goValue(d)
		return d, v != 0 && !math.IsInf(v, 0) && !math.IsNaN(v)
	}
	return d, k == 1 || (k == 2 || k == 3) && base.Kind == Var
}

// foldLeading replaces a run of two or more constant terms (or factors) at
// the start of args by their value, computed as Eval would: Go would add
// or multiply them at compile time, exactly (0.1 + 0.2 + x) or not at all
// (1e300*1e300*x does not compile). Go evaluates a + b + x as (a + b) + x,
// so later constants are runtime arithmetic. join is Sum or Product.
func foldLeading(args []*Expr, join func(...*Expr) *Expr) []*Expr {
	k := 0
	for k < len(args) && goConstant(args[k]) {
		k++
	}
	if k < 2 {
		return args
	}
	run := join(args[:k]...)
	if namedConstantProduct(run) {
		return args // 2*math.Pi*x
	}
	return append([]*Expr{Number(goValue(run))}, args[k:]...)
}

// goConstant reports whether e has no variables and no calls other than pow:
// Go would evaluate its printed form at compile time.
func goConstant(e *Expr) bool {
	switch e.Kind {
	case Var:
		return false
	case Call:
		if e.Name != "pow" || len(e.Args) != 2 {
			return false
		}
	}
	for _, a := range e.Args {
		if !goConstant(a) {
			return false
		}
	}
	return true
}

// goValue computes a constant expression as Eval does, in float64 step by
// step, but with IEEE values where Eval reports a domain error
// (0^-1 = +Inf, (-8)^(1/3) = NaN).
func goValue(e *Expr) float64 {
	switch e.Kind {
	case Num:
		return e.Value
	case Add:
		s := 0.0
		for _, a := range e.Args {
			s += goValue(a)
		}
		return s
	case Mul:
		p := 1.0
		for _, a := range e.Args {
			p *= goValue(a)
		}
		return p
	}
	return math.Pow(goValue(e.Args[0]), goValue(e.Args[1])) // Pow, pow
}

// namedConstantProduct reports whether the constant e is pi or e times or
// divided by at most one nonzero plain number and other named constants
// (2*pi, pi/2, -pi, 1/e): Go may evaluate such a product at compile time,
// in floating point, with no risk of overflow.
func namedConstantProduct(e *Expr) bool {
	factors := []*Expr{e}
	if e.Kind == Mul {
		factors = e.Args
	}
	named, plain := 0, 0
	for _, f := range factors {
		leaf := f
		if f.Kind == Pow {
			if !isNum(f.Args[1], -1) || f.Args[0].Kind != Num || f.Args[0].Value == 0 {
				return false
			}
			leaf = f.Args[0]
		}
		switch {
		case leaf.Kind != Num || math.IsInf(leaf.Value, 0) || math.IsNaN(leaf.Value):
			return false
		case leaf.Name == "pi" || leaf.Name == "e":
			named++
		default:
			plain++
		}
	}
	v := math.Abs(goValue(e))
	return named > 0 && plain <= 1 && v < 1e300 && (v == 0 || v > 1e-300)
}

// goNumber prints v as a Go float64 expression.
func goNumber(v float64) (string, int) {
	switch {
	case math.IsNaN(v):
		return "math.NaN()", precAtom
	case math.IsInf(v, 1):
		return "math.Inf(1)", precAtom
	case math.IsInf(v, -1):
		return "math.Inf(-1)", precAtom
	case v == 0 && math.Signbit(v):
		return "math.Copysign(0, -1)", precAtom // the constant -0 is 0
	case v < 0:
		return strconv.FormatFloat(v, 'g', -1, 64), precUnary
	}
	return strconv.FormatFloat(v, 'g', -1, 64), precAtom
}

// goParen wraps s in parentheses if need is true.
func goParen(s string, need bool) string {
	if need {
		return "(" + s + ")"
	}
	return s
}

// isIntLiteral reports whether s is an integer literal such as 3, -3 or
// (-3): Go's / between two of them divides integers.
func isIntLiteral(s string) bool {
	s = strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(s, "("), ")"), "-")
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// goFunctions are the functions with a namesake in package math.
var goFunctions = map[string]string{
	"sin": "math.Sin", "cos": "math.Cos", "tan": "math.Tan",
	"asin": "math.Asin", "acos": "math.Acos", "atan": "math.Atan",
	"sinh": "math.Sinh", "cosh": "math.Cosh", "tanh": "math.Tanh",
	"exp": "math.Exp", "log": "math.Log", "log10": "math.Log10", "log2": "math.Log2",
	"sqrt": "math.Sqrt", "abs": "math.Abs", "min": "math.Min", "max": "math.Max",
}

// goLiterals are function literals for the functions package math lacks,
// with the formulas of funcs.go (tensor.SigmoidOf, tensor.SoftplusOf, tensor.SignOf, stepOf).
var goLiterals = map[string]string{
	"sigmoid":  "func(u float64) float64 { if u >= 0 { return 1 / (1 + math.Exp(-u)) }; z := math.Exp(u); return z / (1 + z) }",
	"softplus": "func(u float64) float64 { return math.Max(u, 0) + math.Log1p(math.Exp(-math.Abs(u))) }",
	"sign":     "func(u float64) float64 { if u > 0 { return 1 }; if u < 0 { return -1 }; return u }",
	"step":     "func(u float64) float64 { if u > 0 { return 1 }; return 0 }",
}
