package oracle_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
)

// placementCase is one signature and where every argument must be. The
// expected placements are written from the rule text of AAPCS64 2025Q4
// ("Parameter passing rules", stages A–C), GCC's AAPCS64 testsuite
// (gcc/testsuite/gcc.target/aarch64/aapcs64/, whose ARG(type, value, REG)
// lines give each argument's register or STACK+offset), clang's tests
// (clang/test/CodeGen/AArch64/args.cpp, arm64-aapcs-arguments.c) and the
// compiler-verified rows of ../shared/reference/aapcs64.md §8. Never from
// running the oracle.
type placementCase struct {
	name string
	// source cites where the expected placement comes from.
	source string
	// variant is the oracle variant ("" is the default).
	variant string
	c       string
	// want has one line per argument: its runs of locations as
	// loc.Run.String prints them ("x1.0-7 x2.0-7", "sp+16-31",
	// "ref(x1)+0-31"); "" for an argument with no bytes.
	want []string
	// rules maps an argument index to rule ids its Rules must contain
	// (without the "AAPCS64 2025Q4 " prefix for spec rules).
	rules map[int][]string
}

var placementCases = []placementCase{
	{
		name:    "clang 14: a zero-width bit-field stops an HFA of long double",
		source:  "seen with clang 14 (truth): struct { __int128 :0; long double d; } packed in x0:x1",
		variant: "aapcs64/clang14",
		c:       "struct s1 { __int128 : 0; long double m0; } __attribute__((packed));\nvoid f(struct s1 a0, int a1);",
		want:    []string{"x0.0-7 x1.0-7", "x2.0-3"},
	},
	{
		name:    "clang 16 and 19: the same record is an HFA, as with gcc",
		source:  "seen with clang 16, clang 19 and gcc 12.2 (truth): v0, the int in x0",
		variant: "aapcs64/clang16",
		c:       "struct s1 { __int128 : 0; long double m0; } __attribute__((packed));\nvoid f(struct s1 a0, int a1);",
		want:    []string{"v0.0-15", "x0.0-3"},
	},
	{
		name: "a zero-width bit-field in a union does not make it an HFA",
		source: "seen with gcc 12.2 and clang 14 (truth): union { float f; int :0; } in x0, the float after it in v0; " +
			"the unnamed :0 is a member of the union, so it is not a one-float HFA (AAPCS64 2025Q4 §5.9.5)",
		c:    "union u { float f; int :0; };\nvoid f(union u a0, float a1);",
		want: []string{"x0.0-3", "v0.0-3"},
	},
	{
		name: "a union holding a record of an unnamed bit-field is not an HFA (gcc)",
		source: "seen with gcc 12.2 (truth): union { float f; struct { int :32; } e; } in x0; clang 14 " +
			"ignores the empty record (isEmptyRecord) and uses v0, which only the clang14 variant does",
		c:    "struct e { int :32; };\nunion u { float f; struct e e; };\nvoid f(union u a0, float a1);",
		want: []string{"x0.0-3", "v0.0-3"},
	},
	{
		name:    "the same union under gcc 12 rules",
		source:  "seen with gcc 12.2 (truth): x0; the clang empty-record rule is clang's alone",
		variant: "aapcs64/gcc12",
		c:       "struct e { int :32; };\nunion u { float f; struct e e; };\nvoid f(union u a0, float a1);",
		want:    []string{"x0.0-3", "v0.0-3"},
	},
	{
		name:    "the same union under clang 14 is a one-float HFA",
		source:  "seen with clang 14 (truth): v0, the float after it in v1",
		variant: "aapcs64/clang14",
		c:       "struct e { int :32; };\nunion u { float f; struct e e; };\nvoid f(union u a0, float a1);",
		want:    []string{"v0.0-3", "v1.0-3"},
		rules:   map[int][]string{0: {"B.3", "C.2"}},
	},
	{
		name:   "test_1 integers and doubles counted apart",
		source: "GCC aapcs64/test_1.c: W0, D0, W1, X2, X3, X4, X5; AAPCS64 C.1, C.9",
		c:      "void f(int a0, double a1, int a2, char a3, short a4, int a5, long long a6);",
		want:   []string{"x0.0-3", "v0.0-7", "x1.0-3", "x2.0", "x3.0-1", "x4.0-3", "x5.0-7"},
		rules:  map[int][]string{0: {"C.9"}, 1: {"C.1"}},
	},
	{
		name:   "test_2 floats in s registers",
		source: "GCC aapcs64/test_2.c without its __fp16: S0, D1, S2, D3, W0; C.1",
		c:      "void f(float a0, double a1, float a2, double a3, int a4);",
		want:   []string{"v0.0-3", "v1.0-7", "v2.0-3", "v3.0-7", "x0.0-3"},
	},
	{
		name: "test_3 complex double as its HFA of two",
		source: "GCC aapcs64/test_3.c, _Complex double written as struct { double re, im; } " +
			"(AAPCS64 §5.1: a complex type is laid out as that struct, an HFA of 2): S0, D1-D2, S3, D4, W0; C.2",
		c: "struct cd { double re; double im; };\n" +
			"void f(float a0, struct cd a1, float a2, double a3, int a4);",
		want:  []string{"v0.0-3", "v1.0-7 v2.0-7", "v3.0-3", "v4.0-7", "x0.0-3"},
		rules: map[int][]string{1: {"B.3", "C.2"}},
	},
	{
		name:   "test_8 HFAs of four doubles then the stack",
		source: "GCC aapcs64/test_8.c: Z in D0-D3 and D4-D7, double at STACK, W0, W1; B.3, C.2, C.6",
		c: "struct z { double x[4]; };\n" +
			"void f(struct z a0, struct z a1, double a2, int a3, int a4);",
		want: []string{"v0.0-7 v1.0-7 v2.0-7 v3.0-7", "v4.0-7 v5.0-7 v6.0-7 v7.0-7", "sp+0-7", "x0.0-3", "x1.0-3"},
	},
	{
		name:   "test_11 C.3 HFA that does not fit goes whole to the stack",
		source: "GCC aapcs64/test_11.c: D0, D1-D4, STACK, STACK+32; C.3 sets NSRN to 8",
		c: "struct z { double x[4]; };\n" +
			"void f(double a0, struct z a1, struct z a2, double a3);",
		want:  []string{"v0.0-7", "v1.0-7 v2.0-7 v3.0-7 v4.0-7", "sp+0-31", "sp+32-39"},
		rules: map[int][]string{2: {"B.3", "C.3", "C.4", "C.6"}, 3: {"C.6"}},
	},
	{
		name:   "test_13 integer composite, HFA, C.3",
		source: "GCC aapcs64/test_13.c: W0, X1-X2, D0-D3, D4, STACK, STACK+32",
		c: "struct y { int x[4]; };\nstruct z { double x[4]; };\n" +
			"void f(int a0, struct y a1, struct z a2, double a3, struct z a4, double a5);",
		want:  []string{"x0.0-3", "x1.0-7 x2.0-7", "v0.0-7 v1.0-7 v2.0-7 v3.0-7", "v4.0-7", "sp+0-31", "sp+32-39"},
		rules: map[int][]string{1: {"B.5", "C.12"}},
	},
	{
		name:   "test_14 integers continue in GPRs after C.3",
		source: "GCC aapcs64/test_14.c: W0, W1, D0-D3, D4, STACK, W2, STACK+32",
		c: "struct z { double x[4]; };\n" +
			"void f(int a0, int a1, struct z a2, double a3, struct z a4, int a5, double a6);",
		want: []string{"x0.0-3", "x1.0-3", "v0.0-7 v1.0-7 v2.0-7 v3.0-7", "v4.0-7", "sp+0-31", "x2.0-3", "sp+32-39"},
	},
	{
		name:   "test_18 B.4 composite over 16 bytes by reference",
		source: "GCC aapcs64/test_18.c: W0, pointer in X1, D0-D3, D4, STACK, STACK+32; B.4",
		c: "struct y { long long x[4]; };\nstruct z { double x[4]; };\n" +
			"void f(int a0, struct y a1, struct z a2, double a3, struct z a4, double a5);",
		want:  []string{"x0.0-3", "ref(x1)+0-31", "v0.0-7 v1.0-7 v2.0-7 v3.0-7", "v4.0-7", "sp+0-31", "sp+32-39"},
		rules: map[int][]string{1: {"B.4", "C.9"}},
	},
	{
		name: "test_21 HFA of two after seven doubles",
		source: "GCC aapcs64/test_21.c, _Complex double as struct { double re, im; }: " +
			"W0, D0-D6, STACK (16 bytes), STACK+16; C.3",
		c: "struct cd { double re; double im; };\n" +
			"void f(int a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, struct cd a8, double a9);",
		want: []string{"x0.0-3", "v0.0-7", "v1.0-7", "v2.0-7", "v3.0-7", "v4.0-7", "v5.0-7", "v6.0-7",
			"sp+0-15", "sp+16-23"},
		rules: map[int][]string{8: {"C.3"}},
	},
	{
		name:   "test_24 long double in q registers, then 16-aligned on the stack",
		source: "GCC aapcs64/test_24.c: Q0-Q7, STACK, STACK+16; C.4 quad 16-aligned",
		c: "void f(long double a0, long double a1, long double a2, long double a3, long double a4, " +
			"long double a5, long double a6, long double a7, double a8, long double a9);",
		want: []string{"v0.0-15", "v1.0-15", "v2.0-15", "v3.0-15", "v4.0-15", "v5.0-15", "v6.0-15", "v7.0-15",
			"sp+0-7", "sp+16-31"},
		rules: map[int][]string{9: {"C.4", "C.6"}},
	},
	{
		name: "test_align-4 C.3 then floats on the stack",
		source: "GCC aapcs64/test_align-4.c: D0-D3, D4, D5, STACK (16 B), STACK+16, STACK+24; " +
			"C.3 leaves v6, v7 unused, C.5 8-byte float slot",
		c: "struct z { double x[4]; };\nstruct f3 { float x[3]; };\n" +
			"void f(struct z a0, double a1, double a2, struct f3 a3, float a4, struct f3 a5);",
		want:  []string{"v0.0-7 v1.0-7 v2.0-7 v3.0-7", "v4.0-7", "v5.0-7", "sp+0-11", "sp+16-19", "sp+24-35"},
		rules: map[int][]string{3: {"C.3"}, 4: {"C.5", "C.6"}},
	},
	{
		name:   "test_align-3 C.10 __int128 at an even register",
		source: "GCC aapcs64/test_align-3.c: W0, W1, W2, X4-X5, W6; C.10, C.11",
		c:      "void f(int a0, int a1, int a2, __int128 a3, int a4);",
		want:   []string{"x0.0-3", "x1.0-3", "x2.0-3", "x4.0-7 x5.0-7", "x6.0-3"},
		rules:  map[int][]string{3: {"C.10", "C.11"}},
	},
	{
		name:   "test_int128 two pairs",
		source: "GCC aapcs64/test_int128.c: X0-X1, X2-X3",
		c:      "void f(__int128 a0, __int128 a1);",
		want:   []string{"x0.0-7 x1.0-7", "x2.0-7 x3.0-7"},
	},
	{
		name: "test_align-2 struct of a 16-aligned union",
		source: "GCC aapcs64/test_align-2.c (union int128_t of type-def.h: __int128 and two long longs): " +
			"W0, X2, W4, X5, W7; C.10",
		c: "union u128 { __int128 i; struct { long long l64; long long h64; } s; };\n" +
			"struct y { union u128 v; };\nstruct x { long long p; int q; };\n" +
			"void f(int a0, struct y a1, int a2, struct x a3, int a4);",
		want:  []string{"x0.0-3", "x2.0-7 x3.0-7", "x4.0-3", "x5.0-7 x6.0-7", "x7.0-3"},
		rules: map[int][]string{1: {"B.6", "C.10", "C.12"}},
	},
	{
		name: "test_align-5 a typedef's aligned(16) does not pair a scalar",
		source: "GCC aapcs64/test_align-5.c: X0…X7, STACK, STACK+8; natural alignment of the " +
			"main variant (aarch64_function_arg_alignment)",
		c: "typedef long A __attribute__((aligned(16)));\n" +
			"void f(A a0, A a1, A a2, A a3, A a4, A a5, A a6, A a7, A a8, A a9);",
		want: []string{"x0.0-7", "x1.0-7", "x2.0-7", "x3.0-7", "x4.0-7", "x5.0-7", "x6.0-7", "x7.0-7",
			"sp+0-7", "sp+8-15"},
	},
	{
		name: "test_align-6 aligned(16) on the record does not pair it",
		source: "GCC aapcs64/test_align-6.c: W0, X1-X2, W3, W4, X5-X6, W7, STACK, STACK+8; " +
			"natural alignment is taken before adjusting the whole composite (AAPCS64 §5.6)",
		c: "typedef struct __attribute__((aligned(16))) { long x; long y; } O;\n" +
			"void f(int a0, O a1, int a2, int a3, O a4, int a5, int a6, O a7);",
		want: []string{"x0.0-3", "x1.0-7 x2.0-7", "x3.0-3", "x4.0-3", "x5.0-7 x6.0-7", "x7.0-3", "sp+0-3", "sp+8-23"},
	},
	{
		name:   "test_align-7 aligned(32) typedef of a 16-byte struct passes by value",
		source: "GCC aapcs64/test_align-7.c: W0, X1, W3, W4, X5, W7, STACK, STACK+8",
		c: "struct s { long x; long y; };\ntypedef struct s overaligned __attribute__((aligned(32)));\n" +
			"void f(int a0, overaligned a1, int a2, int a3, overaligned a4, int a5, int a6, overaligned a7);",
		want: []string{"x0.0-3", "x1.0-7 x2.0-7", "x3.0-3", "x4.0-3", "x5.0-7 x6.0-7", "x7.0-3", "sp+0-3", "sp+8-23"},
	},
	{
		name:   "test_align-8 aligned(32) on the record makes it 32 bytes: by reference",
		source: "GCC aapcs64/test_align-8.c: W0, X1 (pointer), W2; B.4",
		c: "typedef struct __attribute__((aligned(32))) { long x; long y; } O;\n" +
			"void f(int a0, O a1, int a2);",
		want:  []string{"x0.0-3", "ref(x1)+0-31", "x2.0-3"},
		rules: map[int][]string{1: {"B.4"}},
	},
	{
		name: "test_align-9 a member's aligned(16) pairs the record",
		source: "GCC aapcs64/test_align-9.c: W0, X2, W4, X6, STACK, STACK+16; member alignment " +
			"counts, the typedef's aligned(8) does not",
		c: "struct U { long x __attribute__((aligned(16))); int y; };\ntypedef struct U U8 __attribute__((aligned(8)));\n" +
			"void f(int a0, U8 a1, int a2, U8 a3, int a4, U8 a5);",
		want:  []string{"x0.0-3", "x2.0-7 x3.0-7", "x4.0-3", "x6.0-7 x7.0-7", "sp+0-3", "sp+16-31"},
		rules: map[int][]string{1: {"B.6", "C.10", "C.12"}, 5: {"C.13", "C.14", "C.15"}},
	},
	{
		name: "test_align-10 a bit-field's declared __int128 aligns to 16",
		source: "GCC aapcs64/test_align-10.c (GCC ≥ 9.1): W0, X2, W4, X6, STACK, STACK+16; " +
			"AAPCS64 language binding: a bit-field contributes its declared type's alignment",
		c: "struct T { __int128 y:65; char z:7; };\n" +
			"void f(int a0, struct T a1, int a2, struct T a3, int a4, struct T a5);",
		want: []string{"x0.0-3", "x2.0-7 x3.0-7", "x4.0-3", "x6.0-7 x7.0-7", "sp+0-3", "sp+16-31"},
	},
	{
		name:   "test_align-12 8-byte bit-field record in one register",
		source: "GCC aapcs64/test_align-12.c: W0, X1, W2, X3, X4-X5, X6-X7, STACK, STACK+8",
		c: "struct T { long long y:57; char z:7; };\n" +
			"void f(int a0, struct T a1, int a2, struct T a3, __int128 a4, __int128 a5, int a6, struct T a7);",
		want: []string{"x0.0-3", "x1.0-7", "x2.0-3", "x3.0-7", "x4.0-7 x5.0-7", "x6.0-7 x7.0-7", "sp+0-3", "sp+8-15"},
	},
	{
		name:   "test_26 small integer composites",
		source: "GCC aapcs64/test_26.c with its two HVA arguments left out: X0, X1-X2, X3-X4, W5",
		c: "struct a { char c; };\nstruct b { long long x[2]; };\nstruct c { int x[3]; };\n" +
			"void f(struct a a0, struct b a1, struct c a2, int a3);",
		want: []string{"x0.0", "x1.0-7 x2.0-7", "x3.0-7 x4.0-3", "x5.0-3"},
	},
	{
		name: "test_28 zero-width bit-field ignored for the HFA",
		source: "GCC aapcs64/test_28.c (GCC ≥ 12.1, PR102024): W0, S0-S1, S2-S3; " +
			"AAPCS64 §5.9.5 members are the Fundamental Data Types",
		c:    "struct S { float a; int :0; float b; };\nvoid f(int a0, struct S a1, struct S a2);",
		want: []string{"x0.0-3", "v0.0-3 v1.0-3", "v2.0-3 v3.0-3"},
	},
	{
		name:    "test_28 under clang 14 in C: not an HFA",
		source:  "reference aapcs64.md §4/§7 [V*]: clang 14 in C passes it in x1; then x2",
		variant: "aapcs64/clang14",
		c:       "struct S { float a; int :0; float b; };\nvoid f(int a0, struct S a1, struct S a2);",
		want:    []string{"x0.0-3", "x1.0-7", "x2.0-7"},
		rules:   map[int][]string{1: {oracle.RuleClangZeroWidth, "C.12"}},
	},
	{
		name: "test_align-1 stack sequence after x0-x7 and v0-v7",
		source: "GCC aapcs64/test_align-1.c STACK+offsets, with the 16-byte short vector vf4_t written as " +
			"long double and struct {vf4_t v;} as struct {long double v;}: both are 16-byte, 16-aligned C.4 " +
			"arguments, so every offset is the test's",
		c: "struct y { int p; int q; int r; int s; };\nstruct z { double x[4]; };\nstruct xv { long double v; };\n" +
			"struct s1 { short sh[3]; };\nstruct s2 { int i[2]; char c; };\nstruct ldx2_t { long double ld[2]; };\n" +
			"union u_t { long double ld; double d[2]; };\n" +
			"void f(struct y a0, struct y a1, struct y a2, struct y a3, struct z a4, struct z a5, double a6, " +
			"long double a7, double a8, struct xv a9, char a10, short a11, int a12, long long a13, struct s1 a14, " +
			"double a15, struct s2 a16, double a17, long double a18, double a19, struct ldx2_t a20, double a21, " +
			"__int128 a22, double a23, union u_t a24, int a25);",
		want: []string{"x0.0-7 x1.0-7", "x2.0-7 x3.0-7", "x4.0-7 x5.0-7", "x6.0-7 x7.0-7",
			"v0.0-7 v1.0-7 v2.0-7 v3.0-7", "v4.0-7 v5.0-7 v6.0-7 v7.0-7",
			"sp+0-7", "sp+16-31", "sp+32-39", "sp+48-63", "sp+64", "sp+72-73", "sp+80-83", "sp+88-95",
			"sp+96-101", "sp+104-111", "sp+112-123", "sp+128-135", "sp+144-159", "sp+160-167", "sp+176-207",
			"sp+208-215", "sp+224-239", "sp+240-247", "sp+256-271", "sp+272-275"},
		rules: map[int][]string{10: {"C.16"}, 14: {"B.5", "C.15"}, 20: {"B.3", "C.4"}, 22: {"C.14"}},
	},
	{
		name:   "member aligned(16) pairs the struct",
		source: "reference §3 [V*] probe; clang args.cpp SF16 → i128: X0, X2-X3",
		c:      "struct A { long a __attribute__((aligned(16))); };\nvoid f(long a0, struct A a1);",
		want:   []string{"x0.0-7", "x2.0-7 x3.0-7"},
	},
	{
		name:   "record aligned(16) does not pair the struct",
		source: "reference §3 [V*] probe; clang args.cpp S16 → [2 x i64]: X0, X1-X2",
		c:      "struct B { long a; } __attribute__((aligned(16)));\nvoid f(long a0, struct B a1);",
		want:   []string{"x0.0-7", "x1.0-7 x2.0-7"},
	},
	{
		name:   "a nested record's own aligned(16) is a member alignment",
		source: "reference §3 [V*] probe, both compilers: struct C { struct B inner; } in X2-X3",
		c: "struct B { long a; } __attribute__((aligned(16)));\nstruct C { struct B inner; };\n" +
			"void f(long a0, struct C a1);",
		want: []string{"x0.0-7", "x2.0-7 x3.0-7"},
	},
	{
		name:   "C.13 __int128 at NGRN 7 goes to the stack and x7 stays unused",
		source: "reference §6.3 [V*]: f(int×7, __int128, long): …W6, STACK, STACK+16; C.13 sets NGRN to 8",
		c:      "void f(int a0, int a1, int a2, int a3, int a4, int a5, int a6, __int128 a7, long a8);",
		want: []string{"x0.0-3", "x1.0-3", "x2.0-3", "x3.0-3", "x4.0-3", "x5.0-3", "x6.0-3",
			"sp+0-15", "sp+16-23"},
		rules: map[int][]string{7: {"C.10", "C.13", "C.14", "C.17"}, 8: {"C.13", "C.17"}},
	},
	{
		name:   "C.13 a 16-byte struct at NGRN 7",
		source: "AAPCS64 2025Q4 C.12 needs 2 ≤ 8 − NGRN; C.13 sets NGRN to 8, C.14/C.15 copy it to NSAA",
		c: "struct p { long a; long b; };\n" +
			"void f(long a0, long a1, long a2, long a3, long a4, long a5, long a6, struct p a7, long a8);",
		want: []string{"x0.0-7", "x1.0-7", "x2.0-7", "x3.0-7", "x4.0-7", "x5.0-7", "x6.0-7",
			"sp+0-15", "sp+16-23"},
		rules: map[int][]string{7: {"C.13", "C.15"}, 8: {"C.13"}},
	},
	{
		name:   "aligned(16) record is not an HFA",
		source: "reference §4 [V*] probe: f(int, struct{float a;} aligned(16)) → W0, X1-X2 (tail padding)",
		c:      "struct S { float a; } __attribute__((aligned(16)));\nvoid f(int a0, struct S a1);",
		want:   []string{"x0.0-3", "x1.0-7 x2.0-7"},
	},
	{
		name:   "HFA union",
		source: "reference §4 [V*] probe; GCC type-def.h hfa_union_t: f(float, union{float f; struct{float a,b;} s;}) → S0, S1-S2",
		c:      "union U { float f; struct { float a; float b; } s; };\nvoid f(float a0, union U a1);",
		want:   []string{"v0.0-3", "v1.0-3 v2.0-3"},
		rules:  map[int][]string{1: {"B.3", "C.2"}},
	},
	{
		name:   "union of double and float is not an HFA",
		source: "reference §4 [V*]: union {double a; float b;} goes in a GPR",
		c:      "union V { double a; float b; };\nvoid f(union V a0);",
		want:   []string{"x0.0-7"},
	},
	{
		name: "padding at a nested level disqualifies an HFA",
		source: "reference §4 [V*] probe, GCC 12.2 and clang 14: f(int, union{struct{float a aligned(16);} s; " +
			"float f[4];}) → W0, X2-X3",
		c: "union W { struct { float a __attribute__((aligned(16))); } s; float f[4]; };\n" +
			"void f(int a0, union W a1);",
		want: []string{"x0.0-3", "x2.0-7 x3.0-7"},
	},
	{
		name:   "packed HFA stays an HFA",
		source: "reference §4 [V*]: struct __attribute__((packed)) {float a,b;} in s-registers",
		c:      "struct P { float a; float b; } __attribute__((packed));\nvoid f(int a0, struct P a1);",
		want:   []string{"x0.0-3", "v0.0-3 v1.0-3"},
	},
	{
		name:   "member aligned(8) without padding is still an HFA",
		source: "reference §4 [V*]: struct {float a __attribute__((aligned(8))); float b;} is an HFA",
		c:      "struct H { float a __attribute__((aligned(8))); float b; };\nvoid f(struct H a0);",
		want:   []string{"v0.0-3 v1.0-3"},
	},
	{
		name:   "HFA of four long doubles is never by reference",
		source: "reference §4; AAPCS64 B.3 comes before B.4: 64 bytes in q0-q3",
		c:      "struct L { long double x[4]; };\nvoid f(struct L a0, int a1);",
		want:   []string{"v0.0-15 v1.0-15 v2.0-15 v3.0-15", "x0.0-3"},
	},
	{
		name:   "packed __int128 member: no pair",
		source: "reference §6.8 [V*]: struct {__int128 l __attribute__((packed));} in X1-X2",
		c:      "struct P { __int128 l __attribute__((packed)); };\nvoid f(long a0, struct P a1);",
		want:   []string{"x0.0-7", "x1.0-7 x2.0-7"},
	},
	{
		name:   "packed __int128 member with aligned(16): pair",
		source: "reference §6.8 [V*]: adding aligned(16) to the packed member gives X2-X3",
		c:      "struct Q { __int128 l __attribute__((packed, aligned(16))); };\nvoid f(long a0, struct Q a1);",
		want:   []string{"x0.0-7", "x2.0-7 x3.0-7"},
	},
	{
		name:   "int members aligned(16) make 32 bytes: by reference",
		source: "reference §6.7 [V*]: struct {int a; int b __attribute__((aligned(16)));} has sizeof 32",
		c:      "struct S { int a; int b __attribute__((aligned(16))); };\nvoid f(int a0, struct S a1, int a2);",
		want:   []string{"x0.0-3", "ref(x1)+0-31", "x2.0-3"},
	},
	{
		name:   "by reference with the pointer on the stack",
		source: "AAPCS64 2025Q4 B.4 then C.13, C.14, C.17 for the pointer: NGRN is 8, pointer at NSAA",
		c: "struct y { long long x[3]; };\n" +
			"void f(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7, int a8, struct y a9);",
		want: []string{"x0.0-7", "x1.0-7", "x2.0-7", "x3.0-7", "x4.0-7", "x5.0-7", "x6.0-7", "x7.0-7",
			"sp+0-3", "ref(sp+8)+0-23"},
		rules: map[int][]string{9: {"B.4", "C.13", "C.17"}},
	},
	{
		name:   "empty struct takes no slot in C",
		source: "reference §6.9: clang args.cpp C mode, GCC [V*]: f(struct E {}, int) → int in W0",
		c:      "struct E { };\nvoid f(struct E a0, int a1);",
		want:   []string{"", "x0.0-3"},
		rules:  map[int][]string{0: {oracle.RuleEmptyRecord}},
	},
	{
		name:   "union of __int128 pairs",
		source: "clang arm64-aapcs-arguments.c (Small = union{__int128 a;}): X0, X2-X3, X4, X6-X7, STACK, STACK+16",
		c: "typedef union { __int128 a; } Small;\n" +
			"void f(int a0, Small a1, int a2, Small a3, int a4, Small a5);",
		want: []string{"x0.0-3", "x2.0-7 x3.0-7", "x4.0-3", "x6.0-7 x7.0-7", "sp+0-3", "sp+16-31"},
	},
	{
		name:   "HFAs, float, then the stack",
		source: "clang arm64-aapcs-arguments.c (HFA = float[4]): S0-S3, S4, STACK, STACK+16",
		c:      "struct HFA { float x[4]; };\nvoid f(struct HFA a0, float a1, struct HFA a2, struct HFA a3);",
		want:   []string{"v0.0-3 v1.0-3 v2.0-3 v3.0-3", "v4.0-3", "sp+0-15", "sp+16-31"},
	},
	{
		name: "PR105549: a packed bit-field's type alignment does not count (GCC ≥ 13.1)",
		source: "reference §7 and GCC bitfield-abi-warning-align16-O2.c: with ull aligned(16), " +
			"struct {ull i:1; unsigned long long x;} packed goes in X1",
		c: "typedef unsigned long long ull __attribute__((aligned(16)));\n" +
			"struct S { ull i:1; unsigned long long x; } __attribute__((packed));\nvoid f(int a0, struct S a1);",
		want: []string{"x0.0-3", "x1.0-7 x2.0"},
	},
	{
		name:    "PR105549 under GCC 9.1-12: the packed bit-field still aligns to 16",
		source:  "reference §7 [V* GCC 12.2]: the same struct goes in X2",
		variant: "aapcs64/gcc12",
		c: "typedef unsigned long long ull __attribute__((aligned(16)));\n" +
			"struct S { ull i:1; unsigned long long x; } __attribute__((packed));\nvoid f(int a0, struct S a1);",
		want:  []string{"x0.0-3", "x2.0-7 x3.0"},
		rules: map[int][]string{1: {oracle.RuleGCC12PackedBitfield, "C.10"}},
	},
	{
		name: "GCC 9.1-12 alignment 32 from a packed bit-field: no pair in registers",
		source: "GCC bitfield-abi-warning-align32-O2.c, f16p (ull aligned(32)): GCC ≥ 13.1 reads w2, GCC 12 " +
			"(xfail there) w1, as aarch64_layout_arg's \"== 16 * BITS_PER_UNIT\" comment explains; seen with GCC 12.2",
		variant: "aapcs64/gcc12",
		c: "typedef unsigned long long ull __attribute__((aligned(32)));\n" +
			"struct S16p { ull i:1 __attribute__((packed, aligned(16))); };\nvoid f(int a0, struct S16p a1);",
		want:  []string{"x0.0-3", "x1.0-7 x2.0-7"},
		rules: map[int][]string{1: {oracle.RuleGCCPair}},
	},
	{
		name:   "the same S16p under GCC ≥ 13.1 pairs",
		source: "GCC bitfield-abi-warning-align32-O2.c f16p: and w0, w2, 1 (x2)",
		c: "typedef unsigned long long ull __attribute__((aligned(32)));\n" +
			"struct S16p { ull i:1 __attribute__((packed, aligned(16))); };\nvoid f(int a0, struct S16p a1);",
		want:  []string{"x0.0-3", "x2.0-7 x3.0-7"},
		rules: map[int][]string{1: {"C.10"}},
	},
	{
		name: "bitfield-abi-warning S16p and Sp on the stack",
		source: "GCC bitfield-abi-warning-align16-O2.c f16p_stack: ldr x0, [sp, 16]; fp_stack: ldrb w0, [sp, 8] " +
			"(int, eight ull in x1-x7 and STACK, then the struct)",
		c: "typedef unsigned long long ull __attribute__((aligned(16)));\n" +
			"struct S16p { ull i:1 __attribute__((packed, aligned(16))); };\n" +
			"struct Sp { ull i:1; } __attribute__((packed));\n" +
			"void f(int a0, ull a1, ull a2, ull a3, ull a4, ull a5, ull a6, ull a7, ull a8, struct S16p a9, struct Sp a10);",
		want: []string{"x0.0-3", "x1.0-7", "x2.0-7", "x3.0-7", "x4.0-7", "x5.0-7", "x6.0-7", "x7.0-7",
			"sp+0-7", "sp+16-31", "sp+32"},
	},
	{
		name: "packed HFA of long double on the stack (GCC)",
		source: "reference §7 [V*]: after 8 doubles and a float, struct {long double d;} packed is at " +
			"STACK+8 with GCC (natural alignment 1, C.4 rounds to 8)",
		c: "struct P { long double d; } __attribute__((packed));\n" +
			"void f(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, float a8, struct P a9);",
		want: []string{"v0.0-7", "v1.0-7", "v2.0-7", "v3.0-7", "v4.0-7", "v5.0-7", "v6.0-7", "v7.0-7",
			"sp+0-3", "sp+8-23"},
	},
	{
		name:    "packed HFA of long double on the stack (clang 14)",
		source:  "reference §7 [V*]: clang 14 puts it at STACK+16",
		variant: "aapcs64/clang14",
		c: "struct P { long double d; } __attribute__((packed));\n" +
			"void f(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, float a8, struct P a9);",
		want: []string{"v0.0-7", "v1.0-7", "v2.0-7", "v3.0-7", "v4.0-7", "v5.0-7", "v6.0-7", "v7.0-7",
			"sp+0-3", "sp+16-31"},
		rules: map[int][]string{9: {oracle.RuleClangLongDoubleHFA}},
	},
	{
		name: "C.3 rounds a stacked one-float HFA to 8 bytes",
		source: "AAPCS64 2025Q4 C.3: NSRN = 8 and the size rounded up to a multiple of 8; C.4 (alignment 4): " +
			"NSAA to a multiple of 8; C.6 copies it, so the next float starts 8 bytes on",
		c: "struct F { float a; };\n" +
			"void f(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, struct F a8, float a9);",
		want: []string{"v0.0-7", "v1.0-7", "v2.0-7", "v3.0-7", "v4.0-7", "v5.0-7", "v6.0-7", "v7.0-7",
			"sp+0-3", "sp+8-11"},
		rules: map[int][]string{8: {"B.3", "C.3", "C.4", "C.6"}, 9: {"C.5", "C.6"}},
	},
	{
		name: "float HFA with natural alignment 16 is 16-aligned on the stack",
		source: "AAPCS64 2025Q4 C.4: NSAA to the next multiple of 16 when the natural alignment is ≥ 16 " +
			"(struct {float a aligned(16); float b, c, d;} has no padding: an HFA of 4)",
		c: "struct H { float a __attribute__((aligned(16))); float b; float c; float d; };\n" +
			"void f(double a0, double a1, double a2, double a3, double a4, double a5, double a6, float a7, float a8, struct H a9);",
		want: []string{"v0.0-7", "v1.0-7", "v2.0-7", "v3.0-7", "v4.0-7", "v5.0-7", "v6.0-7", "v7.0-3",
			"sp+0-3", "sp+16-31"},
	},
}

