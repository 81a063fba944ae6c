// Package props holds trampfuzz's rapid properties: statements about the
// oracle, pahole's BTF and the kernel models that must hold for every
// signature, checked on random ones (gen) and shrunk by rapid when they
// fail. Run more cases with -rapid.checks=N.
package props

import (
	"bytes"
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
	"github.com/trampfuzz/trampfuzz/pahole"
)

func place(t *rapid.T, fn *ctype.Func) loc.Placement {
	p, err := oracle.AAPCS64.Default().Place(fn)
	if err != nil {
		t.Fatalf("oracle: %v\n%s", err, ctype.Render(fn))
	}
	return p
}

// Appending an argument never moves the earlier ones: AAPCS64 allocates
// arguments in order and never revisits an earlier one (stage C is applied
// "for each argument in the list, in turn").
func TestAppendingAnArgumentMovesNothingBefore(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		fn := gen.Func(gen.Full).Draw(t, "fn")
		extra := gen.Func(gen.Full).Draw(t, "extra")
		if len(extra.Params) == 0 {
			return
		}
		longer, err := ctype.Parse("longer.c", []byte(appendParam(fn, extra)))
		if err != nil {
			t.Skip("the two signatures' names collide") // gen names by position
		}
		before, after := place(t, fn), place(t, longer)
		for i, a := range before.Args {
			if !equalLocs(a.Bytes, after.Args[i].Bytes) {
				t.Fatalf("argument %d moved from %v to %v after appending\n%s", i, loc.Runs(a.Bytes), loc.Runs(after.Args[i].Bytes), ctype.Render(longer))
			}
		}
	})
}

// appendParam renders fn with extra's first parameter appended, the extra
// types renamed apart so the file stays valid.
func appendParam(fn, extra *ctype.Func) string {
	renameAll(extra, "x")
	p := extra.Params[0]
	p.Name = fmt.Sprintf("a%d", len(fn.Params))
	both := &ctype.Func{Name: fn.Name, Return: fn.Return, Params: append(append([]ctype.Param{}, fn.Params...), p)}
	return ctype.Render(both)
}

// Renaming records, members, typedefs, enumerators and arguments changes
// neither the ABI's placement nor any verdict: layout and argument passing
// depend on types, not names.
func TestRenamingChangesNothing(t *testing.T) {
	targets := check.Targets()
	rapid.Check(t, func(t *rapid.T) {
		fn := gen.Func(gen.Full).Draw(t, "fn")
		renamed, err := ctype.Parse("copy.c", []byte(ctype.Render(fn)))
		if err != nil {
			t.Fatal(err)
		}
		renameAll(renamed, "r")
		if !equalPlacement(place(t, fn), place(t, renamed)) {
			t.Fatalf("renaming moved arguments\n%s\n%s", ctype.Render(fn), ctype.Render(renamed))
		}
		tg := targets[rapid.IntRange(0, len(targets)-1).Draw(t, "target")]
		a, err1 := check.Run(fn, tg)
		b, err2 := check.Run(renamed, tg)
		if err1 != nil || err2 != nil {
			t.Fatalf("check: %v %v", err1, err2)
		}
		if a.Kind != b.Kind || a.Class != b.Class {
			t.Fatalf("%s: %s %q became %s %q after renaming\n%s", tg, a.Kind, a.Class, b.Kind, b.Class, ctype.Render(renamed))
		}
	})
}

