package shrink

import "github.com/trampfuzz/trampfuzz/ctype"

// cloner deep-copies a signature, keeping shared records shared and
// self-references (through pointers) pointing at the copy.
type cloner struct{ done map[ctype.Type]ctype.Type }

func clone(fn *ctype.Func) *ctype.Func {
	c := cloner{done: map[ctype.Type]ctype.Type{}}
	out := &ctype.Func{Name: fn.Name, Return: c.typ(fn.Return)}
	for _, p := range fn.Params {
		out.Params = append(out.Params, ctype.Param{Name: p.Name, Type: c.typ(p.Type)})
	}
	return out
}

func (c *cloner) typ(t ctype.Type) ctype.Type {
	if t == nil {
		return nil
	}
	if b, ok := t.(*ctype.Basic); ok {
		return b // shared, immutable
	}
	if d, ok := c.done[t]; ok {
		return d
	}
	switch t := t.(type) {
	case *ctype.Pointer:
		p := &ctype.Pointer{}
		c.done[t] = p
		p.Elem = c.typ(t.Elem)
		return p
	case *ctype.Array:
		a := &ctype.Array{Len: t.Len}
		c.done[t] = a
		a.Elem = c.typ(t.Elem)
		return a
	case *ctype.Record:
		r := &ctype.Record{Union: t.Union, Name: t.Name, Packed: t.Packed, Aligned: t.Aligned, Incomplete: t.Incomplete}
		c.done[t] = r
		r.Members = make([]ctype.Member, len(t.Members))
		for i, m := range t.Members {
			m.Type = c.typ(m.Type)
			r.Members[i] = m
		}
		return r
	case *ctype.Enum:
		e := &ctype.Enum{Name: t.Name, Packed: t.Packed, Values: append([]ctype.Enumerator(nil), t.Values...)}
		c.done[t] = e
		return e
	case *ctype.Typedef:
		d := &ctype.Typedef{Name: t.Name, Aligned: t.Aligned}
		c.done[t] = d
		d.Type = c.typ(t.Type)
		return d
	}
	return t
}
