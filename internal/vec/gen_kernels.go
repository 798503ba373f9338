//go:build ignore

// gen_kernels writes kernels_amd64.s, the amd64 loops of package vec (and,
// with gen_exp.go, exp_amd64.s). Run it with `go generate ./internal/vec`
// after changing it; the output is committed, so building nabla never
// needs this program.
//
// Every kernel walks n = len of its first slice elements, n a multiple of
// the vector width (the Go wrappers in kernels_amd64.go do the tail with the
// plain loops), four vectors per iteration and then one at a time. Each
// kernel performs, lane by lane, the same IEEE operations in the same order
// as its plain Go loop in vec.go, so the results are bit-identical:
//
//	add       dst = x + y          sub   dst = x − y
//	mul       dst = x · y          div   dst = x / y
//	addScalar dst = x + c          mulScalar dst = c · x
//	axpy      y   = y + a·x        (a multiply, then an add: never fused)
//	relu      dst = x if !(x ≤ 0) else +0   (float32: x + 0, which quiets
//	          a signalling NaN as the float32→float64→float32 trip does)
//	reluMask  dst = g · ([x > 0] ? 1 : 0)
//	step      dst = [x > 0] ? 1 : 0
//	allFinite OR of the bits of x − x, which is +0 exactly when x is finite
//	sum       Σ x in float64 in sixteen interleaved partial sums (writeSum)
//
// and the fused optimiser updates of update.go (adam, nadam, rmsprop,
// adadelta, sgd; see fused and writeFused), one vector at a time.
package main

import (
	"bytes"
	"fmt"
	"os"
)

type level struct {
	name  string // "AVX2" or "AVX512"
	reg   string // "Y" or "Z"
	bytes int    // bytes per vector
}

var levels = []level{{"AVX2", "Y", 32}, {"AVX512", "Z", 64}}

type elem struct {
	name string // "F32" or "F64"
	size int    // bytes
	ps   string // "PS" or "PD"
	one  string // the bits of 1.0
}

var elems = []elem{{"F32", 4, "PS", "$0x3f800000"}, {"F64", 8, "PD", "$0x3ff0000000000000"}}

const unroll = 4

// gen holds what one kernel is being written for.
type gen struct {
	w  *bytes.Buffer
	l  level
	e  elem
	fn string
}

func (g *gen) p(format string, args ...any) { fmt.Fprintf(g.w, "\t"+format+"\n", args...) }
func (g *gen) r(i int) string               { return fmt.Sprintf("%s%d", g.l.reg, i) }

// m is the memory operand of vector u of the current iteration in the
// slice whose base is in reg; AX holds the index of the first element.
func (g *gen) m(reg string, u int) string {
	return fmt.Sprintf("%d(%s)(AX*%d)", u*g.l.bytes, reg, g.e.size)
}

func (g *gen) bcast(src string, dst int) {
	if g.e.size == 4 {
		g.p("VBROADCASTSS %s, %s", src, g.r(dst))
	} else {
		g.p("VBROADCASTSD %s, %s", src, g.r(dst))
	}
}

func (g *gen) zero(i int) {
	if g.l.reg == "Z" {
		g.p("VPXORD %s, %s, %s", g.r(i), g.r(i), g.r(i))
	} else {
		g.p("VXORPS %s, %s, %s", g.r(i), g.r(i), g.r(i))
	}
}

// ones sets register i to 1.0 in every lane.
func (g *gen) ones(i int) {
	if g.e.size == 4 {
		g.p("MOVL %s, BX", g.e.one)
		g.p("MOVQ BX, X%d", i)
	} else {
		g.p("MOVQ %s, BX", g.e.one)
		g.p("MOVQ BX, X%d", i)
	}
	g.bcast(fmt.Sprintf("X%d", i), i)
}

// kernel describes one operation: its Go signature, its prologue (loading
// pointers into registers and constants into Y/Z13–15) and the body for
// vector u (data registers 0–3, scratch 4–7). The first slice's length is n.
type kernel struct {
	name  string
	sig   func(t string) string // Go signature (for the comment)
	args  func(e elem) int      // argument frame size
	setup func(g *gen)
	body  func(g *gen, u int)
	end   func(g *gen) // after the loops (allFinite's result); nil: none
}

