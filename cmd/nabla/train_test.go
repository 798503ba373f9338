package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nabla-go/nabla/data"
	"github.com/nabla-go/nabla/nn"
	"github.com/nabla-go/nabla/train"
)

func trainJSON(t *testing.T, args ...string) trainOutput {
	t.Helper()
	out, err := run(append([]string{"train", "--json"}, args...)...)
	if err != nil {
		t.Fatalf("train %v: %v\n%s", args, err, out)
	}
	var r trainOutput
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("train %v: %v\n%s", args, err, out)
	}
	return r
}

func TestTrainBuiltins(t *testing.T) {
	r := trainJSON(t, "--data", "builtin:iris", "--model", "softmax")
	if r.Test == nil || r.Test.Accuracy == nil || *r.Test.Accuracy < 0.93 || r.Test.LogLoss == nil {
		t.Errorf("iris softmax: test metrics %+v", r.Test)
	}
	if r.EpochsRun != 100 || len(r.History) != 100 || r.TrainRows != 120 || r.TestRows != 30 || !(r.TrainSeconds > 0) {
		t.Errorf("iris softmax: %d epochs, %d history rows, %d/%d rows, %g s", r.EpochsRun, len(r.History), r.TrainRows, r.TestRows, r.TrainSeconds)
	}
	if h := r.History; h[len(h)-1].TrainLoss >= h[0].TrainLoss || h[0].ValLoss != nil {
		t.Errorf("iris softmax: loss %g → %g, val_loss %v without --val", h[0].TrainLoss, h[len(h)-1].TrainLoss, h[0].ValLoss)
	}

	r = trainJSON(t, "--data", "builtin:digits", "--model", "mlp", "--hidden", "32", "--epochs", "4")
	if r.Test == nil || *r.Test.Accuracy < 0.95 {
		t.Errorf("digits mlp: test metrics %+v", r.Test)
	}

	r = trainJSON(t, "--data", "builtin:diabetes", "--model", "linreg")
	if r.Test == nil || r.Test.R2 == nil || *r.Test.R2 <= 0.4 || r.Test.MSE == nil || r.Test.Accuracy != nil {
		t.Errorf("diabetes linreg: test metrics %+v", r.Test)
	}

	r = trainJSON(t, "--data", "builtin:breast_cancer", "--model", "svm", "--l2", "0.01", "--epochs", "20")
	if r.Test == nil || *r.Test.Accuracy < 0.93 || r.Test.LogLoss != nil {
		t.Errorf("breast_cancer svm: test metrics %+v", r.Test)
	}

	// Validation and early stopping.
	r = trainJSON(t, "--data", "builtin:wine", "--model", "mlp", "--hidden", "8", "--batchnorm", "--dropout", "0.1", "--val", "0.2", "--patience", "3", "--epochs", "500", "--lr", "0.05")
	if r.ValRows == 0 || r.History[0].ValLoss == nil || r.History[0].ValAccuracy == nil || !r.EarlyStopped || r.EpochsRun >= 500 {
		t.Errorf("wine with --val --patience: %d val rows, early stopped %v after %d epochs", r.ValRows, r.EarlyStopped, r.EpochsRun)
	}
}

