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
