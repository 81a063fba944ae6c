package loc

import (
	"fmt"
	"strings"
)

// Arg is where every byte of one argument is. Bytes[b] is the location of
// byte b of the argument's value (0 ≤ b < Size), in memory order. Padding in
// a register or stack slot beyond Size is not described and never compared.
type Arg struct {
	Index int    `json:"index"`
	Name  string `json:"name,omitempty"`
	Type  string `json:"type"`
	Size  int    `json:"size"`
	Bytes []Loc  `json:"bytes"`
	// Rules names the rules that placed the argument, e.g.
	// "AAPCS64 2025Q4 C.10", or the kernel code path for a JIT model.
	Rules []string `json:"rules,omitempty"`
}

// Placement is where every argument of one call is at function entry.
type Placement struct {
	Func string `json:"func"`
	Args []Arg  `json:"args"`
}

// String prints one line per argument with runs of consecutive bytes
// folded, e.g. "a3 __int128: x2.0-7 x3.0-7 [C.10 C.11]".
func (p Placement) String() string {
	var b strings.Builder
	for i, a := range p.Args {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(a.String())
	}
	return b.String()
}

func (a Arg) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "a%d %s:", a.Index, a.Type)
	for _, r := range Runs(a.Bytes) {
		b.WriteByte(' ')
		b.WriteString(r.String())
	}
	if len(a.Rules) > 0 {
		fmt.Fprintf(&b, " [%s]", strings.Join(a.Rules, " "))
	}
	return b.String()
}

// Run is a maximal sequence of argument bytes at consecutive locations
// (Loc.Next) starting at First.
type Run struct {
	First Loc
	Len   int
}

// Last is the location of the run's last byte.
func (r Run) Last() Loc {
	l := r.First
	l.Off += int32(r.Len - 1)
	return l
}

// String folds the run: x2.0-7, sp+16-23, ref(x1)+0-23; a single byte
// prints as its location; bytes with no location (not passed, or not
// read) print as "none×N".
func (r Run) String() string {
	if r.First.IsZero() {
		return fmt.Sprintf("none×%d", r.Len)
	}
	if r.Len == 1 {
		return r.First.String()
	}
	return fmt.Sprintf("%s-%d", r.First, r.Last().Off)
}

// Runs folds a byte list into runs of consecutive locations.
func Runs(bytes []Loc) []Run {
	var runs []Run
	for _, l := range bytes {
		// A byte extends the last run when both have no location, or when
		// it is the location after the run's last.
		if n := len(runs); n > 0 && l.IsZero() == runs[n-1].First.IsZero() && (l.IsZero() || runs[n-1].Last().Next() == l) {
			runs[n-1].Len++
			continue
		}
		runs = append(runs, Run{First: l, Len: 1})
	}
	return runs
}

// ByteDiff is one argument byte placed differently by two placements.
type ByteDiff struct {
	Byte int `json:"byte"`
	A    Loc `json:"a"`
	B    Loc `json:"b"`
}

// ArgDiff lists the differing bytes of one argument.
type ArgDiff struct {
	Index int        `json:"index"`
	Bytes []ByteDiff `json:"bytes"`
}

// Diff compares two placements byte by byte. Arguments present in only one
// placement, or of different sizes, differ in every byte the other lacks
// (the missing side is the zero Loc).
func Diff(a, b Placement) []ArgDiff {
	var out []ArgDiff
	n := max(len(a.Args), len(b.Args))
	for i := 0; i < n; i++ {
		var ab, bb []Loc
		if i < len(a.Args) {
			ab = a.Args[i].Bytes
		}
		if i < len(b.Args) {
			bb = b.Args[i].Bytes
		}
		var d []ByteDiff
		for k := 0; k < max(len(ab), len(bb)); k++ {
			var x, y Loc
			if k < len(ab) {
				x = ab[k]
			}
			if k < len(bb) {
				y = bb[k]
			}
			if x != y {
				d = append(d, ByteDiff{Byte: k, A: x, B: y})
			}
		}
		if d != nil {
			out = append(out, ArgDiff{Index: i, Bytes: d})
		}
	}
	return out
}

// Contiguous returns the locations of n consecutive bytes starting at first.
func Contiguous(first Loc, n int) []Loc {
	out := make([]Loc, n)
	for i := range out {
		out[i] = first
		first = first.Next()
	}
	return out
}
