package truth

import (
	"testing"

	"github.com/trampfuzz/trampfuzz/loc"
)

// On x86-64 the byte holding a long double's explicit integer bit (byte 7
// of the 80-bit value, psABI 1.0 §3.1.2: "a 64-bit mantissa with an
// explicit high order significant bit") has bit 7 set in every run, for a
// long double anywhere in an argument; the tuples stay distinct and
// non-constant, even with the shuffled pool of a big signature.
func TestX87PatternsNormal(t *testing.T) {
	fn := mustParse(t, "struct in { int a; long double x[2]; };\nunion u { long double d; long l; };\n"+
		"struct big { long a[600]; };\n"+
		"void f(long double a0, struct in a1, union u a2, struct big a3, long double a4);")
	p := newPlan(fn, 1, &x86Arch)
	pt := makePatterns(p, 5)
	jBytes := map[[2]int]bool{{0, 7}: true, {1, 23}: true, {1, 39}: true, {2, 7}: true, {4, 7}: true}
	seen := map[uint64]bool{}
	for j := range fn.Params {
		for b := 0; b < p.sizes[j]; b++ {
			var key uint64
			same := true
			for r := 0; r < pt.runs; r++ {
				v := pt.data[r][p.offsets[j]+b]
				key |= uint64(v) << (8 * r)
				same = same && v == pt.data[0][p.offsets[j]+b]
				if jBytes[[2]int{j, b}] && v&0x80 == 0 {
					t.Errorf("a%d byte %d: run %d value %#x lacks the integer bit", j, b, r, v)
				}
			}
			if same || seen[key] {
				t.Fatalf("a%d byte %d: tuple %#x constant or reused", j, b, key)
			}
			seen[key] = true
		}
	}
}

// The receive pass gives rdi a return buffer when the signature returns a
// record and the capture pass saw no argument byte in rdi; never on
// AArch64, never when an argument is in rdi.
func TestRetBufPointer(t *testing.T) {
	fn := mustParse(t, "struct big { long a, b, c; };\nstruct big f(long a0);")
	p := newPlan(fn, 0, nil)
	inRSI := &Observation{Args: []ArgBytes{{Bytes: [][]loc.Loc{{loc.RegByte(loc.RSI, 0)}}}}}
	inRDI := &Observation{Args: []ArgBytes{{Bytes: [][]loc.Loc{{loc.RegByte(loc.RDI, 0)}}}}}
	if got := retBufPointer(p, &x86Arch, inRSI, map[loc.Loc]bool{}); got == nil || *got != loc.RegByte(loc.RDI, 0) {
		t.Errorf("argument in rsi: buffer %v, want rdi", got)
	}
	if got := retBufPointer(p, &x86Arch, inRDI, map[loc.Loc]bool{}); got != nil {
		t.Errorf("argument in rdi: buffer %v, want none", got)
	}
	if got := retBufPointer(p, &arm64Arch, inRSI, map[loc.Loc]bool{}); got != nil {
		t.Errorf("AArch64: buffer %v, want none", got)
	}
	void := newPlan(mustParse(t, "void f(long a0);"), 0, nil)
	if got := retBufPointer(void, &x86Arch, inRSI, map[loc.Loc]bool{}); got != nil {
		t.Errorf("void return: buffer %v, want none", got)
	}
}
