package oracle

// SysV places arguments by the System V Application Binary Interface, AMD64
// Architecture Processor Supplement (the x86-64 psABI), version 1.0
// (2021-05-20, https://gitlab.com/x86-psABIs/x86-64-ABI), §3.2.3 "Parameter
// Passing", for GNU C on x86-64 Linux: LP64, named arguments, no vector
// types. Classification gives every eightbyte of an argument a class
// (INTEGER, SSE, X87, X87UP, NO_CLASS or MEMORY, merged field by field);
// passing puts INTEGER eightbytes in rdi, rsi, rdx, rcx, r8, r9 and SSE
// eightbytes in xmm0–xmm7, all of an argument or none of it, and the rest on
// the stack, each argument at its alignment (at least 8) with its size
// rounded up to eightbytes, sp+0 being the first byte above the return
// address. Every placed argument lists the rules that decided it as
// "SysV 1.0 pass INTEGER" (SysVRelease holds the version).
//
// Where the text leaves a choice, the default variant reads it as GCC does
// (gcc/config/i386/i386.cc classify_argument, examine_argument,
// construct_container, ix86_function_arg_boundary): a field is "unaligned"
// when its offset is not a multiple of its machine mode's size (long double
// and __int128: 16 bytes), unnamed bit-fields are INTEGER like named ones,
// zero-width bit-fields are ignored (GCC ≥ 12.1), and an argument on the
// stack is aligned to its type's alignment without typedef attributes.
// SysV.Variants names the clang readings.

