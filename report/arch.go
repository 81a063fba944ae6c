package report

import (
	"fmt"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

// archText is what a report says differently per architecture: the ABI's
// name and where its rules live, the argument registers of the diagram, and
// why a floating-point signature is not reachable in kernel builds.
type archText struct {
	// abi names the calling convention in headings and tables.
	abi string
	// spec is where the paraphrased rules live in the ABI document.
	spec string
	// rulePrefix is stripped from rule ids for the rule list ("C.10",
	// "pass INTEGER").
	rulePrefix string
	// gprs are the integer argument registers, always shown; fprs the
	// FP/SIMD argument registers, shown when either side uses one, with
	// fprsNone the row that stands for all of them otherwise.
	gprs, fprs []loc.Reg
	fprsNone   string
	// stackNote says what the stack offsets are relative to.
	stackNote string
	// unreachable explains why no kernel function takes a floating-point
	// argument on this architecture.
	unreachable string

	// abiMissing and jitMissing name a run of bytes with no location, as
	// the ABI placed them and as the trampoline reads them.
	abiMissing, jitMissing func(n int) string
	// unpassed is true where the ABI passes some bytes nowhere (System V
	// NO_CLASS eightbytes), so a trampoline can take slots for them.
	unpassed bool
	// x87 is true where long double is the x87 80-bit format.
	x87 bool
	// jitPath is the JIT code path that saved the arguments.
	jitPath func(c *Case) string
	// reproduce is the README's "Reproduce" text before the rerun line.
	reproduce func(c *Case) string
	// reproCommands build and run repro.c, as its header and the README
	// give them.
	reproCommands []string
	// padNowhere: the ABI may pass a byte that holds no value (padding)
	// nowhere, so repro.c does not look for it (System V passes records
	// by their eightbytes' classes and members).
	padNowhere bool
}

// archTexts are the architectures' texts by name; each architecture's
// file registers its own (text_aapcs64.go, text_sysv.go).
var archTexts = map[string]*archText{}

func registerText(a *arch.Arch, t *archText) { archTexts[a.Name] = t }

// checkArch says whether reports can be written for a target's
// architecture.
func checkArch(name string) error {
	if _, ok := archTexts[name]; !ok {
		return fmt.Errorf("report: %w: no report text for %q", arch.ErrUnknown, name)
	}
	return nil
}

// textFor is the text of arch. Cases exist only for architectures with a
// text (New and ReadCase check), so the lookup cannot fail for them.
func textFor(arch string) *archText { return archTexts[arch] }

// textOf is the text of c's architecture.
func textOf(c *Case) *archText { return textFor(c.Target.Kernel.Arch) }

// layoutsOf lays out c's types by the rules of c's architecture: its
// target's ABI's (check.Run, which every Case comes from, refuses a target
// whose ABI is not of its kernel's architecture).
func layoutsOf(c *Case) *ctype.Layouts {
	return &ctype.Layouts{Arch: c.Target.ABI.ABI().Arch()}
}
