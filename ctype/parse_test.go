package ctype_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
)

// parseErrorTests: input, then the first error exactly as Parse reports
// it (positions counted by hand: line and byte column of the offending
// token). Everything outside the canonical subset is rejected.
var parseErrorTests = []struct{ name, in, want string }{
	{"function body", "void f(int a) { }", "t.c:1:15: function bodies are not supported; write a prototype ending in ';'"},
	{"include", "#include <stdio.h>\nvoid f(int a);", "t.c:1:1: preprocessor directives are not supported (write the types out)"},
	{"define on line 2", "struct s { int a; };\n  #define X 1\nvoid f(int a);", "t.c:2:3: preprocessor directives are not supported (write the types out)"},
	{"unknown typedef", "void f(foo_t a);", "t.c:1:8: unknown type name foo_t"},
	{"unknown member typedef", "struct s {\n\tsize_t n;\n};\nvoid f(struct s a);", "t.c:2:2: unknown type name size_t"},
	{"varargs", "void f(int a, ...);", "t.c:1:15: variadic functions (...) are not supported"},
	{"aligned(3)", "struct s { int a; } __attribute__((aligned(3)));\nvoid f(struct s a);", "t.c:1:36: requested alignment 3 is not a positive power of 2"},
	{"aligned(0)", "struct s { int a __aligned(0); };\nvoid f(struct s a);", "t.c:1:18: requested alignment 0 is not a positive power of 2"},
	{"aligned too large", "struct s { int x; } __attribute__((aligned(8192)));\nvoid f(struct s a);", "t.c:1:36: aligned(8192) is larger than the 4096 trampfuzz models"},
	{"typedef aligned(6)", "typedef int t __attribute__((aligned(6)));\nvoid f(t a);", "t.c:1:30: requested alignment 6 is not a positive power of 2"},
	{"array of void", "struct s { void a[2]; };\nvoid f(struct s a);", "t.c:1:17: array of void"},
	{"self-containing record", "struct s { struct s a; };\nvoid f(struct s a);", "t.c:1:21: member a has incomplete type struct s"},
	{"old-style f()", "void f();", "t.c:1:8: write f(void) for a function without parameters; f() is an old-style declaration"},
	{"missing semicolon", "void f(int a)", "t.c:1:14: expected ';', found end of file"},
	{"two prototypes", "void f(int a); void g(int b);", "t.c:1:16: expected end of file after the prototype, found identifier void (exactly one prototype, after the definitions)"},
	{"two prototypes in one declaration", "void f(int a), g(int b);", "t.c:1:14: declare exactly one function prototype"},
	{"no prototype", "struct s { int a; };", "t.c:1:21: expected a function prototype, found end of file"},
	{"empty file", "", "t.c:1:1: expected a function prototype, found end of file"},
	{"variable", "int x;\nvoid f(int a);", "t.c:1:5: variable declarations are not supported (only types and one prototype)"},
	{"bit-field too wide", "struct s { int a : 33; };\nvoid f(struct s a);", "t.c:1:1: struct s member a: width of bit-field (33 bits) exceeds its type (32 bits)"},
	{"_Bool bit-field too wide", "struct s { _Bool a : 2; };\nvoid f(struct s a);", "t.c:1:1: struct s member a: width of bit-field (2 bits) exceeds its type (1 bits)"},
	{"named zero-width bit-field", "struct s { int a : 0; };\nvoid f(struct s a);", "t.c:1:1: struct s member a: zero width for a named bit-field"},
	{"float bit-field", "struct s { float a : 3; };\nvoid f(struct s a);", "t.c:1:1: struct s member a: bit-field has non-integer type"},
	{"duplicate member", "struct s { int a; int a; };\nvoid f(struct s a);", "t.c:1:1: struct s: duplicate member a"},
	{"duplicate member through anonymous member", "struct s { int a; struct { int a; }; };\nvoid f(struct s a);", "t.c:1:1: struct s: duplicate member a"},
	{"duplicate parameter", "void f(int a, int a);", "t.c:1:6: parameter 1: duplicate parameter name a"},
	{"duplicate enumerator", "enum e { A, B }; enum e2 { A };\nvoid f(enum e a);", "t.c:1:28: redefinition of enumerator A"},
	{"incomplete parameter", "void f(struct nope a);", "t.c:1:6: parameter 0 has incomplete type struct nope"},
	{"declared, never defined", "struct s;\nvoid f(struct s a);", "t.c:2:6: parameter 0 has incomplete type struct s"},
	{"unterminated comment", "/* unterminated\nvoid f(int a);", "t.c:1:1: comment not terminated"},
	{"packed typedef", "typedef int t __attribute__((packed));\nvoid f(t a);", "t.c:1:13: packed on a typedef name is ignored by GCC; put it on the record"},
	{"array parameter", "void f(int a[3]);", "t.c:1:6: parameter 0: an array parameter decays to a pointer; write the pointer"},
	{"function pointer", "void f(void (*cb)(int));", "t.c:1:13: function pointers and parenthesized declarators are not supported"},
	{"flexible array", "struct s { int n; int a[]; };\nvoid f(struct s a);", "t.c:1:24: flexible array members are not supported"},
	{"zero-length array", "struct s { int a[0]; };\nvoid f(struct s a);", "t.c:1:17: array length 0: zero-length and negative arrays are not supported"},
	{"attribute on a parameter", "void f(int __attribute__((aligned(8))) a);", "t.c:1:8: packed or aligned on a parameter is not modelled"},
	{"long long long", "void f(long long long a);", "t.c:1:8: invalid combination of type specifiers: long long long"},
	{"signed unsigned", "void f(signed unsigned a);", "t.c:1:8: invalid combination of type specifiers: signed unsigned"},
	{"unsigned float", "void f(unsigned float a);", "t.c:1:8: invalid combination of type specifiers: unsigned float"},
	{"two types", "void f(int struct s a);", "t.c:1:12: two types in one declaration"},
	{"typedef redefined", "typedef int t; typedef long t;\nvoid f(t a);", "t.c:1:29: redefinition of typedef t"},
	{"tag of another kind", "struct s { int x; }; union s { int y; };\nvoid f(struct s a);", "t.c:1:22: s used as a different kind of tag"},
	{"record redefined", "struct s { int x; }; struct s { int y; };\nvoid f(struct s a);", "t.c:1:22: redefinition of struct s"},
	// gcc 12: "error: nested redefinition of 'struct node'".
	{"nested redefinition by value", "struct node { struct node { int b; } A; };\nvoid f(struct node x);", "t.c:1:15: nested redefinition of struct node"},
	{"nested redefinition by pointer", "struct node { struct node { int b; } *p; };\nvoid f(struct node x);", "t.c:1:15: nested redefinition of struct node"},
	// gcc 12 after typedef unsigned char u8: "conflicting types for 'u8'".
	{"built-in typedef redefined", "struct a { u8 x; };\ntypedef int u8;\nvoid f(u8 p);", "t.c:2:13: redefinition of typedef u8, used above as the built-in u8"},
	{"unclosed parameters", "void f(int a", "t.c:1:13: expected ')', found end of file"},
	{"trailing comma", "void f(int a,);", "t.c:1:14: expected a type, found ')'"},
	{"declares nothing", "struct { int x; };\nvoid f(int a);", "t.c:1:1: declaration declares nothing"},
	{"incomplete enum", "enum e;\nvoid f(int a);", "t.c:1:1: enum e is not defined (incomplete enums are not supported)"},
	{"other attribute on a record", "struct s { int a; } __attribute__((noinline));\nvoid f(struct s a);", "t.c:1:36: unsupported attribute noinline on struct (only packed and aligned(N) change layout)"},
	{"array element aligned beyond its size", "typedef char t __attribute__((aligned(16)));\nstruct s { t a[2]; };\nvoid f(struct s a);", "t.c:2:1: struct s member a: alignment of array elements (16) is greater than element size (1)"},
	{"parenthesized declarator", "void f(int (a));", "t.c:1:12: function pointers and parenthesized declarators are not supported"},
	{"record too large", "struct s { char c[4096][4096]; char d; };\nvoid f(struct s a);", "t.c:1:1: struct s is larger than 16777216 bytes"},
	{"array too large", "struct s { char c[16777217]; };\nvoid f(struct s a);", "t.c:1:18: array length 16777217 is too large"},
	{"enumerator overflow", "enum e { A = 9223372036854775807, B };\nvoid f(enum e a);", "t.c:1:35: enumerator value overflows"},
	{"constant too large", "enum e { A = 9223372036854775808 };\nvoid f(enum e a);", "t.c:1:14: invalid or too large integer constant 9223372036854775808"},
	{"incomplete expression", "struct s { int a : 3 + ; };\nvoid f(struct s a);", "t.c:1:24: expected a constant, found ';'"},
	{"shift overflow", "struct s { int a : 1 << 63; };\nvoid f(struct s a);", "t.c:1:22: shift overflows"},
	{"division by zero", "enum e { A = 1 / 0 };\nvoid f(enum e a);", "t.c:1:16: division by zero"},
	{"attributes before an anonymous member", "struct s { char c; __attribute__((aligned(16))) struct { char m; }; };\nvoid f(struct s a);", "t.c:1:20: attributes before an anonymous member are not portable; put them after its closing brace"},
	{"void parameter", "void f(void a);", "t.c:1:8: parameter has type void"},
	{"function returning an array", "typedef int t[2];\nt f(int a);", "t.c:2:3: function f returns an array"},
	{"member without name", "struct s { int; };\nvoid f(struct s a);", "t.c:1:12: declaration does not declare a member"},
	{"typedef in a record", "struct s { typedef int t; };\nvoid f(struct s a);", "t.c:1:12: typedef is only allowed at file scope"},
	{"stray token", "void f(int a) @;", "t.c:1:15: expected ';', found '@'"},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range parseErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			fn, err := ctype.Parse("t.c", []byte(tt.in))
			if err == nil {
				t.Fatalf("Parse(%q) accepted:\n%s", tt.in, ctype.Render(fn))
			}
			if fn != nil {
				t.Errorf("Parse returned a function with its error")
			}
			var list ctype.ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("error %T is not a non-empty ctype.ErrorList", err)
			}
			if got := list[0].Error(); got != tt.want {
				t.Errorf("Parse(%q):\n-want %s\n+got  %s", tt.in, tt.want, got)
			}
		})
	}
}

