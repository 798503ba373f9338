package testfunc

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// sympyRef is testdata/sympy_reference.json, written by testdata/gen_sympy.py
// (run it with /usr/bin/python3 to regenerate; CI only reads the JSON).
type sympyRef struct {
	SympyVersion string `json:"sympy_version"`
	Functions    []struct {
		Name    string  `json:"name"`
		Dim     int     `json:"dim"`
		Cond    float64 `json:"cond"`
		Formula string  `json:"formula"`
		Points  []struct {
			X     []float64   `json:"x"`
			Value float64     `json:"value"`
			Grad  []float64   `json:"grad"`
			Hess  [][]float64 `json:"hess"`
		} `json:"points"`
		Minima      [][]float64 `json:"minima"`
		MinValue    *float64    `json:"min_value"`
		LocalMinima [][]float64 `json:"local_minima"`
		LocalMaxima [][]float64 `json:"local_maxima"`
		Stationary  [][]float64 `json:"stationary"`
	} `json:"functions"`
}

// closeTo reports |got − want| ≤ tol · max(1, |want|): relative error, with an
// absolute floor of tol for values near 0 (where SymPy's exact 0 meets the
// float64 rounding of a cancellation).
func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// TestSymPyReference compares Value, Grad and Hess to SymPy's symbolic
// derivatives of the Formula string, evaluated exactly at the same float64
// points, to 1e-10 relative; and the stored minimisers to SymPy's 40-digit
// roots of ∇f = 0.
func TestSymPyReference(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "sympy_reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref sympyRef
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, r := range ref.Functions {
		var f Function
		if r.Name == "ill-conditioned" {
			f = IllConditioned(r.Dim, r.Cond)
		} else if f, err = ByName(r.Name, r.Dim); err != nil {
			t.Error(err)
			continue
		}
		covered[r.Name] = true
		l := label(f)
		if f.Formula != r.Formula {
			t.Errorf("%s: Formula %q, but the SymPy reference was generated from %q; regenerate testdata/sympy_reference.json", l, f.Formula, r.Formula)
		}
		if f.Dim != r.Dim {
			t.Errorf("%s: Dim %d, reference %d", l, f.Dim, r.Dim)
			continue
		}
		const tol = 1e-10
		g := make([]float64, f.Dim)
		h := mat.NewSymDense(f.Dim, nil)
		for _, p := range r.Points {
			if v := f.Value(p.X); !closeTo(v, p.Value, tol) {
				t.Errorf("%s: f(%v) = %.17g, SymPy %.17g", l, p.X, v, p.Value)
			}
			f.Grad(g, p.X)
			for i := range g {
				if !closeTo(g[i], p.Grad[i], tol) {
					t.Errorf("%s: ∂f/∂x%d(%v) = %.17g, SymPy %.17g", l, i+1, p.X, g[i], p.Grad[i])
				}
			}
			f.Hess(h, p.X)
			for i := range f.Dim {
				for j := range f.Dim {
					if !closeTo(h.At(i, j), p.Hess[i][j], tol) {
						t.Errorf("%s: ∂²f/∂x%d∂x%d(%v) = %.17g, SymPy %.17g", l, i+1, j+1, p.X, h.At(i, j), p.Hess[i][j])
					}
				}
			}
		}

		// Minimisers: the same set, to a few ulps (McCormick's is computed in
		// float64 from π, the others are SymPy's roots typed in).
		if (r.Minima == nil) != (f.Minima == nil) || len(r.Minima) != len(f.Minima) {
			t.Errorf("%s: minima %v, SymPy %v", l, f.Minima, r.Minima)
		} else {
			for _, want := range r.Minima {
				found := false
				for _, m := range f.Minima {
					match := true
					for i := range m {
						match = match && closeTo(m[i], want[i], 1e-15)
					}
					found = found || match
				}
				if !found {
					t.Errorf("%s: SymPy minimiser %v not among %v", l, want, f.Minima)
				}
			}
		}
		if r.MinValue == nil {
			if !math.IsInf(f.MinValue, -1) {
				t.Errorf("%s: MinValue %v, but SymPy found no minimum", l, f.MinValue)
			}
		} else if !closeTo(f.MinValue, *r.MinValue, 1e-15) {
			t.Errorf("%s: MinValue %.17g, SymPy %.17g", l, f.MinValue, *r.MinValue)
		}

		// Other stationary points named in the doc comments (Himmelblau's
		// local maximum, the camel's and RosenbrockN(4)'s local minima, the
		// saddles): ∇f vanishes there in the Go code too.
		for _, pts := range [][][]float64{r.LocalMinima, r.LocalMaxima, r.Stationary} {
			for _, p := range pts {
				f.Grad(g, p)
				f.Hess(h, p)
				if maxAbs(g) > 1e-10*math.Max(1, maxAbs(denseOf(h))) {
					t.Errorf("%s: ∇f(%v) = %v, SymPy says stationary", l, p, g)
				}
			}
		}
		for _, p := range r.LocalMinima {
			f.Hess(h, p)
			if ev := eigen(t, h); ev[0] <= 0 || f.Value(p) <= f.MinValue {
				t.Errorf("%s: %v should be a strict local, not global, minimum: f = %v, eigenvalues %v", l, p, f.Value(p), ev)
			}
		}
	}
	for _, name := range Names() {
		if !covered[name] {
			t.Errorf("%s has no SymPy reference; add it to testdata/gen_sympy.py", name)
		}
	}
}
