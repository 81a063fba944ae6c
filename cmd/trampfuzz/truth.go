package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	archpkg "github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/oraclecheck"
	"github.com/trampfuzz/trampfuzz/truth"
)

func init() {
	register("truth", "observe where gcc and clang put every argument byte (-arch: arm64 or x86_64; a foreign architecture runs under qemu-user)", runTruth)
}

// runTruth observes each file's signature with the chosen compilers and
// prints, per file and compiler, the candidate locations of every argument
// byte. Exit 1 when gcc and clang diverge, 2 on bad input, a signature a
// compiler rejects, or a missing toolchain.
func runTruth(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("truth", "FILE.c...", stderr)
	cc := fs.String("cc", "both", "compilers: gcc, clang or both")
	asJSON := fs.Bool("json", false, `print one JSON object per file and compiler: {"func":…,"compiler":…,"args":[{"index":0,"type":…,"size":N,"bytes":[["x0.0"],…]}]}`)
	seed := fs.Uint64("seed", 0, "byte pattern seed")
	keep := fs.String("keep", "", "keep the generated C files and binaries in `DIR`")
	arch := fs.String("arch", envOr("TRAMPFUZZ_ARCH", truth.ArchARM64), "architecture: "+strings.Join(truth.Arches(), ", ")+"; under its qemu-user unless it is this machine's (env TRAMPFUZZ_ARCH)")
	checkOracle := fs.Bool("check-oracle", false, "draw -n random signatures (gen.Full, -seed) and check the oracle (AAPCS64 and its variants, or System V with -arch x86_64) against gcc and clang")
	n := fs.Int("n", 1000, "with -check-oracle: signatures to draw")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *checkOracle {
		if fs.NArg() != 0 || *n < 1 {
			fs.Usage()
			return exitBadInput
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		defer stop()
		opts := oraclecheck.Options{N: *n, Seed: *seed,
			Progress: func(done, total int) { fmt.Fprintf(stderr, "%d/%d signatures\n", done, total) }}
		r, err := oraclecheck.RunArch(ctx, *arch, opts)
		if errors.Is(err, archpkg.ErrUnknown) {
			return badInput(stderr, fmt.Errorf("%w %q (known: %s)", truth.ErrUnknownArch, *arch, strings.Join(truth.Arches(), ", ")))
		}
		if err != nil {
			fmt.Fprintln(stderr, "trampfuzz truth:", err)
			return exitBadInput
		}
		r.WriteDetails(stdout, 10)
		if !r.OK() {
			return exitFinding
		}
		return exitOK
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitBadInput
	}
	compilers, err := truth.ParseCompilers(*cc)
	if err != nil {
		return badInput(stderr, err)
	}
	var fns []*ctype.Func
	for _, path := range fs.Args() {
		fn, err := readFunc(path)
		if err != nil {
			return badInput(stderr, err)
		}
		fns = append(fns, fn)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	results, err := truth.Options{Seed: *seed, KeepDir: *keep, Arch: *arch}.Observe(ctx, fns, compilers)
	if err != nil {
		fmt.Fprintln(stderr, "trampfuzz truth:", err)
		return exitBadInput
	}

	code := exitOK
	enc := json.NewEncoder(stdout)
	for i, r := range results {
		path := fs.Arg(i)
		for _, c := range compilers {
			if err := r.Errors[c]; err != nil {
				fmt.Fprintf(stderr, "%s: %v\n", path, err)
				code = exitBadInput
				continue
			}
			o := r.Observations[c]
			if *asJSON {
				if err := enc.Encode(o); err != nil {
					fmt.Fprintln(stderr, "trampfuzz truth:", err)
					return exitBadInput
				}
				continue
			}
			fmt.Fprintf(stdout, "%s (%s):\n", path, c)
			for _, a := range o.Args {
				fmt.Fprintf(stdout, "  a%d %s: %s\n", a.Index, a.Type, truth.FormatBytes(a.Bytes))
			}
		}
		if d := r.Divergence(); d != nil {
			fmt.Fprintf(stderr, "%s: %s", path, d)
			if code == exitOK {
				code = exitFinding
			}
		}
	}
	return code
}

// envOr is the environment variable's value, or def when it is unset.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
