// Package report turns a mismatch verdict (package check) into a report
// directory a kernel developer can act on, for arm64 and x86-64 targets:
//
//   - README.md: what is wrong in one sentence; the ABI rules that placed
//     the misread argument, paraphrased (arm64: AAPCS64 release 2025Q4,
//     §6.8.2 "Parameter passing rules", ARM-software/abi-aa
//     aapcs64/aapcs64.rst; x86-64: the System V x86-64 psABI 1.0, §3.2.3
//     "Parameter Passing"); the kernel version, commits and code path
//     (kernel/bpf/btf.c btf_distill_func_proto, then
//     arch/arm64/net/bpf_jit_comp.c or arch/x86/net/bpf_jit_comp.c); a
//     side-by-side diagram of the argument registers (x0–x7 and v0–v7; rdi,
//     rsi, rdx, rcx, r8, r9 and xmm0–xmm7) and the stack slots, which
//     argument bytes each holds as the ABI placed them and as the
//     trampoline reads them; the BPF ctx slots; and the commands that
//     reproduce it.
//   - case.c: the canonical C text of the signature.
//   - case.json: the verdict and the target, which ReadCase reads back (the
//     input of cmd/minimize).
//   - repro.c: a self-contained program that calls the signature through
//     an assembly stub and prints where every argument byte really was at
//     entry, checked against the ABI placement and against the
//     trampoline's reading (exit 0: confirmed). On arm64 it is built with
//     aarch64-linux-gnu-gcc or clang and run under qemu-aarch64; on x86-64
//     it is built natively with gcc or clang and run directly, each
//     compiler checked against its own reading of the psABI (the oracle's
//     System V variants).
//   - kselftest/: a bpf_testmod function with the signature and its call
//     with known values, fentry/fexit programs (BPF_PROG2, or
//     bpf_get_func_arg where BPF_PROG2 cannot spell an argument) that record
//     every argument's value, and the prog_tests subtest that asserts them,
//     in the style of tools/testing/selftests/bpf tracing_struct. The BPF
//     side does not depend on the architecture.
//
// Write fills a temporary directory and renames it into place, and never
// replaces a directory that holds something else.
package report
