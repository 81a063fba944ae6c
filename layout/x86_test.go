package layout_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/trampfuzz/trampfuzz/layout"
	"github.com/trampfuzz/trampfuzz/loc"
)

// x86 shapes beyond the bpf_testmod functions of golden_test.go.
var (
	// struct foo_struct {long a; int b;}: the example in the save_args
	// comment of arch/x86/net/bpf_jit_comp.c (473e3150e30a).
	sFoo = &btf.Struct{Name: "foo_struct", Size: 16, Members: []btf.Member{
		{Name: "a", Type: tLong}, {Name: "b", Type: tInt, Offset: 64}}}
	// int foo(char, char, char, char, char, struct foo_struct, char):
	// "the arg1-5,arg7 will be passed by regs, and arg6 will by stack".
	fFoo = fn("foo", tInt, p("a", tChar), p("b", tChar), p("c", tChar), p("d", tChar), p("e", tChar), p("f", sFoo), p("g", tChar))
	// struct s3 {char a[3];}: 3 bytes, no BPF store width.
	sS3 = &btf.Struct{Name: "s3", Size: 3, Members: []btf.Member{
		{Name: "a", Type: &btf.Array{Index: tInt, Type: tChar, Nelems: 3}}}}
	fS3Long = fn("f_s3_long", tLong, p("a", sS3), p("b", tLong))
	// long f(long a, ..., long g, __int128 h): the __int128 is the second
	// stack argument; gcc 12 reads it at 24(%rsp), i.e. sp+16 (System V
	// psABI 3.2.3: __int128 is 16-byte aligned in memory).
	fLong7Int128 = fn("f_long7_int128", tLong, p("a", tLong), p("b", tLong), p("c", tLong), p("d", tLong), p("e", tLong), p("f", tLong), p("g", tLong), p("h", tInt128))
	// 11 longs and an __int128: 13 slots, 12 by a STRUCT_ARG-only count.
	fLong11Int128 = fn("f_long11_int128", tLong, p("a", tLong), p("b", tLong), p("c", tLong), p("d", tLong), p("e", tLong), p("f", tLong), p("g", tLong), p("h", tLong), p("i", tLong), p("j", tLong), p("k", tLong), p("l", tInt128))
	// 11 longs and a 16-byte struct: 13 slots by any count.
	fLong11Struct = fn("f_long11_struct", tLong, p("a", tLong), p("b", tLong), p("c", tLong), p("d", tLong), p("e", tLong), p("f", tLong), p("g", tLong), p("h", tLong), p("i", tLong), p("j", tLong), p("k", tLong), p("l", sArg2))
)

// One concrete version per x86 model, plus v6.18 (union arguments in
// btf.c, inside v6.6-v7.2).
var x86GoldenKernels = []string{"v6.0", "v6.1", "v6.3", "v6.6", "v6.18", "v7.3"}

