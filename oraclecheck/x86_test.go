package oraclecheck

import (
	"context"
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/toolchain"
	"github.com/trampfuzz/trampfuzz/truth"
)

func mustParse(t *testing.T, src string) *ctype.Func {
	t.Helper()
	fn, err := ctype.Parse("t.c", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return fn
}

// Padding bytes never mismatch and never diverge; value bytes do.
func TestPaddedCheckAndDiverge(t *testing.T) {
	rdi, rsi := loc.RegByte(loc.RDI, 0), loc.RegByte(loc.RSI, 0)
	obs := func(c truth.Compiler, b0, b1 []loc.Loc) *truth.Observation {
		return &truth.Observation{Func: "f", Compiler: c, Args: []truth.ArgBytes{{Size: 2, Bytes: [][]loc.Loc{b0, b1}}}}
	}
	pad := [][]bool{{false, true}}
	p := loc.Placement{Func: "f", Args: []loc.Arg{{Size: 2, Bytes: []loc.Loc{rdi, rdi.Next()}}}}

	r := &Report{Checked: map[string]int{}}
	r.checkPadded("sysv", truth.GCC, "", p, obs(truth.GCC, []loc.Loc{rdi}, nil), pad)
	r.checkPadded("sysv", truth.GCC, "", p, obs(truth.GCC, []loc.Loc{rdi}, []loc.Loc{loc.Stack(9)}), pad)
	if len(r.Mismatches) != 0 {
		t.Errorf("padding byte mismatched: %v", r.Mismatches)
	}
	r.checkPadded("sysv", truth.GCC, "", p, obs(truth.GCC, []loc.Loc{rsi}, nil), pad)
	if len(r.Mismatches) != 1 {
		t.Errorf("value byte in the wrong place: %d mismatches, want 1", len(r.Mismatches))
	}

	if d := DivergeSysV(obs(truth.GCC, []loc.Loc{rdi}, []loc.Loc{rdi.Next()}), obs(truth.Clang, []loc.Loc{rdi}, nil), pad); d != nil {
		t.Errorf("padding diverged: %v", d)
	}
	if d := DivergeSysV(obs(truth.GCC, []loc.Loc{rdi}, nil), obs(truth.Clang, nil, nil), pad); d == nil {
		t.Error("a value byte passed by one compiler only does not diverge")
	}
}

// Bit-fields of a typedef aligned other than its size are where GCC and
// clang lay records out differently (seen with gcc 12.2 and clang 14).
func TestBitfieldLayoutDiffers(t *testing.T) {
	for src, want := range map[string]bool{
		"typedef int t1 __attribute__((aligned(8)));\nstruct s { char a : 7; t1 b : 4; };\nvoid f(struct s a0);":                      true,
		"typedef int t1 __attribute__((aligned(4)));\nstruct s { char a : 7; t1 b : 4; };\nvoid f(struct s a0);":                      false,
		"typedef int t1 __attribute__((aligned(8)));\nstruct s { char a; t1 b; };\nvoid f(struct s a0);":                              false,
		"typedef int t1 __attribute__((aligned(16)));\nstruct in { t1 b : 4; };\nstruct s { struct in x[2]; };\nvoid f(struct s a0);": true,
	} {
		if got := BitfieldLayoutDiffers(mustParse(t, src)); got != want {
			t.Errorf("%s: %v, want %v", src, got, want)
		}
	}
}

// A small real run: both compilers observed, the oracle agrees, the summary
// says so.
func TestRunSysVSmall(t *testing.T) {
	toolchain.Require(t, toolchain.HostGCC, toolchain.Clang)
	r, err := RunSysV(context.Background(), Options{N: 80, Seed: 3, Chunk: 30})
	if err != nil {
		t.Fatal(err)
	}
	if r.Signatures != 80 || r.Observed[truth.GCC] < 75 || r.Observed[truth.Clang] < 75 {
		t.Errorf("signatures %d, observed %v", r.Signatures, r.Observed)
	}
	if r.Checked[r.Variants[truth.GCC]+" vs gcc"] != r.Observed[truth.GCC] || r.Checked[r.Variants[truth.Clang]+" vs clang"] == 0 {
		t.Errorf("checked %v, observed %v", r.Checked, r.Observed)
	}
	if !r.OK() {
		t.Errorf("oracle disagrees:\n%s\n%v", r, r.Mismatches)
	}
}
