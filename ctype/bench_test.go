package ctype_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
)

// goldenFuncs parses the golden inputs (testdata/*.c): signatures with
// every kind of type the model has.
func goldenFuncs(b *testing.B) []*ctype.Func {
	var fns []*ctype.Func
	for _, path := range goldenInputs(b) {
		fns = append(fns, parseFile(b, path))
	}
	return fns
}

// BenchmarkCheck is ctype.Check of every golden signature (one op is all
// of them): check.Run runs it once per signature.
func BenchmarkCheck(b *testing.B) {
	fns := goldenFuncs(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, fn := range fns {
			if err := ctype.Check(fn); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRender is ctype.Render of every golden signature (check.Run's
// Verdict.C).
func BenchmarkRender(b *testing.B) {
	fns := goldenFuncs(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, fn := range fns {
			if ctype.Render(fn) == "" {
				b.Fatal("empty")
			}
		}
	}
}

// BenchmarkParse is ctype.Parse of every golden input (one op is all of
// them), as written ("valid") and with one byte of each replaced by a byte
// of another place in it ("mutated"): most of what go test -fuzz feeds
// FuzzCheck's C-text inputs is the latter, and fails. FuzzCheck parses
// with MaxErrors 1 (first-error).
func BenchmarkParse(b *testing.B) {
	var valid, mutated [][]byte
	for i, path := range goldenInputs(b) {
		src, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		valid = append(valid, src)
		for j := 0; j < 8; j++ {
			m := bytes.Clone(src)
			at := (i*131 + j*977) % len(m)
			m[at] = src[(at*7+j*31)%len(src)]
			mutated = append(mutated, m)
		}
	}
	for _, set := range []struct {
		name string
		srcs [][]byte
	}{{"valid", valid}, {"mutated", mutated}} {
		for _, opt := range []struct {
			name string
			opts ctype.ParseOptions
		}{{"", ctype.ParseOptions{}}, {"/first-error", ctype.ParseOptions{MaxErrors: 1}}} {
			b.Run(set.name+opt.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					for _, src := range set.srcs {
						opt.opts.Parse("bench.c", src)
					}
				}
			})
		}
	}
}