// renameAll gives every name in fn a prefix.
func renameAll(fn *ctype.Func, prefix string) {
	fn.Name = prefix + fn.Name
	for i := range fn.Params {
		if fn.Params[i].Name != "" {
			fn.Params[i].Name = prefix + fn.Params[i].Name
		}
	}
	seen := map[ctype.Type]bool{}
	var walk func(t ctype.Type)
	walk = func(t ctype.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		switch t := t.(type) {
		case *ctype.Pointer:
			walk(t.Elem)
		case *ctype.Array:
			walk(t.Elem)
		case *ctype.Typedef:
			t.Name = prefix + t.Name
			walk(t.Type)
		case *ctype.Enum:
			if t.Name != "" {
				t.Name = prefix + t.Name
			}
			for i := range t.Values {
				t.Values[i].Name = prefix + t.Values[i].Name
			}
		case *ctype.Record:
			if t.Name != "" {
				t.Name = prefix + t.Name
			}
			for i := range t.Members {
				if t.Members[i].Name != "" {
					t.Members[i].Name = prefix + t.Members[i].Name
				}
				walk(t.Members[i].Type)
			}
		}
	}
	walk(fn.Return)
	for _, p := range fn.Params {
		walk(p.Type)
	}
}

// Render and Parse round-trip every generated signature exactly.
func TestRenderParseRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		fn := gen.Func(gen.Full).Draw(t, "fn")
		text := ctype.Render(fn)
		back, err := ctype.Parse("rt.c", []byte(text))
		if err != nil {
			t.Fatalf("Parse(Render(fn)): %v\n%s", err, text)
		}
		if again := ctype.Render(back); again != text {
			t.Fatalf("Render(Parse(x)) != x\n%s\n%s", text, again)
		}
	})
}

// The BTF pahole emits survives marshalling to bytes and loading back with
// every size and member offset that ctype computes (BTF records sizes and
// bit offsets, kernel Documentation/bpf/btf.rst).
func TestBTFRoundTripPreservesLayout(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		fn := gen.Func(gen.Full).Draw(t, "fn")
		abi := place(t, fn)
		bfn, skip, err := pahole.Encode(fn, pahole.V1_24, abi)
		if err != nil {
			t.Fatal(err)
		}
		if skip != nil {
			return // unnamed parameters: nothing emitted
		}
		raw, err := pahole.Marshal(bfn)
		if err != nil {
			t.Fatal(err)
		}
		loaded, err := pahole.Load(raw, bfn.Name)
		if err != nil {
			t.Fatal(err)
		}
		proto := loaded.Type.(interface{}) // *btf.FuncProto
		params := btfParams(proto)
		if len(params) != len(fn.Params) {
			t.Fatalf("%d BTF params, want %d", len(params), len(fn.Params))
		}
		for i, p := range fn.Params {
			if err := sameLayout(p.Type, params[i]); err != nil {
				t.Fatalf("param %d: %v\n%s", i, err, ctype.Render(fn))
			}
		}
	})
}

// For shapes the kernel handles, every trampoline model that accepts the
// function reads every byte where the ABI put it. A handled shape is what
// handledShape says: no 16-byte scalar (__int128, long double: AAPCS64
// 2025Q4 C.10 even pair, System V's 16-byte stack alignment), no
// floating point, no packed or aligned(N) attribute anywhere in it (on a
// record, a member or a typedef: each changes alignment or size in a way
// BTF does not record), and no record of 3, 5, 6 or 7 bytes (x86-64 before
// v6.6 stores such an argument with a width emit_stx cannot encode: the
// known corrupt-code class).
func TestKernelAgreesOnHandledShapes(t *testing.T) {
	targets := check.Targets()
	rapid.Check(t, func(t *rapid.T) {
		fn := gen.Func(gen.Kernel).Draw(t, "fn")
		for _, p := range fn.Params {
			if !handledShape(p.Type, map[ctype.Type]bool{}) {
				t.Skip("not a handled shape")
			}
		}
		for _, tg := range targets {
			v, err := check.Run(fn, tg)
			if err != nil {
				t.Fatal(err)
			}
			if v.Kind == check.Mismatch {
				t.Fatalf("%s misreads a handled shape: %s\n%s", tg, v.Class, v.C)
			}
		}
	})
}

