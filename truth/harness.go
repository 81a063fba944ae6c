package truth

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/trampfuzz/trampfuzz/ctype"
)

// The capture record the stub writes into tf_cap, and the runner copies to
// stdout after each call: x0–x7, q0–q7, SP at entry, the window length, then
// the stack window [SP, main's frame).
const (
	capXOff     = 0   // x0..x7, 8 bytes each
	capQOff     = 64  // q0..q7, 16 bytes each
	capSPOff    = 192 // SP at entry
	capWinOff   = 200 // window length in bytes
	capHeader   = 208 // the window starts here (16-aligned for ldp/stp)
	maxWindow   = 1 << 16
	scrubBytes  = 1 << 14 // stack cleared below main before each call
	patternBase = 16      // every argument's pattern starts 16-aligned (or more)
)

// sigPlan is one signature of a batch as the harness lays it out.
type sigPlan struct {
	idx     int         // position in the batch
	fn      *ctype.Func // as given
	renamed *ctype.Func // tags, typedefs and enumerators prefixed, name tf_callee_N
	sizes   []int       // ctype.Sizeof of each parameter
	offsets []int       // where each argument's pattern starts in tf_pat
	patLen  int         // bytes of tf_pat the call reads
}

func newPlan(fn *ctype.Func, id int) sigPlan {
	p := sigPlan{idx: id, fn: fn, renamed: renameFunc(fn, id)}
	off := 0
	for _, prm := range fn.Params {
		align := max(patternBase, int(ctype.Alignof(prm.Type)))
		off = (off + align - 1) / align * align
		size := int(ctype.Sizeof(prm.Type))
		p.sizes = append(p.sizes, size)
		p.offsets = append(p.offsets, off)
		off += size
	}
	p.patLen = off
	return p
}

// harness is one generated C program for a batch of signatures.
type harness struct {
	src string
	// firstLine[i] is the first source line of signature i's section; the
	// section ends where the next one starts (or at tablesLine).
	firstLine  []int
	tablesLine int
}

// sigOfLine maps a source line to the signature whose section holds it, or
// -1 for the shared code.
func (h *harness) sigOfLine(line int) int {
	if line >= h.tablesLine {
		return -1
	}
	sig := -1
	for i, l := range h.firstLine {
		if l <= line {
			sig = i
		}
	}
	return sig
}

// generate writes the C program that calls every signature of plans with
// the argument bytes read from stdin and records what its callee sees.
//
// Per signature i: the renamed type definitions and the callee's prototype
// (ctype.Render), a typedef per parameter type, and a caller that loads
// each argument straight from the pattern buffer tf_pat (so no argument
// byte is left in the caller's frame except the by-reference copies the
// ABI asks for). Every callee is a label on one assembly stub.
func generate(plans []sigPlan) harness {
	var b strings.Builder
	line := 1
	w := func(s string) {
		b.WriteString(s)
		line += strings.Count(s, "\n")
	}
	h := harness{}
	w("/* trampfuzz truth harness: " + strconv.Itoa(len(plans)) + " signatures */\n")
	w("typedef unsigned long tf_u64;\n")
	w("extern unsigned char tf_pat[];\n")
	w("#define TF_ARG(T, off) (*(T *)(tf_pat + (off)))\n")
	patMax, patAlign := 16, patternBase
	for i, p := range plans {
		h.firstLine = append(h.firstLine, line)
		w("\n/* signature " + strconv.Itoa(i) + " */\n")
		w(ctype.Render(p.renamed))
		var args, meta []string
		for j, prm := range p.renamed.Params {
			td := fmt.Sprintf("tf_p%d_%d", i, j)
			w("typedef " + ctype.Declarator(prm.Type, td) + ";\n")
			args = append(args, fmt.Sprintf("TF_ARG(%s, %d)", td, p.offsets[j]))
			meta = append(meta, fmt.Sprintf("sizeof(%s), _Alignof(%s)", td, td))
			patAlign = max(patAlign, int(ctype.Alignof(prm.Type)))
		}
		// The empty asm after the call keeps it a real call (no sibling
		// call), so the caller's frame is live while the stub copies it.
		w(fmt.Sprintf("static void tf_call_%d(void) { %s(%s); __asm__ volatile(\"\" ::: \"memory\"); }\n",
			i, p.renamed.Name, strings.Join(args, ", ")))
		if len(meta) == 0 {
			meta = []string{"0"}
		}
		w(fmt.Sprintf("static const tf_u64 tf_meta_%d[] = { %s };\n", i, strings.Join(meta, ", ")))
		patMax = max(patMax, p.patLen)
	}
	h.tablesLine = line
	w("\n/* tables */\n")
	var calls, metas, nparams []string
	for i, p := range plans {
		calls = append(calls, "tf_call_"+strconv.Itoa(i))
		metas = append(metas, "tf_meta_"+strconv.Itoa(i))
		nparams = append(nparams, strconv.Itoa(len(p.renamed.Params)))
	}
	w("#define TF_N " + strconv.Itoa(len(plans)) + "\n")
	w("#define TF_PATMAX " + strconv.Itoa(patMax) + "\n")
	w("static void (*const tf_calls[TF_N])(void) = { " + strings.Join(calls, ", ") + " };\n")
	w("static const tf_u64 *const tf_metas[TF_N] = { " + strings.Join(metas, ", ") + " };\n")
	w("static const tf_u64 tf_nparams[TF_N] = { " + strings.Join(nparams, ", ") + " };\n")
	w(fmt.Sprintf("unsigned char tf_pat[TF_PATMAX] __attribute__((aligned(%d)));\n", patAlign))
	w(stubAndRunner(plans))
	h.src = b.String()
	return h
}

