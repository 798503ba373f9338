package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/diagnose"
	"github.com/nabla-go/nabla/internal/textdist"
	"github.com/nabla-go/nabla/optim"
	"github.com/nabla-go/nabla/plot"
	"github.com/nabla-go/nabla/train"
)

// defaultTrainLR is train's learning rate when --lr is not given.
const defaultTrainLR = 0.01

// modelNames are the --model values of train.
var modelNames = []string{"linreg", "logreg", "softmax", "mlp", "svm"}

// trainOptimizers are the --optimizer values of train: minimize's but
// lbfgs, whose steps need the whole batch and a closure.
var trainOptimizers = slices.DeleteFunc(slices.Clone(optimizerNames), func(s string) bool { return s == "lbfgs" })

// trainFlags are the settings of nabla train. The optimiser's
// hyperparameters live in opt, shared with minimize (factory reads them).
type trainFlags struct {
	dataSpec, test, target, task, model, hidden, activation string
	optimizer, schedule, batch, scale, save, resume, plot   string
	plotGrads                                               string
	batchnorm, asJSON, diagnose                             bool
	dropout, l1, l2, clipNorm, val                          float64
	epochs, patience                                        int
	seed                                                    uint64
	opt                                                     minimizeFlags
}

func newTrainCmd() *cobra.Command {
	var fl trainFlags
	cmd := &cobra.Command{
		Use:   "train --data PATH|builtin:NAME --model linreg|logreg|softmax|mlp|svm",
		Short: "Train a model by backpropagation on a CSV file or a built-in data set",
		Long: `train fits a model to a data set with mini-batch gradient descent and reports
the loss per epoch and the metrics on the training and test rows.

Models: linreg (linear regression, MSE), logreg (logistic regression, two
classes), softmax (multinomial logistic regression), mlp (a multilayer
perceptron; --hidden, --activation, --batchnorm, --dropout; classifies or
regresses) and svm (linear SVM with the hinge loss, two classes relabelled
±1; add --l2 for the soft margin).

Without --test, 20% of the rows are held out for testing (stratified by class
for classification, at random for regression); --val takes a further share of
the training rows for validation and --patience stops early when the
validation loss stops improving. The scaler (--scale) is fitted on the
training rows only; a regression target is standardised too (unless --scale
none), and its metrics are reported in the original units.

The optimiser flags are those of minimize (--optimizer adam --lr 0.01
--beta1 … --momentum … --weight-decay …), and --schedule steps once per epoch.
The default learning rate is 0.01 (adadelta: 1), ten times PyTorch's Adam
default, which needs several hundred epochs on small tabular data.
--save writes the model, the scalers, the optimiser's state and the flags to
a safetensors file that nabla predict reads. --resume continues such a run
exactly where it stopped (the same batches, moments, schedule, dropout masks
and early-stopping record): it takes every setting from the file, and
--epochs is the new total.

Progress goes to stderr: one line per epoch, and on a terminal a bar with
the running loss and the speed; --json prints one object to stdout instead.`,
		Example: `  nabla train --data builtin:iris --model softmax --lr 0.01
  nabla train --data builtin:digits --model mlp --hidden 64 --epochs 20 --save digits.safetensors
  nabla train --data houses.csv --target price --model linreg --json
  nabla train --resume digits.safetensors --epochs 40 --save digits.safetensors`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fl.opt.set = cmd.Flags()
			return runTrain(cmd.OutOrStdout(), cmd.ErrOrStderr(), &fl)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.dataSpec, "data", "", "training data: a CSV file with a header, or builtin:NAME ("+strings.Join(data.BuiltinNames(), ", ")+") (required)")
	f.StringVar(&fl.test, "test", "", "test data with the same columns (default: hold out 20% of --data)")
	f.StringVar(&fl.target, "target", "", `the target column (default "target", else the last column)`)
	f.StringVar(&fl.task, "task", "auto", "auto, classify or regress")
	f.StringVar(&fl.model, "model", "", "one of "+strings.Join(modelNames, ", ")+" (required)")
	f.StringVar(&fl.hidden, "hidden", "64", "mlp: hidden layer widths, e.g. 64,32")
	f.StringVar(&fl.activation, "activation", "relu", "mlp: one of "+strings.Join(train.ActivationNames, ", "))
	f.BoolVar(&fl.batchnorm, "batchnorm", false, "mlp: batch normalisation after each hidden layer")
	f.Float64Var(&fl.dropout, "dropout", 0, "mlp: dropout probability after each activation")
	f.StringVar(&fl.optimizer, "optimizer", "adam", "one of "+strings.Join(trainOptimizers, ", "))
	f.Float64Var(&fl.opt.lr, "lr", 0, "learning rate (default 0.01; adadelta 1)")
	fl.opt.addHyperFlags(f)
	f.StringVar(&fl.schedule, "schedule", "", "learning-rate schedule per epoch: step:20:0.5, multistep:30,60:0.1, exp:0.99, cosine:100, warmup:10, invtime:0.01")
	f.IntVar(&fl.epochs, "epochs", 100, "passes over the training data")
	f.StringVar(&fl.batch, "batch", "32", "examples per step: a number, full (full-batch) or 1 (stochastic)")
	f.Float64Var(&fl.l1, "l1", 0, "L1 penalty λ·Σ|w| on the weights")
	f.Float64Var(&fl.l2, "l2", 0, "L2 penalty λ/2·Σw² on the weights")
	f.Float64Var(&fl.clipNorm, "clip-norm", 0, "clip the gradient's norm to this (0: no clipping)")
	f.StringVar(&fl.scale, "scale", "standard", "feature scaling: standard, minmax or none")
	f.Float64Var(&fl.val, "val", 0, "share of the training rows used for validation, e.g. 0.1")
	f.IntVar(&fl.patience, "patience", 0, "stop after this many epochs without a better validation loss (0: never)")
	f.Uint64Var(&fl.seed, "seed", 0, "seed for the split, the initial weights and the batch order")
	f.StringVar(&fl.save, "save", "", "write the trained model to this safetensors file")
	f.StringVar(&fl.resume, "resume", "", "continue the run saved in this checkpoint (--epochs: the new total)")
	f.BoolVar(&fl.diagnose, "diagnose", false, "watch the gradients while training: warn live and report vanishing or exploding gradients, dead ReLUs, saturation, a learning rate too high or too low, plateaus and NaN")
	f.StringVar(&fl.plot, "plot", "", "draw the loss curves (training, and validation with --val) to this .svg or .png file")
	f.StringVar(&fl.plotGrads, "plot-grads", "", "draw the gradient norm of each layer per step (sampled by the gradient monitor) to this .svg or .png file")
	f.BoolVar(&fl.asJSON, "json", false, "print one JSON object instead of text")
	return cmd
}

