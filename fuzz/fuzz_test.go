package fuzz

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/corpus"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/layout"
	"github.com/trampfuzz/trampfuzz/oracle"
	"github.com/trampfuzz/trampfuzz/pahole"
)

// strict makes every mismatch fail, known class or not.
var strict = os.Getenv("TRAMPFUZZ_STRICT") == "1"

// moduleRoot is the repository root, for the shared corpus.
func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// corpusCases are the shared corpus's signatures (corpus/cases).
func corpusCases(tb testing.TB) []*ctype.Func {
	cases, err := corpus.Dir(filepath.Join(moduleRoot(), "corpus", "cases")).Cases()
	if err != nil {
		tb.Fatal(err)
	}
	var out []*ctype.Func
	for _, c := range cases {
		if c.Err != nil {
			tb.Errorf("corpus: %v", c.Err)
			continue
		}
		out = append(out, c.Func)
	}
	return out
}

// FuzzCheck runs the whole check path on a signature and a target drawn
// from the input. It fails on a mismatch whose class is not in
// check/known_classes.yaml, and on every mismatch with TRAMPFUZZ_STRICT=1.
func FuzzCheck(f *testing.F) {
	for i, fn := range corpusCases(f) {
		// Each case on every target would be len(targets) seeds per case;
		// spread the cases over the targets instead, plus the default one.
		f.Add(EncodeC(fn, i, false))
		f.Add(EncodeC(fn, TargetIndex(check.Default().String()), false))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fn, target, err := Decode(data)
		if err != nil {
			return // not a signature: nothing to check
		}
		v, err := check.Run(fn, target)
		if err != nil {
			t.Fatalf("check failed on a valid signature: %v\n%s", err, ctype.Render(fn))
		}
		if v.Kind != check.Mismatch || (!strict && v.Known != nil) {
			return
		}
		kind := "mismatch"
		if v.Known == nil {
			kind = "mismatch of an unknown class"
		}
		js, _ := json.MarshalIndent(v, "", "  ")
		t.Fatalf("%s on %s\nclass: %s\n\n%s\nverdict:\n%s\n\nminimize: go run ./cmd/minimize -target %s -pahole %s <this input file>",
			kind, v.Target, v.Class, v.C, js, target.KernelName(), target.Pahole)
	})
}

// FuzzCorpusFile feeds arbitrary bytes to the corpus file reader: it
// never panics, and what it accepts is canonical and survives a write and
// a read back unchanged.
func FuzzCorpusFile(f *testing.F) {
	for _, fn := range corpusCases(f) {
		f.Add(corpus.Name(fn), []byte(ctype.Render(fn)))
	}
	f.Add("0000000000000000.c", []byte("struct s { long a"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		fn, err := corpus.Validate(name, data)
		if err != nil {
			return
		}
		if got := ctype.Render(fn); got != string(data) {
			t.Fatalf("accepted a non-canonical file:\n%q\nrenders as\n%q", data, got)
		}
		d := corpus.Dir(t.TempDir())
		path, added, err := d.Add(fn)
		if err != nil || !added {
			t.Fatalf("Add: added=%v err=%v", added, err)
		}
		back := corpus.Read(path)
		if back.Err != nil || ctype.Render(back.Func) != string(data) {
			t.Fatalf("read back: %v", back.Err)
		}
	})
}

// FuzzBTFLoad feeds corrupt BTF bytes to the kernel side: loading them and
// running btf_distill_func_proto and every trampoline model on each
// function never panics.
func FuzzBTFLoad(f *testing.F) {
	for _, fn := range corpusCases(f) {
		abi, err := oracle.AAPCS64(fn)
		if err != nil {
			f.Fatal(err)
		}
		bfn, skip, err := pahole.Encode(fn, pahole.V1_24, abi)
		if err != nil || skip != nil {
			continue
		}
		raw, err := pahole.Marshal(bfn)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	kernels := layout.Kernels()
	f.Fuzz(func(t *testing.T, raw []byte) {
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
				layout.ARM64(m, k, layout.Options{})
				layout.ARM64(m, k, layout.Options{StructOps: true})
			}
		}
	})
}

// loadSpec loads raw BTF as pahole.Load does, turning a panic inside
// cilium/ebpf on corrupt bytes into an error, so that trampfuzz reports bad
// BTF instead of crashing; what this target checks is the kernel side.
func loadSpec(raw []byte) (spec *btf.Spec, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("btf: panic: %v", r)
		}
	}()
	return btf.LoadSpecFromReader(bytes.NewReader(raw))
}

// FuzzTrivial is the baseline FuzzCheck's speed is measured against: the
// same input type and no work.
func FuzzTrivial(f *testing.F) {
	f.Add([]byte{0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			t.Skip()
		}
	})
}
