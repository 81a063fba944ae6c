package report

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/trampfuzz/trampfuzz/capture"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
)

const (
	reproCallee = "tf_repro_callee"
	// reproValues: pattern bytes are 1..254, never 0x00 or 0xff, the bytes
	// zero and sign extension produce.
	reproValues = 254
)

// reproPlan is how repro.c lays out one case.
type reproPlan struct {
	fn      *ctype.Func // renamed: callee tf_repro_callee, tags prefixed tf_
	names   []string
	types   []string
	sizes   []int
	aligns  []int // _Alignof of each argument's type, by the case's architecture
	offsets []int // of each argument in a pattern row
	first   []int // flat index of each argument's byte 0
	patLen  int
	runs    int
	pat     [][]byte  // [run][patLen]
	abi     []loc.Loc // per flat byte
	jit     []loc.Loc
	// x87[i][b] marks byte b of argument i as byte 7 of a long double in
	// the x87 format, whose pattern keeps bit 7 set (a normal x87 number,
	// which fldt/fstpt copy unchanged); pad marks, per flat byte, the
	// bytes that hold no value, where the ABI may pass them nowhere (not
	// compared).
	x87 [][]bool
	pad []bool
}

// flatBytes lists the locations of every argument byte of pl in argument
// order, sizes[i] bytes for argument i (the zero Loc where pl has none).
func flatBytes(pl loc.Placement, sizes []int) []loc.Loc {
	var out []loc.Loc
	for i, size := range sizes {
		for b := 0; b < size; b++ {
			var l loc.Loc
			if i < len(pl.Args) && b < len(pl.Args[i].Bytes) {
				l = pl.Args[i].Bytes[b]
			}
			out = append(out, l)
		}
	}
	return out
}

func planRepro(c *Case) reproPlan {
	// The case's names get their own prefix, apart from repro.c's own tf_
	// names (a case's struct loc must not meet struct tf_loc, nor its
	// typedef t1 the argument typedef tf_t1).
	p := reproPlan{fn: ctype.Prefixed(c.Func, reproCallee, "tfc_", "TFC_")}
	lay := layoutsOf(c)
	if lay.Arch.LongDoubleBytes == 10 {
		p.x87 = ctype.X87IntegerBits(c.Func)
	}
	for _, pad := range ctype.PaddingBytes(c.Func, lay.Arch) {
		p.pad = append(p.pad, pad...)
	}
	if !textOf(c).padNowhere {
		clear(p.pad)
	}
	off, nbool, align, nbytes := 0, 0, 16, 0
	for i, prm := range c.Func.Params {
		name := prm.Name
		if name == "" {
			name = fmt.Sprintf("arg%d", i)
		}
		ta := int(lay.Alignof(prm.Type))
		a := max(16, ta)
		align = max(align, a)
		off = (off + a - 1) / a * a
		size := int(lay.Sizeof(prm.Type))
		p.aligns = append(p.aligns, ta)
		p.names = append(p.names, name)
		p.types = append(p.types, ctype.TypeString(prm.Type))
		p.sizes = append(p.sizes, size)
		p.offsets = append(p.offsets, off)
		p.first = append(p.first, nbytes)
		nbytes += size
		off += size
		if ctype.IsBasic(prm.Type, ctype.Bool) {
			nbool++
		}
	}
	p.abi, p.jit = flatBytes(*c.Verdict.ABI, p.sizes), flatBytes(*c.Verdict.JIT, p.sizes)
	p.patLen = max(16, (off+align-1)/align*align)

	// Every byte gets a tuple of values, one per run, that no other byte
	// has and whose values are not all equal, so nothing that is not
	// derived from the arguments matches. A top-level _Bool may only hold
	// 0 or 1: its tuples are distinct non-constant 0/1 patterns, and
	// there are enough runs for each to have its own.
	p.runs = 2
	for p.runs < 8 && 1<<p.runs-2 < nbool {
		p.runs++
	}
	h := fnv.New64a()
	h.Write([]byte(ctype.Render(c.Func)))
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x7472616d70))
	p.pat = make([][]byte, p.runs)
	for r := range p.pat {
		p.pat[r] = make([]byte, p.patLen)
	}
	used := map[string]bool{}
	boolMask := 1
	for i, prm := range c.Func.Params {
		for b := 0; b < p.sizes[i]; b++ {
			tuple := make([]byte, p.runs)
			if ctype.IsBasic(prm.Type, ctype.Bool) {
				for r := range tuple {
					tuple[r] = byte(boolMask >> r & 1)
				}
				boolMask++
			} else if p.x87 != nil && p.x87[i] != nil && p.x87[i][b] {
				// Bit 7 in every run: 128..254.
				for {
					same := true
					for r := range tuple {
						tuple[r] = byte(128 + rng.IntN(reproValues-127))
						same = same && tuple[r] == tuple[0]
					}
					if !same && !used[string(tuple)] {
						break
					}
				}
			} else {
				for {
					same := true
					for r := range tuple {
						tuple[r] = byte(1 + rng.IntN(reproValues))
						same = same && tuple[r] == tuple[0]
					}
					if !same && !used[string(tuple)] {
						break
					}
				}
			}
			used[string(tuple)] = true
			for r := range tuple {
				p.pat[r][p.offsets[i]+b] = tuple[r]
			}
		}
	}
	return p
}

