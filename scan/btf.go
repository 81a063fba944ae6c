package scan

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/cilium/ebpf/btf"
	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
)

// btfConv turns BTF types into ctype types, caching by BTF type (BTF is
// deduplicated, so one C type is one BTF type).
//
// What BTF cannot tell, and what the conversion does about it:
//   - alignment: BTF has no alignment attribute. A record is rebuilt from
//     its member bit offsets and size (buildRecord): packed where an offset
//     or the size proves it, aligned(N) where a gap or the size proves it,
//     naturally aligned otherwise. An over-alignment that leaves offsets
//     and size unchanged is invisible: {long a; long b;} and
//     {long a __attribute__((aligned(16))); long b;} have identical BTF.
//     Ambiguous says, per function, whether that matters (ambiguity.go).
//   - unnamed bit-fields: pahole writes no member for them; a gap before
//     a bit-field is filled with an unnamed bit-field of its type.
//   - signedness of char: BTF_INT_CHAR is never set by pahole; the name
//     "char" is kept as plain char.
//   - everything behind a pointer: a pointer is 8 bytes whatever it points
//     to, so only scalar pointees are kept (void * otherwise).
type btfConv struct {
	memo convMemo[btf.Type]
	// protos: BTF shares one FUNC_PROTO among the functions of one
	// signature (a vmlinux has 56,257 FUNCs and 25,024 protos), so a
	// proto is converted once.
	protos map[*btf.FuncProto]*protoConv
	// lay lays records out by the BTF's architecture's rules.
	lay layouts
}

// protoConv is a converted FUNC_PROTO: the return and parameters, or why
// they cannot be converted.
type protoConv struct {
	ret    ctype.Type
	params []ctype.Param
	skip   *unsupported
	names  error // checkParamNames
}

func newBTFConv(a *arch.Arch) *btfConv {
	return &btfConv{memo: newConvMemo[btf.Type](),
		protos: map[*btf.FuncProto]*protoConv{}, lay: layouts{a}}
}

// function converts one BTF FUNC. Functions of one FUNC_PROTO share their
// parameter list and have the same shape.
func (c *btfConv) function(fn *btf.Func) *function {
	f := &function{Name: fn.Name}
	proto, ok := fn.Type.(*btf.FuncProto)
	if !ok {
		f.Skip = &unsupported{Reason: SkipBadType, Detail: fmt.Sprintf("FUNC %s of type %T", fn.Name, fn.Type)}
		return f
	}
	pc := c.protos[proto]
	if pc == nil {
		pc = c.proto(proto)
		c.protos[proto] = pc
	}
	if pc.skip != nil {
		f.Skip = pc.skip
		return f
	}
	out := &ctype.Func{Name: fn.Name, Return: pc.ret, Params: pc.params}
	f.shape = proto
	f.spell = func() string {
		var spelled []string
		for _, p := range proto.Params {
			spelled = append(spelled, strings.TrimSpace(spellBTF(p.Type, 0)+" "+p.Name))
		}
		if len(spelled) == 0 {
			spelled = []string{"void"}
		}
		return spellBTF(proto.Return, 0) + " " + fn.Name + "(" + strings.Join(spelled, ", ") + ")"
	}
	// ctype.Check runs in check.Run, once per distinct signature; only
	// the names, which the verdict cache leaves out, are checked here:
	// the parameters' once per proto.
	if err := ctype.CheckFuncName(fn.Name); err != nil {
		f.Skip = &unsupported{Reason: SkipCheck, Detail: err.Error()}
		return f
	}
	if pc.names != nil {
		f.Skip = &unsupported{Reason: SkipCheck, Detail: pc.names.Error()}
		return f
	}
	f.Fn = out
	return f
}

// proto converts a FUNC_PROTO's return and parameter types.
func (c *btfConv) proto(proto *btf.FuncProto) *protoConv {
	ret, err := c.conv(proto.Return)
	if err != nil {
		return &protoConv{skip: asSkip(err, "return type")}
	}
	pc := &protoConv{ret: ret, params: make([]ctype.Param, 0, len(proto.Params))}
	for i, p := range proto.Params {
		if _, void := p.Type.(*btf.Void); void || p.Type == nil {
			if i == len(proto.Params)-1 {
				return &protoConv{skip: &unsupported{Reason: SkipVariadic}}
			}
			return &protoConv{skip: &unsupported{Reason: SkipUnnamedType, Detail: fmt.Sprintf("parameter %d", i)}}
		}
		t, err := c.conv(p.Type)
		if err != nil {
			return &protoConv{skip: asSkip(err, fmt.Sprintf("parameter %d %s", i, p.Name))}
		}
		pc.params = append(pc.params, ctype.Param{Name: p.Name, Type: t})
	}
	pc.names = checkParamNames(pc.params)
	return pc
}

