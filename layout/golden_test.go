package layout_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/trampfuzz/trampfuzz/layout"
)

// The bpf_testmod selftest functions (kernel-jit.md §9) and the §3.3/§3.4
// shapes, as BTF.
var (
	fStructArg1 = fn("bpf_testmod_test_struct_arg_1", tInt, p("a", sArg2), p("b", tInt), p("c", tInt))
	fStructArg2 = fn("bpf_testmod_test_struct_arg_2", tInt, p("a", tInt), p("b", sArg2), p("c", tInt))
	fStructArg3 = fn("bpf_testmod_test_struct_arg_3", tInt, p("a", tInt), p("b", tInt), p("c", sArg2))
	fStructArg4 = fn("bpf_testmod_test_struct_arg_4", tInt, p("a", sArg1), p("b", tInt), p("c", tInt), p("d", tInt), p("e", sArg2))
	fStructArg5 = fn("bpf_testmod_test_struct_arg_5", tInt)
	fStructArg6 = fn("bpf_testmod_test_struct_arg_6", tInt, p("a", &btf.Pointer{Target: sArg3}))
	fStructArg7 = fn("bpf_testmod_test_struct_arg_7", tInt, p("a", tU64), p("b", tVoidPtr), p("c", tShort), p("d", tInt), p("e", tVoidPtr), p("f", sArg4))
	fStructArg8 = fn("bpf_testmod_test_struct_arg_8", tInt, p("a", tU64), p("b", tVoidPtr), p("c", tShort), p("d", tInt), p("e", tVoidPtr), p("f", sArg4), p("g", tInt))
	fStructArg9 = fn("bpf_testmod_test_struct_arg_9", tInt, p("a", tU64), p("b", tVoidPtr), p("c", tShort), p("d", tInt), p("e", tVoidPtr), p("f", tChar), p("g", tShort), p("h", sArg5), p("i", tLong))
	fUnionArg1  = fn("bpf_testmod_test_union_arg_1", tInt, p("a", uArg1), p("b", tInt), p("c", tInt))
	fUnionArg2  = fn("bpf_testmod_test_union_arg_2", tInt, p("a", tInt), p("b", uArg2))
	fFentry7    = fn("bpf_testmod_fentry_test7", tInt, p("a", tU64), p("b", tVoidPtr), p("c", tShort), p("d", tInt), p("e", tVoidPtr), p("f", tChar), p("g", tInt))
	fFentry11   = fn("bpf_testmod_fentry_test11", tInt, p("a", tU64), p("b", tVoidPtr), p("c", tShort), p("d", tInt), p("e", tVoidPtr), p("f", tChar), p("g", tInt), p("h", tUint), p("i", tLong), p("j", tKU64), p("k", tULong))
	fInt128Arg  = fn("bpf_testmod_test_int128_arg", tLong, p("a", tInt128), p("b", tInt), p("c", tLong))
	// f(int, __int128): AAPCS64 2025Q4 C.10 puts b in x2:x3.
	fIntInt128 = fn("f_int_int128", tLong, p("a", tInt), p("b", tInt128))
	// §3.3: AAPCS64 puts g in x6:x7 and h on the stack.
	fLong5Int128 = fn("f_long5_int128_long", tLong, p("a", tLong), p("b", tLong), p("c", tLong), p("d", tLong), p("e", tLong), p("g", tInt128), p("h", tLong))
	// yonghong-song/bpf@995dd580b74c bpf_testmod.c.
	fInt128Stack    = fn("bpf_testmod_test_int128_stack", tLong, p("a", tU64), p("b", tU64), p("c", tU64), p("d", tU64), p("e", tU64), p("f", tU64), p("g", tU64), p("h", sInt128), p("i", tU64))
	fInt128Backfill = fn("bpf_testmod_test_int128_backfill", tLong, p("a", tU64), p("b", tU64), p("c", tU64), p("d", tU64), p("e", tU64), p("f", sArg2), p("g", tU64), p("h", tU64), p("i", sInt128))
)

