package layout

import (
	"fmt"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/loc"
)

func init() {
	registerJIT(arch.ARM64, jitArch{rows: arm64Kernels, before: "arm64 has no BPF trampoline before v6.0 (efc9909fdce0)"})
}

// arm64Kernels are the arm64 rows of the table, oldest first. Release
// evidence for each boundary is in reference/kernel-jit.md §0.
var arm64Kernels = []Kernel{
	{
		Name: "v6.0", Mainline: true,
		Commits: []string{"efc9909fdce0"},
		Summary: "one register per argument, x0..x(n-1); more than 8 arguments -> -ENOTSUPP",
		from:    v6_0, to: v6_0,
		tramp: arm64Model{kind: jitRegsOnly, commit: "efc9909fdce0"},
	},
	{
		Name: "v6.1-v6.4", Mainline: true,
		Commits: []string{"eb707dde264a", "720e6a435194"},
		Summary: "as v6.0; any STRUCT_ARG argument -> -ENOTSUPP",
		from:    v6_1, to: v6_4,
		tramp: arm64Model{kind: jitRegsOnly, commit: "eb707dde264a", rejectStructArg: true},
	},
	{
		Name: "v6.5-v6.15", Mainline: true,
		Commits: []string{"90564f1e3dd6"},
		Summary: "nr_args plus one extra register per 16-byte STRUCT_ARG, x0..x(n-1); more than 8 -> -ENOTSUPP",
		from:    v6_5, to: v6_15,
		tramp: arm64Model{kind: jitRegsOnly, commit: "90564f1e3dd6", structExtraSlots: true},
	},
	{
		Name: "v6.16", Mainline: true,
		Commits: []string{"9014cf56f13d", "c5cebb241e27"},
		Summary: "calc_arg_aux: registers until the first argument that does not fit, the rest packed from FP+32; a struct on the stack -> -ENOTSUPP",
		from:    v6_16, to: v6_16,
		tramp: arm64Model{kind: jitCalcArgAux, commit: "9014cf56f13d", rejectStructOnStack: true},
	},
	{
		Name: "v6.17-v7.2", Mainline: true,
		Commits: []string{"dc704d0cfa43", "9014cf56f13d"},
		Summary: "as v6.16 with structs allowed on the stack; struct_ops stack arguments read from FP+32 (16 bytes too high)",
		from:    v6_17, to: v7_2,
		tramp: arm64Model{kind: jitCalcArgAux, commit: "dc704d0cfa43"},
	},
	{
		Name: "v7.3", Mainline: true,
		Commits: []string{"50de1c47a41d", "dc704d0cfa43", "457d4ecb47aa"},
		Summary: "as v6.17; struct_ops trampolines read stack arguments from FP+16; no STRUCT_ARG flag",
		from:    v7_3, // open-ended: the newest code read (Aug 2026)
		tramp:   arm64Model{kind: jitCalcArgAux, commit: "50de1c47a41d", structOpsFP16: true},
	},
	{
		Name: "place-args", Mainline: false,
		Commits:  []string{"995dd580b74c"},
		Summary:  "NOT MAINLINE: proposed bpf_jit_place_args rewrite (fork yonghong-song/bpf): AAPCS64 even register pairs and 16-byte stack alignment from a BTF ALIGN16 flag",
		tramp:    arm64Model{kind: jitPlaceArgs, commit: "995dd580b74c", structOpsFP16: true},
		proposal: true,
	},
}

// arm64ArgRegs is the number of AArch64 argument registers x0..x7 the
// trampoline saves from (AAPCS64 2025Q4 C.12 range; every modelled version).
const arm64ArgRegs = 8

type jitKind uint8

const (
	// jitRegsOnly: v6.0-v6.15, ctx[r] = x_r for r < n, nothing from the stack.
	jitRegsOnly jitKind = iota + 1
	// jitCalcArgAux: v6.16+, registers until the first argument that does
	// not fit, then 8-byte stack slots packed from FP+32.
	jitCalcArgAux
	// jitPlaceArgs: the proposed bpf_jit_place_args (not mainline).
	jitPlaceArgs
)

// arm64Model is what differs between arm64 trampoline versions.
type arm64Model struct {
	kind   jitKind
	commit string
	// v6.1-v6.4 (eb707dde264a): any BTF_FMODEL_STRUCT_ARG -> -ENOTSUPP.
	rejectStructArg bool
	// v6.5-v6.15 (90564f1e3dd6): n += ceil(size/8)-1 per STRUCT_ARG.
	structExtraSlots bool
	// v6.16 (9014cf56f13d): a STRUCT_ARG on the stack -> -ENOTSUPP.
	rejectStructOnStack bool
	// 50de1c47a41d: a struct_ops trampoline reads stack args from FP+16.
	structOpsFP16 bool
}

