package scan

import (
	"debug/dwarf"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
)

// function is one function found in the input: its signature as ctype
// models it (or why it could not be), and for DWARF the compiler's
// recorded parameter locations at entry.
type function struct {
	Name   string
	CU     string
	File   string
	Line   int
	Source string // the signature as spelled in the input
	// spell, when set, computes Source on demand (BTF: only findings
	// need it).
	spell func() string
	Fn    *ctype.Func
	Skip  *unsupported
	// shape, when set, is shared by the functions whose Fn differ in the
	// function name only (BTF: the FUNC_PROTO), so they share judgements.
	shape any
	// DWARF only: the oracle variant of the unit's compiler and, per
	// parameter, what DWARF and the oracle say at entry.
	Variant string
	Params  []paramLoc
}

// source is the signature as spelled in the input.
func (f *function) source() string {
	if f.Source == "" && f.spell != nil {
		f.Source = f.spell()
	}
	return f.Source
}

// paramLoc is one parameter's location at entry: DWARF's bytes (zero Loc
// where DWARF is silent) and the oracle's, or why they are not compared.
type paramLoc struct {
	DWARF  []loc.Loc
	Oracle []loc.Loc
	Rules  []string
	Why    string
}

// functions turns every out-of-line C function of the unit that has a
// prototype into a function: DW_TAG_subprogram DIEs with DW_AT_low_pc or
// DW_AT_ranges (code of their own), not declarations and not abstract
// instances of inline functions (those have no code). A concrete
// out-of-line instance of an inline function (DW_AT_abstract_origin) takes
// its name, types and parameter order from the abstract instance and its
// locations from its own parameters.
func (u *unit) functions() ([]*function, error) {
	if u.cu.Tag == utSkeletonTag {
		return nil, nil
	}
	u.conv = newDWARFConv(u)
	producer, _ := u.cu.Val(dwarf.AttrProducer).(string)
	u.variant = compilerVariant(producer, u.df.machine.arch)
	var out []*function
	for _, n := range u.top {
		if n.e.Tag != dwarf.TagSubprogram {
			continue
		}
		f, err := u.function(n)
		if err != nil {
			return nil, err
		}
		if f != nil {
			out = append(out, f)
		}
	}
	return out, nil
}

