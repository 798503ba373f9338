package data

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoadCSVErrors(t *testing.T) {
	cases := []struct {
		name, in string
		opts     CSVOptions
		want     string // the whole message
	}{
		{"empty file", "", CSVOptions{},
			`t.csv:1:1: empty file: expected a header row naming the columns, then data rows`},
		{"header only", "a,b,target\n", CSVOptions{},
			`t.csv:1:1: the file has a header row but no data rows`},
		{"ragged short", "a,b,target\n1,2,0\n1,2\n", CSVOptions{},
			`t.csv:3:3: row has 2 fields but the header has 3`},
		{"ragged long", "a,b,target\n1,2,0,9\n", CSVOptions{},
			`t.csv:2:7: row has 4 fields but the header has 3`},
		{"non-numeric", "a,b,target\n1,2,0\n1,x y,0\n", CSVOptions{},
			`t.csv:3:3: column 2 ("b"): cannot parse "x y" as a number`},
		{"empty cell", "a,b,target\n1,,0\n1,2,0\n", CSVOptions{},
			`t.csv:2:3: column 2 ("b"): empty cell (missing value); fill it in or drop the row`},
		{"NaN", "a,target\n1,0\nNaN,0\n", CSVOptions{},
			`t.csv:3:1: column 1 ("a"): "NaN" is not finite; remove the row or fill in the value`},
		{"Inf", "a,b,target\n1,2,0\n3,+Inf,0\n", CSVOptions{},
			`t.csv:3:3: column 2 ("b"): "+Inf" is not finite; remove the row or fill in the value`},
		{"NaN target", "a,target\n1,0\n2,nan\n", CSVOptions{},
			`t.csv:3:3: column 2 ("target"): target "nan" is not finite; remove the row or fill in the value`},
		{"out of range", "a,target\n1e999,0\n", CSVOptions{},
			`t.csv:2:1: column 1 ("a"): "1e999" is out of the float64 range`},
		{"missing target", "a,b,lable\n1,2,0\n", CSVOptions{Target: "label"},
			`t.csv:1:1: no target column "label"; the columns are: a, b, lable (did you mean "lable"?)`},
		{"duplicate column", "a,b,a,target\n1,2,3,0\n", CSVOptions{},
			`t.csv:1:5: duplicate column name "a" (columns 1 and 3)`},
		{"empty column name", "a,,target\n1,2,0\n", CSVOptions{},
			`t.csv:1:3: column 2 has an empty name in the header row`},
		{"one column", "target\n1\n", CSVOptions{},
			`t.csv:1:1: the header names 1 column (target); need at least one feature column and a target column`},
		{"singleton class", "a,target\n1,x\n2,x\n3,y\n", CSVOptions{},
			`t.csv:4:3: column 2 ("target"): class "y" has a single example; stratified splitting needs at least two per class (drop the row, merge the class, or set CSVOptions.AllowSingletonClasses)`},
		{"regress non-numeric target", "a,target\n1,2.5\n2,high\n", CSVOptions{Task: Regress},
			`t.csv:3:3: column 2 ("target"): cannot parse target "high" as a number (regression needs numeric targets)`},
		{"empty target", "a,target\n1,0\n2,\n", CSVOptions{},
			`t.csv:3:3: column 2 ("target"): empty target cell`},
		{"bad quote", "a,target\n1,0\n\"2,0\n", CSVOptions{},
			`t.csv:3:6: extraneous or missing " in quoted-field`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ds, err := LoadCSV(strings.NewReader(c.in), "t.csv", c.opts)
			if err == nil {
				t.Fatalf("no error; got %v", ds)
			}
			if err.Error() != c.want {
				t.Errorf("error\n got: %s\nwant: %s", err, c.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != "t.csv" || pe.Line == 0 {
				t.Errorf("error %T %+v does not carry file and line", err, err)
			}
		})
	}
}

func TestLoadCSVStringLabels(t *testing.T) {
	in := "x1, x2 ,species\n1,2,setosa\n3,4,virginica\n5,6,setosa\n7,8,virginica\n"
	ds, err := LoadCSV(strings.NewReader(in), "s.csv", CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Task != Classify || ds.TargetName != "species" {
		t.Fatalf("task %v target %q", ds.Task, ds.TargetName)
	}
	if !slices.Equal(ds.FeatureNames, []string{"x1", "x2"}) {
		t.Errorf("features %q", ds.FeatureNames)
	}
	if !slices.Equal(ds.Classes, []string{"setosa", "virginica"}) || !slices.Equal(ds.Labels, []int{0, 1, 0, 1}) {
		t.Errorf("classes %q labels %v", ds.Classes, ds.Labels)
	}
	if !slices.Equal(ds.Y, []float64{0, 1, 0, 1}) {
		t.Errorf("Y %v", ds.Y)
	}
	if !slices.Equal(ds.X.Row(2), []float64{5, 6}) || ds.X.At(3, 1) != 8 {
		t.Errorf("X %v", ds.X)
	}
	if got := ds.X.Tensor().Shape(); !slices.Equal(got, []int{4, 2}) {
		t.Errorf("tensor shape %v", got)
	}
}

func TestLoadCSVNumericLabelsAndTask(t *testing.T) {
	// Numeric labels sort numerically, and 1 and 1.0 are one class.
	in := "a,target,b\n1,10,0\n2,2,0\n3,1.0,0\n4,1,0\n5,10,0\n6,2,0\n"
	ds, err := LoadCSV(strings.NewReader(in), "n.csv", CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ds.Classes, []string{"1", "2", "10"}) || !slices.Equal(ds.Labels, []int{2, 1, 0, 0, 2, 1}) {
		t.Errorf("classes %q labels %v", ds.Classes, ds.Labels)
	}
	if !slices.Equal(ds.FeatureNames, []string{"a", "b"}) {
		t.Errorf("target in the middle: features %q", ds.FeatureNames)
	}
	// Forced regression on the same file.
	ds, err = LoadCSV(strings.NewReader(in), "n.csv", CSVOptions{Task: Regress})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Task != Regress || ds.Labels != nil || !slices.Equal(ds.Y, []float64{10, 2, 1, 1, 10, 2}) {
		t.Errorf("regress: %v %v %v", ds.Task, ds.Labels, ds.Y)
	}
	// Non-integer values regress under Auto; so do many distinct integers.
	ds, err = LoadCSV(strings.NewReader("a,y\n1,0.5\n2,1.5\n"), "r.csv", CSVOptions{})
	if err != nil || ds.Task != Regress || ds.TargetName != "y" {
		t.Fatalf("float target: %v %v", ds, err)
	}
	ds, err = LoadCSV(strings.NewReader("a,y\n1,1\n2,2\n3,3\n"), "r.csv", CSVOptions{MaxClasses: 2})
	if err != nil || ds.Task != Regress {
		t.Fatalf("3 distinct integers with MaxClasses 2: %v %v", ds, err)
	}
	// Singleton classes allowed on request; other separators.
	ds, err = LoadCSV(strings.NewReader("a;target\n1;x\n2;y\n"), "r.csv", CSVOptions{Comma: ';', AllowSingletonClasses: true})
	if err != nil || ds.NumClasses() != 2 {
		t.Fatalf("singletons allowed: %v %v", ds, err)
	}
}

func TestLoadCSVFileAndLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "d.csv")
	if err := os.WriteFile(p, []byte("a,target\n1,0\n2,0\n3,1\nzz,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	if err == nil || !strings.HasPrefix(err.Error(), p+":5:1: ") {
		t.Errorf("Load(%q) error = %v; want it to name the path, line 5, column 1", p, err)
	}
	if _, err := LoadCSVFile(filepath.Join(dir, "missing.csv"), CSVOptions{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load("iris"); err == nil || !strings.Contains(err.Error(), `did you mean "builtin:iris"?`) {
		t.Errorf("Load(iris): %v", err)
	}
	if _, err := Load(""); err == nil {
		t.Error("Load(\"\"): no error")
	}
}

func TestLoadCSVLineNumbersAcrossQuotesAndCRLF(t *testing.T) {
	// A BOM, CRLF line ends, and a quoted header cell spanning two lines:
	// the bad cell is on physical line 5, byte column 3.
	in := "\uFEFFa,\"b\r\nc\",target\r\n1,2,0\r\n3,4,1\r\n5,oops,1\r\n6,7,0\r\n"
	_, err := LoadCSV(strings.NewReader(in), "q.csv", CSVOptions{})
	want := `q.csv:5:3: column 2 ("b\nc"): cannot parse "oops" as a number`
	if err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
	ds, err := LoadCSV(strings.NewReader(strings.Replace(in, "oops", "8", 1)), "q.csv", CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ds.FeatureNames[0] != "a" || ds.Len() != 4 {
		t.Errorf("features %q rows %d", ds.FeatureNames, ds.Len())
	}
}
