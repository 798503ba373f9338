package diagnose

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/tensor"
	"github.com/nabla-go/nabla/train"
)

// The kinds of Finding, in the order Findings reports them.
const (
	Vanishing  = "vanishing"
	Exploding  = "exploding"
	DeadReLU   = "dead-relu"
	Saturation = "saturation"
	LRTooHigh  = "lr-too-high"
	LRTooLow   = "lr-too-low"
	Plateau    = "plateau"
	NaN        = "nan"
)

// Kinds lists every kind of Finding, in report order.
var Kinds = []string{NaN, Exploding, LRTooHigh, Vanishing, DeadReLU, Saturation, Plateau, LRTooLow}

// advice holds the remedies that apply to each kind of finding.
var advice = map[string][]string{
	Vanishing: {
		"use ReLU or leaky ReLU instead of sigmoid/tanh in the hidden layers",
		"initialise with He (Kaiming) for ReLU or Xavier for tanh/sigmoid instead of small random numbers",
		"add batch normalisation after each hidden Linear layer",
		"use an adaptive optimiser (Adam), which rescales small gradients",
	},
	Exploding: {
		"clip the gradient norm (train.Config.ClipNorm)",
		"lower the learning rate",
		"initialise with He (Kaiming) or Xavier instead of large weights",
		"add batch normalisation after each hidden Linear layer",
	},
	DeadReLU: {
		"use leaky ReLU (or GELU), whose gradient is never exactly 0",
		"lower the learning rate: one large step can push a unit's bias far negative",
		"initialise with He (Kaiming) and zero or small positive biases",
		"add batch normalisation before the activation",
	},
	Saturation: {
		"initialise with Xavier (gain 5/3 for tanh) instead of large weights, and standardise the features",
		"add batch normalisation before the activation",
		"use ReLU or leaky ReLU, which do not saturate for positive inputs",
		"lower the learning rate",
	},
	LRTooHigh: {
		"lower the learning rate (try 10× lower)",
		"clip the gradient norm (train.Config.ClipNorm)",
		"use an adaptive optimiser (Adam) or a decaying learning-rate schedule",
	},
	LRTooLow: {
		"raise the learning rate (try 10× higher)",
		"use an adaptive optimiser (Adam), whose steps do not shrink with the gradient",
	},
	Plateau: {
		"use momentum or an adaptive optimiser (Adam) to move across flat regions",
		"raise the learning rate",
		"initialise with He (Kaiming) or Xavier random weights (all-equal weights never break symmetry)",
		"add batch normalisation after each hidden Linear layer",
	},
	NaN: {
		"lower the learning rate",
		"clip the gradient norm (train.Config.ClipNorm)",
		"standardise the features and check the data for NaN or ±Inf",
	},
}

// Finding is one problem the Monitor detected, in a form a person can act
// on and a program can print (the JSON names are those of the CLI's
// diagnostics array).
type Finding struct {
	// Kind is one of Kinds: "vanishing", "exploding", "dead-relu",
	// "saturation", "lr-too-high", "lr-too-low", "plateau" or "nan".
	Kind string `json:"kind"`
	// Layers names the layers concerned (nil when the finding is about the
	// whole model, as for the loss-based kinds).
	Layers []string `json:"layers,omitempty"`
	// Steps are the first and the last optimiser step (1-based, counted
	// across epochs) at which the condition was seen.
	Steps [2]int `json:"steps"`
	// Evidence says in plain words, with the numbers, what was measured
	// when the finding was first made.
	Evidence string `json:"evidence"`
	// Advice lists the remedies that apply.
	Advice []string `json:"advice"`
}

// String returns the kind, the steps and the evidence on one line.
func (f Finding) String() string {
	return fmt.Sprintf("%s (steps %d–%d): %s", f.Kind, f.Steps[0], f.Steps[1], f.Evidence)
}

