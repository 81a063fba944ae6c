package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

func init() {
	register("check", "compare the ABI's placement with a kernel trampoline's (-target all: every model)", runCheck)
	register("layout", "print where a kernel trampoline reads each argument byte, from pahole's BTF", runLayout)
}

// targetFlags are the -target, -pahole, -abi and -struct-ops flags of
// check and layout.
type targetFlags struct {
	kernel, pahole, abi *string
	structOps           *bool
}

func addTargetFlags(fs *flag.FlagSet) targetFlags {
	return targetFlags{
		kernel: fs.String("target", "", "kernel target ARCH/VERSION, e.g. arm64/v6.17 or arm64/place-args (default: newest; check also takes 'all')"),
		pahole: fs.String("pahole", "", "pahole version: 1.24, 1.31 or head (default: newest)"),
		abi: fs.String("abi", "", "ABI `variant` of the target's architecture the compiler is held to, e.g. aapcs64/gcc12, "+
			"sysv/clang14, or the part after the slash (default: the architecture's default; `trampfuzz archs` lists them)"),
		structOps: fs.Bool("struct-ops", false, "model a struct_ops trampoline instead of fentry/fexit"),
	}
}

// targets resolves the flags; "all" gives every modelled kernel, with the
// -pahole version when one is given and every version otherwise, and with
// -abi, the kernels of the architectures that have that variant.
func (f targetFlags) targets() ([]check.Target, error) {
	if *f.kernel == "all" {
		var out []check.Target
		var abiErr error
		for _, t := range check.Targets() {
			if *f.pahole != "" {
				p, err := check.ParseTarget("", *f.pahole)
				if err != nil {
					return nil, err
				}
				if t.Pahole != p.Pahole {
					continue
				}
			}
			t, err := t.WithABI(*f.abi)
			if err != nil {
				abiErr = err
				continue // the variant is another architecture's
			}
			t.StructOps = *f.structOps
			out = append(out, t)
		}
		if len(out) == 0 && abiErr != nil {
			return nil, abiErr
		}
		return out, nil
	}
	t, err := check.ParseTarget(*f.kernel, *f.pahole)
	if err != nil {
		return nil, err
	}
	if t, err = t.WithABI(*f.abi); err != nil {
		return nil, err
	}
	t.StructOps = *f.structOps
	return []check.Target{t}, nil
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", "FILE.c", stderr)
	tf := addTargetFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON: one verdict object, or an array with -target all")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitBadInput
	}
	targets, err := tf.targets()
	if err != nil {
		return badInput(stderr, err)
	}
	fn, err := readFunc(fs.Arg(0))
	if err != nil {
		return badInput(stderr, err)
	}
	var verdicts []*check.Verdict
	code := exitOK
	for _, t := range targets {
		v, err := check.Run(fn, t)
		if err != nil {
			return badInput(stderr, err)
		}
		if v.Kind == check.Mismatch {
			code = exitFinding
		}
		verdicts = append(verdicts, v)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if *tf.kernel == "all" {
			enc.Encode(verdicts)
		} else {
			enc.Encode(verdicts[0])
		}
		return code
	}
	if len(verdicts) > 1 {
		tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "TARGET\tVERDICT\tDETAIL")
		for _, v := range verdicts {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Target, v.Kind, detail(v))
		}
		tw.Flush()
		return code
	}
	printVerdict(stdout, verdicts[0])
	return code
}

func detail(v *check.Verdict) string {
	switch v.Kind {
	case check.Rejected:
		return v.Rejected.Stage + ": " + v.Rejected.Reason
	case check.Mismatch:
		s := v.Problem
		if !v.Reachable {
			s += " (not reachable in kernel builds)"
		}
		if v.Known == nil {
			s += " [unknown class]"
		}
		return s
	}
	return ""
}

func printVerdict(w io.Writer, v *check.Verdict) {
	fmt.Fprintf(w, "%s: %s\n", v.Target, v.Kind)
	switch v.Kind {
	case check.Rejected:
		fmt.Fprintf(w, "  rejected by %s: %s\n", v.Rejected.Stage, v.Rejected.Reason)
	case check.Mismatch:
		fmt.Fprintf(w, "  class: %s\n", v.Class)
		if !v.Reachable {
			fmt.Fprintln(w, "  not reachable in kernel builds (needs a floating-point argument)")
		}
		if v.Known == nil {
			fmt.Fprintln(w, "  unknown class: not in check/known_classes.yaml")
		}
		for _, m := range v.Mismatches {
			fmt.Fprintf(w, "  arg %d %s:\n    abi: %s\n    jit: %s\n", m.Index, m.Type, runs(m.ABI), runs(m.JIT))
		}
	}
}

func runs(bytes []loc.Loc) string {
	var parts []string
	for _, r := range loc.Runs(bytes) {
		if r.First.IsZero() {
			parts = append(parts, fmt.Sprintf("(not read)×%d", r.Len))
			continue
		}
		parts = append(parts, r.String())
	}
	return strings.Join(parts, " ")
}

func runLayout(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("layout", "FILE.c", stderr)
	tf := addTargetFlags(fs)
	asJSON := fs.Bool("json", false, `print JSON: the abi command's shape, or {"rejected":{"stage":...,"reason":...}}`)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 || *tf.kernel == "all" {
		fs.Usage()
		return exitBadInput
	}
	targets, err := tf.targets()
	if err != nil {
		return badInput(stderr, err)
	}
	fn, err := readFunc(fs.Arg(0))
	if err != nil {
		return badInput(stderr, err)
	}
	v, err := check.Run(fn, targets[0])
	if err != nil {
		return badInput(stderr, err)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if v.Rejected != nil {
			enc.Encode(map[string]any{"rejected": v.Rejected, "target": v.Target})
			return exitOK
		}
		out := struct {
			loc.Placement
			Target string `json:"target"`
			Ctx    any    `json:"ctx"`
		}{*v.JIT, v.Target, v.Ctx}
		enc.Encode(out)
		return exitOK
	}
	if v.Rejected != nil {
		fmt.Fprintf(stdout, "%s: rejected by %s: %s\n", v.Target, v.Rejected.Stage, v.Rejected.Reason)
		return exitOK
	}
	fmt.Fprintf(stdout, "%s\n%s\n", v.Target, v.JIT)
	_ = ctype.Render
	return exitOK
}