// reading is one compiler's reading of the ABI that repro.c may be built
// with: the oracle variant that models it and the preprocessor test that
// picks it.
type reading struct {
	variant oracle.Variant
	// compiler names the releases ("gcc 9-12", "clang >= 16").
	compiler string
	cond     string
}

// compilerMajors are the releases readings asks the ABI about: every
// major version from the oldest the oracle checks describe (GCC 9.1, clang
// 14, older clang read as 14) to well past today's.
var compilerMajors = map[string][2]int{"gcc": {9, 40}, "clang": {14, 40}}

// readings are the compilers repro.c knows, from the ABI's own table
// (ABI.CompilerVariant): a run of major versions with one variant is one
// reading, its first run open below and its last open above.
func readings(abi oracle.ABI) []reading {
	var out []reading
	for _, cc := range []string{"gcc", "clang"} {
		macro, is := "__GNUC__", "!defined(__clang__)"
		if cc == "clang" {
			macro, is = "__clang_major__", "defined(__clang__)"
		}
		lo, hi := compilerMajors[cc][0], compilerMajors[cc][1]
		for from := lo; from <= hi; {
			v, err := abi.CompilerVariant(cc, from)
			if err != nil {
				break
			}
			to := from
			for to < hi {
				next, err := abi.CompilerVariant(cc, to+1)
				if err != nil || next.Name != v.Name {
					break
				}
				to++
			}
			cond, name := is, cc
			if from > lo {
				cond += fmt.Sprintf(" && %s >= %d", macro, from)
			}
			if to < hi {
				cond += fmt.Sprintf(" && %s <= %d", macro, to)
			}
			switch {
			case from == lo && to == hi:
			case from == lo:
				name += fmt.Sprintf(" <= %d", to)
			case to == hi:
				name += fmt.Sprintf(" >= %d", from)
			case from == to:
				name += fmt.Sprintf(" %d", from)
			default:
				name += fmt.Sprintf(" %d-%d", from, to)
			}
			out = append(out, reading{v, name, cond})
			from = to + 1
		}
	}
	return out
}

// reproKinds are repro.c's location kinds.
const (
	kindNone  = 0 // not passed (ABI) or not saved (JIT)
	kindGPR   = 1 // reg: the capture record's GPR slot
	kindFPR   = 2 // reg: its FPR slot
	kindStack = 3 // off: from sp+0
	kindRef   = 4 // by reference: not located by repro.c
)

