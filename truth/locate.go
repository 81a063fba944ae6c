package truth

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

// patternValues are the byte values a pattern uses: never 0x00 or 0xff, the
// bytes zero and sign extension produce.
const patternValues = 254

// maxArgBytes is how many argument bytes one signature may have: the
// number of two-run tuples of distinct pattern values.
const maxArgBytes = patternValues*patternValues - patternValues

// maxRuns bounds the runs per signature (a tuple is kept in a uint64).
const maxRuns = 8

// patterns are the argument bytes of every run of one signature.
type patterns struct {
	runs int
	// data[r] is tf_pat for run r: argument j's bytes at plan.offsets[j].
	data [][]byte
	// owner maps a tuple (byte r of the key is the value in run r) to
	// the argument byte that has it.
	owner map[uint64]argByte
}

type argByte struct{ arg, b int }

func (p sigPlan) argBytes() int {
	n := 0
	for _, s := range p.sizes {
		n += s
	}
	return n
}

// makePatterns gives every argument byte of p a tuple of values, one per
// run, that no other byte of p has and whose values are not all equal.
// _Bool arguments get tuples of 0 and 1, and enough runs that each has its
// own.
func makePatterns(p sigPlan, seed uint64) patterns {
	rng := rand.New(rand.NewPCG(seed, uint64(p.idx)))
	nbool := 0
	for _, prm := range p.fn.Params {
		if ctype.IsBasic(prm.Type, ctype.Bool) {
			nbool++
		}
	}
	runs := 2
	for runs < maxRuns && 1<<runs-2 < nbool {
		runs++
	}
	pt := patterns{runs: runs, data: make([][]byte, runs), owner: map[uint64]argByte{}}
	for r := range pt.data {
		pt.data[r] = make([]byte, p.patLen)
	}
	// Non-constant 0/1 tuples, shuffled, for the _Bool arguments.
	var boolKeys []uint64
	for m := 1; m < 1<<runs-1; m++ {
		var key uint64
		for r := 0; r < runs; r++ {
			key |= uint64(m>>r&1) << (8 * r)
		}
		boolKeys = append(boolKeys, key)
	}
	rng.Shuffle(len(boolKeys), func(i, j int) { boolKeys[i], boolKeys[j] = boolKeys[j], boolKeys[i] })

	var pool []uint64 // a shuffled supply of tuples for big signatures
	if runs == 2 && p.argBytes() > 4096 {
		for a := 1; a <= patternValues; a++ {
			for b := 1; b <= patternValues; b++ {
				if a != b {
					pool = append(pool, uint64(a)|uint64(b)<<8)
				}
			}
		}
		rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	}
	draw := func() uint64 {
		for {
			if pool != nil {
				k := pool[len(pool)-1]
				pool = pool[:len(pool)-1]
				if _, used := pt.owner[k]; used {
					continue // an x87 tuple took it
				}
				return k
			}
			var key uint64
			first, same := byte(0), true
			for r := 0; r < runs; r++ {
				v := byte(1 + rng.IntN(patternValues))
				if r == 0 {
					first = v
				} else if v != first {
					same = false
				}
				key |= uint64(v) << (8 * r)
			}
			if !same {
				if _, used := pt.owner[key]; !used {
					return key
				}
			}
		}
	}
	var x87 [][]bool // x86-64: bytes that must keep a long double normal (x86.go)
	if orARM64(p.arch).x87 {
		x87 = ctype.X87IntegerBits(p.fn)
	}
	for j, prm := range p.fn.Params {
		for b := 0; b < p.sizes[j]; b++ {
			var key uint64
			if ctype.IsBasic(prm.Type, ctype.Bool) && len(boolKeys) > 0 {
				key, boolKeys = boolKeys[0], boolKeys[1:]
			} else if x87 != nil && x87[j] != nil && x87[j][b] {
				key = x87Tuple(rng, runs, pt.owner)
			} else {
				key = draw()
			}
			pt.owner[key] = argByte{j, b}
			for r := 0; r < runs; r++ {
				pt.data[r][p.offsets[j]+b] = byte(key >> (8 * r))
			}
		}
	}
	return pt
}

// writeTo writes what the runner reads for one signature: the number of
// runs, the pattern length, then each run's pattern.
func (pt patterns) writeTo(w *bytes.Buffer) {
	var hdr [16]byte
	binary.LittleEndian.PutUint64(hdr[0:], uint64(pt.runs))
	binary.LittleEndian.PutUint64(hdr[8:], uint64(len(pt.data[0])))
	w.Write(hdr[:])
	for _, d := range pt.data {
		w.Write(d)
	}
}

// captured is what the stub saw at one call.
type captured struct {
	x   [64]byte  // x0..x7, little-endian
	q   [128]byte // q0..q7
	sp  uint64
	win []byte // the stack from SP up
}

// checkLayout compares the compiler's sizeof and _Alignof of each parameter
// type with ctype's: the pattern is laid out by ctype's numbers, so an
// observation is only meaningful where they agree.
func checkLayout(p sigPlan, meta []uint64) error {
	for j, prm := range p.fn.Params {
		size, align := uint64(p.sizes[j]), uint64(p.lay.Alignof(prm.Type))
		if meta[2*j] != size || meta[2*j+1] != align {
			return fmt.Errorf("parameter %d (%s): ctype says sizeof %d, _Alignof %d; the compiler says %d, %d",
				j, ctype.TypeString(prm.Type), size, align, meta[2*j], meta[2*j+1])
		}
	}
	return nil
}

