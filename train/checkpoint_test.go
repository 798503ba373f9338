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

// TestResumeBitForBit trains N epochs in one go and k + (N − k) with a
// checkpoint in between: weights and the later history must agree exactly.
func TestResumeBitForBit(t *testing.T) {
	ds := irisScaled(t)
	arch := Arch{Kind: "mlp", Inputs: 4, Outputs: 3, Hidden: []int{8}, Activation: "tanh", BatchNorm: true, Task: "classify"}
	adam := func(g []*optim.Group[float64]) (optim.Optimizer[float64], error) {
		return optim.NewAdam(g, optim.Adam{LR: 0.01})
	}
	cfg := Config{Epochs: 12, BatchSize: 16, Optimizer: adam, Schedule: optim.StepDecay{Size: 4, Gamma: 0.5}, Seed: 7}

	full, loss, err := Build(arch, 3)
	if err != nil {
		t.Fatal(err)
	}
	hFull, err := Fit(full, loss, ds, ds, cfg)
	if err != nil {
		t.Fatal(err)
	}

	part, loss, _ := Build(arch, 3)
	c1 := cfg
	c1.Epochs = 5
	h1, err := Fit(part, loss, ds, ds, c1)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := Save(path, part, Meta{Arch: arch, Optimizer: "adam", OptimizerState: h1.OptimizerState, Epoch: 5}); err != nil {
		t.Fatal(err)
	}
	ck, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	sameWeights(t, part, ck.Model)
	c2 := cfg
	c2.Resume = &Resume{Epoch: ck.Meta.Epoch, OptimizerState: ck.Meta.OptimizerState}
	h2, err := Fit(ck.Model, ck.Loss, ds, ds, c2)
	if err != nil {
		t.Fatal(err)
	}
	sameWeights(t, full, ck.Model)
	got := append(slices.Clone(h1.Epochs), h2.Epochs...)
	if len(got) != len(hFull.Epochs) {
		t.Fatalf("%d epochs resumed, %d in one go", len(got), len(hFull.Epochs))
	}
	for i := range got {
		if got[i] != hFull.Epochs[i] {
			t.Errorf("epoch %d: resumed %+v, in one go %+v", i+1, got[i], hFull.Epochs[i])
		}
	}
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
