package oracle_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
	"github.com/trampfuzz/trampfuzz/oraclecheck"
	"github.com/trampfuzz/trampfuzz/toolchain"
)

// sysvCase is one signature and where every argument must be on x86-64.
// The expected placements come from the x86-64 psABI 1.0 text (§3.2.3 and
// its Figures 3.5/3.6 example), from GCC's and clang's source where the
// text leaves a choice (gcc/config/i386/i386.cc, clang
// X86_64ABIInfo::classify), from the LLVM issues that describe clang's
// __int128 behaviour, or from what gcc 12.2 and clang 14 did when truth ran
// the signature (marked "seen"). Never from running the oracle.
type sysvCase struct {
	name, source string
	variant      string // "" is the default
	c            string
	// want has one line per argument: runs as loc.Run prints them, "-N"
	// for N bytes passed nowhere, "" for an argument with no bytes.
	want []string
	// rules maps an argument index to rule ids its Rules must contain.
	rules map[int][]string
}

var sysvCases = []sysvCase{
	{
		name:    "clang 19: a typedef's aligned(N) does not make a packed field unaligned",
		source:  "seen with clang 19.1.7 and gcc 12.2 (truth): rdi; clang 14 and 16 pass it on the stack (sysv/clang14)",
		variant: "sysv/clang19",
		c:       "typedef int t1 __attribute__((aligned(8)));\nstruct s1 { int m0; t1 m1; } __attribute__((packed));\nvoid f(struct s1 a0, long a1);",
		want:    []string{"rdi.0-7", "rsi.0-7"},
	},
	{
		name:    "clang 14 and 16: the same field is unaligned, the record MEMORY",
		source:  "seen with clang 14 and 16 (truth): sp+0-7, the long in rdi",
		variant: "sysv/clang14",
		c:       "typedef int t1 __attribute__((aligned(8)));\nstruct s1 { int m0; t1 m1; } __attribute__((packed));\nvoid f(struct s1 a0, long a1);",
		want:    []string{"sp+0-7", "rdi.0-7"},
	},
	{
		name: "clang 19: after an __int128 holds r9 back, a double-and-long record is split between xmm0 and the stack",
		source: "seen with clang 19.1.7 (truth): the front end still counts r9 free and passes the record directly; " +
			"the back end stacks its INTEGER eightbyte as an i64",
		variant: "sysv/clang19",
		c: "struct s2 { double m0; long m1; } __attribute__((aligned(16)));\n" +
			"void f(long a0, long a1, long a2, long a3, long a4, __int128 a5, struct s2 a6, int a7);",
		want: []string{"rdi.0-7", "rsi.0-7", "rdx.0-7", "rcx.0-7", "r8.0-7", "sp+0-15", "xmm0.0-7 sp+16-23", "sp+24-27"},
	},
	{
		name: "a nested record the cleanup sends to memory sends the argument there",
		source: "gcc i386.cc classify_argument runs its final merger cleanup on every record, and a nested one that " +
			"returns 0 makes the whole argument MEMORY; clang's classify calls postMerge per record likewise; seen " +
			"with gcc 12.2 and clang 14 (truth): the union on the stack, the long in rsi",
		c:    "union s1 { int m0; __int128 m1; union { long m0; long double m1; } m2; int m3; };\nvoid f(int a0, union s1 a1, long a2);",
		want: []string{"rdi.0-3", "sp+0-15", "rsi.0-7"},
	},
	{
		name: "GCC: a zero-width bit-field in a union is a one-byte integer",
		source: "gcc/config/i386/i386.cc classify_argument: the UNION_TYPE case classifies every member by its type, " +
			"with no zero-width skip; seen with gcc 12.2 (truth): union { long :0; float f; } in rdi, " +
			"union { __int128 :0; double d[2]; } in rdi and xmm0; clang 14, 16 and 19 skip it (xmm0; xmm0 and xmm1)",
		c:    "union u { long : 0; float m0; };\nunion v { __int128 : 0; double d[2]; };\nvoid f(union u a0, union v a1, int a2);",
		want: []string{"rdi.0-3", "rsi.0-7 xmm0.0-7", "rdx.0-3"},
	},
	{
		name:    "clang skips a zero-width bit-field in a union",
		source:  "seen with clang 14, 16 and 19 (truth): xmm0; xmm1 and xmm2",
		variant: "sysv/clang14",
		c:       "union u { long : 0; float m0; };\nunion v { __int128 : 0; double d[2]; };\nvoid f(union u a0, union v a1, int a2);",
		want:    []string{"xmm0.0-3", "xmm1.0-7 xmm2.0-7", "rdi.0-3"},
	},
	{
		name: "unnamed bit-fields do not align an x86-64 record",
		source: "psABI 1.0 §3.1.2 \"Unnamed bit-fields' types do not affect the alignment of a structure or union\"; " +
			"seen with gcc 12.2 and clang 14 (truth): struct A is 5 bytes, B 2, U 1, each 1-aligned on the stack",
		c: "struct A { char a; int :0; char b; };\nstruct B { char a; long :3; };\nunion U { char a; long :5; };\n" +
			"void f(struct A a0, struct B a1, union U a2, long a3, long a4, long a5, struct A a6, struct B a7, union U a8, char a9);",
		want: []string{"rdi.0-4", "rsi.0-1", "rdx.0", "rcx.0-7", "r8.0-7", "r9.0-7", "sp+0-4", "sp+8-9", "sp+16", "sp+24"},
	},
	{
		name: "a record whose only 16-byte type is an unnamed bit-field's is 8-aligned on the stack",
		source: "psABI 1.0 §3.1.2 (as above); seen with gcc 12.2 and clang 14 (truth) and on Debian's 6.12.118 kernel " +
			"(ktruth): struct s1 at sp+8, not sp+16",
		c: "struct s1 { long m0; unsigned __int128 : 26; };\n" +
			"void f(long a0, long a1, long a2, long a3, long a4, long a5, char *a6, struct s1 a7);",
		want: []string{"rdi.0-7", "rsi.0-7", "rdx.0-7", "rcx.0-7", "r8.0-7", "r9.0-7", "sp+0-7", "sp+8-23"},
	},
	{
		name: "X87 merged with SSE is MEMORY: a union of long double and two doubles on the stack",
		source: "psABI 1.0 §3.2.3 merging rule (e): \"If one of the classes is X87, X87UP, COMPLEX_X87 class, MEMORY " +
			"is used as class\" (X87 of the long double with SSE of a double); seen with gcc 12.2 and clang 14 (truth): sp+0-15, the long in rdi",
		c:    "union u { long double l; double d[2]; };\nvoid f(union u a0, long a1);",
		want: []string{"sp+0-15", "rdi.0-7"},
	},
	{
		name: "a returned record of one long double comes back in st0: no hidden pointer",
		source: "psABI 1.0 §3.2.3 returning: \"If the class is X87, the value is returned on the X87 stack in %st0\"; " +
			"seen with gcc 12.2 and clang 14 (truth): the long in rdi, the double in xmm0",
		c:    "struct r { long double x; };\nstruct r f(long a0, double a1);",
		want: []string{"rdi.0-7", "xmm0.0-7"},
	},
	{
		name: "a returned union of long double and doubles is MEMORY: the hidden pointer takes rdi",
		source: "psABI 1.0 §3.2.3 returning: \"If the type has class MEMORY, … the caller … passes the address … in " +
			"%rdi\"; seen with gcc 12.2 and clang 14 (truth): a0 in rsi, a1 in rdx",
		c:    "union u { long double l; double d[2]; };\nunion u f(long a0, long a1);",
		want: []string{"rsi.0-7", "rdx.0-7"},
	},
	{
		name: "psABI Figure 3.5 example without __m256",
		source: "psABI 1.0 §3.2.3 Figures 3.5/3.6: e rdi, f rsi, s.a and s.b rdx, s.d xmm0, g rcx, h r8, ld 0, " +
			"m xmm1, n (xmm3 there, after the __m256 y in ymm2; xmm2 without it), i r9, j 16, k 24",
		c: "struct structparm { int a, b; double d; };\n" +
			"void func(int e, int f, struct structparm s, int g, int h, long double ld, double m, double n, int i, int j, int k);",
		want: []string{"rdi.0-3", "rsi.0-3", "rdx.0-7 xmm0.0-7", "rcx.0-3", "r8.0-3", "sp+0-15", "xmm1.0-7", "xmm2.0-7",
			"r9.0-3", "sp+16-19", "sp+24-27"},
		rules: map[int][]string{2: {oracle.RuleSysVEightbytes, oracle.RuleSysVPassInteger, oracle.RuleSysVPassSSE},
			5: {oracle.RuleSysVX87, oracle.RuleSysVPassX87}, 9: {oracle.RuleSysVNoRegisters, oracle.RuleSysVStack}},
	},
	{
		name: "all or nothing: an argument that does not fit leaves r9 to a later one",
		source: "psABI §3.2.3 \"If there are no registers available for any eightbyte of an argument, the whole " +
			"argument is passed on the stack\"; kernel arch/x86/net/bpf_jit_comp.c example foo(char×5, " +
			"struct{long;int}, char): arg6 on the stack, arg7 in R9",
		c: "struct li { long a; int b; };\n" +
			"void foo(char a0, char a1, char a2, char a3, char a4, struct li a5, char a6);",
		want:  []string{"rdi.0", "rsi.0", "rdx.0", "rcx.0", "r8.0", "sp+0-15", "r9.0"},
		rules: map[int][]string{5: {oracle.RuleSysVNoRegisters}},
	},
	{
		name: "__int128 with only r9 free goes to a 16-aligned slot, r9 to the next long",
		source: "llvm-project#123935: for long call8(long, __int128, __int128, __int128, long x) GCC passes " +
			"(rdi), (rsi, rdx), (rcx, r8), ([rsp+8], [rsp+16]), (r9); psABI: __int128 in memory 16-byte aligned",
		c:     "long call8(long a0, __int128 a1, __int128 a2, __int128 a3, long x);",
		want:  []string{"rdi.0-7", "rsi.0-7 rdx.0-7", "rcx.0-7 r8.0-7", "sp+0-15", "r9.0-7"},
		rules: map[int][]string{3: {oracle.RuleSysVInt128, oracle.RuleSysVNoRegisters, oracle.RuleSysVInt128Stack}},
	},
	{
		name:    "clang 18-19 keep r9 from the long after an __int128 on the stack",
		source:  "llvm-project#123935: Clang/LLVM passes (rdi), (rsi, rdx), (rcx, r8), ([rsp+8], [rsp+16]), ([rsp+24])",
		variant: "sysv/clang18",
		c:       "long call8(long a0, __int128 a1, __int128 a2, __int128 a3, long x);",
		want:    []string{"rdi.0-7", "rsi.0-7 rdx.0-7", "rcx.0-7 r8.0-7", "sp+0-15", "sp+16-23"},
		rules:   map[int][]string{3: {oracle.RuleLLVMInt128HoldsR9}},
	},
	{
		name:    "clang 20 passes the long after the __int128 in r9",
		source:  "llvm-project#124134 (LLVM 20) test trailing_arg_on_stack: the i64 after the stacked i128 is read from r9",
		variant: "sysv/clang",
		c:       "long call8(long a0, __int128 a1, __int128 a2, __int128 a3, long x);",
		want:    []string{"rdi.0-7", "rsi.0-7 rdx.0-7", "rcx.0-7 r8.0-7", "sp+0-15", "r9.0-7"},
	},
	{
		name: "clang 14 splits an __int128 between r9 and the stack",
		source: "llvm-project#59011: for f(u64 ×5, u128 t) clang 15 reads the low half from r9 and the high " +
			"half from [rsp+8] (sp+0), gcc 12 both halves from the stack; seen with clang 14",
		variant: "sysv/clang14",
		c:       "long f(long a0, long a1, long a2, long a3, long a4, unsigned __int128 t, long a6);",
		want:    []string{"rdi.0-7", "rsi.0-7", "rdx.0-7", "rcx.0-7", "r8.0-7", "r9.0-7 sp+0-7", "sp+8-15"},
		rules:   map[int][]string{5: {oracle.RuleLLVMInt128Split}},
	},
	{
		name: "clang 14: after a split __int128 a one-INTEGER record goes to an 8-byte slot",
		source: "seen with clang 14: the front end still counts r9 free and passes the record as an i64, " +
			"which the back end stacks at sp+8 although the record is 16-aligned",
		variant: "sysv/clang14",
		c: "struct s2 { long : 0; long long m0; } __attribute__((aligned(16)));\n" +
			"void f(long a0, unsigned int a1, signed char a2, unsigned long a3, int a4, __int128 a5, struct s2 a6);",
		want:  []string{"rdi.0-7", "rsi.0-3", "rdx.0", "rcx.0-7", "r8.0-3", "r9.0-7 sp+0-7", "sp+8-15 -8"},
		rules: map[int][]string{6: {oracle.RuleLLVMFrontendR9}},
	},
	{
		name: "clang 14 puts a stacked __int128 8-aligned",
		source: "llvm-project#41784: foo(__int128 x, y, z, uint64_t a, __int128 c): gcc aligns c to 16 " +
			"(sp+16), clang before LLVM 18 does not (sp+8)",
		variant: "sysv/clang14",
		c:       "void foo(__int128 x, __int128 y, __int128 z, unsigned long a, __int128 c);",
		want:    []string{"rdi.0-7 rsi.0-7", "rdx.0-7 rcx.0-7", "r8.0-7 r9.0-7", "sp+0-7", "sp+8-23"},
		rules:   map[int][]string{4: {oracle.RuleLLVMInt128Align8}},
	},
	{
		name:   "the same with GCC: 16-aligned",
		source: "llvm-project#41784 (GCC's code) and psABI: __int128 \"stored in memory must be aligned on a 16-byte boundary\"",
		c:      "void foo(__int128 x, __int128 y, __int128 z, unsigned long a, __int128 c);",
		want:   []string{"rdi.0-7 rsi.0-7", "rdx.0-7 rcx.0-7", "r8.0-7 r9.0-7", "sp+0-7", "sp+16-31"},
	},
	{
		name:   "records over two eightbytes go on the stack by value",
		source: "psABI post merger (c) (no __m256 here) and \"If the class is MEMORY, pass the argument on the stack\"",
		c: "struct big { long a, b, c; };\n" +
			"void f(int a0, struct big a1, int a2);",
		want:  []string{"rdi.0-3", "sp+0-23", "rsi.0-3"},
		rules: map[int][]string{1: {oracle.RuleSysVTwoEightbyte, oracle.RuleSysVPassMemory}},
	},
	{
		name:   "records over eight eightbytes are MEMORY by rule 1",
		source: "psABI §3.2.3 aggregate rule 1: \"larger than eight eightbytes … MEMORY\"",
		c: "struct huge { long a[9]; };\n" +
			"void f(struct huge a0);",
		want:  []string{"sp+0-71"},
		rules: map[int][]string{0: {oracle.RuleSysVLarge}},
	},
	{
		name:   "a MEMORY return takes rdi",
		source: "psABI Returning of Values: \"passes the address of this storage in %rdi as if it were the first argument\"",
		c: "struct big { long a, b, c; };\n" +
			"struct big f(long a0, double a1, int a2);",
		want:  []string{"rsi.0-7", "xmm0.0-7", "rdx.0-3"},
		rules: map[int][]string{0: {oracle.RuleSysVReturnRDI}},
	},
	{
		name:   "a long double return does not",
		source: "psABI Returning of Values: class X87 is returned in st0",
		c:      "long double f(long a0);",
		want:   []string{"rdi.0-7"},
	},
	{
		name:   "floats share an eightbyte of class SSE, a float and an int make INTEGER",
		source: "psABI rule 4 (d) \"If one of the classes is INTEGER, the result is the INTEGER\", (f) otherwise SSE",
		c: "struct ff { float a, b; };\nstruct fi { float a; int b; };\nstruct fff { float a, b, c; };\n" +
			"void f(struct ff a0, struct fi a1, struct fff a2);",
		want: []string{"xmm0.0-7", "rdi.0-7", "xmm1.0-7 xmm2.0-3"},
	},
	{
		name:   "a packed record with a misaligned long is MEMORY",
		source: "psABI rule 1 \"it contains unaligned fields\"; GCC classify_argument \"Misaligned fields are always returned in memory\"",
		c: "struct pk { char c; long l; } __attribute__((packed));\n" +
			"void f(struct pk a0, int a1);",
		want:  []string{"sp+0-8", "rdi.0-3"},
		rules: map[int][]string{0: {oracle.RuleSysVUnaligned, oracle.RuleSysVPassMemory}},
	},
	{
		name:   "X87UP not preceded by X87",
		source: "psABI post merger (b); GCC note \"the ABI of passing union with long double has changed in GCC 4.4\"",
		c: "union u { long double d; long l; };\n" +
			"void f(union u a0, int a1);",
		want:  []string{"sp+0-15", "rdi.0-3"},
		rules: map[int][]string{0: {oracle.RuleSysVX87UP}},
	},
	{
		name:   "INTEGER wins over X87 in both eightbytes",
		source: "psABI rule 4: (d) INTEGER comes before (e) X87; seen with gcc 12.2 and clang 14",
		c: "union u { long double d; char c[16]; };\n" +
			"void f(union u a0, double a1);",
		want: []string{"rdi.0-7 rsi.0-7", "xmm0.0-7"},
	},
	{
		name:   "an eightbyte of padding is NO_CLASS and passed nowhere",
		source: "psABI NO_CLASS \"will be used for padding\"; GCC construct_container skips NO_CLASS; seen with gcc 12.2",
		c: "struct al { long a __attribute__((aligned(16))); };\n" +
			"void f(struct al a0, long a1);",
		want:  []string{"rdi.0-7 -8", "rsi.0-7"},
		rules: map[int][]string{0: {oracle.RuleSysVNoClass}},
	},
	{
		name:   "an empty record takes nothing",
		source: "psABI NO_CLASS \"for … empty structures and unions\"",
		c: "struct E { };\n" +
			"void f(struct E a0, int a1);",
		want: []string{"", "rdi.0-3"},
	},
	{
		name:   "GCC: an unnamed bit-field is INTEGER",
		source: "GCC classify_argument \"Bitfields are always classified as integer\"; seen with gcc 12.2",
		c: "struct s1 { float a; int : 8; };\n" +
			"void f(struct s1 a0, long a1);",
		want:  []string{"rdi.0-7", "rsi.0-7"},
		rules: map[int][]string{0: {oracle.RuleGCCUnnamedBitfield}},
	},
	{
		name:    "clang: an unnamed bit-field is ignored",
		source:  "clang X86_64ABIInfo::classify \"Ignore padding bit-fields\"; seen with clang 14",
		variant: "sysv/clang14",
		c: "struct s1 { float a; int : 8; };\n" +
			"void f(struct s1 a0, long a1);",
		want:  []string{"xmm0.0-7", "rdi.0-7"},
		rules: map[int][]string{0: {oracle.RuleClangUnnamedBitfield}},
	},
	{
		name:   "GCC: a long at offset 4 is unaligned whatever its typedef says",
		source: "GCC classify_argument: bit_offset % mode_alignment; seen with gcc 12.2",
		c: "typedef long t1 __attribute__((aligned(4)));\nstruct s1 { int a; t1 b; };\n" +
			"void f(struct s1 a0, long a1);",
		want:  []string{"sp+0-11", "rdi.0-7"},
		rules: map[int][]string{0: {oracle.RuleGCCModeAlign, oracle.RuleSysVUnaligned}},
	},
	{
		name: "clang: the same long is aligned to its type and classifies only its first eightbyte",
		source: "clang X86_64ABIInfo::classify: Offset % getTypeAlign, \"Current = OffsetBase < 64 ? Lo : Hi\"; " +
			"seen with clang 14 (bytes 8-11 passed nowhere)",
		variant: "sysv/clang14",
		c: "typedef long t1 __attribute__((aligned(4)));\nstruct s1 { int a; t1 b; };\n" +
			"void f(struct s1 a0, long a1);",
		want:  []string{"rdi.0-7 -4", "rsi.0-7"},
		rules: map[int][]string{0: {oracle.RuleClangTypeAlign}},
	},
	{
		name: "clang: a packed member of an 8-aligned record type is unaligned",
		source: "clang X86_64ABIInfo::classify checks records against their type's alignment, GCC only " +
			"scalars against their mode; seen with gcc 12.2 and clang 14",
		variant: "sysv/clang14",
		c: "struct in { int x; } __attribute__((aligned(8)));\n" +
			"struct out { int a; struct in b; } __attribute__((packed));\n" +
			"void f(struct out a0, long a1);",
		want: []string{"sp+0-11", "rdi.0-7"},
	},
	{
		name:   "GCC: an empty record with a bit-field takes its register but never stack",
		source: "GCC is_empty_type / ix86_is_empty_record (no stack space); seen with gcc 12.2",
		c: "struct s1 { char : 1; };\n" +
			"void f(struct s1 a0, int a1, long a2, long a3, long a4, long a5, struct s1 a6, int a7);",
		want:  []string{"rdi.0", "rsi.0-3", "rdx.0-7", "rcx.0-7", "r8.0-7", "r9.0-7", "-1", "sp+0-3"},
		rules: map[int][]string{0: {oracle.RuleGCCEmpty}},
	},
	{
		name:    "clang: an empty record with a bit-field is ignored",
		source:  "clang: unnamed bit-fields skipped, NO_CLASS/NO_CLASS ignored; seen with clang 14",
		variant: "sysv/clang14",
		c: "struct s1 { char : 1; };\n" +
			"void f(struct s1 a0, int a1);",
		want: []string{"-1", "rdi.0-3"},
	},
	{
		name:   "a record aligned to 32 on the stack",
		source: "psABI \"pass the argument on the stack at an address respecting the arguments alignment\"; seen with gcc 12.2 and clang 14",
		c: "struct s32 { int x; } __attribute__((aligned(32)));\n" +
			"void f(long a0, long a1, long a2, long a3, long a4, long a5, int a6, struct s32 a7);",
		want: []string{"rdi.0-7", "rsi.0-7", "rdx.0-7", "rcx.0-7", "r8.0-7", "r9.0-7", "sp+0-3", "sp+32-63"},
	},
	{
		name:   "a typedef's aligned(32) does not move a record on the stack",
		source: "GCC ix86_function_arg_boundary uses TYPE_MAIN_VARIANT; seen with gcc 12.2 and clang 14",
		c: "struct s { long x, y; };\ntypedef struct s ts __attribute__((aligned(32)));\n" +
			"void f(long a0, long a1, long a2, long a3, long a4, long a5, int a6, ts a7);",
		want: []string{"rdi.0-7", "rsi.0-7", "rdx.0-7", "rcx.0-7", "r8.0-7", "r9.0-7", "sp+0-3", "sp+8-23"},
	},
	{
		name:   "nine doubles: the ninth on the stack",
		source: "psABI \"If the class is SSE, the next available vector register is used … %xmm0 to %xmm7\"",
		c: "void f(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, " +
			"double a8, float a9);",
		want: []string{"xmm0.0-7", "xmm1.0-7", "xmm2.0-7", "xmm3.0-7", "xmm4.0-7", "xmm5.0-7", "xmm6.0-7",
			"xmm7.0-7", "sp+0-7", "sp+8-11"},
	},
}

