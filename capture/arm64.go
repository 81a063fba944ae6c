package capture

import (
	"fmt"

	"github.com/trampfuzz/trampfuzz/arch"
)

// The arm64 stub stores x0–x7, q0–q7 and SP, then copies the window from
// SP up. It uses x9–x17 only, which AAPCS64 2025Q4 §6.1.1 lets a callee
// clobber (x16 and x17 are the intra-procedure-call scratch registers), and
// returns without writing a result.
func init() {
	register(&Stub{
		Arch:       arch.ARM64,
		symbolType: "%function",
		// x16 = &tf_cap; x17 = SP after it.
		storeRegs: `	adrp x16, tf_cap
	add x16, x16, :lo12:tf_cap
	stp x0, x1, [x16, #0]
	stp x2, x3, [x16, #16]
	stp x4, x5, [x16, #32]
	stp x6, x7, [x16, #48]
	stp q0, q1, [x16, #64]
	stp q2, q3, [x16, #96]
	stp q4, q5, [x16, #128]
	stp q6, q7, [x16, #160]
	mov x17, sp
	str x17, [x16, #192]
`,
		copyWindow: func(w Window) string {
			length := fmt.Sprintf("\tmov x10, #%d\n", w.Bytes)
			if w.Bytes == 0 {
				// x10 = min(*Top - SP, Max)
				length = fmt.Sprintf(`	adrp x9, %[1]s
	ldr x9, [x9, :lo12:%[1]s]
	sub x10, x9, x17
	mov x11, #%[2]d
	cmp x10, x11
	csel x10, x10, x11, ls
`, w.Top, w.Max)
			}
			// 16 bytes at a time: the window and tf_cap+208 are 16-aligned.
			return length + `	str x10, [x16, #200]
	add x11, x16, #208
	cbz x10, 2f
1:	ldp x12, x13, [x17], #16
	stp x12, x13, [x11], #16
	subs x10, x10, #16
	b.hi 1b
2:	ret
`
		},
	})
}
