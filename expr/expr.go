// Package expr reads mathematical expressions written in ordinary notation,
// evaluates them, and prints them back.
//
// The grammar, from loosest to tightest binding:
//
//	sum     = product { ("+" | "-") product }
//	product = unary { ("*" | "/") unary }
//	unary   = ("-" | "+") unary | power
//	power   = atom [ "^" unary ]          right-associative: 2^x^2 = 2^(x^2)
//	atom    = number | name | name "(" sum { "," sum } ")" | "(" sum ")"
//
// so ^ binds tighter than unary minus (-x^2 = −(x²)) and a unary minus may
// follow ^ or another operator (x^-1, 2*-x, a + -(-b)). There is no implicit
// multiplication: 2x is an error that says to write 2*x. Names are variables
// (x, theta, b1), the constants pi and e, or functions applied with
// parentheses (see Functions).
//
// An expression is a tree of *Expr nodes in a small canonical vocabulary:
// numbers, variables, n-ary sums and products, powers and function calls.
// Subtraction a − b is a + (−1)·b and division a / b is a·b^(−1); the printer
// turns them back into − and /.
package expr

import (
	"math"
	"slices"
)

// Kind says what an Expr node is.
type Kind uint8

// The kinds of node.
const (
	Num  Kind = iota // a number: Value (Name "pi" or "e" for the constants)
	Var              // a variable: Name
	Add              // the sum of Args (two or more)
	Mul              // the product of Args (two or more)
	Pow              // Args[0] raised to Args[1]
	Call             // the function Name applied to Args
)

// Expr is a node of an expression tree. Treat it as immutable: functions in
// this package share subtrees between their inputs and outputs.
type Expr struct {
	Kind  Kind
	Value float64 // for Num
	Name  string  // for Var and Call; "pi" or "e" for those constants
	Args  []*Expr // for Add, Mul, Pow and Call
}

// Number returns the constant v.
func Number(v float64) *Expr { return &Expr{Kind: Num, Value: v} }

// Variable returns the variable called name.
func Variable(name string) *Expr { return &Expr{Kind: Var, Name: name} }

// Sum returns a₁ + a₂ + … (a single term is returned as it is).
func Sum(terms ...*Expr) *Expr { return nary(Add, terms) }

// Product returns a₁·a₂·… (a single factor is returned as it is).
func Product(factors ...*Expr) *Expr { return nary(Mul, factors) }

// Power returns base^exp.
func Power(base, exp *Expr) *Expr { return &Expr{Kind: Pow, Args: []*Expr{base, exp}} }

// Apply returns the function name applied to args. It does not check that the
// function exists; Parse does.
func Apply(name string, args ...*Expr) *Expr { return &Expr{Kind: Call, Name: name, Args: args} }

// Negate returns −a, as the product (−1)·a (a number is negated directly).
func Negate(a *Expr) *Expr {
	if a.Kind == Num && a.Name == "" {
		return Number(-a.Value)
	}
	return Product(Number(-1), a)
}

// Difference returns a − b = a + (−1)·b.
func Difference(a, b *Expr) *Expr { return Sum(a, Negate(b)) }

// Quotient returns a / b = a·b^(−1).
func Quotient(a, b *Expr) *Expr { return Product(a, Power(b, Number(-1))) }

func nary(k Kind, args []*Expr) *Expr {
	if len(args) == 1 {
		return args[0]
	}
	return &Expr{Kind: k, Args: args}
}

// constants are the named numbers the parser knows.
var constants = map[string]float64{"pi": math.Pi, "e": math.E}

// Vars returns the names of the variables in e in order of first appearance
// (left to right as printed from the source).
func (e *Expr) Vars() []string {
	var names []string
	var walk func(*Expr)
	walk = func(e *Expr) {
		if e.Kind == Var && !slices.Contains(names, e.Name) {
			names = append(names, e.Name)
		}
		for _, a := range e.Args {
			walk(a)
		}
	}
	walk(e)
	return names
}

// Equal reports whether a and b are the same tree (numbers compared exactly).
func Equal(a, b *Expr) bool {
	if a.Kind != b.Kind || a.Name != b.Name || len(a.Args) != len(b.Args) {
		return false
	}
	if a.Kind == Num && a.Value != b.Value && !(math.IsNaN(a.Value) && math.IsNaN(b.Value)) {
		return false
	}
	for i := range a.Args {
		if !Equal(a.Args[i], b.Args[i]) {
			return false
		}
	}
	return true
}

// Size returns the number of nodes in e.
func (e *Expr) Size() int {
	n := 1
	for _, a := range e.Args {
		n += a.Size()
	}
	return n
}
