package truth

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/trampfuzz/trampfuzz/capture"
	"github.com/trampfuzz/trampfuzz/ctype"
)

// The capture record (package capture) the stub writes into tf_cap, and the
// runner copies to stdout after each call, ends with the stack window [SP,
// main's frame), at most maxWindow bytes.
const (
	maxWindow   = 1 << 16
	scrubBytes  = 1 << 14 // stack cleared below main before each call
	patternBase = 16      // every argument's pattern starts 16-aligned (or more)

	// The callee-side pass (recv.go).
	recvRegBytes    = 192     // x0–x7 then q0–q7 at the start of tf_in
	maxRecvStack    = 4096    // stack image bytes
	maxRecvPointers = 64      // registers and slots given a pointer
	maxRegionBytes  = 1 << 16 // memory those pointers point to
)

// sigPlan is one signature of a batch as the harness lays it out.
type sigPlan struct {
	arch    *archSpec      // nil: AArch64
	lay     *ctype.Layouts // by arch's layout rules
	idx     int            // position in the batch
	fn      *ctype.Func    // as given
	renamed *ctype.Func    // tags, typedefs and enumerators prefixed, name tf_callee_N
	sizes   []int          // ctype.Sizeof of each parameter
	offsets []int          // where each argument's pattern starts in tf_pat
	patLen  int            // bytes of tf_pat the call reads
}

func newPlan(fn *ctype.Func, id int, a *archSpec) sigPlan {
	p := sigPlan{idx: id, fn: fn, renamed: renameFunc(fn, id), arch: a, lay: &ctype.Layouts{Arch: orARM64(a).rec}}
	off := 0
	for _, prm := range fn.Params {
		align := max(patternBase, int(p.lay.Alignof(prm.Type)))
		off = (off + align - 1) / align * align
		size := int(p.lay.Sizeof(prm.Type))
		p.sizes = append(p.sizes, size)
		p.offsets = append(p.offsets, off)
		off += size
	}
	p.patLen = off
	return p
}

// callersPerFunction is how many signatures' calls share one caller
// function (a switch on the case number). A compiler spends about a
// millisecond on every function at -O2 however small, which would be
// most of the compile time with one tiny caller per signature.
const callersPerFunction = 64

// harness is one generated C program for a batch of signatures.
type harness struct {
	src string
	// lineSig[n] is the signature whose code is on source line n, or -1
	// for the shared code.
	lineSig []int
}

// sigOfLine maps a source line to the signature whose code is on it, or -1.
func (h *harness) sigOfLine(line int) int {
	if line < 0 || line >= len(h.lineSig) {
		return -1
	}
	return h.lineSig[line]
}

// harnessKind says which of the two programs of a batch to generate.
type harnessKind int

const (
	// captureHarness calls every signature's prototype from C, compiled at
	// -O2, and an assembly stub records what the callee would see.
	captureHarness harnessKind = iota
	// recvHarness calls every signature's receiver, a C function of the
	// prototype, from assembly that sets every argument register and stack
	// byte (recv.go).
	recvHarness
)

