package pahole

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cilium/ebpf/btf"
)

// ErrBadBTF wraps every error Load returns for bytes that are not BTF
// holding the named function.
var ErrBadBTF = errors.New("pahole: bad BTF")

// Marshal writes fn and every type it reaches as raw BTF (header, types,
// strings), little-endian as on arm64, with btf.NewBuilder. The same type
// graph always gives the same bytes.
func Marshal(fn *btf.Func) ([]byte, error) {
	if fn == nil {
		return nil, fmt.Errorf("pahole: marshal: nil func")
	}
	b, err := btf.NewBuilder([]btf.Type{fn}, nil)
	if err != nil {
		return nil, fmt.Errorf("pahole: marshal %s: %w", fn.Name, err)
	}
	raw, err := b.Marshal(nil, &btf.MarshalOptions{Order: binary.LittleEndian})
	if err != nil {
		return nil, fmt.Errorf("pahole: marshal %s: %w", fn.Name, err)
	}
	return raw, nil
}

// Load reads raw BTF (or an ELF file's .BTF section) with
// btf.LoadSpecFromReader and returns the FUNC called name, which must
// point to a FUNC_PROTO. Corrupt input is an error wrapping ErrBadBTF,
// never a panic.
func Load(raw []byte, name string) (fn *btf.Func, err error) {
	defer func() {
		if r := recover(); r != nil {
			fn, err = nil, fmt.Errorf("%w: %v", ErrBadBTF, r)
		}
	}()
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadBTF, err)
	}
	// A linear walk finds the one FUNC without building the name index
	// TypeByName needs, which costs more than the whole walk for the
	// handful of types of one signature.
	for typ, err := range spec.All() {
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadBTF, err)
		}
		if f, ok := typ.(*btf.Func); ok && f.Name == name {
			if fn != nil {
				return nil, fmt.Errorf("%w: func %q: more than one FUNC of that name", ErrBadBTF, name)
			}
			fn = f
		}
	}
	if fn == nil {
		return nil, fmt.Errorf("%w: func %q: not found", ErrBadBTF, name)
	}
	if _, ok := fn.Type.(*btf.FuncProto); !ok {
		return nil, fmt.Errorf("%w: func %q points to %T, not a FUNC_PROTO", ErrBadBTF, name, fn.Type)
	}
	return fn, nil
}
