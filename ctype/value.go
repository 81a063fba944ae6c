package ctype

import "github.com/trampfuzz/trampfuzz/arch"

// PaddingBytes marks, per parameter of fn, the bytes that hold no part of
// its value on architecture a: the complement of ValueBytes.
func PaddingBytes(fn *Func, a *arch.Arch) [][]bool {
	out := make([][]bool, len(fn.Params))
	for i, p := range fn.Params {
		pad := ValueBytes(p.Type, a)
		for b := range pad {
			pad[b] = !pad[b]
		}
		out[i] = pad
	}
	return out
}

// ValueBytes marks the bytes of a value of type t, laid out for
// architecture a, that hold part of its value: bytes no member covers
// (padding), the bits of unnamed bit-fields and zero-width bit-fields hold
// none, and a long double holds a.LongDoubleBytes (16 on AArch64, IEEE
// binary128; 10 on x86-64, the x87 80-bit format padded to 16, psABI 1.0
// §3.1.2).
//
// A calling convention need not pass the other bytes (System V's NO_CLASS
// eightbytes), so comparisons of placements look at these bytes only.
func ValueBytes(t Type, a *arch.Arch) []bool {
	if a == nil {
		a = arch.ARM64
	}
	lay := Layouts{Arch: a}
	value := make([]bool, lay.Sizeof(t))
	mark := func(from, n int64) {
		for b := from; b < from+n && b < int64(len(value)); b++ {
			value[b] = true
		}
	}
	eachScalar(t, 0, &lay, func(u Type, off int64) {
		n := lay.Sizeof(u)
		if b, ok := u.(*Basic); ok && b.Kind == LongDouble {
			n = a.LongDoubleBytes
		}
		mark(off, n)
	}, func(firstBit, bits int64) {
		mark(firstBit/8, (firstBit+bits-1)/8-firstBit/8+1)
	})
	return value
}

// eachScalar calls scalar for every basic, pointer and enum inside a value
// of type t at byte offset off (t itself, record members at any depth,
// array elements), in memory order, and bitfield, when not nil, for every
// named bit-field of nonzero width (its first bit and width): unnamed and
// zero-width bit-fields hold no value.
func eachScalar(t Type, off int64, lay *Layouts, scalar func(u Type, off int64), bitfield func(firstBit, bits int64)) {
	switch u := Underlying(t).(type) {
	case *Basic, *Pointer, *Enum:
		scalar(u, off)
	case *Record:
		rl := lay.Of(u)
		for i := range u.Members {
			m := &u.Members[i]
			switch {
			case !m.Bitfield:
				eachScalar(m.Type, off+rl.Fields[i].Offset, lay, scalar, bitfield)
			case bitfield != nil && m.Name != "" && m.Bits != 0:
				bitfield(off*8+rl.Fields[i].BitOffset, m.Bits)
			}
		}
	case *Array:
		esz := lay.Sizeof(u.Elem)
		for k := int64(0); k < u.Len && esz > 0; k++ {
			eachScalar(u.Elem, off+k*esz, lay, scalar, bitfield)
		}
	}
}

// X87IntegerBits marks, per parameter of fn, byte 7 of every long double
// in it: the byte holding the explicit integer bit of the x87 80-bit
// format (psABI 1.0 §3.1.2, Figure 3.1: long double is that format in 16
// bytes). A parameter without a long double gets nil. Ground-truth
// patterns set that bit so the value stays a normal number, which the x87
// loads and stores compilers copy long doubles with keep unchanged.
func X87IntegerBits(fn *Func) [][]bool {
	out := make([][]bool, len(fn.Params))
	for i, prm := range fn.Params {
		var mask []bool
		for _, off := range LongDoubleOffsets(prm.Type) {
			if mask == nil {
				mask = make([]bool, Sizeof(prm.Type))
			}
			mask[off+7] = true
		}
		out[i] = mask
	}
	return out
}

// LongDoubleOffsets lists the byte offset of every long double inside a
// value of type t (t itself, record members at any depth, array elements),
// in memory order. Bit-fields are never long double.
func LongDoubleOffsets(t Type) []int64 {
	var out []int64
	var lay Layouts
	eachScalar(t, 0, &lay, func(u Type, off int64) {
		if b, ok := u.(*Basic); ok && b.Kind == LongDouble {
			out = append(out, off)
		}
	}, nil)
	return out
}
