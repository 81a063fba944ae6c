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
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/pahole"
)

// ErrKernel is wrapped by every error about choosing or preparing a kernel.
var ErrKernel = errors.New("kernel")

// Kernel is a real kernel the models are checked against: its
// architecture, the model (target) its behaviour is compared with, and
// where its image and headers come from.
type Kernel struct {
	// Name is "debian/6.12-arm64" for a Debian kernel, or the vmlinuz path
	// for a user's own.
	Name string
	// Arch is the kernel's architecture.
	Arch *arch.Arch
	// Model is the kernel model's target string ("arm64/v6.12.118"), read
	// by check.ParseTarget; empty until Prepare reads the kernel's version,
	// which picks the model (stable rows included) unless one was named.
	Model string
	// Pahole is the pahole version whose model stands for the module's
	// BTF: the pahole this machine runs, Debian 12's 1.24.
	Pahole pahole.Version
	// Note says what is known about this kernel's behaviour (e.g. a config
	// that refuses every fentry attach).
	Note string

	debian *debianKernel
	// vmlinuz and headers are the user's own kernel (path form).
	vmlinuz, headers string
}

// debianKernel finds a Debian 12 kernel's packages through apt-cache: the
// newest revision of an image whose name matches image, whose release
// string (group 1) names the other packages.
type debianKernel struct {
	image   *regexp.Regexp // linux-image-<release>-<flavour>-unsigned
	flavour string         // amd64, arm64
	kbuild  string         // kbuild package name; "%s" is the release
}

// The Debian 12 kernels, both architectures, the long-term 6.1 and the
// backported 6.12 (reference/kernel-vm.md). Each is compared with the
// model its upstream version (from the package version) selects, stable
// rows included: Debian's 6.1.192 is x86_64/v6.1.192, not x86_64/v6.1.
var debianKernels = []Kernel{
	{Name: "debian/6.1-amd64", Arch: arch.X86_64, Pahole: pahole.V1_24,
		debian: &debianKernel{image: regexp.MustCompile(`^linux-image-(6\.1\.0-[0-9]+)-amd64-unsigned$`), flavour: "amd64", kbuild: "linux-kbuild-6.1"}},
	{Name: "debian/6.12-amd64", Arch: arch.X86_64, Pahole: pahole.V1_24,
		debian: &debianKernel{image: regexp.MustCompile(`^linux-image-(6\.12\.[0-9]+\+deb12)-amd64-unsigned$`), flavour: "amd64", kbuild: "linux-kbuild-%s"}},
	{Name: "debian/6.1-arm64", Arch: arch.ARM64, Pahole: pahole.V1_24,
		Note:   "Debian's arm64 6.1 config has no DYNAMIC_FTRACE_WITH_DIRECT_CALLS: every fentry attach is refused",
		debian: &debianKernel{image: regexp.MustCompile(`^linux-image-(6\.1\.0-[0-9]+)-arm64-unsigned$`), flavour: "arm64", kbuild: "linux-kbuild-6.1"}},
	{Name: "debian/6.12-arm64", Arch: arch.ARM64, Pahole: pahole.V1_24,
		debian: &debianKernel{image: regexp.MustCompile(`^linux-image-(6\.12\.[0-9]+\+deb12)-arm64-unsigned$`), flavour: "arm64", kbuild: "linux-kbuild-%s"}},
}

// Kernels lists the kernels that can be named with -kernel.
func Kernels() []Kernel { return append([]Kernel(nil), debianKernels...) }

// LookupKernel finds a kernel by name ("debian/6.12-arm64"), or reads the
// path form "VMLINUZ:HEADERS" of a user's own kernel: a kernel image and
// the directory kbuild builds modules against (with its .config and
// include/config/kernel.release); model, when not empty, overrides the
// model its version selects.
func LookupKernel(name, model string) (Kernel, error) {
	for _, k := range debianKernels {
		if k.Name == name {
			if model != "" {
				k.Model = model
			}
			return k, nil
		}
	}
	vmlinuz, headers, ok := strings.Cut(name, ":")
	if !ok || !strings.ContainsRune(name, '/') && !strings.HasPrefix(name, ".") {
		var names []string
		for _, k := range debianKernels {
			names = append(names, k.Name)
		}
		return Kernel{}, fmt.Errorf("%w %q: want one of %s, or VMLINUZ:HEADERS_DIR", ErrKernel, name, strings.Join(names, ", "))
	}
	k := Kernel{Name: vmlinuz, vmlinuz: vmlinuz, headers: headers, Pahole: pahole.V1_24}
	cfg, err := os.ReadFile(filepath.Join(headers, ".config"))
	if err != nil {
		return Kernel{}, fmt.Errorf("%w: %s: %v (want a kernel build or headers directory)", ErrKernel, headers, err)
	}
	var symbols []string
	for _, a := range arch.All() {
		if bytes.Contains(cfg, []byte("\n"+a.Kconfig+"=y\n")) {
			k.Arch = a
		}
		symbols = append(symbols, a.Kconfig)
	}
	if k.Arch == nil {
		return Kernel{}, fmt.Errorf("%w: %s/.config sets none of %s", ErrKernel, headers, strings.Join(symbols, ", "))
	}
	if model == "" {
		rel, err := os.ReadFile(filepath.Join(headers, "include/config/kernel.release"))
		if err != nil {
			return Kernel{}, fmt.Errorf("%w: %v (or name the model with -model)", ErrKernel, err)
		}
		model = k.Arch.Name + "/" + strings.TrimSpace(string(rel))
	}
	k.Model = model
	if _, err := os.Stat(vmlinuz); err != nil {
		return Kernel{}, fmt.Errorf("%w: %v", ErrKernel, err)
	}
	return k, nil
}

