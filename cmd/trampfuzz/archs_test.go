package main

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// `trampfuzz archs -json` lists both architectures with their ABI's
// variants and every kernel model, stable rows included.
func TestArchs(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := runMain([]string{"archs", "-json"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var infos []archInfo
	if err := json.Unmarshal(out.Bytes(), &infos); err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 || infos[0].Name != "arm64" || infos[1].Name != "x86_64" {
		t.Fatalf("archs: %+v", infos)
	}
	variants := func(i int) []string {
		var out []string
		for _, v := range infos[i].ABI.Variants {
			out = append(out, v.Name)
		}
		return out
	}
	if !slices.Contains(variants(0), "aapcs64/gcc12") || !slices.Contains(variants(1), "sysv/clang14") {
		t.Errorf("variants: %v %v", variants(0), variants(1))
	}
	if !slices.Contains(infos[0].Kernels, "arm64/place-args") || !slices.Contains(infos[1].Kernels, "x86_64/v6.12.110-v6.12.y") {
		t.Errorf("kernels: %v %v", infos[0].Kernels, infos[1].Kernels)
	}
	if infos[0].RunUnder != "qemu-aarch64" || infos[1].RunUnder != "" {
		t.Errorf("run under: %q %q", infos[0].RunUnder, infos[1].RunUnder)
	}
}

// layout-c lays out by the architecture asked for: an unnamed bit-field
// aligns the record on arm64 (8, 4), not on x86-64 (5, 1), as gcc and
// clang do on each (ctype's TestUnnamedBitfieldAlignmentPerArch).
func TestLayoutCArch(t *testing.T) {
	f := t.TempDir() + "/a.c"
	if err := os.WriteFile(f, []byte("struct A { char a; int :0; char b; };\nvoid f(struct A a0);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for arch, want := range map[string]string{"arm64": "struct A: size 8, align 4", "x86-64": "struct A: size 5, align 1"} {
		var out, errOut bytes.Buffer
		if code := runMain([]string{"layout-c", "-arch", arch, f}, &out, &errOut); code != exitOK || !strings.HasPrefix(out.String(), want) {
			t.Errorf("-arch %s: exit %d\n%s%s", arch, code, out.String(), errOut.String())
		}
	}
	var out, errOut bytes.Buffer
	if code := runMain([]string{"layout-c", "-arch", "mips", f}, &out, &errOut); code != exitBadInput {
		t.Errorf("-arch mips: exit %d", code)
	}
}
