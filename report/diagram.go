package report

import (
	"fmt"
	"strings"

	"github.com/trampfuzz/trampfuzz/loc"
)

// argByte is byte b of argument arg; arg < 0 is no byte.
type argByte struct{ arg, b int }

// container is a whole register or an 8-byte stack slot.
type container struct {
	kind  loc.Kind // InReg or OnStack
	reg   loc.Reg
	slot  int32 // stack slot offset (multiple of 8)
	width int
}

func (c container) String() string {
	if c.kind == loc.OnStack {
		return fmt.Sprintf("sp+%d", c.slot)
	}
	return c.reg.String()
}

// containerOf is the register or stack slot holding l, and l's byte in it.
// A by-reference byte is shown at the register or slot holding the
// pointer, as byte -1.
func containerOf(l loc.Loc) (container, int, bool) {
	switch l.Kind {
	case loc.InReg:
		return container{kind: loc.InReg, reg: l.Reg, width: l.Reg.Width()}, int(l.Off), true
	case loc.OnStack:
		slot := l.Off &^ 7
		return container{kind: loc.OnStack, slot: slot, width: 8}, int(l.Off - slot), true
	case loc.ByRef:
		p, ok := l.Pointer()
		if !ok {
			return container{}, 0, false
		}
		c, _, ok := containerOf(p)
		return c, -1, ok
	}
	return container{}, 0, false
}

// occupancy maps each container to what each of its bytes holds under one
// placement, plus the by-reference arguments whose pointer it holds.
type occupancy struct {
	bytes map[container][]argByte
	refs  map[container][]int
}

func occupy(p loc.Placement) occupancy {
	o := occupancy{bytes: map[container][]argByte{}, refs: map[container][]int{}}
	for ai, a := range p.Args {
		for b, l := range a.Bytes {
			c, off, ok := containerOf(l)
			if !ok {
				continue
			}
			if off < 0 {
				if r := o.refs[c]; len(r) == 0 || r[len(r)-1] != ai {
					o.refs[c] = append(o.refs[c], ai)
				}
				continue
			}
			cells := o.bytes[c]
			if cells == nil {
				cells = make([]argByte, c.width)
				for i := range cells {
					cells[i] = argByte{-1, 0}
				}
				o.bytes[c] = cells
			}
			cells[off] = argByte{ai, b}
		}
	}
	return o
}

// cell describes one container's content: "a1.0-7", "a0.0-3", or pieces
// with their byte range in the container when they do not start at byte 0
// ("a0.0-3, a2.0-3 @4-7"). "—" is nothing.
func (o occupancy) cell(c container, names []string) string {
	var parts []string
	for _, ai := range o.refs[c] {
		parts = append(parts, "&"+names[ai]+" (by reference)")
	}
	cells := o.bytes[c]
	for i := 0; i < len(cells); {
		if cells[i].arg < 0 {
			i++
			continue
		}
		j := i + 1
		for j < len(cells) && cells[j].arg == cells[i].arg && cells[j].b == cells[j-1].b+1 {
			j++
		}
		s := names[cells[i].arg] + "." + span(cells[i].b, cells[j-1].b)
		if i != 0 {
			s += " @" + span(i, j-1)
		}
		parts = append(parts, s)
		i = j
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, ", ")
}

func span(a, b int) string {
	if a == b {
		return fmt.Sprint(a)
	}
	return fmt.Sprintf("%d-%d", a, b)
}

// Diagram is the side-by-side table of the integer argument registers
// (x0..x7 on arm64; rdi, rsi, rdx, rcx, r8, r9 on x86-64), the FP/SIMD
// registers either side uses (v0..v7; xmm0..xmm7) and the stack slots up to
// the highest one used: which argument bytes each holds as the ABI placed
// them and as the trampoline reads them. arch is the kernel's architecture
// (layout.ArchARM64, layout.ArchX86_64). Argument bytes are written
// name.byte-range ("a1.0-7"); a piece that does not start at byte 0 of its
// register or slot carries its range there ("@4-7"). The last column marks
// the rows that differ.
func Diagram(arch string, abi, jit loc.Placement) string {
	text := textFor(arch)
	names := make([]string, max(len(abi.Args), len(jit.Args)))
	for i := range names {
		names[i] = fmt.Sprintf("arg%d", i)
		if i < len(abi.Args) && abi.Args[i].Name != "" {
			names[i] = abi.Args[i].Name
		}
	}
	a, j := occupy(abi), occupy(jit)
	var rows []container
	for _, r := range text.gprs {
		rows = append(rows, container{kind: loc.InReg, reg: r, width: r.Width()})
	}
	fprUsed := false
	for _, r := range text.fprs {
		c := container{kind: loc.InReg, reg: r, width: r.Width()}
		if a.bytes[c] != nil || j.bytes[c] != nil || a.refs[c] != nil || j.refs[c] != nil {
			rows = append(rows, c)
			fprUsed = true
		}
	}
	top := int32(-8)
	for _, o := range []occupancy{a, j} {
		for c := range o.bytes {
			if c.kind == loc.OnStack {
				top = max(top, c.slot)
			}
		}
		for c := range o.refs {
			if c.kind == loc.OnStack {
				top = max(top, c.slot)
			}
		}
	}
	for s := int32(0); s <= top; s += 8 {
		rows = append(rows, container{kind: loc.OnStack, slot: s, width: 8})
	}

	var b strings.Builder
	fmt.Fprintf(&b, "| location | %s: the caller put there | trampoline: reads it as | |\n", text.abi)
	b.WriteString("| --- | --- | --- | --- |\n")
	for _, c := range rows {
		l, r := a.cell(c, names), j.cell(c, names)
		mark := ""
		if l != r {
			mark = "**differs**"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", c, l, r, mark)
	}
	if !fprUsed {
		fmt.Fprintf(&b, "| %s | — | — | |\n", text.fprsNone)
	}
	return b.String()
}
