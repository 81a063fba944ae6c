package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/toolchain"
)

func writeC(t *testing.T, name, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func requireTruthTools(t *testing.T) {
	t.Helper()
	toolchain.Require(t, toolchain.GCC, toolchain.Clang, toolchain.QEMU, toolchain.Tool{Name: "ld.lld", Package: "lld"})
}

// The JSON is one object per file and compiler, in the oracle's shape plus
// "compiler", a list of candidate locations per byte. The __int128 is in
// x2:x3 (AAPCS64 2025Q4 C.10 rounds NGRN up to even, C.11).
func TestTruthJSON(t *testing.T) {
	requireTruthTools(t)
	f := writeC(t, "a.c", "void f(int a, __int128 b);\n")
	var out, errOut bytes.Buffer
	if code := runMain([]string{"truth", "-json", f}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d JSON lines, want 2 (gcc, clang):\n%s", len(lines), out.String())
	}
	for i, want := range []string{"gcc", "clang"} {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(lines[i]), &obj); err != nil {
			t.Fatal(err)
		}
		if keys := sortedKeys(obj); !slices.Equal(keys, []string{"args", "compiler", "func"}) {
			t.Errorf("keys %v", keys)
		}
		var o struct {
			Func     string `json:"func"`
			Compiler string `json:"compiler"`
			Args     []struct {
				Index int        `json:"index"`
				Type  string     `json:"type"`
				Size  int        `json:"size"`
				Bytes [][]string `json:"bytes"`
			} `json:"args"`
		}
		if err := json.Unmarshal([]byte(lines[i]), &o); err != nil {
			t.Fatal(err)
		}
		if o.Func != "f" || o.Compiler != want || len(o.Args) != 2 {
			t.Fatalf("line %d: %s", i, lines[i])
		}
		b := o.Args[1]
		if b.Index != 1 || b.Type != "__int128" || b.Size != 16 || len(b.Bytes) != 16 {
			t.Fatalf("a1: %+v", b)
		}
		if !slices.Contains(b.Bytes[0], "x2.0") || !slices.Contains(b.Bytes[15], "x3.7") {
			t.Errorf("%s: a1 bytes 0 and 15 at %v and %v, want x2.0 and x3.7", want, b.Bytes[0], b.Bytes[15])
		}
	}
}

func sortedKeys(m map[string]json.RawMessage) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestTruthText(t *testing.T) {
	requireTruthTools(t)
	f := writeC(t, "hfa.c", "struct h { float a; float b; float c; };\nvoid f(struct h a);\n")
	var out, errOut bytes.Buffer
	if code := runMain([]string{"truth", "-cc", "gcc", f}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	// AAPCS64 2025Q4 C.2: an HFA of three floats in v0, v1, v2.
	for _, want := range []string{f + " (gcc):", "a0 struct h:", "v0.0-3", "v1.0-3", "v2.0-3"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "(clang)") {
		t.Error("-cc gcc printed clang")
	}
}

// A struct whose only member is an unnamed bit-field: clang treats it as
// an empty record (clang/lib/CodeGen/TargetInfo.cpp isEmptyField: "an
// unnamed bit-field … is empty") and, in C, passes nothing for it; gcc
// passes its 8 bytes in x2. That is a divergence: exit 1.
func TestTruthDivergenceExit(t *testing.T) {
	requireTruthTools(t)
	f := writeC(t, "d.c", "struct s1 { long long : 61; };\nvoid f(__int128 a0, struct s1 a1, int a2);\n")
	var out, errOut bytes.Buffer
	code := runMain([]string{"truth", f}, &out, &errOut)
	if code != exitFinding || !strings.Contains(errOut.String(), "diverge") {
		t.Fatalf("exit %d, stderr %q; want 1 and a divergence", code, errOut.String())
	}
}

func TestTruthBadInput(t *testing.T) {
	f := writeC(t, "bad.c", "void f(int a\n")
	for _, args := range [][]string{{"truth", f}, {"truth", "-cc", "icc", f}, {"truth"},
		{"truth", "-check-oracle", "-arch", "riscv64"}, {"truth", "-arch", "riscv64", f}} {
		var out, errOut bytes.Buffer
		if code := runMain(args, &out, &errOut); code != exitBadInput || errOut.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errOut.String())
		}
	}
}

// With no PATH the command names the Debian package and exits 2. Run in a
// child process: toolchain caches what it found.
func TestTruthMissingToolchain(t *testing.T) {
	if os.Getenv("TRAMPFUZZ_TRUTH_CHILD") != "" {
		os.Exit(runMain([]string{"truth", os.Getenv("TRAMPFUZZ_TRUTH_CHILD")}, os.Stdout, os.Stderr))
	}
	f := writeC(t, "a.c", "void f(int a);\n")
	cmd := exec.Command(os.Args[0], "-test.run=^TestTruthMissingToolchain$")
	cmd.Env = append(os.Environ(), "TRAMPFUZZ_TRUTH_CHILD="+f, "PATH=")
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitBadInput {
		t.Fatalf("child: %v, stderr %q; want exit 2", err, errOut.String())
	}
	if !strings.Contains(errOut.String(), "gcc-aarch64-linux-gnu") {
		t.Errorf("stderr %q does not name the Debian package", errOut.String())
	}
}
