// Package corpus is trampfuzz's shared corpus: one signature per file, in
// canonical C text (ctype.Render), named by the SHA-256 of the file, so
// that two corpora merge by copying files and duplicates collapse by name.
// A case found on one target may say so in a first line
// "// target: arm64/v6.17+pahole-1.24+struct_ops" (a C comment, so the file
// still compiles); a case without it has no target of its own.
//
// The cases of this repository live in corpus/cases/. A corpus directory
// holds only NAME.c files; anything else in it is left alone.
//
// Writes are atomic (a temporary file in the same directory, then rename)
// and never replace a file with different content. A file that does not
// parse, is not canonical, or whose name is not the hash of its content is
// reported with its path and left in place.
package corpus

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/trampfuzz/trampfuzz/ctype"
)

// Ext is the extension of a case file.
const Ext = ".c"

// nameLen is how many hex digits of the SHA-256 name a case.
const nameLen = 16

// Errors wrapped by the functions of this package.
var (
	ErrCorrupt  = errors.New("corrupt corpus file")
	ErrConflict = errors.New("a different file already has this name")
)

// Name is the file name (without directory) of a signature's case.
func Name(fn *ctype.Func) string {
	name, _ := File(fn, "")
	return name
}

func nameOf(text []byte) string {
	sum := sha256.Sum256(text)
	return hex.EncodeToString(sum[:])[:nameLen] + Ext
}

// Case is one file of a corpus.
type Case struct {
	Name string
	Path string
	Func *ctype.Func // nil when Err is set
	// Target is the target the case was found on (check.Target.String(),
	// "+struct_ops" included), or "".
	Target string
	Err    error // why the file is not a valid case
}

// targetLine starts a case file's optional first line.
const targetLine = "// target: "

// File is the name and content of the case file of fn found on target
// ("": none).
func File(fn *ctype.Func, target string) (name string, data []byte) {
	text := ctype.Render(fn)
	if target != "" {
		text = targetLine + target + "\n" + text
	}
	return nameOf([]byte(text)), []byte(text)
}

// validTarget reports whether target can stand on a target line: one
// token of the characters target names use. Whether it names a modelled
// target is for the user of the case to say (this package knows no
// kernels).
func validTarget(target string) bool {
	if target == "" {
		return false
	}
	for _, r := range target {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._/+-", r)) {
			return false
		}
	}
	return true
}

// Dir is a corpus directory.
type Dir string

// Add writes fn to the corpus unless an identical case is there. It
// reports the case's path and whether a file was written.
func (d Dir) Add(fn *ctype.Func) (path string, added bool, err error) { return d.AddOn(fn, "") }

// AddOn is Add for a case found on target ("": none), which its file's
// first line records.
func (d Dir) AddOn(fn *ctype.Func, target string) (path string, added bool, err error) {
	if err := ctype.Check(fn); err != nil {
		return "", false, err
	}
	if target != "" && !validTarget(target) {
		return "", false, fmt.Errorf("corpus: target %q is not a target name", target)
	}
	name, text := File(fn, target)
	path = filepath.Join(string(d), name)
	if old, err := os.ReadFile(path); err == nil {
		if bytes.Equal(old, text) {
			return path, false, nil
		}
		return path, false, fmt.Errorf("%s: %w (left in place)", path, ErrConflict)
	} else if !errors.Is(err, os.ErrNotExist) {
		return path, false, err
	}
	if err := os.MkdirAll(string(d), 0o755); err != nil {
		return path, false, err
	}
	if err := writeNew(path, text); err != nil {
		return path, false, err
	}
	return path, true, nil
}

// writeNew writes a file atomically and never replaces an existing one:
// the content goes to a temporary file first, then a hard link gives it
// its name (failing if the name exists), so a reader never sees a partial
// file and a concurrent writer never loses one.
func writeNew(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, os.ErrExist) {
			if old, rerr := os.ReadFile(path); rerr == nil && bytes.Equal(old, data) {
				return nil
			}
			return fmt.Errorf("%s: %w (left in place)", path, ErrConflict)
		}
		return err
	}
	return nil
}

// Cases reads every case file of the corpus, sorted by name. A file that
// is not a valid case is returned with Err set; reading goes on. A missing
// directory is an empty corpus.
func (d Dir) Cases() ([]Case, error) {
	entries, err := os.ReadDir(string(d))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Case
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), Ext) {
			continue
		}
		out = append(out, Read(filepath.Join(string(d), e.Name())))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Read reads and validates one case file.
func Read(path string) Case {
	c := Case{Name: filepath.Base(path), Path: path}
	text, err := os.ReadFile(path)
	if err != nil {
		c.Err = err
		return c
	}
	c.Func, c.Target, c.Err = Validate(path, text)
	return c
}

// MergeResult counts what a merge did.
type MergeResult struct {
	Added, Present int
	Errors         []error // corrupt source files, conflicts
}

// Merge adds every valid case of src to d. Invalid source files and
// conflicts are listed in the result and skipped; nothing in d is
// replaced.
func (d Dir) Merge(src Dir) (MergeResult, error) {
	cases, err := src.Cases()
	if err != nil {
		return MergeResult{}, err
	}
	return d.addCases(cases), nil
}

func (d Dir) addCases(cases []Case) MergeResult {
	var r MergeResult
	for _, c := range cases {
		if c.Err != nil {
			r.Errors = append(r.Errors, c.Err)
			continue
		}
		_, added, err := d.AddOn(c.Func, c.Target)
		switch {
		case err != nil:
			r.Errors = append(r.Errors, err)
		case added:
			r.Added++
		default:
			r.Present++
		}
	}
	return r
}

// Validate checks that data is a valid case file named name: its target
// line, when it has one, names a target; the rest parses, is canonical C
// text, and name is the hash of its content. It returns the signature and
// the target line's target ("" when it has none).
func Validate(name string, data []byte) (*ctype.Func, string, error) {
	body, target := data, ""
	if rest, ok := bytes.CutPrefix(data, []byte(targetLine)); ok {
		line, after, found := bytes.Cut(rest, []byte("\n"))
		if !found || !validTarget(string(line)) {
			return nil, "", fmt.Errorf("%w: %s: line 1: a target line names one target, e.g. %sarm64/v6.17+pahole-1.24", ErrCorrupt, name, targetLine)
		}
		body, target = after, string(line)
	}
	fn, err := ctype.Parse(name, body)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if ctype.Render(fn) != string(body) {
		return nil, "", fmt.Errorf("%w: %s: not canonical C text (trampfuzz parse prints the canonical form)", ErrCorrupt, name)
	}
	if want := nameOf(data); want != filepath.Base(name) {
		return nil, "", fmt.Errorf("%w: %s: name does not match its content (want %s)", ErrCorrupt, name, want)
	}
	return fn, target, nil
}
