package oraclecheck

// The x86-64 check: oracle.SysV against the host's gcc and clang
// --target=x86_64-linux-gnu, compiled natively and run directly (truth with
// Arch x86_64). gcc is held to the default variant sysv (the psABI as GCC
// reads it), clang to the variant of its release (oracle.CompilerVariant).
//
// Padding is not compared: a byte of an argument that holds no value (the
// bytes between and after members, the bits of unnamed bit-fields, bytes
// 10–15 of a long double, which is 80 bits in 16 bytes) may be anywhere or
// nowhere, since a compiler passes a record by its members (clang passes
// struct { char c; double d; } as an i8 and a double) and copies a long
// double through the x87 stack. Every other byte the oracle places must be
// among the places the compiler put it; a byte the oracle does not place
// (a NO_CLASS eightbyte) must be nowhere.

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/oracle"
	"github.com/trampfuzz/trampfuzz/truth"
)

func init() { runners[arch.X86_64] = RunSysV }

// RunSysV draws o.N signatures and checks the SysV oracle against the
// host's gcc and clang (x86-64). Options and Report mean what they mean for
// Run; Report.Checked keys read "sysv vs gcc".
func RunSysV(ctx context.Context, o Options) (*Report, error) {
	return run(ctx, o, truth.ArchX86_64, (*Report).addSysV)
}

// addSysV checks one signature's x86-64 observations.
func (r *Report) addSysV(res truth.Result) {
	r.skip(res)
	pad := ctype.PaddingBytes(res.Func, arch.X86_64)
	clangLayout := BitfieldLayoutDiffers(res.Func)
	if clangLayout && res.Observations[truth.Clang] != nil {
		r.Skipped["clang/bit-field layout"]++
		if _, ok := r.SkippedExample["clang/bit-field layout"]; !ok {
			r.SkippedExample["clang/bit-field layout"] = res.Text
		}
	}
	pairs := r.pairs
	placed := map[string]loc.Placement{}
	for _, pair := range pairs {
		p, err := oracle.Place(res.Func, pair.Variant)
		if err != nil {
			r.PlaceErrors = append(r.PlaceErrors, fmt.Sprintf("%s: %v\n%s", pair.Variant.Name, err, res.Text))
			continue
		}
		placed[pair.Variant.Name] = p
		obs := res.Observations[pair.Compiler]
		if obs == nil {
			continue
		}
		r.Observed[pair.Compiler]++
		if clangLayout && pair.Compiler == truth.Clang {
			continue
		}
		r.checkPadded(pair.Variant.Name, pair.Compiler, res.Text, p, obs, pad)
	}
	g, c := res.Observations[truth.GCC], res.Observations[truth.Clang]
	if g == nil || c == nil || clangLayout {
		return
	}
	d := DivergeSysV(g, c, pad)
	if d == nil {
		return
	}
	gp, okG := placed[pairs[0].Variant.Name]
	cp, okC := placed[pairs[1].Variant.Name]
	dv := Divergence{Text: res.Text, Detail: d.String()}
	if okG && okC && firstApart(gp, cp, pad) >= 0 {
		dv.Documented = true
		// The compiler-specific rules of the first argument the two
		// variants place apart, padding included: an empty record that
		// one of them puts on the stack moves only later arguments' value
		// bytes.
		if i := firstApart(gp, cp, nil); i >= 0 {
			for _, a := range []loc.Arg{gp.Args[i], cp.Args[i]} {
				for _, rule := range a.Rules {
					if !strings.HasPrefix(rule, "SysV ") && !slices.Contains(dv.Rules, rule) {
						dv.Rules = append(dv.Rules, rule)
					}
				}
			}
		}
	}
	r.Divergences = append(r.Divergences, dv)
}

// checkPadded is check with padding bytes left out (package comment).
func (r *Report) checkPadded(variant string, c truth.Compiler, text string, p loc.Placement, obs *truth.Observation, pad [][]bool) {
	r.Checked[variant+" vs "+string(c)]++
	var bad []truth.Mismatch
	for _, m := range obs.Admits(p) {
		if isPadding(pad, m.Arg, m.Byte) {
			continue
		}
		if m.Placed.IsZero() && len(m.Observed) == 0 {
			continue // not passed, found nowhere
		}
		bad = append(bad, m)
	}
	if len(bad) > 0 {
		r.Mismatches = append(r.Mismatches, Mismatch{Variant: variant, Compiler: c, Text: text, Placement: p, Bytes: bad})
	}
}

func isPadding(pad [][]bool, arg, b int) bool {
	return arg < len(pad) && b < len(pad[arg]) && pad[arg][b]
}

// firstApart is the first argument two placements put apart in a byte
// that is not padding, or -1.
func firstApart(a, b loc.Placement, pad [][]bool) int {
	if len(a.Args) != len(b.Args) {
		return 0
	}
	for i := range a.Args {
		x, y := a.Args[i].Bytes, b.Args[i].Bytes
		if len(x) != len(y) {
			return i
		}
		for k := range x {
			if x[k] != y[k] && !isPadding(pad, i, k) {
				return i
			}
		}
	}
	return -1
}

// DivergeSysV is truth.Diverge with padding left out: gcc and clang diverge
// on a byte that holds a value when their candidate sets have nothing in
// common (one of them empty included: one passes the byte, the other does
// not).
func DivergeSysV(a, b *truth.Observation, pad [][]bool) *truth.Divergence {
	d := truth.Diverge(a, b)
	if d == nil {
		return nil
	}
	kept := d.Bytes[:0]
	for _, x := range d.Bytes {
		if !isPadding(pad, x.Arg, x.Byte) && (len(x.A) > 0 || len(x.B) > 0) {
			kept = append(kept, x)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	d.Bytes = kept
	return d
}

// BitfieldLayoutDiffers reports whether a record fn passes by value has a
// bit-field declared with a typedef whose aligned(N) is not its type's
// size. GCC places such a bit-field by the typedef's alignment (ctype does
// as GCC does) and clang does not, with the same sizeof and _Alignof, so
// clang's argument bytes hold other members than ctype says
// (oracle/testdata/sysv-divergences.md §5). The check leaves clang out
// for such signatures.
func BitfieldLayoutDiffers(fn *ctype.Func) bool {
	seen := map[*ctype.Record]bool{}
	var walk func(t ctype.Type) bool
	walk = func(t ctype.Type) bool {
		switch u := ctype.Underlying(t).(type) {
		case *ctype.Array:
			return walk(u.Elem)
		case *ctype.Record:
			if seen[u] {
				return false
			}
			seen[u] = true
			for i := range u.Members {
				m := &u.Members[i]
				if m.Bitfield && oddTypedefAlign(m.Type) {
					return true
				}
				if !m.Bitfield && walk(m.Type) {
					return true
				}
			}
		}
		return false
	}
	for _, p := range fn.Params {
		if walk(p.Type) {
			return true
		}
	}
	return false
}

// oddTypedefAlign: some typedef on t's chain has aligned(N) ≠ sizeof.
func oddTypedefAlign(t ctype.Type) bool {
	for {
		td, ok := t.(*ctype.Typedef)
		if !ok {
			return false
		}
		if td.Aligned != 0 && td.Aligned != ctype.Sizeof(td.Type) {
			return true
		}
		t = td.Type
	}
}
