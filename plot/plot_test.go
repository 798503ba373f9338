package plot

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg/draw"
)

// quad is f(x, y) = x² + 3y² + xy + x: convex, and unlike its transpose, so
// a grid read with x and y swapped shows. Its gradient is
// (2x + y + 1, 6y + x) and its Hessian [[2, 1], [1, 6]].
func quad(x, y float64) float64 { return x*x + 3*y*y + x*y + x }

func quadGrad(x, y float64) (float64, float64) { return 2*x + y + 1, 6*y + x }

func TestLevelsFormulas(t *testing.T) {
	// 0, 1, …, 100: evenly spread values.
	var z []float64
	for i := 0; i <= 100; i++ {
		z = append(z, float64(i))
	}
	// Linear: m + (M − m)·k/(n + 1) = 20k.
	if got, want := Levels(z, 4, SpacingLinear), []float64{20, 40, 60, 80}; !slices.Equal(got, want) {
		t.Errorf("linear levels %v, want %v", got, want)
	}
	// Quantile k/5 of 0 … 100 is 20k.
	if got, want := Levels(z, 4, SpacingQuantile), []float64{20, 40, 60, 80}; !slices.Equal(got, want) {
		t.Errorf("quantile levels %v, want %v", got, want)
	}
	// The median is 50 ≥ (100 − 0)/5: auto is linear.
	if got := Levels(z, 4, SpacingAuto); !slices.Equal(got, []float64{20, 40, 60, 80}) {
		t.Errorf("auto levels on even values %v, want the linear ones", got)
	}
	// Log: the 1% quantile is 1, so rⁿ = 1/100 and with n = 2, r = 0.1:
	// levels 100·0.1² = 1 and 100·0.1 = 10.
	if got, want := Levels(z, 2, SpacingLog), []float64{1, 10}; !slices.Equal(got, want) {
		t.Errorf("log levels %v, want %v", got, want)
	}
	// Skewed values (cubes 0 … 10⁶, median 125000 < 10⁶/5) get log
	// levels: equal ratios between successive levels above the minimum.
	var sq []float64
	for i := 0; i <= 100; i++ {
		sq = append(sq, float64(i*i*i))
	}
	lv := Levels(sq, 6, SpacingAuto)
	if len(lv) != 6 {
		t.Fatalf("auto levels of skewed values: %v", lv)
	}
	for k := 1; k < len(lv)-1; k++ {
		r0, r1 := lv[k]/lv[k-1], lv[k+1]/lv[k]
		if math.Abs(r0-r1) > 0.01*r1 { // levels are rounded to 3 digits
			t.Errorf("log levels %v: ratios %g and %g differ", lv, r0, r1)
		}
	}
	// Non-finite values are ignored; a constant has no levels.
	if got := Levels([]float64{1, 1, math.NaN(), math.Inf(1)}, 5, SpacingAuto); got != nil {
		t.Errorf("levels of a constant: %v, want none", got)
	}
	// Three significant digits: m + (M − m)/3 with m = 0, M = 1.
	if got := Levels([]float64{0, 1}, 2, SpacingLinear); !slices.Equal(got, []float64{0.333, 0.667}) {
		t.Errorf("rounded levels %v, want [0.333 0.667]", got)
	}
}

func TestGradientArrows(t *testing.T) {
	b := Box{-2, 2, -1, 1} // twice as wide as high
	arrows, h := GradientArrows(quadGrad, b, 8, false)
	// 8 cells along x of width 0.5, so 4 along y.
	if h != 0.5 || len(arrows) != 32 {
		t.Fatalf("h = %g, %d arrows; want 0.5 and 8·4 = 32", h, len(arrows))
	}
	down, _ := GradientArrows(quadGrad, b, 8, true)
	for i, a := range arrows {
		gx, gy := quadGrad(a.X, a.Y)
		n := math.Hypot(gx, gy)
		if math.Abs(a.DX-gx/n) > 1e-15 || math.Abs(a.DY-gy/n) > 1e-15 {
			t.Errorf("arrow at (%g, %g) = (%g, %g), want ∇f/‖∇f‖ = (%g, %g)", a.X, a.Y, a.DX, a.DY, gx/n, gy/n)
		}
		if down[i] != (Arrow{a.X, a.Y, -a.DX, -a.DY}) {
			t.Errorf("descent arrow %v, want %v reversed", down[i], a)
		}
		if a.X <= b.X0 || a.X >= b.X1 || a.Y <= b.Y0 || a.Y >= b.Y1 {
			t.Errorf("arrow at (%g, %g) outside the box", a.X, a.Y)
		}
		// Uphill: a small step along the arrow raises f.
		if quad(a.X+1e-6*a.DX, a.Y+1e-6*a.DY) <= quad(a.X, a.Y) {
			t.Errorf("arrow at (%g, %g) does not point uphill", a.X, a.Y)
		}
	}
	// Zero gradient: no arrow. ∇f = 0 at the centre cell of a 1×1 grid over
	// a box centred on the minimiser of x² + y².
	none, _ := GradientArrows(func(x, y float64) (float64, float64) { return 2 * x, 2 * y }, Box{-1, 1, -1, 1}, 1, false)
	if len(none) != 0 {
		t.Errorf("arrows where the gradient vanishes: %v", none)
	}
}