// Prepared is a kernel on disk, ready to build modules for and boot.
type Prepared struct {
	Kernel
	// Release is the kernel release (uname -r).
	Release string
	// Vmlinuz is the image QEMU boots; Headers the directory kbuild's
	// make -C takes.
	Vmlinuz, Headers string
	// BaseBTF is the kernel's own BTF, for pahole --btf_base when the
	// headers cannot give the module BTF themselves (no vmlinux in them).
	BaseBTF string
}

// Prepare makes k ready: a Debian kernel's packages are downloaded once
// with apt-get into the cache directory (cacheDir/kernels/<release>), the
// image and headers extracted, and the kernel's BTF cut out of the image
// when the headers have no vmlinux. Progress goes to log.
func Prepare(ctx context.Context, k Kernel, cacheDir string, log io.Writer) (*Prepared, error) {
	if k.debian == nil {
		p := &Prepared{Kernel: k, Vmlinuz: k.vmlinuz, Headers: k.headers}
		rel, _ := os.ReadFile(filepath.Join(k.headers, "include/config/kernel.release"))
		p.Release = strings.TrimSpace(string(rel))
		return p, ensureBaseBTF(ctx, p, filepath.Join(cacheDir, "kernels", "own-"+sanitize(k.vmlinuz)), log)
	}
	d := k.debian
	release, err := newestRelease(ctx, d, k.Arch)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrKernel, k.Name, err)
	}
	full := release + "-" + d.flavour
	dir := filepath.Join(cacheDir, "kernels", full)
	p := &Prepared{Kernel: k, Release: full, Vmlinuz: filepath.Join(dir, "root/boot/vmlinuz-"+full),
		Headers: filepath.Join(dir, "root/usr/src/linux-headers-"+full)}
	if _, err := os.Stat(filepath.Join(dir, "ready")); err != nil {
		if err := fetch(ctx, d, k.Arch, release, dir, log); err != nil {
			return nil, fmt.Errorf("%w %s: %v", ErrKernel, k.Name, err)
		}
	}
	upstream, err := os.ReadFile(filepath.Join(dir, "upstream"))
	if err != nil {
		return nil, fmt.Errorf("%w %s: %v (remove %s to fetch it again)", ErrKernel, k.Name, err, dir)
	}
	if p.Model == "" {
		p.Model = k.Arch.Name + "/v" + strings.TrimSpace(string(upstream))
	}
	return p, ensureBaseBTF(ctx, p, dir, log)
}

// upstreamVersion reads the upstream kernel version out of a Debian
// package file name: linux-image-6.1.0-57-amd64-unsigned_6.1.192-3_amd64.deb
// is 6.1.192, linux-image-…_6.12.118-1~deb12u1_arm64.deb is 6.12.118.
func upstreamVersion(deb string) (string, error) {
	parts := strings.Split(filepath.Base(deb), "_")
	if len(parts) != 3 {
		return "", fmt.Errorf("%s: not a Debian package file name", deb)
	}
	v, _, _ := strings.Cut(parts[1], "-")
	if len(numbers(v)) != 3 {
		return "", fmt.Errorf("%s: package version %q has no MAJOR.MINOR.PATCH upstream version", deb, parts[1])
	}
	return v, nil
}

// newestRelease asks apt-cache for the images of d and returns the newest
// release string.
func newestRelease(ctx context.Context, d *debianKernel, a *arch.Arch) (string, error) {
	pattern := d.image.String()
	out, err := exec.CommandContext(ctx, "apt-cache", "search", "--names-only", pattern).Output()
	if err != nil {
		return "", fmt.Errorf("apt-cache search %s: %v (is this Debian 12 with apt?)", pattern, err)
	}
	var releases []string
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(line, " ")
		if m := d.image.FindStringSubmatch(name); m != nil {
			releases = append(releases, m[1])
		}
	}
	if len(releases) == 0 {
		hint := "run apt-get update"
		if foreign(a) {
			hint = "run ci/setup, which adds the " + a.Dpkg + " architecture to apt (dpkg --add-architecture " + a.Dpkg + "; apt-get update)"
		}
		return "", fmt.Errorf("apt-cache finds no package matching %s: %s", pattern, hint)
	}
	sort.Slice(releases, func(i, j int) bool { return releaseLess(releases[i], releases[j]) })
	return releases[len(releases)-1], nil
}

