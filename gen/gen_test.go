package gen_test

import (
	"errors"
	"math/rand/v2"
	"regexp"
	"sort"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
)

// randomInputs returns n fuzzer inputs of 0..maxLen random bytes from a
// fixed seed.
func randomInputs(n, maxLen int) [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([][]byte, n)
	for i := range out {
		b := make([]byte, r.IntN(maxLen+1))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		out[i] = b
	}
	return out
}

var profiles = []struct {
	name string
	p    gen.Profile
}{{"Full", gen.Full}, {"Kernel", gen.Kernel}, {"zero", gen.Profile{}}, {"deep", gen.Profile{MinArgs: 2, MaxArgs: 3, Floats: true, MaxDepth: 6, MaxMembers: 10}}}

// checkFunc asserts what every drawn signature must satisfy.
func checkFunc(t interface{ Fatalf(string, ...any) }, fn *ctype.Func, p gen.Profile) {
	if err := ctype.Check(fn); err != nil {
		t.Fatalf("invalid signature: %v\n%s", err, ctype.Render(fn))
	}
	if n := len(fn.Params); n < p.MinArgs || n > p.MaxArgs {
		t.Fatalf("%d parameters, want %d..%d\n%s", n, p.MinArgs, p.MaxArgs, ctype.Render(fn))
	}
	if fn.Name != "f" {
		t.Fatalf("function named %q, want f", fn.Name)
	}
	for i, prm := range fn.Params {
		if want := "a" + itoa(i); prm.Name != want {
			t.Fatalf("parameter %d named %q, want %s", i, prm.Name, want)
		}
	}
	f := features(fn)
	if !p.Floats && (f["float"]+f["double"]+f["long double"] > 0) {
		t.Fatalf("profile without floats drew a floating-point type:\n%s", ctype.Render(fn))
	}
	text := ctype.Render(fn)
	for _, name := range nameRE.FindAllString(text, -1) {
		if !allowedName.MatchString(name) && !cKeyword[name] {
			t.Fatalf("unexpected identifier %q in\n%s", name, text)
		}
	}
}

var (
	nameRE      = regexp.MustCompile(`\b[A-Za-z_][A-Za-z0-9_]*\b`)
	allowedName = regexp.MustCompile(`^(f|a\d+|s\d+|m\d+|e\d+|t\d+|E\d+_[A-Z]+)$`)
	cKeyword    = map[string]bool{"struct": true, "union": true, "enum": true, "typedef": true, "void": true, "char": true,
		"signed": true, "unsigned": true, "short": true, "int": true, "long": true, "float": true, "double": true,
		"_Bool": true, "__int128": true, "__attribute__": true, "packed": true, "aligned": true}
)

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

func TestFuncAlwaysValid(t *testing.T) {
	for _, pr := range profiles {
		t.Run(pr.name, func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				checkFunc(rt, gen.Func(pr.p).Draw(rt, "fn"), pr.p)
			})
		})
	}
}

func TestFromBytesAlwaysValid(t *testing.T) {
	inputs := append(randomInputs(20000, 600), nil, []byte{}, []byte{0xff}, []byte(strings.Repeat("\xff", 4096)), []byte(strings.Repeat("\x80", 4096)))
	for _, pr := range profiles {
		t.Run(pr.name, func(t *testing.T) {
			for _, in := range inputs {
				fn, err := gen.FromBytes(in, pr.p)
				if err != nil {
					t.Fatalf("FromBytes(%x): %v", in, err)
				}
				checkFunc(t, fn, pr.p)
			}
		})
	}
}

