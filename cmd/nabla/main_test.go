package main

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
)

// run executes the CLI with args and returns its output and error.
func run(args ...string) (string, error) {
	var out bytes.Buffer
	root := newRootCmd()
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// The demo shows the textbook values, computed here from their closed forms.
func TestDemo(t *testing.T) {
	out, err := demoOutput()
	if err != nil {
		t.Fatalf("demo failed: %v\n%s", err, out)
	}
	lines := strings.Split(out, "\n")
	// f(x) = x²: reverse mode, forward mode, finite differences and 2x agree.
	for _, x := range []float64{-0.5, 0, 0.5} {
		want := fmt.Sprintf("%g %g %g %.10f %g", x, 2*x, 2*x, 2*x, 2*x)
		if !hasLine(lines, want) {
			t.Errorf("no row %q in\n%s", want, out)
		}
	}
	// ∇(x² + y²) = (2x, 2y).
	for _, p := range [][2]float64{{1, 2}, {-3, 0.5}} {
		want := fmt.Sprintf("at (%g, %g): f = %.10g, ∇f = (%.10g, %.10g)", p[0], p[1], p[0]*p[0]+p[1]*p[1], 2*p[0], 2*p[1])
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
	// f = x²y + yz³ + sin(xy) at (2, 3, 1): ∇f = (12 + 3cos 6, 5 + 2cos 6, 9),
	// shown by reverse mode, forward mode and as the exact value.
	for _, g := range []float64{12 + 3*math.Cos(6), 5 + 2*math.Cos(6), 9} {
		if s := fmt.Sprintf("%.10f", g); strings.Count(out, s) < 3 {
			t.Errorf("∂f = %s appears %d times, want reverse, forward and exact", s, strings.Count(out, s))
		}
	}
	for _, want := range []string{"a local minimum", "gradient check PASS", "∂f/∂x = 2*x*y + y*cos(x*y)", "∂f/∂z = 3*y*z^2", "L-BFGS, strong Wolfe"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

// The optimiser section: L-BFGS ends within 1e-8 of (1, 1).
func TestDemoOptimizers(t *testing.T) {
	out, err := demoOutput()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) == 6 && f[0] == "L-BFGS," {
			var d float64
			if _, err := fmt.Sscan(f[4], &d); err != nil || d > 1e-8 {
				t.Errorf("L-BFGS row %q: distance %v (%v)", l, d, err)
			}
			return
		}
	}
	t.Errorf("no L-BFGS row in\n%s", out)
}

// The digits network reaches at least 95% held-out accuracy in 10 epochs.
func TestDemoDigits(t *testing.T) {
	out, err := demoOutput()
	if err != nil {
		t.Fatal(err)
	}
	var acc float64
	i := strings.LastIndex(out, "test accuracy ")
	if i < 0 {
		t.Fatalf("no digits accuracy in\n%s", out)
	}
	if _, err := fmt.Sscan(out[i+len("test accuracy "):], &acc); err != nil || acc < 0.95 {
		t.Errorf("digits test accuracy %v (%v), want ≥ 0.95", acc, err)
	}
}

// demoOutput runs the demo once for all the tests that read it.
var demoOutput = sync.OnceValues(func() (string, error) { return run("demo") })

// hasLine reports whether some line, with runs of spaces collapsed, contains want.
func hasLine(lines []string, want string) bool {
	for _, l := range lines {
		if strings.Contains(strings.Join(strings.Fields(l), " "), want) {
			return true
		}
	}
	return false
}

func TestBadCommandLines(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"demo", "extra"}, "unknown command \"extra\""},
		{[]string{"frobnicate"}, "unknown command \"frobnicate\""},
		{[]string{"demo", "--nope"}, "unknown flag: --nope"},
	} {
		_, err := run(c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("nabla %v: error %v, want one containing %q", c.args, err, c.want)
		}
	}
}

// The vanishing-gradient section: the sigmoid network is diagnosed with
// vanishing gradients and does not learn; the ReLU/He network learns and is
// diagnosed healthy.
func TestDemoVanishing(t *testing.T) {
	out, err := demoOutput()
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(out, "8. Vanishing gradients")
	if i < 0 {
		t.Fatalf("no section 8 in\n%s", out)
	}
	sec := out[i:]
	sig, relu, _ := strings.Cut(sec[strings.Index(sec, "sigmoid"):], "ReLU, He")
	if !strings.Contains(sig, "diagnose: vanishing") || strings.Contains(relu, "diagnose: vanishing") || !strings.Contains(relu, "diagnose: nothing wrong") {
		t.Errorf("section 8:\n%s", sec)
	}
	var a, b float64
	if _, err := fmt.Sscanf(relu[strings.Index(relu, "training loss"):], "training loss %g → %g", &a, &b); err != nil || b > a/2 {
		t.Errorf("ReLU network: loss %g → %g (%v), want it at least halved", a, b, err)
	}
}
