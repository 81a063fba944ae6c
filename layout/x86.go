package layout

import (
	"fmt"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/loc"
)

func init() {
	registerJIT(arch.X86_64, jitArch{rows: x86Kernels,
		before: "not modelled; the x86_64 trampoline exists since v5.5 (fec56f5890d9), but btf_distill_func_proto before v6.0 was not read"})
}

// x86Kernels are the x86-64 rows of the table (arch/x86/net/bpf_jit_comp.c),
// oldest first. The trampoline exists since v5.5 (fec56f5890d9); the table
// starts at v6.0 like arm64 because Distill's btf.c rules are read from v6.0
// on. Release evidence: the bpf-next pull requests named below; details
// with each row.
var x86Kernels = []Kernel{
	{
		Name: "v6.0", Mainline: true,
		Commits: []string{"fec56f5890d9"},
		Summary: "save_regs: one register per argument, rdi..r9, each stored with its own width; more than 6 arguments -> -ENOTSUPP; a 16-byte argument has no store width and corrupts the trampoline code",
		from:    v6_0, to: v6_0,
		tramp: x86Model{kind: x86SaveRegs, commit: "fec56f5890d9"},
	},
	{
		Name: "v6.1-v6.2", Mainline: true,
		Commits: []string{"a9c5ad31fbdc", "720e6a435194"},
		Summary: "save_regs: a STRUCT_ARG takes (size+7)/8 registers, anything else one; more than 6 arguments or registers -> -ENOTSUPP; a non-struct 16-byte argument corrupts the trampoline code",
		from:    v6_1, to: v6_2,
		tramp: x86Model{kind: x86SaveRegsStructArg, commit: "a9c5ad31fbdc"},
	},
	{
		Name: "v6.3-v6.5", Mainline: true,
		Commits: []string{"a9c5ad31fbdc"},
		Summary: "save_regs by register slot (\"Simplify the parsing logic of structure parameters\", v6.3): nr_regs counts STRUCT_ARG only, so an __int128 leaves the last register unsaved; a 3, 5, 6 or 7-byte struct corrupts the trampoline code",
		from:    v6_3, to: v6_5,
		tramp: x86Model{kind: x86SaveRegsBySlot, commit: "a9c5ad31fbdc"},
	},
	{
		Name: "v6.6-v7.2", Mainline: true,
		Commits: []string{"473e3150e30a"},
		Summary: "save_args: 12 slots; rdi..r9 while an argument fits the remaining registers, else 8-byte stack slots from RBP+0x18, packed; nr_regs counts STRUCT_ARG only; struct_ops stack arguments read 8 bytes too high",
		from:    v6_6, to: v7_2,
		tramp: x86Model{kind: x86SaveArgs, commit: "473e3150e30a"},
	},
	{
		Name: "v7.3", Mainline: true,
		Commits: []string{"814cba835ef6", "596824de8c10", "457d4ecb47aa", "473e3150e30a"},
		Summary: "as v6.6; nr_regs counts every argument over 8 bytes (814cba835ef6); struct_ops trampolines read stack arguments from RBP+0x10 (596824de8c10); no STRUCT_ARG flag",
		from:    v7_3, // open-ended: the newest code read (Aug 2026)
		tramp:   x86Model{kind: x86SaveArgs, commit: "814cba835ef6", slotsBySize: true, indirectBase16: true},
	},

	// Stable series whose x86 trampoline is not their mainline release's.
	// Where a change reached a stable release is read in the Debian
	// changelog of the packaged kernel (the stable ChangeLog it lists the
	// change under); the code, in Debian's linux-source of that kernel.
	{
		// 6.1.72 took "bpf, x86: Simplify the parsing logic of structure
		// parameters" and "bpf, x86: save/restore regs with BPF_DW size"
		// (both listed under ChangeLog-6.1.72 in Debian's 6.1 changelog):
		// save_regs stores nr_regs registers with BPF_DW, so no store
		// width is missing; nr_regs still counts STRUCT_ARG only.
		Name: "v6.1.72-v6.1.190", Mainline: true, Stable: true,
		Commits: []string{"a9c5ad31fbdc"},
		Summary: "6.1.y stable: save_regs by register slot, every store BPF_DW (backports in 6.1.72); nr_regs counts STRUCT_ARG only, so an __int128 leaves the last register unsaved; more than 6 registers -> -ENOTSUPP",
		from:    version{6, 1, 72}, to: version{6, 1, 190},
		tramp: x86Model{kind: x86SaveRegsBySlot, commit: "a9c5ad31fbdc", dwStores: true},
	},
	{
		// 6.1.191 took 814cba835ef6 "bpf, x86: Fix trampoline stack size
		// for 128-bit arguments" (ChangeLog-6.1.191). Read in Debian's
		// linux-source-6.1 (6.1.192) arch/x86/net/bpf_jit_comp.c:
		//	for (i = 0; i < m->nr_args; i++)
		//		nr_regs += (m->arg_size[i] + 7) / 8 - 1;
		//	if (nr_regs > 6) return -ENOTSUPP;
		//	save_regs: for (i = 0; i < min(nr_regs, 6); i++) emit_stx(BPF_DW, reg i)
		Name: "v6.1.191-v6.1.y", Mainline: true, Stable: true,
		Commits: []string{"814cba835ef6", "a9c5ad31fbdc"},
		Summary: "6.1.y stable from 6.1.191: as v6.1.72, with nr_regs counting every argument over 8 bytes (814cba835ef6 backported)",
		from:    version{6, 1, 191}, to: version{6, 1, 100000},
		tramp: x86Model{kind: x86SaveRegsBySlot, commit: "814cba835ef6", dwStores: true, slotsBySize: true},
	},
	{
		// 6.12.110 took 814cba835ef6 (ChangeLog-6.12.110 in Debian's 6.12
		// changelog) but not 596824de8c10: Debian's linux-source-6.12
		// (6.12.118) counts every argument over 8 bytes and copies stack
		// arguments from RBP + 0x18 for every trampoline, struct_ops too.
		Name: "v6.12.110-v6.12.y", Mainline: true, Stable: true,
		Commits: []string{"814cba835ef6", "473e3150e30a"},
		Summary: "6.12.y stable from 6.12.110: as v6.6, with nr_regs counting every argument over 8 bytes (814cba835ef6 backported); struct_ops stack arguments still read 8 bytes too high",
		from:    version{6, 12, 110}, to: version{6, 12, 100000},
		tramp: x86Model{kind: x86SaveArgs, commit: "814cba835ef6", slotsBySize: true},
	},
}