// formatSysV folds bytes into runs as loc.Run prints them, with "-N" for
// N consecutive bytes passed nowhere.
func formatSysV(bytes []loc.Loc) string {
	var parts []string
	for i := 0; i < len(bytes); {
		if bytes[i].IsZero() {
			j := i
			for j < len(bytes) && bytes[j].IsZero() {
				j++
			}
			parts = append(parts, fmt.Sprintf("-%d", j-i))
			i = j
			continue
		}
		j := i + 1
		for j < len(bytes) && !bytes[j].IsZero() && bytes[j-1].Next() == bytes[j] {
			j++
		}
		parts = append(parts, loc.Run{First: bytes[i], Len: j - i}.String())
		i = j
	}
	return strings.Join(parts, " ")
}

func TestSysVPlacements(t *testing.T) {
	for _, tc := range sysvCases {
		t.Run(tc.name, func(t *testing.T) {
			fn, err := ctype.Parse("case.c", []byte(tc.c))
			if err != nil {
				t.Fatal(err)
			}
			v, err := oracle.LookupIn(oracle.SysV, tc.variant)
			if err != nil {
				t.Fatal(err)
			}
			p, err := oracle.Place(fn, v)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Args) != len(tc.want) {
				t.Fatalf("%d arguments placed, want %d", len(p.Args), len(tc.want))
			}
			for i, a := range p.Args {
				if got := formatSysV(a.Bytes); got != tc.want[i] {
					t.Errorf("a%d %s:\n-want %s\n+got  %s\n(source: %s)", i, a.Type, tc.want[i], got, tc.source)
				}
				if a.Size != len(a.Bytes) && a.Size != 0 {
					t.Errorf("a%d: size %d, %d bytes placed", i, a.Size, len(a.Bytes))
				}
				for _, r := range tc.rules[i] {
					if !slices.Contains(a.Rules, r) {
						t.Errorf("a%d: rules %q lack %q", i, a.Rules, r)
					}
				}
			}
		})
	}
}

