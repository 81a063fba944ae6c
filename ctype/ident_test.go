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
