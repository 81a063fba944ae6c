package oracle

import (
	"fmt"

	"github.com/trampfuzz/trampfuzz/ctype"
)

// maxArgBytes bounds one argument: every byte gets a location, so a
// multi-megabyte array member would make a placement of that many entries.
// C allows it; trampfuzz's generators stay far below (gen caps an array at
// 512 bytes).
const maxArgBytes = 1 << 16

// validate reports what in fn would stop placement: a missing type, a void
// or array parameter, an incomplete or self-containing record, a bit-field
// of a non-integer type or too wide, an alignment that is not a power of
// two. It is the part of ctype.Check that placing depends on, without
// Check's maps, so that a placement stays cheap; run ctype.Check for the
// rest of C's rules (names, tags, duplicate members).
func validate(fn *ctype.Func) error {
	if fn == nil {
		return fmt.Errorf("%w: no function", ctype.ErrInvalid)
	}
	var v validator
	for i, p := range fn.Params {
		if p.Type == nil {
			return fmt.Errorf("%w: parameter %d has no type", ctype.ErrInvalid, i)
		}
		if _, ok := underlying(p.Type).(*ctype.Array); ok {
			return fmt.Errorf("%w: parameter %d: an array parameter decays to a pointer; write the pointer", ctype.ErrInvalid, i)
		}
		if err := v.byValue(p.Type, 0); err != nil {
			return fmt.Errorf("%w: parameter %d: %s", ctype.ErrInvalid, i, err)
		}
	}
	return nil
}

// validator walks types used by value. path holds the records being
// walked (a record inside itself by value is infinite); done holds the
// first records found valid (later ones are checked again: harmless).
type validator struct {
	path  [maxDepth + 1]*ctype.Record
	npath int
	done  [16]*ctype.Record
	ndone int
}

// maxDepth bounds typedef and array chains, so a typedef cycle is an error
// rather than endless recursion.
const maxDepth = 256

func (v *validator) byValue(t ctype.Type, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("type nested deeper than %d", maxDepth)
	}
	switch u := t.(type) {
	case nil:
		return fmt.Errorf("missing type")
	case *ctype.Basic:
		if u.Kind <= ctype.Void || u.Kind > ctype.LongDouble {
			return fmt.Errorf("%s is not a value type", kindName(u.Kind))
		}
	case *ctype.Pointer:
		if u.Elem == nil {
			return fmt.Errorf("pointer to nothing")
		}
	case *ctype.Enum:
		if len(u.Values) == 0 {
			return fmt.Errorf("enum %s has no enumerators", u.Name)
		}
	case *ctype.Typedef:
		if err := alignment(u.Aligned, "typedef", u.Name); err != nil {
			return err
		}
		return v.byValue(u.Type, depth+1)
	case *ctype.Array:
		if u.Len < 1 || u.Len > maxArgBytes {
			return fmt.Errorf("array length %d", u.Len)
		}
		return v.byValue(u.Elem, depth+1)
	case *ctype.Record:
		return v.record(u, depth)
	default:
		return fmt.Errorf("unknown type %T", t)
	}
	return nil
}

func (v *validator) record(r *ctype.Record, depth int) error {
	for _, d := range v.done[:v.ndone] {
		if d == r {
			return nil
		}
	}
	if r.Incomplete {
		return fmt.Errorf("incomplete type %s", ctype.TypeString(r))
	}
	for _, p := range v.path[:v.npath] {
		if p == r {
			return fmt.Errorf("%s contains itself", ctype.TypeString(r))
		}
	}
	if v.npath == len(v.path) {
		return fmt.Errorf("records nested deeper than %d", maxDepth)
	}
	v.path[v.npath] = r
	v.npath++
	if err := alignment(r.Aligned, "record", r.Name); err != nil {
		return err
	}
	for i := range r.Members {
		m := &r.Members[i]
		if err := alignment(m.Aligned, "member", m.Name); err != nil {
			return err
		}
		if err := v.byValue(m.Type, depth+1); err != nil {
			return err
		}
		if !m.Bitfield {
			continue
		}
		if !ctype.IsIntegral(m.Type) {
			return fmt.Errorf("bit-field %s has a non-integer type", m.Name)
		}
		if m.Bits < 0 || m.Bits > 8*ctype.Sizeof(m.Type) {
			return fmt.Errorf("bit-field %s is %d bits wide", m.Name, m.Bits)
		}
	}
	v.npath--
	if v.ndone < len(v.done) {
		v.done[v.ndone] = r
		v.ndone++
	}
	return nil
}

func alignment(n int64, what, name string) error {
	if n != 0 && (n < 0 || n&(n-1) != 0 || n > ctype.MaxAlign) {
		return fmt.Errorf("%s %s: aligned(%d) is not a power of two up to %d", what, name, n, ctype.MaxAlign)
	}
	return nil
}

func kindName(k ctype.BasicKind) string {
	if k < ctype.Void || k > ctype.LongDouble {
		return fmt.Sprintf("basic type %d", k)
	}
	return k.String()
}

// underlying strips typedefs, stopping at a nil or a cycle (validate
// reports those).
func underlying(t ctype.Type) ctype.Type {
	for i := 0; i < maxDepth; i++ {
		td, ok := t.(*ctype.Typedef)
		if !ok {
			return t
		}
		t = td.Type
	}
	return t
}
