package gemm

// goMR×goNR is the tile of the portable Go micro-kernel.
const goMR, goNR = 4, 4

// kernelGo is the portable micro-kernel: it sets the goMR×goNR tile at c
// (row stride ldc) to alpha·acc + beta·c, or alpha·acc if beta == 0, where
// acc = Σₚ a[p·goMR:][:goMR]ᵀ·b[p·bs:][:goNR] over p < k.
func kernelGo[T Float](k int, a, b []T, bs int, c []T, ldc int, alpha, beta T) {
	var acc [goMR][goNR]T
	a = a[:k*goMR]
	for p := 0; p < k; p++ {
		ap := (*[goMR]T)(a[p*goMR:])
		bp := (*[goNR]T)(b[p*bs:])
		for i, ai := range ap {
			for j, bj := range bp {
				acc[i][j] += ai * bj
			}
		}
	}
	for i := range acc {
		row := (*[goNR]T)(c[i*ldc:])
		for j, v := range acc[i] {
			if beta == 0 {
				row[j] = alpha * v
			} else {
				row[j] = alpha*v + beta*row[j]
			}
		}
	}
}

// goKernel returns the portable kernel with blocking for caches of common
// sizes (32 KiB L1, ≥ 256 KiB L2).
func goKernel[T Float]() *kernel[T] {
	return &kernel[T]{name: "go", mr: goMR, nr: goNR, mc: 256, kc: 256, nc: 256, directRows: 4 * goMR, fn: kernelGo[T]}
}
