// Package truth is trampfuzz's ground truth: where gcc and clang really put
// every byte of every argument of a C function at the moment it is entered,
// observed by running code compiled by aarch64-linux-gnu-gcc and
// clang --target=aarch64-linux-gnu under qemu-aarch64.
//
// Observe batches many signatures into two generated C programs per
// compiler, each built with one compile and run with one qemu process.
//
// The capture pass (compiled at -O2) fills every argument byte with a known
// pattern and calls a function of the signature's prototype whose body is
// an assembly stub; the stub records x0–x7, q0–q7, SP and the stack from SP
// up to main's frame. Each call is made two (or more) times with different
// patterns; a location holds an argument byte only if it holds that byte's
// pattern in every run. Every byte of one signature has its own tuple of
// pattern values, the values of a tuple differ from each other (so a byte
// that is the same in every run, i.e. anything not derived from the
// arguments, never matches), and 0x00 and 0xff are never used (so sign and
// zero extensions do not match either). A register or 8-byte stack slot
// that points at a complete copy of an argument is a by-reference argument,
// reported as ref(x2)+k or ref(sp+8)+k.
//
// A caller leaves copies of argument bytes in scratch registers (to store
// a double to the stack it loads it into the next free v register), so a
// byte can have several candidate locations. For those signatures the
// receive pass (recv.go) calls a C function of the same prototype, built by
// the same compiler, with every argument register and stack byte holding a
// value of its own, and sees which one the callee's code reads for each
// byte; the observation keeps only that location, which must be among the
// candidates.
//
// An ABI placement is consistent with an Observation when each of its bytes
// is among the candidates (Observation.Admits). gcc and clang diverge on a
// signature when, for some byte, their candidate sets have no location in
// common (Diverge).
//
// With Options.Arch set to ArchX86_64 the same two passes run natively: gcc
// and clang --target=x86_64-linux-gnu build the harness for the host and
// it runs directly, with rdi…r9, xmm0–xmm7 and the stack above the return
// address captured (x86.go).
//
// Rules cited: AAPCS64 release 2025Q4 (ARM-software/abi-aa,
// aapcs64/aapcs64.rst), "Parameter passing".
package truth

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/toolchain"
)

// Compiler names a C compiler trampfuzz observes.
type Compiler string

// The observed compilers (both for AArch64 Linux, -O2, static).
const (
	GCC   Compiler = "gcc"   // aarch64-linux-gnu-gcc
	Clang Compiler = "clang" // clang --target=aarch64-linux-gnu -fuse-ld=lld
)

// Both is GCC and Clang, in that order.
var Both = []Compiler{GCC, Clang}

// ParseCompilers reads a -cc flag value: "gcc", "clang" or "both".
func ParseCompilers(s string) ([]Compiler, error) {
	switch s {
	case "gcc":
		return []Compiler{GCC}, nil
	case "clang":
		return []Compiler{Clang}, nil
	case "both":
		return slices.Clone(Both), nil
	}
	return nil, fmt.Errorf("unknown compiler %q (want gcc, clang or both)", s)
}

// Result is what the compilers did with one signature.
type Result struct {
	Func *ctype.Func
	// Text is the signature's canonical C text (ctype.Render).
	Text string
	// Observations holds, per compiler that compiled and ran the signature,
	// where every argument byte was.
	Observations map[Compiler]*Observation
	// Errors holds, per compiler that did not, why: a *SignatureError.
	Errors map[Compiler]error
}

// Divergence compares gcc's and clang's observations of the signature; it
// is nil when they agree or when one of them is missing.
func (r Result) Divergence() *Divergence {
	g, c := r.Observations[GCC], r.Observations[Clang]
	if g == nil || c == nil {
		return nil
	}
	return Diverge(g, c)
}

// Stage says where a signature failed.
type Stage string

const (
	StageCheck   Stage = "check"   // ctype.Check rejected the signature
	StageCompile Stage = "compile" // the compiler rejected it
	StageRun     Stage = "run"     // the program died during its call
	StageLayout  Stage = "layout"  // the compiler's sizeof/_Alignof differ from ctype's
	StageObserve Stage = "observe" // it cannot be observed (too many argument bytes)
)

