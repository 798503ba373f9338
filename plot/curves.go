package plot

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one named line of a chart: the points (X[i], Y[i]). X nil
// means 1, 2, …, len(Y) (epochs or steps counted from 1); otherwise X has
// the length of Y. Non-finite values of Y (a diverged run) break the line.
type Series struct {
	Name string
	X, Y []float64
}

// Scale is the scale of a chart's y axis.
type Scale int

const (
	// ScaleAuto (the zero value) is logarithmic when every finite y value
	// is positive and they span more than two decades (max/min > 100), and
	// linear otherwise.
	ScaleAuto Scale = iota
	// ScaleLinear is a linear y axis.
	ScaleLinear
	// ScaleLog is a logarithmic y axis; every finite y value must then be
	// positive.
	ScaleLog
)

// Chart is the settings of a line chart; its zero value is usable.
type Chart struct {
	// Title is written above the chart. Default none (LossCurves,
	// ScheduleCurves and GradNormCurves have their own).
	Title string
	// XLabel and YLabel name the axes. Default none (or the preset's).
	XLabel, YLabel string
	// Y is the y axis's scale. Default ScaleAuto.
	Y Scale
	// Size is the picture's size. Default 800×500 pixels.
	Size Size
}

// LossCurves draws loss curves, e.g. Series{Name: "train", Y: trainLoss}
// and Series{Name: "validation", Y: valLoss}, one value per epoch, and
// writes them to path (.svg or .png). c's empty fields default to the title
// "Loss", x label "epoch" and y label "loss".
func LossCurves(path string, c Chart, series ...Series) error {
	return Lines(path, c.with("Loss", "epoch", "loss"), series...)
}

// ScheduleCurves draws learning-rate schedules, one value per step, and
// writes them to path. c's empty fields default to the title "Learning
// rate", x label "step" and y label "learning rate".
func ScheduleCurves(path string, c Chart, series ...Series) error {
	return Lines(path, c.with("Learning rate", "step", "learning rate"), series...)
}

// GradNormCurves draws gradient norms ‖∇ₗ‖₂, one series per layer l, one
// value per step, and writes them to path. c's empty fields default to the
// title "Gradient norms by layer", x label "step" and y label
// "gradient norm"; ScaleAuto usually picks a log scale, which shows
// vanishing and exploding gradients as straight trends.
func GradNormCurves(path string, c Chart, series ...Series) error {
	return Lines(path, c.with("Gradient norms by layer", "step", "gradient norm"), series...)
}

// with fills c's empty labels.
func (c Chart) with(title, x, y string) Chart {
	if c.Title == "" {
		c.Title = title
	}
	if c.XLabel == "" {
		c.XLabel = x
	}
	if c.YLabel == "" {
		c.YLabel = y
	}
	return c
}

// Lines draws the series as lines, each with its colour and legend entry,
// and writes the chart to path (.svg or .png). It returns an error if there
// is no finite point to draw or a log scale meets a value ≤ 0; it panics if
// a series' X and Y differ in length.
func Lines(path string, c Chart, series ...Series) error {
	if _, err := format(path); err != nil {
		return err
	}
	fig, err := c.figure(series)
	if err != nil {
		return err
	}
	return render(path, c.Size.or(Size{800, 500}), func(dc draw.Canvas) error {
		fig.draw(dc)
		return nil
	})
}

// figure builds the chart.
func (c Chart) figure(series []Series) (*figure, error) {
	legend := newLegend()
	if c.Y < ScaleAuto || c.Y > ScaleLog {
		panic(fmt.Sprintf("plot: unknown Chart.Y scale %d", c.Y))
	}
	lo, hi, points := math.Inf(1), math.Inf(-1), 0
	for i, s := range series {
		if s.X != nil && len(s.X) != len(s.Y) {
			panic(fmt.Sprintf("plot: series %d (%q) has %d x and %d y values", i, s.Name, len(s.X), len(s.Y)))
		}
		for _, y := range s.Y {
			if finite(y) {
				lo, hi, points = min(lo, y), max(hi, y), points+1
			}
		}
	}
	if points == 0 {
		return nil, errors.New("plot: the series have no finite values to draw")
	}
	logY := c.Y == ScaleLog || (c.Y == ScaleAuto && lo > 0 && hi/lo > 100)
	if logY && lo <= 0 {
		for _, s := range series {
			for i, y := range s.Y {
				if finite(y) && y <= 0 {
					return nil, fmt.Errorf("plot: a log scale needs positive values, but series %q has %g at index %d: use a linear scale", s.Name, y, i)
				}
			}
		}
	}
	p := newPlot(c.Title, c.XLabel, c.YLabel)
	var all plotter.XYs
	p.Add(plotter.NewGrid())
	if logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	for i, s := range series {
		x := s.X
		if x == nil {
			x = make([]float64, len(s.Y))
			for k := range x {
				x[k] = float64(k + 1)
			}
		}
		sty := draw.LineStyle{Color: lineColor(i), Width: 1.6}
		var first *plotter.Line
		for _, seg := range segments(x, s.Y) {
			all = append(all, seg...)
			l, err := plotter.NewLine(seg)
			if err != nil {
				return nil, fmt.Errorf("plot: series %q: %w", s.Name, err)
			}
			l.LineStyle = sty
			if len(seg) == 1 { // a lone point shows as a dot
				dot, _ := plotter.NewScatter(seg)
				dot.GlyphStyle = draw.GlyphStyle{Color: sty.Color, Shape: draw.CircleGlyph{}, Radius: 2}
				p.Add(dot)
			}
			p.Add(l)
			if first == nil {
				first = l
			}
		}
		if first != nil && s.Name != "" {
			legend.Add(s.Name, first)
		}
	}
	return &figure{p, legend, all}, nil
}

// segments splits the points (x[i], y[i]) into runs of finite points.
func segments(x, y []float64) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for i := range y {
		if finite(x[i]) && finite(y[i]) {
			cur = append(cur, plotter.XY{X: x[i], Y: y[i]})
			continue
		}
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// logTicks labels a log axis at 1, 2 and 5 times the powers of ten when it
// spans at most three decades (where plot.LogTicks might label only one
// value), and defers to plot.LogTicks otherwise.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(lo > 0) || hi/lo > 1000 {
		return plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	}
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)); math.Pow(10, e) <= hi; e++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, e)
			if v < lo || v > hi {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ts = append(ts, t)
		}
	}
	return ts
}
