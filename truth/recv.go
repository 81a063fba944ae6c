package truth

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

// The callee-side pass.
//
// The capture pass sees where the caller left each argument byte, and a
// caller leaves copies in scratch registers: to store a double to the
// stack both compilers load it into the next free v register, and to pass
// a pointer on the stack gcc computes it in the next free x register. Those
// are exactly the places a wrong placement (C.3 or C.13 forgotten) would
// name. So each signature also gets a receiver: a C function of the same
// parameter types, compiled by the same compiler, that copies its
// arguments out. tf_invoke calls it with every one of x0–x7, q0–q7 and the
// stack bytes holding a value of its own, and with a pointer to a region of
// its own in every register or slot the capture pass saw pointing at an
// argument's copy. Each byte the receiver copies out names the one location
// its code read it from. That location must be among the capture pass's
// candidates (the compiler's caller and callee agree); the observation then
// keeps only it.

// recvPlan is the callee-side pass of one signature.
type recvPlan struct {
	arch    *archSpec
	runs    int
	stack   int // stack image bytes, a multiple of 16
	ptrs    []recvPtr
	regions int
	outLen  int
	// images[r] is tf_in (registers then stack) and then the regions.
	images [][]byte
	owner  map[uint64]loc.Loc
}

type recvPtr struct {
	base      loc.Loc // x register (byte 0) or stack slot
	regionOff int
}

// newRecvPlan lays out the callee-side pass of p, or returns nil when p is
// too big for it (the capture pass then stands alone).
func newRecvPlan(p sigPlan, bases []refBase, seed uint64, obs *Observation) *recvPlan {
	rp := &recvPlan{arch: orARM64(p.arch), stack: (stackBound(p) + 15) / 16 * 16, outLen: p.patLen, owner: map[uint64]loc.Loc{}}
	if rp.stack > maxRecvStack || len(bases) > maxRecvPointers {
		return nil
	}
	isPtr := map[loc.Loc]bool{}
	for _, b := range bases {
		rp.ptrs = append(rp.ptrs, recvPtr{base: b.base, regionOff: rp.regions})
		rp.regions += (b.size + 15) / 16 * 16
		isPtr[b.base] = true
	}
	if rp.regions > maxRegionBytes {
		return nil
	}
	// Every location, by its offset in an image.
	type slot struct {
		at int
		l  loc.Loc
	}
	var slots []slot
	arch := orARM64(p.arch)
	if retBuf := retBufPointer(p, arch, obs, isPtr); retBuf != nil {
		// The return buffer's address: the receiver writes its result
		// there; nothing is read back from it.
		rp.ptrs = append(rp.ptrs, recvPtr{base: *retBuf, regionOff: rp.regions})
		rp.regions += (int(p.lay.Sizeof(p.renamed.Return)) + 15) / 16 * 16
		isPtr[*retBuf] = true
		if rp.regions > maxRegionBytes || len(rp.ptrs) > maxRecvPointers {
			return nil
		}
	}
	for n, reg := range arch.gprs {
		if isPtr[loc.RegByte(reg, 0)] {
			continue // holds an address
		}
		for k := 0; k < 8; k++ {
			slots = append(slots, slot{8*n + k, loc.RegByte(reg, k)})
		}
	}
	for n, reg := range arch.fprs {
		for k := 0; k < 16; k++ {
			slots = append(slots, slot{64 + 16*n + k, loc.RegByte(reg, k)})
		}
	}
	for o := 0; o < rp.stack; o++ {
		if isPtr[loc.Stack(o/8*8)] {
			continue
		}
		slots = append(slots, slot{recvRegBytes + o, loc.Stack(o)})
	}
	for i, b := range bases {
		for k := 0; k < b.size; k++ {
			slots = append(slots, slot{recvRegBytes + rp.stack + rp.ptrs[i].regionOff + k, loc.Ref(b.base, k)})
		}
	}
	rp.runs = 2
	if len(slots) > maxArgBytes {
		rp.runs = 3
	}
	size := recvRegBytes + rp.stack + rp.regions
	rp.images = make([][]byte, rp.runs)
	for r := range rp.images {
		rp.images[r] = make([]byte, size)
	}
	rng := rand.New(rand.NewPCG(seed^0x5eed, uint64(p.idx)))
	for _, s := range slots {
		key := uniqueTuple(rng, rp.runs, rp.owner)
		rp.owner[key] = s.l
		for r := range rp.images {
			rp.images[r][s.at] = byte(key >> (8 * r))
		}
	}
	return rp
}

