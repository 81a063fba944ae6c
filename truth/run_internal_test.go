package truth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/toolchain"
)

func newTestBatch(t *testing.T, c Compiler, fns []*ctype.Func) *batchRun {
	t.Helper()
	toolchain.Require(t, toolchain.GCC, toolchain.Clang, toolchain.QEMU, lld)
	tool, err := findCompiler(c)
	if err != nil {
		t.Fatal(err)
	}
	qemu, err := toolchain.Find(toolchain.QEMU)
	if err != nil {
		t.Fatal(err)
	}
	return &batchRun{compiler: c, tool: tool, qemu: qemu, sem: make(chan struct{}, 2), seed: 1, fns: fns}
}

func mustParse(t *testing.T, src string) *ctype.Func {
	t.Helper()
	fn, err := ctype.Parse("t.c", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return fn
}

// incomplete is a signature ctype.Check rejects but that reaches the
// compiler here (batchRun does not check): a struct declared and never
// defined, passed by value. Both compilers reject it.
func incomplete() *ctype.Func {
	return &ctype.Func{Name: "bad", Return: ctype.TVoid, Params: []ctype.Param{
		{Name: "a", Type: ctype.TLong},
		{Name: "b", Type: &ctype.Record{Name: "never_defined", Incomplete: true}},
	}}
}

func batchWithOneBad(t *testing.T, n, bad int) []*ctype.Func {
	var fns []*ctype.Func
	for i := 0; i < n; i++ {
		if i == bad {
			fns = append(fns, incomplete())
			continue
		}
		fns = append(fns, mustParse(t, "struct s { int a; char b; };\nvoid f(struct s a, long b, double c);"))
	}
	return fns
}

func checkOneBad(t *testing.T, b *batchRun, obs []*Observation, errs []error, bad int) {
	t.Helper()
	for i := range b.fns {
		if i == bad {
			var se *SignatureError
			if !errors.As(errs[i], &se) || se.Stage != StageCompile || !strings.Contains(se.Message, "never_defined") {
				t.Errorf("%s: signature %d: error %v, want a compile error naming the incomplete struct", b.compiler, i, errs[i])
			}
			continue
		}
		if errs[i] != nil || obs[i] == nil {
			t.Errorf("%s: signature %d: error %v, observation %v", b.compiler, i, errs[i], obs[i])
		}
	}
}

// The compiler's own line numbers take a bad signature out of its batch
// in one extra compile.
func TestBuildAttributesErrors(t *testing.T) {
	for _, c := range Both {
		b := newTestBatch(t, c, batchWithOneBad(t, 40, 17))
		obs, errs, err := b.run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		checkOneBad(t, b, obs, errs, 17)
		if b.nbuild != 2 {
			t.Errorf("%s: %d compiles, want 2", c, b.nbuild)
		}
	}
}

// Without the line numbers, bisection finds the bad signature in about
// 2·log2(n) compiles and keeps every other one.
func TestBuildBisects(t *testing.T) {
	b := newTestBatch(t, GCC, batchWithOneBad(t, 64, 37))
	b.attributeOff = true
	obs, errs, err := b.run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checkOneBad(t, b, obs, errs, 37)
	if b.nbuild > 2*6+1 {
		t.Errorf("%d compiles to find 1 bad signature in 64", b.nbuild)
	}
}

// A signature whose run dies is reported with the exit status; the runner
// restarts after it and the others are observed.
func TestRunRestartsAfterCrash(t *testing.T) {
	var fns []*ctype.Func
	for i := 0; i < 6; i++ {
		fns = append(fns, mustParse(t, "void f(int a, __int128 b);"))
	}
	b := newTestBatch(t, Clang, fns)
	b.corrupt = map[int]bool{2: true, 5: true}
	obs, errs, err := b.run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i := range fns {
		var se *SignatureError
		switch {
		case b.corrupt[i]:
			if !errors.As(errs[i], &se) || se.Stage != StageRun || !strings.Contains(se.Message, "exit status 5") {
				t.Errorf("signature %d: error %v, want a run error with exit status 5", i, errs[i])
			}
		case obs[i] == nil:
			t.Errorf("signature %d: no observation: %v", i, errs[i])
		}
	}
}

// Every byte of a signature gets its own tuple, no tuple is constant, and
// no value is 0x00 or 0xff (except the 0/1 tuples of _Bool arguments).
func TestPatternsDistinct(t *testing.T) {
	fn := mustParse(t, "struct big { long a[40]; };\nvoid f(_Bool a, _Bool b, _Bool c, struct big d, char e, __int128 g);")
	p := newPlan(fn, 3, nil)
	pt := makePatterns(p, 42)
	if pt.runs != 3 {
		t.Errorf("%d runs for 3 _Bool arguments, want 3 (2 runs give only 2 non-constant 0/1 tuples)", pt.runs)
	}
	seen := map[uint64]bool{}
	for j := range fn.Params {
		for b := 0; b < p.sizes[j]; b++ {
			var key uint64
			same := true
			for r := 0; r < pt.runs; r++ {
				v := pt.data[r][p.offsets[j]+b]
				key |= uint64(v) << (8 * r)
				if v != pt.data[0][p.offsets[j]+b] {
					same = false
				}
				if !ctype.IsBasic(fn.Params[j].Type, ctype.Bool) && (v == 0 || v == 0xff) {
					t.Fatalf("a%d byte %d: value %#x in run %d", j, b, v, r)
				}
			}
			if same || seen[key] {
				t.Fatalf("a%d byte %d: tuple %#x constant or reused", j, b, key)
			}
			seen[key] = true
			if pt.owner[key] != (argByte{j, b}) {
				t.Fatalf("a%d byte %d: owner %v", j, b, pt.owner[key])
			}
		}
	}
}

// Many signatures share one C file: tags, typedefs and enumerators are
// renamed per signature, and an anonymous record that is an unnamed member
// stays anonymous.
func TestRenameKeepsTextApart(t *testing.T) {
	src := "enum e { A = 1 };\ntypedef long T;\nstruct s { struct { int x; int y; }; T t; enum e k; };\nvoid f(struct s a, struct { char c; } b, enum e c);"
	fn := mustParse(t, src)
	r := ctype.Render(renameFunc(fn, 7))
	for _, want := range []string{"enum t7_e { t7_A = 1 }", "typedef long t7_T;", "struct { int x; int y; };", "struct t7_anon1 { char c; }", "tf_callee_7("} {
		if !strings.Contains(r, want) {
			t.Errorf("renamed text lacks %q:\n%s", want, r)
		}
	}
	if ctype.Render(fn) != ctype.Render(mustParse(t, ctype.Render(fn))) {
		t.Error("renaming changed the original")
	}
}

// narrow keeps the location the receiver read when the caller put the byte
// there, keeps every candidate when the receiver's byte names no location,
// and fails when the receiver read a byte where the caller did not put it.
func TestNarrow(t *testing.T) {
	fn := mustParse(t, "void f(short a);")
	p := newPlan(fn, 0, nil)
	x0 := func(k int) loc.Loc { return loc.RegByte(loc.XReg(0), k) }
	rp := &recvPlan{arch: orARM64(nil), runs: 2, owner: map[uint64]loc.Loc{0x0201: x0(0), 0x0403: loc.Stack(8)}}
	obs := func() *Observation {
		return &Observation{Args: []ArgBytes{{Size: 2, Bytes: [][]loc.Loc{{x0(0), loc.Stack(8)}, {x0(1), loc.Stack(9)}}}}}
	}
	o := obs()
	// byte 0 read from x0.0; byte 1's tuple names nothing.
	if err := rp.narrow(p, [][]byte{{0x01, 0x77}, {0x02, 0x88}}, o); err != nil {
		t.Fatal(err)
	}
	if got := FormatBytes(o.Args[0].Bytes); got != "x0.0 x0.1|sp+9" {
		t.Errorf("narrowed to %q", got)
	}
	o = obs()
	rp.owner[0x0605] = loc.RegByte(loc.VReg(3), 1)
	if err := rp.narrow(p, [][]byte{{0x01, 0x05}, {0x02, 0x06}}, o); err == nil || !strings.Contains(err.Error(), "v3.1") {
		t.Errorf("a byte read where the caller did not put it: error %v", err)
	}
}
