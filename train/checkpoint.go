package train

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/internal/safetensors"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/tensor"
)

// Checkpoint format (design note)
//
// A checkpoint is a safetensors file (internal/safetensors), so PyTorch,
// NumPy and JAX can read the weights with the `safetensors` package:
//
//	tensors       the model's state dict (nn.StateDict: "0.weight", "0.bias",
//	              "1.running_mean" …), F64, shapes as in the model;
//	              "optim.<i>.<buffer>" the optimiser's buffer of parameter i
//	              (in Params order), F64, shape [size of parameter i]
//	              "last.<name>" the last epoch's weights and buffers when
//	              the model's are those of an earlier, better epoch (Meta.Last)
//	__metadata__  "format"       CheckpointFormat
//	              "architecture" JSON of Arch: how to rebuild the model
//	              "scaler"       JSON of Scaling: the fitted feature and target scalers
//	              "optimizer"    JSON of the optimiser name and per-parameter
//	                             step counts (absent: no state)
//	              "epoch"        epochs trained so far
//	              "early_stopping" JSON of the best epoch, its loss and the
//	                             epochs since (absent: no record)
//	              "batchnorm"    JSON of BatchNorm1d.NumBatches by layer index
//	              "dropout"      JSON of the hex state of each Dropout's
//	                             generator (nn.Dropout.Src) by layer index
//	              "flags"        JSON of the nabla train flags that made it
//	              "checksum"     SHA-256 over every tensor's name, shape and bits
//
// The checksum makes a flipped bit in the weights an error instead of a model
// that silently predicts nonsense; the safetensors reader already refuses
// truncated files and malformed headers.

// CheckpointFormat identifies the checkpoint layout in the metadata.
const CheckpointFormat = "nabla-checkpoint/1"

// Arch describes a model that Build can construct.
type Arch struct {
	// Kind is "linreg", "logreg", "softmax", "mlp" or "svm".
	Kind string `json:"kind"`
	// Inputs and Outputs are the numbers of features and model outputs.
	Inputs  int `json:"inputs"`
	Outputs int `json:"outputs"`
	// Hidden, Activation ("relu", "tanh", "sigmoid", "gelu"), BatchNorm and
	// Dropout describe an MLP.
	Hidden     []int   `json:"hidden,omitempty"`
	Activation string  `json:"activation,omitempty"`
	BatchNorm  bool    `json:"batchnorm,omitempty"`
	Dropout    float64 `json:"dropout,omitempty"`
	// Task is "classify" or "regress".
	Task string `json:"task"`
	// Classes are the class labels by index (classification).
	Classes []string `json:"classes,omitempty"`
	// Features name the input columns, in order; Target the target column.
	Features []string `json:"features,omitempty"`
	Target   string   `json:"target,omitempty"`
}

// Scaling is the preprocessing fitted on the training data.
type Scaling struct {
	// Kind is "standard", "minmax" or "none" (or empty).
	Kind     string             `json:"kind"`
	Standard *data.Standardizer `json:"standard,omitempty"`
	MinMax   *data.MinMaxScaler `json:"minmax,omitempty"`
	// Target, if set, standardises a regression target: the model predicts
	// (y − Mean[0]) / Scale[0].
	Target *data.Standardizer `json:"target,omitempty"`
}

// Transform applies the feature scaler to x (x itself for none).
func (s Scaling) Transform(x data.Matrix) data.Matrix {
	switch {
	case s.Standard != nil:
		return s.Standard.Transform(x)
	case s.MinMax != nil:
		return s.MinMax.Transform(x)
	}
	return x
}

// TransformInPlace applies the feature scaler to x, overwriting it.
func (s Scaling) TransformInPlace(x data.Matrix) {
	switch {
	case s.Standard != nil:
		s.Standard.TransformInPlace(x)
	case s.MinMax != nil:
		s.MinMax.TransformInPlace(x)
	}
}

// Meta is everything in a checkpoint besides the model's weights.
type Meta struct {
	Arch    Arch
	Scaling Scaling
	// Optimizer names the optimiser ("adam" …), for people;
	// OptimizerState is its state (nil: none saved).
	Optimizer      string
	OptimizerState []optim.ParamState[float64]
	// Epoch is the number of epochs trained.
	Epoch int
	// BestEpoch, BestLoss and Stale are the early-stopping record
	// (History's fields); BestEpoch 0: none.
	BestEpoch int
	BestLoss  float64
	Stale     int
	// Last holds the last epoch's weights and buffers (History.Last) when
	// the model holds those of BestEpoch; nil otherwise.
	Last map[string]*tensor.Tensor[float64]
	// Flags are the command-line flags that trained the model (nabla
	// train), by name without dashes; nil for none.
	Flags map[string]string
}

