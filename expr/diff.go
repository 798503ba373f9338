package expr

import "fmt"

// derivatives holds, for each function, its partial derivatives with respect
// to each argument, written in terms of the arguments: the chain rule then
// multiplies by the arguments' own derivatives. Kinks take the convention
// PyTorch uses: d|u|/du = sign(u), relu′(0) = 0, and at a tie of min or max
// each argument gets half.
var derivatives = map[string]func(a []*Expr) []*Expr{
	"sin":   func(a []*Expr) []*Expr { return one1(Apply("cos", a[0])) },                                           // d sin u = cos u
	"cos":   func(a []*Expr) []*Expr { return one1(Negate(Apply("sin", a[0]))) },                                   // d cos u = −sin u
	"tan":   func(a []*Expr) []*Expr { return one1(Sum(Number(1), Power(Apply("tan", a[0]), Number(2)))) },         // d tan u = 1 + tan² u
	"asin":  func(a []*Expr) []*Expr { return one1(Power(oneMinusSquare(a[0]), Number(-0.5))) },                    // d asin u = (1 − u²)^(−½)
	"acos":  func(a []*Expr) []*Expr { return one1(Negate(Power(oneMinusSquare(a[0]), Number(-0.5)))) },            // d acos u = −(1 − u²)^(−½)
	"atan":  func(a []*Expr) []*Expr { return one1(Power(Sum(Number(1), Power(a[0], Number(2))), Number(-1))) },    // d atan u = 1/(1 + u²)
	"sinh":  func(a []*Expr) []*Expr { return one1(Apply("cosh", a[0])) },                                          // d sinh u = cosh u
	"cosh":  func(a []*Expr) []*Expr { return one1(Apply("sinh", a[0])) },                                          // d cosh u = sinh u
	"tanh":  func(a []*Expr) []*Expr { return one1(Difference(Number(1), Power(Apply("tanh", a[0]), Number(2)))) }, // d tanh u = 1 − tanh² u
	"exp":   func(a []*Expr) []*Expr { return one1(Apply("exp", a[0])) },                                           // d eᵘ = eᵘ
	"log":   func(a []*Expr) []*Expr { return one1(Power(a[0], Number(-1))) },                                      // d log u = 1/u
	"log10": func(a []*Expr) []*Expr { return one1(Power(Product(a[0], Apply("log", Number(10))), Number(-1))) },   // d log₁₀ u = 1/(u log 10)
	"log2":  func(a []*Expr) []*Expr { return one1(Power(Product(a[0], Apply("log", Number(2))), Number(-1))) },    // d log₂ u = 1/(u log 2)
	"sqrt":  func(a []*Expr) []*Expr { return one1(Product(Number(0.5), Power(Apply("sqrt", a[0]), Number(-1)))) }, // d √u = 1/(2√u)
	"abs":   func(a []*Expr) []*Expr { return one1(Apply("sign", a[0])) },                                          // d |u| = sign u
	"sign":  func(a []*Expr) []*Expr { return one1(Number(0)) },                                                    // flat away from 0
	"step":  func(a []*Expr) []*Expr { return one1(Number(0)) },                                                    // flat away from 0
	"sigmoid": func(a []*Expr) []*Expr {
		s := Apply("sigmoid", a[0])
		return one1(Product(s, Difference(Number(1), s)))
	}, // d σ(u) = σ(u)(1 − σ(u))
	"relu":     func(a []*Expr) []*Expr { return one1(Apply("step", a[0])) },    // d relu u = step u
	"softplus": func(a []*Expr) []*Expr { return one1(Apply("sigmoid", a[0])) }, // d softplus u = σ(u)
	"min": func(a []*Expr) []*Expr { // ∂min/∂a = (1 + sign(b − a))/2, ∂min/∂b = (1 + sign(a − b))/2
		return []*Expr{tieHalf(a[1], a[0]), tieHalf(a[0], a[1])}
	},
	"max": func(a []*Expr) []*Expr { // ∂max/∂a = (1 + sign(a − b))/2, ∂max/∂b = (1 + sign(b − a))/2
		return []*Expr{tieHalf(a[0], a[1]), tieHalf(a[1], a[0])}
	},
	"pow": func(a []*Expr) []*Expr { return powPartials(a[0], a[1]) }, // as for a^b
}

func one1(d *Expr) []*Expr { return []*Expr{d} }

// tieHalf is (1 + sign(p − q))/2: 1 where p > q, 0 where p < q, ½ at a tie.
func tieHalf(p, q *Expr) *Expr {
	return Product(Number(0.5), Sum(Number(1), Apply("sign", Difference(p, q))))
}

// oneMinusSquare is 1 − u².
func oneMinusSquare(u *Expr) *Expr { return Difference(Number(1), Power(u, Number(2))) }