// Every variant is found by its name, PlaceNamed reaches both ABIs, and an
// unknown name is an error naming the known ones.
func TestSysVLookup(t *testing.T) {
	for _, v := range oracle.SysV.Variants() {
		got, err := oracle.LookupIn(oracle.SysV, v.Name)
		if err != nil || got.Name != v.Name || v.Doc == "" {
			t.Errorf("LookupIn(SysV, %q) = %v, %v (doc %q)", v.Name, got, err, v.Doc)
		}
	}
	if v, err := oracle.LookupIn(oracle.SysV, ""); err != nil || v.Name != "sysv" {
		t.Errorf("LookupIn(SysV, \"\") = %v, %v; want the default sysv", v, err)
	}
	if _, err := oracle.LookupIn(oracle.SysV, "sysv/msvc"); err == nil || !strings.Contains(err.Error(), "sysv/clang14") {
		t.Errorf("unknown variant: %v", err)
	}
	fn, err := ctype.Parse("f.c", []byte("void f(int a0, double a1);"))
	if err != nil {
		t.Fatal(err)
	}
	x86, err := oracle.PlaceNamed(fn, "sysv")
	if err != nil || formatSysV(x86.Args[0].Bytes) != "rdi.0-3" || formatSysV(x86.Args[1].Bytes) != "xmm0.0-7" {
		t.Errorf("PlaceNamed sysv: %v %v", x86, err)
	}
	arm, err := oracle.PlaceNamed(fn, "aapcs64")
	if err != nil || formatSysV(arm.Args[0].Bytes) != "x0.0-3" {
		t.Errorf("PlaceNamed aapcs64: %v %v", arm, err)
	}
	if _, err := oracle.PlaceNamed(fn, "sysv/nope"); err == nil {
		t.Error("PlaceNamed took an unknown SysV variant")
	}
}

