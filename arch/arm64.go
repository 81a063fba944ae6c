package arch

import (
	"debug/elf"
	"encoding/binary"
)

// ARM64 is AArch64 Linux (LP64).
var ARM64 = register(&Arch{
	Name:      "arm64",
	Aliases:   []string{"aarch64"},
	Triple:    "aarch64-linux-gnu",
	ELF:       elf.EM_AARCH64,
	ByteOrder: binary.LittleEndian,
	// AAPCS64 2025Q4 §6.4 "Parameter passing": x0-x7, v0-v7.
	GPRs:      []string{"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7"},
	FPRs:      []string{"v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7"},
	GPRPrefix: "x", FPRPrefix: "v",
	// DWARF for the Arm 64-bit Architecture (aadwarf64) §4.1: X0-X30 are
	// 0-30, V0-V31 are 64-95.
	DWARFRegs: map[int]string{
		0: "x0", 1: "x1", 2: "x2", 3: "x3", 4: "x4", 5: "x5", 6: "x6", 7: "x7",
		64: "v0", 65: "v1", 66: "v2", 67: "v3", 68: "v4", 69: "v5", 70: "v6", 71: "v7",
	},
	// aadwarf64 §4.1: SP is 31. The return address stays in x30.
	DWARFSP: 31, CallPushes: 0,
	RelocAbs64: uint32(elf.R_AARCH64_ABS64), RelocAbs32: uint32(elf.R_AARCH64_ABS32),
	// long double is IEEE binary128 on AArch64 Linux (AAPCS64 §10).
	LongDoubleBytes: 16,
	// AAPCS64 "Result return": an indirect result's address goes in x8,
	// which is not an argument register.
	ResultAddressReg: "x8",
	// gcc/config/aarch64/aarch64.h: BIGGEST_ALIGNMENT 128 bits.
	BiggestAlignment: 16,
	// AAPCS64 2025Q4, C language binding, "Bit-fields": the container
	// type of every bit-field, named or not, counts for alignment.
	UnnamedBitfieldsAlign: true,
	// arch/arm64/Makefile: KBUILD_CFLAGS += -mgeneral-regs-only.
	KernelCFlags: []string{"-mgeneral-regs-only"},
	GOARCH:       "arm64",
	QEMUUser:     "qemu-aarch64", QEMUSystem: "qemu-system-aarch64",
	Kconfig:    "CONFIG_ARM64",
	KbuildArch: "arm64", CrossPrefix: "aarch64-linux-gnu-", Dpkg: "arm64",
	QEMUMachine: []string{"-M", "virt", "-cpu", "max"}, Console: "ttyAMA0",
})
