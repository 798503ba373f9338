// Command openblas times nabla's internal/gemm against OpenBLAS (through
// cgo and CBLAS) and gonum's pure-Go BLAS on the square sizes of issue 8 and
// the products of an MLP training step, in one process, and prints GFLOP/s
// and the ratios nabla/OpenBLAS and nabla/gonum.
//
// -shape m,n,k,tA,tB (repeatable; tA and tB are N or T) times the given
// products instead, and -step 64,256 the ten products of a training step of
// an MLP 784–128–10 on those batch sizes (as internal/gemm's benchmarks
// name them: the five with the weights stored in×out, then the five that
// nn.Linear computes with them stored out×in).
//
// OpenBLAS reads its settings from the environment when it loads, so run.sh
// runs this program once per setting (OPENBLAS_CORETYPE, OPENBLAS_NUM_THREADS).
// nabla and gonum get GOMAXPROCS = OPENBLAS_NUM_THREADS, so all three use
// the same number of cores. The implementations are timed in turns, several
// rounds each, and the best round counts: on a shared, noisy machine that is
// the fairest estimate of what each can do.
//
// Needs libopenblas-dev (apt-get install libopenblas-dev) and cgo.
package main

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
char* openblas_get_corename(void);
int openblas_get_num_threads(void);
*/
import "C"

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/nabla-go/nabla/internal/gemm"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

type shape struct {
	name    string
	tA, tB  blas.Transpose
	m, n, k int
}

var shapes = []shape{
	{"n=128", blas.NoTrans, blas.NoTrans, 128, 128, 128},
	{"n=256", blas.NoTrans, blas.NoTrans, 256, 256, 256},
	{"n=512", blas.NoTrans, blas.NoTrans, 512, 512, 512},
	{"n=1024", blas.NoTrans, blas.NoTrans, 1024, 1024, 1024},
	{"n=2048", blas.NoTrans, blas.NoTrans, 2048, 2048, 2048},
	{"(64×784)·(784×128)", blas.NoTrans, blas.NoTrans, 64, 128, 784},
	{"(64×128)·(784×128)ᵀ", blas.NoTrans, blas.Trans, 64, 784, 128},
	{"(64×784)ᵀ·(64×128)", blas.Trans, blas.NoTrans, 784, 128, 64},
	{"(64×128)·(128×10)", blas.NoTrans, blas.NoTrans, 64, 10, 128},
	{"(64×10)·(128×10)ᵀ", blas.NoTrans, blas.Trans, 64, 128, 10},
	{"(64×128)ᵀ·(64×10)", blas.Trans, blas.NoTrans, 128, 10, 64},
}

// stepShapes are the products of one training step of an MLP 784–128–10 on
// a batch of b rows, as internal/gemm's benchmarks time them (gemm.StepShapes).
func stepShapes(b int) []shape {
	var out []shape
	for _, s := range gemm.StepShapes(b) {
		out = append(out, shape{s.Name, s.TransA, s.TransB, s.M, s.N, s.K})
	}
	return out
}

// parseShape reads a -shape value, m,n,k,tA,tB with tA and tB N or T.
func parseShape(v string) (shape, error) {
	f := strings.Split(v, ",")
	if len(f) != 5 {
		return shape{}, fmt.Errorf("-shape %q: want m,n,k,tA,tB", v)
	}
	var dims [3]int
	for i := range dims {
		d, err := strconv.Atoi(f[i])
		if err != nil || d <= 0 {
			return shape{}, fmt.Errorf("-shape %q: dimension %q is not a positive integer", v, f[i])
		}
		dims[i] = d
	}
	var tr [2]blas.Transpose
	for i, t := range f[3:] {
		switch strings.ToUpper(t) {
		case "N":
			tr[i] = blas.NoTrans
		case "T":
			tr[i] = blas.Trans
		default:
			return shape{}, fmt.Errorf("-shape %q: transpose %q is not N or T", v, t)
		}
	}
	name := fmt.Sprintf("%dx%dx%d%s%s", dims[0], dims[1], dims[2], strings.ToUpper(f[3]), strings.ToUpper(f[4]))
	return shape{name, tr[0], tr[1], dims[0], dims[1], dims[2]}, nil
}

