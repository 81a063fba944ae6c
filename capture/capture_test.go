package capture_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/capture"
	"github.com/trampfuzz/trampfuzz/loc"
)

// The record's bytes, as the package doc lays them out: GPRs 8 bytes each
// from 0 in the architecture record's argument order (x0–x7; rdi, rsi, rdx,
// rcx, r8, r9 per psABI 1.0 Figure 3.4), FP/SIMD registers 16 bytes each
// from 64, the window from 208.
func TestOffset(t *testing.T) {
	for _, tc := range []struct {
		a    *arch.Arch
		l    string
		want int
		ok   bool
	}{
		{arch.ARM64, "x0.0", 0, true},
		{arch.ARM64, "x7.7", 63, true},
		{arch.ARM64, "v1.2", 64 + 16 + 2, true},
		{arch.ARM64, "v7.15", 191, true},
		{arch.ARM64, "sp+5", 213, true},
		{arch.ARM64, "sp+64", 0, false}, // outside a 64-byte window
		{arch.ARM64, "x8.0", 0, false},
		{arch.ARM64, "rdi.0", 0, false},
		{arch.X86_64, "rdi.0", 0, true},
		{arch.X86_64, "rcx.1", 24 + 1, true},
		{arch.X86_64, "r9.7", 47, true},
		{arch.X86_64, "xmm7.15", 191, true},
		{arch.X86_64, "sp+0", 208, true},
		{arch.X86_64, "x0.0", 0, false},
	} {
		s, err := capture.For(tc.a)
		if err != nil {
			t.Fatal(err)
		}
		l, err := loc.Parse(tc.l)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := s.Offset(l, 64); got != tc.want || ok != tc.ok {
			t.Errorf("%s: Offset(%s) = %d, %v; want %d, %v", tc.a, tc.l, got, ok, tc.want, tc.ok)
		}
	}
}

// Every architecture has a stub; each location it lists is at its own
// offset, and the stub's text labels every name and sizes tf_cap for its
// window.
func TestEveryArch(t *testing.T) {
	for _, a := range arch.All() {
		s, err := capture.For(a)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.GPRs) != len(a.GPRs) || len(s.FPRs) != len(a.FPRs) {
			t.Errorf("%s: %d GPRs, %d FPRs; the record has %d, %d", a, len(s.GPRs), len(s.FPRs), len(a.GPRs), len(a.FPRs))
		}
		seen := map[int]bool{}
		for _, l := range s.Locations(32) {
			off, ok := s.Offset(l, 32)
			if !ok || seen[off] || off >= capture.Size(32) {
				t.Errorf("%s: %s at %d, %v (seen %v)", a, l, off, ok, seen[off])
			}
			seen[off] = true
		}
		asm := s.Asm([]string{"f1", "f2"}, capture.Window{Bytes: 32})
		for _, want := range []string{"tf_cap[240]", `.globl f1\n`, `f2:\n`, `.size f2, .-f2\n`} {
			if !strings.Contains(asm, want) {
				t.Errorf("%s: stub lacks %q:\n%s", a, want, asm)
			}
		}
	}
	if _, err := capture.For(&arch.Arch{Name: "mips64"}); !errors.Is(err, arch.ErrUnknown) {
		t.Errorf("For(mips64) = %v, want arch.ErrUnknown", err)
	}
}
