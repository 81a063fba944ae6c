package report

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Files returns every file of the report, by slash-separated path relative
// to the report directory.
func Files(c *Case) (map[string][]byte, error) {
	if c == nil || c.Verdict == nil || c.Func == nil {
		return nil, fmt.Errorf("report: %w: no verdict", ErrNotMismatch)
	}
	if c.Verdict.Kind != "mismatch" || len(c.Verdict.Mismatches) == 0 || c.Verdict.ABI == nil || c.Verdict.JIT == nil {
		return nil, fmt.Errorf("report: %w: verdict is %q", ErrNotMismatch, c.Verdict.Kind)
	}
	js, err := MarshalCase(c)
	if err != nil {
		return nil, err
	}
	ks := Kselftest(c)
	files := map[string][]byte{
		"README.md": []byte(README(c)),
		"case.c":    []byte(c.Verdict.C),
		"case.json": js,
		"repro.c":   []byte(ReproC(c)),
	}
	for name, text := range ks {
		files["kselftest/"+name] = []byte(text)
	}
	return files, nil
}

// DirName is the name Write gives the report directory of c (before any
// suffix): the target and the case ID, e.g. "arm64-v6.17-pahole-1.24-3f2a9c1b".
func DirName(c *Case) string {
	slug := strings.NewReplacer("/", "-", "+", "-", " ", "-").Replace(c.Target.String())
	return slug + "-" + c.ID()
}

// Write writes the report of c into a new directory under parent and
// returns its path. The directory is filled under a temporary name and
// renamed into place, so a reader never sees half a report. A directory
// of the same name with the same files is the same report: Write returns
// its path and writes nothing. One with different content is never
// touched: Write uses the first free name with a suffix ("-2", "-3", ...).
func Write(parent string, c *Case) (string, error) {
	files, err := Files(c)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	base := DirName(c)
	for n := 1; n <= 100; n++ {
		name := base
		if n > 1 {
			name += "-" + strconv.Itoa(n)
		}
		dir := filepath.Join(parent, name)
		same, exists, err := sameContent(dir, files)
		if err != nil {
			return "", err
		}
		if same {
			return dir, nil
		}
		if exists {
			continue
		}
		ok, err := writeNew(parent, dir, files)
		if err != nil {
			return "", err
		}
		if ok {
			return dir, nil
		}
		// Another writer created dir meanwhile: it may be this report.
		if same, _, _ := sameContent(dir, files); same {
			return dir, nil
		}
	}
	return "", fmt.Errorf("report: %w: %s and 99 suffixed names are taken", ErrExists, filepath.Join(parent, base))
}

// writeNew fills a temporary directory and renames it to dir; ok is false
// when dir appeared in the meantime.
func writeNew(parent, dir string, files map[string][]byte) (ok bool, err error) {
	tmp, err := os.MkdirTemp(parent, ".tmp-"+filepath.Base(dir)+"-")
	if err != nil {
		return false, err
	}
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(tmp, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return false, err
		}
		if err := writeSynced(p, files[name]); err != nil {
			return false, err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return false, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if _, serr := os.Stat(dir); serr == nil {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// sameContent reports whether dir holds exactly files (same names, same
// bytes), and whether dir exists at all.
func sameContent(dir string, files map[string][]byte) (same, exists bool, err error) {
	st, err := os.Stat(dir)
	if os.IsNotExist(err) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	if !st.IsDir() {
		return false, true, nil
	}
	found := 0
	same = true
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		want, ok := files[filepath.ToSlash(rel)]
		if !ok {
			same = false
			return filepath.SkipAll
		}
		got, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			same = false
			return filepath.SkipAll
		}
		found++
		return nil
	})
	if err != nil {
		return false, true, err
	}
	return same && found == len(files), true, nil
}
