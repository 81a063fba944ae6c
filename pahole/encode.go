package pahole

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf/btf"
	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

// ErrInvalid wraps every error Encode returns for a signature it cannot
// take (an invalid ctype.Func).
var ErrInvalid = errors.New("pahole: invalid signature")

// Config is one pahole run: a version, its switches and the ELF
// machine of the object it reads.
type Config struct {
	Version Version
	Options Options
	// Arch is the object's architecture, "arm64" (the zero value) or
	// "x86_64": it sets the register parameters of the skip checks.
	Arch string
}

// KernelConfig is v with the switches the kernel build passes.
func KernelConfig(v Version) Config { return Config{Version: v, Options: KernelOptions(v)} }

// Encode returns what pahole v, run with the kernel's switches
// (KernelOptions), emits for fn compiled for arm64 by GCC: the BTF FUNC
// with its FUNC_PROTO, or the Skip that leaves fn out of BTF.
//
// dwarf is the compiler's placement of the arguments, what the DWARF
// locations of the parameters say (the caller passes the oracle's); only
// the register checks of 1.31 and head read it. The mapping from
// placement to DWARF is in the package doc.
func Encode(fn *ctype.Func, v Version, dwarf loc.Placement) (*btf.Func, *Skip, error) {
	return EncodeConfig(fn, KernelConfig(v), dwarf)
}

// EncodeConfig is Encode with explicit switches.
func EncodeConfig(fn *ctype.Func, cfg Config, dwarf loc.Placement) (*btf.Func, *Skip, error) {
	m, err := modelOf(cfg.Version)
	if err != nil {
		return nil, nil, err
	}
	a, err := archOf(cfg.Arch)
	if err != nil {
		return nil, nil, err
	}
	if fn == nil {
		return nil, nil, fmt.Errorf("%w: nil function", ErrInvalid)
	}
	if err := ctype.Check(fn); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if skip := decide(fn, cfg, m, dwarf); skip != nil {
		return nil, skip, nil
	}
	e := newEncoder(cfg.Options, a)
	proto := &btf.FuncProto{Return: e.typ(fn.Return)}
	for _, p := range fn.Params {
		proto.Params = append(proto.Params, btf.FuncParam{Name: p.Name, Type: e.typ(p.Type)})
	}
	// btf_encoder.c btf_encoder__add_ref_type: every FUNC is added with
	// btf__add_func(btf, name, BTF_FUNC_STATIC, type), whatever the
	// symbol's binding.
	return &btf.Func{Name: fn.Name, Type: proto, Linkage: btf.StaticFunc}, nil, nil
}

// encoder turns ctype types into btf types the way pahole turns GCC's
// DWARF into BTF. One encoder is one compilation unit: every ctype value
// maps to one btf value, so shared and recursive types stay shared.
type encoder struct {
	opts  Options
	types map[ctype.Type]btf.Type
	basic map[ctype.BasicKind]btf.Type
	lay   ctype.Layouts // the unit's record layouts, each computed once
}

func newEncoder(opts Options, a *arch.Arch) *encoder {
	return &encoder{opts: opts, types: map[ctype.Type]btf.Type{}, basic: map[ctype.BasicKind]btf.Type{}, lay: ctype.Layouts{Arch: a}}
}

var voidType = &btf.Void{}

// baseNames are GCC's DW_AT_name for the base types on aarch64-linux-gnu
// (gcc 12, checked with readelf and by the real-pahole test): pahole
// copies the DWARF name into BTF.
var baseNames = map[ctype.BasicKind]string{
	ctype.Bool:       "_Bool",
	ctype.Char:       "char",
	ctype.SChar:      "signed char",
	ctype.UChar:      "unsigned char",
	ctype.Short:      "short int",
	ctype.UShort:     "short unsigned int",
	ctype.Int:        "int",
	ctype.UInt:       "unsigned int",
	ctype.Long:       "long int",
	ctype.ULong:      "long unsigned int",
	ctype.LongLong:   "long long int",
	ctype.ULongLong:  "long long unsigned int",
	ctype.Int128:     "__int128",
	ctype.UInt128:    "__int128 unsigned",
	ctype.Float:      "float",
	ctype.Double:     "double",
	ctype.LongDouble: "long double",
}

// basicType encodes a base type as btf_encoder.c btf_encoder__add_base_type
// does: is_signed → BTF_INT_SIGNED, else is_bool → BTF_INT_BOOL, else a
// float with gen_floats → BTF_KIND_FLOAT, else an INT with encoding 0.
// dwarf_loader.c base_type__new sets is_signed for DW_ATE_signed and
// DW_ATE_signed_char, is_bool for DW_ATE_boolean. char is unsigned on
// AArch64 (DW_ATE_unsigned_char), so it gets encoding 0; pahole never
// emits BTF_INT_CHAR.
func (e *encoder) basicType(k ctype.BasicKind) btf.Type {
	if k == ctype.Void {
		return voidType
	}
	if t, ok := e.basic[k]; ok {
		return t
	}
	name := baseNames[k]
	size := uint32(ctype.Sizeof(ctype.BasicOf(k)))
	var t btf.Type
	switch {
	case k.IsFloat() && e.opts.GenFloats:
		t = &btf.Float{Name: name, Size: size}
	case k.IsFloat():
		t = &btf.Int{Name: name, Size: size, Encoding: btf.Unsigned}
	case k == ctype.Bool:
		t = &btf.Int{Name: name, Size: size, Encoding: btf.Bool}
	case k.IsSigned():
		t = &btf.Int{Name: name, Size: size, Encoding: btf.Signed}
	default:
		t = &btf.Int{Name: name, Size: size, Encoding: btf.Unsigned}
	}
	e.basic[k] = t
	return t
}

