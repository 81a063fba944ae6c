package ctype_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
	"github.com/trampfuzz/trampfuzz/toolchain"
)

// The layout truth test: ctype's sizes, alignments and offsets against
// what aarch64-linux-gnu-gcc and clang --target=aarch64-linux-gnu compute
// for the same C text.
var (
	layoutSeed  = flag.Int64("layout.seed", envInt("TRAMPFUZZ_LAYOUT_SEED", 1), "first rapid seed of the random records of TestLayoutMatchesCompilers (env TRAMPFUZZ_LAYOUT_SEED)")
	layoutCount = flag.Int("layout.n", int(envInt("TRAMPFUZZ_LAYOUT_N", 2000)), "number of random records of TestLayoutMatchesCompilers (env TRAMPFUZZ_LAYOUT_N)")
	layoutFuncs = flag.Int("layout.funcs", int(envInt("TRAMPFUZZ_LAYOUT_FUNCS", 500)), "number of random signatures (gen.Func) of TestLayoutMatchesCompilers (env TRAMPFUZZ_LAYOUT_FUNCS)")
	layoutKeep  = flag.String("layout.keep", os.Getenv("TRAMPFUZZ_LAYOUT_KEEP"), "write the generated C file to this path (env TRAMPFUZZ_LAYOUT_KEEP)")
)

func envInt(name string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return def
}

// layoutProfile draws records nested four deep, with every attribute.
var layoutProfile = gen.Profile{Floats: true, MaxDepth: 4, MaxMembers: 6}

// probeFile is one C file that checks many records, each in a function of
// its own so every record's tags (s1, s2, …) live in a block scope of
// their own: _Static_asserts of sizeof, _Alignof and offsetof, checked by
// -fsyntax-only, and a runtime check of every bit-field's bit offset and
// width (a bit-field has no offsetof): the object is zeroed, the field set
// to all ones, and the set bits must be exactly [BitOffset, BitOffset+Bits)
// in little-endian bit order.
type probeFile struct {
	src     bytes.Buffer
	line    int            // lines written so far
	owner   []int          // owner[line-1] is the case index of a line, -1 outside
	cases   []*ctype.Func  // case i checks the records of cases[i]
	asserts int            // _Static_asserts written
	bitsN   int            // bit-field runtime checks written
	skipped map[string]int // assertions left out, by exception name
}

func newProbeFile() *probeFile {
	pf := &probeFile{skipped: map[string]int{}}
	pf.emit(-1, `int printf(const char *, ...);
static int failures;
static void bitcheck(const char *what, const unsigned char *p, unsigned long size, long first, long bits) {
	long lo = -1, hi = -1, n = 0;
	for (unsigned long i = 0; i < size * 8; i++)
		if (p[i / 8] >> (i % 8) & 1) {
			if (lo < 0) lo = (long)i;
			hi = (long)i;
			n++;
		}
	if (lo != first || n != bits || hi - lo + 1 != bits) {
		printf("%s: bits %ld..%ld (%ld set), want %ld..%ld\n", what, lo, hi, n, first, first + bits - 1);
		failures++;
	}
}`)
	return pf
}

func (pf *probeFile) emit(owner int, text string) {
	text = strings.TrimSuffix(text, "\n")
	pf.src.WriteString(text)
	pf.src.WriteByte('\n')
	n := strings.Count(text, "\n") + 1
	for i := 0; i < n; i++ {
		pf.owner = append(pf.owner, owner)
	}
	pf.line += n
}

// member is one named member reached from a root record, through
// anonymous members and members of anonymous record type.
type member struct {
	path   string // C member designator: m3, m3.m0, m4[0].m1
	m      *ctype.Member
	align  int64 // DECL_ALIGN as ctype computes it
	bitOff int64 // from the root's start
}

