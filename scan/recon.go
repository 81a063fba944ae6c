package scan

import (
	"fmt"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
)

// rawRecord is a struct or union as DWARF or BTF records it: a size and
// where each member starts, never the attributes that put it there.
// DWARF adds DW_AT_alignment when GCC or clang had a user alignment to
// record; BTF never does.
type rawRecord struct {
	Union bool
	Name  string
	Size  int64 // bytes
	Align int64 // DW_AT_alignment on the record; 0: not recorded
	// AlignRecorded says the producer records aligned(N) as
	// DW_AT_alignment (DWARF 5), so a record without it has none.
	AlignRecorded bool
	Members       []rawMember
}

// rawMember is one member as recorded: GCC and clang write no member for
// an unnamed bit-field, so those show only as gaps.
type rawMember struct {
	Name      string
	Type      ctype.Type
	BitOffset int64
	BitSize   int64 // 0: not a bit-field
	Align     int64 // DW_AT_alignment on the member; 0: not recorded
}

// buildRecord finds a ctype.Record whose layout (ctype.LayoutOf) puts
// every recorded member at its recorded bit offset and has the recorded
// size. The attributes are inferred from the offsets, member by member in
// declaration order, as the smallest change that explains them:
//
//   - a member the natural layout puts later than recorded is packed: first
//     the member alone (__attribute__((packed)) on it), and if that is not
//     enough, the whole record;
//   - a plain member recorded later than its natural place has aligned(N)
//     on it, the smallest N that puts it there (DW_AT_alignment, when DWARF
//     has it, is used as is);
//   - a bit-field recorded later than its natural place follows an unnamed
//     bit-field of the same type that fills the gap (compilers write no
//     DWARF or BTF member for unnamed bit-fields);
//   - a record larger than its natural size has aligned(N) on the record,
//     the smallest N that gives that size; a record smaller than its
//     natural size is packed (e.g. {long a; char b;} of size 9).
//
// Packed is thus inferred exactly when a member sits at an offset that is
// not a multiple of its alignment, or the size is not a multiple of the
// largest member alignment, the same evidence pahole's
// class__infer_packed_attributes (dwarves.c) uses. What offsets cannot show
// is not guessed: a packed record whose layout happens to be natural reads
// as not packed, and an over-aligned member at an offset that is already a
// multiple of the larger alignment reads as naturally aligned. Both give
// the same member offsets and size, so they differ only in the record's
// alignment; the BTF ambiguity check (ambiguity.go) is about exactly that.
//
// The error says which member could not be placed.
func buildRecord(raw rawRecord, l layouts) (*ctype.Record, error) {
	r := &ctype.Record{Union: raw.Union, Name: raw.Name}
	// origin[i] is the raw member index of r.Members[i], -1 for a filler.
	var origin []int
	for i, rm := range raw.Members {
		m := ctype.Member{Name: rm.Name, Type: rm.Type, Bitfield: rm.BitSize > 0, Bits: rm.BitSize}
		if rm.Align > 0 && (rm.Align > l.alignof(rm.Type) || m.Bitfield) {
			m.Aligned = rm.Align
		}
		r.Members = append(r.Members, m)
		origin = append(origin, i)
	}
	if !raw.Union {
		if err := placeMembers(r, &origin, raw, l); err != nil {
			return nil, err
		}
	}
	if raw.Align > l.of(r).Align {
		r.Aligned = raw.Align
	}
	if err := fitSize(r, raw, l); err != nil {
		return nil, err
	}
	if err := verifyRecord(r, origin, raw, l); err != nil {
		return nil, err
	}
	return preferRecordPacked(r, l), nil
}

// preferRecordPacked rewrites packed members as a packed record when that
// gives the same layout: {char c; long l;} of size 9 is usually written
// with packed on the struct, and both spellings are the same C type for
// layout and argument passing.
func preferRecordPacked(r *ctype.Record, l layouts) *ctype.Record {
	if r.Packed {
		return r
	}
	alt := *r
	alt.Packed = true
	alt.Members = append([]ctype.Member(nil), r.Members...)
	any := false
	for i := range alt.Members {
		if alt.Members[i].Packed {
			alt.Members[i].Packed, any = false, true
		}
	}
	if !any {
		return r
	}
	a, b := l.of(r), l.of(&alt)
	if a.Size != b.Size || a.Align != b.Align {
		return r
	}
	for i := range a.Fields {
		if a.Fields[i].BitOffset != b.Fields[i].BitOffset {
			return r
		}
	}
	return &alt
}

