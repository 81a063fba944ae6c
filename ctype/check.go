package ctype

import (
	"errors"
	"fmt"
	"strconv"
)

// MaxAlign is the largest aligned(N) trampfuzz accepts. GCC accepts more
// (up to 2^28 on ELF); nothing in argument passing changes past 16, and
// a bound keeps every size well inside int64.
const MaxAlign = 1 << 12

// MaxSize bounds sizeof of any type, so sizes in bits stay exact.
const MaxSize = 1 << 24

// ErrInvalid is wrapped by every error Check returns.
var ErrInvalid = errors.New("invalid type")

// Check reports whether fn is a valid prototype of the modelled C subset
// with valid types: the errors a C compiler would give (aligned(3), an array
// of void, a record containing itself, a too-wide bit-field, ...) plus the
// limits of the model (no flexible arrays, no array parameters).
func Check(fn *Func) error {
	var c checker
	return c.fn(fn)
}

// fn is Check with c's memo: records c has already checked (Parse checks
// each at its definition) are not checked again.
func (c *checker) fn(fn *Func) error {
	if err := CheckFuncName(fn.Name); err != nil {
		return err
	}
	if fn.Return == nil {
		return c.errf("function %s has no return type", fn.Name)
	}
	ret := where{param: -1}
	if err := c.typ(fn.Return, ret, true); err != nil {
		return err
	}
	if _, ok := Underlying(fn.Return).(*Array); ok {
		return c.errf("function %s returns an array", fn.Name)
	}
	for i, p := range fn.Params {
		what := where{param: i}
		if err := CheckParamName(fn.Params, i); err != nil {
			return err
		}
		if p.Type == nil {
			return c.errf("%s has no type", what)
		}
		if err := c.typ(p.Type, what, false); err != nil {
			return err
		}
		if _, ok := Underlying(p.Type).(*Array); ok {
			return c.errf("%s: an array parameter decays to a pointer; write the pointer", what)
		}
	}
	return nil
}

// CheckFuncName is what Check says of a function's name: it must be an
// identifier.
func CheckFuncName(name string) error {
	if !IsIdent(name) {
		return fmt.Errorf("%w: function name %q is not an identifier", ErrInvalid, name)
	}
	return nil
}

// CheckParamName is what Check says of parameter i's name: none, or an
// identifier no earlier parameter has.
func CheckParamName(ps []Param, i int) error {
	name := ps[i].Name
	if name == "" {
		return nil
	}
	if !IsIdent(name) {
		return fmt.Errorf("%w: %s: name %q is not an identifier", ErrInvalid, where{param: i}, name)
	}
	for _, q := range ps[:i] {
		if q.Name == name {
			return fmt.Errorf("%w: %s: duplicate parameter name %s", ErrInvalid, where{param: i}, name)
		}
	}
	return nil
}

// checker is one Check call, or one Parse (every record definition and
// then the prototype). Its sets are smallMaps: a signature has a handful
// of records, tags and typedefs, and Check runs once per signature in
// check.Run.
type checker struct {
	state       smallMap[*Record, uint8] // 1: being checked (by value), 2: done
	tags        smallMap[string, Type]
	typedefs    smallMap[string, *Typedef]
	enumerators smallMap[string, *Enum]
	chain       []Type // pointers and typedefs on the path being checked
	lay         Layouts
}

// where names the part of the signature being checked. It is spelled only
// for an error message, so checking a valid signature builds no strings.
type where struct {
	param  int     // parameter index; -1: the return type
	rec    *Record // set: member number member of rec
	member int
	elems  int     // " element" levels (array elements)
	def    *Record // set: the definition of this record (Parse)
}

func (w where) String() string {
	var s string
	switch {
	case w.def != nil:
		s = recordKeyword(w.def) + " " + w.def.Name
	case w.rec != nil:
		m := &w.rec.Members[w.member]
		if m.Name != "" {
			s = recordSelf(w.rec) + " member " + m.Name
		} else {
			s = fmt.Sprintf("%s member %d", recordSelf(w.rec), w.member)
		}
	case w.param < 0:
		s = "return type"
	default:
		s = "parameter " + strconv.Itoa(w.param)
	}
	for range w.elems {
		s += " element"
	}
	return s
}