func TestPlacementCases(t *testing.T) {
	for _, tc := range placementCases {
		t.Run(tc.name, func(t *testing.T) {
			fn, err := ctype.Parse("case.c", []byte(tc.c))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			v, err := oracle.LookupIn(oracle.AAPCS64, tc.variant)
			if err != nil {
				t.Fatal(err)
			}
			p, err := oracle.Place(fn, v)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Args) != len(tc.want) {
				t.Fatalf("%d arguments placed, want %d\n%s", len(p.Args), len(tc.want), p)
			}
			for i, a := range p.Args {
				if got := runs(a.Bytes); got != tc.want[i] {
					t.Errorf("a%d %s:\n -want %s\n +got  %s %v\n(source: %s)", i, a.Type, tc.want[i], got, a.Rules, tc.source)
				}
				if a.Size != len(a.Bytes) && tc.want[i] != "" {
					t.Errorf("a%d: size %d but %d bytes placed", i, a.Size, len(a.Bytes))
				}
			}
			for i, ids := range tc.rules {
				for _, id := range ids {
					if !hasRule(p.Args[i].Rules, id) {
						t.Errorf("a%d rules %q lack %q (source: %s)", i, p.Args[i].Rules, id, tc.source)
					}
				}
			}
		})
	}
}

// runs folds a byte list the way loc.Run prints it.
func runs(bytes []loc.Loc) string {
	var s []string
	for _, r := range loc.Runs(bytes) {
		s = append(s, r.String())
	}
	return strings.Join(s, " ")
}

