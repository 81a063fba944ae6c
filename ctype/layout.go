package ctype

import "github.com/trampfuzz/trampfuzz/arch"

// Layout rules, LP64, GNU C, as aarch64-linux-gnu-gcc computes them, and
// x86_64-linux-gnu-gcc where a Layouts names that architecture (the one
// difference: unnamed bit-fields do not align an x86-64 record). The comments cite GCC's gcc/stor-layout.cc. clang 14 agrees except
// for three bit-field corner cases (a bit-field over a typedef aligned
// beyond its size, one with aligned(N) on it, and GCC's integer-mode
// bit-fields over under-aligned typedefs), which ctype's tests name and
// keep witnesses of (layout_test.go, layoutExceptions); every other
// layout is checked against both compilers there.
//
// Assumptions, stated once:
//   - No #pragma pack (maximum_field_alignment is 0).
//   - PCC_BITFIELD_TYPE_MATTERS is true. On AArch64 unnamed bit-fields
//     align the record as named ones do (AAPCS64 2025Q4, language binding,
//     "Bit-fields"); on x86-64 they do not (psABI 1.0 §3.1.2: "Unnamed
//     bit-fields' types do not affect the alignment of a structure or
//     union"; GCC's update_alignment_for_field skips them where
//     targetm.align_anon_bitfield is false). Both checked against both
//     compilers by ctype's tests.
//   - All sizes fit in int64 bits; Check rejects anything larger.

// Sizeof returns sizeof(t) in bytes. t must be valid (Check).
func Sizeof(t Type) int64 { return sizeofIn(t, nil) }

// Alignof returns _Alignof(t) in bytes. t must be valid (Check).
func Alignof(t Type) int64 { return alignofIn(t, nil) }

// Layouts remembers record layouts between questions about types that do
// not change meanwhile, such as the parameters of one signature being
// placed. A record is asked for its size and alignment once per member
// that uses it, so without a memo nested records (struct a { struct b x,
// y; }, struct b { struct c x, y; }, …) would take time exponential in the
// depth; Sizeof, Alignof, MemberAlign and LayoutOf use a fresh one per
// call. The zero value is ready to use; a Layouts must not outlive a change
// to a record it has seen.
type Layouts struct {
	// Arch is the architecture whose rules apply (nil: AArch64's). One
	// Layouts serves one architecture.
	Arch *arch.Arch

	// The first records and their layouts sit in fixed arrays (found by
	// index, so a Layouts in a local variable stays off the heap), later
	// ones in a map; the Fields of all of them are carved from slabs.
	recs  [8]*Record
	outs  [8]RecordLayout
	n     int
	more  map[*Record]*RecordLayout
	field []FieldLayout
}

// Of returns the layout of r, computed once per Layouts. Its Fields are
// shared: do not modify them.
func (c *Layouts) Of(r *Record) RecordLayout { return layoutIn(r, c) }

// Sizeof is Sizeof through the memo.
func (c *Layouts) Sizeof(t Type) int64 { return sizeofIn(t, c) }

// Alignof is Alignof through the memo.
func (c *Layouts) Alignof(t Type) int64 { return alignofIn(t, c) }

func (c *Layouts) lookup(r *Record) *RecordLayout {
	for i := range c.n {
		if c.recs[i] == r {
			return &c.outs[i]
		}
	}
	return c.more[r]
}

// newLayout returns the zeroed layout of r with n fields, remembered from
// now on. The Fields come from a slab that is replaced when full, never
// grown, so earlier results stay put.
func (c *Layouts) newLayout(r *Record, n int) *RecordLayout {
	var l *RecordLayout
	if c.n < len(c.recs) {
		c.recs[c.n] = r
		l = &c.outs[c.n]
		c.n++
	} else {
		if c.more == nil {
			c.more = make(map[*Record]*RecordLayout)
		}
		spill := new(RecordLayout) // its own variable: &c.outs[i] must not reach the map
		c.more[r] = spill
		l = spill
	}
	if n > cap(c.field)-len(c.field) {
		c.field = make([]FieldLayout, 0, max(n, 32))
	}
	at := len(c.field)
	c.field = c.field[:at+n]
	l.Fields = c.field[at : at+n : at+n]
	return l
}

