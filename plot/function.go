package plot

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

// Function is a plot of y = f(x) over [X0, X1], optionally with its tangent
// line at a point. Only F, X0 and X1 are required.
type Function struct {
	// F is the function drawn; where it is not finite the curve breaks.
	F func(x float64) float64
	// X0 and X1 bound the x axis.
	X0, X1 float64
	// Tangent, if not nil, adds the tangent line at Tangent.At.
	Tangent *Tangent
	// Name labels the curve in the legend. Default "f(x)".
	Name string
	// Title is written above the plot. Default none.
	Title string
	// XLabel names the x axis. Default "x".
	XLabel string
	// Samples is the number of points at which F is evaluated. Default
	// 400; at least 2 and at most MaxGrid·MaxGrid.
	Samples int
	// Size is the picture's size. Default 800×500 pixels.
	Size Size
}

// Tangent is the tangent line of f at x = At, whose slope is the
// derivative f′(At): y = f(At) + Slope·(x − At).
type Tangent struct {
	At, Slope float64
	// Label names the line in the legend. Default "tangent at x = At,
	// slope Slope".
	Label string
}

// TangentLine returns the end points (x₀, y₀), (x₁, y₁) of the tangent line
// over [X0, X1]: yᵢ = f(a) + f′(a)·(xᵢ − a). The line drawn is this one,
// clipped to the plot's y range. It panics if Tangent is nil.
func (f Function) TangentLine() (x, y [2]float64) {
	if f.Tangent == nil {
		panic("plot: Function.TangentLine without a Tangent")
	}
	a, fa := f.Tangent.At, f.F(f.Tangent.At)
	x = [2]float64{f.X0, f.X1}
	for i := range x {
		y[i] = fa + f.Tangent.Slope*(x[i]-a)
	}
	return x, y
}

// Save draws the plot and writes it to path (.svg or .png).
func (f Function) Save(path string) error {
	if _, err := format(path); err != nil {
		return err
	}
	fig, err := f.build()
	if err != nil {
		return err
	}
	return render(path, f.Size.or(Size{800, 500}), func(dc draw.Canvas) error {
		fig.draw(dc)
		return nil
	})
}

// build samples f and makes the plot and its legend.
func (f Function) build() (*figure, error) {
	var legend plot.Legend
	if f.F == nil {
		panic("plot: Function.F is nil")
	}
	if !finite(f.X0) || !finite(f.X1) || !(f.X0 < f.X1) {
		return nil, fmt.Errorf("plot: x range %g:%g: the bounds must be finite with the lower below the upper", f.X0, f.X1)
	}
	n := f.Samples
	if n == 0 {
		n = 400
	}
	if n < 2 || n > MaxGrid*MaxGrid {
		return nil, fmt.Errorf("plot: %d samples: choose between 2 and %d", n, MaxGrid*MaxGrid)
	}
	x := make([]float64, n)
	y := make([]float64, n)
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range x {
		x[i] = f.X0 + (f.X1-f.X0)*float64(i)/float64(n-1)
		y[i] = f.F(x[i])
		if finite(y[i]) {
			lo, hi = min(lo, y[i]), max(hi, y[i])
		}
	}
	if lo > hi {
		return nil, errors.New("plot: f has no finite value over the x range")
	}
	xl, name := f.XLabel, f.Name
	if xl == "" {
		xl = "x"
	}
	if name == "" {
		name = "f(x)"
	}
	p := newPlot(f.Title, xl, "y")
	legend = newLegend()
	p.Add(plotter.NewGrid())
	for _, seg := range segments(x, y) {
		l, _ := plotter.NewLine(seg)
		l.LineStyle = draw.LineStyle{Color: curveColor, Width: 2}
		p.Add(l)
	}
	if t := f.Tangent; t != nil {
		if !(t.At >= f.X0 && t.At <= f.X1) {
			return nil, fmt.Errorf("plot: the tangent point x = %g lies outside the x range %g:%g", t.At, f.X0, f.X1)
		}
		fa := f.F(t.At)
		if !finite(fa) || !finite(t.Slope) {
			return nil, fmt.Errorf("plot: f(%g) = %g and f′(%g) = %g: the tangent needs finite values", t.At, fa, t.At, t.Slope)
		}
		lx, ly := f.TangentLine()
		line, _ := plotter.NewLine(plotter.XYs{{X: lx[0], Y: ly[0]}, {X: lx[1], Y: ly[1]}})
		line.LineStyle = draw.LineStyle{Color: tangentColor, Width: 1.6}
		dot, _ := plotter.NewScatter(plotter.XYs{{X: t.At, Y: fa}})
		dot.GlyphStyle = draw.GlyphStyle{Color: color.Black, Shape: draw.CircleGlyph{}, Radius: 3.5}
		p.Add(line, dot)
		label := t.Label
		if label == "" {
			label = fmt.Sprintf("tangent at x = %g, slope %.4g", t.At, t.Slope)
		}
		legend.Add(name, curveThumb{})
		legend.Add(label, line)
	} else {
		legend.Add(name, curveThumb{})
	}
	span := hi - lo
	if span == 0 {
		span = math.Max(1, math.Abs(hi)*0.2)
	}
	p.X.Min, p.X.Max = f.X0, f.X1
	p.Y.Min, p.Y.Max = lo-0.05*span, hi+0.15*span // room for the legend above the curve
	all := xys(x, y)
	if f.Tangent != nil {
		lx, ly := f.TangentLine()
		for i := range 50 {
			t := float64(i) / 49
			all = append(all, plotter.XY{X: lx[0] + t*(lx[1]-lx[0]), Y: ly[0] + t*(ly[1]-ly[0])})
		}
	}
	return &figure{p, legend, all}, nil
}

// curveThumb is the legend thumbnail of the curve.
type curveThumb struct{}

func (curveThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(draw.LineStyle{Color: curveColor, Width: 2}, c.Min.X, y, c.Max.X, y)
}
