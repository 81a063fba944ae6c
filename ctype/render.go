package ctype

import (
	"math"
	"strconv"
)

// Render prints fn as canonical C text: every named record, enum and
// typedef fn uses, one definition per line in dependency order (first use
// first), a forward declaration for records that are only pointed to, and
// last the prototype. Anonymous records and enums are written inline.
//
//	struct s1 { char a; long b; } __attribute__((packed));
//	struct s2 { long a __attribute__((aligned(16))); };
//	void f(int a0, struct s1 a1, struct s2 a2, __int128 a3);
//
// Real compilers accept the text as is; Parse(Render(fn)) equals fn.
func Render(fn *Func) string {
	var r renderer
	r.defs = make([]byte, 0, 512)
	r.use(fn.Return)
	for _, p := range fn.Params {
		r.use(p.Type)
	}
	r.drainPointees()
	// The prototype is the return type's declarator of "NAME(PARAMS)".
	name := make([]byte, 0, 32*len(fn.Params)+len(fn.Name)+8)
	name = append(append(name, fn.Name...), '(')
	if len(fn.Params) == 0 {
		name = append(name, "void"...)
	}
	for i, p := range fn.Params {
		if i > 0 {
			name = append(name, ", "...)
		}
		name = appendDeclarator(name, p.Type, p.Name)
	}
	name = append(name, ')')
	b := appendDeclarator(r.defs, fn.Return, string(name))
	return string(append(b, ";\n"...))
}

// TypeString spells a type as C does in a cast or a sizeof: "int",
// "struct s1", "long *", "unsigned char[4]".
func TypeString(t Type) string { return string(AppendTypeString(nil, t)) }

// AppendTypeString appends TypeString(t) to b, for callers that spell many
// types into one buffer.
func AppendTypeString(b []byte, t Type) []byte { return appendDeclarator(b, t, "") }

// Declarator spells a declaration of name with type t: "long a",
// "struct s *p", "int a[4]", "struct { int a; } x". Anonymous records and
// enums are written in full.
func Declarator(t Type, name string) string { return string(appendDeclarator(nil, t, name)) }

func appendDeclarator(b []byte, t Type, name string) []byte {
	dims := t
	for {
		a, ok := t.(*Array)
		if !ok {
			break
		}
		t = a.Elem
	}
	stars := 0
	for {
		p, ok := t.(*Pointer)
		if !ok {
			break
		}
		stars++
		t = p.Elem
	}
	b = appendSpecifier(b, t)
	if stars > 0 || name != "" {
		b = append(b, ' ')
	}
	for range stars {
		b = append(b, '*')
	}
	b = append(b, name...)
	for {
		a, ok := dims.(*Array)
		if !ok {
			break
		}
		b = append(b, '[')
		b = strconv.AppendInt(b, a.Len, 10)
		b = append(b, ']')
		dims = a.Elem
	}
	return b
}

func appendSpecifier(b []byte, t Type) []byte {
	switch t := t.(type) {
	case *Basic:
		return append(b, t.Kind.String()...)
	case *Record:
		if t.Name == "" {
			return appendRecordBody(b, t)
		}
		return append(append(append(b, recordKeyword(t)...), ' '), t.Name...)
	case *Enum:
		if t.Name == "" {
			return appendEnumBody(b, t)
		}
		return append(append(b, "enum "...), t.Name...)
	case *Typedef:
		return append(b, t.Name...)
	}
	return append(b, '?')
}

func recordKeyword(r *Record) string {
	if r.Union {
		return "union"
	}
	return "struct"
}

// appendAttrs appends a GNU attribute list, nothing when there is none.
func appendAttrs(b []byte, packed bool, aligned int64) []byte {
	if !packed && aligned == 0 {
		return b
	}
	b = append(b, "__attribute__(("...)
	if packed {
		b = append(b, "packed"...)
		if aligned != 0 {
			b = append(b, ", "...)
		}
	}
	if aligned != 0 {
		b = append(b, "aligned("...)
		b = strconv.AppendInt(b, aligned, 10)
		b = append(b, ')')
	}
	return append(b, "))"...)
}

// appendRecordBody spells "struct NAME { members } attrs" (NAME omitted
// when anonymous).
func appendRecordBody(b []byte, r *Record) []byte {
	b = append(b, recordKeyword(r)...)
	if r.Name != "" {
		b = append(append(b, ' '), r.Name...)
	}
	b = append(b, " {"...)
	for i := range r.Members {
		m := &r.Members[i]
		b = appendDeclarator(append(b, ' '), m.Type, m.Name)
		if m.Bitfield {
			b = strconv.AppendInt(append(b, " : "...), m.Bits, 10)
		}
		if m.Packed || m.Aligned != 0 {
			b = appendAttrs(append(b, ' '), m.Packed, m.Aligned)
		}
		b = append(b, ';')
	}
	b = append(b, " }"...)
	if r.Packed || r.Aligned != 0 {
		b = appendAttrs(append(b, ' '), r.Packed, r.Aligned)
	}
	return b
}

