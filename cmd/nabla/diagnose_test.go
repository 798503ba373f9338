package main

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTrainDiagnose: a deep sigmoid network reports vanishing gradients,
// the same data with a healthy network reports nothing, and both put a
// diagnostics array in the JSON.
func TestTrainDiagnose(t *testing.T) {
	kinds := func(r trainOutput) []string {
		if r.Diagnostics == nil {
			t.Fatal("no diagnostics array with --diagnose")
		}
		var k []string
		for _, f := range *r.Diagnostics {
			if f.Evidence == "" || len(f.Advice) == 0 {
				t.Errorf("finding %s without evidence or advice", f.Kind)
			}
			k = append(k, f.Kind)
		}
		return k
	}
	deep := trainJSON(t, "--data", "builtin:digits", "--model", "mlp", "--hidden", "32,32,32,32,32,32,32,32", "--activation", "sigmoid", "--epochs", "3", "--diagnose")
	if k := kinds(deep); !slices.Contains(k, "vanishing") {
		t.Errorf("deep sigmoid network: findings %v, want vanishing", k)
	}
	healthy := trainJSON(t, "--data", "builtin:digits", "--model", "mlp", "--hidden", "64", "--epochs", "5", "--diagnose")
	if k := kinds(healthy); len(k) != 0 {
		t.Errorf("healthy digits MLP: findings %v, want none", k)
	}
	if plain := trainJSON(t, "--data", "builtin:iris", "--model", "softmax", "--epochs", "2"); plain.Diagnostics != nil {
		t.Error("diagnostics without --diagnose")
	}
	out, err := run("train", "--data", "builtin:digits", "--model", "mlp", "--hidden", "32,32,32,32,32,32,32,32", "--activation", "sigmoid", "--epochs", "3", "--diagnose")
	if err != nil || !strings.Contains(out, "warning: vanishing") || !strings.Contains(out, "- vanishing in layer 0") || !strings.Contains(out, "try:") {
		t.Errorf("text form: %v\n%s", err, out)
	}
}

// syntheticCSV writes a classification data set whose class depends on
// the features "a" and "b" only (class = a + 2b > 0), with three noise
// features, and one outlier row far out and labelled against the rule.
// It returns the path and the outlier's row number (from 1).
func syntheticCSV(t *testing.T) (string, int) {
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("noise1,a,noise2,b,noise3,target\n")
	const rows, outlier = 300, 137
	for i := 1; i <= rows; i++ {
		x := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		y := 0
		if x[1]+2*x[3] > 0 {
			y = 1
		}
		if i == outlier {
			x[1], x[3], y = 4, 4, 0
		}
		fmt.Fprintf(&b, "%.6f,%.6f,%.6f,%.6f,%.6f,%d\n", x[0], x[1], x[2], x[3], x[4], y)
	}
	path := filepath.Join(t.TempDir(), "synthetic.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, outlier
}

// TestDiagnoseCommand: the features the target depends on rank first, the
// mislabelled outlier ranks first among the rows.
func TestDiagnoseCommand(t *testing.T) {
	csv, outlier := syntheticCSV(t)
	model := filepath.Join(t.TempDir(), "m.safetensors")
	trainJSON(t, "--data", csv, "--model", "logreg", "--epochs", "50", "--save", model)
	out, err := run("diagnose", "--model", model, "--data", csv, "--json", "--top", "3")
	if err != nil {
		t.Fatal(err, out)
	}
	var d diagnoseOutput
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Importance) != 5 || d.Importance[0].Feature != "b" || d.Importance[1].Feature != "a" {
		t.Errorf("importance ranking %+v, want b then a (weights 2 and 1)", d.Importance)
	}
	for i := 1; i < len(d.Importance); i++ {
		if d.Importance[i].Saliency > d.Importance[i-1].Saliency || math.IsNaN(d.Importance[i].Saliency) {
			t.Errorf("importance not sorted: %+v", d.Importance)
		}
	}
	if len(d.Anomalies) != 3 || d.Anomalies[0].Row != outlier {
		t.Errorf("anomalies %+v, want row %d first", d.Anomalies, outlier)
	}
	text, err := run("diagnose", "--model", model, "--data", csv)
	if err != nil || !strings.Contains(text, "1     b") || !strings.Contains(text, fmt.Sprintf("\n%d  ", outlier)) {
		t.Errorf("text form: %v\n%s", err, text)
	}

	// Without the target column: importance only, with a note.
	raw, _ := os.ReadFile(csv)
	var noTarget strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		noTarget.WriteString(line[:strings.LastIndex(line, ",")] + "\n")
	}
	p := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(p, []byte(noTarget.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := run("diagnose", "--model", model, "--data", p); err != nil || !strings.Contains(out, "no anomaly scores") {
		t.Errorf("without targets: %v\n%s", err, out)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--model", model, "--data", "builtin:iris"}, "lacks the feature columns"},
		{[]string{"--model", model, "--data", csv, "--top", "0"}, "--top 0"},
		{[]string{"--model", filepath.Join(t.TempDir(), "none"), "--data", csv}, "none"},
	} {
		if out, err := run(append([]string{"diagnose"}, c.args...)...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("diagnose %v: %v, want an error with %q\n%s", c.args, err, c.want, out)
		}
	}
}

// TestMinimizeSaddle: gradient descent on x² − y² + y⁴/4 from just off the
// saddle's stable axis passes near the saddle at 0 and ends at a minimum.
func TestMinimizeSaddle(t *testing.T) {
	out, err := run("minimize", "x^2 - y^2 + y^4/4", "--from", "x=1,y=0.001", "--optimizer", "gd", "--lr", "0.1", "--steps", "300", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r minimizeOutput
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	st := r.Stationary
	// At the minimum (0, ±√2) the Hessian is diag(2, −2 + 3y²) = diag(2, 4).
	if st == nil || st.End.Kind != "minimum" || len(st.End.Eigenvalues) != 2 || math.Abs(st.End.Eigenvalues[1]-4) > 1e-6 {
		t.Fatalf("end: %+v", st)
	}
	if len(st.Saddles) != 1 || st.Saddles[0].Closest.Kind != "saddle" || math.Hypot(st.Saddles[0].Closest.X[0], st.Saddles[0].Closest.X[1]) > 0.1 {
		t.Errorf("saddle visits %+v, want one near (0, 0)", st.Saddles)
	}
	text, err := run("minimize", "x^2 - y^2 + y^4/4", "--from", "x=1,y=0.001", "--optimizer", "gd", "--lr", "0.1", "--steps", "300")
	if err != nil || !strings.Contains(text, "→ a minimum") || !strings.Contains(text, "passed near a saddle") {
		t.Errorf("text: %v\n%s", err, text)
	}
}
