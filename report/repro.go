package report

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/truth"
)

// The capture record the repro's stub writes: x0–x7, q0–q7, SP at entry,
// then the stack window from SP up.
const (
	reproCapQ      = 64  // q0..q7 start
	reproCapSP     = 192 // SP at entry
	reproCapWindow = 208 // the window starts here (16-aligned for ldp/stp)
	reproCallee    = "tf_repro_callee"
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
	pat     [][]byte // [run][patLen]
	window  int
	abi     []loc.Loc // per flat byte
	jit     []loc.Loc
	// x86 only: x87[i][b] marks byte b of argument i as byte 7 of a long
	// double, whose pattern keeps bit 7 set (a normal x87 number, which
	// fldt/fstpt copy unchanged); pad marks, per flat byte, the bytes
	// that hold no value (not compared).
	x87 [][]bool
	pad []bool
}

// reproStackWindow is how far above SP stacked arguments can reach: each
// argument takes at most its size rounded up to 16 there (AAPCS64 2025Q4
// C.4/C.14 align to at most 16, C.6/C.15/C.17 add the size rounded to 8);
// only an HFA (at most 64 bytes, B.3) is stacked whole when larger than 16
// bytes, anything larger goes by reference (B.4), an 8-byte slot.
func reproStackWindow(sizes []int) int {
	n := 0
	for _, s := range sizes {
		if s > 64 {
			s = 8
		}
		n += (s + 15) / 16 * 16
	}
	return max(n, 16)
}

