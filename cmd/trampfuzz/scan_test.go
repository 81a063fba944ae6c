package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/scan"
	"github.com/trampfuzz/trampfuzz/toolchain"
)

// scanSource has one misread shape (AAPCS64 2025Q4 C.10: the __int128 goes
// to x2,x3, the v6.16+ arm64 trampoline reads x1,x2; kernel-jit.md §3.3),
// one ambiguous shape (a 16-byte struct of longs after an int: x1,x2 as
// written, x2,x3 if it were aligned(16)) and one safe shape.
const scanSource = `
struct s16 { long a; long b; };
long f_int128(int a, __int128 b) { return a + (long)b; }
long f_s16(int a, struct s16 s) { return a + s.a + s.b; }
long f_safe(long a, long b) { return a + b; }
`

func scanObject(t *testing.T, src string) string {
	t.Helper()
	gcc := toolchain.Require(t, toolchain.GCC)[0]
	dir := t.TempDir()
	c, o := filepath.Join(dir, "s.c"), filepath.Join(dir, "s.o")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gcc, "-g", "-O2", "-c", c, "-o", o).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return o
}

func TestScanExitCodes(t *testing.T) {
	obj := scanObject(t, scanSource)
	safe := scanObject(t, "long f_safe(long a, long b) { return a + b; }\n")
	target := []string{"-target", "arm64/v6.18", "-pahole", "1.24", "-quiet"}
	for _, c := range []struct {
		args []string
		want int
	}{
		{[]string{obj}, exitOK},
		{[]string{"-fail-on", "misread", obj}, exitFinding},
		{[]string{"-fail-on", "ambiguous", obj}, exitFinding},
		{[]string{"-fail-on", "location", obj}, exitOK},
		{[]string{"-fail-on", "ambiguous", safe}, exitOK},
		{[]string{"-fail-on", "sometimes", obj}, exitBadInput},
		{[]string{"-input", "elf", obj}, exitBadInput},
		{[]string{}, exitBadInput},
	} {
		var out, errOut bytes.Buffer
		args := append(append([]string{"scan"}, target...), c.args...)
		if got := runMain(args, &out, &errOut); got != c.want {
			t.Errorf("%v: exit %d, want %d\n%s", c.args, got, c.want, errOut.String())
		}
	}
}

func TestScanJSON(t *testing.T) {
	obj := scanObject(t, scanSource)
	var out, errOut bytes.Buffer
	if code := runMain([]string{"scan", "-json", "-quiet", "-target", "arm64/v6.18", "-pahole", "1.24", obj}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var rep scan.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Targets) != 1 || rep.Targets[0].Misread != 1 || rep.Targets[0].Ambiguous != 1 || rep.Targets[0].Safe != 1 {
		t.Fatalf("targets: %+v", rep.Targets)
	}
	f := rep.Targets[0].Findings[0]
	if f.Func != "f_int128" || f.Status != scan.Misread || f.Args[0].ABI != "x2.0-7 x3.0-7" || f.Args[0].JIT != "x1.0-7 x2.0-7" {
		t.Errorf("finding: %+v", f)
	}
}

func TestScanBadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "junk")
	if err := os.WriteFile(p, []byte("\x7fELF\x02\x01\x01"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := runMain([]string{"scan", p}, &out, &errOut); code != exitBadInput {
		t.Fatalf("exit %d, want %d", code, exitBadInput)
	}
	if msg := errOut.String(); !strings.Contains(msg, p) || !strings.Contains(msg, "offset") {
		t.Errorf("error does not name the file and an offset: %s", msg)
	}
}
