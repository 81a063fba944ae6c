package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/loc"
)

// runs folds a byte list for the text: "x2.0-7 x3.0-7"; a run of bytes
// with no location is missing(its length).
func runs(bytes []loc.Loc, missing func(n int) string) string {
	var parts []string
	for _, r := range loc.Runs(bytes) {
		if r.First.IsZero() {
			parts = append(parts, missing(r.Len))
			continue
		}
		parts = append(parts, r.String())
	}
	return strings.Join(parts, " ")
}

// notSaved marks bytes an arm64 trampoline never stores.
func notSaved(int) string { return "(not saved)" }

// missingX86 marks, in x86-64 reports, a run of bytes with no location by
// its length: System V does not pass NO_CLASS eightbytes at all ("(not
// passed: 8 bytes)"), and a trampoline slot past nr_regs is never saved
// ("(not saved: 8 bytes)").
func missingX86(what string) func(n int) string {
	return func(n int) string { return fmt.Sprintf("(%s: %s)", what, plural(n, "byte")) }
}

// abiRuns and jitRuns fold an argument's bytes as the ABI placed them and
// as the trampoline reads them, in the notation of c's architecture.
func abiRuns(c *Case, bytes []loc.Loc) string { return runs(bytes, textOf(c).abiMissing) }

func jitRuns(c *Case, bytes []loc.Loc) string { return runs(bytes, textOf(c).jitMissing) }

// unpassedArg is the first argument up to index i with bytes the ABI does
// not pass (System V NO_CLASS eightbytes), or -1.
func unpassedArg(abi loc.Placement, i int) int {
	for j := 0; j <= i && j < len(abi.Args); j++ {
		if slices.ContainsFunc(abi.Args[j].Bytes, loc.Loc.IsZero) || len(abi.Args[j].Bytes) < abi.Args[j].Size {
			return j
		}
	}
	return -1
}

// passedAlike reports whether jit reads every byte the ABI passes (a
// non-zero location in abi) from where the ABI put it.
func passedAlike(abi, jit []loc.Loc) bool {
	for b, l := range abi {
		if !l.IsZero() && (b >= len(jit) || jit[b] != l) {
			return false
		}
	}
	return true
}

// Summary is the one sentence that says what is wrong.
func Summary(c *Case) string {
	v := c.Verdict
	m := v.Mismatches[0]
	name := m.Name
	if name == "" {
		name = fmt.Sprintf("arg%d", m.Index)
	}
	prog := "a BPF fentry/fexit program"
	if c.Target.StructOps {
		prog = "a BPF struct_ops program"
	}
	s := fmt.Sprintf("On %s with BTF from pahole %s, %s attached to `%s` reads argument %d `%s` (`%s`, %s) from `%s`, but the caller put it in `%s`",
		c.Target.Kernel, c.Target.Pahole, prog, strings.TrimSuffix(lastLine(v.C), "\n"), m.Index, name, m.Type, plural(m.Size, "byte"), jitRuns(c, m.JIT), abiRuns(c, m.ABI))
	if v.Rule == check.RuleOther || check.KernelSide(v.Rule) {
		return s + " (" + v.Problem + ")."
	}
	return s + ": the trampoline does not apply " + v.Rule + " (" + strings.TrimPrefix(v.Problem, v.Rule+" ") + ")."
}

// lastLine is the prototype line of canonical C text.
func lastLine(text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	return lines[len(lines)-1]
}

