package main

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"

	"github.com/nabla-go/nabla/autodiff"
	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/diagnose"
	"github.com/nabla-go/nabla/expr"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/numdiff"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/tensor"
	"github.com/nabla-go/nabla/testfunc"
	"github.com/nabla-go/nabla/train"
)

func newDemoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Gradients computed three ways on textbook functions and a small network",
		Long: `demo computes the same derivatives by reverse mode (backpropagation), forward
mode and finite differences, next to the closed form, so you can see them agree:
f(x) = x², f(x,y) = x² + y², f(x,y,z) = x²y + yz³ + sin(xy) with its Hessian,
Rosenbrock's Hessian at its minimum, and the backprop gradients of a 2-layer
ReLU network checked against finite differences.`,
		Example: "  nabla demo",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.OutOrStdout())
		},
	}
}

type fn = autodiff.Func[float64]
type v64 = *autodiff.Var[float64]

func vec(xs ...float64) *tensor.Tensor[float64] { return tensor.FromSlice(xs) }

// runDemo writes the demonstration to w.
func runDemo(w io.Writer) error {
	for _, section := range []func(io.Writer) error{demoSquare, demoBowl, demoThreeVars, demoRosenbrock, demoNetwork, demoOptimizers, demoDigits, demoVanishing} {
		if err := section(w); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	return nil
}

// demoSquare: f(x) = x² has f'(x) = 2x.
func demoSquare(w io.Writer) error {
	fmt.Fprintln(w, "1. f(x) = x², f'(x) = 2x")
	f := func(x v64) v64 { return autodiff.Square(x) }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "x\treverse mode\tforward mode\tcentral difference\texact 2x\t")
	for _, a := range []float64{-0.5, 0, 0.5} {
		g, err := autodiff.Grad(f, tensor.Scalar(a))
		if err != nil {
			return err
		}
		_, d, err := autodiff.JVP(f, tensor.Scalar(a), tensor.Scalar(1.0))
		if err != nil {
			return err
		}
		fd := numdiff.Derivative(func(x float64) float64 { return x * x }, a, nil)
		fmt.Fprintf(tw, "%g\t%g\t%g\t%.10f\t%g\t\n", a, g.Item(), d.Item(), fd, 2*a)
	}
	return tw.Flush()
}

// demoBowl: f(x, y) = x² + y² has ∇f = (2x, 2y).
func demoBowl(w io.Writer) error {
	fmt.Fprintln(w, "2. f(x,y) = x² + y², ∇f = (2x, 2y)")
	f := func(v v64) v64 { return autodiff.Sum(autodiff.Square(v), false) }
	for _, p := range [][]float64{{1, 2}, {-3, 0.5}} {
		val, g, err := autodiff.ValueAndGrad(f, vec(p...))
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "   at (%g, %g): f = %.10g, ∇f = (%.10g, %.10g)\n", p[0], p[1], val, g.Data()[0], g.Data()[1])
	}
	return nil
}

// demoThreeVars shows the textbook gradient four ways: the symbolic partials
// (package expr), reverse and forward mode, and central differences.
func demoThreeVars(w io.Writer) error {
	const src = "x^2*y + y*z^3 + sin(x*y)"
	fmt.Fprintf(w, "3. f(x,y,z) = %s at (2, 3, 1); by hand ∇f = (12 + 3cos 6, 5 + 2cos 6, 9)\n", src)
	e := expr.MustParse(src)
	vars := e.Vars()
	f, err := expr.Func(e, vars)
	if err != nil {
		return err
	}
	x := vec(2, 3, 1)
	point := env(vars, x.Data())
	val, g, err := autodiff.ValueAndGrad(f, x)
	if err != nil {
		return err
	}
	eval := func(p []float64) float64 { v, _ := e.Eval(env(vars, p)); return v }
	fd := numdiff.Gradient(nil, eval, x.Data(), nil)
	fmt.Fprintf(w, "   f = %.10f\n", val)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "   \tpartial\tsymbolic\treverse mode\tforward mode\tcentral difference")
	for i, v := range vars {
		d, err := expr.Diff(e, v)
		if err != nil {
			return err
		}
		sym, err := d.Eval(point)
		if err != nil {
			return err
		}
		u := tensor.New[float64](3)
		u.Data()[i] = 1
		fwd, err := autodiff.DirectionalDerivative(f, x, u)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "   \t∂f/∂%s = %s\t%.10f\t%.10f\t%.10f\t%.10f\n", v, d, sym, g.Data()[i], fwd, fd[i])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	h, err := autodiff.Hessian(f, x)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "   Hessian (exact: the backward pass differentiated again):")
	printMatrix(w, h.Data(), 3)
	return nil
}

