package fuzz

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/cilium/ebpf/btf"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/corpus"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/layout"
	"github.com/trampfuzz/trampfuzz/oracle"
	"github.com/trampfuzz/trampfuzz/pahole"
)

// The bodies of the fuzz targets live here, outside the _test files, so
// that go test -fuzz, ClusterFuzzLite's compile_native_go_fuzzer (which
// rewrites only the file declaring the targets) and cmd/minimize share
// them.

// ErrFinding is wrapped by the error CheckInput returns for a mismatch.
var ErrFinding = errors.New("mismatch")

// Options select which mismatches FuzzCheck fails on.
type Options struct {
	// Strict fails on every mismatch, known class or not
	// (TRAMPFUZZ_STRICT=1).
	Strict bool
	// Class, when set, fails only on mismatches whose class key contains
	// it (TRAMPFUZZ_CLASS), to measure the time to find one class.
	Class string
}

// OptionsFromEnv reads TRAMPFUZZ_STRICT and TRAMPFUZZ_CLASS.
func OptionsFromEnv() Options {
	return Options{Strict: os.Getenv("TRAMPFUZZ_STRICT") == "1", Class: os.Getenv("TRAMPFUZZ_CLASS")}
}

// CheckInput runs one FuzzCheck input. It returns nil when the input is not
// a signature or the verdict is fine, and an error wrapping ErrFinding for
// a mismatch of an unknown class (of any class when strict), with the
// canonical C text and the verdict in its message. Other errors are bugs.
func CheckInput(data []byte, opts Options) error {
	fn, target, err := Decode(data)
	if err != nil {
		return nil // not a signature: nothing to check
	}
	v, err := check.Run(fn, target)
	if err != nil {
		return fmt.Errorf("check failed on a valid signature: %v\n%s", err, ctype.Render(fn))
	}
	if v.Kind != check.Mismatch || (!opts.Strict && v.Known != nil) {
		return nil
	}
	if opts.Class != "" && !strings.Contains(v.Class, opts.Class) {
		return nil
	}
	kind := "mismatch of a known class (TRAMPFUZZ_STRICT=1)"
	if v.Known == nil {
		kind = "mismatch of an unknown class"
	}
	js, _ := json.MarshalIndent(v, "", "  ")
	return fmt.Errorf("%w: %s on %s\nclass: %s\n\n%s\nverdict:\n%s\n\nminimize: go run ./cmd/minimize <this input file>",
		ErrFinding, kind, v.Target, v.Class, v.C, js)
}

// growStack grows the calling goroutine's stack to checkStackBytes in one
// step. go test -fuzz runs every input on a new goroutine, whose stack
// starts at 8 KB; the check path needs about 16 KB under the fuzzer's
// instrumentation (cilium's BTF encoder and decoder, the oracle's
// per-signature layout memo), so without this each input grew its stack
// deep in the check, where copying it means walking every frame. Growing
// it first, from the fuzz function's shallow stack, halved the share of
// the fuzzer's time spent growing stacks (perf record of a 30 s
// FuzzCheck run: 10.6% to 5%). The runtime grows a stack at once to fit
// the frame that overflowed it, so one frame this size is enough.
//
//go:noinline
func growStack(seed int) byte {
	var pad [checkStackBytes]byte
	pad[seed%len(pad)] = byte(seed) // keeps the frame: the array is read below
	return pad[(seed/2)%len(pad)]
}

// checkStackBytes is the stack CheckInput needs, rounded up to a power of
// two; a probe over the benchmark and seed inputs found no input growing
// past it.
const checkStackBytes = 16 << 10