// earlyStopping is the "early_stopping" metadata.
type earlyStopping struct {
	BestEpoch int     `json:"best_epoch"`
	BestLoss  float64 `json:"best_loss"`
	Stale     int     `json:"stale"`
}

// Checkpoint is a loaded checkpoint: the rebuilt model with its weights,
// its loss and the metadata.
type Checkpoint struct {
	Model *nn.Sequential[float64]
	Loss  nn.Loss[float64]
	Meta  Meta
}

type optimMeta struct {
	Name  string `json:"name,omitempty"`
	Steps []int  `json:"steps"`
}

// Build constructs the model an Arch describes, with its loss, drawing the
// initial weights from data.NewRand(seed).
func Build(a Arch, seed uint64) (*nn.Sequential[float64], nn.Loss[float64], error) {
	if a.Inputs < 1 || a.Outputs < 1 {
		return nil, nil, fmt.Errorf("train: architecture with %d inputs and %d outputs", a.Inputs, a.Outputs)
	}
	rng := data.NewRand(seed)
	one := func(kind string) error {
		if a.Outputs != 1 {
			return fmt.Errorf("train: a %s model has 1 output, not %d", kind, a.Outputs)
		}
		return nil
	}
	switch a.Kind {
	case "linreg":
		if err := one(a.Kind); err != nil {
			return nil, nil, err
		}
		m, l := nn.LinearRegression[float64](a.Inputs, rng)
		return m, l, nil
	case "logreg":
		if err := one(a.Kind); err != nil {
			return nil, nil, err
		}
		m, l := nn.LogisticRegression[float64](a.Inputs, rng)
		return m, l, nil
	case "svm":
		if err := one(a.Kind); err != nil {
			return nil, nil, err
		}
		m, l := nn.LinearSVM[float64](a.Inputs, rng)
		return m, l, nil
	case "softmax":
		m, l := nn.SoftmaxRegression[float64](a.Inputs, a.Outputs, rng)
		return m, l, nil
	case "mlp":
		act, err := Activation(a.Activation)
		if err != nil {
			return nil, nil, err
		}
		for _, h := range a.Hidden {
			if h < 1 {
				return nil, nil, fmt.Errorf("train: hidden width %d; widths must be at least 1", h)
			}
		}
		if !(a.Dropout >= 0 && a.Dropout < 1) {
			return nil, nil, fmt.Errorf("train: dropout %g must lie in [0, 1)", a.Dropout)
		}
		m := nn.MLP[float64](a.Inputs, a.Hidden, a.Outputs, act, a.BatchNorm, a.Dropout, rng)
		var l nn.Loss[float64] = nn.MSE[float64]
		if a.Task == "classify" {
			l = nn.CrossEntropy[float64]
		}
		return m, l, nil
	}
	return nil, nil, fmt.Errorf("train: unknown model kind %q", a.Kind)
}

// ActivationNames are the activations Activation knows.
var ActivationNames = []string{"relu", "tanh", "sigmoid", "gelu"}

// Activation returns the activation module of a name ("" is relu).
func Activation(name string) (nn.Module[float64], error) {
	switch name {
	case "", "relu":
		return nn.ReLU[float64]{}, nil
	case "tanh":
		return nn.Tanh[float64]{}, nil
	case "sigmoid":
		return nn.Sigmoid[float64]{}, nil
	case "gelu":
		return nn.GELU[float64]{}, nil
	}
	return nil, fmt.Errorf("train: unknown activation %q; choose one of %s", name, strings.Join(ActivationNames, ", "))
}