func demoRosenbrock(w io.Writer) error {
	rb := testfunc.Rosenbrock()
	fmt.Fprintf(w, "4. Rosenbrock f = %s (%s)\n", rb.Formula, rb.Citation)
	f := func(v v64) v64 {
		x, y := autodiff.Slice(v, 0, 0, 1), autodiff.Slice(v, 0, 1, 2)
		a := autodiff.Square(autodiff.AddConst(autodiff.Neg(x), 1))
		b := autodiff.Scale(100, autodiff.Square(autodiff.Sub(y, autodiff.Square(x))))
		return autodiff.Sum(autodiff.Add(a, b), false)
	}
	for _, p := range [][]float64{rb.Start, rb.Minima[0]} {
		val, g, err := autodiff.ValueAndGrad(f, vec(p...))
		if err != nil {
			return err
		}
		h, err := autodiff.Hessian(f, vec(p...))
		if err != nil {
			return err
		}
		want := mat.NewSymDense(2, nil)
		rb.Hess(want, p)
		var eig mat.EigenSym
		if !eig.Factorize(mat.NewSymDense(2, h.Data()), false) {
			return fmt.Errorf("eigen-decomposition failed")
		}
		ev := eig.Values(nil)
		fmt.Fprintf(w, "   at (%g, %g): f = %.10g, ∇f = (%.10g, %.10g)\n", p[0], p[1], val, g.Data()[0], g.Data()[1])
		fmt.Fprintf(w, "   Hessian by autodiff: [[%g %g] [%g %g]]; closed form: [[%g %g] [%g %g]]\n",
			h.Data()[0], h.Data()[1], h.Data()[2], h.Data()[3], want.At(0, 0), want.At(0, 1), want.At(1, 0), want.At(1, 1))
		fmt.Fprintf(w, "   eigenvalues %.6g, %.6g → %s\n", ev[0], ev[1], classify(ev, math.Hypot(g.Data()[0], g.Data()[1])))
	}
	return nil
}

// classify names a point from its gradient norm and Hessian eigenvalues
// (diagnose.ClassifyEigenvalues, which treats eigenvalues within 1e-8 of
// the largest as zero).
func classify(ev []float64, gradNorm float64) string {
	if gradNorm > 1e-8 {
		return "not a stationary point (the gradient is not zero)"
	}
	switch diagnose.ClassifyEigenvalues(ev) {
	case diagnose.Minimum:
		return "a local minimum (all eigenvalues positive)"
	case diagnose.Maximum:
		return "a local maximum"
	case diagnose.Saddle:
		return "a saddle point"
	}
	return "degenerate (a zero eigenvalue)"
}

// demoNetwork checks the backprop gradients of a 2-layer ReLU network with
// softmax cross-entropy against finite differences.
func demoNetwork(w io.Writer) error {
	const batch, in, hidden, classes = 16, 4, 8, 3
	rng := rand.New(rand.NewPCG(1, 2))
	X := autodiff.Const(tensor.RandN[float64](rng, batch, in))
	labels := make([]int, batch)
	for i := range labels {
		labels[i] = rng.IntN(classes)
	}
	W1 := autodiff.Param(tensor.Scale(0.5, tensor.RandN[float64](rng, in, hidden))).SetName("W1")
	b1 := autodiff.Param(tensor.Scale(0.1, tensor.RandN[float64](rng, hidden))).SetName("b1")
	W2 := autodiff.Param(tensor.Scale(0.5, tensor.RandN[float64](rng, hidden, classes))).SetName("W2")
	b2 := autodiff.Param(tensor.Scale(0.1, tensor.RandN[float64](rng, classes))).SetName("b2")
	params := []v64{W1, b1, W2, b2}
	loss := func() v64 {
		h := autodiff.ReLU(autodiff.Add(autodiff.MatMul(X, W1), b1))
		logits := autodiff.Add(autodiff.MatMul(h, W2), b2)
		// softmax cross-entropy: mean of logsumexp(logits) − logits[label]
		nll := autodiff.Sub(autodiff.LogSumExp(logits, true, 1), autodiff.TakeAlong(logits, 1, labels))
		return autodiff.Mean(nll, false)
	}
	fmt.Fprintf(w, "5. A 2-layer ReLU network (%d→%d→%d, batch %d, softmax cross-entropy): backprop vs finite differences\n", in, hidden, classes, batch)
	fmt.Fprintf(w, "   loss = %.10f\n", loss().Item())
	res, err := autodiff.CheckParams(loss, params, nil)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, indent(strings.TrimRight(res.String(), "\n"), "   "))
	return nil
}

