package optim

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"testing"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/tensor"
)

// torchCase is one trajectory of testdata/torch_trajectories.json, written
// by testdata/gen_torch.py with torch.optim in float64.
type torchCase struct {
	Name      string         `json:"name"`
	Objective string         `json:"objective"`
	Start     []float64      `json:"start"`
	Optimizer string         `json:"optimizer"`
	Params    map[string]any `json:"params"`
	Clip      *struct {
		Kind string  `json:"kind"`
		Max  float64 `json:"max"`
	} `json:"clip"`
	Schedule map[string]any `json:"schedule"`
	LRs      []float64      `json:"lrs"`
	Path     [][]float64    `json:"path"`
	Loss     []float64      `json:"loss"`
}

// objectives are the test functions as the generator writes them.
var objectives = map[string]string{
	"rosenbrock": "(1 - x)^2 + 100*(y - x^2)^2",
	"beale":      "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
	"booth":      "(x + 2*y - 7)^2 + (2*x + y - 5)^2",
	"bowl":       "(x - 2)^2 + (y - 1)^2",
	"negbowl":    "-((x - 2)^2 + (y - 1)^2)",
}

// num reads a numeric setting; an explicit zero becomes optim.Zero.
func num(p map[string]any, key string) float64 {
	v, _ := p[key].(float64)
	if v == 0 {
		return Zero
	}
	return v
}

func flag(p map[string]any, key string) bool { b, _ := p[key].(bool); return b }

// betas reads PyTorch's (β₁, β₂) pair.
func betas(p map[string]any) (float64, float64) {
	b, _ := p["betas"].([]any)
	if len(b) != 2 {
		return 0, 0
	}
	z := func(v any) float64 {
		f, _ := v.(float64)
		if f == 0 {
			return Zero
		}
		return f
	}
	return z(b[0]), z(b[1])
}

// newTorchOptimizer builds the optimiser a case names, with its settings.
func newTorchOptimizer(c torchCase, p *autodiff.Var[float64]) (Optimizer[float64], error) {
	g, s := Params(p), c.Params
	switch c.Optimizer {
	case "SGD":
		return NewSGD(g, SGD{LR: num(s, "lr"), Momentum: num(s, "momentum"), Dampening: num(s, "dampening"),
			WeightDecay: num(s, "weight_decay"), Nesterov: flag(s, "nesterov"), Maximize: flag(s, "maximize")})
	case "Adam", "AdamW":
		b1, b2 := betas(s)
		a := Adam{LR: num(s, "lr"), Beta1: b1, Beta2: b2, Eps: num(s, "eps"), WeightDecay: num(s, "weight_decay"),
			AMSGrad: flag(s, "amsgrad"), Maximize: flag(s, "maximize")}
		if c.Optimizer == "AdamW" {
			return NewAdamW(g, a)
		}
		return NewAdam(g, a)
	case "RMSprop":
		return NewRMSprop(g, RMSprop{LR: num(s, "lr"), Alpha: num(s, "alpha"), Eps: num(s, "eps"), WeightDecay: num(s, "weight_decay"),
			Momentum: num(s, "momentum"), Centered: flag(s, "centered"), Maximize: flag(s, "maximize")})
	case "Adagrad":
		return NewAdagrad(g, Adagrad{LR: num(s, "lr"), LRDecay: num(s, "lr_decay"), WeightDecay: num(s, "weight_decay"),
			InitialAccumulator: num(s, "initial_accumulator_value"), Eps: num(s, "eps"), Maximize: flag(s, "maximize")})
	case "Adadelta":
		return NewAdadelta(g, Adadelta{LR: num(s, "lr"), Rho: num(s, "rho"), Eps: num(s, "eps"), WeightDecay: num(s, "weight_decay"), Maximize: flag(s, "maximize")})
	case "NAdam":
		b1, b2 := betas(s)
		return NewNAdam(g, NAdam{LR: num(s, "lr"), Beta1: b1, Beta2: b2, Eps: num(s, "eps"), WeightDecay: num(s, "weight_decay"),
			MomentumDecay: num(s, "momentum_decay"), Textbook: flag(s, "foreach")})
	}
	return nil, fmt.Errorf("no optimiser %s", c.Optimizer)
}

