package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// cliCompatCommands are the commands whose JSON and exit code must stay as
// they were before the architecture record (#18): run on every corpus
// case.
var cliCompatCommands = map[string][]string{
	"check":  {"check", "-json", "-target", "all"},
	"abi":    {"abi", "-json"},
	"sysv":   {"abi", "-abi", "sysv", "-json"},
	"layout": {"layout", "-json", "-target", "x86_64/v6.6", "-pahole", "1.24"},
}

// addedFields are JSON keys added since the recorded outputs: "known" (the
// reviewed known-class entry, whose targets and witnesses grow), "cause" (a
// rejection's stable code) and "corrupt" (a trampoline whose code the JIT
// could not encode). Additions keep scripts working.
var addedFields = map[string]bool{"known": true, "cause": true, "corrupt": true}

// cliDigest is the SHA-256 of a command's JSON with every added field
// removed, re-encoded with sorted keys.
func cliDigest(out []byte) (string, error) {
	var v any
	if err := json.Unmarshal(out, &v); err != nil {
		return "", err
	}
	var strip func(any) any
	strip = func(x any) any {
		switch x := x.(type) {
		case map[string]any:
			m := map[string]any{}
			for k, e := range x {
				if !addedFields[k] {
					m[k] = strip(e)
				}
			}
			return m
		case []any:
			for i := range x {
				x[i] = strip(x[i])
			}
		}
		return x
	}
	b, err := json.Marshal(strip(v))
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:]), nil
}

// The CLI's JSON outputs and exit codes on the corpus are what they were
// before the architecture record: testdata/cli-before.txt holds, per case
// and command, the exit code and cliDigest of the output the binary of
// commit cee4c44 gave. An intended change of output updates the line (the
// failure prints the new digest) and says why in its commit.
func TestCLIUnchangedOnTheCorpus(t *testing.T) {
	data, err := os.ReadFile("testdata/cli-before.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line) // case command exit digest
		if len(f) != 4 {
			t.Fatalf("bad line %q", line)
		}
		args := append(append([]string{}, cliCompatCommands[f[1]]...), filepath.Join("..", "..", "corpus", "cases", f[0]+".c"))
		var out, errOut bytes.Buffer
		code := runMain(args, &out, &errOut)
		digest, err := cliDigest(out.Bytes())
		if err != nil {
			t.Errorf("%s %s: %v\n%s", f[0], f[1], err, errOut.String())
			continue
		}
		if strconv.Itoa(code) != f[2] || digest != f[3] {
			t.Errorf("%s: trampfuzz %s: exit %d, digest %s; was exit %s, digest %s", f[0], strings.Join(args, " "), code, digest, f[2], f[3])
		}
		n++
	}
	if n < 4*15 {
		t.Fatalf("only %d recorded outputs", n)
	}
}
