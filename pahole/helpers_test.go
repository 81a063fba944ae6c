package pahole

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

func mustParse(tb testing.TB, src string) *ctype.Func {
	tb.Helper()
	fn, err := ctype.Parse("case.c", []byte(src))
	if err != nil {
		tb.Fatalf("parse %q: %v", src, err)
	}
	return fn
}

// inX is an argument of size bytes entirely in GPR xN.
func inX(n, size int) loc.Arg {
	return loc.Arg{Size: size, Bytes: loc.Contiguous(loc.RegByte(loc.XReg(n), 0), size)}
}

// inXPair is a 16-byte argument in xN (bytes 0–7) and xM (bytes 8–15).
func inXPair(n, m int) loc.Arg {
	b := loc.Contiguous(loc.RegByte(loc.XReg(n), 0), 8)
	b = append(b, loc.Contiguous(loc.RegByte(loc.XReg(m), 0), 8)...)
	return loc.Arg{Size: 16, Bytes: b}
}

func inV(n, size int) loc.Arg {
	return loc.Arg{Size: size, Bytes: loc.Contiguous(loc.RegByte(loc.VReg(n), 0), size)}
}

func onStack(off, size int) loc.Arg {
	return loc.Arg{Size: size, Bytes: loc.Contiguous(loc.Stack(off), size)}
}

func placement(args ...loc.Arg) loc.Placement {
	for i := range args {
		args[i].Index = i
	}
	return loc.Placement{Func: "f", Args: args}
}

// sameBTF compares two type graphs kind by kind: names, sizes, encodings,
// members with offsets and bit-field widths, enum values and signedness,
// array lengths and index types, typedef and pointer targets, func linkage
// and proto parameters. It returns the first difference with its path.
func sameBTF(want, got btf.Type) error {
	return (&btfComparer{seen: map[[2]btf.Type]bool{}}).cmp("", want, got)
}

type btfComparer struct{ seen map[[2]btf.Type]bool }

func (c *btfComparer) cmp(path string, a, b btf.Type) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s", strings.TrimPrefix(path, "."), fmt.Sprintf(format, args...))
	}
	if a == nil || b == nil {
		if a == nil && b == nil {
			return nil
		}
		return fail("type %v vs %v", a, b)
	}
	key := [2]btf.Type{a, b}
	if c.seen[key] {
		return nil
	}
	c.seen[key] = true
	if fmt.Sprintf("%T", a) != fmt.Sprintf("%T", b) {
		return fail("kind %T vs %T (%v vs %v)", a, b, a, b)
	}
	switch a := a.(type) {
	case *btf.Void:
		return nil
	case *btf.Int:
		b := b.(*btf.Int)
		if *a != *b {
			return fail("int %+v vs %+v", *a, *b)
		}
	case *btf.Float:
		b := b.(*btf.Float)
		if *a != *b {
			return fail("float %+v vs %+v", *a, *b)
		}
	case *btf.Pointer:
		return c.cmp(path+".*", a.Target, b.(*btf.Pointer).Target)
	case *btf.Typedef:
		b := b.(*btf.Typedef)
		if a.Name != b.Name {
			return fail("typedef %q vs %q", a.Name, b.Name)
		}
		return c.cmp(path+"."+a.Name, a.Type, b.Type)
	case *btf.Array:
		b := b.(*btf.Array)
		if a.Nelems != b.Nelems {
			return fail("array of %d vs %d", a.Nelems, b.Nelems)
		}
		if err := c.cmp(path+".[index]", a.Index, b.Index); err != nil {
			return err
		}
		return c.cmp(path+".[]", a.Type, b.Type)
	case *btf.Struct:
		b := b.(*btf.Struct)
		return c.members(path, "struct", a.Name, b.Name, a.Size, b.Size, a.Members, b.Members)
	case *btf.Union:
		b := b.(*btf.Union)
		return c.members(path, "union", a.Name, b.Name, a.Size, b.Size, a.Members, b.Members)
	case *btf.Fwd:
		b := b.(*btf.Fwd)
		if *a != *b {
			return fail("fwd %+v vs %+v", *a, *b)
		}
	case *btf.Enum:
		b := b.(*btf.Enum)
		if a.Name != b.Name || a.Size != b.Size || a.Signed != b.Signed || fmt.Sprint(a.Values) != fmt.Sprint(b.Values) {
			return fail("enum %+v vs %+v", *a, *b)
		}
	case *btf.Func:
		b := b.(*btf.Func)
		if a.Name != b.Name || a.Linkage != b.Linkage {
			return fail("func %s/%v vs %s/%v", a.Name, a.Linkage, b.Name, b.Linkage)
		}
		return c.cmp(path+"."+a.Name, a.Type, b.Type)
	case *btf.FuncProto:
		b := b.(*btf.FuncProto)
		if err := c.cmp(path+".return", a.Return, b.Return); err != nil {
			return err
		}
		if len(a.Params) != len(b.Params) {
			return fail("%d params vs %d", len(a.Params), len(b.Params))
		}
		for i := range a.Params {
			if a.Params[i].Name != b.Params[i].Name {
				return fail("param %d named %q vs %q", i, a.Params[i].Name, b.Params[i].Name)
			}
			if err := c.cmp(path+"."+a.Params[i].Name, a.Params[i].Type, b.Params[i].Type); err != nil {
				return err
			}
		}
	default:
		return fail("unexpected kind %T", a)
	}
	return nil
}

func (c *btfComparer) members(path, kw, an, bn string, as, bs uint32, am, bm []btf.Member) error {
	if an != bn || as != bs || len(am) != len(bm) {
		return fmt.Errorf("%s: %s %q size %d with %d members vs %s %q size %d with %d members",
			strings.TrimPrefix(path, "."), kw, an, as, len(am), kw, bn, bs, len(bm))
	}
	for i := range am {
		if am[i].Name != bm[i].Name || am[i].Offset != bm[i].Offset || am[i].BitfieldSize != bm[i].BitfieldSize {
			return fmt.Errorf("%s: %s %q member %d: %q off %d bits %d vs %q off %d bits %d",
				strings.TrimPrefix(path, "."), kw, an, i, am[i].Name, am[i].Offset, am[i].BitfieldSize,
				bm[i].Name, bm[i].Offset, bm[i].BitfieldSize)
		}
		if err := (c).cmp(path+"."+kw+" "+an+"."+am[i].Name, am[i].Type, bm[i].Type); err != nil {
			return err
		}
	}
	return nil
}