// parseAcceptTests: every accepted spelling of the Parse doc comment, and
// the canonical text it stands for (written by hand from DESIGN.md's
// format: definitions in first-use order, one per line, then the
// prototype).
var parseAcceptTests = []struct{ name, in, want string }{
	{"canonical", "struct s1 { char a; long b; } __attribute__((packed));\nvoid f(struct s1 a0);\n",
		"struct s1 { char a; long b; } __attribute__((packed));\nvoid f(struct s1 a0);\n"},
	{"one attribute list", "struct s { char a; long b; } __attribute__((packed, aligned(16)));\nvoid f(struct s a);",
		"struct s { char a; long b; } __attribute__((packed, aligned(16)));\nvoid f(struct s a);\n"},
	{"two attribute lists", "struct s { char c; } __attribute__((aligned(8))) __attribute__((packed));\nvoid f(struct s);",
		"struct s { char c; } __attribute__((packed, aligned(8)));\nvoid f(struct s);\n"},
	{"__packed__ before the body", "struct __attribute__((__packed__)) s { char a; long b; };\nvoid f(struct s a);",
		"struct s { char a; long b; } __attribute__((packed));\nvoid f(struct s a);\n"},
	{"__aligned__ on a member", "struct s { char a; long b __attribute__((__aligned__(16))); };\nvoid f(struct s a);",
		"struct s { char a; long b __attribute__((aligned(16))); };\nvoid f(struct s a);\n"},
	{"attribute before the member type", "struct s { __attribute__((aligned(8))) int a; };\nvoid f(struct s a);",
		"struct s { int a __attribute__((aligned(8))); };\nvoid f(struct s a);\n"},
	{"aligned without argument is 16", "struct s { int a __attribute__((aligned)); };\nvoid f(struct s a);",
		"struct s { int a __attribute__((aligned(16))); };\nvoid f(struct s a);\n"},
	{"kernel __packed", "struct s { char a; long b; } __packed;\nvoid f(struct s a);",
		"struct s { char a; long b; } __attribute__((packed));\nvoid f(struct s a);\n"},
	{"kernel __aligned(N)", "struct s { char a; long b __aligned(8); } __aligned(16);\nvoid f(struct s a);",
		"struct s { char a; long b __attribute__((aligned(8))); } __attribute__((aligned(16)));\nvoid f(struct s a);\n"},
	{"aligned constant expression", "struct s { int a __aligned(2 * 4); };\nvoid f(struct s a);",
		"struct s { int a __attribute__((aligned(8))); };\nvoid f(struct s a);\n"},
	{"packed and aligned on a member", "struct s { char c; long x __attribute__((packed, aligned(2))); };\nvoid f(struct s a);",
		"struct s { char c; long x __attribute__((packed, aligned(2))); };\nvoid f(struct s a);\n"},
	{"typedef aligned", "struct s { long x; };\ntypedef struct s t __attribute__((aligned(4)));\nvoid f(t a);",
		"struct s { long x; };\ntypedef struct s t __attribute__((aligned(4)));\nvoid f(t a);\n"},
	// include/uapi/asm-generic/int-ll64.h, include/uapi/linux/types.h,
	// include/linux/types.h (bool).
	{"kernel integer typedefs", "void f(u8 a, u16 b, u32 c, u64 d, s8 e, s16 g, s32 h, s64 i, __u8 j, __s64 k, __aligned_u64 l, bool m);",
		"typedef unsigned char u8;\ntypedef unsigned short u16;\ntypedef unsigned int u32;\ntypedef unsigned long long u64;\n" +
			"typedef signed char s8;\ntypedef short s16;\ntypedef int s32;\ntypedef long long s64;\ntypedef unsigned char __u8;\n" +
			"typedef long long __s64;\ntypedef unsigned long long __u64;\ntypedef __u64 __aligned_u64 __attribute__((aligned(8)));\n" +
			"typedef _Bool bool;\nvoid f(u8 a, u16 b, u32 c, u64 d, s8 e, s16 g, s32 h, s64 i, __u8 j, __s64 k, __aligned_u64 l, bool m);\n"},
	{"__u16 __s16 __u32 __s32 __u64 __s8", "void f(__u16 a, __s16 b, __u32 c, __s32 d, __u64 e, __s8 g);",
		"typedef unsigned short __u16;\ntypedef short __s16;\ntypedef unsigned int __u32;\ntypedef int __s32;\ntypedef unsigned long long __u64;\ntypedef signed char __s8;\n" +
			"void f(__u16 a, __s16 b, __u32 c, __s32 d, __u64 e, __s8 g);\n"},
	{"a file's own u64 wins", "typedef unsigned long u64;\nvoid f(u64 a);", "typedef unsigned long u64;\nvoid f(u64 a);\n"},
	{"comments and white space", "/* c */ void // x\n  f ( const int a , volatile long * const b ) ;",
		"void f(int a, long *b);\n"},
	{"qualifiers and kernel annotations", "static inline noinline notrace asmlinkage __bpf_kfunc int f(const char *__user p, int __percpu *q);",
		"int f(char *p, int *q);\n"},
	{"restrict", "void f(char *const *restrict p);", "void f(char **p);\n"},
	{"function attributes", "__attribute__((noinline)) void f(int a) __attribute__((noinline));", "void f(int a);\n"},
	{"enum expressions", "enum e { A = 1 << 3, B = A + 1, C = -5, D = (7 & ~2) | 0x10, E = 010, F = 0b11, G } __attribute__((packed));\nvoid f(enum e a);",
		"enum e { A = 8, B = 9, C = -5, D = 21, E = 8, F = 3, G = 4 } __attribute__((packed));\nvoid f(enum e a);\n"},
	{"largest enumerator", "enum e { A = 9223372036854775806, B };\nvoid f(enum e a);",
		"enum e { A = 9223372036854775806, B = 9223372036854775807 };\nvoid f(enum e a);\n"},
	{"smallest enumerator", "enum e { A = -9223372036854775807 - 1 };\nvoid f(enum e a);",
		"enum e { A = -9223372036854775807 - 1 };\nvoid f(enum e a);\n"},
	{"typedef of an anonymous struct", "typedef struct { int a; } t;\nvoid f(t a);", "typedef struct { int a; } t;\nvoid f(t a);\n"},
	{"several declarators", "struct s { int a, b : 3, c[2], *d; };\nvoid f(struct s a);",
		"struct s { int a; int b : 3; int c[2]; int *d; };\nvoid f(struct s a);\n"},
	{"anonymous members", "struct s { struct { int x; }; union { int y; float z; } __attribute__((aligned(8))); };\nvoid f(struct s a);",
		"struct s { struct { int x; }; union { int y; float z; } __attribute__((aligned(8))); };\nvoid f(struct s a);\n"},
	{"unnamed and zero-width bit-fields", "struct s { int a : 3; int : 2; long : 0; char b; };\nvoid f(struct s a);",
		"struct s { int a : 3; int : 2; long : 0; char b; };\nvoid f(struct s a);\n"},
	{"type words in any order", "void f(unsigned a, long unsigned int b, signed c, short int d, long long int e, unsigned __int128 g, __int128_t h, __uint128_t i, long double j, _Bool k, __int128 unsigned l, char signed m, int long n, __signed__ char o);",
		"void f(unsigned int a, unsigned long b, int c, short d, long long e, unsigned __int128 g, __int128 h, unsigned __int128 i, long double j, _Bool k, unsigned __int128 l, signed char m, long n, signed char o);\n"},
	{"forward declaration and later definition", "struct a; struct b { struct a *p; }; struct a { int x; };\nvoid f(struct b x, struct a *y);",
		"struct b { struct a *p; };\nstruct a { int x; };\nvoid f(struct b x, struct a *y);\n"},
	{"pointer to a record never defined", "struct s;\nvoid f(struct s *p);", "struct s;\nvoid f(struct s *p);\n"},
	{"self-referencing record", "struct node { struct node *next; int v; };\nvoid f(struct node n);", "struct node { struct node *next; int v; };\nvoid f(struct node n);\n"},
	{"unnamed parameters", "void f(int, long);", "void f(int, long);\n"},
	{"no parameters", "void f(void);", "void f(void);\n"},
	{"pointer return", "int *f(int a);", "int *f(int a);\n"},
	{"record defined in the parameter list", "void f(struct s { int x; } a);", "struct s { int x; };\nvoid f(struct s a);\n"},
	{"anonymous enum parameter", "void f(enum { X, Y } a);", "void f(enum { X = 0, Y = 1 } a);\n"},
	{"typedef of void", "typedef void v; void f(v *p);", "typedef void v;\nvoid f(v *p);\n"},
	{"unused definitions are dropped", "struct unused { int x; };\nenum e { A };\nvoid f(int a);", "void f(int a);\n"},
	{"typedef pointee before its use", "typedef int t;\nstruct s { t *p; };\nvoid f(struct s a);", "typedef int t;\nstruct s { t *p; };\nvoid f(struct s a);\n"},
	{"line continuation", "void f(int \\\na);", "void f(int a);\n"},
	{"integer suffixes", "struct s { char c[4UL]; int a : 3u; };\nvoid f(struct s a);", "struct s { char c[4]; int a : 3; };\nvoid f(struct s a);\n"},
	{"multi-dimensional array", "struct s { int a[2][3]; };\nvoid f(struct s a);", "struct s { int a[2][3]; };\nvoid f(struct s a);\n"},
}