// x86ArgRegs are the registers the x86-64 trampoline saves, in order: the
// JIT's "nr_regs == 5 ? X86_REG_R9 : BPF_REG_1 + nr_regs" with BPF R1-R5
// mapped to rdi, rsi, rdx, rcx, r8 (reg2hex in arch/x86/net/bpf_jit_comp.c),
// which is the System V integer argument order.
var x86ArgRegs = [...]loc.Reg{loc.RDI, loc.RSI, loc.RDX, loc.RCX, loc.R8, loc.R9}

// x86Kind is the shape of the code that saves the arguments.
type x86Kind uint8

const (
	// x86SaveRegs: fec56f5890d9 (v5.5) to v6.0, one register per argument.
	x86SaveRegs x86Kind = iota + 1
	// x86SaveRegsStructArg: a9c5ad31fbdc (v6.1), STRUCT_ARG takes
	// (size+7)/8 registers.
	x86SaveRegsStructArg
	// x86SaveRegsBySlot: "bpf, x86: Simplify the parsing logic of structure
	// parameters" (bpf-next pull 2023-01-27, v6.3), one store per register.
	x86SaveRegsBySlot
	// x86SaveArgs: 473e3150e30a (v6.6), registers and stack, 12 slots.
	x86SaveArgs
)

// x86Model is what differs between x86-64 trampoline versions.
type x86Model struct {
	kind   x86Kind
	commit string
	// 814cba835ef6: nr_regs counts (size+7)/8-1 extra slots for every
	// argument, not for STRUCT_ARG ones only.
	slotsBySize bool
	// 596824de8c10: an indirect (struct_ops) trampoline reads stack
	// arguments from RBP+0x10 instead of RBP+0x18.
	indirectBase16 bool
	// dwStores: save_regs stores every register with BPF_DW ("bpf, x86:
	// save/restore regs with BPF_DW size"), so no width is unencodable.
	dwStores bool
}

// saveFunc: save_regs() until 473e3150e30a (v6.6), save_args() since.
func (j x86Model) saveFunc() string {
	if j.kind == x86SaveArgs {
		return "save_args"
	}
	return "save_regs"
}