// x86 golden expectations, derived by hand from the kernel code:
//   - v6.0 fec56f5890d9 (read at the v6.0-era file): nr_args > 6 ->
//     -ENOTSUPP; save_regs: ctx[i] <- i-th of rdi, rsi, rdx, rcx, r8, r9 with
//     emit_stx(bytes_to_bpf_size(arg_size[i])); ctx[-1] = nr_args. btf.c has
//     no struct args; btf_ctx_access maps slot off/8 to arg off/8.
//   - v6.1 a9c5ad31fbdc: nr_args > 6 or nr_args + extra(STRUCT_ARG) > 6 ->
//     -ENOTSUPP; a STRUCT_ARG takes (size+7)/8 registers stored as 8 bytes,
//     anything else one register stored with its own size; ctx[-1] =
//     nr_args + extra.
//   - v6.3 "Simplify the parsing logic of structure parameters": for i <
//     nr_regs, ctx[i] <- register i with width arg_size[j] (8 if > 8, and j
//     stays on a >8-byte argument for its second register).
//   - v6.6 473e3150e30a: nr_regs (STRUCT_ARG-only count) > 12 -> -ENOTSUPP;
//     save_args: an argument whose (size+7)/8 slots do not fit the
//     remaining registers is read whole from [RBP+0x18+8*stack_slot] (sp+0
//     is the caller's first stack slot), later ones may still take
//     registers; frame and ctx[-1] hold nr_regs slots.
//   - v6.18 ccb4f5d91ec4: union arguments (STRUCT_ARG set for them).
//   - v7.3 814cba835ef6: nr_regs counts every argument by size;
//     596824de8c10: struct_ops reads the stack from RBP+0x10.
//
// System V comparisons in the comments were checked with gcc 12 -O2 on
// x86-64 (the location of each argument in the generated code).
var x86Goldens = []golden{
	{fn: fStructArg1, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_struct_arg_1 arg0 type STRUCT is unsupported.",
		// v6.1: 3 + 1 = 4 registers; the selftest checks
		// bpf_get_func_arg_cnt() == 4.
		"*": "a0: rdi.0-7 rsi.0-7\na1: rdx.0-3\na2: rcx.0-3\nctx: a0=0+2 a1=2+1 a2=3+1 ret=4 count=4",
	}},
	{fn: fStructArg4, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_struct_arg_4 arg0 type STRUCT is unsupported.",
		// 5 + 0 (4-byte struct) + 1 = 6 registers, all of them.
		"*": "a0: rdi.0-3\na1: rsi.0-3\na2: rdx.0-3\na3: rcx.0-3\na4: r8.0-7 r9.0-7\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+2 ret=6 count=6",
	}},
	{fn: fStructArg7, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_struct_arg_7 arg5 type STRUCT is unsupported.",
		"v6.1": jitReject, // 6 + 1 = 7 registers > 6
		"v6.3": jitReject,
		// v6.6: f needs 2 slots with 5 registers used: all of it on the
		// stack, r9 unused (System V: memory, sp+0).
		"*": "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-1\na3: rcx.0-3\na4: r8.0-7\na5: sp+0-15\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 ret=7 count=7",
	}},
	{fn: fStructArg8, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_struct_arg_8 arg5 type STRUCT is unsupported.",
		"v6.1": jitReject, // 7 arguments > 6
		"v6.3": jitReject,
		// v6.6: g still fits r9 after f went to the stack.
		"*": "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-1\na3: rcx.0-3\na4: r8.0-7\na5: sp+0-15\na6: r9.0-3\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=8",
	}},
	{fn: fStructArg9, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_struct_arg_9 arg7 type STRUCT is unsupported.",
		"v6.1": jitReject, "v6.3": jitReject,
		// v6.6: a..f take all six registers; g, h, i packed from sp+0
		// (System V agrees: g sp+0, h sp+8, i sp+24).
		"*": "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-1\na3: rcx.0-3\na4: r8.0-7\na5: r9.0\na6: sp+0-1\na7: sp+8-23\na8: sp+24-31\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+2 a8=9+1 ret=10 count=10",
	}},
	{fn: fStructArg9, opts: layout.Options{StructOps: true}, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_struct_arg_9 arg7 type STRUCT is unsupported.",
		"v6.1": jitReject, "v6.3": jitReject,
		// Before 596824de8c10 an indirect trampoline reads RBP+0x18,
		// which is sp+8 there: 8 bytes too high.
		"v6.6":  "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-1\na3: rcx.0-3\na4: r8.0-7\na5: r9.0\na6: sp+8-9\na7: sp+16-31\na8: sp+32-39\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+2 a8=9+1 ret=10 count=10",
		"v6.18": "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-1\na3: rcx.0-3\na4: r8.0-7\na5: r9.0\na6: sp+8-9\na7: sp+16-31\na8: sp+32-39\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+2 a8=9+1 ret=10 count=10",
		"v7.3":  "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-1\na3: rcx.0-3\na4: r8.0-7\na5: r9.0\na6: sp+0-1\na7: sp+8-23\na8: sp+24-31\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+2 a8=9+1 ret=10 count=10",
	}},
	{fn: fUnionArg2, wants: map[string]string{
		"v6.0":  "reject distill -22: The function bpf_testmod_test_union_arg_2 arg1 type UNION is unsupported.",
		"v6.1":  "reject distill -22: The function bpf_testmod_test_union_arg_2 arg1 type UNION is unsupported.",
		"v6.3":  "reject distill -22: The function bpf_testmod_test_union_arg_2 arg1 type UNION is unsupported.",
		"v6.6":  "reject distill -22: The function bpf_testmod_test_union_arg_2 arg1 type UNION is unsupported.",
		"v6.18": "a0: rdi.0-3\na1: rsi.0-7 rdx.0-7\nctx: a0=0+1 a1=1+2 ret=3 count=3",
		"v7.3":  "a0: rdi.0-3\na1: rsi.0-7 rdx.0-7\nctx: a0=0+1 a1=1+2 ret=3 count=3",
	}},
	{fn: fFentry7, wants: map[string]string{
		"v6.0": jitReject, "v6.1": jitReject, "v6.3": jitReject, // 7 > 6
		"*": "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-1\na3: rcx.0-3\na4: r8.0-7\na5: r9.0\na6: sp+0-3\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 ret=7 count=7",
	}},
	{fn: fFentry11, wants: map[string]string{
		"v6.0": jitReject, "v6.1": jitReject, "v6.3": jitReject,
		"*": "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-1\na3: rcx.0-3\na4: r8.0-7\na5: r9.0\na6: sp+0-3\na7: sp+8-11\na8: sp+16-23\na9: sp+24-31\na10: sp+32-39\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+1 a8=8+1 a9=9+1 a10=10+1 ret=11 count=11",
	}},
	{fn: fFentry11, opts: layout.Options{StructOps: true}, wants: map[string]string{
		"v6.0": jitReject, "v6.1": jitReject, "v6.3": jitReject,
		"v6.6":  "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-1\na3: rcx.0-3\na4: r8.0-7\na5: r9.0\na6: sp+8-11\na7: sp+16-19\na8: sp+24-31\na9: sp+32-39\na10: sp+40-47\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+1 a8=8+1 a9=9+1 a10=10+1 ret=11 count=11",
		"v6.18": "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-1\na3: rcx.0-3\na4: r8.0-7\na5: r9.0\na6: sp+8-11\na7: sp+16-19\na8: sp+24-31\na9: sp+32-39\na10: sp+40-47\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+1 a8=8+1 a9=9+1 a10=10+1 ret=11 count=11",
		"v7.3":  "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-1\na3: rcx.0-3\na4: r8.0-7\na5: r9.0\na6: sp+0-3\na7: sp+8-11\na8: sp+16-23\na9: sp+24-31\na10: sp+32-39\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+1 a8=8+1 a9=9+1 a10=10+1 ret=11 count=11",
	}},
	{fn: fFoo, wants: map[string]string{
		"v6.0": "reject distill -22: The function foo arg5 type STRUCT is unsupported.",
		"v6.1": jitReject, // 7 arguments
		"v6.3": jitReject, // 8 registers
		// The kernel comment: arg6 (f) on the stack, arg7 (g) in r9.
		// gcc 12 agrees: f at 8(%rsp) = sp+0, g in %r9b.
		"*": "a0: rdi.0\na1: rsi.0\na2: rdx.0\na3: rcx.0\na4: r8.0\na5: sp+0-15\na6: r9.0\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=8",
	}},
	{fn: fFoo, opts: layout.Options{StructOps: true}, wants: map[string]string{
		"v6.0": "reject distill -22: The function foo arg5 type STRUCT is unsupported.",
		"v6.1": jitReject, "v6.3": jitReject,
		"v6.6":  "a0: rdi.0\na1: rsi.0\na2: rdx.0\na3: rcx.0\na4: r8.0\na5: sp+8-23\na6: r9.0\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=8",
		"v6.18": "a0: rdi.0\na1: rsi.0\na2: rdx.0\na3: rcx.0\na4: r8.0\na5: sp+8-23\na6: r9.0\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=8",
		"v7.3":  "a0: rdi.0\na1: rsi.0\na2: rdx.0\na3: rcx.0\na4: r8.0\na5: sp+0-15\na6: r9.0\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=8",
	}},
	{fn: fLong5Int128, wants: map[string]string{
		"v6.0": jitReject, "v6.1": jitReject, // 7 arguments
		"v6.3": jitReject, // nr_regs 7 > 6
		// v6.6: the 16-byte argument no longer fits (5 + 2 > 6): read from
		// sp+0..15; h takes r9 (gcc 12: g at 8(%rsp), h in %r9). But
		// nr_regs = 7 counts g once: ctx[7], where the verifier puts h,
		// is past the frame's slots.
		"v6.6":  "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-7\na3: rcx.0-7\na4: r8.0-7\na5: sp+0-15\na6: none[0-7]\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=7",
		"v6.18": "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-7\na3: rcx.0-7\na4: r8.0-7\na5: sp+0-15\na6: none[0-7]\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=7",
		// 814cba835ef6: nr_regs = 8.
		"v7.3": "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-7\na3: rcx.0-7\na4: r8.0-7\na5: sp+0-15\na6: r9.0-7\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=8",
	}},
	{fn: fLong7Int128, wants: map[string]string{
		"v6.0": jitReject, "v6.1": jitReject, "v6.3": jitReject,
		// v6.6: g at sp+0, h packed at sp+8 (System V and gcc: sp+16,
		// 16-byte aligned); nr_regs 8 leaves h's second slot out.
		"v6.6":  "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-7\na3: rcx.0-7\na4: r8.0-7\na5: r9.0-7\na6: sp+0-7\na7: sp+8-15 none[8-15]\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+2 ret=9 count=8",
		"v6.18": "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-7\na3: rcx.0-7\na4: r8.0-7\na5: r9.0-7\na6: sp+0-7\na7: sp+8-15 none[8-15]\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+2 ret=9 count=8",
		"v7.3":  "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-7\na3: rcx.0-7\na4: r8.0-7\na5: r9.0-7\na6: sp+0-7\na7: sp+8-23\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+2 ret=9 count=9",
	}},
	{fn: fInt128Stack, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_int128_stack arg7 type STRUCT is unsupported.",
		"v6.1": jitReject, "v6.3": jitReject,
		// A 16-byte-aligned struct on the stack: the JIT packs h at sp+8;
		// System V puts it at sp+16 and i at sp+32.
		"*": "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-7\na3: rcx.0-7\na4: r8.0-7\na5: r9.0-7\na6: sp+0-7\na7: sp+8-23\na8: sp+24-31\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+2 a8=9+1 ret=10 count=10",
	}},
	{fn: fIntInt128, wants: map[string]string{
		// v6.0, v6.1: b is stored with bytes_to_bpf_size(16) = -EINVAL.
		"v6.0": "a0: none[0-3]\na1: none[0-15]\nctx: a0=0+1 a1=1+1 ret=2 count=2",
		"v6.1": "a0: none[0-3]\na1: none[0-15]\nctx: a0=0+1 a1=1+2 ret=3 count=2",
		// v6.3, v6.6: nr_regs = 2, so rdx (b's high half) is not in ctx.
		"v6.3":  "a0: rdi.0-3\na1: rsi.0-7 none[8-15]\nctx: a0=0+1 a1=1+2 ret=3 count=2",
		"v6.6":  "a0: rdi.0-3\na1: rsi.0-7 none[8-15]\nctx: a0=0+1 a1=1+2 ret=3 count=2",
		"v6.18": "a0: rdi.0-3\na1: rsi.0-7 none[8-15]\nctx: a0=0+1 a1=1+2 ret=3 count=2",
		// System V: b in rsi:rdx (no even-pair rule).
		"v7.3": "a0: rdi.0-3\na1: rsi.0-7 rdx.0-7\nctx: a0=0+1 a1=1+2 ret=3 count=3",
	}},
	{fn: fInt128Arg, wants: map[string]string{
		"v6.0":  "a0: none[0-15]\na1: none[0-3]\na2: none[0-7]\nctx: a0=0+1 a1=1+1 a2=2+1 ret=3 count=3",
		"v6.1":  "a0: none[0-15]\na1: none[0-3]\na2: none[0-7]\nctx: a0=0+2 a1=2+1 a2=3+1 ret=4 count=3",
		"v6.3":  "a0: rdi.0-7 rsi.0-7\na1: rdx.0-3\na2: none[0-7]\nctx: a0=0+2 a1=2+1 a2=3+1 ret=4 count=3",
		"v6.6":  "a0: rdi.0-7 rsi.0-7\na1: rdx.0-3\na2: none[0-7]\nctx: a0=0+2 a1=2+1 a2=3+1 ret=4 count=3",
		"v6.18": "a0: rdi.0-7 rsi.0-7\na1: rdx.0-3\na2: none[0-7]\nctx: a0=0+2 a1=2+1 a2=3+1 ret=4 count=3",
		// tracing_struct_int128.c reads b = ctx[2], c = ctx[3], ret = ctx[4].
		"v7.3": "a0: rdi.0-7 rsi.0-7\na1: rdx.0-3\na2: rcx.0-7\nctx: a0=0+2 a1=2+1 a2=3+1 ret=4 count=4",
	}},
	{fn: fS3Long, wants: map[string]string{
		"v6.0": "reject distill -22: The function f_s3_long arg0 type STRUCT is unsupported.",
		// v6.1: a STRUCT_ARG is stored 8 bytes wide.
		"v6.1": "a0: rdi.0-2\na1: rsi.0-7\nctx: a0=0+1 a1=1+1 ret=2 count=2",
		// v6.3: width arg_size = 3: bytes_to_bpf_size(3) = -EINVAL.
		"v6.3": "a0: none[0-2]\na1: none[0-7]\nctx: a0=0+1 a1=1+1 ret=2 count=2",
		// v6.6: BPF_DW stores.
		"*": "a0: rdi.0-2\na1: rsi.0-7\nctx: a0=0+1 a1=1+1 ret=2 count=2",
	}},
	{fn: fLong11Int128, wants: map[string]string{
		"v6.0": jitReject, "v6.1": jitReject, "v6.3": jitReject,
		// v6.6: nr_regs = 12 passes; l's second slot is ctx[12], past
		// the frame.
		"v6.6":  "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-7\na3: rcx.0-7\na4: r8.0-7\na5: r9.0-7\na6: sp+0-7\na7: sp+8-15\na8: sp+16-23\na9: sp+24-31\na10: sp+32-39\na11: sp+40-47 none[8-15]\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+1 a8=8+1 a9=9+1 a10=10+1 a11=11+2 ret=13 count=12",
		"v6.18": "a0: rdi.0-7\na1: rsi.0-7\na2: rdx.0-7\na3: rcx.0-7\na4: r8.0-7\na5: r9.0-7\na6: sp+0-7\na7: sp+8-15\na8: sp+16-23\na9: sp+24-31\na10: sp+32-39\na11: sp+40-47 none[8-15]\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+1 a8=8+1 a9=9+1 a10=10+1 a11=11+2 ret=13 count=12",
		// 814cba835ef6: 13 slots > MAX_BPF_FUNC_ARGS.
		"v7.3": jitReject,
	}},
	{fn: fLong11Struct, wants: map[string]string{
		"v6.0": "reject distill -22: The function f_long11_struct arg11 type STRUCT is unsupported.",
		"*":    jitReject, // 13 slots (> 6 before v6.6, > 12 after)
	}},
}

