// Package oracle says where the C calling convention puts every byte of every
// argument at function entry, from the full C types of the signature, and
// which rule of the standard put it there.
//
// AAPCS64 follows the "Parameter passing rules" of the Procedure Call
// Standard for the Arm 64-bit Architecture, release 2025Q4
// (https://github.com/ARM-software/abi-aa/blob/main/aapcs64/aapcs64.rst),
// for GNU C on AArch64 Linux: LP64, little-endian, named arguments. Stage A
// sets up the counters NGRN, NSRN and NSAA; stage B rewrites an argument
// (HFA kept, large composites by reference, size rounding, copy alignment);
// stage C allocates it to x0–x7, v0–v7 or the stack. The code runs the
// rules in spec order, one block per rule, and every placed argument lists
// the rules that decided it as "AAPCS64 2025Q4 C.10" (Release holds the
// release). Where the compilers do something the rule text does not say
// (empty records, the natural alignment of bit-fields), the rule list says
// so with a "GNU C" or compiler-named entry instead.
//
// The natural alignment of a composite is the one GCC's
// aarch64_function_arg_alignment and clang's getTypeUnadjustedAlign compute:
// the largest member alignment, counting aligned(N) on members and the
// alignment of member types (including a nested record's own aligned(N)),
// but not aligned(N) on the record itself or on a typedef of it.
//
// Compilers changed over time; AAPCS64.Variants lists the named readings
// (GCC 9.1–12, clang 14) next to the default; abi.go joins the ABIs of all
// architectures behind one ABI interface and one Variant type. The oracle knows C only: nothing
// of BTF or kernels.
package oracle

