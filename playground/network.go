package playground

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/tensor"
	"github.com/nabla-go/nabla/train"
)

// The choices of the network view.
var (
	datasetNames    = []string{"circles", "xor", "spirals", "linear"}
	activationNames = []string{"tanh", "relu", "sigmoid", "leaky_relu", "gelu"}
	// initNames: default is PyTorch's Linear init U(±1/√fan_in); xavier is
	// Glorot uniform with the activation's gain; kaiming is He normal;
	// small is N(0, 0.01²) (gradients vanish with depth); large is N(0, 1)
	// (activations saturate or explode); zeros keeps every unit of a layer
	// identical (symmetry is never broken).
	initNames = []string{"default", "xavier", "kaiming", "small", "large", "zeros"}
)

// boundaryBox is the square the toy data live in and the decision boundary
// is drawn over.
var boundaryBox = Box{-1.5, 1.5, -1.5, 1.5}

// TrainRequest asks for an MLP trained on toy data (POST /api/train).
type TrainRequest struct {
	Dataset    string        `json:"dataset"`    // circles, xor, spirals or linear; default circles
	Seed       uint64        `json:"seed"`       // seeds the data and the initial weights
	Points     int           `json:"points"`     // examples, 10 … MaxPoints; default 200
	Noise      float64       `json:"noise"`      // standard deviation of the noise added to the points, [0, 1]
	Depth      *int          `json:"depth"`      // hidden layers, 0 … MaxLayers (0: logistic regression); default 2
	Width      int           `json:"width"`      // units per hidden layer, 1 … MaxWidth; default 8
	Activation string        `json:"activation"` // default tanh
	Init       string        `json:"init"`       // default "default"
	Optimizer  OptimizerSpec `json:"optimizer"`  // default adam with lr 0.01 (also when only Name is empty)
	Epochs     int           `json:"epochs"`     // full-batch epochs, 1 … MaxEpochs; default 200
	Every      int           `json:"every"`      // a snapshot every this many epochs; raised to keep within MaxSnapshots; default 10
	Grid       int           `json:"grid"`       // probability grid points per side, 2 … 100; default 40
}

// Snapshot is the model after Epoch epochs (0: as initialised).
type Snapshot struct {
	Epoch    int    `json:"epoch"`
	Loss     Float  `json:"loss"`     // the mean binary cross-entropy on the data, in evaluation mode
	Accuracy Float  `json:"accuracy"` // the fraction of points classified right
	Probs    Probs  `json:"probs"`    // P(class 1) on the grid, laid out as Box.grid describes
	Weights  Floats `json:"weights"`  // ‖W‖ (Frobenius) of each Linear layer
}

// TrainResponse is the whole training run.
type TrainResponse struct {
	Box    Box      `json:"box"`
	X      Floats   `json:"x"` // the data points
	Y      Floats   `json:"y"`
	Label  []int    `json:"label"` // 0 or 1
	Layers []string `json:"layers"`
	Grid   int      `json:"grid"`
	Every  int      `json:"every"` // the snapshot interval used
	// Loss[e] is the training loss of epoch e+1, measured before its step.
	Loss Floats `json:"loss"`
	// GradNorms[l][e] is ‖∂J/∂W_l‖ (Frobenius) of layer l's weight in epoch
	// e+1: a norm shrinking toward the input layers shows vanishing
	// gradients, one growing shows exploding gradients.
	GradNorms []Floats   `json:"grad_norms"`
	Snapshots []Snapshot `json:"snapshots"`
	Stopped   string     `json:"stopped,omitempty"` // why training ended early (the loss became NaN)
}

// maxProbValues bounds snapshots × grid², the probabilities in one answer.
const maxProbValues = 400_000

