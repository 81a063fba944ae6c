package pahole

import (
	"fmt"
	"strings"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/loc"
)

// Version is a modelled pahole release.
type Version string

// The modelled versions. Sources: acmel/dwarves (mirror of
// git.kernel.org/pub/scm/devel/pahole/pahole.git) at the tags below.
const (
	// V1_24 is v1.24 (de24234, 2022-08-17), Debian 12's "pahole 1.24-4.1":
	// no register check, no prototype comparison, no packed-struct filter.
	V1_24 Version = "1.24"
	// V1_31 is v1.31 (1f2805b, 2025-11-07): the packed-struct-on-stack
	// filter of 4a1f0c9 and the unexpected-register check of a53c581 /
	// da2f7e5, both only with consistent_func.
	V1_31 Version = "1.31"
	// Head is the 2026 development head (1436daf): the packed filter made
	// unconditional (109e5e4) and the slot-aware register check (dd77520).
	Head Version = "head"
)

// Versions lists the modelled versions, oldest first.
func Versions() []Version { return []Version{V1_24, V1_31, Head} }

// Newest is the newest modelled version, the default target.
const Newest = Head

// ParseVersion accepts "1.24", "1.31", "head" (also with a leading "v" or
// "pahole-"/"pahole ").
func ParseVersion(s string) (Version, error) {
	t := strings.TrimSpace(s)
	for _, p := range []string{"pahole-", "pahole ", "v"} {
		t = strings.TrimPrefix(t, p)
	}
	for _, v := range Versions() {
		if t == string(v) {
			return v, nil
		}
	}
	return "", fmt.Errorf("pahole: unknown version %q (modelled: 1.24, 1.31, head)", s)
}

// Options are the pahole command-line switches that change what is
// encoded or skipped.
type Options struct {
	// ConsistentFunc is --btf_features=consistent_func (1.26+), spelled
	// --skip_encoding_btf_inconsistent_proto in 1.25 and absent in 1.24.
	// Up to v1.31 every function skip (register check, packed filter)
	// needs it (btf_encoder.c btf_encoder__add_saved_funcs:
	// "add_to_btf = !skip_encoding_inconsistent_proto"); at the head the
	// register check and the packed filter apply regardless (109e5e4).
	ConsistentFunc bool
	// GenFloats is --btf_gen_floats / --btf_features=float: float types
	// become BTF_KIND_FLOAT; without it, an INT of the same size with
	// encoding 0 (btf_encoder.c btf_encoder__add_base_type).
	GenFloats bool
}

// KernelOptions are the switches the kernel's build passes to pahole v.
//   - 1.24: scripts/pahole-flags.sh passes --btf_gen_floats (≥1.21),
//     -j (≥1.22) and --lang_exclude=rust (≥1.24); consistent_func does
//     not exist yet.
//   - 1.31 and head: scripts/Makefile.btf (fcd1ed89a043) passes
//     --btf_features=encode_force,var,float,enum64,decl_tag,type_tag,
//     optimized_func,consistent_func,decl_tag_kfuncs for pahole ≥ 1.26.
func KernelOptions(v Version) Options {
	switch v {
	case V1_24:
		return Options{GenFloats: true}
	default:
		return Options{ConsistentFunc: true, GenFloats: true}
	}
}

// KernelFlags is the pahole command line (after "pahole -J") the kernel
// uses for v, as KernelOptions describes.
func KernelFlags(v Version) []string {
	switch v {
	case V1_24:
		return []string{"--btf_gen_floats", "-j", "--lang_exclude=rust"}
	default:
		return []string{"-j", "--btf_features=encode_force,var,float,enum64,decl_tag,type_tag,optimized_func,consistent_func,decl_tag_kfuncs"}
	}
}

// regCheck says how a version compares a parameter's DWARF register with
// the register it expects.
type regCheck uint8

const (
	// regCheckNone: no register check (≤ 1.24).
	regCheckNone regCheck = iota
	// regCheckPositional: parameter idx must be in register_params[idx];
	// a function with any struct parameter (typedef and const stripped,
	// dwarf_loader.c param__is_struct) is exempt. a53c581 (v1.25),
	// entry-value locations from da2f7e5 (v1.28).
	regCheckPositional
	// regCheckSlots: the expected register advances by the parameter's
	// ABI slots, 2 for a 9–16-byte aggregate, else 1 (dd77520, head); no
	// struct exemption.
	regCheckSlots
)

// model is what distinguishes one version's decision from another's.
type model struct {
	regCheck regCheck
	// packedFilter: 4a1f0c9's "uncertain parameter location" skip of
	// named packed structs at parameter index ≥ N.
	packedFilter bool
	// gated: every skip needs Options.ConsistentFunc (≤ 1.31).
	gated bool
}

func modelOf(v Version) (model, error) {
	switch v {
	case V1_24:
		return model{}, nil
	case V1_31:
		return model{regCheck: regCheckPositional, packedFilter: true, gated: true}, nil
	case Head:
		return model{regCheck: regCheckSlots, packedFilter: true}, nil
	}
	return model{}, fmt.Errorf("pahole: unknown version %q (modelled: 1.24, 1.31, head)", v)
}

// registerParams are the argument registers pahole expects parameter idx
// in: dwarf_loader.c arch__nr_register_params (75939e6, v1.25) gives
// EM_AARCH64 8 and EM_X86_64 6, and cu->register_params maps idx to
// DW_OP_reg<idx> (x0..x7) on arm64 and to rdi, rsi, rdx, rcx, r8, r9
// (DWARF registers 5, 4, 1, 2, 8, 9) on x86-64.
func registerParams(a *arch.Arch) []loc.Reg { return loc.MustParseRegs(a.GPRs) }

// archOf reads Config.Arch: any spelling arch.Lookup takes, "" for arm64.
func archOf(name string) (*arch.Arch, error) {
	if name == "" {
		return arch.ARM64, nil
	}
	a, err := arch.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("pahole: %w", err)
	}
	return a, nil
}
