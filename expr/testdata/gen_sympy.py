#!/usr/bin/python3
"""Independent SymPy reference for package expr.

Writes sympy_reference.json next to this file: expression strings in the
expr syntax with their value, gradient and Hessian at one point each, all
computed by SymPy (exact symbolic differentiation, 40-digit evaluation) from
the string as read by a small parser in this script -- not from the Go code.

Regenerate (needs SymPy; Debian: apt-get install -y python3-sympy) from the
module root with

    /usr/bin/python3 expr/testdata/gen_sympy.py

and commit the JSON. The output is deterministic: running the script twice
gives byte-identical JSON (the random cases come from random.Random(SEED)).
Go tests only read the JSON; no Python is needed at test time.

The JSON is a list of cases; each case is an object with

    expr      the expression, in the syntax below
    vars      its variables in order of first appearance in expr, left to
              right (function names and the constants pi, e excluded)
    at        {variable: value}, the evaluation point
    value     f(at)
    gradient  [df/dv for v in vars] at the point
    hessian   [[d2f/du dv for v in vars] for u in vars] at the point
    partials  {variable: SymPy's printed df/dv} -- information only, in
              SymPy's notation (** for powers, log(x)/log(10) for log10,
              Heaviside/sign for the derivatives of relu/max/min/abs, ...)

Floats are written by Python's json (repr: the shortest string that reads
back as the same float64, i.e. full precision).

Syntax (what the Go parser reads, and what parse() below implements):

    sum     = product { ("+" | "-") product }           left-associative
    product = unary { ("*" | "/") unary }               left-associative
    unary   = "-" unary | power
    power   = atom [ "^" unary ]                        right-associative
    atom    = number | name | name "(" sum {"," sum} ")" | "(" sum ")"

so ^ binds tighter than unary minus (-x^2 = -(x^2), -2^x = -(2^x)), is
right-associative (2^x^2 = 2^(x^2), x^y^z = x^(y^z)), and its exponent may
start with a minus (x^-1, x^-y^2 = x^(-(y^2))); a minus may follow a binary
operator (2*-x, x - -y, a + -(-b)). Numbers: 2, 0.5, .5, 1e-3, 2.5E+1.
Functions: sin cos tan exp log (natural) sqrt abs tanh sigmoid relu softplus
asin acos atan sinh cosh log10 log2, and min(a,b) max(a,b) pow(a,b), with
sigmoid(u) = 1/(1+exp(-u)), relu(u) = max(u,0), softplus(u) = log(1+exp(u)).
Constants: pi, e. No implicit multiplication.

How the numbers are made:
  * Decimal literals are exact rationals (0.1 -> 1/10). Evaluation points are
    float64 values used exactly (sympy.Rational(float)), so Go and SymPy
    evaluate at the very same point.
  * abs, relu, min and max are never within 0.1 of their kink at the point.
    value/gradient/Hessian are computed from the expression with each of them
    replaced by its branch active at the point (abs(u) -> u or -u,
    relu(u) -> u or 0, min/max -> the smaller/larger argument), which equals
    the expression in a neighbourhood of the point. As a cross-check the
    same numbers are recomputed from the unbranched SymPy form (Abs, Max,
    Min; Heaviside and sign evaluated at the point, DiracDelta -> 0), and
    once more, without SymPy, by a 60-digit mpmath walk over the parse tree
    (value) and mpmath.diff of that walk (gradient and Hessian, to 1e-13).
  * Entries below 1e-25 in magnitude are written as 0 (evalf reports exact
    cancellations as 0.e-N). Hessians are exactly symmetric.
  * Every case is checked to be float64-friendly: evaluating the string in
    float64 (value) and the lambdified SymPy derivatives in float64
    (gradient, Hessian) agrees with the reference within
    F64_TOL * (1 + |reference|).
  * Domains, at every node of the parse tree: log/sqrt/log10/log2 arguments
    > 0.05; asin/acos arguments in (-0.95, 0.95); |cos| of a tan argument
    > 0.1; |denominator| > 0.05; a power (^ or pow) whose exponent is not an
    integer literal needs a base > 0.05, and a negative integer literal
    exponent needs |base| > 0.05.

Categories (in this order in the file): "textbook" (the standard functions
and the precedence corner cases), "functions" (every function at least
twice, alone and nested), "random" (seeded random compositions over all
functions and operators with 1-3 variables, depth 2-4, at most 20 nodes:
N_RANDOM of them, then more until every function and operator appears in at
least two; each is tried at up to 30 random points with coordinates in
[-2.5, 2.5] rounded to 0.01 and kept at the first one where it is finite,
real, within the domain rules, float64-friendly, has |value|, |gradient| and
|Hessian| entries < 1e6, and some |gradient| entry >= 1e-3). The JSON does
not record the category; the cases are in that order, and the script prints
how many of each it wrote.
"""