// members lists every named member of r reachable without naming another
// record type, with bit offsets from the start of r plus base.
func members(r *ctype.Record, prefix string, base int64) []member {
	var out []member
	l := ctype.LayoutOf(r)
	for i := range r.Members {
		m := &r.Members[i]
		off := base + l.Fields[i].BitOffset
		if m.Name == "" {
			if !m.Bitfield {
				// C11 6.7.2.1p13: an anonymous member's members are members
				// of the enclosing record.
				out = append(out, members(ctype.Underlying(m.Type).(*ctype.Record), prefix, off)...)
			}
			continue
		}
		path := prefix + m.Name
		out = append(out, member{path: path, m: m, align: l.Fields[i].Align, bitOff: off})
		t := ctype.Underlying(m.Type)
		for {
			a, ok := t.(*ctype.Array)
			if !ok {
				break
			}
			path += "[0]"
			t = ctype.Underlying(a.Elem)
		}
		if inner, ok := t.(*ctype.Record); ok && inner.Name == "" {
			out = append(out, members(inner, path+".", off)...)
		}
	}
	return out
}

// layoutException is a documented difference between GCC's layout, which
// ctype models, and one compiler. Every assertion about a root type that
// the exception affects is left out for that compiler (and counted in the
// test log); TestLayoutExceptionsAreReal keeps a witness of each, so an
// exception that stops being true fails the tests.
type layoutException struct {
	name     string
	compiler string // the compiler that differs from ctype: "clang"
	why      string
	// affects reports whether root's layout may differ.
	affects func(root ctype.Type) bool
	// witness is C text whose _Static_asserts hold for GCC (ctype's
	// values) under #ifdef GCC_EXCEPTION and for the differing compiler
	// under #ifdef CLANG_EXCEPTION.
	witness string
}

var layoutExceptions = []layoutException{
	{
		name:     "bitfield-over-overaligned-typedef",
		compiler: "clang",
		why: `A bit-field whose declared type is a typedef aligned beyond its size (typedef short t
__attribute__((aligned(16)))): GCC's excess_unit_span (stor-layout.cc) compares units of the
type's alignment against TYPE_SIZE/align, which is 0, so it always moves the field to the
type's alignment; clang's ItaniumRecordLayoutBuilder::LayoutBitField moves it only when
(offset mod align) + width > sizeof(type) in bits, so mostly it does not.`,
		affects: func(root ctype.Type) bool {
			return hasBitfield(root, func(r *ctype.Record, i int, _ ctype.FieldLayout) bool {
				m := &r.Members[i]
				return !(m.Packed || r.Packed) && ctype.Alignof(m.Type) > ctype.Sizeof(m.Type)
			})
		},
		witness: `typedef __int128 t1 __attribute__((aligned(64)));
struct w1 { char m0[11]; t1 m1 : 1; };
#ifdef GCC_EXCEPTION
_Static_assert(sizeof(struct w1) == 128, "gcc: m1 moved to byte 64");
#else
_Static_assert(sizeof(struct w1) == 64, "clang: m1 stays at byte 11");
#endif`,
	},
	{
		name:     "bitfield-integer-mode-over-underaligned-type",
		compiler: "clang",
		why: `A bit-field exactly as wide as an integer mode (8, 16, 32, 64, 128 bits) at a position
aligned to that width becomes an ordinary field of that mode in GCC's layout_decl, with
DECL_ALIGN = the width; when its declared type is aligned less than that (a typedef with a
lowering aligned(N)) the record's alignment rises to the width in GCC, not in clang.`,
		affects: func(root ctype.Type) bool {
			return hasBitfield(root, func(r *ctype.Record, i int, f ctype.FieldLayout) bool {
				m := &r.Members[i]
				return m.Bits > 0 && f.Align > max(m.Aligned, ctype.Alignof(m.Type))
			})
		},
		witness: `typedef int t2 __attribute__((aligned(1)));
struct w2 { t2 m0 : 16; };
#ifdef GCC_EXCEPTION
_Static_assert(_Alignof(struct w2) == 2, "gcc: HImode field, aligned 2");
#else
_Static_assert(_Alignof(struct w2) == 1, "clang: aligned as t2");
#endif`,
	},
	{
		name:     "bitfield-with-aligned-attribute",
		compiler: "clang",
		why: `A bit-field with aligned(N) on it: GCC's place_field first moves it to N, then applies
excess_unit_span at the new position; clang's LayoutBitField checks whether it fits its
storage unit at the old position and applies N only when it does, so the two can end up a
storage unit apart.`,
		affects: func(root ctype.Type) bool {
			return hasBitfield(root, func(r *ctype.Record, i int, _ ctype.FieldLayout) bool {
				m := &r.Members[i]
				return m.Aligned != 0 && !(m.Packed || r.Packed)
			})
		},
		witness: `struct w3 { long double m0; int m1; __int128 m2 : 82 __attribute__((aligned(8))); char m3; };
#ifdef GCC_EXCEPTION
_Static_assert(__builtin_offsetof(struct w3, m3) == 43, "gcc: m2 at bit 256");
#else
_Static_assert(__builtin_offsetof(struct w3, m3) == 35, "clang: m2 at bit 192");
#endif`,
	},
}

