// Package ctype models C types and one function signature with the LP64
// data model of AArch64 Linux, as GNU C (aarch64-linux-gnu-gcc, and clang,
// which follows it) lays them out: size, alignment and member offsets,
// including bit-fields and the GNU attributes packed and aligned(N) on a
// record, on a member and on a typedef.
//
// It knows the C language only: nothing of calling conventions, BTF or
// kernels. Layout follows GCC's stor-layout.cc (place_field,
// update_alignment_for_field, layout_decl) with PCC_BITFIELD_TYPE_MATTERS,
// which AArch64 defines; see layout.go.
//
// A signature is a Func. Its text form is the canonical C subset of
// trampfuzz (Render, Parse): record, enum and typedef definitions, then
// exactly one prototype.
//
// Values are trees: a *Record may be shared by several members or
// parameters, and a pointer may point back to its own record. Treat a type
// as immutable once it is in use (layout results assume it); build a new
// one to change it.
package ctype

// Type is one C type: *Basic, *Pointer, *Array, *Record, *Enum or *Typedef.
type Type interface {
	// isType restricts Type to this package's kinds.
	isType()
}

// BasicKind is a fundamental C type.
type BasicKind uint8

const (
	Void  BasicKind = iota + 1 // only as a pointer target or return type
	Bool                       // _Bool
	Char                       // char (unsigned on AArch64)
	SChar                      // signed char
	UChar                      // unsigned char
	Short
	UShort
	Int
	UInt
	Long
	ULong
	LongLong
	ULongLong
	Int128  // __int128
	UInt128 // unsigned __int128
	Float
	Double
	LongDouble // IEEE binary128 on AArch64 Linux
)

type basicInfo struct {
	name     string
	size     int64 // bytes; alignment is the same for every basic type on LP64 AArch64
	integral bool
	signed   bool
}

// AAPCS64 2025Q4 §5.1 Table 1 (byte sizes) with the C mapping of §10
// (char is unsigned, long is 8 bytes, long double is quad precision).
var basics = [...]basicInfo{
	Void:       {"void", 0, false, false},
	Bool:       {"_Bool", 1, true, false},
	Char:       {"char", 1, true, false},
	SChar:      {"signed char", 1, true, true},
	UChar:      {"unsigned char", 1, true, false},
	Short:      {"short", 2, true, true},
	UShort:     {"unsigned short", 2, true, false},
	Int:        {"int", 4, true, true},
	UInt:       {"unsigned int", 4, true, false},
	Long:       {"long", 8, true, true},
	ULong:      {"unsigned long", 8, true, false},
	LongLong:   {"long long", 8, true, true},
	ULongLong:  {"unsigned long long", 8, true, false},
	Int128:     {"__int128", 16, true, true},
	UInt128:    {"unsigned __int128", 16, true, false},
	Float:      {"float", 4, false, true},
	Double:     {"double", 8, false, true},
	LongDouble: {"long double", 16, false, true},
}

// Basic is a fundamental type. The package-level values (TInt, TLong, ...)
// can be shared freely.
type Basic struct{ Kind BasicKind }

// Shared basic types.
var (
	TVoid       = &Basic{Void}
	TBool       = &Basic{Bool}
	TChar       = &Basic{Char}
	TSChar      = &Basic{SChar}
	TUChar      = &Basic{UChar}
	TShort      = &Basic{Short}
	TUShort     = &Basic{UShort}
	TInt        = &Basic{Int}
	TUInt       = &Basic{UInt}
	TLong       = &Basic{Long}
	TULong      = &Basic{ULong}
	TLongLong   = &Basic{LongLong}
	TULongLong  = &Basic{ULongLong}
	TInt128     = &Basic{Int128}
	TUInt128    = &Basic{UInt128}
	TFloat      = &Basic{Float}
	TDouble     = &Basic{Double}
	TLongDouble = &Basic{LongDouble}
)

// BasicOf returns the shared *Basic of a kind.
func BasicOf(k BasicKind) *Basic {
	return [...]*Basic{Void: TVoid, Bool: TBool, Char: TChar, SChar: TSChar, UChar: TUChar,
		Short: TShort, UShort: TUShort, Int: TInt, UInt: TUInt, Long: TLong, ULong: TULong,
		LongLong: TLongLong, ULongLong: TULongLong, Int128: TInt128, UInt128: TUInt128,
		Float: TFloat, Double: TDouble, LongDouble: TLongDouble}[k]
}

