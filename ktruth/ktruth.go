// Package ktruth runs signatures on real kernels booted under QEMU and
// reads what a BPF fentry program really sees: the truth the kernel models
// (pahole/, layout/) answer to, as truth/ is the truth of the ABI oracle.
//
// For a batch of signatures it writes a test module with one noipa
// function per signature and a trigger that calls each with a byte pattern
// distinct over every byte of the call, builds it against the kernel's
// headers with kbuild (cross for arm64), gives it BTF with pahole, and
// boots the kernel with an initramfs whose /init (ktruth/guest, static Go)
// loads the module, attaches one fentry program per function that reads
// every ctx slot with bpf_get_func_arg and the count with
// bpf_get_func_arg_cnt, triggers the function and prints what it saw. A
// function comes back as the slots it saw, or as the kernel's refusal: at
// load (the verifier's words) or at attach (the errno). Compare sets that
// against a kernel model.
//
// The kernels are Debian 12's (Kernels), fetched with apt-get into the
// user's cache directory on first use, or a user's own (a vmlinuz and its
// headers directory). reference/kernel-vm.md has the recipe and timings.
package ktruth

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/trampfuzz/trampfuzz/ctype"
)

// Outcome is what a real kernel did with one function.
type Outcome string

const (
	// Attached: the program loaded, attached and ran; Slots hold what it saw.
	Attached Outcome = "attached"
	// NotInBTF: the function is not in the module's BTF (pahole left it out).
	NotInBTF Outcome = "not-in-btf"
	// LoadRefused: the verifier refused the program (btf_distill_func_proto
	// runs at load); Message is its error.
	LoadRefused Outcome = "load-refused"
	// AttachRefused: the trampoline could not be made (the JIT's
	// -ENOTSUPP, errno 524, or a config without direct calls).
	AttachRefused Outcome = "attach-refused"
	// Crashed: the kernel oopsed, panicked or hung at this function.
	Crashed Outcome = "crashed"
	// Failed: the guest could not run the function for another reason
	// (Message says which).
	Failed Outcome = "failed"
)

// Observation is one function on one real kernel.
type Observation struct {
	Sig     Sig     `json:"-"`
	Func    string  `json:"func"`
	C       string  `json:"c"`
	Outcome Outcome `json:"outcome"`
	// Count is bpf_get_func_arg_cnt; Slots the 12 values of
	// bpf_get_func_arg, 0 past the count.
	Count int      `json:"count"`
	Slots []uint64 `json:"-"`
	// SlotHex is Slots as 16 hex digits each, for JSON.
	SlotHex []string `json:"slots,omitempty"`
	Message string   `json:"message,omitempty"`
	Errno   int      `json:"errno,omitempty"`
	Crash   *Crash   `json:"crash,omitempty"`
}

// Report is a run of signatures on one kernel.
type Report struct {
	Kernel  string `json:"kernel"`
	Release string `json:"release"`
	// FentryRefused is true when the kernel refused to attach even the
	// probe function f(long), which every model attaches: the kernel's
	// config refuses fentry, and its other refusals say nothing of the JIT.
	FentryRefused bool           `json:"fentry_refused"`
	ProbeMessage  string         `json:"probe_message,omitempty"`
	Observations  []*Observation `json:"observations"`
	Boots         int            `json:"boots"`
}

// Options tune a run.
type Options struct {
	// Batch is how many signatures share one module and boot (default 50).
	Batch int
	// Log sees progress (nil: none); Console, when set, every console line.
	Log     io.Writer
	Console func(string)
	// KeepDir keeps each batch's module source, module and console log.
	KeepDir string

	// batchRunner replaces runBatch in tests of the batching (no kernel).
	batchRunner func(ctx context.Context, p *Prepared, sigs []Sig, seq int) (Boot, error)
}

func (o Options) batch() int {
	if o.Batch <= 0 {
		return 50
	}
	return o.Batch
}

// DefaultCacheDir is where kernels are kept: $XDG_CACHE_HOME/trampfuzz or
// ~/.cache/trampfuzz.
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("%w: no cache directory: %v", ErrKernel, err)
	}
	return d + "/trampfuzz", nil
}

