package ci_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// archComparison matches code that branches on an architecture's name: a
// comparison or switch case against a name or the packages' name
// constants, an isX86-style helper, or an ELF machine constant.
var archComparison = regexp.MustCompile(`(==|!=)\s*(\w+\.)?(Arch(X86_64|ARM64|AArch64)|"(x86_64|x86-64|amd64|arm64|aarch64)")` +
	`|(\w+\.)?(Arch(X86_64|ARM64)|"(x86_64|x86-64|amd64|arm64|aarch64)")\s*(==|!=)` +
	`|case\s+(\w+\.)?(Arch(X86_64|ARM64)|"(x86_64|x86-64|amd64|arm64|aarch64)")` +
	`|\bisX86\(|\bisARM64\(|elf\.EM_(AARCH64|X86_64)`)

// perArchFile reports whether a file belongs to one architecture (its name
// names the architecture or its ABI) or is the architecture record itself:
// the places where an architecture may be spelled out.
func perArchFile(rel string) bool {
	if strings.HasPrefix(rel, "arch/") {
		return true
	}
	base := strings.ToLower(filepath.Base(rel))
	for _, w := range []string{"arm64", "aarch64", "x86", "amd64", "aapcs64", "sysv"} {
		if strings.Contains(base, w) {
			return true
		}
	}
	return false
}

// Outside the per-architecture files, no code branches on an
// architecture's name: each package keeps a registry filled from one file
// per architecture, so adding one is new files, not edits everywhere.
func TestNoArchitectureNameComparisons(t *testing.T) {
	r := root()
	var found []string
	err := filepath.WalkDir(r, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(r, path)
		if perArchFile(rel) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(data), "\n") {
			code, _, _ := strings.Cut(line, "//")
			if archComparison.MatchString(code) {
				found = append(found, rel+":"+strconv.Itoa(i+1)+": "+strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) > 0 {
		t.Errorf("%d architecture-name comparisons outside the per-architecture files:\n%s", len(found), strings.Join(found, "\n"))
	}
	// The pattern finds what it is for.
	for _, bad := range []string{`if k.Arch == layout.ArchX86_64 {`, `case "aarch64":`, `if f.Machine != elf.EM_AARCH64 {`, `return isX86(c)`} {
		if !archComparison.MatchString(bad) {
			t.Errorf("the check misses %q", bad)
		}
	}
}
