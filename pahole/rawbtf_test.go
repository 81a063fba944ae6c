package pahole

import (
	"encoding/binary"
	"fmt"
)

// A minimal reader of raw BTF, independent of cilium/ebpf, so tests can
// check the bytes against the format in the kernel's
// Documentation/bpf/btf.rst ("2. BTF Type and String Encoding").

const (
	kindInt       = 1
	kindPtr       = 2
	kindArray     = 3
	kindStruct    = 4
	kindUnion     = 5
	kindEnum      = 6
	kindFwd       = 7
	kindTypedef   = 8
	kindFunc      = 12
	kindFuncProto = 13
	kindFloat     = 16
	kindEnum64    = 19
)

type rawType struct {
	id       int
	name     string
	kind     int
	kindFlag bool
	vlen     int
	sizeType uint32   // size or type
	extra    []uint32 // the kind-specific words that follow
}

// extraWords is how many u32 follow struct btf_type for each kind.
func extraWords(kind, vlen int) (int, error) {
	switch kind {
	case kindInt:
		return 1, nil
	case kindPtr, kindFwd, kindTypedef, 9, 10, 11, kindFunc, kindFloat, 18:
		return 0, nil
	case kindArray:
		return 3, nil
	case kindStruct, kindUnion, kindEnum64:
		return 3 * vlen, nil
	case kindEnum, kindFuncProto:
		return 2 * vlen, nil
	}
	return 0, fmt.Errorf("kind %d not handled", kind)
}

func parseRawBTF(raw []byte) ([]rawType, error) {
	le := binary.LittleEndian
	if len(raw) < 24 || le.Uint16(raw) != 0xeb9f {
		return nil, fmt.Errorf("not little-endian BTF")
	}
	hdrLen := le.Uint32(raw[4:])
	typeOff, typeLen := le.Uint32(raw[8:]), le.Uint32(raw[12:])
	strOff, strLen := le.Uint32(raw[16:]), le.Uint32(raw[20:])
	types := raw[hdrLen+typeOff : hdrLen+typeOff+typeLen]
	strs := raw[hdrLen+strOff : hdrLen+strOff+strLen]
	str := func(off uint32) string {
		end := off
		for end < uint32(len(strs)) && strs[end] != 0 {
			end++
		}
		return string(strs[off:end])
	}
	var out []rawType
	for p := 0; p < len(types); {
		info := le.Uint32(types[p+4:])
		t := rawType{
			id:       len(out) + 1,
			name:     str(le.Uint32(types[p:])),
			kind:     int(info>>24) & 0x1f,
			kindFlag: info>>31 == 1,
			vlen:     int(info & 0xffff),
			sizeType: le.Uint32(types[p+8:]),
		}
		n, err := extraWords(t.kind, t.vlen)
		if err != nil {
			return nil, err
		}
		p += 12
		for i := 0; i < n; i++ {
			t.extra = append(t.extra, le.Uint32(types[p:]))
			p += 4
		}
		out = append(out, t)
	}
	return out, nil
}

func findRaw(ts []rawType, kind int, name string) (rawType, bool) {
	for _, t := range ts {
		if t.kind == kind && t.name == name {
			return t, true
		}
	}
	return rawType{}, false
}