// hasRule matches a spec id ("C.10") against "AAPCS64 2025Q4 C.10", and a
// compiler rule by its full text.
func hasRule(rules []string, id string) bool {
	return slices.Contains(rules, id) || slices.Contains(rules, "AAPCS64 "+oracle.Release+" "+id)
}

// TestEveryRuleCarriesTheRelease: spec rules are written "AAPCS64 2025Q4
// C.10" (one Release constant); other entries name a compiler or GNU C.
func TestEveryRuleCarriesTheRelease(t *testing.T) {
	for _, tc := range placementCases {
		fn, err := ctype.Parse("case.c", []byte(tc.c))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range oracle.AAPCS64.Variants() {
			p, err := oracle.Place(fn, v)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range p.Args {
				if len(a.Rules) == 0 {
					t.Errorf("%s/%s a%d: no rules", tc.name, v.Name, a.Index)
				}
				for _, r := range a.Rules {
					if !strings.HasPrefix(r, "AAPCS64 2025Q4 ") && !strings.HasPrefix(r, "GNU C") &&
						!strings.HasPrefix(r, "GCC") && !strings.HasPrefix(r, "clang") {
						t.Errorf("%s/%s a%d: rule %q names no source", tc.name, v.Name, a.Index, r)
					}
				}
			}
		}
	}
}

