package ktruth

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// Compression magics of a kernel image's payload: an x86 bzImage carries
// the kernel compressed (Debian: xz); an arm64 vmlinuz is the Image itself
// or a gzip of it.
var (
	xzMagic   = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	gzipMagic = []byte{0x1f, 0x8b, 0x08}
)

// btfFromImage returns the kernel's own BTF (the .BTF section's bytes) out
// of a kernel image, uncompressing it first when it is compressed.
func btfFromImage(ctx context.Context, path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// The image itself (an arm64 Image), then its gzip or xz payload (an
	// x86 bzImage). An uncompressed image may hold an xz magic by chance,
	// so a payload that does not uncompress is only a failed candidate.
	if raw := findBTF(data); raw != nil {
		return raw, nil
	}
	var tried []string
	if bytes.HasPrefix(data, gzipMagic) {
		img, err := gunzip(data)
		if raw := findBTF(img); err == nil && raw != nil {
			return raw, nil
		}
		tried = append(tried, fmt.Sprintf("gzip at offset 0 (%v)", err))
	}
	if i := bytes.Index(data, xzMagic); i >= 0 {
		cmd := exec.CommandContext(ctx, "xz", "-dc", "--single-stream")
		cmd.Stdin = bytes.NewReader(data[i:])
		img, err := cmd.Output()
		if raw := findBTF(img); raw != nil {
			return raw, nil
		}
		tried = append(tried, fmt.Sprintf("xz at offset %#x (%v; is xz-utils installed?)", i, err))
	}
	if len(tried) == 0 {
		tried = []string{"none found"}
	}
	return nil, fmt.Errorf("%s: no BTF in the kernel image (built without CONFIG_DEBUG_INFO_BTF?); compressed payloads: %s", path, strings.Join(tried, ", "))
}

func gunzip(data []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	r.Multistream(false)
	return io.ReadAll(r)
}

// findBTF finds a loadable BTF blob in an uncompressed image: struct
// btf_header (magic 0xeb9f, version 1, hdr_len 24, include/uapi/linux/btf.h)
// followed by the type and string sections it describes. The largest blob
// that cilium/ebpf loads wins (vmlinux has one .BTF section; a smaller match
// would be a stray copy of a header).
func findBTF(img []byte) []byte {
	magic := []byte{0x9f, 0xeb, 0x01, 0x00, 24, 0, 0, 0}
	var best []byte
	for off := 0; ; {
		i := bytes.Index(img[off:], magic)
		if i < 0 {
			break
		}
		at := off + i
		off = at + 1
		if at+24 > len(img) {
			break
		}
		le := binary.LittleEndian
		typeOff, typeLen := uint64(le.Uint32(img[at+8:])), uint64(le.Uint32(img[at+12:]))
		strOff, strLen := uint64(le.Uint32(img[at+16:])), uint64(le.Uint32(img[at+20:]))
		end := 24 + max(typeOff+typeLen, strOff+strLen)
		if uint64(at)+end > uint64(len(img)) || end <= uint64(len(best)) {
			continue
		}
		raw := img[at : uint64(at)+end]
		if _, err := btf.LoadSpecFromReader(bytes.NewReader(raw)); err == nil {
			best = raw
		}
	}
	return best
}
