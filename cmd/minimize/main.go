// Command minimize shrinks a failing input to the smallest signature that
// still shows the same mismatch class on the same target, and writes a repro
// report for it (package report): README.md, case.c, case.json, repro.c and
// a kernel selftest.
//
// Usage:
//
//	go run ./cmd/minimize [-target T] [-pahole V] [-struct-ops] [-out DIR] [-timeout D] INPUT
//
// INPUT is a Go fuzz corpus file of FuzzCheck (testdata/fuzz/FuzzCheck/… or
// $(go env GOCACHE)/fuzz/…/FuzzCheck/…, decoded by fuzz.Decode, which also
// draws the target), a canonical C file, or a case.json (or a report
// directory holding one, which records its target). -target, -pahole and
// -struct-ops override the input's target (arm64/v6.17, x86_64/v6.18, ...);
// without them and without a target in the input, the newest modelled arm64
// kernel and pahole are used. The report follows the target's architecture:
// AAPCS64 and a qemu-run AArch64 repro.c on arm64, System V and a native
// repro.c on x86-64.
//
// Exit status: 0 when the report is written; 1 when the input does not
// reproduce a mismatch (or a case.json no longer gives its recorded class);
// 2 for malformed input or flags, with the reason. Every flag has an
// environment variable: TRAMPFUZZ_TARGET, TRAMPFUZZ_PAHOLE,
// TRAMPFUZZ_STRUCT_OPS, TRAMPFUZZ_REPORTS, TRAMPFUZZ_MINIMIZE_TIMEOUT.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/corpus"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/fuzz"
	"github.com/trampfuzz/trampfuzz/report"
	"github.com/trampfuzz/trampfuzz/shrink"
)

// Exit codes, as cmd/trampfuzz uses them.
const (
	exitOK       = 0
	exitFinding  = 1 // here: the input does not reproduce
	exitBadInput = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// input is what an INPUT file decodes to.
type input struct {
	fn *ctype.Func
	// target is the input's own target (fuzz inputs and case.json);
	// hasTarget is false for C files.
	target    check.Target
	hasTarget bool
	// class is the class a case.json recorded ("" otherwise).
	class string
	kind  string
}

// decodeFuzz turns the []byte arguments of a Go fuzz corpus file into a
// signature and its target: FuzzCheck takes one []byte (fuzz.Decode).
func decodeFuzz(args [][]byte) (*ctype.Func, check.Target, error) {
	if len(args) == 0 {
		return nil, check.Target{}, errors.New("the fuzz file has no []byte argument")
	}
	return fuzz.Decode(args[0])
}

// readInput reads INPUT: a report directory or case.json, a Go fuzz file,
// or canonical C.
func readInput(path string) (*input, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "case.json")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case bytes.HasPrefix(data, []byte("go test fuzz v1")):
		args, err := corpus.ParseGoFuzz(path, data)
		if err != nil {
			return nil, err
		}
		fn, t, err := decodeFuzz(args)
		if err != nil {
			return nil, fmt.Errorf("%s: FuzzCheck input: %w", path, err)
		}
		return &input{fn: fn, target: t, hasTarget: true, kind: "Go fuzz input"}, nil
	case bytes.HasPrefix(trimmed, []byte("{")):
		fn, t, class, err := report.ParseCase(path, data)
		if err != nil {
			return nil, err
		}
		return &input{fn: fn, target: t, hasTarget: true, class: class, kind: "case.json"}, nil
	}
	fn, err := ctype.Parse(path, data)
	if err != nil {
		return nil, err
	}
	return &input{fn: fn, kind: "C file"}, nil
}

