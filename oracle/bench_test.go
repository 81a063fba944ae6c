package oracle_test

import (
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
)

// benchSignature is 12 arguments with records of every kind the rules
// tell apart: HFAs (one stacked by C.3), a 16-aligned pair, nested and
// packed records, bit-fields, a union, a by-reference record, and scalars
// on both sides of the x7/stack boundary.
const benchSignature = `struct hfa { float x[3]; };
struct dz { double x[4]; };
struct al { long a __attribute__((aligned(16))); int b; };
struct in { struct al inner; };
struct pk { char c; long l; } __attribute__((packed));
struct bf { long long y:57; char z:7; };
union un { double d; long l; };
struct big { long x[5]; };
void f(int a0, struct hfa a1, struct dz a2, struct al a3, struct in a4, struct pk a5, struct bf a6,
	union un a7, struct big a8, double a9, struct dz a10, __int128 a11);
`

// BenchmarkAAPCS64 measures one placement of a 12-argument signature
// with records (ns/op is per signature).
func BenchmarkAAPCS64(b *testing.B) {
	fn, err := ctype.Parse("bench.c", []byte(benchSignature))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := oracle.AAPCS64.Default().Place(fn); err != nil {
			b.Fatal(err)
		}
	}
}

// kernelSignature is 12 arguments of the kinds kernel functions take
// (no floating point, arm64 kernels build with -mgeneral-regs-only):
// pointers, integers, small and 16-aligned records, __int128, one record
// on the stack.
const kernelSignature = `struct sock;
struct pair { long a; long b; };
struct al { long a __attribute__((aligned(16))); };
struct small { int a; short b; } __attribute__((packed));
void f(struct sock *a0, int a1, struct pair a2, unsigned long a3, struct al a4, struct small a5, void *a6,
	__int128 a7, int a8, struct pair a9, unsigned char a10, long a11);
`

// BenchmarkAAPCS64Kernel measures a kernel-like 12-argument signature.
func BenchmarkAAPCS64Kernel(b *testing.B) {
	fn, err := ctype.Parse("kernel.c", []byte(kernelSignature))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := oracle.AAPCS64.Default().Place(fn); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlacementFloor is what any AAPCS64 implementation returning a
// loc.Placement must do for benchSignature at the least: allocate and fill
// one loc.Loc per argument byte, the argument list, the rule lists and the
// type names, as one allocation each (the oracle's own layout of the
// result). It is the floor under BenchmarkAAPCS64 on the machine that runs
// it.
func BenchmarkPlacementFloor(b *testing.B) {
	fn, err := ctype.Parse("bench.c", []byte(benchSignature))
	if err != nil {
		b.Fatal(err)
	}
	want, err := oracle.AAPCS64.Default().Place(fn)
	if err != nil {
		b.Fatal(err)
	}
	nbytes, nrules, nnames := 0, 0, 0
	for _, a := range want.Args {
		nbytes += len(a.Bytes)
		nrules += len(a.Rules)
		nnames += len(a.Type)
	}
	b.ReportAllocs()
	for b.Loop() {
		bytes := make([]loc.Loc, nbytes)
		rules := make([]string, nrules)
		names := make([]byte, nnames)
		p := loc.Placement{Func: fn.Name, Args: make([]loc.Arg, len(want.Args))}
		at, rat := 0, 0
		for i, a := range want.Args {
			n := len(a.Bytes)
			for k := range n {
				bytes[at+k] = a.Bytes[0]
				bytes[at+k].Off = a.Bytes[0].Off + int32(k)
			}
			copy(rules[rat:], a.Rules)
			p.Args[i] = loc.Arg{Index: i, Name: a.Name, Type: string(names[:0]), Size: a.Size,
				Bytes: bytes[at : at+n : at+n], Rules: rules[rat : rat+len(a.Rules)]}
			at, rat = at+n, rat+len(a.Rules)
		}
		floorSink = p
	}
}

var floorSink loc.Placement