// recordSelf is how messages name a record: "struct s", "anonymous union".
func recordSelf(r *Record) string {
	if r.Name == "" {
		return "anonymous " + recordKeyword(r)
	}
	return recordKeyword(r) + " " + r.Name
}

func (c *checker) errf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// checkAlign checks an aligned(N) value; what names it, spelled only on
// error (a type parameter, not an interface, so that a valid value costs
// no allocation).
func checkAlign[W fmt.Stringer](n int64, what W) error {
	if n == 0 {
		return nil
	}
	if n < 0 || n&(n-1) != 0 {
		return fmt.Errorf("%w: %s: requested alignment %d is not a positive power of 2", ErrInvalid, what, n)
	}
	if n > MaxAlign {
		return fmt.Errorf("%w: %s: aligned(%d) is larger than the %d trampfuzz models", ErrInvalid, what, n, MaxAlign)
	}
	return nil
}

// typedefWhat spells "typedef NAME" on error only.
type typedefWhat struct{ t *Typedef }

func (w typedefWhat) String() string { return "typedef " + w.t.Name }

// selfWhat spells a record's name on error only.
type selfWhat struct{ r *Record }

func (w selfWhat) String() string { return recordSelf(w.r) }

// typ checks t used by value (voidOK: as a return type).
func (c *checker) typ(t Type, what where, voidOK bool) error {
	switch t.(type) {
	case *Pointer, *Typedef:
		if err := c.enter(t, what); err != nil {
			return err
		}
		defer c.leave()
	}
	switch t := t.(type) {
	case *Basic:
		if t.Kind < Void || t.Kind > LongDouble {
			return c.errf("%s: unknown basic type %d", what, t.Kind)
		}
		if t.Kind == Void && !voidOK {
			return c.errf("%s has type void", what)
		}
	case *Pointer:
		if t.Elem == nil {
			return c.errf("%s: pointer to nothing", what)
		}
		return c.pointee(t.Elem, what)
	case *Array:
		if t.Len < 1 {
			return c.errf("%s: array length %d (flexible and zero-length arrays are not modelled)", what, t.Len)
		}
		if t.Elem == nil {
			return c.errf("%s: array of nothing", what)
		}
		if b, ok := Underlying(t.Elem).(*Basic); ok && b.Kind == Void {
			return c.errf("%s: array of void", what)
		}
		elem := what
		elem.elems++
		if err := c.typ(t.Elem, elem, false); err != nil {
			return err
		}
		es, ea := c.lay.Sizeof(t.Elem), c.lay.Alignof(t.Elem)
		if es%ea != 0 {
			return c.errf("%s: alignment of array elements (%d) is greater than element size (%d)", what, ea, es)
		}
		if es*t.Len > MaxSize {
			return c.errf("%s: array of %d bytes is larger than %d", what, es*t.Len, MaxSize)
		}
	case *Record:
		return c.record(t, what)
	case *Enum:
		return c.enum(t, what)
	case *Typedef:
		if !IsIdent(t.Name) {
			return c.errf("%s: typedef name %q is not an identifier", what, t.Name)
		}
		if prev, ok := c.typedefs.get(t.Name); ok && prev != t {
			return c.errf("%s: two different typedefs named %s", what, t.Name)
		}
		c.typedefs.set(t.Name, t)
		if err := checkAlign(t.Aligned, typedefWhat{t}); err != nil {
			return err
		}
		if t.Type == nil {
			return c.errf("typedef %s of nothing", t.Name)
		}
		return c.typ(t.Type, what, voidOK)
	case nil:
		return c.errf("%s: missing type", what)
	default:
		return c.errf("%s: unknown type %T", what, t)
	}
	return nil
}

// enter marks a pointer or typedef as being checked (leave unmarks it); a
// type that reaches itself through pointers and typedefs alone (no record
// in between) is not a C type, and following it would never end.
func (c *checker) enter(t Type, what where) error {
	for _, u := range c.chain {
		if u == t {
			return c.errf("%s: a pointer or typedef that refers to itself", what)
		}
	}
	c.chain = append(c.chain, t)
	return nil
}

