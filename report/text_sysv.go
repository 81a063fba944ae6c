package report

import (
	"fmt"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
)

// The commands that build and run an x86-64 repro.c natively, as the
// README gives them.
const (
	ReproCommandX86GCC   = "gcc -O2 -static -o repro-gcc repro.c && ./repro-gcc"
	ReproCommandX86Clang = "clang -O2 -static -o repro-clang repro.c && ./repro-clang"
)

// specSysV is where the System V rules of the paraphrase table live.
const specSysV = "System V x86-64 psABI " + oracle.SysVRelease + " §3.2.3 \"Parameter Passing\" (gitlab.com/x86-psABIs/x86-64-ABI)"

// The x86-64 report text: System V, rdi..r9 and xmm0-xmm7, the x86 JIT.
func init() {
	registerText(arch.X86_64, &archText{
		abi:        "System V",
		spec:       specSysV,
		rulePrefix: "SysV " + oracle.SysVRelease + " ",
		gprs:       loc.MustParseRegs(arch.X86_64.GPRs),
		fprs:       loc.MustParseRegs(arch.X86_64.FPRs),
		fprsNone:   "`xmm0`–`xmm7`",
		stackNote:  "Stack offsets `sp+N` are from RSP just before the `call` into the traced function (RSP at entry + 8, past the return address), so the first stack argument is at `sp+0`.",
		// arch/x86/Makefile: "Don't autogenerate traditional x87, MMX or
		// SSE instructions" for 64-bit builds. With those flags gcc 12 and
		// clang 14 refuse a float or double argument ("SSE register
		// argument with SSE disabled") but accept a record of them, and
		// pass it outside the xmm registers: gcc 12 on the stack, clang 14
		// in general registers (seen with -O2 -S).
		unreachable: "x86-64 kernels are built with `-mno-sse -mno-mmx -mno-sse2 -mno-3dnow -mno-avx -mno-80387 -mno-fp-ret-in-387` (arch/x86/Makefile): with those flags gcc and clang refuse a float, double or long double argument, and a record of float or double members, which System V passes in xmm registers, is passed elsewhere (gcc 12 on the stack, clang 14 in general registers). So this placement does not occur in kernel builds; the mismatch is real for the ABI, but only a BPF program attached to non-kernel code would see it. The kselftest files below either do not build with those flags or build with that other placement.",
		abiMissing:  missingX86("not passed"),
		jitMissing:  missingX86("not saved"),
		unpassed:    true,
		x87:         true,
		jitPath: func(c *Case) string {
			return "`arch/x86/net/bpf_jit_comp.c: arch_prepare_bpf_trampoline()` → `__arch_prepare_bpf_trampoline()` → " + x86JITPath(c)
		},
		reproduce: func(c *Case) string {
			return fmt.Sprintf("`repro.c` calls `%s` through an assembly stub that records rdi, rsi, rdx, rcx, r8, r9, xmm0–xmm7 and the stack at entry, with a distinct byte pattern in every argument byte, and prints where each byte was, in the notation above. It exits 0 when the compiler put every byte where System V says (as that compiler reads it: gcc and clang ≥ 20 as the table above, clang 14–19 with the differences `trampfuzz abi -abi sysv/clang14`, `sysv/clang18` and `sysv/clang19` model) and the trampoline's reading is wrong, 1 otherwise. On an x86-64 Linux host:\n\n", c.Func.Name) +
				"```sh\n" + ReproCommandX86GCC + "\n" + ReproCommandX86Clang + "\n```\n\n"
		},
		reproCommands: []string{ReproCommandX86GCC, ReproCommandX86Clang},
		padNowhere:    true,
	})
}

// x86JITPath is the x86 JIT function that saved the arguments:
// save_regs() before 473e3150e30a (v6.6), save_args() since.
func x86JITPath(c *Case) string { return "`" + c.Target.Kernel.SaveFunc() + "()`" }
