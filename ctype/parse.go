package ctype

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Parse reads a C file of struct, union, enum and typedef definitions (and
// forward declarations) followed by exactly one function prototype, the
// canonical text of Render and what people paste from kernel headers:
//   - __attribute__((packed, aligned(16))) as one list, the __packed__ and
//     __aligned__ spellings, aligned with no argument (16 on AArch64);
//   - the attribute before or after a record body, on members (before the
//     type or after the declarator) and on typedefs;
//   - the kernel's __packed and __aligned(N) macros, its u8 … u64,
//     s8 … s64, __u8 … __s64, __aligned_u64 and bool typedefs;
//   - const, volatile, restrict, static, extern, inline and a few kernel
//     function annotations (noinline, notrace, asmlinkage, __bpf_kfunc, ...),
//     which do not change layout and are dropped;
//   - comments, any white space, integer constant expressions.
//
// Anything else (a function body, a preprocessor line, varargs, an unknown
// type name, a function pointer, ...) is an error "file:line:col: message".
// Parse never panics.
func Parse(filename string, src []byte) (*Func, error) {
	return ParseOptions{}.Parse(filename, src)
}

// ParseOptions change how Parse reports errors.
type ParseOptions struct {
	// MaxErrors is how many errors Parse collects before it stops; 0
	// means 10. A caller that only needs to know whether src is a
	// signature (FuzzCheck's decoder, fed mostly broken text) sets 1.
	MaxErrors int
}

// Parse is ctype.Parse with these options.
func (o ParseOptions) Parse(filename string, src []byte) (fn *Func, err error) {
	p := &parser{file: filename, src: string(src), tags: map[string]Type{}, typedefs: map[string]*Typedef{}, consts: map[string]int64{}}
	p.maxErrors = o.MaxErrors
	if p.maxErrors <= 0 {
		p.maxErrors = 10
	}
	p.lx = lexer{src: p.src, errs: func(off int, f string, a ...any) { p.errorAt(off, f, a...) }}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
		}
		if e := p.errs.Err(); e != nil {
			fn, err = nil, e
		}
	}()
	p.next()
	p.file1()
	if len(p.errs) == 0 {
		if p.fn == nil {
			p.errorAt(p.tok.off, "expected a function prototype, found %s", p.tok)
		} else if err := p.chk.fn(p.fn); err != nil {
			p.errorAt(p.fnOff, "%s", strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "))
		}
	}
	return p.fn, nil
}

// builtinKind is the kind of one of the kernel's fixed-width integer typedefs
// (include/uapi/asm-generic/int-ll64.h, include/linux/types.h). Parse
// resolves them to typedefs that Render then writes out, so the canonical
// text stays self-contained.
func builtinKind(name string) (BasicKind, bool) {
	switch strings.TrimPrefix(name, "__") {
	case "u8":
		return UChar, true
	case "s8":
		return SChar, true
	case "u16":
		return UShort, true
	case "s16":
		return Short, true
	case "u32":
		return UInt, true
	case "s32":
		return Int, true
	case "u64":
		return ULongLong, true
	case "s64":
		return LongLong, true
	}
	return Bool, name == "bool"
}

// builtin is the built-in typedef called name, made on first use: each
// Parse returns types of its own.
func (p *parser) builtin(name string) (*Typedef, bool) {
	if td, ok := p.builtins[name]; ok {
		return td, true
	}
	var td *Typedef
	if name == "__aligned_u64" {
		// typedef __u64 __aligned_u64 __attribute__((aligned(8)));
		u64, _ := p.builtin("__u64")
		td = &Typedef{Name: name, Type: u64, Aligned: 8}
	} else if k, ok := builtinKind(name); ok {
		td = &Typedef{Name: name, Type: BasicOf(k)}
	} else {
		return nil, false
	}
	if p.builtins == nil {
		p.builtins = map[string]*Typedef{}
	}
	p.builtins[name] = td
	return td, true
}

type bailout struct{}

