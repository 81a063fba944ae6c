package check

import (
	"fmt"
	"slices"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/layout"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/pahole"
)

// Kind is a verdict's kind.
type Kind string

const (
	Agree    Kind = "agree"
	Rejected Kind = "rejected"
	Mismatch Kind = "mismatch"
)

// Stages that can reject a function.
const (
	StagePahole  = "pahole"
	StageDistill = layout.StageDistill
	StageJIT     = "jit"
)

// Rejection says which stage refused the function, in its own words.
type Rejection struct {
	Stage  string `json:"stage"`
	Reason string `json:"reason"`
	Errno  int    `json:"errno,omitempty"`
	// Cause is the stable code of the check that refused
	// (layout.Cause, pahole's Skip.Cause): compare it, not Reason.
	Cause string `json:"cause"`
}

// ArgMismatch is one argument the trampoline reads from the wrong place.
type ArgMismatch struct {
	Index int    `json:"index"`
	Name  string `json:"name,omitempty"`
	Type  string `json:"type"`
	Size  int    `json:"size"`
	// ABI and JIT are the argument's bytes as the ABI placed them and as
	// the trampoline reads them (a zero loc: the trampoline never reads it).
	ABI []loc.Loc `json:"abi"`
	JIT []loc.Loc `json:"jit"`
	// ABIRules are the oracle's rules for the argument, JITRules the
	// kernel code path that read it.
	ABIRules []string `json:"abi_rules,omitempty"`
	JITRules []string `json:"jit_rules,omitempty"`
}

// Verdict is the outcome of checking one function on one target.
type Verdict struct {
	Kind   Kind   `json:"verdict"`
	Target string `json:"target"`
	Func   string `json:"func"`
	// C is the canonical C text of the signature.
	C        string     `json:"c"`
	Rejected *Rejection `json:"rejected,omitempty"`
	// ABI is the oracle's placement; JIT the trampoline's (nil unless the
	// JIT accepted the function).
	ABI *loc.Placement `json:"abi,omitempty"`
	JIT *loc.Placement `json:"jit,omitempty"`
	// Ctx is the BPF side: which ctx slots hold which argument.
	Ctx *layout.CtxMap `json:"ctx,omitempty"`
	// Mismatches lists every argument read from the wrong place; the first
	// is the root cause, the later ones may only be shifted by it.
	Mismatches []ArgMismatch `json:"mismatches,omitempty"`
	// Class is the stable class key of the root cause (Mismatch only).
	Class string `json:"class,omitempty"`
	// Problem is Class without the target prefix.
	Problem string `json:"problem,omitempty"`
	// Rule is the ABI rule the trampoline did not follow.
	Rule string `json:"rule,omitempty"`
	// Reachable is false when the signature needs a floating-point type,
	// which arm64 kernels (-mgeneral-regs-only) never pass: such a
	// mismatch is real for the ABI but not reachable in kernel builds.
	Reachable bool `json:"reachable"`
	// Known is the reviewed entry of the class, when there is one.
	Known *KnownClass `json:"known,omitempty"`
}

// Run checks fn on target t. The error is for invalid input only (a
// signature ctype.Check rejects, an internal BTF failure); every outcome of
// the kernel path is a Verdict.
func Run(fn *ctype.Func, t Target) (*Verdict, error) {
	// The oracle checks what placing depends on; pahole's encoder runs the
	// whole ctype.Check below. Either refusal is an error of the input.
	abi, err := placeABI(fn, t)
	if err != nil {
		return nil, err
	}
	v := &Verdict{Target: t.String(), Func: fn.Name, C: ctype.Render(fn), Reachable: !usesFloat(fn), ABI: &abi}

	cfg := pahole.KernelConfig(t.Pahole)
	cfg.Arch = t.Kernel.Arch
	bfn, skip, err := pahole.EncodeConfig(fn, cfg, abi)
	if err != nil {
		return nil, fmt.Errorf("check: pahole %s: %w", t.Pahole, err)
	}
	if skip != nil {
		v.Kind, v.Rejected = Rejected, &Rejection{Stage: StagePahole, Reason: skip.String(), Cause: skip.Cause()}
		return v, nil
	}
	// Nothing but BTF crosses over to the kernel side.
	raw, err := pahole.Marshal(bfn)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	kfn, err := pahole.Load(raw, bfn.Name)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	model, rej, err := layout.Distill(kfn, t.Kernel)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	if rej != nil {
		v.Kind, v.Rejected = Rejected, &Rejection{Stage: rej.Stage, Reason: rej.Message, Errno: rej.Errno, Cause: string(rej.Cause)}
		return v, nil
	}
	tramp, rej, err := layout.JIT(model, t.Kernel, layout.Options{StructOps: t.StructOps})
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	if rej != nil {
		v.Kind, v.Rejected = Rejected, &Rejection{Stage: rej.Stage, Reason: rej.Message, Errno: rej.Errno, Cause: string(rej.Cause)}
		return v, nil
	}
	v.JIT, v.Ctx = &tramp.Placement, &tramp.Ctx
	var root *ArgMismatch
	a := t.ABI.ABI().Arch() // placeABI checked it is the kernel's
	v.Mismatches, root = compare(fn, abi, tramp.Placement, a)
	if len(v.Mismatches) == 0 {
		v.Kind = Agree
		return v, nil
	}
	ac, ok := archs[a.Name]
	if !ok {
		return nil, fmt.Errorf("check: %w: no classifier for %s", arch.ErrUnknown, a)
	}
	v.Kind = Mismatch
	v.Rule, v.Problem = ac.classify(fn, *root, abi, tramp)
	v.Class = t.String() + ": " + v.Problem
	v.Known = Known().Lookup(v.Class)
	return v, nil
}

