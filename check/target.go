// Package check joins the ABI's answer and the kernel's answer for one
// function into a verdict.
//
// For a signature and a Target (architecture and kernel version, pahole
// version, ABI variant), Run follows the data path of a real kernel build:
// the oracle places every argument byte as the compiler does; pahole
// decides whether the function gets BTF and what that BTF says (its register
// checks read the compiler's placement, as they read DWARF); the BTF is
// marshalled to bytes and loaded back, so nothing but BTF reaches the
// kernel side; btf_distill_func_proto builds the function model; the
// trampoline model says where it reads each byte. The verdict is Agree,
// Rejected (by pahole, distill or the JIT, with the tool's own words), or
// Mismatch: the trampoline silently reads bytes the ABI did not put there.
//
// A Mismatch carries a class key, stable across argument counts, names and
// unrelated arguments, e.g.
//
//	arm64/v6.17+pahole-1.24: AAPCS64 2025Q4 C.10 even pair not applied, __int128 scalar in registers
//
// The reviewed list of known classes is data in known_classes.yaml.
package check

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/layout"
	"github.com/trampfuzz/trampfuzz/oracle"
	"github.com/trampfuzz/trampfuzz/pahole"
)

// Target is one kernel build to check against.
type Target struct {
	Kernel layout.Kernel
	Pahole pahole.Version
	ABI    oracle.Variant
	// StructOps checks a struct_ops trampoline instead of fentry/fexit.
	StructOps bool
}

// ErrTarget is wrapped by target parsing errors.
var ErrTarget = errors.New("unknown target")

// distillPoints are versions inside a trampoline model's range where
// btf_distill_func_proto changes what reaches the trampoline: v6.18 lets
// union arguments through (ccb4f5d91ec4).
var distillPoints = []string{"v6.18"}

// behaviourPoints are the first versions of every distinct kernel
// behaviour of arch, oldest first: the trampoline ranges' starts and
// distillPoints.
func behaviourPoints(arch string) []string {
	pointsOnce.Do(func() {
		points = map[string][]string{}
		for _, a := range layout.Arches() {
			points[a] = computePoints(a)
		}
	})
	return points[arch]
}

var (
	pointsOnce sync.Once
	points     map[string][]string
)

func computePoints(arch string) []string {
	var pts []string
	for _, k := range mainline(arch) {
		pts = append(pts, k.Version)
	}
	for _, p := range distillPoints {
		if !slices.Contains(pts, p) {
			pts = append(pts, p)
		}
	}
	sort.Slice(pts, func(i, j int) bool { return versionLess(pts[i], pts[j]) })
	return pts
}

// KernelName is the target's kernel as "arm64/v6.17": the first version of
// the behaviour the target's version falls in (so every version of a range
// names the same classes), or the proposal's name ("arm64/place-args").
func (t Target) KernelName() string {
	if !t.Kernel.Mainline {
		return t.Kernel.Arch + "/" + t.Kernel.Name
	}
	if t.Kernel.Stable {
		// A stable row is its own behaviour: named by its first release.
		return t.Kernel.Arch + "/" + strings.SplitN(t.Kernel.Name, "-", 2)[0]
	}
	name := t.Kernel.Version
	for _, p := range behaviourPoints(t.Kernel.Arch) {
		if !versionLess(t.Kernel.Version, p) {
			name = p
		}
	}
	return t.Kernel.Arch + "/" + name
}

// versionLess compares "vMAJOR.MINOR" strings.
func versionLess(a, b string) bool {
	pa, pb := versionParts(a), versionParts(b)
	return pa[0] < pb[0] || (pa[0] == pb[0] && pa[1] < pb[1])
}

func versionParts(v string) [2]int {
	var out [2]int
	major, minor, _ := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	out[0], _ = strconv.Atoi(major)
	minor, _, _ = strings.Cut(minor, ".")
	out[1], _ = strconv.Atoi(minor)
	return out
}

// String is the target's name in class keys: "arm64/v6.17+pahole-1.24",
// with "+struct_ops" for a struct_ops trampoline and "+abi-…" for a
// non-default ABI variant.
func (t Target) String() string {
	s := t.KernelName() + "+pahole-" + string(t.Pahole)
	if t.StructOps {
		s += "+struct_ops"
	}
	if t.ABI.ABI() != nil && !t.ABI.IsDefault() {
		s += "+abi-" + t.ABI.Reading()
	}
	return s
}

// ParseTarget reads a kernel target ("arm64/v6.17", "arm64/6.10.3",
// "arm64/place-args"; "" is the newest) and a pahole version ("1.24",
// "1.31", "head"; "" is the newest).
func ParseTarget(kernel, paholeVersion string) (Target, error) {
	pv := pahole.Newest
	if paholeVersion != "" {
		var err error
		if pv, err = pahole.ParseVersion(paholeVersion); err != nil {
			return Target{}, fmt.Errorf("%w: %v", ErrTarget, err)
		}
	}
	if kernel == "" {
		// The default architecture is the first one (arm64).
		t, err := DefaultFor(arch.All()[0].Name)
		t.Pahole = pv
		return t, err
	}
	t := Target{Pahole: pv}
	archName, ver, ok := strings.Cut(kernel, "/")
	if !ok {
		return Target{}, fmt.Errorf("%w %q: want ARCH/VERSION, e.g. arm64/v6.17", ErrTarget, kernel)
	}
	a, err := arch.Lookup(archName) // any usual spelling: aarch64/v6.17 too
	if err != nil {
		return Target{}, fmt.Errorf("%w %q: %v", ErrTarget, kernel, err)
	}
	if t.Kernel, err = layout.Lookup(a.Name, ver); err != nil {
		return Target{}, fmt.Errorf("%w %q: %v", ErrTarget, kernel, err)
	}
	return t, t.defaultABI(a)
}