// placeMembers fixes attributes so that each member lands at its recorded
// offset, in order; it starts again once if the whole record must be packed.
func placeMembers(r *ctype.Record, origin *[]int, raw rawRecord, l layouts) error {
restart:
	for j := 0; j < len(r.Members); j++ {
		o := (*origin)[j]
		if o < 0 {
			continue
		}
		want := raw.Members[o].BitOffset
		for tries := 0; ; tries++ {
			if tries > 64 {
				return memberError(raw, o, -1)
			}
			got := prefixLayout(r, j+1, l).Fields[j].BitOffset
			if got == want {
				break
			}
			m := &r.Members[j]
			if got > want {
				if !m.Packed && !r.Packed {
					m.Packed = true
					continue
				}
				if !r.Packed {
					// Packing one member was not enough: the record is
					// packed, and earlier members may move with it.
					r.Packed = true
					goto restart
				}
				return memberError(raw, o, got)
			}
			// got < want: a gap the natural layout does not have.
			if !m.Bitfield {
				if !raiseAlign(r, j, want, l) {
					return memberError(raw, o, got)
				}
				continue
			}
			gap := want - got
			if gap >= l.sizeof(m.Type)*8 || j > 0 && r.Members[j-1].Bitfield && r.Members[j-1].Name == "" {
				return memberError(raw, o, got)
			}
			filler := ctype.Member{Type: m.Type, Bitfield: true, Bits: gap}
			r.Members = append(r.Members[:j], append([]ctype.Member{filler}, r.Members[j:]...)...)
			*origin = append((*origin)[:j], append([]int{-1}, (*origin)[j:]...)...)
			j++
		}
	}
	return nil
}

// raiseAlign gives member j the smallest aligned(N) that puts it at bit
// offset want, if there is one.
func raiseAlign(r *ctype.Record, j int, want int64, l layouts) bool {
	m := &r.Members[j]
	for n := max(ctype.MemberAlign(r, m), 1) * 2; n <= ctype.MaxAlign; n *= 2 {
		m.Aligned = n
		got := prefixLayout(r, j+1, l).Fields[j].BitOffset
		if got == want {
			return true
		}
		if got > want {
			break
		}
	}
	m.Aligned = 0
	return false
}

// fitSize sets aligned(N) on the record, or packs it, so that its size is
// the recorded one.
func fitSize(r *ctype.Record, raw rawRecord, l layouts) error {
	lay := l.of(r)
	if lay.Size > raw.Size && !r.Packed && !r.Union {
		// {long a; char b;} of size 9: only packing the record drops the
		// tail padding. Member offsets must survive it.
		p := *r
		p.Packed = true
		if l.of(&p).Size <= raw.Size {
			r.Packed = true
			lay = l.of(r)
		}
	}
	if lay.Size > raw.Size && r.Union && !r.Packed {
		p := *r
		p.Packed = true
		if l.of(&p).Size <= raw.Size {
			r.Packed = true
			lay = l.of(r)
		}
	}
	if lay.Size < raw.Size && raw.AlignRecorded && raw.Align == 0 && !r.Union && !l.a.UnnamedBitfieldsAlign {
		// Tail bytes no member and no aligned(N) explains are an unnamed
		// bit-field DWARF leaves out (x86-64: it does not align the
		// record, psABI 1.0 §3.1.2). GCC passes its bytes as INTEGER, so
		// it is kept as one: unsigned char :8 fillers up to the size.
		p := *r
		p.Members = append([]ctype.Member(nil), r.Members...)
		pl := lay
		for pl.Size < raw.Size {
			p.Members = append(p.Members, ctype.Member{Type: ctype.TUChar, Bitfield: true, Bits: 8})
			pl = l.of(&p)
		}
		if pl.Size == raw.Size && pl.Align == lay.Align {
			*r, lay = p, pl
		}
	}
	for n := lay.Align * 2; lay.Size < raw.Size && n <= ctype.MaxAlign; n *= 2 {
		r.Aligned = n
		lay = l.of(r)
	}
	if lay.Size != raw.Size {
		return fmt.Errorf("%s: size %d, the closest C layout found has %d", recordName(raw), raw.Size, lay.Size)
	}
	return nil
}

// verifyRecord checks the final layout against every recorded offset.
func verifyRecord(r *ctype.Record, origin []int, raw rawRecord, l layouts) error {
	lay := l.of(r)
	for j, o := range origin {
		if o < 0 {
			continue
		}
		if got := lay.Fields[j].BitOffset; got != raw.Members[o].BitOffset {
			return memberError(raw, o, got)
		}
	}
	return nil
}

func prefixLayout(r *ctype.Record, n int, l layouts) ctype.RecordLayout {
	p := *r
	p.Members = r.Members[:n]
	return l.of(&p)
}

func memberError(raw rawRecord, i int, got int64) error {
	m := raw.Members[i]
	name := m.Name
	if name == "" {
		name = fmt.Sprintf("#%d", i)
	}
	if got < 0 {
		return fmt.Errorf("%s: member %s at bit %d: no C layout found", recordName(raw), name, m.BitOffset)
	}
	return fmt.Errorf("%s: member %s at bit %d, the closest C layout puts it at bit %d", recordName(raw), name, m.BitOffset, got)
}

func recordName(raw rawRecord) string {
	kw := "struct"
	if raw.Union {
		kw = "union"
	}
	if raw.Name == "" {
		return "anonymous " + kw
	}
	return kw + " " + raw.Name
}

// layouts lays out records by one architecture's rules. Each question gets
// a fresh ctype.Layouts: reconstruction changes records in place, which a
// memo would not see.
type layouts struct{ a *arch.Arch }

func (l layouts) of(r *ctype.Record) ctype.RecordLayout { return (&ctype.Layouts{Arch: l.a}).Of(r) }
func (l layouts) alignof(t ctype.Type) int64            { return (&ctype.Layouts{Arch: l.a}).Alignof(t) }
func (l layouts) sizeof(t ctype.Type) int64             { return (&ctype.Layouts{Arch: l.a}).Sizeof(t) }