import json
import math
import os
import random
import re

import mpmath
import sympy as sp

DPS = 40          # digits for SymPy evaluation
MP_DPS = 60       # digits for the independent mpmath walk
SEED = 20251123
N_RANDOM = 60
F64_TOL = 1e-11
MAX_MAG = 1e6

FUNCS1 = ["sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu",
          "softplus", "asin", "acos", "atan", "sinh", "cosh", "log10", "log2"]
FUNCS2 = ["min", "max", "pow"]
ARITY = dict([(f, 1) for f in FUNCS1] + [(f, 2) for f in FUNCS2])
CONSTS = ("pi", "e")

# ---------------------------------------------------------------------------
# Lexer and recursive-descent parser. Parse trees are nested tuples:
#   ("num", text) ("var", name) ("const", name) ("neg", a)
#   ("bin", op, a, b) with op in + - * / ^      ("call", name, (args...))

TOKEN = re.compile(r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
                   r"|(?P<name>[A-Za-z_][A-Za-z_0-9]*)|(?P<op>[-+*/^(),]))")


def tokenize(s):
    toks, pos = [], 0
    s = s.rstrip()
    while pos < len(s):
        m = TOKEN.match(s, pos)
        if m is None:
            raise SyntaxError("bad character at %d in %r" % (pos, s))
        kind = m.lastgroup
        toks.append((kind, m.group(kind)))
        pos = m.end()
    toks.append(("eof", ""))
    return toks


class Parser:
    def __init__(self, s):
        self.s = s
        self.toks = tokenize(s)
        self.i = 0

    def peek(self):
        return self.toks[self.i]

    def is_op(self, op):
        return self.toks[self.i] == ("op", op)

    def take(self):
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, op):
        if not self.is_op(op):
            raise SyntaxError("expected %r at token %d of %r" % (op, self.i, self.s))
        self.i += 1

    def parse(self):
        e = self.sum()
        if self.peek()[0] != "eof":
            raise SyntaxError("trailing %r in %r" % (self.peek()[1], self.s))
        return e

    def sum(self):
        e = self.product()
        while self.is_op("+") or self.is_op("-"):
            op = self.take()[1]
            e = ("bin", op, e, self.product())
        return e

    def product(self):
        e = self.unary()
        while self.is_op("*") or self.is_op("/"):
            op = self.take()[1]
            e = ("bin", op, e, self.unary())
        return e

    def unary(self):
        if self.is_op("-"):
            self.take()
            return ("neg", self.unary())
        return self.power()

    def power(self):
        base = self.atom()
        if self.is_op("^"):
            self.take()
            return ("bin", "^", base, self.unary())
        return base

    def atom(self):
        kind, text = self.take()
        if kind == "num":
            e = ("num", text)
        elif kind == "name":
            if self.is_op("("):
                if text not in ARITY:
                    raise SyntaxError("unknown function %r in %r" % (text, self.s))
                self.take()
                args = [self.sum()]
                while self.is_op(","):
                    self.take()
                    args.append(self.sum())
                self.expect(")")
                if len(args) != ARITY[text]:
                    raise SyntaxError("%s takes %d arguments in %r" % (text, ARITY[text], self.s))
                e = ("call", text, tuple(args))
            elif text in ARITY:
                raise SyntaxError("function %s without ( in %r" % (text, self.s))
            elif text in CONSTS:
                e = ("const", text)
            else:
                e = ("var", text)
        elif (kind, text) == ("op", "("):
            e = self.sum()
            self.expect(")")
        else:
            raise SyntaxError("expected an operand, found %r in %r" % (text, self.s))
        if self.peek()[0] in ("num", "name") or self.is_op("("):
            raise SyntaxError("missing operator (no implicit multiplication) in %r" % self.s)
        return e


def parse(s):
    return Parser(s).parse()


def variables_of(s):
    """Variable names in order of first appearance, from the token stream."""
    toks = tokenize(s)
    out = []
    for k, (kind, text) in enumerate(toks):
        if kind == "name" and toks[k + 1] != ("op", "(") and text not in CONSTS and text not in out:
            out.append(text)
    return out


# ---------------------------------------------------------------------------
# Printer (for the random cases): as few parentheses as the grammar allows,
# so the strings exercise precedence. parse(fmt(t)) == t is asserted.

PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "^": 4}


def prec(t):
    if t[0] == "bin":
        return PREC[t[1]]
    if t[0] == "neg":
        return 3
    return 5


