package scan

import (
	"debug/dwarf"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/oracle"
)

// DWARF attributes and values debug/dwarf has no name for.
const (
	attrGNUVector   dwarf.Attr = 0x2107 // DW_AT_GNU_vector: a GCC vector type
	attrCallingConv            = dwarf.AttrCalling
	ccNoCall                   = 0x3 // DW_CC_nocall: the compiler changed how the function is called
	ateBoolean                 = 0x2
	ateComplexFloat            = 0x3
	ateFloat                   = 0x4
	ateSigned                  = 0x5
	ateSignedChar              = 0x6
	ateUnsigned                = 0x7
	ateUnsignedChar            = 0x8
	ateUTF                     = 0x10
	langC89                    = 0x1
	langC                      = 0x2
	langC99                    = 0xc
	langC11                    = 0x1d
	langC17                    = 0x2c
	utSkeletonTag   dwarf.Tag  = 0x4a // DW_TAG_skeleton_unit
)

// unsupported is a function (or one of its types) that cannot become a
// ctype.Func. Reason is the short, stable text counted in reports; Detail
// names the type.
type unsupported struct {
	Reason string
	Detail string
}

func (u *unsupported) Error() string {
	if u.Detail == "" {
		return u.Reason
	}
	return u.Reason + ": " + u.Detail
}

