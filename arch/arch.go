// Package arch is the architecture record: every fact about an
// architecture that more than one package needs, written once, in one file
// per architecture (arm64.go, x86_64.go). Other packages keep their own
// per-architecture parts (an ABI, a trampoline model, a capture harness) in
// registries keyed by the record's Name, and look an architecture up here
// instead of comparing names; an unknown name is an error that lists the
// known ones, never a silent fallback to one of them.
//
// The package is a leaf: it knows names and numbers, nothing of C types,
// BTF or placements.
package arch

import (
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
)

// Arch is one architecture.
type Arch struct {
	// Name is the canonical name, as in a target ("arm64/v6.17").
	Name string
	// Aliases are the other spellings users write ("aarch64").
	Aliases []string
	// Triple is the GNU target triple of its Linux compilers.
	Triple string
	// ELF is the e_machine of its objects and kernels.
	ELF elf.Machine
	// ByteOrder is its data byte order.
	ByteOrder binary.ByteOrder
	// GPRs and FPRs are the argument registers in the order the calling
	// convention uses them, named as locations name them (x0, rdi, v0,
	// xmm0); GPRPrefix and FPRPrefix are the prefixes of those names.
	GPRs, FPRs           []string
	GPRPrefix, FPRPrefix string
	// DWARFRegs maps DWARF register numbers of the argument registers to
	// their names (DW_OP_reg*, the psABI's DWARF register number table).
	DWARFRegs map[int]string
	// DWARFSP is the stack pointer's DWARF register number, and CallPushes
	// how many bytes the call instruction pushes: the first stacked
	// argument (sp+0) is SP at entry plus CallPushes, which is the CFA.
	DWARFSP    int
	CallPushes int
	// RelocAbs64 and RelocAbs32 are the ELF relocation types of absolute
	// 64- and 32-bit addresses, which an ET_REL object's debug sections
	// carry.
	RelocAbs64, RelocAbs32 uint32
	// LongDoubleBytes is how many of long double's bytes hold its value
	// (16 for IEEE binary128, 10 for the x87 80-bit format padded to 16).
	LongDoubleBytes int64
	// ResultAddressReg is the register a caller passes the address of a
	// returned value's memory in (an argument register or not).
	ResultAddressReg string
	// BiggestAlignment is GCC's BIGGEST_ALIGNMENT in bytes: the alignment
	// __attribute__((aligned)) without a number gives.
	BiggestAlignment int64
	// UnnamedBitfieldsAlign is true where an unnamed bit-field's declared
	// type aligns the record as a named member's would (AAPCS64); false
	// where it does not (x86-64 psABI §3.1.2, "Bit-Fields").
	UnnamedBitfieldsAlign bool
	// KernelCFlags are the flags kernels build with that change argument
	// passing: no FP/SIMD registers for arguments.
	KernelCFlags []string
	// GOARCH is Go's name, for programs built to run on it.
	GOARCH string
	// QEMUUser runs its Linux programs on another host (empty: run
	// natively where the host is this architecture); QEMUSystem boots its
	// kernels.
	QEMUUser, QEMUSystem string
	// QEMUMachine are qemu-system's machine options for it, and Console
	// the kernel's serial console there.
	QEMUMachine []string
	Console     string
	// Kconfig is the symbol a kernel .config of it sets (CONFIG_ARM64).
	Kconfig string
	// KbuildArch is kbuild's ARCH; CrossPrefix the binutils and gcc
	// prefix of its Debian cross toolchain; Dpkg Debian's name for it.
	KbuildArch, CrossPrefix, Dpkg string
}

// ErrUnknown is wrapped by every error about an architecture name.
var ErrUnknown = errors.New("unknown architecture")

// registry is every architecture, in the order All lists them.
var registry []*Arch

// register adds a record; each architecture's file calls it once.
func register(a *Arch) *Arch {
	registry = append(registry, a)
	return a
}

// All lists the architectures, arm64 first.
func All() []*Arch {
	out := slices.Clone(registry)
	slices.SortStableFunc(out, func(a, b *Arch) int { return order(a) - order(b) })
	return out
}

func order(a *Arch) int {
	if a == ARM64 {
		return 0
	}
	return 1
}

// Names lists the canonical names.
func Names() []string {
	var out []string
	for _, a := range All() {
		out = append(out, a.Name)
	}
	return out
}

// Lookup finds an architecture by its name or any usual spelling
// ("arm64", "aarch64"; "x86_64", "amd64", "x86-64").
func Lookup(name string) (*Arch, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, a := range All() {
		if n == a.Name || slices.Contains(a.Aliases, n) {
			return a, nil
		}
	}
	return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknown, name, strings.Join(spellings(), ", "))
}

func spellings() []string {
	var out []string
	for _, a := range All() {
		out = append(out, append([]string{a.Name}, a.Aliases...)...)
	}
	return out
}

// ByELF finds the architecture of an ELF machine.
func ByELF(m elf.Machine) (*Arch, error) {
	for _, a := range All() {
		if a.ELF == m {
			return a, nil
		}
	}
	return nil, fmt.Errorf("%w: ELF machine %v (known: %s)", ErrUnknown, m, strings.Join(Names(), ", "))
}

// Host is the architecture this program runs on.
func Host() (*Arch, error) {
	for _, a := range All() {
		if a.GOARCH == runtime.GOARCH {
			return a, nil
		}
	}
	return nil, fmt.Errorf("%w: this machine is %s (known: %s)", ErrUnknown, runtime.GOARCH, strings.Join(Names(), ", "))
}

// String is the canonical name.
func (a *Arch) String() string { return a.Name }
