package ktruth

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/trampfuzz/trampfuzz/arch"
)

// cpioEntry is one file of an initramfs.
type cpioEntry struct {
	name  string
	mode  uint32 // file type and permission bits, as in st_mode
	data  []byte
	major uint32 // rdev of a device node
	minor uint32
}

// The st_mode file types an initramfs here uses.
const (
	modeDir  = 0o040000
	modeFile = 0o100000
	modeChar = 0o020000
)

// writeCPIO writes entries as a "newc" cpio archive, the format the kernel
// unpacks into its initramfs (Documentation/driver-api/early-userspace/
// buffer-format.rst): a 110-byte ASCII header per file, the name and the
// data each padded to 4 bytes, and a TRAILER!!! entry.
func writeCPIO(w io.Writer, entries []cpioEntry) error {
	var b bytes.Buffer
	for i, e := range append(entries, cpioEntry{name: "TRAILER!!!"}) {
		fmt.Fprintf(&b, "070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
			i+1, e.mode, 0, 0, 1, 0, len(e.data), 0, 0, e.major, e.minor, len(e.name)+1, 0)
		b.WriteString(e.name)
		b.WriteByte(0)
		pad(&b)
		b.Write(e.data)
		pad(&b)
	}
	_, err := w.Write(b.Bytes())
	return err
}

func pad(b *bytes.Buffer) {
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
}

// initramfs is the guest's root: /init, the module, the function list and
// /dev/console (without it /init has no standard output).
func initramfs(init, module []byte, funcs []string) []byte {
	var b bytes.Buffer
	writeCPIO(&b, []cpioEntry{
		{name: "dev", mode: modeDir | 0o755},
		{name: "dev/console", mode: modeChar | 0o600, major: 5, minor: 1},
		{name: "proc", mode: modeDir | 0o755},
		{name: "sys", mode: modeDir | 0o755},
		{name: "init", mode: modeFile | 0o755, data: init},
		{name: moduleName + ".ko", mode: modeFile | 0o644, data: module},
		{name: "funcs.txt", mode: modeFile | 0o644, data: []byte(strings.Join(funcs, "\n") + "\n")},
	})
	return b.Bytes()
}

var (
	guestMu    sync.Mutex
	guestBuilt = map[string][]byte{}
)

// guestInit builds the guest's /init (ktruth/guest) for arch, statically,
// once per process. It needs the Go toolchain and this module's source,
// which `go run ./cmd/trampfuzz` and `go test` have.
func guestInit(ctx context.Context, a *arch.Arch) ([]byte, error) {
	guestMu.Lock()
	defer guestMu.Unlock()
	if b, ok := guestBuilt[a.Name]; ok {
		return b, nil
	}
	ga := a.GOARCH
	dir, err := os.MkdirTemp("", "trampfuzz-guest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "init")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, "github.com/trampfuzz/trampfuzz/ktruth/guest")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+ga)
	cmd.Dir = sourceDir()
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the guest /init (go build ./ktruth/guest, GOARCH=%s; run from the trampfuzz source tree): %v\n%s", ga, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	guestBuilt[a.Name] = b
	return b, nil
}

// sourceDir is where `go build` finds this module: the source tree this
// package was compiled from (a binary built with -trimpath does not know
// it; then the current directory, which must be inside the tree).
func sourceDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	root := filepath.Dir(filepath.Dir(file))
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return ""
	}
	return root
}
