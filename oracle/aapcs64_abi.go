package oracle

import (
	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

// AAPCS64 is the Procedure Call Standard for the Arm 64-bit Architecture,
// release Release, the calling convention of arm64.
var AAPCS64 ABI = aapcs64ABI{}

type aapcs64ABI struct{}

func (aapcs64ABI) Name() string        { return "AAPCS64 " + Release }
func (aapcs64ABI) Arch() *arch.Arch    { return arch.ARM64 }
func (aapcs64ABI) Variants() []Variant { return aapcs64Variants }
func (aapcs64ABI) Default() Variant    { return aapcs64Variants[0] }

func (aapcs64ABI) place(fn *ctype.Func, v Variant) (loc.Placement, error) {
	// Fixed buffers for the common case keep a placement to a few heap
	// allocations (the result itself).
	var factsBuf [16]argFacts
	s := state{v: v.reading.(aapcs64Reading)}
	return s.placeAll(fn, factsBuf[:0])
}

// CompilerVariant: AArch64 GCC 9.1–12 read it as aapcs64/gcc12, later GCC
// as the default; clang 14 as aapcs64/clang14, clang 16 and 19 (checked
// here) as aapcs64/clang16.
func (a aapcs64ABI) CompilerVariant(compiler string, major int) (Variant, error) {
	name := ""
	switch {
	case compiler == "gcc" && major < 13:
		name = "aapcs64/gcc12"
	case compiler == "gcc":
		name = "aapcs64"
	case compiler == "clang" && major < 16:
		name = "aapcs64/clang14"
	case compiler == "clang":
		name = "aapcs64/clang16"
	default:
		return Variant{}, errNoCompiler(a, compiler, major)
	}
	return LookupIn(a, name)
}

// aapcs64Reading is what an AAPCS64 variant changes.
type aapcs64Reading struct {
	// packedBitfieldAlign: a packed bit-field still contributes its
	// declared type's alignment to the natural alignment (GCC 9.1–12,
	// fixed in 13.1 by PR105549).
	packedBitfieldAlign bool
	// gccEvenPair: C.10 rounds NGRN only for a 2-register argument whose
	// natural alignment is exactly 16, and an alignment above 16 counts as
	// 16 only on the stack (GCC aarch64_layout_arg: "The == 16 *
	// BITS_PER_UNIT instead of >= 16"; aarch64_function_arg_boundary
	// clamps to 16).
	gccEvenPair bool
	// zeroWidthBitfieldBreaksHFA: an unnamed zero-width bit-field is a
	// member like any other when classifying an HFA, so the record is not
	// one (clang 14 in C; GCC ≥ 12.1 ignores it, PR102024).
	zeroWidthBitfieldBreaksHFA bool
	// longDoubleHFAStack16: a stacked HFA of long double always starts at a
	// 16-aligned NSAA, whatever its natural alignment (clang 14 lowers the
	// HFA to [N x fp128], whose IR alignment is 16).
	longDoubleHFAStack16 bool
	// emptyRecordsIgnored: a record whose members are all unnamed
	// bit-fields or empty records takes no register or stack slot even when
	// its size is not zero (clang's isEmptyRecord in C mode).
	emptyRecordsIgnored bool
}

// aapcs64Variants are the named readings, default first. Keep the Doc
// lines current: `trampfuzz abi -h` prints them.
var aapcs64Variants = variants(AAPCS64, []namedReading[aapcs64Reading]{
	{
		name: "aapcs64",
		doc:  "AAPCS64 " + Release + " as GCC ≥ 13.1 and current clang implement it (default)",
	},
	{
		name: "aapcs64/gcc12",
		doc: "GCC 9.1–12.x: packed bit-fields add their declared type's alignment (PR105549, fixed in 13.1); " +
			"C.10 pairs only 2-register arguments aligned exactly 16",
		reading: aapcs64Reading{packedBitfieldAlign: true, gccEvenPair: true},
	},
	{
		name: "aapcs64/clang14",
		doc: "clang 14: a zero-width bit-field stops a record being an HFA (C mode); a stacked HFA of long double " +
			"is always 16-aligned; a record of only unnamed bit-fields takes no slot",
		reading: aapcs64Reading{zeroWidthBitfieldBreaksHFA: true, longDoubleHFAStack16: true, emptyRecordsIgnored: true},
	},
	{
		name: "aapcs64/clang16",
		doc: "clang 16–19: as clang 14, but a zero-width bit-field no longer stops a record being an HFA " +
			"(seen with clang 16 and 19: struct { __int128 :0; long double d; } packed in v0, clang 14 in x0:x1)",
		reading: aapcs64Reading{longDoubleHFAStack16: true, emptyRecordsIgnored: true},
	},
})