func binary(name, op string) kernel {
	return kernel{
		name: name,
		sig:  func(t string) string { return fmt.Sprintf("(dst, x, y []%s)", t) },
		args: func(elem) int { return 72 },
		setup: func(g *gen) {
			g.p("MOVQ dst_base+0(FP), DI")
			g.p("MOVQ dst_len+8(FP), CX")
			g.p("MOVQ x_base+24(FP), SI")
			g.p("MOVQ y_base+48(FP), DX")
		},
		body: func(g *gen, u int) {
			g.p("VMOVUP%s %s, %s", g.e.ps[1:], g.m("SI", u), g.r(u))
			g.p("V%s%s %s, %s, %s", op, g.e.ps, g.m("DX", u), g.r(u), g.r(u))
			g.p("VMOVUP%s %s, %s", g.e.ps[1:], g.r(u), g.m("DI", u))
		},
	}
}

func scalar(name, op string) kernel {
	return kernel{
		name: name,
		sig:  func(t string) string { return fmt.Sprintf("(dst, x []%s, c %s)", t, t) },
		args: func(e elem) int { return 48 + e.size },
		setup: func(g *gen) {
			g.p("MOVQ dst_base+0(FP), DI")
			g.p("MOVQ dst_len+8(FP), CX")
			g.p("MOVQ x_base+24(FP), SI")
			g.bcast("c+48(FP)", 15)
		},
		body: func(g *gen, u int) {
			g.p("VMOVUP%s %s, %s", g.e.ps[1:], g.m("SI", u), g.r(u))
			g.p("V%s%s %s, %s, %s", op, g.e.ps, g.r(15), g.r(u), g.r(u))
			g.p("VMOVUP%s %s, %s", g.e.ps[1:], g.r(u), g.m("DI", u))
		},
	}
}