// TestContourSVG draws quad with arrows, a path and line contours and reads
// the SVG back: the axes have equal scales, each arrow's shaft points along
// the normalised gradient at its point, every point of each level line has
// f within the grid's interpolation error of its level, and the path is
// drawn through the given points.
func TestContourSVG(t *testing.T) {
	b := Box{-2, 2, -1, 1.5}
	c := Contour{F: quad, Grad: quadGrad, Box: b, Grid: 100, NumLevels: 6, Lines: true, Arrows: 10,
		Paths: []Path{{Name: "p", X: []float64{1.5, 0.5, -0.5}, Y: []float64{1, 0.2, 0}}}}
	d, err := c.compute()
	if err != nil {
		t.Fatal(err)
	}
	size := Size{800, 600}
	svg, dc := renderSVG(t, size, func(cv draw.Canvas) draw.Canvas { dc, _ := c.draw(cv, d); return dc })
	paths := parsePaths(t, svg)

	sx := float64(dc.Max.X-dc.Min.X) / (b.X1 - b.X0)
	sy := float64(dc.Max.Y-dc.Min.Y) / (b.Y1 - b.Y0)
	if math.Abs(sx-sy) > 1e-9*sx {
		t.Errorf("axis scales %g and %g points per unit differ", sx, sy)
	}

	// Arrows: shafts in arrowColor, in the order of d.arrows.
	var shafts []svgPath
	for _, p := range paths {
		if p.stroke && p.color == hex(arrowColor) {
			shafts = append(shafts, p)
		}
	}
	if len(shafts) != len(d.arrows) || len(shafts) == 0 {
		t.Fatalf("%d arrow shafts in the SVG, want %d", len(shafts), len(d.arrows))
	}
	for i, s := range shafts {
		a := d.arrows[i]
		gx, gy := quadGrad(a.X, a.Y)
		n := math.Hypot(gx, gy)
		dx, dy := float64(s.pts[1].X-s.pts[0].X), float64(s.pts[1].Y-s.pts[0].Y)
		l := math.Hypot(dx, dy)
		// vgsvg writes 5 significant digits (≤ 0.005 pt off at each end of
		// a shaft ≥ 10 pt long): the angle is good to 1e-3.
		if math.Abs(dx/l-gx/n) > 1e-3 || math.Abs(dy/l-gy/n) > 1e-3 {
			t.Errorf("arrow %d at (%g, %g) drawn along (%.4f, %.4f), want ∇f/‖∇f‖ = (%.4f, %.4f)", i, a.X, a.Y, dx/l, dy/l, gx/n, gy/n)
		}
		// The shaft starts half an arrow length behind the point.
		x0, y0 := toData(s.pts[0], dc, b)
		half := 0.75 * d.h / 2
		if math.Hypot(x0-(a.X-half*a.DX), y0-(a.Y-half*a.DY)) > 1e-3 {
			t.Errorf("arrow %d starts at (%g, %g), want (%g, %g)", i, x0, y0, a.X-half*a.DX, a.Y-half*a.DY)
		}
	}

	// Level lines: line contours have the colour of their level. Linear
	// interpolation along a grid edge of length h misses f by at most
	// h²/8·max|f''| (the Hessian's diagonal: 2 and 6), and 5-digit
	// coordinates move a point by ≤ 0.005 pt = 0.005/sx units, changing f
	// by ≤ ‖∇f‖max·0.005/sx with ‖∇f‖ ≤ ‖(2·2 + 1.5 + 1, 6·1.5 + 2)‖ < 13.
	h := (b.X1 - b.X0) / 100
	tol := h*h/8*6 + 13*0.005/sx*math.Sqrt2
	seen := 0
	for k, level := range d.levels {
		col := hex(viridis((float64(k)+0.5)/float64(len(d.levels)), 0))
		for _, p := range paths {
			if !p.stroke || p.color != col || len(p.pts) < 3 {
				continue
			}
			seen++
			for _, pt := range p.pts {
				x, y := toData(pt, dc, b)
				if got := quad(x, y); math.Abs(got-level) > tol {
					t.Fatalf("level %g: point (%g, %g) of its line has f = %g (off by %.2g > %.2g)", level, x, y, got, got-level, tol)
				}
			}
		}
	}
	if seen < len(d.levels) {
		t.Errorf("found %d level lines for %d levels", seen, len(d.levels))
	}

	// The path, in its colour, through the given points.
	var drawn []svgPath
	for _, p := range paths {
		if p.stroke && p.color == hex(lineColor(0)) && len(p.pts) == 3 {
			drawn = append(drawn, p)
		}
	}
	if len(drawn) != 1 {
		t.Fatalf("%d drawn paths, want 1", len(drawn))
	}
	for i, pt := range drawn[0].pts {
		x, y := toData(pt, dc, b)
		if math.Hypot(x-c.Paths[0].X[i], y-c.Paths[0].Y[i]) > 1e-3 {
			t.Errorf("path point %d drawn at (%g, %g), want (%g, %g)", i, x, y, c.Paths[0].X[i], c.Paths[0].Y[i])
		}
	}
}