func sizeofIn(t Type, memo *Layouts) int64 {
	switch t := t.(type) {
	case *Basic:
		if t.Kind == Void {
			return 1 // GNU C: sizeof(void) == 1
		}
		return basics[t.Kind].size
	case *Pointer:
		return 8
	case *Array:
		return sizeofIn(t.Elem, memo) * t.Len
	case *Record:
		return layoutIn(t, memo).Size
	case *Enum:
		return basics[EnumBase(t)].size
	case *Typedef:
		return sizeofIn(t.Type, memo)
	}
	panic("ctype: unknown type")
}

func alignofIn(t Type, memo *Layouts) int64 {
	switch t := t.(type) {
	case *Basic:
		if t.Kind == Void {
			return 1
		}
		return basics[t.Kind].size // every LP64 AArch64 basic type is size-aligned
	case *Pointer:
		return 8
	case *Array:
		return alignofIn(t.Elem, memo)
	case *Record:
		return layoutIn(t, memo).Align
	case *Enum:
		return basics[EnumBase(t)].size
	case *Typedef:
		// GCC manual, "Common Type Attributes": on a typedef, aligned can
		// both increase and decrease the alignment.
		if t.Aligned != 0 {
			return t.Aligned
		}
		return alignofIn(t.Type, memo)
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
	// and the record's packed (GCC's DECL_ALIGN, at least one byte). For a
	// non-zero-width bit-field it is 1 unless aligned(N) is on the member
	// or GCC gave the field an integer mode (see LayoutOf).
	Align int64
}

// RecordLayout is the layout of a struct or union.
type RecordLayout struct {
	Size   int64 // sizeof, bytes
	Align  int64 // _Alignof, bytes
	Fields []FieldLayout
}

// memberPacked reports whether packed applies to member m of r: GCC's
// DECL_PACKED. A bit-field is packed by packed on the record or on itself;
// another member only when its type is aligned to more than a byte
// (finish_struct: "else if (DECL_C_BIT_FIELD (x) || TYPE_ALIGN (TREE_TYPE
// (x)) > BITS_PER_UNIT) DECL_PACKED (x) = 1", and c-attribs.cc
// handle_packed_attribute: "Still pack bitfields"), which makes no
// difference to its alignment.
func memberPacked(r *Record, m *Member, memo *Layouts) bool {
	if m.Bitfield {
		return r.Packed || m.Packed
	}
	return (r.Packed || m.Packed) && alignofIn(m.Type, memo) > 1
}

// MemberAlign returns GCC's DECL_ALIGN of member m of r, in bytes, as far
// as it does not depend on the member's position (layout_decl):
//   - a plain member gets its type's alignment, raised by aligned(N) on it;
//     packed lowers it to 1 unless aligned(N) is on the member itself,
//     which then gives exactly N ("packing supersedes USER_ALIGN
//     inherited from the type, but defers to alignment explicitly specified
//     on the field");
//   - a zero-width bit-field gets its type's alignment, packed or not;
//   - any other bit-field gets only aligned(N) on the member (else 1); the
//     integer-mode alignment GCC may add depends on the position and is in
//     LayoutOf's FieldLayout.Align.
func MemberAlign(r *Record, m *Member) int64 { return memberAlignIn(r, m, nil) }

func memberAlignIn(r *Record, m *Member, memo *Layouts) int64 {
	user := m.Aligned
	switch {
	case m.Bitfield && m.Bits == 0:
		return max(user, alignofIn(m.Type, memo), 1)
	case m.Bitfield:
		return max(user, 1)
	case memberPacked(r, m, memo):
		if user != 0 {
			return user
		}
		return 1
	}
	return max(user, alignofIn(m.Type, memo))
}

// LayoutOf lays out a record as GCC's place_field / place_union_field do,
// in bits (GCC's DECL_ALIGN of a bit-field is one bit, not one byte):
//   - A plain member is placed at its DECL_ALIGN (MemberAlign) and raises
//     the record's alignment to it.
//   - A bit-field's declared type raises the record's alignment (one byte
//     when the bit-field is packed, never less for a zero-width one), named
//     or unnamed: "The container type contributes to the alignment of the
//     containing aggregate in the same way a plain (not bit-field) member of
//     that type would, without exception for zero-sized or anonymous
//     bit-fields" (AAPCS64 2025Q4, language binding, "Bit-fields"; GCC
//     and clang both do so, as ctype's tests check).
//   - A zero-width bit-field moves the position to its type's alignment.
//   - A bit-field moves only to aligned(N) on it, and then, unless packed,
//     to its type's alignment if it would otherwise "span more units of
//     alignment of its type than its type itself" (excess_unit_span).
//   - A bit-field whose width is that of an integer mode (8, 16, 32, 64 or
//     128 bits; only 8 when packed) and whose position is already aligned
//     to that width is turned into an ordinary field of that mode
//     (layout_decl): its DECL_ALIGN becomes the width, which raises the
//     record's alignment, and excess_unit_span no longer applies. This
//     shows only with a typedef whose aligned(N) differs from its type's
//     size; clang does not do it.
//
// GCC keeps the position as a byte offset that stays a multiple of
// offset_align (the larger of the record's own aligned(N) and
// BIGGEST_ALIGNMENT, 16 bytes) plus a bit position below it, and the
// excess_unit_span move rounds only the bit position. For a bit-field
// over a typedef aligned beyond offset_align (aligned(32) and up) that
// is not the same as rounding the whole position; LayoutOf keeps GCC's
// two parts to get GCC's answer.
func LayoutOf(r *Record) RecordLayout { return layoutIn(r, nil) }

// layoutIn returns a copy, not a pointer into memo: a pointer result would
// make every caller's memo escape to the heap.
func layoutIn(r *Record, memo *Layouts) RecordLayout {
	if memo == nil {
		memo = new(Layouts)
	} else if l := memo.lookup(r); l != nil {
		return *l
	}
	const (
		unit    = 8   // BITS_PER_UNIT
		biggest = 128 // BIGGEST_ALIGNMENT on AArch64, bits
	)
	// update_alignment_for_field: only named bit-fields align the record
	// unless the target's align_anon_bitfield says otherwise.
	anonAlign := memo.Arch == nil || memo.Arch.UnnamedBitfieldsAlign
	l := memo.newLayout(r, len(r.Members))
	fields := l.Fields
	// start_record_layout: the record starts aligned to its own aligned(N).
	recAlign := max(int64(unit), r.Aligned*unit)
	offsetAlign := max(recAlign, biggest)
	var offset, bitpos int64 // rli->offset (bytes), rli->bitpos (bits, < offsetAlign after normalize)
	normalize := func() {
		if bitpos >= offsetAlign {
			offset += bitpos / offsetAlign * (offsetAlign / unit)
			bitpos %= offsetAlign
		}
	}
	var unionSize int64
	for i := range r.Members {
		m := &r.Members[i]
		packed := memberPacked(r, m, memo)
		typeAlign := alignofIn(m.Type, memo) * unit

		// known_align: the alignment of the current position; 0 means any
		// (the start of the record, and every member of a union).
		var known int64
		switch {
		case r.Union:
		case bitpos != 0:
			known = bitpos & -bitpos
		case offset != 0:
			known = unit * (offset & -offset)
		}

		// update_alignment_for_field: layout_decl gives the field its
		// DECL_ALIGN (desired), then the record's alignment grows.
		var desired int64
		intMode := false // layout_decl turned the bit-field into an integer-mode field
		aligns := !m.Bitfield || m.Name != "" || anonAlign
		switch {
		case m.Bitfield && m.Bits == 0:
			desired = max(m.Aligned*unit, typeAlign)
			if aligns {
				recAlign = max(recAlign, desired)
			}
		case m.Bitfield:
			desired, intMode = bitfieldAlign(m, packed, known)
			ta := typeAlign
			if packed {
				ta = min(ta, unit)
			}
			if aligns {
				recAlign = max(recAlign, desired, ta)
			}
		default:
			desired = memberAlignIn(r, m, memo) * unit
			recAlign = max(recAlign, desired)
		}

		if r.Union {
			// place_union_field: every member at offset 0.
			size := sizeofIn(m.Type, memo)
			if m.Bitfield {
				size = (m.Bits + unit - 1) / unit
			}
			unionSize = max(unionSize, size)
			fields[i] = FieldLayout{Align: max(desired/unit, 1)}
			continue
		}

		// place_field: skip to the field's DECL_ALIGN.
		if known == 0 {
			known = max(biggest, recAlign)
		}
		if known < desired {
			if desired < offsetAlign {
				bitpos = roundUp(bitpos, desired)
			} else {
				offset += (bitpos + unit - 1) / unit
				bitpos = 0
				offset = roundUp(offset, desired/unit)
			}
		}
		// PCC_BITFIELD_TYPE_MATTERS: "A bit field may not span more units
		// of alignment of its type than its type itself. Advance to next
		// boundary if necessary" (excess_unit_span); packed bit-fields and
		// those given an integer mode are exempt.
		if m.Bitfield && m.Bits > 0 && !packed && !intMode {
			typeSize := sizeofIn(m.Type, memo) * unit
			off := (offset*unit + bitpos) % typeAlign
			if (off+m.Bits+typeAlign-1)/typeAlign > typeSize/typeAlign {
				bitpos = roundUp(bitpos, typeAlign)
			}
		}
		normalize()
		pos := offset*unit + bitpos
		align := desired
		if m.Bitfield && m.Bits > 0 {
			// place_field lays the field out again with the alignment it
			// ended up at, which may give it an integer mode now.
			actual := max(biggest, recAlign)
			if pos != 0 {
				actual = pos & -pos
			}
			align, _ = bitfieldAlign(m, packed, actual)
		}
		fields[i] = FieldLayout{Offset: pos / unit, BitOffset: pos, Align: max(align/unit, 1)}
		if m.Bitfield {
			bitpos += m.Bits
		} else {
			bitpos += sizeofIn(m.Type, memo) * unit
		}
		normalize()
	}
	size := offset*unit + bitpos
	if r.Union {
		size = unionSize * unit
	}
	// finalize_record_size: round to a whole byte, then to the alignment.
	size = roundUp(roundUp(size, unit), recAlign)
	l.Size, l.Align = size/unit, recAlign/unit
	return *l
}

// bitfieldAlign is layout_decl for a non-zero-width bit-field m at a
// position aligned to known bits (0: any): its DECL_ALIGN in bits, and
// whether it became an ordinary field of an integer mode ("See if we can
// use an ordinary integer mode for a bit-field": a width of 8, 16, 32, 64
// or 128 bits, not packed unless 8, at a position aligned to the width).
func bitfieldAlign(m *Member, packed bool, known int64) (align int64, intMode bool) {
	const unit = 8
	align = max(m.Aligned*unit, 1) // make_node gives a FIELD_DECL one bit
	switch m.Bits {
	case 8, 16, 32, 64, 128:
		intMode = !(m.Bits > unit && packed) && (known == 0 || known >= m.Bits)
	}
	if intMode {
		align = max(align, m.Bits)
	}
	if packed && m.Aligned == 0 {
		align = min(align, unit)
	}
	return align, intMode
}

// roundUp returns the smallest y ≥ x with y % a == 0 (a > 0).
func roundUp(x, a int64) int64 { return (x + a - 1) / a * a }
