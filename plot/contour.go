package plot

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"
)

// Box is the rectangle [X0, X1] × [Y0, Y1] of the plane.
type Box struct {
	X0, X1, Y0, Y1 float64
}

// Check returns an error unless the box's bounds are finite with X0 < X1
// and Y0 < Y1.
func (b Box) Check() error {
	for _, v := range []float64{b.X0, b.X1, b.Y0, b.Y1} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("plot: box [%g, %g] × [%g, %g]: the bounds must be finite", b.X0, b.X1, b.Y0, b.Y1)
		}
	}
	if !(b.X0 < b.X1) {
		return fmt.Errorf("plot: box x range %g:%g: the lower bound must be below the upper one, e.g. %g:%g", b.X0, b.X1, min(b.X0, b.X1), max(b.X0, b.X1))
	}
	if !(b.Y0 < b.Y1) {
		return fmt.Errorf("plot: box y range %g:%g: the lower bound must be below the upper one, e.g. %g:%g", b.Y0, b.Y1, min(b.Y0, b.Y1), max(b.Y0, b.Y1))
	}
	return nil
}

// Point is a point of the plane.
type Point struct {
	X, Y float64
}

// Path is a named polyline, such as an optimiser's iterates: the points
// (X[i], Y[i]). X and Y have the same length.
type Path struct {
	Name string
	X, Y []float64
}

// PathOf makes a path from points given as slices, such as an
// optim.Result's Path, taking the first two coordinates of each. It panics
// if a point has fewer than two.
func PathOf(name string, points [][]float64) Path {
	p := Path{Name: name, X: make([]float64, len(points)), Y: make([]float64, len(points))}
	for i, x := range points {
		if len(x) < 2 {
			panic(fmt.Sprintf("plot: PathOf(%q): point %d has %d coordinates, want at least 2", name, i, len(x)))
		}
		p.X[i], p.Y[i] = x[0], x[1]
	}
	return p
}

// Arrow is one arrow of a gradient field: the unit vector (DX, DY) at the
// point (X, Y). It is drawn centred on the point.
type Arrow struct {
	X, Y, DX, DY float64
}

// GradientArrows returns the arrows of the field ∇f/‖∇f‖ (or −∇f/‖∇f‖
// when descent is true) at the centres of a grid of square cells over b,
// with n cells along the box's longer side (so the arrows are evenly
// spaced in both directions). The arrows point uphill (downhill with
// descent) and are perpendicular to the level sets of f. Points where the
// gradient is zero or not finite get no arrow. It returns the arrows and the
// spacing h of the grid; it panics if grad is nil or n < 1, and b must pass
// Check.
func GradientArrows(grad func(x, y float64) (float64, float64), b Box, n int, descent bool) (arrows []Arrow, h float64) {
	if grad == nil || n < 1 {
		panic(fmt.Sprintf("plot: GradientArrows needs a gradient function and n ≥ 1 (n = %d)", n))
	}
	h = max(b.X1-b.X0, b.Y1-b.Y0) / float64(n)
	nx := max(1, int(math.Round((b.X1-b.X0)/h)))
	ny := max(1, int(math.Round((b.Y1-b.Y0)/h)))
	hx, hy := (b.X1-b.X0)/float64(nx), (b.Y1-b.Y0)/float64(ny)
	sign := 1.0
	if descent {
		sign = -1
	}
	for j := range ny {
		for i := range nx {
			x, y := b.X0+(float64(i)+0.5)*hx, b.Y0+(float64(j)+0.5)*hy
			gx, gy := grad(x, y)
			r := math.Hypot(gx, gy)
			if r == 0 || math.IsNaN(r) || math.IsInf(r, 0) {
				continue
			}
			arrows = append(arrows, Arrow{X: x, Y: y, DX: sign * gx / r, DY: sign * gy / r})
		}
	}
	return arrows, min(hx, hy)
}

// MaxGrid is the largest Contour.Grid accepted.
const MaxGrid = 2000