// Every variant is found by its name, in its own ABI and among all; a
// variant of another architecture's ABI and an unknown name are errors that
// name the known variants.
func TestLookup(t *testing.T) {
	if v, err := oracle.LookupIn(oracle.AAPCS64, ""); err != nil || v.Name != "aapcs64" || !v.IsDefault() || v.Reading() != "" {
		t.Errorf(`LookupIn(AAPCS64, "") = %v, %v; want the default aapcs64`, v, err)
	}
	for _, name := range []string{"aapcs64", "aapcs64/gcc12", "aapcs64/clang14", "aapcs64/clang16"} {
		if v, err := oracle.Lookup(name); err != nil || v.Name != name || v.Doc == "" || v.ABI() != oracle.AAPCS64 {
			t.Errorf("Lookup(%q) = %+v, %v", name, v, err)
		}
	}
	if v, _ := oracle.Lookup("aapcs64/gcc12"); v.IsDefault() || v.Reading() != "gcc12" {
		t.Errorf("aapcs64/gcc12: default %v, reading %q", v.IsDefault(), v.Reading())
	}
	if _, err := oracle.LookupIn(oracle.AAPCS64, "sysv"); err == nil ||
		!strings.Contains(err.Error(), "x86_64") || !strings.Contains(err.Error(), "aapcs64/gcc12") {
		t.Errorf(`LookupIn(AAPCS64, "sysv") error %v does not say whose it is and list the known variants`, err)
	}
	if _, err := oracle.Lookup("aapcs64/gcc4"); err == nil || !strings.Contains(err.Error(), "sysv/clang14") {
		t.Errorf(`Lookup("aapcs64/gcc4") error %v does not list every ABI's variants`, err)
	}
	if _, err := (oracle.Variant{}).Place(&ctype.Func{Name: "f", Return: ctype.TVoid}); err == nil {
		t.Error("the zero Variant placed a signature")
	}
}