func lookupX86(tb testing.TB, ver string) layout.Kernel {
	tb.Helper()
	k, err := layout.Lookup(layout.ArchX86_64, ver)
	if err != nil {
		tb.Fatalf("Lookup(x86_64, %q): %v", ver, err)
	}
	return k
}

// runX86 distills f through real BTF and builds the trampoline with JIT
// (which picks X86 for these kernels).
func runX86(tb testing.TB, f *btf.Func, ver string, opts layout.Options) string {
	tb.Helper()
	return runKernel(tb, f, lookupX86(tb, ver), opts)
}

func TestX86Goldens(t *testing.T) { checkGoldens(t, x86Goldens, x86GoldenKernels, runX86) }

// The rules name why a byte is missing, so a report can explain it; a
// trampoline whose code the JIT could not encode says so in Corrupt
// (bytes_to_bpf_size of a 16-byte __int128 before a9c5ad31fbdc, of a
// 3-byte struct before "save/restore regs with BPF_DW size").
func TestX86Rules(t *testing.T) {
	rulesOf := func(f *btf.Func, ver string, arg int) string {
		k := lookupX86(t, ver)
		m, rej, err := layout.Distill(realBTF(t, f), k)
		if err != nil || rej != nil {
			t.Fatalf("%s %s: Distill: %v %v", f.Name, ver, rej, err)
		}
		tr, rej, err := layout.JIT(m, k, layout.Options{})
		if err != nil || rej != nil {
			t.Fatalf("%s %s: X86: %v %v", f.Name, ver, rej, err)
		}
		if corrupt := strings.Contains(tr.Placement.Args[arg].Rules[0], "corrupt"); corrupt != (tr.Corrupt != "") {
			t.Errorf("%s %s: rules %q but Corrupt %q", f.Name, ver, tr.Placement.Args[arg].Rules, tr.Corrupt)
		}
		return strings.Join(tr.Placement.Args[arg].Rules, "\n")
	}
	tests := []struct {
		f        *btf.Func
		ver      string
		arg      int
		contains []string
	}{
		{fIntInt128, "v6.0", 1, []string{"bytes_to_bpf_size(16)", "corrupt", "fec56f5890d9"}},
		{fS3Long, "v6.3", 0, []string{"bytes_to_bpf_size(3)", "corrupt"}},
		{fLong5Int128, "v6.6", 6, []string{"ctx[7] is past the 7 slots", "[RBP-8]", "814cba835ef6"}},
		{fLong5Int128, "v6.6", 5, []string{"does not fit the remaining registers", "RBP+0x18"}},
		{fInt128Arg, "v6.3", 2, []string{"not saved: ctx[3]"}},
		{fFoo, "v7.3", 6, []string{"the next of rdi, rsi, rdx, rcx, r8, r9"}},
	}
	for _, tc := range tests {
		got := rulesOf(tc.f, tc.ver, tc.arg)
		for _, want := range tc.contains {
			if !strings.Contains(got, want) {
				t.Errorf("%s %s arg%d: rules %q lack %q", tc.f.Name, tc.ver, tc.arg, got, want)
			}
		}
	}
}

