package gemm

// goMR×goNR is the tile of the portable Go micro-kernel.
const goMR, goNR = 4, 4

// kernelGo is the portable micro-kernel: it sets the first rows×cols of the
// goMR×goNR tile at c (element (i, j) at c[i·ldc + j·cs]) to alpha·acc + beta·c, or alpha·acc
// if beta == 0, where acc = Σₚ a[p·as:][:goMR]ᵀ·b[p·bs:][:goNR] over p < k.
func kernelGo[T Float](k int, a []T, as int, b []T, bs int, c []T, ldc, cs, rows, cols int, alpha, beta T) {
	// Sixteen named accumulators, so the compiler can keep them in
	// registers (arm64 has 32 floating-point registers).
	var c00, c01, c02, c03, c10, c11, c12, c13 T
	var c20, c21, c22, c23, c30, c31, c32, c33 T
	for p := 0; p < k; p++ {
		ap := (*[goMR]T)(a[p*as:])
		bp := (*[goNR]T)(b[p*bs:])
		a0, a1, a2, a3 := ap[0], ap[1], ap[2], ap[3]
		b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	acc := [goMR][goNR]T{{c00, c01, c02, c03}, {c10, c11, c12, c13}, {c20, c21, c22, c23}, {c30, c31, c32, c33}}
	for i := range rows {
		for j, v := range acc[i][:cols] {
			x := &c[i*ldc+j*cs]
			if beta == 0 {
				*x = alpha * v
			} else {
				*x = alpha*v + beta**x
			}
		}
	}
}

// goKernel returns the portable kernel with blocking for caches of common
// sizes (32 KiB L1, ≥ 256 KiB L2).
func goKernel[T Float]() *kernel[T] {
	return &kernel[T]{name: "go", mr: goMR, nr: goNR, mc: 256, kc: 256, nc: 256, directRows: 4 * goMR, fn: kernelGo[T], general: true}
}