// TestTangentSVG reads the tangent line of x³ at 0.5 back from the SVG: its
// slope in data units is f′(0.5) = 3·0.5² = 0.75 and it passes through
// (0.5, 0.125).
func TestTangentSVG(t *testing.T) {
	f := Function{F: func(x float64) float64 { return x * x * x }, X0: -1, X1: 1.5, Tangent: &Tangent{At: 0.5, Slope: 0.75}}
	lx, ly := f.TangentLine()
	if s := (ly[1] - ly[0]) / (lx[1] - lx[0]); math.Abs(s-0.75) > 1e-15 {
		t.Errorf("tangent line slope %g, want 0.75", s)
	}
	fig, err := f.build()
	if err != nil {
		t.Fatal(err)
	}
	p := fig.p
	svg, dc := renderSVG(t, Size{800, 500}, fig.draw)
	box := Box{p.X.Min, p.X.Max, p.Y.Min, p.Y.Max}
	var line []svgPath
	for _, sp := range parsePaths(t, svg) {
		if sp.stroke && sp.color == hex(tangentColor) && len(sp.pts) == 2 {
			line = append(line, sp)
		}
	}
	if len(line) == 0 {
		t.Fatal("no tangent line in the SVG")
	}
	x0, y0 := toData(line[0].pts[0], dc, box)
	x1, y1 := toData(line[0].pts[1], dc, box)
	if s := (y1 - y0) / (x1 - x0); math.Abs(s-0.75) > 1e-3 {
		t.Errorf("drawn tangent slope %g, want f′(0.5) = 0.75", s)
	}
	if y := y0 + 0.75*(0.5-x0); math.Abs(y-0.125) > 1e-3 {
		t.Errorf("drawn tangent passes x = 0.5 at y = %g, want f(0.5) = 0.125", y)
	}
}

