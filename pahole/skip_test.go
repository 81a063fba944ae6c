package pahole

import (
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/loc"
)

// eightLongs is "long a0, ..., long a7, ": the parameters at index < 8,
// which dwarf_loader.c arch__nr_register_params gives EM_AARCH64.
var eightLongs = func() string {
	var b strings.Builder
	for i := 0; i < 8; i++ {
		b.WriteString("long a" + string(rune('0'+i)) + ", ")
	}
	return b.String()
}()

// eightLongsInX is what DWARF says for eightLongs: aI in xI.
func eightLongsInX(extra ...loc.Arg) loc.Placement {
	var args []loc.Arg
	for i := 0; i < 8; i++ {
		args = append(args, inX(i, 8))
	}
	return placement(append(args, extra...)...)
}

type want struct {
	skipped bool
	reason  string
	param   int
}

func checkSkip(t *testing.T, name, src string, dwarf loc.Placement, wants map[Version]want) {
	t.Helper()
	fn := mustParse(t, src)
	for _, v := range Versions() {
		w := wants[v]
		got, skip, err := Encode(fn, v, dwarf)
		if err != nil {
			t.Errorf("%s %s: %v", name, v, err)
			continue
		}
		switch {
		case w.skipped && skip == nil:
			t.Errorf("%s: pahole %s encodes it, want skipped due to %q", name, v, w.reason)
		case !w.skipped && skip != nil:
			t.Errorf("%s: pahole %s skips it (%s), want encoded", name, v, skip)
		case skip != nil && (skip.Reason != w.reason || skip.Param != w.param):
			t.Errorf("%s: pahole %s skips param %d due to %q, want param %d %q", name, v, skip.Param, skip.Reason, w.param, w.reason)
		case skip == nil && got == nil:
			t.Errorf("%s: pahole %s: no func and no skip", name, v)
		}
	}
}

var (
	encoded   = want{}
	uncertain = func(p int) want { return want{true, ReasonUncertain, p} }
	unexpReg  = func(p int) want { return want{true, ReasonUnexpectedReg, p} }
)

