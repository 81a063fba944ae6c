package report

import (
	"strconv"

	"github.com/trampfuzz/trampfuzz/ctype"
)

// renamed copies fn under the name name, with every record tag, enum tag,
// typedef name and enumerator given prefix, and every anonymous record or
// enum that is a parameter's type (or reached through a pointer, array or
// typedef) given a tag of its own, so that a caller can declare a variable
// of the parameter's type. Anonymous records that are unnamed members stay
// anonymous (C11 anonymous members). Names change neither layout nor
// argument passing; parameter and member names are kept.
func renamed(fn *ctype.Func, name, prefix, enumPrefix string) *ctype.Func {
	r := &renamer{prefix: prefix, enumPrefix: enumPrefix, done: map[renameKey]ctype.Type{}}
	out := &ctype.Func{Name: name, Return: r.typ(fn.Return, false)}
	for _, p := range fn.Params {
		out.Params = append(out.Params, ctype.Param{Name: p.Name, Type: r.typ(p.Type, false)})
	}
	return out
}

type renameKey struct {
	t          ctype.Type
	anonMember bool
}

type renamer struct {
	prefix, enumPrefix string
	done               map[renameKey]ctype.Type
	anon               int
}

func (r *renamer) tag(n string) string {
	if n == "" {
		r.anon++
		return r.prefix + "anon" + strconv.Itoa(r.anon)
	}
	return r.prefix + n
}

// typ copies t; anonMember is set for the type of an unnamed, non-bit-field
// member.
func (r *renamer) typ(t ctype.Type, anonMember bool) ctype.Type {
	switch t := t.(type) {
	case *ctype.Pointer:
		return &ctype.Pointer{Elem: r.typ(t.Elem, false)}
	case *ctype.Array:
		return &ctype.Array{Elem: r.typ(t.Elem, false), Len: t.Len}
	case *ctype.Record:
		key := renameKey{t, anonMember && t.Name == ""}
		if c, ok := r.done[key]; ok {
			return c
		}
		c := &ctype.Record{Union: t.Union, Packed: t.Packed, Aligned: t.Aligned, Incomplete: t.Incomplete}
		if !key.anonMember {
			c.Name = r.tag(t.Name)
		}
		r.done[key] = c
		for _, m := range t.Members {
			m.Type = r.typ(m.Type, m.Name == "" && !m.Bitfield)
			c.Members = append(c.Members, m)
		}
		return c
	case *ctype.Enum:
		key := renameKey{t: t}
		if c, ok := r.done[key]; ok {
			return c
		}
		c := &ctype.Enum{Name: r.tag(t.Name), Packed: t.Packed}
		for _, v := range t.Values {
			c.Values = append(c.Values, ctype.Enumerator{Name: r.enumPrefix + v.Name, Value: v.Value})
		}
		r.done[key] = c
		return c
	case *ctype.Typedef:
		key := renameKey{t: t}
		if c, ok := r.done[key]; ok {
			return c
		}
		c := &ctype.Typedef{Name: r.prefix + t.Name, Aligned: t.Aligned}
		r.done[key] = c
		c.Type = r.typ(t.Type, false)
		return c
	}
	return t // *Basic: shared
}