// releaseLess orders release strings by their numbers ("6.1.0-9" before
// "6.1.0-57").
func releaseLess(a, b string) bool {
	na, nb := numbers(a), numbers(b)
	for i := 0; i < len(na) && i < len(nb); i++ {
		if na[i] != nb[i] {
			return na[i] < nb[i]
		}
	}
	return len(na) < len(nb)
}

var digits = regexp.MustCompile(`[0-9]+`)

func numbers(s string) []int {
	var out []int
	for _, d := range digits.FindAllString(s, -1) {
		n, _ := strconv.Atoi(d)
		out = append(out, n)
	}
	return out
}

// fetch downloads d's packages for release and extracts the image's /boot
// and the headers (with kbuild) under dir/root.
func fetch(ctx context.Context, d *debianKernel, a *arch.Arch, release, dir string, log io.Writer) error {
	debs := filepath.Join(dir, "debs")
	if err := os.MkdirAll(debs, 0o755); err != nil {
		return err
	}
	suffix := ""
	if foreign(a) {
		suffix = ":" + a.Dpkg
	}
	kbuild := d.kbuild
	if strings.Contains(kbuild, "%s") {
		kbuild = fmt.Sprintf(kbuild, release)
	}
	image := "linux-image-" + release + "-" + d.flavour + "-unsigned" + suffix
	pkgs := []string{image, "linux-headers-" + release + "-" + d.flavour + suffix, "linux-headers-" + release + "-common", kbuild}
	fmt.Fprintf(log, "ktruth: downloading %s (apt-get download, about 100 MB)\n", strings.Join(pkgs, " "))
	cmd := exec.CommandContext(ctx, "apt-get", append([]string{"download", "-q"}, pkgs...)...)
	cmd.Dir = debs
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("apt-get download: %v\n%s", err, out)
	}
	root := filepath.Join(dir, "root")
	entries, err := os.ReadDir(debs)
	if err != nil {
		return err
	}
	for _, e := range entries {
		deb := filepath.Join(debs, e.Name())
		fmt.Fprintf(log, "ktruth: extracting %s\n", e.Name())
		// Only /boot of the image: its modules (1 GB unpacked) are not needed.
		paths := []string{"./usr"}
		if strings.HasPrefix(e.Name(), "linux-image-") {
			paths = []string{"./boot"}
			v, err := upstreamVersion(e.Name())
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, "upstream"), []byte(v+"\n"), 0o644); err != nil {
				return err
			}
		}
		if err := extract(ctx, deb, root, paths); err != nil {
			return err
		}
	}
	// The flavour headers' Makefile includes the common headers by their
	// installed path; point it at the extraction.
	mk := filepath.Join(root, "usr/src/linux-headers-"+release+"-"+d.flavour, "Makefile")
	data, err := os.ReadFile(mk)
	if err != nil {
		return err
	}
	data = bytes.ReplaceAll(data, []byte("include /usr/src/"), []byte("include "+root+"/usr/src/"))
	if err := os.WriteFile(mk, data, 0o644); err != nil {
		return err
	}
	if err := os.RemoveAll(debs); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "ready"), []byte(strings.Join(pkgs, "\n")+"\n"), 0o644)
}

// extract unpacks paths of a .deb into root.
func extract(ctx context.Context, deb, root string, paths []string) error {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	dpkg := exec.CommandContext(ctx, "dpkg-deb", "--fsys-tarfile", deb)
	tar := exec.CommandContext(ctx, "tar", append([]string{"-x", "-C", root}, paths...)...)
	pipe, err := dpkg.StdoutPipe()
	if err != nil {
		return err
	}
	tar.Stdin = pipe
	var tarErr bytes.Buffer
	tar.Stderr = &tarErr
	if err := dpkg.Start(); err != nil {
		return fmt.Errorf("dpkg-deb: %v", err)
	}
	if err := tar.Run(); err != nil {
		dpkg.Wait()
		return fmt.Errorf("tar -x %s: %v: %s", filepath.Base(deb), err, tarErr.String())
	}
	return dpkg.Wait()
}

// ensureBaseBTF cuts the kernel's BTF out of its image when the headers
// have no vmlinux for kbuild to give the module BTF with.
func ensureBaseBTF(ctx context.Context, p *Prepared, dir string, log io.Writer) error {
	if _, err := os.Stat(filepath.Join(p.Headers, "vmlinux")); err == nil {
		return nil
	}
	p.BaseBTF = filepath.Join(dir, "vmlinux.btf")
	if _, err := os.Stat(p.BaseBTF); err == nil {
		return nil
	}
	fmt.Fprintf(log, "ktruth: the headers have no vmlinux; reading the kernel's BTF from %s\n", p.Vmlinuz)
	raw, err := btfFromImage(ctx, p.Vmlinuz)
	if err != nil {
		return fmt.Errorf("%w %s: %v", ErrKernel, p.Name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(p.BaseBTF, raw, 0o644)
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ':' || r == ' ' {
			return '_'
		}
		return r
	}, strings.TrimPrefix(s, "/"))
}

// foreign reports whether a is not this machine's architecture: apt names
// its packages with ":<dpkg arch>".
func foreign(a *arch.Arch) bool {
	host, err := arch.Host()
	return err != nil || host != a
}