// Each architecture has exactly one ABI, that ABI is of that architecture,
// and its variants are named after it (the prefix before the slash).
func TestABIOfEveryArch(t *testing.T) {
	for _, a := range arch.All() {
		abi, err := oracle.ABIOf(a)
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		if abi.Arch() != a {
			t.Errorf("ABIOf(%s).Arch() = %s", a, abi.Arch())
		}
		prefix := abi.Default().Name
		for i, v := range abi.Variants() {
			if v.ABI() != abi || (i > 0) != !v.IsDefault() || i > 0 && !strings.HasPrefix(v.Name, prefix+"/") {
				t.Errorf("%s variant %d %q: ABI %v, default %v", a, i, v.Name, v.ABI(), v.IsDefault())
			}
		}
	}
	if _, err := oracle.ABIOf(&arch.Arch{Name: "mips64"}); !errors.Is(err, arch.ErrUnknown) {
		t.Errorf("ABIOf(mips64) = %v, want an error wrapping arch.ErrUnknown", err)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := oracle.AAPCS64.Default().Place(nil); err == nil {
		t.Error("AAPCS64(nil) gave no error")
	}
	self := &ctype.Record{Name: "s"}
	self.Members = []ctype.Member{{Name: "m", Type: self}}
	loop := &ctype.Typedef{Name: "t"}
	loop.Type = loop
	param := func(t ctype.Type) *ctype.Func {
		return &ctype.Func{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "a", Type: t}}}
	}
	bad := []*ctype.Func{
		param(self),
		param(loop),
		param(&ctype.Record{Name: "r", Members: []ctype.Member{{Name: "m", Type: ctype.TFloat, Bitfield: true, Bits: 3}}}),
		param(&ctype.Record{Name: "r", Members: []ctype.Member{{Name: "m", Type: ctype.TInt, Bitfield: true, Bits: 33}}}),
		param(&ctype.Record{Name: "r", Members: []ctype.Member{{Name: "m"}}}),
		param(&ctype.Record{Name: "r", Aligned: 3, Members: []ctype.Member{{Name: "m", Type: ctype.TInt}}}),
		param(&ctype.Typedef{Name: "t", Type: ctype.TLong, Aligned: 48}),
		param(&ctype.Pointer{}),
		param(&ctype.Enum{Name: "e"}),
		param(&ctype.Basic{Kind: 99}),
		{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "a", Type: ctype.TVoid}}},
		{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "a"}}},
		{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "a", Type: &ctype.Record{Name: "s", Incomplete: true}}}},
		{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "a", Type: &ctype.Array{Elem: ctype.TInt, Len: 2}}}},
	}
	for _, fn := range bad {
		_, err := oracle.AAPCS64.Default().Place(fn)
		if err == nil || !errors.Is(err, ctype.ErrInvalid) {
			t.Errorf("AAPCS64(%+v) error = %v, want one wrapping ctype.ErrInvalid", fn, err)
		}
	}
}