// hasBitfield reports whether a record in t (by value: members, arrays,
// typedefs) has a non-zero-width bit-field for which pred holds.
func hasBitfield(t ctype.Type, pred func(r *ctype.Record, i int, f ctype.FieldLayout) bool) bool {
	switch u := ctype.Underlying(t).(type) {
	case *ctype.Array:
		return hasBitfield(u.Elem, pred)
	case *ctype.Record:
		l := ctype.LayoutOf(u)
		for i, m := range u.Members {
			if m.Bitfield && m.Bits > 0 && pred(u, i, l.Fields[i]) {
				return true
			}
			if !m.Bitfield && hasBitfield(m.Type, pred) {
				return true
			}
		}
	}
	return false
}

// addCase writes the checks of one signature's records.
func (pf *probeFile) addCase(fn *ctype.Func) {
	i := len(pf.cases)
	pf.cases = append(pf.cases, fn)
	tag := "r" + strconv.Itoa(i)
	text := ctype.Render(&ctype.Func{Name: tag + "_f", Return: fn.Return, Params: fn.Params})
	pf.emit(i, "static void "+tag+"(void) {")
	pf.emit(i, text)
	var runtime []string
	var skipFor []string // compilers whose exceptions affect the current root
	check := func(cond string) {
		line := fmt.Sprintf("_Static_assert(%s, %q);", cond, tag+": "+cond)
		for _, c := range skipFor {
			line = "#ifndef " + strings.ToUpper(c) + "_EXCEPTION\n" + line + "\n#endif"
		}
		pf.emit(i, line)
		pf.asserts++
	}
	for _, root := range roots(fn) {
		skipFor = skipFor[:0]
		for _, e := range layoutExceptions {
			if e.affects(root) {
				skipFor = append(skipFor, e.compiler)
				pf.skipped[e.name]++
			}
		}
		name := ctype.TypeString(root)
		check(fmt.Sprintf("sizeof(%s) == %d", name, ctype.Sizeof(root)))
		check(fmt.Sprintf("_Alignof(%s) == %d", name, ctype.Alignof(root)))
		r, ok := ctype.Underlying(root).(*ctype.Record)
		if !ok {
			continue
		}
		obj := "((" + name + " *)0)->"
		for _, mb := range members(r, "", 0) {
			mb := mb
			if mb.m.Bitfield {
				v := "-1"
				if b, ok := ctype.Underlying(mb.m.Type).(*ctype.Basic); ok && b.Kind == ctype.Bool {
					v = "1"
				}
				line := fmt.Sprintf("\t{ %s x; __builtin_memset(&x, 0, sizeof x); x.%s = %s; bitcheck(%q, (const unsigned char *)&x, sizeof x, %d, %d); }",
					name, mb.path, v, tag+": "+name+"."+mb.path, mb.bitOff, mb.m.Bits)
				for _, c := range skipFor {
					line = "#ifndef " + strings.ToUpper(c) + "_EXCEPTION\n" + line + "\n#endif"
				}
				runtime = append(runtime, line)
				pf.bitsN++
				continue
			}
			check(fmt.Sprintf("__builtin_offsetof(%s, %s) == %d", name, mb.path, mb.bitOff/8))
			check(fmt.Sprintf("sizeof(%s%s) == %d", obj, mb.path, ctype.Sizeof(mb.m.Type)))
			check(fmt.Sprintf("_Alignof(__typeof__(%s%s)) == %d", obj, mb.path, ctype.Alignof(mb.m.Type)))
			check(fmt.Sprintf("__alignof__(%s%s) == %d", obj, mb.path, mb.align))
		}
	}
	for _, l := range runtime {
		pf.emit(i, l)
	}
	pf.emit(i, "}")
}

