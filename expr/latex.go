package expr

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// LaTeX returns e as LaTeX maths (without the surrounding $ … $), typeset
// the way a person writes it:
//
//   - a product with factors of negative numeric exponent is a fraction, those
//     factors going in the denominator: x·y⁻¹·z⁻² is \frac{x}{y z^{2}}, and a
//     lone x⁻¹ is \frac{1}{x};
//   - products are juxtaposed (2 x y, 3 x^{2} \cos\left(x y\right)), with
//     \cdot only where juxtaposition would be ambiguous: before a factor that
//     is or starts with a number (2 \cdot 3, x \cdot 2^{y}), and between two
//     upright names (\mathrm{lr} \cdot \mathrm{grad});
//   - sums with negative terms are subtraction (x - 2 y);
//   - powers are x^{2} with the exponent in braces, and pow(a, b) is a^{b};
//   - \sqrt{u}, \left| u \right|, \sin\left(u\right) … \arcsin, \log,
//     \log_{10}, \log_{2}, \min, \max, and \operatorname{sigmoid} (relu,
//     softplus, sign, step) for the functions LaTeX has no command for;
//   - the constants are \pi and e; numbers print as Parse would read them,
//     with 1e-05 as 10^{-5} and 2.5e+20 as 2.5 \cdot 10^{20};
//   - variables named after Greek letters (theta, Omega, or α itself) are
//     \theta, \Omega, \alpha; trailing digits and the part after an
//     underscore are subscripts (b1 → b_{1}, theta_1 → \theta_{1},
//     x_max → x_{\mathrm{max}}); other names longer than one letter are
//     \mathrm{name};
//   - a product of products is one product, a fraction if any factor is a
//     reciprocal: x/y/z is \frac{x}{y z}, -(x/y) is -\frac{x}{y}.
//
// Parentheses, as \left( … \right), appear exactly where precedence needs
// them: a sum inside a product, a negative factor after another factor, a
// power base that is not a single symbol. Sums inside sums and products
// inside products need none: typeset, a + (b + c) is a + b + c.
func (e *Expr) LaTeX() string {
	s, _ := e.latex()
	return s
}

// latex returns e typeset and how tightly that text binds (a prec… constant).
// Text that starts with a minus applies it to the first factor only, as in
// -x y + z.
func (e *Expr) latex() (string, int) {
	switch e.Kind {
	case Num:
		return latexNumber(e)
	case Var:
		return latexName(e.Name), precAtom
	case Add:
		if len(e.Args) == 0 {
			return "0", precAtom
		}
		var b strings.Builder
		for i, t := range e.Args {
			// No term needs parentheses in a sum, not even a sum: a term
			// starting with a minus is subtracted, x + (-y + z) = x - y + z.
			s, _ := t.latex()
			if i > 0 {
				if rest, neg := strings.CutPrefix(s, "-"); neg {
					b.WriteString(" - ")
					s = rest
				} else {
					b.WriteString(" + ")
				}
			}
			b.WriteString(s)
		}
		return b.String(), precSum
	case Mul:
		if len(e.Args) == 0 {
			return "1", precAtom
		}
		flat := &Expr{Kind: Mul, Args: latexFlatten(e.Args)}
		if pos, neg := flat.negated(); neg {
			s, p := pos.latex()
			return "-" + latexParen(s, p < precProduct || strings.HasPrefix(s, "-")), precProduct
		}
		num, den := splitFraction(flat.Args, (*Expr).reciprocal)
		if len(den) == 0 {
			return latexFactors(num), precProduct
		}
		top := "1"
		if len(num) > 0 {
			top = latexFactors(num)
		}
		return `\frac{` + top + `}{` + latexFactors(den) + `}`, precProduct
	case Pow:
		if d, ok := e.reciprocal(); ok {
			s, _ := d.latex()
			return `\frac{1}{` + s + `}`, precProduct
		}
		base, p := e.Args[0].latex()
		exp, _ := e.Args[1].latex()
		return latexParen(base, p < precAtom) + "^{" + exp + "}", precPower
	}
	// Call
	switch {
	case e.Name == "pow" && len(e.Args) == 2:
		return Power(e.Args[0], e.Args[1]).latex()
	case e.Name == "sqrt" && len(e.Args) == 1:
		s, _ := e.Args[0].latex()
		return `\sqrt{` + s + `}`, precAtom
	case e.Name == "abs" && len(e.Args) == 1:
		s, _ := e.Args[0].latex()
		return `\left| ` + s + ` \right|`, precAtom
	}
	name, ok := latexFunctions[e.Name]
	if !ok {
		name = `\operatorname{` + latexEscape(e.Name) + `}`
	}
	args := make([]string, len(e.Args))
	for i, a := range e.Args {
		args[i], _ = a.latex()
	}
	return name + `\left(` + strings.Join(args, ", ") + `\right)`, precAtom
}

