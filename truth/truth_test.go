package truth_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/toolchain"
	"github.com/trampfuzz/trampfuzz/truth"
)

// requireAll fails the test (never skips) when a tool is missing.
func requireAll(t testing.TB) {
	t.Helper()
	toolchain.Require(t, toolchain.GCC, toolchain.Clang, toolchain.QEMU, toolchain.Tool{Name: "ld.lld", Package: "lld"})
}

func parse(t testing.TB, src string) *ctype.Func {
	t.Helper()
	fn, err := ctype.Parse("case.c", []byte(src))
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return fn
}

// locs expands folded runs, "x2.0-7 x3.0-7" or "ref(x1)+0-23", into one
// location per byte.
func locs(t testing.TB, s string) []loc.Loc {
	t.Helper()
	var out []loc.Loc
	for _, f := range strings.Fields(s) {
		first, last := f, ""
		if i := strings.LastIndexByte(f, '-'); i > 0 {
			first, last = f[:i], f[i+1:]
		}
		l, err := loc.Parse(first)
		if err != nil {
			t.Fatalf("%q: %v", f, err)
		}
		n := 1
		if last != "" {
			end, err := strconv.Atoi(last)
			if err != nil || end < int(l.Off) {
				t.Fatalf("bad run %q", f)
			}
			n = end - int(l.Off) + 1
		}
		out = append(out, loc.Contiguous(l, n)...)
	}
	return out
}

func placement(t testing.TB, fn *ctype.Func, args []string) loc.Placement {
	t.Helper()
	p := loc.Placement{Func: fn.Name}
	for i, a := range args {
		bytes := locs(t, a)
		if want := int(ctype.Sizeof(fn.Params[i].Type)); len(bytes) != want {
			t.Fatalf("a%d: %d locations written for a %d-byte argument", i, len(bytes), want)
		}
		p.Args = append(p.Args, loc.Arg{Index: i, Type: ctype.TypeString(fn.Params[i].Type), Size: len(bytes), Bytes: bytes})
	}
	return p
}

