// Package scan checks real kernels: every out-of-line function of an ELF
// file's DWARF (a distribution vmlinux, a .ko, any object built with -g)
// or of raw BTF (/sys/kernel/btf/vmlinux, a module's BTF, an ELF .BTF
// section) is turned into a ctype.Func and run through check.Run for each
// target, and classified as safe, misread, ambiguous or rejected (pahole,
// btf_distill_func_proto or the JIT refuse it). From DWARF it also compares
// each parameter's recorded location at entry with the oracle's placement,
// a real-world check of the oracle by the compiler that built the kernel.
//
// DWARF (debug/elf, debug/dwarf; DWARF 2 to 5):
//   - A function is a DW_TAG_subprogram with DW_AT_low_pc or DW_AT_ranges
//     that is not a declaration; a concrete out-of-line instance of an
//     inline function takes its name, types and parameter order from its
//     DW_AT_abstract_origin. It needs DW_AT_prototyped and a C unit.
//   - Types: typedef/const/volatile/restrict/atomic chains, DW_AT_alignment
//     on typedefs, records and members, bit-fields in both the
//     DW_AT_data_bit_offset form and the DWARF 2-4 DW_AT_bit_offset form,
//     anonymous members, enums (kept when GNU C's rule gives their size,
//     else their integer type), arrays of any rank. Packed and aligned(N)
//     are inferred from member offsets and sizes when DWARF does not say
//     (buildRecord). A pointer's target is kept only when it is a scalar:
//     every pointer is 8 bytes, so records behind pointers become void *.
//   - Skipped with a counted reason: variadic and K&R functions, _Complex,
//     vector types, flexible arrays in a record passed by value, and types
//     in type units (DW_FORM_ref_sig8), which debug/dwarf resolves only
//     through Data.Type, not for a DIE tree walk.
//   - Split DWARF: debug/dwarf reads skeleton units but cannot open the
//     .dwo or .dwp files that hold their DIEs; such units are counted as
//     skipped.
//   - Location lists: debug/dwarf does not decode them; this package reads
//     .debug_loc (DWARF 2-4) and .debug_loclists (DWARF 5, including
//     DW_FORM_loclistx and the DW_LLE_*x forms through .debug_addr), with
//     RELA relocations applied for ET_REL objects.
//
// What a DWARF location can say at entry (entryLocation has the details):
// argument registers, SP-relative memory when the frame base is the CFA
// (or SP, in a list entry at the first instruction), memory addressed by
// an argument register in a list entry (a by-reference composite),
// DW_OP_entry_value(reg), and
// DW_OP_piece compositions of those. Everything else, and any function
// that is a compiler clone (foo.isra.0, foo.constprop.0: the ELF symbol at
// its code carries a suffix) or marked DW_CC_nocall, is counted as not
// comparable with its reason; only unambiguous entry locations count as
// agreeing or disagreeing. Without DW_AT_alignment (a DWARF 5 attribute,
// missing under -gstrict-dwarf before version 5) a record's aligned(16)
// is as invisible as in BTF; the entry locations then show it, as a
// disagreement with the oracle. Register numbers, the stack pointer and
// what the call pushed come from the file's architecture record (AArch64
// and x86-64; on x86-64 sp+0 is the CFA, 8 above SP at entry), and each
// unit is compared with the oracle variant of its compiler for that ABI.
//
// BTF (cilium/ebpf/btf): the same conversion from BTF types, which carry
// no alignment attributes. A function passing a 16-byte record whose
// natural alignment, as far as BTF shows, is below 16 is checked twice:
// as read, and with aligned(16) on the record's first member (same member
// offsets, same size, same BTF). If exactly one reading is misread the
// function is ambiguous. Records of 9 to 15 bytes cannot be 16-byte
// aligned (sizeof is a multiple of the alignment), so they are not. From
// DWARF, where the alignment is known, ambiguous marks a safe function
// that one aligned(16) would turn into a misread one. A reading pahole or
// the kernel would refuse does not count: it cannot be the one behind a
// function that has BTF and a trampoline. For BTF input the pahole stage
// of check.Run still runs with the target's pahole version: a function it
// would skip is counted as a pahole skip, though the file holds its BTF.
package scan
