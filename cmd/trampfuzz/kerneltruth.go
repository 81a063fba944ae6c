package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/ktruth"
)

func init() {
	register("kernel-truth", "run signatures on a real kernel under QEMU and read what BPF fentry sees; -check-model compares with the kernel model", runKernelTruth)
}

// runKernelTruth: exit 0 when every function ran (or, with -check-model,
// every one agrees with the model), 1 on a model difference or a kernel
// that crashed, 2 on bad input or a kernel that cannot be prepared.
func runKernelTruth(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("kernel-truth", "[FILE.c...]", stderr)
	var names []string
	for _, k := range ktruth.Kernels() {
		names = append(names, k.Name)
	}
	kernel := fs.String("kernel", "", "the kernel: "+strings.Join(names, ", ")+", \"debian\" for all of them, or VMLINUZ:HEADERS_DIR for your own")
	model := fs.String("model", "", "the model to compare with (e.g. arm64/v6.17); default: the kernel's own")
	asJSON := fs.Bool("json", false, "print JSON: one object per kernel")
	checkModel := fs.Bool("check-model", false, "compare every function with the kernel's model; without FILEs, draw -n random kernel-profile signatures")
	n := fs.Int("n", 40, "with -check-model and no FILEs: signatures to draw")
	seed := fs.Uint64("seed", 1, "with -check-model: the random signatures' seed")
	batch := fs.Int("batch", 50, "signatures per module and boot")
	keep := fs.String("keep", "", "keep each boot's module source, module and console log in `DIR`")
	verbose := fs.Bool("v", false, "print the guest's console as it runs")
	confirm := fs.Bool("confirm-classes", false, "run every known class's witnesses that the kernel's model says show the class, and say whether the kernel confirms it")
	write := fs.String("write", "", "with -confirm-classes: write the results as JSON to `FILE` (check/kernel_confirmations.json is the recorded set)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *kernel == "" || (!*checkModel && !*confirm && fs.NArg() == 0) || *n < 1 || (*write != "" && !*confirm) {
		fs.Usage()
		return exitBadInput
	}
	var kernels []ktruth.Kernel
	if *kernel == "debian" {
		kernels = ktruth.Kernels()
	} else {
		for _, name := range strings.Split(*kernel, ",") {
			k, err := ktruth.LookupKernel(name, *model)
			if err != nil {
				return badInput(stderr, err)
			}
			kernels = append(kernels, k)
		}
	}
	var fns []*ctype.Func
	for _, path := range fs.Args() {
		fn, err := readFunc(path)
		if err != nil {
			return badInput(stderr, err)
		}
		fns = append(fns, fn)
	}
	if len(fns) == 0 {
		fns = ktruth.RandomSignatures(*n, *seed)
	}
	cache, err := ktruth.DefaultCacheDir()
	if err != nil {
		return badInput(stderr, err)
	}
	opts := ktruth.Options{Batch: *batch, Log: stderr, KeepDir: *keep}
	if *verbose {
		opts.Console = func(l string) { fmt.Fprintln(stderr, "  |", l) }
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	code := exitOK
	enc := json.NewEncoder(stdout)
	var confirmations []check.Confirmation
	for _, k := range kernels {
		p, err := ktruth.Prepare(ctx, k, cache, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "trampfuzz kernel-truth:", err)
			return exitBadInput
		}
		if *confirm {
			cfs, err := ktruth.ConfirmClasses(ctx, p, opts)
			if err != nil {
				fmt.Fprintln(stderr, "trampfuzz kernel-truth:", err)
				return exitBadInput
			}
			for _, c := range cfs {
				if c.Result == check.NotReproduced {
					code = exitFinding
				}
				fmt.Fprintf(stdout, "%-15s %s %s\n  %s\n", c.Result, c.Kernel, c.Target, c.Problem)
				if c.Saw != "" {
					fmt.Fprintf(stdout, "  BPF saw: %s\n", c.Saw)
				}
				if c.Why != "" {
					fmt.Fprintf(stdout, "  why: %s\n", c.Why)
				}
			}
			confirmations = append(confirmations, cfs...)
			continue
		}
		if *checkModel {
			mr, err := ktruth.CheckModel(ctx, p, fns, opts)
			if err != nil {
				fmt.Fprintln(stderr, "trampfuzz kernel-truth:", err)
				if mr == nil || errors.Is(err, ktruth.ErrKernel) {
					return exitBadInput
				}
			}
			if *asJSON {
				enc.Encode(mr)
			} else {
				mr.WriteText(stdout)
			}
			if mr.Differ > 0 || mr.Outcomes[ktruth.Crashed] > 0 {
				code = exitFinding
			}
			continue
		}
		rep, err := ktruth.Run(ctx, p, fns, opts)
		if err != nil {
			fmt.Fprintln(stderr, "trampfuzz kernel-truth:", err)
			return exitBadInput
		}
		if *asJSON {
			enc.Encode(rep)
			continue
		}
		fmt.Fprintf(stdout, "%s (%s):\n", rep.Kernel, rep.Release)
		if rep.FentryRefused {
			fmt.Fprintf(stdout, "  the kernel refuses every fentry attach (probe f(long): %s)\n", rep.ProbeMessage)
		}
		for i, o := range rep.Observations {
			fmt.Fprintf(stdout, "  %s: %s", fs.Arg(i), o.Outcome)
			switch o.Outcome {
			case ktruth.Attached:
				fmt.Fprintf(stdout, ", count %d:", o.Count)
				for s := 0; s < o.Count && s < len(o.Slots); s++ {
					fmt.Fprintf(stdout, " %016x", o.Slots[s])
				}
			default:
				fmt.Fprintf(stdout, ": %s", o.Message)
			}
			fmt.Fprintln(stdout)
			if o.Outcome == ktruth.Crashed {
				code = exitFinding
			}
		}
	}
	if *write != "" {
		data, err := json.MarshalIndent(confirmations, "", "  ")
		if err == nil {
			err = writeFileAtomic(*write, append(data, '\n'))
		}
		if err != nil {
			fmt.Fprintln(stderr, "trampfuzz kernel-truth:", err)
			return exitBadInput
		}
	}
	return code
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, so that an interrupted write leaves the old file whole.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
