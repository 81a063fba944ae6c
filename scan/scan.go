package scan

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/cilium/ebpf/btf"
	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/pahole"
)

// Input kinds.
const (
	InputAuto  = ""
	InputDWARF = "dwarf"
	InputBTF   = "btf"
)

// ErrInput is wrapped by every error about an input file: unreadable,
// not ELF or BTF, corrupt or truncated. The message names the file and,
// where the reader reports one, the offset.
var ErrInput = errors.New("scan: bad input")

// panicked marks the error File returns when a reader panicked.
const panicked = "reader failed on corrupt input"

// Options configure a scan. The zero value scans for the newest model of
// the file's architecture with no progress output, on all CPUs.
type Options struct {
	// Targets to check every function against (nil: the newest kernel
	// model and pahole of the file's architecture: its ELF machine, or the
	// host's for raw BTF, which names none; Notes says which).
	Targets []check.Target
	// Notes receives a line when the scan assumes something the file does
	// not say: the architecture of raw BTF (nil: none).
	Notes io.Writer
	// Pahole and StructOps shape the default target (no Targets): the
	// pahole version (empty: the newest) and a struct_ops trampoline.
	Pahole    pahole.Version
	StructOps bool
	// Input forces the DWARF or BTF reading of an ELF file that has both;
	// InputAuto reads DWARF when there is any, else .BTF. A raw BTF
	// file is always read as BTF.
	Input string
	// Base is the base BTF for split BTF (a module's BTF under
	// /sys/kernel/btf/); empty: /sys/kernel/btf/vmlinux for a file under
	// /sys/kernel/btf/ other than vmlinux itself, none otherwise.
	Base string
	// Progress receives a line about every second once a scan has taken
	// more than a second (nil: none).
	Progress io.Writer
	// Workers runs the checks in parallel (0: GOMAXPROCS).
	Workers int
	// Starting, when set, is called with InputDWARF or InputBTF once a
	// file is known to be read that way, before the work on it starts
	// (trampfuzz scan sets its garbage collector for the kind there).
	Starting func(input string)
}

func (o Options) starting(input string) {
	if o.Starting != nil {
		o.Starting(input)
	}
}

func (o Options) targets() []check.Target {
	if len(o.Targets) == 0 {
		return []check.Target{check.Default()}
	}
	return o.Targets
}

// forArch gives o the default target of architecture a when it has none;
// what says how a was found, for the note.
func (o *Options) forArch(path string, a *arch.Arch, what string, err error) error {
	if len(o.Targets) > 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v; name the kernel with -target", ErrInput, path, err)
	}
	t, err := check.DefaultFor(a.Name)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrInput, path, err)
	}
	if o.Pahole != "" {
		t.Pahole = o.Pahole
	}
	t.StructOps = o.StructOps
	o.Targets = []check.Target{t}
	if o.Notes != nil {
		fmt.Fprintf(o.Notes, "scan: %s: %s, so checking %s (-target names another)\n", path, what, t)
	}
	return nil
}

// File scans one file: an ELF file with DWARF (vmlinux, a .ko, any -g
// object) or with a .BTF section, or raw BTF (/sys/kernel/btf/vmlinux).
// Every error wraps ErrInput and names the file; a corrupt file never
// panics.
func File(path string, opts Options) (rep *Report, err error) {
	defer func() {
		// The standard library's ELF and DWARF readers and cilium's BTF
		// reader are meant to return errors on corrupt input; this is the
		// net under them.
		if p := recover(); p != nil {
			rep, err = nil, fmt.Errorf("%w: %s: %s: %v", ErrInput, path, panicked, p)
		}
	}()
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	defer f.Close()
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		return nil, fmt.Errorf("%w: %s: offset 0: too short for an ELF or BTF header", ErrInput, path)
	}
	prog := newProgress(opts.Progress, path)
	switch {
	case bytes.Equal(magic[:], []byte(elf.ELFMAG)):
		return scanELF(path, f, opts, prog)
	case binary.LittleEndian.Uint16(magic[:]) == 0xeb9f || binary.BigEndian.Uint16(magic[:]) == 0xeb9f:
		return scanBTF(path, f, opts, prog)
	}
	return nil, fmt.Errorf("%w: %s: offset 0: magic % x is neither ELF nor BTF (0xeb9f)", ErrInput, path, magic)
}