func (c *checker) leave() { c.chain = c.chain[:len(c.chain)-1] }

// pointee checks the target of a pointer: anything, complete or not.
func (c *checker) pointee(t Type, what where) error {
	switch t.(type) {
	case *Pointer, *Typedef:
		if err := c.enter(t, what); err != nil {
			return err
		}
		defer c.leave()
	}
	switch u := t.(type) {
	case *Record:
		if err := c.tag(u.Name, u, what); err != nil {
			return err
		}
		if st, _ := c.state.get(u); u.Incomplete || st != 0 {
			return nil
		}
		return c.record(u, what)
	case *Typedef:
		if err := checkAlign(u.Aligned, typedefWhat{u}); err != nil {
			return err
		}
		if prev, ok := c.typedefs.get(u.Name); ok && prev != u {
			return c.errf("%s: two different typedefs named %s", what, u.Name)
		}
		c.typedefs.set(u.Name, u)
		if u.Type == nil {
			return c.errf("typedef %s of nothing", u.Name)
		}
		return c.pointee(u.Type, what)
	case *Basic:
		if u.Kind < Void || u.Kind > LongDouble {
			return c.errf("%s: unknown basic type %d", what, u.Kind)
		}
		return nil
	case *Pointer:
		if u.Elem == nil {
			return c.errf("%s: pointer to nothing", what)
		}
		return c.pointee(u.Elem, what)
	case *Array:
		return c.errf("%s: pointer to array is not modelled", what)
	}
	return c.typ(t, what, true)
}

func (c *checker) tag(name string, t Type, what where) error {
	if name == "" {
		return nil
	}
	if !IsIdent(name) {
		return c.errf("%s: tag %q is not an identifier", what, name)
	}
	if prev, ok := c.tags.get(name); ok && prev != t {
		return c.errf("%s: two different types tagged %s", what, name)
	}
	c.tags.set(name, t)
	return nil
}

func (c *checker) record(r *Record, what where) error {
	if err := c.tag(r.Name, r, what); err != nil {
		return err
	}
	if r.Incomplete {
		return c.errf("%s has incomplete type %s %s", what, recordKeyword(r), r.Name)
	}
	switch st, _ := c.state.get(r); st {
	case 1:
		return c.errf("%s %s contains itself", recordKeyword(r), r.Name)
	case 2:
		return nil
	}
	c.state.set(r, 1)
	if err := checkAlign(r.Aligned, selfWhat{r}); err != nil {
		return err
	}
	// Member names: a linear search over the earlier members for the
	// usual few, a set for records with many.
	var names map[string]bool
	if len(r.Members) > smallMapMax {
		names = make(map[string]bool, len(r.Members))
	}
	seen := func(i int, n string) bool {
		if names != nil {
			return names[n]
		}
		for j := range r.Members[:i] {
			if m := &r.Members[j]; m.Name == n || m.Name == "" && anonymousHas(m, n) {
				return true
			}
		}
		return false
	}
	for i := range r.Members {
		m := &r.Members[i]
		mwhat := where{rec: r, member: i}
		if m.Name != "" {
			if !IsIdent(m.Name) {
				return c.errf("%s: %q is not an identifier", mwhat, m.Name)
			}
			if seen(i, m.Name) {
				return c.errf("%s: duplicate member %s", selfWhat{r}, m.Name)
			}
			if names != nil {
				names[m.Name] = true
			}
		} else if !m.Bitfield && !IsRecord(m.Type) {
			return c.errf("%s: a member needs a name (only bit-fields and records may be unnamed)", mwhat)
		} else if !m.Bitfield && (m.Packed || m.Aligned != 0) {
			// GCC 12 ignores attributes written before an anonymous member,
			// clang 14 applies them; after the body they belong to the type.
			return c.errf("%s: packed or aligned on an anonymous member is not modelled (put it on the record type)", mwhat)
		}
		if err := checkAlign(m.Aligned, mwhat); err != nil {
			return err
		}
		if err := c.typ(m.Type, mwhat, false); err != nil {
			return err
		}
		if inner, ok := m.Type.(*Record); ok && m.Name == "" && !m.Bitfield {
			// C11 6.7.2.1p13: an anonymous member's members are members of
			// this record, so their names must differ from the others'.
			for _, n := range flatNames(inner) {
				if seen(i, n) {
					return c.errf("%s: duplicate member %s", selfWhat{r}, n)
				}
				if names != nil {
					names[n] = true
				}
			}
		}
		if m.Bitfield {
			if !IsIntegral(m.Type) {
				return c.errf("%s: bit-field has non-integer type", mwhat)
			}
			width := c.lay.Sizeof(m.Type) * 8
			if b, ok := Underlying(m.Type).(*Basic); ok && b.Kind == Bool {
				width = 1
			}
			if m.Bits < 0 || m.Bits > width {
				return c.errf("%s: width of bit-field (%d bits) exceeds its type (%d bits)", mwhat, m.Bits, width)
			}
			if m.Bits == 0 && m.Name != "" {
				return c.errf("%s: zero width for a named bit-field", mwhat)
			}
		}
	}
	if c.lay.Of(r).Size > MaxSize {
		return c.errf("%s is larger than %d bytes", selfWhat{r}, MaxSize)
	}
	c.state.set(r, 2)
	return nil
}

