package capture

import (
	"fmt"

	"github.com/trampfuzz/trampfuzz/arch"
)

// The x86-64 stub stores rdi, rsi, rdx, rcx, r8, r9, xmm0–xmm7 and the stack
// pointer before the call (RSP at entry + 8, past the return address), then
// copies the window from there up. It clobbers only rax, rcx, rsi and rdi,
// which the psABI 1.0 §3.2.3 lets a callee clobber. It returns the address
// it got in rdi in rax (a MEMORY return buffer, psABI 1.0 §3.2.3 "Returning
// of Values") and one x87 value in st0 (a long double return, which the
// caller pops; fninit drops it when the caller expects none).
func init() {
	register(&Stub{
		Arch:       arch.X86_64,
		symbolType: "@function",
		// rsi = SP at the call after it.
		storeRegs: `	movq %rdi, tf_cap+0(%rip)
	movq %rsi, tf_cap+8(%rip)
	movq %rdx, tf_cap+16(%rip)
	movq %rcx, tf_cap+24(%rip)
	movq %r8, tf_cap+32(%rip)
	movq %r9, tf_cap+40(%rip)
	movdqu %xmm0, tf_cap+64(%rip)
	movdqu %xmm1, tf_cap+80(%rip)
	movdqu %xmm2, tf_cap+96(%rip)
	movdqu %xmm3, tf_cap+112(%rip)
	movdqu %xmm4, tf_cap+128(%rip)
	movdqu %xmm5, tf_cap+144(%rip)
	movdqu %xmm6, tf_cap+160(%rip)
	movdqu %xmm7, tf_cap+176(%rip)
	leaq 8(%rsp), %rsi
	movq %rsi, tf_cap+192(%rip)
`,
		copyWindow: func(w Window) string {
			length := fmt.Sprintf("\tmovl $%d, %%ecx\n", w.Bytes)
			if w.Bytes == 0 {
				// rcx = min(*Top - SP, Max)
				length = fmt.Sprintf(`	movq %[1]s(%%rip), %%rcx
	subq %%rsi, %%rcx
	movl $%[2]d, %%eax
	cmpq %%rax, %%rcx
	cmovaq %%rax, %%rcx
`, w.Top, w.Max)
			}
			return length + `	movq %rcx, tf_cap+200(%rip)
	leaq tf_cap+208(%rip), %rdi
	rep movsb
	movq tf_cap+0(%rip), %rax
	fninit
	fldz
	ret
`
		},
	})
}
