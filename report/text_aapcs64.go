package report

import (
	"fmt"
	"strings"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
)

// reproCommandsARM64 build repro.c for AArch64 and run it under qemu.
var reproCommandsARM64 = []string{
	"aarch64-linux-gnu-gcc -O2 -static -o repro-gcc repro.c && qemu-aarch64 ./repro-gcc",
	"clang --target=aarch64-linux-gnu -fuse-ld=lld -O2 -static -o repro-clang repro.c && qemu-aarch64 ./repro-clang",
}

// The arm64 report text: AAPCS64, x0-x7 and v0-v7, the arm64 JIT.
func init() {
	registerText(arch.ARM64, &archText{
		abi:         "AAPCS64",
		spec:        specSection,
		rulePrefix:  "AAPCS64 " + oracle.Release + " ",
		gprs:        loc.MustParseRegs(arch.ARM64.GPRs),
		fprs:        loc.MustParseRegs(arch.ARM64.FPRs),
		fprsNone:    "`v0`–`v7`",
		stackNote:   "Stack offsets are from SP at the traced function's entry.",
		unreachable: "arm64 kernels are built with `-mgeneral-regs-only` (arch/arm64/Makefile), so no traced kernel function takes one; the mismatch is real for the ABI, but only a BPF program attached to non-kernel code (or a kernel built differently) would see it. The kselftest files below do not build with `-mgeneral-regs-only`.",
		abiMissing:  notSaved,
		jitMissing:  notSaved,
		jitPath: func(*Case) string {
			return "`arch/arm64/net/bpf_jit_comp.c: arch_prepare_bpf_trampoline()` → `prepare_trampoline()`"
		},
		reproduce: func(c *Case) string {
			return fmt.Sprintf("`repro.c` calls `%s` through an assembly stub that records x0–x7, q0–q7 and the stack at entry, with a distinct byte pattern in every argument byte, and prints where each byte was, in the notation above. It exits 0 when the compiler put every byte where AAPCS64 says (as that compiler's release reads it: GCC 9.1–12 as `aapcs64/gcc12`, clang as `aapcs64/clang14` or `aapcs64/clang16`) and the trampoline's reading is wrong, 1 otherwise.\n\n", c.Func.Name) +
				"```sh\n" + strings.Join(reproCommandsARM64, "\n") + "\n```\n\n"
		},
		reproCommands: reproCommandsARM64,
	})
}
