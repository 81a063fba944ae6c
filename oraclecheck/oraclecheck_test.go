package oraclecheck

import (
	"context"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
	"github.com/trampfuzz/trampfuzz/toolchain"
	"github.com/trampfuzz/trampfuzz/truth"
)

func x(n, b int) loc.Loc { return loc.RegByte(loc.XReg(n), b) }

// A placement is admitted byte by byte; a byte placed nowhere (an argument
// the compiler ignores) agrees with a byte observed nowhere and with
// nothing else.
func TestCheckMismatch(t *testing.T) {
	obs := &truth.Observation{Func: "f", Args: []truth.ArgBytes{
		{Index: 0, Type: "short", Size: 2, Bytes: [][]loc.Loc{{x(0, 0), loc.Stack(0)}, {x(0, 1)}}},
		{Index: 1, Type: "struct s1", Size: 1, Bytes: [][]loc.Loc{{}}},
	}}
	for _, tc := range []struct {
		name  string
		p     loc.Placement
		wantN int
	}{
		{"all admitted, ignored argument found nowhere", loc.Placement{Func: "f", Args: []loc.Arg{
			{Index: 0, Bytes: []loc.Loc{x(0, 0), x(0, 1)}}, {Index: 1}}}, 0},
		{"one byte elsewhere", loc.Placement{Func: "f", Args: []loc.Arg{
			{Index: 0, Bytes: []loc.Loc{x(0, 0), x(1, 1)}}, {Index: 1}}}, 1},
		{"placed where the compiler put nothing", loc.Placement{Func: "f", Args: []loc.Arg{
			{Index: 0, Bytes: []loc.Loc{loc.Stack(0), x(0, 1)}}, {Index: 1, Bytes: []loc.Loc{x(1, 0)}}}}, 1},
		{"argument missing", loc.Placement{Func: "f", Args: []loc.Arg{{Index: 0, Bytes: []loc.Loc{x(0, 0), x(0, 1)}}}}, 0},
	} {
		r := &Report{Checked: map[string]int{}}
		r.check("v", truth.GCC, "text", tc.p, obs)
		got := 0
		if len(r.Mismatches) == 1 {
			got = len(r.Mismatches[0].Bytes)
		}
		if got != tc.wantN || len(r.Mismatches) > 1 {
			t.Errorf("%s: %d mismatching bytes (%v), want %d", tc.name, got, r.Mismatches, tc.wantN)
		}
		if r.Checked["v vs gcc"] != 1 {
			t.Errorf("%s: checked %v", tc.name, r.Checked)
		}
	}
}

func TestSamePlacesIgnoresRules(t *testing.T) {
	a := loc.Placement{Args: []loc.Arg{{Bytes: []loc.Loc{x(0, 0)}, Rules: []string{oracle.RuleC9}}}}
	b := loc.Placement{Args: []loc.Arg{{Bytes: []loc.Loc{x(0, 0)}, Rules: []string{oracle.RuleC12}}}}
	c := loc.Placement{Args: []loc.Arg{{Bytes: []loc.Loc{x(1, 0)}}}}
	if !samePlaces(a, b) || samePlaces(a, c) || samePlaces(a, loc.Placement{}) {
		t.Error("samePlaces compares rules or misses a moved byte")
	}
}

// The same seed draws the same signatures; another seed others.
func TestDrawSeedDeterministic(t *testing.T) {
	g := gen.Func(gen.Full)
	a := ctype.Render(g.Example(drawSeed(5, 3)))
	if b := ctype.Render(g.Example(drawSeed(5, 3))); a != b {
		t.Errorf("seed 5 index 3 drew\n%s\nthen\n%s", a, b)
	}
	differ := 0
	for i := range 20 {
		if ctype.Render(g.Example(drawSeed(5, i))) != ctype.Render(g.Example(drawSeed(6, i))) {
			differ++
		}
	}
	if differ < 15 {
		t.Errorf("seeds 5 and 6 share %d of 20 signatures", 20-differ)
	}
}

// A small real run: every signature observed by both compilers is checked
// against its variant, and the summary says so.
func TestRunSmall(t *testing.T) {
	toolchain.Require(t, toolchain.GCC, toolchain.Clang, toolchain.QEMU, toolchain.Tool{Name: "ld.lld", Package: "lld"})
	r, err := Run(context.Background(), Options{N: 60, Seed: 3, Chunk: 25})
	if err != nil {
		t.Fatal(err)
	}
	if r.Signatures != 60 {
		t.Errorf("%d signatures, want 60", r.Signatures)
	}
	if r.Checked[r.Variants[truth.GCC]+" vs gcc"] != r.Observed[truth.GCC] || r.Checked[r.Variants[truth.Clang]+" vs clang"] != r.Observed[truth.Clang] {
		t.Errorf("checked %v, observed %v", r.Checked, r.Observed)
	}
	if r.Observed[truth.GCC] < 55 {
		t.Errorf("gcc observed only %d of 60", r.Observed[truth.GCC])
	}
	if !r.OK() {
		t.Errorf("oracle disagrees:\n%s\n%v", r, r.Mismatches)
	}
	if s := r.String(); !strings.Contains(s, "signatures: 60 (seed 3)") || !strings.Contains(s, "oracle mismatches: 0") {
		t.Errorf("summary:\n%s", s)
	}
}

func TestRunBadProfile(t *testing.T) {
	if _, err := Run(context.Background(), Options{N: 1, Profile: gen.Profile{MinArgs: 3, MaxArgs: 1}}); err == nil {
		t.Error("an invalid profile ran")
	}
}