// latexFactors juxtaposes the factors of a product (or of one side of a
// fraction). A lone factor needs no parentheses: the braces of \frac group
// it. Otherwise a sum is parenthesised, and so is a factor after the first
// that starts with a minus. \cdot goes where juxtaposition would be
// ambiguous: before a factor that is or starts with a number (2 \cdot 3,
// x \cdot 2^{y}), and between two upright names (\mathrm{lr} \cdot
// \mathrm{grad}, which juxtaposed would read as one name).
func latexFactors(factors []*Expr) string {
	if len(factors) == 1 {
		s, _ := factors[0].latex()
		return s
	}
	var b strings.Builder
	prev := ""
	for i, f := range factors {
		s, p := f.latex()
		s = latexParen(s, p < precProduct || (i > 0 && strings.HasPrefix(s, "-")))
		if i > 0 {
			_, plain := plainNum(f)
			words := strings.HasPrefix(prev, `\mathrm{`) && strings.HasPrefix(s, `\mathrm{`)
			if plain || (s[0] >= '0' && s[0] <= '9') || words {
				b.WriteString(` \cdot `)
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(s)
		prev = s
	}
	return b.String()
}

// latexFlatten returns the factors of a product with the factors of
// products among them spliced in, so that (x/y)/z is one fraction,
// \frac{x}{y z}, and -(x/y) is -\frac{x}{y}. A product after the first
// factor that prints with a leading minus stays whole: x \left(-y\right).
func latexFlatten(factors []*Expr) []*Expr {
	var out []*Expr
	for i, f := range factors {
		if f.Kind == Mul && len(f.Args) > 0 {
			if _, neg := f.negated(); i == 0 || !neg {
				out = append(out, latexFlatten(f.Args)...)
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// latexParen wraps s in \left( … \right) if need is true.
func latexParen(s string, need bool) string {
	if need {
		return `\left(` + s + `\right)`
	}
	return s
}

// latexNumber typesets a number: \pi, e, 1.5, 10^{-5}, 2.5 \cdot 10^{20},
// \infty.
func latexNumber(e *Expr) (string, int) {
	switch e.Name {
	case "pi":
		return `\pi`, precAtom
	case "e":
		return "e", precAtom
	case "":
	default:
		return latexName(e.Name), precAtom
	}
	v := e.Value
	if math.IsNaN(v) {
		return `\mathrm{NaN}`, precAtom
	}
	s, p := `\infty`, precAtom
	if !math.IsInf(v, 0) {
		s = strconv.FormatFloat(math.Abs(v), 'g', -1, 64)
		if mant, exp, sci := strings.Cut(s, "e"); sci {
			k, _ := strconv.Atoi(exp) // "+20", "-05"
			s, p = "10^{"+strconv.Itoa(k)+"}", precPower
			if mant != "1" {
				s, p = mant+` \cdot `+s, precProduct
			}
		}
	}
	if math.Signbit(v) {
		return "-" + s, min(p, precUnary)
	}
	return s, p
}

// latexFunctions are the commands for functions written name\left(…\right).
var latexFunctions = map[string]string{
	"sin": `\sin`, "cos": `\cos`, "tan": `\tan`,
	"asin": `\arcsin`, "acos": `\arccos`, "atan": `\arctan`,
	"sinh": `\sinh`, "cosh": `\cosh`, "tanh": `\tanh`,
	"exp": `\exp`, "log": `\log`, "log10": `\log_{10}`, "log2": `\log_{2}`,
	"min": `\min`, "max": `\max`,
	"sigmoid": `\operatorname{sigmoid}`, "relu": `\operatorname{relu}`, "softplus": `\operatorname{softplus}`,
	"sign": `\operatorname{sign}`, "step": `\operatorname{step}`,
}

// latexName typesets a variable name: the part after the first underscore,
// or else trailing digits, become a subscript (theta_1 → \theta_{1},
// x_max → x_{\mathrm{max}}, b12 → b_{12}).
func latexName(name string) string {
	if i := strings.IndexByte(name, '_'); i > 0 && i < len(name)-1 {
		return latexSymbol(name[:i]) + "_{" + latexName(name[i+1:]) + "}"
	}
	j := len(name)
	for j > 0 && name[j-1] >= '0' && name[j-1] <= '9' {
		j--
	}
	if j > 0 && j < len(name) {
		return latexSymbol(name[:j]) + "_{" + name[j:] + "}"
	}
	return latexSymbol(name)
}

// latexSymbol typesets a name without subscripts: a Greek letter as its
// command, a single letter or a number as it is, anything else upright.
func latexSymbol(s string) string {
	if g, ok := greek[s]; ok {
		return g
	}
	if r, size := utf8.DecodeRuneInString(s); size > 0 && size == len(s) && unicode.IsLetter(r) {
		return s
	}
	if s != "" && strings.Trim(s, "0123456789") == "" {
		return s
	}
	return `\mathrm{` + latexEscape(s) + `}`
}

// latexEscape makes s safe inside \mathrm{…} or \operatorname{…}.
func latexEscape(s string) string { return latexEscaper.Replace(s) }

var latexEscaper = strings.NewReplacer(
	`\`, `\backslash{}`, `{`, `\{`, `}`, `\}`, `_`, `\_`, `^`, `\hat{}`, `~`, `\sim{}`,
	`#`, `\#`, `$`, `\$`, `%`, `\%`, `&`, `\&`, ` `, `\ `,
)

// greek maps the names of Greek letters, spelled out or as the letter
// itself, to their LaTeX commands. (There is no \omicron, nor commands for
// the capitals that look Latin.)
var greek = func() map[string]string {
	m := map[string]string{"omicron": "o", "ο": "o"}
	for _, pair := range []string{
		"alpha α", "beta β", "gamma γ", "delta δ", "epsilon ϵ", "varepsilon ε", "zeta ζ",
		"eta η", "theta θ", "vartheta ϑ", "iota ι", "kappa κ", "lambda λ", "mu μ", "nu ν",
		"xi ξ", "pi π", "varpi ϖ", "rho ρ", "varrho ϱ", "sigma σ", "varsigma ς", "tau τ",
		"upsilon υ", "phi ϕ", "varphi φ", "chi χ", "psi ψ", "omega ω",
		"Gamma Γ", "Delta Δ", "Theta Θ", "Lambda Λ", "Xi Ξ", "Pi Π", "Sigma Σ",
		"Upsilon Υ", "Phi Φ", "Psi Ψ", "Omega Ω",
	} {
		name, letter, _ := strings.Cut(pair, " ")
		m[name] = `\` + name
		m[letter] = `\` + name
	}
	return m
}()

// splitFraction sorts the factors of a product into numerator and
// denominator, each keeping its order: a factor that recip reports as 1/d
// puts d in the denominator, any other factor goes in the numerator.
// (print.go's printProduct does the same partition with (*Expr).reciprocal.)
func splitFraction(factors []*Expr, recip func(*Expr) (*Expr, bool)) (num, den []*Expr) {
	for _, f := range factors {
		if d, ok := recip(f); ok {
			den = append(den, d)
		} else {
			num = append(num, f)
		}
	}
	return num, den
}