// Options tune a Monitor. The zero value samples every 20 steps with the
// thresholds given below; each was chosen so that a healthy run (the digits
// MLP of the tests: 64 ReLU units, Adam, a few epochs) raises nothing while
// each deliberately broken run raises its finding.
type Options struct {
	// Every is the sampling period: the per-layer statistics are measured
	// at step 1 and at every Every-th step. The loss and the weights'
	// NaN/Inf count are looked at every step (one pass over the parameters;
	// a NaN gradient turns into NaN weights within the same step).
	// Default 20, which keeps the overhead of a probe batch of 64 rows at
	// about 5% on the digits MLP with mini-batches of 32 (BenchmarkMonitorOverhead).
	Every int
	// Persist is the number of consecutive samples on which a per-layer
	// condition (vanishing, dead-relu, saturation, lr-too-low) must hold
	// before it is reported, so that a passing state (at initialisation,
	// say) is not reported. Default 3.
	Persist int
	// Window is the number of steps whose losses are averaged into one
	// smoothed loss value for the loss-based findings. Default: the number
	// of batches per epoch of the first step observed, at least 10, so a
	// smoothed loss is an epoch's training loss and mini-batch noise does
	// not read as a rising loss.
	Window int

	// VanishingRatio: "vanishing" when ‖∇W_first‖ / ‖∇W_last‖, the ratio
	// of the gradient norms of the first and the last layer's weights, is
	// below it. Default 1e-3: the gradient lost a factor of 1000 on its way
	// back to the input. (In the tests the 10-layer ReLU network with He
	// initialisation has a ratio near 1, the same network with sigmoids and
	// N(0, 0.01²) weights about 1e-16.)
	VanishingRatio float64
	// ExplodingRatio: "exploding" when that ratio is above it (the gradient
	// grows layer by layer towards the input). Default 1e3.
	ExplodingRatio float64
	// ExplodingGrowth: "exploding" when the gradient norm over all
	// parameters exceeds ExplodingGrowth times its value at step 1.
	// Default 100.
	ExplodingGrowth float64
	// SpikeFactor: "exploding" when one step's loss exceeds SpikeFactor
	// times the first smoothed loss (a loss spike). Default 10.
	SpikeFactor float64

	// DeadFraction: "dead-relu" when more than this fraction of a layer's
	// ReLU units are dead. A unit is dead when its pre-activation is ≤ 0 for
	// every row of the probe batch: it passes no gradient for any of them.
	// Default 0.5.
	DeadFraction float64
	// SaturatedFraction: "saturation" when more than this fraction of a
	// layer's sigmoid or tanh units are saturated. A unit is saturated when
	// its output lies within SaturationMargin of an asymptote (σ < m or
	// σ > 1 − m; |tanh| > 1 − m) for at least 90% of the probe rows, where
	// its derivative is below about m (σ' = σ(1−σ) < m, tanh' = 1 − tanh² <
	// 2m). Default 0.5.
	SaturatedFraction float64
	// SaturationMargin is m above. Default 0.01.
	SaturationMargin float64

	// LowUpdateRatio: "lr-too-low" when the median, over the layers whose
	// weight gradient is not zero, of the update-to-weight ratio ‖Δw‖/‖w‖
	// of one step is below it while the loss is still high (see HighLoss).
	// Layers without gradient (dead, say) are left out: their updates are
	// tiny for another reason. Default 1e-5 (healthy training
	// moves weights by roughly 1e-4 to 1e-2 of their norm per step).
	LowUpdateRatio float64
	// HighLoss defines "still high": the current smoothed loss is above
	// HighLoss times the first smoothed loss. Default 0.5.
	HighLoss float64
	// PlateauSteps: "plateau" when, over the last PlateauSteps steps, the
	// smoothed loss neither fell by 1% nor rose by more than 10% (a rise is
	// lr-too-high's business) and stayed high, and every sampled gradient
	// norm was below PlateauGrad times the largest gradient norm seen so
	// far. Default 100.
	PlateauSteps int
	// PlateauGrad is the relative gradient size of a plateau. Default 1e-2.
	PlateauGrad float64
	// RiseFactor: "lr-too-high" when the smoothed loss climbs above
	// min(RiseFactor·start, max(RiseFactor·best, best + (first − best)/2)),
	// with best the lowest smoothed loss so far, first the first one and
	// start the median loss of steps 1–3 (the loss at initialisation): the
	// loss has risen above where it started, or given back more than half
	// of what it had gained, not just fluctuated. Default 1.5.
	//
	// With full-batch training (one batch per epoch) an oscillation also
	// counts: a loss that changes direction on at least 80% of the steps of
	// a window, by more than 10% of its value, while the window's mean is no
	// better than the previous window's.
	RiseFactor float64

	// OnFinding, if set, is called once per kind, when it is first
	// detected (during training, from the OnBatch hook), so a command can
	// warn live.
	OnFinding func(Finding)
}

func (o *Options) defaults() {
	setInt := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	setF := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	setInt(&o.Every, 20)
	setInt(&o.Persist, 3)
	setInt(&o.PlateauSteps, 100)
	setF(&o.VanishingRatio, 1e-3)
	setF(&o.ExplodingRatio, 1e3)
	setF(&o.ExplodingGrowth, 100)
	setF(&o.SpikeFactor, 10)
	setF(&o.DeadFraction, 0.5)
	setF(&o.SaturatedFraction, 0.5)
	setF(&o.SaturationMargin, 0.01)
	setF(&o.LowUpdateRatio, 1e-5)
	setF(&o.HighLoss, 0.5)
	setF(&o.PlateauGrad, 1e-2)
	setF(&o.RiseFactor, 1.5)
	if o.Every < 0 || o.Persist < 0 || o.Window < 0 || o.PlateauSteps < 0 {
		panic("diagnose: Options.Every, Persist, Window and PlateauSteps must not be negative")
	}
}

