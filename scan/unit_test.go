package scan

import (
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

// TestBuildRecord: from member offsets and a size only, buildRecord finds
// attributes that reproduce them. The inputs are the offsets GCC gives the
// C declaration in each comment (C11 6.7.2.1 and GCC's packed/aligned
// documentation: packed removes padding, aligned(N) on a member raises
// its offset to a multiple of N, aligned(N) on a record its size).
func TestBuildRecord(t *testing.T) {
	long, char, integer := ctype.TLong, ctype.TChar, ctype.TInt
	for _, c := range []struct {
		name string
		raw  rawRecord
		want string // ctype.Render of a function taking the record
	}{{
		// struct { char c; long l; }: natural, l at 8, size 16.
		"natural", rawRecord{Name: "n", Size: 16, Members: []rawMember{{"c", char, 0, 0, 0}, {"l", long, 64, 0, 0}}},
		"struct n { char c; long l; };",
	}, {
		// struct { char c; long l; } __attribute__((packed)): l at 1,
		// size 9. Packing l alone gives size 16 (the record keeps its
		// alignment 8 from nothing else; GCC: alignment 1, size 9).
		"packed", rawRecord{Name: "p", Size: 9, Members: []rawMember{{"c", char, 0, 0, 0}, {"l", long, 8, 0, 0}}},
		"struct p { char c; long l; } __attribute__((packed));",
	}, {
		// struct { long x; char c; int i __attribute__((packed)); }: i at
		// 9, size 16 (the record keeps x's alignment 8).
		"member packed", rawRecord{Name: "m", Size: 16, Members: []rawMember{{"x", long, 0, 0, 0}, {"c", char, 64, 0, 0}, {"i", integer, 72, 0, 0}}},
		"struct m { long x; char c; int i __attribute__((packed)); };",
	}, {
		// struct { int a; long b __attribute__((aligned(16))); }: b at 16,
		// size 32.
		"member aligned", rawRecord{Name: "a", Size: 32, Members: []rawMember{{"a", integer, 0, 0, 0}, {"b", long, 128, 0, 0}}},
		"struct a { int a; long b __attribute__((aligned(16))); };",
	}, {
		// struct { int a; } __attribute__((aligned(8))): size 8.
		"record aligned", rawRecord{Name: "r", Size: 8, Members: []rawMember{{"a", integer, 0, 0, 0}}},
		"struct r { int a; } __attribute__((aligned(8)));",
	}, {
		// struct { int a : 3; int : 0; int b : 5; }: GCC writes no member
		// for ": 0"; b is at bit 32.
		"unnamed bit-field", rawRecord{Name: "b", Size: 8, Members: []rawMember{{"a", integer, 0, 3, 0}, {"b", integer, 32, 5, 0}}},
		"struct b { int a : 3; int : 29; int b : 5; };",
	}, {
		// DW_AT_alignment 16 on the member is taken as is.
		"DW_AT_alignment", rawRecord{Name: "d", Size: 16, Members: []rawMember{{"a", long, 0, 0, 16}, {"b", long, 64, 0, 0}}},
		"struct d { long a __attribute__((aligned(16))); long b; };",
	}} {
		t.Run(c.name, func(t *testing.T) {
			r, err := buildRecord(c.raw, layouts{arch.ARM64})
			if err != nil {
				t.Fatal(err)
			}
			fn := &ctype.Func{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "s", Type: r}}}
			got := strings.SplitN(ctype.Render(fn), "\n", 2)[0]
			if got != c.want {
				t.Errorf("\n-want %s\n+got  %s", c.want, got)
			}
			lay := ctype.LayoutOf(r)
			if lay.Size != c.raw.Size {
				t.Errorf("size %d, want %d", lay.Size, c.raw.Size)
			}
		})
	}
}

// TestBuildRecordImpossible: offsets no C layout gives are an error, not
// a wrong record.
func TestBuildRecordImpossible(t *testing.T) {
	for _, raw := range []rawRecord{
		// Members overlapping in a struct.
		{Name: "o", Size: 16, Members: []rawMember{{"a", ctype.TLong, 0, 0, 0}, {"b", ctype.TLong, 32, 0, 0}}},
		// A size smaller than the members.
		{Name: "s", Size: 4, Members: []rawMember{{"a", ctype.TLong, 0, 0, 0}}},
	} {
		if r, err := buildRecord(raw, layouts{arch.ARM64}); err == nil {
			t.Errorf("%s: got %s, want an error", raw.Name, ctype.Render(&ctype.Func{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "s", Type: r}}}))
		}
	}
}

