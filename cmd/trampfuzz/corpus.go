package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/corpus"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/fuzz"
)

func init() {
	register("corpus", "manage a corpus of C cases: add, merge, import, ls, verify", runCorpus)
}

const corpusUsage = `usage: trampfuzz corpus [-dir DIR] <subcommand> [arguments]

  add [-target NAME] FILE.c...
                    add signatures (any accepted C spelling) as canonical cases; -target records
                    the target the case was found on (a target's full name, as check prints it:
                    arm64/v6.17+pahole-1.24, +struct_ops included) in the file's first line
  merge DIR...      add every valid case of other corpora
  import [DIR...]   turn Go fuzz inputs of FuzzCheck into cases (default: testdata/fuzz/FuzzCheck
                    and $(go env GOCACHE)/fuzz/github.com/trampfuzz/trampfuzz/fuzz/FuzzCheck)
  export -format gofuzz|libfuzzer OUTDIR
                    write every case as a FuzzCheck input: Go's corpus file format
                    (for testdata/fuzz/FuzzCheck) or a libFuzzer seed (a big-endian
                    uint32 length, then the input, as go-118-fuzz-build's consumer reads a []byte)
  ls                list the cases (and a case's target, when it has one)
  verify [-target T|all] [-pahole V] [-struct-ops]
                    re-check every case and print its verdict; exit 1 on a corrupt file or an
                    unknown mismatch class. Without flags a case with a target is checked on it,
                    the others on the default target
`