// Text mode prints progress lines on stderr and a summary on stdout.
func TestTrainText(t *testing.T) {
	out, err := run("train", "--data", "builtin:iris", "--model", "logreg", "--task", "classify", "--epochs", "3")
	if err == nil || exitCode(err) != 2 {
		t.Fatalf("logreg on iris (3 classes): %v", err)
	}
	out, err = run("train", "--data", "builtin:breast_cancer", "--model", "logreg", "--epochs", "3")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"epoch 1/3  train_loss", "epoch 3/3", "trained logreg on builtin:breast_cancer for 3 epochs", "test  (114 rows): accuracy"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

// writeSplit writes a built-in data set as two CSV files (every fifth row
// to the test file) and the test file without its target column.
func writeSplit(t *testing.T, dir, name string) (trainPath, testPath, bare string) {
	t.Helper()
	raw, err := data.BuiltinCSV(name)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	header := strings.Split(lines[0], ",")
	ti := slices.Index(header, "target")
	drop := func(l string) string {
		f := strings.Split(l, ",")
		return strings.Join(slices.Delete(f, ti, ti+1), ",")
	}
	tr, te, nt := []string{lines[0]}, []string{lines[0]}, []string{drop(lines[0])}
	for i, l := range lines[1:] {
		if i%5 == 0 {
			te, nt = append(te, l), append(nt, drop(l))
		} else {
			tr = append(tr, l)
		}
	}
	write := func(file string, ls []string) string {
		p := filepath.Join(dir, file)
		if err := os.WriteFile(p, []byte(strings.Join(ls, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write(name+"-train.csv", tr), write(name+"-test.csv", te), write(name+"-bare.csv", nt)
}

func predictJSON(t *testing.T, args ...string) predictOutput {
	t.Helper()
	out, err := run(append([]string{"predict", "--json"}, args...)...)
	if err != nil {
		t.Fatalf("predict %v: %v\n%s", args, err, out)
	}
	var r predictOutput
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// A saved model predicts the test rows exactly as at the end of training:
// the metrics recomputed from predict's output equal train's to the bit.
func TestSaveThenPredict(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		set, model string
		extra      []string
	}{{"iris", "mlp", []string{"--hidden", "8", "--batchnorm"}}, {"diabetes", "linreg", nil}} {
		trainPath, testPath, bare := writeSplit(t, dir, c.set)
		model := filepath.Join(dir, c.set+".safetensors")
		r := trainJSON(t, append([]string{"--data", trainPath, "--test", testPath, "--model", c.model, "--epochs", "30", "--save", model}, c.extra...)...)
		if r.Saved != model || r.Test == nil {
			t.Fatalf("%s: saved %q, test %+v", c.set, r.Saved, r.Test)
		}
		p := predictJSON(t, "--model", model, "--data", testPath)
		q := predictJSON(t, "--model", model, "--data", bare)
		if p.Rows != r.TestRows || q.Metrics != nil || p.Metrics == nil {
			t.Fatalf("%s: %d rows predicted, %d tested; metrics %v / %v", c.set, p.Rows, r.TestRows, p.Metrics, q.Metrics)
		}
		pb, _ := json.Marshal(p.Predictions)
		qb, _ := json.Marshal(q.Predictions)
		if string(pb) != string(qb) {
			t.Errorf("%s: predictions differ with and without the target column", c.set)
		}
		if c.model == "linreg" {
			if *p.Metrics.MSE != *r.Test.MSE || *p.Metrics.R2 != *r.Test.R2 {
				t.Errorf("%s: predict mse %v r2 %v, train %v %v", c.set, *p.Metrics.MSE, *p.Metrics.R2, *r.Test.MSE, *r.Test.R2)
			}
			continue
		}
		// Recompute from the probabilities.
		test, err := data.LoadCSVFile(testPath, data.CSVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		probs := data.NewMatrix(p.Rows, len(p.Classes))
		for i, row := range p.Predictions {
			copy(probs.Row(i), row.Probabilities)
		}
		acc, ll := train.Accuracy(train.Classes(probs), test.Labels), train.LogLoss(probs, test.Labels)
		if acc != *r.Test.Accuracy || ll != *r.Test.LogLoss || *p.Metrics.LogLoss != ll {
			t.Errorf("%s: predict accuracy %v log loss %v, train %v %v", c.set, acc, ll, *r.Test.Accuracy, *r.Test.LogLoss)
		}
	}
}

func TestTrainUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--data", "builtin:iris", "--model", "softmx"}, `did you mean "softmax"`},
		{[]string{"--data", "builtin:iris", "--model", "perceptron"}, "choose one of linreg, logreg"},
		{[]string{"--data", "builtin:iris", "--model", "softmax", "--batch", "abc"}, `--batch "abc"`},
		{[]string{"--data", "builtin:wine", "--model", "logreg"}, "logreg needs exactly 2 classes"},
		{[]string{"--data", "builtin:wine", "--model", "linreg"}, "linreg is regression"},
		{[]string{"--data", "builtin:diabetes", "--model", "softmax"}, "softmax classifies"},
		{[]string{"--data", "builtin:iris", "--model", "svm"}, "svm needs exactly 2 classes"},
		{[]string{"--data", "builtin:iris", "--model", "softmax", "--hidden", "8"}, "--hidden applies to --model mlp only"},
		{[]string{"--data", "builtin:iris", "--model", "mlp", "--activation", "tahn"}, `did you mean "tanh"`},
		{[]string{"--data", "builtin:iris", "--model", "mlp", "--hidden", "8,x"}, "--hidden"},
		{[]string{"--data", "builtin:iris", "--model", "softmax", "--optimizer", "lbfgs"}, "lbfgs"},
		{[]string{"--data", "builtin:iris", "--model", "softmax", "--patience", "3"}, "--val"},
		{[]string{"--data", "builtin:iris", "--model", "softmax", "--schedule", "stpe:3:0.5"}, `did you mean "step"`},
		{[]string{"--data", "builtin:iriss", "--model", "softmax"}, `did you mean "iris"`},
		{[]string{"--model", "softmax"}, "--data must be given"},
		{[]string{"--data", "builtin:iris", "--model", "softmax", "--optimizer", "adamm"}, `did you mean "adam"`},
	} {
		out, err := run(append([]string{"train"}, c.args...)...)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), c.want) {
			t.Errorf("train %v: error %v (exit %d), want exit 2 with %q\n%s", c.args, err, exitCode(err), c.want, out)
		}
	}
}

func TestPredictRefusesCorruptedCheckpoint(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "m.safetensors")
	trainJSON(t, "--data", "builtin:iris", "--model", "softmax", "--epochs", "2", "--save", model)
	raw, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	bad := slices.Clone(raw)
	bad[len(bad)-1] ^= 1
	for name, b := range map[string][]byte{"flipped": bad, "truncated": raw[:len(raw)/2]} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := run("predict", "--model", p, "--data", "builtin:iris")
		if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "invalid checkpoint") {
			t.Errorf("%s checkpoint: %v", name, err)
		}
	}
	if _, err := run("predict", "--model", model, "--data", "builtin:wine"); err == nil || !strings.Contains(err.Error(), "lacks the feature columns") {
		t.Errorf("predict on other columns: %v", err)
	}
}