// trampoline is the x86-64 BPF trampoline (arch/x86/net/bpf_jit_comp.c).
// Registers are rdi, rsi, rdx, rcx, r8, r9; no version reads an SSE or x87
// register (x86 kernels are built without SSE, so no traced kernel function
// takes a floating-point argument). Stack locations are relative to RSP just
// before the call into the traced function, so the caller's first stack
// argument is sp+0. A tracing trampoline is called from the traced function's
// patched first instruction and pushes RBP: RBP+0x18 is sp+0 (in "jmp" mode,
// 373f2f44c300, v6.19, it is jumped to and RBP+0x10 is sp+0; the JIT reads
// from there, so the placement is the same). A struct_ops (indirect)
// trampoline is called by the caller itself: RBP+0x10 is sp+0, but before
// 596824de8c10 the JIT still read RBP+0x18, 8 bytes too high.
//
// A slot the BPF program finds (by size, 720e6a435194) but the trampoline
// does not reliably store has the zero loc.Loc, with a rule naming why: past
// ctx[-1] (an __int128 counted as one slot before 814cba835ef6), or a store
// the JIT could not encode (bytes_to_bpf_size of 3, 5, 6, 7 or 16 bytes is
// -EINVAL; emit_stx then emits no opcode and the code after it is garbage):
// then Trampoline.Corrupt says so.
func (j x86Model) trampoline(m *FuncModel, k Kernel, opts Options) (*Trampoline, *Rejection) {
	var (
		plan slotPlan
		rej  *Rejection
	)
	switch j.kind {
	case x86SaveRegs:
		plan, rej = x86SaveRegsPerArg(m, j)
	case x86SaveRegsStructArg:
		plan, rej = x86SaveRegsStruct(m, j)
	case x86SaveRegsBySlot:
		plan, rej = x86SaveRegsSlots(m, j)
	case x86SaveArgs:
		plan, rej = x86SaveArgsPlan(m, j, opts)
	}
	if rej != nil {
		return nil, rej
	}
	return plan.trampoline(m, k), nil
}

// x86StoreWidthOK reports whether bytes_to_bpf_size(width) is a BPF size
// (include/linux/filter.h: 1, 2, 4 or 8 bytes, else -EINVAL). emit_stx has
// no default case: for -EINVAL it emits only the ModRM byte and the
// displacement (emit_insn_suffix), without an opcode.
func x86StoreWidthOK(width int) bool {
	return width == 1 || width == 2 || width == 4 || width == 8
}

// x86Corrupt is Trampoline.Corrupt, and the JIT rule of every byte, of a
// trampoline whose machine code is broken.
func x86Corrupt(commit string, arg, width int) string {
	return fmt.Sprintf("x86 save_regs (%s): arg%d is stored with emit_stx(bytes_to_bpf_size(%d)) = -EINVAL, which emits no opcode: "+
		"the trampoline's code is corrupt and no ctx slot is reliably stored", commit, arg, width)
}

func x86TooMany(cause Cause, commit string, n, limit int, what string) *Rejection {
	return notSupported(cause, "x86 arch_prepare_bpf_trampoline (%s): %d %s, more than %d", commit, n, what, limit)
}

// x86SaveRegsPerArg is arch_prepare_bpf_trampoline + save_regs of v6.0 and
// before (fec56f5890d9; read at v6.0):
//
//	if (nr_args > 6) return -ENOTSUPP;   "7+ can be added in the future"
//	for (i = 0; i < min(nr_args, 6); i++)
//		emit_stx(bytes_to_bpf_size(m->arg_size[i]), FP, i == 5 ? R9 : R1 + i, ...)
//	ctx[-1] = nr_args
func x86SaveRegsPerArg(m *FuncModel, j x86Model) (slotPlan, *Rejection) {
	if m.NrArgs > len(x86ArgRegs) {
		return slotPlan{}, x86TooMany(CauseJITTooManyArgs, j.commit, m.NrArgs, len(x86ArgRegs), "arguments")
	}
	var p slotPlan
	rule := fmt.Sprintf("x86 save_regs (%s): ctx[i] = i-th of rdi, rsi, rdx, rcx, r8, r9 for i < nr_args", j.commit)
	for i, size := range m.ArgSize {
		if p.corrupt == "" && !x86StoreWidthOK(size) {
			p.corrupt = x86Corrupt(j.commit, i, size)
		}
		p.srcs = append(p.srcs, slotSource{first: loc.RegByte(x86ArgRegs[i], 0), rule: rule})
	}
	return p, nil
}

// x86StructExtra is sum((arg_size + 7) / 8 - 1) over the arguments the JIT
// counts: STRUCT_ARG ones, or all of them (814cba835ef6).
func x86StructExtra(m *FuncModel, all bool) int {
	extra := 0
	for i, f := range m.ArgFlags {
		if all || f&FlagStructArg != 0 {
			extra += slotsOf(m.ArgSize[i]) - 1
		}
	}
	return extra
}

