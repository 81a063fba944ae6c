package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/trampfuzz/trampfuzz/ctype"
)

// leafKind is how a BPF program reads a scalar part of an argument.
type leafKind int

const (
	leafInt       leafKind = iota // integer, enum, _Bool, bit-field, pointer: (long)expr
	leafWordLo                    // low 8 bytes of __int128: (long)expr
	leafWordHi                    // high 8 bytes of __int128: (long)(expr >> 64)
	leafBits                      // float/double: its bits, copied
	leafBitsLo                    // long double: bytes 0-7, copied
	leafBitsHi                    // long double: bytes 8-15, copied
	leafPointer                   // pointer: (long)expr
	leafBitsX87Hi                 // x86-64 long double: bytes 8-9 (sign and exponent), copied
)

// leaf is one scalar part of an argument with its known value.
type leaf struct {
	expr  string // C expression in the traced function and the BPF program: "a1.m0"
	label string // "a1.m0", "a1 (high 8 bytes)"
	glob  string // the BPF global's name suffix: "a1_m0"
	kind  leafKind
	// want is what the BPF global holds when the argument is read right,
	// as a C literal.
	want string
	// sum is the value's term in the traced function's return sum (0
	// and sumTerm "" for FP and the high word of __int128).
	sumVal  int64
	sumTerm string
}

// knownValues gives every scalar part of every argument a distinct known
// value, as bpf_testmod's calls do (16, 17, ...): init[i] is argument i's
// initializer, leaves its parts in order.
type knownValues struct {
	k      int
	init   []string
	leaves []leaf
	// x87: long double is the x86-64 80-bit format (x87Bits), not
	// AArch64's binary128 (quadBits).
	x87 bool
}

func (kv *knownValues) next() int { kv.k++; return 15 + kv.k }

func bitfieldValue(v int, bits int64, signed bool) int64 {
	if signed {
		if bits == 1 {
			return -1
		}
		return 1 + int64(v)%(int64(1)<<(bits-1)-1)
	}
	if bits >= 63 {
		return int64(v)
	}
	return 1 + int64(v)%(int64(1)<<bits-1)
}

func isSigned(t ctype.Type) bool {
	switch u := ctype.Underlying(t).(type) {
	case *ctype.Basic:
		return u.Kind.IsSigned()
	case *ctype.Enum:
		return ctype.EnumBase(u).IsSigned()
	}
	return false
}

