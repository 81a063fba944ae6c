// Package fuzz holds trampfuzz's go test -fuzz targets and the input
// format they share with the corpus and cmd/minimize.
//
// FuzzCheck's input is one []byte:
//
//	byte 0      target: index into check.Targets(), modulo its length
//	byte 1      mode: ModeCText or ModeCTextStructOps: the rest is C text
//	            (a corpus case); any other value: the rest is generator
//	            bytes (gen.FromBytes), with the gen.Full profile when bit 0
//	            is set and gen.Kernel (no floating point, as arm64 kernels
//	            build) when it is clear, and a struct_ops trampoline when
//	            bit 1 is set. Two marker values, not a bit, so that random
//	            inputs are almost never C text.
//	bytes 2…    C text or generator bytes
//
// Decode reads it; EncodeC writes a C signature in it, for seeds.
package fuzz

import (
	"errors"

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

// ErrShort is returned for inputs of fewer than two bytes.
var ErrShort = errors.New("fuzz input shorter than its 2-byte header")

var targets = check.Targets()

var firstError = ctype.ParseOptions{MaxErrors: 1}

// Decode turns a FuzzCheck input into a signature and a target.
func Decode(data []byte) (*ctype.Func, check.Target, error) {
	if len(data) < 2 {
		return nil, check.Target{}, ErrShort
	}
	t := targets[int(data[0])%len(targets)]
	mode, rest := data[1], data[2:]
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

// EncodeC is the FuzzCheck input for a C signature on target index ti.
func EncodeC(fn *ctype.Func, ti int, structOps bool) []byte {
	mode := byte(ModeCText)
	if structOps {
		mode = ModeCTextStructOps
	}
	return append([]byte{byte(ti % len(targets)), mode}, ctype.Render(fn)...)
}

// TargetIndex returns the index of a target's name in check.Targets(), or
// -1.
func TargetIndex(name string) int {
	for i, t := range targets {
		if t.String() == name {
			return i
		}
	}
	return -1
}
