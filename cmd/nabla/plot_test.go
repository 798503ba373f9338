package main

import (
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nabla-go/nabla/plot"
)

// plotFlagsFrom parses args as nabla plot's flags.
func plotFlagsFrom(t *testing.T, args ...string) *plotFlags {
	t.Helper()
	cmd, fl := newPlotCmdFlags()
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	fl.set = cmd.Flags()
	return fl
}

// On the convex f = x² + 3y² from (1.5, 1) with lr 0.001 and 20 steps no
// optimiser reaches the minimum: each coordinate keeps its sign and shrinks
// in size, so f falls at every step. The test checks both, on paths run
// exactly as nabla minimize runs them.
func TestPlotPathsGoDownhill(t *testing.T) {
	e, _ := parseExpr("x^2 + 3*y^2")
	fl := plotFlagsFrom(t, "--paths", "gd,sgd,momentum,nesterov,adam,rmsprop,adagrad", "--from", "x=1.5,y=1", "--lr", "0.001", "--steps", "20")
	paths, err := descentPaths(io.Discard, e, []string{"x", "y"}, fl)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 7 {
		t.Fatalf("%d paths, want 7", len(paths))
	}
	f := func(x, y float64) float64 { return x*x + 3*y*y }
	for _, p := range paths {
		if len(p.X) != 21 || p.X[0] != 1.5 || p.Y[0] != 1 {
			t.Fatalf("%s: %d points from (%g, %g), want 21 from (1.5, 1)", p.Name, len(p.X), p.X[0], p.Y[0])
		}
		for i := 1; i < len(p.X); i++ {
			if !(p.X[i] > 0 && p.X[i] < p.X[i-1] && p.Y[i] > 0 && p.Y[i] < p.Y[i-1]) {
				t.Fatalf("%s: step %d from (%g, %g) to (%g, %g) does not shrink both coordinates", p.Name, i, p.X[i-1], p.Y[i-1], p.X[i], p.Y[i])
			}
			if f(p.X[i], p.Y[i]) >= f(p.X[i-1], p.Y[i-1]) {
				t.Errorf("%s: f rises at step %d", p.Name, i)
			}
		}
	}
	// gd's first step is x − lr·∇f = (1.5 − 0.001·3, 1 − 0.001·6).
	if paths[0].X[1] != 1.5-0.003 || paths[0].Y[1] != 1-0.006 {
		t.Errorf("gd's first step is (%g, %g), want (1.497, 0.994)", paths[0].X[1], paths[0].Y[1])
	}
	// momentum is sgd with momentum 0.9: its second step is
	// x₂ = x₁ − lr·(0.9·g₀ + g₁) (PyTorch's form, b₁ = g₀).
	x1 := 1.5 - 0.001*3
	if want := x1 - 0.001*(0.9*3+2*x1); math.Abs(paths[2].X[2]-want) > 1e-15 {
		t.Errorf("momentum's second x %g, want %g", paths[2].X[2], want)
	}
	if !strings.HasPrefix(paths[4].Name, "adam: f = ") {
		t.Errorf("legend name %q", paths[4].Name)
	}
}