func TestX86Lookup(t *testing.T) {
	tests := []struct{ ver, name, version string }{
		{"v6.0", "v6.0", "v6.0"},
		{"6.1", "v6.1-v6.2", "v6.1"},
		{"v6.2.16", "v6.1-v6.2", "v6.2"},
		{"v6.3-rc1", "v6.3-v6.5", "v6.3"},
		{"v6.5", "v6.3-v6.5", "v6.5"},
		{"v6.6", "v6.6-v7.2", "v6.6"},
		{"x86_64/v6.18", "v6.6-v7.2", "v6.18"},
		{"v7.2", "v6.6-v7.2", "v7.2"},
		{"v7.3", "v7.3", "v7.3"},
		{"v8.1", "v7.3", "v8.1"},
	}
	for _, tc := range tests {
		k, err := layout.Lookup(layout.ArchX86_64, tc.ver)
		if err != nil {
			t.Errorf("Lookup(%q): %v", tc.ver, err)
			continue
		}
		if k.Arch != "x86_64" || k.Name != tc.name || k.Version != tc.version {
			t.Errorf("Lookup(%q) = %s %q %q, want x86_64 %q %q", tc.ver, k.Arch, k.Name, k.Version, tc.name, tc.version)
		}
	}
	for _, bad := range []string{"", "v5.19", "v5.10", "place-args", "x86_64/place-args", "six"} {
		if k, err := layout.Lookup(layout.ArchX86_64, bad); !errors.Is(err, layout.ErrUnknownKernel) {
			t.Errorf("Lookup(x86_64, %q) = %v, %v; want ErrUnknownKernel", bad, k, err)
		}
	}
	if _, err := layout.Lookup(layout.ArchX86_64, "v5.15"); err == nil || !strings.Contains(err.Error(), "not modelled") {
		t.Errorf("Lookup(x86_64, v5.15): %v, want a 'not modelled' error", err)
	}
	if k, err := layout.Lookup(layout.ArchX86_64, "v7.3"); err != nil || k.String() != "x86_64/v7.3" {
		t.Errorf("String() = %q, %v", k.String(), err)
	}
	if k, err := layout.Lookup(layout.ArchX86_64, "v6.18"); err != nil || k.String() != "x86_64/v6.18 (v6.6-v7.2)" {
		t.Errorf("String() = %q, %v", k.String(), err)
	}
}

