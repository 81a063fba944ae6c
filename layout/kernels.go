// Package layout is the kernel's side of trampfuzz: what a given Linux kernel
// version does with the BTF of a traced function.
//
// It has two stages, both modelled on the kernel source and both seeing BTF
// only (never C types or attributes, exactly like the kernel):
//
//   - Distill is btf_distill_func_proto() (kernel/bpf/btf.c): the BTF function
//     model (struct btf_func_model, include/linux/bpf.h) or the verifier's own
//     log message and errno.
//   - ARM64 is the arm64 BPF trampoline (arch/arm64/net/bpf_jit_comp.c,
//     prepare_trampoline/calc_arg_aux/save_args): where the trampoline reads
//     every byte of every argument that it stores into the BPF context, as a
//     loc.Placement, the BPF ctx slot map, or the JIT's -ENOTSUPP.
//   - X86 is the x86-64 BPF trampoline (arch/x86/net/bpf_jit_comp.c,
//     arch_prepare_bpf_trampoline/save_regs/save_args), with the same
//     outputs; JIT picks ARM64 or X86 by the kernel's architecture.
//
// Kernel versions are data: Kernels lists one model per distinct behaviour
// and Lookup picks the model of the range a version falls in. The facts and
// their sources are collected in /work/shared/reference/kernel-jit.md; each
// piece of code below names the kernel commit (12-hex id) it implements.
//
// Kernel-reachable shapes: no arm64 trampoline version modelled here ever
// reads an FP/SIMD register (v0..v31); every argument byte comes from x0..x7
// or the stack. arm64 kernels are built with -mgeneral-regs-only, so no traced
// kernel function takes a floating-point argument or an HFA; a mismatch that
// needs one is real for the ABI but not reachable in kernel builds.
package layout

import (
	"slices"

	"errors"
	"fmt"
	"github.com/trampfuzz/trampfuzz/arch"
	"strconv"
	"strings"
)

// The modelled architectures' names, as in the target "arm64/v6.17" (the
// arch records' names).
var (
	ArchARM64 = arch.ARM64.Name
	// ArchX86_64 is x86-64 (arch/x86/net/bpf_jit_comp.c); see X86.
	ArchX86_64 = arch.X86_64.Name
)

// jitArch is one architecture's trampoline family, registered by its file
// (arm64.go, x86.go): its JIT, whether a Kernel is one of its table rows,
// and why versions before v6.0 have no model.
type jitArch struct {
	jit      func(m *FuncModel, k Kernel, opts Options) (*Trampoline, *Rejection, error)
	modelled func(k Kernel) bool
	before   string
}

// jitArches holds every registered family by architecture name.
var jitArches = map[string]jitArch{}

func registerJIT(a *arch.Arch, j jitArch) { jitArches[a.Name] = j }

// JIT is the trampoline of k's architecture (ARM64, X86, …).
func JIT(m *FuncModel, k Kernel, opts Options) (*Trampoline, *Rejection, error) {
	j, ok := jitArches[k.Arch]
	if !ok {
		return nil, nil, fmt.Errorf("layout.JIT: kernel %q: arch %q is not modelled (%s)", k.Name, k.Arch, strings.Join(Arches(), ", "))
	}
	return j.jit(m, k, opts)
}

// Kernel is one modelled kernel behaviour: a version range of one
// architecture whose trampoline and btf_distill_func_proto behave the same
// for argument placement, or a proposed patch that is not in mainline.
//
// Lookup returns a Kernel whose Version is the concrete version asked for;
// Distill uses it for the btf.c changes that fall inside a JIT range (unions
// from v6.18, the STRUCT_ARG flag's removal). Kernels returns each model with
// Version set to the first version of its range.
type Kernel struct {
	Arch string
	// Name is the range ("v6.17-v7.2") or the proposal ("place-args").
	Name string
	// Version is the concrete kernel version ("v6.18"); empty for a proposal.
	Version string
	// Mainline is false for a proposed patch that torvalds/linux does not have.
	Mainline bool
	// Stable marks a row of one stable series (v6.12.110-v6.12.y): a
	// backport made that series behave unlike its mainline release. Lookup
	// picks it for a version with a patch level in its range; it is not a
	// behaviour point of check.Targets.
	Stable bool
	// Commits are the kernel commits (12-hex ids) whose code this model
	// implements, the trampoline's first.
	Commits []string
	// Summary is one line on what the trampoline does with arguments.
	Summary string

	from, to version // inclusive range; to == version{} means open-ended
	jit      jitModel
	x86      x86Model // the x86-64 trampoline; zero for other arches
	proposal bool     // Distill follows the proposal's btf.c, not a mainline version
}

