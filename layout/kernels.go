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
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/trampfuzz/trampfuzz/arch"
)

// The modelled architectures' names, as in the target "arm64/v6.17" (the
// arch records' names).
var (
	ArchARM64 = arch.ARM64.Name
	// ArchX86_64 is x86-64 (arch/x86/net/bpf_jit_comp.c); see X86.
	ArchX86_64 = arch.X86_64.Name
)

// jitArch is one architecture's trampoline family, registered by its file
// (arm64.go, x86.go): its table rows (each carrying its trampoline model)
// and why versions before v6.0 have no model.
type jitArch struct {
	rows   []Kernel
	before string
}

// jitArches holds every registered family by architecture name.
var jitArches = map[string]jitArch{}

func registerJIT(a *arch.Arch, j jitArch) {
	for i := range j.rows {
		j.rows[i].Arch = a.Name
	}
	jitArches[a.Name] = j
}

// trampolineModel is one version of one architecture's BPF trampoline: the
// JIT code that decides which register or stack slot each ctx slot is
// copied from.
type trampolineModel interface {
	// trampoline is the JIT's reading of m (a model Distill produced and
	// checkModel accepted) on kernel k, or its rejection.
	trampoline(m *FuncModel, k Kernel, opts Options) (*Trampoline, *Rejection)
	// saveFunc is the JIT function that stores the arguments into the
	// trampoline's frame ("save_args").
	saveFunc() string
}

// JIT is the trampoline of kernel k (a row of Kernels or Lookup) for the
// function model m (from Distill with the same kernel): where it reads each
// argument byte, the ctx slot map, or the JIT's -ENOTSUPP. The error is for
// a model that Distill could not have produced or a kernel that is not a
// table row.
func JIT(m *FuncModel, k Kernel, opts Options) (*Trampoline, *Rejection, error) {
	if k.tramp == nil {
		return nil, nil, fmt.Errorf("layout.JIT: kernel %q of arch %q is not a modelled kernel (modelled: %s; use Lookup or Kernels)",
			k.Name, k.Arch, strings.Join(Arches(), ", "))
	}
	if err := checkModel(m); err != nil {
		return nil, nil, err
	}
	tr, rej := k.tramp.trampoline(m, k, opts)
	return tr, rej, nil
}

// checkModel rejects a FuncModel that btf_distill_func_proto cannot produce.
func checkModel(m *FuncModel) error {
	if m == nil {
		return fmt.Errorf("layout.JIT: nil FuncModel")
	}
	if m.NrArgs < 0 || m.NrArgs > MaxFuncArgs {
		return fmt.Errorf("layout.JIT: %s: nr_args %d outside 0..%d", m.Name, m.NrArgs, MaxFuncArgs)
	}
	if len(m.ArgSize) != m.NrArgs || len(m.ArgFlags) != m.NrArgs || len(m.ArgNames) != m.NrArgs || len(m.ArgTypes) != m.NrArgs {
		return fmt.Errorf("layout.JIT: %s: nr_args %d but %d sizes, %d flags, %d names, %d types",
			m.Name, m.NrArgs, len(m.ArgSize), len(m.ArgFlags), len(m.ArgNames), len(m.ArgTypes))
	}
	for i, s := range m.ArgSize {
		if s < 1 || s > maxArgSize {
			return fmt.Errorf("layout.JIT: %s: arg%d size %d outside 1..%d", m.Name, i, s, maxArgSize)
		}
	}
	return nil
}

// SaveFunc is the JIT function of k that stores the arguments into the
// trampoline's frame: "save_regs" or "save_args" ("" for a Kernel that is
// not a table row).
func (k Kernel) SaveFunc() string {
	if k.tramp == nil {
		return ""
	}
	return k.tramp.saveFunc()
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
	tramp    trampolineModel
	proposal bool // Distill follows the proposal's btf.c, not a mainline version
}

// modelled reports whether k came from the table (Lookup or Kernels), not
// a zero or hand-made Kernel.
func (k Kernel) modelled() bool { return k.tramp != nil }

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

// table is every architecture's rows, in arch.All's order, each
// architecture's oldest first.
func table() []Kernel {
	tableOnce.Do(func() {
		for _, a := range arch.All() {
			tableRows = append(tableRows, jitArches[a.Name].rows...)
		}
	})
	return tableRows
}

var (
	tableOnce sync.Once
	tableRows []Kernel
)

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
	for _, k := range table() {
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
	for _, k := range table() {
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
	for _, k := range table() {
		if k.Arch == arch && k.Stable && v.series() == k.from.series() && !v.less(k.from) && (k.to == version{} || !k.to.less(v)) {
			k.Version = v.String()
			k.Commits = append([]string(nil), k.Commits...)
			return k, nil
		}
	}
	v = v.series()
	for _, k := range table() {
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