func scanELF(path string, f *os.File, opts Options, prog *progress) (*Report, error) {
	if p := elfProblem(f); p != "" {
		return nil, fmt.Errorf("%w: %s: %s", ErrInput, path, p)
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInput, path, err)
	}
	hasDWARF := ef.Section(".debug_info") != nil || ef.Section(".zdebug_info") != nil
	hasBTF := ef.Section(".BTF") != nil
	input := opts.Input
	if input == InputAuto {
		input = InputDWARF
		if !hasDWARF && hasBTF {
			input = InputBTF
		}
	}
	switch input {
	case InputBTF:
		if !hasBTF {
			return nil, fmt.Errorf("%w: %s: ELF file has no .BTF section (%s)", ErrInput, path, missingSection(f, ef, ".BTF"))
		}
		return scanBTF(path, f, opts, prog)
	case InputDWARF:
		if !hasDWARF {
			return nil, fmt.Errorf("%w: %s: ELF file has no .debug_info section (build with -g) and no .BTF (%s)", ErrInput, path, missingSection(f, ef, ".debug_info", ".zdebug_info", ".BTF"))
		}
		return scanDWARF(path, f, opts, prog)
	}
	return nil, fmt.Errorf("%w: input kind %q: want dwarf or btf", ErrInput, input)
}

func scanDWARF(path string, f *os.File, opts Options, prog *progress) (*Report, error) {
	df, err := openDWARF(path, f)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	a := df.machine.arch
	if err := opts.forArch(path, a, "the ELF file is "+a.Name, nil); err != nil {
		return nil, err
	}
	opts.starting(InputDWARF)
	rep := newReport(path, InputDWARF, opts.targets())
	rep.Machine = df.f.Machine.String()
	rep.Locations = &LocationReport{NotComparable: map[string]int{}}
	c := newChecker(rep, opts, prog, true)
	err = df.readUnits(func(u *unit) error {
		rep.Units++
		if u.cu.Tag == utSkeletonTag {
			rep.Skipped[SkipSkeleton]++
			return nil
		}
		fs, err := u.functions()
		if err != nil {
			return err
		}
		for _, f := range fs {
			rep.addLocations(f)
			c.add(f)
		}
		return nil
	})
	c.finish()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	prog.done()
	return rep, nil
}