def fmt(t):
    k = t[0]
    if k in ("num", "var", "const"):
        return t[1]
    if k == "call":
        return t[1] + "(" + ", ".join(fmt(a) for a in t[2]) + ")"
    if k == "neg":
        a = t[1]
        s = fmt(a)
        if prec(a) < 3 or a[0] == "neg":  # "-(-x)", never "--x"
            s = "(" + s + ")"
        return "-" + s
    op, a, b = t[1], t[2], t[3]

    def wrap(u, ok):
        return fmt(u) if ok else "(" + fmt(u) + ")"
    if op == "^":
        return wrap(a, prec(a) == 5) + "^" + wrap(b, prec(b) >= 3)
    sa, sb = wrap(a, prec(a) >= PREC[op]), wrap(b, prec(b) > PREC[op])
    return sa + (" %s " % op if op in "+-" else op) + sb


# ---------------------------------------------------------------------------
# Parse tree -> SymPy.

class RealAbs(sp.Function):
    """|u| for a real u whose realness SymPy cannot prove: d|u|/du = sign(u)
    instead of SymPy's re/im form. Prints as Abs."""
    nargs = 1

    @classmethod
    def eval(cls, a):
        if a.is_number or a.is_extended_real:
            return sp.Abs(a)

    def fdiff(self, argindex=1):
        return RealSign(self.args[0])

    def _sympystr(self, printer):
        return "Abs(%s)" % printer._print(self.args[0])


class RealSign(sp.Function):
    nargs = 1

    @classmethod
    def eval(cls, a):
        if a.is_number or a.is_extended_real:
            return sp.sign(a)

    def fdiff(self, argindex=1):
        return 2 * sp.DiracDelta(self.args[0])

    def _sympystr(self, printer):
        return "sign(%s)" % printer._print(self.args[0])


SYMS = {}


def sym(name):
    if name not in SYMS:
        SYMS[name] = sp.Symbol(name, real=True)
    return SYMS[name]


def to_sympy(t, point=None):
    """SymPy form of tree t. With point (name -> float), abs/relu/min/max
    become the branch active there; without, Abs/Max/Min."""
    k = t[0]
    if k == "num":
        return sp.Rational(t[1])
    if k == "var":
        return sym(t[1])
    if k == "const":
        return sp.pi if t[1] == "pi" else sp.E
    if k == "neg":
        return -to_sympy(t[1], point)
    if k == "bin":
        a, b = to_sympy(t[2], point), to_sympy(t[3], point)
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                "/": lambda: a / b, "^": lambda: a ** b}[t[1]]()
    name, args = t[1], t[2]
    xs = [to_sympy(a, point) for a in args]
    u = xs[0]
    if point is not None and name in ("abs", "relu", "min", "max"):
        vs = [mp_eval(a, point) for a in args]
        if name == "abs":
            return u if vs[0] > 0 else -u
        if name == "relu":
            return u if vs[0] > 0 else sp.S.Zero
        first = (vs[0] < vs[1]) == (name == "min")
        return xs[0] if first else xs[1]
    return {
        "sin": lambda: sp.sin(u), "cos": lambda: sp.cos(u), "tan": lambda: sp.tan(u),
        "exp": lambda: sp.exp(u), "log": lambda: sp.log(u), "sqrt": lambda: sp.sqrt(u),
        "abs": lambda: RealAbs(u), "tanh": lambda: sp.tanh(u),
        "sigmoid": lambda: 1 / (1 + sp.exp(-u)), "relu": lambda: sp.Max(u, 0),
        "softplus": lambda: sp.log(1 + sp.exp(u)), "asin": lambda: sp.asin(u),
        "acos": lambda: sp.acos(u), "atan": lambda: sp.atan(u), "sinh": lambda: sp.sinh(u),
        "cosh": lambda: sp.cosh(u), "log10": lambda: sp.log(u) / sp.log(10),
        "log2": lambda: sp.log(u) / sp.log(2),
        "min": lambda: sp.Min(xs[0], xs[1]), "max": lambda: sp.Max(xs[0], xs[1]),
        "pow": lambda: xs[0] ** xs[1],
    }[name]()


# ---------------------------------------------------------------------------
# Independent high-precision walk over the tree, with the domain rules.

def is_int_literal(t):
    if t[0] == "neg":
        return is_int_literal(t[1])
    return t[0] == "num" and re.fullmatch(r"\d+", t[1]) is not None


class DomainError(Exception):
    pass


def mp_eval(t, point, check=False):
    """Value of t at point with mpmath (MP_DPS digits). With check, raises
    DomainError when a node breaks the domain/kink rules."""
    with mpmath.workdps(MP_DPS):
        return _mp(t, point, check)