// LayerStats are the measurements of one layer at one sampled step. The
// norms are Euclidean (Frobenius) norms of the layer's weight matrix and of
// its gradient ∂J/∂W (as left by the backward pass of that step).
type LayerStats struct {
	GradNorm   float64 `json:"grad_norm"`
	WeightNorm float64 `json:"weight_norm"`
	// UpdateRatio is ‖W_t − W_{t−1}‖ / ‖W_{t−1}‖, the relative size of this
	// step's update.
	UpdateRatio float64 `json:"update_ratio"`
	// Dead is the fraction of the ReLU units after this layer that are dead
	// on the probe batch (see Options.DeadFraction); NaN when no ReLU
	// follows the layer or there is no probe.
	Dead float64 `json:"dead"`
	// Saturated is the fraction of the sigmoid or tanh units after this
	// layer that are saturated (see Options.SaturatedFraction); NaN when
	// none follows or there is no probe.
	Saturated float64 `json:"saturated"`
	// NonFiniteGrads and NonFiniteWeights count NaN and ±Inf entries in
	// the gradients and values of all of the layer's parameters.
	NonFiniteGrads   int `json:"nonfinite_grads"`
	NonFiniteWeights int `json:"nonfinite_weights"`
}

// MarshalJSON writes the statistics with null for NaN and ±Inf (no dead
// fraction where no ReLU follows, say), which JSON cannot hold.
func (s LayerStats) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{
		"grad_norm": num(s.GradNorm), "weight_norm": num(s.WeightNorm), "update_ratio": num(s.UpdateRatio),
		"dead": num(s.Dead), "saturated": num(s.Saturated),
		"nonfinite_grads": s.NonFiniteGrads, "nonfinite_weights": s.NonFiniteWeights,
	})
}

// Sample is the record of one sampled step.
type Sample struct {
	Step  int     `json:"step"`  // 1-based optimiser step, counted across epochs
	Epoch int     `json:"epoch"` // 1-based epoch
	Loss  float64 `json:"loss"`  // the step's batch loss
	// GradNorm is the gradient norm over all parameters.
	GradNorm float64      `json:"grad_norm"`
	Layers   []LayerStats `json:"layers"` // in the order of Monitor.Layers
}

// num is v, or nil (JSON null) for NaN and ±Inf.
func num(v float64) any {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return v
}

// MarshalJSON writes the sample with null for a NaN or infinite loss or
// gradient norm.
func (s Sample) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"step": s.Step, "epoch": s.Epoch, "loss": num(s.Loss), "grad_norm": num(s.GradNorm), "layers": s.Layers})
}

// layer is what the Monitor watches of one layer.
type layer struct {
	name   string
	weight *autodiff.Var[float64]
	params []*autodiff.Var[float64] // weight, bias and any parameters up to the next layer
	act    string                   // "relu", "sigmoid", "tanh" or ""
	snap   []float64                // the weight at the previous step
}

// kindState is the detection record of one kind.
type kindState struct {
	found       bool
	first, last int
	layers      []string
	evidence    string
	streak      []int // consecutive samples with the condition, per layer (or [0] for the model)
	streakStart []int
}

// Monitor records the health of a training run and turns it into Findings.
// Build it with NewMonitor and hook it into train.Fit with Attach (or call
// Observe after every optimiser step of your own loop).
//
// The layers it reports on are the Linear layers of a *nn.Sequential
// (nested Sequentials are walked), named like "layer 0 (Linear 64→32)"
// where 0 is the prefix of the layer's parameter names ("0.weight"); any
// activation up to the next Linear layer (ReLU, sigmoid, tanh) belongs to
// it. Any other model is reported per weight parameter (each parameter with
// at least two axes, named by its name, with the following parameters of
// fewer axes), without the probe statistics.
//
// A Monitor belongs to one training run at a time: it is not safe for
// concurrent use.
type Monitor struct {
	// Layers names the monitored layers, from the input to the output.
	Layers []string
	// Samples holds the sampled statistics, in step order.
	Samples []Sample
	// Losses holds every step's loss: Losses[t−1] is the loss of step t.
	Losses []float64

	model  nn.Module[float64]
	params []*autodiff.Var[float64]
	leaves []nn.Module[float64] // the flattened Sequential, nil for other models
	owner  []int                // layer index of each leaf's activation, −1 for none
	layers []layer
	probe  data.Matrix
	opts   Options

	step, batches      int
	winSum             float64
	first, best, cur   float64 // smoothed losses: first window, best window, current window
	firstGrad, maxGrad float64
	kinds              map[string]*kindState
}