// value returns the initializer of one object of type t reached by expr
// and records its leaves.
func (kv *knownValues) value(t ctype.Type, expr, label, glob string) string {
	switch u := ctype.Underlying(t).(type) {
	case *ctype.Basic:
		switch {
		case u.Kind == ctype.Bool:
			kv.next()
			kv.leaves = append(kv.leaves, leaf{expr: expr, label: label, glob: glob, kind: leafInt, want: "1", sumVal: 1, sumTerm: "(long)" + expr})
			return "1"
		case u.Kind == ctype.Int128 || u.Kind == ctype.UInt128:
			v := kv.next()
			lo, hi := int64(v), int64(0x100+v)
			cast := "__int128"
			if u.Kind == ctype.UInt128 {
				cast = "unsigned __int128"
			}
			kv.leaves = append(kv.leaves,
				leaf{expr: expr, label: label + " (low 8 bytes)", glob: glob + "_lo", kind: leafWordLo, want: fmt.Sprint(lo), sumVal: lo, sumTerm: "(long)" + expr},
				leaf{expr: expr, label: label + " (high 8 bytes)", glob: glob + "_hi", kind: leafWordHi, want: fmt.Sprint(hi)})
			return fmt.Sprintf("(((%s)%d << 64) | %d)", cast, hi, lo)
		case u.Kind.IsFloat():
			v := float64(kv.next()) + 0.5
			switch {
			case u.Kind == ctype.Float:
				kv.leaves = append(kv.leaves, leaf{expr: expr, label: label, glob: glob, kind: leafBits, want: fmt.Sprintf("0x%x", math.Float32bits(float32(v)))})
			case u.Kind == ctype.Double:
				kv.leaves = append(kv.leaves, leaf{expr: expr, label: label, glob: glob, kind: leafBits, want: fmt.Sprintf("0x%x", math.Float64bits(v))})
			case kv.x87:
				// Bytes 10-15 are padding (psABI 1.0 §3.1.2): only the
				// 10 value bytes are compared.
				lo, hi := x87Bits(v)
				kv.leaves = append(kv.leaves,
					leaf{expr: expr, label: label + " (bytes 0-7)", glob: glob + "_lo", kind: leafBitsLo, want: fmt.Sprintf("0x%x", lo)},
					leaf{expr: expr, label: label + " (bytes 8-9)", glob: glob + "_hi", kind: leafBitsX87Hi, want: fmt.Sprintf("0x%x", hi)})
			default:
				lo, hi := quadBits(v)
				kv.leaves = append(kv.leaves,
					leaf{expr: expr, label: label + " (bytes 0-7)", glob: glob + "_lo", kind: leafBitsLo, want: fmt.Sprintf("0x%x", lo)},
					leaf{expr: expr, label: label + " (bytes 8-15)", glob: glob + "_hi", kind: leafBitsHi, want: fmt.Sprintf("0x%x", hi)})
			}
			return fmt.Sprintf("%g", v)
		default:
			v := int64(kv.next())
			kv.leaves = append(kv.leaves, leaf{expr: expr, label: label, glob: glob, kind: leafInt, want: fmt.Sprint(v), sumVal: v, sumTerm: "(long)" + expr})
			return fmt.Sprint(v)
		}
	case *ctype.Enum:
		kv.next()
		e := u.Values[(kv.k-1)%len(u.Values)]
		kv.leaves = append(kv.leaves, leaf{expr: expr, label: label, glob: glob, kind: leafInt, want: fmt.Sprint(e.Value), sumVal: e.Value, sumTerm: "(long)" + expr})
		return e.Name
	case *ctype.Pointer:
		v := int64(kv.next())
		kv.leaves = append(kv.leaves, leaf{expr: expr, label: label, glob: glob, kind: leafPointer, want: fmt.Sprint(v), sumVal: v, sumTerm: "(long)" + expr})
		return fmt.Sprintf("(%s)%d", ctype.TypeString(t), v)
	case *ctype.Array:
		var parts []string
		for i := int64(0); i < u.Len; i++ {
			parts = append(parts, kv.value(u.Elem, fmt.Sprintf("%s[%d]", expr, i), fmt.Sprintf("%s[%d]", label, i), fmt.Sprintf("%s_%d", glob, i)))
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case *ctype.Record:
		return "{ " + strings.Join(kv.members(u, expr, label, glob), ", ") + " }"
	}
	return "0"
}

// members returns the designated initializers of a record's members; a
// union initializes its first member only. Anonymous record members are
// initialized through their own members' names (C11 6.7.2.1p13).
func (kv *knownValues) members(r *ctype.Record, expr, label, glob string) []string {
	var parts []string
	for _, m := range r.Members {
		switch {
		case m.Bitfield && (m.Name == "" || m.Bits == 0):
			continue
		case m.Name == "":
			inner, ok := ctype.Underlying(m.Type).(*ctype.Record)
			if !ok {
				continue
			}
			parts = append(parts, kv.members(inner, expr, label, glob)...)
		case m.Bitfield:
			v := kv.next()
			signed := isSigned(m.Type)
			if b, ok := ctype.Underlying(m.Type).(*ctype.Basic); ok && b.Kind == ctype.Bool {
				signed = false
			}
			val := bitfieldValue(v-16, m.Bits, signed)
			e := expr + "." + m.Name
			kv.leaves = append(kv.leaves, leaf{expr: e, label: label + "." + m.Name, glob: glob + "_" + m.Name, kind: leafInt, want: fmt.Sprint(val), sumVal: val, sumTerm: "(long)" + e})
			parts = append(parts, fmt.Sprintf(".%s = %d", m.Name, val))
		default:
			parts = append(parts, "."+m.Name+" = "+kv.value(m.Type, expr+"."+m.Name, label+"."+m.Name, glob+"_"+m.Name))
		}
		if r.Union && len(parts) > 0 {
			break
		}
	}
	return parts
}

// quadBits is the IEEE binary128 encoding of a float64 value (exact for
// the small x.5 values used here): 15-bit exponent bias 16383, 112-bit
// fraction, as AArch64 Linux long double (AAPCS64 2025Q4 Table 3).
func quadBits(v float64) (lo, hi uint64) {
	b := math.Float64bits(v)
	sign, exp, frac := b>>63, (b>>52)&0x7ff, b&(1<<52-1)
	if exp == 0 && frac == 0 {
		return 0, sign << 63
	}
	e := exp - 1023 + 16383
	// The 52-bit fraction is the top of the 112-bit one: shift by 60.
	return frac << 60, sign<<63 | e<<48 | frac>>4
}

// x87Bits is the x87 80-bit extended encoding of a float64 value, as
// x86-64 long double (psABI 1.0 §3.1.2, Figure 3.1: 80 bits in 16
// bytes): lo is the 64-bit significand with its explicit integer bit 63,
// hi the sign and the 15-bit exponent (bias 16383), bytes 8-9.
func x87Bits(v float64) (lo uint64, hi uint16) {
	b := math.Float64bits(v)
	sign, exp, frac := b>>63, (b>>52)&0x7ff, b&(1<<52-1)
	if exp == 0 && frac == 0 {
		return 0, uint16(sign << 15)
	}
	return 1<<63 | frac<<11, uint16(sign<<15 | (exp - 1023 + 16383))
}

// kselftestNames are the names the selftest files use for case c.
type kselftestNames struct {
	id, fn, prefix, prog, skel string
}

func namesFor(c *Case) kselftestNames {
	id := c.ID()
	return kselftestNames{
		id: id, fn: "bpf_testmod_test_tf_" + id, prefix: "bpf_testmod_tf_" + id + "_",
		prog: "tracing_struct_tf_" + id, skel: "tracing_struct_tf_" + id,
	}
}

// Kselftest returns the selftest files of case c, by path under kselftest/:
// bpf_testmod.c (the traced function and its call, for
// tools/testing/selftests/bpf/test_kmods/bpf_testmod.c), progs/… (fentry
// and fexit programs in the style of progs/tracing_struct.c) and
// prog_tests/… (the subtest, in the style of prog_tests/tracing_struct.c).
func Kselftest(c *Case) map[string]string {
	n := namesFor(c)
	// The traced function returns int, as bpf_testmod's do: the return
	// type does not change where arguments go (AAPCS64 2025Q4: an
	// indirect result uses x8, not an argument register; on x86-64 a
	// MEMORY result would take rdi, but btf_distill_func_proto rejects a
	// struct or union return, so no mismatch case has one).
	fn := ctype.Prefixed(c.Func, n.fn, n.prefix, strings.ToUpper(n.prefix))
	fn.Return = ctype.TInt
	for i := range fn.Params {
		if fn.Params[i].Name == "" {
			fn.Params[i].Name = fmt.Sprintf("arg%d", i)
		}
	}
	text := ctype.Render(fn)
	defs := strings.TrimSuffix(text, lastLine(text)+"\n")
	proto := strings.TrimSuffix(strings.TrimPrefix(lastLine(text), "int "), ";")

	kv := &knownValues{x87: textOf(c).x87}
	for _, p := range fn.Params {
		kv.init = append(kv.init, kv.value(p.Type, p.Name, p.Name, p.Name))
	}
	var terms []string
	var sum int64
	for _, l := range kv.leaves {
		if l.sumTerm != "" {
			terms = append(terms, l.sumTerm)
			sum += l.sumVal
		}
	}
	if len(terms) == 0 {
		terms = []string{"0"}
	}
	ret := int64(int32(sum)) // stored in a long, returned as int

	header := fmt.Sprintf("trampfuzz %s: %s", n.id, c.Verdict.Class)
	files := map[string]string{}

	// The kernel half.
	var k strings.Builder
	fmt.Fprintf(&k, "/* %s\n *\n * Paste the types and the function into\n * tools/testing/selftests/bpf/test_kmods/bpf_testmod.c next to\n * bpf_testmod_test_struct_arg_*() (after __bpf_hook_start()), and the call into\n * bpf_testmod_test_read().\n */\n\n", header)
	k.WriteString(defs)
	if defs != "" {
		k.WriteString("\n")
	}
	fmt.Fprintf(&k, "noinline int\n%s\n{\n\tbpf_testmod_test_struct_arg_result = %s;\n\treturn bpf_testmod_test_struct_arg_result;\n}\n\n", proto, wrapSum(terms))
	k.WriteString("/* In bpf_testmod_test_read(): */\n")
	var callArgs []string
	for i, p := range fn.Params {
		if ctype.IsRecord(p.Type) || isArrayish(p.Type) {
			v := fmt.Sprintf("tf_%s_%s", n.id, p.Name)
			fmt.Fprintf(&k, "\t%s = %s;\n", ctype.Declarator(p.Type, v), kv.init[i])
			callArgs = append(callArgs, v)
			continue
		}
		callArgs = append(callArgs, kv.init[i])
	}
	fmt.Fprintf(&k, "\n\t(void)%s(%s);\n", n.fn, strings.Join(callArgs, ", "))
	files["bpf_testmod.c"] = k.String()

	// The BPF programs.
	var b strings.Builder
	fmt.Fprintf(&b, "// SPDX-License-Identifier: GPL-2.0\n/* %s */\n\n#include <vmlinux.h>\n#include <bpf/bpf_tracing.h>\n#include <bpf/bpf_helpers.h>\n\n", header)
	b.WriteString(defs)
	if defs != "" {
		b.WriteString("\n")
	}
	g := func(s string) string { return "tf_" + n.id + "_" + s }
	var globs []string
	for _, l := range kv.leaves {
		globs = append(globs, g(l.glob))
	}
	globs = append(globs, g("nregs"), g("ret"))
	fmt.Fprintf(&b, "long %s;\n\n", strings.Join(globs, ", "))

	prog2 := true
	var pairs []string
	lay := layoutsOf(c)
	for _, p := range fn.Params {
		if s := lay.Sizeof(p.Type); s != 1 && s != 2 && s != 4 && s != 8 && s != 16 {
			prog2 = false // BPF_PROG2 handles sizes 1, 2, 4, 8 and 16 only (___bpf_union_arg)
		}
		pairs = append(pairs, ctype.TypeString(p.Type), p.Name)
	}
	fmt.Fprintf(&b, "SEC(\"fentry/%s\")\n", n.fn)
	if prog2 {
		fmt.Fprintf(&b, "int BPF_PROG2(test_tf_%s%s)\n{\n", n.id, prefixComma(pairs))
	} else {
		fmt.Fprintf(&b, "int test_tf_%s(unsigned long long *ctx)\n{\n", n.id)
		b.WriteString(getFuncArgs(c, fn))
	}
	for _, l := range kv.leaves {
		b.WriteString("\t" + l.bpfStore(g(l.glob)) + "\n")
	}
	b.WriteString("\treturn 0;\n}\n\n")
	fmt.Fprintf(&b, "SEC(\"fexit/%s\")\n", n.fn)
	if prog2 {
		fmt.Fprintf(&b, "int BPF_PROG2(test_tf_%s_exit%s, int, ret)\n{\n", n.id, prefixComma(pairs))
		fmt.Fprintf(&b, "\t%s = bpf_get_func_arg_cnt(ctx);\n\t%s = ret;\n", g("nregs"), g("ret"))
	} else {
		fmt.Fprintf(&b, "int test_tf_%s_exit(unsigned long long *ctx)\n{\n\t__u64 ret = 0;\n\n", n.id)
		fmt.Fprintf(&b, "\t%s = bpf_get_func_arg_cnt(ctx);\n\tbpf_get_func_ret(ctx, &ret);\n\t%s = (int)ret;\n", g("nregs"), g("ret"))
	}
	b.WriteString("\treturn 0;\n}\n\nchar _license[] SEC(\"license\") = \"GPL\";\n")
	files["progs/"+n.prog+".c"] = b.String()

	// The subtest.
	var t strings.Builder
	fmt.Fprintf(&t, "/* %s\n *\n * Paste into tools/testing/selftests/bpf/prog_tests/tracing_struct.c and call it\n * from test_tracing_struct():\n *\n *\tif (test__start_subtest(\"tf_%s\"))\n *\t\ttest_tf_%s();\n */\n", header, n.id, n.id)
	fmt.Fprintf(&t, "#include \"%s.skel.h\"\n\n", n.skel)
	fmt.Fprintf(&t, "static void test_tf_%s(void)\n{\n\tstruct %s *skel;\n\tint err;\n\n", n.id, n.skel)
	fmt.Fprintf(&t, "\tskel = %s__open_and_load();\n\tif (!ASSERT_OK_PTR(skel, \"%s__open_and_load\"))\n\t\treturn;\n\n", n.skel, n.skel)
	fmt.Fprintf(&t, "\terr = %s__attach(skel);\n\tif (!ASSERT_OK(err, \"%s__attach\"))\n\t\tgoto destroy_skel;\n\n", n.skel, n.skel)
	t.WriteString("\tASSERT_OK(trigger_module_test_read(256), \"trigger_read\");\n\n")
	for _, l := range kv.leaves {
		fmt.Fprintf(&t, "\tASSERT_EQ(skel->bss->%s, %s, \"%s\");\n", g(l.glob), l.want, l.label)
	}
	if c.Verdict.Ctx != nil {
		fmt.Fprintf(&t, "\tASSERT_EQ(skel->bss->%s, %d, \"nregs\");\n", g("nregs"), c.Verdict.Ctx.Count)
	}
	fmt.Fprintf(&t, "\tASSERT_EQ(skel->bss->%s, %d, \"ret\");\n\n", g("ret"), ret)
	fmt.Fprintf(&t, "destroy_skel:\n\t%s__destroy(skel);\n}\n", n.skel)
	files["prog_tests/"+n.prog+".c"] = t.String()
	return files
}

func isArrayish(t ctype.Type) bool {
	_, ok := ctype.Underlying(t).(*ctype.Array)
	return ok
}

func prefixComma(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return ", " + strings.Join(parts, ", ")
}

// wrapSum writes a sum of terms, four to a line.
func wrapSum(terms []string) string {
	var b strings.Builder
	for i, t := range terms {
		if i > 0 {
			b.WriteString(" +")
			if i%4 == 0 {
				b.WriteString("\n\t\t")
			} else {
				b.WriteString(" ")
			}
		}
		b.WriteString(t)
	}
	return b.String()
}

// bpfStore is the statement that records a leaf in global g.
func (l leaf) bpfStore(g string) string {
	switch l.kind {
	case leafWordLo:
		return fmt.Sprintf("%s = (long)%s;", g, l.expr)
	case leafWordHi:
		return fmt.Sprintf("%s = (long)(%s >> 64);", g, l.expr)
	case leafBits:
		return fmt.Sprintf("__builtin_memcpy(&%s, &%s, sizeof(%s));", g, l.expr, l.expr)
	case leafBitsLo:
		return fmt.Sprintf("__builtin_memcpy(&%s, (char *)&%s, 8);", g, l.expr)
	case leafBitsHi:
		return fmt.Sprintf("__builtin_memcpy(&%s, (char *)&%s + 8, 8);", g, l.expr)
	case leafBitsX87Hi:
		return fmt.Sprintf("__builtin_memcpy(&%s, (char *)&%s + 8, 2);", g, l.expr)
	}
	return fmt.Sprintf("%s = (long)%s;", g, l.expr)
}

// getFuncArgs declares each argument and fills it from its BPF ctx slots
// with bpf_get_func_arg(), for signatures BPF_PROG2 cannot spell.
func getFuncArgs(c *Case, fn *ctype.Func) string {
	var b strings.Builder
	for i, p := range fn.Params {
		first, slots := i, 1
		if c.Verdict.Ctx != nil {
			for _, a := range c.Verdict.Ctx.Args {
				if a.Index == i {
					first, slots = a.FirstSlot, a.Slots
				}
			}
		}
		fmt.Fprintf(&b, "\t%s;\n\t__u64 %s_w[2] = {};\n", ctype.Declarator(p.Type, p.Name), p.Name)
		for s := 0; s < slots && s < 2; s++ {
			fmt.Fprintf(&b, "\tbpf_get_func_arg(ctx, %d, &%s_w[%d]);\n", first+s, p.Name, s)
		}
		fmt.Fprintf(&b, "\t__builtin_memcpy(&%s, %s_w, sizeof(%s));\n", p.Name, p.Name, p.Name)
	}
	b.WriteString("\n")
	return b.String()
}
