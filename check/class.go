package check

import (
	"slices"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/layout"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
)

// Kernel-side causes that are not an ABI rule.
const (
	// RuleStructOpsBase: a struct_ops trampoline reads stack arguments from
	// FP+32 although it pushed only {FP, LR} (fixed by 50de1c47a41d).
	RuleStructOpsBase = "arm64 struct_ops stack base (50de1c47a41d)"
	// RuleNotSaved: the trampoline never stores the ctx slot the BPF
	// program reads for the argument.
	RuleNotSaved = "arm64 trampoline: ctx slot not saved"
	// RuleInt128OneSlot: v6.0–v6.15 count a non-struct 16-byte argument as
	// one register (efc9909fdce0, 90564f1e3dd6) while the verifier gives it
	// two ctx slots, so the last register is never saved.
	RuleInt128OneSlot = "arm64 trampoline (efc9909fdce0, 90564f1e3dd6): __int128 counted as one register"
	// RuleOther: the placements differ for a reason none of the rules
	// below names; the verdict's byte lists say how.
	RuleOther = "placement differs"
)

func init() {
	registerArch(arch.ARM64, archCheck{
		classify: func(fn *ctype.Func, m ArgMismatch, _ loc.Placement, _ *layout.Trampoline) (string, string) {
			return classify(fn, m)
		},
	})
}

// classify names the ABI rule the trampoline did not follow for the
// root-cause argument, and the problem text of the class key: "<rule>
// <what was not done>, <shape> <where>". It looks at the argument's shape
// and the oracle's rules only, so the key does not depend on names,
// argument counts or unrelated arguments.
func classify(fn *ctype.Func, m ArgMismatch) (rule, problem string) {
	has := func(r string) bool { return slices.Contains(m.ABIRules, r) }
	first := loc.Loc{}
	if len(m.ABI) > 0 {
		first = m.ABI[0]
	}
	var jitFirst loc.Loc
	if len(m.JIT) > 0 {
		jitFirst = m.JIT[0]
	}
	what := ""
	switch {
	case first.Kind == loc.InReg && first.Reg.Class == loc.V:
		rule, what = oracle.RuleC1, "FP/SIMD register not used"
		if has(oracle.RuleC2) {
			rule, what = oracle.RuleC2, "HFA not passed in FP/SIMD registers"
		}
	case has(oracle.RuleC6):
		rule, what = oracle.RuleC6, "FP argument on the stack, not counted apart from GPRs"
	case notRead(m.JIT):
		// The trampoline saved fewer slots than the BPF side gives the
		// arguments: before 9014cf56f13d an __int128 counted as one
		// register (kernel-jit.md §3.1).
		rule, what = RuleNotSaved, "for this argument"
		if int128Upto(fn, m.Index) {
			rule, what = RuleInt128OneSlot, "so a ctx slot is never saved"
		}
	case has(oracle.RuleC10) && first.Kind == loc.InReg && jitFirst.Kind == loc.InReg && jitFirst.Reg.N+1 == first.Reg.N:
		rule, what = oracle.RuleC10, "even pair not applied"
	case first.Kind == loc.OnStack && jitFirst.Kind == loc.OnStack && jitFirst.Off == first.Off+16 && allShifted(m, 16):
		rule, what = RuleStructOpsBase, "stack arguments read 16 bytes too high"
	case first.Kind == loc.OnStack && first.Off%16 == 0 && jitFirst.Kind == loc.OnStack && jitFirst.Off+8 == first.Off:
		rule, what = oracle.RuleC14, "16-byte stack alignment not applied"
		if has(oracle.RuleC4) {
			rule = oracle.RuleC4
		}
	case first.Kind == loc.InReg && jitFirst.Kind == loc.InReg && jitFirst.Reg.Class == loc.X && jitFirst.Reg.N == first.Reg.N+1:
		rule, what = oracle.RuleC10, "even pair applied below natural alignment 16"
	case first.Kind == loc.OnStack && jitFirst.Kind == loc.OnStack && jitFirst.Off == first.Off+8:
		rule, what = oracle.RuleC14, "16-byte stack alignment applied below natural alignment 16"
	case first.Kind == loc.ByRef:
		rule, what = oracle.RuleB4, "composite over 16 bytes passed by reference"
	default:
		rule, what = RuleOther, "placement differs"
		if n := len(m.ABIRules); n > 0 {
			what = "placement differs from " + m.ABIRules[n-1]
		}
	}
	where := "in registers"
	switch first.Kind {
	case loc.OnStack:
		where = "on the stack"
	case loc.ByRef:
		where = "by reference"
	}
	if rule == RuleOther {
		return rule, what + ", " + shape(fn.Params[m.Index].Type, m.ABIRules) + " " + where
	}
	return rule, rule + " " + what + ", " + shape(fn.Params[m.Index].Type, m.ABIRules) + " " + where
}

// allShifted reports whether every stack byte the ABI placed is read
// delta bytes higher.
func allShifted(m ArgMismatch, delta int32) bool {
	for i, a := range m.ABI {
		if i >= len(m.JIT) || a.Kind != loc.OnStack || m.JIT[i].Kind != loc.OnStack || m.JIT[i].Off != a.Off+delta {
			return false
		}
	}
	return true
}

// notRead reports whether the trampoline leaves some byte unread.
func notRead(jit []loc.Loc) bool {
	for _, l := range jit {
		if l.IsZero() {
			return true
		}
	}
	return len(jit) == 0
}

// int128Upto reports whether an argument up to index i is a 16-byte
// scalar.
func int128Upto(fn *ctype.Func, i int) bool {
	for _, p := range fn.Params[:i+1] {
		if b, ok := ctype.Underlying(p.Type).(*ctype.Basic); ok && (b.Kind == ctype.Int128 || b.Kind == ctype.UInt128) {
			return true
		}
	}
	return false
}

// shape is a name-free description of an argument's type.
func shape(t ctype.Type, rules []string) string {
	has := func(r string) bool { return slices.Contains(rules, r) }
	switch u := ctype.Underlying(t).(type) {
	case *ctype.Basic:
		switch u.Kind {
		case ctype.Int128, ctype.UInt128:
			return "__int128 scalar"
		case ctype.LongDouble, ctype.Double, ctype.Float:
			return u.Kind.String() + " scalar"
		}
		return "integer scalar"
	case *ctype.Enum:
		return "enum"
	case *ctype.Pointer:
		return "pointer"
	case *ctype.Record:
		kw := "struct"
		if u.Union {
			kw = "union"
		}
		switch {
		case has(oracle.RuleB3) || has(oracle.RuleC2) || has(oracle.RuleC3):
			return "HFA " + kw
		case has(oracle.RuleB6):
			return "16-byte-aligned " + kw
		case u.Packed:
			return "packed " + kw
		}
		return kw
	}
	return "argument"
}

// KernelSide reports whether rule names a cause in the kernel's own code
// (one of the Rule… constants of this package, either architecture), not
// an ABI rule the trampoline fails to apply.
func KernelSide(rule string) bool {
	switch rule {
	case RuleStructOpsBase, RuleNotSaved, RuleInt128OneSlot,
		RuleX86StructOpsBase, RuleX86NotSaved, RuleX86NoClass, RuleX86Int128Slot, RuleX86Corrupt:
		return true
	}
	return false
}
