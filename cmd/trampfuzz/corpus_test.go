package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/corpus"
	"github.com/trampfuzz/trampfuzz/fuzz"
)

// A case added with -target is listed, verified and exported on that
// target; a bad target name adds nothing.
func TestCorpusCaseTarget(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "sig.c")
	os.WriteFile(src, []byte("void f(__int128 a0);\n"), 0o644)
	cases := filepath.Join(dir, "cases")
	const on = "x86_64/v6.1+pahole-1.31+struct_ops"
	run := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := runMain(append([]string{"corpus", "-dir", cases}, args...), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := run("add", "-target", "x86_64/v6.1", src); code != exitBadInput {
		t.Fatalf("add -target x86_64/v6.1 (not a full name): exit %d\n%s", code, out)
	}
	if code, out := run("add", "-target", on, src); code != exitOK {
		t.Fatalf("add: exit %d\n%s", code, out)
	}
	if _, out := run("ls"); !strings.HasSuffix(strings.TrimSpace(out), "\t"+on) {
		t.Errorf("ls does not show the case's target:\n%s", out)
	}
	if _, out := run("verify"); !strings.Contains(out, " "+on+" ") {
		t.Errorf("verify did not check the case on its target:\n%s", out)
	}
	if _, out := run("verify", "-target", "arm64/v6.17"); strings.Contains(out, on) || !strings.Contains(out, "arm64/v6.17+pahole-") {
		t.Errorf("verify -target did not override the case's target:\n%s", out)
	}
	seeds := filepath.Join(dir, "seeds")
	if code, out := run("export", "-format", "libfuzzer", seeds); code != exitOK {
		t.Fatalf("export: exit %d\n%s", code, out)
	}
	files, _ := os.ReadDir(seeds)
	if len(files) != 1 {
		t.Fatalf("exported %d files, want 1", len(files))
	}
	data, _ := os.ReadFile(filepath.Join(seeds, files[0].Name()))
	fn, tg, err := fuzz.Decode(data[4:])
	if err != nil || tg.String() != on {
		t.Fatalf("exported input decodes to target %q, err %v; want %q", tg.String(), err, on)
	}
	if name, _ := corpus.File(fn, on); strings.TrimSuffix(name, corpus.Ext) != files[0].Name() {
		t.Errorf("exported input %s is not the case %s", files[0].Name(), name)
	}
}
