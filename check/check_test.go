package check

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
	"github.com/trampfuzz/trampfuzz/layout"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
	"github.com/trampfuzz/trampfuzz/pahole"
)

func mustParse(t *testing.T, src string) *ctype.Func {
	t.Helper()
	fn, err := ctype.Parse("test.c", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return fn
}

func target(t *testing.T, kernel, pv string) Target {
	t.Helper()
	tg, err := ParseTarget(kernel, pv)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func run(t *testing.T, src, kernel, pv string) *Verdict {
	t.Helper()
	v, err := Run(mustParse(t, src), target(t, kernel, pv))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// gprs is n bytes from x[first] on, 8 per register.
func gprs(first, n int) []loc.Loc {
	var out []loc.Loc
	for b := 0; b < n; b++ {
		out = append(out, loc.RegByte(loc.XReg(first+b/8), b%8))
	}
	return out
}

func stack(off, n int) []loc.Loc { return loc.Contiguous(loc.Stack(off), n) }

func sameLocs(a, b []loc.Loc) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The kernel's own selftest signatures (tools/testing/selftests/bpf
// test_kmods/bpf_testmod.c, kernel-jit.md §9) per version. The kernel's CI
// runs tracing_struct on arm64 from v6.17 (4a760d2d7aa6 removed it from
// DENYLIST.aarch64), so there the trampoline must agree with the ABI.
const (
	testmodTypes = `struct bpf_testmod_struct_arg_1 { int a; };
struct bpf_testmod_struct_arg_2 { long a; long b; };
struct bpf_testmod_struct_arg_4 { u64 a; int b; };
struct bpf_testmod_struct_arg_5 { char a; short b; int c; long d; };
union bpf_testmod_union_arg_1 { char a; short b; struct bpf_testmod_struct_arg_1 arg; };
union bpf_testmod_union_arg_2 { int a; long b; struct bpf_testmod_struct_arg_2 arg; };
`
	structArg1 = "int bpf_testmod_test_struct_arg_1(struct bpf_testmod_struct_arg_2 a, int b, int c);"
	structArg2 = "int bpf_testmod_test_struct_arg_2(int a, struct bpf_testmod_struct_arg_2 b, int c);"
	structArg3 = "int bpf_testmod_test_struct_arg_3(int a, int b, struct bpf_testmod_struct_arg_2 c);"
	structArg4 = "int bpf_testmod_test_struct_arg_4(struct bpf_testmod_struct_arg_1 a, int b, int c, int d, struct bpf_testmod_struct_arg_2 e);"
	structArg7 = "int bpf_testmod_test_struct_arg_7(u64 a, void *b, short c, int d, void *e, struct bpf_testmod_struct_arg_4 f);"
	structArg8 = "int bpf_testmod_test_struct_arg_8(u64 a, void *b, short c, int d, void *e, struct bpf_testmod_struct_arg_4 f, int g);"
	structArg9 = "int bpf_testmod_test_struct_arg_9(u64 a, void *b, short c, int d, void *e, char f, short g, struct bpf_testmod_struct_arg_5 h, long i);"
	unionArg1  = "int bpf_testmod_test_union_arg_1(union bpf_testmod_union_arg_1 a, int b, int c);"
	unionArg2  = "int bpf_testmod_test_union_arg_2(int a, union bpf_testmod_union_arg_2 b);"
	fentry11   = "int bpf_testmod_fentry_test11(u64 a, void *b, short c, int d, void *e, char f, int g, unsigned int h, long i, __u64 j, unsigned long k);"
	int128Arg  = "long bpf_testmod_test_int128_arg(__int128 a, int b, long c);"
)

func TestSelftestSignaturesPerVersion(t *testing.T) {
	structs := []string{structArg1, structArg2, structArg3, structArg4, structArg7, structArg8, structArg9}
	for _, p := range pahole.Versions() {
		for _, fn := range structs {
			name := fn[strings.Index(fn, "bpf_testmod"):strings.Index(fn, "(")]
			t.Run(string(p)+"/"+name, func(t *testing.T) {
				// v6.17+: every struct selftest attaches and agrees.
				for _, k := range []string{"arm64/v6.17", "arm64/v6.18", "arm64/v7.3"} {
					if v := run(t, testmodTypes+fn, k, string(p)); v.Kind != Agree {
						t.Errorf("%s: %s %v %s, want agree", k, v.Kind, v.Rejected, v.Class)
					}
				}
				// v6.1-v6.4 reject any struct argument (eb707dde264a).
				// Its nargs > 8 check comes first (struct_arg_9).
				want := layout.CauseJITStructArg
				if strings.Contains(fn, "struct_arg_9") {
					want = layout.CauseJITTooManyArgs
				}
				if v := run(t, testmodTypes+fn, "arm64/v6.3", string(p)); v.Kind != Rejected || v.Rejected.Cause != string(want) {
					t.Errorf("v6.3: %s %+v, want rejected by the JIT: %s", v.Kind, v.Rejected, want)
				}
			})
		}
	}
	// struct_arg_9's h is the 8th argument and needs 2 slots with 7 used:
	// it goes on the stack, which v6.16 refuses with -ENOTSUPP
	// (9014cf56f13d) and v6.17 accepts (dc704d0cfa43).
	v := run(t, testmodTypes+structArg9, "arm64/v6.16", "1.24")
	if v.Kind != Rejected || v.Rejected.Cause != string(layout.CauseJITStructStack) || v.Rejected.Errno != -524 {
		t.Errorf("struct_arg_9 on v6.16: %+v %+v, want -ENOTSUPP (-524) from the JIT", v.Kind, v.Rejected)
	}
	v = run(t, testmodTypes+structArg9, "arm64/v6.17", "1.24")
	if h := v.JIT.Args[7].Bytes; !sameLocs(h, stack(0, 16)) {
		t.Errorf("struct_arg_9 h on v6.17: %v, want sp+0-15 (kernel-jit.md §4)", loc.Runs(h))
	}
	if i := v.JIT.Args[8].Bytes; !sameLocs(i, stack(16, 8)) {
		t.Errorf("struct_arg_9 i on v6.17: %v, want sp+16-23", loc.Runs(i))
	}
	// ≤ v6.15 counts slots (90564f1e3dd6): struct_arg_9 needs 10 > 8.
	if v := run(t, testmodTypes+structArg9, "arm64/v6.10", "1.24"); v.Kind != Rejected || v.Rejected.Cause != string(layout.CauseJITTooManyRegs) {
		t.Errorf("struct_arg_9 on v6.10: %s %+v, want rejected by the JIT for its registers", v.Kind, v.Rejected)
	}
	// fentry_test11 has 11 scalar args: on the stack from v6.16 (149ead9d7e3d
	// took fentry_many_args off the arm64 deny list), > 8 before.
	if v := run(t, fentry11, "arm64/v6.16", "1.24"); v.Kind != Agree {
		t.Errorf("fentry_test11 on v6.16: %s, want agree", v.Kind)
	}
	if v := run(t, fentry11, "arm64/v6.15", "1.24"); v.Kind != Rejected || v.Rejected.Cause != string(layout.CauseJITTooManyRegs) {
		t.Errorf("fentry_test11 on v6.15: %s %+v, want rejected by the JIT for its argument registers", v.Kind, v.Rejected)
	}
	// Unions reach the trampoline from v6.18 (ccb4f5d91ec4); before, Distill
	// refuses them with the kernel's message.
	for _, fn := range []string{unionArg1, unionArg2} {
		v := run(t, testmodTypes+fn, "arm64/v6.17", "1.24")
		if v.Kind != Rejected || v.Rejected.Cause != string(layout.CauseArgType) || !strings.Contains(v.Rejected.Reason, "type UNION is unsupported") {
			t.Errorf("%s on v6.17: %+v, want Distill's 'type UNION is unsupported'", fn, v.Rejected)
		}
		if v := run(t, testmodTypes+fn, "arm64/v6.18", "1.24"); v.Kind != Agree {
			t.Errorf("%s on v6.18: %s %s, want agree", fn, v.Kind, v.Class)
		}
	}
	// The 2026 int128 selftest puts the __int128 first so that it starts in
	// an even register: every trampoline from v6.16 agrees (ctx[0..1] = x0:x1,
	// b = ctx[2], c = ctx[3]; tracing_struct_int128.c).
	if v := run(t, int128Arg, "arm64/v6.16", "1.24"); v.Kind != Agree {
		t.Errorf("int128_arg on v6.16: %s %s, want agree", v.Kind, v.Class)
	}
}

// Each known class on a small case, with both placements written from the
// ABI text (aapcs64.md) and the kernel code (kernel-jit.md §3).
func TestKnownClassGoldens(t *testing.T) {
	tests := []struct {
		name, src, kernel, pahole string
		arg                       int
		abi, jit                  []loc.Loc
		problem                   string
	}{
		{
			// C.10: NGRN 1 is rounded to 2, so x2:x3. calc_arg_aux: nregs 1 → x1:x2.
			name: "even pair, __int128", src: "void f(int a0, __int128 a1);", kernel: "arm64/v6.17", pahole: "1.24",
			arg: 1, abi: gprs(2, 16), jit: gprs(1, 16),
			problem: "AAPCS64 2025Q4 C.10 even pair not applied, __int128 scalar in registers",
		},
		{
			// pahole 1.31 encodes it too: its register check reads only
			// single-register DWARF locations.
			name: "even pair, __int128, pahole 1.31", src: "void f(int a0, __int128 a1);", kernel: "arm64/v7.3", pahole: "1.31",
			arg: 1, abi: gprs(2, 16), jit: gprs(1, 16),
			problem: "AAPCS64 2025Q4 C.10 even pair not applied, __int128 scalar in registers",
		},
		{
			// Member aligned(16): natural alignment 16 (§3), B.6, C.10 → x2:x3;
			// BTF shows a 16-byte struct → x1:x2 (struct args from 90564f1e3dd6).
			name: "member aligned(16) after an int", kernel: "arm64/v6.5", pahole: "head",
			src: "struct s1 { long m0 __attribute__((aligned(16))); };\nvoid f(int a0, struct s1 a1);",
			arg: 1, abi: gprs(2, 16), jit: gprs(1, 16),
			problem: "AAPCS64 2025Q4 C.10 even pair not applied, 16-byte-aligned struct in registers",
		},
		{
			// Eight longs fill x0-x7; the int takes [sp+0] (C.16: 8 bytes);
			// C.14 rounds NSAA 8 → 16. The JIT packs: [sp+8].
			name: "16-byte-aligned struct on the stack", kernel: "arm64/v6.17", pahole: "1.31",
			src: "struct s1 { long m0 __attribute__((aligned(16))); long m1; };\n" +
				"void f(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7, int a8, struct s1 a9);",
			arg: 9, abi: stack(16, 16), jit: stack(8, 16),
			problem: "AAPCS64 2025Q4 C.14 16-byte stack alignment not applied, 16-byte-aligned struct on the stack",
		},
		{
			// Nine longs: [sp+0] for the 9th, __int128 at C.14-rounded [sp+16]; JIT [sp+8].
			name: "__int128 on the stack", kernel: "arm64/v6.16", pahole: "1.24",
			src: "void f(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7, long a8, __int128 a9);",
			arg: 9, abi: stack(16, 16), jit: stack(8, 16),
			problem: "AAPCS64 2025Q4 C.14 16-byte stack alignment not applied, __int128 scalar on the stack",
		},
		{
			// HFA of three floats: C.2 → v0, v1, v2 bytes 0-3 each; the JIT reads x0:x1.
			name: "HFA before an int", kernel: "arm64/v6.17", pahole: "1.24",
			src: "struct s1 { float m0; float m1; float m2; };\nvoid f(struct s1 a0, int a1);",
			arg: 0,
			abi: append(append(loc.Contiguous(loc.RegByte(loc.VReg(0), 0), 4), loc.Contiguous(loc.RegByte(loc.VReg(1), 0), 4)...),
				loc.Contiguous(loc.RegByte(loc.VReg(2), 0), 4)...),
			jit:     gprs(0, 12),
			problem: "AAPCS64 2025Q4 C.2 HFA not passed in FP/SIMD registers, HFA struct in registers",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := run(t, tc.src, tc.kernel, tc.pahole)
			if v.Kind != Mismatch {
				t.Fatalf("verdict %s (%+v), want mismatch", v.Kind, v.Rejected)
			}
			if v.Problem != tc.problem {
				t.Errorf("problem\n  %s\nwant\n  %s", v.Problem, tc.problem)
			}
			m := v.Mismatches[0]
			if m.Index != tc.arg {
				t.Fatalf("first mismatching argument %d, want %d", m.Index, tc.arg)
			}
			if !sameLocs(m.ABI, tc.abi) {
				t.Errorf("abi %v, want %v", loc.Runs(m.ABI), loc.Runs(tc.abi))
			}
			if !sameLocs(m.JIT, tc.jit) {
				t.Errorf("jit %v, want %v", loc.Runs(m.JIT), loc.Runs(tc.jit))
			}
			if v.Known == nil {
				t.Errorf("class %q is not in known_classes.yaml", v.Class)
			}
		})
	}
}

// Where pahole skips: the HFA's first member is in v0, not x0, so the
// head's register check (dd77520) drops the function; 1.24 has no check.
func TestPaholeSkipsPerVersion(t *testing.T) {
	src := "struct s1 { float m0; float m1; };\nvoid f(struct s1 a0, int a1);"
	if v := run(t, src, "arm64/v6.17", "head"); v.Kind != Rejected || v.Rejected.Cause != "pahole.unexpected_register" {
		t.Errorf("head: %s %+v, want rejected by pahole's register check", v.Kind, v.Rejected)
	}
	if v := run(t, src, "arm64/v6.17", "1.24"); v.Kind != Mismatch {
		t.Errorf("1.24: %s, want mismatch", v.Kind)
	}
	// A packed struct at parameter index ≥ 8 is what 1.31's filter (4a1f0c9)
	// looks for.
	packed := "struct s1 { char m0; int m1; } __attribute__((packed));\n" +
		"void f(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7, struct s1 a8);"
	if v := run(t, packed, "arm64/v6.17", "1.31"); v.Kind != Rejected || v.Rejected.Stage != StagePahole ||
		!strings.Contains(v.Rejected.Reason, "uncertain parameter location") {
		t.Errorf("1.31 packed on stack: %s %+v, want pahole's uncertain parameter location", v.Kind, v.Rejected)
	}
	if v := run(t, packed, "arm64/v6.17", "1.24"); v.Kind == Rejected {
		t.Errorf("1.24 packed on stack: rejected (%+v), want encoded", v.Rejected)
	}
}

// The BTF ambiguity: a member's aligned(16) and the record's aligned(16)
// give byte-identical BTF but different ABI placements (aapcs64.md §3), so
// no kernel model can place both right.
func TestBTFAmbiguity(t *testing.T) {
	member := mustParse(t, "struct s1 { long a __attribute__((aligned(16))); };\nvoid f(long a0, struct s1 a1);")
	record := mustParse(t, "struct s1 { long a; } __attribute__((aligned(16)));\nvoid f(long a0, struct s1 a1);")
	var raws [][]byte
	var abis []loc.Placement
	for _, fn := range []*ctype.Func{member, record} {
		abi, err := oracle.AAPCS64.Default().Place(fn)
		if err != nil {
			t.Fatal(err)
		}
		bfn, skip, err := pahole.Encode(fn, pahole.V1_24, abi)
		if err != nil || skip != nil {
			t.Fatalf("encode: %v %v", err, skip)
		}
		raw, err := pahole.Marshal(bfn)
		if err != nil {
			t.Fatal(err)
		}
		raws, abis = append(raws, raw), append(abis, abi)
	}
	if !bytes.Equal(raws[0], raws[1]) {
		t.Fatal("the two spellings give different BTF; the ambiguity this test documents is gone")
	}
	// aapcs64.md §3: member aligned(16) → x2:x3; record aligned(16) → x1:x2.
	if !sameLocs(abis[0].Args[1].Bytes, gprs(2, 16)) || !sameLocs(abis[1].Args[1].Bytes, gprs(1, 16)) {
		t.Fatalf("ABI placements %v and %v, want x2:x3 and x1:x2", loc.Runs(abis[0].Args[1].Bytes), loc.Runs(abis[1].Args[1].Bytes))
	}
	for _, tg := range Targets() {
		vm, err := Run(member, tg)
		if err != nil {
			t.Fatal(err)
		}
		vr, err := Run(record, tg)
		if err != nil {
			t.Fatal(err)
		}
		// On x86-64 System V counts the record's own alignment too, so
		// both spellings are placed alike there: nothing is ambiguous.
		if vm.Kind == Agree && vr.Kind == Agree && !equalPlacement(*vm.ABI, *vr.ABI) {
			t.Errorf("%s agrees on both spellings, impossible from identical BTF", tg)
		}
	}
}

func TestClassKeyIgnoresNamesCountsAndUnrelatedArgs(t *testing.T) {
	base := run(t, "void f(int a0, __int128 a1);", "arm64/v6.17", "1.24")
	variants := []string{
		"void g(unsigned char x, __int128 y);",
		"struct unrelated { int q; };\nlong h(short p, unsigned __int128 r, long z, struct unrelated u);",
		"void f(long a0, long a1, int a2, __int128 a3, long a4);",
	}
	for _, src := range variants {
		if v := run(t, src, "arm64/v6.17", "1.24"); v.Class != base.Class {
			t.Errorf("%s\nclass %q, want %q", src, v.Class, base.Class)
		}
	}
	// Every version of one behaviour names the same class: v6.18 (unions,
	// ccb4f5d91ec4) up to v7.2.
	a := run(t, "void f(int a0, __int128 a1);", "arm64/v6.19", "1.24")
	b := run(t, "void f(int a0, __int128 a1);", "arm64/v7.2", "1.24")
	if a.Class != b.Class || !strings.HasPrefix(a.Class, "arm64/v6.18+") {
		t.Errorf("v6.19 class %q and v7.2 class %q, want the same arm64/v6.18 class", a.Class, b.Class)
	}
}

func TestTargets(t *testing.T) {
	seen := map[string]bool{}
	for _, tg := range Targets() {
		if seen[tg.String()] {
			t.Errorf("duplicate target %s", tg)
		}
		seen[tg.String()] = true
	}
	for _, want := range []string{"arm64/v6.0+pahole-1.24", "arm64/v6.18+pahole-1.31", "arm64/v7.3+pahole-head", "arm64/place-args+pahole-head"} {
		if !seen[want] {
			t.Errorf("Targets() lacks %s", want)
		}
	}
	if d := Default().String(); d != "arm64/v7.3+pahole-head" {
		t.Errorf("Default() = %s, want the newest kernel and pahole", d)
	}
	for _, bad := range [][2]string{{"arm64/v5.19", ""}, {"x86/v6.17", ""}, {"v6.17", ""}, {"arm64/v6.17", "1.99"}} {
		if _, err := ParseTarget(bad[0], bad[1]); err == nil {
			t.Errorf("ParseTarget(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestKnownClassesParse(t *testing.T) {
	k := Known()
	if len(k.Classes) == 0 {
		t.Fatal("no known classes")
	}
	for _, c := range k.Classes {
		if strings.Contains(c.Problem, "HFA") && c.Reachable {
			t.Errorf("%q needs floating point but is marked reachable", c.Problem)
		}
	}
	for _, bad := range []string{"classes: [{problem: x}]", "classes: [{problem: 'a[b', targets: [x], explanation: y}]", "nonsense: 1"} {
		if _, err := ParseKnown([]byte(bad)); err == nil {
			t.Errorf("ParseKnown(%q) accepted", bad)
		}
	}
	if !match("a*c*e", "abcde") || match("a*c*e", "abcdf") || !match("x*", "x") || match("ab", "abc") {
		t.Error("match is wrong")
	}
}

func TestRunRejectsInvalidInput(t *testing.T) {
	bad := &ctype.Func{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "a", Type: &ctype.Array{Elem: ctype.TVoid, Len: 2}}}}
	if _, err := Run(bad, Default()); err == nil {
		t.Fatal("Run accepted an invalid signature")
	}
}

func Example() {
	fn, _ := ctype.Parse("ex.c", []byte("void f(int a0, __int128 a1);"))
	t, _ := ParseTarget("arm64/v6.17", "1.24")
	v, _ := Run(fn, t)
	fmt.Println(v.Kind)
	fmt.Println(v.Class)
	// Output:
	// mismatch
	// arm64/v6.17+pahole-1.24: AAPCS64 2025Q4 C.10 even pair not applied, __int128 scalar in registers
}

func equalPlacement(a, b loc.Placement) bool {
	if len(a.Args) != len(b.Args) {
		return false
	}
	for i := range a.Args {
		if !sameLocs(a.Args[i].Bytes, b.Args[i].Bytes) {
			return false
		}
	}
	return true
}

// Reachable is false exactly when an argument holds a floating-point
// value by value, at any depth: arm64 kernels are built with
// -mgeneral-regs-only and never pass one.
func TestReachableFloatByValue(t *testing.T) {
	for _, tc := range []struct {
		src       string
		reachable bool
	}{
		{"void f(int a, long b);", true},
		{"void f(float *a);", true}, // a pointer is an integer
		{"void f(double a);", false},
		{"struct s { int x[2]; char c; };\nvoid f(struct s a);", true},
		{"typedef double d;\nstruct in { d v[2]; };\nstruct s { int x; struct in i; };\nvoid f(long a, struct s b);", false},
		// One record reached twice, a float only in the second argument.
		{"struct in { int x; };\nstruct s { struct in a, b; };\nvoid f(struct s a, struct in b, long double c);", false},
		{"struct in { int x; };\nstruct s { struct in a, b; };\nvoid f(struct s a, struct in b);", true},
	} {
		fn, err := ctype.Parse("t.c", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		v, err := Run(fn, Default())
		if err != nil {
			t.Fatal(err)
		}
		if v.Reachable != tc.reachable {
			t.Errorf("%s: Reachable = %v, want %v", tc.src, v.Reachable, tc.reachable)
		}
	}
}

// An HFA reaches the stack only when it does not fit the v registers left
// (AAPCS64 2025Q4 C.3: NSRN + members > 8), so at least five v registers
// hold earlier arguments. A float scalar argument makes
// btf_distill_func_proto refuse the function, and every trampoline reads
// an earlier HFA from x registers (C.2), so the root cause of any
// mismatch with a stacked HFA is an earlier HFA: "HFA on the stack" is
// never a class of its own, though the stacked HFA is misread too. (v6.16
// refuses a struct on the stack; earlier versions refuse more.)
func TestStackedHFAIsNeverTheRootCause(t *testing.T) {
	src := "struct pair { double a, b; };\nstruct one { double a; };\nstruct quad { long double a; };\n" +
		"void f(struct pair a0, struct pair a1, struct pair a2, struct pair a3, struct one a4, struct quad a5);"
	fn, err := ctype.Parse("t.c", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, kernel := range []string{"arm64/v6.17", "arm64/v6.18", "arm64/v7.3", "arm64/place-args"} {
		tg, err := ParseTarget(kernel, "1.24")
		if err != nil {
			t.Fatal(err)
		}
		v, err := Run(fn, tg)
		if err != nil {
			t.Fatal(err)
		}
		if v.Kind != Mismatch {
			t.Fatalf("%s: %s, want a mismatch", kernel, v.Kind)
		}
		if want := "AAPCS64 2025Q4 C.2 HFA not passed in FP/SIMD registers, HFA struct in registers"; v.Problem != want {
			t.Errorf("%s: problem %q, want %q", kernel, v.Problem, want)
		}
		if kernel == "arm64/place-args" {
			continue // it 16-aligns a5 (its long double member is 16-aligned in BTF)
		}
		stacked := false
		for _, m := range v.Mismatches {
			stacked = stacked || m.Index == 5
		}
		if !stacked {
			t.Errorf("%s: the stacked long double HFA (a5 at sp+16, C.4) is not among the mismatches %+v", kernel, v.Mismatches)
		}
	}
}

// TestX86CorruptTrampoline: v6.3's save_regs stores a struct argument
// register by register with emit_stx(bytes_to_bpf_size(size)); for a
// 3-byte struct that size is -EINVAL and emit_stx emits no opcode, so the
// trampoline's code is broken (layout/kernels.go, fixed by 473e3150e30a).
// From v6.6 the store is 8 bytes wide and the struct is read right.
func TestX86CorruptTrampoline(t *testing.T) {
	fn := mustParse(t, "struct s { char a, b, c; };\nvoid f(struct s a);\n")
	v, err := Run(fn, target(t, "x86_64/v6.3", "1.24"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind != Mismatch || v.Rule != RuleX86Corrupt {
		t.Errorf("v6.3: %s, rule %q; want a mismatch by %q", v.Kind, v.Rule, RuleX86Corrupt)
	}
	if v, err := Run(fn, target(t, "x86_64/v6.6", "1.24")); err != nil || v.Kind != Agree {
		t.Errorf("v6.6: %v, %v; want agree", v.Kind, err)
	}
}

// Every known class's witnesses show that class on at least one of its
// targets (each modelled behaviour, stable rows included, tracing and
// struct_ops, every pahole), so that kernel truth runs signatures that
// really exercise the class.
func TestWitnessesShowTheirClass(t *testing.T) {
	var targets []Target
	for _, tg := range Targets() {
		targets = append(targets, tg)
		tg.StructOps = true
		targets = append(targets, tg)
	}
	for _, ver := range []string{"x86_64/v6.1.72", "x86_64/v6.1.191", "x86_64/v6.12.110"} {
		tg, err := ParseTarget(ver, "1.24")
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, tg)
	}
	k := Known()
	for i := range k.Classes {
		c := &k.Classes[i]
		if len(c.Witnesses) == 0 {
			t.Errorf("%q has no witness", c.Problem)
		}
		for _, w := range c.Witnesses {
			fn, err := ctype.Parse("witness.c", []byte(w))
			if err != nil {
				t.Errorf("%q: witness does not parse: %v", c.Problem, err)
				continue
			}
			shown := 0
			for _, tg := range targets {
				v, err := Run(fn, tg)
				if err != nil {
					t.Fatalf("%q on %s: %v", c.Problem, tg, err)
				}
				if v.Known == c {
					shown++
				}
			}
			if shown == 0 {
				t.Errorf("%q: witness shows the class on no target:\n%s", c.Problem, w)
			}
		}
	}
}

// The recorded real-kernel results name known classes and their own
// witnesses, and say "confirmed" only where the kernel's model predicts
// that class for the witness (a confirmation of something the model does
// not claim would be meaningless).
func TestConfirmationsMatchTheModels(t *testing.T) {
	for _, cf := range Confirmations() {
		var c *KnownClass
		for i := range Known().Classes {
			if Known().Classes[i].Problem == cf.Problem {
				c = &Known().Classes[i]
			}
		}
		if c == nil {
			t.Errorf("confirmation of an unknown class %q", cf.Problem)
			continue
		}
		if !slices.Contains(c.Witnesses, cf.Witness) {
			t.Errorf("%q on %s: %q is not one of the class's witnesses", cf.Problem, cf.Kernel, cf.Witness)
		}
		kernel, pahole, _ := strings.Cut(cf.Target, "+pahole-")
		tg, err := ParseTarget(kernel, pahole)
		if err != nil {
			t.Errorf("%q on %s: target %q: %v", cf.Problem, cf.Kernel, cf.Target, err)
			continue
		}
		fn, err := ctype.Parse("witness.c", []byte(cf.Witness))
		if err != nil {
			t.Fatal(err)
		}
		v, err := Run(fn, tg)
		if err != nil {
			t.Fatal(err)
		}
		predicted := v.Known == c
		switch cf.Result {
		case ConfirmedOnKernel, NotReproduced:
			if !predicted {
				t.Errorf("%q on %s: recorded %s, but %s does not predict the class (%s %s)", cf.Problem, cf.Kernel, cf.Result, cf.Target, v.Kind, v.Class)
			}
			if cf.Result == ConfirmedOnKernel && cf.Saw == "" {
				t.Errorf("%q on %s: confirmed without saying what BPF saw", cf.Problem, cf.Kernel)
			}
		case NotReachable:
			if cf.Why == "" {
				t.Errorf("%q on %s: not reachable without a reason", cf.Problem, cf.Kernel)
			}
		default:
			t.Errorf("%q on %s: result %q", cf.Problem, cf.Kernel, cf.Result)
		}
	}
}

// Every modelled target, struct_ops included, is found again by its name;
// a name that is not a target's canonical name is an error.
func TestTargetNamedRoundTrip(t *testing.T) {
	for _, tg := range Targets() {
		for _, so := range []bool{false, true} {
			tg.StructOps = so
			got, err := TargetNamed(tg.String())
			if err != nil {
				t.Fatalf("TargetNamed(%q): %v", tg.String(), err)
			}
			if got.String() != tg.String() || got.Kernel.Name != tg.Kernel.Name {
				t.Errorf("TargetNamed(%q) = %q (kernel %s)", tg.String(), got.String(), got.Kernel.Name)
			}
		}
	}
	for _, bad := range []string{"", "arm64/v6.17", "arm64/v6.17+pahole-9.9", "arm64/v6.17+pahole-1.24+fast", "mips/v6.17+pahole-1.24", "aarch64/v6.17+pahole-1.24", "arm64/v6.17+pahole-1.24+abi-nonesuch"} {
		if _, err := TargetNamed(bad); !errors.Is(err, ErrTarget) {
			t.Errorf("TargetNamed(%q): err = %v, want ErrTarget", bad, err)
		}
	}
}

// Every rejection names its cause with a code of its stage
// ("jit.too_many_regs" for the JIT), on random signatures and every target.
func TestRejectionsHaveCauses(t *testing.T) {
	g := gen.Func(gen.Kernel)
	seen := map[string]bool{}
	for i := 0; i < 300; i++ {
		fn := g.Example(i)
		for _, tg := range Targets() {
			v, err := Run(fn, tg)
			if err != nil || v.Kind != Rejected {
				continue
			}
			if !strings.HasPrefix(v.Rejected.Cause, v.Rejected.Stage+".") {
				t.Fatalf("%s on %s: cause %q for stage %s (%s)", fn.Name, tg, v.Rejected.Cause, v.Rejected.Stage, v.Rejected.Reason)
			}
			seen[v.Rejected.Stage] = true
		}
	}
	for _, stage := range []string{StagePahole, StageDistill, StageJIT} {
		if !seen[stage] {
			t.Errorf("no rejection by %s among the signatures: the test checks nothing there", stage)
		}
	}
}

// A target holds its architecture's real ABI: an x86-64 target checked by
// sysv/clang14 is a target of its own, named with "+abi-clang14", and its
// verdict places by clang 14's reading. The expected bytes are
// llvm-project#59011's: for f(u64 ×5, u128 t) clang reads the low half of
// t from r9 and the high half from the stack, gcc both from the stack
// (psABI 1.0 §3.2.3: no registers left for both eightbytes, so all of it on
// the stack, 16-aligned).
func TestTargetWithClangVariant(t *testing.T) {
	base, err := ParseTarget("x86_64/v6.18", "1.31")
	if err != nil {
		t.Fatal(err)
	}
	clang, err := base.WithABI("clang14")
	if err != nil {
		t.Fatal(err)
	}
	if clang.ABI.Name != "sysv/clang14" || clang.String() != base.String()+"+abi-clang14" {
		t.Fatalf("target %s with ABI %s", clang, clang.ABI)
	}
	if got, err := TargetNamed(clang.String()); err != nil || got.ABI.Name != "sysv/clang14" {
		t.Errorf("TargetNamed(%q) = %s (ABI %s), %v", clang, got, got.ABI, err)
	}
	fn, err := ctype.Parse("f.c", []byte("long f(long a0, long a1, long a2, long a3, long a4, unsigned __int128 t);"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		target Target
		want   string
	}{
		{base, "sp+0-15"},
		{clang, "r9.0-7 sp+0-7"},
	} {
		v, err := Run(fn, tc.target)
		if err != nil {
			t.Fatal(err)
		}
		if v.ABI == nil || len(v.ABI.Args) != 6 || fmt.Sprint(loc.Runs(v.ABI.Args[5].Bytes)) != "["+tc.want+"]" {
			t.Errorf("%s: placement %v, want t at %s", tc.target, v.ABI, tc.want)
		}
	}
	for _, bad := range []string{"aapcs64/gcc12", "gcc12", "nonesuch"} {
		if _, err := base.WithABI(bad); !errors.Is(err, ErrTarget) {
			t.Errorf("x86_64 target WithABI(%q): %v, want ErrTarget", bad, err)
		}
	}
	if _, err := Run(fn, Target{Kernel: base.Kernel, Pahole: base.Pahole, ABI: oracle.AAPCS64.Default()}); err == nil {
		t.Error("an x86-64 kernel was checked by AAPCS64")
	}
}