// Options selects the kind of trampoline. The zero value is a tracing
// (fentry/fexit/fmod_ret) trampoline.
type Options struct {
	// StructOps selects a struct_ops trampoline (BPF_TRAMP_F_INDIRECT):
	// reached by blr, it pushes only {FP, LR}, so the caller's stack
	// arguments start at FP+16 instead of FP+32. Before 50de1c47a41d the
	// JIT still read them from FP+32, 16 bytes too high.
	StructOps bool
}

// CtxArg is where the BPF program finds one argument in its u64 ctx array.
type CtxArg struct {
	Index int    `json:"index"`
	Name  string `json:"name,omitempty"`
	// FirstSlot is the bpf_get_func_arg() index (and BPF_PROG2 slot) of the
	// argument's first 8 bytes; Slots is how many consecutive slots it has.
	FirstSlot int `json:"first_slot"`
	Slots     int `json:"slots"`
}

// CtxMap is the BPF side of a trampoline: the ctx slots the verifier gives
// each argument (btf_ctx_access: get_ctx_arg_idx by size from 720e6a435194,
// off/8 before), the slot an fexit program reads the return value from, and
// the count the trampoline stores at ctx[-1].
type CtxMap struct {
	Args []CtxArg `json:"args"`
	// RetSlot is the ctx slot the verifier maps to the return value.
	RetSlot int `json:"ret_slot"`
	// Count is ctx[-1], the number of slots the trampoline saved, which
	// bpf_get_func_arg_cnt() returns (since the 2026 fsession work arm64
	// stores a func_meta word there with this count in its low bits). The
	// trampoline stores x0, the return value, at ctx[Count]: where RetSlot
	// differs (an __int128 argument before v6.16), fexit reads another slot.
	Count int `json:"count"`
}

// Trampoline is where an arm64 trampoline reads each argument byte it stores
// into the BPF ctx, as the BPF program sees it.
type Trampoline struct {
	Kernel string `json:"kernel"`
	// Placement gives, for each byte of each argument, the register byte
	// or entry-SP-relative stack byte the trampoline copied into the ctx
	// slot the BPF program reads for that byte. A zero loc.Loc means the
	// trampoline never stores that slot (it lies at or past ctx[Count]).
	Placement loc.Placement `json:"placement"`
	Ctx       CtxMap        `json:"ctx"`
	// Slots is the source of each saved ctx slot 0..Count-1: byte 0 of the
	// register (x3.0) or stack slot (sp+16) it was copied from.
	Slots []loc.Loc `json:"slots"`
	// Corrupt, when set, says why the trampoline's machine code is broken
	// (a store the JIT could not encode): no ctx slot is reliably stored,
	// and every byte's rule says so.
	Corrupt string `json:"corrupt,omitempty"`
}

func (j arm64Model) saveFunc() string { return "save_args" }

// trampoline is the arm64 BPF trampoline (arch/arm64/net/bpf_jit_comp.c).
// Stack locations are relative to SP at the traced function's entry (the
// caller's outgoing argument area): a tracing trampoline pushes {FP, x9} and
// {FP, LR}, so FP+32 is sp+0; a struct_ops trampoline pushes only {FP, LR},
// so FP+32 is sp+16.
func (j arm64Model) trampoline(m *FuncModel, k Kernel, opts Options) (*Trampoline, *Rejection) {
	var (
		srcs []slotSource
		rej  *Rejection
	)
	switch j.kind {
	case jitRegsOnly:
		srcs, rej = regsOnly(m, j)
	case jitCalcArgAux:
		srcs, rej = calcArgAux(m, j, opts)
	case jitPlaceArgs:
		srcs, rej = placeArgs(m, j, opts)
	}
	if rej != nil {
		return nil, rej
	}
	return slotPlan{srcs: srcs}.trampoline(m, k), nil
}

// slotsOf is (arg_size + 7) / 8: one or two 8-byte slots.
func slotsOf(size int) int { return (size + 7) / 8 }

func notSupported(cause Cause, format string, args ...any) *Rejection {
	return &Rejection{Stage: StageJIT, Errno: ENOTSUPP, Message: fmt.Sprintf(format, args...), Cause: cause}
}

