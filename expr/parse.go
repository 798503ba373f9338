package expr

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what Parse accepts, so hostile input cannot exhaust the stack or
// memory.
const (
	MaxLength = 10000 // characters of source
	MaxDepth  = 200   // nesting of parentheses, calls, unary minus and powers
)

// SyntaxError reports where and why an expression could not be read. Its
// message shows the expression with a caret under the offending column.
type SyntaxError struct {
	Input  string
	Column int // 1-based, in characters
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("syntax error at column %d: %s\n  %s\n  %s^", e.Column, e.Msg, e.Input, strings.Repeat(" ", e.Column-1))
}

// token kinds
const (
	tEOF = iota
	tNum
	tName
	tOp // one of + - * / ^ ( ) ,
)

type token struct {
	kind int
	text string
	num  float64
	pos  int // byte offset
}

// Parse reads an expression in ordinary notation (see the package doc).
func Parse(src string) (*Expr, error) {
	p := &parser{src: src}
	if n := utf8.RuneCountInString(src); n > MaxLength {
		return nil, &SyntaxError{Input: src[:100] + "…", Column: 1, Msg: fmt.Sprintf("the expression is %d characters long; the limit is %d", n, MaxLength)}
	}
	if !utf8.ValidString(src) {
		return nil, &SyntaxError{Input: strings.ToValidUTF8(src, "?"), Column: 1, Msg: "the expression is not valid UTF-8 text"}
	}
	p.next()
	if p.err != nil {
		return nil, p.err
	}
	if p.tok.kind == tEOF {
		return nil, p.fail(p.tok.pos, "empty expression: write a number, a variable or a function, e.g. x^2 + 1")
	}
	e := p.sum()
	if p.err == nil && p.tok.kind != tEOF {
		p.unexpected()
	}
	if p.err != nil {
		return nil, p.err
	}
	return e, nil
}

// MustParse is Parse for expressions known to be valid; it panics on error.
func MustParse(src string) *Expr {
	e, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return e
}

type parser struct {
	src   string
	pos   int // byte offset of the next unread character
	tok   token
	prev  token // the token before tok
	depth int
	err   *SyntaxError
}

// fail records the first error, at byte offset at.
func (p *parser) fail(at int, format string, args ...any) *SyntaxError {
	if p.err == nil {
		p.err = &SyntaxError{Input: p.src, Column: utf8.RuneCountInString(p.src[:at]) + 1, Msg: fmt.Sprintf(format, args...)}
	}
	return p.err
}

// next reads the next token into p.tok.
func (p *parser) next() {
	p.prev = p.tok
	for p.pos < len(p.src) && unicode.IsSpace(rune(p.src[p.pos])) {
		p.pos++
	}
	start := p.pos
	if p.pos == len(p.src) {
		p.tok = token{kind: tEOF, pos: start}
		return
	}
	c, size := utf8.DecodeRuneInString(p.src[p.pos:])
	switch {
	case c == '.' || (c >= '0' && c <= '9'):
		p.number()
	case c == '_' || unicode.IsLetter(c):
		for p.pos < len(p.src) {
			r, n := utf8.DecodeRuneInString(p.src[p.pos:])
			if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			p.pos += n
		}
		p.tok = token{kind: tName, text: p.src[start:p.pos], pos: start}
	case strings.ContainsRune("+-*/^(),", c):
		p.pos += size
		p.tok = token{kind: tOp, text: string(c), pos: start}
	default:
		hint := ""
		switch c {
		case '×', '·':
			hint = ": write * for multiplication"
		case '÷':
			hint = ": write / for division"
		case '[', '{':
			hint = ": use ( ) for grouping"
		case '²', '³':
			hint = ": write x^2 for a power"
		}
		p.fail(start, "unexpected character %q%s", c, hint)
		p.tok = token{kind: tEOF, pos: start}
	}
}

// number reads digits, an optional fraction and an optional exponent.
func (p *parser) number() {
	start := p.pos
	digits := func() int {
		n := 0
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	n := digits()
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		n += digits()
	}
	if n == 0 {
		p.fail(start, "malformed number %q: a decimal point needs digits", p.src[start:p.pos])
		p.tok = token{kind: tEOF, pos: start}
		return
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		mark := p.pos
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			// "2e" or "2ex": not an exponent. Leave it for the missing-operator check.
			p.pos = mark
		}
	}
	text := p.src[start:p.pos]
	v, err := strconv.ParseFloat(text, 64)
	if err != nil {
		p.fail(start, "number %s is out of range for float64", text)
		p.tok = token{kind: tEOF, pos: start}
		return
	}
	p.tok = token{kind: tNum, text: text, num: v, pos: start}
}

func (p *parser) isOp(s string) bool { return p.tok.kind == tOp && p.tok.text == s }

// enter guards the recursion depth.
func (p *parser) enter() bool {
	p.depth++
	if p.depth > MaxDepth {
		p.fail(p.tok.pos, "the expression nests more than %d levels deep", MaxDepth)
		return false
	}
	return true
}

func (p *parser) leave() { p.depth-- }

