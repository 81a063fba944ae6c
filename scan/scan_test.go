package scan

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/toolchain"
)

// shapes is one C function per known mismatch class and per safe shape.
// Expected verdicts come from the rule text and the kernel source, not from
// running the scan: AAPCS64 2025Q4 §6.8.2 (stage C) for the ABI, and the
// v6.17+ arm64 trampoline (arch/arm64/net/bpf_jit_comp.c calc_arg_aux at
// dc704d0cfa43: arguments take x0..x7 one slot per 8 bytes with no
// even-pair rounding, then 8-byte stack slots with no 16-byte rounding) for
// the kernel; /work/shared/reference/kernel-jit.md §3.2-3.3 has both.
const shapes = `
typedef long al16 __attribute__((aligned(16)));
struct s16 { long a; long b; };
struct a16 { long a __attribute__((aligned(16))); long b; };
struct ta { al16 a; long b; };
struct hfa { double a; double b; };
struct pk { char c; long l; } __attribute__((packed));
struct small { int a; int b; };
struct big { long a, b, c; };
struct bf { int a : 3; int : 0; int b : 5; char c; };
struct an { int a; union { int b; unsigned short c; }; };
struct md { char m[2][3]; };
struct fl { long n; long d[]; };
enum __attribute__((packed)) pe { P1, P2 };

/* C.10: __int128 has natural alignment 16, NGRN 1 rounds to 2: x2,x3; the
   JIT reads x1,x2. */
long f_int128(int a, __int128 b) { return a + (long)b; }
/* C.10 for a composite whose member is aligned(16): x2,x3 vs x1,x2. */
long f_a16(int a, struct a16 s) { return a + s.a + s.b; }
/* The same through a typedef aligned(16) (DW_AT_alignment on the typedef). */
long f_tda(int a, struct ta s) { return a + s.a + s.b; }
/* C.14: the 16-aligned composite after a stacked long goes to sp+16; the
   JIT packs it at sp+8. */
long f_stack(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7, long a8, struct a16 s)
{ return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + s.a + s.b; }
/* B.3/C.2: an HFA of two doubles goes to v0,v1; the JIT reads x0,x1. */
long f_hfa(struct hfa h, int x) { return (long)(h.a + h.b) + x; }
/* Safe as written (natural alignment 8: x1,x2 both ways), but BTF cannot
   tell it from a16, which would go to x2,x3: ambiguous. */
long f_s16(int a, struct s16 s) { return a + s.a + s.b; }
/* Safe shapes. */
long f_safe(long a, long b) { return a + b; }
long f_small(struct small s, char c) { return s.a + s.b + c; }
/* The selftest shape of kernel-jit.md §3.3: __int128 first agrees. */
long f_int128_first(__int128 a, int b, long c) { return (long)a + b + c; }
long f_ptr(struct s16 *p, int x) { return p->a + x; }
/* A 9-byte packed composite: two registers x0,x1 either way (C.12). */
long f_pk(struct pk p, int x) { return p.c + p.l + x; }
long f_stack9(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7, long a8, long a9)
{ return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9; }
long f_bf(struct bf s, int x) { return s.a + s.b + s.c + x; }
long f_an(struct an s, long x) { return s.a + s.b + x; }
long f_md(struct md s, int x) { return s.m[1][2] + x; }
long f_enum(enum pe e, long x) { return e + x; }
/* Over 16 bytes: btf_distill_func_proto rejects it ("No support of struct
   argument size greater than 16 bytes"), so it is neither safe nor misread. */
long f_big(struct big s, int x) { return s.a + s.c + x; }
/* Variadic: counted as a skip (ctype models no varargs; the kernel
   rejects them too). */
int f_var(int n, ...) { return n; }
`

// unmodelled are functions ctype cannot take; pahole 1.24 refuses the
// _Complex one outright, so only the DWARF tests add them.
const unmodelled = `
long f_knr(a) long a; { return a; }
double f_cplx(double _Complex z) { return __real__ z; }
long f_flex(struct fl s) { return s.n; }
`

