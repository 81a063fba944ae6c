package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
)

// The commands that build and run an x86-64 repro.c natively, as the
// README gives them.
const (
	ReproCommandX86GCC   = "gcc -O2 -static -o repro-gcc repro.c && ./repro-gcc"
	ReproCommandX86Clang = "clang -O2 -static -o repro-clang repro.c && ./repro-clang"
)

// The x86-64 capture record: rdi, rsi, rdx, rcx, r8, r9 (8 bytes each),
// xmm0–xmm7 from byte 64, RSP before the call at 192, then the stack window
// from there up.
const (
	reproX86CapXMM    = 64
	reproX86CapSP     = 192
	reproX86CapWindow = 208
)

// sysvGPRs is the capture order of the integer argument registers (psABI
// 1.0 §3.2.3: rdi, rsi, rdx, rcx, r8, r9).
var sysvGPRs = []loc.Reg{loc.RDI, loc.RSI, loc.RDX, loc.RCX, loc.R8, loc.R9}

// sysvReading is one compiler's reading of the psABI that repro.c may be
// built with: the oracle variant that models it, and the preprocessor test
// that picks it.
type sysvReading struct {
	variant  string
	compiler string
	cond     string
}

// sysvReadings are the compilers a report's repro.c knows (oracle.SysVVariants):
// gcc as the default, and clang by its major version.
var sysvReadings = []sysvReading{
	{oracle.SysVDefault.Name, "gcc", "!defined(__clang__)"},
	{"sysv/clang14", "clang 14-17", "defined(__clang__) && __clang_major__ < 18"},
	{"sysv/clang18", "clang 18-19", "defined(__clang__) && __clang_major__ >= 18 && __clang_major__ < 20"},
	{"sysv/clang", "clang >= 20", "defined(__clang__) && __clang_major__ >= 20"},
}