func TestParseAccepts(t *testing.T) {
	for _, tt := range parseAcceptTests {
		t.Run(tt.name, func(t *testing.T) {
			fn, err := ctype.Parse("t.c", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := ctype.Render(fn); got != tt.want {
				t.Errorf("Render(Parse(%q)):\n-want %q\n+got  %q", tt.in, tt.want, got)
			}
			roundTrip(t, fn)
		})
	}
}

// roundTrip checks Render(fn) parses back to a deep-equal value that
// renders identically.
func roundTrip(t interface {
	Helper()
	Fatalf(string, ...any)
}, fn *ctype.Func) {
	t.Helper()
	text := ctype.Render(fn)
	fn2, err := ctype.Parse("rendered.c", []byte(text))
	if err != nil {
		t.Fatalf("canonical text does not parse: %v\n%s", err, text)
	}
	if !reflect.DeepEqual(fn, fn2) {
		t.Fatalf("Parse(Render(fn)) differs from fn:\n%s\nparsed back as:\n%s", text, ctype.Render(fn2))
	}
	if text2 := ctype.Render(fn2); text2 != text {
		t.Fatalf("Render(Parse(x)) != x:\n-want %q\n+got  %q", text, text2)
	}
}

// The canonical text of every generated signature parses back to the same
// value and the same text.
func TestRenderParseRoundTripGen(t *testing.T) {
	for _, p := range []struct {
		name string
		p    gen.Profile
	}{{"Full", gen.Full}, {"Kernel", gen.Kernel}} {
		t.Run(p.name, func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				roundTrip(rt, gen.Func(p.p).Draw(rt, "fn"))
			})
		})
	}
}

