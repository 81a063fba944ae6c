package fuzz

import (
	"errors"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/corpus"
	"github.com/trampfuzz/trampfuzz/ctype"
)

func TestDecodeCText(t *testing.T) {
	fn, err := ctype.Parse("t.c", []byte("void f(int a0, __int128 a1);"))
	if err != nil {
		t.Fatal(err)
	}
	ti := TargetIndex("arm64/v6.17+pahole-1.24")
	if ti < 0 {
		t.Fatal("no target arm64/v6.17+pahole-1.24")
	}
	got, tg, err := Decode(EncodeC(fn, ti, true))
	if err != nil {
		t.Fatal(err)
	}
	if ctype.Render(got) != ctype.Render(fn) || tg.String() != "arm64/v6.17+pahole-1.24+struct_ops" {
		t.Fatalf("Decode = %q on %s", ctype.Render(got), tg)
	}
	if _, _, err := Decode([]byte{1}); !errors.Is(err, ErrShort) {
		t.Fatalf("short input: %v", err)
	}
}

// The even-pair case is a known class: tolerated normally, a finding in
// strict mode, with the word "mismatch" and the C text in the message.
func TestCheckInputStrictness(t *testing.T) {
	fn, _ := ctype.Parse("t.c", []byte("void f(int a0, __int128 a1);"))
	in := EncodeC(fn, TargetIndex(check.Default().String()), false)
	if err := CheckInput(in, Options{}); err != nil {
		t.Fatalf("known class failed without strict: %v", err)
	}
	err := CheckInput(in, Options{Strict: true})
	if !errors.Is(err, ErrFinding) || !strings.Contains(err.Error(), "mismatch") || !strings.Contains(err.Error(), "void f(int a0, __int128 a1);") {
		t.Fatalf("strict: %v", err)
	}
	if err := CheckInput(in, Options{Strict: true, Class: "HFA"}); err != nil {
		t.Fatalf("a class filter that does not match is not a finding: %v", err)
	}
	if err := CheckInput([]byte{0, ModeCText, '}'}, Options{Strict: true}); err != nil {
		t.Fatalf("a non-signature is not a finding: %v", err)
	}
}

func TestCorpusFileInputRejectsNothingValid(t *testing.T) {
	for _, fn := range Seeds() {
		if err := CorpusFileInput(corpus.Name(fn), []byte(ctype.Render(fn))); err != nil {
			t.Error(err)
		}
	}
	if len(Seeds()) == 0 {
		t.Fatal("no corpus seeds found")
	}
}
