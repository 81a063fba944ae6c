package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/trampfuzz/trampfuzz/scan"
)

func init() {
	register("scan", "scan a kernel (DWARF: vmlinux, .ko, -g objects; or BTF) for functions a trampoline misreads", runScan)
}

// failOn is the -fail-on flag: which findings make scan exit 1.
type failOn struct{ misread, ambiguous, location bool }

func parseFailOn(s string) (failOn, error) {
	var f failOn
	for _, w := range strings.Split(s, ",") {
		switch strings.TrimSpace(w) {
		case "":
		case "misread":
			f.misread = true
		case "ambiguous":
			// Ambiguous is the stricter guard: a misread fails it too.
			f.misread, f.ambiguous = true, true
		case "location":
			f.location = true
		default:
			return f, fmt.Errorf("-fail-on %q: want misread, ambiguous or location (comma-separated)", w)
		}
	}
	return f, nil
}

func (f failOn) failed(rep *scan.Report) bool {
	return f.misread && rep.Count(scan.Misread) > 0 ||
		f.ambiguous && rep.Count(scan.Ambiguous) > 0 ||
		f.location && rep.Locations != nil && rep.Locations.Disagree > 0
}

func runScan(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("scan", "FILE...", stderr)
	tf := addTargetFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON: the report object, or an array of them for several files")
	input := fs.String("input", "", "read an ELF file's dwarf or btf (default: DWARF when the file has it, else .BTF)")
	base := fs.String("base", "", "base BTF for split BTF (default: /sys/kernel/btf/vmlinux for other files in /sys/kernel/btf/)")
	fail := fs.String("fail-on", "", "exit 1 when a scan finds: misread, ambiguous (misread or ambiguous), location (a DWARF location that disagrees with the oracle); comma-separated")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	workers := fs.Int("workers", 0, "parallel checks (default: GOMAXPROCS)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitBadInput
	}
	if *tf.abi != "" && *tf.kernel == "" {
		// Without -target each file picks its own architecture, and a
		// DWARF unit its compiler's variant from DW_AT_producer.
		return badInput(stderr, fmt.Errorf("-abi %q needs -target: without it each file's architecture and compiler choose", *tf.abi))
	}
	targets, err := tf.targets()
	if err != nil {
		return badInput(stderr, err)
	}
	fo, err := parseFailOn(*fail)
	if err != nil {
		return badInput(stderr, err)
	}
	switch *input {
	case "", scan.InputDWARF, scan.InputBTF:
	default:
		return badInput(stderr, fmt.Errorf("-input %q: want dwarf or btf", *input))
	}
	opts := scan.Options{Targets: targets, Input: *input, Base: *base, Workers: *workers, Notes: stderr, StructOps: *tf.structOps}
	if *tf.kernel == "" {
		// Each file's architecture picks its newest kernel model.
		opts.Targets, opts.Pahole = nil, targets[0].Pahole
	}
	opts.Starting = tuneGC
	if !*quiet {
		opts.Progress = stderr
	}
	var reps []*scan.Report
	code := exitOK
	for _, path := range fs.Args() {
		rep, err := scan.File(path, opts)
		if err != nil {
			return badInput(stderr, err)
		}
		if fo.failed(rep) {
			code = exitFinding
		}
		reps = append(reps, rep)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if len(reps) == 1 {
			enc.Encode(reps[0])
		} else {
			enc.Encode(reps)
		}
		return code
	}
	for i, rep := range reps {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		rep.WriteText(stdout)
	}
	return code
}

// tuneGC sets the garbage collector for the input kind of the file about
// to be scanned, unless GOGC in the environment says otherwise. A BTF scan
// builds its type graphs once and keeps most of them to the end, and
// allocates little in all (about 160 MB for the running kernel's BTF), so
// it runs at GOGC=800 and hardly collects: about a tenth faster
// (ci/scan-speed). A DWARF scan keeps the default: on a distribution
// vmlinux GOGC=800 doubled its memory (2 to 4 GB) and was slower.
func tuneGC(input string) {
	if os.Getenv("GOGC") != "" {
		return
	}
	if input == scan.InputBTF {
		debug.SetGCPercent(800)
	} else {
		debug.SetGCPercent(100)
	}
}
