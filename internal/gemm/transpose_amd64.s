//go:build amd64 && !purego

#include "textflag.h"

// Transposes for packing (see packA and packB): with r < 4 and q < n,
// dst[q·ldd + r] = src[r·lds + q]. Four rows of src become n rows of four
// values in dst. They need AVX; n is a multiple of 8 (float32) or 4 (float64).

// func transpose4x8(n int, src []float32, lds int, dst []float32, ldd int)
TEXT ·transpose4x8(SB), NOSPLIT, $0-72
	MOVQ n+0(FP), CX
	MOVQ src_base+8(FP), SI
	MOVQ lds+32(FP), R8
	MOVQ dst_base+40(FP), DI
	MOVQ ldd+64(FP), R9
	SHLQ $2, R8
	SHLQ $2, R9
	SHRQ $3, CX
	JZ   done32
	LEAQ (R8)(R8*2), R10 // 3·lds
	LEAQ (R9)(R9*2), R11 // 3·ldd

loop32:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(R10*1), Y3
	VUNPCKLPS Y1, Y0, Y4 // a0 b0 a1 b1 | a4 b4 a5 b5
	VUNPCKHPS Y1, Y0, Y5 // a2 b2 a3 b3 | a6 b6 a7 b7
	VUNPCKLPS Y3, Y2, Y6 // c0 d0 c1 d1 | c4 d4 c5 d5
	VUNPCKHPS Y3, Y2, Y7 // c2 d2 c3 d3 | c6 d6 c7 d7
	VSHUFPS $0x44, Y6, Y4, Y0 // a0 b0 c0 d0 | a4 b4 c4 d4
	VSHUFPS $0xEE, Y6, Y4, Y1 // a1 b1 c1 d1 | a5 b5 c5 d5
	VSHUFPS $0x44, Y7, Y5, Y2 // a2 b2 c2 d2 | a6 b6 c6 d6
	VSHUFPS $0xEE, Y7, Y5, Y3 // a3 b3 c3 d3 | a7 b7 c7 d7
	VMOVUPS X0, (DI)
	VMOVUPS X1, (DI)(R9*1)
	VMOVUPS X2, (DI)(R9*2)
	VMOVUPS X3, (DI)(R11*1)
	LEAQ (DI)(R9*4), DI
	VEXTRACTF128 $1, Y0, (DI)
	VEXTRACTF128 $1, Y1, (DI)(R9*1)
	VEXTRACTF128 $1, Y2, (DI)(R9*2)
	VEXTRACTF128 $1, Y3, (DI)(R11*1)
	LEAQ (DI)(R9*4), DI
	ADDQ $32, SI
	DECQ CX
	JNZ  loop32
	VZEROUPPER

done32:
	RET

// func transpose4x4(n int, src []float64, lds int, dst []float64, ldd int)
TEXT ·transpose4x4(SB), NOSPLIT, $0-72
	MOVQ n+0(FP), CX
	MOVQ src_base+8(FP), SI
	MOVQ lds+32(FP), R8
	MOVQ dst_base+40(FP), DI
	MOVQ ldd+64(FP), R9
	SHLQ $3, R8
	SHLQ $3, R9
	SHRQ $2, CX
	JZ   done64
	LEAQ (R8)(R8*2), R10 // 3·lds
	LEAQ (R9)(R9*2), R11 // 3·ldd

loop64:
	VMOVUPD (SI), Y0
	VMOVUPD (SI)(R8*1), Y1
	VMOVUPD (SI)(R8*2), Y2
	VMOVUPD (SI)(R10*1), Y3
	VUNPCKLPD Y1, Y0, Y4 // a0 b0 | a2 b2
	VUNPCKHPD Y1, Y0, Y5 // a1 b1 | a3 b3
	VUNPCKLPD Y3, Y2, Y6 // c0 d0 | c2 d2
	VUNPCKHPD Y3, Y2, Y7 // c1 d1 | c3 d3
	VPERM2F128 $0x20, Y6, Y4, Y0 // a0 b0 c0 d0
	VPERM2F128 $0x20, Y7, Y5, Y1 // a1 b1 c1 d1
	VPERM2F128 $0x31, Y6, Y4, Y2 // a2 b2 c2 d2
	VPERM2F128 $0x31, Y7, Y5, Y3 // a3 b3 c3 d3
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, (DI)(R9*1)
	VMOVUPD Y2, (DI)(R9*2)
	VMOVUPD Y3, (DI)(R11*1)
	LEAQ (DI)(R9*4), DI
	ADDQ $32, SI
	DECQ CX
	JNZ  loop64
	VZEROUPPER

done64:
	RET
