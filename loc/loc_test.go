package loc_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/loc"
)

// Every form of the vocabulary (package doc) with the value it denotes.
var formTests = []struct {
	s    string
	want loc.Loc
}{
	{"x0.0", loc.RegByte(loc.XReg(0), 0)},
	{"x3.5", loc.RegByte(loc.XReg(3), 5)},
	{"x30.7", loc.RegByte(loc.XReg(30), 7)},
	{"v1.12", loc.RegByte(loc.VReg(1), 12)},
	{"v31.15", loc.RegByte(loc.VReg(31), 15)},
	{"rdi.0", loc.RegByte(loc.RDI, 0)},
	{"rsi.7", loc.RegByte(loc.RSI, 7)},
	{"rdx.1", loc.RegByte(loc.RDX, 1)},
	{"rcx.2", loc.RegByte(loc.RCX, 2)},
	{"r8.3", loc.RegByte(loc.R8, 3)},
	{"r9.4", loc.RegByte(loc.R9, 4)},
	{"rax.0", loc.RegByte(loc.Reg{Class: loc.R, N: 0}, 0)},
	{"r15.7", loc.RegByte(loc.Reg{Class: loc.R, N: 15}, 7)},
	{"xmm0.7", loc.RegByte(loc.XMMReg(0), 7)},
	{"xmm15.15", loc.RegByte(loc.XMMReg(15), 15)},
	{"sp+0", loc.Stack(0)},
	{"sp+24", loc.Stack(24)},
	{"sp+1073741824", loc.Stack(1 << 30)},
	{"ref(x2)+7", loc.Ref(loc.RegByte(loc.XReg(2), 0), 7)},
	{"ref(x0)+0", loc.Ref(loc.RegByte(loc.XReg(0), 0), 0)},
	{"ref(rdi)+100", loc.Ref(loc.RegByte(loc.RDI, 0), 100)},
	{"ref(sp+8)+7", loc.Ref(loc.Stack(8), 7)},
	{"ref(sp+0)+31", loc.Ref(loc.Stack(0), 31)},
}

func TestParseAndFormat(t *testing.T) {
	for _, tt := range formTests {
		got, err := loc.Parse(tt.s)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.s, err)
			continue
		}
		if got != tt.want {
			t.Errorf("Parse(%q) = %#v, want %#v", tt.s, got, tt.want)
		}
		if s := tt.want.String(); s != tt.s {
			t.Errorf("%#v.String() = %q, want %q", tt.want, s, tt.s)
		}
	}
}

// allLocs is every register byte of every register file, a range of stack
// bytes and by-reference bytes through registers and stack slots.
func allLocs() []loc.Loc {
	var out []loc.Loc
	regs := []loc.Reg{}
	for n := 0; n <= 30; n++ {
		regs = append(regs, loc.XReg(n))
	}
	for n := 0; n <= 31; n++ {
		regs = append(regs, loc.VReg(n))
	}
	for n := 0; n <= 15; n++ {
		regs = append(regs, loc.Reg{Class: loc.R, N: uint8(n)}, loc.XMMReg(n))
	}
	for _, r := range regs {
		for b := 0; b < r.Width(); b++ {
			out = append(out, loc.RegByte(r, b))
		}
		out = append(out, loc.Ref(loc.RegByte(r, 0), 0), loc.Ref(loc.RegByte(r, 0), 65))
	}
	for off := 0; off < 300; off++ {
		out = append(out, loc.Stack(off))
	}
	for slot := 0; slot < 128; slot += 8 {
		out = append(out, loc.Ref(loc.Stack(slot), 0), loc.Ref(loc.Stack(slot), 15))
	}
	return out
}

// Parse(l.String()) == l for every location, and the strings are distinct.
func TestFormatParseEveryLocation(t *testing.T) {
	seen := map[string]loc.Loc{}
	for _, l := range allLocs() {
		s := l.String()
		if prev, dup := seen[s]; dup && prev != l {
			t.Fatalf("%#v and %#v both print as %q", prev, l, s)
		}
		seen[s] = l
		got, err := loc.Parse(s)
		if err != nil || got != l {
			t.Fatalf("Parse(%q) = %#v, %v; want %#v", s, got, err, l)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, s := range []string{
		"", "x", "x3", "x3.", "x3.-1", "x3.+1", "x3.8", "x3.05", "x03.1", "x31.0", "x3.5.1", "X3.5", " x3.5", "x3.5 ",
		"v32.0", "v0.16", "w3.1", "rdi.8", "rdi", "xmm16.0", "xmm0.16", "r16.0", "sp", "sp+", "sp-8", "sp+-8", "sp+08",
		"sp+1073741825", "sp+99999999999999999999", "sp+8.0",
		"ref(x2)", "ref(x2)+", "ref(x2)-7", "ref(x2.0)+7", "ref(sp+4)+0", "ref(sp+8)+7)", "ref(sp)+1", "ref()+1",
		"ref(ref(x1)+0)+3", "ref(x31)+0", "ref(x2)+07", "x3.5\n",
	} {
		l, err := loc.Parse(s)
		if err == nil {
			t.Errorf("Parse(%q) = %v, want an error", s, l)
			continue
		}
		if !errors.Is(err, loc.ErrSyntax) {
			t.Errorf("Parse(%q): error %v does not wrap ErrSyntax", s, err)
		}
		if !strings.Contains(err.Error(), strconv.Quote(s)) {
			t.Errorf("Parse(%q): error %q does not quote the input", s, err)
		}
	}
}

// Any string Parse accepts is canonical: it prints back as itself.
func FuzzParse(f *testing.F) {
	for _, tt := range formTests {
		f.Add(tt.s)
	}
	f.Add("ref(sp+8)+7)")
	f.Add("xmm16.0")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := loc.Parse(s)
		if err != nil {
			if !errors.Is(err, loc.ErrSyntax) {
				t.Fatalf("Parse(%q): error %v does not wrap ErrSyntax", s, err)
			}
			return
		}
		if got := l.String(); got != s {
			t.Fatalf("Parse(%q).String() = %q", s, got)
		}
	})
}