// Bad input is an error, never a panic.
func TestSysVBadInput(t *testing.T) {
	self := &ctype.Record{Name: "s"}
	self.Members = []ctype.Member{{Name: "m", Type: self}}
	for _, tc := range []struct {
		name string
		fn   *ctype.Func
	}{
		{"nil", nil},
		{"no type", &ctype.Func{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "a"}}}},
		{"void parameter", &ctype.Func{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "a", Type: ctype.TVoid}}}},
		{"record in itself", &ctype.Func{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "a", Type: self}}}},
		{"incomplete record", &ctype.Func{Name: "f", Return: ctype.TVoid,
			Params: []ctype.Param{{Name: "a", Type: &ctype.Record{Name: "x", Incomplete: true}}}}},
		{"array return", &ctype.Func{Name: "f", Return: &ctype.Array{Elem: ctype.TInt, Len: 2}}},
		{"incomplete return", &ctype.Func{Name: "f", Return: &ctype.Record{Name: "x", Incomplete: true}}},
	} {
		_, err := oracle.SysV.Default().Place(tc.fn)
		if !errors.Is(err, ctype.ErrInvalid) {
			t.Errorf("%s: error %v, want one wrapping ctype.ErrInvalid", tc.name, err)
		}
	}
}

var (
	sysvN    = flag.Int("sysv.n", 20000, "signatures TestSysVAgreementWithCompilers draws (-short: 1000)")
	sysvSeed = flag.Uint64("sysv.seed", 1, "seed of TestSysVAgreementWithCompilers")
)