// CorpusFileInput checks one FuzzCorpusFile input: corpus.Validate
// never panics, and what it accepts (target line included) is exactly the
// file a write into a fresh corpus makes, and reads back unchanged.
func CorpusFileInput(name string, data []byte) error {
	fn, target, err := corpus.Validate(name, data)
	if err != nil {
		return nil
	}
	if _, want := corpus.File(fn, target); string(want) != string(data) {
		return fmt.Errorf("accepted a non-canonical file:\n%q\nis written as\n%q", data, want)
	}
	dir, err := os.MkdirTemp("", "trampfuzz-corpus-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path, added, err := corpus.Dir(dir).AddOn(fn, target)
	if err != nil || !added {
		return fmt.Errorf("AddOn: added=%v err=%v", added, err)
	}
	back := corpus.Read(path)
	if back.Err != nil || back.Target != target || ctype.Render(back.Func) != ctype.Render(fn) {
		return fmt.Errorf("read back: target %q, err %v", back.Target, back.Err)
	}
	return nil
}

var kernels = allKernels()

func allKernels() []layout.Kernel {
	var out []layout.Kernel
	for _, a := range layout.Arches() {
		out = append(out, layout.KernelsOf(a)...)
	}
	return out
}

// BTFInput feeds raw (possibly corrupt) BTF to the kernel side: loading it
// and running btf_distill_func_proto and every trampoline model on each
// function must not panic. A panic inside cilium/ebpf while loading is an
// error of the input, as pahole.Load treats it.
func BTFInput(raw []byte) {
	spec, err := loadSpec(raw)
	if err != nil {
		return
	}
	for typ, err := range spec.All() {
		if err != nil {
			return
		}
		fn, ok := typ.(*btf.Func)
		if !ok {
			continue
		}
		for _, k := range kernels {
			m, rej, err := layout.Distill(fn, k)
			if err != nil || rej != nil {
				continue
			}
			layout.JIT(m, k, layout.Options{})
			layout.JIT(m, k, layout.Options{StructOps: true})
		}
	}
}

func loadSpec(raw []byte) (spec *btf.Spec, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("btf: panic: %v", r)
		}
	}()
	return btf.LoadSpecFromReader(bytes.NewReader(raw))
}

// SeedCases are the valid cases of the shared corpus (corpus/cases of this
// module). A missing or unreadable corpus gives none, and so does
// TRAMPFUZZ_SEEDS=0 (to measure fuzzing from an empty corpus).
func SeedCases() []corpus.Case {
	if os.Getenv("TRAMPFUZZ_SEEDS") == "0" {
		return nil
	}
	_, file, _, _ := runtime.Caller(0)
	cases, _ := corpus.Dir(filepath.Join(filepath.Dir(filepath.Dir(file)), "corpus", "cases")).Cases()
	var out []corpus.Case
	for _, c := range cases {
		if c.Err == nil {
			out = append(out, c)
		}
	}
	return out
}

// Seeds are the signatures of SeedCases, for f.Add.
func Seeds() []*ctype.Func {
	var out []*ctype.Func
	for _, c := range SeedCases() {
		out = append(out, c.Func)
	}
	return out
}

// BTFSeeds are pahole 1.24's BTF of the corpus signatures.
func BTFSeeds() [][]byte {
	var out [][]byte
	for _, fn := range Seeds() {
		abi, err := oracle.AAPCS64.Default().Place(fn)
		if err != nil {
			continue
		}
		bfn, skip, err := pahole.Encode(fn, pahole.V1_24, abi)
		if err != nil || skip != nil {
			continue
		}
		if raw, err := pahole.Marshal(bfn); err == nil {
			out = append(out, raw)
		}
	}
	return out
}

// SaveInput writes a FuzzCheck input into dir in Go's fuzz corpus format
// ("go test fuzz v1"), named by a hash of its content, and returns the
// path. cmd/minimize reads such files.
func SaveInput(dir string, data []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	path := filepath.Join(dir, "FuzzCheck-"+hex.EncodeToString(sum[:8]))
	content := "go test fuzz v1\n[]byte(" + strconv.Quote(string(data)) + ")\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return "", err
	}
	return path, nil
}
