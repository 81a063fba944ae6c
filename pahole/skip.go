package pahole

import (
	"fmt"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

// Skip is pahole leaving a function out of BTF.
type Skip struct {
	Version Version `json:"version"`
	Func    string  `json:"func"`
	// Reason is pahole's words after "skipping BTF encoding of function
	// due to " (ReasonUncertain, ReasonUnexpectedReg), or ReasonUnnamed for
	// the silent skip of a function with an unnamed parameter.
	Reason string `json:"reason"`
	// Logged reports whether pahole --verbose prints the reason. v1.31
	// logs only the uncertain parameter location; the head logs every
	// skip reason.
	Logged bool `json:"logged"`
	// Param is the index of the parameter that triggered the skip.
	Param int `json:"param"`
}

// Skip reasons, as pahole prints them.
const (
	// ReasonUncertain is the packed-struct-on-stack filter (4a1f0c9).
	ReasonUncertain = "uncertain parameter location"
	// ReasonUnexpectedReg is the register check; the head's text
	// (btf_encoder.c btf_encoder__add_saved_funcs). v1.31 skips silently.
	ReasonUnexpectedReg = "unexpected register usage for parameter"
	// ReasonUnnamed: btf_encoder__encode_cu skips a function whose
	// parameters are not all named (ftype__has_arg_names), without a
	// message, in every version.
	ReasonUnnamed = "unnamed parameter (skipped silently)"
)

// Cause is the skip's stable code ("pahole.uncertain_location",
// "pahole.unexpected_register", "pahole.unnamed_param"), as
// layout.Rejection's Cause is for the kernel's checks.
func (s *Skip) Cause() string {
	switch s.Reason {
	case ReasonUncertain:
		return "pahole.uncertain_location"
	case ReasonUnexpectedReg:
		return "pahole.unexpected_register"
	case ReasonUnnamed:
		return "pahole.unnamed_param"
	}
	return "pahole.skip"
}

// String is pahole's verbose line: "f : skipping BTF encoding of function
// due to uncertain parameter location".
func (s *Skip) String() string {
	return fmt.Sprintf("%s : skipping BTF encoding of function due to %s", s.Func, s.Reason)
}

// decide applies one version's skip predicates to fn (valid).
func decide(fn *ctype.Func, cfg Config, m model, dwarf loc.Placement) *Skip {
	skip := func(reason string, logged bool, param int) *Skip {
		return &Skip{Version: cfg.Version, Func: fn.Name, Reason: reason, Logged: logged, Param: param}
	}
	for i, p := range fn.Params {
		if p.Name == "" {
			return skip(ReasonUnnamed, false, i)
		}
	}
	if m.gated && !cfg.Options.ConsistentFunc {
		// v1.31 btf_encoder__add_saved_funcs: add_to_btf starts as
		// !skip_encoding_inconsistent_proto, so without consistent_func
		// every saved function is added.
		return nil
	}
	a, err := archOf(cfg.Arch)
	if err != nil {
		return nil // Encode validated the arch
	}
	regs := registerParams(a)
	lay := &ctype.Layouts{Arch: a}
	n := len(regs)
	unexpected := -1
	switch m.regCheck {
	case regCheckPositional:
		unexpected = unexpectedPositional(fn, dwarf, regs)
	case regCheckSlots:
		unexpected = unexpectedSlots(fn, dwarf, regs, lay)
	}
	uncertain := -1
	if m.packedFilter {
		uncertain = uncertainParam(fn, n, lay)
	}
	// The head sets skip_reason in the order unexpected register,
	// inconsistent prototype, uncertain location, so the last one that
	// holds is printed. v1.31 prints only the uncertain location.
	switch {
	case uncertain >= 0:
		return skip(ReasonUncertain, true, uncertain)
	case unexpected >= 0:
		return skip(ReasonUnexpectedReg, cfg.Version == Head, unexpected)
	}
	return nil
}

// uncertainParam is btf_encoder.c ftype__has_uncertain_arg_loc (4a1f0c9,
// unchanged at 1436daf): the index of the first parameter at position ≥ n
// whose type, taken as written (cu__type: typedef and const are not
// stripped), is a named struct that class__infer_packed_attributes calls
// packed; -1 if none. Unions, anonymous structs, scalars and typedefs are
// never inspected, and a function with fewer than n parameters never is.
func uncertainParam(fn *ctype.Func, n int, lay *ctype.Layouts) int {
	if len(fn.Params) < n {
		return -1
	}
	inf := newPackedInference(lay)
	for i, p := range fn.Params {
		if i < n {
			continue
		}
		r, ok := p.Type.(*ctype.Record)
		if !ok || r.Union || r.Name == "" {
			continue
		}
		if inf.packed(r) {
			return i
		}
	}
	return -1
}

// dwarfRegister is the register pahole's dwarf_loader.c parameter__reg
// (da2f7e5, v1.28) reads from the parameter's DWARF location, or -1 when
// the location is not a single register: it takes a location-list entry
// only when its expression is one operation, DW_OP_reg0..31 (x0..x30) in
// the first entry. The placement stands for that DWARF:
//   - all bytes in one GPR xN (size ≤ 8)  → DW_OP_regN → N;
//   - bytes in two GPRs (__int128, a 9–16-byte composite) → DW_OP_regN
//     DW_OP_piece 8 DW_OP_regM DW_OP_piece 8, several operations → -1;
//   - an FP/SIMD register vN → DW_OP_regx 64+N, not DW_OP_reg0..31 → -1;
//   - by reference (address in xN) → DW_OP_bregN 0, not a register → -1;
//   - on the stack → DW_OP_fbreg → -1; no placement → no location → -1.
//
// These are the locations aarch64-linux-gnu-gcc 12 -O2 writes at entry
// (checked with readelf for a 24-byte struct, __int128, long, a 16-byte
// struct and double). -1 makes the parameter "optimized", which never
// causes a skip.
//
// The result is the position of that register in regs (the
// architecture's register parameters), so "parameter idx is in register
// idx" reads got == idx; a GPR that is not a parameter register gives
// len(regs), which never matches.
func dwarfRegister(dwarf loc.Placement, i int, regs []loc.Reg) int {
	if i >= len(dwarf.Args) {
		return -1
	}
	bytes := dwarf.Args[i].Bytes
	if len(bytes) == 0 {
		return -1
	}
	first := bytes[0]
	if first.Kind != loc.InReg || (first.Reg.Class != loc.X && first.Reg.Class != loc.R) {
		return -1
	}
	for _, b := range bytes {
		if b.Kind != loc.InReg || b.Reg != first.Reg {
			return -1
		}
	}
	for pos, r := range regs {
		if r == first.Reg {
			return pos
		}
	}
	return len(regs)
}

// unexpectedPositional is the v1.25–v1.31 check (a53c581; da2f7e5;
// dwarf_loader.c parameter__new and cu__resolve_func_ret_types_optimized):
// parameter idx < n must be in register idx; a mismatch marks the
// function unexpected_reg unless some parameter is a struct, typedef and
// const stripped (param__is_struct; unions do not count). Returns the
// first mismatching index or -1.
//
// Not modelled: Tony Ambardar's "dwarf_loader: Fix skipped encoding of
// function BTF on 32-bit systems" (v3, Message-ID
// 20250522063719.1885902-1-tony.ambardar@gmail.com) replaces
// param__is_struct by a size test (any parameter wider than 8 bytes,
// __int128 and unions included); whether it is in v1.31 was not verified
// at the source.
func unexpectedPositional(fn *ctype.Func, dwarf loc.Placement, regs []loc.Reg) int {
	first := -1
	for i := range fn.Params {
		if i >= len(regs) {
			break
		}
		if got := dwarfRegister(dwarf, i, regs); got >= 0 && got != i {
			first = i
			break
		}
	}
	if first < 0 {
		return -1
	}
	for _, p := range fn.Params {
		if r, ok := ctype.Underlying(p.Type).(*ctype.Record); ok && !r.Union {
			return -1
		}
	}
	return first
}

// unexpectedSlots is the head's check (dd77520): the expected register
// starts at x0 and advances by the parameter's slots, 2 for an aggregate
// of 9–16 bytes, otherwise 1 (a larger aggregate is passed by reference,
// one pointer). Parameters whose expected register is past x7 are not
// checked. There is no struct exemption and no even-pair rounding (AAPCS64
// C.8/C.10 for 16-byte-aligned arguments), so f(long, __int128, long),
// whose third argument GCC puts in x4, expects x3.
func unexpectedSlots(fn *ctype.Func, dwarf loc.Placement, regs []loc.Reg, lay *ctype.Layouts) int {
	reg := 0
	for i, p := range fn.Params {
		if reg >= len(regs) {
			break
		}
		if got := dwarfRegister(dwarf, i, regs); got >= 0 && got != reg {
			return i
		}
		reg += slots(p.Type, lay)
	}
	return -1
}

func slots(t ctype.Type, lay *ctype.Layouts) int {
	if ctype.IsRecord(t) || isArray(t) {
		if s := lay.Sizeof(t); s > 8 && s <= 16 {
			return 2
		}
	}
	return 1
}

func isArray(t ctype.Type) bool {
	_, ok := ctype.Underlying(t).(*ctype.Array)
	return ok
}