// The tangent of x³ at 0.5 has slope f′(0.5) = 3·0.5² = 0.75 and passes
// through (0.5, 0.125).
func TestPlotTangentSlope(t *testing.T) {
	e, _ := parseExpr("x^3")
	p, err := functionPlot(e, "x", "", plot.Size{}, plotFlagsFrom(t, "--at", "x=0.5", "--tangent"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Tangent == nil || p.Tangent.Slope != 0.75 || p.Tangent.At != 0.5 {
		t.Fatalf("tangent %+v, want slope 0.75 at 0.5", p.Tangent)
	}
	x, y := p.TangentLine()
	if s := (y[1] - y[0]) / (x[1] - x[0]); math.Abs(s-0.75) > 1e-15 {
		t.Errorf("line slope %g", s)
	}
	if y := y[0] + 0.75*(0.5-x[0]); math.Abs(y-0.125) > 1e-15 {
		t.Errorf("line at 0.5 is %g, want 0.125", y)
	}
	if p.Tangent.Label != "tangent at x = 0.5: y = 0.75*x - 0.25" {
		t.Errorf("label %q", p.Tangent.Label)
	}
	// Outside the default range, the range centres on the point.
	p, _ = functionPlot(e, "x", "", plot.Size{}, plotFlagsFrom(t, "--at", "x=10", "--tangent"))
	if p.X0 != 8 || p.X1 != 12 {
		t.Errorf("range %g:%g for a point at 10, want 8:12", p.X0, p.X1)
	}
}

func TestPlotWritesFiles(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"(x^2+y-11)^2 + (x+y^2-7)^2", "--x", "-5:5", "--y", "-5:5", "--field", "--paths", "gd,momentum,adam,lbfgs", "--from", "x=-1,y=0.5", "--lr", "0.01", "--steps", "50", "--minimum", "x=3,y=2", "--size", "400x300", "-o"},
		{"y + x^2", "--lines", "--spacing", "quantile", "--field", "--descent", "-o"},
		{"x^2", "--at", "x=0.5", "--tangent", "--size", "400x300", "-o"},
	} {
		out := filepath.Join(dir, "p.png")
		msg, err := run(append(append([]string{"plot"}, args...), out)...)
		if err != nil || !strings.Contains(msg, "wrote "+out) {
			t.Fatalf("plot %v: %v\n%s", args, err, msg)
		}
		fh, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(fh)
		fh.Close()
		if err != nil {
			t.Fatalf("plot %v: not a PNG: %v", args, err)
		}
		b := img.Bounds()
		if args[0] == "y + x^2" {
			// The default size, 800×600 less the blank side bands a square
			// box leaves.
			if b.Dx() >= 800 || b.Dx() < 600 || b.Dy() != 600 {
				t.Errorf("plot %v: %d×%d, want 600 high and narrower than 800", args, b.Dx(), b.Dy())
			}
		} else if b.Dx() != 400 || b.Dy() != 300 {
			t.Errorf("plot %v: %d×%d, want 400×300", args, b.Dx(), b.Dy())
		}
		os.Remove(out)
	}
	// A diverging optimiser is drawn up to where it diverged, with a note.
	out := filepath.Join(dir, "d.svg")
	msg, err := run("plot", "x^2+y^2", "--paths", "gd", "--from", "x=1,y=1", "--lr", "5", "--steps", "100", "-o", out)
	if err != nil || !strings.Contains(msg, "gd diverged") {
		t.Errorf("diverging gd: %v\n%s", err, msg)
	}
}

func TestPlotBadInput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.png")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"x^2+y^2", "--x", "2:-2"}, "--x 2:-2: the lower bound must be below the upper one, e.g. -2:2"},
		{[]string{"x^2+y^2", "--y", "1:x"}, "write lo:hi"},
		{[]string{"x^2+y^2", "--grid", "5000"}, "--grid 5000: choose between 2 and 2000"},
		{[]string{"x*y*z"}, "a contour plot needs a function of two variables, but x*y*z has 3 (x, y, z)"},
		{[]string{"3"}, "has no variables"},
		{[]string{"x^2+y^2", "--paths", "adam"}, "--paths needs the starting point"},
		{[]string{"x^2+y^2", "--paths", "adma", "--from", "x=1,y=1"}, `did you mean "adam"`},
		{[]string{"x^2+y^2", "--tangent"}, "--tangent does not apply to a contour plot"},
		{[]string{"x^2", "--field"}, "--field does not apply to a function of one variable"},
		{[]string{"x^2", "--tangent"}, "--tangent needs the point"},
		{[]string{"x^2", "--at", "x=3", "--tangent", "--x", "0:1"}, "--at x=3 lies outside --x 0:1"},
		{[]string{"x^2+y^2", "--spacing", "cubic"}, "unknown level spacing"},
		{[]string{"x^2+y^2", "--size", "10x10"}, "--size"},
		{[]string{"x^2+", "--x", "0:1"}, "x^2+"},
	} {
		_, err := run(append(append([]string{"plot"}, c.args...), "-o", out)...)
		if err == nil || !strings.Contains(err.Error(), c.want) || exitCode(err) != 2 {
			t.Errorf("plot %v: %v (exit %d), want a usage error containing %q", c.args, err, exitCode(err), c.want)
		}
	}
	_, err := run("plot", "x^2+y^2", "-o", filepath.Join(dir, "out.jpg"))
	if err == nil || !strings.Contains(err.Error(), "name the picture .svg or .png") || exitCode(err) != 2 {
		t.Errorf("unknown extension: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
}

// parseRange and parseSize never panic, and what they accept is usable: a
// finite range with lo < hi, a size within the limits.
func FuzzPlotFlags(f *testing.F) {
	for _, s := range []string{"-2:2", "2:-2", "1:1", ":", "0:1e308", "-inf:0", "NaN:1", "800x600", "10x10", "x", "1e9x1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if lo, hi, err := parseRange("x", s); err == nil && !(lo < hi && !math.IsInf(lo, 0) && !math.IsInf(hi, 0)) {
			t.Errorf("parseRange(%q) accepted %g:%g", s, lo, hi)
		}
		if sz, err := parseSize(s); err == nil && s != "" && (sz.Width < 100 || sz.Height < 100 || sz.Width > plot.MaxPixels || sz.Height > plot.MaxPixels) {
			t.Errorf("parseSize(%q) accepted %v", s, sz)
		}
	})
}