func scanBTF(path string, r io.ReaderAt, opts Options, prog *progress) (*Report, error) {
	fileArch, what, archErr := btfArch(r, opts.Targets)
	if err := opts.forArch(path, fileArch, what, archErr); err != nil {
		return nil, err
	}
	opts.starting(InputBTF)
	var spec *btf.Spec
	var err error
	base := opts.Base
	if base == "" && isSysModuleBTF(path) {
		base = "/sys/kernel/btf/vmlinux"
	}
	// raw is the BTF itself: the whole file, or an ELF file's .BTF section.
	raw, _, rawOK := rawBTFAt(r)
	if base != "" {
		baseSpec, err := btf.LoadSpec(base)
		if err != nil {
			return nil, fmt.Errorf("%w: %s (base BTF): %v", ErrInput, base, btfLocate(base, err))
		}
		// cilium/ebpf reads split BTF from raw bytes only; a .ko keeps it
		// in its .BTF section.
		if !rawOK {
			return nil, fmt.Errorf("%w: %s: no BTF", ErrInput, path)
		}
		spec, err = btf.LoadSplitSpecFromReader(bytes.NewReader(raw), baseSpec)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInput, path, btfLocateSplit(path, err))
		}
	} else {
		from := r
		if rawOK && !isELF(r) {
			from = bytes.NewReader(raw) // read once, above
		}
		if spec, err = btf.LoadSpecFromReader(from); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInput, path, btfLocate(path, err))
		}
	}
	rep := newReport(path, InputBTF, opts.targets())
	c := newChecker(rep, opts, prog, false)
	defer c.finish()

	// Three stages overlap: this goroutine inflates the FUNCs with
	// cilium/ebpf (one lock, so one goroutine), a converter turns them
	// into ctype functions (its caches are not shared), and the checker's
	// workers judge them. FUNCs travel in batches to keep channel traffic
	// off the per-function cost.
	const batch = 256
	// The walk is the critical path (cilium/ebpf inflates under one lock):
	// it never waits for the converter, there is room for every batch of
	// a 1M-function kernel.
	funcs := make(chan []*btf.Func, 1<<12)
	converted := make(chan struct{})
	var convPanic any // File's recover does not reach this goroutine
	go func() {
		defer close(converted)
		defer func() {
			if convPanic = recover(); convPanic != nil {
				for range funcs { // let the walk finish
				}
			}
		}()
		conv := newBTFConv(fileArch)
		for fs := range funcs {
			for _, fn := range fs {
				c.add(conv.function(fn))
			}
		}
	}()
	pending := make([]*btf.Func, 0, batch)
	add := func(t btf.Type) {
		if fn, ok := t.(*btf.Func); ok {
			pending = append(pending, fn)
			if len(pending) == batch {
				funcs <- pending
				pending = make([]*btf.Func, 0, batch)
			}
		}
	}
	// Inflating only the FUNCs (and what they reach) is about twice as
	// fast as walking every type; the IDs come from a walk of the raw
	// type section. Split BTF numbers its types after the base's, so it
	// takes the general path.
	walkErr := func() error {
		var ids []btf.TypeID
		ok := false
		if base == "" && rawOK {
			ids, ok = btfFuncIDs(raw)
		}
		if ok {
			for _, id := range ids {
				t, err := spec.TypeByID(id)
				if err != nil {
					return fmt.Errorf("%w: %s: type %d: %v", ErrInput, path, id, btfLocate(path, err))
				}
				add(t)
			}
			return nil
		}
		for t, err := range spec.All() {
			if err != nil {
				return fmt.Errorf("%w: %s: %v", ErrInput, path, btfLocate(path, err))
			}
			add(t)
		}
		return nil
	}()
	funcs <- pending
	close(funcs)
	<-converted
	if convPanic != nil {
		return nil, fmt.Errorf("%w: %s: %s: %v", ErrInput, path, panicked, convPanic)
	}
	if walkErr != nil {
		return nil, walkErr
	}
	c.finish()
	prog.done()
	return rep, nil
}

// isELF reports whether r starts with the ELF magic.
func isELF(r io.ReaderAt) bool {
	var magic [4]byte
	_, err := r.ReadAt(magic[:], 0)
	return err == nil && string(magic[:]) == elf.ELFMAG
}

func isSysModuleBTF(path string) bool {
	const dir = "/sys/kernel/btf/"
	return len(path) > len(dir) && path[:len(dir)] == dir && path != dir+"vmlinux"
}

// checker runs every converted function on every target on a pool of
// workers while the input is still being read, and adds the results to
// the report in input order when done.
type checker struct {
	rep        *Report
	targets    []check.Target
	truthKnown bool
	prog       *progress
	r          *runner
	funcs      []*function
	results    [][]*judgement
	errs       []error
	work       chan int
	wg         sync.WaitGroup
	mu         sync.Mutex
	checked    int
	finished   bool
	// byShape holds the judgements of each function shape (function.shape)
	// judged so far.
	byShape map[any]shapeResult
}

type shapeResult struct {
	js  []*judgement
	err error
}

func newChecker(rep *Report, opts Options, prog *progress, truthKnown bool) *checker {
	c := &checker{rep: rep, targets: opts.targets(), truthKnown: truthKnown, prog: prog, r: newRunner(),
		work: make(chan int, 1024), byShape: map[any]shapeResult{}}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	for w := 0; w < workers; w++ {
		c.wg.Add(1)
		go c.worker()
	}
	return c
}