func printMatrix(w io.Writer, d []float64, n int) {
	for i := 0; i < n; i++ {
		fmt.Fprint(w, "     [")
		for j := 0; j < n; j++ {
			fmt.Fprintf(w, " %12.6f", d[i*n+j])
		}
		fmt.Fprintln(w, " ]")
	}
}

// indent prefixes every line of s with pre.
func indent(s, pre string) string { return pre + strings.ReplaceAll(s, "\n", "\n"+pre) }

// demoOptimizers minimises Rosenbrock's function from its standard start
// with gradient descent, momentum, Adam and L-BFGS.
func demoOptimizers(w io.Writer) error {
	rb := testfunc.Rosenbrock()
	fmt.Fprintf(w, "6. Minimising Rosenbrock from (%g, %g): first-order methods for 3000 steps, and L-BFGS\n", rb.Start[0], rb.Start[1])
	f, err := expr.Func(expr.MustParse(rb.Formula), []string{"x", "y"})
	if err != nil {
		return err
	}
	type G = []*optim.Group[float64]
	type O = optim.Optimizer[float64]
	runs := []struct {
		name string
		make optim.Factory
	}{
		{"gradient descent, lr 0.001", func(g G) (O, error) { return optim.NewSGD(g, optim.SGD{LR: 1e-3}) }},
		{"momentum 0.9, lr 0.001", func(g G) (O, error) { return optim.NewSGD(g, optim.SGD{LR: 1e-3, Momentum: 0.9}) }},
		{"Adam, lr 0.02", func(g G) (O, error) { return optim.NewAdam(g, optim.Adam{LR: 0.02}) }},
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "   \tmethod\tfinal f\tdistance to (1, 1)\tevaluations")
	stop := optim.Stop{MaxSteps: 3000, GradTol: 1e-8}
	for _, r := range runs {
		res, err := optim.Minimize(f, rb.Start, r.make, stop, optim.Options{})
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "   \t%s\t%.3g\t%.3g\t%d\n", r.name, res.F, dist(res.X, rb.Minima[0]), res.Evals)
	}
	res, err := optim.MinimizeLBFGS(f, rb.Start, optim.LBFGS{LineSearch: optim.StrongWolfe{}, ToleranceChange: 1e-20}, optim.Stop{MaxSteps: 50, GradTol: 1e-10})
	if err != nil {
		return err
	}
	fmt.Fprintf(tw, "   \tL-BFGS, strong Wolfe\t%.3g\t%.3g\t%d\n", res.F, dist(res.X, rb.Minima[0]), res.Evals)
	return tw.Flush()
}