func asSkip(err error, what string) *unsupported {
	if un, ok := err.(*unsupported); ok {
		return &unsupported{Reason: un.Reason, Detail: what + ": " + un.Detail}
	}
	return &unsupported{Reason: SkipBadType, Detail: what + ": " + err.Error()}
}

// conv converts a type used by value.
func (c *btfConv) conv(t btf.Type) (ctype.Type, error) {
	if t == nil {
		return ctype.TVoid, nil
	}
	if v, ok, err := c.memo.lookup(t); ok {
		return v, err
	}
	if !c.memo.enter(t) {
		return nil, skipf(SkipBadType, "%v contains itself", t)
	}
	v, err := c.convert(t)
	return c.memo.done(t, v, err)
}

func (c *btfConv) convert(t btf.Type) (ctype.Type, error) {
	switch t := t.(type) {
	case *btf.Void:
		return ctype.TVoid, nil
	case *btf.Int:
		if t.Encoding&btf.Bool != 0 && t.Size == 1 {
			return ctype.TBool, nil
		}
		if k, ok := intKind(t.Name, int64(t.Size), t.Encoding&btf.Signed != 0); ok {
			return ctype.BasicOf(k), nil
		}
		return nil, skipf(SkipBaseType, "%s (%d bytes)", t.Name, t.Size)
	case *btf.Float:
		switch t.Size {
		case 4:
			return ctype.TFloat, nil
		case 8:
			return ctype.TDouble, nil
		case 16:
			return ctype.TLongDouble, nil
		}
		return nil, skipf(SkipBaseType, "%s (%d bytes)", t.Name, t.Size)
	case *btf.Const:
		return c.conv(t.Type)
	case *btf.Volatile:
		return c.conv(t.Type)
	case *btf.Restrict:
		return c.conv(t.Type)
	case *btf.TypeTag:
		return c.conv(t.Type)
	case *btf.Typedef:
		inner, err := c.conv(t.Type)
		if err != nil {
			return nil, err
		}
		if t.Name == "" {
			return inner, nil
		}
		return &ctype.Typedef{Name: t.Name, Type: inner}, nil
	case *btf.Pointer:
		return c.pointer(t)
	case *btf.Array:
		if t.Nelems == 0 {
			return nil, skipf(SkipFlexible, "%v", t)
		}
		elem, err := c.conv(t.Type)
		if err != nil {
			return nil, err
		}
		return &ctype.Array{Elem: elem, Len: int64(t.Nelems)}, nil
	case *btf.Struct:
		return c.record(false, t.Name, t.Size, t.Members)
	case *btf.Union:
		return c.record(true, t.Name, t.Size, t.Members)
	case *btf.Enum:
		return c.enum(t)
	case *btf.Fwd:
		return nil, skipf(SkipIncomplete, "%s %s", t.Kind, t.Name)
	}
	return nil, skipf(SkipBadType, "%T by value", t)
}

// pointer keeps a scalar pointee and makes every other one void (see
// dwarfConv.pointer).
func (c *btfConv) pointer(p *btf.Pointer) (ctype.Type, error) {
	target := p.Target
	for {
		switch q := target.(type) {
		case *btf.Const:
			target = q.Type
			continue
		case *btf.Volatile:
			target = q.Type
			continue
		case *btf.Restrict:
			target = q.Type
			continue
		case *btf.TypeTag:
			target = q.Type
			continue
		}
		break
	}
	switch target.(type) {
	case *btf.Int, *btf.Float, *btf.Pointer, *btf.Typedef:
		if t, err := c.conv(target); err == nil {
			switch ctype.Underlying(t).(type) {
			case *ctype.Basic, *ctype.Pointer:
				return &ctype.Pointer{Elem: t}, nil
			}
		}
	}
	return &ctype.Pointer{Elem: ctype.TVoid}, nil
}

func (c *btfConv) record(union bool, name string, size uint32, members []btf.Member) (ctype.Type, error) {
	raw := rawRecord{Union: union, Name: name, Size: int64(size)}
	for _, m := range members {
		t, err := c.conv(m.Type)
		if err != nil {
			return nil, err
		}
		raw.Members = append(raw.Members, rawMember{Name: m.Name, Type: t, BitOffset: int64(m.Offset), BitSize: int64(m.BitfieldSize)})
	}
	r, err := buildRecord(raw, c.lay)
	if err != nil {
		return nil, &unsupported{Reason: SkipLayout, Detail: err.Error()}
	}
	return r, nil
}

