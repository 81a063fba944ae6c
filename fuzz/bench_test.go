package fuzz

import (
	"testing"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
)

func BenchmarkCheckRun(b *testing.B) {
	g := gen.Func(gen.Kernel)
	var fns []*ctype.Func
	for i := 0; i < 64; i++ {
		fns = append(fns, g.Example(i))
	}
	ts := check.Targets()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := check.Run(fns[i%len(fns)], ts[i%len(ts)]); err != nil {
			b.Fatal(err)
		}
	}
}