// Contour is a contour plot of f(x, y) over a box, optionally with the
// gradient field, descent paths and the minimum. Only F and Box are
// required; every other field's zero value gives the default it documents.
type Contour struct {
	// F is the function drawn. Points where it is NaN are left blank.
	F func(x, y float64) float64
	// Grad is ∇f = (∂f/∂x, ∂f/∂y); it is needed only for Arrows.
	Grad func(x, y float64) (dfdx, dfdy float64)
	// Box is the region drawn. The axes have equal scales, so arrows
	// perpendicular to the level lines look perpendicular.
	Box Box
	// Grid is the number of samples of f along each side of the box
	// (taken at the centres of Grid × Grid cells). Default 200; at most
	// MaxGrid.
	Grid int
	// Levels are the contour levels. Default: NumLevels levels chosen by
	// Spacing from the sampled values (see Levels).
	Levels []float64
	// NumLevels is the number of levels to choose when Levels is nil.
	// Default 10.
	NumLevels int
	// Spacing says how levels are chosen. Default SpacingAuto.
	Spacing Spacing
	// Lines draws each level as a coloured line on white instead of filling
	// the bands between levels. Default false: filled bands with thin
	// dark lines.
	Lines bool
	// Arrows is the number of gradient arrows along the box's longer side
	// (see GradientArrows); points where F is NaN get none. Default 0: no
	// arrows.
	Arrows int
	// Descent draws the arrows along −∇f, the direction gradient descent
	// moves. Default false: along ∇f, uphill.
	Descent bool
	// Minimum, if not nil, is marked with a cross.
	Minimum *Point
	// Paths are drawn over the contours, each with its own colour, a
	// legend entry, a ring at its start and a dot at its end.
	Paths []Path
	// Title is written above the plot. Default none.
	Title string
	// XLabel and YLabel name the axes. Default "x" and "y".
	XLabel, YLabel string
	// Size is the picture's size. Default: 800×600 pixels less the blank
	// bands that equal axis scales would leave (at least 300×300).
	Size Size
}

// contourData is what Contour computes before drawing.
type contourData struct {
	grid   *grid
	levels []float64
	arrows []Arrow
	h      float64 // the arrows' spacing
}

// compute samples f and chooses the levels and arrows.
func (c Contour) compute() (*contourData, error) {
	if c.F == nil {
		panic("plot: Contour.F is nil")
	}
	if c.Arrows > 0 && c.Grad == nil {
		panic("plot: Contour.Arrows needs Contour.Grad")
	}
	if c.Grid < 0 || c.NumLevels < 0 || c.Arrows < 0 {
		panic(fmt.Sprintf("plot: Contour.Grid (%d), NumLevels (%d) and Arrows (%d) must not be negative", c.Grid, c.NumLevels, c.Arrows))
	}
	if err := c.Box.Check(); err != nil {
		return nil, err
	}
	n := c.Grid
	if n == 0 {
		n = 200
	}
	if n < 2 || n > MaxGrid {
		return nil, fmt.Errorf("plot: grid of %d×%d samples: choose between 2 and %d per side", n, n, MaxGrid)
	}
	if c.Arrows > 200 {
		return nil, fmt.Errorf("plot: %d arrows per side are too many to see: choose at most 200", c.Arrows)
	}
	for i, p := range c.Paths {
		if len(p.X) != len(p.Y) {
			panic(fmt.Sprintf("plot: Contour.Paths[%d] (%q) has %d x and %d y values", i, p.Name, len(p.X), len(p.Y)))
		}
	}
	d := &contourData{grid: sample(c.F, c.Box, n)}
	d.levels = c.Levels
	if d.levels == nil {
		d.levels = Levels(d.grid.z, c.NumLevels, c.Spacing)
		if d.levels == nil {
			return nil, errors.New("plot: f is constant (or undefined) over the box: there are no contours to draw")
		}
	} else {
		d.levels = slices.Clone(d.levels)
		slices.Sort(d.levels)
		d.levels = slices.Compact(d.levels)
	}
	if c.Arrows > 0 {
		var all []Arrow
		all, d.h = GradientArrows(c.Grad, c.Box, c.Arrows, c.Descent)
		for _, a := range all {
			if !math.IsNaN(c.F(a.X, a.Y)) { // no arrows where f is undefined
				d.arrows = append(d.arrows, a)
			}
		}
	}
	return d, nil
}

