package report

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/layout"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
	"github.com/trampfuzz/trampfuzz/toolchain"
)

func parse(t testing.TB, src string) *ctype.Func {
	t.Helper()
	fn, err := ctype.Parse("test.c", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return fn
}

// target is arm64 v6.18 with pahole 1.24: structs on the stack are
// accepted (dc704d0cfa43), union arguments too (ccb4f5d91ec4), and pahole
// has no register check, so every case below reaches the trampoline.
func target(t testing.TB) check.Target {
	t.Helper()
	tg, err := check.ParseTarget("arm64/v6.18", "1.24")
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func newCase(t testing.TB, src string) *Case {
	t.Helper()
	c, err := New(parse(t, src), target(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// classCases are the minimized signatures of the known arm64 classes
// (cmd/minimize's golden tests), plus one with every scalar kind the
// repro's patterns must handle (_Bool, enum, bit-field, pointer, union).
var classCases = []string{
	"void f(char a0, __int128 a1);\n",
	"struct s1 { char m0 __attribute__((aligned(16))); };\nvoid f(char a0, struct s1 a1);\n",
	"void f(char a0, char a1, char a2, char a3, char a4, char a5, char a6, char a7, char a8, __int128 a9);\n",
	"struct s1 { char m0 __attribute__((aligned(16))); };\nvoid f(char a0, char a1, char a2, char a3, char a4, char a5, char a6, char a7, char a8, struct s1 a9);\n",
	"struct s1 { float m0; };\nvoid f(struct s1 a0);\n",
	"enum e1 { E1_A = 0, E1_B = 5 };\nstruct s1 { unsigned char m0 : 3; _Bool m1; short m2; };\nunion u1 { int m0; short m1; };\n" +
		"void f(_Bool a0, enum e1 a1, struct s1 a2, void *a3, union u1 a4, __int128 a5, _Bool a6, _Bool a7);\n",
}

// TestParaphrases: every rule the oracle and check can name has a
// paraphrase for the README.
func TestParaphrases(t *testing.T) {
	rules := []string{oracle.RuleB3, oracle.RuleB4, oracle.RuleB5, oracle.RuleB6, oracle.RuleC1, oracle.RuleC2,
		oracle.RuleC3, oracle.RuleC4, oracle.RuleC5, oracle.RuleC6, oracle.RuleC9, oracle.RuleC10, oracle.RuleC11,
		oracle.RuleC12, oracle.RuleC13, oracle.RuleC14, oracle.RuleC15, oracle.RuleC16, oracle.RuleC17,
		oracle.RuleEmptyRecord, oracle.RuleClangEmptyRecord, oracle.RuleClangLongDoubleHFA, oracle.RuleClangZeroWidth,
		oracle.RuleGCCPair, oracle.RuleGCC12PackedBitfield, check.RuleStructOpsBase, check.RuleOther,
		// System V (oracle/sysv.go) and the x86 kernel-side causes.
		oracle.RuleSysVInteger, oracle.RuleSysVSSE, oracle.RuleSysVX87, oracle.RuleSysVInt128,
		oracle.RuleSysVEightbytes, oracle.RuleSysVLarge, oracle.RuleSysVUnaligned, oracle.RuleSysVMergeMemory,
		oracle.RuleSysVX87UP, oracle.RuleSysVTwoEightbyte, oracle.RuleSysVNoClass, oracle.RuleSysVEmpty,
		oracle.RuleSysVPassMemory, oracle.RuleSysVPassX87, oracle.RuleSysVPassInteger, oracle.RuleSysVPassSSE,
		oracle.RuleSysVNoRegisters, oracle.RuleSysVStack, oracle.RuleSysVInt128Stack, oracle.RuleSysVReturnRDI,
		oracle.RuleGCCModeAlign, oracle.RuleClangTypeAlign, oracle.RuleGCCUnnamedBitfield, oracle.RuleClangUnnamedBitfield,
		oracle.RuleGCCEmpty, oracle.RuleClangEmptyMemory, oracle.RuleLLVMFrontendR9, oracle.RuleLLVMInt128Split,
		oracle.RuleLLVMInt128Align8, oracle.RuleLLVMInt128HoldsR9,
		check.RuleNotSaved, check.RuleInt128OneSlot,
		check.RuleX86NoClass, check.RuleX86Int128Slot, check.RuleX86Corrupt, check.RuleX86StructOpsBase, check.RuleX86NotSaved}
	for _, r := range rules {
		p, ok := Paraphrase(r)
		if !ok || p == "" {
			t.Errorf("no paraphrase for %q", r)
		}
		if id := ruleID(r); (strings.HasPrefix(r, "AAPCS64") || strings.HasPrefix(r, "SysV "+oracle.SysVRelease)) && !strings.HasPrefix(p, id+": ") {
			t.Errorf("paraphrase of %s does not start with its id: %q", r, p)
		}
	}
}

// TestDiagram: f(int, __int128) with the placements written from the rule
// text, not from the oracle. AAPCS64 2025Q4: a0 in w0 (C.9); a1 is
// 16-aligned, so C.10 rounds NGRN 1 → 2 and C.11 gives x2:x3. The v6.17
// trampoline (kernel-jit.md §3.2, calc_arg_aux at 9014cf56f13d): one slot
// for a0, the next two slots x1, x2 for a1.
func TestDiagram(t *testing.T) {
	arg := func(i int, typ string, size int, locs ...loc.Loc) loc.Arg {
		var b []loc.Loc
		for _, l := range locs {
			n := min(size-len(b), 8)
			b = append(b, loc.Contiguous(l, n)...)
		}
		return loc.Arg{Index: i, Name: "a" + strconv.Itoa(i), Type: typ, Size: size, Bytes: b}
	}
	x := func(n int) loc.Loc { return loc.RegByte(loc.XReg(n), 0) }
	abi := loc.Placement{Func: "f", Args: []loc.Arg{arg(0, "int", 4, x(0)), arg(1, "__int128", 16, x(2), x(3))}}
	jit := loc.Placement{Func: "f", Args: []loc.Arg{arg(0, "int", 4, x(0)), arg(1, "__int128", 16, x(1), x(2))}}
	want := `| location | AAPCS64: the caller put there | trampoline: reads it as | |
| --- | --- | --- | --- |
| ` + "`x0`" + ` | a0.0-3 | a0.0-3 |  |
| ` + "`x1`" + ` | — | a1.0-7 | **differs** |
| ` + "`x2`" + ` | a1.0-7 | a1.8-15 | **differs** |
| ` + "`x3`" + ` | a1.8-15 | — | **differs** |
| ` + "`x4`" + ` | — | — |  |
| ` + "`x5`" + ` | — | — |  |
| ` + "`x6`" + ` | — | — |  |
| ` + "`x7`" + ` | — | — |  |
| ` + "`v0`–`v7`" + ` | — | — | |
`
	if got := Diagram(layout.ArchARM64, abi, jit); got != want {
		t.Errorf("-want\n%s\n+got\n%s", want, got)
	}

	// Stack rows and a piece that does not start at byte 0: f(long×8,
	// int, __int128) places a8 at sp+0 (C.16) and a9 at sp+16 (C.14);
	// the trampoline reads a9 from sp+8 (packed at 8, kernel-jit.md §3.2).
	var args, jargs []loc.Arg
	for i := 0; i < 8; i++ {
		args = append(args, arg(i, "long", 8, x(i)))
	}
	jargs = append(jargs, args...)
	args = append(args, arg(8, "int", 4, loc.Stack(0)), arg(9, "__int128", 16, loc.Stack(16), loc.Stack(24)))
	jargs = append(jargs, arg(8, "int", 4, loc.Stack(0)), arg(9, "__int128", 16, loc.Stack(8), loc.Stack(16)))
	got := Diagram(layout.ArchARM64, loc.Placement{Func: "f", Args: args}, loc.Placement{Func: "f", Args: jargs})
	for _, row := range []string{
		"| `sp+0` | a8.0-3 | a8.0-3 |  |",
		"| `sp+8` | — | a9.0-7 | **differs** |",
		"| `sp+16` | a9.0-7 | a9.8-15 | **differs** |",
		"| `sp+24` | a9.8-15 | — | **differs** |",
	} {
		if !strings.Contains(got, row+"\n") {
			t.Errorf("diagram lacks %q:\n%s", row, got)
		}
	}
	// Two arguments in one slot: a piece at byte 4 carries its range.
	two := loc.Placement{Func: "f", Args: []loc.Arg{arg(0, "int", 4, loc.Stack(0)), arg(1, "int", 4, loc.Stack(4))}}
	if got := Diagram(layout.ArchARM64, two, two); !strings.Contains(got, "| `sp+0` | a0.0-3, a1.0-3 @4-7 | a0.0-3, a1.0-3 @4-7 |  |\n") {
		t.Errorf("shared slot:\n%s", got)
	}
}

func TestNewNotMismatch(t *testing.T) {
	// f(long, int) is in x0, x1 for both (C.9; one slot each).
	_, err := New(parse(t, "void f(long a0, int a1);\n"), target(t))
	if !errors.Is(err, ErrNotMismatch) {
		t.Errorf("agreeing case: %v, want ErrNotMismatch", err)
	}
	// A 24-byte struct is refused by btf_distill_func_proto.
	_, err = New(parse(t, "struct s1 { long a; long b; long c; };\nvoid f(struct s1 a0);\n"), target(t))
	if !errors.Is(err, ErrNotMismatch) || !strings.Contains(err.Error(), "distill") {
		t.Errorf("rejected case: %v", err)
	}
	if _, err := Files(&Case{}); !errors.Is(err, ErrNotMismatch) {
		t.Errorf("empty case: %v", err)
	}
}

func TestCaseRoundTrip(t *testing.T) {
	for _, src := range classCases {
		c := newCase(t, src)
		c.Target.StructOps = false
		js, err := MarshalCase(c)
		if err != nil {
			t.Fatal(err)
		}
		fn, tg, class, err := ParseCase("case.json", js)
		if err != nil {
			t.Fatal(err)
		}
		if ctype.Render(fn) != src || tg.String() != c.Target.String() || class != c.Verdict.Class {
			t.Errorf("round trip of %q: %q %s %q", src, ctype.Render(fn), tg, class)
		}
	}
	// The struct_ops flag and the ABI variant come back too.
	c := newCase(t, classCases[0])
	c.Target.StructOps = true
	c.Target.ABI, _ = oracle.Lookup("aapcs64/gcc12")
	js, _ := MarshalCase(c)
	if _, tg, _, err := ParseCase("case.json", js); err != nil || tg.String() != c.Target.String() {
		t.Errorf("struct_ops/gcc12: %s, %v; want %s", tg, err, c.Target)
	}
	for _, bad := range []string{
		`{`,
		`{"format": "trampfuzz-case v2", "kernel": "arm64/v6.17", "c": "void f(int a0);\n"}`,
		`{"format": "trampfuzz-case v1", "kernel": "arm64/v5.4", "c": "void f(int a0);\n"}`,
		`{"format": "trampfuzz-case v1", "kernel": "arm64/v6.17", "abi": "sysv", "c": "void f(int a0);\n"}`,
		`{"format": "trampfuzz-case v1", "kernel": "arm64/v6.17", "c": "void f(int a0)\n"}`,
		`{"format": "trampfuzz-case v1", "kernel": "arm64/v6.17", "c": "void f(int a[2]);\n"}`,
	} {
		if _, _, _, err := ParseCase("bad.json", []byte(bad)); !errors.Is(err, ErrCaseFile) {
			t.Errorf("%s: %v, want ErrCaseFile", bad, err)
		}
	}
}

func TestWriteNoClobber(t *testing.T) {
	parent := t.TempDir()
	c := newCase(t, classCases[0])
	dir, err := Write(parent, c)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(dir) != DirName(c) {
		t.Errorf("dir %s, want %s", dir, DirName(c))
	}
	for _, f := range []string{"README.md", "case.c", "case.json", "repro.c", "kselftest/bpf_testmod.c",
		"kselftest/progs/tracing_struct_tf_" + c.ID() + ".c", "kselftest/prog_tests/tracing_struct_tf_" + c.ID() + ".c"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// The same report again: the same directory, nothing written.
	if again, err := Write(parent, c); err != nil || again != dir {
		t.Errorf("second write: %s, %v", again, err)
	}
	// A different report under the same name: a suffix, the first left alone.
	before, _ := os.ReadFile(filepath.Join(dir, "README.md"))
	c2 := *c
	c2.Origin = &Origin{Input: "other.c", Args: 12, Complete: true}
	dir2, err := Write(parent, &c2)
	if err != nil || dir2 != dir+"-2" {
		t.Errorf("different content: %s, %v; want %s-2", dir2, err, dir)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "README.md")); !bytes.Equal(before, after) {
		t.Error("the first report was changed")
	}
	// A stray file makes a directory different too.
	if err := os.WriteFile(filepath.Join(dir2, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if dir3, err := Write(parent, &c2); err != nil || dir3 != dir+"-3" {
		t.Errorf("stray file: %s, %v; want %s-3", dir3, err, dir)
	}
	// No temporary directories are left behind.
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("left %s", e.Name())
		}
	}
}

// TestSummary: the sentence names the kernel, the argument, both byte
// lists and the rule (byte lists from TestDiagram's reasoning).
func TestSummary(t *testing.T) {
	c := newCase(t, "void f(int a0, __int128 a1);\n")
	want := "On arm64/v6.18 (v6.17-v7.2) with BTF from pahole 1.24, a BPF fentry/fexit program attached to `void f(int a0, __int128 a1);` reads argument 1 `a1` (`__int128`, 16 bytes) from `x1.0-7 x2.0-7`, but the caller put it in `x2.0-7 x3.0-7`: the trampoline does not apply AAPCS64 2025Q4 C.10 (even pair not applied, __int128 scalar in registers)."
	if got := Summary(c); got != want {
		t.Errorf("-want\n%s\n+got\n%s", want, got)
	}
	readme := README(c)
	for _, s := range []string{want, "**C.10** ← not applied by the trampoline", "commits dc704d0cfa43, 9014cf56f13d",
		"arm64 calc_arg_aux (9014cf56f13d)", "`bpf_get_func_arg_cnt()` returns 3", "go run ./cmd/minimize path/to/this/report/case.json"} {
		if !strings.Contains(readme, s) {
			t.Errorf("README lacks %q", s)
		}
	}
}

// TestKselftestGolden: the files for f(int, __int128). The known values
// follow bpf_testmod's habit (16, 17, ...: one per scalar part, in order);
// an __int128 gets 0x100+v in its high half so a shifted read shows. The
// BPF ctx has ceil(size/8) slots per argument (kernel-jit.md §1), so
// bpf_get_func_arg_cnt() is 1 + 2 = 3; the return value is the sum of the
// parts as long, (long)a1 being the low half: 16 + 17 = 33.
func TestKselftestGolden(t *testing.T) {
	c := newCase(t, "void f(int a0, __int128 a1);\n")
	id := c.ID()
	files := Kselftest(c)
	km := files["bpf_testmod.c"]
	for _, s := range []string{
		"noinline int\nbpf_testmod_test_tf_" + id + "(int a0, __int128 a1)\n{\n\tbpf_testmod_test_struct_arg_result = (long)a0 + (long)a1;\n\treturn bpf_testmod_test_struct_arg_result;\n}\n",
		"\t(void)bpf_testmod_test_tf_" + id + "(16, (((__int128)273 << 64) | 17));\n",
	} {
		if !strings.Contains(km, s) {
			t.Errorf("bpf_testmod.c lacks\n%s\nin\n%s", s, km)
		}
	}
	prog := files["progs/tracing_struct_tf_"+id+".c"]
	for _, s := range []string{
		"SEC(\"fentry/bpf_testmod_test_tf_" + id + "\")\nint BPF_PROG2(test_tf_" + id + ", int, a0, __int128, a1)\n",
		"\ttf_" + id + "_a1_hi = (long)(a1 >> 64);\n",
		"int BPF_PROG2(test_tf_" + id + "_exit, int, a0, __int128, a1, int, ret)\n",
		"char _license[] SEC(\"license\") = \"GPL\";\n",
	} {
		if !strings.Contains(prog, s) {
			t.Errorf("prog lacks\n%s\nin\n%s", s, prog)
		}
	}
	pt := files["prog_tests/tracing_struct_tf_"+id+".c"]
	for _, s := range []string{
		"\tASSERT_EQ(skel->bss->tf_" + id + "_a0, 16, \"a0\");\n",
		"\tASSERT_EQ(skel->bss->tf_" + id + "_a1_lo, 17, \"a1 (low 8 bytes)\");\n",
		"\tASSERT_EQ(skel->bss->tf_" + id + "_a1_hi, 273, \"a1 (high 8 bytes)\");\n",
		"\tASSERT_EQ(skel->bss->tf_" + id + "_nregs, 3, \"nregs\");\n",
		"\tASSERT_EQ(skel->bss->tf_" + id + "_ret, 33, \"ret\");\n",
		"\tASSERT_OK(trigger_module_test_read(256), \"trigger_read\");\n",
	} {
		if !strings.Contains(pt, s) {
			t.Errorf("prog_tests lacks\n%s\nin\n%s", s, pt)
		}
	}
}

func TestQuadBits(t *testing.T) {
	// IEEE binary128 of 16.5 = 1.03125 × 2^4: exponent 16383+4 = 0x4003,
	// fraction .03125 = 2^-5, so bit 112-5 = 107 of the fraction: high
	// word 0x4003_0800_0000_0000, low word 0.
	lo, hi := quadBits(16.5)
	if lo != 0 || hi != 0x4003080000000000 {
		t.Errorf("quadBits(16.5) = %#x %#x", hi, lo)
	}
}

// runTool runs a command and returns its combined output and exit code.
func runTool(t *testing.T, dir string, argv ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", argv, err)
	}
	return string(out), code
}

// TestReproGroundTruth builds each class's repro.c with both compilers,
// runs it under qemu and reads the "byte aN.k: LOC ..." lines of -v: the
// oracle's location of every byte must be among the locations found (the
// report proves itself), the run must say CONFIRMED and exit 0.
func TestReproGroundTruth(t *testing.T) {
	paths := toolchain.Require(t, toolchain.GCC, toolchain.Clang, toolchain.QEMU)
	gcc, clang, qemu := paths[0], paths[1], paths[2]
	var cases []*Case
	for _, src := range classCases {
		cases = append(cases, newCase(t, src))
	}
	// The case's names are repro.c's own names without their tf_ prefix.
	cases = append(cases, newCase(t, "struct loc { char m0 __attribute__((aligned(16))); };\ntypedef long cap;\ntypedef char t0;\n"+
		"void f(t0 a0, struct loc a1, cap a2);\n"))
	// A struct_ops trampoline before 50de1c47a41d reads the ninth
	// argument 16 bytes above where the caller put it (sp+0).
	so := target(t)
	so.StructOps = true
	c, err := New(parse(t, "void f(char a0, char a1, char a2, char a3, char a4, char a5, char a6, char a7, char a8);\n"), so)
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, c)
	for i, c := range cases {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "repro.c"), []byte(ReproC(c)), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, cc := range [][]string{
			{gcc, "-O2", "-static", "-Wall", "-Werror", "-o", "repro-gcc", "repro.c"},
			{clang, "--target=aarch64-linux-gnu", "-fuse-ld=lld", "-O2", "-static", "-Wall", "-Werror", "-o", "repro-clang", "repro.c"},
		} {
			bin := cc[len(cc)-2]
			if out, code := runTool(t, dir, cc...); code != 0 {
				t.Fatalf("case %d: %s: exit %d\n%s", i, filepath.Base(cc[0]), code, out)
			}
			out, code := runTool(t, dir, qemu, "./"+bin, "-v")
			if code != 0 || !strings.Contains(out, "\nCONFIRMED: ") {
				t.Errorf("case %d %s: exit %d\n%s", i, bin, code, out)
			}
			found := foundLocs(t, out)
			for _, a := range c.Verdict.ABI.Args {
				for b, want := range a.Bytes {
					key := a.Name + "." + strconv.Itoa(b)
					if !slices.Contains(found[key], want) {
						t.Errorf("case %d %s: %s: oracle says %s, the run found %v", i, bin, key, want, found[key])
					}
				}
			}
			// The misread argument's bytes are not where the trampoline
			// reads them (that is the bug the report shows).
			m := c.Verdict.Mismatches[0]
			wrong := 0
			for b, l := range m.JIT {
				if !slices.Contains(found[m.Name+"."+strconv.Itoa(b)], l) {
					wrong++
				}
			}
			if wrong == 0 {
				t.Errorf("case %d %s: every byte of %s is where the trampoline reads it", i, bin, m.Name)
			}
		}
	}
}

// TestKselftestCompiles builds the kernel half of each class's selftest
// for arm64 as the kernel does (-mgeneral-regs-only, with a stub header for
// the kernel's types) and the BPF programs with clang -target bpf against
// stand-ins of vmlinux.h, bpf_helpers.h and bpf_tracing.h (testdata/stubs/vmlinux and libbpf;
// with the real libbpf headers too when /usr/include/bpf has them). The
// prog_tests half needs test_progs.h and a generated skeleton and is not
// compiled. A signature with a floating-point type must fail the kernel
// build: that is why such classes are not reachable in kernel builds.
func TestKselftestCompiles(t *testing.T) {
	paths := toolchain.Require(t, toolchain.GCC, toolchain.Clang)
	gcc, clang := paths[0], paths[1]
	stubs, err := filepath.Abs("testdata/stubs")
	if err != nil {
		t.Fatal(err)
	}
	stubHeader, err := os.ReadFile(filepath.Join(stubs, "bpf_testmod_stub.h"))
	if err != nil {
		t.Fatal(err)
	}
	includes := [][]string{{"-I" + stubs + "/vmlinux", "-I" + stubs + "/libbpf"}}
	if _, err := os.Stat("/usr/include/bpf/bpf_tracing.h"); err == nil {
		// The stub vmlinux.h lacks the kernel structs bpf_helper_defs.h
		// names: their first mention in a parameter list is a warning.
		includes = append(includes, []string{"-I" + stubs + "/vmlinux", "-I/usr/include", "-Wno-visibility"})
	}
	for i, src := range classCases {
		c := newCase(t, src)
		dir := t.TempDir()
		files := Kselftest(c)
		km := files["bpf_testmod.c"]
		marker := "/* In bpf_testmod_test_read(): */\n"
		def, call, ok := strings.Cut(km, marker)
		if !ok {
			t.Fatalf("case %d: no %q in bpf_testmod.c", i, marker)
		}
		unit := string(stubHeader) + def + "void tf_test_read(void)\n{\n" + call + "}\n"
		if err := os.WriteFile(filepath.Join(dir, "k.c"), []byte(unit), 0o644); err != nil {
			t.Fatal(err)
		}
		out, code := runTool(t, dir, gcc, "-O2", "-mgeneral-regs-only", "-Wall", "-Werror", "-c", "-o", "k.o", "k.c")
		switch {
		case c.Verdict.Reachable && code != 0:
			t.Errorf("case %d: kernel half: exit %d\n%s\n%s", i, code, out, unit)
		case !c.Verdict.Reachable && (code == 0 || !strings.Contains(out, "general-regs-only")):
			t.Errorf("case %d: a floating-point signature built with -mgeneral-regs-only: exit %d\n%s", i, code, out)
		}
		for name, text := range files {
			if !strings.HasPrefix(name, "progs/") {
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, "prog.c"), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, inc := range includes {
				argv := append([]string{clang, "-target", "bpf", "-O2", "-g", "-Wall", "-Werror"}, inc...)
				argv = append(argv, "-c", "-o", "prog.o", "prog.c")
				if out, code := runTool(t, dir, argv...); code != 0 {
					t.Errorf("case %d: %s with %v: exit %d\n%s\n%s", i, name, inc, code, out, text)
				}
			}
		}
	}
}

// A known class that a real kernel confirmed says so in the report, with
// what BPF saw (check/kernel_confirmations.json: Debian's 6.12.118 arm64
// kernel read ctx[1] = junk where AAPCS64 leaves x1 empty for
// f(int, __int128, long)).
func TestREADMEQuotesTheRealKernel(t *testing.T) {
	c := newCase(t, "void f(int a0, __int128 a1, long a2);\n")
	readme := README(c)
	for _, s := range []string{"**Confirmed on Debian 6.12-arm64** (6.12.118", "`void f(int a0, __int128 a1, long a2);`", "ctx[1] = junk"} {
		if !strings.Contains(readme, s) {
			t.Errorf("README lacks %q:\n%s", s, readme)
		}
	}
}
