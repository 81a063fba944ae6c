// Package oraclecheck holds the AAPCS64 oracle (package oracle) to the real
// compilers: it draws random signatures (gen), observes where gcc and clang
// put every argument byte (truth: aarch64-linux-gnu-gcc and clang
// --target=aarch64-linux-gnu under qemu-aarch64), and requires every byte
// the oracle places to be among the locations the compiler used.
//
// Each oracle variant is held to the compiler it describes (Pairs): the
// variant aapcs64/gcc12 to gcc 12.2, aapcs64/clang14 to clang 14, as Debian
// 12 ships them. The default variant (the current spec, GCC ≥ 13.1 and
// current clang) is held to each compiler on the signatures where the
// default and that compiler's variant place every byte alike, i.e. where
// the signature does not hit a documented version difference.
//
// A gcc/clang divergence is reported, not failed: documented when the two
// compiler variants also place the signature differently (the list with the
// rule each compiler follows is oracle/testdata/divergences.md), undocumented
// otherwise, in which case the oracle also mismatches one compiler.
package oraclecheck

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	archpkg "github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
	"github.com/trampfuzz/trampfuzz/truth"
)

// Pair is an oracle variant and the compiler it describes.
type Pair struct {
	Variant  oracle.Variant
	Compiler truth.Compiler
}

// Options configure Run. The zero value checks 1000 signatures of
// gen.Full with seed 0.
type Options struct {
	// N is the number of signatures (0: 1000).
	N int
	// Seed picks the signatures and truth's byte patterns; the same seed
	// gives the same run.
	Seed uint64
	// Profile is what gen draws (zero: gen.Full).
	Profile gen.Profile
	// Chunk is how many signatures go to truth at once (0: 2000); truth
	// splits a chunk into batches of BatchSize (0: truth's default) per
	// compiled program. Results are checked and dropped chunk by chunk.
	Chunk, BatchSize int
	// Parallel is truth's compile/run parallelism (0: truth's default).
	Parallel int
	// Progress, if set, is called after each chunk.
	Progress func(done, total int)
}

// Mismatch is a signature on which an oracle variant places bytes where
// the compiler did not put them.
type Mismatch struct {
	Variant  string
	Compiler truth.Compiler
	// Text is the canonical C of the signature, the repro for `trampfuzz
	// abi` and `trampfuzz truth`.
	Text      string
	Placement loc.Placement
	Bytes     []truth.Mismatch
}

func (m Mismatch) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "oracle %s vs %s:\n%s%s\n", m.Variant, m.Compiler, m.Text, m.Placement)
	for i, x := range m.Bytes {
		if i == 8 {
			fmt.Fprintf(&b, "\n  … %d more bytes", len(m.Bytes)-i)
			break
		}
		fmt.Fprintf(&b, "\n  %s", x)
	}
	return b.String()
}

// Divergence is a signature gcc and clang place differently.
type Divergence struct {
	Text string
	// Documented: the gcc12 and clang14 variants place it differently too
	// (a difference listed in oracle/testdata/divergences.md).
	Documented bool
	// Rules are the compiler-specific rules (oracle.Rule…) the gcc12 and
	// clang14 variants applied to the first argument they place apart.
	Rules  []string
	Detail string
}

// Report is the outcome of Run.
type Report struct {
	Seed       uint64
	Signatures int
	// Observed counts, per compiler, the signatures it compiled, ran and
	// was read back for.
	Observed map[truth.Compiler]int
	// Checked counts the signatures compared, per "variant vs compiler".
	Checked map[string]int
	// Skipped counts signatures a compiler gave no observation for, per
	// "compiler/stage" (layout: its sizeof or _Alignof differ from ctype's).
	Skipped        map[string]int
	SkippedExample map[string]string
	Mismatches     []Mismatch
	Divergences    []Divergence
	// PlaceErrors are signatures the oracle refused (gen's signatures all
	// pass ctype.Check, so any is a bug).
	PlaceErrors []string
	// Versions and Variants are each compiler's major version and the
	// oracle variant it is held to (oracle.CompilerVariant).
	Versions map[truth.Compiler]int
	Variants map[truth.Compiler]string

	// pairs are the variants of Variants with their compilers, gcc first.
	pairs []Pair
}

// OK reports whether the oracle agreed with the compilers on every
// observed signature.
func (r *Report) OK() bool { return len(r.Mismatches) == 0 && len(r.PlaceErrors) == 0 }

