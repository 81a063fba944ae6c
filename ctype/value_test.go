package ctype

import (
	"reflect"
	"strings"
	"testing"
)

func TestValueBytes(t *testing.T) {
	tests := []struct {
		src  string
		ld   int64
		want string // one char per byte: v value, . padding
	}{
		// char at 0, 7 bytes of padding (long is 8-aligned), long at 8.
		{"struct s { char a; long b; };\nvoid f(struct s a);", 16, "v.......vvvvvvvv"},
		// Unnamed bit-field bits hold no value; a named one's bytes do.
		{"struct s { int : 8; int b : 8; short c; };\nvoid f(struct s a);", 16, ".vvv"},
		{"void f(long double a);", 10, "vvvvvvvvvv......"},
		{"void f(long double a);", 16, "vvvvvvvvvvvvvvvv"},
		{"struct s { char a __attribute__((aligned(16))); };\nvoid f(struct s a);", 16, "v..............."},
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
			t.Errorf("%s (long double %d): %s, want %s", tc.src, tc.ld, got, tc.want)
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
	got := PaddingBytes(fn, 10)
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
