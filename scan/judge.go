package scan

import (
	"regexp"
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

// runner runs check.Run with a cache keyed by the signature with its
// names normalized: a kernel has tens of thousands of functions but far
// fewer distinct signatures, and a verdict does not depend on names.
type runner struct {
	mu    sync.Mutex
	cache map[runKey]*check.Verdict
}

type runKey struct {
	c      string
	target string
}

func newRunner() *runner { return &runner{cache: map[runKey]*check.Verdict{}} }

// normName stands in for every function name in the cache key; it cannot
// be a kernel identifier's substring by accident.
const normName = "trampfuzz_scan_fn"

func (r *runner) run(fn *ctype.Func, t check.Target) (*check.Verdict, error) {
	norm := &ctype.Func{Name: normName, Return: fn.Return, Params: make([]ctype.Param, len(fn.Params))}
	for i, p := range fn.Params {
		norm.Params[i] = ctype.Param{Type: p.Type}
		if p.Name != "" {
			norm.Params[i].Name = "p" + itoa(i)
		}
	}
	key := runKey{ctype.Render(norm), t.String()}
	r.mu.Lock()
	v, ok := r.cache[key]
	r.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := check.Run(norm, t)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	r.cache[key] = v
	r.mu.Unlock()
	return v, nil
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// judge checks fn on t. truthKnown is true for DWARF, whose types carry
// their real alignment: a mismatch is then a misread whatever BTF could
// show. From BTF, a mismatch that goes away when a 16-byte record is read
// as 16-byte aligned (or a match that appears) is ambiguous.
func (r *runner) judge(fn *ctype.Func, t check.Target, truthKnown bool) (*judgement, error) {
	v, err := r.run(fn, t)
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
	for _, i := range alignCandidates(fn) {
		alt := aligned16(fn, i)
		if alt == nil {
			continue
		}
		av, err := r.run(alt, t)
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
func alignCandidates(fn *ctype.Func) []int {
	var out []int
	for i, p := range fn.Params {
		r, ok := ctype.Underlying(p.Type).(*ctype.Record)
		if !ok || ctype.Sizeof(r) != 16 {
			continue
		}
		bare := *r
		bare.Aligned = 0
		if ctype.LayoutOf(&bare).Align >= 16 {
			continue
		}
		out = append(out, i)
	}
	return out
}

// aligned16 is fn with parameter i's record given aligned(16) on its
// first member: the same member offsets and size (so the same BTF), but a
// natural alignment of 16. nil when no such reading exists.
func aligned16(fn *ctype.Func, i int) *ctype.Func {
	r := ctype.Underlying(fn.Params[i].Type).(*ctype.Record)
	if len(r.Members) == 0 {
		return nil
	}
	r2 := *r
	r2.Members = append([]ctype.Member(nil), r.Members...)
	r2.Members[0].Aligned = 16
	old, neu := ctype.LayoutOf(r), ctype.LayoutOf(&r2)
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