// generate writes the C program of kind for plans.
//
// Per signature i, both kinds hold the renamed type definitions and the
// prototype (ctype.Render). The capture harness adds a typedef per
// parameter type and a call that loads each argument straight from the
// pattern buffer tf_pat (so no argument byte is left in the caller's frame
// except the by-reference copies the ABI asks for); every callee is a label
// on one assembly stub. The receive harness adds the receiver.
func generate(plans []sigPlan, kind harnessKind, a *archSpec) harness {
	a = orARM64(a)
	var b strings.Builder
	h := harness{lineSig: []int{-1}} // lines count from 1
	// w writes s as code of signature sig (-1: shared).
	w := func(sig int, s string) {
		b.WriteString(s)
		for range strings.Count(s, "\n") {
			h.lineSig = append(h.lineSig, sig)
		}
	}
	w(-1, "/* trampfuzz truth harness: "+strconv.Itoa(len(plans))+" signatures */\n")
	w(-1, "typedef unsigned long tf_u64;\n")
	w(-1, "extern unsigned char tf_pat[], tf_out[];\n")
	w(-1, "#define TF_ARG(T, off) (*(T *)(tf_pat + (off)))\n")
	patMax, patAlign := 16, patternBase
	calls := make([]string, len(plans))
	for i, p := range plans {
		w(i, "\n/* signature "+strconv.Itoa(i)+" */\n")
		w(i, ctype.Render(p.renamed))
		patMax = max(patMax, p.patLen)
		for _, prm := range p.renamed.Params {
			patAlign = max(patAlign, int(p.lay.Alignof(prm.Type)))
		}
		if kind == recvHarness {
			w(i, recvFunc(i, p, a))
			continue
		}
		var args, meta []string
		for j, prm := range p.renamed.Params {
			td := fmt.Sprintf("tf_p%d_%d", i, j)
			w(i, "typedef "+ctype.Declarator(prm.Type, td)+";\n")
			args = append(args, fmt.Sprintf("TF_ARG(%s, %d)", td, p.offsets[j]))
			meta = append(meta, fmt.Sprintf("sizeof(%s), _Alignof(%s)", td, td))
		}
		calls[i] = p.renamed.Name + "(" + strings.Join(args, ", ") + ")"
		if len(meta) == 0 {
			meta = []string{"0"}
		}
		w(i, fmt.Sprintf("static const tf_u64 tf_meta_%d[] = { %s };\n", i, strings.Join(meta, ", ")))
	}
	w(-1, "\n#define TF_N "+strconv.Itoa(len(plans))+"\n")
	w(-1, "#define TF_PATMAX "+strconv.Itoa(patMax)+"\n")
	w(-1, "unsigned char tf_out[TF_PATMAX] __attribute__((aligned(16)));\n")
	w(-1, fmt.Sprintf("unsigned char tf_pat[TF_PATMAX] __attribute__((aligned(%d)));\n", patAlign))
	w(-1, runnerIO)

	if kind == recvHarness {
		recvs := []string{"0"}
		for i := range plans {
			if i == 0 {
				recvs = nil
			}
			recvs = append(recvs, "(void *)tf_recv_"+strconv.Itoa(i))
		}
		w(-1, "static void *const tf_recvs[] = { "+strings.Join(recvs, ", ")+" };\n")
		w(-1, orARM64(a).recvRunner)
		h.src = b.String()
		return h
	}

	// The callers. They are never inlined into main (their frame, with
	// any by-reference copies, must lie below main's, where the stub's
	// window ends), and the empty asm after the switch keeps every call
	// a real call (no sibling call), so that frame is live in the stub.
	w(-1, "\n/* callers */\n")
	var groups, cases, metas, nparams []string
	for g := 0; g*callersPerFunction < len(plans); g++ {
		w(-1, fmt.Sprintf("static __attribute__((noinline)) void tf_group_%d(int k) {\n\tswitch (k) {\n", g))
		for k := 0; k < callersPerFunction && g*callersPerFunction+k < len(plans); k++ {
			i := g*callersPerFunction + k
			w(i, fmt.Sprintf("\tcase %d: %s; break;\n", k, calls[i]))
			groups = append(groups, "tf_group_"+strconv.Itoa(g))
			cases = append(cases, strconv.Itoa(k))
		}
		w(-1, "\t}\n\t__asm__ volatile(\"\" ::: \"memory\");\n}\n")
	}
	for i, p := range plans {
		metas = append(metas, "tf_meta_"+strconv.Itoa(i))
		nparams = append(nparams, strconv.Itoa(len(p.renamed.Params)))
	}
	if len(plans) == 0 { // keep the tables valid C
		groups, cases, metas, nparams = []string{"0"}, []string{"0"}, []string{"0"}, []string{"0"}
	}
	w(-1, "static void (*const tf_groups[])(int) = { "+strings.Join(groups, ", ")+" };\n")
	w(-1, "static const int tf_cases[] = { "+strings.Join(cases, ", ")+" };\n")
	w(-1, "static const tf_u64 *const tf_metas[] = { "+strings.Join(metas, ", ")+" };\n")
	w(-1, "static const tf_u64 tf_nparams[] = { "+strings.Join(nparams, ", ")+" };\n")
	w(-1, captureStub(plans, orARM64(a))+captureMain)
	h.src = b.String()
	return h
}

