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
	decode := func(args [][]byte) (*ctype.Func, error) { return ctype.Parse("in", args[0]) }
	d := Dir(t.TempDir())
	r, err := d.ImportGoFuzz([]string{src, filepath.Join(src, "missing")}, decode)
	if err != nil {
		t.Fatal(err)
	}
	if r.Added != 1 || r.Undecodable != 1 || len(r.Errors) != 1 {
		t.Fatalf("ImportGoFuzz = %+v, want 1 added, 1 undecodable, 1 error", r)
	}
}