def _mp(t, point, check):
    def need(cond, why):
        if check and not cond:
            raise DomainError(why)
    k = t[0]
    if k == "num":
        return mpmath.mpf(t[1])
    if k == "var":
        return mpmath.mpf(point[t[1]])
    if k == "const":
        return +mpmath.pi if t[1] == "pi" else +mpmath.e
    if k == "neg":
        return -_mp(t[1], point, check)
    if k == "bin":
        a, b = _mp(t[2], point, check), _mp(t[3], point, check)
        op = t[1]
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            need(abs(b) > 0.05, "division by %s" % b)
            return a / b
        return _pow(t[2], t[3], a, b, check)
    name, args = t[1], t[2]
    xs = [_mp(a, point, check) for a in args]
    u = xs[0]
    if name in ("log", "sqrt", "log10", "log2"):
        need(u > 0.05, "%s(%s)" % (name, u))
    if name in ("asin", "acos"):
        need(-0.95 < u < 0.95, "%s(%s)" % (name, u))
    if name == "tan":
        need(abs(mpmath.cos(u)) > 0.1, "tan near a pole")
    if name in ("abs", "relu"):
        need(abs(u) >= 0.1, "%s near its kink" % name)
    if name in ("min", "max"):
        need(abs(xs[0] - xs[1]) >= 0.1, "%s near a tie" % name)
    if name == "pow":
        return _pow(args[0], args[1], xs[0], xs[1], check)
    f = {
        "sin": mpmath.sin, "cos": mpmath.cos, "tan": mpmath.tan, "exp": mpmath.exp,
        "log": mpmath.log, "sqrt": mpmath.sqrt, "abs": abs, "tanh": mpmath.tanh,
        "sigmoid": lambda v: 1 / (1 + mpmath.exp(-v)), "relu": lambda v: max(v, mpmath.mpf(0)),
        "softplus": lambda v: mpmath.log(1 + mpmath.exp(v)), "asin": mpmath.asin,
        "acos": mpmath.acos, "atan": mpmath.atan, "sinh": mpmath.sinh, "cosh": mpmath.cosh,
        "log10": lambda v: mpmath.log(v, 10), "log2": lambda v: mpmath.log(v, 2),
        "min": lambda: min(xs), "max": lambda: max(xs),
    }[name]
    v = f() if name in ("min", "max") else f(u)
    if not isinstance(v, mpmath.mpf):
        raise DomainError("%s(%s) is not real" % (name, u))
    return v


def _pow(bt, et, a, b, check):
    if is_int_literal(et):
        if check and et[0] == "neg" and not abs(a) > 0.05:
            raise DomainError("negative power of %s" % a)
        return a ** int(b)
    if check and not a > 0.05:
        raise DomainError("non-integer power of base %s" % a)
    if a <= 0:
        raise DomainError("non-integer power of base %s" % a)
    return a ** b


# ---------------------------------------------------------------------------
# float64 evaluation of the tree (what a straightforward Go evaluator does).

def f64_eval(t, point):
    k = t[0]
    if k == "num":
        return float(t[1])
    if k == "var":
        return point[t[1]]
    if k == "const":
        return math.pi if t[1] == "pi" else math.e
    if k == "neg":
        return -f64_eval(t[1], point)
    if k == "bin":
        a, b = f64_eval(t[2], point), f64_eval(t[3], point)
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                "/": lambda: a / b, "^": lambda: math.pow(a, b)}[t[1]]()
    xs = [f64_eval(a, point) for a in t[2]]
    u = xs[0]
    return {
        "sin": math.sin, "cos": math.cos, "tan": math.tan, "exp": math.exp,
        "log": math.log, "sqrt": math.sqrt, "abs": abs, "tanh": math.tanh,
        "sigmoid": lambda v: 1 / (1 + math.exp(-v)), "relu": lambda v: max(v, 0.0),
        "softplus": lambda v: math.log1p(math.exp(v)), "asin": math.asin,
        "acos": math.acos, "atan": math.atan, "sinh": math.sinh, "cosh": math.cosh,
        "log10": math.log10, "log2": math.log2,
        "min": lambda v: min(xs), "max": lambda v: max(xs),
        "pow": lambda v: math.pow(xs[0], xs[1]),
    }[t[1]](u)


# ---------------------------------------------------------------------------
# Reference computation.

class Reject(Exception):
    pass


