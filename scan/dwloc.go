package scan

import (
	"debug/dwarf"
	"encoding/binary"
	"fmt"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/loc"
)

// DWARF expression opcodes (DWARF 5 §2.5, §2.6, Table 7.9).
const (
	opAddr         = 0x03
	opDeref        = 0x06
	opLit0         = 0x30
	opLit31        = 0x4f
	opReg0         = 0x50
	opReg31        = 0x6f
	opBreg0        = 0x70
	opBreg31       = 0x8f
	opRegx         = 0x90
	opFbreg        = 0x91
	opBregx        = 0x92
	opPiece        = 0x93
	opCallFrameCFA = 0x9c
	opImplicitVal  = 0x9e
	opStackValue   = 0x9f
	opEntryValue   = 0xa3
	opGNUEntryVal  = 0xf3
)

// Why a parameter's DWARF location is not compared with the oracle
// (counted in LocationReport.NotComparable). A location is compared only
// when it says, without interpretation, where the value is at the first
// instruction of the function.
const (
	LocNone           = "no DW_AT_location (optimized out)"
	LocConst          = "constant value (DW_AT_const_value or a literal)"
	LocNoEntry        = "location list has no entry at the function's first instruction"
	LocComputed       = "computed value (DW_OP_stack_value)"
	LocCalleeFrame    = "in the callee's own frame (a spill slot, valid after the prologue)"
	LocSPWhole        = "SP-relative over the whole function (valid after the prologue only)"
	LocRefWhole       = "by-reference address in a register over the whole function (GCC names the register it copies the pointer into)"
	LocFrameBase      = "DW_OP_fbreg whose frame base is not SP at entry"
	LocCalleeReg      = "memory addressed by a register that carries no argument"
	LocOtherReg       = "a register that carries no argument"
	LocWide           = "one register named for a value wider than it"
	LocExpr           = "expression form not read"
	LocNoEntryPC      = "function entry address unknown"
	LocClone          = "compiler clone (the symbol's calling convention is not the prototype's)"
	LocNoCall         = "DW_CC_nocall (the compiler changed the calling convention)"
	LocNothing        = "no byte described"
	LocBadList        = "malformed location list"
	LocNoOracle       = "the oracle does not place the signature"
	LocHiddenBitfield = "record part the ABI passes nowhere, or a parameter after one (DWARF omits unnamed bit-fields, which GCC passes)"
)

// dwarfMachine is what reading a DWARF location at entry needs of an
// architecture, from its record.
type dwarfMachine struct {
	arch *arch.Arch
	// regs are the argument registers by DWARF number: a parameter at
	// entry is in one of them or in memory. The stack pointer's number
	// and what the call pushed are the record's DWARFSP and CallPushes.
	regs map[uint64]loc.Reg
}

func newDWARFMachine(a *arch.Arch) *dwarfMachine {
	m := &dwarfMachine{arch: a, regs: map[uint64]loc.Reg{}}
	for n, name := range a.DWARFRegs {
		m.regs[uint64(n)] = loc.MustParseRegs([]string{name})[0]
	}
	return m
}

// frameBase is what a function's DW_AT_frame_base is at entry.
type frameBase int

const (
	frameNone frameBase = iota // unknown, or a frame pointer (x29, rbp)
	frameCFA                   // DW_OP_call_frame_cfa
	frameSP                    // DW_OP_reg or DW_OP_breg 0 of SP (31, rsp 7)
)

