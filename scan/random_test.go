package scan

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
// INTEGER), so a disagreement is allowed only in a signature with one.
func TestDWARFLocationsOfRandomSignatures(t *testing.T) {
	compilers := []string{"gcc", "clang", "x86_64-gcc", "x86_64-clang"}
	g := gen.Func(gen.Full)
	fns := make([]*ctype.Func, *randomN)
	for i := range fns {
		fns[i] = g.Example(i)
	}
	for _, compiler := range compilers {
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
					if !hasUnnamedBitfield(fn) {
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
	var walk func(t ctype.Type) bool
	walk = func(t ctype.Type) bool {
		switch u := ctype.Underlying(t).(type) {
		case *ctype.Array:
			return walk(u.Elem)
		case *ctype.Record:
			for _, m := range u.Members {
				if m.Bitfield && m.Name == "" || walk(m.Type) {
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
