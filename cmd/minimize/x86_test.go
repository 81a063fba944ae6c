package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/shrink"
)

// x86ClassCase is one known x86-64 class on its target (pahole 1.24, which
// has no register check, so each reaches the trampoline).
type x86ClassCase struct {
	classCase
	kernel string
}

var x86ClassCases = []x86ClassCase{
	{kernel: "x86_64/v6.18", classCase: classCase{
		name: "NO_CLASS eightbyte before a long",
		core: "struct k1 { char a __attribute__((aligned(16))); };\nvoid f(struct k1 a0, long a1);\n",
		// psABI 1.0 §3.2.3: k1's second eightbyte is padding only
		// (NO_CLASS), so a0 takes rdi and a1 rsi, while the trampoline
		// gives a0 two registers by its size. a1 is needed: the
		// unpassed bytes of a0 alone are not compared. long → int → char
		// keeps a1 one INTEGER register; the member is already char,
		// and aligned(16) is what makes the record 16 bytes. Canonical
		// names: k1 → s1, a → m0.
		want:    "struct s1 { char m0 __attribute__((aligned(16))); };\nvoid f(struct s1 a0, char a1);\n",
		maxArgs: 2,
	}},
	{kernel: "x86_64/v6.18", classCase: classCase{
		name: "MEMORY class, packed record first",
		core: "struct k1 { char a; long b; } __attribute__((packed));\nvoid f(struct k1 a0, long a1);\n",
		// The packed record is MEMORY ("contains unaligned fields") and
		// on the stack, the trampoline reads it from rdi: a0 alone shows
		// the class, so a1 goes. long → int keeps b at offset 1 unaligned
		// (GCC: not a multiple of its mode size 4); int → char would
		// align it (INTEGER, rdi: no mismatch); dropping a or packed
		// aligns b too.
		want:    "struct s1 { char m0; int m1; } __attribute__((packed));\nvoid f(struct s1 a0);\n",
		maxArgs: 1,
	}},
	{kernel: "x86_64/v7.3", classCase: classCase{
		name: "__int128 16-byte stack alignment",
		core: "void f(long a0, long a1, long a2, long a3, long a4, long a5, long a6, __int128 a7);\n",
		// The psABI puts an __int128 in memory 16-aligned: after six
		// register eightbytes and one 8-byte stack argument it starts at
		// sp+16, where v7.3 (814cba835ef6: every slot counted) reads
		// sp+8. The shrinker merges adjacent longs into __int128s, which
		// take the same two registers each (System V has no even-pair
		// rule), so three fill rdi..r9; a6 becomes char (one 8-byte
		// slot). Fewer cannot: six registers need three arguments of at
		// most two eightbytes, then one odd slot, then the __int128.
		want:    "void f(__int128 a0, __int128 a1, __int128 a2, char a3, __int128 a4);\n",
		maxArgs: 5,
	}},
	{kernel: "x86_64/v6.18", classCase: classCase{
		name: "aligned record 16-byte stack alignment",
		core: "struct k1 { long y __attribute__((aligned(16))); long z; };\nvoid f(long a0, long a1, long a2, long a3, long a4, long a5, long a6, struct k1 a7);\n",
		// As the __int128 case, but on v6.18 an __int128 anywhere is the
		// "counted as one slot" class (nr_regs counts STRUCT_ARG only),
		// so the longs cannot merge: six chars fill rdi..r9, a6 takes
		// sp+0, and the record (INTEGER, then NO_CLASS once z is dropped
		// and y is char; 16-aligned, no register left) goes to sp+16;
		// the trampoline reads sp+8.
		want:    "struct s1 { char m0 __attribute__((aligned(16))); };\nvoid f(char a0, char a1, char a2, char a3, char a4, char a5, char a6, struct s1 a7);\n",
		maxArgs: 8,
	}},
	{kernel: "x86_64/v6.18", classCase: classCase{
		name: "__int128 counted as one slot",
		core: "void f(long a0, __int128 a1);\n",
		// nr_regs counts extra slots for STRUCT_ARG arguments only, so an
		// __int128 alone already has its second slot unsaved: a0 goes.
		want:    "void f(__int128 a0);\n",
		maxArgs: 1,
	}},
}