// Each compiler release is held to the variant its Doc describes (the
// variants' Doc lines, confirmed by the oracle checks run with
// TRAMPFUZZ_CLANG=clang-16 and clang-19).
func TestCompilerVariant(t *testing.T) {
	for _, tc := range []struct {
		a        *arch.Arch
		compiler string
		major    int
		want     string
	}{
		{arch.ARM64, "gcc", 12, "aapcs64/gcc12"},
		{arch.ARM64, "gcc", 13, "aapcs64"},
		{arch.ARM64, "clang", 14, "aapcs64/clang14"},
		{arch.ARM64, "clang", 16, "aapcs64/clang16"},
		{arch.ARM64, "clang", 19, "aapcs64/clang16"},
		{arch.X86_64, "gcc", 12, "sysv"},
		{arch.X86_64, "clang", 14, "sysv/clang14"},
		{arch.X86_64, "clang", 17, "sysv/clang14"},
		{arch.X86_64, "clang", 18, "sysv/clang18"},
		{arch.X86_64, "clang", 19, "sysv/clang19"},
		{arch.X86_64, "clang", 20, "sysv/clang"},
	} {
		if got, err := oracle.CompilerVariant(tc.a, tc.compiler, tc.major); err != nil || got.Name != tc.want {
			t.Errorf("CompilerVariant(%s, %s %d) = %q, %v; want %q", tc.a, tc.compiler, tc.major, got, err, tc.want)
		}
	}
	if _, err := oracle.CompilerVariant(arch.ARM64, "icc", 2021); err == nil {
		t.Error("an unknown compiler has a variant")
	}
}