// String summarises the report, one fact per line.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "signatures: %d (seed %d)\n", r.Signatures, r.Seed)
	for _, c := range truth.Both {
		if v, ok := r.Variants[c]; ok {
			fmt.Fprintf(&b, "%s %d is held to %s\n", c, r.Versions[c], v)
		}
	}
	for _, c := range truth.Both {
		fmt.Fprintf(&b, "observed by %s: %d\n", c, r.Observed[c])
	}
	for _, k := range sortedKeys(r.Checked) {
		fmt.Fprintf(&b, "checked %s: %d\n", k, r.Checked[k])
	}
	for _, k := range sortedKeys(r.Skipped) {
		fmt.Fprintf(&b, "no observation %s: %d\n", k, r.Skipped[k])
	}
	doc := 0
	for _, d := range r.Divergences {
		if d.Documented {
			doc++
		}
	}
	fmt.Fprintf(&b, "gcc/clang divergences: %d (documented %d, undocumented %d)\n", len(r.Divergences), doc, len(r.Divergences)-doc)
	fmt.Fprintf(&b, "oracle mismatches: %d\n", len(r.Mismatches))
	fmt.Fprintf(&b, "oracle errors: %d\n", len(r.PlaceErrors))
	return b.String()
}

// WriteDetails writes the summary, then up to limit oracle mismatches, every
// undocumented divergence (up to limit), one documented divergence per rule
// set, and one example per kind of missing observation: what a person needs
// to reproduce each finding with `trampfuzz abi` and `trampfuzz truth`.
func (r *Report) WriteDetails(w io.Writer, limit int) {
	io.WriteString(w, r.String())
	for i, m := range r.Mismatches {
		if i == limit {
			fmt.Fprintf(w, "\n… %d more oracle mismatches\n", len(r.Mismatches)-i)
			break
		}
		fmt.Fprintf(w, "\nMISMATCH %s\n", m)
	}
	undocumented := 0
	seen := map[string]bool{}
	for _, d := range r.Divergences {
		switch {
		case !d.Documented && undocumented < limit:
			undocumented++
			fmt.Fprintf(w, "\nUNDOCUMENTED DIVERGENCE\n%s", d.Detail)
		case d.Documented && !seen[strings.Join(d.Rules, "; ")]:
			seen[strings.Join(d.Rules, "; ")] = true
			fmt.Fprintf(w, "\ndocumented divergence (%s)\n%s", strings.Join(d.Rules, "; "), d.Detail)
		}
	}
	for _, k := range sortedKeys(r.SkippedExample) {
		fmt.Fprintf(w, "\nno observation %s, e.g. %s\n", k, r.SkippedExample[k])
	}
	for i, e := range r.PlaceErrors {
		if i == limit {
			break
		}
		fmt.Fprintf(w, "\nORACLE ERROR %s\n", e)
	}
}

// runners are the oracle checks by architecture; each architecture's file
// registers its own.
var runners = map[*archpkg.Arch]func(context.Context, Options) (*Report, error){}

func init() { runners[archpkg.ARM64] = Run }

// RunArch runs the oracle check of the architecture named archName (any
// spelling arch.Lookup takes).
func RunArch(ctx context.Context, archName string, o Options) (*Report, error) {
	a, err := archpkg.Lookup(archName)
	if err != nil {
		return nil, err
	}
	run, ok := runners[a]
	if !ok {
		return nil, fmt.Errorf("%w: no oracle check for %s", archpkg.ErrUnknown, a)
	}
	return run(ctx, o)
}

// Run draws o.N signatures and checks the oracle against both compilers.
// The error is for what stops the whole run (a missing toolchain, ctx
// cancelled); disagreements are in the Report.
func Run(ctx context.Context, o Options) (*Report, error) {
	return run(ctx, o, truth.ArchARM64, (*Report).add)
}

// run draws o.N signatures in chunks, has truth compile and observe them
// for arch, and checks each result with add.
func run(ctx context.Context, o Options, archName string, add func(*Report, truth.Result)) (*Report, error) {
	if o.N <= 0 {
		o.N = 1000
	}
	if o.Chunk <= 0 {
		o.Chunk = 2000
	}
	if o.Profile == (gen.Profile{}) {
		o.Profile = gen.Full
	}
	if err := o.Profile.Validate(); err != nil {
		return nil, err
	}
	r := &Report{Seed: o.Seed, Observed: map[truth.Compiler]int{}, Checked: map[string]int{},
		Skipped: map[string]int{}, SkippedExample: map[string]string{},
		Versions: map[truth.Compiler]int{}, Variants: map[truth.Compiler]string{}}
	// Each compiler is held to the variant of its own release.
	a, err := archpkg.Lookup(archName)
	if err != nil {
		return nil, err
	}
	for _, c := range truth.Both {
		major, err := truth.CompilerMajor(ctx, c, archName)
		if err != nil {
			return nil, err
		}
		v, err := oracle.CompilerVariant(a, string(c), major)
		if err != nil {
			return nil, err
		}
		r.Versions[c], r.Variants[c] = major, v.Name
		r.pairs = append(r.pairs, Pair{v, c})
	}
	g := gen.Func(o.Profile)
	for start := 0; start < o.N; start += o.Chunk {
		n := min(o.Chunk, o.N-start)
		fns := make([]*ctype.Func, n)
		for i := range fns {
			fns[i] = g.Example(drawSeed(o.Seed, start+i))
		}
		results, err := truth.Options{BatchSize: o.BatchSize, Parallel: o.Parallel, Arch: archName,
			Seed: o.Seed ^ uint64(start)}.Observe(ctx, fns, truth.Both)
		if err != nil {
			return r, err
		}
		for _, res := range results {
			add(r, res)
		}
		r.Signatures += n
		if o.Progress != nil {
			o.Progress(r.Signatures, o.N)
		}
	}
	return r, nil
}