// entryLocation reads where DWARF puts parameter p (size bytes) at pc, the
// function's first instruction: one loc.Loc per byte of the value (a zero
// Loc for a byte DWARF leaves undescribed), or why it cannot say.
//
// What a DWARF location can say at entry (register numbers are the
// record's: on AArch64, DWARF for the Arm 64-bit Architecture, "DWARF
// register names": 0-7 are x0-x7, 31 is sp, 64-71 are v0-v7; on x86-64,
// psABI Figure 3.36: rdi 5, rsi 4, rsp 7, xmm0 17; SP names SP at entry,
// the CFA sp+0, which on x86-64 is SP at entry + 8, past the return
// address). A location list entry covering the first instruction
// holds there by definition; a single expression for the whole function
// holds there only as far as compilers make it so, which they do not for
// SP- or pointer-relative memory (see the cases below):
//   - DW_OP_regN / DW_OP_regx: the value is in that register;
//   - DW_OP_fbreg k with DW_AT_frame_base DW_OP_call_frame_cfa (the CFA is
//     SP at the call, i.e. SP at entry), or with frame base SP in a list
//     entry, and DW_OP_breg31 k in a list entry: memory at SP+k; k < 0 is
//     the callee's own frame, where -O0 code spills arguments after the
//     prologue: not an entry location;
//   - DW_OP_bregN k (x0-x7) in a list entry: memory at xN+k, a composite
//     passed by reference (AAPCS64 B.4). As a single expression GCC 12
//     names the register the body keeps the pointer in, not the one it
//     arrived in;
//   - DW_OP_fbreg k DW_OP_deref: memory whose address is at SP+k, a
//     by-reference composite whose pointer was passed on the stack;
//   - DW_OP_entry_value(DW_OP_regN) DW_OP_stack_value: the value xN had on
//     entry;
//   - DW_OP_piece composes those for parts of the value; an empty piece
//     leaves its bytes undescribed, and they are not compared.
//
// Anything else is not an entry location and is not compared.
func (u *unit) entryLocation(p *dwarf.Entry, pc uint64, frame frameBase, size int) ([]loc.Loc, string) {
	f := p.AttrField(dwarf.AttrLocation)
	if f == nil {
		if p.AttrField(dwarf.AttrConstValue) != nil {
			return nil, LocConst
		}
		return nil, LocNone
	}
	var expr []byte
	fromList := false
	switch f.Class {
	case dwarf.ClassExprLoc, dwarf.ClassBlock:
		// A single location description holds over the whole function,
		// its first instruction included.
		expr, _ = f.Val.([]byte)
	case dwarf.ClassLocListPtr, dwarf.ClassLocList:
		off, ok := f.Val.(int64)
		if v, isU := f.Val.(uint64); isU { // DW_FORM_loclistx: debug/dwarf gives the index as uint64
			off, ok = int64(v), true
		}
		if !ok {
			return nil, LocBadList
		}
		var why string
		if expr, ok, why = u.locListAt(f.Class == dwarf.ClassLocList, off, pc); why != "" {
			return nil, why
		}
		if !ok {
			return nil, LocNoEntry
		}
		fromList = true
	default:
		return nil, LocExpr
	}
	bytes, why := decodeLocation(u.df.machine, expr, frame, fromList, size)
	if why == LocExpr && len(expr) > 0 && expr[len(expr)-1] == opStackValue {
		// Arithmetic on registers (GCC's "x0 & 0xff", DW_OP_GNU_parameter_ref):
		// a value, not a place; the label only says so.
		why = LocComputed
	}
	return bytes, why
}

// decodeLocation maps a location expression to the value's bytes.
// fromList says the expression is a location list entry covering the
// first instruction, where SP is still SP at entry; a single expression
// for the whole function that is SP-relative names a slot after the
// prologue moved SP.
func decodeLocation(m *dwarfMachine, expr []byte, frame frameBase, fromList bool, size int) ([]loc.Loc, string) {
	bytes := make([]loc.Loc, size)
	described := false
	place := func(part []byte, at, n int) string {
		first, why := pieceLocation(m, part, frame, fromList, n)
		if why != "" {
			return why
		}
		for k := 0; k < n; k++ {
			bytes[at+k] = first
			first = first.Next()
		}
		described = true
		return ""
	}
	valueOff, partStart, sawPiece := 0, 0, false
	for i := 0; i < len(expr); {
		n, isPiece, psize, why := nextOp(expr[i:])
		if why != "" {
			return nil, why
		}
		if !isPiece {
			i += n
			continue
		}
		sawPiece = true
		if valueOff+int(psize) > size {
			return nil, LocExpr
		}
		if part := expr[partStart:i]; len(part) > 0 {
			if why := place(part, valueOff, int(psize)); why != "" {
				return nil, why
			}
		}
		valueOff += int(psize)
		i += n
		partStart = i
	}
	switch part := expr[partStart:]; {
	case !sawPiece && len(part) > 0:
		if why := place(part, 0, size); why != "" {
			return nil, why
		}
	case len(part) > 0:
		// Operations after the last piece.
		return nil, LocExpr
	}
	if !described {
		return nil, LocNothing
	}
	return bytes, ""
}

