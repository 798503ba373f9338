package playground

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// post sends body to path on h and returns the status and the decoded JSON
// answer (into out, if given) or the raw error message.
func post(t *testing.T, h http.Handler, path, body string, out any) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s: Content-Type %q, want application/json", path, ct)
	}
	if rec.Code != http.StatusOK {
		var e errorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
			t.Fatalf("%s: status %d with body %q, want a JSON error", path, rec.Code, rec.Body.String())
		}
		return rec.Code, e.Error
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s: decoding %q: %v", path, rec.Body.String(), err)
		}
	}
	return rec.Code, ""
}

// wantError checks that a request is refused with status and a message
// containing each of parts.
func wantError(t *testing.T, h http.Handler, path, body string, status int, parts ...string) {
	t.Helper()
	code, msg := post(t, h, path, body, nil)
	if code != status {
		t.Errorf("%s %s: status %d (%q), want %d", path, body, code, msg, status)
		return
	}
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("%s %s: error %q does not mention %q", path, body, msg, p)
		}
	}
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func TestStaticAssets(t *testing.T) {
	s := New(Limits{})
	for path, want := range map[string]string{
		"/":           `<script src="app.js">`,
		"/app.js":     "window.nabla",
		"/style.css":  "--accent",
		"/index.html": "", // redirected to /
	} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if path == "/index.html" {
			if rec.Code != http.StatusMovedPermanently {
				t.Errorf("GET %s: status %d, want a redirect to /", path, rec.Code)
			}
			continue
		}
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s: status %d, body without %q", path, rec.Code, want)
		}
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/nope.js", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET /nope.js: status %d, want 404", rec.Code)
	}
}