var kernels = []kernel{
	binary("add", "ADD"),
	binary("sub", "SUB"),
	binary("mul", "MUL"),
	binary("div", "DIV"),
	scalar("addScalar", "ADD"),
	scalar("mulScalar", "MUL"),
	{
		name: "axpy",
		sig:  func(t string) string { return fmt.Sprintf("(y []%s, a %s, x []%s)", t, t, t) },
		args: func(elem) int { return 56 },
		setup: func(g *gen) {
			g.p("MOVQ y_base+0(FP), DI")
			g.p("MOVQ y_len+8(FP), CX")
			g.p("MOVQ x_base+32(FP), SI")
			g.bcast("a+24(FP)", 15)
		},
		body: func(g *gen, u int) {
			// x·a, then (x·a) + y: the operand order of Go's code, which
			// decides whose payload a NaN result carries when both are NaN.
			g.p("VMOVUP%s %s, %s", g.e.ps[1:], g.m("SI", u), g.r(u))
			g.p("VMUL%s %s, %s, %s", g.e.ps, g.r(15), g.r(u), g.r(u))
			g.p("VADD%s %s, %s, %s", g.e.ps, g.m("DI", u), g.r(u), g.r(u))
			g.p("VMOVUP%s %s, %s", g.e.ps[1:], g.r(u), g.m("DI", u))
		},
	},
	{
		name: "relu",
		sig:  func(t string) string { return fmt.Sprintf("(dst, x []%s)", t) },
		args: func(elem) int { return 48 },
		setup: func(g *gen) {
			g.p("MOVQ dst_base+0(FP), DI")
			g.p("MOVQ dst_len+8(FP), CX")
			g.p("MOVQ x_base+24(FP), SI")
			g.zero(14)
		},
		body: func(g *gen, u int) {
			g.p("VMOVUP%s %s, %s", g.e.ps[1:], g.m("SI", u), g.r(u))
			if g.l.reg == "Z" {
				g.p("VCMP%s $0x16, %s, %s, K%d", g.e.ps, g.r(14), g.r(u), u+1) // !(x ≤ 0)
				g.p("VMOVUP%s.Z %s, K%d, %s", g.e.ps[1:], g.r(u), u+1, g.r(u))
			} else {
				g.p("VCMP%s $0x16, %s, %s, %s", g.e.ps, g.r(14), g.r(u), g.r(u+4)) // !(x ≤ 0)
				g.p("VANDP%s %s, %s, %s", g.e.ps[1:], g.r(u), g.r(u+4), g.r(u))
			}
			if g.e.size == 4 {
				g.p("VADD%s %s, %s, %s", g.e.ps, g.r(14), g.r(u), g.r(u))
			}
			g.p("VMOVUP%s %s, %s", g.e.ps[1:], g.r(u), g.m("DI", u))
		},
	},
	{
		name: "reluMask",
		sig:  func(t string) string { return fmt.Sprintf("(dst, g, x []%s)", t) },
		args: func(elem) int { return 72 },
		setup: func(g *gen) {
			g.p("MOVQ dst_base+0(FP), DI")
			g.p("MOVQ dst_len+8(FP), CX")
			g.p("MOVQ g_base+24(FP), DX")
			g.p("MOVQ x_base+48(FP), SI")
			g.zero(14)
			g.ones(13)
		},
		body: func(g *gen, u int) {
			g.p("VMOVUP%s %s, %s", g.e.ps[1:], g.m("SI", u), g.r(u))
			if g.l.reg == "Z" {
				g.p("VCMP%s $0x1e, %s, %s, K%d", g.e.ps, g.r(14), g.r(u), u+1) // x > 0
				g.p("VMOVUP%s.Z %s, K%d, %s", g.e.ps[1:], g.r(13), u+1, g.r(u))
			} else {
				g.p("VCMP%s $0x1e, %s, %s, %s", g.e.ps, g.r(14), g.r(u), g.r(u)) // x > 0
				g.p("VANDP%s %s, %s, %s", g.e.ps[1:], g.r(13), g.r(u), g.r(u))
			}
			g.p("VMUL%s %s, %s, %s", g.e.ps, g.m("DX", u), g.r(u), g.r(u))
			g.p("VMOVUP%s %s, %s", g.e.ps[1:], g.r(u), g.m("DI", u))
		},
	},
	{
		name: "step",
		sig:  func(t string) string { return fmt.Sprintf("(dst, x []%s)", t) },
		args: func(elem) int { return 48 },
		setup: func(g *gen) {
			g.p("MOVQ dst_base+0(FP), DI")
			g.p("MOVQ dst_len+8(FP), CX")
			g.p("MOVQ x_base+24(FP), SI")
			g.zero(14)
			g.ones(13)
		},
		body: func(g *gen, u int) {
			g.p("VMOVUP%s %s, %s", g.e.ps[1:], g.m("SI", u), g.r(u))
			if g.l.reg == "Z" {
				g.p("VCMP%s $0x1e, %s, %s, K%d", g.e.ps, g.r(14), g.r(u), u+1) // x > 0
				g.p("VMOVUP%s.Z %s, K%d, %s", g.e.ps[1:], g.r(13), u+1, g.r(u))
			} else {
				g.p("VCMP%s $0x1e, %s, %s, %s", g.e.ps, g.r(14), g.r(u), g.r(u)) // x > 0
				g.p("VANDP%s %s, %s, %s", g.e.ps[1:], g.r(13), g.r(u), g.r(u))
			}
			g.p("VMOVUP%s %s, %s", g.e.ps[1:], g.r(u), g.m("DI", u))
		},
	},
	{
		name: "allFinite",
		sig:  func(t string) string { return fmt.Sprintf("(x []%s) bool", t) },
		args: func(elem) int { return 25 },
		setup: func(g *gen) {
			g.p("MOVQ x_base+0(FP), SI")
			g.p("MOVQ x_len+8(FP), CX")
			for u := 0; u < unroll; u++ {
				g.zero(u + 4)
			}
		},
		body: func(g *gen, u int) {
			g.p("VMOVUP%s %s, %s", g.e.ps[1:], g.m("SI", u), g.r(u))
			g.p("VSUB%s %s, %s, %s", g.e.ps, g.r(u), g.r(u), g.r(u))
			if g.l.reg == "Z" {
				g.p("VPORQ %s, %s, %s", g.r(u), g.r(u+4), g.r(u+4))
			} else {
				g.p("VPOR %s, %s, %s", g.r(u), g.r(u+4), g.r(u+4))
			}
		},
		end: func(g *gen) {
			if g.l.reg == "Z" {
				g.p("VPORQ Z5, Z4, Z4")
				g.p("VPORQ Z7, Z6, Z6")
				g.p("VPORQ Z6, Z4, Z4")
				g.p("VPTESTMQ Z4, Z4, K1")
				g.p("KORTESTW K1, K1")
			} else {
				g.p("VPOR Y5, Y4, Y4")
				g.p("VPOR Y7, Y6, Y6")
				g.p("VPOR Y6, Y4, Y4")
				g.p("VPTEST Y4, Y4")
			}
			g.p("SETEQ ret+24(FP)")
		},
	},
}