// drawSeed is the rapid seed of signature i of a run: a splitmix64 step,
// so neighbouring runs do not share signatures.
func drawSeed(seed uint64, i int) int {
	z := seed + uint64(i)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return int((z ^ z>>31) >> 1)
}

// skip counts the compilers that could not observe res, by stage, with
// one example each.
func (r *Report) skip(res truth.Result) {
	for c, err := range res.Errors {
		key := string(c)
		if se, ok := err.(*truth.SignatureError); ok {
			key += "/" + string(se.Stage)
		}
		r.Skipped[key]++
		if _, ok := r.SkippedExample[key]; !ok {
			r.SkippedExample[key] = fmt.Sprintf("%v\n%s", err, res.Text)
		}
	}
}

// add checks one signature's observations.
func (r *Report) add(res truth.Result) {
	placements := map[string]loc.Placement{}
	place := func(v oracle.Variant) (loc.Placement, bool) {
		if p, ok := placements[v.Name]; ok {
			return p, true
		}
		p, err := oracle.Place(res.Func, v)
		if err != nil {
			r.PlaceErrors = append(r.PlaceErrors, fmt.Sprintf("%s: %v\n%s", v.Name, err, res.Text))
			return p, false
		}
		placements[v.Name] = p
		return p, true
	}
	r.skip(res)
	pairs := r.pairs
	def, okDef := place(oracle.AAPCS64.Default())
	for _, pair := range pairs {
		obs := res.Observations[pair.Compiler]
		if obs == nil {
			continue
		}
		r.Observed[pair.Compiler]++
		p, ok := place(pair.Variant)
		if !ok {
			continue
		}
		r.check(pair.Variant.Name, pair.Compiler, res.Text, p, obs)
		// The default is held to this compiler where the compiler's own
		// variant places every byte as the default does.
		if okDef && samePlaces(def, p) {
			r.check(oracle.AAPCS64.Default().Name, pair.Compiler, res.Text, def, obs)
		}
	}
	if d := res.Divergence(); d != nil {
		g, okG := place(pairs[0].Variant)
		c, okC := place(pairs[1].Variant)
		dv := Divergence{Text: res.Text, Detail: d.String(), Documented: okG && okC && !samePlaces(g, c)}
		if dv.Documented {
			// The compiler-specific rules of the first argument the two
			// variants place apart: the documented difference that
			// starts the divergence (later arguments only shift).
			for i := range g.Args {
				if slices.Equal(g.Args[i].Bytes, c.Args[i].Bytes) {
					continue
				}
				for _, a := range []loc.Arg{g.Args[i], c.Args[i]} {
					for _, rule := range a.Rules {
						if !strings.HasPrefix(rule, "AAPCS64 ") && !slices.Contains(dv.Rules, rule) {
							dv.Rules = append(dv.Rules, rule)
						}
					}
				}
				break
			}
		}
		r.Divergences = append(r.Divergences, dv)
	}
}

func (r *Report) check(variant string, c truth.Compiler, text string, p loc.Placement, obs *truth.Observation) {
	r.Checked[variant+" vs "+string(c)]++
	var bad []truth.Mismatch
	for _, m := range obs.Admits(p) {
		// A byte the oracle does not place (an argument the compiler
		// ignores) that the compiler put nowhere agrees.
		if m.Placed.IsZero() && len(m.Observed) == 0 {
			continue
		}
		bad = append(bad, m)
	}
	if len(bad) > 0 {
		r.Mismatches = append(r.Mismatches, Mismatch{Variant: variant, Compiler: c, Text: text, Placement: p, Bytes: bad})
	}
}

// samePlaces reports whether two placements put every byte in the same
// place (rules aside).
func samePlaces(a, b loc.Placement) bool {
	if len(a.Args) != len(b.Args) {
		return false
	}
	for i := range a.Args {
		if !slices.Equal(a.Args[i].Bytes, b.Args[i].Bytes) {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