import (
	"fmt"
	"strings"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

// SysVRelease is the x86-64 psABI version whose text the SysV rule ids
// quote.
const SysVRelease = "1.0"

const sysvSpec = "SysV " + SysVRelease + " "

// Rule ids of the x86-64 psABI §3.2.3 as they appear in loc.Arg.Rules, e.g.
// "SysV 1.0 pass INTEGER". The psABI numbers none of its rules, so each id
// names the rule in a few words and the comment quotes or paraphrases it.
const (
	// Classification of scalars.
	RuleSysVInteger = sysvSpec + "class INTEGER" // _Bool, char, short, int, long, long long, pointers
	RuleSysVSSE     = sysvSpec + "class SSE"     // float, double
	RuleSysVX87     = sysvSpec + "class X87"     // long double: X87 mantissa, X87UP exponent and padding
	RuleSysVInt128  = sysvSpec + "__int128 pair" // classified as struct { long low, high; }
	// Classification of aggregates (structures, unions, arrays).
	RuleSysVEightbytes   = sysvSpec + "eightbytes merged" // each eightbyte classified, fields merged
	RuleSysVLarge        = sysvSpec + "over 8 eightbytes" // rule 1: MEMORY
	RuleSysVUnaligned    = sysvSpec + "unaligned field"   // rule 1: MEMORY
	RuleSysVMergeMemory  = sysvSpec + "post-merger (a)"   // a MEMORY eightbyte: MEMORY
	RuleSysVX87UP        = sysvSpec + "post-merger (b)"   // X87UP not preceded by X87: MEMORY
	RuleSysVTwoEightbyte = sysvSpec + "post-merger (c)"   // over two eightbytes, not SSE then SSEUP: MEMORY
	RuleSysVNoClass      = sysvSpec + "NO_CLASS"          // an eightbyte of padding: not passed
	RuleSysVEmpty        = sysvSpec + "empty record"      // NO_CLASS, "used for … empty structures and unions": not passed
	// Passing.
	RuleSysVPassMemory  = sysvSpec + "pass MEMORY"          // on the stack
	RuleSysVPassX87     = sysvSpec + "pass X87"             // in memory
	RuleSysVPassInteger = sysvSpec + "pass INTEGER"         // next of rdi, rsi, rdx, rcx, r8, r9
	RuleSysVPassSSE     = sysvSpec + "pass SSE"             // next of xmm0-xmm7
	RuleSysVNoRegisters = sysvSpec + "no registers"         // none for some eightbyte: the whole argument on the stack
	RuleSysVStack       = sysvSpec + "stack slot"           // size rounded up to eightbytes, at the argument's alignment
	RuleSysVInt128Stack = sysvSpec + "__int128 16-aligned"  // in memory
	RuleSysVReturnRDI   = sysvSpec + "MEMORY return in rdi" // the address, as a hidden first argument

	// Readings of the text that differ between compilers. Each is listed
	// only where the other reading places the signature differently.

	// RuleGCCModeAlign: GCC calls a field unaligned when its offset is not
	// a multiple of its mode's size (classify_argument: "Misaligned fields
	// are always returned in memory", bit_offset % mode_alignment).
	RuleGCCModeAlign = "GCC: field unaligned if not at a multiple of its mode size"
	// RuleClangTypeAlign: clang calls a field unaligned when its offset is
	// not a multiple of its declared type's alignment, records and arrays
	// included (X86_64ABIInfo::classify: Offset % getTypeAlign).
	RuleClangTypeAlign = "clang: field unaligned if not at a multiple of its type's alignment"
	// RuleGCCUnnamedBitfield: GCC classifies an unnamed bit-field INTEGER
	// like a named one (classify_argument: "Bitfields are always
	// classified as integer").
	RuleGCCUnnamedBitfield = "GCC: unnamed bit-field classified INTEGER"
	// RuleClangUnnamedBitfield: clang skips unnamed bit-fields ("Ignore
	// padding bit-fields").
	RuleClangUnnamedBitfield = "clang: unnamed bit-field ignored"
	// RuleGCCEmpty: a record of size > 0 whose members are unnamed
	// bit-fields and empty records is an empty type to GCC ≥ 8
	// (ix86_is_empty_record, is_empty_type), which takes no stack space
	// and is never returned in memory; its registers it still takes when
	// they are free (classify_argument sees its unnamed bit-fields).
	// Seen with GCC 12.2.
	RuleGCCEmpty = "GCC: empty record in registers if free, never on the stack"
	// RuleClangEmptyMemory: clang classifies such a record NO_CLASS, so one
	// of over two eightbytes is MEMORY by post merger (c).
	RuleClangEmptyMemory = "clang: empty record over two eightbytes is MEMORY"
	// RuleLLVMFrontendR9: after an LLVM < 18 split __int128, clang's front
	// end still counts r9 free, so it passes a following record of one
	// INTEGER eightbyte directly, and the back end puts that eightbyte in
	// an 8-byte stack slot (its SSE eightbytes still in xmm registers).
	RuleLLVMFrontendR9 = "LLVM < 18: INTEGER eightbyte to the stack after a split __int128"
	// RuleLLVMInt128Split: before LLVM 18 (fa1b6e6b34eb, D158169), an
	// __int128 with only r9 left takes r9 and the next stack slot
	// (llvm-project#41784).
	RuleLLVMInt128Split = "LLVM < 18: __int128 split between r9 and the stack"
	// RuleLLVMInt128Align8: before LLVM 18 an __int128 on the stack is
	// 8-byte aligned (llvm-project#41784).
	RuleLLVMInt128Align8 = "LLVM < 18: __int128 8-byte aligned on the stack"
	// RuleLLVMInt128HoldsR9: LLVM 18 and 19 pass an __int128 that finds
	// only r9 free wholly on the stack but keep r9 from later arguments
	// (llvm-project#123935, fixed by #124134 in LLVM 20).
	RuleLLVMInt128HoldsR9 = "LLVM 18-19: r9 held back after an __int128 on the stack"
)

// x86-64 argument registers (psABI 1.0 §3.2.3, Figure 3.4).
var sysvGPRs = [...]loc.Reg{loc.RDI, loc.RSI, loc.RDX, loc.RCX, loc.R8, loc.R9}

const sysvNumSSE = 8 // xmm0–xmm7

// int128Mode is how a variant passes a scalar __int128.
type int128Mode uint8

const (
	int128PsABI  int128Mode = iota // two GPRs or a 16-aligned stack slot (GCC, LLVM ≥ 20)
	int128LLVM14                   // LLVM < 18: split r9/stack, 8-aligned on the stack
	int128LLVM18                   // LLVM 18–19: psABI, but r9 stays taken
)

// SysV is the System V x86-64 psABI, version SysVRelease, the calling
// convention of x86-64.
var SysV ABI = sysvABI{}

type sysvABI struct{}

func (sysvABI) Name() string        { return "System V x86-64 psABI " + SysVRelease }
func (sysvABI) Arch() *arch.Arch    { return arch.X86_64 }
func (sysvABI) Variants() []Variant { return sysvVariants }
func (sysvABI) Default() Variant    { return sysvVariants[0] }

func (sysvABI) place(fn *ctype.Func, v Variant) (loc.Placement, error) {
	if fn.Return != nil {
		if err := validateReturn(fn.Return); err != nil {
			return loc.Placement{}, fmt.Errorf("oracle: %w: return type: %s", ctype.ErrInvalid, err)
		}
	}
	s := sysvState{v: v.reading.(sysvReading), lay: ctype.Layouts{Arch: arch.X86_64}}
	return s.placeAll(fn)
}

// CompilerVariant: x86-64 GCC reads it as the default; clang before 18 as
// sysv/clang14, 18 as sysv/clang18, 19 as sysv/clang19 (checked here), 20
// and later as sysv/clang.
func (a sysvABI) CompilerVariant(compiler string, major int) (Variant, error) {
	name := ""
	switch {
	case compiler == "gcc":
		name = "sysv"
	case compiler != "clang":
		return Variant{}, errNoCompiler(a, compiler, major)
	case major < 18:
		name = "sysv/clang14"
	case major < 19:
		name = "sysv/clang18"
	case major < 20:
		name = "sysv/clang19"
	default:
		name = "sysv/clang"
	}
	return LookupIn(a, name)
}

// sysvReading is what a System V variant changes: the text as GCC reads
// it, or what a version of clang does.
type sysvReading struct {
	// clangFields: unnamed bit-fields are ignored, "unaligned" is
	// measured against the declared type's alignment (records and arrays
	// too) and a scalar classifies the eightbyte it starts in, as clang's
	// X86_64ABIInfo::classify does.
	clangFields bool
	int128      int128Mode
	// clangCanonicalAlign: "unaligned" is measured against the field's
	// type without its typedefs, so a typedef's aligned(N) no longer
	// counts (clang 19; clang 14 and 16 count it).
	clangCanonicalAlign bool
}

// sysvVariants are the named readings, default first.
var sysvVariants = variants(SysV, []namedReading[sysvReading]{
	{
		name: "sysv",
		doc:  "x86-64 psABI " + SysVRelease + " as GCC ≥ 12.1 implements it (default)",
	},
	{
		name: "sysv/clang14",
		doc: "clang 14: unnamed bit-fields ignored, fields unaligned to their type's alignment make MEMORY, " +
			"a scalar classifies only the eightbyte it starts in; __int128 8-aligned on the stack and split " +
			"between r9 and the stack (LLVM < 18)",
		reading: sysvReading{clangFields: true, int128: int128LLVM14},
	},
	{
		name: "sysv/clang18",
		doc: "clang 18: as clang 14, but an __int128 goes wholly to a 16-aligned stack slot and keeps r9 " +
			"from later arguments (llvm-project#123935)",
		reading: sysvReading{clangFields: true, int128: int128LLVM18},
	},
	{
		name: "sysv/clang19",
		doc: "clang 19: as clang 18, but a typedef's aligned(N) no longer makes a field unaligned (seen with " +
			"clang 19.1.7: typedef int t aligned(8); struct { int a; t b; } packed in rdi, clang 14 and 16 on the stack)",
		reading: sysvReading{clangFields: true, int128: int128LLVM18, clangCanonicalAlign: true},
	},
	{
		name:    "sysv/clang",
		doc:     "clang ≥ 20: the clang readings of the fields, __int128 as the psABI says (llvm-project#124134)",
		reading: sysvReading{clangFields: true},
	},
})

// validateReturn checks a return type as validate checks parameters; void
// is allowed.
func validateReturn(t ctype.Type) error {
	if b, ok := t.(*ctype.Basic); ok && b.Kind == ctype.Void {
		return nil
	}
	if _, ok := underlying(t).(*ctype.Array); ok {
		return fmt.Errorf("a function cannot return an array")
	}
	var v validator
	return v.byValue(t, 0)
}

// sysvClass is the class of one eightbyte (psABI 1.0 §3.2.3
// "Definitions"). SSEUP and COMPLEX_X87 come only from types ctype does
// not model (__m128, __float128, complex long double).
type sysvClass uint8

const (
	classNone sysvClass = iota // NO_CLASS
	classInteger
	classSSE
	classX87
	classX87Up
	classMemory
)

// mergeClasses is the psABI's rule 4 for two classes in one eightbyte.
func mergeClasses(a, b sysvClass) sysvClass {
	switch {
	case a == b: // (a) equal: that class
		return a
	case a == classNone: // (b) NO_CLASS: the other class
		return b
	case b == classNone:
		return a
	case a == classMemory || b == classMemory: // (c)
		return classMemory
	case a == classInteger || b == classInteger: // (d)
		return classInteger
	case a == classX87 || a == classX87Up || b == classX87 || b == classX87Up: // (e)
		return classMemory
	}
	return classSSE // (f)
}

// sysvState is one call's passing state.
type sysvState struct {
	v    sysvReading
	ngpr int // next of rdi, rsi, rdx, rcx, r8, r9 (0–6)
	nsse int // next of xmm0–xmm7 (0–8)
	nsaa int // next stack byte, from sp+0
	// r9Held: an LLVM 18–19 __int128 on the stack took r9 from later
	// arguments.
	r9Held bool
	// frontR9: an __int128 that went to the stack with only r9 left took
	// r9 (LLVM < 18 splits it there, LLVM 18-19 holds it back), which
	// clang's front end still counts free.
	frontR9 bool

	// lay memoizes record layouts for the call (ctype.LayoutOf lays
	// nested records out again each time).
	lay ctype.Layouts
}

// sysvArg is what the passing rules need to know about one argument.
type sysvArg struct {
	size    int
	classes [2]sysvClass // per eightbyte, when not memory
	words   int          // eightbytes classified (0 for an empty record)
	memory  bool         // class MEMORY, or X87 (passed in memory)
	int128  bool         // a scalar __int128
	ignored bool         // an empty record of non-zero size: its bytes passed nowhere
	// emptyNoStack: GCC's empty type of non-zero size, passed nowhere
	// when its registers are not free.
	emptyNoStack bool
	align        int      // stack alignment before the 8-byte minimum
	rules        []string // classification rules
}

func (s *sysvState) placeAll(fn *ctype.Func) (loc.Placement, error) {
	var argsBuf [16]sysvArg
	args := argsBuf[:0]
	total := 0
	for i, p := range fn.Params {
		a := s.classifyParam(p.Type, false)
		if a.size < 0 || a.size > maxArgBytes {
			return loc.Placement{}, fmt.Errorf("oracle: %w: parameter %d has %d bytes (the oracle lists at most %d)",
				ErrUnsupported, i, a.size, maxArgBytes)
		}
		args = append(args, a)
		total += a.size
	}
	var retRules []string
	if fn.Return != nil && !ctype.IsBasic(fn.Return, ctype.Void) {
		r := s.classifyParam(fn.Return, true)
		if r.memory {
			// "If the type has class MEMORY, then the caller provides
			// space for the return value and passes the address of this
			// storage in %rdi as if it were the first argument."
			s.ngpr = 1
			retRules = []string{RuleSysVReturnRDI}
		}
		// A compiler's own reading of the return type decides rdi too.
		for _, rule := range r.rules {
			if !strings.HasPrefix(rule, sysvSpec) {
				retRules = append(retRules, rule)
			}
		}
	}

	bytes := make([]loc.Loc, 0, total)
	rules := make([]string, 0, 5*len(fn.Params))
	out := loc.Placement{Func: fn.Name, Args: make([]loc.Arg, len(fn.Params))}
	for i, p := range fn.Params {
		a := &args[i]
		arg := loc.Arg{Index: i, Name: p.Name, Type: ctype.TypeString(p.Type), Size: a.size}
		nb, nr := len(bytes), len(rules)
		rules = append(rules, a.rules...)
		if retRules != nil && !a.memory && a.needs(classInteger) > 0 {
			rules = append(rules, retRules...)
		}
		bytes, rules = s.pass(a, bytes, rules)
		arg.Bytes = bytes[nb:len(bytes):len(bytes)]
		arg.Rules = rules[nr:len(rules):len(rules)]
		out.Args[i] = arg
	}
	return out, nil
}

func (a *sysvArg) needs(c sysvClass) int {
	n := 0
	for _, k := range a.classes[:a.words] {
		if k == c {
			n++
		}
	}
	return n
}

// Shared, read-only rule lists of the scalar classes.
var (
	rulesX87     = []string{RuleSysVX87}
	rulesSSE     = []string{RuleSysVSSE}
	rulesInt128  = []string{RuleSysVInt128}
	rulesInteger = []string{RuleSysVInteger}
)

// classifyParam runs the psABI's classification for a parameter (or the
// return type) of type t.
func (s *sysvState) classifyParam(t ctype.Type, inReturn bool) sysvArg {
	switch u := ctype.Underlying(t).(type) {
	case *ctype.Basic:
		size := int(ctype.Sizeof(u))
		switch {
		case u.Kind == ctype.LongDouble:
			// "The 64-bit mantissa of arguments of type long double
			// belongs to class X87, the 16-bit exponent plus 6 bytes of
			// padding belongs to class X87UP"; passed in memory (a return
			// value goes to st0).
			return sysvArg{size: size, words: 2, classes: [2]sysvClass{classX87, classX87Up}, memory: !inReturn,
				align: 16, rules: rulesX87}
		case u.Kind.IsFloat():
			return sysvArg{size: size, words: 1, classes: [2]sysvClass{classSSE}, align: size, rules: rulesSSE}
		case u.Kind == ctype.Int128 || u.Kind == ctype.UInt128:
			return sysvArg{size: size, words: 2, classes: [2]sysvClass{classInteger, classInteger}, int128: true,
				align: 16, rules: rulesInt128}
		}
		return sysvArg{size: size, words: 1, classes: [2]sysvClass{classInteger}, align: size, rules: rulesInteger}
	case *ctype.Pointer:
		return sysvArg{size: 8, words: 1, classes: [2]sysvClass{classInteger}, align: 8, rules: rulesInteger}
	case *ctype.Enum:
		size := int(ctype.Sizeof(u))
		return sysvArg{size: size, words: 1, classes: [2]sysvClass{classInteger}, align: size, rules: rulesInteger}
	case *ctype.Record:
		return s.classifyRecord(t, u, inReturn)
	}
	// validate admits no other parameter type (arrays are refused, void
	// only as a return type, which placeAll skips).
	panic("oracle: unexpected parameter type " + ctype.TypeString(t))
}

// classifyRecord classifies a struct or union argument (declared type t).
func (s *sysvState) classifyRecord(t ctype.Type, r *ctype.Record, inReturn bool) sysvArg {
	lay := s.lay.Of(r)
	a := sysvArg{size: int(lay.Size)}
	// A record on the stack takes its type's alignment, that of the main
	// variant: a typedef's aligned(N) does not count
	// (ix86_function_arg_boundary; clang 14 does the same).
	a.align = int(lay.Align)
	if a.size == 0 {
		// "NO_CLASS … will be used for padding and empty structures and
		// unions": nothing to pass.
		a.rules = append(a.rules, RuleSysVEmpty)
		return a
	}
	if s.empty(r) {
		// A record with no named member but empty records: its bytes are
		// padding and unnamed bit-fields.
		switch {
		case s.v.clangFields && a.size <= 16:
			// clang skips unnamed bit-fields: NO_CLASS, ignored.
			a.ignored = true
			a.rules = append(a.rules, RuleSysVEmpty)
			return a
		case s.v.clangFields:
			// … and post merger (c) makes one over two eightbytes MEMORY.
			a.memory = true
			a.rules = append(a.rules, RuleClangEmptyMemory, RuleSysVTwoEightbyte)
			return a
		case a.size > 16:
			// GCC: MEMORY, and an empty type takes no stack space.
			a.ignored = true
			a.rules = append(a.rules, RuleGCCEmpty)
			return a
		}
		// GCC classifies it like any record (its unnamed bit-fields
		// INTEGER) and passes it in registers if they are free; it never
		// takes stack space.
		a.emptyNoStack = true
		a.rules = append(a.rules, RuleGCCEmpty)
	}
	if a.size > 64 {
		// Rule 1: "If the size of an object is larger than eight
		// eightbytes … it has class MEMORY".
		a.memory = true
		a.rules = append(a.rules, RuleSysVLarge)
		return a
	}
	if a.size > 16 {
		// Post merger (c): without __m256/__m512 nothing over two
		// eightbytes is SSE followed by SSEUP only.
		a.memory = true
		a.rules = append(a.rules, RuleSysVTwoEightbyte)
		return a
	}
	a.words = (a.size + 7) / 8
	// Classify under both readings of "unaligned" and of unnamed
	// bit-fields; the variant picks one and names the difference.
	var gcc, clang recordClasses
	s.walk(t, 0, &gcc, &clang, true)
	pick, other := &gcc, &clang
	if s.v.clangFields {
		pick, other = &clang, &gcc
	}
	a.rules = append(a.rules, RuleSysVEightbytes)
	switch {
	case gcc.unaligned != clang.unaligned:
		if s.v.clangFields {
			a.rules = append(a.rules, RuleClangTypeAlign)
		} else {
			a.rules = append(a.rules, RuleGCCModeAlign)
		}
	case gcc.classes != clang.classes && !pick.unaligned && !other.unaligned:
		if s.v.clangFields {
			a.rules = append(a.rules, RuleClangUnnamedBitfield)
		} else {
			a.rules = append(a.rules, RuleGCCUnnamedBitfield)
		}
	}
	if pick.unaligned {
		// Rule 1: "… or it contains unaligned fields, it has class
		// MEMORY".
		a.memory = true
		a.rules = append(a.rules, RuleSysVUnaligned)
		return a
	}
	a.classes = pick.classes
	// Post merger cleanup.
	for i, c := range a.classes[:a.words] {
		switch {
		case c == classMemory:
			// (a) one MEMORY eightbyte: the whole argument in memory.
			a.memory = true
			a.rules = append(a.rules, RuleSysVMergeMemory)
			return a
		case c == classX87Up && (i == 0 || a.classes[i-1] != classX87):
			// (b) X87UP not preceded by X87: in memory.
			a.memory = true
			a.rules = append(a.rules, RuleSysVX87UP)
			return a
		}
	}
	for _, c := range a.classes[:a.words] {
		if (c == classX87 || c == classX87Up) && !inReturn {
			// The record is a long double in disguise: classes X87, X87UP,
			// passed in memory (returned in st0).
			a.memory = true
			a.rules = append(a.rules, RuleSysVX87)
			return a
		}
	}
	return a
}

// nestedRecordInMemory is GCC's final merger cleanup of a record r
// classified on its own, starting at bit start of an eightbyte: an
// eightbyte of class MEMORY, or X87UP not preceded by X87, sends it (and
// the argument holding it) to memory.
func (s *sysvState) nestedRecordInMemory(r *ctype.Record, start int64) (gccMem, clangMem bool) {
	var gcc, clang recordClasses
	s.walk(r, start, &gcc, &clang, true)
	words := (start/8 + s.lay.Sizeof(r) + 7) / 8
	inMemory := func(rc *recordClasses) bool {
		for i := int64(0); i < min(words, 2); i++ {
			c := rc.classes[i]
			if c == classMemory || c == classX87Up && (i == 0 || rc.classes[i-1] != classX87) {
				return true
			}
		}
		return false
	}
	return inMemory(&gcc), inMemory(&clang)
}

// recordClasses is one reading's classification of a record of at most
// two eightbytes.
type recordClasses struct {
	classes   [2]sysvClass
	unaligned bool
}

// mergeRange merges class c into the eightbytes holding bits
// [from, from+bits) of the argument.
func (rc *recordClasses) mergeRange(c sysvClass, from, bits int64) {
	for eb := from / 64; eb <= (from+bits-1)/64 && eb < 2; eb++ {
		rc.classes[eb] = mergeClasses(rc.classes[eb], c)
	}
}

// walk classifies a field of declared type t at bit offset bitOff of the
// argument into both readings: gcc (unaligned: a scalar not at a multiple
// of its mode size; unnamed bit-fields INTEGER) and clang (unaligned: any
// non-bit-field not at a multiple of its type's alignment; unnamed
// bit-fields skipped). "Each field of an object is classified recursively
// so that always two fields are considered"; a field's class merges into
// every eightbyte it covers.
func (s *sysvState) walk(t ctype.Type, bitOff int64, gcc, clang *recordClasses, top bool) {
	alignType := t
	if s.v.clangCanonicalAlign {
		alignType = ctype.Underlying(t)
	}
	if !top && bitOff%(8*s.lay.Alignof(alignType)) != 0 {
		clang.unaligned = true
	}
	switch u := ctype.Underlying(t).(type) {
	case *ctype.Basic, *ctype.Pointer, *ctype.Enum:
		size := 8 * ctype.Sizeof(u)
		c := classInteger
		mode := size // GCC: GET_MODE_BITSIZE
		if b, ok := u.(*ctype.Basic); ok {
			switch {
			case b.Kind == ctype.LongDouble:
				// XFmode: 80 bits, aligned as 128 ("mode_alignment =
				// 128"); X87 for the mantissa, X87UP for the rest.
				mode = 128
				if bitOff%mode != 0 {
					gcc.unaligned = true
				}
				gcc.mergeRange(classX87, bitOff, 64)
				gcc.mergeRange(classX87Up, bitOff+64, 64)
				clang.mergeRange(classX87, 0, 64) // "Lo = X87; Hi = X87Up"
				clang.mergeRange(classX87Up, 64, 64)
				return
			case b.Kind.IsFloat():
				c = classSSE
			}
		}
		if bitOff%mode != 0 {
			gcc.unaligned = true
		}
		gcc.mergeRange(c, bitOff, size)
		if b, ok := u.(*ctype.Basic); ok && (b.Kind == ctype.Int128 || b.Kind == ctype.UInt128) {
			clang.mergeRange(c, 0, 128) // "Lo = Integer; Hi = Integer"
		} else {
			// clang gives a scalar the class of the eightbyte it starts
			// in only ("Current = OffsetBase < 64 ? Lo : Hi"), so one
			// that an under-aligned typedef lets straddle two eightbytes
			// leaves the second NO_CLASS (seen with clang 14).
			clang.mergeRange(c, bitOff, 1)
		}
	case *ctype.Record:
		lay := s.lay.Of(u)
		if !top {
			// GCC's classify_argument and clang's classify clean up every
			// record they classify, nested ones too, and a nested record
			// that the cleanup sends to memory sends the whole argument
			// there (GCC "if (!num) return 0", clang postMerge's Memory):
			// e.g. union { long l; long double d; } inside another union,
			// whose X87UP eightbyte follows an INTEGER one (seen with
			// gcc 12.2 and clang 14: on the stack).
			g, c := s.nestedRecordInMemory(u, bitOff%64)
			if g {
				gcc.mergeRange(classMemory, bitOff, 1)
			}
			if c {
				clang.mergeRange(classMemory, 0, 1)
			}
		}
		for i := range u.Members {
			m := &u.Members[i]
			off := bitOff + lay.Fields[i].BitOffset
			if m.Bitfield && m.Bits == 0 && u.Union {
				// GCC classifies a union's members by their TREE_TYPE at
				// offset 0 (classify_argument's UNION_TYPE case has no
				// bit-field branch and no zero-width skip): a zero-width
				// bit-field counts as a one-byte integer there, whatever
				// its declared type. Seen with gcc 12.2: union { long :0;
				// float f; } and union { char :0; float f; } in rdi, and
				// union { __int128 :0; double d[2]; } in rdi and xmm0
				// (INTEGER in the first eightbyte only). clang skips it.
				gcc.mergeRange(classInteger, off, 8)
				continue
			}
			if m.Bitfield {
				if m.Bits == 0 {
					// Zero-width bit-fields are skipped by GCC ≥ 12.1
					// (classify_argument, zero_width_bitfields) and clang.
					continue
				}
				// "Bitfields are always classified as integer", over the
				// eightbytes their bits touch; they never make a record
				// unaligned.
				gcc.mergeRange(classInteger, off, m.Bits)
				if m.Name != "" {
					clang.mergeRange(classInteger, off, m.Bits)
				}
				continue
			}
			s.walk(m.Type, off, gcc, clang, false)
		}
	case *ctype.Array:
		esize := 8 * s.lay.Sizeof(u.Elem)
		n := u.Len
		if esize == 0 {
			n = 1 // elements of size 0 classify as nothing
		}
		for k := int64(0); k < n && bitOff+k*esize < 128; k++ {
			s.walk(u.Elem, bitOff+k*esize, gcc, clang, false)
		}
	}
}

// pass runs the passing rules for one classified argument.
func (s *sysvState) pass(a *sysvArg, bytes []loc.Loc, rules []string) ([]loc.Loc, []string) {
	if a.size == 0 {
		return bytes, rules // an empty record: nothing passed
	}
	if a.ignored {
		return append(bytes, make([]loc.Loc, a.size)...), rules
	}
	if a.memory {
		if a.classes[0] == classX87 && a.classes[1] == classX87Up {
			rules = append(rules, RuleSysVPassX87)
		} else {
			rules = append(rules, RuleSysVPassMemory)
		}
		return s.stack(a, bytes, rules)
	}
	needInt, needSSE := a.needs(classInteger), a.needs(classSSE)
	freeInt := len(sysvGPRs) - s.ngpr
	if s.r9Held {
		freeInt = 0
	}
	if a.int128 && freeInt == 1 {
		switch s.v.int128 {
		case int128LLVM14:
			// LLVM < 18 legalizes i128 as two i64 halves: the low half
			// takes r9, the high half the next stack slot.
			rules = append(rules, RuleLLVMInt128Split)
			bytes = appendReg(bytes, sysvGPRs[s.ngpr], 0, 8)
			s.ngpr++
			s.frontR9 = true
			s.nsaa = roundUp(s.nsaa, 8)
			bytes = appendStack(bytes, s.nsaa, 8)
			s.nsaa += 8
			return bytes, rules
		case int128LLVM18:
			// The back end holds r9 back, but the front end, which
			// passed the i128 directly without counting it, still
			// counts r9 free: the next record it passes directly on
			// that count has its INTEGER eightbyte stacked as an i64
			// while its SSE ones take xmm registers (seen with clang
			// 19.1.7: struct { double d; long l; } aligned(16) after
			// such an __int128 goes in xmm0 and an 8-byte stack slot).
			s.r9Held = true
			s.frontR9 = true
			rules = append(rules, RuleLLVMInt128HoldsR9)
		}
	}
	if s.frontR9 && !a.int128 && needInt == 1 && needSSE <= sysvNumSSE-s.nsse {
		// LLVM < 20: the front end passes the record directly in what it
		// takes for r9; the back end finds no GPR and stacks the INTEGER
		// eightbyte as an i64.
		s.frontR9 = false
		rules = append(rules, RuleLLVMFrontendR9)
		if needSSE > 0 {
			rules = append(rules, RuleSysVPassSSE)
		}
		for k, c := range a.classes[:a.words] {
			n := min(8, a.size-8*k)
			switch c {
			case classInteger:
				s.nsaa = roundUp(s.nsaa, 8)
				bytes = appendStack(bytes, s.nsaa, n)
				s.nsaa += 8
			case classSSE:
				bytes = appendReg(bytes, loc.XMMReg(s.nsse), 0, n)
				s.nsse++
			default:
				bytes = append(bytes, make([]loc.Loc, n)...)
			}
		}
		return bytes, rules
	}
	if needInt > freeInt || needSSE > sysvNumSSE-s.nsse {
		// "If there are no registers available for any eightbyte of an
		// argument, the whole argument is passed on the stack." Later
		// arguments may still take the registers that are left.
		rules = append(rules, RuleSysVNoRegisters)
		if a.emptyNoStack {
			return append(bytes, make([]loc.Loc, a.size)...), rules
		}
		return s.stack(a, bytes, rules)
	}
	if needInt > 0 {
		rules = append(rules, RuleSysVPassInteger)
	}
	if needSSE > 0 {
		rules = append(rules, RuleSysVPassSSE)
	}
	noClass := false
	for k, c := range a.classes[:a.words] {
		n := min(8, a.size-8*k)
		switch c {
		case classInteger:
			bytes = appendReg(bytes, sysvGPRs[s.ngpr], 0, n)
			s.ngpr++
		case classSSE:
			bytes = appendReg(bytes, loc.XMMReg(s.nsse), 0, n)
			s.nsse++
		default:
			// NO_CLASS: an eightbyte of padding, passed nowhere (the
			// zero Loc).
			noClass = true
			bytes = append(bytes, make([]loc.Loc, n)...)
		}
	}
	if noClass {
		rules = append(rules, RuleSysVNoClass)
	}
	return bytes, rules
}

// stack puts a on the stack at the next multiple of its alignment (at
// least 8), its size rounded up to eightbytes.
func (s *sysvState) stack(a *sysvArg, bytes []loc.Loc, rules []string) ([]loc.Loc, []string) {
	align := max(8, a.align)
	if a.int128 {
		if s.v.int128 == int128LLVM14 {
			rules = append(rules, RuleLLVMInt128Align8)
			align = 8
		} else {
			// "arguments of type __int128 that are stored in memory must
			// be aligned on a 16-byte boundary".
			rules = append(rules, RuleSysVInt128Stack)
		}
	}
	rules = append(rules, RuleSysVStack)
	s.nsaa = roundUp(s.nsaa, align)
	bytes = appendStack(bytes, s.nsaa, a.size)
	s.nsaa += roundUp(a.size, 8)
	return bytes, rules
}

// empty reports whether r has no member but unnamed bit-fields and (arrays
// of) empty records: GCC's is_empty_type, clang's isEmptyRecord with
// arrays allowed.
func (s *sysvState) empty(r *ctype.Record) bool {
	for i := range r.Members {
		m := &r.Members[i]
		if m.Bitfield {
			if m.Name != "" {
				return false
			}
			continue
		}
		inner, ok := recordOf(m.Type)
		if !ok || !s.empty(inner) {
			return false
		}
	}
	return true
}
