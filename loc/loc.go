// Package loc is trampfuzz's placement vocabulary: where one byte of a
// function argument is at the moment the function is entered.
//
// Every part of trampfuzz speaks it: the ABI oracle, the kernel's trampoline
// models, the compilers' observed ground truth, the CLI's JSON and the repro
// reports. A location is written as one short string:
//
//	x3.5        byte 5 of general-purpose register x3 (AArch64)
//	v1.12       byte 12 of FP/SIMD register v1 (AArch64)
//	rdi.0       byte 0 of %rdi (x86-64); likewise rsi, rdx, rcx, r8, r9, rax, ...
//	xmm0.7      byte 7 of %xmm0 (x86-64)
//	sp+24       the stack byte at SP+24, SP taken at function entry (the start
//	            of the caller's outgoing argument area; on x86-64, SP just
//	            before the call, so the first stack argument is sp+0 too)
//	ref(x2)+7   byte 7 of memory whose address is in x2 (by-reference argument)
//	ref(sp+8)+7 byte 7 of memory whose address is in the 8-byte stack slot at SP+8
//
// Register bytes are numbered from the least significant byte, so on a
// little-endian machine byte k of a register holds the byte that would be at
// address k if the register were stored to memory.
package loc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Kind says which of the three places a byte is in.
type Kind uint8

const (
	// InReg: byte Off of register Reg.
	InReg Kind = iota + 1
	// OnStack: the stack byte at SP+Off.
	OnStack
	// ByRef: byte Off of memory whose address is held in Reg (when Base is
	// InReg) or in the 8-byte stack slot at SP+Slot (when Base is OnStack).
	ByRef
)

// Class is a register file. The name of a register is its class plus number
// (x3, v1) except for x86-64 GPRs, which have names of their own.
type Class uint8

const (
	// X is an AArch64 general-purpose register x0..x30.
	X Class = iota + 1
	// V is an AArch64 FP/SIMD register v0..v31 (q/d/s/h are its low bytes).
	V
	// R is an x86-64 general-purpose register, numbered as in the
	// hardware encoding: rax=0, rcx=1, rdx=2, rbx=3, rsp=4, rbp=5, rsi=6,
	// rdi=7, r8..r15=8..15.
	R
	// XMM is an x86-64 SSE register xmm0..xmm15.
	XMM
)

// Reg is one register.
type Reg struct {
	Class Class
	N     uint8
}

var x86GPRNames = [16]string{"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"}

// x86-64 System V integer argument registers, in argument order.
var (
	RDI = Reg{R, 7}
	RSI = Reg{R, 6}
	RDX = Reg{R, 2}
	RCX = Reg{R, 1}
	R8  = Reg{R, 8}
	R9  = Reg{R, 9}
)

// XReg returns AArch64 GPR xN; VReg returns FP/SIMD register vN.
func XReg(n int) Reg { return Reg{X, uint8(n)} }

// VReg returns AArch64 FP/SIMD register vN.
func VReg(n int) Reg { return Reg{V, uint8(n)} }

// XMMReg returns x86-64 SSE register xmmN.
func XMMReg(n int) Reg { return Reg{XMM, uint8(n)} }

// Width is the register's size in bytes, the range of a byte index in it.
func (r Reg) Width() int {
	switch r.Class {
	case V, XMM:
		return 16
	default:
		return 8
	}
}

func (r Reg) String() string {
	switch r.Class {
	case X:
		return "x" + strconv.Itoa(int(r.N))
	case V:
		return "v" + strconv.Itoa(int(r.N))
	case R:
		if int(r.N) < len(x86GPRNames) {
			return x86GPRNames[r.N]
		}
	case XMM:
		return "xmm" + strconv.Itoa(int(r.N))
	}
	return fmt.Sprintf("reg(%d,%d)", r.Class, r.N)
}

// Loc is the location of one argument byte. It is comparable, so it can be
// used with == and as a map key. Build one with RegByte, Stack or Ref.
type Loc struct {
	Kind Kind
	// Reg is the register (InReg), or the register holding the address
	// (ByRef with Base == InReg).
	Reg Reg
	// Base is where the address of a ByRef argument is: InReg or OnStack.
	// (It sits before Off so that a Loc packs into 12 bytes: a placement
	// holds one per argument byte.)
	Base Kind
	// Off is the byte within the register (InReg), the offset from SP
	// (OnStack), or the offset inside the referenced memory (ByRef).
	Off int32
	// Slot is the SP offset of the stack slot holding the address
	// (ByRef with Base == OnStack).
	Slot int32
}

// RegByte is byte b of register r.
func RegByte(r Reg, b int) Loc { return Loc{Kind: InReg, Reg: r, Off: int32(b)} }

// Stack is the stack byte at SP+off.
func Stack(off int) Loc { return Loc{Kind: OnStack, Off: int32(off)} }

// Ref is byte off of the memory whose address is at base, which must be a
// whole register (RegByte(r, 0)) or a stack slot (Stack(n)).
func Ref(base Loc, off int) Loc {
	switch base.Kind {
	case InReg:
		return Loc{Kind: ByRef, Base: InReg, Reg: base.Reg, Off: int32(off)}
	case OnStack:
		return Loc{Kind: ByRef, Base: OnStack, Slot: base.Off, Off: int32(off)}
	}
	panic("loc.Ref: base must be a register or a stack slot")
}