// demoDigits trains a 64-64-10 ReLU network on the embedded digits (8×8
// images), showing per-epoch loss, held-out accuracy and gradient norms.
func demoDigits(w io.Writer) error {
	ds, err := data.Builtin("digits")
	if err != nil {
		return err
	}
	sp, err := data.StratifiedSplit(ds, data.Fractions{Test: 0.2}, 42)
	if err != nil {
		return err
	}
	var scale data.Standardizer
	if err := scale.Fit(sp.Train.X); err != nil {
		return err
	}
	sp.Train.X, sp.Test.X = scale.Transform(sp.Train.X), scale.Transform(sp.Test.X)
	fmt.Fprintf(w, "7. An MLP (64 → 64 ReLU → 10) on the digits: %d training and %d test images, Adam, mini-batches of 32\n", sp.Train.Len(), sp.Test.Len())
	model := nn.MLP[float64](sp.Train.NumFeatures(), []int{64}, sp.Train.NumClasses(), nil, false, 0, rand.New(rand.NewPCG(7, 7)))
	var gradSum float64
	var steps int
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "   epoch\ttrain loss\ttest loss\ttest accuracy\tmean ‖∇‖\t")
	cfg := train.Config{
		Epochs: 10, BatchSize: 32, Seed: 1, ClipNorm: 1e6, // a clip that never binds, to measure the gradient norm
		Optimizer: func(g []*optim.Group[float64]) (optim.Optimizer[float64], error) {
			return optim.NewAdam(g, optim.Adam{LR: 1e-3})
		},
		OnBatch: func(b train.Batch) { gradSum += b.GradNorm; steps++ },
		OnEpoch: func(e train.Epoch) error {
			fmt.Fprintf(tw, "   %d\t%.4f\t%.4f\t%.3f\t%.3f\t\n", e.Epoch, e.TrainLoss, e.ValLoss, e.ValAccuracy, gradSum/float64(steps))
			gradSum, steps = 0, 0
			return nil
		},
	}
	if _, err := train.Fit(model, nn.CrossEntropy[float64], sp.Train, sp.Test, cfg); err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	acc := train.Accuracy(train.Classes(train.Predict(model, sp.Test.X, data.Classify)), sp.Test.Labels)
	fmt.Fprintf(w, "   test accuracy %.3f\n", acc)
	return nil
}

// demoVanishing trains the same 10-layer network twice on digits under the
// gradient monitor: with sigmoids and small random weights the gradient
// dies on its way back to the input; with ReLU and He initialisation it
// does not.
func demoVanishing(w io.Writer) error {
	ds, err := data.Builtin("digits")
	if err != nil {
		return err
	}
	var scale data.Standardizer
	if err := scale.Fit(ds.X); err != nil {
		return err
	}
	ds.X = scale.Transform(ds.X)
	probe := ds.Rows(seq(64))
	fmt.Fprintln(w, "8. Vanishing gradients: a 10-layer network (64 → 32 × 9 → 10) on the digits, Adam, 5 epochs, watched by diagnose.Monitor")
	for _, c := range []struct {
		name string
		act  nn.Module[float64]
		init nn.Initializer
	}{
		{"sigmoid, weights N(0, 0.01²)", nn.Sigmoid[float64]{}, nn.SmallRandom{Std: 0.01}},
		{"ReLU, He initialisation", nn.ReLU[float64]{}, nn.KaimingNormal{}},
	} {
		rng := data.NewRand(1)
		lin := nn.LinearConfig{WeightInit: c.init, BiasInit: nn.Zeros{}}
		var layers []nn.Module[float64]
		in := ds.NumFeatures()
		for range 9 {
			layers = append(layers, nn.NewLinearWith[float64](in, 32, rng, lin), c.act)
			in = 32
		}
		model := nn.NewSequential(append(layers, nn.NewLinearWith[float64](in, ds.NumClasses(), rng, lin))...)
		cfg := train.Config{Epochs: 5, BatchSize: 32, Seed: 1, Optimizer: func(g []*optim.Group[float64]) (optim.Optimizer[float64], error) {
			return optim.NewAdam(g, optim.Adam{LR: 3e-3})
		}}
		mon := diagnose.NewMonitor(model, probe, diagnose.Options{})
		mon.Attach(&cfg)
		h, err := train.Fit(model, nn.CrossEntropy[float64], ds, nil, cfg)
		mon.Finish(err)
		if err != nil {
			return err
		}
		_, norms := mon.GradNorms()
		first := make([]string, len(norms))
		for i, curve := range norms {
			first[i] = fmt.Sprintf("%.1e", curve[0])
		}
		fmt.Fprintf(w, "   %s: training loss %.3f → %.3f\n", c.name, h.Epochs[0].TrainLoss, h.Epochs[len(h.Epochs)-1].TrainLoss)
		fmt.Fprintf(w, "     ‖∇W‖ per layer at step 1, input → output: %s\n", strings.Join(first, " "))
		findings := mon.Findings()
		if len(findings) == 0 {
			fmt.Fprintln(w, "     diagnose: nothing wrong")
		}
		for _, f := range findings {
			fmt.Fprintf(w, "     diagnose: %s — %s\n", f.Kind, f.Advice[0])
		}
	}
	return nil
}
