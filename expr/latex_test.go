package expr

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestLaTeX(t *testing.T) {
	cases := []struct {
		src, want string
	}{
		// products: juxtaposition, \cdot only before a number
		{"2*x*y", `2 x y`},
		{"3*x^2*cos(x*y)", `3 x^{2} \cos\left(x y\right)`},
		{"2*3", `2 \cdot 3`},
		{"x*2", `x \cdot 2`},
		{"2*x*3", `2 x \cdot 3`},
		{"x*2^y", `x \cdot 2^{y}`},
		{"2*pi*x", `2 \pi x`},
		{"x*(y*z)", `x y z`},
		{"2*-3", `2 \cdot \left(-3\right)`},
		{"x*-y", `x \left(-y\right)`},
		{"(x + 1)*(x - 1)", `\left(x + 1\right) \left(x - 1\right)`},
		{"-(x + y)*z", `-\left(x + y\right) z`},
		// quotients
		{"x/y", `\frac{x}{y}`},
		{"x/2", `\frac{x}{2}`},
		{"1/(2*x)", `\frac{1}{2 x}`},
		{"x/y/z", `\frac{x}{y z}`},
		{"3/2/x", `\frac{3}{2 x}`},
		{"x*y^-1*z^-2", `\frac{x}{y z^{2}}`},
		{"x^-1", `\frac{1}{x}`},
		{"2/x^2", `\frac{2}{x^{2}}`},
		{"-(x/y)", `-\frac{x}{y}`},
		{"-2*x/y", `-\frac{2 x}{y}`},
		{"(x + 1)/(x - 1)", `\frac{x + 1}{x - 1}`},
		{"(x/y)^2", `\left(\frac{x}{y}\right)^{2}`},
		{"x^(-1/y)", `x^{-\frac{1}{y}}`},
		{"x^-0.5", `\frac{1}{x^{0.5}}`},
		{"atan(y/x)", `\arctan\left(\frac{y}{x}\right)`},
		// sums
		{"x - y - z", `x - y - z`},
		{"x + (y + z)", `x + y + z`},
		{"x - (y + z)", `x - \left(y + z\right)`},
		{"x + (-y + z)", `x - y + z`},
		{"x + -(y*z)", `x - y z`},
		{"x - 3", `x - 3`},
		{"x - -y", `x - \left(-y\right)`},
		{"-x + y", `-x + y`},
		// powers
		{"-x^2", `-x^{2}`},
		{"(-x)^2", `\left(-x\right)^{2}`},
		{"(-2)^x", `\left(-2\right)^{x}`},
		{"2^x^2", `2^{x^{2}}`},
		{"(x^y)^z", `\left(x^{y}\right)^{z}`},
		{"(x + 1)^2", `\left(x + 1\right)^{2}`},
		{"(2*x)^2", `\left(2 x\right)^{2}`},
		{"sin(x)^2", `\sin\left(x\right)^{2}`},
		{"e^x", `e^{x}`},
		{"pow(x, y + 1)", `x^{y + 1}`},
		{"pow(x, -1)", `\frac{1}{x}`},
		{"-(-y)", `-\left(-y\right)`},
		// functions
		{"sqrt(x^2 + 1)", `\sqrt{x^{2} + 1}`},
		{"abs(x - y)", `\left| x - y \right|`},
		{"abs(x)^2", `\left| x \right|^{2}`},
		{"exp(-(x^2))", `\exp\left(-x^{2}\right)`},
		{"log(x) + log10(x) + log2(x)", `\log\left(x\right) + \log_{10}\left(x\right) + \log_{2}\left(x\right)`},
		{"asin(x) + acos(x) + atan(x)", `\arcsin\left(x\right) + \arccos\left(x\right) + \arctan\left(x\right)`},
		{"sinh(x)*cosh(x)*tanh(x)", `\sinh\left(x\right) \cosh\left(x\right) \tanh\left(x\right)`},
		{"sigmoid(x) - relu(x)", `\operatorname{sigmoid}\left(x\right) - \operatorname{relu}\left(x\right)`},
		{"softplus(x) + sign(x) + step(x)", `\operatorname{softplus}\left(x\right) + \operatorname{sign}\left(x\right) + \operatorname{step}\left(x\right)`},
		{"min(x, y) - max(x, -y)", `\min\left(x, y\right) - \max\left(x, -y\right)`},
		{"2*sqrt(x)", `2 \sqrt{x}`},
		// numbers and constants
		{"pi*r^2", `\pi r^{2}`},
		{"2*e", `2 e`},
		{"0.5*x", `0.5 x`},
		{"1e-5*x", `10^{-5} x`},
		{"1.5e-5 + x", `1.5 \cdot 10^{-5} + x`},
		{"2.5e20*x", `2.5 \cdot 10^{20} x`},
		{"x*2.5e20", `x \cdot 2.5 \cdot 10^{20}`},
		{"(1e-5)^2", `\left(10^{-5}\right)^{2}`},
		{"x - 1e-5", `x - 10^{-5}`},
		// names
		{"theta_1*b1 + alpha^2", `\theta_{1} b_{1} + \alpha^{2}`},
		{"lr*x_max + Omega + beta12", `\mathrm{lr} x_{\mathrm{max}} + \Omega + \beta_{12}`},
		{"α*λ + w_ij", `\alpha \lambda + w_{\mathrm{ij}}`},
		{"eta*epsilon + _x", `\eta \epsilon + \mathrm{\_x}`},
		{"lr*grad + lr*x + x*lr", `\mathrm{lr} \cdot \mathrm{grad} + \mathrm{lr} x + x \mathrm{lr}`},
	}
	for _, c := range cases {
		if got := MustParse(c.src).LaTeX(); got != c.want {
			t.Errorf("LaTeX(%s)\n got %s\nwant %s", c.src, got, c.want)
		}
	}

	// Trees the parser does not build.
	trees := []struct {
		e    *Expr
		want string
	}{
		{n(math.Copysign(0, -1)), `-0`},
		{n(math.Inf(1)), `\infty`},
		{Sum(x, n(math.Inf(-1))), `x - \infty`},
		{n(math.NaN()), `\mathrm{NaN}`},
		{Variable("learning rate"), `\mathrm{learning\ rate}`},
		{Variable("a{b}^c"), `\mathrm{a\{b\}\hat{}c}`},
		{Apply("f_2", x), `\operatorname{f\_2}\left(x\right)`},
		{Product(x, Product(n(-1), y)), `x \left(-y\right)`},
		{Product(Product(n(-1), x), y), `-x y`},
		{Product(n(-1), n(-1), y), `-\left(-y\right)`},
		{Sum(x, Sum(y, z)), `x + y + z`},
		{Sum(x, Product(Product(n(-1), y), z)), `x - y z`},
	}
	for _, c := range trees {
		if got := c.e.LaTeX(); got != c.want {
			t.Errorf("LaTeX(%s)\n got %s\nwant %s", c.e, got, c.want)
		}
	}
}