// Save draws the plot and writes it to path, in the format of its extension
// (.svg or .png).
func (c Contour) Save(path string) error {
	if _, err := format(path); err != nil {
		return err
	}
	d, err := c.compute()
	if err != nil {
		return err
	}
	size := c.Size.or(Size{800, 600})
	if c.Size == (Size{}) {
		// Drop the blank bands that equal axis scales leave in the default
		// size: lay the plot out once without drawing and take the slack off.
		var rec recorder.Canvas
		_, cut := c.draw(draw.NewCanvas(&rec, points(size.Width), points(size.Height)), d)
		size.Width = max(300, size.Width-int(float64(cut.X)*dpi/vg.Inch.Points()))
		size.Height = max(300, size.Height-int(float64(cut.Y)*dpi/vg.Inch.Points()))
	}
	return render(path, size, func(dc draw.Canvas) error {
		c.draw(dc, d)
		return nil
	})
}

// barWidth is the room kept at the right for the colour bar and its labels.
const barWidth = vg.Length(72)

// draw draws the plot on canvas and returns the data canvas and the width
// and height cut from the canvas to give the axes equal scales.
func (c Contour) draw(canvas draw.Canvas, d *contourData) (draw.Canvas, vg.Point) {
	xl, yl := c.XLabel, c.YLabel
	if xl == "" {
		xl = "x"
	}
	if yl == "" {
		yl = "y"
	}
	p := newPlot(c.Title, xl, yl)
	nl := len(d.levels)
	band := func(k int) color.Color { return viridis(float64(k)/float64(max(nl, 1)), 0.25) }
	if !c.Lines {
		pal := make([]color.Color, nl+1)
		for k := range pal {
			pal[k] = band(k)
		}
		h := &plotter.HeatMap{GridXYZ: bands{d.grid, d.levels}, Palette: fixedPalette(pal), Min: 0, Max: float64(nl),
			NaN: color.White, Rasterized: true}
		p.Add(plain{h})
	}
	for k, l := range d.levels {
		ct := plotter.NewContour(d.grid, []float64{l}, nil)
		sty := draw.LineStyle{Color: isoColor, Width: 0.6}
		if c.Lines {
			sty = draw.LineStyle{Color: viridis((float64(k)+0.5)/float64(nl), 0), Width: 1.2}
		}
		ct.LineStyles = []draw.LineStyle{sty}
		p.Add(plain{ct})
	}
	if len(d.arrows) > 0 {
		p.Add(&arrowPlotter{arrows: d.arrows, length: 0.75 * d.h})
	}
	legend := newLegend()
	for i, path := range c.Paths {
		if len(path.X) == 0 {
			continue
		}
		col := lineColor(i)
		line, _ := plotter.NewLine(xys(path.X, path.Y))
		line.LineStyle = draw.LineStyle{Color: col, Width: 1.8}
		dots, _ := plotter.NewScatter(xys(path.X, path.Y))
		dots.GlyphStyle = draw.GlyphStyle{Color: col, Shape: draw.CircleGlyph{}, Radius: 1.4}
		s0, s1 := marker(path.X[0], path.Y[0], color.White, draw.CircleGlyph{}, 4)
		e0, e1 := marker(path.X[len(path.X)-1], path.Y[len(path.Y)-1], col, draw.CircleGlyph{}, 4)
		p.Add(line, dots, s0, s1, e0, e1)
		legend.Add(path.Name, line)
	}
	if len(c.Paths) > 0 {
		s0, s1 := marker(0, 0, color.White, draw.CircleGlyph{}, 4)
		legend.Add("start", s0, s1)
		e0, e1 := marker(0, 0, color.NRGBA{0x88, 0x88, 0x88, 0xff}, draw.CircleGlyph{}, 4)
		legend.Add("end", e0, e1)
	}
	if m := c.Minimum; m != nil {
		under, _ := plotter.NewScatter(plotter.XYs{{X: m.X, Y: m.Y}})
		under.GlyphStyle = draw.GlyphStyle{Color: color.White, Shape: thickCross{4}, Radius: 6}
		over, _ := plotter.NewScatter(plotter.XYs{{X: m.X, Y: m.Y}})
		over.GlyphStyle = draw.GlyphStyle{Color: color.Black, Shape: thickCross{2}, Radius: 5}
		p.Add(under, over)
		legend.Add("minimum", under, over)
	}
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = c.Box.X0, c.Box.X1, c.Box.Y0, c.Box.Y1

	full := draw.Crop(canvas, margin, -barWidth, margin, -margin)
	region := equalAspect(p, full, (c.Box.X1-c.Box.X0)/(c.Box.Y1-c.Box.Y0))
	cut := full.Size().Sub(region.Size())
	p.Draw(region)
	dc := p.DataCanvas(region)
	dc.SetLineStyle(draw.LineStyle{Color: color.Black, Width: 0.6})
	dc.Stroke(dc.Rectangle.Path())
	var avoid plotter.XYs
	for _, path := range c.Paths {
		pts := xys(path.X, path.Y)
		for i := 1; i < len(pts); i++ { // the segments too, not just the iterates
			for k := range 8 {
				t := float64(k) / 8
				avoid = append(avoid, plotter.XY{X: pts[i-1].X + t*(pts[i].X-pts[i-1].X), Y: pts[i-1].Y + t*(pts[i].Y-pts[i-1].Y)})
			}
		}
		avoid = append(avoid, pts...)
	}
	if c.Minimum != nil {
		avoid = append(avoid, plotter.XY{X: c.Minimum.X, Y: c.Minimum.Y})
	}
	drawLegend(legend, dc, p, avoid)
	colorBar(canvas, dc, d.levels, band, c.Lines)
	return dc, cut
}