func TestRecordAlwaysValid(t *testing.T) {
	for _, pr := range profiles {
		t.Run(pr.name, func(t *testing.T) {
			rapid.Check(t, func(rt *rapid.T) {
				r := gen.Record(pr.p).Draw(rt, "record")
				fn := &ctype.Func{Name: "f", Return: ctype.TVoid, Params: []ctype.Param{{Name: "a0", Type: r}}}
				if err := ctype.Check(fn); err != nil {
					rt.Fatalf("invalid record: %v\n%s", err, ctype.Render(fn))
				}
				if r.Name == "" {
					rt.Fatalf("record without a tag:\n%s", ctype.Render(fn))
				}
				if d := ctype.Nesting(r); d > max(pr.p.MaxDepth, 1) && pr.p.MaxDepth != 0 || pr.p.MaxDepth == 0 && d > gen.DefaultMaxDepth {
					rt.Fatalf("records nest %d deep, profile allows %d:\n%s", d, pr.p.MaxDepth, ctype.Render(fn))
				}
			})
		})
	}
}

// The simplest input gives the simplest signature: no bytes, every choice 0.
func TestFromBytesEmptyIsSimplest(t *testing.T) {
	fn, err := gen.FromBytes(nil, gen.Full)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ctype.Render(fn), "void f(int a0);\n"; got != want {
		t.Errorf("FromBytes(nil, Full) = %q, want %q", got, want)
	}
	fn, _ = gen.FromBytes(nil, gen.Profile{})
	if got, want := ctype.Render(fn), "void f(void);\n"; got != want {
		t.Errorf("FromBytes(nil, Profile{}) = %q, want %q", got, want)
	}
}

func TestFromBytesDeterministic(t *testing.T) {
	for _, in := range randomInputs(500, 400) {
		a, _ := gen.FromBytes(in, gen.Full)
		b, _ := gen.FromBytes(in, gen.Full)
		if ctype.Render(a) != ctype.Render(b) {
			t.Fatalf("two draws from %x differ:\n%s\n%s", in, ctype.Render(a), ctype.Render(b))
		}
	}
}

func TestInvalidProfile(t *testing.T) {
	for _, p := range []gen.Profile{
		{MinArgs: -1, MaxArgs: 3},
		{MinArgs: 4, MaxArgs: 3},
		{MaxArgs: 1000},
		{MaxArgs: 3, ManyArgsPercent: 101},
		{MaxArgs: 3, MaxDepth: -1},
		{MaxArgs: 3, MaxMembers: 99},
	} {
		if _, err := gen.FromBytes([]byte{1, 2, 3}, p); !errors.Is(err, gen.ErrProfile) {
			t.Errorf("FromBytes with %+v: error %v, want ErrProfile", p, err)
		}
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Func(%+v) did not panic", p)
				}
			}()
			gen.Func(p)
		}()
	}
}

