package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/loc"
)

func writeABIInput(t *testing.T, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f.c")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// GCC aapcs64/test_align-3.c: f(int, int, int, __int128, int) is W0, W1,
// W2, X4-X5, W6 (AAPCS64 2025Q4 C.10 rounds NGRN up to even, C.11).
const abiAlign3 = "void f(int a0, int a1, int a2, __int128 a3, int a4);\n"

func TestABIJSON(t *testing.T) {
	f := writeABIInput(t, abiAlign3)
	var out, errOut bytes.Buffer
	if code := runMain([]string{"abi", "-json", f}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(out.Bytes(), &obj); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if keys := slices.Sorted(func(yield func(string) bool) {
		for k := range obj {
			if !yield(k) {
				return
			}
		}
	}); !slices.Equal(keys, []string{"args", "func"}) {
		t.Errorf("top-level keys %v, want [args func]", keys)
	}
	var p loc.Placement
	if err := json.Unmarshal(out.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.Func != "f" || len(p.Args) != 5 {
		t.Fatalf("got %s", out.String())
	}
	a := p.Args[3]
	want := append(loc.Contiguous(loc.RegByte(loc.XReg(4), 0), 8), loc.Contiguous(loc.RegByte(loc.XReg(5), 0), 8)...)
	if a.Index != 3 || a.Type != "__int128" || a.Size != 16 || !slices.Equal(a.Bytes, want) {
		t.Errorf("a3 = %+v, want __int128 of 16 bytes in x4:x5", a)
	}
	if !slices.Contains(a.Rules, "AAPCS64 2025Q4 C.10") || !slices.Contains(a.Rules, "AAPCS64 2025Q4 C.11") {
		t.Errorf("a3 rules %q lack C.10 and C.11", a.Rules)
	}
	if raw := string(out.Bytes()); !strings.Contains(raw, `"bytes":["x4.0","x4.1",`) {
		t.Errorf("locations are not strings like \"x4.0\": %s", raw)
	}
}

func TestABIText(t *testing.T) {
	f := writeABIInput(t, abiAlign3)
	var out, errOut bytes.Buffer
	if code := runMain([]string{"abi", f}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("%d lines, want one per argument:\n%s", len(lines), out.String())
	}
	if want := "a3 __int128: x4.0-7 x5.0-7 ["; !strings.HasPrefix(lines[3], want) {
		t.Errorf("line 4 = %q, want prefix %q", lines[3], want)
	}
}

// The variants differ where the compilers do: with ull aligned(16), a packed
// struct {ull i:1; unsigned long long x;} goes in x1 with GCC ≥ 13.1 and
// in x2 with GCC 9.1–12 (PR105549; GCC bitfield-abi-warning tests).
func TestABIVariant(t *testing.T) {
	f := writeABIInput(t, "typedef unsigned long long ull __attribute__((aligned(16)));\n"+
		"struct S { ull i:1; unsigned long long x; } __attribute__((packed));\nvoid f(int a0, struct S a1);\n")
	for _, tc := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"abi"}, "", "a1 struct S: x1.0-7 x2.0 ["},
		{[]string{"abi", "-abi", "aapcs64/gcc12"}, "", "a1 struct S: x2.0-7 x3.0 ["},
		{[]string{"abi"}, "aapcs64/gcc12", "a1 struct S: x2.0-7 x3.0 ["},
		{[]string{"abi", "-abi", "aapcs64"}, "aapcs64/gcc12", "a1 struct S: x1.0-7 x2.0 ["},
	} {
		t.Setenv(abiVariantEnv, tc.env)
		var out, errOut bytes.Buffer
		if code := runMain(append(tc.args, f), &out, &errOut); code != exitOK {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errOut.String())
		}
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("%v (env %q):\n%s\nwant a line starting %q", tc.args, tc.env, out.String(), tc.want)
		}
	}
}

func TestABIBadInput(t *testing.T) {
	good := writeABIInput(t, abiAlign3)
	for _, tc := range []struct {
		args    []string
		src     string
		wantErr string
	}{
		{args: []string{"abi"}, wantErr: "usage"},
		{args: []string{"abi", "-abi", "vax", good}, wantErr: `unknown ABI variant "vax"`},
		{args: []string{"abi", filepath.Join(t.TempDir(), "missing.c")}, wantErr: "missing.c"},
		{args: []string{"abi"}, src: "void f(int a0", wantErr: "f.c:1:"},
		{args: []string{"abi"}, src: "struct s;\nvoid f(struct s a0);\n", wantErr: "incomplete"},
		{args: []string{"abi", "-nope"}, wantErr: "flag provided but not defined"},
	} {
		args := tc.args
		if tc.src != "" {
			args = append(args, writeABIInput(t, tc.src))
		}
		var out, errOut bytes.Buffer
		if code := runMain(args, &out, &errOut); code != exitBadInput {
			t.Errorf("%v: exit %d, want %d", args, code, exitBadInput)
		}
		if !strings.Contains(errOut.String(), tc.wantErr) {
			t.Errorf("%v: stderr %q lacks %q", args, errOut.String(), tc.wantErr)
		}
	}
}

// check -abi holds the compiler to a variant of the target's architecture:
// x86-64 clang 14 splits an __int128 between r9 and the stack
// (llvm-project#59011), so the verdict's target carries "+abi-clang14" and
// t's first byte is in r9; an AAPCS64 variant on an x86-64 target is bad
// input.
func TestCheckABIFlag(t *testing.T) {
	f := writeABIInput(t, "long f(long a0, long a1, long a2, long a3, long a4, unsigned __int128 t);\n")
	var out, errOut bytes.Buffer
	if code := runMain([]string{"check", "-target", "x86_64/v6.18", "-abi", "sysv/clang14", "-json", f}, &out, &errOut); code != exitOK && code != exitFinding {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var v struct {
		Target string
		ABI    *loc.Placement
	}
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if !strings.HasSuffix(v.Target, "+abi-clang14") || v.ABI == nil || len(v.ABI.Args) != 6 ||
		v.ABI.Args[5].Bytes[0] != loc.RegByte(loc.R9, 0) {
		t.Errorf("target %q, placement %v: want +abi-clang14 and t from r9", v.Target, v.ABI)
	}
	errOut.Reset()
	if code := runMain([]string{"check", "-target", "x86_64/v6.18", "-abi", "aapcs64/gcc12", f}, &out, &errOut); code != exitBadInput ||
		!strings.Contains(errOut.String(), "arm64") {
		t.Errorf("aapcs64/gcc12 on x86_64: exit %d, %s", code, errOut.String())
	}
	// scan without -target lets each file choose: an -abi there would
	// be dropped silently, so it is refused.
	errOut.Reset()
	if code := runMain([]string{"scan", "-abi", "sysv/clang14", f}, &out, &errOut); code != exitBadInput || !strings.Contains(errOut.String(), "needs -target") {
		t.Errorf("scan -abi without -target: exit %d, %s", code, errOut.String())
	}
}
