package scan

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/toolchain"
)

// corruptInputs writes damaged copies of a real object and a real raw BTF
// file: truncated at many lengths, and with single bits flipped.
func corruptInputs(t *testing.T) (truncated, flipped []string) {
	t.Helper()
	obj := compile(t, "gcc", shapes)
	pahole := toolchain.Require(t, toolchain.Pahole)[0]
	dir := t.TempDir()
	raw := filepath.Join(dir, "shapes.btf")
	if out, err := exec.Command(pahole, "-J", "--btf_gen_floats", "--btf_encode_detached="+raw, obj).CombinedOutput(); err != nil {
		t.Fatalf("pahole: %v\n%s", err, out)
	}
	for _, src := range []string{obj, raw} {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(src)
		lengths := []int{0, 1, 3, 4, 16, 23, 24, 52, 63, 64}
		for n := 100; n < len(data); n += len(data)/40 + 1 {
			lengths = append(lengths, n)
		}
		lengths = append(lengths, len(data)-1)
		for _, n := range lengths {
			if n >= len(data) {
				continue
			}
			p := filepath.Join(dir, fmt.Sprintf("%s.trunc%d", base, n))
			if err := os.WriteFile(p, data[:n], 0o644); err != nil {
				t.Fatal(err)
			}
			truncated = append(truncated, p)
		}
		step := len(data)/300 + 1
		for i := 0; i < len(data); i += step {
			d := append([]byte(nil), data...)
			d[i] ^= 1 << (i % 8)
			p := filepath.Join(dir, fmt.Sprintf("%s.flip%d", base, i))
			if err := os.WriteFile(p, d, 0o644); err != nil {
				t.Fatal(err)
			}
			flipped = append(flipped, p)
		}
	}
	return truncated, flipped
}

// TestCorruptInputs: a damaged file is an error that wraps ErrInput and
// names the file and an offset, never a panic (File's recover would turn
// one into an error saying so, which fails the test too).
func TestCorruptInputs(t *testing.T) {
	truncated, flipped := corruptInputs(t)
	scanOne := func(p string) (*Report, error) {
		t.Helper()
		rep, err := File(p, Options{Targets: nil, Workers: 1})
		if err != nil {
			if !errors.Is(err, ErrInput) {
				t.Errorf("%s: error does not wrap ErrInput: %v", p, err)
			}
			if !strings.Contains(err.Error(), p) {
				t.Errorf("error does not name the file %s: %v", p, err)
			}
			if strings.Contains(err.Error(), panicked) {
				t.Errorf("%s: a reader panicked: %v", p, err)
			}
		}
		return rep, err
	}
	namesOffset := func(err error) bool {
		s := err.Error()
		return strings.Contains(s, "offset") || strings.Contains(s, "at byte 0x")
	}
	errs := 0
	for _, p := range append(truncated, flipped...) {
		if _, err := scanOne(p); err != nil {
			errs++
			if !namesOffset(err) {
				t.Errorf("%s: error names no offset: %v", p, err)
			}
		}
	}
	t.Logf("%d truncated, %d bit-flipped files (%d rejected)", len(truncated), len(flipped), errs)
}

// TestDamagedSectionName: a byte changed in the name of .debug_info in the
// section-name table leaves an ELF file with no .debug_info; the error
// says where the damaged name is, not only that the section is missing.
func TestDamagedSectionName(t *testing.T) {
	obj := compile(t, "gcc", shapes)
	data, err := os.ReadFile(obj)
	if err != nil {
		t.Fatal(err)
	}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	// e_shstrndx, the section-name table's index, is at 0x3e of the ELF64 header.
	strtab := ef.Sections[ef.ByteOrder.Uint16(data[0x3e:])]
	for i, s := range ef.Sections {
		if s.Name != ".debug_info" {
			continue
		}
		// sh_name is the first word of the 64-byte ELF64 section header.
		hdr := int(ef.ByteOrder.Uint64(data[0x28:])) + i*64
		nameOff := ef.ByteOrder.Uint32(data[hdr:])
		data[int(strtab.Offset)+int(nameOff)+3] ^= 0x01 // ".debug_info" -> ".decug_info"
		damaged := filepath.Join(t.TempDir(), "damaged.o")
		if err := os.WriteFile(damaged, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := File(damaged, Options{Workers: 1})
		if err == nil || !errors.Is(err, ErrInput) {
			t.Fatalf("scan of a damaged section name: %v, want an input error", err)
		}
		for _, want := range []string{
			fmt.Sprintf("section %d (header at offset %#x)", i, hdr),
			fmt.Sprintf("%q at string-table offset %#x", ".decug_info", nameOff),
			"a damaged .debug_info?",
			fmt.Sprintf("at file offset %#x", strtab.Offset),
		} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q: %v", want, err)
			}
		}
		return
	}
	t.Fatal("the object has no .debug_info")
}