// equalAspect shrinks the region r, keeping it centred, until the data
// area p draws in has the aspect ratio (width/height) aspect, so one unit
// of x is as long as one unit of y.
func equalAspect(p *plot.Plot, r draw.Canvas, aspect float64) draw.Canvas {
	// The axes' widths do not depend on r, but the padding for glyphs near
	// the edges does, a little: repeat until the aspect is exact.
	for range 20 {
		dc := p.DataCanvas(r)
		w, h := dc.Max.X-dc.Min.X, dc.Max.Y-dc.Min.Y
		if w <= 0 || h <= 0 {
			return r
		}
		got := float64(w / h)
		if math.Abs(got-aspect) <= 1e-12*aspect {
			break
		}
		if got > aspect {
			cut := w - h*vg.Length(aspect)
			r = draw.Crop(r, cut/2, -cut/2, 0, 0)
		} else {
			cut := h - w/vg.Length(aspect)
			r = draw.Crop(r, 0, 0, cut/2, -cut/2)
		}
	}
	return r
}

// colorBar draws the bands (or, for line contours, the line colours) as a
// vertical bar right of the data canvas dc, one equal box per band,
// labelled with the levels between them.
func colorBar(canvas, dc draw.Canvas, levels []float64, band func(int) color.Color, lines bool) {
	n := len(levels)
	x0 := dc.Max.X + 12
	x1 := x0 + 14
	y0, y1 := dc.Min.Y, dc.Max.Y
	step := (y1 - y0) / vg.Length(n+1)
	for k := 0; k <= n; k++ {
		r := vg.Rectangle{Min: vg.Point{X: x0, Y: y0 + vg.Length(k)*step}, Max: vg.Point{X: x1, Y: y0 + vg.Length(k+1)*step}}
		col := band(k)
		if lines {
			col = color.White
		}
		canvas.SetColor(col)
		canvas.Fill(r.Path())
	}
	var sty draw.TextStyle
	sty.Color = color.Black
	sty.Font = plot.DefaultFont
	sty.Font.Size = 9
	sty.Handler = plot.DefaultTextHandler
	sty.YAlign = draw.YCenter
	for k, l := range levels {
		y := y0 + vg.Length(k+1)*step
		ls := draw.LineStyle{Color: color.Black, Width: 0.5}
		if lines {
			ls = draw.LineStyle{Color: viridis((float64(k)+0.5)/float64(n), 0), Width: 2}
		}
		canvas.StrokeLine2(ls, x0, y, x1+3, y)
		canvas.FillText(sty, vg.Point{X: x1 + 5, Y: y}, fmt.Sprintf("%.3g", l))
	}
	canvas.SetLineStyle(draw.LineStyle{Color: color.Black, Width: 0.6})
	canvas.Stroke(vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}.Path())
}

// grid holds f sampled at the centres of the cells of a box: z[j·nx + i] =
// f(x[i], y[j]). It is a plotter.GridXYZ.
type grid struct {
	x, y, z []float64
}

