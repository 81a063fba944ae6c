// Package report turns a mismatch verdict (package check) into a report
// directory a kernel developer can act on:
//
//   - README.md: what is wrong in one sentence; the AAPCS64 rules that
//     placed the misread argument, paraphrased (release 2025Q4, §6.8.2
//     "Parameter passing rules", ARM-software/abi-aa aapcs64/aapcs64.rst);
//     the kernel version, commits and code path (kernel/bpf/btf.c
//     btf_distill_func_proto, arch/arm64/net/bpf_jit_comp.c); a side-by-side
//     diagram of x0–x7, v0–v7 and the stack slots, which argument bytes each
//     holds as the ABI placed them and as the trampoline reads them; the BPF
//     ctx slots; and the commands that reproduce it.
//   - case.c: the canonical C text of the signature.
//   - case.json: the verdict and the target, which ReadCase reads back (the
//     input of cmd/minimize).
//   - repro.c: a self-contained program for gcc and clang on AArch64 that
//     calls the signature through an assembly stub and prints where every
//     argument byte really was at entry, checked against the ABI placement
//     and against the trampoline's reading (exit 0: confirmed).
//   - kselftest/: a bpf_testmod function with the signature and its call
//     with known values, fentry/fexit programs (BPF_PROG2, or
//     bpf_get_func_arg where BPF_PROG2 cannot spell an argument) that record
//     every argument's value, and the prog_tests subtest that asserts them,
//     in the style of tools/testing/selftests/bpf tracing_struct.
//
// Write fills a temporary directory and renames it into place, and never
// replaces a directory that holds something else.
package report
