package ctype_test

import (
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