func main() {
	var w bytes.Buffer
	fmt.Fprintln(&w, "// Code generated by gen_kernels.go; DO NOT EDIT.")
	fmt.Fprintln(&w)
	fmt.Fprintln(&w, "//go:build amd64 && !purego")
	fmt.Fprintln(&w)
	fmt.Fprintln(&w, `#include "textflag.h"`)
	for _, l := range levels {
		for _, e := range elems {
			for _, k := range kernels {
				write(&gen{w: &w, l: l, e: e, fn: k.name + e.name + l.name}, k)
			}
		}
	}
	for _, l := range levels {
		for _, e := range elems {
			writeSum(&gen{w: &w, l: l, e: e, fn: "sum" + e.name + l.name})
		}
	}
	for _, l := range levels {
		for _, e := range elems {
			for _, f := range fusedKernels {
				writeFused(&gen{w: &w, l: l, e: e, fn: f.name + e.name + l.name}, f)
			}
		}
	}
	if err := os.WriteFile("kernels_amd64.s", w.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	writeExpFile() // gen_exp.go
}

func write(g *gen, k kernel) {
	lanes := g.l.bytes / g.e.size
	t := map[int]string{4: "float32", 8: "float64"}[g.e.size]
	label := func(l string) { fmt.Fprintf(g.w, "%s_%s:\n", g.fn, l) }
	fmt.Fprintf(g.w, "\n// func %s%s\n", g.fn, k.sig(t))
	fmt.Fprintf(g.w, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", g.fn, k.args(g.e))
	k.setup(g)
	g.p("XORQ AX, AX")
	g.p("MOVQ CX, R8")
	g.p("ANDQ $%d, R8", -unroll*lanes) // elements done four vectors at a time
	g.p("JZ %s_one", g.fn)
	label("loop")
	for u := 0; u < unroll; u++ {
		k.body(g, u)
	}
	g.p("ADDQ $%d, AX", unroll*lanes)
	g.p("CMPQ AX, R8")
	g.p("JB %s_loop", g.fn)
	label("one")
	g.p("CMPQ AX, CX")
	g.p("JAE %s_done", g.fn)
	k.body(g, 0)
	g.p("ADDQ $%d, AX", lanes)
	g.p("JMP %s_one", g.fn)
	label("done")
	if k.end != nil {
		k.end(g)
	}
	g.p("VZEROUPPER")
	g.p("RET")
}

// writeSum writes the sum of n = len(x) elements, n a multiple of 16, in
// float64 as sumGo defines it: sixteen partial sums s[i mod 16], folded
// s[k] += s[k+8], then +4, +2, +1. With AVX2 the sixteen sums are four Y
// registers (s[4j…4j+3] in Yj); with AVX-512 two Z registers (s[8j…8j+7]);
// float32 elements are widened to float64 as they are loaded.
func writeSum(g *gen) {
	t := map[int]string{4: "float32", 8: "float64"}[g.e.size]
	fmt.Fprintf(g.w, "\n// func %s(x []%s) float64\n", g.fn, t)
	fmt.Fprintf(g.w, "TEXT ·%s(SB), NOSPLIT, $0-32\n", g.fn)
	g.p("MOVQ x_base+0(FP), SI")
	g.p("MOVQ x_len+8(FP), CX")
	regs := 64 / g.l.bytes * 2 // accumulators: 4 Y or 2 Z
	for j := 0; j < regs; j++ {
		g.zero(j)
	}
	g.p("XORQ AX, AX")
	g.p("TESTQ CX, CX")
	g.p("JZ %s_fold", g.fn)
	fmt.Fprintf(g.w, "%s_loop:\n", g.fn)
	per := 16 / regs // elements per accumulator
	for j := 0; j < regs; j++ {
		src := fmt.Sprintf("%d(SI)(AX*%d)", j*per*g.e.size, g.e.size)
		if g.e.size == 4 {
			g.p("VCVTPS2PD %s, %s", src, g.r(regs+j))
		} else {
			g.p("VMOVUPD %s, %s", src, g.r(regs+j))
		}
		g.p("VADDPD %s, %s, %s", g.r(regs+j), g.r(j), g.r(j))
	}
	g.p("ADDQ $16, AX")
	g.p("CMPQ AX, CX")
	g.p("JB %s_loop", g.fn)
	fmt.Fprintf(g.w, "%s_fold:\n", g.fn)
	if g.l.reg == "Z" {
		g.p("VADDPD Z1, Z0, Z0")        // s[k] += s[k+8]
		g.p("VEXTRACTF64X4 $1, Z0, Y1") // s[4…7]
		g.p("VADDPD Y1, Y0, Y0")        // s[k] += s[k+4]
	} else {
		g.p("VADDPD Y2, Y0, Y0") // s[k] += s[k+8], k < 4
		g.p("VADDPD Y3, Y1, Y1") // s[k] += s[k+8], 4 ≤ k < 8
		g.p("VADDPD Y1, Y0, Y0") // s[k] += s[k+4]
	}
	g.p("VEXTRACTF128 $1, Y0, X1")
	g.p("VADDPD X1, X0, X0") // s[k] += s[k+2]
	g.p("VUNPCKHPD X0, X0, X1")
	g.p("VADDSD X1, X0, X0") // s[0] + s[1]
	g.p("VMOVSD X0, ret+24(FP)")
	g.p("VZEROUPPER")
	g.p("RET")
}

// The fused optimiser updates of update.go. Each has the Go signature
//
//	func(p, g, s1, s2, s3 []T, k [maxConsts]T, flags uint64)
//
// with the state buffers s1…s3 it uses (the others empty), the constants k
// of its settings struct in the order the comment above each kernel lists
// (asmKernels in kernels_amd64.go fills k in that order), and the flag bits
// below. It walks n = len(p), a multiple of the vector width,
// one vector at a time (the divisions and square roots bound these loops,
// not the loop overhead). The constants live in registers 15, 14, … (k[0]
// in 15); data in 0–5. Flags are tested with a branch per vector, which
// the CPU predicts every time.
type fused struct {
	name   string
	consts int // how many of k it uses
	body   func(g *gen)
}

// maxConsts is the length of the constant array k.
const maxConsts = 12

// The flag bits; kernels_amd64.go defines the same values.
const (
	flagMaximize   = 1 << iota // negate the gradient
	flagL2                     // g ← g + λ·p
	flagDecoupled              // Adam: p ← p·Decay
	flagAMSGrad                // Adam: running maximum in s3
	flagAccumulate             // RMSprop: Adagrad's v ← v + g·g
	flagCentered               // RMSprop: mean gradient in s2
	flagMomentum               // RMSprop: momentum buffer in s3; SGD: in s1
	flagFirst                  // SGD: the buffer starts as the gradient
	flagNesterov               // SGD: Nesterov momentum
)

// The registers holding the bases of the slices.
const (
	sP  = "DI"
	sG  = "SI"
	sS1 = "DX"
	sS2 = "R10"
	sS3 = "R11"
)

func (g *gen) k(j int) int { return 15 - j }

// ld loads the vector at AX of the slice based in reg into register r.
func (g *gen) ld(reg string, r int) { g.p("VMOVUP%s %s, %s", g.e.ps[1:], g.m(reg, 0), g.r(r)) }

// st stores register r to the vector at AX of the slice based in reg.
func (g *gen) st(r int, reg string) { g.p("VMOVUP%s %s, %s", g.e.ps[1:], g.r(r), g.m(reg, 0)) }

// op sets register dst = a OP b: a is the first source, whose payload a
// NaN result carries when both are NaN, as in the Go expression a OP b.
func (g *gen) op(name string, a, b, dst int) {
	g.p("V%s%s %s, %s, %s", name, g.e.ps, g.r(b), g.r(a), g.r(dst))
}

func (g *gen) mul(a, b, dst int) { g.op("MUL", a, b, dst) }
func (g *gen) add(a, b, dst int) { g.op("ADD", a, b, dst) }
func (g *gen) div(a, b, dst int) { g.op("DIV", a, b, dst) }
func (g *gen) sqrt(a, dst int)   { g.p("VSQRT%s %s, %s", g.e.ps, g.r(a), g.r(dst)) }
func (g *gen) mov(a, dst int)    { g.p("VMOVAP%s %s, %s", g.e.ps[1:], g.r(a), g.r(dst)) }

// xor sets dst = a XOR b bitwise (AVX-512F has only the integer form).
func (g *gen) xor(a, b, dst int) {
	if g.l.reg == "Z" {
		g.p("VPXORQ %s, %s, %s", g.r(b), g.r(a), g.r(dst))
	} else {
		g.p("VXORP%s %s, %s, %s", g.e.ps[1:], g.r(b), g.r(a), g.r(dst))
	}
}

// labels numbers the branch targets of when, unique within the file.
var labels int

// when emits then for vectors where flag is set, and otherwise els (nil:
// nothing).
func (g *gen) when(flag int, then, els func()) {
	labels++
	skip, end := fmt.Sprintf("%s_%d", g.fn, labels), fmt.Sprintf("%s_%dend", g.fn, labels)
	g.p("TESTQ $%d, R9", flag)
	g.p("JZ %s", skip)
	then()
	if els != nil {
		g.p("JMP %s", end)
	}
	fmt.Fprintf(g.w, "%s:\n", skip)
	if els != nil {
		els()
		fmt.Fprintf(g.w, "%s:\n", end)
	}
}

// gradient loads g into register 0 and p into 1 and applies the shared
// preamble: g ← −g if Maximize (sign mask in constant sign), g ← g + λ·p
// if L2 (λ in constant wd). Register 4 is scratch.
//
// Where both operands of an operation can be NaN, the kernels put first the
// operand Go 1.26's compiler put first in the plain loops of update.go, so
// NaN payloads mostly agree with them too. But that order is the
// compiler's choice, differs from loop to loop (p ← p + u is computed u + p
// when p is in memory and p + u when it is in a register) and from version
// to version, and Go's max intrinsic blends payloads; so the fused updates
// promise, and the tests check, only that a result is NaN where the plain
// loop's is: every other result is bit-identical.
func (g *gen) gradient(sign, wd int) {
	g.ld(sG, 0)
	if sign >= 0 {
		g.when(flagMaximize, func() { g.xor(0, g.k(sign), 0) }, nil)
	}
	g.ld(sP, 1)
	g.when(flagL2, func() {
		g.mul(g.k(wd), 1, 4)
		g.add(0, 4, 0)
	}, nil)
}

// ema sets register r (loaded from the slice in reg) to r·β + c·x, or with
// square r·β + (c·x)·x, and stores it; register 4 is scratch. stateFirst
// puts r·β first in the sum, else the other term (see gradient).
func (g *gen) ema(reg string, r, beta, c, x int, square, stateFirst bool) {
	g.ld(reg, r)
	g.mul(r, g.k(beta), r)
	g.mul(g.k(c), x, 4)
	if square {
		g.mul(4, x, 4)
	}
	if stateFirst {
		g.add(r, 4, r)
	} else {
		g.add(4, r, r)
	}
	g.st(r, reg)
}

// max sets register x = max(x, y) as Go's max (runtime.fmax) computes it:
// y if y is NaN or y > x; else x if x ≠ y (x NaN included); else, both
// equal, x AND y bitwise (so max(−0, +0) = +0). (Go's intrinsic for max
// gives the same results but for the payload of a NaN.) Registers 0 and 5 (and
// masks K1, K2) are scratch.
func (g *gen) max(x, y int) {
	ps := g.e.ps
	if g.l.reg == "Z" {
		g.p("VCMP%s $0x03, %s, %s, K1", ps, g.r(y), g.r(y))       // y unordered
		g.p("VCMP%s $0x11, %s, %s, K2", ps, g.r(y), g.r(x))       // x < y
		g.p("KORW K1, K2, K1")                                    // take y
		g.p("VCMP%s $0x00, %s, %s, K2", ps, g.r(y), g.r(x))       // x = y
		and := map[int]string{4: "VPANDD", 8: "VPANDQ"}[g.e.size] // masked lane by lane
		g.p("%s %s, %s, K2, %s", and, g.r(y), g.r(x), g.r(x))     // x AND y where equal
		g.p("VBLENDM%s %s, %s, K1, %s", ps, g.r(y), g.r(x), g.r(x))
		return
	}
	g.p("VCMP%s $0x03, %s, %s, %s", ps, g.r(y), g.r(y), g.r(5)) // y unordered
	g.p("VCMP%s $0x11, %s, %s, %s", ps, g.r(y), g.r(x), g.r(0)) // x < y
	g.p("VORP%s %s, %s, %s", ps[1:], g.r(0), g.r(5), g.r(5))    // take y
	g.p("VCMP%s $0x04, %s, %s, %s", ps, g.r(y), g.r(x), g.r(0)) // x ≠ y or unordered
	g.p("VORP%s %s, %s, %s", ps[1:], g.r(y), g.r(0), g.r(0))    // y OR that
	g.p("VANDP%s %s, %s, %s", ps[1:], g.r(0), g.r(x), g.r(0))   // x where ≠, x AND y where =
	g.p("VBLENDV%s %s, %s, %s, %s", ps, g.r(5), g.r(y), g.r(0), g.r(x))
}

var fusedKernels = []fused{
	{
		// k: β₁, 1−β₁, β₂, 1−β₂, −step, bc2, ε, λ, decay, −0. s1 m, s2 v, s3 vmax.
		name: "adam", consts: 10,
		body: func(g *gen) {
			g.ld(sG, 0)
			g.when(flagMaximize, func() { g.xor(0, g.k(9), 0) }, nil)
			g.ld(sP, 1)
			g.when(flagDecoupled, func() { g.mul(1, g.k(8), 1) }, func() {
				g.when(flagL2, func() {
					g.mul(g.k(7), 1, 4)
					g.add(0, 4, 0)
				}, nil)
			})
			g.ema(sS1, 2, 0, 1, 0, false, true)
			g.ema(sS2, 3, 2, 3, 0, true, true)
			g.when(flagAMSGrad, func() {
				g.ld(sS3, 4)
				g.max(4, 3)
				g.st(4, sS3)
				g.mov(4, 3)
			}, nil)
			g.sqrt(3, 3)
			g.div(3, g.k(5), 3)
			g.add(3, g.k(6), 3)
			g.mul(g.k(4), 2, 2)
			g.div(2, 3, 2)
			g.add(2, 1, 1)
			g.st(1, sP)
		},
	},
	{
		// k: β₁, 1−β₁, β₂, 1−β₂, bc2, ε, λ, cg, cm. s1 m, s2 v.
		name: "nadam", consts: 9,
		body: func(g *gen) {
			g.gradient(-1, 6)
			g.ema(sS1, 2, 0, 1, 0, false, false)
			g.ema(sS2, 3, 2, 3, 0, true, false)
			g.div(3, g.k(4), 3)
			g.sqrt(3, 3)
			g.add(3, g.k(5), 3)
			g.mul(g.k(7), 0, 4)
			g.div(4, 3, 4)
			g.add(4, 1, 1)
			g.mul(g.k(8), 2, 4)
			g.div(4, 3, 4)
			g.add(1, 4, 1)
			g.st(1, sP)
		},
	},
	{
		// k: α, 1−α, ε, λ, −lr, μ, −0. s1 v, s2 gavg, s3 buf.
		name: "rmsprop", consts: 7,
		body: func(g *gen) {
			g.gradient(6, 3)
			g.when(flagAccumulate, func() {
				g.ld(sS1, 2)
				g.mul(0, 0, 4)
				g.add(4, 2, 2)
				g.st(2, sS1)
			}, func() { g.ema(sS1, 2, 0, 1, 0, true, false) })
			g.when(flagCentered, func() {
				g.ema(sS2, 3, 0, 1, 0, false, true)
				g.xor(3, g.k(6), 4) // −1·ḡ, which Go's compiler makes −ḡ
				g.mul(4, 3, 4)
				g.add(4, 2, 4)
				g.sqrt(4, 4)
			}, func() { g.sqrt(2, 4) })
			g.add(4, g.k(2), 4)
			g.when(flagMomentum, func() {
				g.ld(sS3, 3)
				g.mul(3, g.k(5), 3)
				g.div(0, 4, 5)
				g.add(3, 5, 3)
				g.st(3, sS3)
				g.mul(g.k(4), 3, 5)
			}, func() {
				g.mul(g.k(4), 0, 5)
				g.div(5, 4, 5)
			})
			g.add(5, 1, 1)
			g.st(1, sP)
		},
	},
	{
		// k: ρ, 1−ρ, ε, λ, −lr, −0. s1 v, s2 u.
		name: "adadelta", consts: 6,
		body: func(g *gen) {
			g.gradient(5, 3)
			g.ema(sS1, 2, 0, 1, 0, true, false)
			g.ld(sS2, 3)
			g.add(3, g.k(2), 4)
			g.sqrt(4, 4)
			g.add(2, g.k(2), 5)
			g.sqrt(5, 5)
			g.div(4, 5, 4)
			g.mul(0, 4, 4) // Δ
			g.mul(3, g.k(0), 3)
			g.mul(g.k(1), 4, 5)
			g.mul(5, 4, 5)
			g.add(5, 3, 3)
			g.st(3, sS2)
			g.mul(g.k(4), 4, 5)
			g.add(5, 1, 1)
			g.st(1, sP)
		},
	},
	{
		// k: −lr, λ, μ, 1−τ, −0. s1 buf (with flagMomentum).
		name: "sgd", consts: 5,
		body: func(g *gen) {
			g.gradient(4, 1)
			g.when(flagMomentum, func() {
				g.when(flagFirst, func() { g.mov(0, 2) }, func() {
					g.ld(sS1, 2)
					g.mul(g.k(2), 2, 2)
					g.mul(g.k(3), 0, 4)
					g.add(2, 4, 2)
				})
				g.st(2, sS1)
				g.when(flagNesterov, func() {
					g.mul(g.k(2), 2, 4)
					g.add(0, 4, 0)
				}, func() { g.mov(2, 0) })
			}, nil)
			g.mul(g.k(0), 0, 4)
			g.add(4, 1, 1)
			g.st(1, sP)
		},
	},
}

// writeFused writes one fused update kernel.
func writeFused(g *gen, f fused) {
	lanes := g.l.bytes / g.e.size
	t := map[int]string{4: "float32", 8: "float64"}[g.e.size]
	kOff := 5 * 24
	flagsOff := kOff + maxConsts*g.e.size
	fmt.Fprintf(g.w, "\n// func %s(p, g, s1, s2, s3 []%s, k [%d]%s, flags uint64)\n", g.fn, t, maxConsts, t)
	fmt.Fprintf(g.w, "TEXT ·%s(SB), NOSPLIT, $0-%d\n", g.fn, flagsOff+8)
	g.p("MOVQ p_base+0(FP), %s", sP)
	g.p("MOVQ p_len+8(FP), CX")
	g.p("MOVQ g_base+24(FP), %s", sG)
	g.p("MOVQ s1_base+48(FP), %s", sS1)
	g.p("MOVQ s2_base+72(FP), %s", sS2)
	g.p("MOVQ s3_base+96(FP), %s", sS3)
	g.p("MOVQ flags+%d(FP), R9", flagsOff)
	g.p("LEAQ k+%d(FP), BX", kOff)
	for j := 0; j < f.consts; j++ {
		g.bcast(fmt.Sprintf("%d(BX)", j*g.e.size), g.k(j))
	}
	g.p("XORQ AX, AX")
	g.p("TESTQ CX, CX")
	g.p("JZ %s_done", g.fn)
	fmt.Fprintf(g.w, "%s_loop:\n", g.fn)
	f.body(g)
	g.p("ADDQ $%d, AX", lanes)
	g.p("CMPQ AX, CX")
	g.p("JB %s_loop", g.fn)
	fmt.Fprintf(g.w, "%s_done:\n", g.fn)
	g.p("VZEROUPPER")
	g.p("RET")
}