// NewMonitor returns a Monitor for model. probe is a small fixed batch of
// inputs (64–256 rows of the training features is plenty) on which the dead
// and saturated units are counted with a no-grad forward pass in evaluation
// mode; with an empty probe (data.Matrix{}) those statistics are skipped.
// It panics if model is nil, has no parameters or the probe's width does not
// fit the model.
func NewMonitor(model nn.Module[float64], probe data.Matrix, opts Options) *Monitor {
	if model == nil {
		panic("diagnose: NewMonitor: nil model")
	}
	opts.defaults()
	m := &Monitor{model: model, params: model.Params(), probe: probe, opts: opts, kinds: map[string]*kindState{}}
	if len(m.params) == 0 {
		panic("diagnose: NewMonitor: the model has no parameters")
	}
	if seq, ok := model.(*nn.Sequential[float64]); ok {
		m.flatten(seq)
	}
	if len(m.layers) == 0 {
		m.leaves = nil
		for i, p := range m.params {
			if p.Value().Dims() >= 2 || len(m.layers) == 0 {
				name := p.Name()
				if name == "" {
					name = "param " + strconv.Itoa(i)
				}
				m.layers = append(m.layers, layer{name: name, weight: p})
			}
			l := &m.layers[len(m.layers)-1]
			l.params = append(l.params, p)
		}
	}
	for i := range m.layers {
		m.Layers = append(m.Layers, m.layers[i].name)
		m.layers[i].snap = append([]float64(nil), m.layers[i].weight.Value().Data()...)
	}
	for _, k := range Kinds {
		m.kinds[k] = &kindState{streak: make([]int, len(m.layers)), streakStart: make([]int, len(m.layers))}
	}
	if m.leaves != nil && probe.Rows > 0 {
		m.probeStats() // checks that the probe fits, before training starts
	}
	return m
}

// flatten lists the leaf modules of seq and makes a layer of each Linear.
func (m *Monitor) flatten(seq *nn.Sequential[float64]) {
	for _, l := range seq.Layers {
		if s, ok := l.(*nn.Sequential[float64]); ok {
			m.flatten(s)
			continue
		}
		owner := len(m.layers) - 1
		switch l := l.(type) {
		case *nn.Linear[float64]:
			prefix := strings.TrimSuffix(l.Weight.Name(), "weight")
			prefix = strings.TrimSuffix(prefix, ".")
			if prefix == "" {
				prefix = strconv.Itoa(len(m.layers))
			}
			sh := l.Weight.Shape()
			m.layers = append(m.layers, layer{
				name:   fmt.Sprintf("layer %s (Linear %d→%d)", prefix, sh[1], sh[0]),
				weight: l.Weight, params: l.Params(),
			})
			owner = -1
		case nn.ReLU[float64], *nn.ReLU[float64]:
			m.setAct(owner, "relu")
		case nn.Sigmoid[float64], *nn.Sigmoid[float64]:
			m.setAct(owner, "sigmoid")
		case nn.Tanh[float64], *nn.Tanh[float64]:
			m.setAct(owner, "tanh")
		default:
			if owner >= 0 {
				m.layers[owner].params = append(m.layers[owner].params, l.Params()...)
			}
			owner = -1
		}
		m.leaves = append(m.leaves, l)
		m.owner = append(m.owner, owner)
	}
}

func (m *Monitor) setAct(i int, act string) {
	if i >= 0 {
		m.layers[i].act = act
	}
}

// Attach hooks the Monitor into cfg: it chains cfg.OnBatch, keeping any hook
// already set (which runs first). Pass the Config to train.Fit afterwards,
// and the error Fit returns to Finish.
func (m *Monitor) Attach(cfg *train.Config) {
	prev := cfg.OnBatch
	cfg.OnBatch = func(b train.Batch) {
		if prev != nil {
			prev(b)
		}
		m.Observe(b)
	}
}