func sample(f func(x, y float64) float64, b Box, n int) *grid {
	g := &grid{x: make([]float64, n), y: make([]float64, n), z: make([]float64, n*n)}
	for i := range n {
		g.x[i] = b.X0 + (float64(i)+0.5)*(b.X1-b.X0)/float64(n)
		g.y[i] = b.Y0 + (float64(i)+0.5)*(b.Y1-b.Y0)/float64(n)
	}
	for j, y := range g.y {
		for i, x := range g.x {
			v := f(x, y)
			if math.IsInf(v, 0) {
				v = math.NaN()
			}
			g.z[j*n+i] = v
		}
	}
	return g
}

func (g *grid) Dims() (c, r int)   { return len(g.x), len(g.y) }
func (g *grid) Z(c, r int) float64 { return g.z[r*len(g.x)+c] }
func (g *grid) X(c int) float64    { return g.x[c] }
func (g *grid) Y(r int) float64    { return g.y[r] }

// bands is a grid whose values are replaced by their band: the number of
// levels at or below them.
type bands struct {
	*grid
	levels []float64
}

func (b bands) Z(c, r int) float64 {
	v := b.grid.Z(c, r)
	if math.IsNaN(v) {
		return v
	}
	return float64(sort.Search(len(b.levels), func(k int) bool { return b.levels[k] > v }))
}

// plain hides a plotter's GlyphBoxes and DataRange: the contour and heat
// map plotters give a glyph box per grid point, which the layout would walk
// each time it measures, and the axes' ranges are the box anyway.
type plain struct{ plot.Plotter }

// fixedPalette is a palette.Palette of given colours.
type fixedPalette []color.Color

func (p fixedPalette) Colors() []color.Color { return p }

var _ palette.Palette = fixedPalette(nil)

// arrowPlotter draws arrows of a fixed length in data units, centred on
// their points, each a shaft and a filled head. Unlike plotter.Field it does not scale arrows by the
// gradient's size, which would make them vanish near minima.
type arrowPlotter struct {
	arrows []Arrow
	length float64
}

func (a *arrowPlotter) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	c.SetLineStyle(draw.LineStyle{Color: arrowColor, Width: 0.9})
	for _, ar := range a.arrows {
		half := a.length / 2
		p0 := vg.Point{X: trX(ar.X - half*ar.DX), Y: trY(ar.Y - half*ar.DY)}
		p1 := vg.Point{X: trX(ar.X + half*ar.DX), Y: trY(ar.Y + half*ar.DY)}
		d := p1.Sub(p0)
		l := vg.Length(math.Hypot(float64(d.X), float64(d.Y)))
		if l == 0 {
			continue
		}
		u := d.Scale(1 / l)            // unit direction on the page
		n := vg.Point{X: -u.Y, Y: u.X} // its normal
		head := min(0.35*l, 6)
		base := p1.Sub(u.Scale(head))
		var shaft vg.Path
		shaft.Move(p0)
		shaft.Line(base)
		c.Stroke(shaft)
		var tip vg.Path
		tip.Move(p1)
		tip.Line(base.Add(n.Scale(head * 0.4)))
		tip.Line(base.Sub(n.Scale(head * 0.4)))
		tip.Close()
		c.SetColor(arrowColor)
		c.Fill(tip)
	}
}

// thickCross is an × glyph drawn with a given line width.
type thickCross struct{ width vg.Length }

func (t thickCross) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	ls := draw.LineStyle{Color: sty.Color, Width: t.width}
	r := sty.Radius
	c.StrokeLine2(ls, pt.X-r, pt.Y-r, pt.X+r, pt.Y+r)
	c.StrokeLine2(ls, pt.X-r, pt.Y+r, pt.X+r, pt.Y-r)
}

// marker returns two scatters drawing a glyph filled with fill inside a
// black ring at (x, y).
func marker(x, y float64, fill color.Color, shape draw.GlyphDrawer, r vg.Length) (*plotter.Scatter, *plotter.Scatter) {
	in, _ := plotter.NewScatter(plotter.XYs{{X: x, Y: y}})
	in.GlyphStyle = draw.GlyphStyle{Color: fill, Shape: shape, Radius: r}
	ring, _ := plotter.NewScatter(plotter.XYs{{X: x, Y: y}})
	ring.GlyphStyle = draw.GlyphStyle{Color: color.Black, Shape: draw.RingGlyph{}, Radius: r}
	return in, ring
}

// xys pairs x and y.
func xys(x, y []float64) plotter.XYs {
	pts := make(plotter.XYs, len(x))
	for i := range x {
		pts[i] = plotter.XY{X: x[i], Y: y[i]}
	}
	return pts
}