// add takes one function; the slices grow only here, under mu, and a
// worker reads its function and writes its results under mu too.
func (c *checker) add(f *function) {
	c.mu.Lock()
	i := len(c.funcs)
	c.funcs = append(c.funcs, f)
	c.results = append(c.results, nil)
	c.errs = append(c.errs, nil)
	c.mu.Unlock()
	if f.Skip == nil {
		c.work <- i
	}
}

func (c *checker) worker() {
	defer c.wg.Done()
	for i := range c.work {
		c.judgeOne(i)
	}
}

// judgeOne judges function i on every target, or takes the judgements of
// a function of the same shape.
func (c *checker) judgeOne(i int) {
	c.mu.Lock()
	f := c.funcs[i]
	done, ok := c.byShape[f.shape]
	c.mu.Unlock()
	if !ok || f.shape == nil {
		done.js = make([]*judgement, len(c.targets))
		for k, t := range c.targets {
			if done.js[k], done.err = c.r.judge(f.Fn, t, k, c.truthKnown); done.err != nil {
				break
			}
		}
	}
	c.mu.Lock()
	if f.shape != nil && !ok {
		c.byShape[f.shape] = done
	}
	c.results[i], c.errs[i] = done.js, done.err
	c.checked++
	c.prog.tick("%d functions read, %d checked", len(c.funcs), c.checked)
	c.mu.Unlock()
}

// finish waits for the workers and fills the report.
func (c *checker) finish() {
	if c.finished {
		return
	}
	c.finished = true
	close(c.work)
	c.wg.Wait()
	rep := c.rep
	rep.Functions = len(c.funcs)
	for i, f := range c.funcs {
		switch {
		case f.Skip != nil:
			rep.Skipped[f.Skip.Reason]++
			continue
		case c.errs[i] != nil:
			// check.Run refuses only signatures ctype.Check rejects.
			rep.Skipped[SkipCheck]++
			continue
		}
		rep.Converted++
		for k := range c.targets {
			rep.Targets[k].add(f, c.results[i][k])
		}
	}
	for _, t := range rep.Targets {
		t.sortFindings()
	}
}

// progress prints a line to w about once a second, starting after the
// first second of a scan.
type progress struct {
	w     io.Writer
	path  string
	start time.Time
	last  time.Time
	said  bool
}

func newProgress(w io.Writer, path string) *progress {
	now := time.Now()
	return &progress{w: w, path: path, start: now, last: now}
}

func (p *progress) tick(format string, args ...any) {
	if p == nil || p.w == nil {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < time.Second {
		return
	}
	p.last = now
	p.said = true
	fmt.Fprintf(p.w, "scan: %s: %s (%.0fs)\n", p.path, fmt.Sprintf(format, args...), now.Sub(p.start).Seconds())
}

func (p *progress) done() {
	if p == nil || p.w == nil || !p.said {
		return
	}
	fmt.Fprintf(p.w, "scan: %s: done in %.1fs\n", p.path, time.Since(p.start).Seconds())
}

// argRuns is a placement argument's bytes as runs, for reports.
func argRuns(p *loc.Placement, i int) string {
	if p == nil || i >= len(p.Args) {
		return ""
	}
	return locString(p.Args[i].Bytes)
}

// sortedKeys returns m's keys by count, then name.
func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

// btfArch is the architecture of BTF in r, and how it was found: an ELF
// file's machine; raw BTF names none, so the targets' when there are any,
// else this machine's. An ELF file of no known machine is an error unless
// targets name the architecture.
func btfArch(r io.ReaderAt, targets []check.Target) (a *arch.Arch, what string, err error) {
	if isELF(r) {
		var ef *elf.File
		if ef, err = elf.NewFile(r); err == nil {
			if a, err = arch.ByELF(ef.Machine); err == nil {
				return a, "the ELF file is " + a.Name, nil
			}
		}
	}
	if len(targets) > 0 {
		a, err := arch.Lookup(targets[0].Kernel.Arch)
		return a, "the target is " + targets[0].Kernel.Arch, err
	}
	if err != nil {
		return nil, "", err
	}
	if a, err = arch.Host(); err != nil {
		return nil, "", err
	}
	return a, "raw BTF names no architecture; this machine is " + a.Name, nil
}