// cLocX86 encodes a location for repro.c's tables: {kind, reg, off} with
// kind 0 none, 1 a GPR (reg: its capture slot, rdi = 0 … r9 = 5), 2 xmm,
// 3 sp.
func cLocX86(l loc.Loc) string {
	switch l.Kind {
	case loc.InReg:
		if l.Reg.Class == loc.XMM && l.Reg.N < 8 {
			return fmt.Sprintf("{2,%d,%d}", l.Reg.N, l.Off)
		}
		if i := slices.Index(sysvGPRs, l.Reg); i >= 0 {
			return fmt.Sprintf("{1,%d,%d}", i, l.Off)
		}
	case loc.OnStack:
		return fmt.Sprintf("{3,0,%d}", l.Off)
	}
	return "{0,0,0}"
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

// x87Bytes marks, per parameter, byte 7 of every long double in it: the
// explicit integer bit of the x87 80-bit format (psABI 1.0 §3.1.2, Figure
// 3.1: long double is the 80-bit extended format in 16 bytes). With that
// bit set and pattern bytes that are never 0x00 or 0xff the value is a
// normal number, which the x87 loads and stores compilers copy long
// doubles with keep unchanged.
func x87Bytes(fn *ctype.Func) [][]bool {
	out := make([][]bool, len(fn.Params))
	for i, prm := range fn.Params {
		var mask []bool
		for _, off := range ctype.LongDoubleOffsets(prm.Type) {
			if mask == nil {
				mask = make([]bool, ctype.Sizeof(prm.Type))
			}
			mask[off+7] = true
		}
		out[i] = mask
	}
	return out
}

// paddingBytes marks, per parameter, the bytes that hold no part of its
// value on x86-64, which a compiler need not pass: bytes no member covers,
// the bits of unnamed bit-fields, and bytes 10–15 of every long double
// (psABI 1.0 §3.2.3: "the 16-bit exponent plus 6 bytes of padding belongs
// to class X87UP"; x87 stores write 10 bytes).
func paddingBytes(fn *ctype.Func) [][]bool {
	out := make([][]bool, len(fn.Params))
	for i, prm := range fn.Params {
		value := ctype.ValueBytes(prm.Type, 10)
		pad := make([]bool, len(value))
		for b := range pad {
			pad[b] = !value[b]
		}
		out[i] = pad
	}
	return out
}

// reproX86 is ReproC for an x86-64 target: a native program for gcc and
// clang whose callee is an x86-64 assembly stub. Each compiler is checked
// against its own reading of the psABI (sysvReadings): the default oracle
// for gcc, and the clang variants by __clang_major__, since clang before
// LLVM 20 places some __int128 and packed-record cases differently.
func reproX86(c *Case) string {
	p := planRepro(c)
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	nbytes := len(p.abi)

	// The expected placement of each reading; readings that place every
	// byte alike share a table.
	tables := [][]loc.Loc{p.abi}
	which := make([]int, len(sysvReadings))
	for r, rd := range sysvReadings[1:] {
		flat := p.abi
		if v, err := oracle.LookupSysV(rd.variant); err == nil {
			if pl, err := oracle.PlaceSysV(c.Func, v); err == nil {
				flat = flatBytes(pl, p.sizes)
			}
		}
		k := slices.IndexFunc(tables, func(t []loc.Loc) bool { return slices.Equal(t, flat) })
		if k < 0 {
			k = len(tables)
			tables = append(tables, flat)
		}
		which[r+1] = k
	}
	window := 16
	for _, t := range append(slices.Clone(tables), p.jit) {
		for _, l := range t {
			if l.Kind == loc.OnStack {
				window = max(window, int(l.Off)+1)
			}
		}
	}
	window = (window+15)/16*16 + 16 // and one more 16 bytes, to show what lies above

	ret := ctype.Underlying(c.Func.Return)
	longDoubleRet := false
	if bt, ok := ret.(*ctype.Basic); ok && bt.Kind == ctype.LongDouble {
		longDoubleRet = true
	}

	w("/* repro.c: where does each argument of this function really arrive on x86-64?\n")
	w(" * Generated by trampfuzz for %s\n", c.Verdict.Class)
	w(" *\n")
	for _, l := range strings.Split(strings.TrimRight(c.Verdict.C, "\n"), "\n") {
		w(" *   %s\n", l)
	}
	w(" *\n")
	w(" * Build and run natively on x86-64 Linux:\n")
	w(" *   %s\n", ReproCommandX86GCC)
	w(" *   %s\n", ReproCommandX86Clang)
	w(" * The callee is an assembly stub that records rdi, rsi, rdx, rcx, r8, r9, xmm0-xmm7 and\n")
	w(" * the stack at entry. Every argument byte is filled with its own pattern (%d runs,\n", p.runs)
	w(" * different values each run); a register or stack byte holds an argument byte when it has\n")
	w(" * that byte's value in every run. Output: per argument, where its bytes were (rdi.0-7 =\n")
	w(" * bytes 0-7 of rdi, xmm0.0-3 = bytes 0-3 of xmm0, sp+16-31 = stack bytes from RSP just\n")
	w(" * before the call), checked against System V as this compiler reads it and against\n")
	w(" * where the %s trampoline reads them. Bytes that hold no value (padding,\n", c.Target.KernelName())
	w(" * bytes 10-15 of a long double) and bytes System V does not pass are not checked.\n")
	w(" * Exit status 0: the compiler put every byte where System V says and the trampoline\n")
	w(" * reads some byte from elsewhere (the report is confirmed); 1 otherwise. -v: every byte. */\n\n")

	w("int printf(const char *, ...);\n\n")
	w("/* The case, with tags prefixed tfc_ and the function named %s. */\n", reproCallee)
	w("%s\n", ctype.Render(p.fn))
	for i, prm := range p.fn.Params {
		w("typedef %s;\n", ctype.Declarator(prm.Type, fmt.Sprintf("tf_t%d", i)))
		w("_Static_assert(sizeof(tf_t%d) == %d && _Alignof(tf_t%d) == %d, \"%s: the compiler lays out %s differently from trampfuzz\");\n",
			i, p.sizes[i], i, ctype.Alignof(prm.Type), p.names[i], strings.ReplaceAll(p.types[i], `"`, `'`))
	}
	w("\n#define TF_NARGS %d\n#define TF_NBYTES %d\n#define TF_RUNS %d\n#define TF_PATLEN %d\n#define TF_WIN %d\n", len(p.sizes), nbytes, p.runs, p.patLen, window)
	w("#define TF_CAPWIN %d /* the window starts here in the capture */\n", reproX86CapWindow)
	w("#define TF_STR_(x) #x\n#define TF_STR(x) TF_STR_(x)\n")
	w("#define TF_CAPLEN (TF_CAPWIN + TF_WIN)\n")
	if longDoubleRet {
		w("/* The callee returns a long double in st0 (psABI 1.0 §3.2.3 \"Returning of Values\"): the stub pushes one. */\n")
		w("#define TF_X87_RET \"\\tfninit\\n\\tfldz\\n\"\n\n")
	} else {
		w("#define TF_X87_RET \"\"\n\n")
	}

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
	w("/* 1: the byte holds no value (padding, bytes 10-15 of a long double): not checked. */\n")
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
	w("/* Locations {kind, reg, byte}: kind 1 = rdi, rsi, rdx, rcx, r8, r9 (reg 0-5), 2 = xmm, 3 = sp (byte = offset), 0 = none. */\n")
	w("struct tf_loc { unsigned char kind, reg; unsigned short off; };\n")
	table := func(name string, locs []loc.Loc) {
		w("static const struct tf_loc %s[TF_NBYTES + 1] = {", name)
		for i, l := range locs {
			if i%8 == 0 {
				w("\n\t")
			}
			w("%s, ", cLocX86(l))
		}
		w("{0,0,0} };\n")
	}
	w("/* Where System V puts each argument byte (kind 0: it does not pass it), as this compiler reads the psABI. */\n")
	for k, t := range tables {
		var conds []string
		for r, rd := range sysvReadings {
			if which[r] == k {
				conds = append(conds, "("+rd.cond+")")
			}
		}
		w("#if %s\n", strings.Join(conds, " || "))
		if k == 0 {
			w("/* The report's placement (trampfuzz's default System V oracle). */\n")
		}
		table("tf_abi", t)
		w("#endif\n")
	}
	for _, rd := range sysvReadings {
		w("#if %s\n#define TF_READING \"%s (%s)\"\n#endif\n", rd.cond, rd.variant, rd.compiler)
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
	w("\t__asm__ volatile(\"\" ::: \"memory\"); /* a real call, not a tail call: the frame stays live */\n}\n")
	b.WriteString(reproRuntimeX86)
	return b.String()
}

// reproRuntimeX86 is the fixed part of an x86-64 repro.c: the stub, the
// runs, the search and the report.
const reproRuntimeX86 = `
/* The stub: stores rdi, rsi, rdx, rcx, r8, r9, xmm0-xmm7 and RSP before the
   call (RSP at entry + 8, past the return address), then copies TF_WIN bytes
   of stack from there up (the caller's stack arguments). It clobbers only
   rax, rcx, rsi and rdi, which the psABI lets a callee clobber, and returns
   in rax the address it got in rdi (a MEMORY result buffer, psABI 1.0
   §3.2.3 "Returning of Values"). */
unsigned char tf_cap[TF_CAPLEN] __attribute__((aligned(16)));
__asm__(
	"\t.text\n"
	"\t.p2align 4\n"
	"\t.globl ` + reproCallee + `\n"
	"\t.type ` + reproCallee + `, @function\n"
	"` + reproCallee + `:\n"
	"\tmovq %rdi, tf_cap+0(%rip)\n"
	"\tmovq %rsi, tf_cap+8(%rip)\n"
	"\tmovq %rdx, tf_cap+16(%rip)\n"
	"\tmovq %rcx, tf_cap+24(%rip)\n"
	"\tmovq %r8, tf_cap+32(%rip)\n"
	"\tmovq %r9, tf_cap+40(%rip)\n"
	"\tmovdqu %xmm0, tf_cap+64(%rip)\n"
	"\tmovdqu %xmm1, tf_cap+80(%rip)\n"
	"\tmovdqu %xmm2, tf_cap+96(%rip)\n"
	"\tmovdqu %xmm3, tf_cap+112(%rip)\n"
	"\tmovdqu %xmm4, tf_cap+128(%rip)\n"
	"\tmovdqu %xmm5, tf_cap+144(%rip)\n"
	"\tmovdqu %xmm6, tf_cap+160(%rip)\n"
	"\tmovdqu %xmm7, tf_cap+176(%rip)\n"
	"\tleaq 8(%rsp), %rsi\n"
	"\tmovq %rsi, tf_cap+192(%rip)\n"
	"\tleaq tf_cap+208(%rip), %rdi\n"
	"\tmovl $" TF_STR(TF_WIN) ", %ecx\n"
	"\trep movsb\n"
	"\tmovq tf_cap+0(%rip), %rax\n"
	TF_X87_RET
	"\tret\n"
	"\t.size ` + reproCallee + `, .-` + reproCallee + `\n");

static unsigned char tf_caps[TF_RUNS][TF_CAPLEN];
static const char *const tf_gpr_name[6] = { "rdi", "rsi", "rdx", "rcx", "r8", "r9" };

` + reproScrubC + `
/* The value of location l in run r; 0 when l is not captured. */
static int tf_value(int r, struct tf_loc l, unsigned char *v)
{
	switch (l.kind) {
	case 1: if (l.reg < 6 && l.off < 8) { *v = tf_caps[r][8 * l.reg + l.off]; return 1; } break;
	case 2: if (l.reg < 8 && l.off < 16) { *v = tf_caps[r][64 + 16 * l.reg + l.off]; return 1; } break;
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

` + reproOwnerC + `
static void tf_print_loc(struct tf_loc l, const char *none)
{
	switch (l.kind) {
	case 1: printf("%s.%d", tf_gpr_name[l.reg], l.off); break;
	case 2: printf("xmm%d.%d", l.reg, l.off); break;
	case 3: printf("sp+%d", l.off); break;
	default: printf("%s", none); break;
	}
}

static int tf_next(struct tf_loc a, struct tf_loc b)
{
	int width = a.kind == 1 ? 8 : a.kind == 2 ? 16 : 1 << 30;
	return a.kind != 0 && a.kind == b.kind && a.reg == b.reg && b.off == a.off + 1 && b.off < width;
}

/* Prints locations folded into runs, as trampfuzz writes them: rdi.0-7 sp+16-31;
   none names a run of bytes without a location. */
static void tf_print_runs(const struct tf_loc *ls, int n, const char *none)
{
	for (int i = 0; i < n;) {
		int j = i + 1;
		if (ls[i].kind == 0) {
			while (j < n && ls[j].kind == 0)
				j++;
			printf(" (%s: %d byte%s)", none, j - i, j - i > 1 ? "s" : "");
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

` + reproPrintOwnersC + `
int main(int argc, char **argv)
{
	int verbose = argc > 1 && argv[1][0] == '-' && argv[1][1] == 'v';
	static struct tf_loc prim[TF_NBYTES + 1], all[TF_WIN + 6 * 8 + 8 * 16];
	static int own[TF_NBYTES + 1];
	int abi_missing = 0, jit_wrong = 0, checked = 0;

	for (int r = 0; r < TF_RUNS; r++) {
		tf_scrub();
		tf_call(r);
		__builtin_memcpy(tf_caps[r], tf_cap, TF_CAPLEN);
	}
	/* Every location the stub captured. */
	int nall = 0;
	for (int n = 0; n < 6; n++)
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

	printf("against System V, as %s reads it:\n", TF_READING);
	for (int a = 0; a < TF_NARGS; a++) {
		int lo = tf_arg_first[a], hi = tf_arg_first[a + 1], miss = 0, unpassed = 0, pad = 0;
		for (int k = lo; k < hi; k++) {
			if (tf_abi[k].kind == 0)
				unpassed++;
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
		printf("CONFIRMED: every argument byte is where System V says; the trampoline reads %d of %d value bytes from elsewhere\n",
		       jit_wrong, checked);
		return 0;
	}
	if (abi_missing)
		printf("NOT CONFIRMED: %d argument byte(s) are not where System V says (a compiler difference or an oracle bug)\n", abi_missing);
	else
		printf("NOT CONFIRMED: the trampoline reads every byte from where this compiler put it\n");
	return 1;
}
`