func envDefault(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("minimize", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("target", os.Getenv("TRAMPFUZZ_TARGET"), "kernel target ARCH/VERSION, e.g. arm64/v6.17 or x86_64/v6.18 (env TRAMPFUZZ_TARGET; default: the input's, else the newest)")
	paholeV := fs.String("pahole", os.Getenv("TRAMPFUZZ_PAHOLE"), "pahole version: 1.24, 1.31 or head (env TRAMPFUZZ_PAHOLE; default: the input's, else the newest)")
	structOpsDefault, _ := strconv.ParseBool(os.Getenv("TRAMPFUZZ_STRUCT_OPS"))
	structOps := fs.Bool("struct-ops", structOpsDefault, "check a struct_ops trampoline (env TRAMPFUZZ_STRUCT_OPS)")
	out := fs.String("out", envDefault("TRAMPFUZZ_REPORTS", "reports"), "directory the report directory is created in (env TRAMPFUZZ_REPORTS)")
	timeoutDefault, err := time.ParseDuration(envDefault("TRAMPFUZZ_MINIMIZE_TIMEOUT", "2m"))
	if err != nil {
		fmt.Fprintf(stderr, "minimize: TRAMPFUZZ_MINIMIZE_TIMEOUT: %v\n", err)
		return exitBadInput
	}
	timeout := fs.Duration("timeout", timeoutDefault, "stop shrinking after this long, keeping the smallest case so far (env TRAMPFUZZ_MINIMIZE_TIMEOUT; 0: no limit)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./cmd/minimize [flags] INPUT")
		fmt.Fprintln(stderr, "INPUT: a FuzzCheck Go fuzz file, a canonical C file, or a case.json (or report directory)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitBadInput
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitBadInput
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	in, err := readInput(fs.Arg(0))
	if err != nil {
		fmt.Fprintf(stderr, "minimize: %v\n", err)
		return exitBadInput
	}
	t := check.Default()
	if in.hasTarget {
		t = in.target
	}
	if *target != "" || *paholeV != "" {
		kernel, pv := *target, *paholeV
		if in.hasTarget {
			if kernel == "" {
				kernel = in.target.Kernel.Arch + "/" + in.target.Kernel.Version
				if in.target.Kernel.Version == "" {
					kernel = in.target.Kernel.Arch + "/" + in.target.Kernel.Name
				}
			}
			if pv == "" {
				pv = string(in.target.Pahole)
			}
		}
		nt, err := check.ParseTarget(kernel, pv)
		if err != nil {
			fmt.Fprintf(stderr, "minimize: %v\n", err)
			return exitBadInput
		}
		if nt.ABI.ABI() == t.ABI.ABI() {
			nt.ABI = t.ABI // the input's variant, where the architecture stays
		}
		nt.StructOps = t.StructOps
		t = nt
	}
	// A flag given on the command line or through its environment
	// variable overrides the input's target.
	if _, env := os.LookupEnv("TRAMPFUZZ_STRUCT_OPS"); set["struct-ops"] || env {
		t.StructOps = *structOps
	}

	v, err := check.Run(in.fn, t)
	if err != nil {
		fmt.Fprintf(stderr, "minimize: %s: %v\n", fs.Arg(0), err)
		return exitBadInput
	}
	if v.Kind != check.Mismatch {
		what := string(v.Kind)
		if v.Rejected != nil {
			what = fmt.Sprintf("rejected by %s: %s", v.Rejected.Stage, v.Rejected.Reason)
		}
		fmt.Fprintf(stdout, "does not reproduce on %s: %s\n%s", t, what, v.C)
		return exitFinding
	}
	if in.class != "" && in.class != v.Class {
		fmt.Fprintf(stdout, "does not reproduce on %s: the case recorded\n  %s\nbut now gives\n  %s\n", t, in.class, v.Class)
		return exitFinding
	}
	fmt.Fprintf(stdout, "reproduces on %s: %s\n", t, v.Problem)

	c, err := minimizeCase(in.fn, t, v.Class, shrink.Options{Timeout: *timeout})
	if err != nil {
		fmt.Fprintf(stderr, "minimize: %v\n", err)
		return exitBadInput
	}
	c.Origin.Input = fs.Arg(0)
	complete := "1-minimal"
	if !c.Origin.Complete {
		complete = "cut short by -timeout, may not be 1-minimal"
	}
	fmt.Fprintf(stdout, "minimized %d → %d arguments in %d checks (%s):\n%s", c.Origin.Args, len(c.Func.Params), c.Origin.Tests, complete, c.Verdict.C)
	dir, err := report.Write(*out, c)
	if err != nil {
		fmt.Fprintf(stderr, "minimize: %v\n", err)
		return exitBadInput
	}
	fmt.Fprintf(stdout, "report: %s\nre-run: %s\n", dir, report.RerunCommand(filepath.Join(dir, "case.json")))
	return exitOK
}

// minimizeCase shrinks fn while it keeps class on t (shrink's predicate:
// the same class key on the same target) and returns the report case of
// the result, with Origin filled in except for Input.
func minimizeCase(fn *ctype.Func, t check.Target, class string, opts shrink.Options) (*report.Case, error) {
	same := func(cand *ctype.Func) bool {
		v, err := check.Run(cand, t)
		return err == nil && v.Kind == check.Mismatch && v.Class == class
	}
	min, st, err := shrink.Minimize(fn, same, opts)
	if err != nil {
		return nil, err
	}
	c, err := report.New(min, t)
	if err != nil {
		return nil, err
	}
	c.Origin = &report.Origin{C: ctype.Render(fn), Args: len(fn.Params), Tests: st.Tests, Accepted: st.Accepted, Complete: st.Complete}
	return c, nil
}