// x86SaveRegsStruct is v6.1-v6.2 (a9c5ad31fbdc):
//
//	if (nr_args > 6) return -ENOTSUPP;
//	extra_nregs = sum over STRUCT_ARG of (arg_size + 7) / 8 - 1
//	if (nr_args + extra_nregs > 6) return -ENOTSUPP;
//	for (i = 0, j = 0; i < min(nr_args, 6); i++) {
//		STRUCT_ARG: nr_regs = (arg_size + 7) / 8, arg_size = 8;
//		else:       nr_regs = 1, arg_size = m->arg_size[i];
//		while (nr_regs--) emit_stx(bytes_to_bpf_size(arg_size), reg j -> ctx[j]), j++;
//	}
//	ctx[-1] = nr_args + extra_nregs
//
// A non-struct 16-byte argument (__int128) gets one register and a store
// of bytes_to_bpf_size(16) = -EINVAL.
func x86SaveRegsStruct(m *FuncModel, j x86Model) (slotPlan, *Rejection) {
	if m.NrArgs > len(x86ArgRegs) {
		return slotPlan{}, x86TooMany(CauseJITTooManyArgs, j.commit, m.NrArgs, len(x86ArgRegs), "arguments")
	}
	if n := m.NrArgs + x86StructExtra(m, false); n > len(x86ArgRegs) {
		return slotPlan{}, x86TooMany(CauseJITTooManyRegs, j.commit, n, len(x86ArgRegs), "argument registers (STRUCT_ARG counted by size)")
	}
	var p slotPlan
	rule := fmt.Sprintf("x86 save_regs (%s): ctx[j] = j-th of rdi, rsi, rdx, rcx, r8, r9; a STRUCT_ARG takes (size+7)/8 of them, any other argument one", j.commit)
	for i, size := range m.ArgSize {
		nregs, width := 1, size
		if m.ArgFlags[i]&FlagStructArg != 0 {
			nregs, width = slotsOf(size), 8
		}
		if p.corrupt == "" && !x86StoreWidthOK(width) {
			p.corrupt = x86Corrupt(j.commit, i, width)
		}
		for r := 0; r < nregs; r++ {
			p.srcs = append(p.srcs, slotSource{first: loc.RegByte(x86ArgRegs[len(p.srcs)], 0), rule: rule})
		}
	}
	return p, nil
}

// x86SaveRegsSlots is v6.3-v6.5 ("bpf, x86: Simplify the parsing logic of
// structure parameters", bpf-next pull 2023-01-27; its mainline id was not
// found):
//
//	nr_regs = nr_args + sum over STRUCT_ARG of (arg_size + 7) / 8 - 1
//	if (nr_regs > 6) return -ENOTSUPP;
//	for (i = 0, j = 0; i < min(nr_regs, 6); i++) {
//		arg_size = m->arg_size[j];
//		if (arg_size > 8) { arg_size = 8; next_same_struct = !next_same_struct; }
//		emit_stx(bytes_to_bpf_size(arg_size), reg i -> ctx[i]);
//		j = next_same_struct ? j : j + 1;
//	}
//	ctx[-1] = nr_regs
//
// The walk is by size, so an __int128 takes two registers, but nr_regs
// counts it as one: the last register is never stored. An argument of 3, 5,
// 6 or 7 bytes (a struct) has no store width.
//
// The 6.1.y stable rows (dwStores) store every register with BPF_DW: the
// same registers, none of them with a missing width; from 6.1.191
// (slotsBySize) nr_regs counts every argument over 8 bytes.
func x86SaveRegsSlots(m *FuncModel, j x86Model) (slotPlan, *Rejection) {
	nregs := m.NrArgs + x86StructExtra(m, j.slotsBySize)
	if nregs > len(x86ArgRegs) {
		return slotPlan{}, x86TooMany(CauseJITTooManyRegs, j.commit, nregs, len(x86ArgRegs), "argument registers (nr_regs)")
	}
	var p slotPlan
	rule := "x86 save_regs (v6.3, \"Simplify the parsing logic of structure parameters\"): ctx[i] = i-th of rdi, rsi, rdx, rcx, r8, r9 for i < nr_regs"
	if j.dwStores {
		rule = fmt.Sprintf("x86 save_regs (6.1.y stable, %s): ctx[i] = i-th of rdi, rsi, rdx, rcx, r8, r9 for i < nr_regs, stored with BPF_DW", j.commit)
	}
	arg, sameStruct := 0, false
	for i := 0; i < nregs && arg < m.NrArgs; i++ {
		width := m.ArgSize[arg]
		if width > 8 {
			width = 8
			sameStruct = !sameStruct
		}
		if p.corrupt == "" && !j.dwStores && !x86StoreWidthOK(width) {
			p.corrupt = x86Corrupt("v6.3", arg, width)
		}
		p.srcs = append(p.srcs, slotSource{first: loc.RegByte(x86ArgRegs[i], 0), rule: rule})
		if !sameStruct {
			arg++
		}
	}
	return p, nil
}