// settings checks the request, fills in the defaults and returns them.
func (req TrainRequest) settings(lim Limits) (TrainRequest, error) {
	if req.Dataset == "" {
		req.Dataset = "circles"
	}
	if req.Activation == "" {
		req.Activation = "tanh"
	}
	if req.Init == "" {
		req.Init = "default"
	}
	if req.Optimizer.Name == "" {
		req.Optimizer.Name = "adam"
		if req.Optimizer.LR == 0 {
			req.Optimizer.LR = 0.01
		}
	}
	req.Points, req.Width, req.Epochs = cmpOr(req.Points, 200), cmpOr(req.Width, 8), cmpOr(req.Epochs, 200)
	req.Every, req.Grid = cmpOr(req.Every, 10), cmpOr(req.Grid, 40)
	if req.Depth == nil {
		req.Depth = new(2)
	}
	for _, c := range []struct {
		name      string
		v, lo, hi int
	}{
		{"points", req.Points, 10, lim.MaxPoints},
		{"depth", *req.Depth, 0, lim.MaxLayers},
		{"width", req.Width, 1, lim.MaxWidth},
		{"epochs", req.Epochs, 1, lim.MaxEpochs},
		{"every", req.Every, 1, lim.MaxEpochs},
		{"grid", req.Grid, 2, min(100, lim.MaxGrid)},
	} {
		if c.v < c.lo || c.v > c.hi {
			return req, badRequest("%s = %d must lie in [%d, %d]", c.name, c.v, c.lo, c.hi)
		}
	}
	if !(req.Noise >= 0 && req.Noise <= 1) {
		return req, badRequest("noise = %g must lie in [0, 1]", req.Noise)
	}
	for _, c := range []struct {
		what, v string
		in      []string
	}{{"data set", req.Dataset, datasetNames}, {"activation", req.Activation, activationNames}, {"initialisation", req.Init, initNames}} {
		if !slices.Contains(c.in, c.v) {
			return req, badRequest("unknown %s %q; choose one of %s", c.what, c.v, strings.Join(c.in, ", "))
		}
	}
	if _, err := req.Optimizer.factory(); err != nil {
		return req, err
	}
	if n := (req.Epochs + req.Every - 1) / req.Every; n >= lim.MaxSnapshots {
		req.Every = (req.Epochs + lim.MaxSnapshots - 2) / (lim.MaxSnapshots - 1)
	}
	if snaps := req.Epochs/req.Every + 2; snaps*req.Grid*req.Grid > maxProbValues {
		return req, badRequest("%d snapshots of a %d×%d grid is too much to send; raise every or lower grid", snaps, req.Grid, req.Grid)
	}
	params := 0
	prev := 2
	for range *req.Depth {
		params += prev*req.Width + req.Width
		prev = req.Width
	}
	params += prev + 1
	if work := float64(req.Epochs) * float64(req.Points) * float64(params); work > lim.MaxTrainWork {
		return req, badRequest("epochs × points × parameters = %d × %d × %d is over the limit of %.3g; use fewer epochs, points or units", req.Epochs, req.Points, params, lim.MaxTrainWork)
	}
	return req, nil
}