// Save writes model and meta to path as a checkpoint (see the format note
// above). The write is atomic: if it fails, an existing file at path keeps
// its old content.
func Save(path string, model *nn.Sequential[float64], meta Meta) error {
	tensors := map[string]safetensors.Tensor{}
	sd := nn.StateDict[float64](model)
	for name, t := range sd {
		tensors[name] = f64Tensor(t)
	}
	if meta.Last != nil {
		for name := range sd {
			t, ok := meta.Last[name]
			if !ok || !tensor.SameShape(t, sd[name]) {
				return fmt.Errorf("train: Save: Meta.Last lacks the tensor %q of shape %v", name, sd[name].Shape())
			}
			tensors["last."+name] = f64Tensor(t)
		}
	}
	md := map[string]string{"format": CheckpointFormat, "epoch": strconv.Itoa(meta.Epoch)}
	put := func(key string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("train: saving %s: %w", key, err)
		}
		md[key] = string(b)
		return nil
	}
	if err := put("architecture", meta.Arch); err != nil {
		return err
	}
	if err := put("scaler", meta.Scaling); err != nil {
		return err
	}
	if meta.OptimizerState != nil {
		params := model.Params()
		if len(meta.OptimizerState) != len(params) {
			return fmt.Errorf("train: Save: optimiser state for %d parameters, the model has %d", len(meta.OptimizerState), len(params))
		}
		om := optimMeta{Name: meta.Optimizer, Steps: make([]int, len(params))}
		for i, ps := range meta.OptimizerState {
			om.Steps[i] = ps.Step
			for name, buf := range ps.Buffers {
				tensors[fmt.Sprintf("optim.%d.%s", i, name)] = safetensors.Tensor{DType: "F64", Shape: []int{len(buf)}, F64: slices.Clone(buf)}
			}
		}
		if err := put("optimizer", om); err != nil {
			return err
		}
	}
	if meta.BestEpoch > 0 {
		if err := put("early_stopping", earlyStopping{meta.BestEpoch, meta.BestLoss, meta.Stale}); err != nil {
			return err
		}
	}
	bn, drop := map[string]int{}, map[string]string{}
	for i, l := range model.Layers {
		switch l := l.(type) {
		case *nn.BatchNorm1d[float64]:
			bn[strconv.Itoa(i)] = l.NumBatches
		case *nn.Dropout[float64]:
			if l.Src != nil {
				b, err := l.Src.MarshalBinary()
				if err != nil {
					return fmt.Errorf("train: saving the generator of dropout layer %d: %w", i, err)
				}
				drop[strconv.Itoa(i)] = hex.EncodeToString(b)
			}
		}
	}
	if len(bn) > 0 {
		if err := put("batchnorm", bn); err != nil {
			return err
		}
	}
	if len(drop) > 0 {
		if err := put("dropout", drop); err != nil {
			return err
		}
	}
	if meta.Flags != nil {
		if err := put("flags", meta.Flags); err != nil {
			return err
		}
	}
	md["checksum"] = checksum(tensors)
	if err := safetensors.WriteFile(path, tensors, md); err != nil {
		return fmt.Errorf("train: saving the checkpoint: %w", err)
	}
	return nil
}

// f64Tensor returns a copy of t for the file.
func f64Tensor(t *tensor.Tensor[float64]) safetensors.Tensor {
	return safetensors.Tensor{DType: "F64", Shape: slices.Clone(t.Shape()), F64: slices.Clone(t.Contiguous().Data())}
}

