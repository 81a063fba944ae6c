package layout

import (
	"fmt"

	"github.com/trampfuzz/trampfuzz/loc"
)

// slotSource is where the trampoline takes one 8-byte ctx slot from.
type slotSource struct {
	first loc.Loc
	rule  string
}

// slotPlan is where each ctx slot comes from in one trampoline (arm64 or
// x86-64); trampoline() turns it into the BPF program's view.
type slotPlan struct {
	// srcs are ctx[0..nr_regs-1], the slots the frame holds and ctx[-1]
	// counts.
	srcs []slotSource
	// past gives the rule for a slot at or past nr_regs that save_args
	// still writes (outside the args area).
	past map[int]string
	// corrupt, when set, says why the trampoline's machine code is broken:
	// no slot is reliably stored.
	corrupt string
}

// trampoline turns a plan into the BPF program's view: the verifier's ctx
// slots (btf_ctx_access) and, for each argument byte, the
// location stored in its slot.
func (p slotPlan) trampoline(m *FuncModel, k Kernel) *Trampoline {
	t := &Trampoline{Kernel: k.String(), Placement: loc.Placement{Func: m.Name}, Corrupt: p.corrupt}
	count := len(p.srcs)
	for _, s := range p.srcs {
		if p.corrupt != "" {
			t.Slots = append(t.Slots, loc.Loc{})
			continue
		}
		t.Slots = append(t.Slots, s.first)
	}
	t.Ctx.Count = count
	slot := 0
	for i := 0; i < m.NrArgs; i++ {
		size := m.ArgSize[i]
		first, nslots := slot, slotsOf(size)
		if !m.CtxSlotBySize {
			// v6.0 btf_ctx_access: arg = off / 8, one slot per argument.
			first, nslots = i, 1
		}
		slot = first + nslots
		t.Ctx.Args = append(t.Ctx.Args, CtxArg{Index: i, Name: m.ArgNames[i], FirstSlot: first, Slots: nslots})

		a := loc.Arg{Index: i, Name: m.ArgNames[i], Type: m.ArgTypes[i], Size: size, Bytes: make([]loc.Loc, size)}
		var rules []string
		addRule := func(r string) {
			for _, have := range rules {
				if have == r {
					return
				}
			}
			rules = append(rules, r)
		}
		for b := 0; b < size; b++ {
			s := first + b/8
			switch {
			case b/8 >= nslots:
				addRule("v6.0 btf_ctx_access: one 8-byte ctx slot per argument (off/8); bytes past 8 are not in it")
			case p.corrupt != "":
				addRule(p.corrupt)
			case s >= count:
				if r, ok := p.past[s]; ok {
					addRule(r)
				} else {
					addRule(fmt.Sprintf("not saved: ctx[%d] is past the %d slots the trampoline stores (ctx[-1] = %d)", s, count, count))
				}
			default:
				l := p.srcs[s].first
				l.Off += int32(b % 8)
				a.Bytes[b] = l
				addRule(p.srcs[s].rule)
			}
		}
		a.Rules = rules
		t.Placement.Args = append(t.Placement.Args, a)
	}
	if m.CtxSlotBySize {
		t.Ctx.RetSlot = slot
	} else {
		t.Ctx.RetSlot = m.NrArgs
	}
	return t
}