// Expected findings on arm64/v6.18 with pahole 1.24 (no pahole skips for
// these shapes: 1.24 has no packed or register check, pahole.md §1).
var (
	wantDWARFMisread   = []string{"f_a16", "f_hfa", "f_int128", "f_stack", "f_tda"}
	wantDWARFAmbiguous = []string{"f_s16"}
	// BTF shows __int128 (a 16-byte INT) and doubles, but not aligned(16).
	wantBTFMisread   = []string{"f_hfa", "f_int128"}
	wantBTFAmbiguous = []string{"f_a16", "f_s16", "f_stack", "f_tda"}
	// Traceable: every function but f_big and the skips.
	wantTraceable = 16
)

func testTarget(t *testing.T) check.Target {
	t.Helper()
	tg, err := check.ParseTarget("arm64/v6.18", "1.24")
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// compile builds src with a real compiler: aarch64-linux-gnu-gcc or
// clang --target=aarch64-linux-gnu, -g -O2 -c.
func compile(t testing.TB, compiler, src string, extra ...string) string {
	t.Helper()
	return compileIn(t, t.TempDir(), compiler, src, extra...)
}

// compileIn builds src as dir/shapes.o, reproducibly: the compiler runs in
// dir on relative names and -fdebug-prefix-map maps dir to ".", so no byte
// of the object depends on where the temporary directory is (DWARF would
// otherwise record its path, and its length would move every later byte).
func compileIn(t testing.TB, dir, compiler, src string, extra ...string) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "shapes.c"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	flags := append([]string{"-g", "-O2", "-std=gnu17", "-w", "-fdebug-prefix-map=" + dir + "=.", "-c", "shapes.c", "-o", "shapes.o"}, extra...)
	var cmd *exec.Cmd
	switch compiler {
	case "gcc":
		gcc := toolchain.Require(t, toolchain.GCC)[0]
		cmd = exec.Command(gcc, flags...)
	case "clang":
		clang := toolchain.Require(t, toolchain.Clang)[0]
		cmd = exec.Command(clang, append([]string{"--target=aarch64-linux-gnu"}, flags...)...)
	case "x86_64-gcc":
		gcc := toolchain.Require(t, toolchain.X86GCC)[0]
		cmd = exec.Command(gcc, flags...)
	case "x86_64-clang":
		clang := toolchain.Require(t, toolchain.Clang)[0]
		cmd = exec.Command(clang, append([]string{"--target=x86_64-linux-gnu"}, flags...)...)
	default:
		t.Fatalf("compile: unknown compiler %q", compiler)
	}
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, out)
	}
	return filepath.Join(dir, "shapes.o")
}

// TestCompileIsPathIndependent: the objects the corrupt-input tests damage
// are the same bytes whatever the temporary directory is called, so the
// bytes they flip are the same on every machine.
func TestCompileIsPathIndependent(t *testing.T) {
	for _, compiler := range []string{"gcc", "clang"} {
		var first []byte
		for _, name := range []string{"d", "a-much-longer-temporary-directory-name-" + strings.Repeat("x", 60)} {
			dir := filepath.Join(t.TempDir(), name)
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(compileIn(t, dir, compiler, shapes))
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(data, []byte(dir)) {
				t.Errorf("%s: the object holds its directory %s", compiler, dir)
			}
			if first == nil {
				first = data
			} else if !bytes.Equal(first, data) {
				t.Errorf("%s: the object's bytes depend on the directory it was built in", compiler)
			}
		}
	}
}

// findings returns the function names with status s.
func findings(rep *Report, s Status) []string {
	var out []string
	for _, f := range rep.Targets[0].Findings {
		if f.Status == s {
			out = append(out, f.Func)
		}
	}
	sort.Strings(out)
	return out
}