// checksum hashes the tensors' names, shapes and values in name order.
func checksum(tensors map[string]safetensors.Tensor) string {
	h := sha256.New()
	var b [8]byte
	for _, name := range slices.Sorted(maps.Keys(tensors)) {
		t := tensors[name]
		h.Write([]byte(name))
		h.Write([]byte{0})
		for _, d := range t.Shape {
			binary.LittleEndian.PutUint64(b[:], uint64(d))
			h.Write(b[:])
		}
		for _, v := range t.F64 {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
			h.Write(b[:])
		}
		for _, v := range t.F32 {
			binary.LittleEndian.PutUint32(b[:4], math.Float32bits(v))
			h.Write(b[:4])
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ErrCheckpoint is wrapped by every error about a checkpoint that cannot be
// used: malformed, corrupted, or not matching its architecture.
var ErrCheckpoint = errors.New("invalid checkpoint")

// Load reads a checkpoint written by Save, rebuilds the model from its
// architecture with the nn constructors and copies the weights in. It
// refuses (with an error wrapping ErrCheckpoint, and safetensors.ErrInvalid
// for a malformed file) truncated or corrupted files, a checksum that does
// not match, missing or unexpected tensors and shapes that differ from the
// architecture's.
func Load(path string) (*Checkpoint, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrCheckpoint, path, err)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %s: %s", ErrCheckpoint, path, fmt.Sprintf(format, args...))
	}
	md := f.Metadata
	if md["format"] != CheckpointFormat {
		return nil, bad("format %q in the metadata, want %q (is this a nabla checkpoint?)", md["format"], CheckpointFormat)
	}
	if sum := checksum(f.Tensors); md["checksum"] != sum {
		return nil, bad("the checksum does not match the tensors: the file is corrupted")
	}
	var meta Meta
	if err := json.Unmarshal([]byte(md["architecture"]), &meta.Arch); err != nil {
		return nil, bad("architecture: %v", err)
	}
	if err := json.Unmarshal([]byte(md["scaler"]), &meta.Scaling); err != nil {
		return nil, bad("scaler: %v", err)
	}
	if err := checkScaling(meta.Scaling, meta.Arch.Inputs); err != nil {
		return nil, bad("scaler: %v", err)
	}
	if meta.Epoch, err = strconv.Atoi(md["epoch"]); err != nil || meta.Epoch < 0 {
		return nil, bad("epoch %q is not a count", md["epoch"])
	}
	model, loss, err := Build(meta.Arch, 0)
	if err != nil {
		return nil, bad("%v", err)
	}
	used := map[string]bool{}
	// read copies the file's tensor name into dst.
	read := func(name string, dst *tensor.Tensor[float64]) error {
		t, ok := f.Tensors[name]
		if !ok {
			return bad("the %s model has a tensor %q that the file lacks", meta.Arch.Kind, name)
		}
		if !slices.Equal(t.Shape, dst.Shape()) {
			return bad("tensor %q has shape %v, the architecture wants %v", name, t.Shape, dst.Shape())
		}
		vals := t.F64
		if t.DType == "F32" {
			vals = make([]float64, len(t.F32))
			for i, v := range t.F32 {
				vals[i] = float64(v)
			}
		}
		for i, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return bad("tensor %q holds %v at element %d", name, v, i)
			}
		}
		copy(dst.Data(), vals)
		used[name] = true
		return nil
	}
	sd := nn.StateDict[float64](model)
	for _, name := range slices.Sorted(maps.Keys(sd)) {
		if err := read(name, sd[name]); err != nil {
			return nil, err
		}
	}
	if slices.ContainsFunc(slices.Collect(maps.Keys(f.Tensors)), func(name string) bool { return strings.HasPrefix(name, "last.") }) {
		meta.Last = map[string]*tensor.Tensor[float64]{}
		for _, name := range slices.Sorted(maps.Keys(sd)) {
			meta.Last[name] = tensor.New[float64](sd[name].Shape()...)
			if err := read("last."+name, meta.Last[name]); err != nil {
				return nil, err
			}
		}
	}
	if s := md["early_stopping"]; s != "" {
		var es earlyStopping
		if err := json.Unmarshal([]byte(s), &es); err != nil {
			return nil, bad("early_stopping: %v", err)
		}
		if es.BestEpoch < 1 || es.BestEpoch > meta.Epoch || es.Stale < 0 || es.Stale > meta.Epoch-es.BestEpoch {
			return nil, bad("early_stopping: best epoch %d, %d epochs since, of %d", es.BestEpoch, es.Stale, meta.Epoch)
		}
		meta.BestEpoch, meta.BestLoss, meta.Stale = es.BestEpoch, es.BestLoss, es.Stale
	}
	if s := md["flags"]; s != "" {
		if err := json.Unmarshal([]byte(s), &meta.Flags); err != nil {
			return nil, bad("flags: %v", err)
		}
	}
	if s := md["batchnorm"]; s != "" {
		var bn map[string]int
		if err := json.Unmarshal([]byte(s), &bn); err != nil {
			return nil, bad("batchnorm: %v", err)
		}
		for k, v := range bn {
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(model.Layers) {
				return nil, bad("batchnorm: no layer %q", k)
			}
			b, ok := model.Layers[i].(*nn.BatchNorm1d[float64])
			if !ok {
				return nil, bad("batchnorm: layer %d is not a BatchNorm1d", i)
			}
			b.NumBatches = v
		}
	}
	if s := md["dropout"]; s != "" {
		var drop map[string]string
		if err := json.Unmarshal([]byte(s), &drop); err != nil {
			return nil, bad("dropout: %v", err)
		}
		for k, v := range drop {
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(model.Layers) {
				return nil, bad("dropout: no layer %q", k)
			}
			d, ok := model.Layers[i].(*nn.Dropout[float64])
			if !ok || d.Src == nil {
				return nil, bad("dropout: layer %d is not a Dropout", i)
			}
			b, err := hex.DecodeString(v)
			if err == nil {
				err = d.Src.UnmarshalBinary(b)
			}
			if err != nil {
				return nil, bad("dropout: the generator state of layer %d: %v", i, err)
			}
		}
	}
	if s := md["optimizer"]; s != "" {
		var om optimMeta
		if err := json.Unmarshal([]byte(s), &om); err != nil {
			return nil, bad("optimizer: %v", err)
		}
		params := model.Params()
		if len(om.Steps) != len(params) {
			return nil, bad("optimizer: step counts for %d parameters, the model has %d", len(om.Steps), len(params))
		}
		meta.Optimizer = om.Name
		meta.OptimizerState = make([]optim.ParamState[float64], len(params))
		for i := range params {
			meta.OptimizerState[i] = optim.ParamState[float64]{Step: om.Steps[i], Buffers: map[string][]float64{}}
		}
		for name, t := range f.Tensors {
			rest, ok := strings.CutPrefix(name, "optim.")
			if !ok {
				continue
			}
			is, buf, ok := strings.Cut(rest, ".")
			i, err := strconv.Atoi(is)
			if !ok || err != nil || i < 0 || i >= len(params) || buf == "" {
				return nil, bad("optimiser tensor %q names no parameter of the model (0 … %d)", name, len(params)-1)
			}
			if t.DType != "F64" {
				return nil, bad("optimiser tensor %q is %s, want F64", name, t.DType)
			}
			if size := params[i].Value().Size(); len(t.Shape) != 1 || t.Shape[0] != size {
				return nil, bad("optimiser tensor %q has shape %v, parameter %d has %d elements", name, t.Shape, i, size)
			}
			meta.OptimizerState[i].Buffers[buf] = slices.Clone(t.F64)
			used[name] = true
		}
	}
	for name := range f.Tensors {
		if !used[name] {
			return nil, bad("unexpected tensor %q: the %s architecture has no such parameter or buffer", name, meta.Arch.Kind)
		}
	}
	nn.Eval(model)
	return &Checkpoint{Model: model, Loss: loss, Meta: meta}, nil
}