func TestPNGSize(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		save func(path string) error
		w, h int
	}{
		{"contour.png", func(p string) error {
			return Contour{F: quad, Grad: quadGrad, Box: Box{-2, 2, -2, 2}, Arrows: 10, Size: Size{640, 480}}.Save(p)
		}, 640, 480},
		{"loss.png", func(p string) error {
			return LossCurves(p, Chart{}, Series{Name: "train", Y: []float64{3, 2, 1.5}})
		}, 800, 500},
		{"tangent.png", func(p string) error {
			return Function{F: math.Sin, X0: -3, X1: 3, Tangent: &Tangent{At: 0, Slope: 1}, Size: Size{321, 123}}.Save(p)
		}, 321, 123},
	} {
		path := filepath.Join(dir, c.name)
		if err := c.save(path); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s is not a valid PNG: %v", c.name, err)
		}
		if b := img.Bounds(); b.Dx() != c.w || b.Dy() != c.h {
			t.Errorf("%s is %d×%d, want %d×%d", c.name, b.Dx(), b.Dy(), c.w, c.h)
		}
	}
	if err := Lines(filepath.Join(dir, "lines.svg"), Chart{Y: ScaleLog}, Series{Name: "gradient norm", Y: []float64{1e-3, 1e-1, math.NaN(), 10}}); err != nil {
		t.Error(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "lines.svg"))
	if err != nil || !strings.HasPrefix(string(data), "<?xml") {
		t.Errorf("lines.svg is not an SVG: %v", err)
	}
	// The filled bands are an embedded PNG, labelled as one.
	if err := (Contour{F: quad, Box: Box{-1, 1, -1, 1}, Grid: 20}).Save(filepath.Join(dir, "c.svg")); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(filepath.Join(dir, "c.svg"))
	if !strings.Contains(string(data), `xlink:href="data:image/png;base64,iVBOR`) || strings.Contains(string(data), "image/jpg") {
		t.Error("the SVG's embedded image is not labelled image/png")
	}
}

// TestBadInput: each error is clear and leaves no file, not even a
// temporary one.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.png")
	good := Contour{F: quad, Box: Box{-1, 1, -1, 1}}
	for _, c := range []struct {
		name, want string
		err        error
	}{
		{"reversed box", "lower bound must be below", Contour{F: quad, Box: Box{2, -2, -1, 1}}.Save(out)},
		{"empty y range", "y range 1:1", Contour{F: quad, Box: Box{-1, 1, 1, 1}}.Save(out)},
		{"infinite box", "finite", Contour{F: quad, Box: Box{math.Inf(-1), 1, -1, 1}}.Save(out)},
		{"grid too large", "grid of 5000×5000", Contour{F: quad, Box: good.Box, Grid: 5000}.Save(out)},
		{"constant", "constant", Contour{F: func(x, y float64) float64 { return 4 }, Box: good.Box}.Save(out)},
		{"unknown extension", `unknown extension ".jpg"`, good.Save(filepath.Join(dir, "out.jpg"))},
		{"no extension", "no extension", good.Save(filepath.Join(dir, "out"))},
		{"size", "size 50×600", Contour{F: quad, Box: good.Box, Size: Size{50, 600}}.Save(out)},
		{"missing directory", "no such file", good.Save(filepath.Join(dir, "nope", "out.svg"))},
		{"log of negative", `series "a" has -1 at index 1`, LossCurves(out, Chart{Y: ScaleLog}, Series{Name: "a", Y: []float64{1, -1}})},
		{"no values", "no finite values", LossCurves(out, Chart{}, Series{Y: []float64{math.NaN()}})},
		{"tangent outside", "outside the x range", Function{F: math.Exp, X0: 0, X1: 1, Tangent: &Tangent{At: 2}}.Save(out)},
		{"reversed range", "x range 1:0", Function{F: math.Exp, X0: 1, X1: 0}.Save(out)},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
}

func TestMisusePanics(t *testing.T) {
	for name, f := range map[string]func(){
		"nil F":           func() { _ = Contour{Box: Box{0, 1, 0, 1}}.Save("x.svg") },
		"arrows, no grad": func() { _ = Contour{F: quad, Box: Box{0, 1, 0, 1}, Arrows: 3}.Save("x.svg") },
		"path lengths":    func() { _ = Contour{F: quad, Box: Box{0, 1, 0, 1}, Paths: []Path{{X: []float64{1}}}}.Save("x.svg") },
		"series lengths":  func() { _ = Lines("x.svg", Chart{}, Series{X: []float64{1}, Y: []float64{1, 2}}) },
		"negative n":      func() { Levels(nil, -1, SpacingAuto) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "plot: ") {
					t.Errorf("%s: recovered %v, want a plot: panic", name, r)
				}
			}()
			f()
		}()
	}
}