func TestInfo(t *testing.T) {
	rec := httptest.NewRecorder()
	New(Limits{MaxExprLen: 77}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/info", nil))
	var info struct {
		Optimizers []optimizerInfo
		Datasets   []string
		Limits     map[string]float64
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil {
		t.Fatal(err)
	}
	if len(info.Optimizers) != len(pageOptimizers) || len(info.Datasets) != 4 || info.Limits["expr_len"] != 77 {
		t.Errorf("info = %+v", info)
	}
}

func TestSurface(t *testing.T) {
	s := New(Limits{})
	var r SurfaceResponse
	// f = x² + 3y² + xy on [−1, 1]²: ∇f = (2x + y, 6y + x).
	if code, msg := post(t, s, "/api/surface", `{"expr":"x^2 + 3*y^2 + x*y","box":{"xmin":-1,"xmax":1,"ymin":-1,"ymax":1},"n":5,"field":3}`, &r); code != 200 {
		t.Fatalf("status %d: %s", code, msg)
	}
	if r.N != 5 || len(r.Values) != 25 || len(r.GX) != 9 || len(r.GY) != 9 {
		t.Fatalf("sizes: n %d, %d values, %d/%d field", r.N, len(r.Values), len(r.GX), len(r.GY))
	}
	xs, ys := r.Box.grid(5)
	for k := range xs {
		x, y := xs[k], ys[k]
		if want := x*x + 3*y*y + x*y; !near(r.Values[k], want, 1e-6) {
			t.Errorf("f(%g, %g) = %g, want %g", x, y, r.Values[k], want)
		}
	}
	fx, fy := r.Box.grid(3)
	for k := range fx {
		if gx, gy := 2*fx[k]+fy[k], 6*fy[k]+fx[k]; !near(r.GX[k], gx, 1e-6) || !near(r.GY[k], gy, 1e-6) {
			t.Errorf("∇f(%g, %g) = (%g, %g), want (%g, %g)", fx[k], fy[k], r.GX[k], r.GY[k], gx, gy)
		}
	}
	if r.Min != 0 || r.Max != 5 || len(r.Levels) < 3 || r.Undefined != 0 {
		t.Errorf("min %g, max %g, levels %v, undefined %d", r.Min, r.Max, r.Levels, r.Undefined)
	}
}

// Points where f is undefined come back as null, and the rest of the grid
// (values and gradients) is still there.
func TestSurfaceUndefined(t *testing.T) {
	s := New(Limits{})
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/surface", strings.NewReader(`{"expr":"sqrt(x) + y","box":{"xmin":-1,"xmax":1,"ymin":0,"ymax":1},"n":3,"field":3}`)))
	var r struct {
		Values, GX []*float64
		Undefined  int
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("%v in %s", err, rec.Body.String())
	}
	if r.Undefined != 3 || r.Values[0] != nil || r.Values[1] == nil || r.Values[2] == nil {
		t.Errorf("undefined %d, values %s", r.Undefined, rec.Body.String())
	}
	// ∂f/∂x = 1/(2√x) is defined only at x = 1 (the right column).
	if r.GX[0] != nil || r.GX[2] == nil || !near(*r.GX[2], 0.5, 1e-9) {
		t.Errorf("gx = %s", rec.Body.String())
	}
	// A constant: flat values, zero gradient.
	var c SurfaceResponse
	if code, msg := post(t, s, "/api/surface", `{"expr":"2","n":2,"field":2}`, &c); code != 200 || c.Values[3] != 2 || c.GX[0] != 0 {
		t.Errorf("constant: %d %s %+v", code, msg, c)
	}
}

func TestSurfaceBadInput(t *testing.T) {
	s := New(Limits{MaxExprLen: 40})
	wantError(t, s, "/api/surface", `{"expr":"x^2 +* y"}`, 400, "column 6", "x^2 +* y\n", "     ^")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/surface", strings.NewReader(`{"expr":"sin(x"}`)))
	if body := rec.Body.String(); !strings.Contains(body, `"column":4`) {
		t.Errorf("the column of a syntax error is not in the answer: %s", body)
	}
	wantError(t, s, "/api/surface", `{"expr":""}`, 400, "empty expression")
	wantError(t, s, "/api/surface", `{"expr":"x + z"}`, 400, "variable z", "x and y")
	wantError(t, s, "/api/surface", `{"expr":"`+strings.Repeat("x+", 30)+`x"}`, 400, "61 characters", "limit is 40")
	wantError(t, s, "/api/surface", `{"expr":"x","n":201}`, 400, "n must lie in [2, 200]")
	wantError(t, s, "/api/surface", `{"expr":"x","field":1}`, 400, "field in [2, 40]")
	wantError(t, s, "/api/surface", `{"expr":"x","box":{"xmin":1,"xmax":0,"ymin":0,"ymax":1}}`, 400, "xmin < xmax")
	wantError(t, s, "/api/surface", `{"expr":"x","box":{"xmin":-1e9,"xmax":0,"ymin":0,"ymax":1}}`, 400, "±1e6")
	wantError(t, s, "/api/surface", `{"expr":"x","colour":"red"}`, 400, `unknown field "colour"`)
	wantError(t, s, "/api/surface", `{"expr":"x"} {}`, 400, "after its JSON object")
	wantError(t, s, "/api/surface", `not json`, 400, "not valid JSON")
}

func TestPoint(t *testing.T) {
	s := New(Limits{})
	for _, c := range []struct {
		expr, at    string
		curv        string
		stationary  bool
		eigen       [2]float64
		grad        [2]float64
		directional float64 // along (3, 4)/5
	}{
		{"x^2 + y^2", `"x":1,"y":2`, "minimum", false, [2]float64{2, 2}, [2]float64{2, 4}, (2*3 + 4*4) / 5.0},
		{"x^2 + y^2", `"x":0,"y":0`, "minimum", true, [2]float64{2, 2}, [2]float64{0, 0}, 0},
		{"x^2 - 3*y^2", `"x":0,"y":0`, "saddle", true, [2]float64{-6, 2}, [2]float64{0, 0}, 0},
		{"-(x^2 + x*y + y^2)", `"x":0,"y":0`, "maximum", true, [2]float64{-3, -1}, [2]float64{0, 0}, 0},
		{"x^4 + y^2", `"x":0,"y":0`, "flat", true, [2]float64{0, 2}, [2]float64{0, 0}, 0},
		{"sin(x)*y", `"x":0,"y":1`, "saddle", false, [2]float64{-1, 1}, [2]float64{1, 0}, 3 / 5.0},
	} {
		var r PointResponse
		body := `{"expr":"` + c.expr + `",` + c.at + `,"dir":[3,4]}`
		if code, msg := post(t, s, "/api/point", body, &r); code != 200 {
			t.Errorf("%s: %d %s", body, code, msg)
			continue
		}
		if r.Curvature != c.curv || r.Stationary != c.stationary || r.Verdict == "" {
			t.Errorf("%s: curvature %q stationary %v (%s), want %q %v", body, r.Curvature, r.Stationary, r.Verdict, c.curv, c.stationary)
		}
		if !near(r.Eigenvalues[0], c.eigen[0], 1e-9) || !near(r.Eigenvalues[1], c.eigen[1], 1e-9) {
			t.Errorf("%s: eigenvalues %v, want %v", body, r.Eigenvalues, c.eigen)
		}
		if !near(r.Grad[0], c.grad[0], 1e-12) || !near(r.Grad[1], c.grad[1], 1e-12) || !near(float64(r.Directional), c.directional, 1e-12) {
			t.Errorf("%s: ∇f %v, D_u f %g, want %v, %g", body, r.Grad, r.Directional, c.grad, c.directional)
		}
		if !near(r.Dir[0], 0.6, 1e-12) || !near(r.Dir[1], 0.8, 1e-12) {
			t.Errorf("%s: û = %v, want (0.6, 0.8)", body, r.Dir)
		}
		// H v = λ v for each eigenpair.
		for k := range 2 {
			v := [2]float64{r.Eigenvectors[0][k], r.Eigenvectors[1][k]}
			for i := range 2 {
				hv := r.Hessian[i][0]*v[0] + r.Hessian[i][1]*v[1]
				if !near(hv, r.Eigenvalues[k]*v[i], 1e-9) {
					t.Errorf("%s: (Hv)_%d = %g, λv = %g", body, i, hv, r.Eigenvalues[k]*v[i])
				}
			}
		}
	}
	// A zero direction falls back to (1, 0).
	var r PointResponse
	post(t, s, "/api/point", `{"expr":"x*y","x":2,"y":5}`, &r)
	if r.Dir[0] != 1 || r.Directional != 5 {
		t.Errorf("default direction: û %v, D f %g", r.Dir, r.Directional)
	}
	wantError(t, s, "/api/point", `{"expr":"log(x)","x":-1,"y":0}`, 400, "undefined at (-1, 0)", "log")
	wantError(t, s, "/api/point", `{"expr":"x","x":1e7,"y":0}`, 400, "±1e6")
	wantError(t, s, "/api/point", `{"expr":"x +","x":0,"y":0}`, 400, "column")
}

func TestOptimize(t *testing.T) {
	s := New(Limits{})
	var r OptimizeResponse
	body := `{"expr":"(x-1)^2 + 2*(y+2)^2","start":[-1,1],"steps":300,"runs":[{"name":"gd","lr":0.1},{"name":"adam","lr":0.05},{"name":"nesterov","lr":0.02}]}`
	if code, msg := post(t, s, "/api/optimize", body, &r); code != 200 {
		t.Fatalf("%d %s", code, msg)
	}
	if len(r.Runs) != 3 {
		t.Fatalf("%d runs", len(r.Runs))
	}
	for _, run := range r.Runs {
		n := len(run.X)
		if run.Error != "" || n != run.Steps+1 || len(run.Y) != n || len(run.Loss) != n {
			t.Errorf("%s: error %q, %d points for %d steps", run.Name, run.Error, n, run.Steps)
			continue
		}
		if run.X[0] != -1 || run.Y[0] != 1 || run.Loss[0] != 22 {
			t.Errorf("%s: starts at (%g, %g) f %g", run.Name, run.X[0], run.Y[0], run.Loss[0])
		}
		if math.Hypot(run.X[n-1]-1, run.Y[n-1]+2) > 1e-3 {
			t.Errorf("%s: ends at (%g, %g), want (1, −2)", run.Name, run.X[n-1], run.Y[n-1])
		}
	}
	// Plain gradient descent on a quadratic: x_{k+1} − 1 = (1 − 2η)(x_k − 1).
	gd := r.Runs[0]
	for k := 1; k < 5; k++ {
		if want := 1 + (gd.X[k-1]-1)*0.8; !near(gd.X[k], want, 1e-12) {
			t.Errorf("gd x[%d] = %g, want %g", k, gd.X[k], want)
		}
	}
	if gd.LR != 0.1 || r.Runs[1].Name != "adam" {
		t.Errorf("runs: %+v", r.Runs[:2])
	}
	// A learning rate of 0 takes the optimiser's default (Adam's 1e-3).
	post(t, s, "/api/optimize", `{"expr":"x^2","start":[1,0],"steps":2,"runs":[{"name":"adam"}]}`, &r)
	if r.Runs[0].LR != 1e-3 {
		t.Errorf("default lr %g", r.Runs[0].LR)
	}
	// Divergence is a property of the run, not a failed request.
	post(t, s, "/api/optimize", `{"expr":"x^2","start":[1,0],"steps":200,"runs":[{"name":"gd","lr":1.5},{"name":"gd","lr":0.1}]}`, &r)
	if d := r.Runs[0]; d.Error == "" || !strings.Contains(d.Error, "diverged") || d.Steps >= 200 || r.Runs[1].Error != "" {
		t.Errorf("divergent run: %+v", d)
	}
}

func TestOptimizeBadInput(t *testing.T) {
	s := New(Limits{MaxSteps: 50, MaxRuns: 2})
	const ok = `"expr":"x^2+y^2","start":[1,1]`
	wantError(t, s, "/api/optimize", `{`+ok+`,"runs":[{"name":"adma"}]}`, 400, `unknown optimiser "adma"`, `did you mean "adam"`)
	wantError(t, s, "/api/optimize", `{`+ok+`,"runs":[]}`, 400, "between 1 and 2")
	wantError(t, s, "/api/optimize", `{`+ok+`,"runs":[{"name":"gd"},{"name":"gd"},{"name":"gd"}]}`, 400, "between 1 and 2")
	wantError(t, s, "/api/optimize", `{`+ok+`,"steps":51,"runs":[{"name":"gd"}]}`, 400, "[1, 50]")
	wantError(t, s, "/api/optimize", `{`+ok+`,"runs":[{"name":"gd","lr":-1}]}`, 400, "learning rate")
	wantError(t, s, "/api/optimize", `{`+ok+`,"runs":[{"name":"momentum","momentum":1}]}`, 400, "[0, 1)")
	wantError(t, s, "/api/optimize", `{"expr":"log(x)","start":[-1,0],"runs":[{"name":"gd"}]}`, 400, "starting point", "log")
}

func TestTrain(t *testing.T) {
	s := New(Limits{})
	var r TrainResponse
	body := `{"dataset":"circles","seed":3,"points":120,"depth":2,"width":8,"activation":"tanh","optimizer":{"name":"adam","lr":0.05},"epochs":200,"every":20,"grid":10}`
	if code, msg := post(t, s, "/api/train", body, &r); code != 200 {
		t.Fatalf("%d %s", code, msg)
	}
	if len(r.X) != 120 || len(r.Label) != 120 || len(r.Loss) != 200 || len(r.Layers) != 3 || len(r.GradNorms) != 3 || r.Stopped != "" {
		t.Fatalf("sizes: %d points, %d losses, layers %v, %d norms, stopped %q", len(r.X), len(r.Loss), r.Layers, len(r.GradNorms), r.Stopped)
	}
	if len(r.Snapshots) != 11 || r.Snapshots[0].Epoch != 0 || r.Snapshots[10].Epoch != 200 {
		t.Fatalf("%d snapshots", len(r.Snapshots))
	}
	for _, g := range r.GradNorms {
		if len(g) != 200 || !(g[0] > 0) {
			t.Errorf("gradient norms %v…", g[:3])
		}
	}
	first, last := r.Snapshots[0], r.Snapshots[10]
	if len(last.Probs) != 100 || !(last.Accuracy >= 0.97) || !(last.Loss < first.Loss/3) {
		t.Errorf("after training: accuracy %g, loss %g (from %g)", last.Accuracy, last.Loss, first.Loss)
	}
	// The circles' centre is class 1 and the box's corners class 0.
	if c, corner := last.Probs[4*10+4], last.Probs[0]; !(c > 0.9 && corner < 0.1) {
		t.Errorf("P(1) at the centre %g, at a corner %g", c, corner)
	}
	// Seeded: the same request gives the same bytes; another seed, other data.
	a, b := httptest.NewRecorder(), httptest.NewRecorder()
	s.ServeHTTP(a, httptest.NewRequest(http.MethodPost, "/api/train", strings.NewReader(body)))
	s.ServeHTTP(b, httptest.NewRequest(http.MethodPost, "/api/train", strings.NewReader(body)))
	if !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
		t.Error("two identical requests trained differently")
	}
	var other TrainResponse
	post(t, s, "/api/train", strings.Replace(body, `"seed":3`, `"seed":4`, 1), &other)
	if other.X[0] == r.X[0] {
		t.Error("seed 4 drew the same data as seed 3")
	}
}

// Per-layer gradient norms show vanishing gradients: a deep sigmoid network
// with small initial weights has gradients orders of magnitude smaller at
// the input layer than at the output layer.
func TestTrainShowsVanishingGradients(t *testing.T) {
	var r TrainResponse
	post(t, New(Limits{}), "/api/train", `{"dataset":"xor","depth":5,"width":16,"activation":"sigmoid","init":"small","epochs":1,"grid":2}`, &r)
	in, out := r.GradNorms[0][0], r.GradNorms[len(r.GradNorms)-1][0]
	if !(in < out*1e-4) {
		t.Errorf("first layer ‖∂J/∂W‖ = %g, last %g: want a vanishing ratio", in, out)
	}
}

func TestTrainBadInput(t *testing.T) {
	s := New(Limits{MaxTrainWork: 1e6})
	wantError(t, s, "/api/train", `{"dataset":"moons"}`, 400, `unknown data set "moons"`, "circles")
	wantError(t, s, "/api/train", `{"activation":"swish"}`, 400, "unknown activation")
	wantError(t, s, "/api/train", `{"init":"ones"}`, 400, "unknown initialisation")
	wantError(t, s, "/api/train", `{"depth":7}`, 400, "depth = 7", "[0, 6]")
	wantError(t, s, "/api/train", `{"width":65}`, 400, "width = 65")
	wantError(t, s, "/api/train", `{"epochs":2001}`, 400, "epochs = 2001")
	wantError(t, s, "/api/train", `{"noise":2}`, 400, "noise")
	wantError(t, s, "/api/train", `{"grid":101}`, 400, "grid = 101")
	wantError(t, s, "/api/train", `{"optimizer":{"name":"sgd2"}}`, 400, "unknown optimiser")
	wantError(t, s, "/api/train", `{"epochs":1000,"points":1000}`, 400, "over the limit")
	wantError(t, New(Limits{}), "/api/train", `{"epochs":2000,"every":1,"grid":100}`, 400, "too much to send")
}

// A learning rate far too large makes the loss NaN: the answer says why
// training stopped and still shows what was learnt.
func TestTrainDiverges(t *testing.T) {
	var r TrainResponse
	code, msg := post(t, New(Limits{}), "/api/train", `{"dataset":"xor","init":"large","activation":"relu","optimizer":{"name":"gd","lr":1e300},"epochs":100,"every":10,"grid":2}`, &r)
	if code != 200 || r.Stopped == "" || len(r.Loss) >= 100 {
		t.Fatalf("status %d %s; stopped %q after %d epochs", code, msg, r.Stopped, len(r.Loss))
	}
	if last := r.Snapshots[len(r.Snapshots)-1]; last.Epoch != len(r.Loss) {
		t.Errorf("last snapshot at epoch %d, training stopped at %d", last.Epoch, len(r.Loss))
	}
}

func TestToyData(t *testing.T) {
	for _, kind := range datasetNames {
		ds := toyData(kind, 300, 0.05, 9)
		ones := 0
		for i := range ds.Len() {
			ones += ds.Labels[i]
			for _, v := range ds.X.Row(i) {
				if math.Abs(v) > 1.5 {
					t.Errorf("%s: point %d at %v is outside the box", kind, i, ds.X.Row(i))
				}
			}
		}
		if ones < 100 || ones > 200 {
			t.Errorf("%s: %d of 300 points in class 1", kind, ones)
		}
		if again := toyData(kind, 300, 0.05, 9); !slicesEqual(again.X.Data, ds.X.Data) {
			t.Errorf("%s: not reproducible from its seed", kind)
		}
	}
}

func slicesEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestBodyLimit(t *testing.T) {
	s := New(Limits{MaxBody: 100})
	wantError(t, s, "/api/surface", `{"expr":"`+strings.Repeat(" ", 200)+`x"}`, http.StatusRequestEntityTooLarge, "100 bytes")
}

func TestMethodNotAllowed(t *testing.T) {
	s := New(Limits{})
	for path, want := range map[string]int{"/api/surface": http.StatusMethodNotAllowed, "/api/nothing": http.StatusNotFound} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		var e errorBody
		if rec.Code != want || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error == "" {
			t.Errorf("GET %s: %d %s, want %d with a JSON error", path, rec.Code, rec.Body.String(), want)
		}
	}
}

// When every slot is taken, a request waits Limits.QueueWait and is then
// answered 503 with a JSON error; when a slot frees, requests succeed again.
func TestBusy(t *testing.T) {
	s := New(Limits{MaxConcurrent: 1, QueueWait: 20 * time.Millisecond})
	s.sem <- struct{}{}
	wantError(t, s, "/api/point", `{"expr":"x","x":0,"y":0}`, http.StatusServiceUnavailable, "busy")
	<-s.sem
	if code, msg := post(t, s, "/api/point", `{"expr":"x","x":0,"y":0}`, nil); code != 200 {
		t.Errorf("after the slot freed: %d %s", code, msg)
	}
}

// A computation that overruns Limits.Timeout is stopped and answered 503.
func TestTimeout(t *testing.T) {
	s := New(Limits{Timeout: time.Nanosecond})
	wantError(t, s, "/api/train", `{"epochs":50}`, http.StatusServiceUnavailable, "took longer than 1ns")
	wantError(t, s, "/api/surface", `{"expr":"x"}`, http.StatusServiceUnavailable, "took longer")
	wantError(t, s, "/api/optimize", `{"expr":"x^2","start":[1,1],"runs":[{"name":"gd"}]}`, http.StatusServiceUnavailable, "took longer")
	// A long optimisation is cut short at the deadline, not after its last step.
	s = New(Limits{Timeout: 50 * time.Millisecond, MaxSteps: 1 << 30})
	start := time.Now()
	wantError(t, s, "/api/optimize", `{"expr":"sin(x)*cos(y) + x^2*y^2","start":[1,1],"steps":100000000,"runs":[{"name":"gd","lr":1e-9}]}`, http.StatusServiceUnavailable, "took longer than 50ms")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the optimisation ran %v past a 50 ms deadline", d)
	}
}