// x86SaveArgsPlan is arch_prepare_bpf_trampoline + save_args of v6.6 and
// later (473e3150e30a with "bpf, x86: save/restore regs with BPF_DW size",
// both in the bpf-next pull of 2023-07-13; read in the patch and in a v6.13-era
// file; the 2026 count and base are 814cba835ef6 and 596824de8c10 as
// kernel-jit.md §5 reads them at 5129e9be2111):
//
//	nr_regs = nr_args + sum over STRUCT_ARG of (arg_size + 7) / 8 - 1
//	          [814cba835ef6: over every argument]
//	if (nr_regs > MAX_BPF_FUNC_ARGS) return -ENOTSUPP;
//	for each arg: arg_regs = (arg_size + 7) / 8;
//		if (nr_regs_used + arg_regs > 6)      "does not fit": all of it
//			copy arg_regs slots from [RBP + 0x18 + 8 * nr_stack_slots]
//		else
//			store the next arg_regs registers (BPF_DW)
//	ctx[-1] = nr_regs
//
// clean_stack_garbage zeroes bytes 4..7 of the copied slot when exactly one
// stack slot is used and the last argument is at most 4 bytes: padding, so
// the placement does not change.
//
// Before 814cba835ef6 a non-struct 16-byte argument makes save_args store
// one slot more than nr_regs sized: the extra store lands above the args
// area, on the return-value slot [RBP-8] (which fexit and fmod_ret programs
// read as the return value) or, in a trampoline without one, on the saved
// RBP and beyond.
func x86SaveArgsPlan(m *FuncModel, j x86Model, opts Options) (slotPlan, *Rejection) {
	nregs := m.NrArgs + x86StructExtra(m, j.slotsBySize)
	if nregs > MaxFuncArgs {
		return slotPlan{}, x86TooMany(CauseJITTooManySlots, j.commit, nregs, MaxFuncArgs, "argument slots (nr_regs)")
	}
	regRule := "x86 save_args (473e3150e30a): the next of rdi, rsi, rdx, rcx, r8, r9 while the whole argument fits the remaining ones"
	// The caller's first stack slot is RBP+0x18 in a tracing trampoline
	// (saved RBP, return into the traced function, its return address)
	// and RBP+0x10 in an indirect one (saved RBP, return address).
	base, entry := 0x18, 0x18
	stackRule := "x86 save_args (473e3150e30a): does not fit the remaining registers, so all of it is read from 8-byte stack slots at RBP+0x18 (\"jmp\" mode: RBP+0x10), the caller's stack arguments, packed"
	if opts.StructOps {
		entry = 0x10
		if j.indirectBase16 {
			base = 0x10
			stackRule = "x86 save_args (596824de8c10): struct_ops (indirect) trampoline: stack arguments from RBP+0x10, the caller's stack arguments, packed"
		} else {
			stackRule = "x86 save_args (473e3150e30a): struct_ops (indirect) trampoline reads stack arguments from RBP+0x18, but the caller's first stack slot is RBP+0x10: 8 bytes too high (fixed in 596824de8c10)"
		}
	}
	var all []slotSource
	used, onStack := 0, 0
	for _, size := range m.ArgSize {
		k := slotsOf(size)
		if used+k > len(x86ArgRegs) {
			for s := 0; s < k; s++ {
				all = append(all, slotSource{first: loc.Stack(base + 8*onStack - entry), rule: stackRule})
				onStack++
			}
			continue
		}
		for s := 0; s < k; s++ {
			all = append(all, slotSource{first: loc.RegByte(x86ArgRegs[used], 0), rule: regRule})
			used++
		}
	}
	p := slotPlan{srcs: all}
	if len(all) > nregs {
		p.srcs = all[:nregs]
		p.past = map[int]string{}
		for s := nregs; s < len(all); s++ {
			p.past[s] = fmt.Sprintf("x86 save_args (%s): ctx[%d] is past the %d slots nr_regs sized (STRUCT_ARG-only count: a non-struct 16-byte argument is one slot short); the store lands above the args area, on the return-value slot [RBP-8] that fexit reads as the return value, or on the saved RBP (fixed in 814cba835ef6)", j.commit, s, nregs)
		}
	}
	return p, nil
}
