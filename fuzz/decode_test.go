package fuzz

import (
	"encoding/hex"
	"errors"
	"os"
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
	in, err := EncodeC(fn, "arm64/v6.17+pahole-1.24", true)
	if err != nil {
		t.Fatal(err)
	}
	got, tg, err := Decode(in)
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
	in, err := EncodeC(fn, check.Default().String(), false)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckInput(in, Options{}); err != nil {
		t.Fatalf("known class failed without strict: %v", err)
	}
	err = CheckInput(in, Options{Strict: true})
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

// Inputs saved before inputs had a version decode as they did then
// (testdata/decode-v1.txt was written by that decoder: corpus cases on
// several targets, struct_ops, and random bytes).
func TestDecodeVersion1Inputs(t *testing.T) {
	data, err := os.ReadFile("testdata/decode-v1.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, block := range strings.Split(string(data), "\ninput ")[1:] {
		lines := strings.SplitN(block, "\n", 3)
		in, err := hex.DecodeString(lines[0])
		if err != nil {
			t.Fatal(err)
		}
		n++
		fn, tg, err := Decode(in)
		if lines[1] == "error" {
			if err == nil {
				t.Errorf("%s: decodes now, did not then", lines[0])
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v; was %s", lines[0], err, lines[1])
			continue
		}
		want := strings.TrimPrefix(lines[1], "target ")
		if tg.String() != want || ctype.Render(fn) != strings.TrimSuffix(lines[2], "\n")+"\n" && ctype.Render(fn) != lines[2] {
			t.Errorf("%s: %s\n%s\nwas %s\n%s", lines[0], tg, ctype.Render(fn), want, lines[2])
		}
	}
	if n < 50 {
		t.Fatalf("%d recorded inputs", n)
	}
}

// The target table only grows: the recorded table is a prefix of it, every
// entry reads back, and every target the fuzzers draw and every stable row
// has an id (a new model must be appended to targetids.go).
func TestTargetTableOnlyGrows(t *testing.T) {
	data, err := os.ReadFile("testdata/target-ids.txt")
	if err != nil {
		t.Fatal(err)
	}
	var recorded []string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if !strings.HasPrefix(l, "#") {
			recorded = append(recorded, l)
		}
	}
	if len(recorded) > len(targetIDs) {
		t.Fatalf("the table has %d entries, %d were recorded: entries were removed", len(targetIDs), len(recorded))
	}
	for i, name := range recorded {
		if targetIDs[i] != name {
			t.Errorf("id %d is %q, was %q: ids must never move", i, targetIDs[i], name)
		}
	}
	for _, tg := range check.Targets() {
		if TargetID(tg.String()) < 0 {
			t.Errorf("%s has no id: append it to targetIDs", tg)
		}
	}
	for _, stable := range []string{"x86_64/v6.1.72", "x86_64/v6.1.191", "x86_64/v6.12.110"} {
		if TargetID(stable+"+pahole-1.24") < 0 {
			t.Errorf("stable row %s has no id", stable)
		}
	}
}

// Every id round-trips; an id past the table and a short header are
// errors, never another target.
func TestDecodeVersion2(t *testing.T) {
	fn, err := ctype.Parse("t.c", []byte("struct s { char a; };\nvoid f(struct s a0, long a1);"))
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range targetIDs {
		for _, so := range []bool{false, true} {
			in, err := EncodeC(fn, name, so)
			if err != nil {
				t.Fatal(err)
			}
			if in[3] != byte(i) {
				t.Fatalf("%s: id byte %d, want %d", name, in[3], i)
			}
			got, tg, err := Decode(in)
			want := name
			if so {
				want += "+struct_ops"
			}
			if err != nil || tg.String() != want || ctype.Render(got) != ctype.Render(fn) {
				t.Errorf("%s: decoded %v on %s: %v", name, got, tg, err)
			}
		}
	}
	if _, _, err := Decode([]byte{0xff, 0xfe, 0x02, byte(len(targetIDs)), ModeCText, 'x'}); !errors.Is(err, ErrTarget) {
		t.Errorf("an id past the table: %v", err)
	}
	if _, _, err := Decode([]byte{0xff, 0xfe, 0x02, 0}); !errors.Is(err, ErrShort) {
		t.Errorf("a short version-2 header: %v", err)
	}
	if _, err := EncodeC(fn, "arm64/v9.9+pahole-1.24", false); !errors.Is(err, ErrTarget) {
		t.Errorf("EncodeC of an unknown target: %v", err)
	}
}