// stubAndRunner is the assembly stub every callee name labels, and main.
func stubAndRunner(plans []sigPlan) string {
	var labels strings.Builder
	for _, p := range plans {
		fmt.Fprintf(&labels, "\t.globl %[1]s\n\t.type %[1]s, %%function\n%[1]s:\n", p.renamed.Name)
	}
	return `
unsigned char tf_cap[` + strconv.Itoa(capHeader+maxWindow) + `] __attribute__((aligned(16)));
tf_u64 tf_top;

/* The stub: saves x0-x7, q0-q7 and SP, then copies the stack from SP up to
   main's frame (the caller's outgoing arguments, by-reference copies and
   frame), at most ` + strconv.Itoa(maxWindow) + ` bytes. It touches only x9-x17, which AAPCS64
   lets a callee clobber, and returns without writing a result. */
__asm__(
	"\t.text\n"
	"\t.p2align 4\n"
` + cLines(labels.String()) + `	"tf_capture:\n"
	"\tadrp x16, tf_cap\n"
	"\tadd x16, x16, :lo12:tf_cap\n"
	"\tstp x0, x1, [x16, #0]\n"
	"\tstp x2, x3, [x16, #16]\n"
	"\tstp x4, x5, [x16, #32]\n"
	"\tstp x6, x7, [x16, #48]\n"
	"\tstp q0, q1, [x16, #64]\n"
	"\tstp q2, q3, [x16, #96]\n"
	"\tstp q4, q5, [x16, #128]\n"
	"\tstp q6, q7, [x16, #160]\n"
	"\tmov x17, sp\n"
	"\tstr x17, [x16, #192]\n"
	"\tadrp x9, tf_top\n"
	"\tldr x9, [x9, :lo12:tf_top]\n"
	"\tsub x10, x9, x17\n"
	"\tmov x11, #` + strconv.Itoa(maxWindow) + `\n"
	"\tcmp x10, x11\n"
	"\tcsel x10, x10, x11, ls\n"
	"\tstr x10, [x16, #200]\n"
	"\tadd x11, x16, #208\n"
	"\tcbz x10, 2f\n"
	"1:\tldp x12, x13, [x17], #16\n"
	"\tstp x12, x13, [x11], #16\n"
	"\tsubs x10, x10, #16\n"
	"\tb.hi 1b\n"
	"2:\tret\n"
	"\t.size tf_capture, .-tf_capture\n");

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

/* Clears the stack the next call will use, so bytes left there by the
   previous run cannot pass for this run's arguments. */
static void __attribute__((noinline)) tf_scrub(void) {
	unsigned char b[` + strconv.Itoa(scrubBytes) + `];
	__builtin_memset(b, 0, sizeof b);
	__asm__ volatile("" :: "r"(b) : "memory");
}

/* stdin, per signature from argv[1] (default 0) on: nruns, patlen, then
   nruns patterns of patlen bytes. stdout, per signature: index, nruns,
   nparams, sizeof and _Alignof of each parameter, then one capture per run. */
int main(int argc, char **argv) {
	tf_u64 marker __attribute__((aligned(16))) = 0;
	__asm__ volatile("" :: "r"(&marker) : "memory");
	tf_top = (tf_u64)&marker & ~(tf_u64)15;
	tf_u64 i = 0;
	if (argc > 1)
		for (const char *s = argv[1]; *s; s++) i = i * 10 + (tf_u64)(*s - '0');
	for (; i < TF_N; i++) {
		tf_u64 in[2];
		tf_rd(in, sizeof in);
		if (in[1] > TF_PATMAX) _exit(5);
		tf_u64 hdr[3] = { i, in[0], tf_nparams[i] };
		tf_wr(hdr, sizeof hdr);
		tf_wr(tf_metas[i], 16 * tf_nparams[i]);
		for (tf_u64 r = 0; r < in[0]; r++) {
			tf_rd(tf_pat, in[1]);
			tf_scrub();
			tf_calls[i]();
			tf_wr(tf_cap, ` + strconv.Itoa(capHeader) + ` + ((tf_u64 *)tf_cap)[` + strconv.Itoa(capWinOff/8) + `]);
		}
	}
	return 0;
}
`
}

