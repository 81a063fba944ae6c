package layout_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/trampfuzz/trampfuzz/layout"
	"github.com/trampfuzz/trampfuzz/loc"
)

// BTF types of tools/testing/selftests/bpf/test_kmods/bpf_testmod.c
// (kernel-jit.md §9; signatures read at yonghong-song/bpf@995dd580b74c and
// torvalds 0996e93691f1), built the way pahole names them.
var (
	tChar    = &btf.Int{Name: "char", Size: 1, Encoding: btf.Char}
	tShort   = &btf.Int{Name: "short", Size: 2, Encoding: btf.Signed}
	tInt     = &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	tUint    = &btf.Int{Name: "unsigned int", Size: 4}
	tLong    = &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
	tULong   = &btf.Int{Name: "unsigned long", Size: 8}
	tULL     = &btf.Int{Name: "unsigned long long", Size: 8}
	tU64     = &btf.Typedef{Name: "u64", Type: tULL}
	tKU64    = &btf.Typedef{Name: "__u64", Type: tULL}
	tInt128  = &btf.Int{Name: "__int128", Size: 16, Encoding: btf.Signed}
	tVoidPtr = &btf.Pointer{Target: (*btf.Void)(nil)}

	// struct bpf_testmod_struct_arg_1 {int a;}
	sArg1 = &btf.Struct{Name: "bpf_testmod_struct_arg_1", Size: 4, Members: []btf.Member{
		{Name: "a", Type: tInt}}}
	// struct bpf_testmod_struct_arg_2 {long a; long b;}
	sArg2 = &btf.Struct{Name: "bpf_testmod_struct_arg_2", Size: 16, Members: []btf.Member{
		{Name: "a", Type: tLong}, {Name: "b", Type: tLong, Offset: 64}}}
	// struct bpf_testmod_struct_arg_3 {int a; int b[];}
	sArg3 = &btf.Struct{Name: "bpf_testmod_struct_arg_3", Size: 4, Members: []btf.Member{
		{Name: "a", Type: tInt}, {Name: "b", Type: &btf.Array{Index: tInt, Type: tInt, Nelems: 0}, Offset: 32}}}
	// struct bpf_testmod_struct_arg_4 {u64 a; int b;}
	sArg4 = &btf.Struct{Name: "bpf_testmod_struct_arg_4", Size: 16, Members: []btf.Member{
		{Name: "a", Type: tU64}, {Name: "b", Type: tInt, Offset: 64}}}
	// struct bpf_testmod_struct_arg_5 {char a; short b; int c; long d;}
	sArg5 = &btf.Struct{Name: "bpf_testmod_struct_arg_5", Size: 16, Members: []btf.Member{
		{Name: "a", Type: tChar}, {Name: "b", Type: tShort, Offset: 16},
		{Name: "c", Type: tInt, Offset: 32}, {Name: "d", Type: tLong, Offset: 64}}}
	// union bpf_testmod_union_arg_1 {char a; short b; struct bpf_testmod_struct_arg_1 arg;}
	uArg1 = &btf.Union{Name: "bpf_testmod_union_arg_1", Size: 4, Members: []btf.Member{
		{Name: "a", Type: tChar}, {Name: "b", Type: tShort}, {Name: "arg", Type: sArg1}}}
	// union bpf_testmod_union_arg_2 {int a; long b; struct bpf_testmod_struct_arg_2 arg;}
	uArg2 = &btf.Union{Name: "bpf_testmod_union_arg_2", Size: 16, Members: []btf.Member{
		{Name: "a", Type: tInt}, {Name: "b", Type: tLong}, {Name: "arg", Type: sArg2}}}
	// struct bpf_testmod_struct_int128 {__int128 a;} (the fork's int128 tests)
	sInt128 = &btf.Struct{Name: "bpf_testmod_struct_int128", Size: 16, Members: []btf.Member{
		{Name: "a", Type: tInt128}}}
)

type param struct {
	name string
	typ  btf.Type
}

func p(name string, typ btf.Type) param { return param{name, typ} }