func runCorpus(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("corpus", "<add|merge|import|ls|verify> ...", stderr)
	dirFlag := fs.String("dir", "corpus/cases", "corpus directory")
	fs.Usage = func() { fmt.Fprint(stderr, corpusUsage); fs.PrintDefaults() }
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() < 1 {
		fs.Usage()
		return exitBadInput
	}
	d := corpus.Dir(*dirFlag)
	sub, rest := fs.Arg(0), fs.Args()[1:]
	switch sub {
	case "add":
		afs := newFlags("corpus add", "FILE.c...", stderr)
		target := afs.String("target", "", "the target the cases were found on, e.g. arm64/v6.17+pahole-1.24")
		if code, ok := parseFlags(afs, rest); !ok {
			return code
		}
		if afs.NArg() == 0 {
			fs.Usage()
			return exitBadInput
		}
		if *target != "" {
			if _, err := check.TargetNamed(*target); err != nil {
				return badInput(stderr, err)
			}
		}
		code := exitOK
		for _, path := range afs.Args() {
			fn, err := readFunc(path)
			if err != nil {
				fmt.Fprintln(stderr, err)
				code = exitBadInput
				continue
			}
			p, added, err := d.AddOn(fn, *target)
			switch {
			case err != nil:
				fmt.Fprintln(stderr, err)
				code = exitBadInput
			case added:
				fmt.Fprintf(stdout, "added %s (%s)\n", p, path)
			default:
				fmt.Fprintf(stdout, "present %s (%s)\n", p, path)
			}
		}
		return code
	case "merge":
		if len(rest) == 0 {
			fs.Usage()
			return exitBadInput
		}
		total := corpus.MergeResult{}
		for _, src := range rest {
			if _, err := os.Stat(src); err != nil {
				return badInput(stderr, err)
			}
			r, err := d.Merge(corpus.Dir(src))
			if err != nil {
				return badInput(stderr, err)
			}
			total.Added += r.Added
			total.Present += r.Present
			total.Errors = append(total.Errors, r.Errors...)
		}
		return reportMerge(stdout, stderr, "merged", total, 0)
	case "import":
		dirs := rest
		if len(dirs) == 0 {
			dirs = defaultFuzzDirs()
		}
		r, err := d.ImportGoFuzz(dirs, func(in [][]byte) (*ctype.Func, string, error) {
			if len(in) == 0 {
				return nil, "", fmt.Errorf("no []byte argument")
			}
			// The input's target is where the fuzzer checked it: the case
			// keeps it.
			fn, t, err := fuzz.Decode(in[0])
			return fn, t.String(), err
		})
		if err != nil {
			return badInput(stderr, err)
		}
		return reportMerge(stdout, stderr, "imported", r.MergeResult, r.Undecodable)
	case "export":
		efs := newFlags("corpus export", "OUTDIR", stderr)
		format := efs.String("format", "gofuzz", "gofuzz or libfuzzer")
		if code, ok := parseFlags(efs, rest); !ok {
			return code
		}
		if efs.NArg() != 1 || (*format != "gofuzz" && *format != "libfuzzer") {
			efs.Usage()
			return exitBadInput
		}
		return exportSeeds(d, *format, efs.Arg(0), stdout, stderr)
	case "ls":
		cases, err := d.Cases()
		if err != nil {
			return badInput(stderr, err)
		}
		code := exitOK
		for _, c := range cases {
			if c.Err != nil {
				fmt.Fprintf(stdout, "%s\tCORRUPT: %v\n", c.Name, c.Err)
				code = exitFinding
				continue
			}
			line := c.Name + "\t" + strings.TrimSpace(lastLine(ctype.Render(c.Func)))
			if c.Target != "" {
				line += "\t" + c.Target
			}
			fmt.Fprintln(stdout, line)
		}
		return code
	case "verify":
		vfs := newFlags("corpus verify", "", stderr)
		tf := addTargetFlags(vfs)
		if code, ok := parseFlags(vfs, rest); !ok {
			return code
		}
		targets, err := tf.targets()
		if err != nil {
			return badInput(stderr, err)
		}
		ownTarget := *tf.kernel == "" && *tf.pahole == "" && !*tf.structOps
		cases, err := d.Cases()
		if err != nil {
			return badInput(stderr, err)
		}
		code := exitOK
		tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
		for _, c := range cases {
			if c.Err != nil {
				fmt.Fprintf(tw, "%s\tCORRUPT\t%v\n", c.Name, c.Err)
				code = exitFinding
				continue
			}
			caseTargets := targets
			if ownTarget && c.Target != "" {
				t, err := check.TargetNamed(c.Target)
				if err != nil {
					fmt.Fprintf(tw, "%s\t%s\tERROR\t%v\n", c.Name, c.Target, err)
					code = exitFinding
					continue
				}
				caseTargets = []check.Target{t}
			}
			for _, t := range caseTargets {
				v, err := check.Run(c.Func, t)
				if err != nil {
					fmt.Fprintf(tw, "%s\t%s\tERROR\t%v\n", c.Name, t, err)
					code = exitFinding
					continue
				}
				if v.Kind == check.Mismatch && v.Known == nil {
					code = exitFinding
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, v.Target, v.Kind, detail(v))
			}
		}
		tw.Flush()
		return code
	}
	fmt.Fprintf(stderr, "trampfuzz corpus: unknown subcommand %q\n", sub)
	fs.Usage()
	return exitBadInput
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func reportMerge(stdout, stderr io.Writer, verb string, r corpus.MergeResult, undecodable int) int {
	fmt.Fprintf(stdout, "%s: %d added, %d already present", verb, r.Added, r.Present)
	if undecodable > 0 {
		fmt.Fprintf(stdout, ", %d inputs decode to no signature", undecodable)
	}
	fmt.Fprintf(stdout, ", %d errors\n", len(r.Errors))
	for _, err := range r.Errors {
		fmt.Fprintln(stderr, err)
	}
	if len(r.Errors) > 0 {
		return exitFinding
	}
	return exitOK
}

// defaultFuzzDirs are where FuzzCheck inputs live: the checked-in seeds and
// go test's fuzz cache.
func defaultFuzzDirs() []string {
	dirs := []string{filepath.Join("fuzz", "testdata", "fuzz", "FuzzCheck")}
	if out, err := exec.Command("go", "env", "GOCACHE").Output(); err == nil {
		cache := strings.TrimSpace(string(out))
		dirs = append(dirs, filepath.Join(cache, "fuzz", "github.com", "trampfuzz", "trampfuzz", "fuzz", "FuzzCheck"))
	}
	return dirs
}

// exportSeeds writes every case as a FuzzCheck input on the default target.
func exportSeeds(d corpus.Dir, format, out string, stdout, stderr io.Writer) int {
	cases, err := d.Cases()
	if err != nil {
		return badInput(stderr, err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return badInput(stderr, err)
	}
	def := check.Default().String()
	n := 0
	for _, c := range cases {
		if c.Err != nil {
			fmt.Fprintln(stderr, c.Err)
			continue
		}
		// A case keeps its target; one whose target the input table lacks
		// (an ABI variant) or that has none goes on the default target.
		target := c.Target
		if target == "" {
			target = def
		}
		in, err := fuzz.EncodeCase(c.Func, target)
		if errors.Is(err, fuzz.ErrTarget) {
			fmt.Fprintf(stderr, "%s: target %s has no fuzz input id; exported on %s\n", c.Name, c.Target, def)
			in, err = fuzz.EncodeCase(c.Func, def)
		}
		if err != nil {
			return badInput(stderr, err)
		}
		var data []byte
		switch format {
		case "gofuzz":
			data = []byte("go test fuzz v1\n[]byte(" + strconv.Quote(string(in)) + ")\n")
		case "libfuzzer":
			data = binary.BigEndian.AppendUint32(nil, uint32(len(in)))
			data = append(data, in...)
		}
		path := filepath.Join(out, strings.TrimSuffix(c.Name, corpus.Ext))
		if old, err := os.ReadFile(path); err == nil && string(old) != string(data) {
			fmt.Fprintf(stderr, "%s exists with other content; left in place\n", path)
			continue
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return badInput(stderr, err)
		}
		n++
	}
	fmt.Fprintf(stdout, "exported %d cases to %s (%s)\n", n, out, format)
	return exitOK
}
