// Package toolchain finds the external programs trampfuzz runs as ground
// truth: the AArch64 cross compilers, qemu-aarch64 and pahole. A missing
// program is an error that names the Debian package providing it and the
// script that installs everything (ci/setup).
package toolchain

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
)

// Tool is one external program.
type Tool struct {
	Name    string // command name looked up in PATH
	Package string // Debian package that provides it
}

// The tools trampfuzz uses.
var (
	GCC = Tool{"aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu (and libc6-dev-arm64-cross)"}
	// Clang is "clang", or the command $TRAMPFUZZ_CLANG names (clang-16,
	// clang-19: Debian 12 ships several; ci/test checks the oracle with
	// each).
	Clang  = Tool{envOr("TRAMPFUZZ_CLANG", "clang"), "clang (and lld), or the clang-N and lld-N $TRAMPFUZZ_CLANG names"}
	QEMU   = Tool{"qemu-aarch64", "qemu-user"}
	Pahole = Tool{"pahole", "dwarves"}
	// HostGCC and HostClang compile natively (x86-64 ground truth).
	HostGCC = Tool{"gcc", "gcc"}
	// X86GCC builds x86-64 objects on any host (Debian's gcc provides the
	// name on x86-64 hosts).
	X86GCC = Tool{"x86_64-linux-gnu-gcc", "gcc-x86-64-linux-gnu (gcc on an x86-64 host)"}
)

// ErrMissing is wrapped by every Find error.
var ErrMissing = errors.New("missing toolchain")

var (
	mu    sync.Mutex
	cache = map[string]string{}
)

// Find returns the absolute path of t, or an error naming its package.
func Find(t Tool) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	if p, ok := cache[t.Name]; ok {
		return p, nil
	}
	p, err := exec.LookPath(t.Name)
	if err != nil {
		return "", fmt.Errorf("%w: %s not found in PATH; install the Debian package %s, or run ci/setup", ErrMissing, t.Name, t.Package)
	}
	cache[t.Name] = p
	return p, nil
}

// TB is the part of testing.TB that Require uses; taking it rather than
// testing.TB keeps package testing (and its -test.* flags) out of the
// trampfuzz binary, which links toolchain.
type TB interface {
	Helper()
	Fatal(args ...any)
}

// Require returns the paths of tools for a test, failing the test (never
// skipping it) when one is missing: ground truth that cannot run is a
// failure, in CI and on a developer's machine alike.
func Require(tb TB, tools ...Tool) []string {
	tb.Helper()
	paths := make([]string, len(tools))
	for i, t := range tools {
		p, err := Find(t)
		if err != nil {
			tb.Fatal(err)
		}
		paths[i] = p
	}
	return paths
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
