package ctype_test

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
)

var update = flag.Bool("update", false, "rewrite ctype/testdata/*.golden from the .c inputs")

// goldenInputs are the testdata/*.c files: C as people paste it.
func goldenInputs(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("testdata", "*.c"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.c: %v", err)
	}
	return files
}

// parseFile parses the C file at path.
func parseFile(tb testing.TB, path string) *ctype.Func {
	tb.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	fn, err := ctype.Parse(path, src)
	if err != nil {
		tb.Fatal(err)
	}
	return fn
}

// TestGolden: each testdata/X.c renders to the canonical text in
// testdata/X.golden, which is a fixed point (it parses and renders to
// itself, deep-equal). Run with -update to rewrite the golden files, then
// review the diff.
func TestGolden(t *testing.T) {
	for _, in := range goldenInputs(t) {
		t.Run(filepath.Base(in), func(t *testing.T) {
			fn := parseFile(t, in)
			got := ctype.Render(fn)
			golden := strings.TrimSuffix(in, ".c") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("Render(Parse(%s)):\n-want %s\n+got  %s", in, want, got)
			}
			roundTrip(t, fn)
			fn2, err := ctype.Parse(golden, want)
			if err != nil {
				t.Fatalf("the golden text does not parse: %v", err)
			}
			if text := ctype.Render(fn2); text != string(want) {
				t.Errorf("the golden text is not canonical: it renders as\n%s", text)
			}
		})
	}
}

// TestGoldenCompiles: real compilers accept every golden text as is,
// -std=gnu11 with warnings as errors except the ones the canonical subset
// implies.
func TestGoldenCompiles(t *testing.T) {
	comps := layoutCompilers(t)
	dir := t.TempDir()
	var files []string
	for _, in := range goldenInputs(t) {
		golden := strings.TrimSuffix(in, ".c") + ".golden"
		data, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		// The golden file's extension is not .c; copy it to one.
		name := filepath.Join(dir, strings.TrimSuffix(filepath.Base(in), ".c")+"_golden.c")
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	var wg sync.WaitGroup
	for _, c := range comps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// -w off: canonical text compiles without warnings too.
			args := []string{}
			for _, a := range c.argv[1:] {
				if a != "-w" {
					args = append(args, a)
				}
			}
			args = append(append(args, "-fsyntax-only", "-Wall", "-Werror"), files...)
			out, err := exec.Command(c.argv[0], args...).CombinedOutput()
			if err != nil {
				t.Errorf("%s rejects golden canonical text: %v\n%s", c.name, err, out)
			}
		}()
	}
	wg.Wait()
}