// enum keeps an enum whose size GNU C's rule gives (ctype.EnumBase) and
// passes any other as the integer of its size and signedness.
func (c *btfConv) enum(e *btf.Enum) (ctype.Type, error) {
	en := &ctype.Enum{Name: e.Name, Packed: e.Size < 4}
	for _, v := range e.Values {
		en.Values = append(en.Values, ctype.Enumerator{Name: v.Name, Value: int64(v.Value)})
	}
	if len(en.Values) > 0 && ctype.Sizeof(en) == int64(e.Size) {
		return en, nil
	}
	if k, ok := intKind("", int64(e.Size), e.Signed); ok {
		return ctype.BasicOf(k), nil
	}
	return nil, skipf(SkipBadType, "enum %s of %d bytes", e.Name, e.Size)
}

// spellBTF spells a BTF type as C, for reports.
func spellBTF(t btf.Type, depth int) string {
	if depth > 16 {
		return "..."
	}
	switch t := t.(type) {
	case nil, *btf.Void:
		return "void"
	case *btf.Int:
		return t.Name
	case *btf.Float:
		return t.Name
	case *btf.Typedef:
		return t.Name
	case *btf.Struct:
		if t.Name == "" {
			return "struct {...}"
		}
		return "struct " + t.Name
	case *btf.Union:
		if t.Name == "" {
			return "union {...}"
		}
		return "union " + t.Name
	case *btf.Enum:
		if t.Name == "" {
			return "enum {...}"
		}
		return "enum " + t.Name
	case *btf.Fwd:
		return t.Kind.String() + " " + t.Name
	case *btf.Const:
		inner := spellBTF(t.Type, depth+1)
		if strings.HasPrefix(inner, "const ") {
			return inner
		}
		return "const " + inner
	case *btf.Volatile:
		return "volatile " + spellBTF(t.Type, depth+1)
	case *btf.Restrict:
		return spellBTF(t.Type, depth+1)
	case *btf.TypeTag:
		return spellBTF(t.Type, depth+1)
	case *btf.Pointer:
		if fp, ok := t.Target.(*btf.FuncProto); ok {
			var ps []string
			for _, p := range fp.Params {
				ps = append(ps, spellBTF(p.Type, depth+1))
			}
			return spellBTF(fp.Return, depth+1) + " (*)(" + strings.Join(ps, ", ") + ")"
		}
		return spellBTF(t.Target, depth+1) + " *"
	case *btf.Array:
		return fmt.Sprintf("%s[%d]", spellBTF(t.Type, depth+1), t.Nelems)
	}
	return "?"
}

// btfFuncIDs lists the type IDs of the FUNCs in raw BTF (a file, or an ELF
// file's .BTF section) by walking the type section's headers (struct
// btf_type and the per-kind data after it, include/uapi/linux/btf.h). ok
// is false for anything unexpected; the caller then walks every type.
func btfFuncIDs(raw []byte) (ids []btf.TypeID, ok bool) {
	if len(raw) < 24 {
		return nil, false
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if bo.Uint16(raw) != 0xeb9f {
		bo = binary.BigEndian
	}
	hdrLen := uint64(bo.Uint32(raw[4:]))
	typeOff, typeLen := uint64(bo.Uint32(raw[8:])), uint64(bo.Uint32(raw[12:]))
	if hdrLen+typeOff+typeLen > uint64(len(raw)) {
		return nil, false
	}
	b := raw[hdrLen+typeOff : hdrLen+typeOff+typeLen]
	for id := btf.TypeID(1); len(b) > 0; id++ {
		if len(b) < 12 {
			return nil, false
		}
		info := bo.Uint32(b[4:])
		kind, vlen := info>>24&0x1f, int(info&0xffff)
		n := 12
		switch kind {
		case kindInt, kindVar, kindDeclTag:
			n += 4
		case kindArray:
			n += 12
		case kindStruct, kindUnion, kindDatasec, kindEnum64:
			n += 12 * vlen
		case kindEnum, kindFuncProto:
			n += 8 * vlen
		case kindPtr, kindFwd, kindTypedef, kindVolatile, kindConst, kindRestrict, kindFloat, kindTypeTag:
		case kindFunc:
			ids = append(ids, id)
		default:
			return nil, false
		}
		if n > len(b) {
			return nil, false
		}
		b = b[n:]
	}
	return ids, true
}

// BTF kinds (include/uapi/linux/btf.h).
const (
	kindInt = iota + 1
	kindPtr
	kindArray
	kindStruct
	kindUnion
	kindEnum
	kindFwd
	kindTypedef
	kindVolatile
	kindConst
	kindRestrict
	kindFunc
	kindFuncProto
	kindVar
	kindDatasec
	kindFloat
	kindDeclTag
	kindTypeTag
	kindEnum64
)