// nextOp returns the length of the operation at the start of expr, and
// whether it is DW_OP_piece with its size.
func nextOp(expr []byte) (n int, isPiece bool, size uint64, why string) {
	if len(expr) == 0 {
		return 0, false, 0, ""
	}
	op := expr[0]
	switch {
	case op >= opReg0 && op <= opReg31, op >= opLit0 && op <= opLit31,
		op == opDeref, op == opStackValue, op == opCallFrameCFA:
		return 1, false, 0, ""
	case op >= opBreg0 && op <= opBreg31, op == opFbreg:
		_, k, ok := sleb(expr[1:])
		if !ok {
			return 0, false, 0, LocExpr
		}
		return 1 + k, false, 0, ""
	case op == opRegx:
		_, k, ok := uleb(expr[1:])
		if !ok {
			return 0, false, 0, LocExpr
		}
		return 1 + k, false, 0, ""
	case op == opBregx:
		_, k, ok := uleb(expr[1:])
		if !ok {
			return 0, false, 0, LocExpr
		}
		_, k2, ok := sleb(expr[1+k:])
		if !ok {
			return 0, false, 0, LocExpr
		}
		return 1 + k + k2, false, 0, ""
	case op == opPiece:
		v, k, ok := uleb(expr[1:])
		if !ok || v > 1<<20 {
			return 0, false, 0, LocExpr
		}
		return 1 + k, true, v, ""
	case op == opEntryValue || op == opGNUEntryVal:
		l, k, ok := uleb(expr[1:])
		if !ok || uint64(len(expr)-1-k) < l {
			return 0, false, 0, LocExpr
		}
		return 1 + k + int(l), false, 0, ""
	case op == opImplicitVal:
		l, k, ok := uleb(expr[1:])
		if !ok || uint64(len(expr)-1-k) < l {
			return 0, false, 0, LocExpr
		}
		return 1 + k + int(l), false, 0, ""
	case op == opAddr:
		if len(expr) < 9 {
			return 0, false, 0, LocExpr
		}
		return 9, false, 0, ""
	}
	return 0, false, 0, LocExpr
}

// pieceLocation reads one piece's location description (size bytes) and
// returns the location of its first byte; the others follow (Loc.Next).
func pieceLocation(m *dwarfMachine, ops []byte, frame frameBase, fromList bool, size int) (loc.Loc, string) {
	op := ops[0]
	rest := ops[1:]
	spBreg := op == opBreg0+byte(m.arch.DWARFSP)
	switch {
	case op >= opReg0 && op <= opReg31 && len(ops) == 1:
		return m.regLocation(uint64(op-opReg0), size)
	case op == opRegx:
		n, k, _ := uleb(rest)
		if len(rest) != k {
			return loc.Loc{}, LocExpr
		}
		return m.regLocation(n, size)
	case op == opFbreg || spBreg:
		if op == opFbreg && frame != frameCFA && (frame != frameSP || !fromList) {
			return loc.Loc{}, LocFrameBase
		}
		if spBreg && !fromList {
			return loc.Loc{}, LocSPWhole
		}
		off, k, _ := sleb(rest)
		if op != opFbreg || frame != frameCFA {
			// SP at entry, which is below the CFA by what the call pushed.
			off -= int64(m.arch.CallPushes)
		}
		if off < 0 {
			return loc.Loc{}, LocCalleeFrame
		}
		switch tail := rest[k:]; {
		case len(tail) == 0:
			return loc.Stack(int(off)), ""
		case len(tail) == 1 && tail[0] == opDeref:
			return loc.Ref(loc.Stack(int(off)), 0), ""
		case len(tail) == 1 && tail[0] == opStackValue:
			return loc.Loc{}, LocComputed
		}
		return loc.Loc{}, LocExpr
	case op >= opBreg0 && op <= opBreg31:
		off, k, _ := sleb(rest)
		if len(rest) != k {
			if len(rest) == k+1 && rest[k] == opStackValue {
				return loc.Loc{}, LocComputed
			}
			return loc.Loc{}, LocExpr
		}
		r, ok := m.regs[uint64(op-opBreg0)]
		if !ok || r.Class != loc.X && r.Class != loc.R {
			return loc.Loc{}, LocCalleeReg
		}
		if !fromList {
			// GCC 12 describes a composite passed by reference with one
			// DW_OP_bregN for the whole function, N being where the body
			// keeps the pointer: vsprintf's va_list arrives in x2 and is
			// described as DW_OP_breg4 after a "mov x4, x2" at entry.
			return loc.Loc{}, LocRefWhole
		}
		return loc.Ref(loc.RegByte(r, 0), int(off)), ""
	case op == opEntryValue || op == opGNUEntryVal:
		l, k, _ := uleb(rest)
		inner := rest[k : k+int(l)]
		tail := rest[k+int(l):]
		if len(tail) != 1 || tail[0] != opStackValue || len(inner) == 0 {
			return loc.Loc{}, LocComputed
		}
		switch {
		case inner[0] >= opReg0 && inner[0] <= opReg31 && len(inner) == 1:
			return m.regLocation(uint64(inner[0]-opReg0), size)
		case inner[0] == opRegx:
			n, k2, _ := uleb(inner[1:])
			if len(inner) != 1+k2 {
				return loc.Loc{}, LocExpr
			}
			return m.regLocation(n, size)
		}
		return loc.Loc{}, LocComputed
	case op >= opLit0 && op <= opLit31, op == opImplicitVal:
		return loc.Loc{}, LocConst
	}
	for _, b := range ops {
		if b == opStackValue {
			return loc.Loc{}, LocComputed
		}
	}
	return loc.Loc{}, LocExpr
}