// checkErrorTests are invalid values built directly, the errors a C
// compiler would give plus the limits of the model.
func TestCheckErrors(t *testing.T) {
	self := &ctype.Record{Name: "s"}
	self.Members = []ctype.Member{{Name: "a", Type: self}}
	incomplete := &ctype.Record{Name: "inc", Incomplete: true}
	rec := func(ms ...ctype.Member) *ctype.Record { return &ctype.Record{Name: "s", Members: ms} }
	fn := func(ts ...ctype.Type) *ctype.Func {
		f := &ctype.Func{Name: "f", Return: ctype.TVoid}
		for i, t := range ts {
			f.Params = append(f.Params, ctype.Param{Name: "a" + string(rune('0'+i)), Type: t})
		}
		return f
	}
	tests := []struct {
		name string
		fn   *ctype.Func
		want string
	}{
		{"no name", &ctype.Func{Return: ctype.TVoid}, `function name "" is not an identifier`},
		{"keyword name", &ctype.Func{Name: "int", Return: ctype.TVoid}, `function name "int" is not an identifier`},
		{"no return type", &ctype.Func{Name: "f"}, "function f has no return type"},
		{"void parameter", fn(ctype.TVoid), "parameter 0 has type void"},
		{"nil parameter type", fn(nil), "parameter 0 has no type"},
		{"array parameter", fn(&ctype.Array{Elem: ctype.TInt, Len: 2}), "parameter 0: an array parameter decays to a pointer; write the pointer"},
		{"aligned(3) record", fn(&ctype.Record{Name: "s", Aligned: 3, Members: []ctype.Member{{Name: "a", Type: ctype.TInt}}}), "struct s: requested alignment 3 is not a positive power of 2"},
		{"aligned(3) member", fn(rec(ctype.Member{Name: "a", Type: ctype.TInt, Aligned: 3})), "struct s member a: requested alignment 3 is not a positive power of 2"},
		{"aligned(3) typedef", fn(&ctype.Typedef{Name: "t", Type: ctype.TInt, Aligned: 3}), "typedef t: requested alignment 3 is not a positive power of 2"},
		{"array of void", fn(rec(ctype.Member{Name: "a", Type: &ctype.Array{Elem: ctype.TVoid, Len: 2}})), "struct s member a: array of void"},
		{"zero-length array", fn(rec(ctype.Member{Name: "a", Type: &ctype.Array{Elem: ctype.TInt, Len: 0}})), "struct s member a: array length 0 (flexible and zero-length arrays are not modelled)"},
		{"record containing itself", fn(self), "struct s contains itself"},
		{"incomplete by value", fn(incomplete), "parameter 0 has incomplete type struct inc"},
		{"bit-field too wide", fn(rec(ctype.Member{Name: "a", Type: ctype.TChar, Bitfield: true, Bits: 9})), "struct s member a: width of bit-field (9 bits) exceeds its type (8 bits)"},
		{"bit-field of a record", fn(rec(ctype.Member{Name: "a", Type: &ctype.Record{Name: "r", Members: []ctype.Member{{Name: "x", Type: ctype.TInt}}}, Bitfield: true, Bits: 1})), "struct s member a: bit-field has non-integer type"},
		{"unnamed plain member", fn(rec(ctype.Member{Type: ctype.TInt})), "struct s member 0: a member needs a name (only bit-fields and records may be unnamed)"},
		{"attribute on an anonymous member", fn(rec(ctype.Member{Type: &ctype.Record{Members: []ctype.Member{{Name: "x", Type: ctype.TInt}}}, Aligned: 8})), "struct s member 0: packed or aligned on an anonymous member is not modelled (put it on the record type)"},
		{"duplicate member through an anonymous member", fn(rec(ctype.Member{Name: "x", Type: ctype.TInt}, ctype.Member{Type: &ctype.Record{Members: []ctype.Member{{Name: "x", Type: ctype.TInt}}}})), "struct s: duplicate member x"},
		{"two tags s", fn(rec(ctype.Member{Name: "x", Type: ctype.TInt}), rec(ctype.Member{Name: "y", Type: ctype.TInt})), "parameter 1: two different types tagged s"},
		{"empty enum", fn(&ctype.Enum{Name: "e"}), "parameter 0: enum e has no enumerators"},
		{"enumerator twice", fn(&ctype.Enum{Name: "e", Values: []ctype.Enumerator{{Name: "A"}, {Name: "A", Value: 1}}}), "parameter 0: enumerator A defined twice"},
		{"array elements aligned beyond their size", fn(rec(ctype.Member{Name: "a", Type: &ctype.Array{Elem: &ctype.Typedef{Name: "t", Type: ctype.TChar, Aligned: 4}, Len: 2}})), "struct s member a: alignment of array elements (4) is greater than element size (1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ctype.Check(tt.fn)
			if err == nil {
				t.Fatalf("Check accepted it")
			}
			if !errors.Is(err, ctype.ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if got := strings.TrimPrefix(err.Error(), ctype.ErrInvalid.Error()+": "); got != tt.want {
				t.Errorf("-want %s\n+got  %s", tt.want, got)
			}
		})
	}
}