// uniqueTuple draws a tuple of runs pattern values, not all equal, that
// used does not hold.
func uniqueTuple[V any](rng *rand.Rand, runs int, used map[uint64]V) uint64 {
	for {
		var key uint64
		same := true
		for r := 0; r < runs; r++ {
			v := uint64(1 + rng.IntN(patternValues))
			if r > 0 && v != key&0xff {
				same = false
			}
			key |= v << (8 * r)
		}
		if _, ok := used[key]; !same && !ok {
			return key
		}
	}
}

// writeTo writes what the runner's receive mode reads for one signature; a
// nil plan is a signature with no callee-side pass.
func (rp *recvPlan) writeTo(w *bytes.Buffer) {
	u := func(v int) { w.Write(binary.LittleEndian.AppendUint64(nil, uint64(v))) }
	if rp == nil {
		for range 5 {
			u(0)
		}
		return
	}
	u(rp.runs)
	u(rp.stack)
	u(len(rp.ptrs))
	u(rp.regions)
	u(rp.outLen)
	for _, p := range rp.ptrs {
		if p.base.Kind == loc.InReg {
			u(0)
			u(rp.arch.gprSlot(p.base.Reg))
		} else {
			u(1)
			u(int(p.base.Off))
		}
		u(p.regionOff)
	}
	for _, img := range rp.images {
		w.Write(img)
	}
}

// decodeRecv reads the receive mode's output from signature start on and
// calls emit with each signature's per-run output.
func decodeRecv(out []byte, plans []sigPlan, recvs []*recvPlan, start int, emit func(k int, outs [][]byte)) (int, error) {
	r := reader{b: out}
	for k := start; k < len(plans); k++ {
		runs, outLen := 0, 0
		if recvs[k] != nil {
			runs, outLen = recvs[k].runs, recvs[k].outLen
		}
		idx, n := r.u64(), r.u64()
		if r.short {
			return k, nil
		}
		if idx != uint64(k) || n != uint64(runs) {
			return k, fmt.Errorf("receiver output out of step at signature %d", k)
		}
		outs := make([][]byte, runs)
		for i := range outs {
			outs[i] = r.take(outLen)
		}
		if r.short {
			return k, nil
		}
		if runs > 0 {
			emit(k, outs)
		}
	}
	return len(plans), nil
}

// narrow keeps, for every byte whose receiver copy names a location, only
// that location. A byte the receiver did not copy as it was (a _Bool the
// callee normalises, say) keeps its candidates. A location that is not
// among the candidates means the compiler's callee reads a byte where its
// caller did not put it: an error.
func (rp *recvPlan) narrow(p sigPlan, outs [][]byte, o *Observation) error {
	for j := range o.Args {
		a := &o.Args[j]
		for b := range a.Bytes {
			var key uint64
			for r := range outs {
				key |= uint64(outs[r][p.offsets[j]+b]) << (8 * r)
			}
			l, ok := rp.owner[key]
			if !ok {
				continue
			}
			if len(a.Bytes[b]) == 0 && rp.arch.padNowhere {
				// Passed nowhere: padding (a NO_CLASS eightbyte), which the
				// callee may copy from wherever it likes.
				continue
			}
			found := false
			for _, c := range a.Bytes[b] {
				found = found || c == l
			}
			if !found {
				return fmt.Errorf("a%d byte %d: the callee reads it at %s, the caller put it at %s", j, b, l, formatSet(a.Bytes[b]))
			}
			a.Bytes[b] = []loc.Loc{l}
		}
	}
	return nil
}

// retBufPointer returns the register that must hold a return buffer's
// address for p's receiver: the architecture's hidden-argument register
// (x86-64 rdi) when p returns a record and the capture pass saw no
// argument byte in that register (so the caller passed the buffer there,
// or nothing). Nil when there is none to give.
func retBufPointer(p sigPlan, a *archSpec, obs *Observation, isPtr map[loc.Loc]bool) *loc.Loc {
	if a.retBuf == (loc.Reg{}) || p.renamed.Return == nil || !ctype.IsRecord(p.renamed.Return) {
		return nil
	}
	base := loc.RegByte(a.retBuf, 0)
	if isPtr[base] || p.lay.Sizeof(p.renamed.Return) == 0 {
		return nil
	}
	if obs != nil {
		for _, arg := range obs.Args {
			for _, set := range arg.Bytes {
				for _, l := range set {
					if l.Kind == loc.InReg && l.Reg == a.retBuf {
						return nil
					}
				}
			}
		}
	}
	return &base
}