// All kernels the goldens run on: one concrete version per model, plus
// v6.18 for the union change inside v6.17-v7.2.
var goldenKernels = []string{"v6.0", "v6.1", "v6.5", "v6.16", "v6.17", "v6.18", "v7.3", "place-args"}

const jitReject = "reject jit -524"

// golden expectations, derived by hand from the kernel code:
//   - v6.0  efc9909fdce0: save_args stores x0..x(nr_args-1) to ctx[0..];
//     nr_args > 8 -> -ENOTSUPP; btf.c before 720e6a435194 sizes only
//     PTR/INT/ENUM (a STRUCT/UNION arg: "arg%d type STRUCT is unsupported");
//     btf_ctx_access maps ctx slot off/8 to arg off/8.
//   - v6.1  eb707dde264a: as v6.0 plus any STRUCT_ARG -> -ENOTSUPP;
//     720e6a435194: get_ctx_arg_idx gives each arg (size+7)/8 slots.
//   - v6.5  90564f1e3dd6: nregs = nr_args + (size+7)/8-1 per STRUCT_ARG;
//     nregs > 8 -> -ENOTSUPP; ctx[i] = x_i for i < nregs.
//   - v6.16 9014cf56f13d calc_arg_aux: registers while nregs+slots <= 8,
//     then stack slots from FP+32 (= entry SP for tracing); STRUCT_ARG on
//     the stack -> -ENOTSUPP. v6.17 dc704d0cfa43 drops that check.
//   - v6.18 ccb4f5d91ec4: btf_type_is_struct admits UNION args.
//   - v7.3 50de1c47a41d: struct_ops reads stack args from FP+16.
//   - place-args 995dd580b74c: AAPCS64 even pairs and 16-byte stack
//     alignment for ALIGN16_ARG (kernel-jit.md §3.4).
var goldens = []golden{
	{fn: fStructArg1, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_struct_arg_1 arg0 type STRUCT is unsupported.",
		"v6.1": jitReject,
		// nregs = 3 + 1 = 4; the selftest checks bpf_get_func_arg_cnt() == 4.
		"v6.5": "a0: x0.0-7 x1.0-7\na1: x2.0-3\na2: x3.0-3\nctx: a0=0+2 a1=2+1 a2=3+1 ret=4 count=4",
		"*":    "a0: x0.0-7 x1.0-7\na1: x2.0-3\na2: x3.0-3\nctx: a0=0+2 a1=2+1 a2=3+1 ret=4 count=4",
	}},
	{fn: fStructArg2, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_struct_arg_2 arg1 type STRUCT is unsupported.",
		"v6.1": jitReject,
		"*":    "a0: x0.0-3\na1: x1.0-7 x2.0-7\na2: x3.0-3\nctx: a0=0+1 a1=1+2 a2=3+1 ret=4 count=4",
	}},
	{fn: fStructArg3, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_struct_arg_3 arg2 type STRUCT is unsupported.",
		"v6.1": jitReject,
		"*":    "a0: x0.0-3\na1: x1.0-3\na2: x2.0-7 x3.0-7\nctx: a0=0+1 a1=1+1 a2=2+2 ret=4 count=4",
	}},
	{fn: fStructArg4, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_struct_arg_4 arg0 type STRUCT is unsupported.",
		"v6.1": jitReject,
		// v6.5: nregs = 5 + 0 (4-byte struct) + 1 = 6.
		"*": "a0: x0.0-3\na1: x1.0-3\na2: x2.0-3\na3: x3.0-3\na4: x4.0-7 x5.0-7\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+2 ret=6 count=6",
	}},
	{fn: fStructArg5, wants: map[string]string{
		"*": "ctx: ret=0 count=0",
	}},
	{fn: fStructArg6, wants: map[string]string{
		"*": "a0: x0.0-7\nctx: a0=0+1 ret=1 count=1",
	}},
	{fn: fStructArg7, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_struct_arg_7 arg5 type STRUCT is unsupported.",
		"v6.1": jitReject,
		// v6.5: nregs = 6 + 1 = 7.
		"*": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-1\na3: x3.0-3\na4: x4.0-7\na5: x5.0-7 x6.0-7\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 ret=7 count=7",
	}},
	{fn: fStructArg8, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_struct_arg_8 arg5 type STRUCT is unsupported.",
		"v6.1": jitReject,
		// v6.5: nregs = 7 + 1 = 8, still <= 8.
		"*": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-1\na3: x3.0-3\na4: x4.0-7\na5: x5.0-7 x6.0-7\na6: x7.0-3\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=8",
	}},
	{fn: fStructArg9, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_struct_arg_9 arg7 type STRUCT is unsupported.",
		"v6.1": jitReject, // 9 args > 8
		"v6.5": jitReject, // nregs = 9 + 1 = 10 > 8
		// v6.16: a..g take 7 registers; h needs 2 -> stack; STRUCT_ARG on
		// the stack -> -ENOTSUPP (the DENYLIST.aarch64 -524).
		"v6.16": jitReject,
		// v6.17+: h at FP+32/+40 = sp+0..15, x7 unused, i at FP+48 = sp+16.
		"*": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-1\na3: x3.0-3\na4: x4.0-7\na5: x5.0\na6: x6.0-1\na7: sp+0-15\na8: sp+16-23\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+2 a8=9+1 ret=10 count=10",
	}},
	{fn: fStructArg9, opts: layout.Options{StructOps: true}, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_struct_arg_9 arg7 type STRUCT is unsupported.",
		"v6.1": jitReject, "v6.5": jitReject, "v6.16": jitReject,
		// Before 50de1c47a41d a struct_ops trampoline reads FP+32, which is
		// entry SP+16: 16 bytes too high.
		"v6.17": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-1\na3: x3.0-3\na4: x4.0-7\na5: x5.0\na6: x6.0-1\na7: sp+16-31\na8: sp+32-39\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+2 a8=9+1 ret=10 count=10",
		"v6.18": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-1\na3: x3.0-3\na4: x4.0-7\na5: x5.0\na6: x6.0-1\na7: sp+16-31\na8: sp+32-39\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+2 a8=9+1 ret=10 count=10",
		"*":     "a0: x0.0-7\na1: x1.0-7\na2: x2.0-1\na3: x3.0-3\na4: x4.0-7\na5: x5.0\na6: x6.0-1\na7: sp+0-15\na8: sp+16-23\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+2 a8=9+1 ret=10 count=10",
	}},
	{fn: fUnionArg1, wants: map[string]string{
		"v6.0":  "reject distill -22: The function bpf_testmod_test_union_arg_1 arg0 type UNION is unsupported.",
		"v6.1":  "reject distill -22: The function bpf_testmod_test_union_arg_1 arg0 type UNION is unsupported.",
		"v6.5":  "reject distill -22: The function bpf_testmod_test_union_arg_1 arg0 type UNION is unsupported.",
		"v6.16": "reject distill -22: The function bpf_testmod_test_union_arg_1 arg0 type UNION is unsupported.",
		"v6.17": "reject distill -22: The function bpf_testmod_test_union_arg_1 arg0 type UNION is unsupported.",
		"*":     "a0: x0.0-3\na1: x1.0-3\na2: x2.0-3\nctx: a0=0+1 a1=1+1 a2=2+1 ret=3 count=3",
	}},
	{fn: fUnionArg2, wants: map[string]string{
		"v6.0":  "reject distill -22: The function bpf_testmod_test_union_arg_2 arg1 type UNION is unsupported.",
		"v6.1":  "reject distill -22: The function bpf_testmod_test_union_arg_2 arg1 type UNION is unsupported.",
		"v6.5":  "reject distill -22: The function bpf_testmod_test_union_arg_2 arg1 type UNION is unsupported.",
		"v6.16": "reject distill -22: The function bpf_testmod_test_union_arg_2 arg1 type UNION is unsupported.",
		"v6.17": "reject distill -22: The function bpf_testmod_test_union_arg_2 arg1 type UNION is unsupported.",
		"*":     "a0: x0.0-3\na1: x1.0-7 x2.0-7\nctx: a0=0+1 a1=1+2 ret=3 count=3",
	}},
	{fn: fFentry7, wants: map[string]string{
		"*": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-1\na3: x3.0-3\na4: x4.0-7\na5: x5.0\na6: x6.0-3\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 ret=7 count=7",
	}},
	{fn: fFentry11, wants: map[string]string{
		// 11 > 8 registers: the DENYLIST.aarch64 fentry_many_args -524.
		"v6.0": jitReject, "v6.1": jitReject, "v6.5": jitReject,
		"*": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-1\na3: x3.0-3\na4: x4.0-7\na5: x5.0\na6: x6.0-3\na7: x7.0-3\na8: sp+0-7\na9: sp+8-15\na10: sp+16-23\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+1 a8=8+1 a9=9+1 a10=10+1 ret=11 count=11",
	}},
	{fn: fFentry11, opts: layout.Options{StructOps: true}, wants: map[string]string{
		"v6.0": jitReject, "v6.1": jitReject, "v6.5": jitReject,
		"v6.16": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-1\na3: x3.0-3\na4: x4.0-7\na5: x5.0\na6: x6.0-3\na7: x7.0-3\na8: sp+16-23\na9: sp+24-31\na10: sp+32-39\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+1 a8=8+1 a9=9+1 a10=10+1 ret=11 count=11",
		"v6.17": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-1\na3: x3.0-3\na4: x4.0-7\na5: x5.0\na6: x6.0-3\na7: x7.0-3\na8: sp+16-23\na9: sp+24-31\na10: sp+32-39\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+1 a8=8+1 a9=9+1 a10=10+1 ret=11 count=11",
		"v6.18": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-1\na3: x3.0-3\na4: x4.0-7\na5: x5.0\na6: x6.0-3\na7: x7.0-3\na8: sp+16-23\na9: sp+24-31\na10: sp+32-39\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+1 a8=8+1 a9=9+1 a10=10+1 ret=11 count=11",
		// 50de1c47a41d and the proposal: FP+16 is entry SP.
		"*": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-1\na3: x3.0-3\na4: x4.0-7\na5: x5.0\na6: x6.0-3\na7: x7.0-3\na8: sp+0-7\na9: sp+8-15\na10: sp+16-23\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+1 a8=8+1 a9=9+1 a10=10+1 ret=11 count=11",
	}},
	{fn: fInt128Arg, wants: map[string]string{
		// v6.0: one ctx slot per argument (off/8): b is read from ctx[1] =
		// x1, the __int128's high half, where AAPCS64 has b in x2.
		"v6.0": "a0: x0.0-7 none[8-15]\na1: x1.0-3\na2: x2.0-7\nctx: a0=0+1 a1=1+1 a2=2+1 ret=3 count=3",
		// v6.1-v6.15: no STRUCT_ARG for an INT, so nregs = nr_args = 3:
		// ctx[3], where the verifier puts c, is never saved.
		"v6.1": "a0: x0.0-7 x1.0-7\na1: x2.0-3\na2: none[0-7]\nctx: a0=0+2 a1=2+1 a2=3+1 ret=4 count=3",
		"v6.5": "a0: x0.0-7 x1.0-7\na1: x2.0-3\na2: none[0-7]\nctx: a0=0+2 a1=2+1 a2=3+1 ret=4 count=3",
		// v6.16+: tracing_struct_int128.c reads b = ctx[2], c = ctx[3], ret = ctx[4].
		"*": "a0: x0.0-7 x1.0-7\na1: x2.0-3\na2: x3.0-7\nctx: a0=0+2 a1=2+1 a2=3+1 ret=4 count=4",
	}},
	{fn: fIntInt128, wants: map[string]string{
		"v6.0": "a0: x0.0-3\na1: x1.0-7 none[8-15]\nctx: a0=0+1 a1=1+1 ret=2 count=2",
		"v6.1": "a0: x0.0-3\na1: x1.0-7 none[8-15]\nctx: a0=0+1 a1=1+2 ret=3 count=2",
		"v6.5": "a0: x0.0-3\na1: x1.0-7 none[8-15]\nctx: a0=0+1 a1=1+2 ret=3 count=2",
		// v6.16+: the JIT reads the __int128 from x1:x2; AAPCS64 C.10 has x2:x3.
		"v6.16": "a0: x0.0-3\na1: x1.0-7 x2.0-7\nctx: a0=0+1 a1=1+2 ret=3 count=3",
		"v6.17": "a0: x0.0-3\na1: x1.0-7 x2.0-7\nctx: a0=0+1 a1=1+2 ret=3 count=3",
		"v6.18": "a0: x0.0-3\na1: x1.0-7 x2.0-7\nctx: a0=0+1 a1=1+2 ret=3 count=3",
		"v7.3":  "a0: x0.0-3\na1: x1.0-7 x2.0-7\nctx: a0=0+1 a1=1+2 ret=3 count=3",
		// The proposal skips x1: even register pair.
		"place-args": "a0: x0.0-3\na1: x2.0-7 x3.0-7\nctx: a0=0+1 a1=1+2 ret=3 count=3",
	}},
	{fn: fLong5Int128, wants: map[string]string{
		"v6.0": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-7\na3: x3.0-7\na4: x4.0-7\na5: x5.0-7 none[8-15]\na6: x6.0-7\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 ret=7 count=7",
		"v6.1": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-7\na3: x3.0-7\na4: x4.0-7\na5: x5.0-7 x6.0-7\na6: none[0-7]\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=7",
		"v6.5": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-7\na3: x3.0-7\na4: x4.0-7\na5: x5.0-7 x6.0-7\na6: none[0-7]\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=7",
		// §3.3: g from x5:x6, h from x7.
		"v6.16": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-7\na3: x3.0-7\na4: x4.0-7\na5: x5.0-7 x6.0-7\na6: x7.0-7\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=8",
		"v6.17": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-7\na3: x3.0-7\na4: x4.0-7\na5: x5.0-7 x6.0-7\na6: x7.0-7\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=8",
		"v6.18": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-7\na3: x3.0-7\na4: x4.0-7\na5: x5.0-7 x6.0-7\na6: x7.0-7\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=8",
		"v7.3":  "a0: x0.0-7\na1: x1.0-7\na2: x2.0-7\na3: x3.0-7\na4: x4.0-7\na5: x5.0-7 x6.0-7\na6: x7.0-7\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=8",
		// The proposal: g in x6:x7 (C.10), h on the stack (C.13 then NSAA).
		"place-args": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-7\na3: x3.0-7\na4: x4.0-7\na5: x6.0-7 x7.0-7\na6: sp+0-7\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 ret=8 count=8",
	}},
	{fn: fInt128Stack, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_int128_stack arg7 type STRUCT is unsupported.",
		"v6.1": jitReject, "v6.5": jitReject, "v6.16": jitReject,
		// h leaves x7 empty and takes the first two stack slots; the fork's
		// fentry reads g = ctx[6], h = ctx[7..8], i = ctx[9], ret = ctx[10].
		"*": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-7\na3: x3.0-7\na4: x4.0-7\na5: x5.0-7\na6: x6.0-7\na7: sp+0-15\na8: sp+16-23\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+2 a8=9+1 ret=10 count=10",
	}},
	{fn: fInt128Backfill, wants: map[string]string{
		"v6.0": "reject distill -22: The function bpf_testmod_test_int128_backfill arg5 type STRUCT is unsupported.",
		"v6.1": jitReject, "v6.5": jitReject, // 9 args; nregs 10 > 8
		"v6.16": jitReject, // the __int128 struct lands on the stack
		// v6.17+: packed at 8: i from sp+8, where AAPCS64 has sp+16.
		"v6.17": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-7\na3: x3.0-7\na4: x4.0-7\na5: x5.0-7 x6.0-7\na6: x7.0-7\na7: sp+0-7\na8: sp+8-23\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 a7=8+1 a8=9+2 ret=11 count=11",
		"v6.18": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-7\na3: x3.0-7\na4: x4.0-7\na5: x5.0-7 x6.0-7\na6: x7.0-7\na7: sp+0-7\na8: sp+8-23\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 a7=8+1 a8=9+2 ret=11 count=11",
		"v7.3":  "a0: x0.0-7\na1: x1.0-7\na2: x2.0-7\na3: x3.0-7\na4: x4.0-7\na5: x5.0-7 x6.0-7\na6: x7.0-7\na7: sp+0-7\na8: sp+8-23\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 a7=8+1 a8=9+2 ret=11 count=11",
		// The fork's comment: "arm64 has registers up to g, puts h in the
		// first stack slot and i in the third and fourth"; its fentry reads
		// f = ctx[5..6], g = ctx[7], h = ctx[8], i = ctx[9..10], ret = ctx[11].
		"place-args": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-7\na3: x3.0-7\na4: x4.0-7\na5: x5.0-7 x6.0-7\na6: x7.0-7\na7: sp+0-7\na8: sp+16-31\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+2 a6=7+1 a7=8+1 a8=9+2 ret=11 count=11",
	}},
}

