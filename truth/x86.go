package truth

// x86-64 ground truth: the capture and receive passes of the AArch64
// harness, compiled natively by gcc and clang --target=x86_64-linux-gnu and
// run directly. The capture record keeps its layout: slots 0–5 of the
// register area hold rdi, rsi, rdx, rcx, r8, r9 (x86-64 psABI 1.0 §3.2.3,
// Figure 3.4: the integer argument registers in order), 6 and 7 stay zero,
// the vector area holds xmm0–xmm7, and SP is the stack pointer just before
// the call (RSP at entry + 8, past the return address), so the first stack
// argument is sp+0 as on AArch64.
//
// Two things differ from AArch64 beyond the registers:
//   - A function returning a record of class MEMORY takes the address of
//     the return buffer in rdi, "as if it were the first argument". The
//     capture stub returns that address in rax, as the psABI asks; the
//     receivers of the receive pass return the signature's own type, and
//     rdi gets a pointer to a buffer whenever the capture pass found no
//     argument byte in it.
//   - long double is the x87 80-bit format in 16 bytes. Compilers copy it
//     through the x87 stack (fldt/fstpt), which changes any bit pattern that
//     is not a normal number and does not carry bytes 10–15 (padding, X87UP
//     in the psABI's words). Every long double in an argument therefore gets
//     bit 63 (the explicit integer bit) set, which with pattern bytes that
//     are never 0x00 or 0xff makes it a normal number; its bytes 10–15 may
//     be found nowhere.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/capture"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/toolchain"
)

// The architectures Options.Arch selects.
const (
	ArchARM64  = "aarch64" // cross-compiled, run under qemu-aarch64 (the default)
	ArchX86_64 = "x86_64"  // compiled natively, run directly
)

// ErrUnknownArch is wrapped for an Options.Arch that is none of Arches.
var ErrUnknownArch = errors.New("unknown architecture")

// archSpec is what the harness needs to know about one architecture.
type archSpec struct {
	// rec is the architecture record (layout rules, names).
	rec *arch.Arch
	// gprs are the integer argument registers, in the order of the capture
	// record's register slots; fprs the vector argument registers.
	gprs []loc.Reg
	fprs []loc.Reg
	// x87: long double is the x87 80-bit format (pattern and padding):
	// the record's long double holds 10 value bytes.
	x87 bool
	// returnsValue: receivers return the signature's type, and the
	// hidden return-buffer register may need a pointer (recv.go).
	returnsValue bool
	// padNowhere: a byte the caller put nowhere is padding the callee may
	// read from anywhere (x86-64 passes records by their eightbyte classes
	// and members, so padding is often not passed at all).
	padNowhere bool
	// retBuf is the record's ResultAddressReg when it is also an argument
	// register (rdi); zero Reg if not (AArch64's x8).
	retBuf loc.Reg

	// The architecture's own parts of the harness, set by init in its
	// file: the receive pass's runner (C text), how far above SP stacked
	// arguments reach, and its compilers.
	recvRunner   string
	stackBound   func(p sigPlan) int
	findCompiler func(c Compiler) (compilerTool, error)
	// stub is the capture stub of the architecture.
	stub *capture.Stub
}

func init() {
	x86Arch.recvRunner = recvRunnerX86
	x86Arch.stackBound, x86Arch.findCompiler = stackBoundX86, findCompilerX86
	arm64Arch.recvRunner = recvRunner
	arm64Arch.stackBound, arm64Arch.findCompiler = stackBoundARM64, findCompiler
}

var arm64Arch = newArchSpec(arch.ARM64)

var x86Arch = func() archSpec {
	a := newArchSpec(arch.X86_64)
	a.returnsValue, a.padNowhere = true, true
	return a
}()

// newArchSpec is the spec of rec with the facts its record says.
func newArchSpec(rec *arch.Arch) archSpec {
	stub, err := capture.For(rec)
	if err != nil {
		panic(err) // every architecture has a stub (capture's tests)
	}
	a := archSpec{
		rec:  rec,
		stub: stub,
		gprs: loc.MustParseRegs(rec.GPRs),
		fprs: loc.MustParseRegs(rec.FPRs),
		x87:  rec.LongDoubleBytes == 10,
	}
	if r := loc.MustParseRegs([]string{rec.ResultAddressReg})[0]; slices.Contains(a.gprs, r) {
		a.retBuf = r
	}
	return a
}

// native reports whether the harness runs directly on this host rather
// than under the record's qemu-user.
func (a *archSpec) native() bool { return a.rec.GOARCH == runtime.GOARCH }

// archSpecs are the observed architectures by their records.
var archSpecs = map[*arch.Arch]*archSpec{arch.ARM64: &arm64Arch, arch.X86_64: &x86Arch}

// lookupArch returns the spec of an Options.Arch value: any spelling
// arch.Lookup takes ("aarch64", "arm64", "x86_64", "amd64"); "" is AArch64.
func lookupArch(name string) (*archSpec, error) {
	if name == "" {
		return &arm64Arch, nil
	}
	a, err := arch.Lookup(name)
	if err == nil {
		if spec, ok := archSpecs[a]; ok {
			return spec, nil
		}
	}
	return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownArch, name, strings.Join(Arches(), ", "))
}

// Arches names the architectures truth observes, in arch.All's order.
func Arches() []string {
	var out []string
	for _, a := range arch.All() {
		if _, ok := archSpecs[a]; ok {
			out = append(out, a.Name)
		}
	}
	return out
}

// orARM64 is a, or the AArch64 spec for nil (plans and batches built by
// tests without an architecture).
func orARM64(a *archSpec) *archSpec {
	if a == nil {
		return &arm64Arch
	}
	return a
}

