package numdiff

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// CheckSettings configure GradCheck. The zero value (and nil) checks with
// central differences at relative tolerance 1e-5.
type CheckSettings struct {
	// Settings choose the finite differences. Default: Central, serial.
	Settings
	// RelTol is the largest relative error |a − n| / max(|a|, |n|) an entry
	// may have. Default 1e-5.
	RelTol float64
	// AbsTol lets an entry pass whatever its relative error when
	// |a − n| ≤ AbsTol + 2·NumericErr, so gradients that should be zero are
	// not failed for the finite difference's own error (see
	// Entry.NumericErr). Default 1e-8.
	AbsTol float64
	// Worst is how many of the worst entries CheckResult.Worst lists.
	// Default 5.
	Worst int
	// Branches, if set, describes which side of every kink (relu or abs at
	// 0, max ties …) f is on at x; autodiff.Branches provides one. An entry
	// whose finite-difference points see a different description than x
	// straddles a kink: it is flagged and does not count toward failure.
	// Without Branches, a failing entry whose one-sided slopes disagree is
	// flagged the same way.
	Branches func(x []float64) string
}

// Entry is the comparison for one coordinate of the gradient.
type Entry struct {
	Index    int     // coordinate, in the flat order of x
	Analytic float64 // the gradient under test
	Numeric  float64 // the finite-difference estimate
	AbsErr   float64 // |Analytic − Numeric|
	RelErr   float64 // AbsErr / max(|Analytic|, |Numeric|), 0 when both are 0
	// NumericErr estimates the truncation error of Numeric by Richardson's
	// argument: with error c·h^A, the estimates at steps h and 2h differ by
	// (2^A − 1)·c·h^A, so NumericErr = |D(h) − D(2h)| / (2^A − 1).
	NumericErr float64
	Pass       bool // AbsErr ≤ AbsTol + 2·NumericErr, or RelErr ≤ RelTol
	Kink       bool // a kink lies within the step; the entry does not count
}

// CheckResult is the report of GradCheck.
type CheckResult struct {
	Stencil   string  // name of the finite-difference formula used
	RelTol    float64 // tolerances applied
	AbsTol    float64
	Entries   []Entry // one per coordinate, in order
	Worst     []Entry // the entries with the largest relative error, worst first
	MaxAbsErr float64 // largest AbsErr over entries not at a kink
	MaxRelErr float64 // largest RelErr over entries not at a kink
	Pass      bool    // every entry not at a kink passes
	Warnings  []string
}

// maxWarnings caps the warnings a CheckResult lists; the rest are counted.
const maxWarnings = 10

