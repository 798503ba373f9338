package plot

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// viridisAnchors are matplotlib's viridis colour map at 0, 1/8, …, 1: dark
// blue for low values, yellow for high ones, evenly bright steps, readable
// in grey and by colour-blind readers.
var viridisAnchors = [...]color.NRGBA{
	{0x44, 0x01, 0x54, 0xff}, {0x47, 0x2d, 0x7b, 0xff}, {0x3b, 0x52, 0x8b, 0xff},
	{0x2c, 0x72, 0x8e, 0xff}, {0x21, 0x91, 0x8c, 0xff}, {0x28, 0xae, 0x80, 0xff},
	{0x5e, 0xc9, 0x62, 0xff}, {0xad, 0xdc, 0x30, 0xff}, {0xfd, 0xe7, 0x25, 0xff},
}

// viridis returns the colour at t ∈ [0, 1], interpolated linearly between
// the anchors and mixed with white by the fraction wash (0: pure colour).
func viridis(t, wash float64) color.NRGBA {
	t = math.Min(math.Max(t, 0), 1) * float64(len(viridisAnchors)-1)
	i := min(int(t), len(viridisAnchors)-2)
	f := t - float64(i)
	a, b := viridisAnchors[i], viridisAnchors[i+1]
	mix := func(p, q uint8) uint8 {
		v := (1-f)*float64(p) + f*float64(q)
		return uint8(math.Round((1-wash)*v + wash*255))
	}
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// lineColors are the colours of paths and series, in order (Okabe and Ito's
// palette for colour-blind readers, without its yellow).
var lineColors = []color.NRGBA{
	{0xd5, 0x5e, 0x00, 0xff}, // vermilion
	{0x00, 0x72, 0xb2, 0xff}, // blue
	{0xcc, 0x79, 0xa7, 0xff}, // reddish purple
	{0x00, 0x9e, 0x73, 0xff}, // bluish green
	{0xe6, 0x9f, 0x00, 0xff}, // orange
	{0x56, 0xb4, 0xe9, 0xff}, // sky blue
	{0x00, 0x00, 0x00, 0xff}, // black
}

func lineColor(i int) color.NRGBA { return lineColors[i%len(lineColors)] }

// Fixed colours, which the tests also use to find things in an SVG.
var (
	arrowColor   = color.NRGBA{0x1a, 0x1a, 0x1a, 0xff}
	tangentColor = color.NRGBA{0xd5, 0x5e, 0x00, 0xff}
	curveColor   = color.NRGBA{0x00, 0x72, 0xb2, 0xff}
	isoColor     = color.NRGBA{0x00, 0x00, 0x00, 0x66} // contour lines over filled bands
)

// newPlot returns a plot with the house fonts and the given labels.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = 13
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.X.Label.TextStyle.Font.Size = 12
	p.Y.Label.TextStyle.Font.Size = 12
	p.X.Tick.Label.Font.Size = 10
	p.Y.Tick.Label.Font.Size = 10
	p.Legend.TextStyle.Font.Size = 10
	p.Legend.Top = true
	return p
}

// newLegend returns an empty legend in the house style.
func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font.Size = 10
	l.Top = true
	l.Padding = 1
	return l
}

// margin is the white space kept around every picture.
const margin = vg.Length(8)

// figure is a plot with a legend drawn over its data area, in the corner
// that hides the fewest of the points avoid.
type figure struct {
	p      *plot.Plot
	legend plot.Legend
	avoid  plotter.XYs
}

// draw draws the figure inside a margin of canvas and returns its data
// canvas.
func (f *figure) draw(canvas draw.Canvas) draw.Canvas {
	c := draw.Crop(canvas, margin, -margin, margin, -margin)
	f.p.Draw(c)
	dc := f.p.DataCanvas(c)
	drawLegend(f.legend, dc, f.p, f.avoid)
	return dc
}

// drawLegend draws l (if it has entries) in a corner of the data canvas dc
// of p, over a white, slightly transparent background so it reads over
// filled contours. Of the corners top right, top left, bottom right and
// bottom left it takes the first under which the fewest of the points avoid
// lie.
func drawLegend(l plot.Legend, dc draw.Canvas, p *plot.Plot, avoid plotter.XYs) {
	const pad = vg.Length(5)
	in := draw.Crop(dc, pad, -pad, pad, -pad)
	// gonum's Legend.Rectangle has Left and right swapped.
	rect := func(l plot.Legend) vg.Rectangle {
		flip := l
		flip.Left = !l.Left
		r := flip.Rectangle(in)
		return vg.Rectangle{Min: vg.Point{X: r.Min.X - pad, Y: r.Min.Y - pad/2}, Max: vg.Point{X: r.Max.X + pad/2, Y: r.Max.Y + pad/2}}
	}
	if r := rect(l); r.Max.Y-r.Min.Y <= pad {
		return // no entries
	}
	trX, trY := p.Transforms(&dc)
	best, bestN := l, -1
	for _, corner := range [][2]bool{{true, false}, {true, true}, {false, false}, {false, true}} {
		l.Top, l.Left = corner[0], corner[1]
		r, n := rect(l), 0
		for _, q := range avoid {
			x, y := trX(q.X), trY(q.Y)
			if x >= r.Min.X && x <= r.Max.X && y >= r.Min.Y && y <= r.Max.Y {
				n++
			}
		}
		if bestN < 0 || n < bestN {
			best, bestN = l, n
		}
	}
	bg := rect(best)
	dc.SetColor(color.NRGBA{0xff, 0xff, 0xff, 0xd9})
	dc.Fill(bg.Path())
	dc.SetLineStyle(draw.LineStyle{Color: color.NRGBA{0x99, 0x99, 0x99, 0xff}, Width: 0.5})
	dc.Stroke(bg.Path())
	best.Draw(in)
}
