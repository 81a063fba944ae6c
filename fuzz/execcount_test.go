package fuzz

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestCountExecWritesTheCount(t *testing.T) {
	dir := t.TempDir()
	execsDir = dir
	execs.Store(0)
	t.Cleanup(func() { execsDir = ""; execs.Store(0) })
	for range 3*execsFlush + 5 {
		CountExec()
	}
	raw, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(os.Getpid())))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(raw)), strconv.Itoa(3*execsFlush); got != want {
		t.Errorf("count file says %s, want %s (the last multiple of %d)", got, want, execsFlush)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(tmps) != 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}