// TestSysVAgreementWithCompilers draws random signatures (gen.Full:
// records, packed, aligned, bit-fields, unions, __int128, float, double,
// long double, MEMORY returns), has the host's gcc 12.2 and clang 14
// compile and run them natively (truth, batched), and requires every value
// byte the oracle places to be among the locations the compiler used: sysv
// against gcc, sysv/clang14 against clang. A gcc/clang divergence is
// logged, not failed, but the two variants must predict it and its
// compiler rules must be listed in testdata/sysv-divergences.md.
func TestSysVAgreementWithCompilers(t *testing.T) {
	toolchain.Require(t, toolchain.HostGCC, toolchain.Clang)
	n := *sysvN
	if testing.Short() {
		n = min(n, 1000)
	}
	r, err := oraclecheck.RunSysV(context.Background(), oraclecheck.Options{N: n, Seed: *sysvSeed})
	if err != nil {
		t.Fatal(err)
	}
	checkAgreement(t, r, 2*n*95/100, "testdata/sysv-divergences.md")
}

// Every rule line of the divergences file is a compiler rule the SysV
// oracle emits.
func TestSysVDivergencesFileNamesOracleRules(t *testing.T) {
	known := []string{oracle.RuleGCCModeAlign, oracle.RuleClangTypeAlign, oracle.RuleGCCUnnamedBitfield,
		oracle.RuleClangUnnamedBitfield, oracle.RuleGCCEmpty, oracle.RuleClangEmptyMemory,
		oracle.RuleLLVMInt128Split, oracle.RuleLLVMInt128Align8, oracle.RuleLLVMFrontendR9}
	rules := listedRules(t, "testdata/sysv-divergences.md")
	if len(rules) == 0 {
		t.Fatal("no rule: lines in testdata/sysv-divergences.md")
	}
	for _, r := range rules {
		if !slices.Contains(known, r) {
			t.Errorf("sysv-divergences.md lists %q, which the oracle never emits", r)
		}
	}
}