// Run runs fns on kernel p, in batches of opts.Batch functions per boot. A
// boot that crashes or hangs at a function marks it Crashed and goes on
// with the functions after it in a fresh boot.
func Run(ctx context.Context, p *Prepared, fns []*ctype.Func, opts Options) (*Report, error) {
	log := opts.Log
	if log == nil {
		log = io.Discard
	}
	rep := &Report{Kernel: p.Name, Release: p.Release}
	runBoot := opts.batchRunner
	if runBoot == nil {
		init, err := guestInit(ctx, p.Arch)
		if err != nil {
			return nil, err
		}
		runBoot = func(ctx context.Context, p *Prepared, sigs []Sig, seq int) (Boot, error) {
			return runBatch(ctx, p, sigs, init, opts, seq)
		}
	}
	probe, err := ctype.Parse("probe.c", []byte(probeSource))
	if err != nil {
		return nil, err
	}
	pending := fns
	index := 0 // of pending[0] in fns
	rep.Observations = make([]*Observation, len(fns))
	for len(pending) > 0 {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		n := min(opts.batch(), len(pending))
		sigs := []Sig{newSig(probe, 0)}
		for i, fn := range pending[:n] {
			sigs = append(sigs, newSig(fn, i+1))
		}
		fmt.Fprintf(log, "ktruth: %s: functions %d-%d of %d\n", p.Name, index+1, index+n, len(fns))
		boot, err := runBoot(ctx, p, sigs, rep.Boots)
		rep.Boots++
		if err != nil {
			return rep, err
		}
		if rep.Release == "" {
			rep.Release = boot.Release
		}
		results := map[int]GuestResult{}
		for _, r := range boot.Results {
			results[r.Index] = r
		}
		if r, ok := results[0]; ok && r.AttachError != "" {
			rep.FentryRefused, rep.ProbeMessage = true, r.AttachError
		}
		done := n
		if boot.Crash != nil || boot.Fatal != "" {
			// Functions up to the crash have results; the crashed one is a
			// finding; the rest go to a fresh boot.
			done = 0
			for i := 1; i <= n; i++ {
				if _, ok := results[i]; !ok {
					break
				}
				done = i
			}
			if boot.Crash != nil && boot.Crash.Index == done+1 {
				done++
			} else if done == 0 {
				// Nothing ran: a second boot would fail the same way.
				why := boot.Fatal
				if boot.Crash != nil {
					why = boot.Crash.String()
				}
				if !boot.Loaded && boot.Fatal != "" {
					return rep, fmt.Errorf("%w %s: the guest failed before any function: %s", ErrKernel, p.Name, why)
				}
				done = n
			}
		}
		for i := 1; i <= done; i++ {
			o := observe(sigs[i], results, boot)
			rep.Observations[index+i-1] = o
		}
		pending, index = pending[done:], index+done
	}
	return rep, nil
}

// runBatch builds the module for sigs and boots it.
func runBatch(ctx context.Context, p *Prepared, sigs []Sig, init []byte, opts Options, seq int) (Boot, error) {
	dir, err := os.MkdirTemp("", "trampfuzz-ktruth-")
	if err != nil {
		return Boot{}, err
	}
	defer os.RemoveAll(dir)
	ko, err := buildModule(ctx, p, sigs, dir)
	if err != nil {
		return Boot{}, fmt.Errorf("%w %s: %v", ErrKernel, p.Name, err)
	}
	module, err := os.ReadFile(ko)
	if err != nil {
		return Boot{}, err
	}
	var names []string
	for _, s := range sigs {
		names = append(names, s.Fn.Name)
	}
	out, hung, err := boot(ctx, p, initramfs(init, module, names), len(sigs), dir, opts.Console)
	if opts.KeepDir != "" {
		keep := fmt.Sprintf("%s/%s-boot%d", opts.KeepDir, strings.ReplaceAll(p.Name, "/", "_"), seq)
		if os.MkdirAll(keep, 0o755) == nil {
			for _, f := range []string{moduleName + ".c", moduleName + ".ko"} {
				if b, err := os.ReadFile(dir + "/" + f); err == nil {
					os.WriteFile(keep+"/"+f, b, 0o644)
				}
			}
			os.WriteFile(keep+"/console.log", out, 0o644)
		}
	}
	if err != nil {
		return Boot{}, err
	}
	return ParseConsole(out, hung), nil
}

// observe turns the guest's result for s (or its absence) into an
// Observation.
func observe(s Sig, results map[int]GuestResult, boot Boot) *Observation {
	o := &Observation{Sig: s, Func: s.Fn.Name, C: ctype.Render(s.Fn)}
	r, ok := results[s.Index]
	switch {
	case !ok && boot.Crash != nil && boot.Crash.Index == s.Index:
		o.Outcome, o.Crash, o.Message = Crashed, boot.Crash, boot.Crash.String()
	case !ok:
		o.Outcome, o.Message = Failed, "no result: "+boot.Fatal
		if boot.Crash != nil {
			o.Message = "no result: " + boot.Crash.String()
		}
	default:
		o.Outcome, o.Message, o.Errno = classify(r)
		o.Count = int(r.Count)
		for _, h := range r.Slots {
			v, _ := strconv.ParseUint(h, 16, 64)
			o.Slots = append(o.Slots, v)
		}
		o.SlotHex = r.Slots
	}
	return o
}

// classify reads a guest result's refusal kind.
func classify(r GuestResult) (Outcome, string, int) {
	switch {
	case r.NotInBTF:
		// cilium/ebpf looks the target up in vmlinux's and the modules' BTF
		// before it loads anything.
		return NotInBTF, r.LoadError, r.Errno
	case r.LoadError != "":
		return LoadRefused, r.LoadError, r.Errno
	case r.AttachError != "":
		return AttachRefused, r.AttachError, r.Errno
	case r.CallError != "":
		return Failed, "calling the function: " + r.CallError, 0
	case r.Hits == 0:
		return Failed, "attached, but the program did not run when the function was called", 0
	}
	return Attached, "", 0
}