// modelled reports whether k came from the table (Lookup or Kernels), not
// a zero or hand-made Kernel.
func (k Kernel) modelled() bool {
	j, ok := jitArches[k.Arch]
	return ok && j.modelled(k)
}

// String is "arm64/v6.17-v7.2", or "arm64/v6.18 (v6.17-v7.2)" when a
// concrete version inside the range was looked up.
func (k Kernel) String() string {
	s := k.Arch + "/" + k.Name
	if k.Version != "" && k.Version != k.from.String() {
		s = k.Arch + "/" + k.Version + " (" + k.Name + ")"
	}
	return s
}

// version is a kernel major.minor, with the stable patch level where one
// matters (0 for a mainline release).
type version struct{ major, minor, patch int }

func (v version) String() string {
	s := "v" + strconv.Itoa(v.major) + "." + strconv.Itoa(v.minor)
	if v.patch != 0 {
		s += "." + strconv.Itoa(v.patch)
	}
	return s
}

func (v version) less(w version) bool {
	if v.major != w.major {
		return v.major < w.major
	}
	if v.minor != w.minor {
		return v.minor < w.minor
	}
	return v.patch < w.patch
}

// series is v without its patch level.
func (v version) series() version { return version{v.major, v.minor, 0} }

func (v version) atLeast(w version) bool { return !v.less(w) }

// Versions at which btf.c or the arm64 JIT changed.
var (
	v6_0  = version{6, 0, 0}  // efc9909fdce0: first arm64 trampoline
	v6_1  = version{6, 1, 0}  // 720e6a435194 (struct args in btf.c), eb707dde264a (arm64 rejects them)
	v6_2  = version{6, 2, 0}  //
	v6_3  = version{6, 3, 0}  // BTF_FMODEL_SIGNED_ARG (49f67f393ff2), with the s390x trampoline series (528eb2cb87bc), bpf-next pull 2023-02-11
	v6_4  = version{6, 4, 0}  //
	v6_5  = version{6, 5, 0}  // 90564f1e3dd6: arm64 struct args in registers
	v6_6  = version{6, 6, 0}  // 473e3150e30a: x86 stack arguments, 12 slots (bpf-next pull 2023-07-13)
	v6_15 = version{6, 15, 0} //
	v6_16 = version{6, 16, 0} // 9014cf56f13d: 12 args, calc_arg_aux, structs on the stack rejected
	v6_17 = version{6, 17, 0} // dc704d0cfa43: structs on the stack allowed
	v6_18 = version{6, 18, 0} // ccb4f5d91ec4: union args
	v7_2  = version{7, 2, 0}  //
	v7_3  = version{7, 3, 0}  // 50de1c47a41d (struct_ops stack base), 457d4ecb47aa (STRUCT_ARG removed)
)

