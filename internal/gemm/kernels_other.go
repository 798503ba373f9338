//go:build !amd64 || purego

package gemm

// kernels32 and kernels64 list the kernels this platform can run, fastest
// first; without assembly that is the portable Go kernel.
var (
	kernels32 = []*kernel[float32]{goKernel[float32]()}
	kernels64 = []*kernel[float64]{goKernel[float64]()}
)