// Observe records one optimiser step. It must run after the step, while the
// parameters still hold the gradients of that step (train.Fit's OnBatch hook
// is such a place; Attach installs it there).
func (m *Monitor) Observe(b train.Batch) {
	m.step++
	m.batches = b.Batches
	if m.opts.Window == 0 {
		m.opts.Window = max(10, b.Batches)
	}
	t := m.step
	m.Losses = append(m.Losses, b.Loss)
	if math.IsNaN(b.Loss) || math.IsInf(b.Loss, 0) {
		m.report(NaN, nil, t, fmt.Sprintf("the loss of step %d is %v", t, b.Loss))
	}
	w := m.opts.Window
	m.winSum += b.Loss
	if len(m.Losses) > w {
		m.winSum -= m.Losses[len(m.Losses)-1-w]
	}
	if len(m.Losses) >= w {
		m.cur = m.winSum / float64(w)
		if len(m.Losses) == w {
			m.first, m.best = m.cur, m.cur
		}
		m.best = min(m.best, m.cur)
	}
	sampled := t == 1 || t%m.opts.Every == 0
	m.checkNonFinite(t, sampled)
	m.checkSpike(t, b.Loss)
	if sampled {
		m.sample(b)
		m.checkLoss(t)
	}
	if (t+1)%m.opts.Every == 0 {
		for i := range m.layers {
			copy(m.layers[i].snap, m.layers[i].weight.Value().Data())
		}
	}
}

// Finish tells the Monitor that training ended, with the error train.Fit
// returned (nil if none). Fit stops at a NaN or infinite loss before OnBatch
// sees it; Finish turns that into a "nan" finding when the error is Fit's
// non-finite-loss error (recognised by its text, "the loss is NaN/±Inf") or
// the weights have become NaN or ±Inf. It also runs the loss-based checks
// on the last step.
func (m *Monitor) Finish(err error) {
	if m.step > 0 && m.step%m.opts.Every != 0 {
		m.checkLoss(m.step)
	}
	if err == nil {
		return
	}
	bad := 0
	for _, p := range m.params {
		bad += countNonFinite(p.Value().Data())
	}
	if bad > 0 || errors.Is(err, train.ErrNonFinite) {
		m.report(NaN, nil, m.step+1, fmt.Sprintf("training stopped after step %d (%v); %d weights are NaN or ±Inf", m.step, err, bad))
	}
}

// Findings returns what was detected so far, one Finding per kind, in the
// order of Kinds.
func (m *Monitor) Findings() []Finding {
	var out []Finding
	for _, k := range Kinds {
		if s := m.kinds[k]; s.found {
			out = append(out, m.finding(k))
		}
	}
	return out
}

// Series returns the values of one statistic (for example
// func(s LayerStats) float64 { return s.GradNorm }) for every sampled step:
// steps[i] is the step of sample i and values[l][i] the statistic of layer l
// there — one curve per layer, ready to plot.
func (m *Monitor) Series(stat func(LayerStats) float64) (steps []int, values [][]float64) {
	values = make([][]float64, len(m.layers))
	for _, s := range m.Samples {
		steps = append(steps, s.Step)
		for l := range values {
			values[l] = append(values[l], stat(s.Layers[l]))
		}
	}
	return steps, values
}

// GradNorms is Series of the layers' gradient norms.
func (m *Monitor) GradNorms() (steps []int, values [][]float64) {
	return m.Series(func(s LayerStats) float64 { return s.GradNorm })
}

func (m *Monitor) finding(k string) Finding {
	s := m.kinds[k]
	return Finding{Kind: k, Layers: append([]string(nil), s.layers...), Steps: [2]int{s.first, s.last},
		Evidence: s.evidence, Advice: append([]string(nil), advice[k]...)}
}

// report records that the condition of kind k holds at step t (first being
// when it started), calling OnFinding the first time.
func (m *Monitor) report(k string, layers []string, t int, evidence string) {
	m.reportFrom(k, layers, t, t, evidence)
}

func (m *Monitor) reportFrom(k string, layers []string, first, t int, evidence string) {
	s := m.kinds[k]
	if s.found {
		s.last = max(s.last, t)
		for _, l := range layers {
			if !contains(s.layers, l) {
				s.layers = append(s.layers, l)
			}
		}
		return
	}
	s.found, s.first, s.last, s.evidence = true, first, t, evidence
	s.layers = append([]string(nil), layers...)
	if m.opts.OnFinding != nil {
		m.opts.OnFinding(m.finding(k))
	}
}

// persist counts consecutive samples for which cond[l] held, per layer, and
// returns the layers for which it has held Persist times, with the step the
// run started.
func (m *Monitor) persist(k string, cond []bool) (layers []int, start int) {
	s := m.kinds[k]
	start = m.step
	for l, c := range cond {
		if !c {
			s.streak[l] = 0
			continue
		}
		if s.streak[l] == 0 {
			s.streakStart[l] = m.step
		}
		s.streak[l]++
		if s.streak[l] >= m.opts.Persist {
			layers = append(layers, l)
			start = min(start, s.streakStart[l])
		}
	}
	return layers, start
}