// cLoc encodes a location for repro.c's tables: {kind, reg, off}.
func cLoc(s *capture.Stub, l loc.Loc) string {
	switch l.Kind {
	case loc.InReg:
		if i := slices.Index(s.GPRs, l.Reg); i >= 0 {
			return fmt.Sprintf("{%d,%d,%d}", kindGPR, i, l.Off)
		}
		if i := slices.Index(s.FPRs, l.Reg); i >= 0 {
			return fmt.Sprintf("{%d,%d,%d}", kindFPR, i, l.Off)
		}
	case loc.OnStack:
		return fmt.Sprintf("{%d,0,%d}", kindStack, l.Off)
	case loc.ByRef:
		return fmt.Sprintf("{%d,0,0}", kindRef)
	}
	return "{0,0,0}"
}

func cString(s string) string { return strconv.Quote(s) }

// ReproC is repro.c: a self-contained C program that shows where the
// compiler really put every argument byte of the case and what the
// trampoline would read instead, for the case's architecture. It includes
// no header (so no name of the case can clash with one) and builds with gcc
// and clang; the case's architecture text gives the commands (AArch64:
// cross-compiled, run under qemu-aarch64; x86-64: native).
//
// The callee is the capture stub truth observes compilers with (package
// capture): it stores the argument registers, SP and the stack above SP.
// The caller fills every argument byte from a pattern table, once per run
// with different values, and a location holds an argument byte when it
// holds that byte's value in every run. Each compiler is checked against
// its own reading of the ABI (the oracle variant of its release), so a
// report stays true for compilers that read the ABI differently. With -v it
// also prints one line per argument byte with every location found.
func ReproC(c *Case) string {
	t := textOf(c)
	a := layoutsOf(c).Arch
	stub, err := capture.For(a)
	if err != nil {
		return fmt.Sprintf("/* repro.c: %v */\n", err) // a Case's architecture has a stub (capture's tests)
	}
	abi := c.Target.ABI.ABI()
	p := planRepro(c)
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	nbytes := len(p.abi)

	// The expected placement of each reading; readings that place every
	// byte alike share a table, the report's own first.
	rds := readings(abi)
	tables := [][]loc.Loc{p.abi}
	which := make([]int, len(rds))
	for r, rd := range rds {
		flat := p.abi
		if rd.variant.Name != c.Target.ABI.Name {
			if pl, err := rd.variant.Place(c.Func); err == nil {
				flat = flatBytes(pl, p.sizes)
			}
		}
		k := slices.IndexFunc(tables, func(t []loc.Loc) bool { return slices.Equal(t, flat) })
		if k < 0 {
			k = len(tables)
			tables = append(tables, flat)
		}
		which[r] = k
	}
	// The window reaches past every stack byte any table or the trampoline
	// names (a struct_ops base too high reads above the arguments), and 16
	// bytes more, to show what lies above.
	window := 16
	for _, t := range append(slices.Clone(tables), p.jit) {
		for _, l := range t {
			if l.Kind == loc.OnStack {
				window = max(window, int(l.Off)+1)
			}
		}
	}
	window = (window+15)/16*16 + 16

	w("/* repro.c: where does each argument of this function really arrive on %s?\n", a.Name)
	w(" * Generated by trampfuzz for %s\n", c.Verdict.Class)
	w(" *\n")
	for _, l := range strings.Split(strings.TrimRight(c.Verdict.C, "\n"), "\n") {
		w(" *   %s\n", l)
	}
	w(" *\n")
	w(" * Build and run:\n")
	for _, cmd := range t.reproCommands {
		w(" *   %s\n", cmd)
	}
	w(" * The callee is an assembly stub that records %s, %s and the stack at\n", regRange(stub.GPRs), regRange(stub.FPRs))
	w(" * entry. Every argument byte is filled with its own pattern (%d runs, different values\n", p.runs)
	w(" * each run); a register or stack byte holds an argument byte when it has that byte's value\n")
	w(" * in every run. Output: per argument, where its bytes were (%s.0-7 = bytes 0-7 of %s,\n", stub.GPRs[0], stub.GPRs[0])
	w(" * sp+16-31 = stack bytes from sp+0, the first stacked argument), checked against %s as\n", t.abi)
	w(" * this compiler reads it and against where the %s trampoline reads them.\n", c.Target.KernelName())
	if t.padNowhere {
		w(" * Bytes that hold no value (padding, bytes 10-15 of a long double) are not checked.\n")
	}
	w(" * Bytes %s does not pass, or passes by reference, are not checked.\n", t.abi)
	w(" * Exit status 0: the compiler put every byte where %s says and the trampoline\n", t.abi)
	w(" * reads some byte from elsewhere (the report is confirmed); 1 otherwise. -v: every byte. */\n\n")

	w("int printf(const char *, ...);\n\n")
	w("/* The case, with tags prefixed tfc_ and the function named %s. */\n", reproCallee)
	w("%s\n", ctype.Render(p.fn))
	for i, prm := range p.fn.Params {
		w("typedef %s;\n", ctype.Declarator(prm.Type, fmt.Sprintf("tf_t%d", i)))
		w("_Static_assert(sizeof(tf_t%d) == %d && _Alignof(tf_t%d) == %d, \"%s: the compiler lays out %s differently from trampfuzz\");\n",
			i, p.sizes[i], i, p.aligns[i], p.names[i], strings.ReplaceAll(p.types[i], `"`, `'`))
	}
	w("\n#define TF_NARGS %d\n#define TF_NBYTES %d\n#define TF_RUNS %d\n#define TF_PATLEN %d\n#define TF_WIN %d\n", len(p.sizes), nbytes, p.runs, p.patLen, window)
	w("#define TF_NGPR %d\n#define TF_NFPR %d\n", len(stub.GPRs), len(stub.FPRs))
	w("#define TF_GPROFF %d\n#define TF_FPROFF %d\n#define TF_CAPWIN %d\n#define TF_CAPLEN %d\n", capture.GPROff, capture.FPROff, capture.WindowOff, capture.Size(window))
	w("#define TF_ABI %s\n\n", cString(t.abi))

	names := func(regs []loc.Reg) string {
		var out []string
		for _, r := range regs {
			out = append(out, cString(r.String()))
		}
		return strings.Join(out, ", ")
	}
	w("static const char *const tf_gpr_name[TF_NGPR] = { %s };\n", names(stub.GPRs))
	w("static const char *const tf_fpr_name[TF_NFPR] = { %s };\n", names(stub.FPRs))
	w("static const char *const tf_arg_name[TF_NARGS + 1] = {")
	for _, n := range p.names {
		w(" %s,", cString(n))
	}
	w(" 0 };\nstatic const char *const tf_arg_type[TF_NARGS + 1] = {")
	for _, t := range p.types {
		w(" %s,", cString(t))
	}
	w(" 0 };\nstatic const unsigned short tf_arg_first[TF_NARGS + 1] = {")
	for _, f := range p.first {
		w(" %d,", f)
	}
	w(" %d };\n", nbytes)
	w("/* Where each argument's bytes start in a pattern row. */\nstatic const unsigned short tf_arg_pat[TF_NARGS + 1] = {")
	for _, o := range p.offsets {
		w(" %d,", o)
	}
	w(" 0 };\n")
	w("/* 1: the byte holds no value and may be passed nowhere (padding, bytes 10-15 of a long double): not checked. */\n")
	w("static const unsigned char tf_pad[TF_NBYTES + 1] = {")
	for i, pad := range p.pad {
		if i%32 == 0 {
			w("\n\t")
		}
		if pad {
			w("1,")
		} else {
			w("0,")
		}
	}
	w("0 };\n")
	w("/* Locations {kind, reg, byte}: kind 1 = tf_gpr_name[reg], 2 = tf_fpr_name[reg], 3 = sp (byte = offset),\n")
	w("   4 = by reference (not located), 0 = none. */\n")
	w("struct tf_loc { unsigned char kind, reg; unsigned short off; };\n")
	table := func(name string, locs []loc.Loc) {
		w("static const struct tf_loc %s[TF_NBYTES + 1] = {", name)
		for i, l := range locs {
			if i%8 == 0 {
				w("\n\t")
			}
			w("%s, ", cLoc(stub, l))
		}
		w("{0,0,0} };\n")
	}
	w("/* Where %s puts each argument byte (kind 0: it does not pass it), as this compiler reads it. */\n", t.abi)
	for k, tbl := range tables {
		var conds []string
		for r, rd := range rds {
			if which[r] == k {
				conds = append(conds, "("+rd.cond+")")
			}
		}
		if len(conds) == 0 {
			continue
		}
		w("#if %s\n", strings.Join(conds, " || "))
		if k == 0 {
			w("/* The report's placement (trampfuzz's %s oracle). */\n", c.Target.ABI.Name)
		}
		table("tf_abi", tbl)
		w("#endif\n")
	}
	for _, rd := range rds {
		w("#if %s\n#define TF_READING \"%s (%s)\"\n#endif\n", rd.cond, rd.variant.Name, rd.compiler)
	}
	w("/* Where the %s trampoline reads each argument byte (kind 0: it never saves it). */\n", c.Target.Kernel)
	table("tf_jit", p.jit)
	w("/* The argument bytes of each run. */\n")
	w("static const unsigned char tf_pat[TF_RUNS][TF_PATLEN] __attribute__((aligned(16))) = {\n")
	for _, row := range p.pat {
		w("\t{")
		for i, v := range row {
			if i%16 == 0 {
				w("\n\t\t")
			}
			w("%d,", v)
		}
		w("\n\t},\n")
	}
	w("};\n\n")

	w("static void __attribute__((noinline)) tf_call(int run)\n{\n\tconst unsigned char *p = tf_pat[run];\n")
	var args []string
	for i := range p.fn.Params {
		w("\ttf_t%d a%d;\n\t__builtin_memcpy(&a%d, p + %d, sizeof a%d);\n", i, i, i, p.offsets[i], i)
		args = append(args, fmt.Sprintf("a%d", i))
	}
	w("\t%s(%s);\n", reproCallee, strings.Join(args, ", "))
	w("\t__asm__ volatile(\"\" ::: \"memory\"); /* a real call, not a tail call: the frame stays live */\n}\n\n")
	w("/* The capture stub (the one trampfuzz truth observes compilers with). */\n")
	b.WriteString(stub.Asm([]string{reproCallee}, capture.Window{Bytes: window}))
	b.WriteString("\n" + capture.ScrubC(4096))
	b.WriteString(reproRuntime)
	return b.String()
}