// IsZero reports whether l is the zero Loc (no location).
func (l Loc) IsZero() bool { return l == Loc{} }

// Pointer returns, for a ByRef location, the location of the pointer itself
// as a register byte 0 or a stack slot; ok is false otherwise.
func (l Loc) Pointer() (Loc, bool) {
	if l.Kind != ByRef {
		return Loc{}, false
	}
	if l.Base == InReg {
		return RegByte(l.Reg, 0), true
	}
	return Stack(int(l.Slot)), true
}

// Next returns the location of the following byte: the next byte of the
// same register, stack or referenced memory.
func (l Loc) Next() Loc {
	l.Off++
	return l
}

func (l Loc) String() string {
	switch l.Kind {
	case InReg:
		return l.Reg.String() + "." + strconv.Itoa(int(l.Off))
	case OnStack:
		return "sp+" + strconv.Itoa(int(l.Off))
	case ByRef:
		if l.Base == InReg {
			return "ref(" + l.Reg.String() + ")+" + strconv.Itoa(int(l.Off))
		}
		return "ref(sp+" + strconv.Itoa(int(l.Slot)) + ")+" + strconv.Itoa(int(l.Off))
	}
	return ""
}

// MarshalText writes the location string, so JSON carries "x3.5". The
// zero Loc (no location, e.g. the missing side of a Diff) is "".
func (l Loc) MarshalText() ([]byte, error) {
	if l.IsZero() {
		return []byte{}, nil
	}
	return []byte(l.String()), nil
}

// UnmarshalText parses a location string; "" is the zero Loc.
func (l *Loc) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*l = Loc{}
		return nil
	}
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// ErrSyntax is wrapped by every Parse error.
var ErrSyntax = errors.New("invalid location")

// Parse reads a location string: x3.5, v1.12, rdi.0, xmm0.7, sp+24,
// ref(x2)+7, ref(sp+8)+7.
func Parse(s string) (Loc, error) {
	bad := func(why string) (Loc, error) {
		return Loc{}, fmt.Errorf("%w %q: %s", ErrSyntax, s, why)
	}
	if rest, ok := strings.CutPrefix(s, "ref("); ok {
		base, off, ok := strings.Cut(rest, ")+")
		if !ok {
			return bad("want ref(BASE)+N")
		}
		n, err := parseOffset(off)
		if err != nil {
			return bad(err.Error())
		}
		if sp, ok := strings.CutPrefix(base, "sp+"); ok {
			slot, err := parseOffset(sp)
			if err != nil {
				return bad(err.Error())
			}
			if slot%8 != 0 {
				return bad("a pointer's stack slot is 8-aligned")
			}
			return Ref(Stack(slot), n), nil
		}
		r, err := ParseReg(base)
		if err != nil {
			return bad(err.Error())
		}
		return Ref(RegByte(r, 0), n), nil
	}
	if off, ok := strings.CutPrefix(s, "sp+"); ok {
		n, err := parseOffset(off)
		if err != nil {
			return bad(err.Error())
		}
		return Stack(n), nil
	}
	name, byteStr, ok := strings.Cut(s, ".")
	if !ok {
		return bad("want REG.BYTE, sp+N or ref(BASE)+N")
	}
	r, err := ParseReg(name)
	if err != nil {
		return bad(err.Error())
	}
	b, err := parseOffset(byteStr)
	if err != nil {
		return bad(err.Error())
	}
	if b >= r.Width() {
		return bad(fmt.Sprintf("%s has %d bytes", r, r.Width()))
	}
	return RegByte(r, b), nil
}

// ParseReg reads a register name: x0..x30, v0..v31, xmm0..xmm15 or an x86-64
// GPR name (rax, rdi, r8, ...).
func ParseReg(s string) (Reg, error) {
	for i, n := range x86GPRNames {
		if s == n {
			return Reg{R, uint8(i)}, nil
		}
	}
	num := func(prefix string, max int) (int, bool) {
		d, ok := strings.CutPrefix(s, prefix)
		if !ok || d == "" || (len(d) > 1 && d[0] == '0') {
			return 0, false
		}
		n, err := strconv.Atoi(d)
		return n, err == nil && n >= 0 && n <= max
	}
	if n, ok := num("xmm", 15); ok {
		return XMMReg(n), nil
	}
	if n, ok := num("x", 30); ok {
		return XReg(n), nil
	}
	if n, ok := num("v", 31); ok {
		return VReg(n), nil
	}
	return Reg{}, fmt.Errorf("unknown register %q", s)
}

// MustParseRegs reads register names (an architecture record's argument
// registers) for a package's static tables; a name ParseReg does not take
// panics, at start-up, which every test run catches.
func MustParseRegs(names []string) []Reg {
	out := make([]Reg, len(names))
	for i, n := range names {
		r, err := ParseReg(n)
		if err != nil {
			panic("loc: " + err.Error())
		}
		out[i] = r
	}
	return out
}

func parseOffset(s string) (int, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') || strings.ContainsAny(s, "+-") {
		return 0, fmt.Errorf("bad offset %q", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1<<30 {
		return 0, fmt.Errorf("bad offset %q", s)
	}
	return n, nil
}
