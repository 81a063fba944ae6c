package ktruth

import (
	"fmt"
	"strings"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
)

// Comparison is a kernel model's answer for one function against what the
// real kernel did.
type Comparison struct {
	Func string `json:"func"`
	C    string `json:"c"`
	// Model is the model's verdict kind: attaches, not-in-btf, load-refused
	// or attach-refused, the same words as Outcome.
	Model   Outcome        `json:"model"`
	Kernel  Outcome        `json:"kernel"`
	Verdict *check.Verdict `json:"verdict"`
	// Compared is how many slot bytes had a predicted value.
	Compared int `json:"compared_bytes"`
	// Diffs says each difference; empty when model and kernel agree.
	Diffs []string `json:"diffs,omitempty"`
	// Reading is the slots as the kernel gave them and as the model
	// predicts them, for a person ("?" for bytes the model cannot predict).
	Reading string `json:"reading,omitempty"`
	// OracleWrong, for a difference, is what gcc itself did where the ABI
	// oracle (whose placement says which byte each location holds) is
	// wrong: then the difference is the oracle's, not the kernel model's.
	OracleWrong string `json:"oracle_wrong,omitempty"`

	fn *ctype.Func
}

// Agree reports whether the model matched the kernel.
func (c *Comparison) Agree() bool { return len(c.Diffs) == 0 }

// modelOutcome maps a verdict to what a real kernel would do.
func modelOutcome(v *check.Verdict) Outcome {
	if v.Kind != check.Rejected {
		return Attached
	}
	switch v.Rejected.Stage {
	case check.StagePahole:
		return NotInBTF
	case check.StageDistill:
		return LoadRefused
	}
	return AttachRefused
}

// Compare checks observation o against target t's model: the outcome kind,
// then for a function that attached, bpf_get_func_arg_cnt against the
// model's count and every slot byte the model says holds an argument byte
// whose location at entry (the ABI's placement) holds a known byte of the
// call. A byte the model reads from a location the ABI left empty has no
// predicted value and is not compared.
func Compare(o *Observation, t check.Target) (*Comparison, error) {
	v, err := check.Run(o.Sig.Fn, t)
	if err != nil {
		return nil, err
	}
	c := &Comparison{Func: o.Func, C: o.C, Model: modelOutcome(v), Kernel: o.Outcome, Verdict: v, fn: o.Sig.Fn}
	if c.Model != c.Kernel {
		model := string(c.Model)
		if v.Rejected != nil {
			model += " (" + v.Rejected.Stage + ": " + v.Rejected.Reason + ")"
		}
		kernel := string(o.Outcome)
		if o.Message != "" {
			kernel += " (" + o.Message + ")"
		}
		c.Diffs = append(c.Diffs, fmt.Sprintf("outcome: model %s, kernel %s", model, kernel))
		return c, nil
	}
	if c.Kernel != Attached {
		// A refusal's errno is the kernel's too (the model's negative, as
		// the kernel returns it; the guest's positive, as unix.Errno).
		if v.Rejected != nil && v.Rejected.Errno != 0 && o.Errno != 0 && abs(v.Rejected.Errno) != abs(o.Errno) {
			c.Diffs = append(c.Diffs, fmt.Sprintf("errno: model %d (%s: %s), kernel %d (%s)",
				abs(v.Rejected.Errno), v.Rejected.Stage, v.Rejected.Reason, abs(o.Errno), o.Message))
		}
		return c, nil
	}
	if o.Count != v.Ctx.Count {
		c.Diffs = append(c.Diffs, fmt.Sprintf("bpf_get_func_arg_cnt: model %d, kernel %d", v.Ctx.Count, o.Count))
	}
	// What each location holds at entry: the ABI's byte there.
	type argByte struct{ arg, b int }
	at := map[loc.Loc]argByte{}
	for i, a := range v.ABI.Args {
		for b, l := range a.Bytes {
			if !l.IsZero() {
				at[l] = argByte{i, b}
			}
		}
	}
	a, err := arch.Lookup(t.Kernel.Arch)
	if err != nil {
		return nil, err
	}
	value := make([][]bool, len(o.Sig.Fn.Params))
	for i, p := range o.Sig.Fn.Params {
		value[i] = ctype.ValueBytes(p.Type, a)
	}
	pred := make([][8]string, len(o.Slots))
	for s := range pred {
		for j := range pred[s] {
			pred[s][j] = "??"
		}
	}
	for _, ca := range v.Ctx.Args {
		jit := v.JIT.Args[ca.Index]
		for b, l := range jit.Bytes {
			s, j := ca.FirstSlot+b/8, b%8
			if l.IsZero() || s >= len(o.Slots) || s >= v.Ctx.Count {
				continue // never stored, or past what bpf_get_func_arg returns
			}
			src, ok := at[l]
			if !ok || !value[src.arg][src.b] {
				continue // the ABI put nothing (or padding) there: no prediction
			}
			want := o.Sig.Pattern[src.arg][src.b]
			pred[s][j] = fmt.Sprintf("%02x", want)
			got := byte(o.Slots[s] >> (8 * j))
			c.Compared++
			if got != want {
				c.Diffs = append(c.Diffs, fmt.Sprintf("a%d byte %d (ctx slot %d byte %d): the model reads %s, where the ABI has a%d byte %d = %#02x; the kernel saw %#02x%s",
					ca.Index, b, s, j, l, src.arg, src.b, want, got, owner(o.Sig, got)))
			}
		}
	}
	if !c.Agree() {
		var r strings.Builder
		for s := 0; s < min(len(o.Slots), max(o.Count, v.Ctx.Count)); s++ {
			fmt.Fprintf(&r, "slot %d: kernel %016x model ", s, o.Slots[s])
			for j := 7; j >= 0; j-- {
				r.WriteString(pred[s][j])
			}
			r.WriteString("\n")
		}
		c.Reading = r.String()
	}
	return c, nil
}

// owner names the argument byte whose pattern is v, if one is.
func owner(s Sig, v byte) string {
	for i, p := range s.Pattern {
		for b, x := range p {
			if x == v && v > 1 {
				return fmt.Sprintf(" (a%d byte %d)", i, b)
			}
		}
	}
	return ""
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
