package report

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
	"github.com/trampfuzz/trampfuzz/layout"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
	"github.com/trampfuzz/trampfuzz/toolchain"
)

func x86Target(t testing.TB, kernel string) check.Target {
	t.Helper()
	tg, err := check.ParseTarget(kernel, "1.24")
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// x86Case is one x86-64 class with its placements reasoned from the psABI
// text and the kernel code, not from trampfuzz's output.
type x86Case struct {
	name   string
	kernel string
	src    string
	// rule is the verdict's rule, problem a piece of its class key.
	rule, problem string
	// diagram is the whole expected Diagram.
	diagram string
}

// The diagram rows of the six integer registers, for cases that leave
// rcx..r9 empty on both sides.
const x86EmptyTail = "| `rcx` | — | — |  |\n| `r8` | — | — |  |\n| `r9` | — | — |  |\n"

// x86Regs6 is rdi..r9 holding a0..a5 on both sides (six longs: psABI 1.0
// §3.2.3 "the next available register of the sequence %rdi, %rsi, %rdx,
// %rcx, %r8 and %r9"; save_args stores the same registers while
// nr_regs + arg_regs <= 6).
const x86Regs6 = "| `rdi` | a0.0-7 | a0.0-7 |  |\n| `rsi` | a1.0-7 | a1.0-7 |  |\n| `rdx` | a2.0-7 | a2.0-7 |  |\n" +
	"| `rcx` | a3.0-7 | a3.0-7 |  |\n| `r8` | a4.0-7 | a4.0-7 |  |\n| `r9` | a5.0-7 | a5.0-7 |  |\n"

const x86Header = "| location | System V: the caller put there | trampoline: reads it as | |\n| --- | --- | --- | --- |\n"
const x86NoXMM = "| `xmm0`–`xmm7` | — | — | |\n"

// The stack-alignment rows of f(long×6, long a6, T a7) with a 16-byte,
// 16-aligned T: psABI 1.0 §3.2.3, a6 takes the first eightbyte of memory
// (sp+0) and a7 starts at the next multiple of 16 (sp+16; for __int128:
// "arguments of type __int128 that are stored in memory must be aligned on
// a 16-byte boundary", for a record its alignment 16), leaving sp+8 empty.
// save_args (473e3150e30a) copies a6 from RBP+0x18 (sp+0) and a7's two
// slots from the next two, RBP+0x20 and RBP+0x28 (sp+8, sp+16): packed.
const x86StackRows = "| `sp+0` | a6.0-7 | a6.0-7 |  |\n| `sp+8` | — | a7.0-7 | **differs** |\n" +
	"| `sp+16` | a7.0-7 | a7.8-15 | **differs** |\n| `sp+24` | a7.8-15 | — | **differs** |\n"

var x86Cases = []x86Case{
	{
		// psABI 1.0 §3.2.3: s1 is 16 bytes (aligned(16)); its first
		// eightbyte holds a char (INTEGER), its second only padding
		// (NO_CLASS, "used for padding"), so a0 takes rdi alone and a1
		// the next register, rsi (gcc 12 -O2 -S: movl $17,%edi; movl
		// $8738,%esi). The trampoline (save_args, 473e3150e30a) gives a0
		// (16+7)/8 = 2 registers, rdi and rsi, and reads a1 from rdx.
		name: "NO_CLASS eightbyte", kernel: "x86_64/v6.18",
		src:  "struct s1 { char a __attribute__((aligned(16))); };\nvoid f(struct s1 a0, long a1);\n",
		rule: check.RuleX86NoClass, problem: "SysV NO_CLASS eightbyte not passed",
		diagram: x86Header + "| `rdi` | a0.0-7 | a0.0-7 |  |\n| `rsi` | a1.0-7 | a0.8-15 | **differs** |\n| `rdx` | — | a1.0-7 | **differs** |\n" +
			x86EmptyTail + x86NoXMM,
	},
	{
		// psABI 1.0 §3.2.3: "If ... it contains unaligned fields, it has
		// class MEMORY": the packed s1 has its long at offset 1, so a0
		// (9 bytes) goes on the stack at sp+0 even though registers are
		// free, and a1 takes rdi (gcc 12 -O2 -S: the struct stored at
		// (%rsp), movl $8738,%edi). The trampoline gives a0 two
		// registers by its size, rdi and rsi (byte 8 in rsi.0), and reads
		// a1 from rdx.
		name: "MEMORY class", kernel: "x86_64/v6.18",
		src:  "struct s1 { char a; long b; } __attribute__((packed));\nvoid f(struct s1 a0, long a1);\n",
		rule: oracle.RuleSysVPassMemory, problem: "MEMORY class read from registers",
		diagram: x86Header + "| `rdi` | a1.0-7 | a0.0-7 | **differs** |\n| `rsi` | — | a0.8 | **differs** |\n| `rdx` | — | a1.0-7 | **differs** |\n" +
			x86EmptyTail + "| `sp+0` | a0.0-7 | — | **differs** |\n| `sp+8` | a0.8 | — | **differs** |\n" + x86NoXMM,
	},
	{
		// __int128 on the stack, on v7.3, whose nr_regs counts every
		// argument over 8 bytes (814cba835ef6), so both of a7's slots
		// are saved and only the alignment differs (rows: x86StackRows).
		name: "__int128 16-byte stack alignment", kernel: "x86_64/v7.3",
		src:  "void f(long a0, long a1, long a2, long a3, long a4, long a5, long a6, __int128 a7);\n",
		rule: oracle.RuleSysVInt128Stack, problem: "16-byte alignment not applied, __int128 scalar on the stack",
		diagram: x86Header + x86Regs6 + x86StackRows + x86NoXMM,
	},
	{
		// The same with a 16-aligned record (INTEGER, INTEGER; no
		// registers left, so on the stack at its alignment) on v6.18,
		// where BTF_FMODEL_STRUCT_ARG makes nr_regs count its two slots.
		name: "aligned record 16-byte stack alignment", kernel: "x86_64/v6.18",
		src: "struct s1 { long m0 __attribute__((aligned(16))); long m1; };\n" +
			"void f(long a0, long a1, long a2, long a3, long a4, long a5, long a6, struct s1 a7);\n",
		rule: oracle.RuleSysVStack, problem: "16-byte alignment not applied, 16-byte-aligned struct on the stack",
		diagram: x86Header + x86Regs6 + x86StackRows + x86NoXMM,
	},
	{
		// psABI 1.0 §3.2.3: __int128 is "struct { long low, high; }":
		// two INTEGER eightbytes, rsi and rdx after a0 in rdi (gcc 12
		// -O2 -S: movl $136,%esi; movl $153,%edx). v6.6-v7.2: nr_regs =
		// nr_args + extra slots of STRUCT_ARG arguments only = 2, so the
		// ctx area has two slots; save_args still stores rdi, rsi and
		// rdx, the third past nr_regs: a1's high half is never saved
		// (BPF reads it from ctx[2]).
		name: "__int128 counted as one slot", kernel: "x86_64/v6.18",
		src:  "void f(long a0, __int128 a1);\n",
		rule: check.RuleX86Int128Slot, problem: "__int128 counted as one slot",
		diagram: x86Header + "| `rdi` | a0.0-7 | a0.0-7 |  |\n| `rsi` | a1.0-7 | a1.0-7 |  |\n| `rdx` | a1.8-15 | — | **differs** |\n" +
			x86EmptyTail + x86NoXMM,
	},
}

func (tc x86Case) newCase(t testing.TB) *Case {
	t.Helper()
	c, err := New(parse(t, tc.src), x86Target(t, tc.kernel))
	if err != nil {
		t.Fatalf("%s: %v", tc.name, err)
	}
	return c
}

// TestX86Diagram: each class's verdict has the rule and diagram reasoned
// in x86Cases, and its README names System V, the x86 JIT and the native
// commands, never AAPCS64 or qemu.
func TestX86Diagram(t *testing.T) {
	for _, tc := range x86Cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.newCase(t)
			v := c.Verdict
			if v.Rule != tc.rule || !strings.Contains(v.Problem, tc.problem) {
				t.Errorf("rule %q, problem %q; want %q, %q", v.Rule, v.Problem, tc.rule, tc.problem)
			}
			if v.Known == nil {
				t.Errorf("class %q is not in check/known_classes.yaml", v.Class)
			}
			if got := Diagram(layout.ArchX86_64, *v.ABI, *v.JIT); got != tc.diagram {
				t.Errorf("-want\n%s\n+got\n%s", tc.diagram, got)
			}
			readme := README(c)
			if !strings.Contains(readme, tc.diagram) {
				t.Errorf("README lacks the diagram:\n%s", readme)
			}
			for _, s := range []string{
				"## Where each byte is: System V against the trampoline",
				specSysV,
				"`arch/x86/net/bpf_jit_comp.c: arch_prepare_bpf_trampoline()`",
				"ABI sysv)",
				"records rdi, rsi, rdx, rcx, r8, r9, xmm0–xmm7 and the stack at entry",
				"```sh\n" + ReproCommandX86GCC + "\n" + ReproCommandX86Clang + "\n```",
				"Stack offsets `sp+N` are from RSP just before the `call`",
			} {
				if !strings.Contains(readme, s) {
					t.Errorf("README lacks %q", s)
				}
			}
			for _, s := range []string{"AAPCS64", "aarch64", "qemu", "arm64"} {
				if strings.Contains(readme, s) {
					t.Errorf("README of an x86-64 case mentions %q", s)
				}
			}
			// arm64 register names, not the hex digits of a value (0x00…).
			if m := regexp.MustCompile(`\b[xv]0\b`).FindString(readme); m != "" {
				t.Errorf("README of an x86-64 case mentions %q", m)
			}
			// The rule the trampoline skipped is paraphrased.
			if p, ok := Paraphrase(tc.rule); !ok || !strings.Contains(readme, strings.TrimPrefix(p, ruleID(tc.rule)+": ")) {
				t.Errorf("README lacks the paraphrase of %s", tc.rule)
			}
		})
	}
}