func trainHandler(ctx context.Context, lim Limits, body []byte) (any, error) {
	var req TrainRequest
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	req, err := req.settings(lim)
	if err != nil {
		return nil, err
	}
	newOpt, err := req.Optimizer.factory()
	if err != nil {
		return nil, err
	}
	ds := toyData(req.Dataset, req.Points, req.Noise, req.Seed)
	rng := rand.New(rand.NewPCG(req.Seed, 0x6e61626c61)) // weights: a stream apart from the data's
	model, linears := buildMLP(req, rng)

	out := TrainResponse{Box: boundaryBox, X: make(Floats, ds.Len()), Y: make(Floats, ds.Len()), Label: ds.Labels, Grid: req.Grid, Every: req.Every}
	for i := range ds.Len() {
		out.X[i], out.Y[i] = ds.X.At(i, 0), ds.X.At(i, 1)
	}
	for i, l := range linears {
		s := l.Weight.Shape()
		out.Layers = append(out.Layers, fmt.Sprintf("layer %d: %d→%d", i+1, s[1], s[0]))
	}
	out.GradNorms = make([]Floats, len(linears))
	gx, gy := boundaryBox.grid(req.Grid)
	gridX := autodiff.Const(tensor.FromSlice(interleave(gx, gy), len(gx), 2))
	dataX := autodiff.Const(ds.X.Tensor())
	snapshot := func(epoch int) {
		s := Snapshot{Epoch: epoch}
		autodiff.NoGrad(func() {
			logits := model.Forward(dataX).Value().Data()
			s.Loss, s.Accuracy = binaryLossAccuracy(logits, ds.Labels)
			s.Probs = sigmoid(model.Forward(gridX).Value().Data())
		}, model.Params()...)
		for _, l := range linears {
			s.Weights = append(s.Weights, frobenius(l.Weight.Value().Data()))
		}
		out.Snapshots = append(out.Snapshots, s)
	}
	nn.Eval(model)
	snapshot(0)
	cfg := train.Config{
		Epochs:    req.Epochs,
		Optimizer: newOpt,
		Seed:      req.Seed,
		// Full batch: one optimiser step per epoch. OnBatch runs after the
		// step, before the next epoch zeroes the gradients, so the weights'
		// gradients are still those the step used.
		OnBatch: func(train.Batch) {
			for i, l := range linears {
				n := math.NaN()
				if g := l.Weight.Grad(); g != nil {
					n = frobenius(g.Data())
				}
				out.GradNorms[i] = append(out.GradNorms[i], n)
			}
		},
		OnEpoch: func(e train.Epoch) error {
			out.Loss = append(out.Loss, e.TrainLoss)
			if e.Epoch%req.Every == 0 || e.Epoch == req.Epochs {
				snapshot(e.Epoch)
			}
			return ctx.Err()
		},
	}
	_, err = train.Fit(model, nn.BCEWithLogits[float64], ds, nil, cfg)
	switch {
	case err == nil:
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return nil, ctx.Err()
	default:
		// The loss became NaN or Inf, or a step diverged: show what was
		// learnt until then and say why it stopped.
		out.Stopped = err.Error()
		if n := len(out.Loss); len(out.Snapshots) == 0 || out.Snapshots[len(out.Snapshots)-1].Epoch != n {
			nn.Eval(model)
			snapshot(n)
		}
	}
	return out, nil
}

// buildMLP returns the network of req, Linear(2, w) → act → … → Linear(w, 1)
// (logits), with its Linear layers, each initialised as req.Init says.
func buildMLP(req TrainRequest, rng *rand.Rand) (*nn.Sequential[float64], []*nn.Linear[float64]) {
	var act nn.Module[float64]
	gain := 1.0
	switch req.Activation {
	case "tanh":
		act, gain = nn.Tanh[float64]{}, nn.Gain("tanh")
	case "relu":
		act, gain = nn.ReLU[float64]{}, nn.Gain("relu")
	case "sigmoid":
		act = nn.Sigmoid[float64]{}
	case "leaky_relu":
		act, gain = nn.LeakyReLU[float64]{}, nn.Gain("leaky_relu")
	case "gelu":
		act, gain = nn.GELU[float64]{}, nn.Gain("relu")
	default:
		panic("playground: buildMLP: unchecked activation " + req.Activation)
	}
	var cfg nn.LinearConfig
	switch req.Init {
	case "default":
	case "xavier":
		cfg.WeightInit = nn.XavierUniform{Gain: gain}
	case "kaiming":
		cfg.WeightInit = nn.KaimingNormal{}
	case "small":
		cfg.WeightInit = nn.SmallRandom{Std: 0.01}
	case "large":
		cfg.WeightInit = nn.SmallRandom{Std: 1}
	case "zeros":
		cfg.WeightInit, cfg.BiasInit = nn.Zeros{}, nn.Zeros{}
	default:
		panic("playground: buildMLP: unchecked initialisation " + req.Init)
	}
	var layers []nn.Module[float64]
	var linears []*nn.Linear[float64]
	prev := 2
	for range *req.Depth {
		l := nn.NewLinearWith[float64](prev, req.Width, rng, cfg)
		layers, linears = append(layers, l, act), append(linears, l)
		prev = req.Width
	}
	l := nn.NewLinearWith[float64](prev, 1, rng, cfg)
	layers, linears = append(layers, l), append(linears, l)
	return nn.NewSequential(layers...), linears
}