// cLines turns assembler text into C string literal lines for __asm__.
func cLines(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l == "" {
			continue
		}
		b.WriteString("\t" + strconv.Quote(l) + "\n")
	}
	return b.String()
}

// renameFunc copies fn with every tag, typedef and enumerator prefixed by
// "t<id>_", every anonymous record or enum given a tag (so the caller can
// name the parameter's type), unnamed parameters and the name
// tf_callee_<id>: many signatures then share one C file. Names do not
// change layout or argument passing. An anonymous record that is an
// unnamed member stays anonymous: a tag would make it a declaration of
// nothing instead of a C11 anonymous member.
func renameFunc(fn *ctype.Func, id int) *ctype.Func {
	r := &renamer{prefix: "t" + strconv.Itoa(id) + "_", done: map[renameKey]ctype.Type{}}
	out := &ctype.Func{Name: "tf_callee_" + strconv.Itoa(id), Return: r.typ(fn.Return, false)}
	for _, p := range fn.Params {
		out.Params = append(out.Params, ctype.Param{Type: r.typ(p.Type, false)})
	}
	return out
}

type renameKey struct {
	t          ctype.Type
	anonMember bool
}

type renamer struct {
	prefix string
	done   map[renameKey]ctype.Type
	anon   int
}

func (r *renamer) name(n string) string {
	if n == "" {
		r.anon++
		return r.prefix + "anon" + strconv.Itoa(r.anon)
	}
	return r.prefix + n
}

// typ copies t; anonMember is set for the type of an unnamed, non-bit-field
// member.
func (r *renamer) typ(t ctype.Type, anonMember bool) ctype.Type {
	switch t := t.(type) {
	case *ctype.Pointer:
		return &ctype.Pointer{Elem: r.typ(t.Elem, false)}
	case *ctype.Array:
		return &ctype.Array{Elem: r.typ(t.Elem, false), Len: t.Len}
	case *ctype.Record:
		key := renameKey{t, anonMember && t.Name == ""}
		if c, ok := r.done[key]; ok {
			return c
		}
		c := &ctype.Record{Union: t.Union, Packed: t.Packed, Aligned: t.Aligned, Incomplete: t.Incomplete}
		if !key.anonMember {
			c.Name = r.name(t.Name)
		}
		r.done[key] = c
		for _, m := range t.Members {
			m.Type = r.typ(m.Type, m.Name == "" && !m.Bitfield)
			c.Members = append(c.Members, m)
		}
		return c
	case *ctype.Enum:
		key := renameKey{t: t}
		if c, ok := r.done[key]; ok {
			return c
		}
		c := &ctype.Enum{Name: r.name(t.Name), Packed: t.Packed}
		for _, v := range t.Values {
			c.Values = append(c.Values, ctype.Enumerator{Name: r.prefix + v.Name, Value: v.Value})
		}
		r.done[key] = c
		return c
	case *ctype.Typedef:
		key := renameKey{t: t}
		if c, ok := r.done[key]; ok {
			return c
		}
		c := &ctype.Typedef{Name: r.prefix + t.Name, Aligned: t.Aligned}
		r.done[key] = c
		c.Type = r.typ(t.Type, false)
		return c
	}
	return t // *Basic: shared
}
