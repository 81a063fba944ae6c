package shrink

import (
	"fmt"

	"github.com/trampfuzz/trampfuzz/ctype"
)

// A move is one candidate edit. apply edits a clone of the current
// signature in place (the clone has the same shape, so the indices a move
// captured address the same objects) and reports whether it applied.
type move struct {
	name  string
	apply func(fn *ctype.Func) bool
}

// objects lists a signature's editable parts in a fixed order: every type
// position (slot), every distinct record, typedef and enum.
type objects struct {
	slots    []*ctype.Type
	records  []*ctype.Record
	typedefs []*ctype.Typedef
	enums    []*ctype.Enum
}

func collect(fn *ctype.Func) objects {
	var o objects
	seen := map[ctype.Type]bool{}
	var walk func(slot *ctype.Type)
	walk = func(slot *ctype.Type) {
		o.slots = append(o.slots, slot)
		t := *slot
		if _, ok := t.(*ctype.Basic); ok || seen[t] {
			return
		}
		seen[t] = true
		switch t := t.(type) {
		case *ctype.Pointer:
			walk(&t.Elem)
		case *ctype.Array:
			walk(&t.Elem)
		case *ctype.Typedef:
			o.typedefs = append(o.typedefs, t)
			walk(&t.Type)
		case *ctype.Enum:
			o.enums = append(o.enums, t)
		case *ctype.Record:
			o.records = append(o.records, t)
			for i := range t.Members {
				walk(&t.Members[i].Type)
			}
		}
	}
	walk(&fn.Return)
	for i := range fn.Params {
		walk(&fn.Params[i].Type)
	}
	return o
}

// simpler is the scalar move table: each type to a simpler one.
var simpler = map[ctype.BasicKind][]ctype.BasicKind{
	ctype.Int128:     {ctype.Long},
	ctype.UInt128:    {ctype.Int128, ctype.ULong},
	ctype.LongLong:   {ctype.Long},
	ctype.ULongLong:  {ctype.LongLong, ctype.ULong},
	ctype.Long:       {ctype.Int},
	ctype.ULong:      {ctype.Long, ctype.UInt},
	ctype.Int:        {ctype.Char},
	ctype.UInt:       {ctype.Int},
	ctype.Short:      {ctype.Char},
	ctype.UShort:     {ctype.Short},
	ctype.SChar:      {ctype.Char},
	ctype.UChar:      {ctype.Char},
	ctype.LongDouble: {ctype.Double},
	ctype.Double:     {ctype.Float},
}

// scalarOfSize is the plain integer of each power-of-two size.
var scalarOfSize = map[int64]*ctype.Basic{1: ctype.TChar, 2: ctype.TShort, 4: ctype.TInt, 8: ctype.TLong, 16: ctype.TInt128}

