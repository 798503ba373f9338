package expr

import (
	"math"
	"slices"
)

// Simplify returns an expression equal to e as a function, rewritten by
// these rules, bottom up:
//
//   - nested sums and products are flattened;
//   - numbers are folded (2*3 → 6, 2^3 → 8), except where folding would
//     not give a finite number;
//   - 0 and 1 identities: x + 0 → x, 1·x → x, 0·x → 0, x^1 → x, x^0 → 1;
//   - like terms are collected (2x + 3x → 5x) and like factors merged into
//     powers (x·x² → x³, x·x⁻¹ → 1);
//   - a function of numbers (or pi and e) is folded when the result is an
//     integer (sin(0) → 0, log(e) → 1), and left alone otherwise (sin(1)
//     and sin(pi), which is 1.2e-16 in floating point, stay).
//
// In a product the number comes first, then variables and their powers, then
// everything else, so d/dx sin(x·y) prints as y*cos(x*y).
//
// The rules keep the value wherever e is defined (x·x⁻¹ → 1 also removes the
// point x = 0 from the domain, as any algebra system does).
func Simplify(e *Expr) *Expr {
	switch e.Kind {
	case Num, Var:
		return e
	}
	args := make([]*Expr, len(e.Args))
	for i, a := range e.Args {
		args[i] = Simplify(a)
	}
	switch e.Kind {
	case Add:
		return addTerms(args)
	case Mul:
		return mulFactors(args)
	case Pow:
		return pow(args[0], args[1])
	}
	return call(e.Name, args)
}

// isNum reports whether e is a plain number (not pi or e) equal to v.
func isNum(e *Expr, v float64) bool { return e.Kind == Num && e.Name == "" && e.Value == v }

// plainNum reports whether e is a plain number, and its value.
func plainNum(e *Expr) (float64, bool) { return e.Value, e.Kind == Num && e.Name == "" }

// addTerms builds the simplified sum of already simplified terms.
func addTerms(terms []*Expr) *Expr {
	var flat []*Expr
	for _, t := range terms {
		if t.Kind == Add {
			flat = append(flat, t.Args...)
		} else {
			flat = append(flat, t)
		}
	}
	constant := 0.0
	var keys []string
	coef := map[string]float64{}
	rest := map[string]*Expr{}
	for _, t := range flat {
		if v, ok := plainNum(t); ok {
			constant += v
			continue
		}
		c, r := splitCoefficient(t)
		k := r.String()
		if _, seen := coef[k]; !seen {
			keys = append(keys, k)
			rest[k] = r
		}
		coef[k] += c
	}
	var out []*Expr
	for _, k := range keys {
		if coef[k] != 0 {
			out = append(out, mulFactors([]*Expr{Number(coef[k]), rest[k]}))
		}
	}
	if constant != 0 || len(out) == 0 {
		out = append(out, Number(constant))
	}
	// Lead with a positive term where there is one: 1 - sigmoid(x), y - x.
	if _, neg := out[0].negated(); neg {
		for i, t := range out {
			if _, neg := t.negated(); !neg {
				out = append([]*Expr{t}, slices.Delete(slices.Clone(out), i, i+1)...)
				break
			}
		}
	}
	return Sum(out...)
}

// splitCoefficient writes t as c·rest with c a number.
func splitCoefficient(t *Expr) (float64, *Expr) {
	if t.Kind == Mul {
		if v, ok := plainNum(t.Args[0]); ok {
			return v, Product(t.Args[1:]...)
		}
	}
	return 1, t
}

// mulFactors builds the simplified product of already simplified factors.
func mulFactors(factors []*Expr) *Expr {
	var flat []*Expr
	for _, f := range factors {
		if f.Kind == Mul {
			flat = append(flat, f.Args...)
		} else {
			flat = append(flat, f)
		}
	}
	coef := 1.0
	var keys []string
	exps := map[string][]*Expr{}
	bases := map[string]*Expr{}
	for _, f := range flat {
		if v, ok := plainNum(f); ok {
			coef *= v
			continue
		}
		base, exp := f, Number(1)
		if f.Kind == Pow {
			base, exp = f.Args[0], f.Args[1]
		}
		k := base.String()
		if _, seen := bases[k]; !seen {
			keys = append(keys, k)
			bases[k] = base
		}
		exps[k] = append(exps[k], exp)
	}
	if coef == 0 {
		return Number(0)
	}
	var out []*Expr
	for _, k := range keys {
		p := pow(bases[k], addTerms(exps[k]))
		if isNum(p, 1) {
			continue
		}
		if v, ok := plainNum(p); ok { // a number to a numeric power, folded
			coef *= v
			continue
		}
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b *Expr) int { return factorRank(a) - factorRank(b) })
	if coef != 1 || len(out) == 0 {
		out = append([]*Expr{Number(coef)}, out...)
	}
	return Product(out...)
}

// factorRank orders the factors of a product: variables and their powers
// before everything else.
func factorRank(f *Expr) int {
	if f.Kind == Var || (f.Kind == Pow && f.Args[0].Kind == Var) {
		return 0
	}
	return 1
}

// pow builds the simplified base^exp of simplified parts.
func pow(base, exp *Expr) *Expr {
	switch {
	case isNum(exp, 0):
		return Number(1)
	case isNum(exp, 1):
		return base
	case isNum(base, 1):
		return Number(1)
	}
	b, bok := plainNum(base)
	x, xok := plainNum(exp)
	if bok && xok && powDomain([]float64{b, x}) == "" {
		if v := math.Pow(b, x); !math.IsInf(v, 0) && !math.IsNaN(v) && (v == math.Trunc(v) || x == math.Trunc(x)) {
			return Number(v)
		}
	}
	// (b^p)^q = b^(p·q) for an integer q.
	if base.Kind == Pow && xok && x == math.Trunc(x) {
		return pow(base.Args[0], mulFactors([]*Expr{base.Args[1], exp}))
	}
	return Power(base, exp)
}

// call builds f(args), folded when all arguments are numbers and the value is
// an integer.
func call(name string, args []*Expr) *Expr {
	e := Apply(name, args...)
	for _, a := range args {
		if a.Kind != Num { // numbers and the constants pi and e: log(e) → 1
			return e
		}
	}
	if v, err := e.Eval(nil); err == nil && v == math.Trunc(v) && !math.IsInf(v, 0) {
		return Number(v)
	}
	return e
}