// features counts what a signature contains, by name; the coverage test
// requires each to appear.
func features(fn *ctype.Func) map[string]int {
	f := map[string]int{}
	n := len(fn.Params)
	switch {
	case n > gen.RegularMaxArgs:
		f["13+ args"]++
	case n >= 7 && n <= 10:
		f["7-10 args"]++
	}
	if ctype.IsRecord(fn.Return) {
		f["record return"]++
	}
	seen := map[ctype.Type]bool{}
	var open []*ctype.Record
	var walk func(t ctype.Type, depth int)
	walk = func(t ctype.Type, depth int) {
		switch t := t.(type) {
		case *ctype.Basic:
			f[t.Kind.String()]++
		case *ctype.Pointer:
			f["pointer"]++
			if r, ok := t.Elem.(*ctype.Record); ok {
				if r.Incomplete {
					f["pointer to incomplete record"]++
				}
				for _, o := range open {
					if o == r {
						f["pointer to enclosing record"]++
					}
				}
			}
			walk(t.Elem, 0)
		case *ctype.Array:
			f["array"]++
			if ctype.IsRecord(t.Elem) {
				f["array of records"]++
			}
			if _, ok := t.Elem.(*ctype.Array); ok {
				f["multi-dimensional array"]++
			}
			walk(t.Elem, depth)
		case *ctype.Enum:
			if seen[t] {
				return
			}
			seen[t] = true
			f["enum"]++
			if t.Packed {
				f["packed enum"]++
			}
			for _, v := range t.Values {
				if v.Value < 0 {
					f["negative enumerator"]++
				}
				if v.Value >= 1<<32 || v.Value < -1<<31 {
					f["64-bit enum"]++
				}
			}
		case *ctype.Typedef:
			f["typedef"]++
			if t.Aligned != 0 {
				if natural := ctype.Alignof(t.Type); t.Aligned > natural {
					f["typedef aligned up"]++
				} else if t.Aligned < natural {
					f["typedef aligned down"]++
				}
			}
			walk(t.Type, depth)
		case *ctype.Record:
			if depth > 0 {
				// depth counts enclosing records: 1 is a record in a record.
				f["records nested "+itoa(min(depth+1, 3))+" deep"]++
			}
			if seen[t] {
				return
			}
			seen[t] = true
			open = append(open, t)
			defer func() { open = open[:len(open)-1] }()
			if t.Union {
				f["union"]++
			} else {
				f["struct"]++
			}
			if len(t.Members) == 0 {
				f["empty record"]++
			}
			if t.Packed {
				f["packed record"]++
			}
			if t.Aligned != 0 {
				f["aligned("+itoa(int(t.Aligned))+") record"]++
			}
			if t.Packed && t.Aligned != 0 {
				f["packed and aligned record"]++
			}
			if base, n := hfa(t); n >= 1 && n <= 4 {
				f["HFA of "+base]++
			}
			if s := ctype.Sizeof(t); s >= 9 && s <= 16 {
				f["9-16 byte record"]++
			}
			for _, m := range t.Members {
				if m.Aligned != 0 {
					f["aligned member"]++
				}
				if m.Packed {
					f["packed member"]++
				}
				if m.Name == "" && !m.Bitfield {
					f["anonymous member"]++
				}
				if r, ok := m.Type.(*ctype.Record); ok && r.Name == "" && m.Name != "" {
					f["member of anonymous record type"]++
				}
				if m.Bitfield {
					f["bit-field"]++
					switch {
					case m.Bits == 0:
						f["zero-width bit-field"]++
					case m.Name == "":
						f["unnamed bit-field"]++
					}
					if m.Packed || t.Packed {
						f["packed bit-field"]++
					}
					if m.Aligned != 0 {
						f["aligned bit-field"]++
					}
					switch u := ctype.Underlying(m.Type).(type) {
					case *ctype.Basic:
						if u.Kind == ctype.Int128 || u.Kind == ctype.UInt128 {
							f["__int128 bit-field"]++
						}
					case *ctype.Enum:
						f["enum bit-field"]++
					}
					if td, ok := m.Type.(*ctype.Typedef); ok && td.Aligned != 0 {
						f["bit-field over aligned typedef"]++
					}
				}
				walk(m.Type, depth+1)
			}
		}
	}
	walk(fn.Return, 0)
	for _, p := range fn.Params {
		walk(p.Type, 0)
	}
	return f
}

// hfa returns the base type and element count of a homogeneous
// floating-point aggregate (AAPCS64 2025Q4 §5.9.5), or count 0.
func hfa(t ctype.Type) (string, int) {
	switch u := ctype.Underlying(t).(type) {
	case *ctype.Basic:
		if u.Kind.IsFloat() {
			return u.Kind.String(), 1
		}
	case *ctype.Array:
		b, n := hfa(u.Elem)
		return b, n * int(u.Len)
	case *ctype.Record:
		base, total := "", 0
		for _, m := range u.Members {
			if m.Bitfield {
				return "", 0
			}
			b, n := hfa(m.Type)
			if n == 0 || base != "" && b != base {
				return "", 0
			}
			base = b
			if u.Union {
				total = max(total, n)
			} else {
				total += n
			}
		}
		if ctype.Sizeof(u) != int64(total)*ctype.Sizeof(ctype.BasicOf(kindOf(base))) {
			return "", 0 // padding or packing: not homogeneous
		}
		return base, total
	}
	return "", 0
}

func kindOf(name string) ctype.BasicKind {
	switch name {
	case "float":
		return ctype.Float
	case "double":
		return ctype.Double
	}
	return ctype.LongDouble
}