// A panic inside a handler is answered 500 with a JSON error and logged;
// the server keeps serving.
func TestPanicRecovered(t *testing.T) {
	var logged bytes.Buffer
	s := New(Limits{})
	s.ErrorLog = log.New(&logged, "", 0)
	h := s.compute(func(context.Context, Limits, []byte) (any, error) { panic("boom") })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/x", strings.NewReader("{}")))
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != 500 || !strings.Contains(string(body), "boom") || !strings.Contains(logged.String(), "panic serving POST /x: boom") {
		t.Errorf("status %d, body %s, log %q", rec.Code, body, logged.String())
	}
	if len(s.sem) != 0 {
		t.Error("the panicking request kept its slot")
	}
	if code, _ := post(t, s, "/api/point", `{"expr":"x","x":0,"y":0}`, nil); code != 200 {
		t.Errorf("after the panic: %d", code)
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "127.1.2.3:80": true, "[::1]:8080": true, "localhost:8080": true,
		":8080": false, "0.0.0.0:8080": false, "192.168.1.4:8080": false, "[::]:80": false, "example.com:80": false, "nonsense": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v", addr, got)
		}
	}
}

func TestFloatsJSON(t *testing.T) {
	b, err := json.Marshal(struct {
		A Floats
		G Grid
		B Float
		C Float
		P Probs
	}{Floats{1, math.NaN(), math.Inf(-1), 1.0 / 3}, Grid{1.0 / 3, math.Inf(1)}, Float(math.Inf(1)), Float(0.1), Probs{0.12345, math.NaN()}})
	if err != nil || string(b) != `{"A":[1,null,null,0.3333333333333333],"G":[0.3333333,null],"B":null,"C":0.1,"P":[0.123,null]}` {
		t.Errorf("%s %v", b, err)
	}
}