// anonymousHas reports whether the anonymous record member m has a member
// called n, its own anonymous members included.
func anonymousHas(m *Member, n string) bool {
	inner, ok := m.Type.(*Record)
	if !ok || m.Bitfield {
		return false
	}
	for i := range inner.Members {
		if im := &inner.Members[i]; im.Name == n || im.Name == "" && anonymousHas(im, n) {
			return true
		}
	}
	return false
}

// flatNames lists the member names of r, those of its anonymous members
// included.
func flatNames(r *Record) []string {
	var out []string
	for i := range r.Members {
		m := &r.Members[i]
		if m.Name != "" {
			out = append(out, m.Name)
		} else if inner, ok := m.Type.(*Record); ok && !m.Bitfield {
			out = append(out, flatNames(inner)...)
		}
	}
	return out
}

func (c *checker) enum(e *Enum, what where) error {
	if err := c.tag(e.Name, e, what); err != nil {
		return err
	}
	if len(e.Values) == 0 {
		return c.errf("%s: enum %s has no enumerators", what, e.Name)
	}
	for _, v := range e.Values {
		if !IsIdent(v.Name) {
			return c.errf("%s: enumerator %q is not an identifier", what, v.Name)
		}
		if prev, ok := c.enumerators.get(v.Name); ok && prev != e {
			return c.errf("%s: enumerator %s defined twice", what, v.Name)
		}
		c.enumerators.set(v.Name, e)
	}
	if len(e.Values) > smallMapMax {
		seen := make(map[string]bool, len(e.Values))
		for _, v := range e.Values {
			if seen[v.Name] {
				return c.errf("%s: enumerator %s defined twice", what, v.Name)
			}
			seen[v.Name] = true
		}
		return nil
	}
	for i, v := range e.Values {
		for _, u := range e.Values[:i] {
			if u.Name == v.Name {
				return c.errf("%s: enumerator %s defined twice", what, v.Name)
			}
		}
	}
	return nil
}

// IsIdent reports whether s can name something in C: an identifier that
// is not a keyword (nor a GNU C spelling the parser reserves).
func IsIdent(s string) bool {
	if s == "" || byteClass[s[0]] != classIdent {
		return false
	}
	for i := 1; i < len(s); i++ {
		if byteClass[s[i]] < classIdent {
			return false
		}
	}
	return !isKeyword(s)
}

// isKeyword reports whether s is a C keyword or a GNU C spelling the
// parser reserves. A switch, not a map: Check asks for every name of a
// signature.
func isKeyword(s string) bool {
	switch s {
	case "auto", "break", "case", "char", "const", "continue",
		"default", "do", "double", "else", "enum", "extern",
		"float", "for", "goto", "if", "inline", "int", "long",
		"register", "restrict", "return", "short", "signed", "sizeof",
		"static", "struct", "switch", "typedef", "union", "unsigned",
		"void", "volatile", "while", "_Bool", "__int128",
		"__attribute__", "_Alignas", "_Alignof", "_Static_assert":
		return true
	}
	return false
}
