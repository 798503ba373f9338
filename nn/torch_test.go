package nn

// Reference values from PyTorch 1.13 in float64, produced by
// testdata/gen_torch.py (see its header for how to regenerate and what each
// field means) and committed as testdata/torch_layers.json: the layers, an MLP,
// the losses and an L2-regularised SGD trajectory must reproduce them to
// torchTol relative error.

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/tensor"
)

// torchTol is the relative tolerance against PyTorch: |got − want| ≤
// torchTol·max(|got|, |want|) entry by entry, with a floor of torchFloor·‖want‖∞
// on the scale for entries that are tiny next to the rest of their tensor
// (values that come out of cancellation, where the last bits of either
// implementation are noise).
const (
	torchTol   = 1e-12
	torchFloor = 1e-3
	torchZero  = 1e-14 // for gradients that are exactly 0 in exact arithmetic
)

// ndArray is a tensor decoded from nested JSON lists.
type ndArray struct {
	Data  []float64
	Shape []int
}

func (a *ndArray) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	a.Data, a.Shape = nil, []int{}
	return a.walk(v, 0)
}

func (a *ndArray) walk(v any, depth int) error {
	switch v := v.(type) {
	case float64:
		if depth != len(a.Shape) {
			return fmt.Errorf("ragged nested list at depth %d", depth)
		}
		a.Data = append(a.Data, v)
	case []any:
		switch {
		case depth == len(a.Shape) && len(a.Data) == 0:
			a.Shape = append(a.Shape, len(v))
		case depth >= len(a.Shape) || a.Shape[depth] != len(v):
			return fmt.Errorf("ragged nested list at depth %d", depth)
		}
		for _, e := range v {
			if err := a.walk(e, depth+1); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unexpected JSON value %T", v)
	}
	return nil
}

func (a ndArray) tensor() *tensor.Tensor[float64] {
	return tensor.FromSlice(slices.Clone(a.Data), a.Shape...)
}

func (a ndArray) ints() []int {
	out := make([]int, len(a.Data))
	for i, v := range a.Data {
		out[i] = int(v)
		if float64(out[i]) != v {
			panic(fmt.Sprintf("non-integer label %v", v))
		}
	}
	return out
}

// torchPass is one forward/backward of L = Σ(out ⊙ w).
type torchPass struct {
	X           ndArray            `json:"x"`
	W           ndArray            `json:"w"`
	Out         ndArray            `json:"out"`
	GradX       ndArray            `json:"grad_x"`
	Grads       map[string]ndArray `json:"grads"`
	RunningMean *ndArray           `json:"running_mean"`
	RunningVar  *ndArray           `json:"running_var"`
	NumBatches  *int               `json:"num_batches_tracked"`
	Buffers     map[string]any     `json:"buffers"`
}

type torchFile struct {
	Torch  string `json:"torch"`
	Linear struct {
		In    int                `json:"in"`
		Out   int                `json:"out_features"`
		State map[string]ndArray `json:"state"`
		torchPass
	} `json:"linear"`
	Activations []struct {
		Name  string  `json:"name"`
		Slope float64 `json:"slope"`
		Dim   int     `json:"dim"`
		torchPass
	} `json:"activations"`
	BatchNorm []struct {
		Name     string             `json:"name"`
		Channels int                `json:"channels"`
		Momentum float64            `json:"momentum"`
		Eps      float64            `json:"eps"`
		State    map[string]ndArray `json:"state"`
		Steps    []torchPass        `json:"steps"`
		Eval     torchPass          `json:"eval"`
	} `json:"batchnorm"`
	MLP struct {
		State map[string]ndArray `json:"state"`
		Train torchPass          `json:"train"`
		Eval  torchPass          `json:"eval"`
	} `json:"mlp"`
	Losses []struct {
		Name      string  `json:"name"`
		Input     ndArray `json:"input"`
		Target    ndArray `json:"target"`
		Loss      float64 `json:"loss"`
		GradInput ndArray `json:"grad_input"`
	} `json:"losses"`
	L2SGD struct {
		LR          float64            `json:"lr"`
		WeightDecay float64            `json:"weight_decay"`
		X           ndArray            `json:"x"`
		Y           ndArray            `json:"y"`
		State       map[string]ndArray `json:"state"`
		Trajectory  []struct {
			Loss  float64            `json:"loss"`
			State map[string]ndArray `json:"state"`
		} `json:"trajectory"`
	} `json:"l2_sgd"`
}

func loadTorch(t *testing.T) *torchFile {
	t.Helper()
	b, err := os.ReadFile("testdata/torch_layers.json")
	if err != nil {
		t.Fatal(err)
	}
	var f torchFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("testdata/torch_layers.json: %v", err)
	}
	return &f
}