def num(e, sub):
    """e at the point sub -> float, via DPS digits (evalf with subs, which
    is adaptive and avoids exact powers of the point's huge rationals);
    rejects non-finite and non-real results. |v| < 1e-25 is written as 0
    (exact cancellations that evalf reports as 0.e-N)."""
    v = e.evalf(DPS, subs=sub)
    if not v.is_number or v.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise Reject("not a number: %s" % v)
    re_, im_ = v.as_real_imag()
    if im_ != 0 and abs(sp.N(im_, DPS)) > sp.Float(10) ** (-DPS + 5):
        raise Reject("complex: %s" % v)
    f = float(re_)
    if not math.isfinite(f):
        raise Reject("not finite: %s" % v)
    return 0.0 if abs(f) < 1e-25 else f


def fix_branches(e, sub):
    """Fixes sign, Heaviside and DiracDelta to their values near the point
    (the domain rules keep their arguments away from 0), and turns RealAbs
    into Abs. Used on the unbranched form, and on the branched form too:
    SymPy itself writes some powers with Abs (sqrt(u**2) -> Abs(u)), whose
    derivatives bring sign and DiracDelta back in."""
    def side(a):
        v = a.evalf(DPS, subs=sub)
        assert abs(v) > 1e-3, ("sign/Heaviside argument near 0", a, v)
        return v > 0
    e = e.replace(lambda a: isinstance(a, sp.DiracDelta), lambda *a: sp.S.Zero)
    e = e.replace(lambda a: isinstance(a, sp.Heaviside),
                  lambda a: sp.S.One if side(a.args[0]) else sp.S.Zero)
    e = e.replace(lambda a: isinstance(a, (sp.sign, RealSign)),
                  lambda a: sp.S.One if side(a.args[0]) else sp.S.NegativeOne)
    e = e.replace(lambda a: isinstance(a, RealAbs), lambda a: sp.Abs(a.args[0]))
    return e


def eval_unbranched(e, sub):
    """Numeric value of an Abs/Max/Min form (or its derivatives) at sub."""
    return num(fix_branches(e, sub), sub)


def close(a, b, tol):
    return abs(a - b) <= tol * (1 + abs(b))


def reference(s, at, strict):
    """The case for string s at point at (name -> float). strict: raise on
    any problem (hand-written cases); otherwise Reject."""
    tree = parse(s)
    names = variables_of(s)
    assert sorted(names) == sorted(at), (s, names, at)
    point = {n: float(at[n]) for n in names}
    xs = [sym(n) for n in names]
    sub = {sym(n): sp.Rational(point[n]) for n in names}
    try:
        v_mp = mp_eval(tree, point, check=True)
    except DomainError as err:
        if strict:
            raise AssertionError("%s at %s: %s" % (s, at, err))
        raise Reject(str(err))

    f = to_sympy(tree, point)          # branch valid at the point
    full = to_sympy(tree)              # Abs / Max / Min
    grad = [fix_branches(sp.diff(f, x), sub) for x in xs]
    hess = [[fix_branches(sp.diff(g, y), sub) for y in xs] for g in grad]
    value = num(f, sub)
    gv = [num(g, sub) for g in grad]
    hv = [[num(h, sub) for h in row] for row in hess]
    for i in range(len(xs)):  # symmetric by construction; make it exact
        for j in range(i):
            assert close(hv[i][j], hv[j][i], 1e-14), (s, hv)
            hv[i][j] = hv[j][i]
    mags = [value] + gv + [h for row in hv for h in row]
    if any(abs(m) >= MAX_MAG for m in mags):
        if strict:
            raise AssertionError("%s: magnitude %s" % (s, mags))
        raise Reject("magnitude")

    # Cross-checks: 60-digit tree walk, unbranched SymPy form.
    assert close(float(v_mp), value, 1e-15), (s, v_mp, value)
    fgrad = [sp.diff(full, x) for x in xs]
    assert close(eval_unbranched(full, sub), value, 1e-15), s
    for i, x in enumerate(xs):
        assert close(eval_unbranched(fgrad[i], sub), gv[i], 1e-15), (s, x)
        for j, y in enumerate(xs):
            assert close(eval_unbranched(sp.diff(fgrad[i], y), sub), hv[i][j], 1e-15), (s, x, y)

    # ... and numerical differentiation of the 60-digit tree walk (mpmath.diff),
    # which knows nothing of SymPy or of the branch choice.
    with mpmath.workdps(MP_DPS):
        def walk(*v):
            return _mp(tree, dict(zip(names, v)), False)
        x0 = [mpmath.mpf(point[n]) for n in names]
        for i in range(len(names)):
            o = [0] * len(names)
            o[i] = 1
            assert close(float(mpmath.diff(walk, x0, tuple(o))), gv[i], 1e-13), (s, i)
            for j in range(len(names)):
                o2 = list(o)
                o2[j] += 1
                assert close(float(mpmath.diff(walk, x0, tuple(o2))), hv[i][j], 1e-13), (s, i, j)

    # float64 friendliness.
    v64 = f64_eval(tree, point)
    args = [point[n] for n in names]
    g64 = [sp.lambdify(xs, g, modules="math")(*args) for g in grad]
    h64 = [[sp.lambdify(xs, h, modules="math")(*args) for h in row] for row in hess]
    pairs = [(v64, value)] + list(zip(g64, gv)) + [(a, b) for ra, rb in zip(h64, hv) for a, b in zip(ra, rb)]
    for a, b in pairs:
        if not close(float(a), b, F64_TOL):
            if strict:
                raise AssertionError("%s: float64 %r vs reference %r" % (s, a, b))
            raise Reject("ill-conditioned in float64")
    return dict(
        expr=s,
        vars=names,
        at={n: point[n] for n in names},
        value=value,
        gradient=gv,
        hessian=hv,
        partials={n: str(g) for n, g in zip(names, fgrad)},
    )