func (m *Monitor) names(idx []int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, m.layers[i].name)
	}
	return out
}

// sample measures the per-layer statistics and runs the per-layer checks.
func (m *Monitor) sample(b train.Batch) {
	t := m.step
	s := Sample{Step: t, Epoch: b.Epoch, Loss: b.Loss, Layers: make([]LayerStats, len(m.layers))}
	total := 0.0
	sq := make(map[*autodiff.Var[float64]]float64, len(m.params))
	for _, p := range m.params {
		if g := p.Grad(); g != nil {
			sq[p] = sumSquares(g.Data())
			total += sq[p]
		}
	}
	s.GradNorm = math.Sqrt(total)
	for i := range m.layers {
		l := &m.layers[i]
		st := &s.Layers[i]
		w := l.weight.Value().Data()
		st.WeightNorm = math.Sqrt(sumSquares(w))
		st.GradNorm = math.Sqrt(sq[l.weight])
		d, n := 0.0, 0.0
		for j, v := range w {
			d += (v - l.snap[j]) * (v - l.snap[j])
			n += l.snap[j] * l.snap[j]
		}
		st.UpdateRatio = math.Sqrt(d / n)
		for _, p := range l.params {
			c, _ := tensor.CountNonFinite(p.Value())
			st.NonFiniteWeights += c
			if g := p.Grad(); g != nil {
				c, _ := tensor.CountNonFinite(g)
				st.NonFiniteGrads += c
			}
		}
		st.Dead, st.Saturated = math.NaN(), math.NaN()
	}
	if m.leaves != nil && m.probe.Rows > 0 {
		dead, sat := m.probeStats()
		for i := range s.Layers {
			s.Layers[i].Dead, s.Layers[i].Saturated = dead[i], sat[i]
		}
	}
	m.Samples = append(m.Samples, s)
	if !math.IsNaN(s.GradNorm) && !math.IsInf(s.GradNorm, 0) {
		if len(m.Samples) == 1 {
			m.firstGrad = s.GradNorm
		}
		m.maxGrad = max(m.maxGrad, s.GradNorm)
	}
	m.checkLayers(s)
}

// probeStats runs the probe batch through the layers without recording
// gradients, in evaluation mode, and returns the dead and saturated
// fractions per layer (NaN where they do not apply).
func (m *Monitor) probeStats() (dead, sat []float64) {
	dead, sat = make([]float64, len(m.layers)), make([]float64, len(m.layers))
	for i := range dead {
		dead[i], sat[i] = math.NaN(), math.NaN()
	}
	defer evalMode(m.model)()
	autodiff.NoGrad(func() {
		x := autodiff.Const(m.probe.Tensor())
		for i, leaf := range m.leaves {
			in := x
			x = leaf.Forward(x)
			l := m.owner[i]
			if l < 0 {
				continue
			}
			switch m.layers[l].act {
			case "relu":
				dead[l] = deadFraction(in.Value().Data(), in.Shape())
			case "sigmoid", "tanh":
				sat[l] = m.saturatedFraction(x.Value().Data(), x.Shape(), m.layers[l].act)
			}
		}
	}, m.params...)
	return dead, sat
}

// deadFraction is the fraction of columns of a [N, U] pre-activation that
// are ≤ 0 in every row.
func deadFraction(v []float64, shape []int) float64 {
	if len(shape) != 2 || shape[0] == 0 || shape[1] == 0 {
		return math.NaN()
	}
	n, u := shape[0], shape[1]
	dead := 0
	for j := range u {
		alive := false
		for i := range n {
			if v[i*u+j] > 0 {
				alive = true
				break
			}
		}
		if !alive {
			dead++
		}
	}
	return float64(dead) / float64(u)
}

// saturatedFraction is the fraction of columns of a [N, U] activation
// output that lie within the margin of an asymptote in at least 90% of the
// rows.
func (m *Monitor) saturatedFraction(v []float64, shape []int, act string) float64 {
	if len(shape) != 2 || shape[0] == 0 || shape[1] == 0 {
		return math.NaN()
	}
	n, u := shape[0], shape[1]
	eps := m.opts.SaturationMargin
	sat := 0
	for j := range u {
		c := 0
		for i := range n {
			y := v[i*u+j]
			if (act == "sigmoid" && (y < eps || y > 1-eps)) || (act == "tanh" && math.Abs(y) > 1-eps) {
				c++
			}
		}
		if float64(c) >= 0.9*float64(n) {
			sat++
		}
	}
	return float64(sat) / float64(u)
}

