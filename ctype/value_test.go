package ctype

import (
	"github.com/trampfuzz/trampfuzz/arch"
	"reflect"
	"strings"
	"testing"
)

func TestValueBytes(t *testing.T) {
	tests := []struct {
		src  string
		ld   *arch.Arch
		want string // one char per byte: v value, . padding
	}{
		// char at 0, 7 bytes of padding (long is 8-aligned), long at 8.
		{"struct s { char a; long b; };\nvoid f(struct s a);", arch.ARM64, "v.......vvvvvvvv"},
		// Unnamed bit-field bits hold no value; a named one's bytes do.
		{"struct s { int : 8; int b : 8; short c; };\nvoid f(struct s a);", arch.ARM64, ".vvv"},
		{"void f(long double a);", arch.X86_64, "vvvvvvvvvv......"},
		{"void f(long double a);", arch.ARM64, "vvvvvvvvvvvvvvvv"},
		{"struct s { char a __attribute__((aligned(16))); };\nvoid f(struct s a);", arch.ARM64, "v..............."},
		// An unnamed bit-field's long aligns the record on AArch64 (size 8)
		// but not on x86-64 (size 2): gcc and clang, both architectures.
		{"struct s { char a; long : 3; };\nvoid f(struct s a);", arch.ARM64, "v......."},
		{"struct s { char a; long : 3; };\nvoid f(struct s a);", arch.X86_64, "v."},
	}
	for _, tc := range tests {
		fn, err := Parse("v.c", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		for _, v := range ValueBytes(fn.Params[0].Type, tc.ld) {
			if v {
				got = append(got, 'v')
			} else {
				got = append(got, '.')
			}
		}
		if !reflect.DeepEqual(string(got), tc.want) {
			t.Errorf("%s (%s): %s, want %s", tc.src, tc.ld, got, tc.want)
		}
	}
}

func TestLongDoubleOffsets(t *testing.T) {
	// long double is 16-aligned (AAPCS64 Table 3; psABI Figure 3.1):
	// the char takes 0, the first long double 16, the array 32 and 48.
	fn, err := Parse("ld.c", []byte("struct s { char c; long double a; long double b[2]; };\nvoid f(struct s x, long double y, long z);"))
	if err != nil {
		t.Fatal(err)
	}
	if got := LongDoubleOffsets(fn.Params[0].Type); !reflect.DeepEqual(got, []int64{16, 32, 48}) {
		t.Errorf("struct: %v, want [16 32 48]", got)
	}
	if got := LongDoubleOffsets(fn.Params[1].Type); !reflect.DeepEqual(got, []int64{0}) {
		t.Errorf("scalar: %v, want [0]", got)
	}
	if got := LongDoubleOffsets(fn.Params[2].Type); got != nil {
		t.Errorf("long: %v, want none", got)
	}
}

// padString prints a padding mask as '.' (value) and 'p' (padding).
func padString(mask []bool) string {
	var b strings.Builder
	for _, p := range mask {
		if p {
			b.WriteByte('p')
		} else {
			b.WriteByte('.')
		}
	}
	return b.String()
}

// PaddingBytes follows the C layout (members at their offsets, the tail up to
// the alignment), unnamed bit-fields hold no value, and a long double is
// 10 value bytes in 16 (psABI 1.0 Figure 3.1: 80-bit extended, sizeof 16).
func TestPaddingBytesX86(t *testing.T) {
	fn := mustParseFunc(t, "struct cd { char c; double d; };\nstruct bf { int a : 3; int : 13; short b; };\n"+
		"union u { char c; short s; };\nstruct arr { long double x[2]; };\n"+
		"void f(struct cd a0, long double a1, struct bf a2, union u a3, int a4, struct arr a5);")
	want := []string{
		"." + strings.Repeat("p", 7) + strings.Repeat(".", 8),
		strings.Repeat(".", 10) + strings.Repeat("p", 6),
		".p..", // a:3 in byte 0; the unnamed 13 bits fill byte 1; b at 2
		"..",
		"....",
		strings.Repeat(".", 10) + strings.Repeat("p", 6) + strings.Repeat(".", 10) + strings.Repeat("p", 6),
	}
	got := PaddingBytes(fn, arch.X86_64)
	for i := range want {
		if s := padString(got[i]); s != want[i] {
			t.Errorf("a%d:\n-want %s\n+got  %s", i, want[i], s)
		}
	}
}

func mustParseFunc(t *testing.T, src string) *Func {
	t.Helper()
	fn, err := Parse("t.c", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return fn
}

// Unnamed bit-fields align an AArch64 record and not an x86-64 one. The
// expected sizes, alignments and offsets are what gcc 12 and clang 14 gave
// for these records on each architecture (x86-64 natively, AArch64 under
// qemu-aarch64).
func TestUnnamedBitfieldAlignmentPerArch(t *testing.T) {
	type want struct{ size, align, off int64 } // off: of the named member after the bit-field, -1 none
	for _, tc := range []struct {
		src        string
		arm64, x86 want
	}{
		{"struct s { char a; int :0; char b; };", want{8, 4, 4}, want{5, 1, 4}},
		{"struct s { char a; long :3; };", want{8, 8, -1}, want{2, 1, -1}},
		{"struct s { char a; long :3; char b; };", want{8, 8, 2}, want{3, 1, 2}},
		{"struct s { char a; __int128 :0; };", want{16, 16, -1}, want{16, 1, -1}},
		{"struct s { long m0; unsigned __int128 :26; };", want{16, 16, -1}, want{16, 8, -1}},
		{"union s { char a; long :5; };", want{8, 8, -1}, want{1, 1, -1}},
	} {
		kind, _, _ := strings.Cut(tc.src, " ")
		fn := mustParseFunc(t, tc.src+"\nvoid f("+kind+" s a0);")
		r := fn.Params[0].Type.(*Record)
		for _, c := range []struct {
			a *arch.Arch
			w want
		}{{arch.ARM64, tc.arm64}, {arch.X86_64, tc.x86}} {
			lay := Layouts{Arch: c.a}
			l := lay.Of(r)
			off := int64(-1)
			if n := len(r.Members); n == 3 {
				off = l.Fields[2].Offset
			}
			if got := (want{l.Size, l.Align, off}); got != c.w {
				t.Errorf("%s on %s: size/align/offset %v, want %v", tc.src, c.a, got, c.w)
			}
		}
	}
}