// trainOutput is the --json form.
type trainOutput struct {
	Model        string         `json:"model"`
	Task         string         `json:"task"`
	Data         string         `json:"data"`
	Features     int            `json:"features"`
	Classes      []string       `json:"classes,omitempty"`
	TrainRows    int            `json:"train_rows"`
	ValRows      int            `json:"val_rows"`
	TestRows     int            `json:"test_rows"`
	ResumedFrom  int            `json:"resumed_from,omitempty"`
	EpochsRun    int            `json:"epochs_run"`
	EarlyStopped bool           `json:"early_stopped"`
	BestEpoch    int            `json:"best_epoch"`
	TrainSeconds float64        `json:"train_seconds"`
	History      []epochOutput  `json:"history"`
	Train        metricsOutput  `json:"train"`
	Test         *metricsOutput `json:"test,omitempty"`
	Saved        string         `json:"saved,omitempty"`
	Plot         string         `json:"plot,omitempty"`
	PlotGrads    string         `json:"plot_grads,omitempty"`
	// Diagnostics are the findings of --diagnose ([] when it found
	// nothing; absent without --diagnose).
	Diagnostics *[]diagnose.Finding `json:"diagnostics,omitempty"`
}

type epochOutput struct {
	Epoch       int      `json:"epoch"`
	TrainLoss   float64  `json:"train_loss"`
	ValLoss     *float64 `json:"val_loss,omitempty"`
	ValAccuracy *float64 `json:"val_accuracy,omitempty"`
	LR          float64  `json:"lr"`
}