func isBool(t ctype.Type) bool {
	b, ok := ctype.Underlying(t).(*ctype.Basic)
	return ok && b.Kind == ctype.Bool
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
	if textOf(c).x87 {
		p.x87 = ctype.X87IntegerBits(c.Func)
		for _, pad := range ctype.PaddingBytes(c.Func, lay.Arch) {
			p.pad = append(p.pad, pad...)
		}
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
		if isBool(prm.Type) {
			nbool++
		}
	}
	p.abi, p.jit = flatBytes(*c.Verdict.ABI, p.sizes), flatBytes(*c.Verdict.JIT, p.sizes)
	p.patLen = max(16, (off+align-1)/align*align)
	p.window = reproStackWindow(p.sizes)
	// The trampoline may read above the argument area (a struct_ops base
	// 16 bytes too high): capture that far too, so its reading is shown.
	for _, l := range p.jit {
		if l.Kind == loc.OnStack {
			p.window = max(p.window, (int(l.Off)+16)/16*16)
		}
	}

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
			if isBool(prm.Type) {
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

// cLoc encodes a location for repro.c's tables: {kind, reg, off} with kind
// 0 none, 1 x, 2 v, 3 sp, 4 by reference (not located by repro.c).
func cLoc(l loc.Loc) string {
	switch l.Kind {
	case loc.InReg:
		k := 1
		if l.Reg.Class == loc.V {
			k = 2
		}
		return fmt.Sprintf("{%d,%d,%d}", k, l.Reg.N, l.Off)
	case loc.OnStack:
		return fmt.Sprintf("{3,0,%d}", l.Off)
	case loc.ByRef:
		return "{4,0,0}"
	}
	return "{0,0,0}"
}

func cString(s string) string { return strconv.Quote(s) }

// ReproC is repro.c: a self-contained C program that shows where the
// compiler really put every argument byte of the case and what the
// trampoline would read instead, for the case's architecture. It includes
// no header (so no name of the case can clash with one) and builds with gcc
// and clang. For AArch64 Linux (cross-compiled, run under qemu):
//
//	aarch64-linux-gnu-gcc -O2 -static -o repro repro.c && qemu-aarch64 ./repro
//
// For x86-64 Linux (native; ReproCommandX86GCC, ReproCommandX86Clang):
//
//	gcc -O2 -static -o repro-gcc repro.c && ./repro-gcc
//
// The callee is an assembly stub that stores the argument registers (x0–x7
// and q0–q7; rdi, rsi, rdx, rcx, r8, r9 and xmm0–xmm7), SP and the stack
// above SP; the caller fills every argument byte from a pattern table, once
// per run with different values, and a location holds an argument byte
// when it holds that byte's value in every run. With -v it also prints one
// line per argument byte with every location found.
func ReproC(c *Case) string { return textOf(c).repro(c) }

func reproARM64(c *Case) string {
	p := planRepro(c)
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	nbytes := len(p.abi)

	w("/* repro.c: where does each argument of this function really arrive on AArch64?\n")
	w(" * Generated by trampfuzz for %s\n", c.Verdict.Class)
	w(" *\n")
	for _, l := range strings.Split(strings.TrimRight(c.Verdict.C, "\n"), "\n") {
		w(" *   %s\n", l)
	}
	w(" *\n")
	w(" * Build and run (AArch64 Linux, or qemu-aarch64 on another host):\n")
	w(" *   aarch64-linux-gnu-gcc -O2 -static -o repro repro.c && qemu-aarch64 ./repro\n")
	w(" *   clang --target=aarch64-linux-gnu -fuse-ld=lld -O2 -static -o repro repro.c && qemu-aarch64 ./repro\n")
	w(" * The callee is an assembly stub that records x0-x7, q0-q7 and the stack at entry.\n")
	w(" * Every argument byte is filled with its own pattern (%d runs, different values each\n", p.runs)
	w(" * run); a register or stack byte holds an argument byte when it has that byte's value in\n")
	w(" * every run. Output: per argument, where its bytes were (x2.0-7 = bytes 0-7 of x2,\n")
	w(" * v0.0-3 = bytes 0-3 of v0/q0, sp+16-31 = stack bytes from SP at entry), checked\n")
	w(" * against AAPCS64 and against where the %s trampoline reads them.\n", c.Target.KernelName())
	w(" * Exit status 0: the compiler put every byte where AAPCS64 says and the trampoline\n")
	w(" * reads some byte from elsewhere (the report is confirmed); 1 otherwise. -v: every byte. */\n\n")

	w("int printf(const char *, ...);\n\n")
	w("/* The case, with tags prefixed tf_ and the function named %s. */\n", reproCallee)
	w("%s\n", ctype.Render(p.fn))
	for i, prm := range p.fn.Params {
		w("typedef %s;\n", ctype.Declarator(prm.Type, fmt.Sprintf("tf_t%d", i)))
		w("_Static_assert(sizeof(tf_t%d) == %d && _Alignof(tf_t%d) == %d, \"%s: the compiler lays out %s differently from trampfuzz\");\n",
			i, p.sizes[i], i, p.aligns[i], p.names[i], strings.ReplaceAll(p.types[i], `"`, `'`))
	}
	w("\n#define TF_NARGS %d\n#define TF_NBYTES %d\n#define TF_RUNS %d\n#define TF_PATLEN %d\n#define TF_WIN %d\n", len(p.sizes), nbytes, p.runs, p.patLen, p.window)
	w("#define TF_CAPWIN %d /* the window starts here in the capture */\n", reproCapWindow)
	w("#define TF_STR_(x) #x\n#define TF_STR(x) TF_STR_(x)\n")
	w("#define TF_CAPLEN (TF_CAPWIN + TF_WIN)\n\n")

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
	w("/* Locations {kind, reg, byte}: kind 1 = x, 2 = v, 3 = sp (byte = offset), 4 = by reference, 0 = none. */\n")
	w("struct tf_loc { unsigned char kind, reg; unsigned short off; };\n")
	w("/* Where AAPCS64 puts each argument byte (the report's ABI placement). */\n")
	w("static const struct tf_loc tf_abi[TF_NBYTES + 1] = {")
	for i, l := range p.abi {
		if i%8 == 0 {
			w("\n\t")
		}
		w("%s, ", cLoc(l))
	}
	w("{0,0,0} };\n")
	w("/* Where the %s trampoline reads each argument byte (kind 0: it never saves it). */\n", c.Target.Kernel)
	w("static const struct tf_loc tf_jit[TF_NBYTES + 1] = {")
	for i, l := range p.jit {
		if i%8 == 0 {
			w("\n\t")
		}
		w("%s, ", cLoc(l))
	}
	w("{0,0,0} };\n")
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
	w("\t__asm__ volatile(\"\" ::: \"memory\"); /* a real call, not a tail call: the frame stays live */\n}\n")
	b.WriteString(reproRuntime)
	return b.String()
}

// reproRuntime is the fixed part of repro.c: the stub, the runs, the search
// and the report.
const reproRuntime = `
/* The stub: stores x0-x7, q0-q7 and SP, then copies TF_WIN bytes of stack
   from SP up (the caller's outgoing arguments). It touches only x10-x17,
   which AAPCS64 lets a callee clobber, and returns without a result. */
unsigned char tf_cap[TF_CAPLEN] __attribute__((aligned(16)));
__asm__(
	"\t.text\n"
	"\t.p2align 4\n"
	"\t.globl ` + reproCallee + `\n"
	"\t.type ` + reproCallee + `, %function\n"
	"` + reproCallee + `:\n"
` + truth.CaptureRegsAArch64 + `	"\tadd x11, x16, #208\n"
	"\tmov x10, #" TF_STR(TF_WIN) "\n"
	"1:\tldp x12, x13, [x17], #16\n"
	"\tstp x12, x13, [x11], #16\n"
	"\tsubs x10, x10, #16\n"
	"\tb.hi 1b\n"
	"\tret\n"
	"\t.size ` + reproCallee + `, .-` + reproCallee + `\n");

static unsigned char tf_caps[TF_RUNS][TF_CAPLEN];

` + reproScrubC + `
/* The value of location l in run r; 0 when l is not captured. */
static int tf_value(int r, struct tf_loc l, unsigned char *v)
{
	switch (l.kind) {
	case 1: if (l.reg < 8 && l.off < 8) { *v = tf_caps[r][8 * l.reg + l.off]; return 1; } break;
	case 2: if (l.reg < 8 && l.off < 16) { *v = tf_caps[r][64 + 16 * l.reg + l.off]; return 1; } break;
	case 3: if (l.off < TF_WIN) { *v = tf_caps[r][TF_CAPWIN + l.off]; return 1; } break;
	}
	return 0;
}

/* Whether l held argument byte k (flat index) in every run. */
static int tf_holds(struct tf_loc l, int k)
{
	int arg = 0;
	while (tf_arg_first[arg + 1] <= k)
		arg++;
	for (int r = 0; r < TF_RUNS; r++) {
		unsigned char v;
		if (!tf_value(r, l, &v) || v != tf_pat[r][tf_arg_pat[arg] + k - tf_arg_first[arg]])
			return 0;
	}
	return 1;
}

` + reproOwnerC + `
static int tf_arg_of(int k)
{
	int arg = 0;
	while (tf_arg_first[arg + 1] <= k)
		arg++;
	return arg;
}

static void tf_print_loc(struct tf_loc l)
{
	switch (l.kind) {
	case 1: printf("x%d.%d", l.reg, l.off); break;
	case 2: printf("v%d.%d", l.reg, l.off); break;
	case 3: printf("sp+%d", l.off); break;
	case 4: printf("(by reference)"); break;
	default: printf("(not saved)"); break;
	}
}

static int tf_next(struct tf_loc a, struct tf_loc b)
{
	int width = a.kind == 1 ? 8 : a.kind == 2 ? 16 : 1 << 30;
	return (a.kind == 1 || a.kind == 2 || a.kind == 3) && a.kind == b.kind && a.reg == b.reg &&
	       b.off == a.off + 1 && b.off < width;
}

/* Prints locations folded into runs, as trampfuzz writes them: x2.0-7 sp+16-31. */
static void tf_print_runs(const struct tf_loc *ls, int n)
{
	for (int i = 0; i < n;) {
		int j = i + 1;
		while (j < n && tf_next(ls[j - 1], ls[j]))
			j++;
		printf(" ");
		tf_print_loc(ls[i]);
		if (j - i > 1)
			printf("-%d", ls[j - 1].off);
		i = j;
	}
}

` + reproPrintOwnersC + `
int main(int argc, char **argv)
{
	int verbose = argc > 1 && argv[1][0] == '-' && argv[1][1] == 'v';
	static struct tf_loc prim[TF_NBYTES + 1], all[TF_WIN + 8 * 8 + 8 * 16];
	static int own[TF_NBYTES + 1];
	int abi_missing = 0, jit_wrong = 0;

	for (int r = 0; r < TF_RUNS; r++) {
		tf_scrub();
		tf_call(r);
		__builtin_memcpy(tf_caps[r], tf_cap, TF_CAPLEN);
	}
	/* Every location the stub captured. */
	int nall = 0;
	for (int n = 0; n < 8; n++)
		for (int k = 0; k < 8; k++)
			all[nall++] = (struct tf_loc){1, n, k};
	for (int n = 0; n < 8; n++)
		for (int k = 0; k < 16; k++)
			all[nall++] = (struct tf_loc){2, n, k};
	for (int k = 0; k < TF_WIN; k++)
		all[nall++] = (struct tf_loc){3, 0, k};

#ifdef __clang__
	printf("compiler: %s\n", __VERSION__);
#else
	printf("compiler: gcc %s\n", __VERSION__);
#endif
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
			tf_print_runs(prim + lo, hi - lo);
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
					tf_print_loc(all[i]);
				}
			printf("\n");
		}
	}

	printf("against AAPCS64:\n");
	for (int a = 0; a < TF_NARGS; a++) {
		int lo = tf_arg_first[a], hi = tf_arg_first[a + 1], miss = 0, unchecked = 0;
		for (int k = lo; k < hi; k++) {
			if (tf_abi[k].kind == 4 || tf_abi[k].kind == 0)
				unchecked++;
			else if (!tf_holds(tf_abi[k], k))
				miss++;
		}
		abi_missing += miss;
		printf("  %s: expected", tf_arg_name[a]);
		tf_print_runs(tf_abi + lo, hi - lo);
		if (miss)
			printf(": %d byte(s) NOT there\n", miss);
		else if (unchecked)
			printf(": not checked (by reference)\n");
		else
			printf(": found\n");
	}
	printf("against the trampoline:\n");
	for (int a = 0; a < TF_NARGS; a++) {
		int lo = tf_arg_first[a], hi = tf_arg_first[a + 1], wrong = 0;
		for (int k = lo; k < hi; k++) {
			own[k] = tf_jit[k].kind ? tf_owner(tf_jit[k]) : -1;
			if (own[k] != k)
				wrong++;
		}
		jit_wrong += wrong;
		printf("  %s: reads", tf_arg_name[a]);
		tf_print_runs(tf_jit + lo, hi - lo);
		if (!wrong) {
			printf(": right\n");
			continue;
		}
		printf(": WRONG, it gets");
		tf_print_owners(own + lo, hi - lo);
		printf("\n");
	}
	if (abi_missing == 0 && jit_wrong > 0) {
		printf("CONFIRMED: every argument byte is where AAPCS64 says; the trampoline reads %d of %d bytes from elsewhere\n",
		       jit_wrong, TF_NBYTES);
		return 0;
	}
	if (abi_missing)
		printf("NOT CONFIRMED: %d argument byte(s) are not where AAPCS64 says (a compiler difference or an oracle bug)\n", abi_missing);
	else
		printf("NOT CONFIRMED: the trampoline reads every byte from the right place\n");
	return 1;
}
`