// SignatureError is why one signature has no observation from one compiler.
// Message is the tool's own text (the compiler's diagnostics, the exit
// status) where there is one.
type SignatureError struct {
	Compiler Compiler
	Stage    Stage
	Message  string
}

func (e *SignatureError) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.Compiler, e.Stage, e.Message)
}

// Options tunes Observe. The zero value is ready to use.
type Options struct {
	// BatchSize is the number of signatures per generated program
	// (0: 500). Larger batches amortise compiler and qemu start-up; a
	// failing signature costs a few extra compiles of its batch.
	BatchSize int
	// Seed selects the byte patterns (0 is a fine seed); the same seed
	// gives the same patterns, so the same observations.
	Seed uint64
	// Parallel is how many compiles or runs go at once (0: the number of
	// CPUs, at least 2 so gcc and clang overlap).
	Parallel int
	// KeepDir, when set, receives each batch's C file and binaries
	// instead of a temporary directory that is removed.
	KeepDir string
	// Arch is the architecture observed: ArchARM64 ("" too: the
	// cross compilers under qemu-aarch64) or ArchX86_64 (the host's gcc
	// and clang --target=x86_64-linux-gnu, run directly; see x86.go).
	Arch string
}

// Observe compiles, runs and reads back every signature of fns with each of
// compilers, with the zero Options. The results are in the order of fns.
// The error is for what stops everything (a missing tool, ctx cancelled);
// a signature that fails on its own is in its Result's Errors.
func Observe(ctx context.Context, fns []*ctype.Func, compilers []Compiler) ([]Result, error) {
	return Options{}.Observe(ctx, fns, compilers)
}

// ErrUnknownCompiler is returned for a Compiler other than GCC and Clang.
var ErrUnknownCompiler = errors.New("unknown compiler")

// Observe is the package-level Observe with options o.
func (o Options) Observe(ctx context.Context, fns []*ctype.Func, compilers []Compiler) ([]Result, error) {
	var uniq []Compiler
	for _, c := range compilers {
		if !slices.Contains(uniq, c) {
			uniq = append(uniq, c)
		}
	}
	compilers = uniq
	arch, err := lookupArch(o.Arch)
	if err != nil {
		return nil, err
	}
	tools := map[Compiler]compilerTool{}
	for _, c := range compilers {
		t, err := arch.findCompiler(c)
		if err != nil {
			return nil, err
		}
		tools[c] = t
	}
	qemu := "" // a native harness runs directly
	if !arch.native() {
		if arch.rec.QEMUUser == "" {
			return nil, fmt.Errorf("%w: %s has no qemu-user runner: its ground truth runs on a %s host only (this host is %s)", toolchain.ErrMissing, arch.rec, arch.rec, runtime.GOARCH)
		}
		if qemu, err = toolchain.Find(toolchain.Tool{Name: arch.rec.QEMUUser, Package: "qemu-user"}); err != nil {
			return nil, err
		}
	}
	batch := o.BatchSize
	if batch <= 0 {
		batch = 500
	}
	par := o.Parallel
	if par <= 0 {
		par = max(2, runtime.NumCPU())
	}

	results := make([]Result, len(fns))
	var valid []int // indexes into fns that pass ctype.Check
	for i, fn := range fns {
		results[i] = Result{Func: fn, Observations: map[Compiler]*Observation{}, Errors: map[Compiler]error{}}
		if err := checkFunc(fn); err != nil {
			for _, c := range compilers {
				results[i].Errors[c] = &SignatureError{Compiler: c, Stage: StageCheck, Message: err.Error()}
			}
			continue
		}
		results[i].Text = ctype.Render(fn)
		valid = append(valid, i)
	}

	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for start := 0; start < len(valid); start += batch {
		idx := valid[start:min(start+batch, len(valid))]
		for _, c := range compilers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := &batchRun{opts: o, arch: arch, compiler: c, tool: tools[c], qemu: qemu, sem: sem,
					seed: o.Seed ^ uint64(start)*0x9e3779b97f4a7c15, name: fmt.Sprintf("b%d-", start)}
				for _, i := range idx {
					b.fns = append(b.fns, fns[i])
				}
				obs, errs, err := b.run(ctx)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					return
				}
				for k, i := range idx {
					if errs[k] != nil {
						results[i].Errors[c] = errs[k]
					} else {
						obs[k].Text = results[i].Text
						results[i].Observations[c] = obs[k]
					}
				}
			}()
		}
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return results, nil
}

