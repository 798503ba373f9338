package playground

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Whatever expression and point arrive, the function endpoints answer 200
// or 400 with a JSON error: never a 500 (a recovered panic) or a crash.
func FuzzFunctionEndpoints(f *testing.F) {
	for _, seed := range []string{
		"x^2 + y^2", "(1-x)^2 + 100*(y-x^2)^2", "log(x) + sqrt(y)", "x^-1", "1/(x-y)", "x^2 +* y",
		"sign(x)*step(y)", "max(x, y) - min(x, y)", "pow(x, y)", "abs(x)^0.5", "exp(exp(exp(x)))", "", "((((x", "2x", "e^pi",
	} {
		f.Add(seed, 0.5, -1.0)
	}
	s := New(Limits{})
	f.Fuzz(func(t *testing.T, src string, x, y float64) {
		e, _ := json.Marshal(src)
		xs, _ := json.Marshal(x)
		ys, _ := json.Marshal(y)
		for _, c := range []struct{ path, body string }{
			{"/api/surface", `{"expr":` + string(e) + `,"n":7,"field":4}`},
			{"/api/point", `{"expr":` + string(e) + `,"x":` + string(xs) + `,"y":` + string(ys) + `,"dir":[1,2]}`},
			{"/api/optimize", `{"expr":` + string(e) + `,"start":[` + string(xs) + `,` + string(ys) + `],"steps":20,"runs":[{"name":"adam","lr":0.1}]}`},
		} {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, c.path, strings.NewReader(c.body)))
			if rec.Code != http.StatusOK && rec.Code != http.StatusBadRequest {
				t.Fatalf("%s %s: status %d: %s", c.path, c.body, rec.Code, rec.Body.String())
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("%s %s: invalid JSON %q", c.path, c.body, rec.Body.String())
			}
		}
	})
}
