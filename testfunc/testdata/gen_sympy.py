#!/usr/bin/python3
"""Independent SymPy reference for package testfunc.

Writes sympy_reference.json next to this file: for each test function, its
value, gradient and Hessian at fixed points, and its minimisers, all computed
symbolically (exact rationals, 40-digit evaluation) from the plain-text
formula -- the same string as the Go Function.Formula, which the Go test
checks -- not from the Go code.

Regenerate (needs SymPy; Debian: apt-get install python3-sympy) from the
module root with

    /usr/bin/python3 testfunc/testdata/gen_sympy.py

and commit the JSON. CI has no Python: TestSymPyReference in
testfunc/sympy_test.go only reads the JSON.

Formula syntax: ^ is a power, * is explicit, 2-D functions use x and y, and
n-D sums are written "PREFIX Σ_{i=1}^{UPPER} [BODY]" with x_i, x_{i+1}, i, n
and π in BODY. Decimal constants are read as exact rationals (2.1 -> 21/10).

Evaluation points are rounded to float64 first and then used exactly
(sympy.Rational(float)), so Go and SymPy evaluate at the very same point.
Minimisers are found with nsolve on grad f = 0 at 40 digits, starting from
the rounded values printed in the literature; each one is checked to be a
strict local minimum (positive definite Hessian).
"""

import json
import os
import re

import mpmath
import sympy as sp
from sympy.parsing.sympy_parser import (convert_xor, parse_expr, rationalize,
                                        standard_transformations)

DPS = 40
TRANSFORMS = standard_transformations + (convert_xor, rationalize)
SIGMA = re.compile(r"^(?P<pre>.*?)Σ_\{i=1\}\^\{(?P<upper>[^}]*)\} \[(?P<body>[^\]]*)\](?P<post>.*)$")

# name, dim, formula (identical to Go's Formula), points, literature minima
# (rounded; used as nsolve starting guesses), other stationary points.
FUNCTIONS = [
    dict(name="sphere", dim=3, formula="Σ_{i=1}^{n} [x_i^2]",
         points=[[3, 3, 3], [0.5, -1.25, 4.75], [-5.0, 0.1, 2.2]],
         minima=[[0, 0, 0]]),
    dict(name="booth", dim=2, formula="(x + 2*y - 7)^2 + (2*x + y - 5)^2",
         points=[[0, 0], [-7.3, 4.1], [9.5, -8.25], [1.1, 2.9]],
         minima=[[1, 3]]),
    dict(name="beale", dim=2,
         formula="(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
         points=[[1, 1], [-3.7, 2.4], [4.2, -1.3], [2.9, 0.45]],
         minima=[[3, 0.5]]),
    dict(name="himmelblau", dim=2, formula="(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
         points=[[0, 0], [-4.6, 2.3], [1.7, -3.9], [3.3, 4.8]],
         minima=[[3, 2], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]],
         local_maxima=[[-0.270845, -0.923039]]),
    dict(name="rosenbrock", dim=2, formula="(1 - x)^2 + 100*(y - x^2)^2",
         points=[[-1.2, 1], [0.3, -1.7], [1.9, 2.01], [-2.0, -0.5]],
         minima=[[1, 1]]),
    dict(name="rosenbrock-n", dim=4,
         formula="Σ_{i=1}^{n-1} [100*(x_{i+1} - x_i^2)^2 + (1 - x_i)^2]",
         points=[[-1.2, 1, -1.2, 1], [0.3, -1.7, 1.1, 0.2], [1.9, 2.01, -0.4, -2.0]],
         minima=[[1, 1, 1, 1]],
         # Shang & Qiu (2006): for 4 <= n <= 30 a second, local minimum near (-1, 1, ..., 1).
         local_minima=[[-0.7757, 0.6137, 0.3821, 0.1451]]),
    dict(name="rastrigin", dim=3, formula="10*n + Σ_{i=1}^{n} [x_i^2 - 10*cos(2*π*x_i)]",
         points=[[3, 3, 3], [0.37, -1.62, 4.05], [-5.1, 0.01, 2.5]],
         minima=[[0, 0, 0]]),
    dict(name="ill-conditioned", dim=3, cond=1000,
         formula="0.5*Σ_{i=1}^{n} [1000^((i-1)/(n-1))*x_i^2]",
         points=[[1, 1, 1], [0.37, -1.62, 4.05]],
         minima=[[0, 0, 0]]),
    dict(name="three-hump-camel", dim=2, formula="2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2",
         points=[[2, -1], [-4.4, 3.3], [1.5, 4.9], [-0.7, -2.2]],
         minima=[[0, 0]],
         local_minima=[[1.7476, -0.8738], [-1.7476, 0.8738]]),
    dict(name="matyas", dim=2, formula="0.26*(x^2 + y^2) - 0.48*x*y",
         points=[[5, 2], [-9.1, 7.7], [3.3, -0.6]],
         minima=[[0, 0]]),
    dict(name="mccormick", dim=2, formula="sin(x + y) + (x - y)^2 - 1.5*x + 2.5*y + 1",
         points=[[0, 0], [-1.2, 3.5], [3.7, -2.8], [0.9, 0.4]],
         minima=[[-0.54719, -1.54719]]),
    dict(name="styblinski-tang", dim=3, formula="0.5*Σ_{i=1}^{n} [x_i^4 - 16*x_i^2 + 5*x_i]",
         points=[[0, 0, 0], [-2.9, 2.75, 4.1], [1.3, -4.6, -0.2]],
         minima=[[-2.903534, -2.903534, -2.903534]]),
    dict(name="six-hump-camel", dim=2,
         formula="(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2",
         points=[[-1, 1], [2.6, -1.7], [-2.2, 0.3], [0.1, -0.7]],
         minima=[[0.0898, -0.7126], [-0.0898, 0.7126]]),
    dict(name="saddle", dim=2, formula="x^2 - y^2",
         points=[[1, 0.001], [-0.6, 0.8], [0.25, -0.9]],
         minima=None, stationary=[[0, 0]]),
    dict(name="monkey-saddle", dim=2, formula="x^3 - 3*x*y^2",
         points=[[1, 0.2], [-0.6, 0.8], [0.25, -0.9]],
         minima=None, stationary=[[0, 0]]),
]