// checkScaling checks that the scalers fit n features.
func checkScaling(s Scaling, n int) error {
	switch s.Kind {
	case "standard":
		if s.Standard == nil || len(s.Standard.Mean) != n || len(s.Standard.Scale) != n {
			return fmt.Errorf("the standard scaler does not have %d columns", n)
		}
	case "minmax":
		if s.MinMax == nil || len(s.MinMax.Min) != n || len(s.MinMax.Max) != n {
			return fmt.Errorf("the minmax scaler does not have %d columns", n)
		}
	case "", "none":
	default:
		return fmt.Errorf("unknown scaler %q", s.Kind)
	}
	if s.Target != nil && (len(s.Target.Mean) != 1 || len(s.Target.Scale) != 1) {
		return errors.New("the target scaler must have one column")
	}
	return nil
}

// Resume prepares the loaded model to continue training and returns the
// Config.Resume that continues the run it came from: the epoch count, the
// optimiser state and the early-stopping record. When the checkpoint holds
// the best epoch's weights and the last epoch's separately (Meta.Last), the
// last ones go into the model, to train on, and the best ones into
// Resume.Best; Meta.Last is then nil, so a second call changes nothing.
func (c *Checkpoint) Resume() *Resume {
	r := &Resume{Epoch: c.Meta.Epoch, OptimizerState: c.Meta.OptimizerState,
		BestEpoch: c.Meta.BestEpoch, BestLoss: c.Meta.BestLoss, Stale: c.Meta.Stale}
	if c.Meta.Last != nil {
		r.Best = stateDictCopy(c.Model)
		// Load checked that Last has every tensor with its shape.
		if err := loadStateDict(c.Model, c.Meta.Last); err != nil {
			panic("train: Checkpoint.Resume: " + err.Error())
		}
		c.Meta.Last = nil
	}
	return r
}