// TestX86Summary: the sentence for f(long, __int128) on v6.18, with the
// byte lists of TestX86Diagram's reasoning and the kernel-side cause in
// parentheses (it is not an ABI rule the trampoline skipped).
func TestX86Summary(t *testing.T) {
	c := x86Cases[4].newCase(t)
	want := "On x86_64/v6.18 (v6.6-v7.2) with BTF from pahole 1.24, a BPF fentry/fexit program attached to `void f(long a0, __int128 a1);` reads argument 1 `a1` (`__int128`, 16 bytes) from `rsi.0-7 (not saved: 8 bytes)`, but the caller put it in `rsi.0-7 rdx.0-7` (" + c.Verdict.Problem + ")."
	if got := Summary(c); got != want {
		t.Errorf("-want\n%s\n+got\n%s", want, got)
	}
	// bpf_get_func_arg_cnt() is nr_regs = 2 (one slot per non-struct
	// argument before 814cba835ef6).
	readme := README(c)
	for _, s := range []string{want, "`bpf_get_func_arg_cnt()` returns 2", "commits 473e3150e30a", "→ `save_args()` saves"} {
		if !strings.Contains(readme, s) {
			t.Errorf("README lacks %q", s)
		}
	}
	// The NO_CLASS case names the argument whose eightbyte is not passed.
	readme = README(x86Cases[0].newCase(t))
	for _, s := range []string{
		"The bytes System V does not pass are in argument 0 `a0` (`struct s1`, placed `rdi.0-7 (not passed: 8 bytes)`)",
		"- **NO_CLASS**: ",
		"| 0 `a0` | `struct s1` | `rdi.0-7 (not passed: 8 bytes)` | `rdi.0-7 rsi.0-7` (takes a slot for bytes System V does not pass) |",
		"| 1 `a1` | `long` | `rsi.0-7` | `rdx.0-7` **(wrong)** |",
	} {
		if !strings.Contains(readme, s) {
			t.Errorf("NO_CLASS README lacks %q", s)
		}
	}
}