// The proposal's limit, at exactly 12 slots (kernel-jit.md §3.4: "More
// than 12 slots in total -> -ENOTSUPP"): ten longs and an __int128 fill 12
// slots and attach, with the __int128 16-aligned on the stack
// (even_stack_align, AAPCS64 2025Q4 C.12 puts it at sp+16 too); one more
// long makes 13 slots in 12 arguments, which Distill accepts
// (MAX_BPF_FUNC_ARGS counts arguments) and the JIT refuses.
var (
	fSlots12 = fn("f_slots12", tLong, append(longs(10), p("q", tInt128))...)
	fSlots13 = fn("f_slots13", tLong, append(longs(11), p("q", tInt128))...)
)

var placeArgsLimitGoldens = []golden{
	{fn: fSlots12, wants: map[string]string{
		"place-args": "a0: x0.0-7\na1: x1.0-7\na2: x2.0-7\na3: x3.0-7\na4: x4.0-7\na5: x5.0-7\na6: x6.0-7\na7: x7.0-7\na8: sp+0-7\na9: sp+8-15\na10: sp+16-31\nctx: a0=0+1 a1=1+1 a2=2+1 a3=3+1 a4=4+1 a5=5+1 a6=6+1 a7=7+1 a8=8+1 a9=9+1 a10=10+2 ret=12 count=12",
	}},
	{fn: fSlots13, wants: map[string]string{"place-args": jitReject}},
}

