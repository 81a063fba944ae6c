package check

import (
	"slices"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/layout"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
)

// Kernel-side causes on x86-64 (kernel-jit.md §5; layout/x86.go).
const (
	// RuleX86Int128Slot: from the by-slot save_regs (v6.3) until
	// 814cba835ef6 the x86 trampoline counted extra slots only for
	// STRUCT_ARG arguments, so an __int128 took one slot in nr_regs while
	// the verifier gives it two.
	RuleX86Int128Slot = "x86 trampoline: __int128 counted as one slot"
	// RuleX86Corrupt: bytes_to_bpf_size of a 3, 5, 6, 7 or 16-byte argument
	// is -EINVAL and emit_stx emits no opcode (v6.0–v6.5).
	RuleX86Corrupt = "x86 save_regs: store width with no encoding, trampoline code corrupt"
	// RuleX86StructOpsBase: an indirect (struct_ops) trampoline read stack
	// arguments from RBP+0x18, 8 bytes too high (fixed by 596824de8c10).
	RuleX86StructOpsBase = "x86 struct_ops stack base (596824de8c10)"
	// RuleX86NotSaved: the x86 trampoline never stores the ctx slot the
	// BPF program reads for the argument.
	RuleX86NotSaved = "x86 trampoline: ctx slot not saved"
	// RuleX86NoClass: an argument whose bytes System V does not pass at all
	// (NO_CLASS eightbytes) still takes slots in the trampoline.
	RuleX86NoClass = "SysV NO_CLASS eightbyte not passed"
)

func init() {
	registerArch(arch.X86_64, archCheck{
		classify: classifyX86,
	})
}

// classifyX86 is classify for x86-64 targets, with System V's rules.
func classifyX86(fn *ctype.Func, m ArgMismatch, abi loc.Placement, tramp *layout.Trampoline) (rule, problem string) {
	has := func(r string) bool { return slices.Contains(m.ABIRules, r) }
	var first, jitFirst loc.Loc
	for _, l := range m.ABI {
		if !l.IsZero() {
			first = l
			break
		}
	}
	if len(m.JIT) > 0 {
		jitFirst = m.JIT[0]
	}
	what := ""
	switch {
	case anyXMM(m.ABI):
		rule, what = oracle.RuleSysVPassSSE, "XMM registers not used"
	case has(oracle.RuleSysVPassX87) && first.Kind == loc.OnStack && jitFirst.Kind == loc.InReg:
		rule, what = oracle.RuleSysVPassX87, "X87 class in memory read from registers"
	case tramp.Corrupt != "":
		rule, what = RuleX86Corrupt, "no byte reliably saved"
	case notRead(m.JIT):
		rule, what = RuleX86NotSaved, "for this argument"
		if int128Upto(fn, m.Index) {
			rule, what = RuleX86Int128Slot, "so a ctx slot is never saved"
		}
	case unpassedUpTo(abi, m.Index):
		rule, what = RuleX86NoClass, "but counted by the trampoline"
	case first.Kind == loc.OnStack && jitFirst.Kind == loc.OnStack && jitFirst.Off == first.Off+8 && allShifted(m, 8):
		rule, what = RuleX86StructOpsBase, "stack arguments read 8 bytes too high"
	case first.Kind == loc.OnStack && first.Off%16 == 0 && jitFirst.Kind == loc.OnStack && jitFirst.Off+8 == first.Off:
		rule, what = oracle.RuleSysVStack, "16-byte alignment not applied"
		if has(oracle.RuleSysVInt128Stack) {
			rule = oracle.RuleSysVInt128Stack
		}
	case first.Kind == loc.OnStack && jitFirst.Kind == loc.InReg && has(oracle.RuleSysVPassMemory):
		rule, what = oracle.RuleSysVPassMemory, "MEMORY class read from registers"
	case first.Kind == loc.OnStack && jitFirst.Kind == loc.InReg:
		rule, what = oracle.RuleSysVNoRegisters, "argument on the stack read from registers"
	case first.Kind == loc.InReg && jitFirst.Kind == loc.OnStack:
		rule, what = oracle.RuleSysVPassInteger, "argument in registers read from the stack"
	default:
		rule, what = RuleOther, "placement differs"
		if n := len(m.ABIRules); n > 0 {
			what = "placement differs from " + m.ABIRules[n-1]
		}
	}
	where := "in registers"
	if first.Kind == loc.OnStack {
		where = "on the stack"
	}
	s := shapeX86(fn.Params[m.Index].Type, m.ABIRules)
	if rule == RuleOther {
		return rule, what + ", " + s + " " + where
	}
	return rule, rule + " " + what + ", " + s + " " + where
}

// anyXMM reports whether the ABI put a byte in an SSE register.
func anyXMM(bytes []loc.Loc) bool {
	for _, l := range bytes {
		if l.Kind == loc.InReg && l.Reg.Class == loc.XMM {
			return true
		}
	}
	return false
}

// unpassedUpTo reports whether an argument up to index i has bytes the ABI
// does not pass (the zero loc).
func unpassedUpTo(abi loc.Placement, i int) bool {
	for _, a := range abi.Args[:i+1] {
		if len(a.Bytes) < a.Size {
			return true
		}
		for _, l := range a.Bytes {
			if l.IsZero() {
				return true
			}
		}
	}
	return false
}

// shapeX86 describes an argument's type without names.
func shapeX86(t ctype.Type, rules []string) string {
	if r, ok := ctype.Underlying(t).(*ctype.Record); ok {
		kw := "struct"
		if r.Union {
			kw = "union"
		}
		switch {
		case slices.Contains(rules, oracle.RuleSysVUnaligned):
			return "unaligned-field " + kw
		case ctype.Alignof(t) >= 16:
			return "16-byte-aligned " + kw
		case r.Packed:
			return "packed " + kw
		}
		return kw
	}
	return shape(t, nil)
}
