package ctype

import (
	"math"
	"strconv"
	"strings"
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
	r := renderer{state: map[Type]int{}}
	r.use(fn.Return)
	for _, p := range fn.Params {
		r.use(p.Type)
	}
	r.drainPointees()
	var b strings.Builder
	b.WriteString(r.defs.String())
	b.WriteString(Declarator(fn.Return, fn.Name+"("+r.params(fn.Params)+")"))
	b.WriteString(";\n")
	return b.String()
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
			return append(b, recordBody(t)...)
		}
		return append(append(append(b, recordKeyword(t)...), ' '), t.Name...)
	case *Enum:
		if t.Name == "" {
			return append(b, enumBody(t)...)
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

// attrs spells a GNU attribute list, or "" when there is none.
func attrs(packed bool, aligned int64) string {
	var list []string
	if packed {
		list = append(list, "packed")
	}
	if aligned != 0 {
		list = append(list, "aligned("+strconv.FormatInt(aligned, 10)+")")
	}
	if list == nil {
		return ""
	}
	return "__attribute__((" + strings.Join(list, ", ") + "))"
}

// recordBody spells "struct NAME { members } attrs" (NAME omitted when
// anonymous).
func recordBody(r *Record) string {
	var b strings.Builder
	b.WriteString(recordKeyword(r))
	if r.Name != "" {
		b.WriteString(" " + r.Name)
	}
	b.WriteString(" {")
	for _, m := range r.Members {
		b.WriteString(" ")
		b.WriteString(Declarator(m.Type, m.Name))
		if m.Bitfield {
			b.WriteString(" : " + strconv.FormatInt(m.Bits, 10))
		}
		if a := attrs(m.Packed, m.Aligned); a != "" {
			b.WriteString(" " + a)
		}
		b.WriteString(";")
	}
	b.WriteString(" }")
	if a := attrs(r.Packed, r.Aligned); a != "" {
		b.WriteString(" " + a)
	}
	return b.String()
}

func enumBody(e *Enum) string {
	var b strings.Builder
	b.WriteString("enum")
	if e.Name != "" {
		b.WriteString(" " + e.Name)
	}
	b.WriteString(" {")
	for i, v := range e.Values {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(" " + v.Name + " = ")
		if v.Value == math.MinInt64 {
			// -9223372036854775808 is the negation of a constant too large
			// for long, which C makes unsigned.
			b.WriteString("-9223372036854775807 - 1")
		} else {
			b.WriteString(strconv.FormatInt(v.Value, 10))
		}
	}
	b.WriteString(" }")
	if e.Packed {
		b.WriteString(" " + attrs(true, 0))
	}
	return b.String()
}

type renderer struct {
	defs     strings.Builder
	state    map[Type]int // 1: being defined, 2: written
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
		if r.state[t] != 0 {
			return
		}
		if t.Incomplete {
			// Reached through a typedef: declare it.
			r.state[t] = 2
			r.defs.WriteString(recordKeyword(t) + " " + t.Name + ";\n")
			return
		}
		r.state[t] = 1
		for _, m := range t.Members {
			r.use(m.Type)
		}
		if t.Name != "" {
			r.defs.WriteString(recordBody(t) + ";\n")
		}
		r.state[t] = 2
	case *Enum:
		if r.state[t] != 0 {
			return
		}
		r.state[t] = 2
		if t.Name != "" {
			r.defs.WriteString(enumBody(t) + ";\n")
		}
	case *Typedef:
		if r.state[t] != 0 {
			return
		}
		r.state[t] = 1
		r.use(t.Type)
		r.defs.WriteString("typedef " + Declarator(t.Type, t.Name))
		if t.Aligned != 0 {
			r.defs.WriteString(" " + attrs(false, t.Aligned))
		}
		r.defs.WriteString(";\n")
		r.state[t] = 2
	}
}

// drainPointees writes what pointers point to, after everything used by
// value: a pointer never needs a complete type, so this order always works.
func (r *renderer) drainPointees() {
	for len(r.pointees) > 0 {
		t := r.pointees[0]
		r.pointees = r.pointees[1:]
		switch u := t.(type) {
		case *Record:
			if u.Incomplete {
				if r.state[u] == 0 {
					r.state[u] = 2
					r.defs.WriteString(recordKeyword(u) + " " + u.Name + ";\n")
				}
				continue
			}
		}
		r.use(t)
	}
}

func (r *renderer) params(ps []Param) string {
	if len(ps) == 0 {
		return "void"
	}
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = Declarator(p.Type, p.Name)
	}
	return strings.Join(parts, ", ")
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