// moduleRoot is the directory of go.mod above the test's directory.
func moduleRoot(t testing.TB) string {
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

// repoCFiles returns every .c file of the repository (examples/, corpus/,
// testdata/ …), skipping hidden directories.
func repoCFiles(t testing.TB) []string {
	var files []string
	root := moduleRoot(t)
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "_scratch") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".c") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

var errorFormat = regexp.MustCompile(`^fuzz\.c:\d+:\d+: \S`)

// FuzzParse: Parse never panics, every error is positioned, and every
// accepted input round-trips: Render(Parse(x)) parses again to a
// deep-equal value that renders identically.
func FuzzParse(f *testing.F) {
	for _, path := range repoCFiles(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, tt := range parseErrorTests {
		f.Add([]byte(tt.in))
	}
	for _, tt := range parseAcceptTests {
		f.Add([]byte(tt.in))
	}
	for i := 0; i < 50; i++ {
		f.Add([]byte(ctype.Render(gen.Func(gen.Full).Example(i))))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fn, err := ctype.Parse("fuzz.c", data)
		if _, first := (ctype.ParseOptions{MaxErrors: 1}).Parse("fuzz.c", data); (first == nil) != (err == nil) {
			t.Fatalf("Parse: %v; with MaxErrors 1: %v", err, first)
		}
		if err != nil {
			if fn != nil {
				t.Fatalf("Parse returned a function with an error")
			}
			if !errorFormat.MatchString(err.Error()) {
				t.Fatalf("error without a position: %q", err)
			}
			return
		}
		if err := ctype.Check(fn); err != nil {
			t.Fatalf("Parse accepted an invalid signature: %v\n%s", err, ctype.Render(fn))
		}
		roundTrip(t, fn)
	})
}

