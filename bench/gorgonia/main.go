// Command gorgonia times one training step of an MLP 784-128-10 (ReLU,
// softmax cross-entropy, plain SGD with learning rate 0.01) in Gorgonia, the
// Go peer of nabla's BenchmarkTrainStepMLP784, and prints one JSON line per
// setting: the median step time in milliseconds.
//
// It is a module of its own so that nabla does not depend on Gorgonia.
//
//	cd bench/gorgonia && go run . -batch 64 -dtype float32
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"time"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func main() {
	batch := flag.Int("batch", 64, "examples per step")
	dtype := flag.String("dtype", "float32", "float32 or float64")
	warmup := flag.Int("warmup", 20, "untimed steps")
	reps := flag.Int("reps", 100, "timed steps")
	flag.Parse()
	dt := tensor.Float32
	if *dtype == "float64" {
		dt = tensor.Float64
	} else if *dtype != "float32" {
		fmt.Fprintln(os.Stderr, "gorgonia: -dtype float32 or float64")
		os.Exit(2)
	}
	ms, first, last, err := stepTime(*batch, dt, *warmup, *reps)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gorgonia:", err)
		os.Exit(1)
	}
	if !(last < first) {
		fmt.Fprintf(os.Stderr, "gorgonia: the loss went from %v to %v: the network is not learning\n", first, last)
		os.Exit(1)
	}
	out, _ := json.Marshal(map[string]any{"bench": "mlp_step", "peer": "gorgonia", "dtype": *dtype,
		"batch": *batch, "threads": runtime.GOMAXPROCS(0), "ms": ms, "loss_first": first, "loss_last": last})
	fmt.Println(string(out))
}

// stepTime builds the network once and returns the median time of a step
// (forward, backward by symbolic gradients on the tape, and the SGD update)
// and the loss of the first and the last step, which must fall.
func stepTime(batch int, dt tensor.Dtype, warmup, reps int) (ms, first, last float64, err error) {
	rng := rand.New(rand.NewPCG(1, 1))
	fill := func(n int, scale float64) any {
		if dt == tensor.Float32 {
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(rng.NormFloat64() * scale)
			}
			return v
		}
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64() * scale
		}
		return v
	}
	onehot := func() any {
		if dt == tensor.Float32 {
			v := make([]float32, batch*10)
			for i := range batch {
				v[i*10+i%10] = 1
			}
			return v
		}
		v := make([]float64, batch*10)
		for i := range batch {
			v[i*10+i%10] = 1
		}
		return v
	}
	g := G.NewGraph()
	mat := func(name string, r, c int, data any) *G.Node {
		return G.NewMatrix(g, dt, G.WithShape(r, c), G.WithName(name), G.WithValue(tensor.New(tensor.WithShape(r, c), tensor.WithBacking(data))))
	}
	x := mat("x", batch, 784, fill(batch*784, 1))
	y := mat("y", batch, 10, onehot())
	w1 := mat("w1", 784, 128, fill(784*128, 0.05))
	b1 := mat("b1", 1, 128, fill(128, 0))
	w2 := mat("w2", 128, 10, fill(128*10, 0.1))
	b2 := mat("b2", 1, 10, fill(10, 0))

	h, err := G.Mul(x, w1)
	if err != nil {
		return 0, 0, 0, err
	}
	if h, err = G.BroadcastAdd(h, b1, nil, []byte{0}); err != nil {
		return 0, 0, 0, err
	}
	if h, err = G.Rectify(h); err != nil {
		return 0, 0, 0, err
	}
	logits, err := G.Mul(h, w2)
	if err != nil {
		return 0, 0, 0, err
	}
	if logits, err = G.BroadcastAdd(logits, b2, nil, []byte{0}); err != nil {
		return 0, 0, 0, err
	}
	logp, err := G.LogSoftMax(logits)
	if err != nil {
		return 0, 0, 0, err
	}
	picked, err := G.HadamardProd(logp, y)
	if err != nil {
		return 0, 0, 0, err
	}
	total, err := G.Sum(picked)
	if err != nil {
		return 0, 0, 0, err
	}
	// mean over the batch of −log p(label)
	loss, err := G.Div(total, G.NewConstant(castScalar(dt, -float64(batch))))
	if err != nil {
		return 0, 0, 0, err
	}
	var lossVal G.Value
	G.Read(loss, &lossVal)
	params := G.Nodes{w1, b1, w2, b2}
	if _, err := G.Grad(loss, params...); err != nil {
		return 0, 0, 0, err
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(params...))
	defer vm.Close()
	solver := G.NewVanillaSolver(G.WithLearnRate(0.01))
	step := func() error {
		if err := vm.RunAll(); err != nil {
			return err
		}
		last = asFloat(lossVal.Data())
		if first == 0 {
			first = last
		}
		if err := solver.Step(G.NodesToValueGrads(params)); err != nil {
			return err
		}
		vm.Reset()
		return nil
	}
	for range warmup {
		if err := step(); err != nil {
			return 0, 0, 0, err
		}
	}
	times := make([]float64, reps)
	for i := range times {
		t0 := time.Now()
		if err := step(); err != nil {
			return 0, 0, 0, err
		}
		times[i] = float64(time.Since(t0).Nanoseconds()) / 1e6
	}
	slices.Sort(times)
	return times[len(times)/2], first, last, nil
}

func asFloat(v any) float64 {
	if f, ok := v.(float32); ok {
		return float64(f)
	}
	return v.(float64)
}

func castScalar(dt tensor.Dtype, v float64) any {
	if dt == tensor.Float32 {
		return float32(v)
	}
	return v
}