// The partials of the textbook function, typeset.
func TestLaTeXTextbook(t *testing.T) {
	e := MustParse("x^2*y + y*z^3 + sin(x*y)")
	if got, want := e.LaTeX(), `x^{2} y + y z^{3} + \sin\left(x y\right)`; got != want {
		t.Errorf("f = %s, want %s", got, want)
	}
	want := map[string]string{
		"x": `2 x y + y \cos\left(x y\right)`,
		"y": `x^{2} + z^{3} + x \cos\left(x y\right)`,
		"z": `3 y z^{2}`,
	}
	for v, w := range want {
		if got := MustDiff(e, v).LaTeX(); got != w {
			t.Errorf("∂f/∂%s = %s, want %s", v, got, w)
		}
	}
}

// Every function the parser knows has its own typesetting.
func TestLaTeXFunctions(t *testing.T) {
	want := map[string]string{
		"sin":      `\sin\left(x\right)`,
		"cos":      `\cos\left(x\right)`,
		"tan":      `\tan\left(x\right)`,
		"asin":     `\arcsin\left(x\right)`,
		"acos":     `\arccos\left(x\right)`,
		"atan":     `\arctan\left(x\right)`,
		"sinh":     `\sinh\left(x\right)`,
		"cosh":     `\cosh\left(x\right)`,
		"tanh":     `\tanh\left(x\right)`,
		"exp":      `\exp\left(x\right)`,
		"log":      `\log\left(x\right)`,
		"log10":    `\log_{10}\left(x\right)`,
		"log2":     `\log_{2}\left(x\right)`,
		"sqrt":     `\sqrt{x}`,
		"abs":      `\left| x \right|`,
		"sign":     `\operatorname{sign}\left(x\right)`,
		"step":     `\operatorname{step}\left(x\right)`,
		"sigmoid":  `\operatorname{sigmoid}\left(x\right)`,
		"relu":     `\operatorname{relu}\left(x\right)`,
		"softplus": `\operatorname{softplus}\left(x\right)`,
		"min":      `\min\left(x, y\right)`,
		"max":      `\max\left(x, y\right)`,
		"pow":      `x^{y}`,
	}
	for _, name := range Functions() {
		args := []*Expr{x, y}[:functions[name].arity]
		if got := Apply(name, args...).LaTeX(); got != want[name] {
			t.Errorf("%s typesets as %s, want %s", name, got, want[name])
		}
	}
}

// On random expressions the output is well formed: braces balance, every
// \left has its \right, inside the same braces; exponents are braced; no
// sign follows another.
func TestLaTeXWellFormed(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 1000 {
		e := randomExpr(r, 5)
		s := e.LaTeX()
		if err := latexBalanced(s); err != "" {
			t.Fatalf("case %d: %s\n%s\n%s", i, e, s, err)
		}
		for _, bad := range []string{"--", "+ -", "- -", "- +", "^-", "^x", "^2", "  ", "{ ", " }", `\cdot \cdot`} {
			if strings.Contains(s, bad) {
				t.Fatalf("case %d: %s\n%s\ncontains %q", i, e, s, bad)
			}
		}
		if strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
			t.Fatalf("case %d: %q has surrounding space", i, s)
		}
	}
}

// latexBalanced returns what is wrong with the nesting of {…} and
// \left … \right in s, or "".
func latexBalanced(s string) string {
	var stack []byte
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], `\{`), strings.HasPrefix(s[i:], `\}`):
			i++
		case strings.HasPrefix(s[i:], `\left`):
			stack = append(stack, 'L')
			i += len(`\left`) // skip the delimiter
		case strings.HasPrefix(s[i:], `\right`):
			if len(stack) == 0 || stack[len(stack)-1] != 'L' {
				return "\\right without \\left at byte " + strconv.Itoa(i)
			}
			stack = stack[:len(stack)-1]
			i += len(`\right`)
		case s[i] == '{':
			stack = append(stack, '{')
		case s[i] == '}':
			if len(stack) == 0 || stack[len(stack)-1] != '{' {
				return "} without { at byte " + strconv.Itoa(i)
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		return "unclosed " + string(stack)
	}
	return ""
}