func (e *encoder) typ(t ctype.Type) btf.Type {
	if b, ok := t.(*ctype.Basic); ok {
		return e.basicType(b.Kind)
	}
	if bt, ok := e.types[t]; ok {
		return bt
	}
	switch t := t.(type) {
	case *ctype.Pointer:
		p := &btf.Pointer{}
		e.types[t] = p
		p.Target = e.typ(t.Elem)
		return p
	case *ctype.Array:
		// GCC writes T[a][b] as one DW_TAG_array_type with two subranges,
		// and btf_encoder.c encodes it as one ARRAY of the innermost type
		// with nelems a*b ("TODO: Encode one dimension at a time"). A
		// typedef'd inner array is a type of its own and stays nested.
		// The index type is the CU's "int" (or a synthesized signed
		// 4-byte "int").
		n := uint32(1)
		var elem ctype.Type = t
		for {
			a, ok := elem.(*ctype.Array)
			if !ok {
				break
			}
			n *= uint32(a.Len)
			elem = a.Elem
		}
		arr := &btf.Array{Index: e.basicType(ctype.Int), Nelems: n}
		e.types[t] = arr
		arr.Type = e.typ(elem)
		return arr
	case *ctype.Typedef:
		// Typedefs are kept as TYPEDEF; aligned(N) on a typedef has no
		// BTF encoding.
		td := &btf.Typedef{Name: t.Name}
		e.types[t] = td
		td.Type = e.typ(t.Type)
		return td
	case *ctype.Enum:
		return e.enum(t)
	case *ctype.Record:
		return e.record(t)
	}
	panic(fmt.Sprintf("pahole: unknown ctype %T", t))
}

// enum encodes an enumeration as btf_encoder.c btf_encoder__add_enum:
// size ≤ 4 → BTF_KIND_ENUM, where libbpf's btf__add_enum_value sets
// kind_flag (signed) when a value is negative; size 8 → BTF_KIND_ENUM64
// with kind_flag = is_signed_enum. With GCC an enum's underlying type is
// signed exactly when a value is negative (ctype.EnumBase), so both rules
// give Signed = "some value < 0".
func (e *encoder) enum(t *ctype.Enum) btf.Type {
	en := &btf.Enum{Name: t.Name, Size: uint32(e.lay.Sizeof(t)), Values: make([]btf.EnumValue, 0, len(t.Values))}
	for _, v := range t.Values {
		en.Values = append(en.Values, btf.EnumValue{Name: v.Name, Value: uint64(v.Value)})
		if v.Value < 0 {
			en.Signed = true
		}
	}
	e.types[t] = en
	return en
}

// record encodes a struct or union as btf_encoder.c
// btf_encoder__add_struct_type: name (empty when anonymous), DW_AT_byte_size
// and one member per DWARF member with its bit offset from the record's
// start and, for a bit-field, its width (libbpf's btf__add_field then sets
// the record's kind_flag). GCC writes no DWARF member for an unnamed
// bit-field, so BTF has none either. A declared-only record is a FWD.
func (e *encoder) record(r *ctype.Record) btf.Type {
	if r.Incomplete {
		kind := btf.FwdStruct
		if r.Union {
			kind = btf.FwdUnion
		}
		f := &btf.Fwd{Name: r.Name, Kind: kind}
		e.types[r] = f
		return f
	}
	lay := e.lay.Of(r)
	members := make([]btf.Member, 0, len(r.Members))
	var out btf.Type
	if r.Union {
		u := &btf.Union{Name: r.Name, Size: uint32(lay.Size)}
		e.types[r] = u
		out = u
	} else {
		s := &btf.Struct{Name: r.Name, Size: uint32(lay.Size)}
		e.types[r] = s
		out = s
	}
	for i, m := range r.Members {
		if m.Bitfield && m.Name == "" {
			continue
		}
		bm := btf.Member{Name: m.Name, Type: e.typ(m.Type), Offset: btf.Bits(lay.Fields[i].BitOffset)}
		if m.Bitfield {
			bm.BitfieldSize = btf.Bits(m.Bits)
		}
		members = append(members, bm)
	}
	switch o := out.(type) {
	case *btf.Union:
		o.Members = members
	case *btf.Struct:
		o.Members = members
	}
	return out
}