func skipf(reason, format string, args ...any) error {
	return &unsupported{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// Skip reasons (counted in Report.Skipped).
const (
	SkipNoPrototype = "no prototype (K&R definition)"
	SkipVariadic    = "variadic"
	SkipLanguage    = "not C"
	SkipComplex     = "_Complex argument"
	SkipVector      = "vector type"
	SkipFlexible    = "flexible array in a record passed by value"
	SkipBaseType    = "base type ctype does not model"
	SkipLayout      = "record layout not reproducible"
	SkipTypeUnit    = "type in a type unit (DW_FORM_ref_sig8)"
	SkipBadType     = "type the converter does not take"
	SkipIncomplete  = "incomplete type by value"
	SkipCheck       = "rejected by ctype.Check"
	SkipSkeleton    = "split DWARF skeleton unit (types are in a .dwo file)"
	SkipUnnamedType = "parameter without a type"
)

// node is one DIE and its children.
type node struct {
	e    *dwarf.Entry
	kids []*node
}

// dwarfFile is one ELF file with DWARF, plus what parameter locations need
// and debug/dwarf does not expose: the location list sections (relocated
// for ET_REL objects), .debug_addr, unit versions and ELF function symbols.
type dwarfFile struct {
	path     string
	f        *elf.File
	machine  *dwarfMachine // the file's architecture
	d        *dwarf.Data
	loc      []byte // .debug_loc (DWARF 2-4)
	loclists []byte // .debug_loclists (DWARF 5)
	addr     []byte // .debug_addr
	units    []unitHeader
	syms     []funcSym // STT_FUNC symbols by address
	hasSyms  bool
	// foreign holds DIEs read outside the current unit (DW_FORM_ref_addr).
	foreign map[dwarf.Offset]*node
}

type unitHeader struct {
	start, end dwarf.Offset // the unit's bytes in .debug_info, header included
	version    int
}

// openDWARF opens path as an ELF file with DWARF of an architecture with a
// record (its DWARF register numbers, stack pointer and relocations).
func openDWARF(path string, r io.ReaderAt) (*dwarfFile, error) {
	f, err := elf.NewFile(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	a, err := arch.ByELF(f.Machine)
	if err != nil {
		return nil, fmt.Errorf("%s: ELF machine %v: %v (scan its .BTF with -input btf)", path, f.Machine, err)
	}
	if f.Class != elf.ELFCLASS64 || f.Data != elf.ELFDATA2LSB {
		return nil, fmt.Errorf("%s: %v %v: want 64-bit little-endian %s", path, f.Class, f.Data, a)
	}
	df := &dwarfFile{path: path, f: f, machine: newDWARFMachine(a), foreign: map[dwarf.Offset]*node{}}
	if df.d, err = f.DWARF(); err != nil {
		return nil, fmt.Errorf("%s: DWARF: %w (%s)", path, err, sectionOffsets(f, ".debug_info", ".debug_abbrev", ".debug_str"))
	}
	for _, s := range []struct {
		name string
		dst  *[]byte
	}{{".debug_loc", &df.loc}, {".debug_loclists", &df.loclists}, {".debug_addr", &df.addr}} {
		if *s.dst, err = df.section(s.name); err != nil {
			return nil, err
		}
	}
	if err := df.readUnitHeaders(); err != nil {
		return nil, err
	}
	df.readSymbols()
	return df, nil
}

// section returns a debug section's bytes with the object's RELA
// relocations applied (ET_REL objects keep addresses in relocations; the
// standard library applies them only to the sections it reads itself).
func (df *dwarfFile) section(name string) ([]byte, error) {
	s := df.f.Section(name)
	if s == nil {
		return nil, nil
	}
	b, err := s.Data()
	if err != nil {
		return nil, fmt.Errorf("%s: section %s at offset %#x: %w", df.path, name, s.Offset, err)
	}
	if df.f.Type != elf.ET_REL {
		return b, nil
	}
	rela := df.f.Section(".rela" + name)
	if rela == nil {
		return b, nil
	}
	rb, err := rela.Data()
	if err != nil {
		return nil, fmt.Errorf("%s: section %s at offset %#x: %w", df.path, rela.Name, rela.Offset, err)
	}
	syms, err := df.f.Symbols()
	if err != nil {
		return nil, fmt.Errorf("%s: symbols for %s: %w", df.path, rela.Name, err)
	}
	for off := 0; off+24 <= len(rb); off += 24 {
		r := elf.Rela64{
			Off:    binary.LittleEndian.Uint64(rb[off:]),
			Info:   binary.LittleEndian.Uint64(rb[off+8:]),
			Addend: int64(binary.LittleEndian.Uint64(rb[off+16:])),
		}
		si := elf.R_SYM64(r.Info)
		var value uint64
		if si != 0 {
			if int(si) > len(syms) {
				return nil, fmt.Errorf("%s: %s entry at offset %#x: symbol %d out of range", df.path, rela.Name, rela.Offset+uint64(off), si)
			}
			value = syms[si-1].Value
		}
		v := value + uint64(r.Addend)
		switch elf.R_TYPE64(r.Info) {
		case df.machine.arch.RelocAbs64:
			if r.Off+8 > uint64(len(b)) {
				return nil, fmt.Errorf("%s: %s entry at offset %#x: relocation past the section end", df.path, rela.Name, rela.Offset+uint64(off))
			}
			binary.LittleEndian.PutUint64(b[r.Off:], v)
		case df.machine.arch.RelocAbs32:
			if r.Off+4 > uint64(len(b)) {
				return nil, fmt.Errorf("%s: %s entry at offset %#x: relocation past the section end", df.path, rela.Name, rela.Offset+uint64(off))
			}
			binary.LittleEndian.PutUint32(b[r.Off:], uint32(v))
		}
	}
	return b, nil
}

// readUnitHeaders records each unit's DWARF version, which says whether a
// location list offset points into .debug_loc or .debug_loclists and
// debug/dwarf does not report.
func (df *dwarfFile) readUnitHeaders() error {
	s := df.f.Section(".debug_info")
	if s == nil {
		return nil
	}
	rs := s.Open()
	var off int64
	var hdr [12]byte
	for {
		n, err := io.ReadFull(rs, hdr[:6])
		if err == io.EOF || n == 0 {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: .debug_info unit header at offset %#x: truncated", df.path, off)
		}
		length := int64(binary.LittleEndian.Uint32(hdr[:4]))
		hlen := int64(4)
		version := int(binary.LittleEndian.Uint16(hdr[4:6]))
		if length == 0xffffffff {
			var ext [10]byte
			copy(ext[:2], hdr[4:6])
			if _, err := io.ReadFull(rs, ext[2:]); err != nil {
				return fmt.Errorf("%s: .debug_info unit header at offset %#x: truncated", df.path, off)
			}
			length = int64(binary.LittleEndian.Uint64(ext[:8]))
			version = int(binary.LittleEndian.Uint16(ext[8:10]))
			hlen = 12
			if _, err := rs.Seek(off+hlen+2, io.SeekStart); err != nil {
				return fmt.Errorf("%s: .debug_info at offset %#x: %w", df.path, off, err)
			}
		}
		end := off + hlen + length
		if length < 2 || end > int64(s.Size) || end < off {
			return fmt.Errorf("%s: .debug_info unit at offset %#x: length %d runs past the section (%d bytes)", df.path, off, length, s.Size)
		}
		df.units = append(df.units, unitHeader{start: dwarf.Offset(off), end: dwarf.Offset(end), version: version})
		off = end
		if _, err := rs.Seek(off, io.SeekStart); err != nil {
			return fmt.Errorf("%s: .debug_info at offset %#x: %w", df.path, off, err)
		}
	}
}

func (df *dwarfFile) unitVersion(off dwarf.Offset) int {
	i := sort.Search(len(df.units), func(i int) bool { return df.units[i].end > off })
	if i < len(df.units) && df.units[i].start <= off {
		return df.units[i].version
	}
	return 0
}

// funcSym is one ELF function symbol.
type funcSym struct {
	value, size uint64
	name        string
}

func (df *dwarfFile) readSymbols() {
	syms, err := df.f.Symbols()
	if err != nil {
		return
	}
	for _, s := range syms {
		if elf.ST_TYPE(s.Info) != elf.STT_FUNC || s.Name == "" {
			continue
		}
		df.syms = append(df.syms, funcSym{s.Value, s.Size, s.Name})
	}
	df.hasSyms = len(df.syms) > 0
	sort.Slice(df.syms, func(i, j int) bool { return df.syms[i].value < df.syms[j].value })
}

// symbolsAt returns the names of the function symbols whose code contains
// pc. A symbol need not start at DW_AT_low_pc: with
// -fpatchable-function-entry (arm64 kernels with ftrace) the symbol
// starts at NOPs placed before the code DWARF describes.
func (df *dwarfFile) symbolsAt(pc uint64) []string {
	i := sort.Search(len(df.syms), func(i int) bool { return df.syms[i].value > pc })
	var out []string
	for j := i - 1; j >= 0 && j >= i-64; j-- {
		s := df.syms[j]
		if pc < s.value+max(s.size, 1) {
			out = append(out, s.name)
		}
	}
	return out
}

// unit is one compilation unit's DIE tree and conversion state.
type unit struct {
	df      *dwarfFile
	cu      *dwarf.Entry
	name    string
	version int
	nodes   map[dwarf.Offset]*node
	top     []*node
	files   []*dwarf.LineFile
	variant string // the oracle variant of the unit's compiler
	conv    *dwarfConv
}

// readUnits calls fn for every unit, in order, with its DIE tree.
func (df *dwarfFile) readUnits(fn func(u *unit) error) error {
	r := df.d.Reader()
	for {
		e, err := r.Next()
		if err != nil {
			return fmt.Errorf("%s: %w (%s)", df.path, err, sectionOffsets(df.f, ".debug_info", ".debug_abbrev"))
		}
		if e == nil {
			return nil
		}
		u := &unit{df: df, cu: e, nodes: map[dwarf.Offset]*node{}, version: df.unitVersion(e.Offset)}
		u.name, _ = e.Val(dwarf.AttrName).(string)
		if e.Children {
			kids, err := readChildren(r, u.nodes)
			if err != nil {
				return fmt.Errorf("%s: unit %s at .debug_info offset %#x: %w (%s)", df.path, u.name, e.Offset, err,
					sectionOffsets(df.f, ".debug_info"))
			}
			u.top = kids
		}
		if err := fn(u); err != nil {
			return err
		}
	}
}

// readChildren reads the children of the entry r just returned, up to the
// null entry that ends them.
func readChildren(r *dwarf.Reader, nodes map[dwarf.Offset]*node) ([]*node, error) {
	var kids []*node
	for {
		e, err := r.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return nil, errors.New("unit ends inside a list of children")
		}
		if e.Tag == 0 {
			return kids, nil
		}
		n := &node{e: e}
		nodes[e.Offset] = n
		kids = append(kids, n)
		if !e.Children {
			continue
		}
		if e.Tag == dwarf.TagSubprogram {
			n.kids, err = readSubprogram(r, nodes)
		} else {
			n.kids, err = readChildren(r, nodes)
		}
		if err != nil {
			return nil, err
		}
	}
}

// readSubprogram reads a subprogram's children but keeps only its
// parameters: blocks, variables, inlined calls and call sites are skipped
// whole (debug/dwarf follows DW_AT_sibling), which is most of a kernel's
// DWARF.
func readSubprogram(r *dwarf.Reader, nodes map[dwarf.Offset]*node) ([]*node, error) {
	var kids []*node
	for {
		e, err := r.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return nil, errors.New("unit ends inside a list of children")
		}
		if e.Tag == 0 {
			return kids, nil
		}
		if e.Tag != dwarf.TagFormalParameter && e.Tag != dwarf.TagUnspecifiedParameters {
			if e.Children {
				r.SkipChildren()
			}
			continue
		}
		n := &node{e: e}
		nodes[e.Offset] = n
		kids = append(kids, n)
		if e.Children {
			if n.kids, err = readChildren(r, nodes); err != nil {
				return nil, err
			}
		}
	}
}

// lookup finds the DIE at off, in this unit or, for a reference into
// another unit (DW_FORM_ref_addr), by reading it there.
func (u *unit) lookup(off dwarf.Offset) (*node, error) {
	if n, ok := u.nodes[off]; ok {
		return n, nil
	}
	if n, ok := u.df.foreign[off]; ok {
		return n, nil
	}
	r := u.df.d.Reader()
	r.Seek(off)
	e, err := r.Next()
	if err != nil {
		return nil, err
	}
	if e == nil || e.Offset != off || e.Tag == 0 {
		return nil, fmt.Errorf("no DIE at .debug_info offset %#x", off)
	}
	n := &node{e: e}
	u.df.foreign[off] = n
	if e.Children {
		if n.kids, err = readChildren(r, u.df.foreign); err != nil {
			return nil, fmt.Errorf("DIE at .debug_info offset %#x: %w", off, err)
		}
	}
	return n, nil
}

// ref follows a reference attribute of e; nil when e has none.
func (u *unit) ref(e *dwarf.Entry, a dwarf.Attr) (*node, error) {
	f := e.AttrField(a)
	if f == nil {
		return nil, nil
	}
	switch f.Class {
	case dwarf.ClassReference:
		off, ok := f.Val.(dwarf.Offset)
		if !ok {
			return nil, fmt.Errorf("DIE at %#x: %v is not an offset", e.Offset, a)
		}
		return u.lookup(off)
	case dwarf.ClassReferenceSig:
		return nil, &unsupported{Reason: SkipTypeUnit, Detail: fmt.Sprintf("DIE at %#x", e.Offset)}
	}
	return nil, fmt.Errorf("DIE at %#x: %v has class %v", e.Offset, a, f.Class)
}

// isC reports whether the unit's language is C.
func (u *unit) isC() bool {
	lang, ok := u.cu.Val(dwarf.AttrLanguage).(int64)
	if !ok {
		return false
	}
	switch lang {
	case langC89, langC, langC99, langC11, langC17:
		return true
	}
	return false
}

// compilerVariant names the oracle variant of the compiler that built the
// unit, from DW_AT_producer ("GNU C11 12.2.0 ...", "clang version
// 14.0.6"), for a's ABI (oracle.CompilerVariant): GCC from 9.1 and clang
// 14 to 19 are the releases the oracle checks describe; anything else is
// compared with the ABI's default variant.
func compilerVariant(producer string, a *arch.Arch) string {
	def := ""
	if v, err := oracle.DefaultOf(a); err == nil {
		def = v.Name
	}
	compiler, major := "", 0
	switch {
	case strings.HasPrefix(producer, "GNU "):
		for _, f := range strings.Fields(producer)[1:] {
			var minor int
			if n, _ := fmt.Sscanf(f, "%d.%d", &major, &minor); n == 2 {
				if major > 9 || major == 9 && minor >= 1 {
					compiler = "gcc"
				}
				break
			}
		}
	case strings.Contains(producer, "clang version "):
		if _, err := fmt.Sscanf(producer[strings.Index(producer, "clang version ")+len("clang version "):], "%d", &major); err == nil && major >= 14 && major <= 19 {
			compiler = "clang"
		}
	}
	if compiler == "" {
		return def
	}
	v, err := oracle.CompilerVariant(a, compiler, major)
	if err != nil {
		return def
	}
	return v.Name
}

// dwarfConv turns one unit's DWARF types into ctype types, caching by DIE.
type dwarfConv struct {
	u *unit
	// memo catches a record that contains itself by value (malformed
	// DWARF) too.
	memo convMemo[dwarf.Offset]
}

func newDWARFConv(u *unit) *dwarfConv {
	return &dwarfConv{u: u, memo: newConvMemo[dwarf.Offset]()}
}

// typeOf converts the type e's DW_AT_type refers to (void when absent).
func (c *dwarfConv) typeOf(e *dwarf.Entry) (ctype.Type, error) {
	n, err := c.u.ref(e, dwarf.AttrType)
	if err != nil {
		return nil, err
	}
	if n == nil {
		return ctype.TVoid, nil
	}
	return c.conv(n)
}

// conv converts a type used by value.
func (c *dwarfConv) conv(n *node) (ctype.Type, error) {
	off := n.e.Offset
	if t, ok, err := c.memo.lookup(off); ok {
		return t, err
	}
	if !c.memo.enter(off) {
		return nil, fmt.Errorf("type at %#x contains itself", off)
	}
	t, err := c.convert(n)
	return c.memo.done(off, t, err)
}

func (c *dwarfConv) convert(n *node) (ctype.Type, error) {
	e := n.e
	name, _ := e.Val(dwarf.AttrName).(string)
	switch e.Tag {
	case dwarf.TagBaseType:
		return c.base(e, name)
	case dwarf.TagConstType, dwarf.TagVolatileType, dwarf.TagRestrictType, dwarf.TagAtomicType:
		// Qualifiers change nothing in layout; ctype drops them.
		return c.typeOf(e)
	case dwarf.TagTypedef:
		inner, err := c.typeOf(e)
		if err != nil {
			return nil, err
		}
		if name == "" {
			return inner, nil
		}
		td := &ctype.Typedef{Name: name, Type: inner}
		// DW_AT_alignment on a typedef is aligned(N) on it, which sets
		// the alignment to exactly N (GCC's typedef rule, as ctype has it).
		if a, ok := e.Val(dwarf.AttrAlignment).(int64); ok && a > 0 && inner != ctype.TVoid && a != alignOfLoose(inner, layouts{c.u.df.machine.arch}) {
			td.Aligned = a
		}
		return td, nil
	case dwarf.TagPointerType:
		return c.pointer(e)
	case dwarf.TagReferenceType, dwarf.TagRvalueReferenceType, dwarf.TagPtrToMemberType:
		return nil, skipf(SkipBadType, "%v", e.Tag)
	case dwarf.TagArrayType:
		return c.array(n)
	case dwarf.TagStructType, dwarf.TagUnionType, dwarf.TagClassType:
		return c.record(n, name)
	case dwarf.TagEnumerationType:
		return c.enum(n, name)
	case dwarf.TagSubroutineType:
		return nil, skipf(SkipBadType, "function type by value")
	case dwarf.TagUnspecifiedType:
		return nil, skipf(SkipBadType, "unspecified type %s", name)
	}
	return nil, skipf(SkipBadType, "%v", e.Tag)
}

// alignOfLoose is l.alignof for a type that may not be complete.
func alignOfLoose(t ctype.Type, l layouts) int64 {
	switch u := ctype.Underlying(t).(type) {
	case *ctype.Basic:
		if u.Kind == ctype.Void {
			return 1
		}
	case *ctype.Record:
		if u.Incomplete {
			return 1
		}
	}
	return l.alignof(t)
}

func (c *dwarfConv) base(e *dwarf.Entry, name string) (ctype.Type, error) {
	size, _ := e.Val(dwarf.AttrByteSize).(int64)
	enc, _ := e.Val(dwarf.AttrEncoding).(int64)
	signed := enc == ateSigned || enc == ateSignedChar
	switch enc {
	case ateBoolean:
		if size == 1 {
			return ctype.TBool, nil
		}
	case ateComplexFloat:
		return nil, skipf(SkipComplex, "%s", name)
	case ateFloat:
		switch size {
		case 4:
			return ctype.TFloat, nil
		case 8:
			return ctype.TDouble, nil
		case 16:
			// long double; x86-64's 16-byte floats are also _Float128,
			// which ctype does not model.
			if name == "long double" || c.u.df.machine.arch.LongDoubleBytes == 16 {
				return ctype.TLongDouble, nil
			}
		}
	case ateSignedChar, ateUnsignedChar, ateSigned, ateUnsigned, ateUTF:
		if k, ok := intKind(name, size, signed); ok {
			return ctype.BasicOf(k), nil
		}
	}
	return nil, skipf(SkipBaseType, "%s (%d bytes, encoding %#x)", name, size, enc)
}

// intKind maps an integer type of a size and signedness to ctype's
// basic kind; the name tells char from signed char and long from long
// long, which have the same layout.
func intKind(name string, size int64, signed bool) (ctype.BasicKind, bool) {
	switch size {
	case 1:
		switch {
		case name == "char":
			return ctype.Char, true
		case signed:
			return ctype.SChar, true
		}
		return ctype.UChar, true
	case 2:
		if signed {
			return ctype.Short, true
		}
		return ctype.UShort, true
	case 4:
		if signed {
			return ctype.Int, true
		}
		return ctype.UInt, true
	case 8:
		ll := strings.Contains(name, "long long")
		switch {
		case signed && ll:
			return ctype.LongLong, true
		case signed:
			return ctype.Long, true
		case ll:
			return ctype.ULongLong, true
		}
		return ctype.ULong, true
	case 16:
		if signed {
			return ctype.Int128, true
		}
		return ctype.UInt128, true
	}
	return 0, false
}

// pointer keeps what a pointer points to only as far as it is cheap and
// cannot clash with the signature's other types: a pointer is 8 bytes
// whatever it points to, so records, unions, enums, arrays and functions
// behind a pointer become void (a kernel signature would otherwise drag in
// its whole type graph).
func (c *dwarfConv) pointer(e *dwarf.Entry) (ctype.Type, error) {
	n, err := c.u.ref(e, dwarf.AttrType)
	if err != nil {
		var un *unsupported
		if errors.As(err, &un) {
			return &ctype.Pointer{Elem: ctype.TVoid}, nil
		}
		return nil, err
	}
	if n == nil {
		return &ctype.Pointer{Elem: ctype.TVoid}, nil
	}
	for n.e.Tag == dwarf.TagConstType || n.e.Tag == dwarf.TagVolatileType || n.e.Tag == dwarf.TagRestrictType || n.e.Tag == dwarf.TagAtomicType {
		next, err := c.u.ref(n.e, dwarf.AttrType)
		if err != nil || next == nil {
			return &ctype.Pointer{Elem: ctype.TVoid}, nil
		}
		n = next
	}
	switch n.e.Tag {
	case dwarf.TagBaseType, dwarf.TagPointerType:
		if t, err := c.conv(n); err == nil {
			return &ctype.Pointer{Elem: t}, nil
		}
	case dwarf.TagTypedef:
		// Keep a typedef of a scalar (u8 *, size_t *); the typedef is the
		// unit's one object for that name.
		if t, err := c.conv(n); err == nil {
			switch ctype.Underlying(t).(type) {
			case *ctype.Basic, *ctype.Pointer:
				return &ctype.Pointer{Elem: t}, nil
			}
		}
	}
	return &ctype.Pointer{Elem: ctype.TVoid}, nil
}

func (c *dwarfConv) array(n *node) (ctype.Type, error) {
	if f := n.e.AttrField(attrGNUVector); f != nil {
		return nil, skipf(SkipVector, "at %#x", n.e.Offset)
	}
	elem, err := c.typeOf(n.e)
	if err != nil {
		return nil, err
	}
	var dims []int64
	for _, k := range n.kids {
		if k.e.Tag != dwarf.TagSubrangeType {
			continue
		}
		count := int64(-1)
		if v, ok := k.e.Val(dwarf.AttrCount).(int64); ok {
			count = v
		} else if v, ok := k.e.Val(dwarf.AttrUpperBound).(int64); ok {
			lo, _ := k.e.Val(dwarf.AttrLowerBound).(int64)
			count = v - lo + 1
		}
		if count <= 0 {
			// Flexible ([]) or zero-length ([0]) array; a wrapped
			// upper bound of -1 (GCC's [0]) gives 0 too.
			count = 0
		}
		dims = append(dims, count)
	}
	if len(dims) == 0 {
		dims = []int64{0}
	}
	t := elem
	for i := len(dims) - 1; i >= 0; i-- {
		if dims[i] == 0 {
			// Flexible ([]) or zero-length ([0]) array: ctype does not
			// model it, and only a record that is never passed by value
			// (it is reached through pointers, which stay opaque) may
			// hold one.
			return nil, skipf(SkipFlexible, "array at %#x", n.e.Offset)
		}
		t = &ctype.Array{Elem: t, Len: dims[i]}
	}
	return t, nil
}

func (c *dwarfConv) record(n *node, name string) (ctype.Type, error) {
	e := n.e
	if decl, _ := e.Val(dwarf.AttrDeclaration).(bool); decl {
		return nil, skipf(SkipIncomplete, "%s %s", tagKeyword(e.Tag), name)
	}
	size, ok := e.Val(dwarf.AttrByteSize).(int64)
	if !ok {
		return nil, skipf(SkipIncomplete, "%s %s has no size", tagKeyword(e.Tag), name)
	}
	raw := rawRecord{Union: e.Tag == dwarf.TagUnionType, Name: name, Size: size, AlignRecorded: c.u.version >= 5}
	raw.Align, _ = e.Val(dwarf.AttrAlignment).(int64)
	for _, k := range n.kids {
		if k.e.Tag != dwarf.TagMember {
			continue
		}
		m, err := c.member(k.e)
		if err != nil {
			return nil, err
		}
		raw.Members = append(raw.Members, m)
	}
	r, err := buildRecord(raw, layouts{c.u.df.machine.arch})
	if err != nil {
		return nil, &unsupported{Reason: SkipLayout, Detail: err.Error()}
	}
	return r, nil
}

// member reads one DW_TAG_member: its bit offset from
// DW_AT_data_bit_offset (DWARF 4+), or DW_AT_data_member_location plus,
// for a DWARF 2-3 bit-field, DW_AT_bit_offset counted from the most
// significant bit of a DW_AT_byte_size storage unit (DWARF 4 §5.7.6 and
// Appendix D.2.8: on a little-endian target the data bit offset is
// byte_offset*8 + byte_size*8 - bit_offset - bit_size).
func (c *dwarfConv) member(e *dwarf.Entry) (rawMember, error) {
	name, _ := e.Val(dwarf.AttrName).(string)
	t, err := c.typeOf(e)
	if err != nil {
		return rawMember{}, err
	}
	m := rawMember{Name: name, Type: t}
	m.BitSize, _ = e.Val(dwarf.AttrBitSize).(int64)
	m.Align, _ = e.Val(dwarf.AttrAlignment).(int64)
	if v, ok := e.Val(dwarf.AttrDataBitOffset).(int64); ok {
		m.BitOffset = v
		return m, nil
	}
	var byteOff int64
	switch f := e.AttrField(dwarf.AttrDataMemberLoc); {
	case f == nil:
	case f.Class == dwarf.ClassConstant:
		byteOff, _ = f.Val.(int64)
	case f.Class == dwarf.ClassExprLoc || f.Class == dwarf.ClassBlock:
		// DWARF 2: DW_OP_plus_uconst N.
		b, _ := f.Val.([]byte)
		if len(b) == 0 || b[0] != 0x23 {
			return rawMember{}, skipf(SkipBadType, "member %s: location expression %x", name, b)
		}
		v, _, ok := uleb(b[1:])
		if !ok {
			return rawMember{}, skipf(SkipBadType, "member %s: location expression %x", name, b)
		}
		byteOff = int64(v)
	default:
		return rawMember{}, skipf(SkipBadType, "member %s: location of class %v", name, f.Class)
	}
	m.BitOffset = byteOff * 8
	if bo, ok := e.Val(dwarf.AttrBitOffset).(int64); ok && m.BitSize > 0 {
		unit, _ := e.Val(dwarf.AttrByteSize).(int64)
		if unit == 0 {
			unit = ctype.Sizeof(t)
		}
		m.BitOffset = byteOff*8 + unit*8 - bo - m.BitSize
	}
	return m, nil
}

func (c *dwarfConv) enum(n *node, name string) (ctype.Type, error) {
	e := n.e
	if decl, _ := e.Val(dwarf.AttrDeclaration).(bool); decl {
		return nil, skipf(SkipIncomplete, "enum %s", name)
	}
	size, _ := e.Val(dwarf.AttrByteSize).(int64)
	en := &ctype.Enum{Name: name, Packed: size > 0 && size < 4}
	for _, k := range n.kids {
		if k.e.Tag != dwarf.TagEnumerator {
			continue
		}
		vn, _ := k.e.Val(dwarf.AttrName).(string)
		v, _ := k.e.Val(dwarf.AttrConstValue).(int64)
		en.Values = append(en.Values, ctype.Enumerator{Name: vn, Value: v})
	}
	// DW_AT_type, when present, is the enum's underlying integer type.
	// An enum whose size ctype's GNU C rule (EnumBase) does not give
	// (C23 "enum : T", -fshort-enums) is passed as that integer type.
	under, _ := c.u.ref(e, dwarf.AttrType)
	if len(en.Values) > 0 && ctype.Sizeof(en) == size {
		return en, nil
	}
	if under != nil {
		if t, err := c.conv(under); err == nil && ctype.Sizeof(t) == size {
			return t, nil
		}
	}
	if k, ok := intKind("", size, false); ok && size > 0 {
		return ctype.BasicOf(k), nil
	}
	return nil, skipf(SkipBadType, "enum %s of %d bytes", name, size)
}

func tagKeyword(t dwarf.Tag) string {
	switch t {
	case dwarf.TagUnionType:
		return "union"
	case dwarf.TagEnumerationType:
		return "enum"
	}
	return "struct"
}

// uleb decodes an unsigned LEB128 number.
func uleb(b []byte) (v uint64, n int, ok bool) {
	var shift uint
	for i, c := range b {
		if shift < 64 {
			v |= uint64(c&0x7f) << shift
		}
		shift += 7
		if c&0x80 == 0 {
			return v, i + 1, true
		}
	}
	return 0, len(b), false
}

// sleb decodes a signed LEB128 number.
func sleb(b []byte) (v int64, n int, ok bool) {
	var shift uint
	for i, c := range b {
		if shift < 64 {
			v |= int64(c&0x7f) << shift
		}
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return v, i + 1, true
		}
	}
	return 0, len(b), false
}