// fn builds a BTF FUNC of a FUNC_PROTO in memory.
func fn(name string, ret btf.Type, params ...param) *btf.Func {
	proto := &btf.FuncProto{Return: ret}
	for _, x := range params {
		proto.Params = append(proto.Params, btf.FuncParam{Name: x.name, Type: x.typ})
	}
	return &btf.Func{Name: name, Type: proto, Linkage: btf.GlobalFunc}
}

// marshal turns funcs into raw BTF bytes with cilium/ebpf's builder.
func marshal(tb testing.TB, funcs ...*btf.Func) []byte {
	tb.Helper()
	types := make([]btf.Type, len(funcs))
	for i, f := range funcs {
		types[i] = f
	}
	b, err := btf.NewBuilder(types, nil)
	if err != nil {
		tb.Fatalf("btf.NewBuilder: %v", err)
	}
	raw, err := b.Marshal(nil, nil)
	if err != nil {
		tb.Fatalf("Marshal: %v", err)
	}
	return raw
}

// realBTF marshals f and loads it back, so that Distill sees only what
// survives the BTF encoding, like the kernel.
func realBTF(tb testing.TB, f *btf.Func) *btf.Func {
	tb.Helper()
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(marshal(tb, f)))
	if err != nil {
		tb.Fatalf("LoadSpecFromReader: %v", err)
	}
	var got *btf.Func
	if err := spec.TypeByName(f.Name, &got); err != nil {
		tb.Fatalf("TypeByName(%q): %v", f.Name, err)
	}
	return got
}

func lookup(tb testing.TB, ver string) layout.Kernel {
	tb.Helper()
	k, err := layout.Lookup(layout.ArchARM64, ver)
	if err != nil {
		tb.Fatalf("Lookup(%q): %v", ver, err)
	}
	return k
}

// dump prints a trampoline compactly: one line per argument with its byte
// runs ("none[8-15]" for bytes the trampoline never stores), then the ctx
// map: a<i>=<first slot>+<slots>, the return slot and ctx[-1].
func dump(tr *layout.Trampoline) string {
	var b strings.Builder
	for _, a := range tr.Placement.Args {
		fmt.Fprintf(&b, "a%d:", a.Index)
		for i := 0; i < len(a.Bytes); {
			j := i
			if a.Bytes[i].IsZero() {
				for j < len(a.Bytes) && a.Bytes[j].IsZero() {
					j++
				}
				fmt.Fprintf(&b, " none[%d-%d]", i, j-1)
			} else {
				for j < len(a.Bytes) && !a.Bytes[j].IsZero() {
					j++
				}
				for _, r := range loc.Runs(a.Bytes[i:j]) {
					b.WriteString(" " + r.String())
				}
			}
			i = j
		}
		b.WriteByte('\n')
	}
	b.WriteString("ctx:")
	for _, c := range tr.Ctx.Args {
		fmt.Fprintf(&b, " a%d=%d+%d", c.Index, c.FirstSlot, c.Slots)
	}
	fmt.Fprintf(&b, " ret=%d count=%d", tr.Ctx.RetSlot, tr.Ctx.Count)
	return b.String()
}

// run distills f (through real BTF) and builds the arm64 trampoline; it
// returns the dump, or "reject <stage> <errno>: <message>".
func run(tb testing.TB, f *btf.Func, ver string, opts layout.Options) string {
	tb.Helper()
	return runKernel(tb, f, lookup(tb, ver), opts)
}

// runKernel distills f through real BTF and builds k's trampoline with
// layout.JIT; it returns the dump, or "reject <stage> <errno>: <message>".
func runKernel(tb testing.TB, f *btf.Func, k layout.Kernel, opts layout.Options) string {
	tb.Helper()
	m, rej, err := layout.Distill(realBTF(tb, f), k)
	if err != nil {
		tb.Fatalf("%s: Distill: %v", k.Name, err)
	}
	if rej == nil {
		var tr *layout.Trampoline
		tr, rej, err = layout.JIT(m, k, opts)
		if err != nil {
			tb.Fatalf("%s: JIT: %v", k.Name, err)
		}
		if rej == nil {
			return dump(tr)
		}
	}
	return fmt.Sprintf("reject %s %d: %s", rej.Stage, rej.Errno, rej.Message)
}