// A run that fails (here it diverges) leaves an existing file at --save as
// it was; train.Save is atomic (safetensors.WriteFile), see also
// train.TestFailedSaveKeepsOldFile.
func TestFailedTrainKeepsOldFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.safetensors")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := run("train", "--data", "builtin:diabetes", "--model", "linreg", "--optimizer", "sgd", "--lr", "1e10", "--save", path, "--json")
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("diverging run: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("the existing file now holds %q", b)
	}
	// Saving over a directory fails and leaves it alone.
	dir := t.TempDir()
	if _, err := run("train", "--data", "builtin:iris", "--model", "softmax", "--epochs", "1", "--save", dir); err == nil {
		t.Error("saving over a directory succeeded")
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Errorf("the directory is gone: %v", err)
	}
}

// TestTrainResume trains in one go and in two runs joined by --save and
// --resume: the histories, the outcome and the saved weights must agree bit
// for bit (dropout masks, early stopping and Adam's moments included).
func TestTrainResume(t *testing.T) {
	dir := t.TempDir()
	common := []string{"--data", "builtin:wine", "--model", "mlp", "--hidden", "8", "--dropout", "0.2", "--val", "0.2",
		"--patience", "4", "--lr", "0.05", "--batch", "16", "--seed", "3"}
	at := func(name string) string { return filepath.Join(dir, name) }
	full := trainJSON(t, append(common, "--epochs", "60", "--save", at("full"))...)
	if !full.EarlyStopped || full.EpochsRun < 6 {
		t.Fatalf("the run should stop early after some epochs for this test (early %v after %d)", full.EarlyStopped, full.EpochsRun)
	}
	t.Logf("in one go: %d epochs, best %d", full.EpochsRun, full.BestEpoch)
	k := full.EpochsRun - 3 // inside the patience window: the best epoch is usually earlier
	part := trainJSON(t, append(common, "--epochs", strconv.Itoa(k), "--save", at("part"))...)
	rest := trainJSON(t, "--resume", at("part"), "--epochs", "60", "--save", at("resumed"))
	if rest.ResumedFrom != k || rest.EarlyStopped != full.EarlyStopped || rest.BestEpoch != full.BestEpoch {
		t.Errorf("resumed from %d (want %d), early stop %v, best epoch %d; in one go %v, %d", rest.ResumedFrom, k, rest.EarlyStopped, rest.BestEpoch, full.EarlyStopped, full.BestEpoch)
	}
	joined := append(slices.Clone(part.History), rest.History...)
	if len(joined) != len(full.History) {
		t.Fatalf("%d + %d epochs, %d in one go", len(part.History), len(rest.History), len(full.History))
	}
	for i := range joined {
		a, b := joined[i], full.History[i]
		if a.Epoch != b.Epoch || a.TrainLoss != b.TrainLoss || *a.ValLoss != *b.ValLoss || *a.ValAccuracy != *b.ValAccuracy {
			t.Errorf("epoch %d: resumed %+v, in one go %+v", i+1, a, b)
		}
	}
	if *rest.Test.Accuracy != *full.Test.Accuracy || *rest.Test.LogLoss != *full.Test.LogLoss {
		t.Errorf("test metrics: resumed %s, in one go %s", *rest.Test, *full.Test)
	}
	a, err := train.Load(at("full"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := train.Load(at("resumed"))
	if err != nil {
		t.Fatal(err)
	}
	da, db := nn.StateDict(a.Model), nn.StateDict(b.Model)
	for name, v := range da {
		if !slices.Equal(v.Data(), db[name].Data()) {
			t.Errorf("%s differs between the resumed and the uninterrupted run", name)
		}
	}

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--resume", at("part"), "--lr", "0.1"}, 2, "--lr 0.1 differs from the checkpoint's run (--lr 0.05)"},
		{[]string{"--resume", at("part"), "--data", "builtin:iris"}, 2, "--data builtin:iris differs"},
		{[]string{"--resume", at("part"), "--epochs", strconv.Itoa(k)}, 2, "give more than"},
		{[]string{"--resume", at("missing")}, 1, "missing"},
	} {
		out, err := run(append([]string{"train"}, c.args...)...)
		if err == nil || exitCode(err) != c.code || !strings.Contains(err.Error(), c.want) {
			t.Errorf("train %v: error %v (exit %d), want exit %d with %q\n%s", c.args, err, exitCode(err), c.code, c.want, out)
		}
	}
}

// TestTrainProgress checks both forms of the progress report: a bar with
// the running loss and the speed on a terminal, plain epoch lines otherwise.
func TestTrainProgress(t *testing.T) {
	for _, tty := range []bool{false, true} {
		var buf strings.Builder
		p := newTrainProgress(&buf, tty, 2, 10)
		p.batch(train.Batch{Epoch: 1, Epochs: 2, Batch: 1, Batches: 2, Loss: 3, ExamplesPerStep: 5})
		bar := buf.String()
		p.batch(train.Batch{Epoch: 1, Epochs: 2, Batch: 2, Batches: 2, Loss: 1, ExamplesPerStep: 5})
		if err := p.epoch(train.Epoch{Epoch: 1, TrainLoss: 2, ValLoss: math.NaN(), ValAccuracy: math.NaN(), LR: 0.01}); err != nil {
			t.Fatal(err)
		}
		line := "epoch 1/2  train_loss 2  lr 0.01\n"
		switch out := buf.String(); {
		case !tty && out != line:
			t.Errorf("piped: %q, want %q", out, line)
		case tty && (!strings.Contains(bar, "epoch 1/2  loss 3") || !strings.Contains(bar, " ex/") || !strings.HasSuffix(out, line)):
			t.Errorf("terminal: bar %q, all %q", bar, out)
		}
	}
}

// TestFashionMNIST trains an MLP for one epoch on Fashion-MNIST and checks
// that predict on the saved model reproduces train's test metrics. It needs
// `apt-get install dataset-fashion-mnist` (about 5 s); the full-length run
// that reaches 0.887 is in bench/train_compare.sh.
func TestFashionMNIST(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	if _, err := os.Stat(filepath.Join(data.FashionMNISTDir, "train-images-idx3-ubyte.gz")); err != nil {
		t.Skipf("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist): %v", err)
	}
	model := filepath.Join(t.TempDir(), "fm.safetensors")
	r := trainJSON(t, "--data", "builtin:fashion-mnist", "--test", "builtin:fashion-mnist-test", "--model", "mlp",
		"--hidden", "32", "--epochs", "1", "--batch", "128", "--save", model)
	if r.TrainRows != 60000 || r.TestRows != 10000 || *r.Test.Accuracy < 0.8 {
		t.Errorf("%d/%d rows, test accuracy %.4f after one epoch, want ≥ 0.8", r.TrainRows, r.TestRows, *r.Test.Accuracy)
	}
	out, err := run("predict", "--model", model, "--data", "builtin:fashion-mnist-test", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Predictions []struct {
			Prediction string `json:"prediction"`
		} `json:"predictions"`
		Metrics metricsOutput `json:"metrics"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Predictions) != 10000 || *p.Metrics.Accuracy != *r.Test.Accuracy || *p.Metrics.LogLoss != *r.Test.LogLoss {
		t.Errorf("predict: %d rows, %s; train said %s", len(p.Predictions), p.Metrics, *r.Test)
	}
}
