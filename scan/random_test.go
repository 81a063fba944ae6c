package scan

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
)

var randomN = flag.Int("scan.n", 60, "random signatures per compiler in TestDWARFLocationsOfRandomSignatures")

// TestDWARFLocationsOfRandomSignatures compiles random signatures (each a
// function that passes its arguments on to an external function of the
// same type, so each is used where it arrived) with real compilers and
// scans the objects: wherever DWARF gives an entry location, the
// compiler's own record of where it put the parameter, it must be where
// the oracle of the file's ABI puts it. The one exception the scan cannot
// see is an unnamed bit-field (DWARF omits it; GCC on x86-64 classifies it
// INTEGER), or packing that moves no member and keeps the size (DWARF
// records offsets and sizes, not the alignment packing lowers), so a
// disagreement is allowed only in a signature with one of those.
func TestDWARFLocationsOfRandomSignatures(t *testing.T) {
	compilers := []string{"gcc", "clang", "x86_64-gcc", "x86_64-clang"}
	g := gen.Func(gen.Full)
	fns := make([]*ctype.Func, *randomN)
	for i := range fns {
		fns[i] = g.Example(i)
	}
	for _, compiler := range compilers {
		a := arch.ARM64
		if strings.HasPrefix(compiler, "x86_64-") {
			a = arch.X86_64
		}
		t.Run(compiler, func(t *testing.T) {
			t.Parallel()
			compared, params := 0, 0
			for i, fn := range fns {
				dir := filepath.Join(t.TempDir(), fmt.Sprint(i))
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				obj := compileIn(t, dir, compiler, passOn(fn))
				rep, err := File(obj, Options{})
				if err != nil {
					t.Fatalf("%s: %v", ctype.Render(fn), err)
				}
				l := rep.Locations
				compared, params = compared+l.Compared, params+l.Params
				for _, d := range l.Disagreements {
					if !hasUnnamedBitfield(fn) && !hasInvisiblePacking(fn, a) {
						t.Errorf("%s\nparam %d %s: DWARF %s, oracle %s [%s]", ctype.Render(fn), d.Param, d.Type, d.DWARF, d.Oracle, d.Variant)
					}
				}
			}
			// Most parameters have an entry location: a reader that
			// understood none would otherwise pass.
			if compared < params/3 {
				t.Errorf("%d of %d parameters compared", compared, params)
			}
			t.Logf("%d of %d parameters compared", compared, params)
		})
	}
}

// passOn is C text defining fn as a tail call of g, an external function
// of the same type, with fn's arguments.
func passOn(fn *ctype.Func) string {
	src := strings.TrimSpace(ctype.Render(fn))
	cut := strings.LastIndex(src, "\n") + 1
	proto := strings.TrimSuffix(src[cut:], ";")
	var args []string
	for j := range fn.Params {
		args = append(args, fmt.Sprintf("a%d", j))
	}
	call := "g(" + strings.Join(args, ", ") + ");"
	if b, ok := ctype.Underlying(fn.Return).(*ctype.Basic); !ok || b.Kind != ctype.Void {
		call = "return " + call
	}
	return src[:cut] + strings.Replace(proto, fn.Name+"(", "g(", 1) + ";\n" + proto + " { " + call + " }\n"
}

func hasUnnamedBitfield(fn *ctype.Func) bool {
	return anyRecord(fn, func(r *ctype.Record) bool {
		for _, m := range r.Members {
			if m.Bitfield && m.Name == "" {
				return true
			}
		}
		return false
	})
}

// hasInvisiblePacking: a record of fn is packed, or has a packed member,
// and on a has the same size and member offsets without the packing.
func hasInvisiblePacking(fn *ctype.Func, a *arch.Arch) bool {
	l := layouts{a}
	return anyRecord(fn, func(r *ctype.Record) bool {
		u := *r
		u.Packed = false
		u.Members = append([]ctype.Member(nil), r.Members...)
		packed := r.Packed
		for i := range u.Members {
			packed = packed || u.Members[i].Packed
			u.Members[i].Packed = false
		}
		if !packed {
			return false
		}
		p, q := l.of(r), l.of(&u)
		if p.Size != q.Size {
			return false
		}
		for i := range p.Fields {
			if p.Fields[i].BitOffset != q.Fields[i].BitOffset {
				return false
			}
		}
		return true
	})
}

// anyRecord reports whether pred holds for a record fn uses
// (ctype.Records: by value, nested, or through a pointer).
func anyRecord(fn *ctype.Func, pred func(*ctype.Record) bool) bool {
	for _, r := range ctype.Records(fn) {
		if pred(r) {
			return true
		}
	}
	return false
}