// GradCheck compares an analytic gradient grad of f at x with finite
// differences (central by default), entry by entry, and reports the absolute
// and relative errors, the worst entries and whether all pass. Entries where a
// kink of f lies within the finite-difference step are flagged and reported
// as warnings but do not fail the check; see CheckSettings.Branches. A NaN or
// Inf in either gradient fails its entry with a warning.
//
// Use float64 throughout: a central difference is only good to about 1e-10
// relative, so the default tolerance 1e-5 leaves room for curvature but
// catches a wrong rule, which is usually wrong by O(1).
func GradCheck(f func([]float64) float64, grad, x []float64, s *CheckSettings) CheckResult {
	if len(grad) != len(x) {
		panic(fmt.Sprintf("numdiff: GradCheck: len(grad) = %d but len(x) = %d", len(grad), len(x)))
	}
	var cs CheckSettings
	if s != nil {
		cs = *s
	}
	cs.RelTol = cmp.Or(cs.RelTol, 1e-5)
	cs.AbsTol = cmp.Or(cs.AbsTol, 1e-8)
	cs.Worst = cmp.Or(cs.Worst, 5)
	st, rel := cs.resolve("GradCheck", 1)

	numeric := Gradient(nil, f, x, &cs.Settings)
	doubled := cs.Settings
	doubled.Stencil, doubled.Step = st, 2*rel
	coarse := Gradient(nil, f, x, &doubled)
	richardson := math.Pow(2, float64(st.Accuracy)) - 1
	r := CheckResult{Stencil: st.Name, RelTol: cs.RelTol, AbsTol: cs.AbsTol, Pass: true}
	r.Entries = make([]Entry, len(x))
	var base string
	if cs.Branches != nil {
		base = cs.Branches(x)
	}
	xw := append([]float64(nil), x...)
	for i, a := range grad {
		e := Entry{Index: i, Analytic: a, Numeric: numeric[i], NumericErr: math.Abs(numeric[i]-coarse[i]) / richardson}
		e.AbsErr = math.Abs(a - e.Numeric)
		if scale := math.Max(math.Abs(a), math.Abs(e.Numeric)); scale > 0 {
			e.RelErr = e.AbsErr / scale
		}
		e.Pass = e.AbsErr <= cs.AbsTol+2*e.NumericErr || e.RelErr <= cs.RelTol
		if e.Pass && e.AbsErr > cs.AbsTol && e.RelErr > cs.RelTol {
			r.Warnings = append(r.Warnings, fmt.Sprintf("entry %d passes only within the finite difference's own error (±%.3g): near this point f needs a smaller step or a higher-order stencil to decide", i, e.NumericErr))
		}
		h := stepAt(x[i], rel)
		switch {
		case math.IsNaN(e.AbsErr) || math.IsInf(e.AbsErr, 0):
			e.Pass, e.RelErr = false, math.Inf(1)
			r.Warnings = append(r.Warnings, fmt.Sprintf("entry %d: non-finite value (analytic %g, numeric %g)", i, a, e.Numeric))
		case cs.Branches != nil:
			if where := straddled(cs.Branches, base, xw, i, st, h); where != "" {
				e.Kink = true
				r.Warnings = append(r.Warnings, fmt.Sprintf("entry %d: a kink lies within the step h = %.3g (%s); the numeric derivative is not meaningful there", i, h, where))
			}
		case !e.Pass:
			if plus, minus := oneSided(f, xw, i, h); math.Abs(plus-minus) > 1e-2*math.Max(1, math.Max(math.Abs(plus), math.Abs(minus))) {
				e.Kink = true
				r.Warnings = append(r.Warnings, fmt.Sprintf("entry %d: slopes from the right (%.6g) and the left (%.6g) disagree: a kink probably lies within the step h = %.3g", i, plus, minus, h))
			}
		}
		if !e.Kink {
			r.MaxAbsErr = math.Max(r.MaxAbsErr, e.AbsErr)
			r.MaxRelErr = math.Max(r.MaxRelErr, e.RelErr)
			r.Pass = r.Pass && e.Pass
		}
		r.Entries[i] = e
	}
	if extra := len(r.Warnings) - maxWarnings; extra > 0 {
		r.Warnings = append(r.Warnings[:maxWarnings], fmt.Sprintf("%d more warnings like these", extra))
	}
	r.Worst = slices.Clone(r.Entries)
	slices.SortStableFunc(r.Worst, func(a, b Entry) int { return cmp.Compare(b.RelErr, a.RelErr) })
	r.Worst = r.Worst[:min(cs.Worst, len(r.Worst))]
	return r
}

// straddled returns a description of the kink when some stencil point along
// coordinate i sees different branches than x does, and "" otherwise.
func straddled(branches func([]float64) string, base string, xw []float64, i int, st Stencil, h float64) string {
	xi := xw[i]
	defer func() { xw[i] = xi }()
	for _, p := range st.Points {
		if p == 0 {
			continue
		}
		xw[i] = xi + p*h
		if b := branches(xw); b != base {
			return fmt.Sprintf("branches %q at x, %q at x%+gh", base, b, p)
		}
	}
	return ""
}

// oneSided returns the forward and backward difference quotients of f along
// coordinate i with step h. Where f is smooth they differ by about h·f″; at a
// kink by the jump in slope.
func oneSided(f func([]float64) float64, xw []float64, i int, h float64) (plus, minus float64) {
	f0 := f(xw)
	plus = (at(f, xw, f0, i, h) - f0) / h
	minus = (f0 - at(f, xw, f0, i, -h)) / h
	return plus, minus
}

// String formats the result as a short report: the verdict, the largest
// errors, a table of the worst entries, and the warnings.
func (r CheckResult) String() string {
	var b strings.Builder
	verdict := "PASS"
	if !r.Pass {
		verdict = "FAIL"
	}
	kinks := 0
	for _, e := range r.Entries {
		if e.Kink {
			kinks++
		}
	}
	fmt.Fprintf(&b, "gradient check %s: %d entries, max abs err %.3g, max rel err %.3g (%s differences, rel tol %g, abs tol %g)",
		verdict, len(r.Entries), r.MaxAbsErr, r.MaxRelErr, r.Stencil, r.RelTol, r.AbsTol)
	if kinks > 0 {
		fmt.Fprintf(&b, ", %d at kinks not counted", kinks)
	}
	b.WriteByte('\n')
	if len(r.Worst) > 0 {
		fmt.Fprintf(&b, "  %6s %14s %14s %10s %10s\n", "index", "analytic", "numeric", "abs err", "rel err")
		for _, e := range r.Worst {
			note := ""
			switch {
			case e.Kink:
				note = "  kink"
			case !e.Pass:
				note = "  FAIL"
			}
			fmt.Fprintf(&b, "  %6d %14.7g %14.7g %10.3g %10.3g%s\n", e.Index, e.Analytic, e.Numeric, e.AbsErr, e.RelErr, note)
		}
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(&b, "  warning: %s\n", w)
	}
	return b.String()
}
