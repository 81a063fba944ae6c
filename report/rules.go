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
	check.RuleNotSaved:      "Kernel, not ABI: the trampoline stores fewer ctx slots than the verifier gives the arguments, so the slot the BPF program reads for this argument is never written.",
	check.RuleInt128OneSlot: "Kernel, not ABI: from v6.0 (efc9909fdce0, 90564f1e3dd6) until 9014cf56f13d the arm64 trampoline counted an __int128 as one register while the verifier gives it two ctx slots, so the last ctx slot is never saved.",
	check.RuleOther:         "No single rule: the byte lists below show how the placements differ.",

	// System V x86-64 psABI 1.0 §3.2.3 "Parameter Passing" (and §3.1.2 for
	// the scalar types), paraphrased; the oracle's comments in
	// oracle/sysv.go quote the sentences. The psABI numbers none of its
	// rules, so each id is the oracle's name for it.
	oracle.RuleSysVInteger:      "class INTEGER: _Bool, char, short, int, long, long long (signed or not), enums and pointers are class INTEGER, passed in general-purpose registers.",
	oracle.RuleSysVSSE:          "class SSE: float and double are class SSE, passed in vector registers.",
	oracle.RuleSysVX87:          "class X87: the 64-bit mantissa of a long double is class X87, its 16-bit exponent and 6 bytes of padding class X87UP.",
	oracle.RuleSysVInt128:       "__int128 pair: an __int128 is classified as if it were struct { long low, high; }: two INTEGER eightbytes, the low one first.",
	oracle.RuleSysVEightbytes:   "eightbytes merged: each eightbyte of a structure, union or array gets a class merged from the classes of the fields in it: equal classes stay, NO_CLASS gives way to the other class, MEMORY wins, then INTEGER, then X87/X87UP (which make MEMORY), else SSE.",
	oracle.RuleSysVLarge:        "over 8 eightbytes: an object larger than eight eightbytes has class MEMORY.",
	oracle.RuleSysVUnaligned:    "unaligned field: an object with a field that is not at a multiple of its alignment (a packed record's wider members) has class MEMORY, whatever its size.",
	oracle.RuleSysVMergeMemory:  "post-merger (a): if one eightbyte is MEMORY, the whole argument is passed in memory.",
	oracle.RuleSysVX87UP:        "post-merger (b): if an X87UP eightbyte is not preceded by X87, the whole argument is passed in memory.",
	oracle.RuleSysVTwoEightbyte: "post-merger (c): an aggregate over two eightbytes whose first eightbyte is not SSE or whose others are not SSEUP is passed in memory.",
	oracle.RuleSysVNoClass:      "NO_CLASS: an eightbyte that holds no field (padding only, or unnamed bit-fields) is NO_CLASS (\"used for padding and empty structures and unions\"): it takes no register and no stack slot, and its bytes are not passed.",
	oracle.RuleSysVEmpty:        "empty record: a structure or union without fields is NO_CLASS and is not passed at all: no register, no stack slot.",
	oracle.RuleSysVPassMemory:   "pass MEMORY: an argument of class MEMORY is passed by value on the stack, even when registers are free; it takes no register, and later arguments may still take registers.",
	oracle.RuleSysVPassX87:      "pass X87: an argument of class X87 or X87UP (a long double) is passed by value on the stack.",
	oracle.RuleSysVPassInteger:  "pass INTEGER: each INTEGER eightbyte goes in the next free register of rdi, rsi, rdx, rcx, r8, r9.",
	oracle.RuleSysVPassSSE:      "pass SSE: each SSE eightbyte goes in the low 8 bytes of the next free register of xmm0–xmm7.",
	oracle.RuleSysVNoRegisters:  "no registers: if there are no registers available for any eightbyte of an argument, the whole argument is passed on the stack (never split between registers and stack); the registers it would have used stay free, so a later, smaller argument may still take one.",
	oracle.RuleSysVStack:        "stack slot: arguments passed in memory are pushed right to left, so the first is lowest (sp+0 just before the call); each takes its size rounded up to eightbytes and starts at a multiple of its alignment (at least 8): a 16-aligned argument starts at a multiple of 16, leaving an 8-byte hole after an odd number of slots.",
	oracle.RuleSysVInt128Stack:  "__int128 16-aligned: \"arguments of type __int128 that are stored in memory must be aligned on a 16-byte boundary\": on the stack an __int128 starts at a multiple of 16 from sp, leaving an 8-byte hole after an odd number of slots.",
	oracle.RuleSysVReturnRDI:    "MEMORY return in rdi: a function returning a MEMORY value gets the address of the caller's result buffer in rdi \"as if it were the first argument\", so the arguments start at rsi.",

	// Where gcc and clang read the psABI text differently (oracle.SysV.Variants()).
	oracle.RuleGCCModeAlign:         "GCC: a field is unaligned (MEMORY) when its offset is not a multiple of its machine mode's size (classify_argument: \"Misaligned fields are always returned in memory\").",
	oracle.RuleClangTypeAlign:       "clang: a field is unaligned (MEMORY) when its offset is not a multiple of its declared type's alignment, records and arrays included.",
	oracle.RuleGCCUnnamedBitfield:   "GCC: an unnamed bit-field is classified INTEGER like a named one (\"Bitfields are always classified as integer\").",
	oracle.RuleClangUnnamedBitfield: "clang: unnamed bit-fields are padding and ignored in classification.",
	oracle.RuleGCCEmpty:             "GCC ≥ 8: a record of only unnamed bit-fields and empty records is an empty type: it takes registers when they are free but never stack space.",
	oracle.RuleClangEmptyMemory:     "clang: such a record is NO_CLASS throughout, so one of over two eightbytes is MEMORY by post-merger (c).",
	oracle.RuleLLVMFrontendR9:       "LLVM < 18: after an __int128 split between r9 and the stack, clang's front end still counts r9 free and the back end puts a following one-INTEGER-eightbyte record in an 8-byte stack slot.",
	oracle.RuleLLVMInt128Split:      "LLVM < 18: an __int128 that finds only r9 free takes r9 and the next stack slot (llvm-project#41784, fixed by fa1b6e6b34eb).",
	oracle.RuleLLVMInt128Align8:     "LLVM < 18: an __int128 on the stack is only 8-aligned (llvm-project#41784).",
	oracle.RuleLLVMInt128HoldsR9:    "LLVM 18–19: an __int128 that finds only r9 free goes wholly to the stack but r9 stays taken for later arguments (llvm-project#123935, fixed by #124134 in LLVM 20).",

	// Kernel-side causes on x86-64 (check/class_x86.go, layout/x86.go).
	check.RuleX86NoClass:       "Kernel, not ABI: the trampoline gives every argument ceil(size/8) registers or stack slots from its BTF size, so a record with a NO_CLASS eightbyte (which System V does not pass) takes one slot too many, and every later argument is read one register or slot too far.",
	check.RuleX86Int128Slot:    "Kernel, not ABI: from v6.3 until 814cba835ef6 the x86 trampoline counted extra slots (nr_regs) only for BTF_FMODEL_STRUCT_ARG arguments, so an __int128 counts one slot while the verifier gives it two (720e6a435194): the ctx slot past nr_regs is never reliably saved.",
	check.RuleX86NotSaved:      "Kernel, not ABI: the x86 trampoline stores fewer ctx slots than the verifier gives the arguments, so the slot the BPF program reads for this argument is never written.",
	check.RuleX86Corrupt:       "Kernel, not ABI: before 473e3150e30a save_regs stored each argument with emit_stx(bytes_to_bpf_size(size)); for 3, 5, 6, 7 or 16 bytes that is -EINVAL and emit_stx emits no opcode, so the trampoline's code is garbage from there on.",
	check.RuleX86StructOpsBase: "Kernel, not ABI: an indirect (struct_ops) trampoline is called by the caller itself, so there is no second return address and the caller's stack arguments start at RBP+0x10; until 596824de8c10 the x86 JIT read them from RBP+0x18, 8 bytes too high.",
}

// Paraphrase returns the plain-words statement of a rule id as it appears in
// loc.Arg.Rules and check.Verdict.Rule ("AAPCS64 2025Q4 C.10", "GNU C: ...").
func Paraphrase(rule string) (string, bool) {
	p, ok := paraphrases[rule]
	return p, ok
}

// ruleID is the short id of an AAPCS64 rule ("C.10") or a System V rule
// ("pass INTEGER"), or the rule itself.
func ruleID(rule string) string {
	for _, t := range archTexts {
		if id, ok := strings.CutPrefix(rule, t.rulePrefix); ok {
			return id
		}
	}
	return rule
}