func (k BasicKind) String() string { return basics[k].name }

// IsIntegral reports whether k is an integer type (including _Bool and char).
func (k BasicKind) IsIntegral() bool { return basics[k].integral }

// IsFloat reports whether k is float, double or long double.
func (k BasicKind) IsFloat() bool { return k == Float || k == Double || k == LongDouble }

// IsSigned reports whether k is a signed integer or a floating type.
func (k BasicKind) IsSigned() bool { return basics[k].signed }

// Pointer is T *. Elem is any type, TVoid for void *; the pointee's layout
// does not matter (a pointer is 8 bytes), so Elem may be an incomplete or
// self-referencing record.
type Pointer struct{ Elem Type }

// Array is Elem[Len], Len ≥ 1 (flexible and zero-length arrays are not
// modelled).
type Array struct {
	Elem Type
	Len  int64
}

// Record is a struct or a union.
type Record struct {
	Union bool
	// Name is the tag; "" for an anonymous record, which is rendered inline.
	Name    string
	Members []Member
	// Packed is __attribute__((packed)) on the record: every member is
	// packed.
	Packed bool
	// Aligned is __attribute__((aligned(N))) on the record (0: none). It
	// raises the record's alignment (and so its size) to N.
	Aligned int64
	// Incomplete marks a record that is declared but never defined; it may
	// only be pointed to.
	Incomplete bool
}

// Member is one field of a record.
type Member struct {
	// Name is "" for an unnamed bit-field or an anonymous record member.
	Name string
	Type Type
	// Bitfield marks a bit-field of Bits bits (0 only for an unnamed
	// zero-width bit-field).
	Bitfield bool
	Bits     int64
	// Packed is __attribute__((packed)) on the member.
	Packed bool
	// Aligned is __attribute__((aligned(N))) on the member (0: none).
	Aligned int64
}

// Enum is an enumeration. Its underlying type follows GNU C: unsigned int
// when every value is ≥ 0 and fits, int when one is negative and all fit,
// otherwise a 64-bit type; with Packed, the smallest integer that holds
// every value.
type Enum struct {
	Name   string
	Values []Enumerator
	Packed bool
}

// Enumerator is one name = value of an enum.
type Enumerator struct {
	Name  string
	Value int64
}

// Typedef names a type. Aligned is __attribute__((aligned(N))) on the
// typedef (0: none): it sets the alignment to exactly N, up or down, and
// leaves the size alone, as GCC documents for typedefs.
type Typedef struct {
	Name    string
	Type    Type
	Aligned int64
}

func (*Basic) isType()   {}
func (*Pointer) isType() {}
func (*Array) isType()   {}
func (*Record) isType()  {}
func (*Enum) isType()    {}
func (*Typedef) isType() {}

// Param is one function parameter; Name may be "".
type Param struct {
	Name string
	Type Type
}

// Func is one function prototype.
type Func struct {
	Name   string
	Return Type
	Params []Param
}

// Underlying strips typedefs.
func Underlying(t Type) Type {
	for {
		td, ok := t.(*Typedef)
		if !ok {
			return t
		}
		t = td.Type
	}
}

// IsBasic reports whether t is the basic type k, through typedefs
// (IsBasic(t, Void) for a void return, IsBasic(t, Bool) for a _Bool, which
// may only hold 0 or 1).
func IsBasic(t Type, k BasicKind) bool {
	b, ok := Underlying(t).(*Basic)
	return ok && b.Kind == k
}

// Nesting is how deep records nest by value in t, through typedefs and
// arrays: 0 for a non-record, 1 for a record without record members.
func Nesting(t Type) int {
	switch u := Underlying(t).(type) {
	case *Array:
		return Nesting(u.Elem)
	case *Record:
		n := 0
		for _, m := range u.Members {
			n = max(n, Nesting(m.Type))
		}
		return n + 1
	}
	return 0
}

// IsRecord reports whether t (through typedefs) is a struct or union.
func IsRecord(t Type) bool {
	_, ok := Underlying(t).(*Record)
	return ok
}

// IsIntegral reports whether t (through typedefs) is an integer or enum type,
// the types a bit-field may have.
func IsIntegral(t Type) bool {
	switch u := Underlying(t).(type) {
	case *Basic:
		return u.Kind.IsIntegral()
	case *Enum:
		return true
	}
	return false
}