// function converts one subprogram DIE; nil for one that is not an
// out-of-line definition. The error is for malformed DWARF only.
func (u *unit) function(n *node) (*function, error) {
	e := n.e
	if decl, _ := e.Val(dwarf.AttrDeclaration).(bool); decl {
		return nil, nil
	}
	lowpc, hasLow := e.Val(dwarf.AttrLowpc).(uint64)
	hasRanges := e.AttrField(dwarf.AttrRanges) != nil
	if !hasLow && !hasRanges {
		return nil, nil
	}
	// The DIE chain that holds the declaration: abstract origin, then
	// specification.
	chain := []*node{n}
	for cur := n; len(chain) < 8; {
		next, err := u.ref(cur.e, dwarf.AttrAbstractOrigin)
		if err == nil && next == nil {
			next, err = u.ref(cur.e, dwarf.AttrSpecification)
		}
		if err != nil {
			var un *unsupported
			if errors.As(err, &un) {
				return &function{CU: u.name, Skip: un}, nil
			}
			return nil, fmt.Errorf("%s: unit %s: subprogram at %#x: %w", u.df.path, u.name, e.Offset, err)
		}
		if next == nil {
			break
		}
		chain = append(chain, next)
		cur = next
	}
	attr := func(a dwarf.Attr) *dwarf.Entry {
		for _, c := range chain {
			if c.e.AttrField(a) != nil {
				return c.e
			}
		}
		return nil
	}
	f := &function{CU: u.name, Variant: u.variant}
	if d := attr(dwarf.AttrName); d != nil {
		f.Name, _ = d.Val(dwarf.AttrName).(string)
	}
	if d := attr(dwarf.AttrDeclLine); d != nil {
		line, _ := d.Val(dwarf.AttrDeclLine).(int64)
		f.Line = int(line)
		if fi, ok := d.Val(dwarf.AttrDeclFile).(int64); ok {
			f.File = u.fileName(fi)
		}
	}
	if f.Name == "" {
		return nil, nil
	}
	if !u.isC() {
		f.Skip = &unsupported{Reason: SkipLanguage}
		return f, nil
	}
	if d := attr(dwarf.AttrPrototyped); d == nil {
		f.Skip = &unsupported{Reason: SkipNoPrototype}
		return f, nil
	}
	// The parameters, in order, are the children of the last DIE of the
	// chain that has any (the abstract instance, or the function itself).
	owner := n
	for _, c := range chain {
		if hasParams(c) {
			owner = c
		}
	}
	var params []*dwarf.Entry
	for _, k := range owner.kids {
		switch k.e.Tag {
		case dwarf.TagFormalParameter:
			params = append(params, k.e)
		case dwarf.TagUnspecifiedParameters:
			f.Skip = &unsupported{Reason: SkipVariadic}
			return f, nil
		}
	}
	retOwner := attr(dwarf.AttrType)
	fn := &ctype.Func{Name: f.Name, Return: ctype.TVoid}
	var err error
	if retOwner != nil {
		if fn.Return, err = u.conv.typeOf(retOwner); err != nil {
			return u.skipped(f, err, "return type")
		}
	}
	var spelled []string
	for i, p := range params {
		name, _ := p.Val(dwarf.AttrName).(string)
		if p.AttrField(dwarf.AttrType) == nil {
			f.Skip = &unsupported{Reason: SkipUnnamedType, Detail: fmt.Sprintf("parameter %d", i)}
			return f, nil
		}
		t, err := u.conv.typeOf(p)
		if err != nil {
			return u.skipped(f, err, fmt.Sprintf("parameter %d %s", i, name))
		}
		fn.Params = append(fn.Params, ctype.Param{Name: name, Type: t})
		spelled = append(spelled, strings.TrimSpace(u.spellRef(p, 0)+" "+name))
	}
	ret := "void"
	if retOwner != nil {
		ret = u.spellRef(retOwner, 0)
	}
	if len(spelled) == 0 {
		spelled = []string{"void"}
	}
	f.Source = ret + " " + f.Name + "(" + strings.Join(spelled, ", ") + ")"
	// ctype.Check runs in check.Run, once per distinct signature; only
	// the names, which the verdict cache leaves out, are checked here.
	if err := checkNames(fn); err != nil {
		f.Skip = &unsupported{Reason: SkipCheck, Detail: err.Error()}
		return f, nil
	}
	f.Fn = fn

	// Where the compiler put each parameter at entry.
	entry, entryKnown := lowpc, hasLow
	if pc, ok := e.Val(dwarf.AttrEntrypc).(uint64); ok {
		entry, entryKnown = pc, true
	} else if !hasLow {
		entry, entryKnown = u.entryFromSymbol(e, f.Name)
	}
	why := ""
	switch {
	case !entryKnown:
		why = LocNoEntryPC
	case u.isClone(entry, f.Name):
		why = LocClone
	}
	if d := attr(attrCallingConv); d != nil {
		if cc, _ := d.Val(attrCallingConv).(int64); cc == ccNoCall {
			why = LocNoCall
		}
	}
	// DW_OP_fbreg is SP-relative at entry when the frame base is the CFA
	// (GCC's DW_OP_call_frame_cfa: SP before the call, which is sp+0),
	// and, for a location list entry that covers the first instruction,
	// when it is SP itself (clang's DW_OP_reg31 or DW_OP_reg7, GCC's DW_OP_breg31 0 under
	// strict DWARF 2): SP has not moved yet there. A single expression
	// over the whole function relative to SP (clang describes a packed
	// struct copied out of x0/x1 as fbreg 0) names a slot in the callee's
	// frame after the prologue, and x29 or rbp at entry is the caller's.
	fb, _ := e.Val(dwarf.AttrFrameBase).([]byte)
	frame := frameNone
	switch string(fb) {
	case string([]byte{opCallFrameCFA}):
		frame = frameCFA
	case string([]byte{opReg0 + byte(u.df.machine.arch.DWARFSP)}), string([]byte{opBreg0 + byte(u.df.machine.arch.DWARFSP), 0}):
		frame = frameSP
	}
	// The concrete parameters, by the abstract parameter they stand for.
	concrete := map[dwarf.Offset]*dwarf.Entry{}
	for _, k := range n.kids {
		if k.e.Tag != dwarf.TagFormalParameter {
			continue
		}
		if o, ok := k.e.Val(dwarf.AttrAbstractOrigin).(dwarf.Offset); ok {
			concrete[o] = k.e
		} else {
			concrete[k.e.Offset] = k.e
		}
	}
	abi, err := oracle.PlaceNamed(fn, u.variant)
	f.Params = make([]paramLoc, len(params))
	hidden := false
	for i, p := range params {
		pl := &f.Params[i]
		if err != nil || i >= len(abi.Args) {
			pl.Why = LocNoOracle
			continue
		}
		pl.Oracle, pl.Rules = abi.Args[i].Bytes, abi.Args[i].Rules
		if why != "" {
			pl.Why = why
			continue
		}
		if hidden = hidden || ctype.IsRecord(fn.Params[i].Type) && slices.Contains(pl.Oracle, loc.Loc{}); hidden {
			// The ABI passes part of the record nowhere (System V's
			// NO_CLASS eightbyte). DWARF leaves out unnamed bit-fields,
			// which GCC classifies INTEGER and clang ignores (the oracle's
			// RuleGCCUnnamedBitfield): the record as DWARF shows it may
			// be missing the member that gives that eightbyte a register,
			// and the parameters after it their registers.
			pl.Why = LocHiddenBitfield
			continue
		}
		ce := concrete[p.Offset]
		if ce == nil {
			pl.Why = LocNone
			continue
		}
		pl.DWARF, pl.Why = u.entryLocation(ce, entry, frame, int(layouts{u.df.machine.arch}.sizeof(fn.Params[i].Type)))
	}
	return f, nil
}