// gprSlot is the capture record slot of GPR r, or -1.
func (a *archSpec) gprSlot(r loc.Reg) int {
	for i, g := range a.gprs {
		if g == r {
			return i
		}
	}
	return -1
}

// findCompilerX86 is findCompiler for x86-64: the host's gcc and clang for
// the host's target, with the common flags.
func findCompilerX86(c Compiler) (compilerTool, error) {
	switch c {
	case GCC:
		p, err := toolchain.Find(toolchain.HostGCC)
		if err != nil {
			return compilerTool{}, err
		}
		return compilerTool{c: c, argv: append([]string{p}, commonFlags...)}, nil
	case Clang:
		p, err := toolchain.Find(toolchain.Clang)
		if err != nil {
			return compilerTool{}, err
		}
		return compilerTool{c: c, argv: append([]string{p, "--target=x86_64-linux-gnu"}, commonFlags...)}, nil
	}
	return compilerTool{}, fmt.Errorf("%w %q (want %q or %q)", ErrUnknownCompiler, c, GCC, Clang)
}

// stackBoundX86 is how far above SP stacked arguments can reach on x86-64:
// every argument may be on the stack by value, at its alignment (at most
// that of the type or of its main variant), its size rounded up to 8
// (psABI 1.0 §3.2.3).
func stackBoundX86(p sigPlan) int {
	n := 0
	for j, prm := range p.fn.Params {
		align := max(p.lay.Alignof(prm.Type), p.lay.Alignof(ctype.Underlying(prm.Type)))
		n += (p.sizes[j]+7)/8*8 + int(max(0, align-8))
	}
	return n
}

// x87Tuple draws a tuple of pattern values with bit 7 set in every run
// (128–254), not all equal, that used does not hold.
func x87Tuple[V any](rng *rand.Rand, runs int, used map[uint64]V) uint64 {
	for {
		var key uint64
		same := true
		for r := 0; r < runs; r++ {
			v := uint64(128 + rng.IntN(patternValues-127))
			if r > 0 && v != key&0xff {
				same = false
			}
			key |= v << (8 * r)
		}
		if _, ok := used[key]; !same && !ok {
			return key
		}
	}
}

// recvRunnerX86 is tf_invoke for x86-64 and the receive pass's main; see
// recvRunner.
var recvRunnerX86 = recvDecls + `
/* tf_invoke(fn, n): copies tf_in's stack image (n bytes, a multiple of 16)
   below rsp, loads rdi, rsi, rdx, rcx, r8, r9 and xmm0-xmm7 from tf_in and
   calls fn, so fn finds those values where the calling convention tells it
   to look for its arguments. */
__asm__(
	"\t.text\n"
	"\t.p2align 4\n"
	"\t.globl tf_invoke\n"
	"\t.type tf_invoke, @function\n"
	"tf_invoke:\n"
	"\tpushq %rbp\n"
	"\tmovq %rsp, %rbp\n"
	"\tpushq %rbx\n"
	"\tpushq %r12\n"
	"\tmovq %rdi, %rbx\n"
	"\tsubq %rsi, %rsp\n"
	"\tmovq %rsi, %rcx\n"
	"\tmovq %rsp, %rdi\n"
	"\tleaq tf_in+` + strconv.Itoa(recvRegBytes) + `(%rip), %rsi\n"
	"\trep movsb\n"
	"\tleaq tf_in(%rip), %r11\n"
	"\tmovdqu 64(%r11), %xmm0\n"
	"\tmovdqu 80(%r11), %xmm1\n"
	"\tmovdqu 96(%r11), %xmm2\n"
	"\tmovdqu 112(%r11), %xmm3\n"
	"\tmovdqu 128(%r11), %xmm4\n"
	"\tmovdqu 144(%r11), %xmm5\n"
	"\tmovdqu 160(%r11), %xmm6\n"
	"\tmovdqu 176(%r11), %xmm7\n"
	"\tmovq 0(%r11), %rdi\n"
	"\tmovq 8(%r11), %rsi\n"
	"\tmovq 16(%r11), %rdx\n"
	"\tmovq 24(%r11), %rcx\n"
	"\tmovq 32(%r11), %r8\n"
	"\tmovq 40(%r11), %r9\n"
	"\tcall *%rbx\n"
	"\tfninit\n"
	"\tleaq -16(%rbp), %rsp\n"
	"\tpopq %r12\n"
	"\tpopq %rbx\n"
	"\tpopq %rbp\n"
	"\tret\n"
	"\t.size tf_invoke, .-tf_invoke\n");
` + recvMain

// CompilerMajor is the major version of compiler c for architecture
// archName ("" is AArch64), from its -dumpversion: the oracle variant that
// describes a compiler follows it (oracle.CompilerVariant).
func CompilerMajor(ctx context.Context, c Compiler, archName string) (int, error) {
	a, err := lookupArch(archName)
	if err != nil {
		return 0, err
	}
	tool, err := a.findCompiler(c)
	if err != nil {
		return 0, err
	}
	out, err := exec.CommandContext(ctx, tool.argv[0], "-dumpversion").Output()
	if err != nil {
		return 0, fmt.Errorf("%s -dumpversion: %v", tool.argv[0], err)
	}
	major, _, _ := strings.Cut(strings.TrimSpace(string(out)), ".")
	n, err := strconv.Atoi(major)
	if err != nil {
		return 0, fmt.Errorf("%s -dumpversion: %q is not a version", tool.argv[0], out)
	}
	return n, nil
}
