package pahole

import (
	"errors"
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

func encode124(t *testing.T, src string) (*btf.FuncProto, *btf.Func) {
	t.Helper()
	fn, skip, err := Encode(mustParse(t, src), V1_24, loc.Placement{})
	if err != nil || skip != nil {
		t.Fatalf("Encode: %v %v", err, skip)
	}
	return fn.Type.(*btf.FuncProto), fn
}

// Base types: btf_encoder.c btf_encoder__add_base_type (is_signed →
// BTF_INT_SIGNED=1, is_bool → BTF_INT_BOOL=4, floats → BTF_KIND_FLOAT with
// gen_floats, else encoding 0) on dwarf_loader.c base_type__new (is_signed
// for DW_ATE_signed and DW_ATE_signed_char). Names are GCC's DW_AT_name;
// sizes are AAPCS64 2025Q4 §5.1 Table 1. char is DW_ATE_unsigned_char on
// AArch64.
func TestBaseTypes(t *testing.T) {
	cases := []struct {
		c    string
		name string
		size uint32
		enc  btf.IntEncoding
	}{
		{"_Bool", "_Bool", 1, btf.Bool},
		{"char", "char", 1, btf.Unsigned},
		{"signed char", "signed char", 1, btf.Signed},
		{"unsigned char", "unsigned char", 1, btf.Unsigned},
		{"short", "short int", 2, btf.Signed},
		{"unsigned short", "short unsigned int", 2, btf.Unsigned},
		{"int", "int", 4, btf.Signed},
		{"unsigned int", "unsigned int", 4, btf.Unsigned},
		{"long", "long int", 8, btf.Signed},
		{"unsigned long", "long unsigned int", 8, btf.Unsigned},
		{"long long", "long long int", 8, btf.Signed},
		{"unsigned long long", "long long unsigned int", 8, btf.Unsigned},
		{"__int128", "__int128", 16, btf.Signed},
		{"unsigned __int128", "__int128 unsigned", 16, btf.Unsigned},
	}
	for _, c := range cases {
		proto, _ := encode124(t, "void f("+c.c+" a);")
		want := &btf.Int{Name: c.name, Size: c.size, Encoding: c.enc}
		if err := sameBTF(want, proto.Params[0].Type); err != nil {
			t.Errorf("%s: %v", c.c, err)
		}
	}
}

func TestFloats(t *testing.T) {
	src := "void f(float a, double b, long double c);"
	fn := mustParse(t, src)
	sizes := []uint32{4, 8, 16}
	names := []string{"float", "double", "long double"}

	withFloats, _, err := EncodeConfig(fn, Config{Version: V1_24, Options: Options{GenFloats: true}}, loc.Placement{})
	if err != nil {
		t.Fatal(err)
	}
	without, _, err := EncodeConfig(fn, Config{Version: V1_24}, loc.Placement{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range sizes {
		// --btf_gen_floats: BTF_KIND_FLOAT of the byte size.
		if err := sameBTF(&btf.Float{Name: names[i], Size: sizes[i]}, withFloats.Type.(*btf.FuncProto).Params[i].Type); err != nil {
			t.Error(err)
		}
		// Without: "encode them as BTF_KIND_INT ... that's what it used
		// to be", encoding 0.
		if err := sameBTF(&btf.Int{Name: names[i], Size: sizes[i]}, without.Type.(*btf.FuncProto).Params[i].Type); err != nil {
			t.Error(err)
		}
	}
}

// Bit-fields: C layout (GCC, PCC_BITFIELD_TYPE_MATTERS): a at bits 0–7,
// b at 8–14 in the same 4-byte unit, the unnamed :0 (no DWARF member, so
// no BTF member) moves to the next int boundary, c at byte 4, size 8.
// BTF (btf.rst 2.2.4 BTF_KIND_STRUCT): "If the kind_flag is set, the
// btf_member.offset contains both member bitfield size and bit offset.
// The bitfield size and bit offset are calculated as below.:
// #define BTF_MEMBER_BITFIELD_SIZE(val) ((val) >> 24)
// #define BTF_MEMBER_BIT_OFFSET(val) ((val) & 0xffffff)".
func TestBitfieldsKindFlag(t *testing.T) {
	src := "struct bf { int a : 8; unsigned int b : 7; int : 0; char c; };\nvoid f(struct bf x);"
	proto, fn := encode124(t, src)
	s := proto.Params[0].Type.(*btf.Struct)
	want := &btf.Struct{Name: "bf", Size: 8, Members: []btf.Member{
		{Name: "a", Type: &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}, Offset: 0, BitfieldSize: 8},
		{Name: "b", Type: &btf.Int{Name: "unsigned int", Size: 4}, Offset: 8, BitfieldSize: 7},
		{Name: "c", Type: &btf.Int{Name: "char", Size: 1}, Offset: 32},
	}}
	if err := sameBTF(want, s); err != nil {
		t.Fatal(err)
	}
	raw, err := Marshal(fn)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := parseRawBTF(raw)
	if err != nil {
		t.Fatal(err)
	}
	rs, ok := findRaw(ts, kindStruct, "bf")
	if !ok {
		t.Fatal("no STRUCT bf in the raw BTF")
	}
	if !rs.kindFlag || rs.vlen != 3 || rs.sizeType != 8 {
		t.Fatalf("STRUCT bf: kind_flag %v vlen %d size %d, want true 3 8", rs.kindFlag, rs.vlen, rs.sizeType)
	}
	// btf_member {name_off, type, offset}: offset = size<<24 | bit offset.
	wantOff := []uint32{8<<24 | 0, 7<<24 | 8, 0<<24 | 32}
	for i, w := range wantOff {
		if got := rs.extra[3*i+2]; got != w {
			t.Errorf("member %d offset word %#x, want %#x", i, got, w)
		}
	}
}

// Adjacent bit-fields share a unit bit by bit: C11 6.7.2.1p11 "If enough
// space remains, a bit-field that immediately follows another bit-field
// in a structure shall be packed into adjacent bits of the same unit"; GCC
// writes DW_AT_data_bit_offset 3 for b and 8 for c (readelf on
// aarch64-linux-gnu-gcc 12 output of this struct).
func TestAdjacentBitfields(t *testing.T) {
	src := "struct ab { int a : 3; int b : 5; unsigned int c : 7; };\nvoid f(struct ab x);"
	proto, _ := encode124(t, src)
	intT := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	want := &btf.Struct{Name: "ab", Size: 4, Members: []btf.Member{
		{Name: "a", Type: intT, Offset: 0, BitfieldSize: 3},
		{Name: "b", Type: intT, Offset: 3, BitfieldSize: 5},
		{Name: "c", Type: &btf.Int{Name: "unsigned int", Size: 4}, Offset: 8, BitfieldSize: 7},
	}}
	if err := sameBTF(want, proto.Params[0].Type); err != nil {
		t.Fatal(err)
	}
}

// Without a bit-field the struct has kind_flag 0 and plain bit offsets.
func TestPlainStructNoKindFlag(t *testing.T) {
	src := "struct s { char a; long b; } __attribute__((packed));\nvoid f(struct s x);"
	_, fn := encode124(t, src)
	raw, err := Marshal(fn)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := parseRawBTF(raw)
	if err != nil {
		t.Fatal(err)
	}
	rs, ok := findRaw(ts, kindStruct, "s")
	if !ok {
		t.Fatal("no STRUCT s")
	}
	// packed: b at byte 1 (bit 8), size 9; BTF keeps no packed bit.
	if rs.kindFlag || rs.sizeType != 9 || rs.extra[2] != 0 || rs.extra[5] != 8 {
		t.Fatalf("STRUCT s: kind_flag %v size %d offsets %d %d, want false 9 0 8", rs.kindFlag, rs.sizeType, rs.extra[2], rs.extra[5])
	}
}

// Enums: btf_encoder.c btf_encoder__add_enum: size ≤ 4 → BTF_KIND_ENUM
// (libbpf sets kind_flag for a negative value), size 8 → BTF_KIND_ENUM64
// with kind_flag = signedness. Sizes from GNU C: int/unsigned int when the
// values fit, else 8 bytes; packed takes the smallest type.
func TestEnums(t *testing.T) {
	src := `enum e1 { A = -1, B = 2 };
enum e2 { C = 1, D = 0x100000000 };
enum e3 { E = -5, F = 0x100000000 };
enum e4 { G = 1, H = 200 } __attribute__((packed));
enum e5 { I = 0, J = 0xffffffff };
void f(enum e1 a, enum e2 b, enum e3 c, enum e4 d, enum e5 e);`
	proto, fn := encode124(t, src)
	want := []*btf.Enum{
		{Name: "e1", Size: 4, Signed: true, Values: []btf.EnumValue{{Name: "A", Value: ^uint64(0)}, {Name: "B", Value: 2}}},
		{Name: "e2", Size: 8, Values: []btf.EnumValue{{Name: "C", Value: 1}, {Name: "D", Value: 1 << 32}}},
		{Name: "e3", Size: 8, Signed: true, Values: []btf.EnumValue{{Name: "E", Value: uint64(1<<64 - 5)}, {Name: "F", Value: 1 << 32}}},
		{Name: "e4", Size: 1, Values: []btf.EnumValue{{Name: "G", Value: 1}, {Name: "H", Value: 200}}},
		{Name: "e5", Size: 4, Values: []btf.EnumValue{{Name: "I", Value: 0}, {Name: "J", Value: 0xffffffff}}},
	}
	for i, w := range want {
		if err := sameBTF(w, proto.Params[i].Type); err != nil {
			t.Error(err)
		}
	}
	raw, err := Marshal(fn)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := parseRawBTF(raw)
	if err != nil {
		t.Fatal(err)
	}
	rawWant := []struct {
		kind  int
		name  string
		size  uint32
		kflag bool
	}{
		{kindEnum, "e1", 4, true}, {kindEnum64, "e2", 8, false}, {kindEnum64, "e3", 8, true},
		{kindEnum, "e4", 1, false}, {kindEnum, "e5", 4, false},
	}
	for _, w := range rawWant {
		got, ok := findRaw(ts, w.kind, w.name)
		if !ok {
			t.Errorf("no kind %d named %s", w.kind, w.name)
			continue
		}
		if got.sizeType != w.size || got.kindFlag != w.kflag {
			t.Errorf("%s: size %d kind_flag %v, want %d %v", w.name, got.sizeType, got.kindFlag, w.size, w.kflag)
		}
	}
	// ENUM64 value words are lo32, hi32 (btf.rst 2.2.20).
	e3, _ := findRaw(ts, kindEnum64, "e3")
	if e3.extra[1] != 0xfffffffb || e3.extra[2] != 0xffffffff {
		t.Errorf("e3 E words %#x %#x, want 0xfffffffb 0xffffffff", e3.extra[1], e3.extra[2])
	}
}

func TestTypesKeptAsWritten(t *testing.T) {
	src := `typedef long t1;
typedef t1 t2;
struct inc;
struct node { struct node *next; struct inc *i; void *v; };
union u { int a; char b[5]; struct { short x; short y; } s; };
struct arrs { char a[3]; int m[2][3]; union { long l; double d; }; };
void f(t2 x, struct node n, union u uu, struct arrs ar, void *p);`
	proto, fn := encode124(t, src)
	if fn.Linkage != btf.StaticFunc {
		t.Errorf("linkage %v, want static (btf__add_func(..., BTF_FUNC_STATIC, ...))", fn.Linkage)
	}
	long := &btf.Int{Name: "long int", Size: 8, Encoding: btf.Signed}
	intT := &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	char := &btf.Int{Name: "char", Size: 1}
	short := &btf.Int{Name: "short int", Size: 2, Encoding: btf.Signed}
	node := &btf.Struct{Name: "node", Size: 24}
	node.Members = []btf.Member{
		{Name: "next", Type: &btf.Pointer{Target: node}},
		{Name: "i", Type: &btf.Pointer{Target: &btf.Fwd{Name: "inc", Kind: btf.FwdStruct}}, Offset: 64},
		{Name: "v", Type: &btf.Pointer{Target: &btf.Void{}}, Offset: 128},
	}
	want := &btf.FuncProto{Return: &btf.Void{}, Params: []btf.FuncParam{
		{Name: "x", Type: &btf.Typedef{Name: "t2", Type: &btf.Typedef{Name: "t1", Type: long}}},
		{Name: "n", Type: node},
		{Name: "uu", Type: &btf.Union{Name: "u", Size: 8, Members: []btf.Member{
			{Name: "a", Type: intT},
			{Name: "b", Type: &btf.Array{Index: intT, Type: char, Nelems: 5}},
			{Name: "s", Type: &btf.Struct{Size: 4, Members: []btf.Member{{Name: "x", Type: short}, {Name: "y", Type: short, Offset: 16}}}},
		}}},
		{Name: "ar", Type: &btf.Struct{Name: "arrs", Size: 40, Members: []btf.Member{
			{Name: "a", Type: &btf.Array{Index: intT, Type: char, Nelems: 3}},
			// int m[2][3]: one ARRAY of 6 (btf_encoder.c array_type__nelems)
			{Name: "m", Type: &btf.Array{Index: intT, Type: intT, Nelems: 6}, Offset: 32},
			{Name: "", Type: &btf.Union{Size: 8, Members: []btf.Member{{Name: "l", Type: long}, {Name: "d", Type: &btf.Float{Name: "double", Size: 8}}}}, Offset: 256},
		}}},
		{Name: "p", Type: &btf.Pointer{Target: &btf.Void{}}},
	}}
	if err := sameBTF(want, proto); err != nil {
		t.Fatal(err)
	}
}

func TestEncodeBadInput(t *testing.T) {
	if _, _, err := Encode(nil, V1_24, loc.Placement{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil func: %v", err)
	}
	bad := &ctype.Func{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "a", Type: &ctype.Array{Elem: ctype.TInt, Len: 2}}}}
	if _, _, err := Encode(bad, V1_24, loc.Placement{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("array parameter: %v", err)
	}
	if _, _, err := Encode(mustParse(t, "void f(int a);"), Version("1.99"), loc.Placement{}); err == nil {
		t.Error("unknown version accepted")
	}
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]Version{"1.24": V1_24, "v1.31": V1_31, "pahole-1.31": V1_31, "head": Head, " pahole 1.24": V1_24} {
		if got, err := ParseVersion(in); err != nil || got != want {
			t.Errorf("ParseVersion(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseVersion("1.25"); err == nil {
		t.Error("1.25 accepted")
	}
}