// The placements below are written from the AAPCS64 rule text (release
// 2025Q4, "Parameter passing rules"; ../shared/reference/aapcs64.md §5 and
// the worked examples of §8), not from this package's output. Each case
// also names a placement the rules exclude, which the observation must
// reject, so a harness that sees everything everywhere cannot pass.
var abiCases = []struct {
	name  string
	src   string
	want  []string // per argument, folded runs
	wrong []string // a placement a rule forbids
}{
	{
		// C.9: int in x0 (NGRN 1). C.10: __int128 is 16-aligned, NGRN
		// rounds up to 2. C.11: x2 (lower half), x3. Worked example
		// test_align-3 f(int, int, int, __int128, int): x4:x5.
		name:  "int then __int128: even pair x2:x3",
		src:   "void f(int a, __int128 b);",
		want:  []string{"x0.0-3", "x2.0-7 x3.0-7"},
		wrong: []string{"x0.0-3", "x1.0-7 x2.0-7"},
	},
	{
		// §4: three floats, no padding: an HFA of 3 (B.3 keeps it by
		// value). C.2: each member in its own register v0, v1, v2, in
		// the low 4 bytes.
		name:  "HFA of three floats: v0-v2",
		src:   "struct h { float a; float b; float c; };\nvoid f(struct h a);",
		want:  []string{"v0.0-3 v1.0-3 v2.0-3"},
		wrong: []string{"x0.0-7 x1.0-3"},
	},
	{
		// B.4: a non-homogeneous composite larger than 16 bytes is
		// copied and replaced by a pointer to the copy, which C.9 puts
		// in the next GPR, x1 after the int in x0.
		name:  "24-byte struct: by reference in x1",
		src:   "struct s { long a; long b; long c; };\nvoid f(int x, struct s a);",
		want:  []string{"x0.0-3", "ref(x1)+0-23"},
		wrong: []string{"x0.0-3", "x1.0-7 x2.0-7 x3.0-7"},
	},
	{
		// C.9 fills x0–x7 with a0–a7; a8 goes to the stack (C.16, C.17:
		// sp+0, 8 bytes). a9: C.13 sets NGRN to 8, C.14 rounds NSAA from
		// 8 up to 16 (natural alignment 16), C.17: sp+16..31.
		name: "nine longs then __int128: sp+16",
		src:  "void f(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7, long a8, __int128 a9);",
		want: []string{"x0.0-7", "x1.0-7", "x2.0-7", "x3.0-7", "x4.0-7", "x5.0-7", "x6.0-7", "x7.0-7",
			"sp+0-7", "sp+16-31"},
		wrong: []string{"x0.0-7", "x1.0-7", "x2.0-7", "x3.0-7", "x4.0-7", "x5.0-7", "x6.0-7", "x7.0-7",
			"sp+0-7", "sp+8-23"},
	},
	{
		// §3, §6 item 8: packed lowers the members' alignment to 1, so
		// the natural alignment is 1 and C.10 does not apply. B.5: size
		// 9 rounds up to 16; C.12: two GPRs from NGRN = 1, x1 and x2, as
		// if loaded by LDRs from memory (byte 8 in x2's low byte).
		name:  "packed {char; long} after int: x1:x2, no even pair",
		src:   "struct p { char a; long b; } __attribute__((packed));\nvoid f(int x, struct p a);",
		want:  []string{"x0.0-3", "x1.0-7 x2.0"},
		wrong: []string{"x0.0-3", "x2.0-7 x3.0"},
	},
	{
		// §3: aligned(16) on a member makes the member alignment, and so
		// the natural alignment, 16; B.6 copy alignment 16; C.10 rounds
		// NGRN from 1 to 2; C.12: x2, x3. (aapcs64.md §3, "struct A".)
		name:  "member aligned(16) after int: even pair x2:x3",
		src:   "struct q { long a __attribute__((aligned(16))); };\nvoid f(int x, struct q b);",
		want:  []string{"x0.0-3", "x2.0-7 x3.0-7"},
		wrong: []string{"x0.0-3", "x1.0-7 x2.0-7"},
	},
	{
		// §3 "struct B": aligned(16) on the record is an adjustment of
		// the entire composite, which the natural alignment excludes: 8,
		// so no even pair; sizeof is 16, so C.12 gives x1, x2.
		name:  "record-level aligned(16) after long: x1:x2",
		src:   "struct b { long a; } __attribute__((aligned(16)));\nvoid f(long x, struct b c);",
		want:  []string{"x0.0-7", "x1.0-7 x2.0-7"},
		wrong: []string{"x0.0-7", "x2.0-7 x3.0-7"},
	},
	{
		// C.3: an HFA that does not fit the remaining v registers sets
		// NSRN to 8 and goes to the stack whole (C.4 8-aligned, C.6);
		// so the last double also goes to the stack though v6, v7 are
		// free. Worked example test_align-4 / test_11: f(double, Z, Z,
		// double) with Z = {double[4]}: d0, v1-v4, [sp+0..32), [sp+32].
		// The wrong placement forgets C.3 and puts d in v5, which both
		// compilers' callers use to store d to the stack: only the
		// callee-side pass tells the two apart.
		name:  "HFA overflow sets NSRN to 8 (C.3)",
		src:   "struct z { double a[4]; };\nvoid f(double a, struct z b, struct z c, double d);",
		want:  []string{"v0.0-7", "v1.0-7 v2.0-7 v3.0-7 v4.0-7", "sp+0-31", "sp+32-39"},
		wrong: []string{"v0.0-7", "v1.0-7 v2.0-7 v3.0-7 v4.0-7", "sp+0-31", "v5.0-7"},
	},
	{
		// C.9 fills x0–x6; C.10 rounds NGRN 7 to 8 for the __int128, so
		// C.13 leaves NGRN at 8 and C.14/C.17 put it at sp+0..15. The
		// 24-byte struct goes by reference (B.4); its pointer finds no
		// GPR left (NGRN = 8) and goes to the stack at sp+16 (C.16,
		// C.17). The wrong placement forgets C.13 and puts the pointer
		// in x7, where gcc's caller computes it.
		name: "by-reference pointer after C.13: ref(sp+16)",
		src: "struct s { long a; long b; long c; };\n" +
			"void f(int a0, int a1, int a2, int a3, int a4, int a5, int a6, __int128 a7, struct s a8);",
		want: []string{"x0.0-3", "x1.0-3", "x2.0-3", "x3.0-3", "x4.0-3", "x5.0-3", "x6.0-3",
			"sp+0-15", "ref(sp+16)+0-23"},
		wrong: []string{"x0.0-3", "x1.0-3", "x2.0-3", "x3.0-3", "x4.0-3", "x5.0-3", "x6.0-3",
			"sp+0-15", "ref(x7)+0-23"},
	},
	{
		// §2: _Bool and narrow integers go in the low bytes of x0… (C.9);
		// the five values make the harness use more than two runs.
		name:  "five _Bool then short",
		src:   "void f(_Bool a, _Bool b, _Bool c, _Bool d, _Bool e, short g);",
		want:  []string{"x0.0", "x1.0", "x2.0", "x3.0", "x4.0", "x5.0-1"},
		wrong: []string{"x1.0", "x0.0", "x2.0", "x3.0", "x4.0", "x5.0-1"},
	},
}