import (
	"errors"
	"fmt"
	"slices"
	"unsafe"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

// Release is the AAPCS64 release whose rule numbering the rule ids use.
const Release = "2025Q4"

const spec = "AAPCS64 " + Release + " "

// Rule ids as they appear in loc.Arg.Rules. Stage C numbering is the one
// with the SVE rules C.7/C.8 inserted (2020Q2 onwards): the even pair is
// C.10, the 16-byte integer C.11.
const (
	RuleB3  = spec + "B.3"  // HFA used unmodified
	RuleB4  = spec + "B.4"  // composite > 16 bytes: replaced by a pointer to a copy
	RuleB5  = spec + "B.5"  // composite size rounded up to a multiple of 8
	RuleB6  = spec + "B.6"  // composite copy 16-aligned (natural alignment ≥ 16)
	RuleC1  = spec + "C.1"  // FP scalar in v[NSRN]
	RuleC2  = spec + "C.2"  // HFA in v[NSRN]…v[NSRN+members-1]
	RuleC3  = spec + "C.3"  // HFA does not fit: NSRN = 8
	RuleC4  = spec + "C.4"  // HFA / quad on the stack: NSAA rounded to 8 or 16
	RuleC5  = spec + "C.5"  // half/single on the stack: 8-byte slot
	RuleC6  = spec + "C.6"  // FP / HFA copied to the stack
	RuleC9  = spec + "C.9"  // integral or pointer ≤ 8 bytes in x[NGRN]
	RuleC10 = spec + "C.10" // alignment 16: NGRN rounded up to even
	RuleC11 = spec + "C.11" // 16-byte integral in x[NGRN], x[NGRN+1]
	RuleC12 = spec + "C.12" // composite in consecutive GPRs
	RuleC13 = spec + "C.13" // NGRN = 8
	RuleC14 = spec + "C.14" // NSAA rounded up to max(8, alignment)
	RuleC15 = spec + "C.15" // composite copied to the stack
	RuleC16 = spec + "C.16" // argument < 8 bytes takes 8
	RuleC17 = spec + "C.17" // argument copied to the stack

	// RuleEmptyRecord: GNU C passes a record of size 0 (struct E {}, a
	// record of empty records) in no register and no stack slot. AAPCS64
	// has no such rule; GCC's aarch64_layout_arg allocates 0 registers
	// for it and clang's classifyArgumentType ignores it in C.
	RuleEmptyRecord = "GNU C: empty record takes no slot"
	// RuleClangEmptyRecord: clang (isEmptyRecord) also ignores a record of
	// only unnamed bit-fields, whose size is not 0 (variant clang14).
	RuleClangEmptyRecord = "clang: record of unnamed bit-fields ignored"
	// RuleClangLongDoubleHFA: clang 14 16-aligns every stacked HFA of long
	// double (variant clang14).
	RuleClangLongDoubleHFA = "clang14: long double HFA 16-aligned on stack"
	// RuleClangZeroWidth: clang 14 in C does not ignore zero-width
	// bit-fields when classifying an HFA (variant clang14).
	RuleClangZeroWidth = "clang14: zero-width bit-field breaks HFA"
	// RuleGCCPair: GCC rounds NGRN to even only for a 2-register argument
	// of alignment exactly 16; listed where that departs from C.10
	// (variant gcc12).
	RuleGCCPair = "GCC: C.10 only for 2 registers aligned exactly 16"
	// RuleGCC12PackedBitfield: GCC 9.1–12 count a packed bit-field's
	// declared type alignment (PR105549; variant gcc12).
	RuleGCC12PackedBitfield = "GCC 9.1-12: packed bit-field alignment (PR105549)"
)

// Register file sizes (AAPCS64 2025Q4 §6.1.1, §6.1.2: x0–x7 and v0–v7
// carry arguments).
const (
	numGPR = 8
	numFPR = 8
)

// ErrUnsupported is wrapped when a signature is valid C that the oracle does
// not place: an argument too large to list byte by byte.
var ErrUnsupported = errors.New("unsupported by the AAPCS64 oracle")

// state is one call's marshalling state, named as the spec names it.
type state struct {
	v aapcs64Reading
	// Stage A: A.1 NGRN = 0, A.2 NSRN = 0, A.4 NSAA = SP (kept as the
	// offset from SP). A.3 NPRN counts SVE predicate registers, which C
	// arguments never use.
	ngrn int // next general-purpose register number, x0–x7
	nsrn int // next SIMD and floating-point register number, v0–v7
	nsaa int // next stacked argument address, bytes above SP at entry

	// recs[:nrecs], then more, memoize the layout facts of each record
	// this call touches, so nested records are laid out once per call
	// (a fixed array: a slice of it stored in the state would move both
	// to the heap).
	recs  [8]recordFacts
	nrecs int
	more  []recordFacts
	// lay memoizes the records' layouts for the call.
	lay ctype.Layouts
}

// kind is how stage C sees an argument.
type kind uint8

const (
	kindIntegral  kind = iota + 1 // integer, _Bool, enum, pointer
	kindFloat                     // float, double, long double
	kindComposite                 // struct, union
)

// argFacts is what the rules need to know about one argument type.
type argFacts struct {
	kind kind
	size int
	// align is the natural alignment (for a composite: as GCC and clang
	// compute it for passing; see package doc), 0 for a size-0 record.
	align int
	// fpBase is the floating-point type of an FP scalar or the base type
	// of an HFA; hfaMembers is the HFA's member count (0: not an HFA).
	fpBase     ctype.BasicKind
	hfaMembers int
	// notes are compiler-specific rules that shaped the facts.
	notes []string
	// empty: a record of size 0, or one the variant ignores.
	empty bool
}

func (s *state) placeAll(fn *ctype.Func, facts []argFacts) (loc.Placement, error) {
	if len(fn.Params) > cap(facts) {
		facts = make([]argFacts, 0, len(fn.Params))
	}
	facts = facts[:len(fn.Params)]
	total := 0
	for i, p := range fn.Params {
		facts[i] = s.facts(p.Type)
		if size := facts[i].size; size < 0 || size > maxArgBytes {
			return loc.Placement{}, fmt.Errorf("oracle: %w: parameter %d has %d bytes (the oracle lists at most %d)",
				ErrUnsupported, i, size, maxArgBytes)
		}
		total += facts[i].size
	}
	// One backing array for every argument's bytes, one for the rules and
	// one string for the type names: a placement is built with a handful
	// of allocations, not one per argument.
	bytes := make([]loc.Loc, 0, total)
	rules := make([]string, 0, 4*len(fn.Params)) // most arguments take 1–4 rules
	out := loc.Placement{Func: fn.Name, Args: make([]loc.Arg, len(fn.Params))}
	var ends [16]int
	nameEnd := ends[:0]
	names := make([]byte, 0, 16*len(fn.Params))
	for _, p := range fn.Params {
		names = ctype.AppendTypeString(names, p.Type)
		nameEnd = append(nameEnd, len(names))
	}
	// names is not written again: the string shares its bytes, as
	// strings.Builder does.
	typeNames := unsafe.String(unsafe.SliceData(names), len(names))
	for i, p := range fn.Params {
		f := &facts[i]
		from := 0
		if i > 0 {
			from = nameEnd[i-1]
		}
		a := loc.Arg{Index: i, Name: p.Name, Type: typeNames[from:nameEnd[i]], Size: f.size}
		nb, nr := len(bytes), len(rules)
		bytes, rules = s.allocate(f, bytes, append(rules, f.notes...))
		a.Bytes = bytes[nb:len(bytes):len(bytes)]
		a.Rules = rules[nr:len(rules):len(rules)]
		out.Args[i] = a
	}
	return out, nil
}

// allocate runs stage B and stage C for one argument, appending its byte
// locations (in argument byte order) and the rules that decided them.
func (s *state) allocate(f *argFacts, bytes []loc.Loc, rules []string) ([]loc.Loc, []string) {
	size := f.size
	align := f.align // the alignment the marshalling rules use
	byRef := false

	// Stage B: the first matching rule applies.
	if f.kind == kindComposite {
		if f.empty {
			// GNU C, not AAPCS64: see RuleEmptyRecord.
			if size == 0 {
				return bytes, append(rules, RuleEmptyRecord)
			}
			return bytes, append(rules, RuleClangEmptyRecord)
		}
		switch {
		case f.hfaMembers > 0:
			// B.3: an HFA is used unmodified, whatever its size.
			rules = append(rules, RuleB3)
		case size > 16:
			// B.4: copied to caller memory, replaced by a pointer to it.
			rules = append(rules, RuleB4)
			byRef = true
		default:
			// B.5: size rounded up to a multiple of 8 (the register or
			// slot count below uses the rounded size; the bytes placed
			// stay the type's own).
			rules = append(rules, RuleB5)
			// B.6: the copy is 8-aligned if the natural alignment is ≤ 8,
			// 16-aligned if it is ≥ 16.
			if align >= 16 {
				rules = append(rules, RuleB6)
				align = 16
			} else {
				align = 8
			}
		}
	}

	// Stage C: rules in turn until the argument is allocated.
	if !byRef && (f.kind == kindFloat || f.hfaMembers > 0) {
		return s.allocateFP(f, bytes, rules)
	}

	if byRef || f.kind == kindIntegral && size <= 8 {
		// C.9: integral or pointer (a B.4 pointer too) of ≤ 8 bytes.
		if s.ngrn < numGPR {
			rules = append(rules, RuleC9)
			r := loc.XReg(s.ngrn)
			s.ngrn++
			if byRef {
				return appendRef(bytes, loc.RegByte(r, 0), size), rules
			}
			return appendReg(bytes, r, 0, size), rules
		}
	} else {
		nregs := (size + 7) / 8
		// C.10: alignment 16 rounds NGRN up to even.
		spec, pair := s.evenPair(f, align, nregs)
		switch {
		case spec && pair:
			rules = append(rules, RuleC10)
		case spec != pair:
			rules = append(rules, RuleGCCPair)
		}
		if pair {
			s.ngrn += s.ngrn & 1
		}
		switch {
		case f.kind == kindIntegral && size == 16 && s.ngrn < numGPR-1:
			// C.11: a 16-byte integral (__int128) in x[NGRN], x[NGRN+1],
			// lower-addressed half first.
			rules = append(rules, RuleC11)
			bytes = appendGPRs(bytes, s.ngrn, size)
			s.ngrn += 2
			return bytes, rules
		case f.kind == kindComposite && nregs <= numGPR-s.ngrn:
			// C.12: consecutive GPRs, as if loaded by LDRs from an
			// 8-aligned copy.
			rules = append(rules, RuleC12)
			bytes = appendGPRs(bytes, s.ngrn, size)
			s.ngrn += nregs
			return bytes, rules
		}
	}

	// C.13: NGRN = 8; nothing is split between registers and stack.
	rules = append(rules, RuleC13)
	s.ngrn = numGPR
	if byRef {
		// The pointer from B.4 goes to the stack like any pointer.
		size, align = 8, 8
	}
	// C.14: NSAA rounded up to the larger of 8 and the alignment (for a
	// composite the B.6 copy alignment, 8 or 16; GCC clamps the same way in
	// aarch64_function_arg_boundary).
	rules = append(rules, RuleC14)
	s.nsaa = roundUp(s.nsaa, max(8, min(align, 16)))
	at := s.nsaa
	slot := roundUp(size, 8)
	switch {
	case f.kind == kindComposite && !byRef:
		// C.15: composite copied to NSAA; NSAA += its B.5 size.
		rules = append(rules, RuleC15)
	default:
		if size < 8 {
			// C.16: an argument < 8 bytes takes 8, value in the low bytes.
			rules = append(rules, RuleC16)
		}
		// C.17: copied to NSAA; NSAA += size.
		rules = append(rules, RuleC17)
	}
	s.nsaa += slot
	if byRef {
		return appendRef(bytes, loc.Stack(at), f.size), rules
	}
	return appendStack(bytes, at, size), rules
}

// allocateFP runs C.1–C.6 for a floating-point scalar or an HFA.
func (s *state) allocateFP(f *argFacts, bytes []loc.Loc, rules []string) ([]loc.Loc, []string) {
	size := f.size
	if f.hfaMembers == 0 {
		// C.1: FP scalar in the low bytes of v[NSRN].
		if s.nsrn < numFPR {
			rules = append(rules, RuleC1)
			bytes = appendReg(bytes, loc.VReg(s.nsrn), 0, size)
			s.nsrn++
			return bytes, rules
		}
	} else {
		// C.2: one register per member when NSRN + members ≤ 8.
		n := f.hfaMembers
		if s.nsrn+n <= numFPR {
			rules = append(rules, RuleC2)
			msize := size / n
			for k := 0; k < n; k++ {
				bytes = appendReg(bytes, loc.VReg(s.nsrn+k), 0, msize)
			}
			s.nsrn += n
			return bytes, rules
		}
		// C.3: NSRN = 8 (later FP arguments go to the stack too); size
		// rounded up to a multiple of 8.
		rules = append(rules, RuleC3)
		s.nsrn = numFPR
	}
	slotAlign := 8
	if f.hfaMembers > 0 || f.fpBase == ctype.LongDouble {
		// C.4: HFA or quad: NSAA to the next multiple of 8 if the natural
		// alignment is ≤ 8, of 16 if it is ≥ 16.
		rules = append(rules, RuleC4)
		if f.align >= 16 {
			slotAlign = 16
		} else if s.v.longDoubleHFAStack16 && f.fpBase == ctype.LongDouble {
			rules = append(rules, RuleClangLongDoubleHFA)
			slotAlign = 16
		}
	}
	slot := roundUp(size, 8) // C.3 rounds an HFA's size; C.5 a float's
	if f.hfaMembers == 0 && size < 8 {
		// C.5: half or single takes an 8-byte slot, value in the low bytes.
		rules = append(rules, RuleC5)
	}
	// C.6: copied to memory at NSAA; NSAA += size.
	rules = append(rules, RuleC6)
	s.nsaa = roundUp(s.nsaa, slotAlign)
	bytes = appendStack(bytes, s.nsaa, size)
	s.nsaa += slot
	return bytes, rules
}

// evenPair reports whether C.10 applies by the spec (an alignment of 16
// after B.6) and whether the variant applies it: GCC asks also for exactly
// two registers and a natural alignment of exactly 16.
func (s *state) evenPair(f *argFacts, align, nregs int) (spec, pair bool) {
	spec = align == 16
	if s.v.gccEvenPair {
		return spec, nregs == 2 && f.align == 16
	}
	return spec, spec
}

// appendRun appends n consecutive locations from first (Loc.Next order).
func appendRun(bytes []loc.Loc, first loc.Loc, n int) []loc.Loc {
	bytes = slices.Grow(bytes, n) // placeAll sized it; this only guards
	at := len(bytes)
	bytes = bytes[:at+n]
	// Each element gets its own offset written after the copy: bumping
	// first.Off and copying first again made every copy wait on the
	// previous 4-byte store (a store-forwarding stall, 10× slower).
	run := bytes[at : at+n]
	for k := range run {
		run[k] = first
		run[k].Off = first.Off + int32(k)
	}
	return bytes
}

// appendReg appends n bytes at byte off.. of register r.
func appendReg(bytes []loc.Loc, r loc.Reg, off, n int) []loc.Loc {
	return appendRun(bytes, loc.RegByte(r, off), n)
}

// appendGPRs appends n bytes laid out from x[first] onwards, 8 per register.
func appendGPRs(bytes []loc.Loc, first, n int) []loc.Loc {
	for r := first; n > 0; r++ {
		k := min(n, 8)
		bytes = appendRun(bytes, loc.RegByte(loc.XReg(r), 0), k)
		n -= k
	}
	return bytes
}

// appendStack appends n stack bytes from SP+at.
func appendStack(bytes []loc.Loc, at, n int) []loc.Loc {
	return appendRun(bytes, loc.Stack(at), n)
}

// appendRef appends n bytes of memory whose address is at ptr.
func appendRef(bytes []loc.Loc, ptr loc.Loc, n int) []loc.Loc {
	return appendRun(bytes, loc.Ref(ptr, 0), n)
}

// roundUp returns the smallest y ≥ x with y % a == 0 (a > 0).
func roundUp(x, a int) int { return (x + a - 1) / a * a }
