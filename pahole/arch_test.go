package pahole

import (
	"testing"

	"github.com/trampfuzz/trampfuzz/loc"
)

// x86-64: pahole expects parameter idx in rdi, rsi, rdx, rcx, r8, r9
// (dwarf_loader.c register_params for EM_X86_64) and checks only the first
// 6 parameters. The placements here are System V's, written by hand from
// the psABI (an __int128 takes the next two GPRs, no even rule).
func TestRegisterCheckX86(t *testing.T) {
	fn := mustParse(t, "void f(long a, __int128 b, long c);")
	reg := func(r loc.Reg, n int) []loc.Loc { return loc.Contiguous(loc.RegByte(r, 0), n) }
	pair := append(reg(loc.RSI, 8), reg(loc.RDX, 8)...)
	dwarf := loc.Placement{Func: "f", Args: []loc.Arg{
		{Index: 0, Size: 8, Bytes: reg(loc.RDI, 8)},
		{Index: 1, Size: 16, Bytes: pair},
		{Index: 2, Size: 8, Bytes: reg(loc.RCX, 8)},
	}}
	cfg := KernelConfig(V1_31)
	cfg.Arch = "x86_64"
	// c is parameter 2 but in rcx, pahole's register 3: unexpected.
	_, skip, err := EncodeConfig(fn, cfg, dwarf)
	if err != nil {
		t.Fatal(err)
	}
	if skip == nil || skip.Reason != ReasonUnexpectedReg || skip.Param != 2 {
		t.Fatalf("1.31 x86_64: skip %+v, want the unexpected register of parameter 2", skip)
	}
	// The head advances the expected register by slots: __int128 is not an
	// aggregate, so it counts one and c is expected in rdx: still a skip.
	cfg.Version = Head
	if _, skip, _ := EncodeConfig(fn, cfg, dwarf); skip == nil || skip.Reason != ReasonUnexpectedReg {
		t.Fatalf("head x86_64: skip %+v, want the unexpected register", skip)
	}
	cfg.Arch = "sparc"
	if _, _, err := EncodeConfig(fn, cfg, dwarf); err == nil {
		t.Fatal("an unknown arch was accepted")
	}
}
