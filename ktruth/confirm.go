package ktruth

import (
	"context"
	"fmt"
	"strings"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
)

// ConfirmClasses runs every known class's witnesses that p's model says
// show the class on p, and records what the kernel did: confirmed when
// its slots are the model's (mis)reading, not reproduced when they are
// not. A witness whose class the model does not show on p is recorded as
// not reachable there, with the model's verdict as the reason.
func ConfirmClasses(ctx context.Context, p *Prepared, opts Options) ([]check.Confirmation, error) {
	t, err := check.ParseTarget(p.Model, string(p.Pahole))
	if err != nil {
		return nil, fmt.Errorf("%w %s: model %v", ErrKernel, p.Name, err)
	}
	var out []check.Confirmation
	var run []*ctype.Func
	var runFor []int // index into out
	known := check.Known()
	for i := range known.Classes {
		c := &known.Classes[i]
		if !classOfArch(c, p.Arch.Name) {
			continue
		}
		for _, w := range c.Witnesses {
			fn, err := ctype.Parse("witness.c", []byte(w))
			if err != nil {
				return nil, fmt.Errorf("witness of %q: %v", c.Problem, err)
			}
			cf := check.Confirmation{Problem: c.Problem, Kernel: p.Name, Target: t.String(), Witness: w}
			if !c.Reachable {
				// Kernels build without FP argument registers
				// (-mgeneral-regs-only, -mno-sse): no kernel function
				// takes such a signature, and arm64's kbuild refuses it.
				cf.Result, cf.Why = check.NotReachable, "the class needs floating point, which kernel code does not pass"
				out = append(out, cf)
				continue
			}
			v, err := check.Run(fn, t)
			if err != nil {
				return nil, fmt.Errorf("witness of %q: %v", c.Problem, err)
			}
			if v.Known != c {
				cf.Result, cf.Why = check.NotReachable, "the model "+t.String()+" gives "+verdictText(v)
				out = append(out, cf)
				continue
			}
			runFor = append(runFor, len(out))
			run = append(run, fn)
			out = append(out, cf)
		}
	}
	if len(run) == 0 {
		return out, nil
	}
	rep, err := Run(ctx, p, run, opts)
	if err != nil {
		return nil, err
	}
	for k, o := range rep.Observations {
		cf := &out[runFor[k]]
		cf.Release = rep.Release
		switch {
		case rep.FentryRefused:
			cf.Result, cf.Why = check.NotReachable, "the kernel refuses every fentry attach ("+rep.ProbeMessage+"): its config, not the JIT"
			continue
		case o.Outcome != Attached:
			cf.Result, cf.Why = check.NotReproduced, fmt.Sprintf("the kernel: %s (%s)", o.Outcome, o.Message)
			continue
		}
		c, err := Compare(o, t)
		if err != nil {
			return nil, err
		}
		cf.Saw = describeSlots(o)
		if c.Agree() {
			cf.Result = check.ConfirmedOnKernel
		} else {
			cf.Result, cf.Why = check.NotReproduced, strings.Join(c.Diffs, "; ")
		}
	}
	for i := range out {
		if out[i].Release == "" {
			out[i].Release = rep.Release
		}
	}
	return out, nil
}

// verdictText is a verdict in a few words.
func verdictText(v *check.Verdict) string {
	switch v.Kind {
	case check.Rejected:
		return fmt.Sprintf("rejected by %s: %s", v.Rejected.Stage, v.Rejected.Reason)
	case check.Mismatch:
		return "another class: " + v.Problem
	}
	return "agree"
}

// describeSlots says what each ctx slot the program saw holds, in terms of
// the call's argument bytes with the value: "ctx[0] = a0[0-3]
// (0x0000000005040302)", "ctx[1] = junk", "ctx[2] = a1[0-7] (…)".
func describeSlots(o *Observation) string {
	owner := map[byte][2]int{}
	for i, p := range o.Sig.Pattern {
		for b, v := range p {
			if v > 1 {
				owner[v] = [2]int{i, b}
			}
		}
	}
	var slots []string
	for s := 0; s < o.Count && s < len(o.Slots); s++ {
		v := o.Slots[s]
		// An argument's bytes start at byte 0 of its slot and run on in
		// order; a pattern value anywhere else is a coincidence in junk.
		w, ok := owner[byte(v)]
		if !ok {
			// No byte of the call: a register or slot the caller did not
			// set (its value changes from boot to boot, so it is not kept).
			slots = append(slots, fmt.Sprintf("ctx[%d] = junk", s))
			continue
		}
		k := 1
		for k < 8 {
			n, ok := owner[byte(v>>(8*k))]
			if !ok || n[0] != w[0] || n[1] != w[1]+k {
				break
			}
			k++
		}
		what := fmt.Sprintf("a%d[%d]", w[0], w[1])
		if k > 1 {
			what = fmt.Sprintf("a%d[%d-%d]", w[0], w[1], w[1]+k-1)
		}
		if k < 8 && v>>(8*k) != 0 {
			what += " + junk"
		}
		slots = append(slots, fmt.Sprintf("ctx[%d] = %s (0x%016x)", s, what, v))
	}
	return strings.Join(slots, ", ")
}

// classOfArch reports whether one of c's target patterns is of arch.
func classOfArch(c *check.KnownClass, arch string) bool {
	for _, t := range c.Targets {
		if strings.HasPrefix(t, arch+"/") {
			return true
		}
	}
	return false
}
