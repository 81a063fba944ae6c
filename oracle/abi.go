package oracle

import (
	"errors"
	"fmt"
	"strings"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

// ABI is one architecture's C calling convention with its named readings
// (Variants): the spec's text and the documented behaviour of compiler
// releases that read it differently. Only this package implements it; a new
// architecture adds one file with its ABI and one entry in abis.
type ABI interface {
	// Name is the convention and the release its rule ids quote,
	// "AAPCS64 2025Q4".
	Name() string
	// Arch is the architecture whose C code follows it.
	Arch() *arch.Arch
	// Variants are the named readings, the default (the spec as current
	// compilers implement it) first.
	Variants() []Variant
	// Default is Variants()[0].
	Default() Variant
	// CompilerVariant is the variant that describes compiler ("gcc" or
	// "clang") at major version major, as the variants' Docs say and the
	// oracle checks confirm.
	CompilerVariant(compiler string, major int) (Variant, error)

	// place places fn, already validated, by v (a variant of this ABI).
	place(fn *ctype.Func, v Variant) (loc.Placement, error)
}

// Variant is one reading of an ABI. Its knobs are unexported; pick one by
// name (Lookup, LookupIn) or from an ABI's Variants. The zero Variant
// belongs to no ABI and places nothing.
type Variant struct {
	// Name is what -abi takes: "aapcs64", "aapcs64/gcc12", "sysv/clang14".
	// The part before the slash names the ABI; the default has no slash.
	Name string
	// Doc says in one line what the variant changes and why.
	Doc string

	abi ABI
	// reading holds the ABI's own knobs (a comparable struct value).
	reading any
}

// ABI is the convention v reads (nil for the zero Variant).
func (v Variant) ABI() ABI { return v.abi }

// IsDefault reports whether v is its ABI's default reading.
func (v Variant) IsDefault() bool { return v.abi != nil && v.abi.Default().Name == v.Name }

// Reading is v's name without its ABI's prefix ("gcc12" for
// "aapcs64/gcc12"), "" for the default: how a check target names a
// non-default variant ("+abi-gcc12").
func (v Variant) Reading() string {
	_, r, _ := strings.Cut(v.Name, "/")
	return r
}

func (v Variant) String() string { return v.Name }

// Place places every argument of fn by v. fn should pass ctype.Check
// (ctype.Parse and gen's signatures do); Place itself checks what placing
// depends on and returns an error wrapping ctype.ErrInvalid for a signature
// it cannot place; it never panics.
func (v Variant) Place(fn *ctype.Func) (loc.Placement, error) {
	if v.abi == nil {
		return loc.Placement{}, errors.New("oracle: the zero Variant names no ABI")
	}
	if err := validate(fn); err != nil {
		return loc.Placement{}, fmt.Errorf("oracle: %w", err)
	}
	return v.abi.place(fn, v)
}

// Place places every argument of fn by variant v (v.Place).
func Place(fn *ctype.Func, v Variant) (loc.Placement, error) { return v.Place(fn) }

// abis is the calling convention of each architecture, one entry per
// architecture.
var abis = []ABI{AAPCS64, SysV}

// ABIs are the calling conventions of every architecture, in arch.All's
// order.
func ABIs() []ABI {
	var out []ABI
	for _, a := range arch.All() {
		if abi, err := ABIOf(a); err == nil {
			out = append(out, abi)
		}
	}
	return out
}

// ABIOf returns a's calling convention.
func ABIOf(a *arch.Arch) (ABI, error) {
	for _, abi := range abis {
		if abi.Arch() == a {
			return abi, nil
		}
	}
	return nil, fmt.Errorf("%w: no ABI for %s", arch.ErrUnknown, a)
}

// DefaultOf is the default variant of a's calling convention.
func DefaultOf(a *arch.Arch) (Variant, error) {
	abi, err := ABIOf(a)
	if err != nil {
		return Variant{}, err
	}
	return abi.Default(), nil
}

// Lookup returns the variant called name, of any ABI.
func Lookup(name string) (Variant, error) {
	var names []string
	for _, abi := range abis {
		for _, v := range abi.Variants() {
			if v.Name == name {
				return v, nil
			}
			names = append(names, v.Name)
		}
	}
	return Variant{}, fmt.Errorf("unknown ABI variant %q (known: %s)", name, strings.Join(names, ", "))
}

// LookupIn returns abi's variant called name ("" is the default); a
// variant of another ABI is an error that says whose it is.
func LookupIn(abi ABI, name string) (Variant, error) {
	vs := abi.Variants()
	if name == "" {
		return abi.Default(), nil
	}
	names := make([]string, len(vs))
	for i, v := range vs {
		if v.Name == name {
			return v, nil
		}
		names[i] = v.Name
	}
	if other, err := Lookup(name); err == nil {
		return Variant{}, fmt.Errorf("ABI variant %q is %s's, not %s's (known: %s)",
			name, other.abi.Arch(), abi.Arch(), strings.Join(names, ", "))
	}
	return Variant{}, fmt.Errorf("unknown %s variant %q (known: %s)", abi.Name(), name, strings.Join(names, ", "))
}

// PlaceNamed places fn by the variant called name (Lookup).
func PlaceNamed(fn *ctype.Func, name string) (loc.Placement, error) {
	v, err := Lookup(name)
	if err != nil {
		return loc.Placement{}, err
	}
	return v.Place(fn)
}

// CompilerVariant is the variant of a's ABI that describes compiler ("gcc"
// or "clang") at major version major.
func CompilerVariant(a *arch.Arch, compiler string, major int) (Variant, error) {
	abi, err := ABIOf(a)
	if err != nil {
		return Variant{}, err
	}
	return abi.CompilerVariant(compiler, major)
}

// errNoCompiler is CompilerVariant's error for a compiler it does not know.
func errNoCompiler(abi ABI, compiler string, major int) error {
	return fmt.Errorf("no %s variant for compiler %q %d (known: gcc, clang)", abi.Name(), compiler, major)
}

// ABIInfo names an ABI and its variants, as `trampfuzz archs -json`
// prints them.
type ABIInfo struct {
	Name     string        `json:"name"`
	Variants []VariantInfo `json:"variants"`
}

// VariantInfo is one named variant, default first.
type VariantInfo struct {
	Name string `json:"name"`
	Doc  string `json:"doc"`
}

// Info describes abi and its variants.
func Info(abi ABI) ABIInfo {
	info := ABIInfo{Name: abi.Name()}
	for _, v := range abi.Variants() {
		info.Variants = append(info.Variants, VariantInfo{v.Name, v.Doc})
	}
	return info
}

// variants builds an ABI's Variants from its readings, default first.
func variants[R comparable](abi ABI, readings []namedReading[R]) []Variant {
	out := make([]Variant, len(readings))
	for i, r := range readings {
		out[i] = Variant{Name: r.name, Doc: r.doc, abi: abi, reading: r.reading}
	}
	return out
}

// namedReading is one variant as an ABI's file writes it down.
type namedReading[R comparable] struct {
	name, doc string
	reading   R
}
