package data

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// TestBuiltinShapes checks every embedded data set against its own CSV,
// read independently with encoding/csv.
func TestBuiltinShapes(t *testing.T) {
	for name, task := range builtinTasks {
		t.Run(name, func(t *testing.T) {
			raw, err := BuiltinCSV(name)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			header, rows := recs[0], recs[1:]
			if header[len(header)-1] != "target" {
				t.Fatalf("last column %q, want target", header[len(header)-1])
			}
			distinct := map[string]bool{}
			for _, r := range rows {
				distinct[r[len(r)-1]] = true
			}
			ds, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			if ds.Len() != len(rows) || ds.NumFeatures() != len(header)-1 || len(ds.Y) != len(rows) {
				t.Errorf("shape %d×%d, want %d×%d", ds.Len(), ds.NumFeatures(), len(rows), len(header)-1)
			}
			if ds.Task != task || ds.Name != "builtin:"+name {
				t.Errorf("task %v name %q", ds.Task, ds.Name)
			}
			if task == Classify && ds.NumClasses() != len(distinct) {
				t.Errorf("%d classes, want %d", ds.NumClasses(), len(distinct))
			}
			t.Log(ds)
		})
	}
	// The shapes SOURCES.md documents.
	want := map[string][3]int{ // rows, features, classes
		"iris": {150, 4, 3}, "wine": {178, 13, 3}, "breast_cancer": {569, 30, 2},
		"digits": {1797, 64, 10}, "diabetes": {442, 10, 0},
	}
	for name, w := range want {
		ds, err := Load("builtin:" + name)
		if err != nil {
			t.Fatal(err)
		}
		if got := [3]int{ds.Len(), ds.NumFeatures(), ds.NumClasses()}; got != w {
			t.Errorf("%s: %v, want %v", name, got, w)
		}
	}
}

func TestBuiltinSizes(t *testing.T) {
	entries, err := fs.ReadDir(builtinFS, "builtin")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(builtinTasks) {
		t.Errorf("%d embedded files, want %d", len(entries), len(builtinTasks))
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-20s %8d bytes", e.Name(), info.Size())
		if info.Size() > 2<<20 {
			t.Errorf("%s is %d bytes, over 2 MB", e.Name(), info.Size())
		}
	}
}

func TestBuiltinUnknown(t *testing.T) {
	_, err := Builtin("irsi")
	want := `unknown built-in data set "irsi"; the built-in data sets are: iris, digits, breast_cancer, wine, diabetes, fashion-mnist, fashion-mnist-test (did you mean "iris"?)`
	if err == nil || err.Error() != want {
		t.Errorf("error\n got: %v\nwant: %s", err, want)
	}
	if _, err := Load("builtin:breast-cancer"); err == nil || !strings.Contains(err.Error(), `did you mean "breast_cancer"?`) {
		t.Errorf("breast-cancer: %v", err)
	}
	if _, err := BuiltinCSV("fashion-mnist"); err == nil {
		t.Error("BuiltinCSV(fashion-mnist): no error")
	}
}

func TestFashionMNIST(t *testing.T) {
	_, err := FashionMNIST(t.TempDir(), "test")
	if err == nil || !strings.Contains(err.Error(), "apt-get install dataset-fashion-mnist") {
		t.Errorf("missing files: %v", err)
	}
	if _, err := FashionMNIST(t.TempDir(), "validation"); err == nil {
		t.Error("bad part: no error")
	}
	if _, err := os.Stat(FashionMNISTDir); err != nil {
		t.Skipf("Fashion-MNIST not installed (apt-get install dataset-fashion-mnist): %v", err)
	}
	ds, err := Builtin("fashion-mnist-test") // the 10k test set; the 60k set takes ~376 MB
	if err != nil {
		t.Fatal(err)
	}
	if ds.Len() != 10000 || ds.NumFeatures() != 784 || ds.NumClasses() != 10 {
		t.Errorf("shape %v", ds)
	}
	if ds.Classes[9] != "Ankle boot" || ds.FeatureNames[783] != "pixel_27_27" {
		t.Errorf("classes %q, last feature %q", ds.Classes, ds.FeatureNames[783])
	}
	for _, c := range ds.ClassCounts() {
		if c != 1000 {
			t.Errorf("class counts %v, want 1000 each", ds.ClassCounts())
			break
		}
	}
	for _, v := range ds.X.Data {
		if v < 0 || v > 255 {
			t.Fatalf("pixel %v out of 0–255", v)
		}
	}
}