type parser struct {
	file, src string
	maxErrors int
	lx        lexer
	tok       token
	ahead     []token
	errs      ErrorList

	tags     map[string]Type     // struct, union and enum tags share one name space
	typedefs map[string]*Typedef // defined in the file
	builtins map[string]*Typedef // u8 … s64 and friends, unless the file defines them
	consts   map[string]int64    // enumerators
	fn       *Func
	fnOff    int
	defining []*Record // records whose body is being parsed, outermost first
	// chk checks each record at its definition, for an error there, and
	// the prototype at the end; what it has checked it does not again.
	chk checker
}

func (p *parser) errorAt(off int, format string, args ...any) {
	pos := position(p.file, p.src, off)
	if n := len(p.errs); n > 0 && p.errs[n-1].Pos.Line == pos.Line {
		return // one error per line is enough
	}
	p.errs = append(p.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
	if len(p.errs) >= p.maxErrors {
		panic(bailout{})
	}
}

// fail reports an error and abandons the current declaration.
func (p *parser) fail(off int, format string, args ...any) {
	p.errorAt(off, format, args...)
	panic(declError{})
}

type declError struct{}

func (p *parser) next() {
	if len(p.ahead) > 0 {
		p.tok, p.ahead = p.ahead[0], p.ahead[1:]
		return
	}
	p.tok = p.lx.next()
}

func (p *parser) peek() token {
	if len(p.ahead) == 0 {
		p.ahead = append(p.ahead, p.lx.next())
	}
	return p.ahead[0]
}

func (p *parser) is(text string) bool {
	return p.tok.kind != tEOF && p.tok.text == text && p.tok.kind != tNumber
}

func (p *parser) expect(text string) int {
	off := p.tok.off
	if !p.is(text) {
		p.fail(off, "expected '%s', found %s", text, p.tok)
	}
	p.next()
	return off
}

// file1 parses declarations up to the end of the file.
func (p *parser) file1() {
	for p.tok.kind != tEOF {
		if p.fn != nil {
			p.errorAt(p.tok.off, "expected end of file after the prototype, found %s (exactly one prototype, after the definitions)", p.tok)
			return
		}
		p.declaration()
	}
}

// declaration parses one top-level declaration, recovering at the next ';'.
func (p *parser) declaration() {
	start := p.tok.off
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(declError); !ok {
				panic(r)
			}
			p.skipPast(";")
		}
	}()
	if p.is("#") {
		p.fail(start, "preprocessor directives are not supported (write the types out)")
	}
	if p.is(";") {
		p.next()
		return
	}
	sp := p.specifiers(ctxTop)
	if p.is(";") {
		if sp.typedef {
			p.fail(start, "typedef declares no name")
		}
		if !sp.tagOnly {
			p.fail(start, "declaration declares nothing")
		}
		p.next()
		return
	}
	for {
		d := p.declarator(sp.typ, false)
		post := p.attributes()
		switch {
		case sp.typedef:
			if d.fn != nil {
				p.fail(d.off, "function typedefs are not supported")
			}
			if d.name == "" {
				p.fail(d.off, "typedef declares no name")
			}
			if _, dup := p.typedefs[d.name]; dup {
				p.fail(d.off, "redefinition of typedef %s", d.name)
			}
			if _, used := p.builtins[d.name]; used {
				p.fail(d.off, "redefinition of typedef %s, used above as the built-in %s", d.name, d.name)
			}
			a := sp.attrs.merge(post)
			if a.packed {
				p.fail(d.off, "packed on a typedef name is ignored by GCC; put it on the record")
			}
			td := &Typedef{Name: d.name, Type: d.typ, Aligned: a.aligned}
			p.typedefs[d.name] = td
		case d.fn != nil:
			if p.is("{") {
				p.fail(p.tok.off, "function bodies are not supported; write a prototype ending in ';'")
			}
			if p.fn != nil {
				p.fail(d.off, "more than one function prototype")
			}
			p.fn = &Func{Name: d.name, Return: d.fn.ret, Params: d.fn.params}
			p.fnOff = d.off
		case d.name == "":
			p.fail(d.off, "expected a declarator, found %s", p.tok)
		default:
			p.fail(d.off, "variable declarations are not supported (only types and one prototype)")
		}
		if !p.is(",") {
			break
		}
		if d.fn != nil {
			p.fail(p.tok.off, "declare exactly one function prototype")
		}
		p.next()
	}
	p.expect(";")
}

