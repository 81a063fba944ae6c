package pahole

import (
	"testing"

	"github.com/trampfuzz/trampfuzz/loc"
)

const benchSrc = "struct s1 { char a; long b; } __attribute__((packed));\nstruct bf { int a : 3; unsigned int b : 7; char c; };\nenum e { A = -1, B = 0x100000000 };\nvoid f(long a0, __int128 a1, struct bf a2, enum e a3, double a4, long a5, long a6, long a7, struct s1 a8, long a9);"

var benchDwarf = placement(inX(0, 8), inXPair(2, 3), inX(4, 4), inX(5, 8), inV(0, 8), inX(6, 8), inX(7, 8), onStack(0, 8), onStack(8, 9), onStack(24, 8))

func BenchmarkEncode(b *testing.B) {
	fn := mustParse(b, benchSrc)
	for _, v := range Versions() {
		b.Run(string(v), func(b *testing.B) {
			for b.Loop() {
				if _, _, err := Encode(fn, v, benchDwarf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkMarshalLoad(b *testing.B) {
	fn, _, err := Encode(mustParse(b, benchSrc), V1_24, loc.Placement{})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		raw, err := Marshal(fn)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Load(raw, "f"); err != nil {
			b.Fatal(err)
		}
	}
}