func hasParams(n *node) bool {
	for _, k := range n.kids {
		if k.e.Tag == dwarf.TagFormalParameter || k.e.Tag == dwarf.TagUnspecifiedParameters {
			return true
		}
	}
	return false
}

// skipped records a conversion failure: an unsupported type is a counted
// skip, anything else is malformed DWARF.
func (u *unit) skipped(f *function, err error, what string) (*function, error) {
	var un *unsupported
	if errors.As(err, &un) {
		f.Skip = &unsupported{Reason: un.Reason, Detail: what + ": " + un.Detail}
		return f, nil
	}
	return nil, fmt.Errorf("%s: unit %s: function %s: %s: %w", u.df.path, u.name, f.Name, what, err)
}

// isClone reports whether the code at pc is a GCC clone of the function
// (foo.isra.0, foo.constprop.0, foo.part.0): the ELF symbol there has the
// name with a suffix and no symbol has the plain name. A clone's
// parameters need not follow the prototype.
func (u *unit) isClone(pc uint64, name string) bool {
	if !u.df.hasSyms {
		return false
	}
	clone := false
	for _, s := range u.df.symbolsAt(pc) {
		if s == name {
			return false
		}
		if strings.HasPrefix(s, name+".") {
			clone = true
		}
	}
	return clone
}

// entryFromSymbol finds the entry of a function with DW_AT_ranges only (a
// hot/cold split): the address of the ELF symbol of its name inside one of
// its ranges.
func (u *unit) entryFromSymbol(e *dwarf.Entry, name string) (uint64, bool) {
	ranges, err := u.df.d.Ranges(e)
	if err != nil {
		return 0, false
	}
	for _, r := range ranges {
		for _, s := range u.df.syms {
			if s.name != name {
				continue
			}
			switch {
			case s.value <= r[0] && r[0] < s.value+max(s.size, 1):
				return r[0], true // the symbol starts at NOPs before the code
			case r[0] <= s.value && s.value < r[1]:
				return s.value, true
			}
		}
	}
	return 0, false
}

// fileName resolves DW_AT_decl_file through the unit's line table header.
func (u *unit) fileName(i int64) string {
	if u.files == nil {
		lr, err := u.df.d.LineReader(u.cu)
		if err != nil || lr == nil {
			u.files = []*dwarf.LineFile{}
		} else {
			u.files = lr.Files()
		}
	}
	if i < 0 || i >= int64(len(u.files)) || u.files[i] == nil {
		return ""
	}
	return u.files[i].Name
}

// spellRef spells the C type e's DW_AT_type refers to, for reports.
func (u *unit) spellRef(e *dwarf.Entry, depth int) string {
	n, err := u.ref(e, dwarf.AttrType)
	if err != nil {
		return "?"
	}
	if n == nil {
		return "void"
	}
	return u.spell(n, depth+1)
}

func (u *unit) spell(n *node, depth int) string {
	if depth > 16 {
		return "..."
	}
	e := n.e
	name, _ := e.Val(dwarf.AttrName).(string)
	switch e.Tag {
	case dwarf.TagBaseType, dwarf.TagTypedef:
		return name
	case dwarf.TagStructType, dwarf.TagUnionType, dwarf.TagEnumerationType:
		if name == "" {
			return tagKeyword(e.Tag) + " {...}"
		}
		return tagKeyword(e.Tag) + " " + name
	case dwarf.TagConstType:
		return "const " + u.spellRef(e, depth)
	case dwarf.TagVolatileType:
		return "volatile " + u.spellRef(e, depth)
	case dwarf.TagRestrictType, dwarf.TagAtomicType:
		return u.spellRef(e, depth)
	case dwarf.TagPointerType:
		if t, err := u.ref(e, dwarf.AttrType); err == nil && t != nil && t.e.Tag == dwarf.TagSubroutineType {
			var ps []string
			for _, k := range t.kids {
				switch k.e.Tag {
				case dwarf.TagFormalParameter:
					ps = append(ps, u.spellRef(k.e, depth))
				case dwarf.TagUnspecifiedParameters:
					ps = append(ps, "...")
				}
			}
			return u.spellRef(t.e, depth) + " (*)(" + strings.Join(ps, ", ") + ")"
		}
		return u.spellRef(e, depth) + " *"
	case dwarf.TagArrayType:
		s := u.spellRef(e, depth)
		for _, k := range n.kids {
			if k.e.Tag != dwarf.TagSubrangeType {
				continue
			}
			if c, ok := k.e.Val(dwarf.AttrCount).(int64); ok {
				s += fmt.Sprintf("[%d]", c)
			} else if ub, ok := k.e.Val(dwarf.AttrUpperBound).(int64); ok {
				s += fmt.Sprintf("[%d]", ub+1)
			} else {
				s += "[]"
			}
		}
		return s
	}
	return "?"
}