// appendEnumBody spells "enum NAME { A = 0, ... } attrs".
func appendEnumBody(b []byte, e *Enum) []byte {
	b = append(b, "enum"...)
	if e.Name != "" {
		b = append(append(b, ' '), e.Name...)
	}
	b = append(b, " {"...)
	for i, v := range e.Values {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, ' '), v.Name...), " = "...)
		if v.Value == math.MinInt64 {
			// -9223372036854775808 is the negation of a constant too large
			// for long, which C makes unsigned.
			b = append(b, "-9223372036854775807 - 1"...)
		} else {
			b = strconv.AppendInt(b, v.Value, 10)
		}
	}
	b = append(b, " }"...)
	if e.Packed {
		b = appendAttrs(append(b, ' '), true, 0)
	}
	return b
}

type renderer struct {
	defs     []byte
	state    smallMap[Type, uint8] // 1: being defined, 2: written
	pointees []Type
}

// use makes sure every definition t needs by value is written.
func (r *renderer) use(t Type) {
	switch t := t.(type) {
	case *Pointer:
		// A pointer needs a record only declared, so a record pointee waits
		// (drainPointees); a typedef or enum name must be defined first.
		elem := t.Elem
		for {
			p, ok := elem.(*Pointer)
			if !ok {
				break
			}
			elem = p.Elem
		}
		if _, ok := elem.(*Record); ok {
			r.pointees = append(r.pointees, elem)
		} else {
			r.use(elem)
		}
	case *Array:
		r.use(t.Elem)
	case *Record:
		if st, _ := r.state.get(t); st != 0 {
			return
		}
		if t.Incomplete {
			// Reached through a typedef: declare it.
			r.state.set(t, 2)
			r.declare(t)
			return
		}
		r.state.set(t, 1)
		for _, m := range t.Members {
			r.use(m.Type)
		}
		if t.Name != "" {
			r.defs = append(appendRecordBody(r.defs, t), ";\n"...)
		}
		r.state.set(t, 2)
	case *Enum:
		if st, _ := r.state.get(t); st != 0 {
			return
		}
		r.state.set(t, 2)
		if t.Name != "" {
			r.defs = append(appendEnumBody(r.defs, t), ";\n"...)
		}
	case *Typedef:
		if st, _ := r.state.get(t); st != 0 {
			return
		}
		r.state.set(t, 1)
		r.use(t.Type)
		r.defs = appendDeclarator(append(r.defs, "typedef "...), t.Type, t.Name)
		if t.Aligned != 0 {
			r.defs = appendAttrs(append(r.defs, ' '), false, t.Aligned)
		}
		r.defs = append(r.defs, ";\n"...)
		r.state.set(t, 2)
	}
}

// declare writes "struct NAME;".
func (r *renderer) declare(t *Record) {
	r.defs = append(append(append(append(r.defs, recordKeyword(t)...), ' '), t.Name...), ";\n"...)
}

// drainPointees writes what pointers point to, after everything used by
// value: a pointer never needs a complete type, so this order always works.
func (r *renderer) drainPointees() {
	for len(r.pointees) > 0 {
		t := r.pointees[0]
		r.pointees = r.pointees[1:]
		if u, ok := t.(*Record); ok && u.Incomplete {
			if st, _ := r.state.get(u); st == 0 {
				r.state.set(u, 2)
				r.declare(u)
			}
			continue
		}
		r.use(t)
	}
}

// Records returns every complete record fn uses, by value or through a
// pointer, anonymous ones included, each once, in the order Render defines
// them (a record after the records it contains).
func Records(fn *Func) []*Record {
	var out []*Record
	seen := map[Type]bool{}
	var pending []Type
	var walk func(t Type)
	walk = func(t Type) {
		switch t := t.(type) {
		case *Pointer:
			pending = append(pending, t.Elem)
		case *Array:
			walk(t.Elem)
		case *Typedef:
			if !seen[t] {
				seen[t] = true
				walk(t.Type)
			}
		case *Record:
			if seen[t] || t.Incomplete {
				return
			}
			seen[t] = true
			for _, m := range t.Members {
				walk(m.Type)
			}
			out = append(out, t)
		}
	}
	walk(fn.Return)
	for _, p := range fn.Params {
		walk(p.Type)
	}
	for len(pending) > 0 {
		t := pending[0]
		pending = pending[1:]
		walk(t)
	}
	return out
}
