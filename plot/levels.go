package plot

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Spacing says how contour levels are placed between the smallest value m
// and the largest value M that f takes on the grid.
type Spacing int

const (
	// SpacingAuto (the zero value) picks SpacingLog when the values are
	// skewed towards m — when the median lies below m + (M − m)/5, as for
	// Rosenbrock's or Himmelblau's function, whose steep walls would take
	// every evenly spaced level and leave the valleys empty — and
	// SpacingLinear otherwise.
	SpacingAuto Spacing = iota
	// SpacingLinear places n levels evenly: ℓₖ = m + (M − m)·k/(n + 1),
	// k = 1 … n.
	SpacingLinear
	// SpacingLog places n levels geometrically above the minimum:
	// ℓₖ = m + (M − m)·rⁿ⁺¹⁻ᵏ, k = 1 … n, with r chosen so that the lowest
	// level is the 1% quantile of the values, rⁿ = (q₀.₀₁ − m)/(M − m)
	// (at least 10⁻⁶). Each level is then a constant factor r above the
	// previous one, measured from the minimum.
	SpacingLog
	// SpacingQuantile places the levels at the quantiles k/(n + 1) of the
	// values, so that the bands between them cover equal areas of the box.
	SpacingQuantile
)

var spacingNames = []string{"auto", "linear", "log", "quantile"}

// String returns "auto", "linear", "log" or "quantile".
func (s Spacing) String() string {
	if s < 0 || int(s) >= len(spacingNames) {
		return fmt.Sprintf("Spacing(%d)", int(s))
	}
	return spacingNames[s]
}

// ParseSpacing reads the name String returns.
func ParseSpacing(name string) (Spacing, error) {
	if i := slices.Index(spacingNames, name); i >= 0 {
		return Spacing(i), nil
	}
	return 0, fmt.Errorf("plot: unknown level spacing %q: choose auto, linear, log or quantile", name)
}

// Levels chooses n contour levels (default 10 when n is 0) for the values z
// by the spacing s. Non-finite values are ignored. Each level is rounded to
// three significant digits where that keeps the levels distinct, so that
// the colour bar reads well; all levels lie strictly between the smallest
// and largest value. Levels returns nil when fewer than two distinct finite
// values remain (a constant function has no contours). It panics if n is
// negative or s unknown.
func Levels(z []float64, n int, s Spacing) []float64 {
	if n < 0 || s < SpacingAuto || s > SpacingQuantile {
		panic(fmt.Sprintf("plot: Levels(n = %d, spacing = %v): n must not be negative and the spacing known", n, s))
	}
	if n == 0 {
		n = 10
	}
	v := make([]float64, 0, len(z))
	for _, x := range z {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			v = append(v, x)
		}
	}
	if len(v) < 2 {
		return nil
	}
	slices.Sort(v)
	m, M := v[0], v[len(v)-1]
	if !(M > m) {
		return nil
	}
	if s == SpacingAuto {
		s = SpacingLinear
		if quantile(v, 0.5)-m < (M-m)/5 {
			s = SpacingLog
		}
	}
	raw := make([]float64, n)
	switch s {
	case SpacingLinear:
		for k := range raw {
			raw[k] = m + (M-m)*float64(k+1)/float64(n+1)
		}
	case SpacingLog:
		lo := math.Max((quantile(v, 0.01)-m)/(M-m), 1e-6)
		r := math.Pow(lo, 1/float64(n))
		for k := range raw {
			raw[k] = m + (M-m)*math.Pow(r, float64(n-k))
		}
	case SpacingQuantile:
		for k := range raw {
			raw[k] = quantile(v, float64(k+1)/float64(n+1))
		}
	}
	var out []float64
	for _, l := range raw {
		if r := round3(l); r > m && r < M && (len(out) == 0 || r > out[len(out)-1]) {
			l = r
		}
		if l > m && l < M && (len(out) == 0 || l > out[len(out)-1]) {
			out = append(out, l)
		}
	}
	return out
}

// quantile returns the q-quantile of the sorted values v, interpolating
// linearly between order statistics (R's type 7).
func quantile(v []float64, q float64) float64 {
	h := q * float64(len(v)-1)
	i := int(h)
	if i >= len(v)-1 {
		return v[len(v)-1]
	}
	return v[i] + (h-float64(i))*(v[i+1]-v[i])
}

// round3 rounds x to three significant digits.
func round3(x float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 3, 64), 64)
	return r
}