func TestX86CaseRoundTrip(t *testing.T) {
	c := x86Cases[0].newCase(t)
	js, err := MarshalCase(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"abi": "sysv"`) {
		t.Errorf("case.json does not record the System V ABI:\n%s", js)
	}
	fn, tg, class, err := ParseCase("case.json", js)
	if err != nil || tg.String() != c.Target.String() || class != c.Verdict.Class || fn.Name != "f" {
		t.Fatalf("round trip: %s %q %v", tg, class, err)
	}
	// Older case files said "aapcs64" for x86 targets; a clang variant is
	// a target of its own, and another architecture's variant is refused.
	old := strings.Replace(string(js), `"abi": "sysv"`, `"abi": "aapcs64"`, 1)
	if _, tg, _, err := ParseCase("old.json", []byte(old)); err != nil || tg.String() != c.Target.String() {
		t.Errorf("aapcs64 on x86: %s, %v", tg, err)
	}
	clang := strings.Replace(string(js), `"abi": "sysv"`, `"abi": "sysv/clang14"`, 1)
	if _, tg, _, err := ParseCase("clang.json", []byte(clang)); err != nil || tg.ABI.Name != "sysv/clang14" ||
		tg.String() != c.Target.String()+"+abi-clang14" {
		t.Errorf("sysv/clang14 on x86: %s, %v", tg, err)
	}
	bad := strings.Replace(string(js), `"abi": "sysv"`, `"abi": "aapcs64/gcc12"`, 1)
	if _, _, _, err := ParseCase("bad.json", []byte(bad)); !errors.Is(err, ErrCaseFile) || !strings.Contains(err.Error(), "arm64") {
		t.Errorf("aapcs64/gcc12 on x86: %v, want ErrCaseFile naming arm64", err)
	}
}

func TestX87Bits(t *testing.T) {
	// 16.5 = 1.03125 × 2^4: exponent 16383+4 = 0x4003, significand
	// 1.03125 × 2^63 with the explicit integer bit: 0x8400_0000_0000_0000
	// (psABI 1.0 Figure 3.1 / the Intel SDM's double extended format).
	if lo, hi := x87Bits(16.5); lo != 0x8400000000000000 || hi != 0x4003 {
		t.Errorf("x87Bits(16.5) = %#x %#x", lo, hi)
	}
	if lo, hi := x87Bits(-1); lo != 1<<63 || hi != 0xbfff {
		t.Errorf("x87Bits(-1) = %#x %#x", lo, hi)
	}
}

// clangMajor is the major version of the clang at path.
func clangMajor(t *testing.T, clang string) int {
	out, code := runTool(t, "", clang, "-dumpversion")
	major, _, _ := strings.Cut(strings.TrimSpace(out), ".")
	n, err := strconv.Atoi(major)
	if code != 0 || err != nil {
		t.Fatalf("%s -dumpversion: %q", clang, out)
	}
	return n
}

// readingFor is the System V variant a compiler should be checked
// against: the one its release reads the psABI as (gcc: clangMajor 0).
func readingFor(clangMajor int) string {
	cc, major := "clang", clangMajor
	if clangMajor == 0 {
		cc, major = "gcc", 12
	}
	v, err := oracle.CompilerVariant(arch.X86_64, cc, major)
	if err != nil {
		panic(err)
	}
	return v.Name
}

// commandArgv turns a README command "CC ARGS... && ./BIN" into the
// compiler's argv (with cc for the compiler and extra flags) and the
// binary.
func commandArgv(t *testing.T, command, cc string, extra ...string) ([]string, string) {
	t.Helper()
	build, run, ok := strings.Cut(command, " && ")
	if !ok {
		t.Fatalf("command %q has no run step", command)
	}
	argv := strings.Fields(build)
	return append(append([]string{cc}, extra...), argv[1:]...), strings.TrimSpace(run)
}

// TestX86ReproGroundTruth builds each class's repro.c natively with gcc
// and clang by the README's commands (plus -Wall -Werror), runs it, and
// reads its "reading:" and "byte aN.k: LOC ..." lines: the compiler's
// reading is the one its version implies; every byte the variant oracle of
// that reading passes, padding aside, is among the locations found; and
// the run says CONFIRMED and exits 0, except where that compiler puts
// the argument where the trampoline reads it.
func TestX86ReproGroundTruth(t *testing.T) {
	paths := toolchain.Require(t, toolchain.HostGCC, toolchain.Clang)
	gcc, clang := paths[0], paths[1]
	major := clangMajor(t, clang)
	for _, tc := range x86Cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.newCase(t)
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "repro.c"), []byte(ReproC(c)), 0o644); err != nil {
				t.Fatal(err)
			}
			pad := ctype.PaddingBytes(c.Func, arch.X86_64)
			for _, comp := range []struct {
				command, path string
				major         int
			}{{ReproCommandX86GCC, gcc, 0}, {ReproCommandX86Clang, clang, major}} {
				argv, bin := commandArgv(t, comp.command, comp.path, "-Wall", "-Werror")
				if out, code := runTool(t, dir, argv...); code != 0 {
					t.Fatalf("%s: exit %d\n%s", comp.command, code, out)
				}
				out, code := runTool(t, dir, bin, "-v")
				reading := readingFor(comp.major)
				if !strings.Contains(out, "\nreading: "+reading+" (") {
					t.Errorf("%s: want reading %s\n%s", bin, reading, out)
				}
				variant, err := oracle.LookupIn(oracle.SysV, reading)
				if err != nil {
					t.Fatal(err)
				}
				want, err := oracle.Place(c.Func, variant)
				if err != nil {
					t.Fatal(err)
				}
				found := foundLocs(t, out)
				for i, a := range want.Args {
					for b, l := range a.Bytes {
						if l.IsZero() || pad[i][b] {
							continue
						}
						key := a.Name + "." + strconv.Itoa(b)
						if !slices.Contains(found[key], l) {
							t.Errorf("%s: %s: the %s oracle says %s, the run found %v", bin, key, reading, l, found[key])
						}
					}
				}
				// The trampoline misreads the argument where some value
				// byte is not where the compiler put it.
				misread := false
				for i, a := range want.Args {
					for b, l := range a.Bytes {
						if !l.IsZero() && !pad[i][b] && c.Verdict.JIT.Args[i].Bytes[b] != l {
							misread = true
						}
					}
				}
				// gcc follows the psABI in all these cases, so its run
				// confirms every report.
				if comp.major == 0 && !misread {
					t.Errorf("%s: gcc puts every value byte where the trampoline reads it, so the report is not a bug under gcc", bin)
				}
				switch {
				case misread && (code != 0 || !strings.Contains(out, "\nCONFIRMED: ")):
					t.Errorf("%s: exit %d, want CONFIRMED\n%s", bin, code, out)
				case !misread && (code != 1 || !strings.Contains(out, "\nNOT CONFIRMED: the trampoline reads every byte from where this compiler put it")):
					t.Errorf("%s: exit %d, want NOT CONFIRMED (this compiler's placement is the trampoline's)\n%s", bin, code, out)
				}
			}
		})
	}
}

// foundLocs reads the "byte aN.k: LOC ..." lines of a repro's -v output.
func foundLocs(t *testing.T, out string) map[string][]loc.Loc {
	t.Helper()
	found := map[string][]loc.Loc{}
	for _, line := range strings.Split(out, "\n") {
		rest, ok := strings.CutPrefix(line, "byte ")
		if !ok {
			continue
		}
		key, locs, _ := strings.Cut(rest, ":")
		for _, f := range strings.Fields(locs) {
			l, err := loc.Parse(f)
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			found[key] = append(found[key], l)
		}
	}
	return found
}

// x86Kflags are the x86-64 kernel's code generation flags that matter
// for argument passing (arch/x86/Makefile: no SSE, MMX or x87 code).
var x86Kflags = []string{"-mno-sse", "-mno-mmx", "-mno-sse2", "-mno-3dnow", "-mno-avx", "-mno-80387", "-mno-fp-ret-in-387", "-mno-red-zone"}

// TestX86KselftestCompiles builds the kernel half of each x86 class's
// selftest with the host gcc and the x86 kernel's flags, and the BPF
// programs with clang -target bpf. A record of a double (SysV pass SSE) is
// not reachable: gcc builds it with those flags, but passes it on the
// stack instead of xmm0 (gcc 12 -O2 -S -mno-sse: pushq of the double,
// then call), which the README says.
func TestX86KselftestCompiles(t *testing.T) {
	paths := toolchain.Require(t, toolchain.HostGCC, toolchain.Clang)
	gcc, clang := paths[0], paths[1]
	stubs, err := filepath.Abs("testdata/stubs")
	if err != nil {
		t.Fatal(err)
	}
	stubHeader, err := os.ReadFile(filepath.Join(stubs, "bpf_testmod_stub.h"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []*Case
	for _, tc := range x86Cases {
		cases = append(cases, tc.newCase(t))
	}
	sse, err := New(parse(t, "struct s1 { double m0; };\nvoid f(struct s1 a0);\n"), x86Target(t, "x86_64/v6.18"))
	if err != nil {
		t.Fatal(err)
	}
	if sse.Verdict.Reachable || sse.Verdict.Rule != oracle.RuleSysVPassSSE {
		t.Fatalf("struct {double}: reachable %v, rule %q", sse.Verdict.Reachable, sse.Verdict.Rule)
	}
	if readme := README(sse); !strings.Contains(readme, "`-mno-sse -mno-mmx") || !strings.Contains(readme, "gcc 12 on the stack") || strings.Contains(readme, "general-regs-only") {
		t.Errorf("unreachable x86 README:\n%s", readme)
	}
	cases = append(cases, sse)
	for i, c := range cases {
		dir := t.TempDir()
		files := Kselftest(c)
		def, call, ok := strings.Cut(files["bpf_testmod.c"], "/* In bpf_testmod_test_read(): */\n")
		if !ok {
			t.Fatalf("case %d: no call marker", i)
		}
		unit := string(stubHeader) + def + "void tf_test_read(void)\n{\n" + call + "}\n"
		if err := os.WriteFile(filepath.Join(dir, "k.c"), []byte(unit), 0o644); err != nil {
			t.Fatal(err)
		}
		argv := append(append([]string{gcc, "-O2"}, x86Kflags...), "-Wall", "-Werror", "-c", "-o", "k.o", "k.c")
		out, code := runTool(t, dir, argv...)
		if c.Verdict.Reachable && code != 0 {
			t.Errorf("case %d: kernel half: exit %d\n%s\n%s", i, code, out, unit)
		}
		if !c.Verdict.Reachable {
			// The caller's code: no xmm register carries the record.
			asm := append(append([]string{gcc, "-O2"}, x86Kflags...), "-S", "-o", "-", "k.c")
			if out, code := runTool(t, dir, asm...); code != 0 || strings.Contains(out, "%xmm") {
				t.Errorf("case %d: with the kernel's flags an xmm register is used (exit %d)\n%s", i, code, out)
			}
		}
		for name, text := range files {
			if !strings.HasPrefix(name, "progs/") {
				continue
			}
			if err := os.WriteFile(filepath.Join(dir, "prog.c"), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, code := runTool(t, dir, clang, "-target", "bpf", "-O2", "-g", "-Wall", "-Werror",
				"-I"+stubs+"/vmlinux", "-I"+stubs+"/libbpf", "-c", "-o", "prog.o", "prog.c"); code != 0 {
				t.Errorf("case %d: %s: exit %d\n%s\n%s", i, name, code, out, text)
			}
		}
	}
}

// hasZeroWidthBitfield reports whether a record fn passes by value has an
// unnamed zero-width bit-field. ctype lays records out as AArch64 does,
// where such a bit-field raises the record's alignment; the x86-64 psABI
// (§3.1.2: "unnamed bit-fields' types do not affect the alignment of a
// structure or union") and gcc and clang on x86-64 do not, so repro.c's
// layout assertion stops such a case.
func hasZeroWidthBitfield(t ctype.Type) bool {
	switch u := ctype.Underlying(t).(type) {
	case *ctype.Array:
		return hasZeroWidthBitfield(u.Elem)
	case *ctype.Record:
		for _, m := range u.Members {
			if (m.Bitfield && m.Bits == 0) || hasZeroWidthBitfield(m.Type) {
				return true
			}
		}
	}
	return false
}

// TestX86ReproRandom runs repro.c of random x86 mismatches (seeded; kernel
// and full profiles, every x86 target, struct_ops too, at most one case
// per class problem) under gcc and clang: each builds, finds every value
// byte where its compiler's System V reading puts it, and confirms the
// report exactly when the trampoline reads some value byte from elsewhere.
func TestX86ReproRandom(t *testing.T) {
	paths := toolchain.Require(t, toolchain.HostGCC, toolchain.Clang)
	gcc, clang := paths[0], paths[1]
	major := clangMajor(t, clang)
	var tgs []check.Target
	for _, tg := range check.Targets() {
		if tg.Kernel.Arch == layout.ArchX86_64 {
			so := tg
			so.StructOps = true
			tgs = append(tgs, tg, so)
		}
	}
	rng := rand.New(rand.NewPCG(11, 11))
	seen := map[string]bool{}
	const want = 12
	var cases []*Case
	for i := 0; i < 100000 && len(cases) < want; i++ {
		raw := make([]byte, 32+rng.IntN(300))
		for j := range raw {
			raw[j] = byte(rng.Uint32())
		}
		p := gen.Kernel
		if i%2 == 1 {
			p = gen.Full
		}
		fn, err := gen.FromBytes(raw, p)
		if err != nil || slices.ContainsFunc(fn.Params, func(p ctype.Param) bool { return hasZeroWidthBitfield(p.Type) }) {
			continue
		}
		c, err := New(fn, tgs[i%len(tgs)])
		if err != nil || seen[c.Verdict.Problem] {
			continue
		}
		seen[c.Verdict.Problem] = true
		cases = append(cases, c)
	}
	if len(cases) < want {
		t.Fatalf("only %d random x86 mismatch cases", len(cases))
	}
	for i, c := range cases {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "repro.c"), []byte(ReproC(c)), 0o644); err != nil {
			t.Fatal(err)
		}
		pad := ctype.PaddingBytes(c.Func, arch.X86_64)
		for _, comp := range []struct {
			command, path string
			major         int
		}{{ReproCommandX86GCC, gcc, 0}, {ReproCommandX86Clang, clang, major}} {
			argv, bin := commandArgv(t, comp.command, comp.path)
			if out, code := runTool(t, dir, argv...); code != 0 {
				t.Fatalf("case %d %s: %s: exit %d\n%s\n%s", i, c.Verdict.Class, comp.command, code, out, c.Verdict.C)
			}
			out, code := runTool(t, dir, bin, "-v")
			variant, _ := oracle.LookupIn(oracle.SysV, readingFor(comp.major))
			wantPl, err := oracle.Place(c.Func, variant)
			if err != nil {
				t.Fatal(err)
			}
			found := foundLocs(t, out)
			misread := false
			for a, arg := range wantPl.Args {
				for b, l := range arg.Bytes {
					if l.IsZero() || pad[a][b] {
						continue
					}
					if key := arg.Name + "." + strconv.Itoa(b); !slices.Contains(found[key], l) {
						t.Errorf("case %d %s: %s: %s oracle says %s, found %v\n%s", i, bin, key, variant.Name, l, found[key], c.Verdict.C)
					}
					misread = misread || c.Verdict.JIT.Args[a].Bytes[b] != l
				}
			}
			if confirmed := code == 0 && strings.Contains(out, "\nCONFIRMED: "); confirmed != misread {
				t.Errorf("case %d %s: exit %d, trampoline misreads: %v\n%s\n%s", i, bin, code, misread, c.Verdict.C, out)
			}
		}
	}
}