// roots are the types a case can name: named records, enums and typedefs.
func roots(fn *ctype.Func) []ctype.Type {
	var out []ctype.Type
	seen := map[ctype.Type]bool{}
	var walk func(t ctype.Type)
	walk = func(t ctype.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		switch t := t.(type) {
		case *ctype.Pointer:
			if r, ok := t.Elem.(*ctype.Record); !ok || !r.Incomplete {
				walk(t.Elem)
			}
		case *ctype.Array:
			walk(t.Elem)
		case *ctype.Typedef:
			walk(t.Type)
			out = append(out, t)
		case *ctype.Enum:
			if t.Name != "" {
				out = append(out, t)
			}
		case *ctype.Record:
			for _, m := range t.Members {
				walk(m.Type)
			}
			if t.Name != "" {
				out = append(out, t)
			}
		}
	}
	walk(fn.Return)
	for _, p := range fn.Params {
		walk(p.Type)
	}
	return out
}

func (pf *probeFile) finish() {
	pf.emit(-1, "int main(void) {")
	for i := range pf.cases {
		pf.emit(-1, "\tr"+strconv.Itoa(i)+"();")
	}
	pf.emit(-1, "\treturn failures != 0;\n}")
}

// compiler is one way of compiling the probe file.
type compiler struct {
	name string
	argv []string // without the file name
}

func layoutCompilers(t *testing.T) []compiler {
	paths := toolchain.Require(t, toolchain.GCC, toolchain.Clang)
	return []compiler{
		{"gcc", []string{paths[0], "-std=gnu11", "-w", "-fmax-errors=0", "-DGCC_EXCEPTION"}},
		{"clang", []string{paths[1], "--target=aarch64-linux-gnu", "-std=gnu11", "-w", "-ferror-limit=0", "-DCLANG_EXCEPTION"}},
	}
}

var caseMarker = regexp.MustCompile(`\br(\d+)\b`)

// report maps compiler diagnostics or runtime output back to the cases
// they concern and prints each case's canonical C once.
func (pf *probeFile) report(t *testing.T, who, output, file string) {
	t.Helper()
	byCase := map[int][]string{}
	lineRef := regexp.MustCompile(regexp.QuoteMeta(filepath.Base(file)) + `:(\d+):`)
	last := -1 // a line without a position continues the previous message
	for _, l := range strings.Split(output, "\n") {
		if l == "" {
			continue
		}
		c := last
		if m := lineRef.FindStringSubmatch(l); m != nil {
			c = -1
			if n, _ := strconv.Atoi(m[1]); n >= 1 && n <= len(pf.owner) {
				c = pf.owner[n-1]
			}
		} else if m := caseMarker.FindStringSubmatch(l); m != nil {
			c, _ = strconv.Atoi(m[1])
		}
		if c < 0 && (strings.HasPrefix(strings.TrimSpace(l), "^") || strings.Contains(l, "errors generated") || strings.Contains(l, "In function")) {
			continue // caret lines and summaries of no particular case
		}
		last = c
		byCase[c] = append(byCase[c], l)
	}
	var keys []int
	for k := range byCase {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	shown := 0
	for _, k := range keys {
		if shown == 10 {
			t.Errorf("%s: … and %d more failing cases", who, len(keys)-shown)
			break
		}
		shown++
		msgs := byCase[k]
		if len(msgs) > 12 {
			msgs = append(msgs[:12], fmt.Sprintf("… %d more lines", len(byCase[k])-12))
		}
		if k < 0 || k >= len(pf.cases) {
			t.Errorf("%s:\n%s", who, strings.Join(msgs, "\n"))
			continue
		}
		t.Errorf("%s rejects ctype's layout of case r%d:\n%s\n%s", who, k, ctype.Render(pf.cases[k]), strings.Join(msgs, "\n"))
	}
}

// runLayoutProbe compiles pf with both compilers in parallel, first
// -fsyntax-only (the _Static_asserts), then to an executable run under
// qemu-aarch64 (the bit-fields).
func runLayoutProbe(t *testing.T, pf *probeFile) {
	t.Helper()
	comps := layoutCompilers(t)
	qemu := toolchain.Require(t, toolchain.QEMU)[0]
	dir := t.TempDir()
	file := filepath.Join(dir, "layout.c")
	if *layoutKeep != "" {
		file = *layoutKeep
	}
	if err := os.WriteFile(file, pf.src.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	type result struct {
		out string
		err error
	}
	run := func(stage string, argv func(c compiler) []string) []result {
		res := make([]result, len(comps))
		var wg sync.WaitGroup
		for i, c := range comps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a := argv(c)
				out, err := exec.CommandContext(context.Background(), a[0], a[1:]...).CombinedOutput()
				res[i] = result{string(out), err}
			}()
		}
		wg.Wait()
		return res
	}
	syntax := run("syntax", func(c compiler) []string { return append(append([]string{}, c.argv...), "-fsyntax-only", file) })
	failed := false
	for i, r := range syntax {
		if r.err != nil {
			failed = true
			pf.report(t, comps[i].name+" -fsyntax-only", r.out, file)
		}
	}
	if failed {
		return
	}
	build := run("build", func(c compiler) []string {
		a := append(append([]string{}, c.argv...), "-O0", "-o", filepath.Join(dir, "probe-"+c.name), file)
		if c.name == "clang" {
			a = append(a, "-fuse-ld=lld")
		}
		return a
	})
	for i, r := range build {
		if r.err != nil {
			t.Fatalf("building the bit-field probe with %s: %v\n%s", comps[i].name, r.err, r.out)
		}
	}
	for _, c := range comps {
		cmd := exec.Command(qemu, "-L", "/usr/aarch64-linux-gnu", filepath.Join(dir, "probe-"+c.name))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("the bit-field probe built by %s fails under qemu: %v", c.name, err)
			pf.report(t, c.name+" (bit-fields, run under qemu)", string(out), file)
		}
	}
}

