package scan

import (
	"encoding/binary"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

// Status is what a scan says about one function on one target.
type Status string

const (
	// Safe: the trampoline reads every argument where the ABI put it.
	Safe Status = "safe"
	// Misread: the trampoline reads some argument byte from the wrong place.
	Misread Status = "misread"
	// Ambiguous: whether the trampoline misreads depends on an alignment
	// the kernel's BTF cannot show (a 16-byte record that could be
	// 16-byte aligned). From DWARF, where the alignment is known, it
	// marks a safe function one aligned(16) away from misread.
	Ambiguous Status = "ambiguous"
	// Rejected: pahole, btf_distill_func_proto or the JIT refuses the
	// function, so no trampoline reads it.
	Rejected Status = "rejected"
)

// judgement is the outcome for one function on one target.
type judgement struct {
	Status  Status
	Verdict *check.Verdict // the natural reading (for DWARF: the true types)
	// For Ambiguous: the argument whose alignment decides, and the
	// verdict if that record were 16-byte aligned.
	AmbArg     int
	AmbVerdict *check.Verdict
}

// runner runs check.Run with two caches (the scan's checker adds a third
// in front, byShape: one judgement per function shape): by type identity (a converter
// returns one ctype object per input type, so equal signatures of one BTF
// file or one DWARF unit share their param types), then by the canonical
// C text with names normalized (across units). A kernel has tens of
// thousands of functions but far fewer distinct signatures, and a verdict
// does not depend on names, only on which parameters have one (pahole
// skips a function with an unnamed parameter).
type runner struct {
	mu     sync.Mutex
	byText map[runKey]runResult
	byID   map[runKey]runResult
	ids    map[ctype.Type]int
}

type runKey struct {
	sig    string
	target int
}

type runResult struct {
	v   *check.Verdict
	err error
}

func newRunner() *runner {
	return &runner{byText: map[runKey]runResult{}, byID: map[runKey]runResult{}, ids: map[ctype.Type]int{}}
}

// normName stands in for every function name in the cache; it cannot be
// a kernel identifier's substring by accident.
const normName = "trampfuzz_scan_fn"

// run checks fn on targets[ti]. An error means ctype.Check rejected the
// signature (check.Run checks it first).
func (r *runner) run(fn *ctype.Func, t check.Target, ti int) (*check.Verdict, error) {
	norm := normFunc(fn)
	r.mu.Lock()
	idKey := runKey{r.identity(norm), ti}
	res, ok := r.byID[idKey]
	r.mu.Unlock()
	if ok {
		return res.v, res.err
	}
	textKey := runKey{ctype.Render(norm), ti}
	r.mu.Lock()
	res, ok = r.byText[textKey]
	r.mu.Unlock()
	if !ok {
		res.v, res.err = check.Run(norm, t)
	}
	r.mu.Lock()
	r.byText[textKey] = res
	r.byID[idKey] = res
	r.mu.Unlock()
	return res.v, res.err
}

// normFunc is fn as the cache keys and checks it: named normName, its
// parameters p0, p1, ... (a parameter without a name stays without: pahole
// skips such functions) and its types normalized (normType).
func normFunc(fn *ctype.Func) *ctype.Func {
	norm := &ctype.Func{Name: normName, Return: normType(fn.Return), Params: make([]ctype.Param, len(fn.Params))}
	for i, p := range fn.Params {
		norm.Params[i] = ctype.Param{Type: normType(p.Type)}
		if p.Name != "" {
			norm.Params[i].Name = "p" + strconv.Itoa(i)
		}
	}
	return norm
}

// voidPtr stands in for every pointer in the cache key.
var voidPtr = &ctype.Pointer{Elem: ctype.TVoid}

// normType drops what cannot change a verdict:
//
//   - a pointer's target: every pointer is an 8-byte integer to the ABI, a
//     PTR to pahole and 8 bytes to the kernel;
//
//   - typedefs of scalars: btf_distill_func_proto strips them; the ABI and
//     the class key look through them;
//
//   - which integer type of a size a scalar is: AAPCS64 and System V
//     place integral arguments by size and class (AAPCS64 2025Q4 C.9,
//     C.11, C.16; psABI §3.2.3 INTEGER), pahole's skip checks and the
//     trampolines see only the size, and the class key says "integer
//     scalar" for all of them. TestNormalizedVerdictsEqual checks this
//     on every target.
//
//   - which enum a scalar is: an enum is passed as its underlying integer
//     type (ctype.EnumBase), so it becomes the canonical enum of that type
//     (an enum still, because the class key names enums).
//
// Typedefs of records stay: pahole's packed-struct filter does not look
// through them (4a1f0c9).
func normType(t ctype.Type) ctype.Type {
	switch u := ctype.Underlying(t).(type) {
	case *ctype.Pointer:
		return voidPtr
	case *ctype.Basic:
		if k, ok := intBySize[ctype.Sizeof(u)]; ok && u.Kind.IsIntegral() {
			return ctype.BasicOf(k)
		}
		return u
	case *ctype.Enum:
		if e, ok := enumByBase[ctype.EnumBase(u)]; ok {
			return e
		}
	}
	return t
}

// enumByBase is, for each underlying type GNU C gives an enum, an enum
// with that underlying type (EnumBase's rules, read backwards).
var enumByBase = func() map[ctype.BasicKind]*ctype.Enum {
	m := map[ctype.BasicKind]*ctype.Enum{}
	for i, e := range []ctype.Enum{
		{Values: []ctype.Enumerator{{Value: 0}}},
		{Values: []ctype.Enumerator{{Value: -1}}},
		{Values: []ctype.Enumerator{{Value: 1 << 32}}},
		{Values: []ctype.Enumerator{{Value: -1 << 32}}},
		{Values: []ctype.Enumerator{{Value: 0}}, Packed: true},
		{Values: []ctype.Enumerator{{Value: -1}}, Packed: true},
		{Values: []ctype.Enumerator{{Value: 1 << 8}}, Packed: true},
		{Values: []ctype.Enumerator{{Value: -1 << 8}}, Packed: true},
	} {
		e.Name = fmt.Sprintf("%s_e%d", normName, i)
		e.Values[0].Name = fmt.Sprintf("%s_E%d", normName, i)
		m[ctype.EnumBase(&e)] = &e
	}
	return m
}()

// intBySize is the integer type normType gives each size.
var intBySize = map[int64]ctype.BasicKind{1: ctype.UChar, 2: ctype.UShort, 4: ctype.UInt, 8: ctype.ULong, 16: ctype.UInt128}

// identity is a key naming fn's return and parameter types by object
// identity and marking the unnamed parameters. Called with r.mu held.
func (r *runner) identity(fn *ctype.Func) string {
	id := func(t ctype.Type) int {
		n, ok := r.ids[t]
		if !ok {
			n = len(r.ids) + 1
			r.ids[t] = n
		}
		return n
	}
	b := make([]byte, 0, 4*(len(fn.Params)+1))
	b = binary.AppendUvarint(b, uint64(id(fn.Return)))
	for _, p := range fn.Params {
		n := uint64(id(p.Type)) << 1
		if p.Name == "" {
			n |= 1
		}
		b = binary.AppendUvarint(b, n)
	}
	return string(b)
}

// judge checks fn on t. truthKnown is true for DWARF, whose types carry
// their real alignment: a mismatch is then a misread whatever BTF could
// show. From BTF, a mismatch that goes away when a 16-byte record is read
// as 16-byte aligned (or a match that appears) is ambiguous.
func (r *runner) judge(fn *ctype.Func, t check.Target, ti int, truthKnown bool) (*judgement, error) {
	v, err := r.run(fn, t, ti)
	if err != nil {
		return nil, err
	}
	j := &judgement{Verdict: v, AmbArg: -1}
	switch v.Kind {
	case check.Rejected:
		j.Status = Rejected
		return j, nil
	case check.Mismatch:
		j.Status = Misread
		if truthKnown {
			return j, nil
		}
	default:
		j.Status = Safe
	}
	l := layouts{t.ABI.ABI().Arch()}
	for _, i := range alignCandidates(fn, l) {
		alt := aligned16(fn, i, l)
		if alt == nil {
			continue
		}
		av, err := r.run(alt, t, ti)
		if err != nil {
			// The 16-aligned reading is not a valid signature (its
			// record clashes with another use of the same type).
			continue
		}
		// A reading pahole or the kernel would refuse cannot be the one
		// behind a function that has BTF and a trampoline.
		if av.Kind == check.Rejected {
			continue
		}
		if (av.Kind == check.Mismatch) != (v.Kind == check.Mismatch) {
			j.Status, j.AmbArg, j.AmbVerdict = Ambiguous, i, av
			return j, nil
		}
	}
	return j, nil
}

// alignCandidates lists the parameters BTF could not tell from a 16-byte
// aligned version of themselves: records (struct or union, by value) of
// 16 bytes whose natural alignment (AAPCS64 2025Q4 §5.9, as the oracle
// computes it: the members', not aligned(N) on the record itself) is
// below 16. A record of 9 to 15 bytes cannot be 16-byte aligned: C's
// sizeof is a multiple of the alignment, so the BTF size rules it out.
func alignCandidates(fn *ctype.Func, l layouts) []int {
	var out []int
	for i, p := range fn.Params {
		r, ok := ctype.Underlying(p.Type).(*ctype.Record)
		if !ok || l.sizeof(r) != 16 {
			continue
		}
		bare := *r
		bare.Aligned = 0
		if l.of(&bare).Align >= 16 {
			continue
		}
		out = append(out, i)
	}
	return out
}

// aligned16 is fn with parameter i's record given aligned(16) on its
// first member: the same member offsets and size (so the same BTF), but a
// natural alignment of 16. nil when no such reading exists.
func aligned16(fn *ctype.Func, i int, l layouts) *ctype.Func {
	r := ctype.Underlying(fn.Params[i].Type).(*ctype.Record)
	if len(r.Members) == 0 {
		return nil
	}
	r2 := *r
	r2.Members = append([]ctype.Member(nil), r.Members...)
	r2.Members[0].Aligned = 16
	old, neu := l.of(r), l.of(&r2)
	if old.Size != neu.Size {
		return nil
	}
	for k := range old.Fields {
		if old.Fields[k].BitOffset != neu.Fields[k].BitOffset {
			return nil
		}
	}
	// Replace the record, and the typedefs that name it, everywhere in
	// the parameter list, so the signature stays one consistent C file.
	repl := map[ctype.Type]ctype.Type{r: &r2}
	var sub func(t ctype.Type) ctype.Type
	sub = func(t ctype.Type) ctype.Type {
		if n, ok := repl[t]; ok {
			return n
		}
		if td, ok := t.(*ctype.Typedef); ok {
			if inner := sub(td.Type); inner != td.Type {
				n := &ctype.Typedef{Name: td.Name, Type: inner, Aligned: td.Aligned}
				repl[t] = n
				return n
			}
		}
		return t
	}
	alt := &ctype.Func{Name: fn.Name, Return: sub(fn.Return), Params: make([]ctype.Param, len(fn.Params))}
	for k, p := range fn.Params {
		alt.Params[k] = ctype.Param{Name: p.Name, Type: sub(p.Type)}
	}
	if ctype.Check(alt) != nil {
		return nil
	}
	return alt
}

// hasStructArg reports whether fn passes a struct or union by value.
func hasStructArg(fn *ctype.Func) bool {
	for _, p := range fn.Params {
		if ctype.IsRecord(p.Type) {
			return true
		}
	}
	return false
}

// onStack reports whether the ABI placement puts any argument byte (or a
// by-reference argument's pointer) on the stack.
func onStack(p *loc.Placement) bool {
	if p == nil {
		return false
	}
	for _, a := range p.Args {
		for _, b := range a.Bytes {
			if b.Kind == loc.OnStack || b.Kind == loc.ByRef && b.Base == loc.OnStack {
				return true
			}
		}
	}
	return false
}

var numberRE = regexp.MustCompile(`\b\d+\b`)

// reasonKey turns a rejection into a count key: the function name and
// numbers (argument indexes, counts) taken out.
func reasonKey(v *check.Verdict) string {
	s := strings.ReplaceAll(v.Rejected.Reason, normName, "FUNC")
	return v.Rejected.Stage + ": " + numberRE.ReplaceAllString(s, "N")
}

// checkNames checks what ctype.Check would say about fn's names: the
// function's and the parameters' are identifiers, the parameters' are
// distinct.
func checkNames(fn *ctype.Func) error {
	if err := ctype.CheckFuncName(fn.Name); err != nil {
		return err
	}
	return checkParamNames(fn.Params)
}

// checkParamNames is checkNames for the parameters alone.
func checkParamNames(ps []ctype.Param) error {
	for i := range ps {
		if err := ctype.CheckParamName(ps, i); err != nil {
			return err
		}
	}
	return nil
}