func TestX86KernelsTable(t *testing.T) {
	ks := layout.KernelsOf(layout.ArchX86_64)
	want := []string{"v6.0", "v6.1-v6.2", "v6.3-v6.5", "v6.6-v7.2", "v7.3", "v6.1.72-v6.1.190", "v6.1.191-v6.1.y", "v6.12.110-v6.12.y"}
	if len(ks) != len(want) {
		t.Fatalf("%d x86_64 kernels, want %d", len(ks), len(want))
	}
	for i, k := range ks {
		if k.Name != want[i] || k.Arch != layout.ArchX86_64 || !k.Mainline || k.Stable != (i >= 5) || k.Summary == "" {
			t.Errorf("kernel %d: %+v", i, k)
		}
		for _, c := range k.Commits {
			if len(c) != 12 || strings.Trim(c, "0123456789abcdef") != "" {
				t.Errorf("%s: commit %q is not a 12-hex id", k.Name, c)
			}
		}
		if got, err := layout.Lookup(k.Arch, k.Version); err != nil || got.Name != k.Name {
			t.Errorf("Lookup(%s) = %q, %v", k.Version, got.Name, err)
		}
	}
	// Kernels lists every architecture, filtered by name; Arches names both.
	all := layout.Kernels()
	if len(all) != len(layout.KernelsOf(layout.ArchARM64))+len(layout.KernelsOf(layout.ArchX86_64)) || all[0].Arch != layout.ArchARM64 || all[len(all)-1].Arch != layout.ArchX86_64 {
		t.Errorf("Kernels() = %d kernels from %s to %s", len(all), all[0], all[len(all)-1])
	}
	if got := layout.Arches(); !reflect.DeepEqual(got, []string{"arm64", "x86_64"}) {
		t.Errorf("Arches() = %v", got)
	}
	if !reflect.DeepEqual(layout.KernelsOf(layout.ArchARM64), layout.Kernels(layout.ArchARM64)) {
		t.Error("KernelsOf(arm64) != Kernels(arm64)")
	}
	if ks := layout.KernelsOf("riscv64"); ks != nil {
		t.Errorf("KernelsOf(riscv64) = %v", ks)
	}
}

