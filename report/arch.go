package report

import (
	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"strings"

	"github.com/trampfuzz/trampfuzz/layout"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
)

// archText is what a report says differently per architecture: the ABI's
// name and where its rules live, the argument registers of the diagram, and
// why a floating-point signature is not reachable in kernel builds.
type archText struct {
	// abi names the calling convention in headings and tables.
	abi string
	// spec is where the paraphrased rules live in the ABI document.
	spec string
	// rulePrefix is stripped from rule ids for the rule list ("C.10",
	// "pass INTEGER").
	rulePrefix string
	// gprs are the integer argument registers, always shown; fprs the
	// FP/SIMD argument registers, shown when either side uses one, with
	// fprsNone the row that stands for all of them otherwise.
	gprs, fprs []loc.Reg
	fprsNone   string
	// stackNote says what the stack offsets are relative to.
	stackNote string
	// unreachable explains why no kernel function takes a floating-point
	// argument on this architecture.
	unreachable string
}

// specSysV is where the System V rules of the paraphrase table live.
const specSysV = "System V x86-64 psABI " + oracle.SysVRelease + " §3.2.3 \"Parameter Passing\" (gitlab.com/x86-psABIs/x86-64-ABI)"

var (
	arm64Text = archText{
		abi:         "AAPCS64",
		spec:        specSection,
		rulePrefix:  "AAPCS64 " + oracle.Release + " ",
		gprs:        regs(loc.XReg, 8),
		fprs:        regs(loc.VReg, 8),
		fprsNone:    "`v0`–`v7`",
		stackNote:   "Stack offsets are from SP at the traced function's entry.",
		unreachable: "arm64 kernels are built with `-mgeneral-regs-only` (arch/arm64/Makefile), so no traced kernel function takes one; the mismatch is real for the ABI, but only a BPF program attached to non-kernel code (or a kernel built differently) would see it. The kselftest files below do not build with `-mgeneral-regs-only`.",
	}
	x86Text = archText{
		abi:        "System V",
		spec:       specSysV,
		rulePrefix: "SysV " + oracle.SysVRelease + " ",
		gprs:       []loc.Reg{loc.RDI, loc.RSI, loc.RDX, loc.RCX, loc.R8, loc.R9},
		fprs:       regs(loc.XMMReg, 8),
		fprsNone:   "`xmm0`–`xmm7`",
		stackNote:  "Stack offsets `sp+N` are from RSP just before the `call` into the traced function (RSP at entry + 8, past the return address), so the first stack argument is at `sp+0`.",
		// arch/x86/Makefile: "Don't autogenerate traditional x87, MMX or
		// SSE instructions" for 64-bit builds. With those flags gcc 12 and
		// clang 14 refuse a float or double argument ("SSE register
		// argument with SSE disabled") but accept a record of them, and
		// pass it outside the xmm registers: gcc 12 on the stack, clang 14
		// in general registers (seen with -O2 -S).
		unreachable: "x86-64 kernels are built with `-mno-sse -mno-mmx -mno-sse2 -mno-3dnow -mno-avx -mno-80387 -mno-fp-ret-in-387` (arch/x86/Makefile): with those flags gcc and clang refuse a float, double or long double argument, and a record of float or double members, which System V passes in xmm registers, is passed elsewhere (gcc 12 on the stack, clang 14 in general registers). So this placement does not occur in kernel builds; the mismatch is real for the ABI, but only a BPF program attached to non-kernel code would see it. The kselftest files below either do not build with those flags or build with that other placement.",
	}
)

func regs(reg func(int) loc.Reg, n int) []loc.Reg {
	out := make([]loc.Reg, n)
	for i := range out {
		out[i] = reg(i)
	}
	return out
}

// textFor is the text of arch: x86-64's, or arm64's for every other
// architecture (arm64 is the one the report was first written for).
func textFor(arch string) archText {
	if arch == layout.ArchX86_64 {
		return x86Text
	}
	return arm64Text
}

// layoutsOf lays out c's types by the rules of c's architecture (a Case
// is made from a modelled target, whose architecture arch knows).
func layoutsOf(c *Case) *ctype.Layouts {
	a, err := arch.Lookup(c.Target.Kernel.Arch)
	if err != nil {
		a = arch.ARM64
	}
	return &ctype.Layouts{Arch: a}
}

// isX86 reports whether c is checked on an x86-64 kernel.
func isX86(c *Case) bool { return c.Target.Kernel.Arch == layout.ArchX86_64 }

// abiName is the name of the ABI variant whose placement the verdict
// holds: check places x86-64 arguments with oracle.SysV (the default
// System V variant) whatever Target.ABI says.
func abiName(c *Case) string {
	if isX86(c) {
		return oracle.SysVDefault.Name
	}
	return c.Target.ABI.Name
}

// x86JITPath is the x86 JIT function that saved the arguments, as the
// trampoline model's rules name it: save_regs() before 473e3150e30a
// (v6.6), save_args() since.
func x86JITPath(c *Case) string {
	for _, a := range c.Verdict.JIT.Args {
		for _, r := range a.Rules {
			if strings.Contains(r, "save_regs") {
				return "`save_regs()`"
			}
		}
	}
	return "`save_args()`"
}