func TestABICases(t *testing.T) {
	requireAll(t)
	var fns []*ctype.Func
	for _, c := range abiCases {
		fns = append(fns, parse(t, c.src))
	}
	results, err := truth.Observe(context.Background(), fns, truth.Both)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range abiCases {
		t.Run(c.name, func(t *testing.T) {
			r := results[i]
			for _, cc := range truth.Both {
				if err := r.Errors[cc]; err != nil {
					t.Fatalf("%s: %v", cc, err)
				}
				o := r.Observations[cc]
				if o == nil {
					t.Fatalf("%s: no observation", cc)
				}
				if o.Compiler != cc || o.Func != "f" || len(o.Args) != len(c.want) {
					t.Fatalf("%s: observation of %s by %s with %d args", cc, o.Func, o.Compiler, len(o.Args))
				}
				if ms := o.Admits(placement(t, fns[i], c.want)); len(ms) > 0 {
					t.Errorf("%s does not admit the AAPCS64 placement:\n%s\nobserved:\n%s", cc, mismatches(ms), o)
				}
				if ms := o.Admits(placement(t, fns[i], c.wrong)); len(ms) == 0 {
					t.Errorf("%s admits a placement the rules exclude: %v\nobserved:\n%s", cc, c.wrong, o)
				}
			}
			if d := r.Divergence(); d != nil {
				t.Errorf("unexpected divergence:\n%s", d)
			}
		})
	}
}

func mismatches(ms []truth.Mismatch) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString("  " + m.String() + "\n")
	}
	return b.String()
}

// A signature ctype rejects costs only itself; the rest of the batch is
// observed.
func TestInvalidSignatureIsolated(t *testing.T) {
	requireAll(t)
	good := parse(t, "void f(long a);")
	bad := &ctype.Func{Name: "g", Return: ctype.TVoid, Params: []ctype.Param{{Type: &ctype.Record{Name: "r", Incomplete: true}}}}
	results, err := truth.Observe(context.Background(), []*ctype.Func{good, bad, nil, good}, []truth.Compiler{truth.GCC})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 3} {
		if results[i].Observations[truth.GCC] == nil {
			t.Errorf("signature %d: no observation: %v", i, results[i].Errors[truth.GCC])
		}
	}
	for _, i := range []int{1, 2} {
		var se *truth.SignatureError
		if !errors.As(results[i].Errors[truth.GCC], &se) || se.Stage != truth.StageCheck {
			t.Errorf("signature %d: error %v, want a check-stage SignatureError", i, results[i].Errors[truth.GCC])
		}
	}
}

