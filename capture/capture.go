// Package capture is the capture stub that ground truth (truth) and a
// report's repro.c are both built from: an assembly function that every
// callee name labels, which stores the argument registers, the stack pointer
// at the call and a window of the stack above it into the C array tf_cap,
// in one record layout on every architecture:
//
//	GPROff     general-purpose argument registers, 8 bytes each, in the
//	           architecture record's order (x0–x7; rdi, rsi, rdx, rcx, r8, r9)
//	FPROff     FP/SIMD argument registers, 16 bytes each (q0–q7; xmm0–xmm7)
//	SPOff      the stack pointer just before the call: the address of sp+0
//	LenOff     the number of window bytes copied
//	WindowOff  the stack from sp+0 up (16-aligned for ldp/stp)
//
// Each architecture's file holds its stub; Stub.Offset maps a location to
// its byte in the record, so a reader (truth's decoder in Go, repro.c's
// tables in C) never writes the layout down again.
package capture

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/loc"
)

// The capture record's layout.
const (
	GPROff    = 0   // general-purpose argument registers, GPRBytes each
	FPROff    = 64  // FP/SIMD argument registers, FPRBytes each
	SPOff     = 192 // the stack pointer at the call
	LenOff    = 200 // window bytes copied
	WindowOff = 208 // the stack window, from sp+0 up
	GPRBytes  = 8
	FPRBytes  = 16
	// MaxGPRs and MaxFPRs are what the record has room for.
	MaxGPRs = (FPROff - GPROff) / GPRBytes
	MaxFPRs = (SPOff - FPROff) / FPRBytes
)

// Stub is one architecture's capture stub.
type Stub struct {
	Arch *arch.Arch
	// GPRs and FPRs are the argument registers the stub stores, in the
	// record's order (the architecture record's lists).
	GPRs, FPRs []loc.Reg

	// symbolType is the assembler's function type ("%function",
	// "@function").
	symbolType string
	// storeRegs stores the registers and SP (asm lines), leaving SP at
	// the call in the register copy reads it from.
	storeRegs string
	// copyWindow stores the window's length at LenOff, copies the window
	// and returns (asm lines); the length comes from lenFrom.
	copyWindow func(lenFrom Window) string
}

// Window says how much stack the stub copies.
type Window struct {
	// Bytes is a fixed length (repro.c knows how far its arguments reach).
	Bytes int
	// Top, when Bytes is 0, names a C variable (unsigned long) holding
	// the address the window ends at (truth: main's frame); at most Max
	// bytes are copied.
	Top string
	Max int
}

// stubs holds each architecture's stub, filled by its file.
var stubs = map[*arch.Arch]*Stub{}

func register(s *Stub) {
	s.GPRs, s.FPRs = loc.MustParseRegs(s.Arch.GPRs), loc.MustParseRegs(s.Arch.FPRs)
	if len(s.GPRs) > MaxGPRs || len(s.FPRs) > MaxFPRs {
		panic(fmt.Sprintf("capture: %s has more argument registers than the record holds", s.Arch))
	}
	stubs[s.Arch] = s
}

// For returns a's stub.
func For(a *arch.Arch) (*Stub, error) {
	s, ok := stubs[a]
	if !ok {
		return nil, fmt.Errorf("%w: no capture stub for %s", arch.ErrUnknown, a)
	}
	return s, nil
}

// Size is the size of tf_cap for a window of at most window bytes.
func Size(window int) int { return WindowOff + window }

// Asm is the C text of the stub: the declaration of tf_cap (room for
// Size(window) bytes, window being w.Bytes or w.Max) and an __asm__
// statement defining every name of labels as the stub.
func (s *Stub) Asm(labels []string, w Window) string {
	var b strings.Builder
	fmt.Fprintf(&b, "unsigned char tf_cap[%d] __attribute__((aligned(16)));\n", Size(max(w.Bytes, w.Max)))
	b.WriteString("__asm__(\n\t\"\\t.text\\n\"\n\t\"\\t.p2align 4\\n\"\n")
	var ls strings.Builder
	for _, l := range labels {
		fmt.Fprintf(&ls, "\t.globl %[1]s\n\t.type %[1]s, %[2]s\n%[1]s:\n", l, s.symbolType)
	}
	b.WriteString(CLines(ls.String()))
	b.WriteString(CLines(s.storeRegs + s.copyWindow(w)))
	fmt.Fprintf(&b, "\t\"\\t.size %[1]s, .-%[1]s\\n\");\n", labels[len(labels)-1])
	return b.String()
}

// Offset is the byte of the capture record that holds l: a byte of an
// argument register or of the window (Off < window). ok is false for any
// other location.
func (s *Stub) Offset(l loc.Loc, window int) (off int, ok bool) {
	switch l.Kind {
	case loc.InReg:
		if i := slices.Index(s.GPRs, l.Reg); i >= 0 && l.Off < GPRBytes {
			return GPROff + GPRBytes*i + int(l.Off), true
		}
		if i := slices.Index(s.FPRs, l.Reg); i >= 0 && l.Off < FPRBytes {
			return FPROff + FPRBytes*i + int(l.Off), true
		}
	case loc.OnStack:
		if l.Off >= 0 && int(l.Off) < window {
			return WindowOff + int(l.Off), true
		}
	}
	return 0, false
}

// Locations lists every location the record holds for a window of window
// bytes, in record order: each GPR byte, each FPR byte, each window byte.
func (s *Stub) Locations(window int) []loc.Loc {
	var out []loc.Loc
	for _, r := range s.GPRs {
		out = append(out, loc.Contiguous(loc.RegByte(r, 0), GPRBytes)...)
	}
	for _, r := range s.FPRs {
		out = append(out, loc.Contiguous(loc.RegByte(r, 0), FPRBytes)...)
	}
	if window > 0 {
		out = append(out, loc.Contiguous(loc.Stack(0), window)...)
	}
	return out
}

// CLines turns assembly lines into the lines of a C string literal, one
// per instruction.
func CLines(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l == "" {
			continue
		}
		b.WriteString("\t" + strconv.Quote(l) + "\n")
	}
	return b.String()
}

// ScrubC is tf_scrub: a C function that clears bytes of the stack the next
// call uses, so bytes an earlier run left there cannot pass for this run's
// arguments.
func ScrubC(bytes int) string {
	return `/* Clears the stack the next call uses, so bytes left by an earlier run
   cannot pass for this run's arguments. */
static void __attribute__((noinline)) tf_scrub(void)
{
	unsigned char b[` + strconv.Itoa(bytes) + `];
	__builtin_memset(b, 0, sizeof b);
	__asm__ volatile("" :: "r"(b) : "memory");
}
`
}
