package fuzz

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkCheckInput is one FuzzCheck execution (decode + check.Run) on
// random generator inputs over every target; compare it with the time per
// execution of go test -fuzz=FuzzTrivial on the same machine.
func BenchmarkCheckInput(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	inputs := make([][]byte, 256)
	for i := range inputs {
		in := make([]byte, 128)
		for j := range in {
			in[j] = byte(rng.Uint32())
		}
		in[1] &^= 0xC0 // generator bytes, not C text
		inputs[i] = in
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := CheckInput(inputs[i%len(inputs)], Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
