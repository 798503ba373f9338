package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// updateLengths are the lengths the fused updates are tried on: every tail
// of every vector width, and around larger multiples.
var updateLengths = func() []int {
	var l []int
	for n := 0; n <= 40; n++ {
		l = append(l, n)
	}
	return append(l, 63, 64, 65, 127, 128, 129, 1023, 1024, 1025)
}()

// fusedCase is one fused update with one choice of its flags: run applies
// it with the kernels k to p, g and the state buffers s (nil when unused).
type fusedCase[T Float] struct {
	name string
	run  func(k *kernels[T], p, g []T, s [3][]T)
}

// setting returns x rounded to T, as the optimisers pass their settings.
func setting[T Float](x float64) float64 { return float64(T(x)) }

// fusedCases lists every fused update with every combination of its flags,
// with settings drawn from rng (weight decay 0 or not among them).
func fusedCases[T Float](rng *rand.Rand) []fusedCase[T] {
	var out []fusedCase[T]
	r := func(lo, hi float64) float64 { return setting[T](lo + (hi-lo)*rng.Float64()) }
	one := func(x float64) float64 { return float64(1 - T(x)) }
	for mask := range 16 {
		f := func(bit int) bool { return mask&(1<<bit) != 0 }
		wd := 0.0
		if f(1) {
			wd = r(1e-4, 0.1)
		}
		b1, b2, lr := r(0, 0.99), r(0.9, 0.9999), r(1e-4, 0.1)
		a := Adam{Beta1: b1, OneMinusBeta1: one(b1), Beta2: b2, OneMinusBeta2: one(b2), NegStepSize: -r(1e-4, 1),
			BiasCorrection2: r(0.01, 1), Eps: r(1e-10, 1e-6), WeightDecay: wd, Decay: one(lr * wd), Maximize: f(0), Decoupled: f(2)}
		ams := f(3)
		out = append(out, fusedCase[T]{fmt.Sprintf("Adam %+v AMSGrad=%v", a, ams), func(k *kernels[T], p, g []T, s [3][]T) {
			if !ams {
				s[2] = nil
			}
			k.adam(a, p, g, s[0], s[1], s[2])
		}})
		n := NAdam{Beta1: b1, OneMinusBeta1: one(b1), Beta2: b2, OneMinusBeta2: one(b2), BiasCorrection2: r(0.001, 1), Eps: r(1e-10, 1e-6),
			WeightDecay: wd, GradCoef: -r(1e-4, 1), MomentCoef: -r(1e-4, 1)}
		if mask < 2 {
			out = append(out, fusedCase[T]{fmt.Sprintf("NAdam %+v", n), func(k *kernels[T], p, g []T, s [3][]T) { k.nadam(n, p, g, s[0], s[1]) }})
		}
		d := Adadelta{Rho: b2, OneMinusRho: one(b2), Eps: r(1e-8, 1e-4), WeightDecay: wd, NegLR: -lr, Maximize: f(0)}
		if mask < 4 {
			out = append(out, fusedCase[T]{fmt.Sprintf("Adadelta %+v", d), func(k *kernels[T], p, g []T, s [3][]T) { k.adadelta(d, p, g, s[0], s[1]) }})
		}
		sg := SGD{NegLR: -lr, WeightDecay: wd, Momentum: r(0, 0.99), OneMinusDampening: one(r(0, 1)), Maximize: f(0), First: f(2), Nesterov: f(3)}
		for _, mom := range []bool{false, true} {
			out = append(out, fusedCase[T]{fmt.Sprintf("SGD %+v momentum=%v", sg, mom), func(k *kernels[T], p, g []T, s [3][]T) {
				if !mom {
					s[0] = nil
				}
				k.sgd(sg, p, g, s[0])
			}})
		}
		for _, centered := range []bool{false, true} {
			rm := RMSprop{Alpha: b2, OneMinusAlpha: one(b2), Eps: r(1e-10, 1e-6), WeightDecay: wd, NegLR: -lr, Momentum: r(0, 0.99),
				Maximize: f(0), Accumulate: f(2)}
			mom := f(3)
			out = append(out, fusedCase[T]{fmt.Sprintf("RMSprop %+v centered=%v momentum=%v", rm, centered, mom), func(k *kernels[T], p, g []T, s [3][]T) {
				if !centered {
					s[1] = nil
				}
				if !mom {
					s[2] = nil
				}
				k.rmsprop(rm, p, g, s[0], s[1], s[2])
			}})
		}
	}
	return out
}

// TestUpdatesMatchGo checks every fused update of the implementation in
// use, and the exported functions, against the Go loops bit for bit (NaN
// payloads aside): on
// every length of updateLengths, unaligned starts, every combination of
// flags, and inputs with and without NaNs, infinities, signed zeros and
// subnormals.
func TestUpdatesMatchGo(t *testing.T) {
	withImpl(t, func(t *testing.T) {
		t.Run("float32", checkUpdates[float32])
		t.Run("float64", checkUpdates[float64])
	})
}