// defaultABI sets t.ABI to the default variant of a's calling convention.
func (t *Target) defaultABI(a *arch.Arch) error {
	v, err := oracle.DefaultOf(a)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrTarget, err)
	}
	t.ABI = v
	return nil
}

// WithABI is t checked by the variant of its architecture's ABI called
// name: the full name ("aapcs64/gcc12") or the reading a target name uses
// ("gcc12"); "" is the default.
func (t Target) WithABI(name string) (Target, error) {
	abi := t.ABI.ABI()
	if abi == nil {
		return Target{}, fmt.Errorf("%w: target %s has no ABI", ErrTarget, t.KernelName())
	}
	if name != "" && !strings.Contains(name, "/") && name != abi.Default().Name {
		name = abi.Default().Name + "/" + name
	}
	v, err := oracle.LookupIn(abi, name)
	if err != nil {
		return Target{}, fmt.Errorf("%w %s: %v", ErrTarget, t.KernelName(), err)
	}
	t.ABI = v
	return t, nil
}

// TargetNamed is the target whose String() is name
// ("arm64/v6.17+pahole-1.24+struct_ops"): how a corpus case's target line
// and a saved verdict name their target.
func TargetNamed(name string) (Target, error) {
	parts := strings.Split(name, "+")
	kernel, pv, structOps, abi := parts[0], "", false, ""
	for _, p := range parts[1:] {
		switch {
		case strings.HasPrefix(p, "pahole-"):
			pv = strings.TrimPrefix(p, "pahole-")
		case p == "struct_ops":
			structOps = true
		case strings.HasPrefix(p, "abi-"):
			abi = strings.TrimPrefix(p, "abi-")
		default:
			return Target{}, fmt.Errorf("%w %q: unknown part %q", ErrTarget, name, p)
		}
	}
	if pv == "" {
		return Target{}, fmt.Errorf("%w %q: no +pahole-VERSION", ErrTarget, name)
	}
	t, err := ParseTarget(kernel, pv)
	if err != nil {
		return Target{}, err
	}
	t.StructOps = structOps
	if abi != "" {
		if t, err = t.WithABI(abi); err != nil {
			return Target{}, fmt.Errorf("%w %q: %v", ErrTarget, name, err)
		}
	}
	// A version inside a behaviour range (arm64/v6.17.3) names the range:
	// only the canonical spelling is a target's name.
	if t.String() != name {
		return Target{}, fmt.Errorf("%w %q: the target's name is %q", ErrTarget, name, t.String())
	}
	return t, nil
}

// Default is the newest modelled mainline kernel with the newest pahole.
func Default() Target {
	t, _ := ParseTarget("", "")
	return t
}

// DefaultFor is the newest modelled mainline kernel of architecture
// archName (any spelling arch.Lookup takes) with the newest pahole.
func DefaultFor(archName string) (Target, error) {
	a, err := arch.Lookup(archName)
	if err != nil {
		return Target{}, fmt.Errorf("%w: %v", ErrTarget, err)
	}
	ks := mainline(a.Name)
	if len(ks) == 0 {
		return Target{}, fmt.Errorf("%w: no kernel model of %s", ErrTarget, a)
	}
	t := Target{Kernel: ks[len(ks)-1], Pahole: pahole.Newest}
	return t, t.defaultABI(a)
}

func mainline(arch string) []layout.Kernel {
	var out []layout.Kernel
	for _, k := range layout.KernelsOf(arch) {
		if k.Mainline && !k.Stable {
			out = append(out, k)
		}
	}
	return out
}

// Targets is every distinct modelled kernel behaviour of every
// architecture (behaviourPoints, then the proposals; arm64 first) with
// every modelled pahole version, for the default variant of each
// architecture's ABI.
func Targets() []Target {
	var kernels []layout.Kernel
	for _, arch := range layout.Arches() {
		for _, p := range behaviourPoints(arch) {
			k, err := layout.Lookup(arch, p)
			if err != nil {
				panic(err) // behaviourPoints come from layout itself
			}
			kernels = append(kernels, k)
		}
		for _, k := range layout.KernelsOf(arch) {
			if !k.Mainline {
				kernels = append(kernels, k)
			}
		}
	}
	var out []Target
	for _, k := range kernels {
		a, err := arch.Lookup(k.Arch)
		if err != nil {
			panic(err) // layout's kernels are of known architectures (its tests)
		}
		abi, err := oracle.DefaultOf(a)
		if err != nil {
			panic(err) // every architecture has an ABI (oracle's tests)
		}
		for _, v := range pahole.Versions() {
			out = append(out, Target{Kernel: k, Pahole: v, ABI: abi})
		}
	}
	return out
}