// The flags reach the plot: arrows downhill, log levels, the minimum, and x
// as the horizontal axis even when y appears first.
func TestPlotContourFlags(t *testing.T) {
	e, _ := parseExpr("y^2 + (x-1)^2")
	vars := axisVars(e.Vars())
	c, err := contourPlot(io.Discard, e, vars, "t", plot.Size{}, plotFlagsFrom(t, "--field", "--descent", "--arrows", "7", "--lines", "--spacing", "log", "--minimum", "x=1,y=0", "--x", "-1:3", "--y", "-2:2"))
	if err != nil {
		t.Fatal(err)
	}
	if c.XLabel != "x" || c.YLabel != "y" || c.Arrows != 7 || !c.Descent || !c.Lines || c.Spacing != plot.SpacingLog || *c.Minimum != (plot.Point{X: 1, Y: 0}) || c.Box != (plot.Box{X0: -1, X1: 3, Y0: -2, Y1: 2}) {
		t.Errorf("contour %+v", c)
	}
	// f(2, 1) = 1 + 1 and ∇f(2, 1) = (2(x − 1), 2y) = (2, 2).
	if v := c.F(2, 1); v != 2 {
		t.Errorf("F(2, 1) = %g, want 2", v)
	}
	if gx, gy := c.Grad(2, 1); gx != 2 || gy != 2 {
		t.Errorf("Grad(2, 1) = (%g, %g), want (2, 2)", gx, gy)
	}
}

// TestPlotFlags: minimize --plot draws the paths (one polyline per
// optimiser) and train --plot the loss curves (one per part); bad names and
// one-variable functions are refused before any work.
func TestPlotFlags(t *testing.T) {
	dir := t.TempDir()
	svg := filepath.Join(dir, "paths.svg")
	if _, err := run("minimize", "x^2 + 3*y^2", "--from", "x=1,y=1", "--lr", "0.05", "--steps", "50", "--compare", "gd,adam", "--plot", svg); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(svg)
	if err != nil || !strings.Contains(string(b), "gd") || !strings.Contains(string(b), "adam") {
		t.Errorf("paths picture: %v, legend missing", err)
	}
	pngPath := filepath.Join(dir, "one.png")
	if _, err := run("minimize", "x^2 + 3*y^2", "--from", "x=1,y=1", "--optimizer", "lbfgs", "--plot", pngPath); err != nil {
		t.Fatal(err)
	}
	if f, err := os.Open(pngPath); err != nil {
		t.Error(err)
	} else if _, err := png.Decode(f); err != nil {
		t.Errorf("lbfgs path picture: %v", err)
	}
	loss := filepath.Join(dir, "loss.svg")
	r := trainJSON(t, "--data", "builtin:iris", "--model", "softmax", "--epochs", "5", "--val", "0.2", "--plot", loss)
	b, err = os.ReadFile(loss)
	if err != nil || r.Plot != loss || !strings.Contains(string(b), "training") || !strings.Contains(string(b), "validation") {
		t.Errorf("loss picture: %v, plot %q", err, r.Plot)
	}
	grads := filepath.Join(dir, "grads.svg")
	r = trainJSON(t, "--data", "builtin:iris", "--model", "mlp", "--hidden", "8,8", "--epochs", "3", "--plot-grads", grads)
	b, err = os.ReadFile(grads)
	if err != nil || r.PlotGrads != grads || r.Diagnostics != nil || !strings.Contains(string(b), "layer 0 (Linear 4→8)") || !strings.Contains(string(b), "layer 4 (Linear 8→3)") {
		t.Errorf("gradient-norm picture: %v, plot_grads %q, diagnostics %v", err, r.PlotGrads, r.Diagnostics)
	}
	for _, c := range [][]string{
		{"minimize", "x^2", "--from", "x=1", "--plot", filepath.Join(dir, "a.png")},
		{"train", "--data", "builtin:iris", "--model", "softmax", "--plot-grads", filepath.Join(dir, "a.bmp")},
		{"minimize", "x^2 + y^2", "--from", "x=1,y=1", "--plot", filepath.Join(dir, "a.gif")},
		{"train", "--data", "builtin:iris", "--model", "softmax", "--plot", filepath.Join(dir, "a.jpg")},
	} {
		if _, err := run(c...); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: %v, want a usage error", c, err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "a.*")); len(left) != 0 {
		t.Errorf("refused runs left files: %v", left)
	}
}