# ---------------------------------------------------------------------------
# Hand-written cases.

TEXTBOOK = [
    ("x^2", [-0.5]),
    ("x^2", [0]),
    ("x^2", [0.5]),
    ("x^2 + y^2", [1, 2]),
    ("x^2*y + y*z^3 + sin(x*y)", [2, 3, 1]),
    ("(1-x)^2 + 100*(y-x^2)^2", [-1.2, 1]),
    ("(1-x)^2 + 100*(y-x^2)^2", [1, 1]),
    ("x^2 - y^2", [0, 0]),
    ("x^3 - 3*x*y^2", [1, 0.5]),
    ("exp(-(x^2+y^2))", [0.3, -0.2]),
    # precedence and associativity
    ("-x^2", [1.5]),                 # -(x^2) = -2.25, not (-x)^2
    ("-x^2", [-0.7]),
    ("(-x)^2", [1.5]),
    ("-x^3 + (-x)^3", [0.8]),
    ("2^x^2", [1.5]),                # 2^(x^2) = 2^2.25, not (2^x)^2 = 8
    ("x^y^z", [1.5, 2, 0.5]),        # x^(y^z) = 1.5^sqrt(2), not (x^y)^z = 1.5
    ("x^-1", [2]),
    ("x^-1", [-0.8]),
    ("x^-y^2", [2, 1.5]),            # x^(-(y^2))
    ("2^-x", [1.25]),
    ("-2^x", [0.5]),                 # -(2^x): the literal is not -2
    ("2*-x", [3]),
    ("2*-x^2", [1.2]),               # 2*(-(x^2))
    ("x*-y + x/-y", [0.6, 1.4]),
    ("a + -(-b)", [1.5, -2]),
    ("x - -y", [1, 2]),
    ("x - y - z", [1, 2, 3]),        # (x-y)-z = -4
    ("x/y/z", [8, 2, 4]),            # (x/y)/z = 1
    ("x/y*z", [3, 2, 5]),            # (x/y)*z
    ("-(x - y)^2 / 2", [0.25, 1.5]),
    ("1e-3*x^2 + .5*x - 2.5E+1", [3]),
    ("e^x + pi*x", [0.7]),
    ("2*pi*theta - e*b1^2", [0.9, -1.1]),
    ("sin(theta)*b1 + cos(theta)", [0.9, -2]),
]