// regRange names a register list by its ends: "x0-x7".
func regRange(regs []loc.Reg) string {
	if len(regs) == 0 {
		return "no registers"
	}
	return regs[0].String() + "-" + regs[len(regs)-1].String()
}

// reproRuntime is the fixed part of repro.c: the runs, the search and the
// report.
const reproRuntime = `
static unsigned char tf_caps[TF_RUNS][TF_CAPLEN];

/* The value of location l in run r; 0 when l is not captured. */
static int tf_value(int r, struct tf_loc l, unsigned char *v)
{
	switch (l.kind) {
	case 1: if (l.reg < TF_NGPR && l.off < 8) { *v = tf_caps[r][TF_GPROFF + 8 * l.reg + l.off]; return 1; } break;
	case 2: if (l.reg < TF_NFPR && l.off < 16) { *v = tf_caps[r][TF_FPROFF + 16 * l.reg + l.off]; return 1; } break;
	case 3: if (l.off < TF_WIN) { *v = tf_caps[r][TF_CAPWIN + l.off]; return 1; } break;
	}
	return 0;
}

static int tf_arg_of(int k)
{
	int arg = 0;
	while (tf_arg_first[arg + 1] <= k)
		arg++;
	return arg;
}

/* Whether l held argument byte k (flat index) in every run. */
static int tf_holds(struct tf_loc l, int k)
{
	int arg = tf_arg_of(k);
	for (int r = 0; r < TF_RUNS; r++) {
		unsigned char v;
		if (!tf_value(r, l, &v) || v != tf_pat[r][tf_arg_pat[arg] + k - tf_arg_first[arg]])
			return 0;
	}
	return 1;
}

/* The argument byte l held in every run, or -1. */
static int tf_owner(struct tf_loc l)
{
	for (int k = 0; k < TF_NBYTES; k++)
		if (tf_holds(l, k))
			return k;
	return -1;
}

static void tf_print_loc(struct tf_loc l, const char *none)
{
	switch (l.kind) {
	case 1: printf("%s.%d", tf_gpr_name[l.reg], l.off); break;
	case 2: printf("%s.%d", tf_fpr_name[l.reg], l.off); break;
	case 3: printf("sp+%d", l.off); break;
	case 4: printf("(by reference)"); break;
	default: printf("%s", none); break;
	}
}

static int tf_next(struct tf_loc a, struct tf_loc b)
{
	int width = a.kind == 1 ? 8 : a.kind == 2 ? 16 : 1 << 30;
	return (a.kind == 1 || a.kind == 2 || a.kind == 3) && a.kind == b.kind && a.reg == b.reg &&
	       b.off == a.off + 1 && b.off < width;
}

/* Prints locations folded into runs, as trampfuzz writes them: x2.0-7 sp+16-31;
   none names a run of bytes without a location. */
static void tf_print_runs(const struct tf_loc *ls, int n, const char *none)
{
	for (int i = 0; i < n;) {
		int j = i + 1;
		if (ls[i].kind == 0 || ls[i].kind == 4) {
			while (j < n && ls[j].kind == ls[i].kind)
				j++;
			printf(" (%s: %d byte%s)", ls[i].kind == 4 ? "by reference" : none, j - i, j - i > 1 ? "s" : "");
			i = j;
			continue;
		}
		while (j < n && tf_next(ls[j - 1], ls[j]))
			j++;
		printf(" ");
		tf_print_loc(ls[i], none);
		if (j - i > 1)
			printf("-%d", ls[j - 1].off);
		i = j;
	}
}

/* Prints argument bytes folded: a0.0-3 ?(4 bytes) a1.0-7 (? = no argument byte). */
static void tf_print_owners(const int *own, int n)
{
	for (int i = 0; i < n;) {
		int j = i + 1;
		if (own[i] < 0) {
			while (j < n && own[j] < 0)
				j++;
			printf(" ?(%d byte%s)", j - i, j - i > 1 ? "s" : "");
		} else {
			int arg = tf_arg_of(own[i]);
			while (j < n && own[j] == own[j - 1] + 1 && tf_arg_of(own[j]) == arg)
				j++;
			printf(" %s.%d", tf_arg_name[arg], own[i] - tf_arg_first[arg]);
			if (j - i > 1)
				printf("-%d", own[j - 1] - tf_arg_first[arg]);
		}
		i = j;
	}
}

int main(int argc, char **argv)
{
	int verbose = argc > 1 && argv[1][0] == '-' && argv[1][1] == 'v';
	static struct tf_loc prim[TF_NBYTES + 1], all[TF_WIN + 8 * TF_NGPR + 16 * TF_NFPR];
	static int own[TF_NBYTES + 1];
	int abi_missing = 0, jit_wrong = 0, checked = 0;

	for (int r = 0; r < TF_RUNS; r++) {
		tf_scrub();
		tf_call(r);
		__builtin_memcpy(tf_caps[r], tf_cap, TF_CAPLEN);
	}
	/* Every location the stub captured. */
	int nall = 0;
	for (int n = 0; n < TF_NGPR; n++)
		for (int k = 0; k < 8; k++)
			all[nall++] = (struct tf_loc){1, n, k};
	for (int n = 0; n < TF_NFPR; n++)
		for (int k = 0; k < 16; k++)
			all[nall++] = (struct tf_loc){2, n, k};
	for (int k = 0; k < TF_WIN; k++)
		all[nall++] = (struct tf_loc){3, 0, k};

#ifdef __clang__
	printf("compiler: %s\n", __VERSION__);
#else
	printf("compiler: gcc %s\n", __VERSION__);
#endif
	printf("reading: %s\n", TF_READING);
	printf("where each argument byte was at entry (%d runs):\n", TF_RUNS);
	for (int a = 0; a < TF_NARGS; a++) {
		int lo = tf_arg_first[a], hi = tf_arg_first[a + 1], extra = 0;
		for (int k = lo; k < hi; k++) {
			prim[k] = (struct tf_loc){0, 0, 0};
			if (tf_holds(tf_abi[k], k))
				prim[k] = tf_abi[k];
			for (int i = 0; i < nall; i++) {
				if (!tf_holds(all[i], k))
					continue;
				if (prim[k].kind == 0)
					prim[k] = all[i];
				else if (all[i].kind != prim[k].kind || all[i].reg != prim[k].reg || all[i].off != prim[k].off)
					extra++;
			}
		}
		printf("  %s %s:", tf_arg_name[a], tf_arg_type[a]);
		if (hi > lo)
			tf_print_runs(prim + lo, hi - lo, "nowhere");
		printf("\n");
		if (extra)
			printf("    (%d more copies of its bytes found; -v lists them)\n", extra);
	}
	if (verbose) {
		for (int k = 0; k < TF_NBYTES; k++) {
			int a = tf_arg_of(k);
			printf("byte %s.%d:", tf_arg_name[a], k - tf_arg_first[a]);
			for (int i = 0; i < nall; i++)
				if (tf_holds(all[i], k)) {
					printf(" ");
					tf_print_loc(all[i], "");
				}
			printf("\n");
		}
	}

	printf("against %s, as %s reads it:\n", TF_ABI, TF_READING);
	for (int a = 0; a < TF_NARGS; a++) {
		int lo = tf_arg_first[a], hi = tf_arg_first[a + 1], miss = 0, unchecked = 0, pad = 0;
		for (int k = lo; k < hi; k++) {
			if (tf_abi[k].kind == 0 || tf_abi[k].kind == 4)
				unchecked++;
			else if (tf_pad[k])
				pad++;
			else if (!tf_holds(tf_abi[k], k))
				miss++;
		}
		abi_missing += miss;
		printf("  %s: expected", tf_arg_name[a]);
		tf_print_runs(tf_abi + lo, hi - lo, "not passed");
		if (miss)
			printf(": %d byte(s) NOT there", miss);
		else if (unchecked == hi - lo && hi > lo)
			printf(": not checked");
		else
			printf(": found");
		if (pad)
			printf(" (%d byte%s of padding not checked)", pad, pad > 1 ? "s" : "");
		printf("\n");
	}
	printf("against the trampoline:\n");
	for (int a = 0; a < TF_NARGS; a++) {
		int lo = tf_arg_first[a], hi = tf_arg_first[a + 1], wrong = 0;
		for (int k = lo; k < hi; k++) {
			own[k] = tf_jit[k].kind ? tf_owner(tf_jit[k]) : -1;
			/* Bytes the caller does not pass, and padding, may be read from anywhere. */
			if (tf_abi[k].kind == 0 || tf_pad[k])
				continue;
			checked++;
			if (own[k] != k)
				wrong++;
		}
		jit_wrong += wrong;
		printf("  %s: reads", tf_arg_name[a]);
		tf_print_runs(tf_jit + lo, hi - lo, "not saved");
		if (!wrong) {
			printf(": right\n");
			continue;
		}
		printf(": WRONG, it gets");
		tf_print_owners(own + lo, hi - lo);
		printf("\n");
	}
	if (abi_missing == 0 && jit_wrong > 0) {
		printf("CONFIRMED: every argument byte is where %s says; the trampoline reads %d of %d value bytes from elsewhere\n",
		       TF_ABI, jit_wrong, checked);
		return 0;
	}
	if (abi_missing)
		printf("NOT CONFIRMED: %d argument byte(s) are not where %s says (a compiler difference or an oracle bug)\n", abi_missing, TF_ABI);
	else
		printf("NOT CONFIRMED: the trampoline reads every byte from where this compiler put it\n");
	return 1;
}
`
