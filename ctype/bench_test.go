package ctype_test

import (
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
)

// benchSignature is 12 arguments with records of every kind: HFAs, a
// 16-aligned member, nesting, packed, bit-fields, a union, a large record,
// pointers to records.
const benchSignature = `struct hfa { float x[3]; };
struct dz { double x[4]; };
struct al { long a __attribute__((aligned(16))); int b; };
struct in { struct al inner; };
struct pk { char c; long l; } __attribute__((packed));
struct bf { long long y:57; char z:7; };
union un { double d; long l; };
struct big { long x[5]; struct pk *next; };
void f(int a0, struct hfa a1, struct dz a2, struct al a3, struct in a4, struct pk a5, struct bf a6,
	union un a7, struct big a8, double a9, struct dz *a10, __int128 a11);
`

func benchFunc(b *testing.B) *ctype.Func {
	fn, err := ctype.Parse("bench.c", []byte(benchSignature))
	if err != nil {
		b.Fatal(err)
	}
	return fn
}

// BenchmarkCheck is ctype.Check of a 12-argument signature with records:
// check.Run runs it once per signature.
func BenchmarkCheck(b *testing.B) {
	fn := benchFunc(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := ctype.Check(fn); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender is ctype.Render of the same signature (check.Run's
// Verdict.C).
func BenchmarkRender(b *testing.B) {
	fn := benchFunc(b)
	b.ReportAllocs()
	for b.Loop() {
		if ctype.Render(fn) == "" {
			b.Fatal("empty")
		}
	}
}