// recvFunc is signature i's receiver: an external C function of the
// signature's parameter types that copies each argument, as its own code
// finds it, to tf_out at the argument's pattern offset. Where the return
// type decides where the arguments are (a MEMORY return buffer in rdi on
// x86-64), it returns the signature's type, zeroed.
func recvFunc(i int, p sigPlan, a *archSpec) string {
	var params, body []string
	for j, prm := range p.renamed.Params {
		name := "a" + strconv.Itoa(j)
		params = append(params, ctype.Declarator(prm.Type, name))
		body = append(body, fmt.Sprintf("__builtin_memcpy(tf_out + %d, &%s, sizeof %s);", p.offsets[j], name, name))
	}
	if params == nil {
		params = []string{"void"}
	}
	head := fmt.Sprintf("tf_recv_%d(%s)", i, strings.Join(params, ", "))
	if ret := p.renamed.Return; a.returnsValue && ret != nil && !ctype.IsBasic(ret, ctype.Void) {
		return fmt.Sprintf("%s { %s; __builtin_memset(&tf_r, 0, sizeof tf_r); %s return tf_r; }\n",
			ctype.Declarator(ret, head), ctype.Declarator(ret, "tf_r"), strings.Join(body, " "))
	}
	return fmt.Sprintf("void %s { %s }\n", head, strings.Join(body, " "))
}

// runnerIO is the runners' input and output, without the C library's
// headers (the signatures' names must not meet them).
const runnerIO = `
extern long read(int, void *, unsigned long);
extern long write(int, const void *, unsigned long);
extern void _exit(int) __attribute__((noreturn));

static void tf_rd(void *p, tf_u64 n) {
	unsigned char *c = p;
	while (n > 0) {
		long k = read(0, c, n);
		if (k <= 0) _exit(3);
		c += k;
		n -= (tf_u64)k;
	}
}

static void tf_wr(const void *p, tf_u64 n) {
	const unsigned char *c = p;
	while (n > 0) {
		long k = write(1, c, n);
		if (k <= 0) _exit(4);
		c += k;
		n -= (tf_u64)k;
	}
}

/* argv[1]: the first signature to run (after one that killed a run). */
static tf_u64 tf_start(int argc, char **argv) {
	tf_u64 i = 0;
	if (argc > 1)
		for (const char *s = argv[1]; *s; s++) i = i * 10 + (tf_u64)(*s - '0');
	return i;
}
`

// captureStub is the capture stub (package capture) every callee name
// labels, with the window from SP up to main's frame (the caller's
// outgoing arguments, by-reference copies and frame), at most maxWindow
// bytes.
func captureStub(plans []sigPlan, a *archSpec) string {
	var labels []string
	for _, p := range plans {
		labels = append(labels, p.renamed.Name)
	}
	return "\ntf_u64 tf_top;\n" + a.stub.Asm(append(labels, "tf_capture"), capture.Window{Top: "tf_top", Max: maxWindow})
}

// captureMain is the capture pass's main, after the architecture's stub.
var captureMain = `
` + capture.ScrubC(scrubBytes) + `
/* stdin, per signature: nruns, patlen, then nruns patterns of patlen bytes.
   stdout, per signature: index, nruns, nparams, sizeof and _Alignof of each
   parameter, then one capture per run. */
int main(int argc, char **argv) {
	tf_u64 marker __attribute__((aligned(16))) = 0;
	__asm__ volatile("" :: "r"(&marker) : "memory");
	tf_top = (tf_u64)&marker & ~(tf_u64)15;
	for (tf_u64 i = tf_start(argc, argv); i < TF_N; i++) {
		tf_u64 in[2];
		tf_rd(in, sizeof in);
		if (in[1] > TF_PATMAX) _exit(5);
		tf_u64 hdr[3] = { i, in[0], tf_nparams[i] };
		tf_wr(hdr, sizeof hdr);
		tf_wr(tf_metas[i], 16 * tf_nparams[i]);
		for (tf_u64 r = 0; r < in[0]; r++) {
			tf_rd(tf_pat, in[1]);
			tf_scrub();
			tf_groups[i](tf_cases[i]);
			tf_wr(tf_cap, ` + strconv.Itoa(capture.WindowOff) + ` + ((tf_u64 *)tf_cap)[` + strconv.Itoa(capture.LenOff/8) + `]);
		}
	}
	return 0;
}
`

// recvDecls are the receive pass's buffers.
var recvDecls = `
unsigned char tf_in[` + strconv.Itoa(recvRegBytes+maxRecvStack) + `] __attribute__((aligned(16)));
unsigned char tf_regions[` + strconv.Itoa(maxRegionBytes) + `] __attribute__((aligned(16)));
extern void tf_invoke(void *fn, tf_u64 stack_bytes);
`