// Temporary directories are removed once the observation is done.
func TestTempDirsRemoved(t *testing.T) {
	requireAll(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if _, err := truth.Observe(context.Background(), []*ctype.Func{parse(t, "void f(int a);")}, truth.Both); err != nil {
		t.Fatal(err)
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("left behind: %s", e.Name())
	}
}

func TestUnknownCompiler(t *testing.T) {
	_, err := truth.Observe(context.Background(), nil, []truth.Compiler{"icc"})
	if !errors.Is(err, truth.ErrUnknownCompiler) {
		t.Fatalf("error %v, want ErrUnknownCompiler", err)
	}
	if _, err := truth.ParseCompilers("tcc"); err == nil {
		t.Fatal("ParseCompilers accepted tcc")
	}
}

// With no PATH, Observe fails with an error that names the Debian package
// to install. Run in a child process: toolchain caches what it found.
func TestMissingToolchain(t *testing.T) {
	if os.Getenv("TRUTH_TEST_CHILD") == "1" {
		_, err := truth.Observe(context.Background(), []*ctype.Func{parse(t, "void f(int a);")}, truth.Both)
		if err == nil {
			os.Stdout.WriteString("no error\n")
			os.Exit(0)
		}
		os.Stdout.WriteString(err.Error() + "\n")
		if errors.Is(err, toolchain.ErrMissing) {
			os.Exit(7)
		}
		os.Exit(8)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMissingToolchain$")
	cmd.Env = append(os.Environ(), "TRUTH_TEST_CHILD=1", "PATH=")
	out, err := cmd.Output()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 7 {
		t.Fatalf("child: %v, output %q; want exit 7 (an error wrapping toolchain.ErrMissing)", err, out)
	}
	for _, want := range []string{"aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("error %q does not name %q", out, want)
		}
	}
}

func TestAdmitsAndDiverge(t *testing.T) {
	x := func(s string) []loc.Loc { return locs(t, s) }
	obs := &truth.Observation{Func: "f", Compiler: truth.GCC, Args: []truth.ArgBytes{
		{Index: 0, Type: "short", Size: 2, Bytes: [][]loc.Loc{x("x0.0 sp+8"), x("x0.1")}},
	}}
	p := loc.Placement{Func: "f", Args: []loc.Arg{{Index: 0, Size: 2, Bytes: x("sp+8 x0.1")}}}
	if ms := obs.Admits(p); len(ms) != 0 {
		t.Errorf("Admits(%v) = %v, want none", p, ms)
	}
	p.Args[0].Bytes = x("x1.0-1")
	if ms := obs.Admits(p); len(ms) != 2 {
		t.Errorf("Admits(x1.0-1) = %v, want 2 mismatches", ms)
	}
	p.Args = append(p.Args, loc.Arg{Index: 1, Size: 1, Bytes: x("x2.0")})
	if ms := obs.Admits(p); len(ms) != 3 || ms[2].Arg != 1 || ms[2].Observed != nil {
		t.Errorf("an argument the observation lacks: %v", ms)
	}

	other := &truth.Observation{Func: "f", Compiler: truth.Clang, Args: []truth.ArgBytes{
		{Index: 0, Type: "short", Size: 2, Bytes: [][]loc.Loc{x("sp+8"), x("x0.1 v3.1")}},
	}}
	if d := truth.Diverge(obs, other); d != nil {
		t.Errorf("sets that share a location diverge: %v", d)
	}
	other.Args[0].Bytes[1] = x("v3.1")
	d := truth.Diverge(obs, other)
	if d == nil || len(d.Bytes) != 1 || d.Bytes[0].Byte != 1 {
		t.Fatalf("Diverge = %v, want byte 1", d)
	}
}

func TestFormatBytes(t *testing.T) {
	x := func(s string) []loc.Loc { return locs(t, s) }
	bytes := [][]loc.Loc{x("x1.0 sp+8"), x("x1.1 sp+9"), x("x2.0"), {}, x("ref(x3)+4")}
	if got, want := truth.FormatBytes(bytes), "x1.0-1|sp+8-9 x2.0 ? ref(x3)+4"; got != want {
		t.Errorf("FormatBytes = %q, want %q", got, want)
	}
}