func TestScanDWARF(t *testing.T) {
	for _, compiler := range []string{"gcc", "clang"} {
		t.Run(compiler, func(t *testing.T) {
			obj := compile(t, compiler, shapes+unmodelled)
			rep, err := File(obj, Options{Targets: []check.Target{testTarget(t)}})
			if err != nil {
				t.Fatal(err)
			}
			if got := findings(rep, Misread); !slices.Equal(got, wantDWARFMisread) {
				t.Errorf("misread:\n-want %v\n+got  %v", wantDWARFMisread, got)
			}
			if got := findings(rep, Ambiguous); !slices.Equal(got, wantDWARFAmbiguous) {
				t.Errorf("ambiguous:\n-want %v\n+got  %v", wantDWARFAmbiguous, got)
			}
			tr := rep.Targets[0]
			if tr.Traceable != wantTraceable {
				t.Errorf("traceable = %d, want %d", tr.Traceable, wantTraceable)
			}
			wantSkips := map[string]int{SkipVariadic: 1, SkipNoPrototype: 1, SkipComplex: 1, SkipFlexible: 1}
			for k, n := range wantSkips {
				if rep.Skipped[k] != n {
					t.Errorf("skipped %q = %d, want %d (all: %v)", k, rep.Skipped[k], n, rep.Skipped)
				}
			}
			// f_hfa needs a double: not reachable in arm64 kernel builds.
			if tr.MisreadUnreachable != 1 {
				t.Errorf("misread_unreachable = %d, want 1", tr.MisreadUnreachable)
			}
			for _, f := range tr.Findings {
				if f.Status == Misread && len(f.Args) == 0 {
					t.Errorf("%s: misread without an argument", f.Func)
				}
				for _, a := range f.Args {
					if a.ABI == "" || a.JIT == "" || a.ABI == a.JIT && f.Status == Misread {
						t.Errorf("%s arg %d: placements abi %q jit %q", f.Func, a.Index, a.ABI, a.JIT)
					}
				}
			}
			checkLocations(t, rep, compiler)
		})
	}
}

