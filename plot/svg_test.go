package plot

import (
	"bytes"
	"fmt"
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// svgPath is one <path> of an SVG written by vgsvg: its points in the
// canvas's coordinates (points, y up, as the canvas drew them) and its
// stroke or fill colour.
type svgPath struct {
	stroke bool
	color  string // "#RRGGBB"
	pts    []vg.Point
}

var pathRE = regexp.MustCompile(`<path d="([^"]*)" style="([^"]*)"`)

// parsePaths reads every path of an SVG whose commands are M, L and Z.
func parsePaths(t *testing.T, svg string) []svgPath {
	t.Helper()
	var out []svgPath
	for _, m := range pathRE.FindAllStringSubmatch(svg, -1) {
		var p svgPath
		for _, kv := range strings.Split(m[2], ";") {
			k, v, _ := strings.Cut(kv, ":")
			switch {
			case k == "stroke":
				p.stroke, p.color = true, v
			case k == "fill" && v != "none" && !p.stroke:
				p.color = v
			}
		}
		d := m[1]
		if strings.ContainsAny(d, "AC") { // arcs: glyphs, not needed
			continue
		}
		for _, cmd := range regexp.MustCompile(`[ML][^MLZ]*`).FindAllString(d, -1) {
			x, y, ok := strings.Cut(strings.TrimSpace(cmd[1:]), ",")
			if !ok {
				t.Fatalf("path command %q", cmd)
			}
			px, err1 := strconv.ParseFloat(x, 64)
			py, err2 := strconv.ParseFloat(y, 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("path command %q", cmd)
			}
			p.pts = append(p.pts, vg.Point{X: vg.Length(px), Y: vg.Length(py)})
		}
		out = append(out, p)
	}
	return out
}

// hex writes a colour as vgsvg does.
func hex(c color.NRGBA) string { return fmt.Sprintf("#%02X%02X%02X", c.R, c.G, c.B) }

// renderSVG draws with drawFn on an SVG canvas of the given size and returns
// the SVG text and the data canvas drawFn reports.
func renderSVG(t *testing.T, s Size, drawFn func(c draw.Canvas) draw.Canvas) (string, draw.Canvas) {
	t.Helper()
	c := vgsvg.New(points(s.Width), points(s.Height))
	dc := drawFn(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String(), dc
}

// toData maps a canvas point in dc back to data coordinates in b.
func toData(p vg.Point, dc draw.Canvas, b Box) (x, y float64) {
	x = b.X0 + float64((p.X-dc.Min.X)/(dc.Max.X-dc.Min.X))*(b.X1-b.X0)
	y = b.Y0 + float64((p.Y-dc.Min.Y)/(dc.Max.Y-dc.Min.Y))*(b.Y1-b.Y0)
	return x, y
}