// moves lists every candidate move for fn, in the order they are tried.
func moves(fn *ctype.Func) []move {
	var ms []move
	add := func(name string, apply func(*ctype.Func) bool) { ms = append(ms, move{name, apply}) }
	n := len(fn.Params)

	// Drop arguments: halves and quarters first (ddmin-like), then one by one.
	for chunk := n / 2; chunk >= 2; chunk /= 2 {
		for start := 0; start+chunk <= n; start += chunk {
			start, chunk := start, chunk
			add(fmt.Sprintf("drop arguments %d..%d", start, start+chunk-1), func(f *ctype.Func) bool {
				f.Params = append(f.Params[:start:start], f.Params[start+chunk:]...)
				return true
			})
		}
	}
	for i := 0; i < n; i++ {
		i := i
		add(fmt.Sprintf("drop argument %d", i), func(f *ctype.Func) bool {
			f.Params = append(f.Params[:i:i], f.Params[i+1:]...)
			return true
		})
	}
	// Two adjacent arguments of at most 8 bytes become one __int128: the
	// same two GPRs or stack slots in one argument, so a case that needs
	// the registers full (a stack class) loses arguments.
	for i := 0; i+1 < n; i++ {
		if ctype.Sizeof(fn.Params[i].Type) > 8 || ctype.Sizeof(fn.Params[i+1].Type) > 8 {
			continue
		}
		i := i
		add(fmt.Sprintf("merge arguments %d and %d into __int128", i, i+1), func(f *ctype.Func) bool {
			f.Params[i].Type = ctype.TInt128
			f.Params = append(f.Params[:i+1:i+1], f.Params[i+2:]...)
			return true
		})
	}
	if b, ok := fn.Return.(*ctype.Basic); !ok || b.Kind != ctype.Void {
		add("return void", func(f *ctype.Func) bool { f.Return = ctype.TVoid; return true })
	}

	o := collect(fn)
	for si, slot := range o.slots {
		si := si
		set := func(name string, make func(t ctype.Type) ctype.Type) {
			add(fmt.Sprintf("type %d: %s", si, name), func(f *ctype.Func) bool {
				s := collect(f).slots[si]
				nt := make(*s)
				if nt == nil {
					return false
				}
				*s = nt
				return true
			})
		}
		switch t := (*slot).(type) {
		case *ctype.Typedef:
			set("unwrap typedef "+t.Name, func(t ctype.Type) ctype.Type { return t.(*ctype.Typedef).Type })
		case *ctype.Pointer:
			if b, ok := t.Elem.(*ctype.Basic); !ok || b.Kind != ctype.Void {
				set("pointer to void", func(ctype.Type) ctype.Type { return &ctype.Pointer{Elem: ctype.TVoid} })
			}
		case *ctype.Array:
			set("array to element", func(t ctype.Type) ctype.Type { return t.(*ctype.Array).Elem })
			if t.Len > 2 {
				set("halve array", func(t ctype.Type) ctype.Type {
					a := t.(*ctype.Array)
					return &ctype.Array{Elem: a.Elem, Len: a.Len / 2}
				})
			}
			if t.Len > 1 {
				set("shorten array", func(t ctype.Type) ctype.Type {
					a := t.(*ctype.Array)
					return &ctype.Array{Elem: a.Elem, Len: a.Len - 1}
				})
			}
		case *ctype.Enum:
			set("enum to integer", func(t ctype.Type) ctype.Type { return ctype.BasicOf(ctype.EnumBase(t.(*ctype.Enum))) })
		case *ctype.Basic:
			for _, k := range simpler[t.Kind] {
				k := k
				set(t.Kind.String()+" to "+k.String(), func(ctype.Type) ctype.Type { return ctype.BasicOf(k) })
			}
		case *ctype.Record:
			if s, ok := scalarOfSize[ctype.Sizeof(t)]; ok {
				set("record to "+s.Kind.String(), func(ctype.Type) ctype.Type { return s })
			}
			for mi, m := range t.Members {
				if m.Bitfield {
					continue
				}
				mi := mi
				set(fmt.Sprintf("record to its member %d", mi), func(t ctype.Type) ctype.Type {
					r, ok := t.(*ctype.Record)
					if !ok || mi >= len(r.Members) {
						return nil
					}
					return r.Members[mi].Type
				})
			}
		}
	}

	for ri, r := range o.records {
		ri := ri
		rec := func(name string, edit func(r *ctype.Record) bool) {
			add(fmt.Sprintf("record %d (%s): %s", ri, r.Name, name), func(f *ctype.Func) bool {
				return edit(collect(f).records[ri])
			})
		}
		if r.Packed {
			rec("drop packed", func(r *ctype.Record) bool { r.Packed = false; return true })
		}
		if r.Aligned != 0 {
			rec("drop aligned", func(r *ctype.Record) bool { r.Aligned = 0; return true })
			if r.Aligned > 1 {
				rec("lower aligned", func(r *ctype.Record) bool { r.Aligned /= 2; return true })
			}
		}
		for mi, m := range r.Members {
			mi := mi
			rec(fmt.Sprintf("drop member %d", mi), func(r *ctype.Record) bool {
				r.Members = append(r.Members[:mi:mi], r.Members[mi+1:]...)
				return true
			})
			if m.Packed {
				rec(fmt.Sprintf("member %d: drop packed", mi), func(r *ctype.Record) bool { r.Members[mi].Packed = false; return true })
			}
			if m.Aligned != 0 {
				rec(fmt.Sprintf("member %d: drop aligned", mi), func(r *ctype.Record) bool { r.Members[mi].Aligned = 0; return true })
				if m.Aligned > 1 {
					rec(fmt.Sprintf("member %d: lower aligned", mi), func(r *ctype.Record) bool { r.Members[mi].Aligned /= 2; return true })
				}
			}
			if m.Bitfield && m.Name != "" {
				rec(fmt.Sprintf("member %d: drop bit-field", mi), func(r *ctype.Record) bool {
					r.Members[mi].Bitfield, r.Members[mi].Bits = false, 0
					return true
				})
			}
			if inner, ok := m.Type.(*ctype.Record); ok && !m.Bitfield && !inner.Union && !r.Union {
				rec(fmt.Sprintf("member %d: splice nested record", mi), func(r *ctype.Record) bool {
					in := r.Members[mi].Type.(*ctype.Record)
					spliced := append([]ctype.Member{}, r.Members[:mi]...)
					spliced = append(spliced, in.Members...)
					r.Members = append(spliced, r.Members[mi+1:]...)
					return true
				})
			}
		}
	}
	for ti, td := range o.typedefs {
		ti := ti
		if td.Aligned != 0 {
			add(fmt.Sprintf("typedef %s: drop aligned", td.Name), func(f *ctype.Func) bool { collect(f).typedefs[ti].Aligned = 0; return true })
			if td.Aligned > 1 {
				add(fmt.Sprintf("typedef %s: lower aligned", td.Name), func(f *ctype.Func) bool { collect(f).typedefs[ti].Aligned /= 2; return true })
			}
		}
	}
	for ei, e := range o.enums {
		ei := ei
		for vi := range e.Values {
			if len(e.Values) < 2 {
				break
			}
			vi := vi
			add(fmt.Sprintf("enum %s: drop enumerator %d", e.Name, vi), func(f *ctype.Func) bool {
				en := collect(f).enums[ei]
				en.Values = append(en.Values[:vi:vi], en.Values[vi+1:]...)
				return true
			})
		}
	}
	return ms
}