// sysvBenchSignature is 12 arguments covering the classifier's paths:
// mixed INTEGER/SSE records, a packed (unaligned) record, a NO_CLASS
// eightbyte, a union with long double, bit-fields, __int128 at the
// register boundary, a MEMORY record and a MEMORY return.
const sysvBenchSignature = `struct mix { int a, b; double d; };
struct ff { float x[3]; };
struct pk { char c; long l; } __attribute__((packed));
struct al { long a __attribute__((aligned(16))); };
union ul { long double d; char c[16]; };
struct bf { long long y:57; char z:7; };
struct in { struct mix m; };
struct big { long x[5]; };
struct big f(int a0, struct mix a1, struct ff a2, struct pk a3, struct al a4, union ul a5, struct bf a6,
	struct in a7, __int128 a8, double a9, struct big a10, long double a11);
`

// BenchmarkSysV measures one placement of a 12-argument signature (ns/op
// is per signature).
func BenchmarkSysV(b *testing.B) {
	fn, err := ctype.Parse("bench.c", []byte(sysvBenchSignature))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := oracle.SysV.Default().Place(fn); err != nil {
			b.Fatal(err)
		}
	}
}

// sysvKernelSignature is 12 arguments of the kinds x86-64 kernel functions
// take (no floating point: the kernel builds with -mno-sse -mno-80387):
// pointers, integers, small and 16-aligned records, __int128 at the
// register boundary, records on the stack.
const sysvKernelSignature = `struct sock;
struct pair { long a; long b; };
struct al { long a __attribute__((aligned(16))); };
struct small { int a; short b; } __attribute__((packed));
void f(struct sock *a0, int a1, struct pair a2, unsigned long a3, __int128 a4, struct al a5, void *a6,
	struct small a7, int a8, struct pair a9, unsigned char a10, long a11);
`

// BenchmarkSysVKernel measures the kernel-like 12-argument signature.
func BenchmarkSysVKernel(b *testing.B) {
	fn, err := ctype.Parse("kernel.c", []byte(sysvKernelSignature))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := oracle.SysV.Default().Place(fn); err != nil {
			b.Fatal(err)
		}
	}
}