// deepChain is n records, each holding two of the one before:
// sizeof(struct cN) = 4 << n (C11 6.7.2.1: no padding between members of
// equal size and alignment).
func deepChain(n int) string {
	var b strings.Builder
	b.WriteString("struct c0 { int x; };\n")
	for i := 1; i <= n; i++ {
		b.WriteString("struct c" + strconv.Itoa(i) + " { struct c" + strconv.Itoa(i-1) + " a, b; };\n")
	}
	b.WriteString("void f(struct c" + strconv.Itoa(n) + " *p);\n")
	return b.String()
}

// A record reached through many paths is laid out once per query, not
// once per path (which took time exponential in the nesting depth).
func TestDeepNesting(t *testing.T) {
	const n = 20
	fn, err := ctype.Parse("deep.c", []byte(deepChain(n)))
	if err != nil {
		t.Fatal(err)
	}
	r := fn.Params[0].Type.(*ctype.Pointer).Elem
	if got, want := ctype.Sizeof(r), int64(4)<<n; got != want {
		t.Errorf("sizeof(struct c%d) = %d, want %d", n, got, want)
	}
	if got := ctype.LayoutOf(r.(*ctype.Record)).Fields[1].Offset; got != int64(4)<<(n-1) {
		t.Errorf("offsetof(struct c%d, b) = %d, want %d", n, got, int64(4)<<(n-1))
	}
}

