// Package pahole models what pahole (acmel/dwarves) emits as BTF for one
// C function compiled for arm64 by GCC: the FUNC and FUNC_PROTO with every
// type they reach, built as btf_encoder.c builds them, or a Skip with
// pahole's reason. It models three versions as data (Version): 1.24
// (Debian 12), 1.31 and the 2026 development head, each with the switches
// the kernel build passes (KernelOptions).
//
// What BTF records (all versions; btf_encoder.c, dwarf_loader.c):
//   - base types by GCC's DWARF name ("long int", "__int128 unsigned"),
//     INT with encoding SIGNED (signed, signed char), BOOL (_Bool) or none
//     (char is unsigned on AArch64; BTF_INT_CHAR is never used);
//     __int128 is a 16-byte INT; float, double and long double are FLOAT
//     of 4, 8 and 16 bytes with the float feature;
//   - structs and unions with DW_AT_byte_size and each member's bit offset;
//     a bit-field's width goes into the member (kind_flag encoding); GCC
//     writes no member for unnamed bit-fields; packed and aligned(N) leave
//     no trace, so different C types can give identical BTF;
//   - enums of 1, 2 or 4 bytes as ENUM and 8-byte enums as ENUM64, signed
//     when a value is negative; typedef chains kept; T[a][b] as one ARRAY
//     of a*b elements indexed by "int"; a declared-only struct as FWD;
//   - FUNC with linkage static, FUNC_PROTO with the parameters' names and
//     types as written (typedefs not stripped).
//
// What is skipped (btf_encoder.c btf_encoder__encode_cu and
// btf_encoder__add_saved_funcs, dwarf_loader.c parameter__new):
//   - every version: a function with an unnamed parameter, silently;
//   - 1.31 and head: the packed-struct-on-stack filter of 4a1f0c9 (a named
//     struct, as written, at parameter index ≥ 8 that dwarves.c
//     class__infer_packed_attributes calls packed) and the register check;
//     1.31 applies both only with consistent_func, the head always.
//
// The register checks read DWARF locations, that is the compiler's
// placement, which Encode takes as a loc.Placement (the oracle's, passed by
// the caller; this package imports no oracle). A parameter has a DWARF
// register only when every byte is in one general-purpose register xN: a
// two-register value (DW_OP_piece), an FP register (DW_OP_regx 64+N), a
// by-reference argument (DW_OP_bregN) and a stack argument (DW_OP_fbreg)
// all read as "no register", which pahole counts as optimized out and never
// skips for. The model assumes GCC's unoptimized-at-entry locations: the
// first location-list entry is where the argument arrives.
//
// What is not modelled, because a single signature cannot show it: ELF
// symbol matching (.isra/.constprop clones, ambiguous addresses),
// prototypes compared across compilation units, and the head's optimized
// and reordered parameter skips, which need a changed ABI or clang's
// DW_CC_nocall.
//
// Marshal and Load turn a *btf.Func into raw BTF bytes and back, so what
// the kernel side receives is nothing but BTF.
package pahole