func (tc x86ClassCase) target(t testing.TB) check.Target {
	t.Helper()
	tg, err := check.ParseTarget(tc.kernel, "1.24")
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// TestMinimizeGoldenX86 shrinks each x86 class's core: the results are the
// texts reasoned out in x86ClassCases.
func TestMinimizeGoldenX86(t *testing.T) {
	for _, tc := range x86ClassCases {
		t.Run(tc.name, func(t *testing.T) { checkGolden(t, tc.classCase, tc.target(t)) })
	}
}

// x86SlotBudget is how many arguments a signature that starts with core
// can have on an x86 trampoline: nr_regs, the arguments plus one extra slot
// for each 9-16-byte argument the JIT counts (STRUCT_ARG ones; every one
// from 814cba835ef6, v7.3), may not exceed MAX_BPF_FUNC_ARGS = 12
// (473e3150e30a), so a 12-argument signature with such an argument is
// refused. The core's extra slots come off the 12.
func x86SlotBudget(core *ctype.Func) int {
	n := 12
	for _, p := range core.Params {
		n -= int(ctype.Sizeof(p.Type)+7)/8 - 1
	}
	return n
}

// TestMinimizeRandom12X86 is TestMinimizeRandom12 for the x86 classes:
// random cases at the trampoline's 12-slot limit (the core plus random
// kernel-profile arguments, x86SlotBudget of them in all) shrink
// 1-minimal, in the same class, to at most maxArgs arguments and at most
// one record of at most two members. The __int128-slot class is left out:
// its class names the argument of the first unsaved ctx slot, the last
// one, so arguments appended to a core change it (TestMinimizeGoldenX86
// covers its shrinking).
func TestMinimizeRandom12X86(t *testing.T) {
	for _, tc := range x86ClassCases {
		if strings.Contains(tc.name, "counted as one slot") {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			tg := tc.target(t)
			core := parse(t, tc.core)
			v, err := check.Run(core, tg)
			if err != nil || v.Kind != check.Mismatch {
				t.Fatalf("core %q: %v %+v", tc.core, err, v)
			}
			total := x86SlotBudget(core)
			for seed := uint64(1); seed <= 4; seed++ {
				fn := paddedTo(t, core, v.Class, tg, seed, total)
				c, err := minimizeCase(fn, tg, v.Class, shrink.Options{})
				if err != nil {
					t.Fatal(err)
				}
				got := ctype.Render(c.Func)
				if len(fn.Params) != total || !c.Origin.Complete || c.Verdict.Class != v.Class {
					t.Errorf("seed %d: %d arguments, complete %v, class %q", seed, len(fn.Params), c.Origin.Complete, c.Verdict.Class)
				}
				if n := len(c.Func.Params); n > tc.maxArgs {
					t.Errorf("seed %d: %s: %d arguments, want ≤ %d", seed, got, n, tc.maxArgs)
				}
				recs := ctype.Records(c.Func)
				if len(recs) > 1 || (len(recs) == 1 && len(recs[0].Members) > 2) {
					t.Errorf("seed %d: %s: want ≤ 1 record with ≤ 2 members", seed, got)
				}
			}
		})
	}
}

// TestRunX86: the command on an x86 C file writes an x86 report (System V
// README, native repro commands), and its case.json re-runs on the same
// x86 target.
func TestRunX86(t *testing.T) {
	out := t.TempDir()
	cfile := writeFile(t, "case.c", "void f(long a0, __int128 a1);\n")
	code, stdout, stderr := runCmd("-target", "x86_64/v6.18", "-pahole", "1.24", "-out", out, cfile)
	if code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	var dir string
	for _, l := range strings.Split(stdout, "\n") {
		if d, ok := strings.CutPrefix(l, "report: "); ok {
			dir = d
		}
	}
	if !strings.HasPrefix(filepath.Base(dir), "x86_64-v6.18-pahole-1.24-") {
		t.Fatalf("report dir %q\n%s", dir, stdout)
	}
	// The __int128-slot class: a lone __int128 shows it (x86ClassCases).
	if b, err := os.ReadFile(filepath.Join(dir, "case.c")); err != nil || string(b) != "void f(__int128 a0);\n" {
		t.Errorf("case.c = %q, %v", b, err)
	}
	readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"System V against the trampoline", "`rdi`", "gcc -O2 -static -o repro-gcc repro.c && ./repro-gcc"} {
		if !strings.Contains(string(readme), s) {
			t.Errorf("README lacks %q", s)
		}
	}
	if code, stdout, stderr := runCmd("-out", out, filepath.Join(dir, "case.json")); code != exitOK || !strings.Contains(stdout, "reproduces on x86_64/v6.18+pahole-1.24") {
		t.Errorf("case.json: exit %d\n%s%s", code, stdout, stderr)
	}
}

// BenchmarkShrinkX86 minimizes a random case of each x86 class at the
// 12-slot limit (seed 1) to 1-minimal.
func BenchmarkShrinkX86(b *testing.B) {
	for _, tc := range x86ClassCases {
		if strings.Contains(tc.name, "counted as one slot") {
			continue
		}
		b.Run(strings.NewReplacer(" ", "_", ",", "").Replace(tc.name), func(b *testing.B) {
			tg := tc.target(b)
			core := parse(b, tc.core)
			v, err := check.Run(core, tg)
			if err != nil {
				b.Fatal(err)
			}
			fn := paddedTo(b, core, v.Class, tg, 1, x86SlotBudget(core))
			same := func(cand *ctype.Func) bool {
				v2, err := check.Run(cand, tg)
				return err == nil && v2.Kind == check.Mismatch && v2.Class == v.Class
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				min, st, err := shrink.Minimize(fn, same, shrink.Options{})
				if err != nil || !st.Complete || len(min.Params) > tc.maxArgs {
					b.Fatalf("%v %+v %d", err, st, len(min.Params))
				}
				b.ReportMetric(float64(st.Tests), "checks/op")
				b.ReportMetric(float64(len(fn.Params)), "args-in")
				b.ReportMetric(float64(len(min.Params)), "args-out")
			}
		})
	}
}
