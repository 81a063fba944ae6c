package ktruth

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"

	"github.com/trampfuzz/trampfuzz/arch"
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
			if i == 2 {
				// The 24-byte struct: both refuse it with EINVAL
				// (btf_distill_func_proto's size check); another errno
				// is a difference.
				o := observe(newSig(fn, i+1), results, b)
				if c.Kernel != LoadRefused || o.Errno != 22 {
					t.Errorf("%s: signature 3 %s errno %d, want a load refused with EINVAL", tc.model, c.Kernel, o.Errno)
				}
				o.Errno = 524
				if c, err := Compare(o, target); err != nil || c.Agree() || !strings.Contains(c.Diffs[0], "errno: model 22") {
					t.Errorf("%s: ENOTSUPP against the model's EINVAL: %v %q", tc.model, err, c.Diffs)
				}
			}
		}
	}
}

// A boot that crashes at a function marks that function Crashed, keeps the
// results before it, and runs the functions after it in a fresh boot; a
// boot that runs nothing at all ends the run instead of looping.
func TestRunGoesOnAfterACrash(t *testing.T) {
	var fns []*ctype.Func
	for i := 0; i < 5; i++ {
		fn, err := ctype.Parse("f.c", []byte("void f(long a0);"))
		if err != nil {
			t.Fatal(err)
		}
		fns = append(fns, fn)
	}
	var boots [][]string
	ok := func(s Sig) GuestResult {
		return GuestResult{Index: s.Index, Func: s.Fn.Name, Hits: 1, Count: 1, Slots: []string{"0908070605040302"}}
	}
	opts := Options{Batch: 10, batchRunner: func(_ context.Context, _ *Prepared, sigs []Sig, seq int) (Boot, error) {
		var names []string
		for _, s := range sigs {
			names = append(names, s.Fn.Name)
		}
		boots = append(boots, names)
		b := Boot{Release: "test", Loaded: true}
		for _, s := range sigs {
			// The first boot crashes at its third function (fns[2]).
			if seq == 0 && s.Index == 3 {
				b.Crash = &Crash{Index: 3, Func: s.Fn.Name, Step: "call", Text: "Oops: general protection fault"}
				return b, nil
			}
			b.Results = append(b.Results, ok(s))
		}
		b.Done = true
		return b, nil
	}}
	rep, err := Run(context.Background(), &Prepared{Kernel: Kernel{Name: "test"}}, fns, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Boots != 2 || len(boots[1]) != 3 {
		t.Fatalf("%d boots %v: want a second boot with the probe and the last two functions", rep.Boots, boots)
	}
	want := []Outcome{Attached, Attached, Crashed, Attached, Attached}
	for i, o := range rep.Observations {
		if o == nil || o.Outcome != want[i] {
			t.Fatalf("function %d: %+v, want %s", i, o, want[i])
		}
	}
	if c := rep.Observations[2].Crash; c == nil || c.Step != "call" || !strings.Contains(rep.Observations[2].Message, "Oops") {
		t.Errorf("the crash is not kept: %+v", rep.Observations[2])
	}

	// A guest that dies before loading the module fails the run at once.
	opts.batchRunner = func(context.Context, *Prepared, []Sig, int) (Boot, error) {
		return Boot{Fatal: "init_module: exec format error"}, nil
	}
	if _, err := Run(context.Background(), &Prepared{Kernel: Kernel{Name: "test"}}, fns, opts); err == nil || !strings.Contains(err.Error(), "init_module") {
		t.Errorf("a guest that cannot load the module: %v", err)
	}
}

// A user's own kernel is VMLINUZ:BUILD_DIR; the build directory says the
// architecture (.config) and version (kernel.release) that pick the model.
func TestLookupKernel(t *testing.T) {
	dir := t.TempDir()
	vmlinuz := filepath.Join(dir, "Image")
	headers := filepath.Join(dir, "build")
	for path, data := range map[string]string{
		vmlinuz:                           "image",
		filepath.Join(headers, ".config"): "#\nCONFIG_ARM64=y\nCONFIG_BPF=y\n",
		filepath.Join(headers, "include/config/kernel.release"): "6.17.3-custom\n",
	} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	k, err := LookupKernel(vmlinuz+":"+headers, "")
	if err != nil || k.Arch != arch.ARM64 || k.Model != "arm64/6.17.3-custom" {
		t.Fatalf("LookupKernel = %+v, %v", k, err)
	}
	if _, err := check.ParseTarget(k.Model, "1.24"); err != nil {
		t.Errorf("the model %q is not a target: %v", k.Model, err)
	}
	if k, err := LookupKernel("debian/6.12-arm64", "arm64/v6.17"); err != nil || k.Model != "arm64/v6.17" {
		t.Errorf("a named model: %+v, %v", k, err)
	}
	for _, bad := range []string{"debian/5.10-amd64", "6.12", vmlinuz + ":" + dir} {
		if _, err := LookupKernel(bad, ""); err == nil {
			t.Errorf("LookupKernel(%q) accepted", bad)
		}
	}
	if _, err := LookupKernel("nonsense", ""); err == nil || !strings.Contains(err.Error(), "debian/6.12-arm64") {
		t.Errorf("an unknown name's error names no kernel: %v", err)
	}
}

func TestUpstreamVersion(t *testing.T) {
	for deb, want := range map[string]string{
		"linux-image-6.1.0-57-amd64-unsigned_6.1.192-3_amd64.deb":                "6.1.192",
		"linux-image-6.12.118+deb12-arm64-unsigned_6.12.118-1~deb12u1_arm64.deb": "6.12.118",
	} {
		if got, err := upstreamVersion(deb); err != nil || got != want {
			t.Errorf("upstreamVersion(%s) = %q, %v", deb, got, err)
		}
	}
	if _, err := upstreamVersion("linux-image.deb"); err == nil {
		t.Error("a name without a version was accepted")
	}
}
