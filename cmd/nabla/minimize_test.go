package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// The textbook example through the command line: gradient descent with
// η = 0.1 on (x−2)² + (y−1)² from (4.5, 3.5) steps to (4, 3), and every step
// shrinks the distance to (2, 1) by 0.8.
func TestMinimizeTextbookJSON(t *testing.T) {
	out, err := run("minimize", "(x-2)^2 + (y-1)^2", "--from", "x=4.5,y=3.5", "--optimizer", "gd", "--lr", "0.1", "--steps", "30", "--tol", "0", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r minimizeOutput
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Path) != 31 || len(r.Loss) != 31 || r.Steps != 30 || r.Path[1][0] != 4 || r.Path[1][1] != 3 || r.Loss[0] != 12.5 {
		t.Fatalf("path %v…, steps %d", r.Path[:2], r.Steps)
	}
	if d := math.Hypot(r.X[0]-2, r.X[1]-1) / math.Hypot(2.5, 2.5); math.Abs(d-math.Pow(0.8, 30)) > 1e-12 {
		t.Errorf("distance ratio after 30 steps %v, want 0.8^30", d)
	}
	if strings.Join(r.Vars, ",") != "x,y" || !strings.Contains(r.Stopped, "step limit") {
		t.Errorf("vars %v, stopped %q", r.Vars, r.Stopped)
	}
	// With the default tolerance it stops early, at a small gradient.
	out, _ = run("minimize", "(x-2)^2 + (y-1)^2", "--from", "x=4.5,y=3.5", "--lr", "0.1", "--steps", "1000", "--json")
	json.Unmarshal([]byte(out), &r)
	if r.Steps >= 1000 || r.GradNorm > 1e-8 || !strings.Contains(r.Stopped, "tolerance") {
		t.Errorf("with --tol 1e-8: %d steps, |∇f| %g, %q", r.Steps, r.GradNorm, r.Stopped)
	}
}

func TestMinimizeRestartsAndCompare(t *testing.T) {
	out, err := run("minimize", "(x^2+y-11)^2 + (x+y^2-7)^2", "--from", "x=0,y=0", "--optimizer", "adam", "--lr", "0.05",
		"--steps", "3000", "--restarts", "20", "--box", "-5:5", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r minimizeOutput
	json.Unmarshal([]byte(out), &r)
	if len(r.Minima) != 4 || r.F > 1e-12 {
		t.Errorf("Himmelblau: %d minima, best f %g", len(r.Minima), r.F)
	}
	out, err = run("minimize", "(1-x)^2 + 100*(y-x^2)^2", "--from", "x=-1.2,y=1", "--steps", "500", "--lr", "0.001",
		"--compare", "sgd,adam,rmsprop", "--json")
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal([]byte(out), &r)
	if len(r.Runs) != 3 || r.Runs[0].Optimizer != "sgd" {
		t.Fatalf("compare: %+v", r.Runs)
	}
	zero := 0
	for _, row := range r.Runs {
		if row.Distance == 0 {
			zero++
		}
	}
	if zero != 1 {
		t.Errorf("exactly one run is the best: %+v", r.Runs)
	}
}

func TestMinimizeErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--optimizer", "adma"}, 2, `did you mean "adam"`},
		{[]string{"--lr", "-1"}, 2, "learning rate must be positive"},
		{[]string{"--optimizer", "adam", "--beta1", "1"}, 2, "--beta1 1 must lie in [0, 1)"},
		{[]string{"--schedule", "stp:20:0.5"}, 2, `did you mean "step"`},
		{[]string{"--schedule", "step:20"}, 2, "step:SIZE:GAMMA"},
		{[]string{"--clip-norm", "1", "--clip-value", "1"}, 2, "none of the others can be"},
		{[]string{"--optimizer", "gd", "--momentum", "0.9"}, 2, "use sgd for momentum"},
		{[]string{"--steps", "0"}, 2, "--steps must be at least 1"},
		{[]string{"--lr", "10", "--steps", "100"}, 1, "diverged at step"},
	} {
		args := append([]string{"minimize", "x^2 + y^2", "--from", "x=1,y=1"}, c.args...)
		_, err := run(args...)
		if err == nil || exitCode(err) != c.code || !strings.Contains(err.Error(), c.want) {
			t.Errorf("nabla %q: %v (exit %d), want exit %d and %q", args, err, exitCode(err), c.code, c.want)
		}
	}
	if _, err := run("minimize", "x^2 + y^2", "--from", "x=1"); err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "no value for y") {
		t.Errorf("missing variable: %v", err)
	}
	if _, err := run("minimize", "log(x)", "--from", "x=-1"); err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "starting point") {
		t.Errorf("start outside the domain: %v", err)
	}
}

// L-BFGS from the command line solves Rosenbrock in a few outer steps.
func TestMinimizeLBFGS(t *testing.T) {
	out, err := run("minimize", "(1-x)^2 + 100*(y-x^2)^2", "--from", "x=-1.2,y=1", "--optimizer", "lbfgs", "--steps", "20", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r minimizeOutput
	json.Unmarshal([]byte(out), &r)
	if r.F > 1e-8 || r.Steps > 10 || math.Hypot(r.X[0]-1, r.X[1]-1) > 1e-3 {
		t.Errorf("L-BFGS: f %g at %v after %d steps (%s)", r.F, r.X, r.Steps, r.Stopped)
	}
	if _, err := run("minimize", "x^2", "--from", "x=1", "--optimizer", "lbfgs", "--line-search", "wolf"); err == nil || exitCode(err) != 2 {
		t.Errorf("bad --line-search: %v", err)
	}
}