// torchCmp compares against PyTorch and remembers the worst relative error.
type torchCmp struct {
	t     *testing.T
	worst float64
	where string
}

func (c *torchCmp) values(what string, got []float64, gotShape []int, want ndArray) {
	c.t.Helper()
	if !slices.Equal(gotShape, want.Shape) {
		c.t.Errorf("%s: shape %v, want %v", what, gotShape, want.Shape)
		return
	}
	floor := 0.0
	for _, w := range want.Data {
		floor = math.Max(floor, torchFloor*math.Abs(w))
	}
	bad := 0
	for i, w := range want.Data {
		g := got[i]
		d := math.Abs(g - w)
		if d == 0 {
			continue
		}
		rel := d / math.Max(math.Max(math.Abs(g), math.Abs(w)), floor)
		if rel > c.worst {
			c.worst, c.where = rel, fmt.Sprintf("%s[%d]", what, i)
		}
		if !(rel <= torchTol) {
			if bad++; bad <= 3 {
				c.t.Errorf("%s[%d] = %.17g, want %.17g (rel err %.3g)", what, i, g, w, rel)
			}
		}
	}
}

func (c *torchCmp) tensor(what string, got *tensor.Tensor[float64], want ndArray) {
	c.t.Helper()
	c.values(what, got.Contiguous().Data(), got.Shape(), want)
}

func (c *torchCmp) scalar(what string, got, want float64) {
	c.t.Helper()
	c.values(what, []float64{got}, []int{}, ndArray{Data: []float64{want}, Shape: []int{}})
}

func (c *torchCmp) report() {
	c.t.Helper()
	if c.worst == 0 {
		c.t.Logf("bit-identical to PyTorch")
	} else {
		c.t.Logf("worst relative error %.3g at %s", c.worst, c.where)
	}
}

// loadState copies a PyTorch state dict into m by name, requiring the names to
// match exactly (num_batches_tracked is not in the recorded state).
func loadState(t *testing.T, m Module[float64], state map[string]ndArray) {
	t.Helper()
	sd := StateDict(m)
	var got, want []string
	for k := range sd {
		got = append(got, k)
	}
	for k := range state {
		want = append(want, k)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("state dict names %v, PyTorch has %v", got, want)
	}
	for k, v := range state {
		if !slices.Equal(sd[k].Shape(), v.Shape) {
			t.Fatalf("%s: shape %v, PyTorch has %v", k, sd[k].Shape(), v.Shape)
		}
		sd[k].CopyFrom(v.tensor())
	}
}

// runPass does one forward/backward of L = Σ(out ⊙ w) on m and compares the
// output and the gradients with respect to the input and every parameter.
//
// Gradients named in zero are mathematically zero (a bias followed by a
// training-mode BatchNorm1d, which subtracts the batch mean): both sides hold
// rounding noise there, so they are only required to be below torchZero.
func runPass(c *torchCmp, what string, m Module[float64], p torchPass, zero ...string) {
	c.t.Helper()
	for _, q := range m.Params() {
		q.ZeroGrad()
	}
	x := autodiff.Param(p.X.tensor())
	out := m.Forward(x)
	if err := weighted(out, p.W.tensor()).Backward(); err != nil {
		c.t.Fatalf("%s: backward: %v", what, err)
	}
	c.tensor(what+" out", out.Value(), p.Out)
	c.tensor(what+" grad x", x.Grad(), p.GradX)
	if len(m.Params()) != len(p.Grads) {
		c.t.Errorf("%s: %d parameters, PyTorch has %d", what, len(m.Params()), len(p.Grads))
	}
	for _, q := range m.Params() {
		want, ok := p.Grads[q.Name()]
		if !ok {
			c.t.Errorf("%s: parameter %q unknown to PyTorch", what, q.Name())
			continue
		}
		if slices.Contains(zero, q.Name()) {
			for i, g := range q.Grad().Contiguous().Data() {
				if math.Abs(g) > torchZero || math.Abs(want.Data[i]) > torchZero {
					c.t.Errorf("%s grad %s[%d] = %.3g, PyTorch %.3g; want 0 up to %g", what, q.Name(), i, g, want.Data[i], torchZero)
				}
			}
			continue
		}
		c.tensor(what+" grad "+q.Name(), q.Grad(), want)
	}
}

