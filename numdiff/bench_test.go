package numdiff

import (
	"fmt"
	"testing"

	"github.com/nabla-go/nabla/testfunc"
)

// BenchmarkRosenbrockFD contrasts with autodiff's cheap gradient: a
// finite-difference gradient costs 2n evaluations of f (central), so
// time(gradient)/time(value) grows linearly with n. Compare each
// gradient/n=N line with its value/n=N line.
func BenchmarkRosenbrockFD(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		fn := testfunc.RosenbrockN(n)
		x := shifted(fn.Start)
		b.Run(fmt.Sprintf("value/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				fn.Value(x)
			}
		})
		g := make([]float64, n)
		b.Run(fmt.Sprintf("gradient/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				Gradient(g, fn.Value, x, nil)
			}
		})
	}
}