func TestAtomicReplace(t *testing.T) {
	// A failed save keeps the old file whole.
	path := filepath.Join(t.TempDir(), "keep.svg")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := (Contour{F: quad, Box: Box{1, 0, 0, 1}}).Save(path); err == nil {
		t.Fatal("no error for a reversed box")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("the old file became %q", b)
	}
	if err := (Contour{F: quad, Box: Box{0, 1, 0, 1}}).Save(path); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "<svg") {
		t.Error("the file was not replaced by the plot")
	}
}

// Where f is undefined (NaN) there are no arrows, even if the gradient
// formula gives numbers there: log x has ∇ = (1/x, 2y) also for x < 0.
func TestNoArrowsWhereUndefined(t *testing.T) {
	c := Contour{F: func(x, y float64) float64 { return math.Log(x) + y*y },
		Grad: func(x, y float64) (float64, float64) { return 1 / x, 2 * y }, Box: Box{-1, 1, -1, 1}, Arrows: 10}
	d, err := c.compute()
	if err != nil {
		t.Fatal(err)
	}
	if len(d.arrows) != 50 {
		t.Errorf("%d arrows, want the 5·10 over x > 0", len(d.arrows))
	}
	for _, a := range d.arrows {
		if a.X <= 0 {
			t.Errorf("arrow at (%g, %g), where log x is undefined", a.X, a.Y)
		}
	}
}

func TestPathOf(t *testing.T) {
	p := PathOf("gd", [][]float64{{1, 2}, {3, 4}})
	if p.Name != "gd" || !slices.Equal(p.X, []float64{1, 3}) || !slices.Equal(p.Y, []float64{2, 4}) {
		t.Errorf("PathOf = %+v", p)
	}
}

func TestParseSpacing(t *testing.T) {
	for _, s := range []Spacing{SpacingAuto, SpacingLinear, SpacingLog, SpacingQuantile} {
		if got, err := ParseSpacing(s.String()); err != nil || got != s {
			t.Errorf("ParseSpacing(%q) = %v, %v", s.String(), got, err)
		}
	}
	if _, err := ParseSpacing("cubic"); err == nil {
		t.Error("ParseSpacing(cubic): no error")
	}
}

// The filled bands: a value's band is the number of levels at or below it.
func TestBands(t *testing.T) {
	g := &grid{x: []float64{0, 1, 2, 3}, y: []float64{0}, z: []float64{-1, 1, 2.5, math.NaN()}}
	b := bands{g, []float64{1, 2}}
	for c, want := range []float64{0, 1, 2} {
		if got := b.Z(c, 0); got != want {
			t.Errorf("band of %g = %g, want %g", g.z[c], got, want)
		}
	}
	if !math.IsNaN(b.Z(3, 0)) {
		t.Error("the band of NaN is not NaN")
	}
}

// ScaleAuto is logarithmic exactly when all values are positive and span
// more than a factor 100.
func TestChartScale(t *testing.T) {
	for _, c := range []struct {
		y   []float64
		log bool
	}{
		{[]float64{1e-4, 1e-2, 1}, true},
		{[]float64{1, 50, 99}, false},
		{[]float64{-1, 1e3}, false},
		{[]float64{0.5, math.NaN(), 100}, true},
	} {
		fig, err := Chart{}.figure([]Series{{Name: "s", Y: c.y}})
		if err != nil {
			t.Fatal(err)
		}
		_, isLog := fig.p.Y.Scale.(plot.LogScale)
		if isLog != c.log {
			t.Errorf("%v: log scale %v, want %v", c.y, isLog, c.log)
		}
	}
	// The presets' titles.
	dir := t.TempDir()
	for name, save := range map[string]func(string) error{
		"Learning rate":           func(p string) error { return ScheduleCurves(p, Chart{}, Series{Y: []float64{0.1, 0.05}}) },
		"Gradient norms by layer": func(p string) error { return GradNormCurves(p, Chart{}, Series{Name: "layer 1", Y: []float64{1, 2}}) },
		"Loss":                    func(p string) error { return LossCurves(p, Chart{}, Series{Y: []float64{1, 2}}) },
	} {
		path := filepath.Join(dir, "c.svg")
		if err := save(path); err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		if !strings.Contains(string(data), ">"+name+"<") {
			t.Errorf("no title %q in the chart", name)
		}
	}
}
