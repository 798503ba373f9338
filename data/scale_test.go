package data

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestStandardizerByHand(t *testing.T) {
	// Columns: mean 2 sd 1; mean 4 sd 2; constant 7.
	x := Matrix{Rows: 2, Cols: 3, Data: []float64{1, 2, 7, 3, 6, 7}}
	var s Standardizer
	if err := s.Fit(x); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Mean, []float64{2, 4, 7}) || !slices.Equal(s.Scale, []float64{1, 2, 1}) {
		t.Fatalf("mean %v scale %v", s.Mean, s.Scale)
	}
	if got := s.Transform(x).Data; !slices.Equal(got, []float64{-1, -1, 0, 1, 1, 0}) {
		t.Errorf("transform %v", got)
	}
	if !slices.Equal(x.Data, []float64{1, 2, 7, 3, 6, 7}) {
		t.Errorf("Transform changed its input: %v", x.Data)
	}
	// New data uses the training statistics.
	y := Matrix{Rows: 1, Cols: 3, Data: []float64{2, 8, 9}}
	if got := s.Transform(y).Data; !slices.Equal(got, []float64{0, 2, 2}) {
		t.Errorf("transform new %v", got)
	}
	in := y.Clone()
	s.TransformInPlace(in)
	if !slices.Equal(in.Data, []float64{0, 2, 2}) {
		t.Errorf("TransformInPlace %v", in.Data)
	}
	if got := s.InverseTransform(s.Transform(y)).Data; !slices.Equal(got, y.Data) {
		t.Errorf("inverse %v", got)
	}
	// Serialisable.
	b, _ := json.Marshal(&s)
	var s2 Standardizer
	if err := json.Unmarshal(b, &s2); err != nil || !slices.Equal(s2.Transform(y).Data, s.Transform(y).Data) {
		t.Errorf("JSON round trip %s: %v", b, err)
	}
}

func TestMinMaxByHand(t *testing.T) {
	x := Matrix{Rows: 3, Cols: 3, Data: []float64{1, -2, 5, 3, 2, 5, 2, 0, 5}}
	var s MinMaxScaler
	if err := s.Fit(x); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Min, []float64{1, -2, 5}) || !slices.Equal(s.Max, []float64{3, 2, 5}) {
		t.Fatalf("min %v max %v", s.Min, s.Max)
	}
	if got := s.Transform(x).Data; !slices.Equal(got, []float64{0, 0, 0, 1, 1, 0, 0.5, 0.5, 0}) {
		t.Errorf("transform %v", got)
	}
	y := Matrix{Rows: 1, Cols: 3, Data: []float64{5, 0, 6}}
	if got := s.Transform(y).Data; !slices.Equal(got, []float64{2, 0.5, 1}) {
		t.Errorf("transform new %v", got)
	}
	s.TransformInPlace(y)
	if !slices.Equal(y.Data, []float64{2, 0.5, 1}) {
		t.Errorf("TransformInPlace %v", y.Data)
	}
	b, _ := json.Marshal(&s)
	if string(b) != `{"min":[1,-2,5],"max":[3,2,5]}` {
		t.Errorf("JSON %s", b)
	}
}

func TestScalerErrors(t *testing.T) {
	for _, sc := range []Scaler{&Standardizer{}, &MinMaxScaler{}} {
		if err := sc.Fit(Matrix{Cols: 2}); err == nil || !strings.Contains(err.Error(), "no rows") {
			t.Errorf("%T empty: %v", sc, err)
		}
		if err := sc.Fit(Matrix{Rows: 1, Cols: 2, Data: []float64{1, math.NaN()}}); err == nil || !strings.Contains(err.Error(), "row 0, column 1") {
			t.Errorf("%T NaN: %v", sc, err)
		}
		mustPanic(t, "not fitted", func() { sc.Transform(Matrix{Rows: 1, Cols: 2, Data: []float64{1, 2}}) })
		if err := sc.Fit(Matrix{Rows: 1, Cols: 2, Data: []float64{1, 2}}); err != nil {
			t.Fatal(err)
		}
		mustPanic(t, "matrix has 3 columns, the scaler was fitted on 2", func() { sc.Transform(NewMatrix(1, 3)) })
	}
}

func TestScalerOnBuiltin(t *testing.T) {
	ds, err := Builtin("wine")
	if err != nil {
		t.Fatal(err)
	}
	var s Standardizer
	if err := s.Fit(ds.X); err != nil {
		t.Fatal(err)
	}
	z := s.Transform(ds.X)
	for j := range z.Cols {
		var m, v float64
		for i := range z.Rows {
			m += z.At(i, j)
		}
		m /= float64(z.Rows)
		for i := range z.Rows {
			v += (z.At(i, j) - m) * (z.At(i, j) - m)
		}
		v /= float64(z.Rows)
		if math.Abs(m) > 1e-12 || math.Abs(v-1) > 1e-12 {
			t.Errorf("column %d: mean %g variance %g", j, m, v)
		}
	}
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Errorf("no panic; want %q", want)
		} else if !strings.Contains(r.(string), want) {
			t.Errorf("panic %q; want %q", r, want)
		}
	}()
	f()
}