// checkNonFinite looks for NaN and ±Inf in every parameter, and in every
// gradient too when grads is set. Every optimiser turns a NaN or infinite
// gradient into NaN weights in the same step, so looking at the weights
// alone (cheap: they are contiguous) catches a bad gradient at once.
func (m *Monitor) checkNonFinite(t int, grads bool) {
	var bad []string
	gs, ws := 0, 0
	for i := range m.layers {
		g, w := 0, 0
		for _, p := range m.layers[i].params {
			c, _ := tensor.CountNonFinite(p.Value())
			w += c
			if gr := p.Grad(); grads && gr != nil {
				c, _ := tensor.CountNonFinite(gr)
				g += c
			}
		}
		if g+w > 0 {
			bad = append(bad, m.layers[i].name)
			gs, ws = gs+g, ws+w
		}
	}
	if len(bad) > 0 {
		m.report(NaN, bad, t, fmt.Sprintf("at step %d, %d gradient entries and %d weights were NaN or ±Inf (in %s)", t, gs, ws, strings.Join(bad, ", ")))
	}
}

// checkSpike reports a loss spike as exploding.
func (m *Monitor) checkSpike(t int, loss float64) {
	if len(m.Losses) <= m.opts.Window || m.first <= 0 {
		return
	}
	if loss > m.opts.SpikeFactor*m.first {
		m.report(Exploding, nil, t, fmt.Sprintf("the loss spiked to %.4g at step %d, %.3g× the smoothed loss of the first %d steps (%.4g; threshold %g×)", loss, t, loss/m.first, m.opts.Window, m.first, m.opts.SpikeFactor))
	}
}

// checkLayers runs the per-layer checks on a new sample.
func (m *Monitor) checkLayers(s Sample) {
	t, o, nl := s.Step, m.opts, len(s.Layers)
	// vanishing and exploding: ratio of first to last layer's gradient norm.
	if nl >= 2 {
		g0, gl := s.Layers[0].GradNorm, s.Layers[nl-1].GradNorm
		r := g0 / gl
		if gl == 0 {
			r = math.NaN()
		}
		if l, start := m.persist(Vanishing, []bool{r < o.VanishingRatio}); len(l) > 0 {
			var below []int
			for i := range nl - 1 {
				if s.Layers[i].GradNorm < o.VanishingRatio*gl {
					below = append(below, i)
				}
			}
			m.reportFrom(Vanishing, m.names(below), start, t, fmt.Sprintf(
				"from step %d the gradient norm of the first layer's weights was below %g of the last layer's on %d samples in a row; at step %d: %.3g vs %.3g (ratio %.3g); per layer from input to output: %s",
				start, o.VanishingRatio, o.Persist, t, g0, gl, r, formatNorms(s.Layers)))
		}
		if r > o.ExplodingRatio {
			m.report(Exploding, m.names([]int{0}), t, fmt.Sprintf(
				"at step %d the gradient norm of the first layer's weights was %.3g× the last layer's (%.3g vs %.3g; threshold %g×); per layer from input to output: %s",
				t, r, g0, gl, o.ExplodingRatio, formatNorms(s.Layers)))
		}
	}
	if m.firstGrad > 0 && s.GradNorm > o.ExplodingGrowth*m.firstGrad {
		m.report(Exploding, nil, t, fmt.Sprintf("at step %d the gradient norm over all parameters was %.4g, %.3g× its value at step 1 (%.4g; threshold %g×)",
			t, s.GradNorm, s.GradNorm/m.firstGrad, m.firstGrad, o.ExplodingGrowth))
	}
	// dead ReLUs and saturated units.
	dead, sat := make([]bool, nl), make([]bool, nl)
	for i, st := range s.Layers {
		dead[i] = st.Dead > o.DeadFraction
		sat[i] = st.Saturated > o.SaturatedFraction
	}
	if l, start := m.persist(DeadReLU, dead); len(l) > 0 {
		m.reportFrom(DeadReLU, m.names(l), start, t, fmt.Sprintf(
			"at step %d, %s of the ReLU units of %s had a pre-activation ≤ 0 on all %d probe rows (threshold %g, held on %d samples in a row)",
			t, formatFractions(s.Layers, l, func(st LayerStats) float64 { return st.Dead }), strings.Join(m.names(l), ", "), m.probe.Rows, o.DeadFraction, o.Persist))
	}
	if l, start := m.persist(Saturation, sat); len(l) > 0 {
		m.reportFrom(Saturation, m.names(l), start, t, fmt.Sprintf(
			"at step %d, %s of the sigmoid/tanh units of %s were within %g of an asymptote on at least 90%% of the %d probe rows (threshold %g, held on %d samples in a row)",
			t, formatFractions(s.Layers, l, func(st LayerStats) float64 { return st.Saturated }), strings.Join(m.names(l), ", "), o.SaturationMargin, m.probe.Rows, o.SaturatedFraction, o.Persist))
	}
	// learning rate too low: tiny updates while the loss is still high.
	var ratios []float64
	for _, st := range s.Layers {
		if st.GradNorm > 0 {
			ratios = append(ratios, st.UpdateRatio)
		}
	}
	med := median(ratios)
	high := len(m.Losses) >= o.Window && m.cur > o.HighLoss*m.first
	if l, start := m.persist(LRTooLow, []bool{high && med < o.LowUpdateRatio}); len(l) > 0 {
		m.reportFrom(LRTooLow, nil, start, t, fmt.Sprintf(
			"at step %d the median update-to-weight ratio ‖Δw‖/‖w‖ over the layers was %.3g (threshold %g, held on %d samples in a row) while the smoothed loss %.4g was still above %g× its start %.4g",
			t, med, o.LowUpdateRatio, o.Persist, m.cur, o.HighLoss, m.first))
	}
}

