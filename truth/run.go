package truth

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/trampfuzz/trampfuzz/capture"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/toolchain"
)

// lld is the linker clang is told to use (-fuse-ld=lld).
var lld = toolchain.Tool{Name: "ld.lld", Package: "lld"}

// compilerTool is how one compiler is invoked.
type compilerTool struct {
	c    Compiler
	argv []string // the command up to the output and source names
}

// commonFlags: -O2 as the issue asks; static, so qemu-aarch64 needs no
// sysroot; no -Wpsabi notes; no strict aliasing, since the caller reads
// every argument out of one unsigned char buffer.
var commonFlags = []string{"-O2", "-static", "-Wno-psabi", "-fno-strict-aliasing"}

func findCompiler(c Compiler) (compilerTool, error) {
	switch c {
	case GCC:
		p, err := toolchain.Find(toolchain.GCC)
		if err != nil {
			return compilerTool{}, err
		}
		return compilerTool{c: c, argv: append([]string{p}, commonFlags...)}, nil
	case Clang:
		p, err := toolchain.Find(toolchain.Clang)
		if err != nil {
			return compilerTool{}, err
		}
		if _, err := toolchain.Find(lld); err != nil {
			return compilerTool{}, err
		}
		// clang finds the cross C library and crt files of
		// gcc-aarch64-linux-gnu/libc6-dev-arm64-cross by itself for this
		// target triple.
		return compilerTool{c: c, argv: append([]string{p, "--target=aarch64-linux-gnu", "-fuse-ld=lld"}, commonFlags...)}, nil
	}
	return compilerTool{}, fmt.Errorf("%w %q (want %q or %q)", ErrUnknownCompiler, c, GCC, Clang)
}

// ambiguous reports whether some byte of o has more than one candidate.
func ambiguous(o *Observation) bool {
	for _, a := range o.Args {
		for _, s := range a.Bytes {
			if len(s) > 1 {
				return true
			}
		}
	}
	return false
}

// ErrToolchain is wrapped by the error Observe returns when a compiler
// cannot build even an empty harness (a broken installation, e.g. no
// AArch64 C library).
var ErrToolchain = errors.New("toolchain cannot build the harness")

var (
	probeMu sync.Mutex
	probed  = map[string]error{}
)

// probe builds an empty harness once per compiler command, so a broken
// toolchain is one clear error instead of every signature failing.
func (b *batchRun) probe(ctx context.Context, dir string) error {
	key := strings.Join(b.tool.argv, " ")
	probeMu.Lock()
	defer probeMu.Unlock()
	if err, ok := probed[key]; ok {
		return err
	}
	h := generate(nil, captureHarness, b.arch)
	_, msg, err := b.compile(ctx, dir, "probe", h.src, captureHarness)
	if err == nil && msg != "" {
		err = fmt.Errorf("%w: %s: %s", ErrToolchain, b.compiler, msg)
	}
	if ctx.Err() == nil {
		probed[key] = err
	}
	return err
}

// batchRun observes one batch with one compiler.
type batchRun struct {
	opts     Options
	arch     *archSpec // nil: AArch64
	compiler Compiler
	tool     compilerTool
	qemu     string
	sem      chan struct{}
	seed     uint64
	fns      []*ctype.Func
	name     string // file name prefix, unique per batch in KeepDir
	nbuild   int
	// attributeOff makes build bisect even when the diagnostics name
	// the failing lines (tests of the bisection).
	attributeOff bool
	// corrupt, in tests, sends signature k of a run an impossible
	// pattern length, so the runner exits at its call.
	corrupt map[int]bool
}