// handledShape reports whether t, by value, holds only the shapes every
// trampoline model reads from BTF sizes alone (see
// TestKernelAgreesOnHandledShapes). Pointers end the walk: the pointee is
// not passed.
func handledShape(t ctype.Type, seen map[ctype.Type]bool) bool {
	if seen[t] {
		return true
	}
	seen[t] = true
	switch t := t.(type) {
	case *ctype.Basic:
		return !t.Kind.IsFloat() && ctype.Sizeof(t) < 16
	case *ctype.Array:
		return handledShape(t.Elem, seen)
	case *ctype.Typedef:
		return t.Aligned == 0 && handledShape(t.Type, seen)
	case *ctype.Record:
		if size := ctype.Sizeof(t); t.Packed || t.Aligned != 0 || size < 8 && size&(size-1) != 0 {
			return false
		}
		for _, m := range t.Members {
			if m.Packed || m.Aligned != 0 || !handledShape(m.Type, seen) {
				return false
			}
		}
	}
	return true
}

// Two signatures with byte-identical BTF but different ABI placements can
// never both agree on a target: the BTF ambiguity is reported, never
// hidden. The pair differs only in where aligned(16) sits: on a record's
// first member (natural alignment 16: even pair, 16-aligned stack slot) or
// on the record itself (natural alignment 8), aapcs64.md §3.
func TestBTFAmbiguityIsNeverHidden(t *testing.T) {
	targets := check.Targets()
	scalars := []*ctype.Basic{ctype.TChar, ctype.TShort, ctype.TInt, ctype.TLong}
	rapid.Check(t, func(t *rapid.T) {
		fn := gen.Func(gen.Kernel).Draw(t, "fn")
		at := rapid.IntRange(0, len(fn.Params)).Draw(t, "position")
		members := []ctype.Member{{Name: "m0", Type: rapid.SampledFrom(scalars).Draw(t, "first")}}
		if rapid.Bool().Draw(t, "second member") {
			members = append(members, ctype.Member{Name: "m1", Type: rapid.SampledFrom(scalars).Draw(t, "second")})
		}
		onMember := &ctype.Record{Name: "amb", Members: append([]ctype.Member{}, members...)}
		onMember.Members[0].Aligned = 16
		onRecord := &ctype.Record{Name: "amb", Members: members, Aligned: 16}
		with := func(r *ctype.Record) *ctype.Func {
			ps := append(append(append([]ctype.Param{}, fn.Params[:at]...), ctype.Param{Name: "amb", Type: r}), fn.Params[at:]...)
			return &ctype.Func{Name: fn.Name, Return: fn.Return, Params: ps}
		}
		a, b := with(onMember), with(onRecord)
		rawA, rawB := btfBytes(t, a), btfBytes(t, b)
		if rawA == nil || rawB == nil {
			return // pahole skipped it (unnamed parameters)
		}
		if !bytes.Equal(rawA, rawB) {
			t.Fatalf("the two spellings give different BTF\n%s\n%s", ctype.Render(a), ctype.Render(b))
		}
		for _, tg := range targets {
			va, err1 := check.Run(a, tg)
			vb, err2 := check.Run(b, tg)
			if err1 != nil || err2 != nil {
				t.Fatalf("check: %v %v", err1, err2)
			}
			if equalPlacement(*va.ABI, *vb.ABI) {
				continue // this ABI places both spellings alike (System V does)
			}
			if va.Kind == check.Agree && vb.Kind == check.Agree {
				t.Fatalf("%s agrees with two different placements of identical BTF\n%s\n%s", tg, va.C, vb.C)
			}
		}
	})
}

func btfBytes(t *rapid.T, fn *ctype.Func) []byte {
	bfn, skip, err := pahole.Encode(fn, pahole.V1_24, place(t, fn))
	if err != nil || skip != nil {
		return nil
	}
	raw, err := pahole.Marshal(bfn)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func equalLocs(a, b []loc.Loc) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func equalPlacement(a, b loc.Placement) bool {
	if len(a.Args) != len(b.Args) {
		return false
	}
	for i := range a.Args {
		if !equalLocs(a.Args[i].Bytes, b.Args[i].Bytes) {
			return false
		}
	}
	return true
}