// regsOnly is arch_prepare_bpf_trampoline + save_args of v6.0-v6.15:
//
//	v6.0 (efc9909fdce0):     nregs = nr_args; nregs > 8 -> -ENOTSUPP
//	v6.1-v6.4 (eb707dde264a): also any STRUCT_ARG -> -ENOTSUPP
//	v6.5-v6.15 (90564f1e3dd6): nregs = nr_args + sum over STRUCT_ARG of
//	                           (arg_size+7)/8 - 1; nregs > 8 -> -ENOTSUPP
//	save_args: for (i = 0; i < nregs; i++) STR x_i -> ctx[i]; ctx[-1] = nregs
//
// A 16-byte argument without STRUCT_ARG (__int128) counts one register here
// while the BPF side gives it two slots, so every later slot reads one
// register too low and the last one is never saved (kernel-jit.md §3.1).
func regsOnly(m *FuncModel, j arm64Model) ([]slotSource, *Rejection) {
	nregs := m.NrArgs
	if j.rejectStructArg {
		if m.NrArgs > arm64ArgRegs {
			return nil, notSupported(CauseJITTooManyArgs, "arm64 trampoline (%s): %d arguments, only x0..x7 are saved", j.commit, m.NrArgs)
		}
		for i, f := range m.ArgFlags {
			if f&FlagStructArg != 0 {
				return nil, notSupported(CauseJITStructArg, "arm64 trampoline (%s): arg%d is a struct (BTF_FMODEL_STRUCT_ARG), not supported", j.commit, i)
			}
		}
	}
	if j.structExtraSlots {
		for i, f := range m.ArgFlags {
			if f&FlagStructArg != 0 {
				nregs += slotsOf(m.ArgSize[i]) - 1
			}
		}
	}
	if nregs > arm64ArgRegs {
		return nil, notSupported(CauseJITTooManyRegs, "arm64 trampoline (%s): %d argument registers needed, only x0..x7 are saved", j.commit, nregs)
	}
	rule := fmt.Sprintf("arm64 save_args (%s): ctx[i] = x_i for i < nregs = %d", j.commit, nregs)
	srcs := make([]slotSource, nregs)
	for r := range srcs {
		srcs[r] = slotSource{first: loc.RegByte(loc.XReg(r), 0), rule: rule}
	}
	return srcs, nil
}

// stackBase returns the FP offset of the first stack argument the JIT reads
// (soff) and the FP offset of SP at the traced function's entry.
func stackBase(j arm64Model, opts Options) (soff, entryFP int, rule string) {
	entryFP = 32 // tracing: {FP, x9} and {FP, LR} pushed
	if opts.StructOps {
		entryFP = 16 // struct_ops: only {FP, LR} pushed
	}
	soff = 32 // 9014cf56f13d: "on stack arguments start from FP + 32"
	if opts.StructOps && j.structOpsFP16 {
		soff = 16 // 50de1c47a41d: is_struct_ops ? 16 : 32
	}
	switch {
	case opts.StructOps && j.structOpsFP16:
		rule = fmt.Sprintf("arm64 save_args (%s): struct_ops stack args from FP+16", j.commit)
	case opts.StructOps:
		rule = "arm64 save_args (9014cf56f13d): stack args from FP+32, but a struct_ops trampoline's caller args start at FP+16 (fixed in 50de1c47a41d)"
	default:
		rule = "arm64 save_args (9014cf56f13d): stack args from FP+32"
	}
	return soff, entryFP, rule
}

