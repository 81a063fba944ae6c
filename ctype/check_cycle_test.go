package ctype

import (
	"errors"
	"testing"
)

// A type that reaches itself through pointers or typedefs alone is not C;
// Check must say so instead of recursing forever.
func TestCheckRejectsSelfReferenceWithoutARecord(t *testing.T) {
	p := &Pointer{}
	p.Elem = p
	td := &Typedef{Name: "t1"}
	td.Type = td
	loop := &Typedef{Name: "t2"}
	loop.Type = &Pointer{Elem: loop}
	for _, typ := range []Type{p, td, loop, &Pointer{Elem: td}} {
		fn := &Func{Name: "f", Return: TVoid, Params: []Param{{Name: "a", Type: typ}}}
		if err := Check(fn); !errors.Is(err, ErrInvalid) {
			t.Errorf("Check(%T cycle) = %v, want ErrInvalid", typ, err)
		}
	}
	// A record that points to itself is fine.
	r := &Record{Name: "node"}
	r.Members = []Member{{Name: "next", Type: &Pointer{Elem: r}}}
	if err := Check(&Func{Name: "f", Return: TVoid, Params: []Param{{Name: "a", Type: &Pointer{Elem: r}}}}); err != nil {
		t.Errorf("self-referencing record: %v", err)
	}
}
