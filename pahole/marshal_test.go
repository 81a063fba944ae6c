package pahole

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

var roundTripCases = []string{
	"void f(int a);",
	"struct bf { int a : 8; unsigned int b : 7; int : 0; char c; };\nlong f(struct bf x, __int128 y, double z);",
	"enum e { A = -1, B = 0x100000000 };\ntypedef enum e e_t;\nenum e f(e_t a, enum e *b);",
	"struct node { struct node *next; long v[2][3]; };\nunion u { int a; struct node *n; };\nvoid *f(struct node n, union u b, void *c);",
	"struct inc;\nvoid f(struct inc *a, unsigned __int128 b, long double c, _Bool d, signed char e);",
}

// Marshal then Load gives back the same type graph.
func TestMarshalLoadRoundTrip(t *testing.T) {
	for _, src := range roundTripCases {
		fn, skip, err := Encode(mustParse(t, src), Newest, loc.Placement{})
		if err != nil || skip != nil {
			t.Fatalf("%q: %v %v", src, err, skip)
		}
		raw, err := Marshal(fn)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if binary.LittleEndian.Uint16(raw) != 0xeb9f {
			t.Fatalf("%q: not little-endian BTF (magic %#x)", src, raw[:2])
		}
		back, err := Load(raw, "f")
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if err := sameBTF(fn, back); err != nil {
			t.Errorf("%q: round trip: %v", src, err)
		}
		again, err := Marshal(back)
		if err != nil || !bytes.Equal(raw, again) {
			t.Errorf("%q: marshalling the loaded func gives other bytes (%v)", src, err)
		}
	}
}

// BTF has no field for alignment (btf.rst: STRUCT carries size and
// members only), so a member's aligned(16) and the struct's aligned(16)
// give one and the same BTF, although the C types differ.
func TestAlignmentAmbiguity(t *testing.T) {
	member := mustParse(t, "struct s { long a __attribute__((aligned(16))); };\nvoid f(long a0, struct s a1);")
	record := mustParse(t, "struct s { long a; } __attribute__((aligned(16)));\nvoid f(long a0, struct s a1);")
	for _, v := range Versions() {
		var raws [][]byte
		for _, fn := range []*ctype.Func{member, record} {
			got, skip, err := Encode(fn, v, loc.Placement{})
			if err != nil || skip != nil {
				t.Fatalf("%s: %v %v", v, err, skip)
			}
			raw, err := Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			raws = append(raws, raw)
		}
		if !bytes.Equal(raws[0], raws[1]) {
			t.Errorf("%s: the two aligned(16) structs give different BTF", v)
		}
	}
	// And the C types do differ where it matters for the ABI: in one the
	// record is aligned(16), in the other a member is.
	if ctype.Render(member) == ctype.Render(record) {
		t.Fatal("the two signatures render alike; the test compares nothing")
	}
}

func TestLoadBadInput(t *testing.T) {
	fn, _, err := Encode(mustParse(t, "struct s { long a; };\nvoid f(struct s a, int b);"), V1_24, loc.Placement{})
	if err != nil {
		t.Fatal(err)
	}
	good, err := Marshal(fn)
	if err != nil {
		t.Fatal(err)
	}
	wrongMagic := append([]byte{}, good...)
	wrongMagic[0], wrongMagic[1] = 0x12, 0x34

	// A FUNC whose type is an INT, not a FUNC_PROTO: patch the FUNC's
	// type field in the raw bytes to the INT's id.
	noProto := append([]byte{}, good...)
	ts, err := parseRawBTF(noProto)
	if err != nil {
		t.Fatal(err)
	}
	hdrLen := binary.LittleEndian.Uint32(noProto[4:])
	typeOff := binary.LittleEndian.Uint32(noProto[8:])
	pos, intID := int(hdrLen+typeOff), 0
	funcPos := -1
	for _, rt := range ts {
		if rt.kind == kindInt && intID == 0 {
			intID = rt.id
		}
		if rt.kind == kindFunc {
			funcPos = pos
		}
		pos += 12 + 4*len(rt.extra)
	}
	if intID == 0 || funcPos < 0 {
		t.Fatal("test BTF lacks an INT or the FUNC")
	}
	binary.LittleEndian.PutUint32(noProto[funcPos+8:], uint32(intID))

	cases := map[string][]byte{
		"empty":              nil,
		"truncated":          good[:len(good)/2],
		"header only":        good[:24],
		"wrong magic":        wrongMagic,
		"func with no proto": noProto,
		"garbage":            bytes.Repeat([]byte{0xff}, 64),
	}
	for name, raw := range cases {
		if _, err := Load(raw, "f"); !errors.Is(err, ErrBadBTF) {
			t.Errorf("%s: err %v, want ErrBadBTF", name, err)
		}
	}
	if _, err := Load(good, "g"); !errors.Is(err, ErrBadBTF) {
		t.Errorf("missing func: %v", err)
	}
	if _, err := Marshal(nil); err == nil {
		t.Error("Marshal(nil) succeeded")
	}
}

func FuzzLoad(f *testing.F) {
	for _, src := range roundTripCases {
		fn, _, err := Encode(mustParse(f, src), V1_24, loc.Placement{})
		if err != nil {
			f.Fatal(err)
		}
		raw, err := Marshal(fn)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		fn, err := Load(raw, "f")
		if err != nil {
			if !errors.Is(err, ErrBadBTF) {
				t.Fatalf("error %v does not wrap ErrBadBTF", err)
			}
			return
		}
		if _, ok := fn.Type.(*btf.FuncProto); !ok {
			t.Fatalf("Load returned a func without a proto: %v", fn)
		}
	})
}
