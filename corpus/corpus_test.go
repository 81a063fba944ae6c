package corpus

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
)

func mustParse(t *testing.T, src string) *ctype.Func {
	t.Helper()
	fn, err := ctype.Parse("t.c", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return fn
}

func TestAddDeduplicatesAndNamesByContent(t *testing.T) {
	d := Dir(t.TempDir())
	fn := mustParse(t, "struct s { long a __attribute__((aligned(16))); };\nvoid f(int a0, struct s a1);\n")
	path, added, err := d.Add(fn)
	if err != nil || !added {
		t.Fatalf("first Add: added=%v err=%v", added, err)
	}
	// The same signature spelled differently is the same case.
	again := mustParse(t, "struct s { long a __aligned(16); };  /* pasted */ void f(int a0, struct s a1);")
	path2, added, err := d.Add(again)
	if err != nil || added || path2 != path {
		t.Fatalf("second Add: path=%s added=%v err=%v, want %s not added", path2, added, err, path)
	}
	got, _ := os.ReadFile(path)
	if string(got) != ctype.Render(fn) {
		t.Fatalf("file content %q is not the canonical text", got)
	}
	cases, err := d.Cases()
	if err != nil || len(cases) != 1 || cases[0].Err != nil {
		t.Fatalf("Cases = %+v, %v", cases, err)
	}
}

func TestCorruptFilesAreReportedAndLeftInPlace(t *testing.T) {
	dir := t.TempDir()
	d := Dir(dir)
	good := mustParse(t, "void f(long a0);\n")
	if _, _, err := d.Add(good); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"truncated.c":        "struct s { long a",
		"noncanonical.c":     "void   f(long a0);",
		"0123456789abcdef.c": "void f(int a0);\n", // valid text, wrong name
	}
	for name, text := range files {
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644)
	}
	cases, err := d.Cases()
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for _, c := range cases {
		if c.Err != nil {
			bad++
			if !errors.Is(c.Err, ErrCorrupt) {
				t.Errorf("%s: error %v does not wrap ErrCorrupt", c.Name, c.Err)
			}
		}
	}
	if bad != 3 || len(cases) != 4 {
		t.Fatalf("got %d cases, %d bad; want 4 and 3", len(cases), bad)
	}
	for name, text := range files {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || string(got) != text {
			t.Errorf("%s was changed or removed", name)
		}
	}
}

func TestAddNeverOverwritesADifferentFile(t *testing.T) {
	dir := t.TempDir()
	d := Dir(dir)
	fn := mustParse(t, "void f(long a0);\n")
	squatter := filepath.Join(dir, Name(fn))
	os.WriteFile(squatter, []byte("user data\n"), 0o644)
	if _, _, err := d.Add(fn); !errors.Is(err, ErrConflict) {
		t.Fatalf("Add over a different file: err = %v, want ErrConflict", err)
	}
	if got, _ := os.ReadFile(squatter); string(got) != "user data\n" {
		t.Fatal("the user's file was overwritten")
	}
}

func TestMerge(t *testing.T) {
	a, b := Dir(t.TempDir()), Dir(t.TempDir())
	shared := mustParse(t, "void f(__int128 a0);\n")
	a.Add(shared)
	b.Add(shared)
	b.Add(mustParse(t, "void f(int a0, __int128 a1);\n"))
	os.WriteFile(filepath.Join(string(b), "broken.c"), []byte("void f("), 0o644)
	r, err := a.Merge(b)
	if err != nil {
		t.Fatal(err)
	}
	if r.Added != 1 || r.Present != 1 || len(r.Errors) != 1 {
		t.Fatalf("Merge = %+v, want 1 added, 1 present, 1 error", r)
	}
}

