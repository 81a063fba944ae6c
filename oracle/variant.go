package oracle

import (
	"fmt"
	"strings"
)

// Variant is one reading of AAPCS64: the spec as current compilers
// implement it, or the documented behaviour of an older compiler. The knobs
// are unexported; pick a variant by name (Lookup) or use one of Variants.
type Variant struct {
	// Name is what -abi takes: "aapcs64", "aapcs64/gcc12", ...
	Name string
	// Doc says in one line what the variant changes and why.
	Doc string

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

// The named variants, default first. Keep the Doc lines current: `trampfuzz
// abi -h` prints them.
var Variants = []Variant{
	{
		Name: "aapcs64",
		Doc:  "AAPCS64 " + Release + " as GCC ≥ 13.1 and current clang implement it (default)",
	},
	{
		Name: "aapcs64/gcc12",
		Doc: "GCC 9.1–12.x: packed bit-fields add their declared type's alignment (PR105549, fixed in 13.1); " +
			"C.10 pairs only 2-register arguments aligned exactly 16",
		packedBitfieldAlign: true,
		gccEvenPair:         true,
	},
	{
		Name: "aapcs64/clang14",
		Doc: "clang 14: a zero-width bit-field stops a record being an HFA (C mode); a stacked HFA of long double " +
			"is always 16-aligned; a record of only unnamed bit-fields takes no slot",
		zeroWidthBitfieldBreaksHFA: true,
		longDoubleHFAStack16:       true,
		emptyRecordsIgnored:        true,
	},
	{
		Name: "aapcs64/clang16",
		Doc: "clang 16–19: as clang 14, but a zero-width bit-field no longer stops a record being an HFA " +
			"(seen with clang 16 and 19: struct { __int128 :0; long double d; } packed in v0, clang 14 in x0:x1)",
		longDoubleHFAStack16: true,
		emptyRecordsIgnored:  true,
	},
}

// Default is the variant AAPCS64 uses: the current spec.
var Default = Variants[0]

// Lookup returns the variant called name ("" is the default).
func Lookup(name string) (Variant, error) {
	if name == "" {
		return Default, nil
	}
	for _, v := range Variants {
		if v.Name == name {
			return v, nil
		}
	}
	names := make([]string, len(Variants))
	for i, v := range Variants {
		names[i] = v.Name
	}
	return Variant{}, fmt.Errorf("unknown ABI variant %q (known: %s)", name, strings.Join(names, ", "))
}

func (v Variant) String() string { return v.Name }
