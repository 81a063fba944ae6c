package fuzz

import (
	"os"
	"testing"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/corpus"
	"github.com/trampfuzz/trampfuzz/ctype"
)

// This file declares only the fuzz targets (ClusterFuzzLite's build
// rewrites it); their bodies are in targets.go.

// FuzzCheck runs the whole check path on a signature and a target drawn
// from the input (see Decode). It fails on a mismatch whose class is not in
// check/known_classes.yaml, and on every mismatch with TRAMPFUZZ_STRICT=1
// (only on classes containing $TRAMPFUZZ_CLASS when that is set).
func FuzzCheck(f *testing.F) {
	for i, c := range SeedCases() {
		// Each seed on its case's target, or on a target of its own, and
		// on the default target.
		target := c.Target
		if target == "" {
			target = targetIDs[i%len(targetIDs)]
		}
		for _, t := range []string{target, check.Default().String()} {
			in, err := EncodeCase(c.Func, t)
			if err != nil {
				f.Fatalf("%s: %v", c.Path, err)
			}
			f.Add(in)
		}
	}
	opts := OptionsFromEnv()
	crashDir := os.Getenv("TRAMPFUZZ_CRASHDIR")
	f.Fuzz(func(t *testing.T, data []byte) {
		CountExec()
		growStack(len(data))
		if err := CheckInput(data, opts); err != nil {
			if crashDir != "" {
				// go test -fuzz saves only new failing inputs, not failing
				// seeds; ci/fuzz-smoke minimizes what lands here.
				if path, werr := SaveInput(crashDir, data); werr == nil {
					t.Logf("input saved as %s", path)
				}
			}
			t.Fatal(err)
		}
	})
}

// FuzzCorpusFile feeds arbitrary bytes to the corpus file reader.
func FuzzCorpusFile(f *testing.F) {
	for _, c := range SeedCases() {
		name, data := corpus.File(c.Func, c.Target)
		f.Add(name, data)
	}
	if fn, err := ctype.Parse("seed.c", []byte("void f(long a0);")); err == nil {
		name, data := corpus.File(fn, check.Default().String()+"+struct_ops")
		f.Add(name, data)
	}
	f.Add("0000000000000000.c", []byte("struct s { long a"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if err := CorpusFileInput(name, data); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzBTFLoad feeds corrupt BTF bytes to the kernel side.
func FuzzBTFLoad(f *testing.F) {
	for _, raw := range BTFSeeds() {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		BTFInput(raw)
	})
}

// FuzzTrivial is the baseline FuzzCheck's speed is measured against: the
// same argument type and no work but counting its calls, as FuzzCheck does
// (CountExec).
func FuzzTrivial(f *testing.F) {
	f.Add([]byte{0, 0})
	f.Fuzz(func(t *testing.T, data []byte) { CountExec() })
}