// calcArgAux is calc_arg_aux + save_args of v6.16+ (9014cf56f13d,
// dc704d0cfa43, 50de1c47a41d):
//
//	for (i = 0, nregs = 0; i < nr_args; i++) {
//		slots = (arg_size[i] + 7) / 8;
//		if (nregs + slots <= 8) nregs += slots; else break;
//	}
//	args_in_regs = i; regs_for_args = nregs;
//	for (; i < nr_args; i++)  [v6.16: STRUCT_ARG -> -ENOTSUPP]
//		stack slots += (arg_size[i] + 7) / 8
//	save_args: x0..x(nregs-1) -> ctx; then for each stack slot
//		LDR tmp, [FP, soff]; soff += 8 -> ctx (packed, no alignment)
func calcArgAux(m *FuncModel, j arm64Model, opts Options) ([]slotSource, *Rejection) {
	nregs, i := 0, 0
	for ; i < m.NrArgs; i++ {
		k := slotsOf(m.ArgSize[i])
		if nregs+k > arm64ArgRegs {
			break // the first argument that does not fit ends register use
		}
		nregs += k
	}
	argsInRegs := i
	if j.rejectStructOnStack {
		for ; i < m.NrArgs; i++ {
			if m.ArgFlags[i]&FlagStructArg != 0 {
				// "We can not know for sure about exact alignment needs for
				// struct passed on stack, so deny those"
				return nil, notSupported(CauseJITStructStack, "arm64 calc_arg_aux (%s): arg%d is a struct passed on the stack", j.commit, i)
			}
		}
	}
	regRule := "arm64 calc_arg_aux (9014cf56f13d): args_in_regs"
	var srcs []slotSource
	for r := 0; r < nregs; r++ {
		srcs = append(srcs, slotSource{first: loc.RegByte(loc.XReg(r), 0), rule: regRule})
	}
	soff, entryFP, stackRule := stackBase(j, opts)
	for i = argsInRegs; i < m.NrArgs; i++ {
		for s := 0; s < slotsOf(m.ArgSize[i]); s++ {
			srcs = append(srcs, slotSource{first: loc.Stack(soff - entryFP), rule: stackRule})
			soff += 8
		}
	}
	return srcs, nil
}

// placeArgs is the proposed calc_arg_aux over bpf_jit_place_args (fork
// yonghong-song/bpf@995dd580b74c, NOT in mainline) with arm64_arg_abi
// {.nr_arg_regs = 8, .even_reg_align = true, .even_stack_align = true}:
// every slot gets a register or an outgoing-stack offset as AAPCS64 places
// it, the ctx stays packed, more than 12 slots is -ENOTSUPP, and stack
// arguments are read from FP+16 (struct_ops) or FP+32, both entry SP.
//
// The placement rules below are inferred from arm64_arg_abi and the fork's
// comments and selftests (bpf_testmod_test_int128_stack/_backfill); the body
// of bpf_jit_place_args itself was not in the stored copy:
//   - a 2-slot argument with ALIGN16_ARG starts at an even register
//     (AAPCS64 2025Q4 C.10) and at a 16-byte aligned stack offset;
//   - an argument that does not fit in the remaining registers goes to the
//     stack and so does every later one ("Nothing goes back to a register
//     after the stack"; C.13 sets NGRN to 8).
func placeArgs(m *FuncModel, j arm64Model, opts Options) ([]slotSource, *Rejection) {
	total := 0
	for _, s := range m.ArgSize {
		total += slotsOf(s)
	}
	if total > MaxFuncArgs {
		return nil, notSupported(CauseJITTooManySlots, "arm64 calc_arg_aux/bpf_jit_place_args (%s, not mainline): %d argument slots > %d", j.commit, total, MaxFuncArgs)
	}
	soff, entryFP, _ := stackBase(j, opts)
	stackRule := fmt.Sprintf("arm64 bpf_jit_place_args (%s, not mainline): stack slot", j.commit)
	var srcs []slotSource
	ngrn, nsaa, onStack := 0, 0, false
	for i := 0; i < m.NrArgs; i++ {
		k := slotsOf(m.ArgSize[i])
		align16 := k == 2 && m.ArgFlags[i]&FlagAlign16Arg != 0
		if !onStack {
			r := ngrn
			rule := fmt.Sprintf("arm64 bpf_jit_place_args (%s, not mainline): register", j.commit)
			if align16 && r%2 == 1 {
				r++ // even_reg_align
				rule = fmt.Sprintf("arm64 bpf_jit_place_args (%s, not mainline): even register pair", j.commit)
			}
			if r+k <= arm64ArgRegs {
				for s := 0; s < k; s++ {
					srcs = append(srcs, slotSource{first: loc.RegByte(loc.XReg(r+s), 0), rule: rule})
				}
				ngrn = r + k
				continue
			}
			onStack = true
			ngrn = arm64ArgRegs
		}
		rule := stackRule
		if align16 && nsaa%16 != 0 {
			nsaa += 16 - nsaa%16 // even_stack_align
			rule = fmt.Sprintf("arm64 bpf_jit_place_args (%s, not mainline): 16-byte aligned stack slot", j.commit)
		}
		for s := 0; s < k; s++ {
			srcs = append(srcs, slotSource{first: loc.Stack(soff + nsaa - entryFP), rule: rule})
			nsaa += 8
		}
	}
	return srcs, nil
}