// regLocation is byte 0 of DWARF register n holding size bytes; a register
// that is not an argument register cannot hold a parameter at entry.
func (m *dwarfMachine) regLocation(n uint64, size int) (loc.Loc, string) {
	r, ok := m.regs[n]
	if !ok {
		return loc.Loc{}, LocOtherReg
	}
	if size > r.Width() {
		return loc.Loc{}, LocWide
	}
	return loc.RegByte(r, 0), ""
}

// locListAt finds the expression of the location list entry that covers
// pc. indexed is DW_FORM_loclistx (off is an index into the unit's offset
// table at DW_AT_loclists_base); otherwise off is a section offset.
func (u *unit) locListAt(indexed bool, off int64, pc uint64) (expr []byte, ok bool, why string) {
	base, _ := u.cu.Val(dwarf.AttrLowpc).(uint64)
	if u.version >= 5 {
		sec := u.df.loclists
		if indexed {
			lb, _ := u.cu.Val(dwarf.AttrLoclistsBase).(int64)
			at := lb + 4*off
			if lb <= 0 || at < 0 || at+4 > int64(len(sec)) {
				return nil, false, LocBadList
			}
			off = lb + int64(binary.LittleEndian.Uint32(sec[at:]))
		}
		return u.loclists5(sec, off, base, pc)
	}
	return loc4(u.df.loc, off, base, pc)
}

// loc4 walks a DWARF 2-4 .debug_loc list (DWARF 4 §2.6.2): address pairs
// relative to the base address, a (~0, addr) pair selecting a new base,
// (0, 0) ending the list; each expression has a 2-byte length.
func loc4(sec []byte, off int64, base, pc uint64) ([]byte, bool, string) {
	if off < 0 || off > int64(len(sec)) {
		return nil, false, LocBadList
	}
	b := sec[off:]
	for {
		if len(b) < 16 {
			return nil, false, LocBadList
		}
		lo, hi := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
		b = b[16:]
		switch {
		case lo == 0 && hi == 0:
			return nil, false, ""
		case lo == ^uint64(0):
			base = hi
			continue
		}
		if len(b) < 2 {
			return nil, false, LocBadList
		}
		n := int(binary.LittleEndian.Uint16(b))
		if len(b) < 2+n {
			return nil, false, LocBadList
		}
		expr := b[2 : 2+n]
		b = b[2+n:]
		if base+lo <= pc && pc < base+hi {
			return expr, true, ""
		}
	}
}