// recvRunner is the AArch64 assembly that calls a receiver, and main.
var recvRunner = recvDecls + `
/* tf_invoke(fn, n): copies tf_in's stack image (n bytes, a multiple of 16)
   below SP, loads x0-x7 and q0-q7 from tf_in and calls fn, so fn finds
   those values where the calling convention tells it to look for its
   arguments. */
__asm__(
	"\t.text\n"
	"\t.p2align 4\n"
	"\t.globl tf_invoke\n"
	"\t.type tf_invoke, %function\n"
	"tf_invoke:\n"
	"\tstp x29, x30, [sp, #-32]!\n"
	"\tmov x29, sp\n"
	"\tstr x19, [sp, #16]\n"
	"\tmov x19, sp\n"
	"\tsub sp, sp, x1\n"
	"\tadrp x9, tf_in\n"
	"\tadd x9, x9, :lo12:tf_in\n"
	"\tadd x10, x9, #` + strconv.Itoa(recvRegBytes) + `\n"
	"\tmov x11, sp\n"
	"\tmov x12, x1\n"
	"\tcbz x12, 2f\n"
	"1:\tldp x13, x14, [x10], #16\n"
	"\tstp x13, x14, [x11], #16\n"
	"\tsubs x12, x12, #16\n"
	"\tb.hi 1b\n"
	"2:\tmov x16, x0\n"
	"\tldp q0, q1, [x9, #64]\n"
	"\tldp q2, q3, [x9, #96]\n"
	"\tldp q4, q5, [x9, #128]\n"
	"\tldp q6, q7, [x9, #160]\n"
	"\tldp x0, x1, [x9, #0]\n"
	"\tldp x2, x3, [x9, #16]\n"
	"\tldp x4, x5, [x9, #32]\n"
	"\tldp x6, x7, [x9, #48]\n"
	"\tblr x16\n"
	"\tmov sp, x19\n"
	"\tldr x19, [sp, #16]\n"
	"\tldp x29, x30, [sp], #32\n"
	"\tret\n"
	"\t.size tf_invoke, .-tf_invoke\n");
` + recvMain

// recvMain is the receive pass's main, after the architecture's tf_invoke.
var recvMain = `
/* stdin, per signature: nruns, stack bytes, number of pointers, region
   bytes, output bytes; per pointer: kind (0: x register, 1: stack slot),
   register number or slot offset, offset in tf_regions; then per run the
   register and stack image (tf_in) and the regions. stdout, per signature:
   index, nruns, then per run the output bytes. */
int main(int argc, char **argv) {
	for (tf_u64 i = tf_start(argc, argv); i < TF_N; i++) {
		tf_u64 in[5], ptr[3 * ` + strconv.Itoa(maxRecvPointers) + `];
		tf_rd(in, sizeof in);
		if (in[1] > ` + strconv.Itoa(maxRecvStack) + ` || in[1] % 16 || in[2] > ` + strconv.Itoa(maxRecvPointers) + ` || in[3] > ` + strconv.Itoa(maxRegionBytes) + ` || in[4] > TF_PATMAX) _exit(5);
		tf_rd(ptr, 24 * in[2]);
		tf_u64 hdr[2] = { i, in[0] };
		tf_wr(hdr, sizeof hdr);
		for (tf_u64 r = 0; r < in[0]; r++) {
			tf_rd(tf_in, ` + strconv.Itoa(recvRegBytes) + ` + in[1]);
			tf_rd(tf_regions, in[3]);
			for (tf_u64 k = 0; k < in[2]; k++) {
				tf_u64 addr = (tf_u64)(tf_regions + ptr[3 * k + 2]);
				tf_u64 at = ptr[3 * k] == 0 ? 8 * ptr[3 * k + 1] : ` + strconv.Itoa(recvRegBytes) + ` + ptr[3 * k + 1];
				__builtin_memcpy(tf_in + at, &addr, 8);
			}
			__builtin_memset(tf_out, 0, in[4]);
			tf_invoke(tf_recvs[i], in[1]);
			tf_wr(tf_out, in[4]);
		}
	}
	return 0;
}
`

// renameFunc copies fn with every tag, typedef and enumerator prefixed by
// "t<id>_", every anonymous record or enum given a tag (so the caller can
// name the parameter's type), unnamed parameters and the name
// tf_callee_<id>: many signatures then share one C file. Names do not
// change layout or argument passing. An anonymous record that is an
// unnamed member stays anonymous: a tag would make it a declaration of
// nothing instead of a C11 anonymous member.
func renameFunc(fn *ctype.Func, id int) *ctype.Func {
	prefix := "t" + strconv.Itoa(id) + "_"
	out := ctype.Prefixed(fn, "tf_callee_"+strconv.Itoa(id), prefix, prefix)
	for i := range out.Params {
		out.Params[i].Name = ""
	}
	return out
}
