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
