package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestSplitsPartition checks, for every CSV built-in and two seeds, that
// train and test partition the rows, that the test share is 20%, and that a
// stratified split keeps each class's share within one row.
func TestSplitsPartition(t *testing.T) {
	for _, name := range csvBuiltins {
		for _, seed := range []uint64{0, 7} {
			spec := "builtin:" + name
			s, err := splitRows(spec, seed)
			if err != nil {
				t.Fatal(err)
			}
			ds, err := load(spec)
			if err != nil {
				t.Fatal(err)
			}
			if s.Rows != ds.Len() || len(s.Train)+len(s.Test) != s.Rows {
				t.Fatalf("%s seed %d: %d rows, %d train + %d test", spec, seed, s.Rows, len(s.Train), len(s.Test))
			}
			all := append(slices.Clone(s.Train), s.Test...)
			slices.Sort(all)
			for i, r := range all {
				if r != i {
					t.Fatalf("%s seed %d: rows are not a partition of 0…%d (sorted position %d holds %d)", spec, seed, s.Rows-1, i, r)
				}
			}
			if want := int(math.Round(testFraction * float64(s.Rows))); len(s.Test) != want {
				t.Errorf("%s seed %d: %d test rows, want %d", spec, seed, len(s.Test), want)
			}
			if s.Task != "classify" {
				continue
			}
			inTest := make([]int, len(ds.Classes))
			for _, r := range s.Test {
				inTest[ds.Labels[r]]++
			}
			for c, n := range ds.ClassCounts() {
				if exact := testFraction * float64(n); math.Abs(float64(inTest[c])-exact) >= 1 {
					t.Errorf("%s seed %d: class %s has %d of %d rows in test, want %.1f within one", spec, seed, ds.Classes[c], inTest[c], n, exact)
				}
			}
		}
	}
}

func TestSplitsSeed(t *testing.T) {
	a, _ := splitRows("builtin:wine", 1)
	b, _ := splitRows("builtin:wine", 1)
	c, _ := splitRows("builtin:wine", 2)
	if !slices.Equal(a.Test, b.Test) || !slices.Equal(a.Train, b.Train) {
		t.Error("the same seed gave different splits")
	}
	if slices.Equal(a.Test, c.Test) {
		t.Error("seeds 1 and 2 gave the same test rows")
	}
}

func TestRunWritesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	var stdout bytes.Buffer
	if err := run([]string{"-data", "builtin:iris, builtin:diabetes", "-seed", "3", "-o", path}, &stdout); err != nil {
		t.Fatal(err)
	}
	if stdout.Len() != 0 {
		t.Errorf("wrote %q to stdout with -o", stdout.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc output
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Seed != 3 || len(doc.Splits) != 2 || doc.Splits["builtin:iris"].Rows != 150 || doc.Splits["builtin:diabetes"].Task != "regress" {
		t.Errorf("unexpected document %s", b)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestRunErrors(t *testing.T) {
	for _, args := range [][]string{{"-data", "iris"}, {"-data", "builtin:nope"}, {"extra"}} {
		err := run(args, &bytes.Buffer{})
		if err == nil {
			t.Errorf("%q: no error", args)
		} else if strings.TrimSpace(err.Error()) == "" {
			t.Errorf("%q: empty error", args)
		}
	}
}