// README is the report's README.md.
func README(c *Case) string {
	v := c.Verdict
	m := v.Mismatches[0]
	text := textOf(c)
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	w("# %s\n\n", v.Class)
	w("**What is wrong.** %s\n\n", Summary(c))
	switch {
	case v.Known != nil:
		w("**Status.** Known class (check/known_classes.yaml): %s\n\n", v.Known.Explanation)
		for _, cf := range check.ConfirmationsOf(v.Known.Problem) {
			switch cf.Result {
			case check.ConfirmedOnKernel:
				w("**Confirmed on %s** (%s) under QEMU, with `%s`: BPF saw %s.\n\n", debianName(cf), cf.Release, lastLine(cf.Witness), cf.Saw)
			case check.NotReproduced:
				w("**Not reproduced on %s** (%s) with `%s`: %s.\n\n", debianName(cf), cf.Release, lastLine(cf.Witness), cf.Why)
			}
		}
	default:
		w("**Status.** New: this class is not in check/known_classes.yaml.\n\n")
	}
	if !v.Reachable {
		w("**Not reachable in kernel builds.** The signature needs a floating-point type. %s\n\n", text.unreachable)
	}
	if len(v.Mismatches) > 1 {
		var later []string
		for _, mm := range v.Mismatches[1:] {
			later = append(later, fmt.Sprintf("%d", mm.Index))
		}
		w("The first misread argument is the root cause; argument(s) %s are misread too, possibly only shifted by it.\n\n", strings.Join(later, ", "))
	}

	w("## The case\n\n```c\n%s```\n\n", v.C)
	w("- Target: `%s` (kernel model %s, pahole %s, ABI %s).\n", v.Target, c.Target.Kernel, c.Target.Pahole, c.Target.ABI.Name)
	w("- Class key: `%s`\n", v.Class)
	if o := c.Origin; o != nil {
		from := ""
		if o.Input != "" {
			from = " `" + o.Input + "`"
		}
		minimal := "1-minimal: no single shrinking move keeps the class"
		if !o.Complete {
			minimal = "shrinking was cut short by a bound, so this case may not be 1-minimal"
		}
		w("- Minimized from%s (%d arguments) in %d checks, %d accepted moves; %s.\n", from, o.Args, o.Tests, o.Accepted, minimal)
		if o.C != "" && o.C != v.C {
			w("\n<details><summary>the input before shrinking</summary>\n\n```c\n%s```\n</details>\n", o.C)
		}
	}
	b.WriteString("\n")

	w("## The rule\n\nThe trampoline did not follow **%s**.\n\n", v.Rule)
	w("The rules that placed argument %d (%s), in the order they applied:\n\n", m.Index, text.spec)
	for _, r := range m.ABIRules {
		p, ok := Paraphrase(r)
		if !ok {
			p = "(no paraphrase recorded)"
		}
		mark := ""
		if r == v.Rule {
			mark = " ← not applied by the trampoline"
		}
		w("- **%s**%s: %s\n", ruleID(r), mark, strings.TrimPrefix(p, ruleID(r)+": "))
	}
	if !slices.Contains(m.ABIRules, v.Rule) {
		if p, ok := Paraphrase(v.Rule); ok {
			w("- %s\n", p)
		}
	}
	if j := unpassedArg(*v.ABI, m.Index); text.unpassed && v.Rule == check.RuleX86NoClass && j >= 0 {
		a := v.ABI.Args[j]
		w("\nThe bytes System V does not pass are in argument %d `%s` (`%s`, placed `%s`), by these rules:\n\n", a.Index, a.Name, a.Type, abiRuns(c, a.Bytes))
		for _, r := range a.Rules {
			p, ok := Paraphrase(r)
			if !ok {
				p = "(no paraphrase recorded)"
			}
			w("- **%s**: %s\n", ruleID(r), strings.TrimPrefix(p, ruleID(r)+": "))
		}
	}
	b.WriteString("\n")

	w("## The kernel code path\n\n")
	k := c.Target.Kernel
	mainline := "mainline"
	if !k.Mainline {
		mainline = "NOT in mainline (a proposed patch)"
	}
	w("- Kernel: %s, %s; commits %s.\n", k, mainline, strings.Join(k.Commits, ", "))
	w("- What it does: %s.\n", k.Summary)
	jitPath := text.jitPath(c)
	w("- Path: pahole %s encodes the function's BTF (it passes pahole's checks) → `kernel/bpf/btf.c: btf_distill_func_proto()` builds `struct btf_func_model` (nr_args, arg_size, arg_flags: no alignment, no C attributes) → %s saves the arguments into the BPF ctx.\n", c.Target.Pahole, jitPath)
	if v.JIT != nil && m.Index < len(v.JIT.Args) && len(v.JIT.Args[m.Index].Rules) > 0 {
		w("- Where argument %d is read: %s.\n", m.Index, strings.Join(v.JIT.Args[m.Index].Rules, "; "))
	}
	b.WriteString("\n")

	w("## Where each byte is: %s against the trampoline\n\n", text.abi)
	w("Argument bytes are written `name.bytes`; `@4-7` gives a piece's bytes inside its register or 8-byte stack slot when it does not start at byte 0. %s\n\n", text.stackNote)
	b.WriteString(Diagram(c.Target.Kernel.Arch, *v.ABI, *v.JIT))
	b.WriteString("\n")
	w("| argument | type | %s | trampoline reads |", text.abi)
	if v.Ctx != nil {
		w(" BPF ctx slots |")
	}
	w("\n| --- | --- | --- | --- |")
	if v.Ctx != nil {
		w(" --- |")
	}
	b.WriteString("\n")
	for i, a := range v.ABI.Args {
		var jb []loc.Loc
		if i < len(v.JIT.Args) {
			jb = v.JIT.Args[i].Bytes
		}
		mark := ""
		if !slices.Equal(a.Bytes, jb) {
			mark = " **(wrong)**"
			if text.unpassed && passedAlike(a.Bytes, jb) {
				// Only bytes the caller does not pass differ: the
				// trampoline reads a register or slot the argument
				// does not have, which shifts later arguments.
				mark = " (takes a slot for bytes System V does not pass)"
			}
		}
		w("| %d `%s` | `%s` | `%s` | `%s`%s |", i, a.Name, a.Type, abiRuns(c, a.Bytes), jitRuns(c, jb), mark)
		if v.Ctx != nil {
			slots := ""
			for _, ca := range v.Ctx.Args {
				if ca.Index == i {
					slots = fmt.Sprintf("ctx[%d]", ca.FirstSlot)
					if ca.Slots > 1 {
						slots = fmt.Sprintf("ctx[%d..%d]", ca.FirstSlot, ca.FirstSlot+ca.Slots-1)
					}
				}
			}
			w(" %s |", slots)
		}
		b.WriteString("\n")
	}
	if v.Ctx != nil {
		w("\n`bpf_get_func_arg_cnt()` returns %d; an fexit program finds the return value in ctx[%d].\n", v.Ctx.Count, v.Ctx.RetSlot)
	}
	b.WriteString("\n")

	w("## Reproduce\n\n")
	b.WriteString(text.reproduce(c))
	w("Re-check and re-minimize this case from the trampfuzz module (case.json records the target):\n\n```sh\n%s\n```\n\n", RerunCommand("path/to/this/report/case.json"))
	id := c.ID()
	w("## Kernel selftest\n\n")
	w("`kselftest/` holds a test in the style of tools/testing/selftests/bpf `tracing_struct`, ready to paste:\n\n")
	w("- `bpf_testmod.c`: the types and `noinline int bpf_testmod_test_tf_%s(...)` for test_kmods/bpf_testmod.c, and the call with known values for `bpf_testmod_test_read()`.\n", id)
	w("- `progs/tracing_struct_tf_%s.c`: fentry and fexit programs that record every argument's value.\n", id)
	w("- `prog_tests/tracing_struct_tf_%s.c`: the subtest that triggers the call and asserts each value; on an affected kernel the assertions of the misread arguments fail.\n", id)
	if c.Target.StructOps {
		w("\nThese programs attach with fentry/fexit; the mismatch is in the struct_ops trampoline, which needs a bpf_testmod_ops callback with this signature and a struct_ops program instead (not generated).\n")
	}
	w("\nThe BTF of the new function comes from the pahole that builds the module: with a pahole that skips it, attaching fails instead (that is pahole's protection, see the class explanation).\n")
	return b.String()
}

// RerunCommand is the one-line command, run from the trampfuzz module,
// that re-checks and re-minimizes the case from its case.json at path
// (which records the target).
func RerunCommand(path string) string {
	return "go run ./cmd/minimize " + path
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// debianName names a confirmation's kernel for a person: "Debian
// 6.12-arm64" for "debian/6.12-arm64".
func debianName(cf check.Confirmation) string {
	if rest, ok := strings.CutPrefix(cf.Kernel, "debian/"); ok {
		return "Debian " + rest
	}
	return cf.Kernel
}
