package pahole

import "github.com/trampfuzz/trampfuzz/ctype"

// packedInference is dwarves.c class__infer_packed_attributes with its
// per-CU cache (type->packed_attributes_inferred, class->is_packed) and
// its side effect: a struct with holes or tail padding marks member
// structs at offsets that break their natural alignment as packed
// (type__check_structs_at_unnatural_alignments), even when they were
// already inferred. The heuristic sees only what GCC's DWARF holds:
// members (no unnamed bit-fields), offsets, the size and DW_AT_alignment;
// never the packed attribute itself.
type packedInference struct {
	state map[*ctype.Record]*packedState
	// lay lays records out by the object's architecture's rules.
	lay *ctype.Layouts
}

type packedState struct {
	inferred bool
	packed   bool
}

func newPackedInference(lay *ctype.Layouts) *packedInference {
	return &packedInference{state: map[*ctype.Record]*packedState{}, lay: lay}
}

func (p *packedInference) get(r *ctype.Record) *packedState {
	s, ok := p.state[r]
	if !ok {
		s = &packedState{}
		p.state[r] = s
	}
	return s
}

// dwarfMember is one DW_TAG_member as pahole's dwarf_loader.c sees it.
type dwarfMember struct {
	typ          ctype.Type
	bitOffset    int64 // DW_AT_data_bit_offset, or 8*DW_AT_data_member_location
	bitfieldSize int64 // DW_AT_bit_size, 0 for a plain member
	byteSize     int64 // sizeof the declared type
	// byteOffset is the plain member's offset; for a bit-field,
	// class_member__cache_byte_size rounds the bit offset down to its
	// storage unit: bit_offset / bit_size * bit_size / 8.
	byteOffset int64
}

// dwarfMembers lists r's members as GCC writes them: every member but
// the unnamed bit-fields (including ":0"), which get no DWARF.
func dwarfMembers(r *ctype.Record, layouts *ctype.Layouts) []dwarfMember {
	lay := layouts.Of(r)
	var out []dwarfMember
	for i, m := range r.Members {
		if m.Bitfield && m.Name == "" {
			continue
		}
		f := lay.Fields[i]
		dm := dwarfMember{typ: m.Type, bitOffset: f.BitOffset, byteSize: layouts.Sizeof(m.Type), byteOffset: f.Offset}
		if m.Bitfield {
			dm.bitfieldSize = m.Bits
			unit := dm.byteSize * 8
			dm.byteOffset = f.BitOffset / unit * unit / 8
		}
		out = append(out, dm)
	}
	return out
}

// dwarfAlignment is the struct's DW_AT_alignment as aarch64-linux-gnu-gcc
// 12 writes it (checked with readelf): only for a user-aligned type,
// aligned(N) on the struct or on a member, and only when that request is
// the type's alignment: "packed, aligned(1)" writes 1, "aligned(16)"
// writes 16, a member's aligned(16) writes 16 on the struct, "aligned(2)"
// on a 4-aligned struct writes nothing, and packed alone writes nothing.
// 0 means absent. class__infer_packed_attributes only tests for 1.
func dwarfAlignment(r *ctype.Record, lay *ctype.Layouts) int64 {
	a := lay.Alignof(r)
	if r.Aligned == a {
		return a
	}
	for _, m := range r.Members {
		if m.Aligned == a {
			return a
		}
	}
	return 0
}

// naturalAlignment is dwarves.c tag__natural_alignment of a type with
// typedefs stripped: pointer → 8 (address size), base type → its size,
// enum → its size, struct or union → the largest over its members,
// array → its element's; anything else, or 0, → 1. Attributes
// (packed, aligned(N)) play no part.
func naturalAlignment(t ctype.Type, lay *ctype.Layouts) int64 {
	var na int64
	switch t := ctype.Underlying(t).(type) {
	case *ctype.Pointer:
		na = 8
	case *ctype.Basic:
		na = lay.Sizeof(t)
	case *ctype.Enum:
		na = lay.Sizeof(t)
	case *ctype.Record:
		for _, m := range dwarfMembers(t, lay) {
			na = max(na, naturalAlignment(m.typ, lay))
		}
	case *ctype.Array:
		na = naturalAlignment(t.Elem, lay)
	}
	return max(na, 1)
}

// holes is dwarves.c class__find_holes, reduced to what
// class__infer_packed_attributes reads: the number of byte holes between
// members and the tail padding in bytes.
func holes(size int64, ms []dwarfMember) (nrHoles int, padding int64) {
	curBitfieldEnd, curBitfieldSize := size*8, int64(0)
	var lastSeenBit int64
	inBitfield := false
	for _, m := range ms {
		bitStart := m.bitOffset
		bitEnd := bitStart + m.byteSize*8
		if m.bitfieldSize != 0 {
			bitEnd = bitStart + m.bitfieldSize
		}
		var byteHoles int64
		if inBitfield {
			lastSeenBit = min(bitStart, curBitfieldEnd)
		}
		if m.bitfieldSize != 0 {
			alignedStart := m.byteOffset * 8
			if lastSeenBit < alignedStart && alignedStart <= bitStart {
				byteHoles = m.byteOffset - lastSeenBit/8
			}
		} else {
			byteHoles = bitStart/8 - lastSeenBit/8
		}
		lastSeenBit = bitEnd
		if m.bitfieldSize != 0 {
			inBitfield = true
			bitSize := m.byteSize * 8
			if bitEnd > curBitfieldEnd || bitSize > curBitfieldSize {
				curBitfieldSize = bitSize
				curBitfieldEnd = m.byteOffset*8 + curBitfieldSize
				if bitEnd > curBitfieldEnd {
					curBitfieldEnd += curBitfieldSize
				}
			}
		} else {
			inBitfield = false
			curBitfieldSize = 0
			curBitfieldEnd = bitEnd
		}
		if byteHoles != 0 {
			nrHoles++
		}
	}
	if inBitfield {
		lastSeenBit = min(size*8, curBitfieldEnd)
	}
	return nrHoles, size - lastSeenBit/8
}

// packed is class__infer_packed_attributes(r) for a struct r.
func (p *packedInference) packed(r *ctype.Record) bool {
	if r.Union || r.Incomplete {
		return false
	}
	s := p.get(r)
	if s.inferred {
		return s.packed
	}
	s.inferred = true
	size := p.lay.Sizeof(r)
	ms := dwarfMembers(r, p.lay)
	if nr, pad := holes(size, ms); nr != 0 || pad != 0 {
		// type__check_structs_at_unnatural_alignments
		for _, m := range ms {
			inner, ok := ctype.Underlying(m.typ).(*ctype.Record)
			if !ok || inner.Union {
				continue
			}
			if m.byteOffset%naturalAlignment(inner, p.lay) != 0 {
				is := p.get(inner)
				is.packed, is.inferred = true, true
			}
		}
		s.packed = false
		return false
	}
	maxNA := int64(1)
	for _, m := range ms {
		na := naturalAlignment(m.typ, p.lay)
		if na == 1 {
			continue // "Always aligned"
		}
		maxNA = max(maxNA, na)
		if m.byteOffset%na != 0 {
			s.packed = true
			return true
		}
	}
	s.packed = (maxNA != 1 && dwarfAlignment(r, p.lay) == 1) || size%maxNA != 0
	return s.packed
}