// DW_LLE_* (DWARF 5 §7.7.3), and GCC's view pair extension.
const (
	lleEnd          = 0x0
	lleBaseAddressx = 0x1
	lleStartxEndx   = 0x2
	lleStartxLength = 0x3
	lleOffsetPair   = 0x4
	lleDefault      = 0x5
	lleBaseAddress  = 0x6
	lleStartEnd     = 0x7
	lleStartLength  = 0x8
	lleGNUViewPair  = 0x9
)

// loclists5 walks a DWARF 5 .debug_loclists list.
func (u *unit) loclists5(sec []byte, off int64, base, pc uint64) ([]byte, bool, string) {
	if off < 0 || off > int64(len(sec)) {
		return nil, false, LocBadList
	}
	b := sec[off:]
	var def []byte
	readU := func() (uint64, bool) {
		v, n, ok := uleb(b)
		b = b[n:]
		return v, ok
	}
	readAddr := func() (uint64, bool) {
		if len(b) < 8 {
			return 0, false
		}
		v := binary.LittleEndian.Uint64(b)
		b = b[8:]
		return v, true
	}
	readExpr := func() ([]byte, bool) {
		n, ok := readU()
		if !ok || uint64(len(b)) < n {
			return nil, false
		}
		e := b[:n]
		b = b[n:]
		return e, true
	}
	for {
		if len(b) == 0 {
			return nil, false, LocBadList
		}
		kind := b[0]
		b = b[1:]
		var lo, hi uint64
		ok := true
		switch kind {
		case lleEnd:
			if def != nil {
				return def, true, ""
			}
			return nil, false, ""
		case lleBaseAddressx:
			var i uint64
			if i, ok = readU(); ok {
				base, ok = u.addrx(i)
			}
			if !ok {
				return nil, false, LocBadList
			}
			continue
		case lleBaseAddress:
			if base, ok = readAddr(); !ok {
				return nil, false, LocBadList
			}
			continue
		case lleGNUViewPair:
			_, ok1 := readU()
			_, ok2 := readU()
			if !ok1 || !ok2 {
				return nil, false, LocBadList
			}
			continue
		case lleStartxEndx:
			var i, j uint64
			i, ok = readU()
			j, ok2 := readU()
			if ok && ok2 {
				lo, ok = u.addrx(i)
				hi, ok2 = u.addrx(j)
			}
			ok = ok && ok2
		case lleStartxLength:
			var i, l uint64
			i, ok = readU()
			l, ok2 := readU()
			if ok && ok2 {
				lo, ok = u.addrx(i)
				hi = lo + l
			}
			ok = ok && ok2
		case lleOffsetPair:
			var ok2 bool
			lo, ok = readU()
			hi, ok2 = readU()
			lo, hi = base+lo, base+hi
			ok = ok && ok2
		case lleDefault:
		case lleStartEnd:
			var ok2 bool
			lo, ok = readAddr()
			hi, ok2 = readAddr()
			ok = ok && ok2
		case lleStartLength:
			var l uint64
			var ok2 bool
			lo, ok = readAddr()
			l, ok2 = readU()
			hi = lo + l
			ok = ok && ok2
		default:
			return nil, false, LocBadList
		}
		if !ok {
			return nil, false, LocBadList
		}
		expr, ok := readExpr()
		if !ok {
			return nil, false, LocBadList
		}
		if kind == lleDefault {
			def = expr
			continue
		}
		if lo <= pc && pc < hi {
			return expr, true, ""
		}
	}
}

// addrx reads entry i of the unit's .debug_addr table (DW_AT_addr_base,
// 8 when absent: just past the table header).
func (u *unit) addrx(i uint64) (uint64, bool) {
	ab, ok := u.cu.Val(dwarf.AttrAddrBase).(int64)
	if !ok {
		ab = 8
	}
	at := uint64(ab) + 8*i
	if at+8 > uint64(len(u.df.addr)) || at < uint64(ab) {
		return 0, false
	}
	return binary.LittleEndian.Uint64(u.df.addr[at:]), true
}

// locString prints a byte list as runs, "?" for undescribed bytes.
func locString(bytes []loc.Loc) string {
	s := ""
	for i, r := range loc.Runs(bytes) {
		if i > 0 {
			s += " "
		}
		if r.First.IsZero() {
			s += fmt.Sprintf("?×%d", r.Len)
			continue
		}
		s += r.String()
	}
	return s
}
