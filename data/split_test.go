package data

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// checkPartition checks that the three index sets cover 0…n-1 exactly once.
func checkPartition(t *testing.T, s *Split, n int) {
	t.Helper()
	all := slices.Concat(s.TrainIndex, s.ValIndex, s.TestIndex)
	slices.Sort(all)
	for i, v := range all {
		if v != i {
			t.Fatalf("indices are not a partition of 0…%d", n-1)
		}
	}
	if len(all) != n {
		t.Fatalf("%d indices, want %d", len(all), n)
	}
	if s.Train.Len() != len(s.TrainIndex) || s.Val.Len() != len(s.ValIndex) || s.Test.Len() != len(s.TestIndex) {
		t.Fatal("subset sizes differ from index counts")
	}
}

func TestStratifiedSplitProportions(t *testing.T) {
	for _, name := range []string{"iris", "wine", "breast_cancer", "digits"} {
		ds, err := Builtin(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []Fractions{{Test: 0.2}, {Val: 0.15, Test: 0.25}, {Val: 0.1}} {
			s, err := StratifiedSplit(ds, f, 42)
			if err != nil {
				t.Fatal(err)
			}
			checkPartition(t, s, ds.Len())
			total := ds.ClassCounts()
			for _, part := range []struct {
				name string
				frac float64
				ds   *Dataset
				idx  []int
			}{{"test", f.Test, s.Test, s.TestIndex}, {"val", f.Val, s.Val, s.ValIndex}, {"train", 1 - f.Val - f.Test, s.Train, s.TrainIndex}} {
				got := part.ds.ClassCounts()
				for c, n := range total {
					exact := float64(n) * part.frac
					if math.Abs(float64(got[c])-exact) > 1 {
						t.Errorf("%s %+v %s: class %d has %d of %d, exact %.2f", name, f, part.name, c, got[c], n, exact)
					}
				}
				// Totals are the rounded fractions (train takes the rest).
				if part.name != "train" && len(part.idx) != int(math.Round(float64(ds.Len())*part.frac)) {
					t.Errorf("%s %+v %s: %d rows, want round(%d·%v)", name, f, part.name, len(part.idx), ds.Len(), part.frac)
				}
				for k, i := range part.idx {
					if part.ds.Labels[k] != ds.Labels[i] || !slices.Equal(part.ds.X.Row(k), ds.X.Row(i)) {
						t.Fatalf("%s row %d does not match original row %d", part.name, k, i)
					}
				}
			}
		}
	}
}

func TestSplitDeterminism(t *testing.T) {
	ds, _ := Builtin("iris")
	a, _ := StratifiedSplit(ds, Fractions{Val: 0.2, Test: 0.2}, 7)
	b, _ := StratifiedSplit(ds, Fractions{Val: 0.2, Test: 0.2}, 7)
	c, _ := StratifiedSplit(ds, Fractions{Val: 0.2, Test: 0.2}, 8)
	if !slices.Equal(a.TrainIndex, b.TrainIndex) || !slices.Equal(a.TestIndex, b.TestIndex) || !slices.Equal(a.ValIndex, b.ValIndex) {
		t.Error("same seed, different split")
	}
	if slices.Equal(a.TestIndex, c.TestIndex) {
		t.Error("different seeds, same test set")
	}
	reg, _ := Builtin("diabetes")
	r1, _ := RandomSplit(reg, Fractions{Test: 0.3}, 1)
	r2, _ := SplitAuto(reg, Fractions{Test: 0.3}, 1)
	if !slices.Equal(r1.TestIndex, r2.TestIndex) {
		t.Error("RandomSplit not deterministic")
	}
}

func TestRandomSplit(t *testing.T) {
	ds, _ := Builtin("diabetes")
	s, err := RandomSplit(ds, Fractions{Val: 0.1, Test: 0.2}, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkPartition(t, s, ds.Len())
	if len(s.TestIndex) != 88 || len(s.ValIndex) != 44 || len(s.TrainIndex) != 310 {
		t.Errorf("sizes %d/%d/%d", len(s.TrainIndex), len(s.ValIndex), len(s.TestIndex))
	}
	if s.Test.Y[0] != ds.Y[s.TestIndex[0]] {
		t.Error("subset targets do not follow the indices")
	}
}

func TestSplitErrors(t *testing.T) {
	reg, _ := Builtin("diabetes")
	if _, err := StratifiedSplit(reg, Fractions{Test: 0.2}, 1); err == nil || !strings.Contains(err.Error(), "use RandomSplit") {
		t.Errorf("regression: %v", err)
	}
	iris, _ := Builtin("iris")
	for _, f := range []Fractions{{Test: 1}, {Test: -0.1}, {Val: 0.5, Test: 0.5}, {Test: math.NaN()}} {
		if _, err := StratifiedSplit(iris, f, 1); err == nil || !strings.Contains(err.Error(), "must be in [0, 1)") {
			t.Errorf("%+v: %v", f, err)
		}
	}
	single, err := LoadCSV(strings.NewReader("a,target\n1,x\n2,x\n3,y\n"), "s.csv", CSVOptions{AllowSingletonClasses: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `s.csv: class "y" has a single example (row 3); stratified splitting needs at least two per class`
	if _, err := StratifiedSplit(single, Fractions{Test: 0.5}, 1); err == nil || err.Error() != want {
		t.Errorf("singleton:\n got %v\nwant %s", err, want)
	}
	tiny, _ := LoadCSV(strings.NewReader("a,y\n1,0.5\n2,1.5\n"), "t.csv", CSVOptions{})
	if _, err := RandomSplit(tiny, Fractions{Val: 0.4, Test: 0.4}, 1); err == nil {
		t.Error("two rows split three ways: no error")
	}
	// Every class keeps a training example even at extreme fractions.
	two, _ := LoadCSV(strings.NewReader("a,target\n1,x\n2,x\n3,y\n4,y\n"), "two.csv", CSVOptions{})
	s, err := StratifiedSplit(two, Fractions{Val: 0.45, Test: 0.5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Train.ClassCounts(); got[0] < 1 || got[1] < 1 {
		t.Errorf("train class counts %v", got)
	}
}

func TestBatches(t *testing.T) {
	sizes := func(n, b int, seed uint64) (out []int, all []int) {
		for batch := range Batches(n, b, NewRand(seed)) {
			out = append(out, len(batch))
			all = append(all, batch...)
		}
		return out, all
	}
	for _, c := range []struct {
		n, b int
		want []int
	}{
		{10, 3, []int{3, 3, 3, 1}},
		{10, 1, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{10, 10, []int{10}},
		{10, 100, []int{10}},
		{10, 0, []int{10}},
		{0, 4, nil},
	} {
		got, all := sizes(c.n, c.b, 1)
		if !slices.Equal(got, c.want) {
			t.Errorf("Batches(%d, %d): sizes %v, want %v", c.n, c.b, got, c.want)
		}
		slices.Sort(all)
		for i, v := range all {
			if v != i {
				t.Errorf("Batches(%d, %d) does not cover every index once", c.n, c.b)
				break
			}
		}
	}
	_, a := sizes(20, 6, 5)
	_, b := sizes(20, 6, 5)
	if !slices.Equal(a, b) {
		t.Error("same seed, different batches")
	}
	var inOrder []int
	for batch := range Batches(5, 2, nil) {
		inOrder = append(inOrder, batch...)
	}
	if !slices.Equal(inOrder, []int{0, 1, 2, 3, 4}) {
		t.Errorf("nil rng: %v", inOrder)
	}
	count := 0
	for range Batches(10, 2, nil) {
		count++
		if count == 2 {
			break
		}
	}
	mustPanic(t, "must not be negative", func() { Batches(3, -1, nil) })

	idx := []int{0, 1, 2, 3, 4, 5}
	Shuffle(idx, NewRand(9))
	idx2 := []int{0, 1, 2, 3, 4, 5}
	Shuffle(idx2, NewRand(9))
	if !slices.Equal(idx, idx2) {
		t.Error("Shuffle not deterministic")
	}
}

func TestGather(t *testing.T) {
	m := Matrix{Rows: 3, Cols: 2, Data: []float64{1, 2, 3, 4, 5, 6}}
	if got := m.Gather([]int{2, 0, 2}).Data; !slices.Equal(got, []float64{5, 6, 1, 2, 5, 6}) {
		t.Errorf("Gather %v", got)
	}
	dst := []float64{9, 9, 9, 9, 9}
	m.GatherInto(dst, []int{1, 0})
	if !slices.Equal(dst, []float64{3, 4, 1, 2, 9}) {
		t.Errorf("GatherInto %v", dst)
	}
	mustPanic(t, "need 4 elements, dst has 3", func() { m.GatherInto(dst[:3], []int{1, 0}) })
}