// toyData returns n labelled points in boundaryBox, drawn from seed:
//
//	circles  class 1 inside radius 0.5, class 0 on a ring from 0.8 to 1.1
//	xor      uniform on [−1, 1]², class 1 where x·y > 0
//	spirals  two interleaved arms r = t, θ = 3πt + kπ, t ∈ (0, 1.2]
//	linear   two Gaussian blobs (σ = 0.25) centred at ±0.6·(cos a, sin a), a random
//
// and Gaussian noise of standard deviation noise added to every coordinate.
func toyData(kind string, n int, noise float64, seed uint64) *data.Dataset {
	rng := rand.New(rand.NewPCG(seed, 0x746f79))
	ds := &data.Dataset{
		Name: "toy:" + kind, FeatureNames: []string{"x", "y"}, TargetName: "class", Task: data.Classify,
		X: data.NewMatrix(n, 2), Y: make([]float64, n), Labels: make([]int, n), Classes: []string{"0", "1"},
	}
	a := 2 * math.Pi * rng.Float64() // the direction of the linear blobs
	for i := range n {
		label := i % 2
		var x, y float64
		switch kind {
		case "circles":
			r := 0.5 * math.Sqrt(rng.Float64())
			if label == 0 {
				r = 0.8 + 0.3*rng.Float64()
			}
			t := 2 * math.Pi * rng.Float64()
			x, y = r*math.Cos(t), r*math.Sin(t)
		case "xor":
			x, y = 2*rng.Float64()-1, 2*rng.Float64()-1
			if x*y > 0 {
				label = 1
			} else {
				label = 0
			}
		case "spirals":
			t := 1.2 * (float64(i/2) + 1) / float64((n+1)/2)
			th := 3*math.Pi*t + float64(label)*math.Pi
			x, y = t*math.Cos(th), t*math.Sin(th)
		case "linear":
			s := 0.6
			if label == 0 {
				s = -0.6
			}
			x, y = s*math.Cos(a)+0.25*rng.NormFloat64(), s*math.Sin(a)+0.25*rng.NormFloat64()
		default:
			panic("playground: toyData: unchecked data set " + kind)
		}
		x += noise * rng.NormFloat64()
		y += noise * rng.NormFloat64()
		ds.X.Data[2*i], ds.X.Data[2*i+1] = x, y
		ds.Labels[i], ds.Y[i] = label, float64(label)
	}
	return ds
}

// interleave returns (xs[0], ys[0], xs[1], ys[1], …): the rows of an [n, 2]
// matrix.
func interleave(xs, ys []float64) []float64 {
	out := make([]float64, 0, 2*len(xs))
	for i := range xs {
		out = append(out, xs[i], ys[i])
	}
	return out
}

// binaryLossAccuracy returns the mean binary cross-entropy of logits z
// against labels y, mean(softplus(z) − y·z), and the fraction with
// (z > 0) = y.
func binaryLossAccuracy(z []float64, labels []int) (Float, Float) {
	loss, right := 0.0, 0
	for i, zi := range z {
		y := float64(labels[i])
		loss += tensor.SoftplusOf(zi) - y*zi
		if (zi > 0) == (labels[i] == 1) {
			right++
		}
	}
	return Float(loss / float64(len(z))), Float(float64(right) / float64(len(z)))
}

// sigmoid returns σ(z) = 1/(1+e⁻ᶻ) of each logit.
func sigmoid(z []float64) Probs {
	out := make(Probs, len(z))
	for i, v := range z {
		out[i] = tensor.SigmoidOf(v)
	}
	return out
}

// frobenius returns √(Σ v²).
func frobenius(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}
