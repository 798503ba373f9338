package expr

import (
	"strconv"
	"strings"
)

// Binding strength of printed forms, loosest first. A subexpression is put in
// parentheses when it binds more loosely than its place needs.
const (
	precSum     = iota + 1 // a + b, a - b
	precProduct            // a*b, a/b
	precUnary              // -a
	precPower              // a^b
	precAtom               // numbers, names, calls, (…)
)

// String prints e in the notation Parse reads, with as few parentheses as the
// precedence rules allow: Parse(e.String()) computes the same function.
// Sums with negative terms print as subtraction and negative powers inside
// products as division.
func (e *Expr) String() string {
	var b strings.Builder
	e.print(&b, 0)
	return b.String()
}

// print writes e, in parentheses if it binds more loosely than need.
func (e *Expr) print(b *strings.Builder, need int) {
	if e.prec() < need {
		b.WriteByte('(')
		e.print(b, 0)
		b.WriteByte(')')
		return
	}
	switch e.Kind {
	case Num:
		b.WriteString(e.numberText())
	case Var:
		b.WriteString(e.Name)
	case Call:
		b.WriteString(e.Name)
		b.WriteByte('(')
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			a.print(b, 0)
		}
		b.WriteByte(')')
	case Pow:
		e.Args[0].print(b, precAtom) // a^b^c is a^(b^c), so a power base needs (…)
		b.WriteByte('^')
		e.Args[1].print(b, precUnary) // the exponent may start with a unary minus
	case Add:
		for i, t := range e.Args {
			if pos, neg := t.negated(); neg && i > 0 {
				b.WriteString(" - ")
				pos.print(b, precProduct)
				continue
			}
			if i > 0 {
				b.WriteString(" + ")
				t.print(b, precProduct) // a + (b + c) keeps its parentheses
			} else {
				t.print(b, precSum) // (a + b) + c is a + b + c: + reads left to right
			}
		}
	case Mul:
		e.printProduct(b)
	}
}

// printProduct writes a product as [-] numerator factors / denominator factors.
func (e *Expr) printProduct(b *strings.Builder) {
	factors := e.Args
	first := precProduct // what the first factor needs
	if c := factors[0]; isNum(c, -1) && len(factors) > 1 {
		// -a*b reads as (-a)*b: the same product. A first factor that itself
		// starts with a minus goes in parentheses: -(-y), not --y.
		b.WriteByte('-')
		factors, first = factors[1:], precPower
	}
	num, den := splitFraction(factors, (*Expr).reciprocal)
	if len(num) == 0 {
		b.WriteByte('1')
	}
	for i, f := range num {
		if i > 0 {
			b.WriteByte('*')
		}
		if i == 0 {
			f.print(b, first)
		} else {
			f.print(b, precUnary) // a*-b reads as a*(-b)
		}
	}
	for _, d := range den {
		b.WriteByte('/')
		d.print(b, precUnary)
	}
}

// prec is how tightly e's printed form binds.
func (e *Expr) prec() int {
	switch e.Kind {
	case Num:
		if e.Name == "" && (e.Value < 0 || (e.Value == 0 && 1/e.Value < 0)) {
			return precUnary
		}
		return precAtom
	case Var, Call:
		return precAtom
	case Pow:
		return precPower
	case Add:
		return precSum
	}
	// Mul
	if c := e.Args[0]; isNum(c, -1) && len(e.Args) == 2 {
		if _, div := e.Args[1].reciprocal(); !div && e.Args[1].prec() >= precPower {
			return precUnary // -x, -x^2, -f(x); but -1/x is a quotient
		}
	}
	return precProduct
}

// negated reports whether e is written with a leading minus, and returns the
// positive part: −3 → 3, (−1)·a·b → a·b, (−2)·a → 2·a.
func (e *Expr) negated() (*Expr, bool) {
	switch {
	case e.Kind == Num && e.Name == "" && e.Value < 0:
		return Number(-e.Value), true
	case e.Kind == Mul && e.Args[0].Kind == Num && e.Args[0].Name == "" && e.Args[0].Value < 0:
		if e.Args[0].Value == -1 {
			return Product(e.Args[1:]...), true
		}
		return Product(append([]*Expr{Number(-e.Args[0].Value)}, e.Args[1:]...)...), true
	}
	return nil, false
}

// reciprocal reports whether e is d^(−k) for a positive number k, returning
// d^k (d itself when k = 1).
func (e *Expr) reciprocal() (*Expr, bool) {
	if e.Kind != Pow {
		return nil, false
	}
	k := e.Args[1]
	if k.Kind != Num || k.Name != "" || !(k.Value < 0) {
		return nil, false
	}
	if k.Value == -1 {
		return e.Args[0], true
	}
	return Power(e.Args[0], Number(-k.Value)), true
}

// numberText formats a number so that Parse reads back the same float64.
func (e *Expr) numberText() string {
	if e.Name != "" {
		return e.Name
	}
	return strconv.FormatFloat(e.Value, 'g', -1, 64)
}
