package scan

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
	"github.com/trampfuzz/trampfuzz/loc"
)

// TestNormalizedVerdictsEqual checks the premise of the scan's verdict
// cache: a signature and its normalized form (normFunc: pointers to void,
// scalar typedefs dropped, each integer type replaced by the one of its
// size, each enum by the one of its underlying type) get the same verdict
// on every target: the same kind, rejection,
// byte locations on both sides, mismatching arguments and class.
func TestNormalizedVerdictsEqual(t *testing.T) {
	if len(enumByBase) != 8 {
		t.Fatalf("enumByBase has %d underlying types, want the 8 GNU C gives enums", len(enumByBase))
	}
	targets := check.Targets()
	checked, changed, enums, n := 0, 0, 0, 0
	rapid.Check(t, func(rt *rapid.T) {
		// Four signatures a case, two of each profile.
		for i := range 4 {
			profile := gen.Kernel
			if i%2 == 1 {
				profile = gen.Full
			}
			fn := gen.Func(profile).Draw(rt, fmt.Sprintf("fn%d", i))
			n++
			norm := normFunc(fn)
			if ctype.Render(norm) != ctype.Render(renamed(fn)) {
				changed++
			}
			if slices.ContainsFunc(fn.Params, func(p ctype.Param) bool { _, ok := ctype.Underlying(p.Type).(*ctype.Enum); return ok }) {
				enums++
			}
			for _, tg := range targets {
				want, err := check.Run(fn, tg)
				if err != nil {
					rt.Fatalf("check.Run(%s): %v", ctype.Render(fn), err)
				}
				got, err := check.Run(norm, tg)
				if err != nil {
					rt.Fatalf("check.Run(normalized %s): %v", ctype.Render(norm), err)
				}
				if d := verdictDiff(fn.Name, want, got); d != "" {
					rt.Fatalf("%s: %s\n%s\nnormalized:\n%s", tg, d, ctype.Render(fn), ctype.Render(norm))
				}
				checked++
			}
		}
	})
	// The normalization must have had something to do.
	if changed < n/4 || enums < n/20 {
		t.Fatalf("only %d of %d signatures changed under normalization, %d with an enum", changed, n, enums)
	}
	t.Logf("%d verdicts compared, %d of %d signatures changed by normalization, %d with an enum", checked, changed, n, enums)
}

// renamed is fn with normFunc's names but its own types.
func renamed(fn *ctype.Func) *ctype.Func {
	out := &ctype.Func{Name: normName, Return: fn.Return}
	for i, p := range fn.Params {
		q := ctype.Param{Type: p.Type}
		if p.Name != "" {
			q.Name = fmt.Sprintf("p%d", i)
		}
		out.Params = append(out.Params, q)
	}
	return out
}

// verdictDiff says how two verdicts of one signature differ in anything
// but names, "" if they do not.
func verdictDiff(name string, a, b *check.Verdict) string {
	unname := func(s string) string { return strings.ReplaceAll(s, normName, name) }
	switch {
	case a.Kind != b.Kind:
		return fmt.Sprintf("kind %s, normalized %s", a.Kind, b.Kind)
	case (a.Rejected == nil) != (b.Rejected == nil):
		return "one rejected"
	case a.Rejected != nil && (a.Rejected.Stage != b.Rejected.Stage || a.Rejected.Reason != unname(b.Rejected.Reason)):
		return fmt.Sprintf("rejected %+v, normalized %+v", *a.Rejected, *b.Rejected)
	case a.Class != unname(b.Class):
		return fmt.Sprintf("class %q, normalized %q", a.Class, b.Class)
	case a.Reachable != b.Reachable:
		return "reachable differs"
	}
	if d := placementDiff(a.ABI, b.ABI); d != "" {
		return "ABI: " + d
	}
	if d := placementDiff(a.JIT, b.JIT); d != "" {
		return "JIT: " + d
	}
	idx := func(v *check.Verdict) (out []int) {
		for _, m := range v.Mismatches {
			out = append(out, m.Index)
		}
		return out
	}
	if !slices.Equal(idx(a), idx(b)) {
		return fmt.Sprintf("mismatching arguments %v, normalized %v", idx(a), idx(b))
	}
	return ""
}

func placementDiff(a, b *loc.Placement) string {
	if (a == nil) != (b == nil) {
		return "one missing"
	}
	if a == nil {
		return ""
	}
	if len(a.Args) != len(b.Args) {
		return fmt.Sprintf("%d arguments, normalized %d", len(a.Args), len(b.Args))
	}
	for i := range a.Args {
		if !slices.Equal(a.Args[i].Bytes, b.Args[i].Bytes) {
			return fmt.Sprintf("argument %d at %v, normalized %v", i, loc.Runs(a.Args[i].Bytes), loc.Runs(b.Args[i].Bytes))
		}
	}
	return ""
}