FUNCTIONS = [
    ("sin(x)", [0.7]),
    ("sin(x)*cos(y)", [0.4, 1.1]),
    ("sin(x^2 + y)", [1.3, -0.4]),
    ("cos(x)^2 - sin(y)^2", [2.2, 0.35]),
    ("cos(x*y)", [1.7, -0.9]),
    ("tan(x)", [0.6]),
    ("tan(x*y)", [0.5, 0.8]),
    ("exp(x*y)", [0.4, -1.5]),
    ("exp(sin(x))", [2.1]),
    ("log(x)", [2.5]),
    ("log(1 + exp(sin(x*y)))", [0.6, -1.3]),
    ("exp(log(x))", [1.7]),
    ("sqrt(x)", [2]),
    ("sqrt(x^2 + y^2 + 1)", [1, -2]),
    ("abs(x)", [-1.3]),
    ("abs(x - y)*y", [0.5, 2]),
    ("abs(sin(x))", [4]),
    ("sqrt(abs(x))*y", [-2.5, 0.7]),
    ("tanh(x)", [0.3]),
    ("tanh(sigmoid(x) - softplus(y))", [0.5, -0.4]),
    ("sigmoid(x)", [0]),
    ("sigmoid(x*y - 1)", [1.5, 0.3]),
    ("relu(x)", [1.2]),
    ("relu(x)", [-0.8]),
    ("relu(x - y)*x", [2, 0.5]),
    ("relu(sin(x)) + relu(-x)^2", [-1.1]),
    ("softplus(x)", [-1]),
    ("softplus(x^2 - y)", [0.9, 2.2]),
    ("asin(x)", [0.3]),
    ("asin(x*y)", [0.5, 0.6]),
    ("acos(x)", [-0.4]),
    ("acos(x/2)", [1.2]),
    ("atan(x)", [2]),
    ("atan(y/x)", [1.5, -0.5]),
    ("atan(y/x)", [-1, 2]),
    ("sinh(x)", [1]),
    ("sinh(x)*cosh(y)", [0.5, -0.8]),
    ("cosh(x)", [-0.5]),
    ("cosh(x - y)", [0.2, 1.1]),
    ("log10(x)", [50]),
    ("log10(x)*log2(y)", [3, 5]),
    ("log2(x)", [0.25]),
    ("log2(x^2 + 1)", [-1.5]),
    ("min(x, y)", [1, 2.5]),
    ("min(x^2, y)", [1.5, 1]),
    ("max(x, y)", [1, 2.5]),
    ("max(sin(x), cos(y))", [0.5, 0.3]),
    ("max(x, y) - min(x, y)", [-0.6, 0.9]),
    ("pow(x, y)", [2, 0.5]),
    ("pow(x, 3)", [-1.5]),
    ("pow(sin(x) + 2, y)", [0.7, -1.3]),
    ("x^y", [1.7, 2.3]),
    ("x^y", [0.5, -1.2]),
    ("x^0.5 + x^1.5", [2.3]),
]


# ---------------------------------------------------------------------------
# Random cases.

VAR_POOL = ["x", "y", "z", "theta", "b1", "w"]
LITERALS = ["0.5", "1", "2", "3", "1.5", "0.25", "2.5"]
EXPONENTS = ["2", "3", "0.5", "1.5", "-1", "-2", "0.25"]


def literal(text):
    if text.startswith("-"):
        return ("neg", ("num", text[1:]))
    return ("num", text)


def gen(rng, depth, names):
    if depth == 0 or rng.random() < 0.2:
        r = rng.random()
        if r < 0.78:
            return ("var", rng.choice(names))
        if r < 0.9:
            return ("num", rng.choice(LITERALS))
        return ("const", rng.choice(CONSTS))
    r = rng.random()
    if r < 0.45:
        return ("call", rng.choice(FUNCS1), (gen(rng, depth - 1, names),))
    if r < 0.5:
        return ("neg", gen(rng, depth - 1, names))
    if r < 0.85:
        op = rng.choice("+-*/^")
    else:
        op = rng.choice(FUNCS2)
    a = gen(rng, depth - 1, names)
    if op in ("^", "pow") and rng.random() < 0.6:
        b = literal(rng.choice(EXPONENTS))
    else:
        b = gen(rng, depth - 1, names)
    if op == "min" or op == "max" or op == "pow":
        return ("call", op, (a, b))
    return ("bin", op, a, b)


def depth_of(t):
    if t[0] in ("num", "var", "const"):
        return 0
    if t[0] == "neg":
        return 1 + depth_of(t[1])
    kids = t[2:] if t[0] == "bin" else t[2]
    return 1 + max(depth_of(k) for k in kids)


def size_of(t):
    if t[0] in ("num", "var", "const"):
        return 1
    if t[0] == "neg":
        return 1 + size_of(t[1])
    kids = t[2:] if t[0] == "bin" else t[2]
    return 1 + sum(size_of(k) for k in kids)


def uses(t, acc):
    if t[0] == "call":
        acc.add(t[1])
        for k in t[2]:
            uses(k, acc)
    elif t[0] == "bin":
        acc.add(t[1])
        uses(t[2], acc)
        uses(t[3], acc)
    elif t[0] == "neg":
        acc.add("neg")
        uses(t[1], acc)
    return acc