func TestTorchLinear(t *testing.T) {
	f := loadTorch(t)
	c := &torchCmp{t: t}
	lc := f.Linear
	m := NewLinear[float64](lc.In, lc.Out, newRng(1))
	loadState(t, m, lc.State)
	runPass(c, "Linear", m, lc.torchPass)
	c.report()
}

func TestTorchActivations(t *testing.T) {
	f := loadTorch(t)
	if len(f.Activations) != 6 {
		t.Fatalf("%d activation cases, want 6", len(f.Activations))
	}
	for _, a := range f.Activations {
		t.Run(a.Name, func(t *testing.T) {
			var m Module[float64]
			switch a.Name {
			case "Sigmoid":
				m = Sigmoid[float64]{}
			case "Tanh":
				m = Tanh[float64]{}
			case "ReLU":
				m = ReLU[float64]{}
			case "LeakyReLU":
				m = LeakyReLU[float64]{Slope: a.Slope}
			case "GELU":
				m = GELU[float64]{}
			case "Softmax":
				m = NewSoftmax[float64](a.Dim)
			default:
				t.Fatalf("unknown activation %q", a.Name)
			}
			c := &torchCmp{t: t}
			runPass(c, a.Name, m, a.torchPass)
			c.report()
		})
	}
}

func checkBuffers(c *torchCmp, what string, bn *BatchNorm1d[float64], rm, rv ndArray, n int) {
	c.t.Helper()
	c.tensor(what+" running_mean", bn.RunningMean, rm)
	c.tensor(what+" running_var", bn.RunningVar, rv)
	if bn.NumBatches != n {
		c.t.Errorf("%s num_batches_tracked = %d, want %d", what, bn.NumBatches, n)
	}
}

func TestTorchBatchNorm1d(t *testing.T) {
	f := loadTorch(t)
	if len(f.BatchNorm) != 2 {
		t.Fatalf("%d BatchNorm1d cases, want 2", len(f.BatchNorm))
	}
	for _, bc := range f.BatchNorm {
		t.Run(bc.Name, func(t *testing.T) {
			c := &torchCmp{t: t}
			bn := NewBatchNorm1d[float64](bc.Channels)
			if bn.Momentum != bc.Momentum || bn.Eps != bc.Eps {
				t.Errorf("momentum, eps = %v, %v; PyTorch's %v, %v", bn.Momentum, bn.Eps, bc.Momentum, bc.Eps)
			}
			loadState(t, bn, bc.State)
			for i, s := range bc.Steps {
				what := fmt.Sprintf("train step %d", i+1)
				runPass(c, what, bn, s)
				checkBuffers(c, what, bn, *s.RunningMean, *s.RunningVar, *s.NumBatches)
			}
			Eval(bn)
			runPass(c, "eval", bn, bc.Eval)
			checkBuffers(c, "eval", bn, *bc.Eval.RunningMean, *bc.Eval.RunningVar, *bc.Eval.NumBatches)
			c.report()
		})
	}
}

