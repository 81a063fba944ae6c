package ctype

// PaddingBytes marks, per parameter of fn, the bytes that hold no part of
// its value: the complement of ValueBytes (longDouble as there).
func PaddingBytes(fn *Func, longDouble int64) [][]bool {
	out := make([][]bool, len(fn.Params))
	for i, p := range fn.Params {
		pad := ValueBytes(p.Type, longDouble)
		for b := range pad {
			pad[b] = !pad[b]
		}
		out[i] = pad
	}
	return out
}

// ValueBytes marks the bytes of a value of type t that hold part of its
// value: bytes no member covers (padding), the bits of unnamed bit-fields
// and zero-width bit-fields hold none. longDouble is how many bytes of a
// long double hold its value: 16 on AArch64 (IEEE binary128), 10 on x86-64
// (the x87 80-bit format padded to 16, psABI 1.0 §3.1.2).
//
// A calling convention need not pass the other bytes (System V's NO_CLASS
// eightbytes), so comparisons of placements look at these bytes only.
func ValueBytes(t Type, longDouble int64) []bool {
	value := make([]bool, Sizeof(t))
	markValue(t, 0, value, longDouble)
	return value
}

func markValue(t Type, off int64, value []bool, longDouble int64) {
	mark := func(from, n int64) {
		for b := from; b < from+n && b < int64(len(value)); b++ {
			value[b] = true
		}
	}
	switch u := Underlying(t).(type) {
	case *Basic:
		n := Sizeof(u)
		if u.Kind == LongDouble {
			n = longDouble
		}
		mark(off, n)
	case *Pointer, *Enum:
		mark(off, Sizeof(u))
	case *Record:
		lay := LayoutOf(u)
		for i := range u.Members {
			m := &u.Members[i]
			if !m.Bitfield {
				markValue(m.Type, off+lay.Fields[i].Offset, value, longDouble)
				continue
			}
			if m.Name == "" || m.Bits == 0 {
				continue
			}
			first := off*8 + lay.Fields[i].BitOffset
			mark(first/8, (first+m.Bits-1)/8-first/8+1)
		}
	case *Array:
		esz := Sizeof(u.Elem)
		for k := int64(0); k < u.Len && esz > 0; k++ {
			markValue(u.Elem, off+k*esz, value, longDouble)
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
	var walk func(t Type, off int64)
	walk = func(t Type, off int64) {
		switch u := Underlying(t).(type) {
		case *Basic:
			if u.Kind == LongDouble {
				out = append(out, off)
			}
		case *Record:
			lay := LayoutOf(u)
			for i := range u.Members {
				if !u.Members[i].Bitfield {
					walk(u.Members[i].Type, off+lay.Fields[i].Offset)
				}
			}
		case *Array:
			esz := Sizeof(u.Elem)
			for k := int64(0); k < u.Len && esz > 0; k++ {
				walk(u.Elem, off+k*esz)
			}
		}
	}
	walk(t, 0)
	return out
}
