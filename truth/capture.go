package truth

// The register half of the capture stub, as lines of a C asm string: it
// stores the argument registers and the stack pointer at entry into
// tf_cap (unsigned char[], 16-aligned) in the layout both truth's harness
// and report's repro.c read: general-purpose argument registers at 0
// (8 bytes each), FP/SIMD argument registers at 64 (16 bytes each), the
// stack pointer at the call (the address of the first stacked argument) at
// 192, and the stack window from 208 on, which each stub copies itself.
const (
	// CaptureRegsAArch64 stores x0-x7, q0-q7 and SP; it uses x16 and x17
	// (AAPCS64: intra-procedure-call scratch), x16 = &tf_cap and x17 = SP
	// after it.
	CaptureRegsAArch64 = `	"\tadrp x16, tf_cap\n"
	"\tadd x16, x16, :lo12:tf_cap\n"
	"\tstp x0, x1, [x16, #0]\n"
	"\tstp x2, x3, [x16, #16]\n"
	"\tstp x4, x5, [x16, #32]\n"
	"\tstp x6, x7, [x16, #48]\n"
	"\tstp q0, q1, [x16, #64]\n"
	"\tstp q2, q3, [x16, #96]\n"
	"\tstp q4, q5, [x16, #128]\n"
	"\tstp q6, q7, [x16, #160]\n"
	"\tmov x17, sp\n"
	"\tstr x17, [x16, #192]\n"
`
	// CaptureRegsX86_64 stores rdi, rsi, rdx, rcx, r8, r9, xmm0-xmm7 and
	// the stack pointer at the call (rsp+8 past the return address); it
	// leaves that address in rsi.
	CaptureRegsX86_64 = `	"\tmovq %rdi, tf_cap+0(%rip)\n"
	"\tmovq %rsi, tf_cap+8(%rip)\n"
	"\tmovq %rdx, tf_cap+16(%rip)\n"
	"\tmovq %rcx, tf_cap+24(%rip)\n"
	"\tmovq %r8, tf_cap+32(%rip)\n"
	"\tmovq %r9, tf_cap+40(%rip)\n"
	"\tmovdqu %xmm0, tf_cap+64(%rip)\n"
	"\tmovdqu %xmm1, tf_cap+80(%rip)\n"
	"\tmovdqu %xmm2, tf_cap+96(%rip)\n"
	"\tmovdqu %xmm3, tf_cap+112(%rip)\n"
	"\tmovdqu %xmm4, tf_cap+128(%rip)\n"
	"\tmovdqu %xmm5, tf_cap+144(%rip)\n"
	"\tmovdqu %xmm6, tf_cap+160(%rip)\n"
	"\tmovdqu %xmm7, tf_cap+176(%rip)\n"
	"\tleaq 8(%rsp), %rsi\n"
	"\tmovq %rsi, tf_cap+192(%rip)\n"
`
)