func TestPlaceArgsSlotLimit(t *testing.T) {
	checkGoldens(t, placeArgsLimitGoldens, []string{"place-args"}, run)
}

// longs is n long parameters named l0, l1, ...
func longs(n int) []param {
	var ps []param
	for i := 0; i < n; i++ {
		ps = append(ps, p(fmt.Sprintf("l%d", i), tLong))
	}
	return ps
}

// golden is one function's expected trampoline on each kernel.
type golden struct {
	fn    *btf.Func
	opts  layout.Options
	wants map[string]string // kernel -> dump or rejection; "*" for the others
}

func TestGoldens(t *testing.T) { checkGoldens(t, goldens, goldenKernels, run) }

// checkGoldens runs every golden on every kernel of kernels with run.
func checkGoldens(t *testing.T, gs []golden, kernels []string, run func(testing.TB, *btf.Func, string, layout.Options) string) {
	for _, g := range gs {
		for _, ver := range kernels {
			want, ok := g.wants[ver]
			if !ok {
				want, ok = g.wants["*"]
			}
			if !ok {
				t.Fatalf("%s: no expectation for %s", g.fn.Name, ver)
			}
			name := g.fn.Name + "/" + ver
			if g.opts.StructOps {
				name += "/struct_ops"
			}
			t.Run(name, func(t *testing.T) {
				got := run(t, g.fn, ver, g.opts)
				if want == jitReject {
					if !strings.HasPrefix(got, jitReject+": ") {
						t.Errorf("want -ENOTSUPP from the JIT, got:\n%s", got)
					}
					return
				}
				if got != want {
					t.Errorf("-want\n%s\n+got\n%s", want, got)
				}
			})
		}
	}
}