func TestPointerAndNext(t *testing.T) {
	x2 := loc.RegByte(loc.XReg(2), 0)
	if p, ok := loc.Ref(x2, 7).Pointer(); !ok || p != x2 {
		t.Errorf("ref(x2)+7 pointer = %v, %v; want x2.0", p, ok)
	}
	if p, ok := loc.Ref(loc.Stack(8), 7).Pointer(); !ok || p != loc.Stack(8) {
		t.Errorf("ref(sp+8)+7 pointer = %v, %v; want sp+8", p, ok)
	}
	if _, ok := loc.Stack(8).Pointer(); ok {
		t.Errorf("sp+8 has a pointer")
	}
	for _, tt := range []struct{ l, next string }{{"x3.5", "x3.6"}, {"sp+24", "sp+25"}, {"ref(x2)+7", "ref(x2)+8"}, {"ref(sp+8)+7", "ref(sp+8)+8"}} {
		l, _ := loc.Parse(tt.l)
		if got := l.Next().String(); got != tt.next {
			t.Errorf("%s.Next() = %s, want %s", tt.l, got, tt.next)
		}
	}
	if !(loc.Loc{}).IsZero() || x2.IsZero() {
		t.Errorf("IsZero is wrong")
	}
	if got := loc.Contiguous(loc.Stack(16), 3); !reflect.DeepEqual(got, []loc.Loc{loc.Stack(16), loc.Stack(17), loc.Stack(18)}) {
		t.Errorf("Contiguous(sp+16, 3) = %v", got)
	}
}

// locs parses locations; "" is a byte with no location (the zero Loc).
func locs(t *testing.T, ss ...string) []loc.Loc {
	t.Helper()
	out := make([]loc.Loc, len(ss))
	for i, s := range ss {
		if s == "" {
			continue
		}
		l, err := loc.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = l
	}
	return out
}

func TestRuns(t *testing.T) {
	for _, tt := range []struct {
		bytes []string
		want  string
	}{
		{nil, ""},
		{[]string{"x2.0"}, "x2.0"},
		{[]string{"x2.0", "x2.1", "x2.2", "x2.3", "x2.4", "x2.5", "x2.6", "x2.7", "x3.0", "x3.1", "x3.2", "x3.3", "x3.4", "x3.5", "x3.6", "x3.7"}, "x2.0-7 x3.0-7"},
		{[]string{"sp+16", "sp+17", "sp+18", "sp+19", "sp+20", "sp+21", "sp+22", "sp+23"}, "sp+16-23"},
		{[]string{"v0.0", "v0.1", "v0.2", "v0.3", "v1.0", "v1.1", "v1.2", "v1.3"}, "v0.0-3 v1.0-3"},
		{[]string{"x7.0", "x7.1", "sp+0", "sp+1"}, "x7.0-1 sp+0-1"},
		{[]string{"ref(x1)+0", "ref(x1)+1", "ref(x1)+2"}, "ref(x1)+0-2"},
		{[]string{"ref(sp+8)+0", "ref(sp+8)+1"}, "ref(sp+8)+0-1"},
		{[]string{"x1.0", "x1.2", "x1.1"}, "x1.0 x1.2 x1.1"},
		{[]string{"ref(x1)+0", "ref(x2)+1"}, "ref(x1)+0 ref(x2)+1"},
		{[]string{"ref(sp+0)+0", "ref(sp+8)+1"}, "ref(sp+0)+0 ref(sp+8)+1"},
		// Bytes with no location (not passed, or never read) fold into one
		// run of their count, between located runs.
		{[]string{"x0.0", "", "", "x0.1"}, "x0.0 none×2 x0.1"},
		{[]string{"", "", "", ""}, "none×4"},
		{[]string{"", "sp+0", "sp+1", ""}, "none×1 sp+0-1 none×1"},
	} {
		var parts []string
		runs := loc.Runs(locs(t, tt.bytes...))
		n := 0
		for _, r := range runs {
			parts = append(parts, r.String())
			n += r.Len
		}
		if got := strings.Join(parts, " "); got != tt.want {
			t.Errorf("Runs(%v) = %q, want %q", tt.bytes, got, tt.want)
		}
		if n != len(tt.bytes) {
			t.Errorf("Runs(%v) covers %d bytes, want %d", tt.bytes, n, len(tt.bytes))
		}
	}
	r := loc.Run{First: loc.Stack(16), Len: 8}
	if r.Last() != loc.Stack(23) {
		t.Errorf("Last of sp+16-23 = %v", r.Last())
	}
}

