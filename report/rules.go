package report

import (
	"strings"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/oracle"
)

// specSection is where the rules of the table below live in the spec.
const specSection = "AAPCS64 " + oracle.Release + " §6.8.2 \"Parameter passing rules\" (ARM-software/abi-aa, aapcs64/aapcs64.rst)"

// paraphrases says in plain words what each rule id of the oracle (and each
// kernel-side cause of package check) asks for. The AAPCS64 texts
// paraphrase release 2025Q4, whose stage C numbering has the SVE rules
// C.7/C.8 inserted (GCC's comments still call C.10 "C.8"); see
// /work/shared/reference/aapcs64.md §5 for the sources.
var paraphrases = map[string]string{
	oracle.RuleB3:  "B.3: a Homogeneous Floating-point Aggregate (1–4 members of one FP type, no padding) is passed unmodified, never replaced by a pointer.",
	oracle.RuleB4:  "B.4: a composite larger than 16 bytes that is not an HFA/HVA is copied to memory the caller allocates and replaced by a pointer to that copy.",
	oracle.RuleB5:  "B.5: a composite's size is rounded up to the next multiple of 8.",
	oracle.RuleB6:  "B.6: a composite is passed as a copy aligned to 8 when its natural alignment is at most 8 and to 16 when it is 16 or more; the natural alignment counts aligned(N) on members and member types, not aligned(N) on the composite itself.",
	oracle.RuleC1:  "C.1: a float, double, long double (quad) or short vector goes in the next FP/SIMD register v[NSRN] while NSRN < 8; FP/SIMD registers are counted apart from the general registers.",
	oracle.RuleC2:  "C.2: an HFA/HVA whose members all fit in the remaining FP/SIMD registers goes one member per register, v[NSRN] upwards.",
	oracle.RuleC3:  "C.3: an HFA/HVA that does not fit sets NSRN to 8 (no later FP argument uses a register) and goes to the stack.",
	oracle.RuleC4:  "C.4: before an HFA, HVA, quad float or short vector is stacked, NSAA is rounded up to 8, or to 16 when its natural alignment is 16 or more.",
	oracle.RuleC5:  "C.5: a half- or single-precision value on the stack takes an 8-byte slot.",
	oracle.RuleC6:  "C.6: an FP value, HFA or HVA that is not in registers is copied to the stack at NSAA; it never goes in general registers.",
	oracle.RuleC9:  "C.9: an integral or pointer argument of at most 8 bytes goes in x[NGRN] while NGRN < 8.",
	oracle.RuleC10: "C.10: if the argument's alignment is 16 (an __int128, or a composite whose natural alignment is 16), NGRN is first rounded up to the next even number, so the argument starts in an even register (x0, x2, x4, x6) and one register may be skipped.",
	oracle.RuleC11: "C.11: a 16-byte integral argument (__int128) goes in x[NGRN] (low 8 bytes) and x[NGRN+1] when NGRN < 7.",
	oracle.RuleC12: "C.12: a composite whose size in 8-byte words fits in the remaining general registers goes in consecutive registers from x[NGRN], as if loaded by LDRs from memory.",
	oracle.RuleC13: "C.13: otherwise NGRN is set to 8: the argument goes wholly to the stack, never split, and every later integer argument goes to the stack too.",
	oracle.RuleC14: "C.14: before a stacked argument is placed, NSAA is rounded up to max(8, its natural alignment): a 16-aligned argument (an __int128, a composite of natural alignment 16) starts at a multiple of 16 from the entry SP, leaving an 8-byte hole when NSAA was odd-word.",
	oracle.RuleC15: "C.15: a composite is copied to the stack at NSAA and NSAA grows by its (rounded) size.",
	oracle.RuleC16: "C.16: an argument smaller than 8 bytes takes an 8-byte stack slot.",
	oracle.RuleC17: "C.17: the argument is copied to the stack at NSAA and NSAA grows by its size.",

	oracle.RuleEmptyRecord:         "GNU C (no AAPCS64 rule): a record of size 0 takes no register and no stack slot.",
	oracle.RuleClangEmptyRecord:    "clang: a record of only unnamed bit-fields is ignored as an argument.",
	oracle.RuleClangLongDoubleHFA:  "clang 14: a stacked HFA of long double is always 16-aligned.",
	oracle.RuleClangZeroWidth:      "clang 14 (C): a zero-width bit-field stops a record from being an HFA.",
	oracle.RuleGCCPair:             "GCC: C.10 is applied only to an argument of 2 registers whose alignment is exactly 16.",
	oracle.RuleGCC12PackedBitfield: "GCC 9.1–12: a packed bit-field still adds its declared type's alignment (PR105549, fixed in GCC 13.1).",

	check.RuleStructOpsBase: "Kernel, not ABI: a struct_ops trampoline is reached by blr and pushes only {FP, LR}, so the caller's stack arguments start at FP+16; before 50de1c47a41d the arm64 JIT read them from FP+32.",
	check.RuleOther:         "No single rule: the byte lists below show how the placements differ.",
}

// Paraphrase returns the plain-words statement of a rule id as it appears in
// loc.Arg.Rules and check.Verdict.Rule ("AAPCS64 2025Q4 C.10", "GNU C: ...").
func Paraphrase(rule string) (string, bool) {
	p, ok := paraphrases[rule]
	return p, ok
}

// ruleID is the short id of an AAPCS64 rule ("C.10"), or the rule itself.
func ruleID(rule string) string {
	return strings.TrimPrefix(rule, "AAPCS64 "+oracle.Release+" ")
}