// newTorchSchedule reads a case's schedule.
func newTorchSchedule(s map[string]any) (Schedule, error) {
	f := func(k string) float64 { v, _ := s[k].(float64); return v }
	switch s["kind"] {
	case "step":
		return StepDecay{Size: int(f("step_size")), Gamma: f("gamma")}, nil
	case "multistep":
		var ms []int
		for _, m := range s["milestones"].([]any) {
			ms = append(ms, int(m.(float64)))
		}
		return MultiStep{Milestones: ms, Gamma: f("gamma")}, nil
	case "exp":
		return Exponential{Gamma: f("gamma")}, nil
	case "cosine":
		return Cosine{TMax: int(f("T_max")), Min: f("eta_min")}, nil
	case "warmup":
		return Warmup{Start: f("start_factor"), Steps: int(f("total_iters"))}, nil
	case "inverse_time":
		return InverseTime{Decay: f("decay")}, nil
	}
	return nil, fmt.Errorf("unknown schedule %v", s)
}

// Every torch.optim trajectory of the reference is reproduced: the point
// after each of the first 100 steps, the loss there and the learning rate
// used, to relative error 1e-10.
func TestTorchTrajectories(t *testing.T) {
	raw, err := os.ReadFile("testdata/torch_trajectories.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []torchCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	near := func(got, want float64) bool { return math.Abs(got-want) <= 1e-10*math.Max(1, math.Abs(want)) }
	checked, worst, worstCase := 0, 0.0, ""
	for _, c := range cases {
		if c.Optimizer == "LBFGS" {
			if t.Run(c.Name, func(t *testing.T) { testTorchLBFGS(t, c) }) { // in lbfgs_test.go
				checked++
			}
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			f := objective(t, objectives[c.Objective])
			p := autodiff.Param(tensor.FromSlice(append([]float64(nil), c.Start...)))
			opt, err := newTorchOptimizer(c, p)
			if err != nil {
				t.Fatal(err)
			}
			var sched *Scheduler[float64]
			if c.Schedule != nil {
				s, err := newTorchSchedule(c.Schedule)
				if err != nil {
					t.Fatal(err)
				}
				if sched, err = NewScheduler[float64](opt, s); err != nil {
					t.Fatal(err)
				}
			}
			for step := 1; step < len(c.Path); step++ {
				if lr := opt.Groups()[0].LR; !near(lr, c.LRs[step-1]) {
					t.Fatalf("step %d: learning rate %.17g, torch %.17g", step, lr, c.LRs[step-1])
				}
				ZeroGrad[float64](opt)
				loss := f(p)
				if !near(loss.Item(), c.Loss[step-1]) {
					t.Fatalf("step %d: loss %.17g, torch %.17g", step, loss.Item(), c.Loss[step-1])
				}
				if err := loss.Backward(); err != nil {
					t.Fatal(err)
				}
				if c.Clip != nil {
					if c.Clip.Kind == "norm" {
						ClipGradNorm([]*autodiff.Var[float64]{p}, c.Clip.Max)
					} else {
						ClipGradValue([]*autodiff.Var[float64]{p}, c.Clip.Max)
					}
				}
				if err := opt.Step(); err != nil {
					t.Fatal(err)
				}
				if sched != nil {
					sched.Step()
				}
				for k, want := range c.Path[step] {
					got := p.Value().Data()[k]
					if !near(got, want) {
						t.Fatalf("step %d: p[%d] = %.17g, torch %.17g", step, k, got, want)
					}
					if e := math.Abs(got-want) / math.Max(1, math.Abs(want)); e > worst {
						worst, worstCase = e, c.Name
					}
				}
			}
			checked++
		})
	}
	if checked < 100 {
		t.Errorf("only %d trajectories checked", checked)
	}
	t.Logf("%d trajectories; largest relative difference from torch %.2g (%s)", checked, worst, worstCase)
}