// kernels is the table of modelled behaviours, oldest first. Release
// evidence for each boundary is in reference/kernel-jit.md §0.
var kernels = []Kernel{
	{
		Arch: ArchARM64, Name: "v6.0", Mainline: true,
		Commits: []string{"efc9909fdce0"},
		Summary: "one register per argument, x0..x(n-1); more than 8 arguments -> -ENOTSUPP",
		from:    v6_0, to: v6_0,
		jit: jitModel{kind: jitRegsOnly, commit: "efc9909fdce0"},
	},
	{
		Arch: ArchARM64, Name: "v6.1-v6.4", Mainline: true,
		Commits: []string{"eb707dde264a", "720e6a435194"},
		Summary: "as v6.0; any STRUCT_ARG argument -> -ENOTSUPP",
		from:    v6_1, to: v6_4,
		jit: jitModel{kind: jitRegsOnly, commit: "eb707dde264a", rejectStructArg: true},
	},
	{
		Arch: ArchARM64, Name: "v6.5-v6.15", Mainline: true,
		Commits: []string{"90564f1e3dd6"},
		Summary: "nr_args plus one extra register per 16-byte STRUCT_ARG, x0..x(n-1); more than 8 -> -ENOTSUPP",
		from:    v6_5, to: v6_15,
		jit: jitModel{kind: jitRegsOnly, commit: "90564f1e3dd6", structExtraSlots: true},
	},
	{
		Arch: ArchARM64, Name: "v6.16", Mainline: true,
		Commits: []string{"9014cf56f13d", "c5cebb241e27"},
		Summary: "calc_arg_aux: registers until the first argument that does not fit, the rest packed from FP+32; a struct on the stack -> -ENOTSUPP",
		from:    v6_16, to: v6_16,
		jit: jitModel{kind: jitCalcArgAux, commit: "9014cf56f13d", rejectStructOnStack: true},
	},
	{
		Arch: ArchARM64, Name: "v6.17-v7.2", Mainline: true,
		Commits: []string{"dc704d0cfa43", "9014cf56f13d"},
		Summary: "as v6.16 with structs allowed on the stack; struct_ops stack arguments read from FP+32 (16 bytes too high)",
		from:    v6_17, to: v7_2,
		jit: jitModel{kind: jitCalcArgAux, commit: "dc704d0cfa43"},
	},
	{
		Arch: ArchARM64, Name: "v7.3", Mainline: true,
		Commits: []string{"50de1c47a41d", "dc704d0cfa43", "457d4ecb47aa"},
		Summary: "as v6.17; struct_ops trampolines read stack arguments from FP+16; no STRUCT_ARG flag",
		from:    v7_3, // open-ended: the newest code read (Aug 2026)
		jit:     jitModel{kind: jitCalcArgAux, commit: "50de1c47a41d", structOpsFP16: true},
	},
	{
		Arch: ArchARM64, Name: "place-args", Mainline: false,
		Commits:  []string{"995dd580b74c"},
		Summary:  "NOT MAINLINE: proposed bpf_jit_place_args rewrite (fork yonghong-song/bpf): AAPCS64 even register pairs and 16-byte stack alignment from a BTF ALIGN16 flag",
		jit:      jitModel{kind: jitPlaceArgs, commit: "995dd580b74c", structOpsFP16: true},
		proposal: true,
	},

	// x86-64 (arch/x86/net/bpf_jit_comp.c). The trampoline exists since
	// v5.5 (fec56f5890d9); the table starts at v6.0 like arm64 because
	// Distill's btf.c rules are read from v6.0 on. Release evidence: the
	// bpf-next pull requests named below; details in x86.go.
	{
		Arch: ArchX86_64, Name: "v6.0", Mainline: true,
		Commits: []string{"fec56f5890d9"},
		Summary: "save_regs: one register per argument, rdi..r9, each stored with its own width; more than 6 arguments -> -ENOTSUPP; a 16-byte argument has no store width and corrupts the trampoline code",
		from:    v6_0, to: v6_0,
		x86: x86Model{kind: x86SaveRegs, commit: "fec56f5890d9"},
	},
	{
		Arch: ArchX86_64, Name: "v6.1-v6.2", Mainline: true,
		Commits: []string{"a9c5ad31fbdc", "720e6a435194"},
		Summary: "save_regs: a STRUCT_ARG takes (size+7)/8 registers, anything else one; more than 6 arguments or registers -> -ENOTSUPP; a non-struct 16-byte argument corrupts the trampoline code",
		from:    v6_1, to: v6_2,
		x86: x86Model{kind: x86SaveRegsStructArg, commit: "a9c5ad31fbdc"},
	},
	{
		Arch: ArchX86_64, Name: "v6.3-v6.5", Mainline: true,
		Commits: []string{"a9c5ad31fbdc"},
		Summary: "save_regs by register slot (\"Simplify the parsing logic of structure parameters\", v6.3): nr_regs counts STRUCT_ARG only, so an __int128 leaves the last register unsaved; a 3, 5, 6 or 7-byte struct corrupts the trampoline code",
		from:    v6_3, to: v6_5,
		x86: x86Model{kind: x86SaveRegsBySlot, commit: "a9c5ad31fbdc"},
	},
	{
		Arch: ArchX86_64, Name: "v6.6-v7.2", Mainline: true,
		Commits: []string{"473e3150e30a"},
		Summary: "save_args: 12 slots; rdi..r9 while an argument fits the remaining registers, else 8-byte stack slots from RBP+0x18, packed; nr_regs counts STRUCT_ARG only; struct_ops stack arguments read 8 bytes too high",
		from:    v6_6, to: v7_2,
		x86: x86Model{kind: x86SaveArgs, commit: "473e3150e30a"},
	},
	{
		Arch: ArchX86_64, Name: "v7.3", Mainline: true,
		Commits: []string{"814cba835ef6", "596824de8c10", "457d4ecb47aa", "473e3150e30a"},
		Summary: "as v6.6; nr_regs counts every argument over 8 bytes (814cba835ef6); struct_ops trampolines read stack arguments from RBP+0x10 (596824de8c10); no STRUCT_ARG flag",
		from:    v7_3, // open-ended: the newest code read (Aug 2026)
		x86:     x86Model{kind: x86SaveArgs, commit: "814cba835ef6", slotsBySize: true, indirectBase16: true},
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
		Arch: ArchX86_64, Name: "v6.1.72-v6.1.190", Mainline: true, Stable: true,
		Commits: []string{"a9c5ad31fbdc"},
		Summary: "6.1.y stable: save_regs by register slot, every store BPF_DW (backports in 6.1.72); nr_regs counts STRUCT_ARG only, so an __int128 leaves the last register unsaved; more than 6 registers -> -ENOTSUPP",
		from:    version{6, 1, 72}, to: version{6, 1, 190},
		x86: x86Model{kind: x86SaveRegsBySlot, commit: "a9c5ad31fbdc", dwStores: true},
	},
	{
		// 6.1.191 took 814cba835ef6 "bpf, x86: Fix trampoline stack size
		// for 128-bit arguments" (ChangeLog-6.1.191). Read in Debian's
		// linux-source-6.1 (6.1.192) arch/x86/net/bpf_jit_comp.c:
		//	for (i = 0; i < m->nr_args; i++)
		//		nr_regs += (m->arg_size[i] + 7) / 8 - 1;
		//	if (nr_regs > 6) return -ENOTSUPP;
		//	save_regs: for (i = 0; i < min(nr_regs, 6); i++) emit_stx(BPF_DW, reg i)
		Arch: ArchX86_64, Name: "v6.1.191-v6.1.y", Mainline: true, Stable: true,
		Commits: []string{"814cba835ef6", "a9c5ad31fbdc"},
		Summary: "6.1.y stable from 6.1.191: as v6.1.72, with nr_regs counting every argument over 8 bytes (814cba835ef6 backported)",
		from:    version{6, 1, 191}, to: version{6, 1, 100000},
		x86: x86Model{kind: x86SaveRegsBySlot, commit: "814cba835ef6", dwStores: true, slotsBySize: true},
	},
	{
		// 6.12.110 took 814cba835ef6 (ChangeLog-6.12.110 in Debian's 6.12
		// changelog) but not 596824de8c10: Debian's linux-source-6.12
		// (6.12.118) counts every argument over 8 bytes and copies stack
		// arguments from RBP + 0x18 for every trampoline, struct_ops too.
		Arch: ArchX86_64, Name: "v6.12.110-v6.12.y", Mainline: true, Stable: true,
		Commits: []string{"814cba835ef6", "473e3150e30a"},
		Summary: "6.12.y stable from 6.12.110: as v6.6, with nr_regs counting every argument over 8 bytes (814cba835ef6 backported); struct_ops stack arguments still read 8 bytes too high",
		from:    version{6, 12, 110}, to: version{6, 12, 100000},
		x86: x86Model{kind: x86SaveArgs, commit: "814cba835ef6", slotsBySize: true},
	},
}

