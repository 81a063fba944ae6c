package ctype_test

import (
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
)

// TestIsIdent: C11 6.4.2.1, an identifier is a nondigit (_ a-z A-Z) then
// nondigits and digits; ctype takes no universal character names, and no
// keyword is an identifier (6.4.1).
func TestIsIdent(t *testing.T) {
	for s, want := range map[string]bool{
		"a": true, "_": true, "a1": true, "_9_": true, "Z0z": true, "__int128_x": true,
		"": false, "1a": false, "9": false, "a-b": false, "a b": false, "é": false, "aé": false,
		"int": false, "struct": false, "_Bool": false, "a\x00": false,
	} {
		if got := ctype.IsIdent(s); got != want {
			t.Errorf("IsIdent(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestNesting: how deep records nest by value, counted by hand: C11
// 6.7.2.1 members are objects of their type, so an array or typedef of a
// record nests it, a pointer does not.
func TestNesting(t *testing.T) {
	for src, want := range map[string]int{
		"void f(int a);": 0,
		"struct a { int x; };\nvoid f(struct a *p);":                                                              0,
		"struct a { int x; };\nvoid f(struct a p);":                                                               1,
		"struct a { int x; };\ntypedef struct a ta;\nvoid f(ta p);":                                               1,
		"struct b { int x; };\nstruct a { struct b x[2]; };\nvoid f(struct a p);":                                 2,
		"struct b { int x; };\nstruct a { struct b *x; };\nvoid f(struct a p);":                                   1,
		"struct c { char x; };\nstruct b { struct c y; };\nstruct a { int z; struct b x; };\nvoid f(struct a p);": 3,
		"struct a { union { struct { int x; } s; } u; };\nvoid f(struct a p);":                                    3,
	} {
		fn, err := ctype.Parse("t.c", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if got := ctype.Nesting(fn.Params[0].Type); got != want {
			t.Errorf("%q: Nesting = %d, want %d", src, got, want)
		}
	}
}

// IsBasic sees through typedefs only: a typedef of _Bool is _Bool, a
// pointer to void is not void.
func TestIsBasic(t *testing.T) {
	b := &ctype.Typedef{Name: "b", Type: &ctype.Typedef{Name: "bool", Type: ctype.TBool}}
	for _, tc := range []struct {
		t    ctype.Type
		k    ctype.BasicKind
		want bool
	}{
		{b, ctype.Bool, true},
		{ctype.TVoid, ctype.Void, true},
		{&ctype.Pointer{Elem: ctype.TVoid}, ctype.Void, false},
		{ctype.TInt, ctype.Bool, false},
		{nil, ctype.Void, false},
	} {
		if got := ctype.IsBasic(tc.t, tc.k); got != tc.want {
			t.Errorf("IsBasic(%v, %v) = %v", tc.t, tc.k, got)
		}
	}
}