func main() {
	rounds := flag.Int("rounds", 15, "timing rounds per implementation and shape")
	minTime := flag.Duration("time", 20*time.Millisecond, "least time of one round")
	asJSON := flag.Bool("json", false, "print one JSON object per shape instead of tables")
	var chosen []shape
	flag.Func("shape", "time the product `m,n,k,tA,tB` (tA, tB: N or T) instead of the default list; repeatable", func(v string) error {
		s, err := parseShape(v)
		chosen = append(chosen, s)
		return err
	})
	flag.Func("step", "time the products of an MLP 784-128-10 training step on these `batches` (comma-separated) instead of the default list", func(v string) error {
		for _, f := range strings.Split(v, ",") {
			b, err := strconv.Atoi(f)
			if err != nil || b <= 0 {
				return fmt.Errorf("-step %q: batch %q is not a positive integer", v, f)
			}
			chosen = append(chosen, stepShapes(b)...)
		}
		return nil
	})
	flag.Parse()
	if len(chosen) > 0 {
		shapes = chosen
	}
	threads := 0
	if s := os.Getenv("OPENBLAS_NUM_THREADS"); s != "" {
		threads, _ = strconv.Atoi(s)
	}
	if threads > 0 {
		runtime.GOMAXPROCS(threads)
	}
	core, nthreads := C.GoString(C.openblas_get_corename()), int(C.openblas_get_num_threads())
	out := report{json: *asJSON, core: core, threads: nthreads}
	if !out.json {
		fmt.Printf("OpenBLAS core %s, %d threads (OPENBLAS_CORETYPE=%q); GOMAXPROCS %d\n",
			core, nthreads, os.Getenv("OPENBLAS_CORETYPE"), runtime.GOMAXPROCS(0))
	}
	run[float32](out, "float32", *rounds, *minTime, gemm.Sgemm, gonum.Implementation{}.Sgemm, func(tA, tB blas.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
		C.cblas_sgemm(C.CblasRowMajor, cblasTrans(tA), cblasTrans(tB), C.blasint(m), C.blasint(n), C.blasint(k), 1,
			(*C.float)(unsafe.Pointer(&a[0])), C.blasint(lda), (*C.float)(unsafe.Pointer(&b[0])), C.blasint(ldb), 0, (*C.float)(unsafe.Pointer(&c[0])), C.blasint(ldc))
	})
	run[float64](out, "float64", *rounds, *minTime, gemm.Dgemm, gonum.Implementation{}.Dgemm, func(tA, tB blas.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
		C.cblas_dgemm(C.CblasRowMajor, cblasTrans(tA), cblasTrans(tB), C.blasint(m), C.blasint(n), C.blasint(k), 1,
			(*C.double)(unsafe.Pointer(&a[0])), C.blasint(lda), (*C.double)(unsafe.Pointer(&b[0])), C.blasint(ldb), 0, (*C.double)(unsafe.Pointer(&c[0])), C.blasint(ldc))
	})
}

func cblasTrans(t blas.Transpose) uint32 {
	if t == blas.NoTrans {
		return C.CblasNoTrans
	}
	return C.CblasTrans
}

type blasGemm[T float32 | float64] func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

// report says how results are printed: tables, or one JSON object per
// shape (for bench/run) with OpenBLAS's core and thread count.
type report struct {
	json    bool
	core    string
	threads int
}

// row prints one shape's figures in GFLOP/s.
func (r report) row(typ string, s shape, nabla, openblas, gon float64) {
	if !r.json {
		fmt.Printf("%-28s %9.1f %9.1f %9.1f %9.2f %9.2f\n", s.name, nabla, openblas, gon, nabla/openblas, nabla/gon)
		return
	}
	n := 0
	if s.m == s.n && s.n == s.k {
		n = s.n
	}
	b, _ := json.Marshal(map[string]any{
		"precision": typ, "shape": s.name, "n": n, "threads": r.threads, "openblas": r.core,
		"nabla_gflops": nabla, "openblas_gflops": openblas, "gonum_gflops": gon,
		"ratio_openblas": nabla / openblas, "ratio_gonum": nabla / gon,
	})
	fmt.Println(string(b))
}

func run[T float32 | float64](out report, typ string, rounds int, minTime time.Duration, nabla, gon blasGemm[T], openblas func(tA, tB blas.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int)) {
	if !out.json {
		fmt.Printf("\n%-28s %9s %9s %9s %9s %9s   (GFLOP/s, best of %d)\n", typ, "nabla", "OpenBLAS", "gonum", "/OpenBLAS", "/gonum", rounds)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range shapes {
		fill := func(n int) []T {
			x := make([]T, n)
			for i := range x {
				x[i] = T(rng.Float64())
			}
			return x
		}
		a, b, c := fill(s.m*s.k), fill(s.k*s.n), fill(s.m*s.n)
		lda, ldb := s.k, s.n
		if s.tA == blas.Trans {
			lda = s.m
		}
		if s.tB == blas.Trans {
			ldb = s.k
		}
		impls := []func(){
			func() { nabla(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n) },
			func() { openblas(s.tA, s.tB, s.m, s.n, s.k, a, lda, b, ldb, c, s.n) },
			func() { gon(s.tA, s.tB, s.m, s.n, s.k, 1, a, lda, b, ldb, 0, c, s.n) },
		}
		best := make([]float64, len(impls)) // seconds per call
		for r := 0; r < rounds; r++ {
			for i, f := range impls {
				if t := timeIt(f, minTime); best[i] == 0 || t < best[i] {
					best[i] = t
				}
			}
		}
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		g := func(i int) float64 { return flops / best[i] / 1e9 }
		out.row(typ, s, g(0), g(1), g(2))
	}
}

// timeIt returns the mean time of one call of f over a batch lasting at
// least minTime.
func timeIt(f func(), minTime time.Duration) float64 {
	f() // warm up caches and buffers
	n := 1
	for {
		start := time.Now()
		for i := 0; i < n; i++ {
			f()
		}
		if d := time.Since(start); d >= minTime {
			return d.Seconds() / float64(n)
		}
		n *= 2
	}
}