// Kernels returns every modelled behaviour of the architectures named (all
// of them when none is), architecture by architecture in the order of
// Arches, each as KernelsOf lists it.
func Kernels(archs ...string) []Kernel {
	var out []Kernel
	for _, a := range Arches() {
		if len(archs) == 0 || slices.Contains(archs, a) {
			out = append(out, KernelsOf(a)...)
		}
	}
	return out
}

// Arches lists the modelled architectures, in arch.All's order (arm64
// first).
func Arches() []string {
	var out []string
	for _, a := range arch.All() {
		if _, ok := jitArches[a.Name]; ok {
			out = append(out, a.Name)
		}
	}
	return out
}

// KernelsOf returns every modelled behaviour of arch in the order of
// Kernels (nil for an arch that is not modelled).
func KernelsOf(arch string) []Kernel {
	var out []Kernel
	for _, k := range kernels {
		if k.Arch != arch {
			continue
		}
		if !k.proposal {
			k.Version = k.from.String()
		}
		k.Commits = append([]string(nil), k.Commits...)
		out = append(out, k)
	}
	return out
}

// ErrUnknownKernel is wrapped by every Lookup error.
var ErrUnknownKernel = errors.New("unknown kernel")

// Lookup returns the model of arch for a kernel version: "v6.10", "6.10",
// "6.10.3" and "v6.10-rc2" all select the arm64 v6.5-v6.15 model, with
// Version "v6.10". A proposal is selected by its name ("place-args"). Versions
// after v7.3 use the v7.3 model, the newest code read; versions before v6.0
// are an error (arm64 has no trampoline before v6.0; the x86_64 trampoline of
// v5.5-v5.19 is not modelled).
func Lookup(arch, ver string) (Kernel, error) {
	family, ok := jitArches[arch]
	if !ok {
		return Kernel{}, fmt.Errorf("%w: arch %q (modelled: %s)", ErrUnknownKernel, arch, strings.Join(Arches(), ", "))
	}
	name := strings.TrimPrefix(strings.TrimSpace(ver), arch+"/")
	for _, k := range kernels {
		if k.Arch == arch && k.proposal && k.Name == name {
			k.Commits = append([]string(nil), k.Commits...)
			return k, nil
		}
	}
	v, err := parseVersion(name)
	if err != nil {
		return Kernel{}, fmt.Errorf("%w: %v", ErrUnknownKernel, err)
	}
	if v.less(v6_0) {
		return Kernel{}, fmt.Errorf("%w: %s/%s: %s", ErrUnknownKernel, arch, v, family.before)
	}
	// A stable row applies to the patch levels of its own series only;
	// any other version is its mainline release's.
	for _, k := range kernels {
		if k.Arch == arch && k.Stable && v.series() == k.from.series() && !v.less(k.from) && (k.to == version{} || !k.to.less(v)) {
			k.Version = v.String()
			k.Commits = append([]string(nil), k.Commits...)
			return k, nil
		}
	}
	v = v.series()
	for _, k := range kernels {
		if k.Arch != arch || k.proposal || k.Stable || v.less(k.from) || (k.to != version{} && k.to.less(v)) {
			continue
		}
		k.Version = v.String()
		k.Commits = append([]string(nil), k.Commits...)
		return k, nil
	}
	return Kernel{}, fmt.Errorf("%w: %s/%s", ErrUnknownKernel, arch, v)
}

