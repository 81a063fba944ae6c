package ctype

import "strconv"

// Copy returns a deep copy of fn: records, enums, typedefs, pointers and
// arrays are new values (the shared *Basic values stay shared), a record
// used twice is copied once and used twice, and a record that points to
// itself points to its copy. Edit the copy freely.
func Copy(fn *Func) *Func {
	c := copier{done: map[Type]Type{}}
	out := &Func{Name: fn.Name, Return: c.typ(fn.Return)}
	for _, p := range fn.Params {
		out.Params = append(out.Params, Param{Name: p.Name, Type: c.typ(p.Type)})
	}
	return out
}

type copier struct{ done map[Type]Type }

func (c *copier) typ(t Type) Type {
	if t == nil {
		return nil
	}
	if b, ok := t.(*Basic); ok {
		return b
	}
	if d, ok := c.done[t]; ok {
		return d
	}
	switch t := t.(type) {
	case *Pointer:
		p := &Pointer{}
		c.done[t] = p
		p.Elem = c.typ(t.Elem)
		return p
	case *Array:
		a := &Array{Len: t.Len}
		c.done[t] = a
		a.Elem = c.typ(t.Elem)
		return a
	case *Record:
		r := &Record{Union: t.Union, Name: t.Name, Packed: t.Packed, Aligned: t.Aligned, Incomplete: t.Incomplete}
		c.done[t] = r
		r.Members = make([]Member, len(t.Members))
		for i, m := range t.Members {
			m.Type = c.typ(m.Type)
			r.Members[i] = m
		}
		return r
	case *Enum:
		e := &Enum{Name: t.Name, Packed: t.Packed, Values: append([]Enumerator(nil), t.Values...)}
		c.done[t] = e
		return e
	case *Typedef:
		d := &Typedef{Name: t.Name, Aligned: t.Aligned}
		c.done[t] = d
		d.Type = c.typ(t.Type)
		return d
	}
	return t
}

// Prefixed returns a copy of fn called name in which every record tag,
// enum tag and typedef name starts with prefix and every enumerator with
// enumPrefix, and every anonymous record or enum gets a tag
// (prefix+"anonN") so that a caller can declare a variable of the
// parameter's type. Anonymous records that are unnamed members stay
// anonymous: a tag would turn a C11 anonymous member into a declaration
// of nothing. Parameter and member names are kept. Many signatures can then
// share one C file (truth's batches, report's repro.c); names change
// neither layout nor argument passing.
func Prefixed(fn *Func, name, prefix, enumPrefix string) *Func {
	r := &prefixer{prefix: prefix, enumPrefix: enumPrefix, done: map[prefixKey]Type{}}
	out := &Func{Name: name, Return: r.typ(fn.Return, false)}
	for _, p := range fn.Params {
		out.Params = append(out.Params, Param{Name: p.Name, Type: r.typ(p.Type, false)})
	}
	return out
}

type prefixKey struct {
	t          Type
	anonMember bool
}

type prefixer struct {
	prefix, enumPrefix string
	done               map[prefixKey]Type
	anon               int
}

func (r *prefixer) tag(n string) string {
	if n == "" {
		r.anon++
		return r.prefix + "anon" + strconv.Itoa(r.anon)
	}
	return r.prefix + n
}

// typ copies t; anonMember is set for the type of an unnamed, non-bit-field
// member.
func (r *prefixer) typ(t Type, anonMember bool) Type {
	switch t := t.(type) {
	case *Pointer:
		return &Pointer{Elem: r.typ(t.Elem, false)}
	case *Array:
		return &Array{Elem: r.typ(t.Elem, false), Len: t.Len}
	case *Record:
		key := prefixKey{t, anonMember && t.Name == ""}
		if c, ok := r.done[key]; ok {
			return c
		}
		c := &Record{Union: t.Union, Packed: t.Packed, Aligned: t.Aligned, Incomplete: t.Incomplete}
		if !key.anonMember {
			c.Name = r.tag(t.Name)
		}
		r.done[key] = c
		for _, m := range t.Members {
			m.Type = r.typ(m.Type, m.Name == "" && !m.Bitfield)
			c.Members = append(c.Members, m)
		}
		return c
	case *Enum:
		key := prefixKey{t: t}
		if c, ok := r.done[key]; ok {
			return c
		}
		c := &Enum{Name: r.tag(t.Name), Packed: t.Packed}
		for _, v := range t.Values {
			c.Values = append(c.Values, Enumerator{Name: r.enumPrefix + v.Name, Value: v.Value})
		}
		r.done[key] = c
		return c
	case *Typedef:
		key := prefixKey{t: t}
		if c, ok := r.done[key]; ok {
			return c
		}
		c := &Typedef{Name: r.prefix + t.Name, Aligned: t.Aligned}
		r.done[key] = c
		c.Type = r.typ(t.Type, false)
		return c
	}
	return t // *Basic: shared
}
