package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/trampfuzz/trampfuzz/campaign"
	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/corpus"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
	"github.com/trampfuzz/trampfuzz/report"
	"github.com/trampfuzz/trampfuzz/shrink"
)

func init() {
	register("run", "fuzzing campaign over every target: new mismatch classes are minimized and reported", runCampaign)
}

// event is one JSON line of trampfuzz run -json.
type event struct {
	Event      string  `json:"event"` // "progress", "class", "done"
	Elapsed    float64 `json:"elapsed_s"`
	Signatures int64   `json:"signatures,omitempty"`
	Checks     int64   `json:"checks,omitempty"`
	ExecsPerS  float64 `json:"checks_per_s,omitempty"`
	Classes    int     `json:"classes,omitempty"`
	Mismatches int64   `json:"mismatches,omitempty"`
	Errors     int64   `json:"errors,omitempty"`

	Class     string `json:"class,omitempty"`
	Known     *bool  `json:"known,omitempty"`
	Reachable *bool  `json:"reachable,omitempty"`
	Report    string `json:"report,omitempty"`
	Case      string `json:"case,omitempty"`
	C         string `json:"c,omitempty"`
}

func runCampaign(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("run", "", stderr)
	duration := fs.Duration("duration", 0, "stop after this long (0: until -n or Ctrl-C)")
	count := fs.Int64("n", 0, "stop after this many signatures (0: no limit)")
	workers := fs.Int("workers", runtime.NumCPU(), "worker goroutines")
	seed := fs.Uint64("seed", uint64(time.Now().UnixNano()), "random seed")
	profile := fs.String("profile", "kernel", "signature profile: kernel (no floating point, as arm64 kernels build) or full")
	targetList := fs.String("targets", "all", "comma-separated kernel targets (e.g. arm64/v6.17,arm64/v7.3), or all")
	paholeVersion := fs.String("pahole", "", "only this pahole version (default: every version)")
	structOps := fs.Bool("struct-ops", false, "model struct_ops trampolines")
	out := fs.String("out", "out/reports", "directory for the reports of new classes")
	corpusDir := fs.String("corpus", "", "also add each new class's minimized case to this corpus directory")
	noMinimize := fs.Bool("no-minimize", false, "write new classes unminimized")
	asJSON := fs.Bool("json", false, "print JSON lines instead of a progress line")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return exitBadInput
	}
	var cfg campaign.Config
	switch *profile {
	case "kernel":
		cfg.Profile = gen.Kernel
	case "full":
		cfg.Profile = gen.Full
	default:
		return badInput(stderr, fmt.Errorf("unknown profile %q (kernel or full)", *profile))
	}
	targets, err := campaignTargets(*targetList, *paholeVersion, *structOps)
	if err != nil {
		return badInput(stderr, err)
	}
	cfg.Targets, cfg.Workers, cfg.Duration, cfg.Count, cfg.Seed = targets, *workers, *duration, *count, *seed

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := campaign.New(cfg)
	enc := json.NewEncoder(stdout)
	terminal := !*asJSON && isTerminal(stderr)
	emit := func(e event) {
		if *asJSON {
			enc.Encode(e)
		}
	}
	progress := func(st campaign.Stats) event {
		e := event{Event: "progress", Elapsed: st.Elapsed.Seconds(), Signatures: st.Signatures, Checks: st.Checks,
			Classes: st.Classes, Mismatches: st.Mismatches, Errors: st.Errors}
		if s := st.Elapsed.Seconds(); s > 0 {
			e.ExecsPerS = float64(st.Checks) / s
		}
		return e
	}
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				e := progress(c.Stats())
				emit(e)
				if terminal {
					fmt.Fprintf(stderr, "\r%6.0fs  %8d signatures  %7.0f checks/s  %3d classes  %d mismatches ",
						e.Elapsed, e.Signatures, e.ExecsPerS, e.Classes, e.Mismatches)
				}
			}
		}
	}()
	fmt.Fprintf(stderr, "trampfuzz run: %d targets, %d workers, profile %s, seed %d\n", len(targets), cfg.Workers, *profile, cfg.Seed)
	var classes []event
	st := c.Run(ctx, func(f campaign.Finding) {
		e := recordClass(f, *out, *corpusDir, !*noMinimize, stderr)
		classes = append(classes, e)
		emit(e)
		if !*asJSON {
			if terminal {
				fmt.Fprint(stderr, "\r\033[K")
			}
			fmt.Fprintf(stdout, "new class after %.1fs: %s\n  report: %s\n", e.Elapsed, e.Class, e.Report)
		}
	})
	close(done)
	if terminal {
		fmt.Fprintln(stderr)
	}
	final := progress(st)
	final.Event = "done"
	emit(final)
	if !*asJSON {
		sort.Slice(classes, func(i, j int) bool { return classes[i].Class < classes[j].Class })
		fmt.Fprintf(stdout, "%d signatures, %d checks in %.1fs (%.0f checks/s); %d mismatch classes\n",
			st.Signatures, st.Checks, st.Elapsed.Seconds(), final.ExecsPerS, st.Classes)
		for _, e := range classes {
			tag := "known"
			if !*e.Known {
				tag = "NEW"
			}
			fmt.Fprintf(stdout, "  [%s] %s\n", tag, e.Class)
		}
	}
	if st.Errors > 0 {
		fmt.Fprintf(stderr, "trampfuzz run: %d checks failed with an internal error\n", st.Errors)
		return exitFinding
	}
	return exitOK
}