// checkLoss runs the loss-based checks at step t: rising or oscillating
// loss, and plateaus.
func (m *Monitor) checkLoss(t int) {
	o, w, n := m.opts, m.opts.Window, len(m.Losses)
	if n < 2*w {
		return
	}
	start := median(m.Losses[:3])
	if lim := min(o.RiseFactor*start, max(o.RiseFactor*m.best, m.best+(m.first-m.best)/2)); m.cur > lim {
		m.report(LRTooHigh, nil, t, fmt.Sprintf(
			"the loss rose: averaged over the %d steps up to step %d it was %.4g, above %.4g (the lowest such average was %.4g, the first %.4g; the loss at the start was %.4g)",
			w, t, m.cur, lim, m.best, m.first, start))
	}
	if m.batches == 1 {
		last := m.Losses[n-w:]
		prev := mean(m.Losses[n-2*w : n-w])
		alt, big := 0, 0
		for i := 2; i < len(last); i++ {
			d1, d2 := last[i-1]-last[i-2], last[i]-last[i-1]
			if d1*d2 < 0 {
				alt++
			}
			if math.Abs(d2) > 0.1*last[i-1] {
				big++
			}
		}
		if float64(alt) >= 0.8*float64(w-2) && float64(big) >= 0.8*float64(w-2) && m.cur >= prev {
			m.report(LRTooHigh, nil, t, fmt.Sprintf(
				"the loss oscillated: in the %d full-batch steps up to step %d it changed direction %d times, by more than 10%% %d times, and its mean %.4g did not improve on the previous %d steps' %.4g",
				w, t, alt, big, m.cur, w, prev))
		}
	}
	p := o.PlateauSteps
	if n < p+w || len(m.Samples) == 0 {
		return
	}
	before := mean(m.Losses[n-p-w : n-p])
	if m.cur < 0.99*before || m.cur > 1.1*before || m.cur <= o.HighLoss*m.first {
		return // improving, rising (lr-too-high's business) or low
	}
	small, most := true, 0.0
	for i := len(m.Samples) - 1; i >= 0 && m.Samples[i].Step > t-p; i-- {
		g := m.Samples[i].GradNorm
		most = max(most, g)
		if !(g <= o.PlateauGrad*m.maxGrad) {
			small = false
		}
	}
	if small {
		m.reportFrom(Plateau, nil, t-p+1, t, fmt.Sprintf(
			"for the %d steps up to step %d the gradient norm stayed below %.3g (at most %.3g, %g of the largest seen, %.3g) while the smoothed loss went from %.4g to %.4g (less than 1%% better and at most 10%% worse, and above %g× its start %.4g)",
			p, t, o.PlateauGrad*m.maxGrad, most, o.PlateauGrad, m.maxGrad, before, m.cur, o.HighLoss, m.first))
	}
}

func formatNorms(ls []LayerStats) string {
	parts := make([]string, len(ls))
	for i, s := range ls {
		parts[i] = fmt.Sprintf("%.2g", s.GradNorm)
	}
	return strings.Join(parts, ", ")
}

func formatFractions(ls []LayerStats, idx []int, f func(LayerStats) float64) string {
	parts := make([]string, len(idx))
	for i, l := range idx {
		parts[i] = fmt.Sprintf("%.0f%%", 100*f(ls[l]))
	}
	return strings.Join(parts, ", ")
}

func sumSquares(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return s
}

func countNonFinite(v []float64) int {
	c := 0
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			c++
		}
	}
	return c
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// median of the non-NaN values (NaN if there are none).
func median(v []float64) float64 {
	var s []float64
	for _, x := range v {
		if !math.IsNaN(x) {
			s = append(s, x)
		}
	}
	if len(s) == 0 {
		return math.NaN()
	}
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