// parseVersion reads "v6.10", "6.10", "6.10.3", "v6.10-rc2".
func parseVersion(s string) (version, error) {
	t := strings.TrimPrefix(s, "v")
	if i := strings.IndexAny(t, "-+ "); i >= 0 {
		t = t[:i]
	}
	parts := strings.Split(t, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return version{}, fmt.Errorf("version %q: want MAJOR.MINOR, e.g. v6.10", s)
	}
	var nums [2]int
	for i := 0; i < 2; i++ {
		n, err := strconv.Atoi(parts[i])
		if err != nil || n < 0 || n > 1000 || parts[i] == "" || (len(parts[i]) > 1 && parts[i][0] == '0') {
			return version{}, fmt.Errorf("version %q: bad number %q", s, parts[i])
		}
		nums[i] = n
	}
	patch := 0
	if len(parts) == 3 {
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 0 || n > 100000 {
			return version{}, fmt.Errorf("version %q: bad patch level %q", s, parts[2])
		}
		patch = n
	}
	return version{nums[0], nums[1], patch}, nil
}

// concrete returns the version Distill should follow; ok is false for a
// proposal, which follows its own btf.c.
func (k Kernel) concrete() (version, bool) {
	if k.proposal {
		return version{}, false
	}
	if k.Version != "" {
		if v, err := parseVersion(k.Version); err == nil {
			return v, true
		}
	}
	return k.from, true
}
