package props

import (
	"fmt"

	"github.com/cilium/ebpf/btf"

	"github.com/trampfuzz/trampfuzz/ctype"
)

func btfParams(proto any) []btf.Type {
	fp, ok := proto.(*btf.FuncProto)
	if !ok {
		return nil
	}
	out := make([]btf.Type, len(fp.Params))
	for i, p := range fp.Params {
		out[i] = p.Type
	}
	return out
}

// sameLayout compares a C type with its BTF: sizes at every level, and each
// member's bit offset and bit-field size (pahole leaves unnamed bit-fields
// out, so they are skipped on the C side).
func sameLayout(c ctype.Type, b btf.Type) error {
	size, err := btf.Sizeof(b)
	if err != nil {
		return fmt.Errorf("btf.Sizeof: %v", err)
	}
	if want := ctype.Sizeof(c); int64(size) != want {
		return fmt.Errorf("%s: BTF size %d, C size %d", ctype.TypeString(c), size, want)
	}
	r, isRec := ctype.Underlying(c).(*ctype.Record)
	if !isRec {
		return nil
	}
	var members []btf.Member
	switch u := btf.UnderlyingType(b).(type) {
	case *btf.Struct:
		members = u.Members
	case *btf.Union:
		members = u.Members
	default:
		return fmt.Errorf("%s: BTF %T for a record", ctype.TypeString(c), u)
	}
	l := ctype.LayoutOf(r)
	j := 0
	for i, m := range r.Members {
		if m.Bitfield && m.Name == "" {
			continue
		}
		if j >= len(members) {
			return fmt.Errorf("%s: BTF has %d members, C more", ctype.TypeString(c), len(members))
		}
		bm := members[j]
		j++
		if int64(bm.Offset) != l.Fields[i].BitOffset {
			return fmt.Errorf("%s.%s: BTF bit offset %d, C %d", ctype.TypeString(c), m.Name, bm.Offset, l.Fields[i].BitOffset)
		}
		if m.Bitfield && int64(bm.BitfieldSize) != m.Bits {
			return fmt.Errorf("%s.%s: BTF bit-field size %d, C %d", ctype.TypeString(c), m.Name, bm.BitfieldSize, m.Bits)
		}
		if !m.Bitfield {
			if err := sameLayout(m.Type, bm.Type); err != nil {
				return err
			}
		}
	}
	if j != len(members) {
		return fmt.Errorf("%s: BTF has %d members, C %d", ctype.TypeString(c), len(members), j)
	}
	return nil
}
