package ctype

import (
	"reflect"
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