// Every kernel row carries its trampoline: JIT runs it, and SaveFunc names
// the function that stores the arguments (x86: save_regs() until
// 473e3150e30a, v6.6, save_args() since; arm64: save_args() from
// efc9909fdce0 on). A Kernel that is not a table row has no trampoline.
func TestJITDispatch(t *testing.T) {
	f := realBTF(t, fStructArg9)
	for _, k := range layout.Kernels() {
		want := "save_args"
		var major, minor int
		fmt.Sscanf(k.Version, "v%d.%d", &major, &minor)
		if k.Arch == layout.ArchX86_64 && major == 6 && minor < 6 {
			want = "save_regs"
		}
		if got := k.SaveFunc(); got != want {
			t.Errorf("%s: SaveFunc() = %q, want %q", k, got, want)
		}
		m, rej, err := layout.Distill(f, k)
		if err != nil {
			t.Fatalf("%s: Distill: %v", k, err)
		}
		if rej != nil {
			continue
		}
		if tr, rej, err := layout.JIT(m, k, layout.Options{}); err != nil || tr == nil && rej == nil {
			t.Errorf("%s: JIT = %v %v %v", k, tr, rej, err)
		}
	}
	if got := (layout.Kernel{Arch: layout.ArchX86_64, Name: "v6.6"}).SaveFunc(); got != "" {
		t.Errorf("a hand-made Kernel has SaveFunc %q", got)
	}
	if _, _, err := layout.JIT(&layout.FuncModel{Name: "f"}, layout.Kernel{Arch: "mips"}, layout.Options{}); err == nil {
		t.Error("JIT accepted an unmodelled arch")
	}
	k := lookupX86(t, "v7.3")
	for _, m := range []*layout.FuncModel{
		nil,
		{Name: "f", NrArgs: 13, ArgSize: make([]int, 13)},
		{Name: "f", NrArgs: 1, ArgSize: []int{17}, ArgFlags: []layout.Flag{0}, ArgNames: []string{"a"}, ArgTypes: []string{"x"}},
		{Name: "f", NrArgs: 1, ArgSize: []int{8}},
	} {
		if _, _, err := layout.JIT(m, k, layout.Options{}); err == nil || !strings.HasPrefix(err.Error(), "layout.JIT: ") {
			t.Errorf("JIT(%+v) error = %v, want a layout.JIT error", m, err)
		}
	}
	if _, _, err := layout.Distill(realBTF(t, fFoo), layout.Kernel{Arch: layout.ArchX86_64, Name: "v9"}); err == nil {
		t.Error("Distill accepted a hand-made x86_64 Kernel")
	}
}