// powPartials are ∂(aᵇ)/∂a = b·a^(b−1) and ∂(aᵇ)/∂b = aᵇ·log a.
func powPartials(a, b *Expr) []*Expr {
	return []*Expr{
		Product(b, Power(a, Sum(b, Number(-1)))),
		Product(Power(a, b), Apply("log", a)),
	}
}

// MaxDiffSize bounds the size of a derivative before simplification, in
// nodes of the expanded tree. Derivatives of deeply nested powers and
// compositions grow exponentially with the nesting (d/dx of x^x^x^… repeats
// each level twice); past this size Diff refuses rather than hang.
const MaxDiffSize = 200_000

// TooLargeError reports a derivative too large to build symbolically.
type TooLargeError struct {
	Var  string
	Size int // at least this many nodes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the derivative with respect to %s has more than %d nodes before simplification (limit %d): the expression nests too deeply to differentiate symbolically; automatic differentiation handles it", e.Var, e.Size, MaxDiffSize)
}

// Diff returns the derivative of e with respect to the variable name,
// simplified (see Simplify). It fails with a *TooLargeError when the
// derivative would exceed MaxDiffSize nodes.
func Diff(e *Expr, name string) (*Expr, error) {
	d := diff(Simplify(e), name)
	if n := treeSize(d, map[*Expr]int{}); n > MaxDiffSize {
		return nil, &TooLargeError{Var: name, Size: n}
	}
	return Simplify(d), nil
}

// MustDiff is Diff for expressions known to be small; it panics on error.
func MustDiff(e *Expr, name string) *Expr {
	d, err := Diff(e, name)
	if err != nil {
		panic(err)
	}
	return d
}

// DiffN returns the order-th derivative of e with respect to name (order ≥ 0).
func DiffN(e *Expr, name string, order int) (*Expr, error) {
	e = Simplify(e)
	for range order {
		var err error
		if e, err = Diff(e, name); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// treeSize counts the nodes of e as a tree (shared subtrees counted at each
// use), stopping early past MaxDiffSize; memo holds the sizes of shared nodes.
func treeSize(e *Expr, memo map[*Expr]int) int {
	if n, ok := memo[e]; ok {
		return n
	}
	n := 1
	for _, a := range e.Args {
		n += treeSize(a, memo)
		if n > MaxDiffSize {
			break
		}
	}
	n = min(n, MaxDiffSize+1)
	memo[e] = n
	return n
}

// diff is the unsimplified derivative: the chain rule over the tree.
func diff(e *Expr, name string) *Expr {
	if !dependsOn(e, name) {
		return Number(0)
	}
	switch e.Kind {
	case Var:
		return Number(1)
	case Add: // (Σ uᵢ)′ = Σ uᵢ′
		terms := make([]*Expr, len(e.Args))
		for i, a := range e.Args {
			terms[i] = diff(a, name)
		}
		return Sum(terms...)
	case Mul: // (Π uᵢ)′ = Σᵢ uᵢ′ Π_{j≠i} uⱼ
		var terms []*Expr
		for i, a := range e.Args {
			if !dependsOn(a, name) {
				continue
			}
			f := slicesWith(e.Args, i, diff(a, name))
			terms = append(terms, Product(f...))
		}
		return Sum(terms...)
	case Pow:
		u, v := e.Args[0], e.Args[1]
		if !dependsOn(v, name) { // (uᵛ)′ = v·u^(v−1)·u′
			return Product(v, Power(u, Sum(v, Number(-1))), diff(u, name))
		}
		p := powPartials(u, v) // general case: both partials, by the chain rule
		return Sum(Product(p[0], diff(u, name)), Product(p[1], diff(v, name)))
	}
	// Call: f(u₁, …)′ = Σᵢ ∂f/∂uᵢ · uᵢ′
	partials := derivatives[e.Name](e.Args)
	var terms []*Expr
	for i, a := range e.Args {
		if dependsOn(a, name) {
			terms = append(terms, Product(partials[i], diff(a, name)))
		}
	}
	return Sum(terms...)
}

// slicesWith returns a copy of s with s[i] replaced by v.
func slicesWith(s []*Expr, i int, v *Expr) []*Expr {
	out := append([]*Expr(nil), s...)
	out[i] = v
	return out
}

// dependsOn reports whether the variable name occurs in e.
func dependsOn(e *Expr, name string) bool {
	if e.Kind == Var {
		return e.Name == name
	}
	for _, a := range e.Args {
		if dependsOn(a, name) {
			return true
		}
	}
	return false
}

// Gradient returns the partial derivatives of e with respect to each of vars.
func Gradient(e *Expr, vars []string) ([]*Expr, error) {
	g := make([]*Expr, len(vars))
	for i, v := range vars {
		var err error
		if g[i], err = Diff(e, v); err != nil {
			return nil, err
		}
	}
	return g, nil
}
