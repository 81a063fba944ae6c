package ktruth

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
)

// readCPIO parses a newc archive back (the test's own reader).
func readCPIO(t *testing.T, data []byte) []cpioEntry {
	t.Helper()
	var out []cpioEntry
	hex := func(s []byte) uint32 {
		n, err := strconv.ParseUint(string(s), 16, 32)
		if err != nil {
			t.Fatalf("header field %q: %v", s, err)
		}
		return uint32(n)
	}
	align := func(n int) int { return (n + 3) &^ 3 }
	for off := 0; ; {
		h := data[off : off+110]
		if string(h[:6]) != "070701" {
			t.Fatalf("offset %d: magic %q", off, h[:6])
		}
		mode, size, major, minor, nameLen := hex(h[14:22]), int(hex(h[54:62])), hex(h[78:86]), hex(h[86:94]), int(hex(h[94:102]))
		name := string(data[off+110 : off+110+nameLen-1])
		body := align(off + 110 + nameLen)
		if name == "TRAILER!!!" {
			return out
		}
		out = append(out, cpioEntry{name: name, mode: mode, data: data[body : body+size], major: major, minor: minor})
		off = align(body + size)
	}
}

func TestInitramfs(t *testing.T) {
	init, mod := []byte("\x7fELF init"), []byte("module bytes, 17b")
	got := readCPIO(t, initramfs(init, mod, []string{"tfk_0", "tfk_1"}))
	want := map[string]cpioEntry{
		"dev":         {mode: modeDir | 0o755},
		"dev/console": {mode: modeChar | 0o600, major: 5, minor: 1},
		"init":        {mode: modeFile | 0o755, data: init},
		"tfk.ko":      {mode: modeFile | 0o644, data: mod},
		"funcs.txt":   {mode: modeFile | 0o644, data: []byte("tfk_0\ntfk_1\n")},
	}
	seen := 0
	for _, e := range got {
		w, ok := want[e.name]
		if !ok {
			continue
		}
		seen++
		if e.mode != w.mode || !bytes.Equal(e.data, w.data) || e.major != w.major || e.minor != w.minor {
			t.Errorf("%s: %+v, want %+v", e.name, e, w)
		}
	}
	if seen != len(want) {
		t.Errorf("archive has %d of the %d files: %+v", seen, len(want), got)
	}
}

// findBTF cuts a BTF blob out of the bytes around it, as it sits in an
// uncompressed kernel image, and passes over a header-shaped decoy.
func TestFindBTF(t *testing.T) {
	b, err := btf.NewBuilder([]btf.Type{&btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := b.Marshal(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	junk := func(n int) []byte {
		out := make([]byte, n)
		for i := range out {
			out[i] = byte(rng.Uint32())
		}
		return out
	}
	decoy := append([]byte{0x9f, 0xeb, 0x01, 0x00, 24, 0, 0, 0}, junk(64)...)
	img := append(append(append(append(junk(1000), decoy...), junk(333)...), raw...), junk(500)...)
	if got := findBTF(img); !bytes.Equal(got, raw) {
		t.Errorf("findBTF found %d bytes, want the %d-byte blob", len(got), len(raw))
	}
	if got := findBTF(junk(5000)); got != nil {
		t.Errorf("findBTF found %d bytes in noise", len(got))
	}
}

// Every argument byte of a call gets its own value, _Bool its 1.
func TestSigPatterns(t *testing.T) {
	fn, err := ctype.Parse("p.c", []byte("struct s { char a; long b; };\nvoid f(_Bool a, struct s b, __int128 c, int d);"))
	if err != nil {
		t.Fatal(err)
	}
	s := newSig(fn, 7)
	if s.Fn.Name != "tfk_7" || !strings.Contains(ctype.Render(s.Fn), "struct t7_s") {
		t.Errorf("renamed:\n%s", ctype.Render(s.Fn))
	}
	seen := map[byte]bool{}
	for i, p := range s.Pattern {
		for b, v := range p {
			if i == 0 {
				if v != 1 {
					t.Errorf("_Bool byte %#x, want 1", v)
				}
				continue
			}
			if v < 2 || seen[v] {
				t.Errorf("a%d byte %d: value %#x repeats or is reserved", i, b, v)
			}
			seen[v] = true
		}
	}
	if len(seen) != 16+16+4 {
		t.Errorf("%d distinct bytes, want 36", len(seen))
	}
}

// The recorded run's results, compared with models: Debian's 6.12.118
// counts an __int128 as two slots (bpf_get_func_arg_cnt 4 for f(int,
// __int128, int)), which the x86_64/v6.6 model does not and the
// x86_64/v6.12.118 stable row does; the aligned(16) struct's misread
// (BPF's slot 3 is junk where the ABI has c in rcx) agrees with both.
func TestCompareRecorded(t *testing.T) {
	b := ParseConsole(readLog(t, "console-6.12.118-amd64.log"), false)
	srcs := []string{
		"struct s { long x; } __attribute__((aligned(16)));\nvoid f(long a, struct s b, long c);",
		"void f(int a, __int128 b, int c);",
		"struct big { long a; long b; long c; };\nvoid f(int a, struct big b);",
	}
	results := map[int]GuestResult{}
	for _, r := range b.Results {
		results[r.Index] = r
	}
	for _, tc := range []struct {
		model string
		agree []bool
	}{
		{"x86_64/v6.12.118", []bool{true, true, true}},
		{"x86_64/v6.6", []bool{true, false, true}},
	} {
		target, err := check.ParseTarget(tc.model, "1.24")
		if err != nil {
			t.Fatal(err)
		}
		for i, src := range srcs {
			fn, err := ctype.Parse("r.c", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			c, err := Compare(observe(newSig(fn, i+1), results, b), target)
			if err != nil {
				t.Fatal(err)
			}
			if c.Agree() != tc.agree[i] {
				t.Errorf("%s, signature %d: agree %v, want %v: %q\n%s", tc.model, i+1, c.Agree(), tc.agree[i], c.Diffs, c.Reading)
			}
			if i == 1 && !c.Agree() && !strings.Contains(c.Diffs[0], "bpf_get_func_arg_cnt: model 3, kernel 4") {
				t.Errorf("%s: diffs %q, want the slot count", tc.model, c.Diffs)
			}
			if c.Kernel == Attached && c.Compared == 0 {
				t.Errorf("%s, signature %d: no byte compared", tc.model, i+1)
			}
		}
	}
}