// TestDecodeLocation: DWARF 5 §2.6.1 location descriptions, with the
// AArch64 register numbering of "DWARF for the Arm 64-bit Architecture"
// (0-30 x0-x30, 31 sp, 64-95 v0-v31).
func TestDecodeLocation(t *testing.T) {
	x := func(n, b int) loc.Loc { return loc.RegByte(loc.XReg(n), b) }
	v := func(n, b int) loc.Loc { return loc.RegByte(loc.VReg(n), b) }
	for _, c := range []locCase{
		{"DW_OP_reg2", []byte{0x52}, frameCFA, false, 4, []loc.Loc{x(2, 0), x(2, 1), x(2, 2), x(2, 3)}, ""},
		{"DW_OP_regx 64", []byte{0x90, 64}, frameCFA, false, 4, []loc.Loc{v(0, 0), v(0, 1), v(0, 2), v(0, 3)}, ""},
		{"pieces reg0 reg1", []byte{0x50, 0x93, 2, 0x51, 0x93, 2}, frameCFA, false, 4, []loc.Loc{x(0, 0), x(0, 1), x(1, 0), x(1, 1)}, ""},
		{"empty first piece", []byte{0x93, 2, 0x53, 0x93, 2}, frameCFA, false, 4, []loc.Loc{{}, {}, x(3, 0), x(3, 1)}, ""},
		{"fbreg 16 on the CFA", []byte{0x91, 16}, frameCFA, false, 2, []loc.Loc{loc.Stack(16), loc.Stack(17)}, ""},
		{"fbreg -16", []byte{0x91, 0x70}, frameCFA, false, 2, nil, LocCalleeFrame},
		{"fbreg, frame base x29", []byte{0x91, 0}, frameNone, true, 2, nil, LocFrameBase},
		{"fbreg, frame base SP, whole function", []byte{0x91, 0}, frameSP, false, 2, nil, LocFrameBase},
		{"fbreg, frame base SP, list entry at entry", []byte{0x91, 8}, frameSP, true, 1, []loc.Loc{loc.Stack(8)}, ""},
		{"fbreg 8 deref", []byte{0x91, 8, 0x06}, frameCFA, false, 2, []loc.Loc{loc.Ref(loc.Stack(8), 0), loc.Ref(loc.Stack(8), 1)}, ""},
		{"breg1 0 in a list entry", []byte{0x71, 0}, frameCFA, true, 2, []loc.Loc{loc.Ref(x(1, 0), 0), loc.Ref(x(1, 0), 1)}, ""},
		{"breg1 0 whole function", []byte{0x71, 0}, frameCFA, false, 2, nil, LocRefWhole},
		{"breg19 0", []byte{0x83, 0}, frameCFA, true, 2, nil, LocCalleeReg},
		{"entry_value(reg0) stack_value", []byte{0xa3, 1, 0x50, 0x9f}, frameCFA, true, 1, []loc.Loc{x(0, 0)}, ""},
		{"lit0 stack_value", []byte{0x30, 0x9f}, frameCFA, true, 1, nil, LocConst},
		{"reg0 for 16 bytes", []byte{0x50}, frameCFA, true, 16, nil, LocWide},
		{"piece past the value", []byte{0x50, 0x93, 9}, frameCFA, true, 8, nil, LocExpr},
		{"truncated sleb", []byte{0x91, 0x80}, frameCFA, true, 8, nil, LocExpr},
		{"only an empty piece", []byte{0x93, 8}, frameCFA, true, 8, nil, LocNothing},
		{"DW_OP_reg19", []byte{0x63}, frameCFA, true, 8, nil, LocOtherReg},
	} {
		c.run(t, arch.ARM64)
	}
}

// locCase is one location expression and what it says at entry.
type locCase struct {
	name     string
	expr     []byte
	frame    frameBase
	fromList bool
	size     int
	want     []loc.Loc
	why      string
}

func (c locCase) run(t *testing.T, a *arch.Arch) {
	t.Run(c.name, func(t *testing.T) {
		got, why := decodeLocation(newDWARFMachine(a), c.expr, c.frame, c.fromList, c.size)
		if why != c.why {
			t.Fatalf("why %q, want %q", why, c.why)
		}
		if locString(got) != locString(c.want) {
			t.Errorf("\n-want %s\n+got  %s", locString(c.want), locString(got))
		}
	})
}