func BenchmarkParseDeep(b *testing.B) {
	src := []byte(deepChain(20))
	for i := 0; i < b.N; i++ {
		if _, err := ctype.Parse("deep.c", src); err != nil {
			b.Fatal(err)
		}
	}
}

// TestParseMaxErrors: MaxErrors 1 rejects exactly what Parse rejects, with
// one error, the first Parse reports when the errors come in text order.
func TestParseMaxErrors(t *testing.T) {
	first := ctype.ParseOptions{MaxErrors: 1}
	var inputs []string
	for _, tt := range parseErrorTests {
		inputs = append(inputs, tt.in)
	}
	for _, tt := range parseAcceptTests {
		inputs = append(inputs, tt.in)
	}
	for _, in := range inputs {
		_, all := ctype.Parse("t.c", []byte(in))
		_, one := first.Parse("t.c", []byte(in))
		if (all == nil) != (one == nil) {
			t.Fatalf("%q: Parse: %v; MaxErrors 1: %v", in, all, one)
		}
		var list ctype.ErrorList
		if one != nil && (!errors.As(one, &list) || len(list) != 1) {
			t.Errorf("%q: MaxErrors 1 gave %v", in, one)
		}
	}
	src := []byte("struct a { int x }\nstruct b { long long long y; };\n#include <x.h>\nvoid f(void);\n")
	_, all := ctype.Parse("t.c", src)
	_, one := first.Parse("t.c", src)
	var allList, oneList ctype.ErrorList
	if !errors.As(all, &allList) || len(allList) != 3 {
		t.Fatalf("Parse: want 3 errors, got %v", all)
	}
	if !errors.As(one, &oneList) || len(oneList) != 1 || oneList[0].Error() != allList[0].Error() {
		t.Fatalf("MaxErrors 1: want only %v, got %v", allList[0], one)
	}
}