// sum = product { ("+" | "-") product }
func (p *parser) sum() *Expr {
	e := p.product()
	for p.err == nil && (p.isOp("+") || p.isOp("-")) {
		minus := p.isOp("-")
		p.next()
		t := p.product()
		if minus {
			t = Negate(t)
		}
		e = Sum(e, t)
	}
	return e
}

// product = unary { ("*" | "/") unary }
func (p *parser) product() *Expr {
	e := p.unary()
	for p.err == nil && (p.isOp("*") || p.isOp("/")) {
		div := p.isOp("/")
		p.next()
		f := p.unary()
		if div {
			e = Quotient(e, f)
		} else {
			e = Product(e, f)
		}
	}
	return e
}

// unary = ("-" | "+") unary | power
func (p *parser) unary() *Expr {
	if !p.enter() {
		return Number(0)
	}
	defer p.leave()
	switch {
	case p.isOp("-"):
		p.next()
		return Negate(p.unary())
	case p.isOp("+"):
		p.next()
		return p.unary()
	}
	return p.power()
}

// power = atom [ "^" unary ]
func (p *parser) power() *Expr {
	base := p.atom()
	if p.err == nil && p.isOp("^") {
		p.next()
		return Power(base, p.unary())
	}
	return base
}

// atom = number | name | name "(" args ")" | "(" sum ")"
func (p *parser) atom() *Expr {
	if p.err != nil {
		return Number(0)
	}
	t := p.tok
	var e *Expr
	switch {
	case t.kind == tNum:
		p.next()
		e = Number(t.num)
	case t.kind == tName:
		p.next()
		e = p.name(t)
	case p.isOp("("):
		if !p.enter() {
			return Number(0)
		}
		p.next()
		e = p.sum()
		p.leave()
		if p.err == nil && !p.isOp(")") {
			p.closeParen(t.pos)
		}
		p.next()
	default:
		p.expectOperand()
		return Number(0)
	}
	if p.err == nil && (p.tok.kind == tNum || p.tok.kind == tName || p.isOp("(")) {
		p.fail(p.tok.pos, "missing operator between %s and %s: write %s*%s (there is no implicit multiplication)",
			p.src[t.pos:p.prev.pos+len(p.prev.text)], p.tok.text, p.src[t.pos:p.prev.pos+len(p.prev.text)], p.tok.text)
	}
	return e
}

// name resolves an identifier: a call, a constant or a variable.
func (p *parser) name(t token) *Expr {
	f, isFunc := functions[t.text]
	if !p.isOp("(") {
		if isFunc {
			p.fail(t.pos, "function %s needs its argument in parentheses: %s(…)", t.text, t.text)
			return Number(0)
		}
		if v, ok := constants[t.text]; ok {
			return &Expr{Kind: Num, Value: v, Name: t.text}
		}
		return Variable(t.text)
	}
	if !isFunc {
		msg := fmt.Sprintf("unknown function %q", t.text)
		if s := suggest(t.text); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		} else {
			msg += "; known functions: " + strings.Join(Functions(), ", ")
		}
		msg += fmt.Sprintf("; for a product write %s*(…)", t.text)
		p.fail(t.pos, "%s", msg)
		return Number(0)
	}
	if !p.enter() {
		return Number(0)
	}
	defer p.leave()
	open := p.tok.pos
	p.next()
	var args []*Expr
	if !p.isOp(")") {
		args = append(args, p.sum())
		for p.err == nil && p.isOp(",") {
			p.next()
			args = append(args, p.sum())
		}
	}
	if p.err != nil {
		return Number(0)
	}
	if !p.isOp(")") {
		p.closeParen(open)
		return Number(0)
	}
	p.next()
	if len(args) != f.arity {
		plural := "s"
		if f.arity == 1 {
			plural = ""
		}
		p.fail(t.pos, "%s takes %d argument%s, got %d", t.text, f.arity, plural, len(args))
		return Number(0)
	}
	return Apply(t.text, args...)
}

// closeParen reports a missing ")" for the "(" at byte offset open.
func (p *parser) closeParen(open int) {
	if p.tok.kind == tEOF {
		p.fail(open, "unbalanced parenthesis: this ( is never closed")
		return
	}
	p.unexpected()
}

// expectOperand reports a missing operand where tok stands.
func (p *parser) expectOperand() {
	after := "at the start"
	if p.prev.text != "" {
		after = "after " + p.prev.text
	}
	switch {
	case p.tok.kind == tEOF:
		p.fail(p.tok.pos, "expected a number, variable, function or ( %s, found the end of the expression", after)
	case p.isOp(")"):
		p.fail(p.tok.pos, "unmatched ) or nothing inside the parentheses")
	default:
		p.fail(p.tok.pos, "expected a number, variable, function or ( %s, found %q", after, p.tok.text)
	}
}

// unexpected reports a token that cannot continue the expression.
func (p *parser) unexpected() {
	switch {
	case p.isOp(")"):
		p.fail(p.tok.pos, "unmatched ): there is no ( for it to close")
	case p.isOp(","):
		p.fail(p.tok.pos, "a comma only separates the arguments of a function such as max(a, b)")
	default:
		p.fail(p.tok.pos, "unexpected %q", p.tok.text)
	}
}