// TestScanDWARFX86: x86-64 objects from real gcc and clang. Where DWARF
// places a parameter at entry is the compiler's word; every such place
// must be where the System V oracle puts it.
func TestScanDWARFX86(t *testing.T) {
	tg, err := check.DefaultFor("x86_64")
	if err != nil {
		t.Fatal(err)
	}
	for _, compiler := range []string{"x86_64-gcc", "x86_64-clang"} {
		t.Run(compiler, func(t *testing.T) {
			obj := compile(t, compiler, shapes+unmodelled+x86Shapes)
			var notes bytes.Buffer
			rep, err := File(obj, Options{Notes: &notes})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Machine != "EM_X86_64" || len(rep.Targets) != 1 || rep.Targets[0].Target != tg.String() {
				t.Fatalf("machine %s, targets %v: want x86-64 and its default target %s (notes: %s)", rep.Machine, rep.Targets, tg, notes.String())
			}
			checkLocations(t, rep, strings.TrimPrefix(compiler, "x86_64-"))
			// Places the psABI 1.0 §3.2.3 rules fix, as DWARF reads them:
			// a 24-byte struct is MEMORY, on the stack at sp+0 (the first
			// eightbyte above the return address); a double is in xmm0;
			// the sixth integer argument is in r9, the seventh on the stack.
			want := map[string]string{
				"x86_mem/1": "sp+0-23", "x86_sse/0": "xmm0.0-7", "x86_seven/5": "r9.0-7", "x86_seven/6": "sp+0-7",
				// An unnamed bit-field does not align an x86-64 record
				// (psABI 1.0 §3.1.2 "Bit-Fields"): 2 bytes, one
				// INTEGER eightbyte (AArch64 would make it 4).
				"x86_unnamed/0": "rdi.0-1",
			}
			if compiler == "x86_64-clang" {
				// clang 14-19 describe stacked parameters relative to a
				// frame base set up by the prologue: not compared.
				delete(want, "x86_mem/1")
				delete(want, "x86_seven/6")
				// clang 14 writes the record as a DWARF expression.
				delete(want, "x86_unnamed/0")
			}
			f, err := os.Open(obj)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			df, err := openDWARF(obj, f)
			if err != nil {
				t.Fatal(err)
			}
			err = df.readUnits(func(u *unit) error {
				fs, err := u.functions()
				for _, fn := range fs {
					for i, p := range fn.Params {
						key := fn.Name + "/" + strconv.Itoa(i)
						if w, ok := want[key]; ok {
							if got := locString(p.DWARF); got != w {
								t.Errorf("%s: DWARF says %s (%s), want %s", key, got, p.Why, w)
							}
							delete(want, key)
						}
					}
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(want) > 0 {
				t.Errorf("DWARF gives no entry location for %v", want)
			}
		})
	}
}

// x86Shapes are functions whose places the psABI fixes by rule.
const x86Shapes = `
struct x86_big { long a, b, c; };
long x86_mem(long a0, struct x86_big a1) { return a0 + a1.c; }
double x86_sse(double a0) { return a0 * 2; }
long x86_seven(long a0, long a1, long a2, long a3, long a4, long a5, long a6) { return a5 + a6; }
struct x86_ub { char c; int :4; };
int x86_unnamed(struct x86_ub a0) { return a0.c; }
`

// checkLocations: every parameter DWARF places at entry agrees with the
// oracle (the compiler is the ground truth here), and most are compared.
func checkLocations(t *testing.T, rep *Report, compiler string) {
	t.Helper()
	lr := rep.Locations
	for _, d := range lr.Disagreements {
		t.Errorf("%s param %d %s %s: dwarf %s, oracle %s [%s]", d.Func, d.Param, d.Type, d.Name, d.DWARF, d.Oracle, d.Variant)
	}
	if lr.Compared != lr.Agree+lr.Disagree || lr.Params != lr.Compared+sum(lr.NotComparable) {
		t.Errorf("location counts do not add up: %+v", lr)
	}
	// GCC describes nearly every parameter at entry at -O2; clang leaves
	// more to frame-base-relative slots, which are not compared.
	min := lr.Params * 3 / 4
	if compiler == "clang" {
		min = lr.Params / 2
	}
	if lr.Compared < min {
		t.Errorf("only %d of %d parameters compared (not comparable: %v)", lr.Compared, lr.Params, lr.NotComparable)
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestScanBTF runs real pahole (-J --btf_gen_floats, as the kernel build
// does for pahole >= 1.21) on the compiled object and scans the BTF, in
// the ELF's .BTF section and as a detached raw file.
func TestScanBTF(t *testing.T) {
	obj := compile(t, "gcc", shapes)
	pahole := toolchain.Require(t, toolchain.Pahole)[0]
	raw := filepath.Join(t.TempDir(), "shapes.btf")
	for _, args := range [][]string{{"-J", "--btf_gen_floats", obj}, {"-J", "--btf_gen_floats", "--btf_encode_detached=" + raw, obj}} {
		if out, err := exec.Command(pahole, args...).CombinedOutput(); err != nil {
			t.Fatalf("pahole %v: %v\n%s", args, err, out)
		}
	}
	for _, c := range []struct{ name, path, input string }{{"elf", obj, InputBTF}, {"raw", raw, ""}} {
		t.Run(c.name, func(t *testing.T) {
			rep, err := File(c.path, Options{Targets: []check.Target{testTarget(t)}, Input: c.input})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Input != InputBTF {
				t.Fatalf("read as %s", rep.Input)
			}
			if got := findings(rep, Misread); !slices.Equal(got, wantBTFMisread) {
				t.Errorf("misread:\n-want %v\n+got  %v", wantBTFMisread, got)
			}
			if got := findings(rep, Ambiguous); !slices.Equal(got, wantBTFAmbiguous) {
				t.Errorf("ambiguous:\n-want %v\n+got  %v", wantBTFAmbiguous, got)
			}
			if tr := rep.Targets[0]; tr.Traceable != wantTraceable {
				t.Errorf("traceable = %d, want %d", tr.Traceable, wantTraceable)
			}
			// pahole encodes the variadic function with a last void
			// parameter; K&R, _Complex and flexible-array functions get a
			// FUNC too, whose types BTF spells differently.
			if rep.Skipped[SkipVariadic] != 1 {
				t.Errorf("skipped: %v, want one variadic", rep.Skipped)
			}
			for _, f := range rep.Targets[0].Findings {
				if f.Status != Ambiguous {
					continue
				}
				a := f.Args[0]
				if a.ABIAligned == "" || a.ABIAligned == a.ABI {
					t.Errorf("%s: the two readings place arg %d the same: %q", f.Func, a.Index, a.ABI)
				}
			}
		})
	}
}

// TestSplitDWARF: a unit built with -gsplit-dwarf keeps its types in a
// .dwo file the standard library cannot open; the scan counts it instead
// of failing.
func TestSplitDWARF(t *testing.T) {
	obj := compile(t, "gcc", "long f(long a) { return a; }\n", "-gsplit-dwarf", "-gdwarf-5")
	rep, err := File(obj, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Skipped[SkipSkeleton] != 1 || rep.Functions != 0 {
		t.Errorf("functions %d, skipped %v; want one skeleton unit", rep.Functions, rep.Skipped)
	}
}

// TestDWARFVersions: DWARF 4 (.debug_loc) and 5 give the same verdicts.
// With -gstrict-dwarf before version 5 there is no DW_AT_alignment (a
// DWARF 5 attribute), so aligned(16) is as invisible as in BTF: the
// verdicts are BTF's, and the entry locations of exactly the hidden
// 16-aligned records disagree with the oracle, which is how the scan
// shows what the types no longer say.
func TestDWARFVersions(t *testing.T) {
	for _, c := range []struct {
		flags          []string
		mis, amb, hide []string
	}{
		{[]string{"-gdwarf-4"}, wantDWARFMisread, wantDWARFAmbiguous, nil},
		{[]string{"-gdwarf-5"}, wantDWARFMisread, wantDWARFAmbiguous, nil},
		{[]string{"-gdwarf-4", "-gstrict-dwarf"}, wantBTFMisread, wantBTFAmbiguous, []string{"f_a16", "f_stack", "f_tda"}},
		{[]string{"-gdwarf-2", "-gstrict-dwarf"}, wantBTFMisread, wantBTFAmbiguous, []string{"f_a16", "f_stack", "f_tda"}},
	} {
		t.Run(strings.Join(c.flags, " "), func(t *testing.T) {
			obj := compile(t, "gcc", shapes, c.flags...)
			rep, err := File(obj, Options{Targets: []check.Target{testTarget(t)}})
			if err != nil {
				t.Fatal(err)
			}
			if got := findings(rep, Misread); !slices.Equal(got, c.mis) {
				t.Errorf("misread:\n-want %v\n+got  %v", c.mis, got)
			}
			if got := findings(rep, Ambiguous); !slices.Equal(got, c.amb) {
				t.Errorf("ambiguous:\n-want %v\n+got  %v", c.amb, got)
			}
			if c.hide == nil {
				checkLocations(t, rep, "gcc")
				return
			}
			var got []string
			for _, d := range rep.Locations.Disagreements {
				got = append(got, d.Func)
			}
			sort.Strings(got)
			if !slices.Equal(got, c.hide) {
				t.Errorf("location disagreements:\n-want %v\n+got  %v", c.hide, got)
			}
		})
	}
}

// TestScanSplitBTF: a module's BTF is split BTF on top of a base (here an
// object standing in for vmlinux), as pahole --btf_base writes it into the
// module's .BTF section. Expected: the __int128 after an int is misread
// (C.10, x2,x3 vs x1,x2), the 16-byte struct of longs is ambiguous.
func TestScanSplitBTF(t *testing.T) {
	pahole := toolchain.Require(t, toolchain.Pahole)[0]
	base := compile(t, "gcc", shapes)
	mod := compile(t, "gcc", `
struct s16 { long a; long b; };
long m_int128(int a, __int128 b) { return a + (long)b; }
long m_s16(int a, struct s16 s) { return a + s.a; }
`)
	for _, args := range [][]string{{"-J", "--btf_gen_floats", base}, {"-J", "--btf_gen_floats", "--btf_base=" + base, mod}} {
		if out, err := exec.Command(pahole, args...).CombinedOutput(); err != nil {
			t.Fatalf("pahole %v: %v\n%s", args, err, out)
		}
	}
	rep, err := File(mod, Options{Targets: []check.Target{testTarget(t)}, Input: InputBTF, Base: base})
	if err != nil {
		t.Fatal(err)
	}
	if got := findings(rep, Misread); !slices.Equal(got, []string{"m_int128"}) {
		t.Errorf("misread: %v, want [m_int128]", got)
	}
	if got := findings(rep, Ambiguous); !slices.Equal(got, []string{"m_s16"}) {
		t.Errorf("ambiguous: %v, want [m_s16]", got)
	}
	if rep.Functions != 2 {
		t.Errorf("%d functions, want the module's 2", rep.Functions)
	}
}

// With no target, a file is checked against its own architecture's newest
// model: an ELF file's machine says which, raw BTF says none and takes the
// host's, and Notes says so.
func TestDefaultTargetFollowsTheFile(t *testing.T) {
	pahole := toolchain.Require(t, toolchain.Pahole)[0]
	gcc := toolchain.Require(t, toolchain.GCC)[0]
	dir := t.TempDir()
	src := filepath.Join(dir, "f.c")
	if err := os.WriteFile(src, []byte("long f(long a, int b) { return a + b; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	host, err := arch.Host()
	if err != nil {
		t.Skip(err) // a host with no model: nothing to default to
	}
	x86gcc := toolchain.Require(t, toolchain.X86GCC)[0]
	for _, tc := range []struct{ name, cc, want string }{
		{"arm64.o", gcc, "arm64/"},
		{"x86.o", x86gcc, "x86_64/"},
	} {
		obj := filepath.Join(dir, tc.name)
		if out, err := exec.Command(tc.cc, "-g", "-O2", "-c", src, "-o", obj).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", tc.cc, err, out)
		}
		cmd := exec.Command(pahole, "-J", obj)
		cmd.Env = append(os.Environ(), "LLVM_OBJCOPY=llvm-objcopy")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("pahole -J: %v\n%s", err, out)
		}
		raw := obj + ".btf"
		if out, err := exec.Command(pahole, "--btf_encode_detached="+raw, obj).CombinedOutput(); err != nil {
			t.Fatalf("pahole: %v\n%s", err, out)
		}
		for _, c := range []struct{ path, want string }{{obj, tc.want}, {raw, host.Name + "/"}} {
			var notes bytes.Buffer
			rep, err := File(c.path, Options{Input: InputBTF, Notes: &notes, Workers: 1})
			if err != nil {
				t.Fatalf("%s: %v", c.path, err)
			}
			if len(rep.Targets) != 1 || !strings.HasPrefix(rep.Targets[0].Target, c.want) {
				t.Errorf("%s: targets %v, want one of %s", c.path, rep.Targets, c.want)
			}
			if !strings.Contains(notes.String(), "checking "+c.want) {
				t.Errorf("%s: notes %q do not say which target", c.path, notes.String())
			}
		}
	}
}