// stackBound is how far above SP stacked arguments can reach: each argument
// takes at most its size rounded up to 16 there (AAPCS64 2025Q4 C.4/C.14
// align to at most 16, C.6/C.15/C.17 add the size rounded to 8), and only
// an HFA or HVA (at most 4 × 16 bytes, B.3) is stacked whole when larger
// than 16 bytes; anything larger goes by reference (B.4), an 8-byte slot.
func stackBound(p sigPlan) int { return orARM64(p.arch).stackBound(p) }

// stackBoundARM64 is stackBound on AArch64.
func stackBoundARM64(p sigPlan) int {
	n := 0
	for _, s := range p.sizes {
		if s > 64 {
			s = 8
		}
		n += (s + 15) / 16 * 16
	}
	return n
}

// refBase is a register or stack slot that held the address of a complete
// copy of an argument (of at most size bytes) in every run.
type refBase struct {
	base loc.Loc
	size int
}

// locate turns the captures of one signature into candidate locations per
// argument byte, and the pointers to argument copies it found.
func locate(p sigPlan, pt patterns, caps []captured) (*Observation, []refBase) {
	cands := make([][][]loc.Loc, len(p.sizes))
	for j, s := range p.sizes {
		cands[j] = make([][]loc.Loc, s)
		for b := range cands[j] {
			cands[j][b] = []loc.Loc{}
		}
	}
	add := func(key uint64, l loc.Loc) {
		if ab, ok := pt.owner[key]; ok {
			cands[ab.arg][ab.b] = append(cands[ab.arg][ab.b], l)
		}
	}
	keyOf := func(val func(c *captured) (byte, bool)) (uint64, bool) {
		var key uint64
		for r := range caps {
			v, ok := val(&caps[r])
			if !ok {
				return 0, false
			}
			key |= uint64(v) << (8 * r)
		}
		return key, true
	}
	arch := orARM64(p.arch)
	for n, reg := range arch.gprs {
		for k := 0; k < 8; k++ {
			if key, ok := keyOf(func(c *captured) (byte, bool) { return c.x[8*n+k], true }); ok {
				add(key, loc.RegByte(reg, k))
			}
		}
	}
	for n, reg := range arch.fprs {
		for k := 0; k < 16; k++ {
			if key, ok := keyOf(func(c *captured) (byte, bool) { return c.q[16*n+k], true }); ok {
				add(key, loc.RegByte(reg, k))
			}
		}
	}

	win := maxWindow
	for _, c := range caps {
		win = min(win, len(c.win))
	}
	bound := min(stackBound(p), win)

	// By reference: a pointer in x0–x7 or in an 8-byte slot of the
	// argument area that holds, in every run, the address of a complete
	// copy of an argument (AAPCS64 2025Q4 B.4).
	type ref struct {
		base     loc.Loc
		arg, off int
	}
	var refs []ref
	tryBase := func(base loc.Loc, value func(c *captured) uint64) {
		off := -1
		for r := range caps {
			v := value(&caps[r])
			d := v - caps[r].sp
			if v < caps[r].sp || d >= uint64(len(caps[r].win)) || (off >= 0 && int(d) != off) {
				return
			}
			off = int(d)
		}
		for j, size := range p.sizes {
			if size == 0 || off+size > win {
				continue
			}
			whole := true
			for r := range caps {
				if !bytes.Equal(caps[r].win[off:off+size], pt.data[r][p.offsets[j]:p.offsets[j]+size]) {
					whole = false
					break
				}
			}
			if whole {
				refs = append(refs, ref{base, j, off})
			}
		}
	}
	for n, reg := range arch.gprs {
		tryBase(loc.RegByte(reg, 0), func(c *captured) uint64 { return binary.LittleEndian.Uint64(c.x[8*n:]) })
	}
	for o := 0; o+8 <= bound; o += 8 {
		tryBase(loc.Stack(o), func(c *captured) uint64 { return binary.LittleEndian.Uint64(c.win[o:]) })
	}

	// On the stack: the largest argument area the signature can have. A
	// by-reference copy the caller keeps in that range shows both as
	// sp+N and as ref(..)+k, and a scratch register that still points at
	// a stacked argument as ref(..)+k too: both are true, and telling the
	// argument area from the caller's frame would take the ABI's rules,
	// which are what this package checks.
	for o := 0; o < bound; o++ {
		if key, ok := keyOf(func(c *captured) (byte, bool) { return c.win[o], true }); ok {
			add(key, loc.Stack(o))
		}
	}
	var bases []refBase
	for _, rf := range refs {
		for b := range p.sizes[rf.arg] {
			cands[rf.arg][b] = append(cands[rf.arg][b], loc.Ref(rf.base, b))
		}
		k := slices.IndexFunc(bases, func(x refBase) bool { return x.base == rf.base })
		if k < 0 {
			bases = append(bases, refBase{base: rf.base})
			k = len(bases) - 1
		}
		bases[k].size = max(bases[k].size, p.sizes[rf.arg])
	}

	o := &Observation{Func: p.fn.Name}
	for j, prm := range p.fn.Params {
		o.Args = append(o.Args, ArgBytes{Index: j, Name: prm.Name, Type: ctype.TypeString(prm.Type), Size: p.sizes[j], Bytes: cands[j]})
	}
	if o.Args == nil {
		o.Args = []ArgBytes{}
	}
	return o, bases
}