func TestTorchMLP(t *testing.T) {
	f := loadTorch(t)
	rng := newRng(2)
	bn := NewBatchNorm1d[float64](6)
	m := NewSequential[float64](NewLinear[float64](4, 6, rng), bn, Tanh[float64]{}, NewLinear[float64](6, 3, rng))
	loadState(t, m, f.MLP.State)
	c := &torchCmp{t: t}
	for _, step := range []struct {
		name string
		p    torchPass
	}{{"train", f.MLP.Train}, {"eval", f.MLP.Eval}} {
		if step.name == "eval" {
			Eval(m)
		}
		var zero []string
		if step.name == "train" {
			zero = []string{"0.bias"}
		}
		runPass(c, "MLP "+step.name, m, step.p, zero...)
		bufs := m.Buffers()
		for _, k := range []string{"1.running_mean", "1.running_var"} {
			var want ndArray
			raw, _ := json.Marshal(step.p.Buffers[k])
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			c.tensor("MLP "+step.name+" "+k, bufs[k], want)
		}
		if n, ok := step.p.Buffers["1.num_batches_tracked"].(float64); !ok || bn.NumBatches != int(n) {
			t.Errorf("MLP %s: num_batches_tracked = %d, want %v", step.name, bn.NumBatches, step.p.Buffers["1.num_batches_tracked"])
		}
	}
	c.report()
}

func TestTorchLosses(t *testing.T) {
	f := loadTorch(t)
	if len(f.Losses) != 4 {
		t.Fatalf("%d loss cases, want 4", len(f.Losses))
	}
	for _, lc := range f.Losses {
		t.Run(lc.Name, func(t *testing.T) {
			z := autodiff.Param(lc.Input.tensor())
			var loss *V
			switch lc.Name {
			case "MSELoss":
				loss = MSE(z, autodiff.Const(lc.Target.tensor()))
			case "BCEWithLogitsLoss":
				loss = BCEWithLogits(z, autodiff.Const(lc.Target.tensor()))
			case "CrossEntropyLoss":
				loss = SoftmaxCrossEntropy(z, lc.Target.ints())
			case "Hinge":
				loss = Hinge(z, autodiff.Const(lc.Target.tensor()))
			default:
				t.Fatalf("unknown loss %q", lc.Name)
			}
			if err := loss.Backward(); err != nil {
				t.Fatal(err)
			}
			c := &torchCmp{t: t}
			c.scalar(lc.Name+" value", loss.Item(), lc.Loss)
			c.tensor(lc.Name+" grad", z.Grad(), lc.GradInput)
			c.report()
		})
	}
}

// TestTorchL2SGD checks nabla's L2 convention, λ/2·Σw² with gradient λ·w,
// against torch.optim.SGD(weight_decay=λ): plain SGD on loss + L2(λ, all
// parameters) must follow PyTorch's trajectory, and so must optim.SGD with
// WeightDecay λ on the bare loss.
func TestTorchL2SGD(t *testing.T) {
	f := loadTorch(t)
	lc := f.L2SGD
	if len(lc.Trajectory) == 0 {
		t.Fatal("no trajectory")
	}
	for _, viaPenalty := range []bool{true, false} {
		name := "optim.SGD WeightDecay"
		if viaPenalty {
			name = "nn.L2 penalty"
		}
		t.Run(name, func(t *testing.T) {
			m := NewSequential[float64](NewLinear[float64](lc.X.Shape[1], 1, newRng(3)))
			loadState(t, m, lc.State)
			s := optim.SGD{LR: lc.LR}
			if !viaPenalty {
				s.WeightDecay = lc.WeightDecay
			}
			opt, err := optim.NewSGD(optim.Params(m.Params()...), s)
			if err != nil {
				t.Fatal(err)
			}
			x, y := autodiff.Const(lc.X.tensor()), autodiff.Const(lc.Y.tensor())
			c := &torchCmp{t: t}
			for i, step := range lc.Trajectory {
				optim.ZeroGrad(opt)
				loss := BCEWithLogits(m.Forward(x), y)
				obj := loss
				if viaPenalty {
					obj = autodiff.Add(loss, L2(lc.WeightDecay, m.Params()))
				}
				if err := obj.Backward(); err != nil {
					t.Fatal(err)
				}
				if err := opt.Step(); err != nil {
					t.Fatal(err)
				}
				what := fmt.Sprintf("step %d", i+1)
				c.scalar(what+" loss", loss.Item(), step.Loss)
				sd := StateDict(m)
				for k, want := range step.State {
					c.tensor(what+" "+k, sd[k], want)
				}
			}
			c.report()
		})
	}
}