func placement(t *testing.T) loc.Placement {
	return loc.Placement{Func: "f", Args: []loc.Arg{
		{Index: 0, Name: "a0", Type: "int", Size: 4, Bytes: locs(t, "x0.0", "x0.1", "x0.2", "x0.3"), Rules: []string{"AAPCS64 2025Q4 C.9"}},
		{Index: 1, Type: "__int128", Size: 16, Bytes: append(loc.Contiguous(loc.RegByte(loc.XReg(2), 0), 8), loc.Contiguous(loc.RegByte(loc.XReg(3), 0), 8)...), Rules: []string{"C.10", "C.11"}},
		{Index: 2, Type: "struct s1", Size: 3, Bytes: locs(t, "ref(sp+8)+0", "ref(sp+8)+1", "ref(sp+8)+2")},
	}}
}

func TestPlacementString(t *testing.T) {
	want := "a0 int: x0.0-3 [AAPCS64 2025Q4 C.9]\n" +
		"a1 __int128: x2.0-7 x3.0-7 [C.10 C.11]\n" +
		"a2 struct s1: ref(sp+8)+0-2"
	if got := placement(t).String(); got != want {
		t.Errorf("-want %q\n+got  %q", want, got)
	}
}

// The JSON shape of DESIGN.md and the CLI: {"func":"f","args":[{"index":0,
// "type":"...","size":N,"bytes":[...],"rules":[...]}]}, one string per byte.
func TestPlacementJSON(t *testing.T) {
	p := placement(t)
	p.Args = p.Args[:2]
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"func":"f","args":[{"index":0,"name":"a0","type":"int","size":4,"bytes":["x0.0","x0.1","x0.2","x0.3"],"rules":["AAPCS64 2025Q4 C.9"]},` +
		`{"index":1,"type":"__int128","size":16,"bytes":["x2.0","x2.1","x2.2","x2.3","x2.4","x2.5","x2.6","x2.7","x3.0","x3.1","x3.2","x3.3","x3.4","x3.5","x3.6","x3.7"],"rules":["C.10","C.11"]}]}`
	if string(data) != want {
		t.Errorf("-want %s\n+got  %s", want, data)
	}
	var back loc.Placement
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, p) {
		t.Errorf("JSON round trip: %+v, want %+v", back, p)
	}
	if err := json.Unmarshal([]byte(`{"func":"f","args":[{"index":0,"bytes":["x9.9"]}]}`), &back); !errors.Is(err, loc.ErrSyntax) {
		t.Errorf("a bad location in JSON: error %v, want ErrSyntax", err)
	}
}

func TestDiff(t *testing.T) {
	a := placement(t)
	if d := loc.Diff(a, a); d != nil {
		t.Errorf("Diff(a, a) = %v, want nil", d)
	}
	b := placement(t)
	b.Args[1].Bytes = append(loc.Contiguous(loc.RegByte(loc.XReg(1), 0), 8), loc.Contiguous(loc.RegByte(loc.XReg(2), 0), 8)...)
	b.Args[2].Bytes = b.Args[2].Bytes[:2] // shorter: byte 2 missing on b's side
	d := loc.Diff(a, b)
	var got []string
	for _, ad := range d {
		for _, bd := range ad.Bytes {
			got = append(got, strconv.Itoa(ad.Index)+"."+strconv.Itoa(bd.Byte)+": "+bd.A.String()+" vs "+bd.B.String())
		}
	}
	var want []string
	for i := 0; i < 8; i++ {
		want = append(want, "1."+strconv.Itoa(i)+": x2."+strconv.Itoa(i)+" vs x1."+strconv.Itoa(i))
	}
	for i := 0; i < 8; i++ {
		want = append(want, "1."+strconv.Itoa(8+i)+": x3."+strconv.Itoa(i)+" vs x2."+strconv.Itoa(i))
	}
	want = append(want, "2.2: ref(sp+8)+2 vs ")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Diff:\n-want %q\n+got  %q", want, got)
	}
	// An argument only one side has differs in all its bytes.
	c := placement(t)
	c.Args = c.Args[:1]
	d = loc.Diff(c, a)
	if len(d) != 2 || d[0].Index != 1 || len(d[0].Bytes) != 16 || !d[0].Bytes[0].A.IsZero() || d[1].Index != 2 || len(d[1].Bytes) != 3 {
		t.Errorf("Diff with missing arguments = %+v", d)
	}
	// JSON of a diff: the missing side is "".
	data, err := json.Marshal(d[1].Bytes[0])
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != `{"byte":0,"a":"","b":"ref(sp+8)+0"}` {
		t.Errorf("ByteDiff JSON = %s", data)
	}
}
