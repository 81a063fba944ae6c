package arch

import (
	"debug/elf"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestLookupSpellings(t *testing.T) {
	for name, want := range map[string]*Arch{
		"arm64": ARM64, "aarch64": ARM64, "AArch64": ARM64,
		"x86_64": X86_64, "amd64": X86_64, "x86-64": X86_64, " x86_64 ": X86_64,
	} {
		if got, err := Lookup(name); err != nil || got != want {
			t.Errorf("Lookup(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	_, err := Lookup("riscv64")
	if !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "arm64") || !strings.Contains(err.Error(), "x86_64") {
		t.Errorf("Lookup(riscv64): %v; want an error naming the known architectures", err)
	}
}

func TestByELFAndHost(t *testing.T) {
	if a, err := ByELF(elf.EM_AARCH64); err != nil || a != ARM64 {
		t.Errorf("ByELF(EM_AARCH64) = %v, %v", a, err)
	}
	if a, err := ByELF(elf.EM_X86_64); err != nil || a != X86_64 {
		t.Errorf("ByELF(EM_X86_64) = %v, %v", a, err)
	}
	if _, err := ByELF(elf.EM_RISCV); !errors.Is(err, ErrUnknown) {
		t.Errorf("ByELF(EM_RISCV): %v", err)
	}
	h, err := Host()
	if runtime.GOARCH == "amd64" || runtime.GOARCH == "arm64" {
		if err != nil || h.GOARCH != runtime.GOARCH {
			t.Errorf("Host() = %v, %v on %s", h, err, runtime.GOARCH)
		}
	}
}

// Each record is whole: registers named with their prefix, each with one
// DWARF number, and the facts every package reads set.
func TestRecordsAreWhole(t *testing.T) {
	if names := Names(); !slices.Equal(names, []string{"arm64", "x86_64"}) {
		t.Errorf("Names() = %v", names)
	}
	for _, a := range All() {
		if a.Triple == "" || a.ELF == 0 || a.ByteOrder == nil || a.LongDoubleBytes == 0 || a.BiggestAlignment == 0 ||
			a.ResultAddressReg == "" || a.GOARCH == "" || a.QEMUSystem == "" || a.KbuildArch == "" || a.CrossPrefix == "" || len(a.KernelCFlags) == 0 {
			t.Errorf("%s: a fact is missing: %+v", a, a)
		}
		for _, regs := range [][]string{a.GPRs, a.FPRs} {
			if len(regs) == 0 {
				t.Errorf("%s: no argument registers", a)
			}
		}
		for _, r := range a.GPRs {
			if !strings.HasPrefix(r, a.GPRPrefix) {
				t.Errorf("%s: %s lacks the prefix %s", a, r, a.GPRPrefix)
			}
		}
		for _, r := range a.FPRs {
			if !strings.HasPrefix(r, a.FPRPrefix) {
				t.Errorf("%s: %s lacks the prefix %s", a, r, a.FPRPrefix)
			}
		}
		named := map[string]int{}
		for _, r := range a.DWARFRegs {
			named[r]++
		}
		for _, r := range append(slices.Clone(a.GPRs), a.FPRs...) {
			if named[r] != 1 {
				t.Errorf("%s: %s has %d DWARF numbers", a, r, named[r])
			}
		}
	}
}