// The packed-struct-on-stack filter, btf_encoder.c
// ftype__has_uncertain_arg_loc (4a1f0c9) with dwarves.c
// class__infer_packed_attributes; the expected answers follow the code
// line by line (pahole.md §2), and 1.24 has no filter at all.
func TestPackedFilter(t *testing.T) {
	onStackAfter8 := func(size int) loc.Placement { return eightLongsInX(onStack(0, size)) }
	cases := []struct {
		name  string
		src   string
		dwarf loc.Placement
		wants map[Version]want
	}{
		{
			// size 9, b at 1: 1 % 8 != 0 → packed; index 8 ≥ N.
			"packed struct at index 8",
			"struct p { char c; long b; } __attribute__((packed));\nvoid f(" + eightLongs + "struct p a8);",
			onStackAfter8(9),
			map[Version]want{V1_24: encoded, V1_31: uncertain(8), Head: uncertain(8)},
		},
		{
			"packed struct at index 7 (positional: in a register slot)",
			"struct p { char c; long b; } __attribute__((packed));\nvoid f(long a0, long a1, long a2, long a3, long a4, long a5, long a6, struct p a7, long a8);",
			placement(inX(0, 8), inX(1, 8), inX(2, 8), inX(3, 8), inX(4, 8), inX(5, 8), inX(6, 8), onStack(0, 9), onStack(16, 8)),
			map[Version]want{V1_24: encoded, V1_31: encoded, Head: encoded},
		},
		{
			// cu__type(): the typedef is not stripped, so tag__is_struct
			// is false.
			"typedef'd packed struct at index 8",
			"struct p { char c; long b; } __attribute__((packed));\ntypedef struct p p_t;\nvoid f(" + eightLongs + "p_t a8);",
			onStackAfter8(9),
			map[Version]want{V1_24: encoded, V1_31: encoded, Head: encoded},
		},
		{
			// tag__is_struct is false for DW_TAG_union_type.
			"packed union at index 8",
			"union u { char c[9]; long b; } __attribute__((packed));\nvoid f(" + eightLongs + "union u a8);",
			onStackAfter8(9),
			map[Version]want{V1_24: encoded, V1_31: encoded, Head: encoded},
		},
		{
			// "if (ctype->namespace.name == 0) continue;"
			"anonymous packed struct at index 8",
			"void f(" + eightLongs + "struct { char c; long b; } __attribute__((packed)) a8);",
			onStackAfter8(9),
			map[Version]want{V1_24: encoded, V1_31: encoded, Head: encoded},
		},
		{
			// padding 8 → class__find_holes padding != 0 → not packed.
			"aligned(16) struct at index 8",
			"struct al { long a; } __attribute__((aligned(16)));\nvoid f(" + eightLongs + "struct al a8);",
			onStackAfter8(16),
			map[Version]want{V1_24: encoded, V1_31: encoded, Head: encoded},
		},
		{
			"member aligned(16) struct at index 8",
			"struct am { long a __attribute__((aligned(16))); };\nvoid f(" + eightLongs + "struct am a8);",
			onStackAfter8(16),
			map[Version]want{V1_24: encoded, V1_31: encoded, Head: encoded},
		},
		{
			// No hole, offsets natural, 8 % 4 == 0, and GCC writes no
			// DW_AT_alignment for packed alone: not detected.
			"{u32 a; u32 b;} __packed at index 8",
			"struct q { u32 a; u32 b; } __attribute__((packed));\nvoid f(" + eightLongs + "struct q a8);",
			onStackAfter8(8),
			map[Version]want{V1_24: encoded, V1_31: encoded, Head: encoded},
		},
		{
			// With aligned(1) GCC writes DW_AT_alignment 1, and
			// "max_natural_alignment != 1 && ctype->alignment == 1" holds.
			"{int a; int b;} packed, aligned(1) at index 8",
			"struct q { int a; int b; } __attribute__((packed, aligned(1)));\nvoid f(" + eightLongs + "struct q a8);",
			onStackAfter8(8),
			map[Version]want{V1_24: encoded, V1_31: uncertain(8), Head: uncertain(8)},
		},
		{
			// No hole, size 3 % natural alignment 2 != 0 → packed.
			"{short s; char c;} __packed at index 9",
			"struct t { short s; char c; } __attribute__((packed));\nvoid f(" + eightLongs + "long a8, struct t a9);",
			eightLongsInX(onStack(0, 8), onStack(8, 3)),
			map[Version]want{V1_24: encoded, V1_31: uncertain(9), Head: uncertain(9)},
		},
		{
			// A struct with __int128 is 16-aligned and natural: not packed
			// (the case that started the discussion is not caught).
			"struct {__int128} at index 8",
			"struct w { __int128 a; };\nvoid f(" + eightLongs + "struct w a8);",
			onStackAfter8(16),
			map[Version]want{V1_24: encoded, V1_31: encoded, Head: encoded},
		},
		{
			// struct out has a hole (i ends at 9, l at 16), so
			// type__check_structs_at_unnatural_alignments marks struct in,
			// at offset 1 (1 % 4 != 0), packed; the later parameter of
			// type struct in is then skipped although struct in itself is
			// natural.
			"packed-member side effect marks a natural struct",
			"struct in { int a; int b; };\nstruct out { char c; struct in i __attribute__((packed)); long l; };\nvoid f(" + eightLongs + "struct out a8, struct in a9);",
			eightLongsInX(onStack(0, 24), onStack(24, 8)),
			map[Version]want{V1_24: encoded, V1_31: uncertain(9), Head: uncertain(9)},
		},
		{
			"the same natural struct alone",
			"struct in { int a; int b; };\nvoid f(" + eightLongs + "struct in a8);",
			onStackAfter8(8),
			map[Version]want{V1_24: encoded, V1_31: encoded, Head: encoded},
		},
		{
			// "if (ftype->nr_parms < cu->nr_register_params) return false"
			"fewer than 8 parameters",
			"struct p { char c; long b; } __attribute__((packed));\nvoid f(struct p a0);",
			placement(inXPair(0, 1)),
			map[Version]want{V1_24: encoded, V1_31: encoded, Head: encoded},
		},
	}
	for _, c := range cases {
		checkSkip(t, c.name, c.src, c.dwarf, c.wants)
	}
}

// v1.31 applies its skips only with consistent_func ("bool add_to_btf =
// !skip_encoding_inconsistent_proto" in btf_encoder__add_saved_funcs);
// the head's packed filter is unconditional (109e5e4).
func TestConsistentFuncGate(t *testing.T) {
	fn := mustParse(t, "struct p { char c; long b; } __attribute__((packed));\nvoid f("+eightLongs+"struct p a8);")
	dwarf := eightLongsInX(onStack(0, 9))
	for _, c := range []struct {
		v    Version
		skip bool
	}{{V1_24, false}, {V1_31, false}, {Head, true}} {
		_, skip, err := EncodeConfig(fn, Config{Version: c.v, Options: Options{GenFloats: true}}, dwarf)
		if err != nil {
			t.Fatal(err)
		}
		if (skip != nil) != c.skip {
			t.Errorf("pahole %s without consistent_func: skip %v, want %v", c.v, skip, c.skip)
		}
	}
}

