package ctype

// Layout rules, LP64 AArch64, GNU C. The comments cite GCC's
// gcc/stor-layout.cc, whose behaviour clang reproduces for this target;
// the rendered _Static_asserts of ctype's tests check both compilers.
//
// Assumptions, stated once:
//   - No #pragma pack (maximum_field_alignment is 0).
//   - PCC_BITFIELD_TYPE_MATTERS is true and anonymous bit-fields do not
//     align the record (AArch64 defines no TARGET_ALIGN_ANON_BITFIELD).
//   - All sizes fit in int64 bits; Check rejects anything larger.

// Sizeof returns sizeof(t) in bytes. t must be valid (Check).
func Sizeof(t Type) int64 {
	switch t := t.(type) {
	case *Basic:
		if t.Kind == Void {
			return 1 // GNU C: sizeof(void) == 1
		}
		return basics[t.Kind].size
	case *Pointer:
		return 8
	case *Array:
		return Sizeof(t.Elem) * t.Len
	case *Record:
		return LayoutOf(t).Size
	case *Enum:
		return basics[EnumBase(t)].size
	case *Typedef:
		return Sizeof(t.Type)
	}
	panic("ctype: unknown type")
}

// Alignof returns _Alignof(t) in bytes. t must be valid (Check).
func Alignof(t Type) int64 {
	switch t := t.(type) {
	case *Basic:
		if t.Kind == Void {
			return 1
		}
		return basics[t.Kind].size // every LP64 AArch64 basic type is size-aligned
	case *Pointer:
		return 8
	case *Array:
		return Alignof(t.Elem)
	case *Record:
		return LayoutOf(t).Align
	case *Enum:
		return basics[EnumBase(t)].size
	case *Typedef:
		// GCC manual, "Common Type Attributes": on a typedef, aligned can
		// both increase and decrease the alignment.
		if t.Aligned != 0 {
			return t.Aligned
		}
		return Alignof(t.Type)
	}
	panic("ctype: unknown type")
}

// EnumBase is the integer type GNU C gives an enum (-fno-short-enums):
// unsigned int if no value is negative and all fit, int if one is negative
// and all fit, else the 64-bit type of that signedness. A packed enum takes
// the smallest such type.
func EnumBase(e *Enum) BasicKind {
	neg := false
	var lo, hi int64
	for i, v := range e.Values {
		if i == 0 || v.Value < lo {
			lo = v.Value
		}
		if i == 0 || v.Value > hi {
			hi = v.Value
		}
		neg = neg || v.Value < 0
	}
	if neg {
		switch {
		case e.Packed && lo >= -1<<7 && hi < 1<<7:
			return SChar
		case e.Packed && lo >= -1<<15 && hi < 1<<15:
			return Short
		case lo >= -1<<31 && hi < 1<<31:
			return Int
		}
		return Long
	}
	switch {
	case e.Packed && hi < 1<<8:
		return UChar
	case e.Packed && hi < 1<<16:
		return UShort
	case hi < 1<<32:
		return UInt
	}
	return ULong
}

// FieldLayout is where one member of a record is.
type FieldLayout struct {
	// Offset is the member's byte offset: offsetof for a plain member, the
	// byte that holds the first bit for a bit-field.
	Offset int64
	// BitOffset is the member's offset in bits from the record start.
	BitOffset int64
	// Align is the member's alignment in bytes after the attributes on it
	// and the record's packed (GCC's DECL_ALIGN). For a non-zero-width
	// bit-field it is 1 unless aligned(N) is on the member.
	Align int64
}

// RecordLayout is the layout of a struct or union.
type RecordLayout struct {
	Size   int64 // sizeof, bytes
	Align  int64 // _Alignof, bytes
	Fields []FieldLayout
}

// memberPacked reports whether packed applies to member m of r.
func memberPacked(r *Record, m *Member) bool { return r.Packed || m.Packed }

// MemberAlign returns GCC's DECL_ALIGN of member m of r, in bytes: the
// alignment the member's position is rounded up to. layout_decl:
//   - a plain member gets its type's alignment, raised by aligned(N) on it;
//     packed lowers it to 1 unless aligned(N) is on the member itself,
//     which then gives exactly N ("packing supersedes USER_ALIGN
//     inherited from the type, but defers to alignment explicitly specified
//     on the field");
//   - a zero-width bit-field gets its type's alignment, packed or not;
//   - any other bit-field gets only aligned(N) on the member (else 1).
func MemberAlign(r *Record, m *Member) int64 {
	user := m.Aligned
	switch {
	case m.Bitfield && m.Bits == 0:
		return max(user, Alignof(m.Type), 1)
	case m.Bitfield:
		return max(user, 1)
	case memberPacked(r, m):
		if user != 0 {
			return user
		}
		return 1
	}
	return max(user, Alignof(m.Type))
}

// LayoutOf lays out a record as GCC's place_field / place_union_field do.
func LayoutOf(r *Record) RecordLayout {
	const unit = 8 // BITS_PER_UNIT
	fields := make([]FieldLayout, len(r.Members))
	// start_record_layout: the record starts aligned to its own aligned(N).
	recAlign := int64(unit)
	if r.Aligned*unit > recAlign {
		recAlign = r.Aligned * unit
	}
	var bitpos, unionSize int64
	for i := range r.Members {
		m := &r.Members[i]
		packed := memberPacked(r, m)
		declAlign := MemberAlign(r, m) * unit
		typeAlign := Alignof(m.Type) * unit

		// update_alignment_for_field: a named bit-field gives the record
		// its declared type's alignment (one byte when packed); an unnamed
		// one gives nothing; any other member gives its DECL_ALIGN.
		if m.Bitfield {
			if m.Name != "" {
				ta := typeAlign
				if packed {
					ta = min(ta, unit)
				}
				recAlign = max(recAlign, declAlign, ta)
			}
		} else {
			recAlign = max(recAlign, declAlign)
		}

		if r.Union {
			// place_union_field: every member at offset 0.
			size := Sizeof(m.Type)
			if m.Bitfield {
				size = (m.Bits + unit - 1) / unit
			}
			unionSize = max(unionSize, size)
			fields[i] = FieldLayout{Offset: 0, BitOffset: 0, Align: declAlign / unit}
			continue
		}

		// place_field: skip to the field's DECL_ALIGN.
		bitpos = roundUp(bitpos, declAlign)
		// PCC_BITFIELD_TYPE_MATTERS: "A bit field may not span more units
		// of alignment of its type than its type itself" (excess_unit_span);
		// packed bit-fields are exempt.
		if m.Bitfield && m.Bits > 0 && !packed {
			typeSize := Sizeof(m.Type) * unit
			off := bitpos % typeAlign
			if (off+m.Bits+typeAlign-1)/typeAlign > typeSize/typeAlign {
				bitpos = roundUp(bitpos, typeAlign)
			}
		}
		fields[i] = FieldLayout{Offset: bitpos / unit, BitOffset: bitpos, Align: declAlign / unit}
		if m.Bitfield {
			bitpos += m.Bits
		} else {
			bitpos += Sizeof(m.Type) * unit
		}
	}
	size := bitpos
	if r.Union {
		size = unionSize * unit
	}
	// finalize_record_size: round to a whole byte, then to the alignment.
	size = roundUp(roundUp(size, unit), recAlign)
	return RecordLayout{Size: size / unit, Align: recAlign / unit, Fields: fields}
}

// roundUp returns the smallest y ≥ x with y % a == 0 (a > 0).
func roundUp(x, a int64) int64 { return (x + a - 1) / a * a }