// randomModel is a FuncModel Distill could produce: 0..12 arguments of
// 1..16 bytes, structs flagged as the kernel's btf.c of v6.1..v7.2 does.
func randomModel(rng *rand.Rand) *layout.FuncModel {
	sizes := []int{1, 2, 3, 4, 5, 8, 12, 16}
	n := rng.IntN(layout.MaxFuncArgs + 1)
	m := &layout.FuncModel{Name: "f", NrArgs: n, CtxSlotBySize: true}
	for i := 0; i < n; i++ {
		size := sizes[rng.IntN(len(sizes))]
		var flag layout.Flag
		if size != 1 && size != 2 && size != 4 && size != 8 && size != 16 || rng.IntN(2) == 0 {
			flag = layout.FlagStructArg
		}
		m.ArgSize = append(m.ArgSize, size)
		m.ArgFlags = append(m.ArgFlags, flag)
		m.ArgNames = append(m.ArgNames, fmt.Sprintf("a%d", i))
		m.ArgTypes = append(m.ArgTypes, "t")
		m.ArgKinds = append(m.ArgKinds, "INT")
	}
	return m
}

// Properties every x86 trampoline has, whatever the model (from the code
// read): only rdi..r9 and the caller's stack, never an SSE register;
// every stack read is inside the 12-slot window; each 8-byte slot comes
// from one whole register or stack slot; ctx[-1] equals the slots saved;
// the 6-register versions never read the stack; from 814cba835ef6 on the
// ctx[-1] count is the verifier's slot count.
func TestX86Invariants(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	regs := map[loc.Reg]bool{loc.RDI: true, loc.RSI: true, loc.RDX: true, loc.RCX: true, loc.R8: true, loc.R9: true}
	ks := layout.KernelsOf(layout.ArchX86_64)
	n := 4000
	if testing.Short() {
		n = 400
	}
	accepted := 0
	for i := 0; i < n; i++ {
		m := randomModel(rng)
		total := 0
		for _, s := range m.ArgSize {
			total += (s + 7) / 8
		}
		for _, k := range ks {
			for _, opts := range []layout.Options{{}, {StructOps: true}} {
				tr, rej, err := layout.JIT(m, k, opts)
				if err != nil {
					t.Fatalf("%s %v: %v", k, m.ArgSize, err)
				}
				if rej != nil {
					if rej.Stage != layout.StageJIT || rej.Errno != layout.ENOTSUPP {
						t.Fatalf("%s: rejection %+v", k, rej)
					}
					continue
				}
				accepted++
				if len(tr.Slots) != tr.Ctx.Count || tr.Ctx.RetSlot != total {
					t.Fatalf("%s %v: %d slots, count %d, ret %d (want %d)", k, m.ArgSize, len(tr.Slots), tr.Ctx.Count, tr.Ctx.RetSlot, total)
				}
				if k.Name == "v7.3" && tr.Ctx.Count != total {
					t.Fatalf("%s %v: count %d, want %d", k, m.ArgSize, tr.Ctx.Count, total)
				}
				sixRegs := k.Name == "v6.0" || k.Name == "v6.1-v6.2" || k.Name == "v6.3-v6.5"
				for _, a := range tr.Placement.Args {
					for b, l := range a.Bytes {
						switch l.Kind {
						case 0:
						case loc.InReg:
							if !regs[l.Reg] || int(l.Off) != b%8 {
								t.Fatalf("%s %v arg%d byte %d: %s", k, m.ArgSize, a.Index, b, l)
							}
						case loc.OnStack:
							if sixRegs || l.Off < 0 || l.Off >= 8*(layout.MaxFuncArgs+1) || int(l.Off)%8 != b%8 {
								t.Fatalf("%s %v arg%d byte %d: %s", k, m.ArgSize, a.Index, b, l)
							}
						default:
							t.Fatalf("%s %v arg%d byte %d: %s", k, m.ArgSize, a.Index, b, l)
						}
					}
				}
			}
		}
	}
	if accepted < n {
		t.Errorf("only %d of %d trampolines built: the generator is too narrow", accepted, n*len(ks)*2)
	}
}