// metricsOutput holds the metrics of one part; classification fills
// accuracy and log_loss (not for svm, whose scores are not probabilities),
// regression mse and r2.
type metricsOutput struct {
	Accuracy *float64 `json:"accuracy,omitempty"`
	LogLoss  *float64 `json:"log_loss,omitempty"`
	MSE      *float64 `json:"mse,omitempty"`
	R2       *float64 `json:"r2,omitempty"`
}

// finite returns &v, or nil for NaN and ±Inf (which JSON cannot hold).
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

// choice checks a flag value against its options, suggesting the closest.
func choice(flag, v string, options []string) error {
	if slices.Contains(options, v) {
		return nil
	}
	msg := fmt.Sprintf("--%s: unknown value %q", flag, v)
	if s := textdist.Closest(v, options, 2); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return usagef("%s; choose one of %s", msg, strings.Join(options, ", "))
}

// parseBatch reads --batch: a positive whole number or "full" (0 for Fit).
func parseBatch(s string) (int, error) {
	if s == "full" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, usagef("--batch %q: write a positive whole number (1 is stochastic gradient descent) or full", s)
	}
	return n, nil
}

// parseHidden reads --hidden 64,32.
func parseHidden(s string) ([]int, error) {
	var out []int
	for _, p := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			return nil, usagef("--hidden %q: write positive layer widths separated by commas, e.g. 64,32", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// loadData reads a data set from a file or builtin:NAME with the given
// options. An unknown built-in name is a usage error.
func loadData(spec string, opts data.CSVOptions) (*data.Dataset, error) {
	name, ok := strings.CutPrefix(spec, "builtin:")
	if !ok {
		return data.LoadCSVFile(spec, opts)
	}
	if !slices.Contains(data.BuiltinNames(), name) {
		_, err := data.Builtin(name)
		return nil, usageError{err}
	}
	if strings.HasPrefix(name, "fashion-mnist") {
		ds, err := data.Builtin(name)
		if err != nil {
			return nil, err
		}
		if (opts.Target != "" && opts.Target != ds.TargetName) || opts.Task == data.Regress {
			return nil, usagef("%s is images with a class label: --target and --task regress do not apply", spec)
		}
		return ds, nil
	}
	b, err := data.BuiltinCSV(name)
	if err != nil {
		return nil, err
	}
	return data.LoadCSV(bytes.NewReader(b), spec, opts)
}

// prepared is a data set ready for training: split, scaled and relabelled.
type prepared struct {
	all              *data.Dataset
	trainSet, valSet *data.Dataset
	testSet          *data.Dataset // nil without test rows
	trainY           []float64     // the training targets before scaling or relabelling
	scaling          train.Scaling
}

func runTrain(stdout, stderr io.Writer, fl *trainFlags) error {
	var ck *train.Checkpoint
	if fl.resume != "" {
		var err error
		if ck, err = resumeFlags(fl.resume, fl.opt.set); err != nil {
			return err
		}
	}
	var missing []string
	for _, name := range []string{"data", "model"} {
		if f := fl.opt.set.Lookup(name); f.Value.String() == "" {
			missing = append(missing, "--"+name)
		}
	}
	if len(missing) > 0 {
		return usagef("%s must be given (or --resume with a checkpoint)", strings.Join(missing, " and "))
	}
	if err := choice("model", fl.model, modelNames); err != nil {
		return err
	}
	if err := choice("activation", fl.activation, train.ActivationNames); err != nil {
		return err
	}
	if err := choice("task", fl.task, []string{"auto", "classify", "regress"}); err != nil {
		return err
	}
	if err := choice("scale", fl.scale, []string{"standard", "minmax", "none"}); err != nil {
		return err
	}
	batch, err := parseBatch(fl.batch)
	if err != nil {
		return err
	}
	hidden, err := parseHidden(fl.hidden)
	if err != nil {
		return err
	}
	if fl.model != "mlp" {
		for _, name := range []string{"hidden", "activation", "batchnorm", "dropout"} {
			if fl.opt.set.Changed(name) {
				return usagef("--%s applies to --model mlp only", name)
			}
		}
	}
	switch {
	case fl.epochs < 1:
		return usagef("--epochs %d: train for at least one epoch", fl.epochs)
	case !(fl.val >= 0 && fl.val < 1):
		return usagef("--val %g must lie in [0, 1)", fl.val)
	case fl.patience < 0:
		return usagef("--patience %d must not be negative", fl.patience)
	case fl.patience > 0 && fl.val == 0:
		return usagef("--patience needs validation rows: add --val, e.g. --val 0.1")
	case !(fl.dropout >= 0 && fl.dropout < 1):
		return usagef("--dropout %g must lie in [0, 1)", fl.dropout)
	case !(fl.l1 >= 0) || !(fl.l2 >= 0) || !(fl.clipNorm >= 0):
		return usagef("--l1, --l2 and --clip-norm must not be negative")
	}
	for _, p := range []string{fl.plot, fl.plotGrads} {
		if p != "" {
			if err := plot.CheckFormat(p); err != nil {
				return usageError{err}
			}
		}
	}
	if fl.optimizer == "lbfgs" {
		return usagef("--optimizer lbfgs takes whole-batch steps of its own and is not supported by train; choose one of %s", strings.Join(trainOptimizers, ", "))
	}
	if err := choice("optimizer", fl.optimizer, trainOptimizers); err != nil {
		return err
	}
	if !fl.opt.set.Changed("lr") && fl.optimizer != "adadelta" {
		// PyTorch's Adam default of 0.001 (minimize's) needs several hundred
		// epochs on the small tabular sets train is mostly used with; 0.01
		// gets there in the default 100.
		fl.opt.lr = defaultTrainLR
	}
	newOpt, err := fl.opt.factory(fl.optimizer)
	if err != nil {
		return err
	}
	if _, err := newOpt(optim.Params(autodiffParam([]float64{0}))); err != nil {
		return usageError{err}
	}
	sched, err := parseSchedule(fl.schedule)
	if err != nil {
		return err
	}

	p, err := prepare(fl)
	if err != nil {
		return err
	}
	arch := train.Arch{Kind: fl.model, Inputs: p.all.NumFeatures(), Outputs: 1, Task: p.all.Task.String(),
		Classes: p.all.Classes, Features: p.all.FeatureNames, Target: p.all.TargetName}
	if fl.model == "softmax" || (fl.model == "mlp" && p.all.Task == data.Classify) {
		arch.Outputs = p.all.NumClasses()
	}
	if fl.model == "mlp" {
		arch.Hidden, arch.Activation, arch.BatchNorm, arch.Dropout = hidden, fl.activation, fl.batchnorm, fl.dropout
	}
	model, loss, err := train.Build(arch, fl.seed)
	if err != nil {
		return usageError{err}
	}

	cfg := train.Config{Epochs: fl.epochs, BatchSize: batch, Optimizer: newOpt, Schedule: sched, ClipNorm: fl.clipNorm,
		L1: fl.l1, L2: fl.l2, Seed: fl.seed, Patience: fl.patience,
		ReuseMemory: true} // train.Build's models keep no Var across steps
	start := 0
	if ck != nil {
		if err := matchCheckpoint(ck, arch, p.scaling, fl); err != nil {
			return err
		}
		model, loss, start = ck.Model, ck.Loss, ck.Meta.Epoch
		cfg.Resume = ck.Resume()
	}
	var pr *trainProgress
	if !fl.asJSON {
		what := "training"
		if ck != nil {
			what = fmt.Sprintf("resuming %s after epoch %d:", fl.resume, start)
		}
		fmt.Fprintf(stderr, "%s %s on %s: %d training, %d validation, %d test rows\n", what, fl.model, p.all.Name, p.trainSet.Len(), lenOf(p.valSet), lenOf(p.testSet))
		pr = newTrainProgress(stderr, isTerminal(stderr), fl.epochs, p.trainSet.Len())
		cfg.OnBatch, cfg.OnEpoch = pr.batch, pr.epoch
	}
	var mon *diagnose.Monitor
	if fl.diagnose || fl.plotGrads != "" {
		// The probe rows for dead and saturated units: the first 64 of the
		// (shuffled) training rows.
		probe := p.trainSet.Rows(seq(min(64, p.trainSet.Len())))
		var opts diagnose.Options
		if pr != nil && fl.diagnose {
			opts.OnFinding = func(f diagnose.Finding) { pr.note("warning: " + f.String()) }
		}
		mon = diagnose.NewMonitor(model, probe, opts)
		mon.Attach(&cfg)
	}
	began := time.Now()
	h, fitErr := train.Fit(model, loss, p.trainSet, p.valSet, cfg)
	seconds := time.Since(began).Seconds()
	var findings []diagnose.Finding
	if mon != nil {
		mon.Finish(fitErr)
		findings = mon.Findings()
		if findings == nil {
			findings = []diagnose.Finding{}
		}
	}
	if fitErr != nil && len(h.Epochs) == 0 && mon == nil {
		return fitErr
	}

	out := trainOutput{Model: fl.model, Task: p.all.Task.String(), Data: p.all.Name, Features: p.all.NumFeatures(), Classes: p.all.Classes,
		TrainRows: p.trainSet.Len(), ValRows: lenOf(p.valSet), TestRows: lenOf(p.testSet),
		ResumedFrom: start, EpochsRun: len(h.Epochs), EarlyStopped: h.EarlyStopped, BestEpoch: h.BestEpoch, TrainSeconds: seconds}
	for _, e := range h.Epochs {
		out.History = append(out.History, epochOutput{Epoch: e.Epoch, TrainLoss: e.TrainLoss, ValLoss: finite(e.ValLoss), ValAccuracy: finite(e.ValAccuracy), LR: e.LR})
	}
	result := &train.Checkpoint{Model: model, Loss: loss, Meta: train.Meta{Arch: arch, Scaling: p.scaling}}
	trainPart := *p.trainSet
	trainPart.Y = p.trainY
	out.Train = evaluate(result, &trainPart)
	if p.testSet != nil {
		m := evaluate(result, p.testSet)
		out.Test = &m
	}
	if fitErr == nil && fl.save != "" {
		meta := result.Meta
		meta.Optimizer = fl.optimizer
		meta.Flags = recordFlags(fl.opt.set)
		meta.OptimizerState = h.OptimizerState
		meta.Epoch = start + len(h.Epochs)
		meta.BestEpoch, meta.BestLoss, meta.Stale, meta.Last = h.BestEpoch, h.BestLoss, h.Stale, h.Last
		if err := train.Save(fl.save, model, meta); err != nil {
			return err
		}
		out.Saved = fl.save
	}
	if mon != nil && fl.diagnose {
		out.Diagnostics = &findings
	}
	if fl.plot != "" && len(h.Epochs) > 0 {
		if err := plotLosses(fl.plot, h.Epochs); err != nil {
			return err
		}
		out.Plot = fl.plot
	}
	if fl.plotGrads != "" {
		if err := plotGradNorms(fl.plotGrads, mon); err != nil {
			return err
		}
		out.PlotGrads = fl.plotGrads
	}
	if fl.asJSON {
		if err := writeJSON(stdout, out); err != nil {
			return err
		}
		return fitErr
	}
	fmt.Fprintf(stdout, "trained %s on %s for %d epochs in %.3g s", fl.model, p.all.Name, out.EpochsRun, seconds)
	if start > 0 {
		fmt.Fprintf(stdout, " (epochs %d–%d, resumed)", start+1, start+out.EpochsRun)
	}
	if h.EarlyStopped {
		fmt.Fprintf(stdout, " (stopped early; weights of epoch %d)", h.BestEpoch)
	}
	fmt.Fprintln(stdout)
	fmt.Fprintf(stdout, "train (%d rows): %s\n", out.TrainRows, out.Train)
	if out.Test != nil {
		fmt.Fprintf(stdout, "test  (%d rows): %s\n", out.TestRows, *out.Test)
	}
	if out.Saved != "" {
		fmt.Fprintf(stdout, "saved to %s\n", out.Saved)
	}
	if out.Plot != "" {
		fmt.Fprintf(stdout, "loss curves drawn to %s\n", out.Plot)
	}
	if out.PlotGrads != "" {
		fmt.Fprintf(stdout, "gradient norms drawn to %s\n", out.PlotGrads)
	}
	if mon != nil && fl.diagnose {
		printFindings(stdout, findings, mon)
	}
	return fitErr
}

// printFindings writes the diagnostics of --diagnose in words.
func printFindings(w io.Writer, findings []diagnose.Finding, mon *diagnose.Monitor) {
	if len(findings) == 0 {
		fmt.Fprintf(w, "diagnostics: nothing wrong seen in %d samples of the gradients of %d layers\n", len(mon.Samples), len(mon.Layers))
		return
	}
	fmt.Fprintf(w, "diagnostics: %d finding(s)\n", len(findings))
	for _, f := range findings {
		fmt.Fprintf(w, "- %s", f.Kind)
		if len(f.Layers) > 0 {
			fmt.Fprintf(w, " in %s", strings.Join(f.Layers, ", "))
		}
		fmt.Fprintf(w, " (steps %d–%d)\n  %s\n  try:\n", f.Steps[0], f.Steps[1], f.Evidence)
		for _, a := range f.Advice {
			fmt.Fprintf(w, "    · %s\n", a)
		}
	}
}

// seq returns 0, 1, …, n−1.
func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func lenOf(ds *data.Dataset) int {
	if ds == nil {
		return 0
	}
	return ds.Len()
}

// String writes the metrics that are present.
func (m metricsOutput) String() string {
	var parts []string
	add := func(name string, v *float64) {
		if v != nil {
			parts = append(parts, fmt.Sprintf("%s %.4f", name, *v))
		}
	}
	add("accuracy", m.Accuracy)
	add("log_loss", m.LogLoss)
	add("mse", m.MSE)
	add("r2", m.R2)
	return strings.Join(parts, "  ")
}

// prepare loads, splits, scales and relabels the data as the flags say.
func prepare(fl *trainFlags) (*prepared, error) {
	opts := data.CSVOptions{Target: fl.target}
	switch fl.task {
	case "classify":
		opts.Task = data.Classify
	case "regress":
		opts.Task = data.Regress
	}
	ds, err := loadData(fl.dataSpec, opts)
	if err != nil {
		return nil, err
	}
	if err := checkModelTask(fl.model, ds); err != nil {
		return nil, err
	}
	p := &prepared{all: ds}
	var trainPart *data.Dataset
	if fl.test != "" {
		if opts.Target == "" {
			opts.Target = ds.TargetName
		}
		opts.Task = ds.Task
		opts.AllowSingletonClasses = true
		test, err := loadData(fl.test, opts)
		if err != nil {
			return nil, err
		}
		if err := matchTest(ds, test); err != nil {
			return nil, err
		}
		trainPart, p.testSet = ds, test
	} else {
		s, err := data.SplitAuto(ds, data.Fractions{Test: 0.2}, fl.seed)
		if err != nil {
			return nil, err
		}
		trainPart, p.testSet = s.Train, s.Test
	}
	p.trainSet = trainPart
	if fl.val > 0 {
		s, err := data.SplitAuto(trainPart, data.Fractions{Val: fl.val}, fl.seed+1)
		if err != nil {
			return nil, err
		}
		p.trainSet, p.valSet = s.Train, s.Val
	}
	if p.testSet != nil && p.testSet.Len() == 0 {
		p.testSet = nil
	}

	// Scale features on the training rows only.
	p.scaling.Kind = fl.scale
	switch fl.scale {
	case "standard":
		p.scaling.Standard = &data.Standardizer{}
		if err := p.scaling.Standard.Fit(p.trainSet.X); err != nil {
			return nil, err
		}
	case "minmax":
		p.scaling.MinMax = &data.MinMaxScaler{}
		if err := p.scaling.MinMax.Fit(p.trainSet.X); err != nil {
			return nil, err
		}
	}
	// The sets were loaded or split for this run alone, so they are scaled
	// in place: Fashion-MNIST's features alone take 376 MB.
	p.trainY = p.trainSet.Y
	p.trainSet = withTargets(p.trainSet, p.trainSet.Y)
	p.scaling.TransformInPlace(p.trainSet.X)
	if p.valSet != nil {
		p.valSet = withTargets(p.valSet, p.valSet.Y)
		p.scaling.TransformInPlace(p.valSet.X)
	}
	if p.testSet != nil {
		p.testSet = withTargets(p.testSet, p.testSet.Y)
		p.scaling.TransformInPlace(p.testSet.X)
	}
	switch {
	case ds.Task == data.Regress && fl.scale != "none":
		// Standardise the target too, so the default learning rate suits
		// any units; predictions are mapped back.
		p.scaling.Target = &data.Standardizer{}
		if err := p.scaling.Target.Fit(data.Matrix{Rows: len(p.trainY), Cols: 1, Data: p.trainY}); err != nil {
			return nil, err
		}
		p.trainSet.Y = p.scaling.Target.Transform(data.Matrix{Rows: len(p.trainY), Cols: 1, Data: p.trainY}).Data
		if p.valSet != nil {
			p.valSet.Y = p.scaling.Target.Transform(data.Matrix{Rows: p.valSet.Len(), Cols: 1, Data: p.valSet.Y}).Data
		}
	case fl.model == "svm":
		// The hinge loss wants labels ±1.
		for _, d := range []*data.Dataset{p.trainSet, p.valSet} {
			if d != nil {
				for i, l := range d.Labels {
					d.Y[i] = float64(2*l - 1)
				}
			}
		}
	}
	return p, nil
}

// withTargets returns a shallow copy of ds with its own copy of y.
func withTargets(ds *data.Dataset, y []float64) *data.Dataset {
	c := *ds
	c.Y = slices.Clone(y)
	return &c
}

// checkModelTask refuses a model that cannot fit the data's task.
func checkModelTask(model string, ds *data.Dataset) error {
	k := ds.NumClasses()
	switch model {
	case "linreg":
		if ds.Task != data.Regress {
			return usagef("linreg is regression but %s has %d classes in %q: use logreg, softmax, mlp or svm, or --task regress", ds.Name, k, ds.TargetName)
		}
	case "logreg", "svm":
		if ds.Task != data.Classify {
			return usagef("%s classifies two classes but the target %q of %s is a real number: use linreg or mlp, or --task classify", model, ds.TargetName, ds.Name)
		}
		if k != 2 {
			return usagef("%s needs exactly 2 classes but %s has %d (%s): use softmax or mlp", model, ds.Name, k, strings.Join(ds.Classes, ", "))
		}
	case "softmax":
		if ds.Task != data.Classify {
			return usagef("softmax classifies but the target %q of %s is a real number: use linreg or mlp, or --task classify", ds.TargetName, ds.Name)
		}
	}
	return nil
}

// matchTest checks that the test set has the training set's columns and
// renumbers its classes to the training set's (a test file may lack a class,
// which would shift its own numbering).
func matchTest(trainSet, test *data.Dataset) error {
	if !slices.Equal(trainSet.FeatureNames, test.FeatureNames) {
		return fmt.Errorf("--test %s: its feature columns %v differ from those of --data %v", test.Name, test.FeatureNames, trainSet.FeatureNames)
	}
	if trainSet.Task != data.Classify {
		return nil
	}
	index := map[string]int{}
	for i, c := range trainSet.Classes {
		index[c] = i
	}
	for i, l := range test.Labels {
		j, ok := index[test.Classes[l]]
		if !ok {
			return fmt.Errorf("--test %s: row %d has the class %q, which the training data lacks (classes: %s)", test.Name, i+1, test.Classes[l], strings.Join(trainSet.Classes, ", "))
		}
		test.Labels[i], test.Y[i] = j, float64(j)
	}
	test.Classes = trainSet.Classes
	return nil
}

// prediction is what a model says about scaled rows x.
type prediction struct {
	classes []int       // classification
	probs   data.Matrix // classification except svm
	scores  []float64   // svm
	values  []float64   // regression, in the target's units
}

func predictRows(ck *train.Checkpoint, x data.Matrix) prediction {
	var p prediction
	a := ck.Meta.Arch
	switch {
	case a.Kind == "svm":
		p.scores = train.Column(train.Outputs(ck.Model, x), 0)
		p.classes = make([]int, len(p.scores))
		for i, s := range p.scores {
			if s > 0 {
				p.classes[i] = 1
			}
		}
	case a.Task == data.Classify.String():
		p.probs = train.Predict(ck.Model, x, data.Classify)
		p.classes = train.Classes(p.probs)
	default:
		out := train.Outputs(ck.Model, x)
		if t := ck.Meta.Scaling.Target; t != nil {
			out = t.InverseTransform(out)
		}
		p.values = train.Column(out, 0)
	}
	return p
}

// evaluate computes the metrics of the model on ds (features scaled,
// targets in their original units).
func evaluate(ck *train.Checkpoint, ds *data.Dataset) metricsOutput {
	p := predictRows(ck, ds.X)
	var m metricsOutput
	if p.values != nil {
		m.MSE, m.R2 = finite(train.MSE(p.values, ds.Y)), finite(train.R2(p.values, ds.Y))
		return m
	}
	m.Accuracy = finite(train.Accuracy(p.classes, ds.Labels))
	if p.probs.Data != nil {
		m.LogLoss = finite(train.LogLoss(p.probs, ds.Labels))
	}
	return m
}

// matchCheckpoint checks that a resumed run rebuilt the checkpoint's model
// and scalers from the data, so that it continues on the same data, and
// that more epochs are asked for.
func matchCheckpoint(ck *train.Checkpoint, arch train.Arch, scaling train.Scaling, fl *trainFlags) error {
	if !reflect.DeepEqual(ck.Meta.Arch, arch) || !reflect.DeepEqual(ck.Meta.Scaling, scaling) {
		return fmt.Errorf("--resume %s: the data %s no longer give the checkpoint's model and scalers (has the file changed?); train afresh without --resume", fl.resume, fl.dataSpec)
	}
	if fl.epochs <= ck.Meta.Epoch {
		return usagef("--resume %s: the run has trained %d epochs already; --epochs is the total, so give more than %d", fl.resume, ck.Meta.Epoch, ck.Meta.Epoch)
	}
	return nil
}

// plotLosses draws the training and (if any) validation loss per epoch.
func plotLosses(path string, epochs []train.Epoch) error {
	x := make([]float64, len(epochs))
	tr, val := make([]float64, len(epochs)), make([]float64, len(epochs))
	for i, e := range epochs {
		x[i], tr[i], val[i] = float64(e.Epoch), e.TrainLoss, e.ValLoss
	}
	series := []plot.Series{{Name: "training", X: x, Y: tr}}
	if !math.IsNaN(val[0]) {
		series = append(series, plot.Series{Name: "validation", X: x, Y: val})
	}
	return plot.LossCurves(path, plot.Chart{}, series...)
}

// plotGradNorms draws the gradient norm of each layer at the steps the
// monitor sampled.
func plotGradNorms(path string, mon *diagnose.Monitor) error {
	steps, norms := mon.GradNorms()
	x := make([]float64, len(steps))
	for i, s := range steps {
		x[i] = float64(s)
	}
	series := make([]plot.Series, len(norms))
	for l, ys := range norms {
		series[l] = plot.Series{Name: mon.Layers[l], X: x, Y: ys}
	}
	return plot.GradNormCurves(path, plot.Chart{}, series...)
}
