package data

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzLoadCSV(f *testing.F) {
	iris, _ := BuiltinCSV("iris")
	f.Add(string(iris[:400]), "")
	f.Add("a,b,target\n1,2,x\n3,4,x\n5,6,y\n7,8,y\n", "")
	f.Add("a,b,target\n1,2,0\n1,2\n", "b")
	f.Add("a,\"b\nc\",target\n1,2,0.5\n3,4,1e300\n", "target")
	f.Add("\uFEFFa;b\n1;2\n", "a")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, in, target string) {
		for _, task := range []Task{Auto, Classify, Regress} {
			ds, err := LoadCSV(strings.NewReader(in), "f.csv", CSVOptions{Target: target, Task: task})
			if err != nil {
				if !strings.HasPrefix(err.Error(), "f.csv") {
					t.Fatalf("error does not name the file: %v", err)
				}
				continue
			}
			if ds.X.Rows == 0 || len(ds.X.Data) != ds.X.Rows*ds.X.Cols || len(ds.Y) != ds.X.Rows || len(ds.FeatureNames) != ds.X.Cols {
				t.Fatalf("inconsistent data set %v", ds)
			}
			if ds.Task == Classify {
				for _, l := range ds.Labels {
					if l < 0 || l >= len(ds.Classes) {
						t.Fatalf("label %d out of range", l)
					}
				}
			}
		}
	})
}

func FuzzLoadIDX(f *testing.F) {
	f.Add(idxBytes(0x803, []uint32{2, 1, 2}, []byte{1, 2, 3, 4}), idxBytes(0x801, []uint32{2}, []byte{0, 1}))
	f.Add([]byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff}, []byte{0, 0, 8, 1})
	f.Fuzz(func(t *testing.T, img, lbl []byte) {
		ds, err := LoadIDX(bytes.NewReader(img), bytes.NewReader(lbl))
		if err == nil && (len(ds.X.Data) != ds.X.Rows*ds.X.Cols || len(ds.Labels) != ds.X.Rows) {
			t.Fatalf("inconsistent data set %v", ds)
		}
	})
}