// checkFunc is ctype.Check, turning a panic on a malformed value into an
// error: bad input must never crash a campaign.
func checkFunc(fn *ctype.Func) (err error) {
	if fn == nil {
		return errors.New("nil signature")
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("invalid signature: %v", r)
		}
	}()
	return ctype.Check(fn)
}

// Observation is where one compiler put every byte of every argument of one
// signature, at the entry of the function.
type Observation struct {
	Func     string     `json:"func"`
	Compiler Compiler   `json:"compiler"`
	Args     []ArgBytes `json:"args"`
	// Text is the signature's canonical C text.
	Text string `json:"-"`
}

// ArgBytes is one argument: Bytes[b] is the set of locations that held
// byte b of its value (memory order) in every run, sorted (registers,
// stack, by reference); after the receive pass, the one location the
// callee reads. An empty set means the byte was found nowhere (clang, for
// one, passes nothing for a struct of unnamed bit-fields).
type ArgBytes struct {
	Index int         `json:"index"`
	Name  string      `json:"name,omitempty"`
	Type  string      `json:"type"`
	Size  int         `json:"size"`
	Bytes [][]loc.Loc `json:"bytes"`
}

// Mismatch is one byte of a placement that an observation does not admit.
type Mismatch struct {
	Arg, Byte int
	// Placed is where the placement puts the byte (zero Loc: the placement
	// lacks this byte).
	Placed loc.Loc
	// Observed are the candidate locations (nil: the observation lacks the
	// byte).
	Observed []loc.Loc
}

func (m Mismatch) String() string {
	placed := "(absent)"
	if !m.Placed.IsZero() {
		placed = m.Placed.String()
	}
	return fmt.Sprintf("a%d byte %d: placed at %s, observed at %s", m.Arg, m.Byte, placed, formatSet(m.Observed))
}

// Admits reports every byte of p that is not among the observed candidates
// for it, and every byte one side has and the other lacks (different
// argument counts or sizes). None means p is consistent with what the
// compiler did.
func (o *Observation) Admits(p loc.Placement) []Mismatch {
	var out []Mismatch
	for i := 0; i < max(len(o.Args), len(p.Args)); i++ {
		var obs [][]loc.Loc
		var placed []loc.Loc
		if i < len(o.Args) {
			obs = o.Args[i].Bytes
		}
		if i < len(p.Args) {
			placed = p.Args[i].Bytes
		}
		for b := 0; b < max(len(obs), len(placed)); b++ {
			var m Mismatch
			switch {
			case b >= len(placed):
				m = Mismatch{Arg: i, Byte: b, Observed: obs[b]}
			case b >= len(obs):
				m = Mismatch{Arg: i, Byte: b, Placed: placed[b]}
			case !slices.Contains(obs[b], placed[b]):
				m = Mismatch{Arg: i, Byte: b, Placed: placed[b], Observed: obs[b]}
			default:
				continue
			}
			out = append(out, m)
		}
	}
	return out
}

// Divergence is a signature on which two compilers place some argument
// bytes in places that have nothing in common: code compiled by one and
// called from code compiled by the other would read those bytes wrongly.
type Divergence struct {
	Func string
	Text string
	A, B Compiler
	// Bytes lists every byte whose candidate sets are disjoint.
	Bytes []ByteDivergence
}

// ByteDivergence is one byte two compilers place apart.
type ByteDivergence struct {
	Arg, Byte int
	A, B      []loc.Loc
}

