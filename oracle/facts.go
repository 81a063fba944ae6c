package oracle

import "github.com/trampfuzz/trampfuzz/ctype"

// recordFacts is what the rules need from one record, computed once per
// call.
type recordFacts struct {
	r    *ctype.Record
	size int
	// passAlign is the natural alignment for argument passing (package
	// doc): the largest member alignment, bit-fields adding their declared
	// type's alignment unless packed (or always, for the gcc12 variant).
	passAlign int
	// packedBitfieldRaised: passAlign is larger than GCC ≥ 13.1 computes,
	// because a packed bit-field counted (gcc12 variant).
	packedBitfieldRaised bool
	// hfaBase and hfaCount: the record as a homogeneous aggregate
	// candidate: hfaCount < 0 if it cannot be part of one, 0 if it has no
	// members that count (an empty record), else the member count.
	hfaBase  ctype.BasicKind
	hfaCount int
	// zeroWidthStopsHFA: the clang14 variant refused the record as an HFA
	// only because of a zero-width bit-field.
	zeroWidthStopsHFA bool
	// clangEmpty: every member is an unnamed bit-field or an (array of)
	// empty record (clang's isEmptyRecord with AllowArrays).
	clangEmpty bool
}

// facts classifies one parameter type.
func (s *state) facts(t ctype.Type) argFacts {
	switch u := ctype.Underlying(t).(type) {
	case *ctype.Basic:
		// AAPCS64 2025Q4 §5.1 Table 1: every LP64 fundamental type is
		// aligned to its size. A typedef's aligned(N) does not change how
		// a scalar is passed: GCC uses TYPE_MAIN_VARIANT
		// (aarch64_function_arg_alignment), clang lowers to the plain type.
		size := int(ctype.Sizeof(u))
		if u.Kind.IsFloat() {
			return argFacts{kind: kindFloat, size: size, align: size, fpBase: u.Kind}
		}
		return argFacts{kind: kindIntegral, size: size, align: size}
	case *ctype.Pointer:
		return argFacts{kind: kindIntegral, size: 8, align: 8}
	case *ctype.Enum:
		size := int(ctype.Sizeof(u))
		return argFacts{kind: kindIntegral, size: size, align: size}
	case *ctype.Record:
		rf := s.record(u)
		f := argFacts{kind: kindComposite, size: rf.size, align: rf.passAlign}
		if rf.packedBitfieldRaised {
			f.notes = append(f.notes, RuleGCC12PackedBitfield)
		}
		switch {
		case rf.size == 0:
			f.empty = true
		case s.v.emptyRecordsIgnored && rf.clangEmpty:
			f.empty = true
		case rf.hfaCount >= 1 && rf.hfaCount <= 4:
			// An HFA has 1 to 4 members (AAPCS64 2025Q4 §5.9.5.1).
			f.fpBase, f.hfaMembers = rf.hfaBase, rf.hfaCount
		case rf.zeroWidthStopsHFA:
			f.notes = append(f.notes, RuleClangZeroWidth)
		}
		return f
	}
	// ctype.Check admits no other parameter type (arrays decay, void is
	// rejected).
	panic("oracle: unexpected parameter type " + ctype.TypeString(t))
}

// record returns the memoized facts of r.
func (s *state) record(r *ctype.Record) *recordFacts {
	for i := range s.nrecs {
		if s.recs[i].r == r {
			return &s.recs[i]
		}
	}
	for i := range s.more {
		if s.more[i].r == r {
			return &s.more[i]
		}
	}
	rf := s.computeRecord(r)
	if s.nrecs < len(s.recs) {
		s.recs[s.nrecs] = rf
		s.nrecs++
		return &s.recs[s.nrecs-1]
	}
	s.more = append(s.more, rf)
	return &s.more[len(s.more)-1]
}

func (s *state) computeRecord(r *ctype.Record) recordFacts {
	layout := s.lay.Of(r)
	rf := recordFacts{r: r, size: int(layout.Size), clangEmpty: true}

	// Natural alignment for passing (GCC aarch64_function_arg_alignment):
	// the maximum DECL_ALIGN over the fields, which already carries
	// aligned(N) on the member, the member type's alignment and packed;
	// then a bit-field's declared type alignment, "only if the user didn't
	// reduce this field's alignment with the packed attribute" (GCC ≥ 13.1;
	// 9.1–12 counted it always, PR105549).
	gcc13 := 0
	for i := range r.Members {
		m := &r.Members[i]
		a := int(layout.Fields[i].Align)
		withPacked := a
		if m.Bitfield {
			ta := int(s.lay.Alignof(m.Type))
			if !(r.Packed || m.Packed) {
				a = max(a, ta)
			}
			withPacked = max(withPacked, ta)
		}
		gcc13 = max(gcc13, a)
		if s.v.packedBitfieldAlign {
			a = withPacked
		}
		rf.passAlign = max(rf.passAlign, a)
		if !s.clangEmptyMember(m) {
			rf.clangEmpty = false
		}
	}
	rf.packedBitfieldRaised = rf.passAlign != gcc13 && (rf.passAlign >= 16) != (gcc13 >= 16)
	if rf.size == 0 {
		// GCC: "if (integer_zerop (TYPE_SIZE (type))) return 0".
		rf.passAlign = 0
	}

	rf.hfaCount, rf.hfaBase, rf.zeroWidthStopsHFA = s.recordHFA(r, rf.size)
	return rf
}