// recordCase wraps a record into a signature, the unit Render writes.
func recordCase(r *ctype.Record) *ctype.Func {
	return &ctype.Func{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "a0", Type: r}}}
}

// TestLayoutMatchesCompilers checks ctype's layout of the records of
// testdata/*.c and examples/*.c and of ≥ 2,000 random records (gen.Record:
// nesting four deep, packed and aligned(N) on records, members and
// typedefs, bit-fields, arrays, unions, enums) against both compilers.
func TestLayoutMatchesCompilers(t *testing.T) {
	pf := newProbeFile()
	examples, _ := filepath.Glob(filepath.Join(moduleRoot(t), "examples", "*.c"))
	for _, file := range append(goldenInputs(t), examples...) {
		pf.addCase(parseFile(t, file))
	}
	fixed := len(pf.cases)
	g := gen.Record(layoutProfile)
	maxDepth := 0
	for i := 0; i < *layoutCount; i++ {
		r := g.Example(int(*layoutSeed) + i)
		maxDepth = max(maxDepth, ctype.Nesting(r))
		fn := recordCase(r)
		if err := ctype.Check(fn); err != nil {
			t.Fatalf("gen.Record (seed %d) drew an invalid record: %v\n%s", int(*layoutSeed)+i, err, ctype.Render(fn))
		}
		pf.addCase(fn)
	}
	// Whole signatures too: their canonical text must compile, and their
	// records are checked like the others.
	gf := gen.Func(gen.Full)
	for i := 0; i < *layoutFuncs; i++ {
		pf.addCase(gf.Example(int(*layoutSeed) + i))
	}
	if *layoutCount >= 2000 && maxDepth < 3 {
		t.Errorf("records nest only %d deep; want ≥ 3", maxDepth)
	}
	pf.finish()
	t.Logf("%d example files, %d random records and %d random signatures (seeds from %d), %d static assertions, %d bit-field checks, nesting up to %d; exceptions applied: %v",
		fixed, *layoutCount, *layoutFuncs, *layoutSeed, pf.asserts, pf.bitsN, maxDepth, pf.skipped)
	runLayoutProbe(t, pf)
	if t.Failed() {
		t.Logf("re-run with -layout.seed=%d -layout.n=%d -layout.funcs=%d; keep the C file with -layout.keep=FILE", *layoutSeed, *layoutCount, *layoutFuncs)
	}
}