// requiredFeatures is every kind the generators must draw (the task of
// gen: all of ctype, weighted toward the ABI edges).
var requiredFeatures = []string{
	"_Bool", "char", "signed char", "unsigned char", "short", "unsigned short", "int", "unsigned int",
	"long", "unsigned long", "long long", "unsigned long long", "__int128", "unsigned __int128",
	"float", "double", "long double", "void",
	"pointer", "pointer to incomplete record", "pointer to enclosing record",
	"enum", "packed enum", "negative enumerator", "64-bit enum",
	"struct", "union", "empty record", "records nested 2 deep", "records nested 3 deep",
	"anonymous member", "member of anonymous record type",
	"array", "array of records", "multi-dimensional array",
	"bit-field", "unnamed bit-field", "zero-width bit-field", "packed bit-field", "aligned bit-field",
	"__int128 bit-field", "enum bit-field", "bit-field over aligned typedef",
	"typedef", "typedef aligned up", "typedef aligned down",
	"packed record", "aligned(8) record", "aligned(16) record", "aligned(32) record", "packed and aligned record",
	"aligned member", "packed member",
	"HFA of float", "HFA of double", "HFA of long double", "9-16 byte record",
	"13+ args", "7-10 args", "record return",
}

func countFeatures(fns []*ctype.Func) map[string]int {
	total := map[string]int{}
	for _, fn := range fns {
		for k := range features(fn) {
			total[k]++ // signatures with the feature
		}
	}
	return total
}

func TestCoverage(t *testing.T) {
	const n = 5000
	var fromBytes, fromRapid []*ctype.Func
	for _, in := range randomInputs(n, 600) {
		fn, _ := gen.FromBytes(in, gen.Full)
		fromBytes = append(fromBytes, fn)
	}
	g := gen.Func(gen.Full)
	for i := 0; i < n; i++ {
		fromRapid = append(fromRapid, g.Example(i))
	}
	for _, src := range []struct {
		name string
		fns  []*ctype.Func
	}{{"FromBytes", fromBytes}, {"rapid", fromRapid}} {
		got := countFeatures(src.fns)
		var missing []string
		for _, k := range requiredFeatures {
			if got[k] == 0 {
				missing = append(missing, k)
			}
		}
		if missing != nil {
			t.Errorf("%s: %d signatures drew none of: %s", src.name, n, strings.Join(missing, ", "))
		}
		var lines []string
		for k, v := range got {
			lines = append(lines, k+": "+itoa(v))
		}
		sort.Strings(lines)
		t.Logf("%s, signatures with each feature out of %d:\n%s", src.name, n, strings.Join(lines, "\n"))
	}
	// The weights: 13+ arguments in about ManyArgsPercent (3%) of
	// signatures, and the x7/stack boundary (7–10) in far more than a
	// uniform 1..12 would give (1/3).
	got := countFeatures(fromBytes)
	if frac := float64(got["13+ args"]) / n; frac < 0.015 || frac > 0.05 {
		t.Errorf("FromBytes: 13+ arguments in %.1f%% of signatures, want about 3%%", 100*frac)
	}
	if frac := float64(got["7-10 args"]) / n; frac < 0.45 {
		t.Errorf("FromBytes: 7–10 arguments in %.1f%% of signatures, want ≥ 45%%", 100*frac)
	}
	// Kernel: never a float anywhere, over many draws too.
	for _, in := range randomInputs(n, 600) {
		fn, _ := gen.FromBytes(in, gen.Kernel)
		if f := features(fn); f["float"]+f["double"]+f["long double"] > 0 {
			t.Fatalf("Kernel drew floating point:\n%s", ctype.Render(fn))
		}
	}
}

func BenchmarkFromBytes(b *testing.B) {
	inputs := randomInputs(1024, 512)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := gen.FromBytes(inputs[i%len(inputs)], gen.Full); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFuncRapid(b *testing.B) {
	g := gen.Func(gen.Full)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		g.Example(i)
	}
}
