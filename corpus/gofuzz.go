package corpus

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/trampfuzz/trampfuzz/ctype"
)

// goFuzzHeader is the first line of every file of Go's fuzzing corpus
// (src/internal/fuzz/encoding.go, encVersion1).
const goFuzzHeader = "go test fuzz v1"

// ErrNotGoFuzz is wrapped when a file is not a Go fuzz corpus file.
var ErrNotGoFuzz = errors.New("not a Go fuzz corpus file")

// ReadGoFuzzFile returns the []byte and string arguments of a Go fuzz
// corpus file, in order ("go test fuzz v1" followed by one Go literal per
// line, e.g. []byte("\x01")). Other argument kinds are skipped.
func ReadGoFuzzFile(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseGoFuzz(path, data)
}

// ParseGoFuzz parses the content of a Go fuzz corpus file.
func ParseGoFuzz(name string, data []byte) ([][]byte, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), len(data)+1)
	if !sc.Scan() || sc.Text() != goFuzzHeader {
		return nil, fmt.Errorf("%s: %w (first line must be %q)", name, ErrNotGoFuzz, goFuzzHeader)
	}
	var out [][]byte
	line := 1
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		v, ok, err := parseLiteral(string(text))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w: %v", name, line, ErrNotGoFuzz, err)
		}
		if ok {
			out = append(out, v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// parseLiteral reads T(literal); ok reports a []byte or string value.
func parseLiteral(s string) ([]byte, bool, error) {
	expr, err := parser.ParseExpr(s)
	if err != nil {
		return nil, false, err
	}
	call, isCall := expr.(*ast.CallExpr)
	if !isCall || len(call.Args) != 1 {
		return nil, false, fmt.Errorf("expected T(value), found %q", s)
	}
	lit, isLit := call.Args[0].(*ast.BasicLit)
	switch fun := call.Fun.(type) {
	case *ast.ArrayType: // []byte("...")
		if id, ok := fun.Elt.(*ast.Ident); !ok || id.Name != "byte" || fun.Len != nil || !isLit || lit.Kind != token.STRING {
			return nil, false, fmt.Errorf("unsupported value %q", s)
		}
		v, err := strconv.Unquote(lit.Value)
		return []byte(v), true, err
	case *ast.Ident:
		if fun.Name == "string" && isLit && lit.Kind == token.STRING {
			v, err := strconv.Unquote(lit.Value)
			return []byte(v), true, err
		}
		return nil, false, nil // int(3), bool(true), ...: not ours
	}
	return nil, false, fmt.Errorf("unsupported value %q", s)
}

// Decoder turns the []byte arguments of a fuzz input into a signature
// (for FuzzCheck: gen.FromBytes with its profile).
type Decoder func(args [][]byte) (fn *ctype.Func, target string, err error)

// ImportResult counts what an import did.
type ImportResult struct {
	MergeResult
	Undecodable int // fuzz inputs that decode to no signature
}

// ImportGoFuzz decodes every Go fuzz corpus file in dirs (e.g.
// testdata/fuzz/FuzzCheck and $(go env GOCACHE)/fuzz/<pkg>/FuzzCheck) and
// adds the signatures to d. Missing directories are skipped.
func (d Dir) ImportGoFuzz(dirs []string, decode Decoder) (ImportResult, error) {
	var r ImportResult
	var cases []Case
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return r, err
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			path := filepath.Join(dir, e.Name())
			args, err := ReadGoFuzzFile(path)
			if err != nil {
				r.Errors = append(r.Errors, err)
				continue
			}
			fn, target, err := decode(args)
			if err != nil || fn == nil {
				r.Undecodable++
				continue
			}
			cases = append(cases, Case{Name: e.Name(), Path: path, Func: fn, Target: target})
		}
	}
	m := d.addCases(cases)
	r.Added, r.Present = m.Added, m.Present
	r.Errors = append(r.Errors, m.Errors...)
	return r, nil
}
