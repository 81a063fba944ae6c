package truth_test

import (
	"context"
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
	"github.com/trampfuzz/trampfuzz/truth"
)

// benchProfile is gen.Full capped at 12 arguments, the most a BPF
// trampoline handles.
var benchProfile = gen.Profile{MinArgs: 1, MaxArgs: 12, Floats: true, MaxDepth: 3, MaxMembers: 6}

// BenchmarkTruthBatch observes batches of 500 random signatures with gcc
// and clang and reports signatures per second.
func BenchmarkTruthBatch(b *testing.B) {
	requireAll(b)
	const batch = 500
	g := gen.Func(benchProfile)
	seed := 0
	total := 0
	for b.Loop() {
		b.StopTimer()
		fns := make([]*ctype.Func, batch)
		for i := range fns {
			fns[i] = g.Example(seed)
			seed++
		}
		b.StartTimer()
		results, err := truth.Options{BatchSize: batch}.Observe(context.Background(), fns, truth.Both)
		if err != nil {
			b.Fatal(err)
		}
		total += len(results)
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "sigs/s")
}
