package numdiff

import (
	"math"
	"strings"
	"testing"

	"github.com/nabla-go/nabla/testfunc"
)

func TestGradCheckPassesCorrectGradients(t *testing.T) {
	for _, fn := range testfunc.All() {
		x := shifted(fn.Start)
		g := make([]float64, fn.Dim)
		fn.Grad(g, x)
		r := GradCheck(fn.Value, g, x, nil)
		if !r.Pass || len(r.Entries) != fn.Dim || r.MaxRelErr > 1e-5 {
			t.Errorf("%s: correct gradient failed:\n%s", fn.Name, r)
		}
	}
}

// A gradient with one wrong entry fails, and the report points at it.
func TestGradCheckFindsTheWrongEntry(t *testing.T) {
	fn := testfunc.RosenbrockN(10)
	x := shifted(fn.Start)
	g := make([]float64, fn.Dim)
	fn.Grad(g, x)
	g[6] *= 1 + 1e-4 // a small error, but ten times the tolerance
	r := GradCheck(fn.Value, g, x, &CheckSettings{Worst: 3})
	if r.Pass {
		t.Fatalf("wrong gradient passed:\n%s", r)
	}
	if len(r.Worst) != 3 || r.Worst[0].Index != 6 || r.Entries[6].Pass {
		t.Errorf("worst entries %+v, want index 6 first", r.Worst)
	}
	if rel := r.Entries[6].RelErr; math.Abs(rel-1e-4) > 1e-6 {
		t.Errorf("entry 6 relative error %g, want about 1e-4", rel)
	}
	for i, e := range r.Entries {
		if i != 6 && !e.Pass {
			t.Errorf("entry %d failed: %+v", i, e)
		}
	}
	if s := r.String(); !strings.Contains(s, "FAIL") || !strings.Contains(s, "     6 ") {
		t.Errorf("report does not show the failure:\n%s", s)
	}
	// A looser tolerance lets it through.
	if r := GradCheck(fn.Value, g, x, &CheckSettings{RelTol: 1e-3}); !r.Pass {
		t.Errorf("RelTol 1e-3 should pass an error of 1e-4:\n%s", r)
	}
}

// A gradient that should be zero is not failed for rounding noise.
func TestGradCheckAbsTol(t *testing.T) {
	// f = x₀² + cos(x₁)·1e-12 + x₂: ∂f/∂x₀ = 0 at x₀ = 0 exactly.
	f := func(x []float64) float64 { return x[0]*x[0] + 1e-12*math.Cos(x[1]) + x[2] }
	x := []float64{0, 1, 2}
	g := []float64{0, -1e-12 * math.Sin(1), 1}
	if r := GradCheck(f, g, x, nil); !r.Pass {
		t.Errorf("tiny gradients failed:\n%s", r)
	}
	g[0] = 1e-6 // clearly above AbsTol and, relative to a zero numeric, 100% wrong
	if r := GradCheck(f, g, x, nil); r.Pass || r.Entries[0].RelErr != 1 {
		t.Errorf("wrong zero gradient passed:\n%s", r)
	}
}

// With a branch detector, an entry whose step straddles a kink is flagged
// and does not fail the check; the warning says so.
func TestGradCheckKinkWithBranches(t *testing.T) {
	// f = relu(x₀) + x₁², at x₀ = 1e-9: the central difference straddles 0.
	f := func(x []float64) float64 { return math.Max(x[0], 0) + x[1]*x[1] }
	branches := func(x []float64) string {
		if x[0] > 0 {
			return "relu:+"
		}
		return "relu:-"
	}
	x := []float64{1e-9, 3}
	g := []float64{1, 6} // the derivative on the side x is on
	r := GradCheck(f, g, x, &CheckSettings{Branches: branches})
	if !r.Pass || !r.Entries[0].Kink || r.Entries[1].Kink {
		t.Fatalf("kink not handled:\n%s", r)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "entry 0") || !strings.Contains(r.Warnings[0], "kink") {
		t.Errorf("warnings %q", r.Warnings)
	}
	// The same check without a detector falls back to one-sided slopes.
	r = GradCheck(f, g, x, nil)
	if !r.Pass || !r.Entries[0].Kink || !strings.Contains(strings.Join(r.Warnings, "\n"), "disagree") {
		t.Errorf("one-sided fallback did not flag the kink:\n%s", r)
	}
	// Away from the kink nothing is flagged, and a wrong entry still fails.
	r = GradCheck(f, []float64{1, 5}, []float64{0.5, 3}, &CheckSettings{Branches: branches})
	if r.Pass || r.Entries[0].Kink || r.Entries[1].Kink || len(r.Warnings) != 0 {
		t.Errorf("smooth point misreported:\n%s", r)
	}
}

// A smooth function with a wrong gradient is not excused as a kink by the
// one-sided fallback: its slopes agree.
func TestGradCheckFallbackDoesNotExcuseBugs(t *testing.T) {
	f := func(x []float64) float64 { return math.Exp(x[0]) }
	r := GradCheck(f, []float64{2}, []float64{0.5}, nil)
	if r.Pass || r.Entries[0].Kink {
		t.Errorf("wrong gradient of exp passed or was called a kink:\n%s", r)
	}
}

func TestGradCheckNonFinite(t *testing.T) {
	f := func(x []float64) float64 { return x[0] * x[0] }
	r := GradCheck(f, []float64{math.NaN()}, []float64{1}, nil)
	if r.Pass || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "non-finite") {
		t.Errorf("NaN gradient not reported:\n%s", r)
	}
}

func TestGradCheckCapsWarnings(t *testing.T) {
	n := 30
	f := func(x []float64) float64 {
		var s float64
		for _, v := range x {
			s += math.Abs(v)
		}
		return s
	}
	ones := make([]float64, n)
	for i := range ones {
		ones[i] = 1 // d|x|/dx taken as 1 at 0, where the central difference gives 0
	}
	r := GradCheck(f, ones, make([]float64, n), nil)
	if !r.Pass || len(r.Warnings) != maxWarnings+1 || !strings.Contains(r.Warnings[maxWarnings], "20 more") {
		t.Errorf("got %d warnings, last %q", len(r.Warnings), r.Warnings[len(r.Warnings)-1])
	}
}

// At Rosenbrock's minimum the gradient is 0 but the central difference is
// h²f‴/6 ≈ 1.5e-8, over the absolute tolerance: the Richardson estimate of
// its own error lets the entry pass, with a warning, while a gradient off by
// 1e-6 still fails.
func TestGradCheckNumericError(t *testing.T) {
	fn := testfunc.Rosenbrock()
	x := []float64{1, 1}
	r := GradCheck(fn.Value, []float64{0, 0}, x, nil)
	e := r.Entries[0]
	if !r.Pass || e.AbsErr <= 1e-8 || e.NumericErr < e.AbsErr/2 || len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "own error") {
		t.Errorf("zero gradient at the minimum:\n%s\nentry %+v", r, e)
	}
	// h²/6·f‴ with f‴ = 2400 at x = 1, and h the central step.
	h := stepAt(1, Central.Step)
	if want := h * h / 6 * 2400; math.Abs(e.Numeric-want) > 0.01*want {
		t.Errorf("numeric ∂f/∂x = %g, want the truncation error %g", e.Numeric, want)
	}
	if r := GradCheck(fn.Value, []float64{1e-6, 0}, x, nil); r.Pass {
		t.Errorf("a gradient off by 1e-6 passed:\n%s", r)
	}
}
