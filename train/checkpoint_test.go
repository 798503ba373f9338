package train

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/internal/safetensors"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/optim"
)

func irisScaled(t *testing.T) *data.Dataset {
	t.Helper()
	ds, err := data.Builtin("iris")
	if err != nil {
		t.Fatal(err)
	}
	var s data.Standardizer
	if err := s.Fit(ds.X); err != nil {
		t.Fatal(err)
	}
	ds.X = s.Transform(ds.X)
	return ds
}

func sameWeights(t *testing.T, a, b *nn.Sequential[float64]) {
	t.Helper()
	sa, sb := nn.StateDict[float64](a), nn.StateDict[float64](b)
	if len(sa) != len(sb) {
		t.Fatalf("state dicts of %d and %d tensors", len(sa), len(sb))
	}
	for k, v := range sa {
		x, y := v.Contiguous().Data(), sb[k].Contiguous().Data()
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				t.Fatalf("%s[%d]: %v vs %v", k, i, x[i], y[i])
			}
		}
	}
}

// resumeCase is a run to interrupt: an architecture, a Config and data.
type resumeCase struct {
	name       string
	arch       Arch
	cfg        Config
	train, val *data.Dataset
}

// TestResumeBitForBit trains N epochs in one go and k + (N − k) with a
// checkpoint in between, for every k: weights, the history and the
// early-stopping outcome must agree exactly. The cases cover batch norm,
// a schedule, dropout (whose generator the checkpoint carries) and early
// stopping (whose record and best weights it carries).
func TestResumeBitForBit(t *testing.T) {
	ds := irisScaled(t)
	s, err := data.StratifiedSplit(ds, data.Fractions{Val: 0.3}, 1)
	if err != nil {
		t.Fatal(err)
	}
	adam := func(lr float64) optim.Factory {
		return func(g []*optim.Group[float64]) (optim.Optimizer[float64], error) {
			return optim.NewAdam(g, optim.Adam{LR: lr})
		}
	}
	cases := []resumeCase{
		{"batchnorm+schedule", Arch{Kind: "mlp", Inputs: 4, Outputs: 3, Hidden: []int{8}, Activation: "tanh", BatchNorm: true, Task: "classify"},
			Config{Epochs: 12, BatchSize: 16, Optimizer: adam(0.01), Schedule: optim.StepDecay{Size: 4, Gamma: 0.5}, Seed: 7}, ds, ds},
		{"dropout+patience", Arch{Kind: "mlp", Inputs: 4, Outputs: 3, Hidden: []int{16}, Dropout: 0.3, Task: "classify"},
			Config{Epochs: 40, BatchSize: 8, Optimizer: adam(0.1), Patience: 3, Seed: 3}, s.Train, s.Val},
	}
	for _, c := range cases {
		full, loss, err := Build(c.arch, 3)
		if err != nil {
			t.Fatal(err)
		}
		hFull, err := Fit(full, loss, c.train, c.val, c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		n := len(hFull.Epochs)
		if c.cfg.Patience > 0 && !hFull.EarlyStopped {
			t.Fatalf("%s: the run should stop early for the test to cover it (ran %d epochs)", c.name, n)
		}
		restored := 0
		for k := 1; k <= n; k++ {
			h1, h2, resumed := interrupted(t, c, k)
			if h1.Restored {
				restored++
			}
			sameWeights(t, full, resumed)
			got := append(slices.Clone(h1.Epochs), h2.Epochs...)
			if !slices.Equal(got, hFull.Epochs) {
				t.Fatalf("%s, stopped after %d: resumed history %+v\nin one go %+v", c.name, k, got, hFull.Epochs)
			}
			if h2.BestEpoch != hFull.BestEpoch || h2.EarlyStopped != hFull.EarlyStopped || h2.Stale != hFull.Stale {
				t.Errorf("%s, stopped after %d: best epoch %d, early stop %v, stale %d; in one go %d, %v, %d",
					c.name, k, h2.BestEpoch, h2.EarlyStopped, h2.Stale, hFull.BestEpoch, hFull.EarlyStopped, hFull.Stale)
			}
		}
		if c.cfg.Patience > 0 && restored == 0 {
			t.Errorf("%s: no interruption fell after an epoch worse than the best, so the checkpoint's last weights went untested", c.name)
		}
	}
}

// interrupted trains c for k epochs, saves, loads and resumes up to
// c.cfg.Epochs, returning both histories and the final model.
func interrupted(t *testing.T, c resumeCase, k int) (h1, h2 History, _ *nn.Sequential[float64]) {
	t.Helper()
	part, loss, _ := Build(c.arch, 3)
	c1 := c.cfg
	c1.Epochs = k
	h1, err := Fit(part, loss, c.train, c.val, c1)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	meta := Meta{Arch: c.arch, Optimizer: "adam", OptimizerState: h1.OptimizerState, Epoch: h1.BestEpoch + h1.Stale,
		BestEpoch: h1.BestEpoch, BestLoss: h1.BestLoss, Stale: h1.Stale, Last: h1.Last}
	if err := Save(path, part, meta); err != nil {
		t.Fatal(err)
	}
	ck, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sameWeights(t, part, ck.Model)
	c2 := c.cfg
	c2.Resume = ck.Resume()
	h2, err = Fit(ck.Model, ck.Loss, c.train, c.val, c2)
	if err != nil {
		t.Fatal(err)
	}
	return h1, h2, ck.Model
}

func savedIris(t *testing.T) (string, *nn.Sequential[float64]) {
	t.Helper()
	arch := Arch{Kind: "softmax", Inputs: 4, Outputs: 3, Task: "classify", Classes: []string{"0", "1", "2"}}
	m, _, err := Build(arch, 1)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	st := &data.Standardizer{Mean: []float64{1, 2, 3, 4}, Scale: []float64{1, 1, 1, 1}}
	if err := Save(path, m, Meta{Arch: arch, Scaling: Scaling{Kind: "standard", Standard: st}}); err != nil {
		t.Fatal(err)
	}
	return path, m
}

func TestLoadRoundTrip(t *testing.T) {
	path, m := savedIris(t)
	ck, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sameWeights(t, m, ck.Model)
	if ck.Meta.Scaling.Standard == nil || ck.Meta.Scaling.Standard.Mean[3] != 4 || ck.Meta.Arch.Classes[2] != "2" {
		t.Errorf("metadata lost: %+v", ck.Meta)
	}
	if ck.Meta.OptimizerState != nil {
		t.Errorf("optimiser state from nowhere: %v", ck.Meta.OptimizerState)
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	path, _ := savedIris(t)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flipped := slices.Clone(raw)
	flipped[len(flipped)-3] ^= 0x10 // a bit of the last weight
	cases := map[string]struct {
		path string
		want string
	}{
		"truncated": {write("t", raw[:len(raw)-5]), "invalid safetensors"},
		"flipped":   {write("f", flipped), "checksum"},
		"empty":     {write("e", nil), "invalid safetensors"},
	}
	// A file with the wrong shape for the architecture (and a correct checksum).
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w := f.Tensors["0.weight"]
	w.Shape = []int{4, 3}
	f.Tensors["0.weight"] = w
	f.Metadata["checksum"] = checksum(f.Tensors)
	p := filepath.Join(dir, "shape")
	if err := safetensors.WriteFile(p, f.Tensors, f.Metadata); err != nil {
		t.Fatal(err)
	}
	cases["shape"] = struct{ path, want string }{p, "has shape [4 3], the architecture wants [3 4]"}
	// An extra tensor.
	f.Tensors["0.weight"] = safetensors.Tensor{DType: "F64", Shape: []int{3, 4}, F64: make([]float64, 12)}
	f.Tensors["1.weight"] = safetensors.Tensor{DType: "F64", Shape: []int{1}, F64: []float64{0}}
	f.Metadata["checksum"] = checksum(f.Tensors)
	p = filepath.Join(dir, "extra")
	if err := safetensors.WriteFile(p, f.Tensors, f.Metadata); err != nil {
		t.Fatal(err)
	}
	cases["extra"] = struct{ path, want string }{p, `unexpected tensor "1.weight"`}
	for name, c := range cases {
		_, err := Load(c.path)
		if err == nil || !errors.Is(err, ErrCheckpoint) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an ErrCheckpoint containing %q", name, err, c.want)
		}
	}
}

func TestFailedSaveKeepsOldFile(t *testing.T) {
	path, _ := savedIris(t)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, _, _ := Build(Arch{Kind: "linreg", Inputs: 2, Outputs: 1, Task: "regress"}, 0)
	// Optimiser state for the wrong number of parameters: Save must fail.
	err = Save(path, m, Meta{Arch: Arch{Kind: "linreg", Inputs: 2, Outputs: 1}, OptimizerState: make([]optim.ParamState[float64], 5)})
	if err == nil {
		t.Fatal("Save accepted a bad optimiser state")
	}
	after, _ := os.ReadFile(path)
	if !slices.Equal(before, after) {
		t.Error("a failed Save changed the existing file")
	}
}