func checkUpdates[T Float](t *testing.T) {
	g, k := pickImpl[T](goImpl), pick[T]()
	exported := &kernels[T]{adam: AdamStep[T], nadam: NAdamStep[T], rmsprop: RMSpropStep[T], adadelta: AdadeltaStep[T], sgd: SGDStep[T]}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, special := range []bool{false, true} {
		for _, n := range updateLengths {
			for _, c := range fusedCases[T](rng) {
				off := rng.IntN(3)
				in := make([][]T, 5) // p, g, s1, s2, s3
				for j := range in {
					in[j] = operand[T](rng, n, off, special)
					if j >= 2 && !special { // second moments and the like are ≥ 0
						for i, x := range in[j] {
							in[j][i] = T(math.Abs(float64(x)))
						}
					}
				}
				want := clone(in)
				c.run(g, want[0], want[1], [3][]T{want[2], want[3], want[4]})
				for _, impl := range []struct {
					name string
					k    *kernels[T]
				}{{"kernel", k}, {"exported", exported}} {
					got := clone(in)
					c.run(impl.k, got[0], got[1], [3][]T{got[2], got[3], got[4]})
					for j, name := range []string{"p", "g", "s1", "s2", "s3"} {
						equalUpdate(t, fmt.Sprintf("%s %s: n=%d special=%v, %s", impl.name, c.name, n, special, name), got[j], want[j])
					}
				}
			}
		}
	}
}

// equalUpdate checks that got and want have the same bits, but for the
// payloads of NaNs (see update.go): NaN must be where want has NaN.
func equalUpdate[T Float](t *testing.T, what string, got, want []T) {
	t.Helper()
	for i := range want {
		if bits(got[i]) != bits(want[i]) && (got[i] == got[i] || want[i] == want[i]) {
			t.Fatalf("%s: element %d of %d is %v (%#x), want %v (%#x)", what, i, len(want), got[i], bits(got[i]), want[i], bits(want[i]))
		}
	}
}

// clone copies each slice (keeping nil nil).
func clone[T Float](s [][]T) [][]T {
	out := make([][]T, len(s))
	for i, x := range s {
		if x != nil {
			out[i] = append(make([]T, 0, len(x)), x...)
		}
	}
	return out
}

// TestUpdateFormulas pins the Go loops to their documented formulas on
// values whose results are exact: Adam's first step from zero state with
// g = 2, β₁ = β₂ = 0.5, step size 1, no bias correction and ε = 0.5 is
// m = 1, v = 2, p ← p − 1/(√2 + 0.5); and AMSGrad keeps max(vmax, v) by
// Go's max (−0 < +0, NaN wins).
func TestUpdateFormulas(t *testing.T) {
	withImpl(t, func(t *testing.T) {
		n := 33
		p, g, m, v, vmax := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		for i := range p {
			p[i], g[i] = 3, 2
			vmax[i] = math.Copysign(0, -1)
		}
		vmax[5] = 7
		vmax[6] = math.NaN()
		AdamStep(Adam{Beta1: 0.5, OneMinusBeta1: 0.5, Beta2: 0.5, OneMinusBeta2: 0.5, NegStepSize: -1, BiasCorrection2: 1, Eps: 0.5}, p, g, m, v, vmax)
		want := 3 - 1/(math.Sqrt(2)+0.5)
		for i := range p {
			if m[i] != 1 || v[i] != 2 {
				t.Fatalf("element %d: m = %v, v = %v; want 1 and 2", i, m[i], v[i])
			}
			switch i {
			case 5:
				if vmax[i] != 7 || p[i] != 3-1/(math.Sqrt(7)+0.5) {
					t.Fatalf("vmax = 7: vmax %v, p %v", vmax[i], p[i])
				}
			case 6:
				if !math.IsNaN(vmax[i]) || !math.IsNaN(p[i]) {
					t.Fatalf("vmax = NaN: vmax %v, p %v; want NaN", vmax[i], p[i])
				}
			default:
				if vmax[i] != 2 || p[i] != want {
					t.Fatalf("element %d: vmax %v, p %v; want 2 and %v", i, vmax[i], p[i], want)
				}
			}
		}
		// max(−0, +0) is +0 and max(+0, −0) is +0; max(−0, −0) is −0.
		nz := math.Copysign(0, -1)
		for _, c := range []struct{ vmax, v, want float64 }{{nz, 0, 0}, {0, nz, 0}, {nz, nz, nz}} {
			vm := make([]float64, n)
			for i := range vm {
				vm[i] = c.vmax
			}
			// v ← v·1 + (−0·g)·g with g = 0 is v + −0 = v.
			vv := make([]float64, n)
			for i := range vv {
				vv[i] = c.v
			}
			AdamStep(Adam{Beta1: 1, Beta2: 1, OneMinusBeta2: nz, NegStepSize: -1, BiasCorrection2: 1, Eps: 1}, make([]float64, n), make([]float64, n), make([]float64, n), vv, vm)
			if math.Float64bits(vm[n-1]) != math.Float64bits(c.want) || math.Float64bits(vm[0]) != math.Float64bits(c.want) {
				t.Fatalf("max(%v, %v) = %v, want %v", c.vmax, c.v, vm[0], c.want)
			}
		}
	})
}

func TestUpdatesNoAllocations(t *testing.T) {
	p := make([]float32, 1000)
	if n := testing.AllocsPerRun(10, func() {
		AdamStep(Adam{Beta1: 0.9}, p, p, p, p, p)
		NAdamStep(NAdam{}, p, p, p, p)
		RMSpropStep(RMSprop{}, p, p, p, p, p)
		AdadeltaStep(Adadelta{}, p, p, p, p)
		SGDStep(SGD{}, p, p, p)
	}); n != 0 {
		t.Fatalf("%v allocations per call", n)
	}
}