// run returns, per signature of the batch, its observation or its error;
// the last error is for what stops the whole batch.
func (b *batchRun) run(ctx context.Context) ([]*Observation, []error, error) {
	dir := b.opts.KeepDir
	if dir == "" {
		d, err := os.MkdirTemp("", "trampfuzz-truth-")
		if err != nil {
			return nil, nil, err
		}
		defer os.RemoveAll(d)
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	if err := b.probe(ctx, dir); err != nil {
		return nil, nil, err
	}
	obs := make([]*Observation, len(b.fns))
	errs := make([]error, len(b.fns))
	var plans []sigPlan
	for i, fn := range b.fns {
		p := newPlan(fn, i, b.arch)
		if n := p.argBytes(); n > maxArgBytes {
			errs[i] = b.sigErr(StageObserve, fmt.Sprintf("%d argument bytes; at most %d can be told apart", n, maxArgBytes))
			continue
		}
		plans = append(plans, p)
	}
	builds, err := b.build(ctx, dir, plans, errs, captureHarness)
	if err != nil {
		return nil, nil, err
	}
	for _, bl := range builds {
		if err := b.execute(ctx, dir, bl, obs, errs); err != nil {
			return nil, nil, err
		}
	}
	return obs, errs, nil
}

func (b *batchRun) sigErr(s Stage, msg string) error {
	return &SignatureError{Compiler: b.compiler, Stage: s, Message: strings.TrimSpace(msg)}
}

// discard removes a file of the batch unless Options.KeepDir keeps it.
func (b *batchRun) discard(path string) {
	if b.opts.KeepDir == "" {
		os.Remove(path)
	}
}

// built is a compiled harness and the plans it calls, in order.
type built struct {
	plans []sigPlan
	bin   string
}

// diagLine matches a diagnostic of the harness: "harness.c:LINE:COL: error: ...".
var diagLine = regexp.MustCompile(`^[^:\n]*\.c:(\d+):(?:\d+:)? *(fatal error|error|warning|note)?`)

// build compiles plans; a signature the compiler rejects is taken out with
// the compiler's message (by the line numbers of its errors, else by
// bisection) and the rest built again.
func (b *batchRun) build(ctx context.Context, dir string, plans []sigPlan, errs []error, kind harnessKind) ([]built, error) {
	for len(plans) > 0 {
		h := generate(plans, kind, b.arch)
		b.nbuild++
		name := fmt.Sprintf("%sh%d", b.name, b.nbuild)
		bin, msg, err := b.compile(ctx, dir, name, h.src, kind)
		if err != nil {
			return nil, err
		}
		if msg == "" {
			return []built{{plans: plans, bin: bin}}, nil
		}
		var bad map[int]string
		if !b.attributeOff {
			bad = attribute(h, msg)
		}
		if len(bad) > 0 {
			var keep []sigPlan
			for k, p := range plans {
				if m, ok := bad[k]; ok {
					errs[p.idx] = b.sigErr(StageCompile, m)
				} else {
					keep = append(keep, p)
				}
			}
			plans = keep
			continue
		}
		if len(plans) == 1 {
			errs[plans[0].idx] = b.sigErr(StageCompile, msg)
			return nil, nil
		}
		// No line points at a signature (a link error, say): bisect.
		half := len(plans) / 2
		lo, err := b.build(ctx, dir, plans[:half], errs, kind)
		if err != nil {
			return nil, err
		}
		hi, err := b.build(ctx, dir, plans[half:], errs, kind)
		if err != nil {
			return nil, err
		}
		return append(lo, hi...), nil
	}
	return nil, nil
}

// attribute maps the error diagnostics in msg to the signatures whose
// section of the harness they point into, with the diagnostics (and their
// notes) that belong to each. A diagnostic outside every section maps to
// nothing.
func attribute(h harness, msg string) map[int]string {
	out := map[int]string{}
	cur := -1
	for _, line := range strings.Split(msg, "\n") {
		m := diagLine.FindStringSubmatch(line)
		if m != nil {
			n, _ := strconv.Atoi(m[1])
			sig := h.sigOfLine(n)
			switch {
			case m[2] == "error" || m[2] == "fatal error":
				cur = sig
			case m[2] == "warning":
				cur = -1
			}
		}
		if cur >= 0 {
			out[cur] += line + "\n"
		}
	}
	// Keep only signatures with an error of their own.
	for k, v := range out {
		if !strings.Contains(v, "error") {
			delete(out, k)
		}
	}
	return out
}

// compile builds src; msg is the compiler's output when it fails, err what
// stops everything (the compiler cannot be started, ctx is done).
func (b *batchRun) compile(ctx context.Context, dir, name, src string, kind harnessKind) (bin, msg string, err error) {
	csrc := filepath.Join(dir, name+"-"+string(b.compiler)+".c")
	bin = strings.TrimSuffix(csrc, ".c")
	if err := os.WriteFile(csrc, []byte(src), 0o644); err != nil {
		return "", "", err
	}
	argv := append(append([]string{}, b.tool.argv...), "-o", bin, csrc)
	if kind == recvHarness {
		// Receivers are compiled without optimisation: an -O0 function
		// stores each incoming argument whole to its frame before using
		// it, it costs the compiler less, and the calling convention of
		// an external function does not depend on the optimisation level.
		for i, a := range argv {
			if a == "-O2" {
				argv[i] = "-O0"
			}
		}
	}
	b.sem <- struct{}{}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Dir = dir
	runErr := cmd.Run()
	<-b.sem
	if ctx.Err() != nil {
		return "", "", ctx.Err()
	}
	if runErr != nil {
		var exit *exec.ExitError
		if !errors.As(runErr, &exit) {
			return "", "", fmt.Errorf("%s: %w", argv[0], runErr)
		}
		text := out.String()
		if text == "" {
			text = runErr.Error()
		}
		return "", text, nil
	}
	b.discard(csrc)
	return bin, "", nil
}

// execute runs one built harness under qemu: the capture pass gives every
// argument byte its candidate locations, then the callee-side pass
// (recv.go) narrows them to the one the callee reads.
func (b *batchRun) execute(ctx context.Context, dir string, bl built, obs []*Observation, errs []error) error {
	defer b.discard(bl.bin)
	pats := make([]patterns, len(bl.plans))
	for k, p := range bl.plans {
		pats[k] = makePatterns(p, b.seed)
	}
	type located struct {
		obs   *Observation
		bases []refBase
	}
	caught := make([]*located, len(bl.plans))
	err := b.runLoop(ctx, bl,
		func(k int, in *bytes.Buffer) {
			if b.corrupt[bl.plans[k].idx] {
				in.Write(make([]byte, 8))
				in.Write([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
				return
			}
			pats[k].writeTo(in)
		},
		func(out []byte, start int) (int, error) {
			return decodeStream(out, bl.plans, pats, start, func(k int, caps []captured, err error) {
				if err != nil {
					errs[bl.plans[k].idx] = b.sigErr(StageLayout, err.Error())
					return
				}
				o, bases := locate(bl.plans[k], pats[k], caps)
				o.Compiler = b.compiler
				caught[k] = &located{o, bases}
			})
		},
		func(k int, why string) { errs[bl.plans[k].idx] = b.sigErr(StageRun, why) })
	if err != nil {
		return err
	}

	// The callee-side pass, for the signatures with a byte in more than
	// one place. A byte in one place only is where the callee reads it.
	var rplans []sigPlan
	var recvs []*recvPlan
	var rk []int // position in bl.plans
	for k, c := range caught {
		if c == nil || !ambiguous(c.obs) {
			continue
		}
		if rp := newRecvPlan(bl.plans[k], c.bases, b.seed, c.obs); rp != nil {
			rplans, recvs, rk = append(rplans, bl.plans[k]), append(recvs, rp), append(rk, k)
		}
	}
	rbuilds, err := b.build(ctx, dir, rplans, make([]error, len(b.fns)), recvHarness)
	if err != nil {
		return err
	}
	for _, rb := range rbuilds {
		// rb.plans is a subsequence of rplans.
		var sub []*recvPlan
		var subk []int
		j := 0
		for _, p := range rb.plans {
			for rplans[j].idx != p.idx {
				j++
			}
			sub, subk = append(sub, recvs[j]), append(subk, rk[j])
		}
		err = b.runLoop(ctx, rb, func(k int, in *bytes.Buffer) { sub[k].writeTo(in) },
			func(out []byte, start int) (int, error) {
				return decodeRecv(out, rb.plans, sub, start, func(k int, outs [][]byte) {
					c := caught[subk[k]]
					if err := sub[k].narrow(rb.plans[k], outs, c.obs); err != nil {
						errs[rb.plans[k].idx] = b.sigErr(StageObserve, err.Error())
						caught[subk[k]] = nil
					}
				})
			},
			// The capture pass stands alone when the receiver dies.
			func(k int, why string) {})
		b.discard(rb.bin)
		if err != nil {
			return err
		}
	}
	for k, c := range caught {
		if c != nil {
			obs[bl.plans[k].idx] = c.obs
		}
	}
	return nil
}

// runLoop runs the harness over every plan, restarting after a
// signature whose call kills the program: write gives the stdin of
// signature k, decode reads stdout from signature start on and says how far
// it got, failed is told why signature k got no output.
func (b *batchRun) runLoop(ctx context.Context, bl built, write func(k int, in *bytes.Buffer),
	decode func(out []byte, start int) (int, error), failed func(k int, why string)) error {
	for start := 0; start < len(bl.plans); {
		var in bytes.Buffer
		for k := start; k < len(bl.plans); k++ {
			write(k, &in)
		}
		var out, stderr bytes.Buffer
		b.sem <- struct{}{}
		cmd := exec.CommandContext(ctx, b.qemu, bl.bin, strconv.Itoa(start))
		if b.qemu == "" {
			// A native harness runs directly.
			cmd = exec.CommandContext(ctx, bl.bin, strconv.Itoa(start))
		}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = &in, &out, &stderr
		runErr := cmd.Run()
		<-b.sem
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if runErr != nil {
			var exit *exec.ExitError
			if !errors.As(runErr, &exit) {
				return fmt.Errorf("%s: %w", cmd.Path, runErr)
			}
		}
		done, decErr := decode(out.Bytes(), start)
		if decErr == nil && runErr == nil && done == len(bl.plans) {
			return nil
		}
		if done >= len(bl.plans) {
			// Every signature was read, yet the program failed at exit.
			return fmt.Errorf("%s harness: %v %s", b.compiler, runErr, stderr.String())
		}
		why := fmt.Sprint(runErr)
		if runErr == nil {
			why = "output ended early"
		}
		if decErr != nil {
			why += "; " + decErr.Error()
		}
		if s := strings.TrimSpace(stderr.String()); s != "" {
			why += ": " + s
		}
		failed(done, why)
		start = done + 1
	}
	return nil
}

// decodeStream reads the runner's output for plans[start:]: per
// signature, its header and one capture per run. It calls emit for every
// complete signature and returns how far it got (the index of the first
// signature it could not read).
func decodeStream(out []byte, plans []sigPlan, pats []patterns, start int, emit func(k int, caps []captured, err error)) (int, error) {
	r := reader{b: out}
	for k := start; k < len(plans); k++ {
		p := plans[k]
		idx, nruns, nparams := r.u64(), r.u64(), r.u64()
		if r.short {
			return k, nil
		}
		if idx != uint64(k) || nruns != uint64(pats[k].runs) || nparams != uint64(len(p.sizes)) {
			return k, fmt.Errorf("harness output out of step at signature %d", k)
		}
		meta := make([]uint64, 2*nparams)
		for j := range meta {
			meta[j] = r.u64()
		}
		caps := make([]captured, nruns)
		for j := range caps {
			caps[j] = r.captured()
		}
		if r.short {
			return k, nil
		}
		emit(k, caps, checkLayout(p, meta))
	}
	return len(plans), nil
}

type reader struct {
	b     []byte
	short bool
}

func (r *reader) take(n int) []byte {
	if r.short || n > len(r.b) || n < 0 {
		r.short = true
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u64() uint64 {
	v := r.take(8)
	if v == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(v)
}

func (r *reader) captured() captured {
	hdr := r.take(capture.WindowOff)
	if hdr == nil {
		return captured{}
	}
	c := captured{sp: binary.LittleEndian.Uint64(hdr[capture.SPOff:])}
	copy(c.x[:], hdr[capture.GPROff:capture.FPROff])
	copy(c.q[:], hdr[capture.FPROff:capture.SPOff])
	n := binary.LittleEndian.Uint64(hdr[capture.LenOff:])
	if n > maxWindow {
		r.short = true
		return captured{}
	}
	c.win = r.take(int(n))
	return c
}
