package layout_test

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/trampfuzz/trampfuzz/layout"
)

// seedBTF is raw BTF holding every golden function.
func seedBTF(tb testing.TB) []byte {
	var funcs []*btf.Func
	seen := map[*btf.Func]bool{}
	for _, g := range goldens {
		if !seen[g.fn] {
			seen[g.fn] = true
			funcs = append(funcs, g.fn)
		}
	}
	return marshal(tb, funcs...)
}

// maxFuzzTypes bounds the work per input: corrupt headers can claim
// millions of types.
const maxFuzzTypes = 4096

// exercise loads raw BTF and runs Distill and the JIT on every function in
// it for every kernel of every architecture and both trampoline kinds. Any
// outcome but a panic is fine; a model Distill returns must be accepted by
// the kernel's JIT without error.
func exercise(t *testing.T, raw []byte) {
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		return
	}
	kernels := layout.Kernels()
	kernels = append(kernels, lookup(t, "v6.18"))
	n := 0
	for typ, err := range spec.All() {
		if err != nil || n >= maxFuzzTypes {
			return
		}
		n++
		f, ok := typ.(*btf.Func)
		if !ok {
			continue
		}
		for _, k := range kernels {
			m, rej, err := layout.Distill(f, k)
			if err != nil || rej != nil {
				continue
			}
			for _, opts := range []layout.Options{{}, {StructOps: true}} {
				if _, _, err := layout.JIT(m, k, opts); err != nil {
					t.Fatalf("%s %s: Distill's model refused by the JIT: %v", f.Name, k, err)
				}
			}
		}
	}
}

// FuzzBTFLoad feeds arbitrary bytes through btf.LoadSpecFromReader, Distill
// and ARM64: nothing may panic.
func FuzzBTFLoad(f *testing.F) {
	seed := seedBTF(f)
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		exercise(t, raw)
	})
}

// Deterministic corruption of real BTF: every truncation, a wrong magic,
// and seeded random byte flips. None may panic.
func TestCorruptBTF(t *testing.T) {
	seed := seedBTF(t)
	if _, err := btf.LoadSpecFromReader(bytes.NewReader(seed)); err != nil {
		t.Fatalf("seed does not load: %v", err)
	}
	exercise(t, seed)
	for n := 0; n < len(seed); n += 7 {
		exercise(t, seed[:n])
	}
	bad := bytes.Clone(seed)
	binary.LittleEndian.PutUint16(bad, 0xbeef)
	if _, err := btf.LoadSpecFromReader(bytes.NewReader(bad)); err == nil {
		t.Error("wrong magic loaded")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	flips := 3000
	if testing.Short() {
		flips = 300
	}
	for i := 0; i < flips; i++ {
		c := bytes.Clone(seed)
		for j := 0; j < 1+rng.IntN(4); j++ {
			c[rng.IntN(len(c))] ^= byte(1 + rng.IntN(255))
		}
		exercise(t, c)
	}
}

func BenchmarkDistillARM64(b *testing.B) {
	k, err := layout.Lookup("arm64", "v6.17")
	if err != nil {
		b.Fatal(err)
	}
	f := realBTF(b, fStructArg9)
	b.ReportAllocs()
	for b.Loop() {
		m, rej, err := layout.Distill(f, k)
		if err != nil || rej != nil {
			b.Fatal(rej, err)
		}
		if _, rej, err := layout.JIT(m, k, layout.Options{}); err != nil || rej != nil {
			b.Fatal(rej, err)
		}
	}
}