// recordClass minimizes a finding (same class, same target) and writes its
// report; a failure to minimize or write keeps the unminimized case.
func recordClass(f campaign.Finding, out, corpusDir string, minimize bool, stderr io.Writer) event {
	fn := f.Func
	origin := &report.Origin{C: ctype.Render(f.Func), Args: len(f.Func.Params)}
	if minimize {
		same := func(cand *ctype.Func) bool {
			v, err := check.Run(cand, f.Target)
			return err == nil && v.Class == f.Class
		}
		if m, st, err := shrink.Minimize(f.Func, same, shrink.Options{Timeout: 30 * time.Second}); err == nil {
			fn = m
			origin.Tests, origin.Accepted, origin.Complete = st.Tests, st.Accepted, st.Complete
		} else {
			fmt.Fprintf(stderr, "trampfuzz run: minimizing %s: %v\n", f.Class, err)
		}
	}
	known, reachable := f.Verdict.Known != nil, f.Verdict.Reachable
	e := event{Event: "class", Elapsed: f.Elapsed.Seconds(), Class: f.Class, Known: &known, Reachable: &reachable, C: ctype.Render(fn)}
	if c, err := report.New(fn, f.Target); err != nil {
		fmt.Fprintf(stderr, "trampfuzz run: report for %s: %v\n", f.Class, err)
	} else {
		c.Origin = origin
		if dir, err := report.Write(out, c); err != nil {
			fmt.Fprintf(stderr, "trampfuzz run: writing report for %s: %v\n", f.Class, err)
		} else {
			e.Report = dir
		}
	}
	if corpusDir != "" {
		if p, _, err := corpus.Dir(corpusDir).AddOn(fn, f.Target.String()); err != nil {
			fmt.Fprintf(stderr, "trampfuzz run: corpus: %v\n", err)
		} else {
			e.Case = p
		}
	}
	return e
}

// campaignTargets resolves -targets, -pahole and -struct-ops.
func campaignTargets(list, paholeVersion string, structOps bool) ([]check.Target, error) {
	var out []check.Target
	if list == "all" {
		for _, t := range check.Targets() {
			if paholeVersion != "" {
				p, err := check.ParseTarget("", paholeVersion)
				if err != nil {
					return nil, err
				}
				if p.Pahole != t.Pahole {
					continue
				}
			}
			t.StructOps = structOps
			out = append(out, t)
		}
		return out, nil
	}
	for _, k := range strings.Split(list, ",") {
		versions := []string{paholeVersion}
		if paholeVersion == "" {
			versions = []string{"1.24", "1.31", "head"}
		}
		for _, pv := range versions {
			t, err := check.ParseTarget(strings.TrimSpace(k), pv)
			if err != nil {
				return nil, err
			}
			t.StructOps = structOps
			out = append(out, t)
		}
	}
	return out, nil
}

// isTerminal reports whether w is a terminal (for the \r progress line).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