// The register checks. v1.31 (a53c581, da2f7e5): parameter idx < 8 must
// be in DW_OP_reg<idx>; exempt if any parameter is a struct (typedef and
// const stripped, unions not). Head (dd77520): the expected register
// advances by ABI slots. DWARF registers come from the placement as the
// package doc says.
func TestRegisterCheck(t *testing.T) {
	cases := []struct {
		name  string
		src   string
		dwarf loc.Placement
		wants map[Version]want
	}{
		{
			// AAPCS64 2025Q4 C.8/C.10: __int128 takes the even pair x2:x3,
			// the third argument goes to x4. 1.31 expects x2, the head
			// x2 (one slot for a scalar) — both see x4.
			"f(long, __int128, long)",
			"void f(long a, __int128 b, long c);",
			placement(inX(0, 8), inXPair(2, 3), inX(4, 8)),
			map[Version]want{V1_24: encoded, V1_31: unexpReg(2), Head: unexpReg(2)},
		},
		{
			"f(long, __int128, long) with a struct parameter too",
			"struct s { long x; };\nvoid f(long a, __int128 b, long c, struct s d);",
			placement(inX(0, 8), inXPair(2, 3), inX(4, 8), inX(5, 8)),
			map[Version]want{V1_24: encoded, V1_31: encoded, Head: unexpReg(2)},
		},
		{
			"a typedef'd struct exempts too (param__is_struct strips typedefs)",
			"struct s { long x; };\ntypedef struct s s_t;\nvoid f(long a, __int128 b, long c, s_t d);",
			placement(inX(0, 8), inXPair(2, 3), inX(4, 8), inX(5, 8)),
			map[Version]want{V1_24: encoded, V1_31: encoded, Head: unexpReg(2)},
		},
		{
			// A 16-byte struct in x0:x1: positional 1.31 expects b in x1,
			// sees x2, but the struct exempts; the head counts two slots.
			"f(struct{long,long}, long)",
			"struct s16 { long x; long y; };\nvoid f(struct s16 a, long b);",
			placement(inXPair(0, 1), inX(2, 8)),
			map[Version]want{V1_24: encoded, V1_31: encoded, Head: encoded},
		},
		{
			// The same with a union: param__is_struct is false for
			// unions, so 1.31 skips; the head counts two slots.
			"f(union{long;char[16]}, long)",
			"union u16 { long x; char c[16]; };\nvoid f(union u16 a, long b);",
			placement(inXPair(0, 1), inX(2, 8)),
			map[Version]want{V1_24: encoded, V1_31: unexpReg(1), Head: encoded},
		},
		{
			// A double in v0 has DW_OP_regx 64, not a DW_OP_reg0..31:
			// "optimized", never unexpected; the long in x0 is then at
			// index 1 where 1.31 expects x1.
			"f(double, long) in 1.31",
			"void f(double a, long b);",
			placement(inV(0, 8), inX(0, 8)),
			map[Version]want{V1_24: encoded, V1_31: unexpReg(1), Head: unexpReg(1)},
		},
		{
			"in-order scalars",
			"void f(int a, long b, char c, void *d);",
			placement(inX(0, 4), inX(1, 8), inX(2, 1), inX(3, 8)),
			map[Version]want{V1_24: encoded, V1_31: encoded, Head: encoded},
		},
		{
			"no DWARF placement: every parameter optimized, no skip",
			"void f(long a, __int128 b, long c);",
			loc.Placement{},
			map[Version]want{V1_24: encoded, V1_31: encoded, Head: encoded},
		},
		{
			// Both predicates hold: v1.31 logs only the uncertain location,
			// and the head's later skip_reason assignment wins.
			"uncertain location beats unexpected register",
			"struct p { char c; long b; } __attribute__((packed));\nvoid f(long a0, __int128 a1, long a2, long a3, long a4, long a5, long a6, long a7, struct p a8);",
			placement(inX(0, 8), inXPair(2, 3), inX(4, 8), inX(5, 8), inX(6, 8), inX(7, 8), onStack(0, 8), onStack(8, 8), onStack(16, 9)),
			map[Version]want{V1_24: encoded, V1_31: uncertain(8), Head: uncertain(8)},
		},
	}
	for _, c := range cases {
		checkSkip(t, c.name, c.src, c.dwarf, c.wants)
	}
}

func TestSkipMessages(t *testing.T) {
	fn := mustParse(t, "void f(long a, __int128 b, long c);")
	dwarf := placement(inX(0, 8), inXPair(2, 3), inX(4, 8))
	_, s31, _ := Encode(fn, V1_31, dwarf)
	_, sHead, _ := Encode(fn, Head, dwarf)
	if s31 == nil || s31.Logged || sHead == nil || !sHead.Logged {
		t.Fatalf("1.31 %+v, head %+v: want 1.31 silent, head logged", s31, sHead)
	}
	if got, want := sHead.String(), "f : skipping BTF encoding of function due to unexpected register usage for parameter"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
}

// ftype__has_arg_names: a function with an unnamed parameter is skipped,
// silently, by every version.
func TestUnnamedParameter(t *testing.T) {
	fn := mustParse(t, "void f(int, long b);")
	for _, v := range Versions() {
		_, skip, err := Encode(fn, v, loc.Placement{})
		if err != nil || skip == nil || skip.Reason != ReasonUnnamed || skip.Logged || skip.Param != 0 {
			t.Errorf("%s: %+v %v", v, skip, err)
		}
	}
}
