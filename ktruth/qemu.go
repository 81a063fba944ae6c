package ktruth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/trampfuzz/trampfuzz/toolchain"
)

// accel is QEMU's accelerator: TCG, which always works, unless
// TRAMPFUZZ_QEMU_ACCEL names another (e.g. "kvm:tcg" where KVM boots stock
// kernels; a nested /dev/kvm may exist and still not).
func accel() string {
	if a := os.Getenv("TRAMPFUZZ_QEMU_ACCEL"); a != "" {
		return a
	}
	return "tcg"
}

// bootTimeout is how long a boot with n functions may take under TCG: a
// boot takes 5-15 s and an attach up to a quarter second on arm64.
func bootTimeout(n int) time.Duration { return 90*time.Second + time.Duration(n)*2*time.Second }

// boot runs p's kernel with initrd under QEMU and returns its console
// output; hung is true when it was stopped at the timeout. line, when not
// nil, sees every console line as it comes (progress).
func boot(ctx context.Context, p *Prepared, initrd []byte, n int, dir string, line func(string)) (out []byte, hung bool, err error) {
	a := p.Arch
	qemu, err := toolchain.Find(toolchain.Tool{Name: a.QEMUSystem, Package: "qemu-system-x86 or qemu-system-arm"})
	if err != nil {
		return nil, false, fmt.Errorf("%w: %v", ErrKernel, err)
	}
	rd := filepath.Join(dir, "initrd.cpio")
	if err := os.WriteFile(rd, initrd, 0o644); err != nil {
		return nil, false, err
	}
	ctx, cancel := context.WithTimeout(ctx, bootTimeout(n))
	defer cancel()
	args := append([]string{"-accel", accel()}, a.QEMUMachine...)
	args = append(args, "-m", "1G", "-smp", "1", "-nographic", "-no-reboot", "-kernel", p.Vmlinuz, "-initrd", rd,
		"-append", "console="+a.Console+" panic=-1 quiet")
	cmd := exec.CommandContext(ctx, qemu, args...)
	var buf bytes.Buffer
	var w io.Writer = &buf
	if line != nil {
		w = io.MultiWriter(&buf, &lineWriter{f: line})
	}
	cmd.Stdout, cmd.Stderr = w, w
	cmd.Stdin = nil
	err = cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return buf.Bytes(), true, nil
	}
	if err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return buf.Bytes(), false, fmt.Errorf("%s: %v", a.QEMUSystem, err)
		}
		// A guest that panics with panic=-1 makes QEMU exit at once; the
		// console says why, so the exit status adds nothing.
	}
	return buf.Bytes(), false, nil
}

// lineWriter calls f with each complete line written to it.
type lineWriter struct {
	f    func(string)
	part []byte
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.part = append(w.part, b...)
	for {
		i := bytes.IndexByte(w.part, '\n')
		if i < 0 {
			break
		}
		w.f(string(bytes.TrimRight(w.part[:i], "\r")))
		w.part = w.part[i+1:]
	}
	return len(b), nil
}
