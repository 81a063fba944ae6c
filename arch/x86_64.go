package arch

import (
	"debug/elf"
	"encoding/binary"
)

// X86_64 is x86-64 Linux (System V psABI, LP64).
var X86_64 = register(&Arch{
	Name:      "x86_64",
	Aliases:   []string{"amd64", "x86-64"},
	Triple:    "x86_64-linux-gnu",
	ELF:       elf.EM_X86_64,
	ByteOrder: binary.LittleEndian,
	// psABI 1.0 §3.2.3: rdi, rsi, rdx, rcx, r8, r9; xmm0-xmm7.
	GPRs:      []string{"rdi", "rsi", "rdx", "rcx", "r8", "r9"},
	FPRs:      []string{"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7"},
	GPRPrefix: "r", FPRPrefix: "xmm",
	// psABI 1.0 Figure 3.36 "DWARF Register Number Mapping": rdx 1,
	// rcx 2, rsi 4, rdi 5, r8 8, r9 9, xmm0-xmm7 17-24.
	DWARFRegs: map[int]string{
		5: "rdi", 4: "rsi", 1: "rdx", 2: "rcx", 8: "r8", 9: "r9",
		17: "xmm0", 18: "xmm1", 19: "xmm2", 20: "xmm3", 21: "xmm4", 22: "xmm5", 23: "xmm6", 24: "xmm7",
	},
	// psABI 1.0 Figure 3.36: rsp is 7; call pushes the 8-byte return
	// address, and the CFA is "the value of %rsp in the previous frame".
	DWARFSP: 7, CallPushes: 8,
	RelocAbs64: uint32(elf.R_X86_64_64), RelocAbs32: uint32(elf.R_X86_64_32),
	// The x87 80-bit extended format in 16 bytes (psABI 1.0 §3.1.2).
	LongDoubleBytes: 10,
	// psABI 1.0 §3.2.3 "Returning of Values": for a MEMORY class result the
	// caller "passes the address of this storage in %rdi as if it were the
	// first argument".
	ResultAddressReg: "rdi",
	// gcc/config/i386/i386.h: BIGGEST_ALIGNMENT 128 bits without AVX
	// (256 with -mavx, 512 with -mavx512f; the kernel uses none of them).
	BiggestAlignment: 16,
	// psABI 1.0 §3.1.2 "Bit-Fields": "Unnamed bit-fields' types do not
	// affect the alignment of a structure or union."
	UnnamedBitfieldsAlign: false,
	// arch/x86/Makefile: KBUILD_CFLAGS += -mno-sse -mno-mmx -mno-sse2
	// -mno-3dnow -mno-avx (and -mno-80387 -mno-fp-ret-in-387 for 64-bit).
	KernelCFlags: []string{"-mno-sse", "-mno-mmx", "-mno-sse2", "-mno-3dnow", "-mno-avx", "-mno-80387", "-mno-fp-ret-in-387"},
	GOARCH:       "amd64",
	QEMUUser:     "", QEMUSystem: "qemu-system-x86_64",
	Kconfig:    "CONFIG_X86_64",
	KbuildArch: "x86", CrossPrefix: "x86_64-linux-gnu-", Dpkg: "amd64",
	QEMUMachine: []string{"-cpu", "max"}, Console: "ttyS0",
})
