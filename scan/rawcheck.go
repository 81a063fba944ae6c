package scan

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// The standard library's ELF reader and cilium/ebpf's BTF reader report
// many problems without saying where in the file they are ("EOF", "type
// id 515: not found"). When one of them fails, these walks of the raw
// bytes find the first structural problem and its file offset; when they
// find none, the error names the offsets of the sections involved.

// elfProblem checks an ELF file's header, section header table and
// section extents against the file size.
func elfProblem(f *os.File) string {
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	size := st.Size()
	var h [64]byte
	n, _ := f.ReadAt(h[:], 0)
	if n < 64 {
		return fmt.Sprintf("offset %d: ELF header truncated (%d of 64 bytes)", n, n)
	}
	if h[elf.EI_CLASS] != byte(elf.ELFCLASS64) {
		return fmt.Sprintf("offset %d: ELF class %d, want 64-bit", elf.EI_CLASS, h[elf.EI_CLASS])
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if h[elf.EI_DATA] == byte(elf.ELFDATA2MSB) {
		bo = binary.BigEndian
	}
	shoff := int64(bo.Uint64(h[0x28:]))
	shentsize, shnum := int64(bo.Uint16(h[0x3a:])), int64(bo.Uint16(h[0x3c:]))
	if shoff < 0 || shoff+shentsize*shnum > size {
		return fmt.Sprintf("offset %#x: section header table (%d entries of %d bytes) runs past the end of the file (%d bytes)", shoff, shnum, shentsize, size)
	}
	if shentsize < 64 && shnum > 0 {
		return fmt.Sprintf("offset 0x3a: section header size %d, want 64", shentsize)
	}
	for i := int64(0); i < shnum; i++ {
		var sh [64]byte
		at := shoff + i*shentsize
		if _, err := f.ReadAt(sh[:], at); err != nil {
			return fmt.Sprintf("offset %#x: section header %d unreadable", at, i)
		}
		if elf.SectionType(bo.Uint32(sh[4:])) == elf.SHT_NOBITS {
			continue
		}
		off, sz := int64(bo.Uint64(sh[0x18:])), int64(bo.Uint64(sh[0x20:]))
		if off < 0 || sz < 0 || off+sz > size || off+sz < off {
			return fmt.Sprintf("offset %#x: section %d ([%#x, %#x)) runs past the end of the file (%d bytes)", at, i, off, off+sz, size)
		}
	}
	return ""
}

// sectionOffsets names the file offsets of the DWARF sections, for errors
// the DWARF reader reports without one.
func sectionOffsets(f *elf.File, names ...string) string {
	var b bytes.Buffer
	for _, n := range names {
		if s := f.Section(n); s != nil {
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%s at file offset %#x (%d bytes)", n, s.Offset, s.Size)
		}
	}
	return b.String()
}

// btfProblem walks raw BTF (struct btf_header, then struct btf_type
// records, include/uapi/linux/btf.h) and returns the first structural
// problem with its file offset: a section outside the file, a record
// running past the type section, an unknown kind, a name outside the
// string section or a reference to a type that does not exist. Split BTF
// (split) continues the base's type IDs and string offsets, which this
// walk does not know, so only its record structure is checked.
func btfProblem(raw []byte, fileOff int64, split bool) string {
	if len(raw) < 24 {
		return fmt.Sprintf("offset %d: BTF header truncated (%d of 24 bytes)", fileOff+int64(len(raw)), len(raw))
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if bo.Uint16(raw) != 0xeb9f {
		bo = binary.BigEndian
		if bo.Uint16(raw) != 0xeb9f {
			return fmt.Sprintf("offset %d: BTF magic %#04x, want 0xeb9f", fileOff, binary.LittleEndian.Uint16(raw))
		}
	}
	size := int64(len(raw))
	hdrLen := int64(bo.Uint32(raw[4:]))
	typeOff, typeLen := int64(bo.Uint32(raw[8:])), int64(bo.Uint32(raw[12:]))
	strOff, strLen := int64(bo.Uint32(raw[16:])), int64(bo.Uint32(raw[20:]))
	switch {
	case hdrLen < 24 || hdrLen > size:
		return fmt.Sprintf("offset %d: hdr_len %d outside the BTF data (%d bytes)", fileOff+4, hdrLen, size)
	case hdrLen+typeOff+typeLen > size:
		return fmt.Sprintf("offset %d: type section [%d, %d) runs past the end of the BTF data (%d bytes)", fileOff+8, hdrLen+typeOff, hdrLen+typeOff+typeLen, size)
	case hdrLen+strOff+strLen > size:
		return fmt.Sprintf("offset %d: string section [%d, %d) runs past the end of the BTF data (%d bytes)", fileOff+16, hdrLen+strOff, hdrLen+strOff+strLen, size)
	}
	types := raw[hdrLen+typeOff : hdrLen+typeOff+typeLen]
	start := fileOff + hdrLen + typeOff
	// First pass: record extents, to know how many types exist.
	type rec struct {
		off        int64
		kind, vlen int
		b          []byte
	}
	var recs []rec
	for at := int64(0); at < int64(len(types)); {
		if int64(len(types))-at < 12 {
			return fmt.Sprintf("offset %d: type %d: record truncated", start+at, len(recs)+1)
		}
		b := types[at:]
		info := bo.Uint32(b[4:])
		kind, vlen := int(info>>24&0x1f), int(info&0xffff)
		n := int64(12)
		switch kind {
		case kindInt, kindVar, kindDeclTag:
			n += 4
		case kindArray:
			n += 12
		case kindStruct, kindUnion, kindDatasec, kindEnum64:
			n += 12 * int64(vlen)
		case kindEnum, kindFuncProto:
			n += 8 * int64(vlen)
		case kindPtr, kindFwd, kindTypedef, kindVolatile, kindConst, kindRestrict, kindFloat, kindTypeTag, kindFunc:
		default:
			return fmt.Sprintf("offset %d: type %d: unknown kind %d", start+at, len(recs)+1, kind)
		}
		if at+n > int64(len(types)) {
			return fmt.Sprintf("offset %d: type %d: record of %d bytes runs past the type section", start+at, len(recs)+1, n)
		}
		recs = append(recs, rec{start + at, kind, vlen, b[:n]})
		at += n
	}
	if split {
		return ""
	}
	last := uint32(len(recs))
	for i, r := range recs {
		id := i + 1
		if name := int64(bo.Uint32(r.b)); name >= strLen {
			return fmt.Sprintf("offset %d: type %d: name offset %d outside the string section (%d bytes)", r.off, id, name, strLen)
		}
		ref := func(at int, what string) string {
			if t := bo.Uint32(r.b[at:]); t > last {
				return fmt.Sprintf("offset %d: type %d: %s refers to type %d, the last is %d", r.off+int64(at), id, what, t, last)
			}
			return ""
		}
		var p string
		switch r.kind {
		case kindPtr, kindTypedef, kindVolatile, kindConst, kindRestrict, kindFunc, kindVar, kindTypeTag, kindDeclTag, kindFuncProto:
			p = ref(8, "its type")
		}
		for k := 0; p == "" && k < r.vlen; k++ {
			switch r.kind {
			case kindStruct, kindUnion:
				p = ref(12+12*k+4, fmt.Sprintf("member %d", k))
			case kindFuncProto:
				p = ref(12+8*k+4, fmt.Sprintf("parameter %d", k))
			case kindDatasec:
				p = ref(12+12*k, fmt.Sprintf("variable %d", k))
			}
		}
		if p == "" && r.kind == kindArray {
			if p = ref(12, "its element"); p == "" {
				p = ref(16, "its index")
			}
		}
		if p != "" {
			return p
		}
	}
	return ""
}

// btfLocate adds a file offset to a BTF reader error: the first problem
// the raw walk finds, else where the type and string sections are.
func btfLocate(path string, err error) error { return locateBTF(path, err, false) }

// btfLocateSplit is btfLocate for split BTF.
func btfLocateSplit(path string, err error) error { return locateBTF(path, err, true) }

func locateBTF(path string, err error, split bool) error {
	f, oerr := os.Open(path)
	if oerr != nil {
		return err
	}
	defer f.Close()
	raw, off, ok := rawBTFAt(f)
	if !ok {
		return err
	}
	if p := btfProblem(raw, off, split); p != "" {
		return fmt.Errorf("%s (%v)", p, err)
	}
	return fmt.Errorf("%v (BTF at file offset %d, %d bytes)", err, off, len(raw))
}

// rawBTFAt returns raw BTF bytes and their file offset: the whole file, or
// an ELF file's .BTF section.
func rawBTFAt(r io.ReaderAt) ([]byte, int64, bool) {
	var magic [4]byte
	if _, err := r.ReadAt(magic[:], 0); err != nil {
		return nil, 0, false
	}
	if string(magic[:]) == elf.ELFMAG {
		f, err := elf.NewFile(r)
		if err != nil {
			return nil, 0, false
		}
		s := f.Section(".BTF")
		if s == nil {
			return nil, 0, false
		}
		b, err := s.Data()
		return b, int64(s.Offset), err == nil
	}
	// A file says its size: read it in one go (a vmlinux's BTF is 5 MB or
	// more, and growing a buffer to that copies it several times).
	if st, ok := r.(interface{ Stat() (os.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 && fi.Size() < 1<<31 {
			b := make([]byte, fi.Size())
			if n, err := r.ReadAt(b, 0); n == len(b) && (err == nil || err == io.EOF) {
				return b, 0, true
			}
		}
	}
	var b bytes.Buffer
	if _, err := io.Copy(&b, io.NewSectionReader(r, 0, 1<<40)); err != nil {
		return nil, 0, false
	}
	return b.Bytes(), 0, true
}

// missingSection explains why none of the sections named want is in an ELF
// file whose headers are otherwise sound: it names the section-name table
// (.shstrtab, e_shstrndx) and its file offset, and any section whose name
// differs from a wanted one in a single byte, with the header's offset and
// the name's offset in that table: a damaged name rather than a file built
// without the section.
func missingSection(f *os.File, ef *elf.File, want ...string) string {
	var h [64]byte
	if n, _ := f.ReadAt(h[:], 0); n < 64 {
		return "ELF header unreadable"
	}
	bo := ef.ByteOrder
	shoff := int64(bo.Uint64(h[0x28:]))
	shentsize := int64(bo.Uint16(h[0x3a:]))
	shstrndx := int(bo.Uint16(h[0x3e:]))
	var b bytes.Buffer
	if shstrndx < len(ef.Sections) {
		fmt.Fprintf(&b, "section names read from section %d (%s) at file offset %#x", shstrndx, ef.Sections[shstrndx].Name, ef.Sections[shstrndx].Offset)
	} else {
		fmt.Fprintf(&b, "offset 0x3e: e_shstrndx %d names no section (%d sections)", shstrndx, len(ef.Sections))
	}
	for i, s := range ef.Sections {
		for _, w := range want {
			if !oneByteApart(s.Name, w) {
				continue
			}
			at := shoff + int64(i)*shentsize
			var nameOff [4]byte
			f.ReadAt(nameOff[:], at)
			fmt.Fprintf(&b, "; section %d (header at offset %#x) is named %q at string-table offset %#x: a damaged %s?", i, at, s.Name, bo.Uint32(nameOff[:]), w)
		}
	}
	return b.String()
}

// oneByteApart reports whether a and b have the same length and differ in
// exactly one byte.
func oneByteApart(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	diff := 0
	for i := range len(a) {
		if a[i] != b[i] {
			diff++
		}
	}
	return diff == 1
}
