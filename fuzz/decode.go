// Package fuzz holds trampfuzz's go test -fuzz targets and the input
// format they share with the corpus and cmd/minimize.
//
// FuzzCheck's input is one []byte. Version 2, which EncodeC writes:
//
//	bytes 0-2   the magic FF FE 02
//	byte 3      target: an index into targetIDs, a table that only grows
//	            (an index past its end is not an input)
//	byte 4      mode, as below
//	bytes 5…    C text or generator bytes
//
// Version 1, every input that does not start with the magic (inputs saved
// before versions, and most a fuzzer makes up), keeps decoding as it did:
//
//	byte 0      target: index into the first 42 entries of targetIDs
//	            (check.Targets() when versions came), modulo 42
//	byte 1      mode: ModeCText or ModeCTextStructOps: the rest is C text
//	            (a corpus case); any other value: the rest is generator
//	            bytes (gen.FromBytes), with the gen.Full profile when bit 0
//	            is set and gen.Kernel (no floating point, as arm64 kernels
//	            build) when it is clear, and a struct_ops trampoline when
//	            bit 1 is set. Two marker values, not a bit, so that random
//	            inputs are almost never C text.
//	bytes 2…    C text or generator bytes
//
// Decode reads both; EncodeC writes a C signature, for seeds.
package fuzz

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
)

// Mode byte values and bits.
const (
	ModeFullProfile    = 1 << 0
	ModeStructOps      = 1 << 1
	ModeCText          = 0xC0
	ModeCTextStructOps = 0xC2
)

// ErrShort is returned for inputs shorter than their header.
var ErrShort = errors.New("fuzz input shorter than its header")

// ErrTarget is returned for a version-2 input whose target is past the end
// of the target table.
var ErrTarget = errors.New("fuzz input names no target")

// v2Magic starts a version-2 input.
var v2Magic = []byte{0xff, 0xfe, 0x02}

var firstError = ctype.ParseOptions{MaxErrors: 1}

// Decode turns a FuzzCheck input into a signature and a target.
func Decode(data []byte) (*ctype.Func, check.Target, error) {
	var t check.Target
	var mode byte
	var rest []byte
	switch {
	case bytes.HasPrefix(data, v2Magic):
		if len(data) < len(v2Magic)+2 {
			return nil, check.Target{}, ErrShort
		}
		id := int(data[len(v2Magic)])
		if id >= len(idTargets) {
			return nil, check.Target{}, fmt.Errorf("%w: target %d of %d", ErrTarget, id, len(idTargets))
		}
		t, mode, rest = idTargets[id], data[len(v2Magic)+1], data[len(v2Magic)+2:]
	case len(data) < 2:
		return nil, check.Target{}, ErrShort
	default:
		t, mode, rest = idTargets[int(data[0])%v1Targets], data[1], data[2:]
	}
	t.StructOps = mode&ModeStructOps != 0
	if mode == ModeCText || mode == ModeCTextStructOps {
		// Most C-text inputs are mutated text that does not parse; only
		// whether it does matters here.
		fn, err := firstError.Parse("fuzz-input.c", rest)
		return fn, t, err
	}
	profile := gen.Kernel
	if mode&ModeFullProfile != 0 {
		profile = gen.Full
	}
	fn, err := gen.FromBytes(cycle(rest, minGenBytes), profile)
	return fn, t, err
}

// minGenBytes is how many generator bytes a FuzzCheck input is stretched
// to: gen.FromBytes takes its simplest choice once the bytes run out, so a
// short input (and go test -fuzz starts from short ones) would only ever
// make short signatures; repeating the input instead reaches the
// 9-argument stack shapes from the first executions.
const minGenBytes = 256

// cycle repeats b until it is at least n bytes long (b itself when it is
// empty or long enough).
func cycle(b []byte, n int) []byte {
	if len(b) == 0 || len(b) >= n {
		return b
	}
	out := make([]byte, 0, n+len(b))
	for len(out) < n {
		out = append(out, b...)
	}
	return out
}

// EncodeC is the FuzzCheck input (version 2) for a C signature on the
// target named target (its String() without "+struct_ops").
func EncodeC(fn *ctype.Func, target string, structOps bool) ([]byte, error) {
	id := TargetID(target)
	if id < 0 {
		return nil, fmt.Errorf("%w: %q is not in the target table", ErrTarget, target)
	}
	mode := byte(ModeCText)
	if structOps {
		mode = ModeCTextStructOps
	}
	return append(append(append([]byte{}, v2Magic...), byte(id), mode), ctype.Render(fn)...), nil
}

// EncodeCase is EncodeC on the target of a full name, as a corpus case's
// target line gives it ("arm64/v6.17+pahole-1.24+struct_ops").
func EncodeCase(fn *ctype.Func, target string) ([]byte, error) {
	name, structOps := strings.CutSuffix(target, "+struct_ops")
	return EncodeC(fn, name, structOps)
}

// TargetID returns the stable id of a target's name, or -1.
func TargetID(name string) int {
	for i, n := range targetIDs {
		if n == name {
			return i
		}
	}
	return -1
}
