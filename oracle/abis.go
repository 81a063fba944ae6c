package oracle

import (
	"fmt"

	"github.com/trampfuzz/trampfuzz/arch"
)

// ABIInfo names an architecture's calling convention and its variants.
type ABIInfo struct {
	Name     string        `json:"name"`
	Variants []VariantInfo `json:"variants"`
}

// VariantInfo is one named variant, default first.
type VariantInfo struct {
	Name string `json:"name"`
	Doc  string `json:"doc"`
}

// compilerVariants names, per architecture, the variant that describes a
// compiler release ("gcc" or "clang" and its major version), as the
// variants' Docs say and the oracle checks confirm: AArch64 gcc 9.1-12 the
// gcc12 variant, later gcc the default; clang 14 the clang14 variant, clang
// 16 and 19 (checked here) the clang16 one. x86-64 gcc the default; clang before 18 sysv/clang14,
// 18 sysv/clang18, 19 sysv/clang19 (checked here), 20 and later sysv/clang.
var compilerVariants = map[string]func(compiler string, major int) string{
	arch.ARM64.Name: func(compiler string, major int) string {
		switch {
		case compiler == "gcc" && major < 13:
			return "aapcs64/gcc12"
		case compiler == "gcc":
			return "aapcs64"
		case major < 16:
			return "aapcs64/clang14"
		}
		return "aapcs64/clang16"
	},
	arch.X86_64.Name: func(compiler string, major int) string {
		switch {
		case compiler == "gcc":
			return "sysv"
		case major < 18:
			return "sysv/clang14"
		case major < 19:
			return "sysv/clang18"
		case major < 20:
			return "sysv/clang19"
		}
		return "sysv/clang"
	},
}

// CompilerVariant is the variant of a's ABI that describes compiler ("gcc"
// or "clang") at major version major.
func CompilerVariant(a *arch.Arch, compiler string, major int) (string, error) {
	f, ok := compilerVariants[a.Name]
	if !ok || compiler != "gcc" && compiler != "clang" {
		return "", fmt.Errorf("%w: no variant for %s %s on %s", arch.ErrUnknown, compiler, fmt.Sprint(major), a)
	}
	return f(compiler, major), nil
}

// abis is the calling convention of each architecture.
var abis = map[string]func() ABIInfo{
	arch.ARM64.Name: func() ABIInfo {
		info := ABIInfo{Name: "AAPCS64 " + Release}
		for _, v := range Variants {
			info.Variants = append(info.Variants, VariantInfo{v.Name, v.Doc})
		}
		return info
	},
	arch.X86_64.Name: func() ABIInfo {
		info := ABIInfo{Name: "System V x86-64 psABI 1.0"}
		for _, v := range SysVVariants {
			info.Variants = append(info.Variants, VariantInfo{v.Name, v.Doc})
		}
		return info
	},
}

// ABIOf returns a's calling convention and its variants.
func ABIOf(a *arch.Arch) (ABIInfo, error) {
	f, ok := abis[a.Name]
	if !ok {
		return ABIInfo{}, fmt.Errorf("%w: no ABI for %s", arch.ErrUnknown, a)
	}
	return f(), nil
}