// TestDecodeLocationX86: the same on x86-64, with the psABI 1.0 Figure
// 3.36 numbering (rdx 1, rcx 2, rsi 4, rdi 5, rsp 7, r8 8, xmm0 17) and its
// stack at entry (§3.2.2: the call pushed the return address, so the
// first stacked argument, sp+0, is 8(%rsp), the CFA).
func TestDecodeLocationX86(t *testing.T) {
	r := func(reg loc.Reg, b int) loc.Loc { return loc.RegByte(reg, b) }
	for _, c := range []locCase{
		{"DW_OP_reg5 is rdi", []byte{0x55}, frameCFA, true, 2, []loc.Loc{r(loc.RDI, 0), r(loc.RDI, 1)}, ""},
		{"DW_OP_reg4 is rsi", []byte{0x54}, frameCFA, true, 1, []loc.Loc{r(loc.RSI, 0)}, ""},
		{"DW_OP_reg9 is r9", []byte{0x59}, frameCFA, true, 1, []loc.Loc{r(loc.R9, 0)}, ""},
		{"DW_OP_reg17 is xmm0", []byte{0x61}, frameCFA, true, 2, []loc.Loc{r(loc.XMMReg(0), 0), r(loc.XMMReg(0), 1)}, ""},
		{"rax carries no argument", []byte{0x50}, frameCFA, true, 8, nil, LocOtherReg},
		{"fbreg 0 on the CFA", []byte{0x91, 0}, frameCFA, false, 2, []loc.Loc{loc.Stack(0), loc.Stack(1)}, ""},
		{"breg7 8 at entry", []byte{0x77, 8}, frameCFA, true, 1, []loc.Loc{loc.Stack(0)}, ""},
		{"breg7 0 is the return address", []byte{0x77, 0}, frameCFA, true, 1, nil, LocCalleeFrame},
		{"breg7 whole function", []byte{0x77, 8}, frameCFA, false, 1, nil, LocSPWhole},
		{"fbreg 24, frame base rsp, list entry", []byte{0x91, 24}, frameSP, true, 1, []loc.Loc{loc.Stack(16)}, ""},
		{"breg5 0 in a list entry", []byte{0x75, 0}, frameCFA, true, 1, []loc.Loc{loc.Ref(r(loc.RDI, 0), 0)}, ""},
		{"breg6 (rbp) 0", []byte{0x76, 0}, frameCFA, true, 1, nil, LocCalleeReg},
		{"xmm0 for 32 bytes", []byte{0x61}, frameCFA, true, 32, nil, LocWide},
	} {
		c.run(t, arch.X86_64)
	}
}

// TestCompilerVariant: DW_AT_producer picks the oracle variant of the
// compiler that made the code.
func TestCompilerVariant(t *testing.T) {
	for producer, want := range map[string]string{
		"GNU C11 12.2.0 -mlittle-endian -mabi=lp64 -g -O2": "aapcs64/gcc12",
		"GNU C17 9.1.0 -g":            "aapcs64/gcc12",
		"GNU C17 13.2.0 -g":           "aapcs64",
		"Debian clang version 14.0.6": "aapcs64/clang14",
		// 16 and 19 seen to agree with the clang16 variant; 18 lies between.
		"Debian clang version 16.0.6": "aapcs64/clang16",
		"clang version 18.1.8":        "aapcs64/clang16",
		"Debian clang version 19.1.7": "aapcs64/clang16",
		// Not checked here: the current spec.
		"clang version 21.1.0": "aapcs64",
		"":                     "aapcs64",
	} {
		if got := compilerVariant(producer, arch.ARM64); got != want {
			t.Errorf("%q: %s, want %s", producer, got, want)
		}
	}
	// x86-64: the variants ci/test's oracle checks run each compiler with.
	for producer, want := range map[string]string{
		"GNU C17 12.2.0 -mtune=generic -march=x86-64 -g -O2": "sysv",
		"Debian clang version 14.0.6":                        "sysv/clang14",
		"Debian clang version 16.0.6":                        "sysv/clang14",
		"Debian clang version 19.1.7":                        "sysv/clang19",
		"clang version 21.1.0":                               "sysv",
	} {
		if got := compilerVariant(producer, arch.X86_64); got != want {
			t.Errorf("x86_64 %q: %s, want %s", producer, got, want)
		}
	}
}

// checkNames says what ctype.Check would say about the names the verdict
// cache leaves out (C11 6.4.1: a keyword is not an identifier).
func TestCheckNames(t *testing.T) {
	long := ctype.BasicOf(ctype.Long)
	for _, tc := range []struct {
		fn *ctype.Func
		ok bool
	}{
		{&ctype.Func{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "a", Type: long}, {Type: long}}}, true},
		{&ctype.Func{Name: "int", Return: ctype.TVoid, Params: []ctype.Param{{Name: "a", Type: long}}}, false},
		{&ctype.Func{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "int", Type: long}}}, false},
		{&ctype.Func{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "2a", Type: long}}}, false},
		{&ctype.Func{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "a", Type: long}, {Name: "a", Type: long}}}, false},
	} {
		if err := checkNames(tc.fn); (err == nil) != tc.ok {
			t.Errorf("checkNames(%s) = %v, want ok=%v", ctype.Render(tc.fn), err, tc.ok)
		}
	}
}