func TestParseGoFuzz(t *testing.T) {
	args, err := ParseGoFuzz("x", []byte("go test fuzz v1\n[]byte(\"\\x01\\x02abc\")\nint(3)\nstring(\"hi\")\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(args) != 2 || string(args[0]) != "\x01\x02abc" || string(args[1]) != "hi" {
		t.Fatalf("args = %q", args)
	}
	for _, bad := range []string{"", "go test fuzz v2\n", "go test fuzz v1\n[]byte(\"unterminated\n", "go test fuzz v1\nfoo bar\n"} {
		if _, err := ParseGoFuzz("x", []byte(bad)); !errors.Is(err, ErrNotGoFuzz) {
			t.Errorf("ParseGoFuzz(%q): err = %v, want ErrNotGoFuzz", bad, err)
		}
	}
}

func TestImportGoFuzz(t *testing.T) {
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "a"), []byte("go test fuzz v1\n[]byte(\"void f(long a0);\")\n"), 0o644)
	os.WriteFile(filepath.Join(src, "b"), []byte("go test fuzz v1\n[]byte(\"not C\")\n"), 0o644)
	os.WriteFile(filepath.Join(src, "c"), []byte("garbage"), 0o644)
	decode := func(args [][]byte) (*ctype.Func, string, error) {
		fn, err := ctype.Parse("in", args[0])
		return fn, "x86_64/v6.18+pahole-1.31", err
	}
	d := Dir(t.TempDir())
	r, err := d.ImportGoFuzz([]string{src, filepath.Join(src, "missing")}, decode)
	if err != nil {
		t.Fatal(err)
	}
	if r.Added != 1 || r.Undecodable != 1 || len(r.Errors) != 1 {
		t.Fatalf("ImportGoFuzz = %+v, want 1 added, 1 undecodable, 1 error", r)
	}
	cases, err := d.Cases()
	if err != nil || len(cases) != 1 || cases[0].Target != "x86_64/v6.18+pahole-1.31" {
		t.Fatalf("imported cases = %+v, %v; want one on the input's target", cases, err)
	}
}

// A case's target line is its first line, survives a read and a merge, and
// makes the same signature on another target a case of its own.
func TestTargetLine(t *testing.T) {
	d := Dir(t.TempDir())
	fn := mustParse(t, "void f(__int128 a0);")
	const on = "arm64/v6.17+pahole-1.24+struct_ops"
	path, added, err := d.AddOn(fn, on)
	if err != nil || !added {
		t.Fatalf("AddOn: added=%v err=%v", added, err)
	}
	got, _ := os.ReadFile(path)
	if want := "// target: " + on + "\n" + ctype.Render(fn); string(got) != want {
		t.Fatalf("file = %q, want %q", got, want)
	}
	// The file is still C: the target line is a comment.
	if _, err := ctype.Parse("with-target.c", got); err != nil {
		t.Fatalf("a case file with a target line does not parse as C: %v", err)
	}
	if _, added, _ := d.Add(fn); !added {
		t.Fatal("the signature without a target is not a case of its own")
	}
	if _, added, _ := d.AddOn(fn, on); added {
		t.Fatal("the same signature on the same target was written twice")
	}
	merged := Dir(t.TempDir())
	if r, err := merged.Merge(d); err != nil || r.Added != 2 {
		t.Fatalf("Merge = %+v, %v; want 2 added", r, err)
	}
	back := Read(filepath.Join(string(merged), filepath.Base(path)))
	if back.Err != nil || back.Target != on {
		t.Fatalf("merged case: target %q, err %v; want %q", back.Target, back.Err, on)
	}
	if _, _, err := d.AddOn(fn, "arm64/v6.17 evil\n"); err == nil {
		t.Fatal("AddOn took a target that would break the file's first line")
	}
}

func TestBadTargetLineIsCorrupt(t *testing.T) {
	body := "void f(long a0);\n"
	for _, data := range []string{
		"// target: \n" + body,                   // empty
		"// target: arm64/v6.17 x86_64\n" + body, // two words
		"// target: arm64/v6.17",                 // no signature after it
		"// target: a\n// target: b\n" + body,    // a second target line is not canonical C
	} {
		name := nameOf([]byte(data))
		if _, _, err := Validate(name, []byte(data)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("Validate(%q): err = %v, want ErrCorrupt", data, err)
		}
	}
}