def expand(formula, n):
    """Turns a formula into SymPy syntax for dimension n, expanding Σ."""
    formula = formula.replace("π", "pi")
    m = SIGMA.match(formula)
    if m is None:
        return formula

    def subst_n(s):
        return re.sub(r"\bn\b", str(n), s)

    upper = int(sp.sympify(subst_n(m["upper"])))
    terms = []
    for i in range(1, upper + 1):
        b = m["body"].replace("x_{i+1}", "x%d" % (i + 1)).replace("x_i", "x%d" % i)
        b = re.sub(r"\bi\b", str(i), b)
        terms.append("(" + subst_n(b) + ")")
    return subst_n(m["pre"]) + "(" + " + ".join(terms) + ")" + subst_n(m["post"])


def variables(dim, formula):
    if "Σ" in formula:
        return sp.symbols("x1:%d" % (dim + 1), real=True)
    assert dim == 2, formula
    return sp.symbols("x y", real=True)


def num(v):
    return float(sp.N(v, DPS))


def point_ref(f, g, h, xs, p):
    sub = {v: sp.Rational(float(c)) for v, c in zip(xs, p)}
    return dict(
        x=[float(c) for c in p],
        value=num(f.subs(sub)),
        grad=[num(gi.subs(sub)) for gi in g],
        hess=[[num(h[i, j].subs(sub)) for j in range(len(xs))] for i in range(len(xs))],
    )


def solve_stationary(g, h, xs, guess, want):
    """nsolve grad = 0 from guess; want is 'min' (Hessian PD), 'max' or None."""
    sol = sp.nsolve(list(g), list(xs), [sp.Float(c, DPS) for c in guess], prec=DPS)
    sub = dict(zip(xs, sol))
    mpmath.mp.dps = DPS
    hm = h.subs(sub).evalf(DPS)
    ev = list(mpmath.eigsy(mpmath.matrix([[mpmath.mpf(str(hm[i, j])) for j in range(len(xs))] for i in range(len(xs))]))[0])
    if want == "min":
        assert all(e > 0 for e in ev), (guess, ev)
    elif want == "max":
        assert all(e < 0 for e in ev), (guess, ev)
    for c, c0 in zip(sol, guess):  # nsolve found the literature's point
        assert abs(c - c0) < 1e-3, (guess, list(sol))
    return sub, [num(c) for c in sol]


def main():
    out = []
    for spec in FUNCTIONS:
        dim, formula = spec["dim"], spec["formula"]
        xs = variables(dim, formula)
        local = {str(v): v for v in xs}
        f = parse_expr(expand(formula, dim), local_dict=local, transformations=TRANSFORMS)
        g = [sp.diff(f, v) for v in xs]
        h = sp.hessian(f, xs)
        entry = dict(name=spec["name"], dim=dim, formula=formula, sympy_expr=str(f))
        if "cond" in spec:
            entry["cond"] = spec["cond"]
        entry["points"] = [point_ref(f, g, h, xs, p) for p in spec["points"]]
        if spec["minima"] is None:
            entry["minima"] = None
            entry["min_value"] = None
        else:
            sols = [solve_stationary(g, h, xs, m, "min") for m in spec["minima"]]
            vals = [f.subs(sub).evalf(DPS) for sub, _ in sols]
            assert max(vals) - min(vals) < sp.Float(10) ** (-30), vals
            entry["minima"] = [s for _, s in sols]
            entry["min_value"] = num(vals[0])
        for key, want in (("local_minima", "min"), ("local_maxima", "max"), ("stationary", None)):
            if key in spec:
                entry[key] = [solve_stationary(g, h, xs, m, want)[1] for m in spec[key]]
        out.append(entry)

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sympy_reference.json")
    doc = dict(
        generator="testfunc/testdata/gen_sympy.py",
        regenerate="/usr/bin/python3 testfunc/testdata/gen_sympy.py",
        sympy_version=sp.__version__,
        functions=out,
    )
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
