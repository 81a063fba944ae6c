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
	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
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

// Options configure a scan. The zero value scans for check.Default()
// with no progress output, on all CPUs.
type Options struct {
	// Targets to check every function against (nil: check.Default()).
	Targets []check.Target
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
}

func (o Options) targets() []check.Target {
	if len(o.Targets) == 0 {
		return []check.Target{check.Default()}
	}
	return o.Targets
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
			rep, err = nil, fmt.Errorf("%w: %s: reader failed on corrupt input: %v", ErrInput, path, p)
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
			return nil, fmt.Errorf("%w: %s: ELF file has no .BTF section", ErrInput, path)
		}
		return scanBTF(path, f, opts, prog)
	case InputDWARF:
		if !hasDWARF {
			return nil, fmt.Errorf("%w: %s: ELF file has no .debug_info section (build with -g) and no .BTF", ErrInput, path)
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
	rep := newReport(path, InputDWARF, opts.targets())
	rep.Machine = df.f.Machine.String()
	rep.Locations = &LocationReport{NotComparable: map[string]int{}}
	var funcs []*function
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
		funcs = append(funcs, fs...)
		prog.tick("read %d units, %d functions", rep.Units, len(funcs))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	for _, fn := range funcs {
		rep.addLocations(fn)
	}
	if err := rep.check(funcs, opts, prog, true); err != nil {
		return nil, err
	}
	prog.done()
	return rep, nil
}

func scanBTF(path string, r io.ReaderAt, opts Options, prog *progress) (*Report, error) {
	var spec *btf.Spec
	var err error
	base := opts.Base
	if base == "" && isSysModuleBTF(path) {
		base = "/sys/kernel/btf/vmlinux"
	}
	if base != "" {
		baseSpec, err := btf.LoadSpec(base)
		if err != nil {
			return nil, fmt.Errorf("%w: %s (base BTF): %v", ErrInput, base, btfError(base, err))
		}
		spec, err = btf.LoadSplitSpecFromReader(r, baseSpec)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInput, path, btfError(path, err))
		}
	} else if spec, err = btf.LoadSpecFromReader(r); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInput, path, btfError(path, err))
	}
	rep := newReport(path, InputBTF, opts.targets())
	conv := newBTFConv()
	var funcs []*function
	for t, err := range spec.All() {
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrInput, path, btfError(path, err))
		}
		fn, ok := t.(*btf.Func)
		if !ok {
			continue
		}
		funcs = append(funcs, conv.function(fn))
		prog.tick("read %d functions", len(funcs))
	}
	if err := rep.check(funcs, opts, prog, false); err != nil {
		return nil, err
	}
	prog.done()
	return rep, nil
}

func isSysModuleBTF(path string) bool {
	const dir = "/sys/kernel/btf/"
	return len(path) > len(dir) && path[:len(dir)] == dir && path != dir+"vmlinux"
}

// btfError adds what cilium/ebpf's BTF reader leaves out: where in the
// file a bad header points (the reader checks the header last-to-first
// and reports no offset).
func btfError(path string, err error) error {
	f, oerr := os.Open(path)
	if oerr != nil {
		return err
	}
	defer f.Close()
	if where := btfHeaderProblem(f); where != "" {
		return fmt.Errorf("%s (%v)", where, err)
	}
	return err
}

// btfHeaderProblem checks a raw BTF header (struct btf_header,
// include/uapi/linux/btf.h) against the file size: magic, hdr_len, and the
// type and string sections' offsets and lengths. "" when it holds (or the
// file is ELF: the ELF reader reports its own offsets).
func btfHeaderProblem(f *os.File) string {
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	var h [24]byte
	n, _ := io.ReadFull(f, h[:])
	if n >= 4 && bytes.Equal(h[:4], []byte(elf.ELFMAG)) {
		return ""
	}
	if n < 24 {
		return fmt.Sprintf("offset %d: BTF header truncated (%d of 24 bytes)", n, n)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if bo.Uint16(h[:]) != 0xeb9f {
		bo = binary.BigEndian
	}
	hdrLen := int64(bo.Uint32(h[4:]))
	typeOff, typeLen := int64(bo.Uint32(h[8:])), int64(bo.Uint32(h[12:]))
	strOff, strLen := int64(bo.Uint32(h[16:])), int64(bo.Uint32(h[20:]))
	size := st.Size()
	switch {
	case hdrLen < 24 || hdrLen > size:
		return fmt.Sprintf("offset 4: hdr_len %d outside the file (%d bytes)", hdrLen, size)
	case hdrLen+typeOff+typeLen > size:
		return fmt.Sprintf("offset %d: type section [%d, %d) runs past the end of the file (%d bytes)", hdrLen+typeOff, hdrLen+typeOff, hdrLen+typeOff+typeLen, size)
	case hdrLen+strOff+strLen > size:
		return fmt.Sprintf("offset %d: string section [%d, %d) runs past the end of the file (%d bytes)", hdrLen+strOff, hdrLen+strOff, hdrLen+strOff+strLen, size)
	}
	return ""
}

// check runs every converted function on every target, in parallel.
func (rep *Report) check(funcs []*function, opts Options, prog *progress, truthKnown bool) error {
	rep.Functions = len(funcs)
	var todo []*function
	for _, f := range funcs {
		if f.Skip != nil {
			rep.Skipped[f.Skip.Reason]++
			continue
		}
		rep.Converted++
		todo = append(todo, f)
	}
	targets := opts.targets()
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	r := newRunner()
	results := make([][]*judgement, len(todo))
	errs := make([]error, len(todo))
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				if i < len(todo) {
					prog.tick("checked %d of %d functions", i, len(todo))
				}
				mu.Unlock()
				if i >= len(todo) {
					return
				}
				js := make([]*judgement, len(targets))
				for k, t := range targets {
					js[k], errs[i] = r.judge(todo[i].Fn, t, truthKnown)
					if errs[i] != nil {
						break
					}
				}
				results[i] = js
			}
		}()
	}
	wg.Wait()
	for i, f := range todo {
		if errs[i] != nil {
			return fmt.Errorf("scan: %s: %s: %w", rep.File, f.Name, errs[i])
		}
		for k := range targets {
			rep.Targets[k].add(f, results[i][k])
		}
	}
	for _, t := range rep.Targets {
		t.sortFindings()
	}
	return nil
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

// stackRuns is a placement argument's bytes as runs, for reports.
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

var _ = ctype.Render