def random_cases(n, min_uses=2):
    """n seeded random cases; past n, only cases that use a function or
    operator seen fewer than min_uses times so far, until none is."""
    rng = random.Random(SEED)
    out, seen, count = [], set(), {}
    items = FUNCS1 + FUNCS2 + list("+-*/^") + ["neg"]

    def short():
        return [u for u in items if count.get(u, 0) < min_uses]
    while len(out) < n or short():
        names = rng.sample(VAR_POOL, rng.randint(1, 3))
        tree = gen(rng, rng.randint(2, 4), names)
        s = fmt(tree)
        assert parse(s) == tree, (s, parse(s), tree)
        vs = variables_of(s)
        # every drawn variable used, depth 2..4, at most 20 nodes
        if sorted(vs) != sorted(names) or s in seen or size_of(tree) > 20 or depth_of(tree) < 2:
            continue
        used = uses(tree, set())
        if len(out) >= n and not used & set(short()):
            continue
        for _ in range(30):
            at = {v: round(rng.uniform(-2.5, 2.5), 2) for v in vs}
            try:
                case = reference(s, at, strict=False)
            except Reject:
                continue
            if max(abs(g) for g in case["gradient"]) < 1e-3:
                continue  # (nearly) constant near the point: uninformative
            seen.add(s)
            out.append(case)
            for u in used:
                count[u] = count.get(u, 0) + 1
            break
    return out


# ---------------------------------------------------------------------------

def self_test():
    """The converter reads the strings as the Go parser is meant to."""
    x, y, z, a, b = (sym(n) for n in "xyzab")
    want = {
        "-x^2": -x**2,
        "2^x^2": 2**(x**2),
        "x^-1": 1 / x,
        "2*-x": -2 * x,
        "a + -(-b)": a + b,
        "x^y^z": x**(y**z),
        "x^-y^2": x**(-y**2),
        "-2^x": -(2**x),
        "(-x)^2": x**2,
        "x - y - z": x - y - z,
        "x/y/z": x / (y * z),
        "x - -y": x + y,
        "2^-x": 2**(-x),
        "e^x": sp.exp(x),
        "1e-3*x": x / 1000,
        "sigmoid(x)": 1 / (1 + sp.exp(-x)),
        "softplus(x)": sp.log(1 + sp.exp(x)),
        "relu(x)": sp.Max(x, 0),
        "log10(x) + log2(y)": sp.log(x) / sp.log(10) + sp.log(y) / sp.log(2),
        "pow(x, y)": x**y,
        "min(x, y) - max(x, 2)": sp.Min(x, y) - sp.Max(x, 2),
        "abs(x)": sp.Abs(x),
    }
    for s, w in want.items():
        got = to_sympy(parse(s))
        assert got == w, (s, got, w)
    assert parse("-x^2") == ("neg", ("bin", "^", ("var", "x"), ("num", "2")))
    assert parse("2*-x") == ("bin", "*", ("num", "2"), ("neg", ("var", "x")))
    assert variables_of("sin(theta)*b1 + e^x - pi*theta") == ["theta", "b1", "x"]
    for bad in ("x^", "2x", "x y", "sin x", "(x", "x)", "min(x)", "foo(x)", "x,y", "--"):
        try:
            parse(bad)
        except SyntaxError:
            continue
        raise AssertionError("parsed %r" % bad)


def hand_cases(specs):
    out = []
    for s, p in specs:
        names = variables_of(s)
        assert len(names) == len(p), (s, names, p)
        out.append(reference(s, dict(zip(names, p)), strict=True))
    return out


def main():
    self_test()
    textbook = hand_cases(TEXTBOOK)
    functions = hand_cases(FUNCTIONS)
    rand = random_cases(N_RANDOM)

    covered = set()
    for c in functions:
        covered |= uses(parse(c["expr"]), set())
    missing = [f for f in FUNCS1 + FUNCS2 if f not in covered]
    assert not missing, missing
    counts = {f: sum(f in uses(parse(c["expr"]), set()) for c in functions) for f in FUNCS1 + FUNCS2}
    assert all(n >= 2 for n in counts.values()), counts
    rcounts = {}
    for c in rand:
        for u in uses(parse(c["expr"]), set()):
            rcounts[u] = rcounts.get(u, 0) + 1
    missing = [f for f in FUNCS1 + FUNCS2 + list("+-*/^") if f not in rcounts]
    assert not missing, ("random cases miss", missing)

    cases = textbook + functions + rand
    assert len({(c["expr"], tuple(sorted(c["at"].items()))) for c in cases}) == len(cases)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sympy_reference.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(cases, fh, indent=1, allow_nan=False)
        fh.write("\n")
    nv = {}
    for c in rand:
        nv[len(c["vars"])] = nv.get(len(c["vars"]), 0) + 1
    print("wrote %d cases to %s: %d textbook, %d functions, %d random"
          % (len(cases), path, len(textbook), len(functions), len(rand)))
    print("random: variables %s, depths %s" % (
        dict(sorted(nv.items())),
        dict(sorted({d: sum(depth_of(parse(c["expr"])) == d for c in rand)
                     for d in range(1, 5)}.items()))))
    print("random: cases using each function/operator %s" % dict(sorted(rcounts.items())))


if __name__ == "__main__":
    main()