// measure is the well-founded size every accepted move must lower,
// compared lexicographically.
type measureT [9]int64

func measure(fn *ctype.Func) measureT {
	var m measureT
	m[0] = int64(len(fn.Params))
	o := collect(fn)
	m[1] = int64(len(o.records))
	for _, r := range o.records {
		m[2] += int64(len(r.Members))
		for _, mem := range r.Members {
			if mem.Packed {
				m[4]++
			}
			if mem.Aligned != 0 {
				m[4]++
				m[5] += mem.Aligned
			}
			if mem.Bitfield {
				m[4]++
			}
		}
		if r.Packed {
			m[4]++
		}
		if r.Aligned != 0 {
			m[4]++
			m[5] += r.Aligned
		}
	}
	m[3] = int64(len(o.slots))
	for _, td := range o.typedefs {
		if td.Aligned != 0 {
			m[4]++
			m[5] += td.Aligned
		}
	}
	for _, s := range o.slots {
		switch t := (*s).(type) {
		case *ctype.Array:
			m[6] += t.Len
		case *ctype.Basic:
			m[7] += int64(t.Kind)
		case *ctype.Pointer:
			m[7]++
		}
	}
	for _, e := range o.enums {
		m[8] += int64(len(e.Values))
	}
	return m
}

func less(a, b measureT) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// canonicalNames renames fn in place: f, a0…, s1… (named records in
// definition order), m0… per record, t1…, e1… with enumerators E1_0….
// It reports whether anything is named.
func canonicalNames(fn *ctype.Func) bool {
	fn.Name = "f"
	for i := range fn.Params {
		fn.Params[i].Name = fmt.Sprintf("a%d", i)
	}
	o := collect(fn)
	rec := 0
	for _, r := range ctype.Records(fn) {
		if r.Name != "" {
			rec++
			r.Name = fmt.Sprintf("s%d", rec)
		}
		for i := range r.Members {
			if r.Members[i].Name != "" {
				r.Members[i].Name = fmt.Sprintf("m%d", i)
			}
		}
	}
	for _, r := range o.records { // incomplete records, only pointed to
		if r.Incomplete {
			rec++
			r.Name = fmt.Sprintf("s%d", rec)
		}
	}
	for i, td := range o.typedefs {
		td.Name = fmt.Sprintf("t%d", i+1)
	}
	for i, e := range o.enums {
		if e.Name != "" {
			e.Name = fmt.Sprintf("e%d", i+1)
		}
		for j := range e.Values {
			e.Values[j].Name = fmt.Sprintf("E%d_%d", i+1, j)
		}
	}
	return true
}
