package fuzz

import (
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
)

// Go's fuzzing engine counts the executions of a minimization only when
// the whole minimization returns, which can take up to -fuzzminimizetime
// (60 s by default); its "execs:" line then stands still while the workers
// run the target, and what is in flight when -fuzztime ends is never
// counted. To measure a target's speed, ci/fuzz-ratio has each fuzz
// function count its own calls instead: with TRAMPFUZZ_EXECS_DIR set,
// every process keeps the count of its calls in DIR/<pid>, rewritten every
// execsFlush calls.

const execsFlush = 1024

var (
	execsDir = os.Getenv("TRAMPFUZZ_EXECS_DIR")
	execs    atomic.Int64
)

// CountExec counts one call of a fuzz function (see above); without
// TRAMPFUZZ_EXECS_DIR it does nothing.
func CountExec() {
	if execsDir == "" {
		return
	}
	if n := execs.Add(1); n%execsFlush == 0 {
		writeExecs(n)
	}
}

func writeExecs(n int64) {
	path := filepath.Join(execsDir, strconv.Itoa(os.Getpid()))
	tmp := path + ".tmp"
	if os.WriteFile(tmp, []byte(strconv.FormatInt(n, 10)+"\n"), 0o644) == nil {
		os.Rename(tmp, path)
	}
}