func (p *parser) skipPast(text string) {
	depth := 0
	for p.tok.kind != tEOF {
		switch {
		case p.is("{"), p.is("("):
			depth++
		case p.is("}"), p.is(")"):
			depth--
		case p.is(text) && depth <= 0:
			p.next()
			return
		}
		p.next()
	}
}

func unwrap(err error) string { return strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ") }

// attrSet is what packed/aligned attributes say.
type attrSet struct {
	packed   bool
	aligned  int64
	alignOff int
	other    []string // attributes that do not change layout (allowed on functions only)
	otherOff int
}

func (a attrSet) merge(b attrSet) attrSet {
	a.packed = a.packed || b.packed
	if b.aligned > a.aligned {
		a.aligned, a.alignOff = b.aligned, b.alignOff
	}
	if len(b.other) > 0 && len(a.other) == 0 {
		a.otherOff = b.otherOff
	}
	a.other = append(a.other, b.other...)
	return a
}

// attributes parses any run of __attribute__((...)), __packed and
// __aligned(N).
func (p *parser) attributes() attrSet {
	var a attrSet
	for {
		switch {
		case p.is("__attribute__") || p.is("__attribute"):
			p.next()
			p.expect("(")
			p.expect("(")
			for !p.is(")") {
				p.attribute(&a)
				if !p.is(",") {
					break
				}
				p.next()
			}
			p.expect(")")
			p.expect(")")
		case p.is("__packed"):
			p.next()
			a.packed = true
		case p.is("__aligned"):
			off := p.tok.off
			p.next()
			p.expect("(")
			n := p.expr()
			p.expect(")")
			p.checkAligned(n, off)
			a.setAligned(n, off)
		default:
			return a
		}
	}
}

// setAligned records aligned(n); of several, the largest wins, as in GCC.
func (a *attrSet) setAligned(n int64, off int) {
	if n > a.aligned {
		a.aligned, a.alignOff = n, off
	}
}

func (p *parser) attribute(a *attrSet) {
	off := p.tok.off
	if p.tok.kind != tIdent {
		p.fail(off, "expected an attribute name, found %s", p.tok)
	}
	name := strings.TrimSuffix(strings.TrimPrefix(p.tok.text, "__"), "__")
	p.next()
	switch name {
	case "packed":
		a.packed = true
	case "aligned":
		n := int64(16) // "the maximum useful alignment for the target machine" (BIGGEST_ALIGNMENT, AArch64)
		if p.is("(") {
			p.next()
			n = p.expr()
			p.expect(")")
		}
		p.checkAligned(n, off)
		a.setAligned(n, off)
	default:
		if len(a.other) == 0 {
			a.otherOff = off
		}
		a.other = append(a.other, name)
		if p.is("(") { // skip the arguments
			depth := 0
			for p.tok.kind != tEOF {
				if p.is("(") {
					depth++
				} else if p.is(")") {
					depth--
					if depth == 0 {
						p.next()
						break
					}
				}
				p.next()
			}
		}
	}
}

// checkAligned rejects what GCC rejects in aligned(N), and what ctype
// does not model.
func (p *parser) checkAligned(n int64, off int) {
	if n <= 0 || n&(n-1) != 0 {
		p.fail(off, "requested alignment %d is not a positive power of 2", n)
	}
	if n > MaxAlign {
		p.fail(off, "aligned(%d) is larger than the %d trampfuzz models", n, MaxAlign)
	}
}

// noOtherAttrs fails on an attribute other than packed and aligned(N);
// where is spelled out of its words only then.
func (p *parser) noOtherAttrs(a attrSet, where ...string) {
	if len(a.other) > 0 {
		p.fail(a.otherOff, "unsupported attribute %s %s (only packed and aligned(N) change layout)", a.other[0], strings.Join(where, " "))
	}
}

type specCtx uint8

const (
	ctxTop specCtx = iota
	ctxMember
	ctxParam
)

type specs struct {
	typ     Type
	typedef bool
	tagOnly bool // the specifiers were just "struct s {...}" or "struct s"
	attrs   attrSet
	off     int
}

// ignoredWord reports whether w changes nothing about layout or argument
// passing.
func ignoredWord(w string) bool {
	switch w {
	case "const", "volatile", "restrict", "__restrict", "__restrict__",
		"__const", "__volatile__", "static", "extern", "inline",
		"__inline", "__inline__", "register", "noinline", "notrace",
		"__weak", "asmlinkage", "__bpf_kfunc", "__always_inline",
		"__init", "__cold", "__noinline", "__user", "__kernel",
		"__iomem", "__rcu", "__percpu", "__must_check":
		return true
	}
	return false
}

// basicWord reports whether w is one of the words of a basic type.
func basicWord(w string) bool {
	switch w {
	case "void", "_Bool", "char", "short", "int", "long",
		"signed", "__signed__", "unsigned", "float", "double", "__int128":
		return true
	}
	return false
}

func (p *parser) specifiers(ctx specCtx) specs {
	s := specs{off: p.tok.off}
	var words []string
	wordsOff := -1
	sawTag := false
	for {
		t := p.tok
		switch {
		case t.kind != tIdent:
			goto done
		case ignoredWord(t.text):
			p.next()
		case t.text == "typedef":
			if ctx != ctxTop {
				p.fail(t.off, "typedef is only allowed at file scope")
			}
			s.typedef = true
			p.next()
		case t.text == "__attribute__" || t.text == "__attribute" || t.text == "__packed" || t.text == "__aligned":
			s.attrs = s.attrs.merge(p.attributes())
		case basicWord(t.text):
			if s.typ != nil {
				p.fail(t.off, "two types in one declaration: %s after %s", t.text, TypeString(s.typ))
			}
			if wordsOff < 0 {
				wordsOff = t.off
			}
			words = append(words, t.text)
			p.next()
		case t.text == "struct" || t.text == "union":
			if s.typ != nil || words != nil {
				p.fail(t.off, "two types in one declaration")
			}
			s.typ, s.tagOnly = p.recordSpec()
			sawTag = true
		case t.text == "enum":
			if s.typ != nil || words != nil {
				p.fail(t.off, "two types in one declaration")
			}
			s.typ, s.tagOnly = p.enumSpec()
			sawTag = true
		case t.text == "__int128_t" || t.text == "__uint128_t":
			if s.typ != nil || words != nil {
				p.fail(t.off, "two types in one declaration")
			}
			s.typ = TInt128
			if t.text == "__uint128_t" {
				s.typ = TUInt128
			}
			p.next()
		default:
			if s.typ != nil || words != nil {
				goto done // the declarator's name
			}
			if td, ok := p.typedefs[t.text]; ok {
				s.typ = td
				p.next()
				continue
			}
			if td, ok := p.builtin(t.text); ok {
				s.typ = td
				p.next()
				continue
			}
			if nt := p.peek(); nt.kind == tIdent || (nt.kind == tPunct && (nt.text == "*" || (ctx == ctxParam && (nt.text == "," || nt.text == ")")))) {
				p.fail(t.off, "unknown type name %s", t.text)
			}
			p.fail(t.off, "expected a type, found %s", t)
		}
	}
done:
	if words != nil {
		s.typ = p.basic(words, wordsOff)
	}
	if s.typ == nil {
		if p.is("...") {
			p.fail(p.tok.off, "variadic functions (...) are not supported")
		}
		p.fail(p.tok.off, "expected a type, found %s", p.tok)
	}
	s.tagOnly = s.tagOnly && sawTag && !s.typedef
	return s
}

// basic resolves a list of basic type words, in any order, to a kind.
func (p *parser) basic(words []string, off int) Type {
	// The words in any order, counted (C23 6.7.3.1: a multiset).
	var n struct{ signed, unsigned, int, char, short, long, int128, void, bool, float, double, other int }
	for _, w := range words {
		switch w {
		case "signed", "__signed__":
			n.signed++
		case "unsigned":
			n.unsigned++
		case "int":
			n.int++
		case "char":
			n.char++
		case "short":
			n.short++
		case "long":
			n.long++
		case "__int128":
			n.int128++
		case "void":
			n.void++
		case "_Bool":
			n.bool++
		case "float":
			n.float++
		case "double":
			n.double++
		default:
			n.other++
		}
	}
	bad := func() Type {
		p.fail(off, "invalid combination of type specifiers: %s", strings.Join(words, " "))
		return nil
	}
	if n.other > 0 || n.signed+n.unsigned > 1 {
		return bad()
	}
	// only reports whether the words other than signed/unsigned are
	// exactly int (0 or 1 of them, as allowed), and the counts given.
	only := func(ints, char, short, long, int128, void, bool, float, double int) bool {
		return (n.int == ints || ints < 0 && n.int <= 1) && n.char == char && n.short == short && n.long == long &&
			n.int128 == int128 && n.void == void && n.bool == bool && n.float == float && n.double == double
	}
	pick := func(signed, unsigned, plain BasicKind) Type {
		switch {
		case n.signed == 1:
			return BasicOf(signed)
		case n.unsigned == 1:
			return BasicOf(unsigned)
		}
		return BasicOf(plain)
	}
	sign := n.signed + n.unsigned
	switch {
	case only(0, 0, 0, 0, 0, 0, 0, 0, 0) && sign != 0, only(1, 0, 0, 0, 0, 0, 0, 0, 0):
		return pick(Int, UInt, Int)
	case only(0, 1, 0, 0, 0, 0, 0, 0, 0):
		return pick(SChar, UChar, Char)
	case only(-1, 0, 1, 0, 0, 0, 0, 0, 0):
		return pick(Short, UShort, Short)
	case only(-1, 0, 0, 1, 0, 0, 0, 0, 0):
		return pick(Long, ULong, Long)
	case only(-1, 0, 0, 2, 0, 0, 0, 0, 0):
		return pick(LongLong, ULongLong, LongLong)
	case only(0, 0, 0, 0, 1, 0, 0, 0, 0):
		return pick(Int128, UInt128, Int128)
	}
	if sign != 0 {
		return bad()
	}
	switch {
	case only(0, 0, 0, 0, 0, 1, 0, 0, 0):
		return TVoid
	case only(0, 0, 0, 0, 0, 0, 1, 0, 0):
		return TBool
	case only(0, 0, 0, 0, 0, 0, 0, 1, 0):
		return TFloat
	case only(0, 0, 0, 0, 0, 0, 0, 0, 1):
		return TDouble
	case only(0, 0, 0, 1, 0, 0, 0, 0, 1):
		return TLongDouble
	}
	return bad()
}

// recordSpec parses struct/union [attrs] [tag] [attrs] [{ members }] [attrs].
func (p *parser) recordSpec() (Type, bool) {
	kwOff := p.tok.off
	union := p.tok.text == "union"
	kw := p.tok.text
	p.next()
	a := p.attributes()
	name := ""
	if p.tok.kind == tIdent && !isAttrWord(p.tok.text) {
		name = p.tok.text
		p.next()
	}
	a = a.merge(p.attributes())
	if !p.is("{") {
		if name == "" {
			p.fail(p.tok.off, "expected '{' or a tag after %s, found %s", kw, p.tok)
		}
		p.noOtherAttrs(a, "on", kw, name)
		if a.packed || a.aligned != 0 {
			p.fail(kwOff, "attributes on a reference to %s %s do nothing; put them on its definition", kw, name)
		}
		return p.tagRecord(kwOff, name, union), true
	}
	var r *Record
	if name != "" {
		r = p.tagRecord(kwOff, name, union)
		if slices.Contains(p.defining, r) {
			p.fail(kwOff, "nested redefinition of %s %s", kw, name) // GCC's words
		}
		if !r.Incomplete {
			p.fail(kwOff, "redefinition of %s %s", kw, name)
		}
	} else {
		r = &Record{Union: union, Incomplete: true}
	}
	p.defining = append(p.defining, r)
	defer func() { p.defining = p.defining[:len(p.defining)-1] }()
	p.next() // {
	var members []Member
	for !p.is("}") {
		if p.tok.kind == tEOF {
			p.fail(p.tok.off, "expected '}', found end of file")
		}
		members = append(members, p.memberDecl()...)
	}
	p.next() // }
	a = a.merge(p.attributes())
	p.noOtherAttrs(a, "on", kw)
	r.Members, r.Packed, r.Aligned, r.Incomplete = members, a.packed, a.aligned, false
	if err := p.chk.record(r, where{def: r}); err != nil {
		// A failed check leaves records marked as being checked.
		p.chk = checker{}
		p.fail(kwOff, "%s", unwrap(err))
	}
	return r, name != ""
}

func isAttrWord(s string) bool {
	return s == "__attribute__" || s == "__attribute" || s == "__packed" || s == "__aligned"
}

// tagRecord finds or declares the record tagged name.
func (p *parser) tagRecord(off int, name string, union bool) *Record {
	if t, ok := p.tags[name]; ok {
		r, isRec := t.(*Record)
		if !isRec || r.Union != union {
			p.fail(off, "%s used as a different kind of tag", name)
		}
		return r
	}
	r := &Record{Union: union, Name: name, Incomplete: true}
	p.tags[name] = r
	return r
}

// memberDecl parses one member declaration (possibly several declarators).
func (p *parser) memberDecl() []Member {
	sp := p.specifiers(ctxMember)
	var out []Member
	if p.is(";") {
		// An anonymous struct or union member (C11).
		if r, ok := sp.typ.(*Record); ok && r.Name == "" {
			p.noOtherAttrs(sp.attrs, "on a member")
			if sp.attrs.packed || sp.attrs.aligned != 0 {
				// GCC 12 ignores them, clang 14 applies them to the member.
				p.fail(sp.off, "attributes before an anonymous member are not portable; put them after its closing brace")
			}
			p.next()
			return []Member{{Type: r}}
		}
		p.fail(sp.off, "declaration does not declare a member")
	}
	for {
		m := Member{Type: sp.typ}
		off := p.tok.off
		if !p.is(":") {
			d := p.declarator(sp.typ, false)
			if d.fn != nil {
				p.fail(d.off, "a member cannot be a function")
			}
			if d.name == "" {
				p.fail(d.off, "expected a member name, found %s", p.tok)
			}
			m.Name, m.Type, off = d.name, d.typ, d.off
		}
		if p.is(":") {
			p.next()
			m.Bitfield = true
			m.Bits = p.expr()
		}
		a := sp.attrs.merge(p.attributes())
		p.noOtherAttrs(a, "on a member")
		m.Packed, m.Aligned = a.packed, a.aligned
		if r, ok := Underlying(m.Type).(*Record); ok && r.Incomplete {
			p.fail(off, "member %s has incomplete type %s", m.Name, TypeString(m.Type))
		}
		out = append(out, m)
		if !p.is(",") {
			break
		}
		p.next()
	}
	p.expect(";")
	return out
}

// enumSpec parses enum [attrs] [tag] [attrs] [{ A [= expr], ... }] [attrs].
func (p *parser) enumSpec() (Type, bool) {
	kwOff := p.tok.off
	p.next()
	a := p.attributes()
	name := ""
	if p.tok.kind == tIdent && !isAttrWord(p.tok.text) {
		name = p.tok.text
		p.next()
	}
	a = a.merge(p.attributes())
	if !p.is("{") {
		if name == "" {
			p.fail(p.tok.off, "expected '{' or a tag after enum, found %s", p.tok)
		}
		t, ok := p.tags[name]
		e, isEnum := t.(*Enum)
		if !ok || !isEnum {
			p.fail(kwOff, "enum %s is not defined (incomplete enums are not supported)", name)
		}
		return e, true
	}
	if _, ok := p.tags[name]; ok && name != "" {
		p.fail(kwOff, "redefinition of tag %s", name)
	}
	p.next()
	e := &Enum{Name: name}
	var next int64
	overflow := false // the previous value was the largest int64
	for !p.is("}") {
		if p.tok.kind != tIdent {
			p.fail(p.tok.off, "expected an enumerator name, found %s", p.tok)
		}
		vOff, vName := p.tok.off, p.tok.text
		if _, dup := p.consts[vName]; dup {
			p.fail(vOff, "redefinition of enumerator %s", vName)
		}
		p.next()
		if p.is("=") {
			p.next()
			next = p.expr()
		} else if overflow {
			p.fail(vOff, "enumerator value overflows")
		}
		e.Values = append(e.Values, Enumerator{Name: vName, Value: next})
		p.consts[vName] = next
		overflow = next == math.MaxInt64
		next++
		if !p.is(",") {
			break
		}
		p.next()
	}
	p.expect("}")
	if len(e.Values) == 0 {
		p.fail(kwOff, "enum %s has no enumerators", name)
	}
	a = a.merge(p.attributes())
	p.noOtherAttrs(a, "on an enum")
	if a.aligned != 0 {
		p.fail(a.alignOff, "aligned on an enum is not modelled")
	}
	e.Packed = a.packed
	if name != "" {
		p.tags[name] = e
	}
	return e, name != ""
}

type funcDecl struct {
	ret    Type
	params []Param
}

type decl struct {
	name string
	typ  Type
	fn   *funcDecl
	off  int
}

// declarator parses [* [qualifiers]]... [name] [[N]]... [(params)].
func (p *parser) declarator(base Type, abstract bool) decl {
	d := decl{typ: base, off: p.tok.off}
	for p.is("*") {
		p.next()
		if _, ok := Underlying(d.typ).(*Array); ok {
			p.fail(d.off, "pointer to array is not modelled")
		}
		d.typ = &Pointer{Elem: d.typ}
		for p.tok.kind == tIdent && ignoredWord(p.tok.text) {
			p.next()
		}
	}
	if p.is("(") {
		p.fail(p.tok.off, "function pointers and parenthesized declarators are not supported")
	}
	if p.tok.kind == tIdent && !isAttrWord(p.tok.text) {
		d.name, d.off = p.tok.text, p.tok.off
		p.next()
	} else if !abstract && !p.is(":") {
		if p.tok.kind == tIdent || p.tok.kind == tNumber || p.is("[") {
			p.fail(p.tok.off, "expected a name, found %s", p.tok)
		}
	}
	var dims []int64
	for p.is("[") {
		off := p.tok.off
		p.next()
		if p.is("]") {
			p.fail(off, "flexible array members are not supported")
		}
		n := p.expr()
		if n < 1 {
			p.fail(off, "array length %d: zero-length and negative arrays are not supported", n)
		}
		if n > MaxSize {
			p.fail(off, "array length %d is too large", n)
		}
		dims = append(dims, n)
		p.expect("]")
	}
	for i := len(dims) - 1; i >= 0; i-- {
		if b, ok := Underlying(d.typ).(*Basic); ok && b.Kind == Void {
			p.fail(d.off, "array of void")
		}
		d.typ = &Array{Elem: d.typ, Len: dims[i]}
	}
	if p.is("(") && d.name != "" && !abstract {
		if dims != nil {
			p.fail(d.off, "a function cannot return an array")
		}
		d.fn = &funcDecl{ret: d.typ, params: p.params()}
	}
	return d
}

func (p *parser) params() []Param {
	p.expect("(")
	var ps []Param
	if p.is(")") {
		p.fail(p.tok.off, "write f(void) for a function without parameters; f() is an old-style declaration")
	}
	if p.is("void") && p.peek().text == ")" {
		p.next()
		p.next()
		return nil
	}
	for {
		if p.is("...") {
			p.fail(p.tok.off, "variadic functions (...) are not supported")
		}
		sp := p.specifiers(ctxParam)
		d := p.declarator(sp.typ, true)
		if d.fn != nil {
			p.fail(d.off, "function parameters are not supported")
		}
		a := sp.attrs.merge(p.attributes())
		if a.packed || a.aligned != 0 {
			p.fail(sp.off, "packed or aligned on a parameter is not modelled")
		}
		if b, ok := d.typ.(*Basic); ok && b.Kind == Void {
			p.fail(sp.off, "parameter has type void")
		}
		ps = append(ps, Param{Name: d.name, Type: d.typ})
		if !p.is(",") {
			break
		}
		p.next()
	}
	p.expect(")")
	return ps
}

// Constant expressions: literals, enumerators, unary - + ~, * / %, + -,
// << >>, & ^ |, parentheses.
func (p *parser) expr() int64 { return p.binary(0) }

var precedence = map[string]int{"|": 1, "^": 2, "&": 3, "<<": 4, ">>": 4, "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}

func (p *parser) binary(minPrec int) int64 {
	x := p.unary()
	for {
		prec, ok := precedence[p.tok.text]
		if p.tok.kind != tPunct || !ok || prec <= minPrec {
			return x
		}
		op, off := p.tok.text, p.tok.off
		p.next()
		y := p.binary(prec)
		var r int64
		switch op {
		case "|":
			r = x | y
		case "^":
			r = x ^ y
		case "&":
			r = x & y
		case "<<":
			if y < 0 || y > 62 || x < 0 || x > math.MaxInt64>>y {
				p.fail(off, "shift overflows")
			}
			r = x << y
		case ">>":
			if y < 0 || y > 63 {
				p.fail(off, "bad shift count %d", y)
			}
			r = x >> y
		case "+":
			r = x + y
			if (y > 0 && r < x) || (y < 0 && r > x) {
				p.fail(off, "integer overflow")
			}
		case "-":
			r = x - y
			if (y < 0 && r < x) || (y > 0 && r > x) {
				p.fail(off, "integer overflow")
			}
		case "*":
			if x != 0 && (x*y/x != y || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64)) {
				p.fail(off, "integer overflow")
			}
			r = x * y
		case "/", "%":
			if y == 0 {
				p.fail(off, "division by zero")
			}
			if x == math.MinInt64 && y == -1 {
				p.fail(off, "integer overflow")
			}
			if op == "/" {
				r = x / y
			} else {
				r = x % y
			}
		}
		x = r
	}
}

func (p *parser) unary() int64 {
	t := p.tok
	switch {
	case t.kind == tPunct && t.text == "-":
		p.next()
		v := p.unary()
		if v == math.MinInt64 {
			p.fail(t.off, "integer overflow")
		}
		return -v
	case t.kind == tPunct && t.text == "+":
		p.next()
		return p.unary()
	case t.kind == tPunct && t.text == "~":
		p.next()
		return ^p.unary()
	case t.kind == tPunct && t.text == "(":
		p.next()
		v := p.expr()
		p.expect(")")
		return v
	case t.kind == tNumber:
		p.next()
		return p.number(t)
	case t.kind == tIdent:
		if v, ok := p.consts[t.text]; ok {
			p.next()
			return v
		}
		p.fail(t.off, "expected a constant, found %s", t)
	}
	p.fail(t.off, "expected a constant, found %s", t)
	return 0
}

func (p *parser) number(t token) int64 {
	s := strings.TrimRight(t.text, "uUlL")
	if len(t.text)-len(s) > 3 {
		p.fail(t.off, "invalid integer constant %s", t.text)
	}
	base := 10
	switch {
	case strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X"):
		base, s = 16, s[2:]
	case strings.HasPrefix(s, "0b") || strings.HasPrefix(s, "0B"):
		base, s = 2, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	if strings.Contains(s, "_") {
		p.fail(t.off, "invalid integer constant %s", t.text)
	}
	v, err := strconv.ParseInt(s, base, 64)
	if err != nil {
		p.fail(t.off, "invalid or too large integer constant %s", t.text)
	}
	return v
}