// archCheck is what check knows of one architecture, registered by its
// file (class.go for arm64, class_x86.go): where the compiler puts the
// arguments and how a misread is named.
type archCheck struct {
	// classify names the root cause's ABI rule and problem.
	classify func(fn *ctype.Func, m ArgMismatch, abi loc.Placement, tramp *layout.Trampoline) (rule, problem string)
}

var archs = map[string]archCheck{}

func registerArch(a *arch.Arch, c archCheck) { archs[a.Name] = c }

// placeABI is the compiler's placement on the target's architecture, by
// the target's ABI variant, which must be one of that architecture's.
func placeABI(fn *ctype.Func, t Target) (loc.Placement, error) {
	abi := t.ABI.ABI()
	if abi == nil {
		return loc.Placement{}, fmt.Errorf("check: target %s has no ABI variant", t.KernelName())
	}
	if abi.Arch().Name != t.Kernel.Arch {
		return loc.Placement{}, fmt.Errorf("check: target %s: ABI variant %s is %s's", t.KernelName(), t.ABI, abi.Arch())
	}
	return t.ABI.Place(fn)
}

// compare lists the arguments whose bytes differ, and returns the root
// cause among them.
//
// Only bytes that hold part of the value are compared (DESIGN: padding is
// not): a byte of padding or of an unnamed bit-field, bytes 10-15 of an
// x87 long double, or a byte the ABI does not pass at all (a System V
// NO_CLASS eightbyte; clang's ignored empty records) has no value to read,
// so reading anything for it is not a misread; what such an argument does
// to the arguments after it is compared on those.
//
// The root cause is the first argument the trampoline reads from
// elsewhere, even one that carries no value (a record of padding only
// takes its even pair all the same and shifts the rest). It is nil when
// nothing is misread.
func compare(fn *ctype.Func, abi, jit loc.Placement, a *arch.Arch) (misread []ArgMismatch, root *ArgMismatch) {
	var first *ArgMismatch // the first argument with any passed byte read from elsewhere
	for _, d := range loc.Diff(abi, jit) {
		if d.Index >= len(abi.Args) || d.Index >= len(fn.Params) {
			continue
		}
		var value []bool
		valueRead, passedRead := false, false
		for _, b := range d.Bytes {
			if b.A.IsZero() {
				continue
			}
			passedRead = true
			if value == nil {
				value = ctype.ValueBytes(fn.Params[d.Index].Type, a)
			}
			if b.Byte < len(value) && value[b.Byte] {
				valueRead = true
				break
			}
		}
		if !passedRead {
			continue
		}
		m := mismatchOf(fn, abi, jit, d.Index)
		if first == nil {
			first = &m
		}
		if valueRead {
			misread = append(misread, m)
		}
	}
	if len(misread) == 0 {
		return nil, nil
	}
	return misread, first
}

// mismatchOf is argument i's bytes and rules on both sides.
func mismatchOf(fn *ctype.Func, abi, jit loc.Placement, i int) ArgMismatch {
	a := abi.Args[i]
	m := ArgMismatch{Index: i, Name: fn.Params[i].Name, Type: a.Type, Size: a.Size, ABI: a.Bytes, ABIRules: a.Rules}
	if i < len(jit.Args) {
		m.JIT, m.JITRules = jit.Args[i].Bytes, jit.Args[i].Rules
	}
	return m
}

// usesFloat reports whether any argument contains a floating-point type
// (by value, at any depth).
func usesFloat(fn *ctype.Func) bool {
	var seen []*ctype.Record // each record is looked into once
	for _, p := range fn.Params {
		if hasFloat(p.Type, &seen) {
			return true
		}
	}
	return false
}

func hasFloat(t ctype.Type, seen *[]*ctype.Record) bool {
	switch t := t.(type) {
	case *ctype.Basic:
		return t.Kind.IsFloat()
	case *ctype.Array:
		return hasFloat(t.Elem, seen)
	case *ctype.Typedef:
		return hasFloat(t.Type, seen)
	case *ctype.Record:
		if slices.Contains(*seen, t) {
			return false
		}
		*seen = append(*seen, t)
		for _, m := range t.Members {
			if hasFloat(m.Type, seen) {
				return true
			}
		}
	}
	return false
}