// TestLayoutExceptionsAreReal compiles each exception's witness: GCC must
// give ctype's value and the other compiler its own. An exception that no
// longer holds (a compiler changed) fails here and should be removed.
func TestLayoutExceptionsAreReal(t *testing.T) {
	comps := layoutCompilers(t)
	for _, e := range layoutExceptions {
		t.Run(e.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "witness.c")
			if err := os.WriteFile(file, []byte(e.witness+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, c := range comps {
				a := append(append([]string{}, c.argv...), "-fsyntax-only", file)
				if out, err := exec.Command(a[0], a[1:]...).CombinedOutput(); err != nil {
					t.Errorf("%s: the witness of %q does not hold: %v\n%s\nwhy the exception exists:\n%s", c.name, e.name, err, out, e.why)
				}
			}
		})
	}
	// The witnesses' GCC side is ctype's own answer.
	for _, src := range []string{
		"typedef __int128 t1 __attribute__((aligned(64)));\nstruct w1 { char m0[11]; t1 m1 : 1; };\nvoid f(struct w1 a0);\n",
		"typedef int t2 __attribute__((aligned(1)));\nstruct w2 { t2 m0 : 16; };\nvoid f(struct w2 a0);\n",
		"struct w3 { long double m0; int m1; __int128 m2 : 82 __attribute__((aligned(8))); char m3; };\nvoid f(struct w3 a0);\n",
	} {
		fn, err := ctype.Parse("witness.c", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		r := fn.Params[0].Type.(*ctype.Record)
		l := ctype.LayoutOf(r)
		var got string
		switch r.Name {
		case "w1":
			got = fmt.Sprintf("sizeof %d", l.Size)
		case "w2":
			got = fmt.Sprintf("_Alignof %d", l.Align)
		case "w3":
			got = fmt.Sprintf("offsetof m3 %d", l.Fields[3].Offset)
		}
		want := map[string]string{"w1": "sizeof 128", "w2": "_Alignof 2", "w3": "offsetof m3 43"}[r.Name]
		if got != want {
			t.Errorf("ctype's layout of %s: %s, want GCC's %s", r.Name, got, want)
		}
	}
}

// TestLayoutProbeDetectsWrongLayout makes sure the probe fails when a
// claim is wrong: a static assertion and a bit-field check, each off by
// one, must be rejected by both compilers.
func TestLayoutProbeDetectsWrongLayout(t *testing.T) {
	comps := layoutCompilers(t)
	qemu := toolchain.Require(t, toolchain.QEMU)[0]
	dir := t.TempDir()
	src := newProbeFile()
	src.emit(0, `struct s1 { char m0; int m1 : 3; long m2; };
static void r0(void) {
	_Static_assert(__builtin_offsetof(struct s1, m2) == 8, "r0: true claim");
	{ struct s1 x; __builtin_memset(&x, 0, sizeof x); x.m1 = -1; bitcheck("r0: wrong bit offset", (const unsigned char *)&x, sizeof x, 9, 3); }
}
int main(void) { r0(); return failures != 0; }`)
	file := filepath.Join(dir, "wrong.c")
	if err := os.WriteFile(file, src.src.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.c")
	if err := os.WriteFile(bad, []byte(`struct s1 { char m0; long m1; };
_Static_assert(__builtin_offsetof(struct s1, m1) == 4, "wrong claim");
`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range comps {
		a := append(append([]string{}, c.argv...), "-fsyntax-only", bad)
		if out, err := exec.Command(a[0], a[1:]...).CombinedOutput(); err == nil || !strings.Contains(string(out), "wrong claim") {
			t.Errorf("%s accepted a wrong _Static_assert (err %v):\n%s", c.name, err, out)
		}
		exe := filepath.Join(dir, "wrong-"+c.name)
		a = append(append([]string{}, c.argv...), "-O0", "-o", exe, file)
		if c.name == "clang" {
			a = append(a, "-fuse-ld=lld")
		}
		if out, err := exec.Command(a[0], a[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", c.name, err, out)
		}
		out, err := exec.Command(qemu, "-L", "/usr/aarch64-linux-gnu", exe).CombinedOutput()
		// m1 is at bits 8..10 (GCC and AAPCS64 agree); the probe claims 9.
		if err == nil || !strings.Contains(string(out), "r0: wrong bit offset: bits 8..10 (3 set), want 9..11") {
			t.Errorf("%s: the bit-field check did not catch a wrong offset (err %v): %q", c.name, err, out)
		}
	}
}