// Diverge compares two compilers' observations of one signature; nil when
// every byte has a location in common.
func Diverge(a, b *Observation) *Divergence {
	d := &Divergence{Func: a.Func, Text: a.Text, A: a.Compiler, B: b.Compiler}
	for i := 0; i < max(len(a.Args), len(b.Args)); i++ {
		var ab, bb [][]loc.Loc
		if i < len(a.Args) {
			ab = a.Args[i].Bytes
		}
		if i < len(b.Args) {
			bb = b.Args[i].Bytes
		}
		for k := 0; k < max(len(ab), len(bb)); k++ {
			var x, y []loc.Loc
			if k < len(ab) {
				x = ab[k]
			}
			if k < len(bb) {
				y = bb[k]
			}
			if !slices.ContainsFunc(x, func(l loc.Loc) bool { return slices.Contains(y, l) }) {
				d.Bytes = append(d.Bytes, ByteDivergence{Arg: i, Byte: k, A: x, B: y})
			}
		}
	}
	if d.Bytes == nil {
		return nil
	}
	return d
}

// Divergences lists the gcc/clang divergences of results, in order.
func Divergences(results []Result) []*Divergence {
	var out []*Divergence
	for _, r := range results {
		if d := r.Divergence(); d != nil {
			out = append(out, d)
		}
	}
	return out
}

// String prints the signature and, per diverging argument, both
// compilers' locations with runs folded.
func (d *Divergence) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s and %s diverge\n", d.Func, d.A, d.B)
	b.WriteString(d.Text)
	args := map[int][]ByteDivergence{}
	var order []int
	for _, x := range d.Bytes {
		if args[x.Arg] == nil {
			order = append(order, x.Arg)
		}
		args[x.Arg] = append(args[x.Arg], x)
	}
	for _, a := range order {
		var as, bs [][]loc.Loc
		for _, x := range args[a] {
			as, bs = append(as, x.A), append(bs, x.B)
		}
		fmt.Fprintf(&b, "  a%d bytes %s: %s %s, %s %s\n", a, byteList(args[a]), d.A, FormatBytes(as), d.B, FormatBytes(bs))
	}
	return b.String()
}

func byteList(xs []ByteDivergence) string {
	var runs []string
	for i := 0; i < len(xs); {
		j := i
		for j+1 < len(xs) && xs[j+1].Byte == xs[j].Byte+1 {
			j++
		}
		if i == j {
			runs = append(runs, fmt.Sprint(xs[i].Byte))
		} else {
			runs = append(runs, fmt.Sprintf("%d-%d", xs[i].Byte, xs[j].Byte))
		}
		i = j + 1
	}
	return strings.Join(runs, ",")
}

// String prints one line per argument, e.g. "a1 __int128: x2.0-7 x3.0-7";
// see FormatBytes.
func (o *Observation) String() string {
	var b strings.Builder
	for i, a := range o.Args {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "a%d %s: %s", a.Index, a.Type, FormatBytes(a.Bytes))
	}
	return b.String()
}

// FormatBytes folds a list of per-byte candidate sets into runs: bytes
// whose candidates all continue the previous byte's (Loc.Next) join its
// run. A run with one candidate prints as loc.Run does ("x2.0-7"); with
// several, as alternatives ("x1.0-7|sp+8-15"); a byte found nowhere as
// "?".
func FormatBytes(bytes [][]loc.Loc) string {
	var parts []string
	for i := 0; i < len(bytes); {
		set := bytes[i]
		j := i + 1
		for ; j < len(bytes) && continues(bytes[j-1], bytes[j]); j++ {
		}
		if len(set) == 0 {
			parts = append(parts, strings.Repeat("? ", j-i-1)+"?")
		} else {
			var alts []string
			for _, l := range set {
				alts = append(alts, loc.Run{First: l, Len: j - i}.String())
			}
			parts = append(parts, strings.Join(alts, "|"))
		}
		i = j
	}
	return strings.Join(parts, " ")
}

// continues reports whether next is prev with every location advanced by
// one byte (both sorted, so element-wise comparison suffices).
func continues(prev, next []loc.Loc) bool {
	if len(prev) != len(next) || len(prev) == 0 {
		return false
	}
	for k := range prev {
		if prev[k].Next() != next[k] {
			return false
		}
	}
	return true
}

func formatSet(s []loc.Loc) string {
	if s == nil {
		return "(absent)"
	}
	if len(s) == 0 {
		return "nowhere"
	}
	parts := make([]string, len(s))
	for i, l := range s {
		parts[i] = l.String()
	}
	return "{" + strings.Join(parts, " ") + "}"
}
