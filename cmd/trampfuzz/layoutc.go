package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/ctype"
)

func init() {
	register("layout-c", "print every record's size, alignment and member offsets (LP64; -arch arm64 or x86_64)", runLayoutC)
}

type memberJSON struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Offset    int64  `json:"offset"`
	BitOffset int64  `json:"bit_offset"`
	BitSize   *int64 `json:"bit_size,omitempty"`
	Size      int64  `json:"size"`
	Align     int64  `json:"align"`
}

type recordJSON struct {
	Name    string       `json:"name"`
	Size    int64        `json:"size"`
	Align   int64        `json:"align"`
	Members []memberJSON `json:"members"`
}

func runLayoutC(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("layout-c", "FILE.c", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	archName := fs.String("arch", "arm64", "lay out by this architecture's rules: "+strings.Join(arch.Names(), ", ")+" (or another spelling)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	a, err := arch.Lookup(*archName)
	if err != nil {
		return badInput(stderr, err)
	}
	lay := &ctype.Layouts{Arch: a}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitBadInput
	}
	fn, err := readFunc(fs.Arg(0))
	if err != nil {
		return badInput(stderr, err)
	}
	var out []recordJSON
	for _, r := range ctype.Records(fn) {
		l := lay.Of(r)
		rj := recordJSON{Name: ctype.TypeString(r), Size: l.Size, Align: l.Align, Members: []memberJSON{}}
		if r.Name == "" {
			rj.Name = "(anonymous " + map[bool]string{false: "struct", true: "union"}[r.Union] + ")"
		}
		for i, m := range r.Members {
			f := l.Fields[i]
			mj := memberJSON{Name: m.Name, Type: ctype.TypeString(m.Type), Offset: f.Offset, BitOffset: f.BitOffset,
				Size: lay.Sizeof(m.Type), Align: f.Align}
			if m.Bitfield {
				bits := m.Bits
				mj.BitSize = &bits
			}
			rj.Members = append(rj.Members, mj)
		}
		out = append(out, rj)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if out == nil {
			out = []recordJSON{}
		}
		enc.Encode(map[string]any{"func": fn.Name, "records": out})
		return exitOK
	}
	for _, r := range out {
		fmt.Fprintf(stdout, "%s: size %d, align %d\n", r.Name, r.Size, r.Align)
		for _, m := range r.Members {
			name := m.Name
			if name == "" {
				name = "(unnamed)"
			}
			if m.BitSize != nil {
				fmt.Fprintf(stdout, "  %-12s %-24s offset %d, bits %d+%d\n", name, m.Type, m.Offset, m.BitOffset, *m.BitSize)
				continue
			}
			fmt.Fprintf(stdout, "  %-12s %-24s offset %d, size %d, align %d\n", name, m.Type, m.Offset, m.Size, m.Align)
		}
	}
	return exitOK
}