// clangEmptyMember is clang's isEmptyField (AllowArrays): an unnamed
// bit-field, or a record, or array of records, that is itself empty.
func (s *state) clangEmptyMember(m *ctype.Member) bool {
	if m.Bitfield && m.Name == "" {
		return true
	}
	if m.Bitfield {
		return false
	}
	r, ok := recordOf(m.Type)
	return ok && s.record(r).clangEmpty
}

// recordOf returns the record t is, or is an array (of arrays) of, through
// typedefs.
func recordOf(t ctype.Type) (*ctype.Record, bool) {
	t = ctype.Underlying(t)
	for {
		a, ok := t.(*ctype.Array)
		if !ok {
			break
		}
		t = ctype.Underlying(a.Elem)
	}
	r, ok := t.(*ctype.Record)
	return r, ok
}

// recordHFA classifies a record as a homogeneous floating-point aggregate
// (AAPCS64 2025Q4 §5.9.5): all its fundamental members, taken
// recursively through nested records, arrays and union members, have the
// same floating-point type, and there is no padding at any level ("the
// overall size is the size of the Base Type multiplied by the number of
// uniquely addressable Members"). A union counts its largest member. This
// is GCC's aapcs_vfp_sub_candidate and clang's isHomogeneousAggregate.
func (s *state) recordHFA(r *ctype.Record, size int) (count int, base ctype.BasicKind, zeroWidthStops bool) {
	for i := range r.Members {
		m := &r.Members[i]
		var n int
		switch {
		case m.Bitfield && m.Bits == 0 && !r.Union:
			if s.v.zeroWidthBitfieldBreaksHFA {
				// clang 14, C mode: "ignore empty bitfields" only in C++.
				zeroWidthStops = true
				n = -1
				break
			}
			// GCC ≥ 12.1 ignores zero-width bit-fields of a struct
			// (PR102024); in a union it is an int member like any other
			// (aapcs_vfp_sub_candidate's UNION_TYPE case does not skip
			// it; seen with GCC 12.2).
			continue
		case m.Bitfield:
			n = -1 // an integer
		case s.v.emptyRecordsIgnored && s.clangEmptyMember(m):
			// clang: "Ignore (non-zero arrays of) empty records".
			continue
		default:
			var mb ctype.BasicKind
			n, mb = s.hfa(m.Type)
			if n > 0 {
				if base != 0 && mb != base {
					n = -1
				}
				base = mb
			}
		}
		if n < 0 {
			return -1, 0, zeroWidthStops && s.hfaWithoutZeroWidth(r, size)
		}
		if r.Union {
			count = max(count, n)
		} else {
			count += n
		}
	}
	// No padding: size = members × base size (a record with no counted
	// member must have size 0).
	if count*int(baseSize(base)) != size {
		return -1, 0, false
	}
	return count, base, false
}

// hfaWithoutZeroWidth reports whether r would be an HFA of 1–4 members if
// its zero-width bit-fields were ignored, to say why clang14 refused it.
func (s *state) hfaWithoutZeroWidth(r *ctype.Record, size int) bool {
	v := s.v
	v.zeroWidthBitfieldBreaksHFA = false
	alt := state{v: v}
	n, _, _ := alt.recordHFA(r, size)
	return n >= 1 && n <= 4
}

// hfa returns the homogeneous-aggregate member count and base type of t
// (count < 0: not part of one; 0: nothing that counts).
func (s *state) hfa(t ctype.Type) (int, ctype.BasicKind) {
	switch u := ctype.Underlying(t).(type) {
	case *ctype.Basic:
		if u.Kind.IsFloat() {
			return 1, u.Kind
		}
	case *ctype.Array:
		n, b := s.hfa(u.Elem)
		if n < 0 {
			return -1, 0
		}
		return n * int(u.Len), b
	case *ctype.Record:
		rf := s.record(u)
		return rf.hfaCount, rf.hfaBase
	}
	return -1, 0
}

func baseSize(k ctype.BasicKind) int64 {
	if k == 0 {
		return 0
	}
	return ctype.Sizeof(ctype.BasicOf(k))
}