// Corrupt BTF through Distill and every x86 kernel: no panic, and a model
// Distill returns is accepted by X86.
func TestX86CorruptBTF(t *testing.T) {
	var funcs []*btf.Func
	for _, g := range x86Goldens {
		funcs = append(funcs, g.fn)
	}
	seen := map[*btf.Func]bool{}
	uniq := funcs[:0]
	for _, f := range funcs {
		if !seen[f] {
			seen[f] = true
			uniq = append(uniq, f)
		}
	}
	seed := marshal(t, uniq...)
	ks := layout.KernelsOf(layout.ArchX86_64)
	run := func(raw []byte) {
		spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
		if err != nil {
			return
		}
		count := 0
		for typ, err := range spec.All() {
			if err != nil || count >= maxFuzzTypes {
				return
			}
			count++
			f, ok := typ.(*btf.Func)
			if !ok {
				continue
			}
			for _, k := range ks {
				m, rej, err := layout.Distill(f, k)
				if err != nil || rej != nil {
					continue
				}
				for _, opts := range []layout.Options{{}, {StructOps: true}} {
					if _, _, err := layout.JIT(m, k, opts); err != nil {
						t.Fatalf("%s %s: Distill's model refused by X86: %v", f.Name, k, err)
					}
				}
			}
		}
	}
	run(seed)
	for n := 0; n < len(seed); n += 11 {
		run(seed[:n])
	}
	rng := rand.New(rand.NewPCG(7, 9))
	flips := 1000
	if testing.Short() {
		flips = 100
	}
	for i := 0; i < flips; i++ {
		c := bytes.Clone(seed)
		for j := 0; j < 1+rng.IntN(4); j++ {
			c[rng.IntN(len(c))] ^= byte(1 + rng.IntN(255))
		}
		run(c)
	}
}

func BenchmarkDistillX86(b *testing.B) {
	k, err := layout.Lookup(layout.ArchX86_64, "v6.18")
	if err != nil {
		b.Fatal(err)
	}
	f := realBTF(b, fStructArg9)
	b.ReportAllocs()
	for b.Loop() {
		m, rej, err := layout.Distill(f, k)
		if err != nil || rej != nil {
			b.Fatal(rej, err)
		}
		if _, rej, err := layout.JIT(m, k, layout.Options{}); err != nil || rej != nil {
			b.Fatal(rej, err)
		}
	}
}

// A stable row answers for the patch levels of its own series only
// (Debian's changelogs place the backports: "Simplify the parsing logic of
// structure parameters" and "save/restore regs with BPF_DW size" in
// 6.1.72, 814cba835ef6 in 6.1.191 and 6.12.110); a version without a
// patch level, or of another series, is its mainline release's.
func TestX86StableLookup(t *testing.T) {
	for ver, name := range map[string]string{
		"v6.1":      "v6.1-v6.2",
		"v6.1.71":   "v6.1-v6.2",
		"v6.1.72":   "v6.1.72-v6.1.190",
		"v6.1.190":  "v6.1.72-v6.1.190",
		"v6.1.192":  "v6.1.191-v6.1.y",
		"v6.2.16":   "v6.1-v6.2",
		"v6.12":     "v6.6-v7.2",
		"v6.12.109": "v6.6-v7.2",
		"6.12.118":  "v6.12.110-v6.12.y",
		"v6.13.2":   "v6.6-v7.2",
	} {
		k, err := layout.Lookup(layout.ArchX86_64, ver)
		if err != nil || k.Name != name {
			t.Errorf("Lookup(%s) = %q, %v; want %q", ver, k.Name, err, name)
		}
	}
}

// The stable rows' trampolines, from Debian's linux-source of 6.1.192 and
// 6.12.118 (arch/x86/net/bpf_jit_comp.c): nr_regs counts every argument
// over 8 bytes and save_regs/save_args store each register with BPF_DW.
// f(int, __int128, int) then takes 4 slots, all saved: rdi, rsi:rdx, rcx.
// Before 6.1.191 the count is 3 and rcx is never saved, but no store is
// missing its width (6.1.72's BPF_DW backport): a 3-byte struct is saved.
func TestX86StableRows(t *testing.T) {
	int128 := fn("f", tInt, p("a", tInt), p("b", tInt128), p("c", tInt))
	all := "a0: rdi.0-3\na1: rsi.0-7 rdx.0-7\na2: rcx.0-3\nctx: a0=0+1 a1=1+2 a2=3+1 ret=4 count=4"
	for ver, want := range map[string]string{
		"v6.1.100":  "a0: rdi.0-3\na1: rsi.0-7 rdx.0-7\na2: none[0-3]\nctx: a0=0+1 a1=1+2 a2=3+1 ret=4 count=3",
		"v6.1.192":  all,
		"v6.12.118": all,
	} {
		if got := runX86(t, int128, ver, layout.Options{}); got != want {
			t.Errorf("%s:\n-want\n%s\n+got\n%s", ver, want, got)
		}
	}
	three := &btf.Struct{Name: "s3", Size: 3, Members: []btf.Member{{Name: "a", Type: tChar}, {Name: "b", Type: tChar, Offset: 8}, {Name: "c", Type: tChar, Offset: 16}}}
	f3 := fn("g", tInt, p("a", three), p("b", tLong))
	if got, want := runX86(t, f3, "v6.1.100", layout.Options{}), "a0: rdi.0-2\na1: rsi.0-7\nctx: a0=0+1 a1=1+1 ret=2 count=2"; got != want {
		t.Errorf("v6.1.100 3-byte struct:\n-want\n%s\n+got\n%s", want, got)
	}
}
