package ktruth

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"

	"github.com/trampfuzz/trampfuzz/arch"
	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/gen"
	"github.com/trampfuzz/trampfuzz/truth"
)

// attachable draws kernel-profile signatures biased toward ones a
// trampoline attaches: at most 12 arguments (MAX_BPF_FUNC_ARGS) and no
// record over 16 bytes (btf_distill_func_proto refuses those), so that most
// functions reach the JIT instead of the verifier's first check.
var attachable = gen.Profile{MinArgs: 1, MaxArgs: gen.RegularMaxArgs, Floats: false, MaxDepth: 3, MaxMembers: 6}

// RandomSignatures draws n signatures for -check-model, the same for the
// same seed: signature i comes from gen.FromBytes over bytes of a PCG
// stream seeded (seed, i), redrawn while it has a record argument over 16
// bytes.
func RandomSignatures(n int, seed uint64) []*ctype.Func {
	out := make([]*ctype.Func, 0, n)
	for i := 0; len(out) < n; i++ {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		data := make([]byte, 512)
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		fn, err := gen.FromBytes(data, attachable)
		if err != nil || hasLargeRecord(fn) {
			continue
		}
		out = append(out, fn)
	}
	return out
}

func hasLargeRecord(fn *ctype.Func) bool {
	for _, p := range fn.Params {
		if ctype.IsRecord(p.Type) && ctype.Sizeof(p.Type) > 16 {
			return true
		}
	}
	return false
}

// ModelReport is a kernel's run compared with its model.
type ModelReport struct {
	*Report
	Target      string        `json:"target"`
	Comparisons []*Comparison `json:"comparisons"`
	Agree       int           `json:"agree"`
	Differ      int           `json:"differ"`
	// Outcomes counts the kernel's outcomes.
	Outcomes map[Outcome]int `json:"outcomes"`
	// Compared is how many slot bytes had a predicted value.
	Compared int `json:"compared_bytes"`
}

// CheckModel runs fns on p and compares each with p's model (p.Model with
// p.Pahole). A kernel that refuses every fentry attach (FentryRefused) is
// reported as such and not compared: its refusals say nothing of the JIT.
func CheckModel(ctx context.Context, p *Prepared, fns []*ctype.Func, opts Options) (*ModelReport, error) {
	t, err := check.ParseTarget(p.Model, string(p.Pahole))
	if err != nil {
		return nil, fmt.Errorf("%w %s: model %v", ErrKernel, p.Name, err)
	}
	rep, err := Run(ctx, p, fns, opts)
	if rep == nil {
		return nil, err
	}
	mr := &ModelReport{Report: rep, Target: t.String(), Outcomes: map[Outcome]int{}}
	for _, o := range rep.Observations {
		if o == nil {
			continue // not reached: ctx was cancelled
		}
		mr.Outcomes[o.Outcome]++
		if rep.FentryRefused {
			continue
		}
		c, cerr := Compare(o, t)
		if cerr != nil {
			return mr, fmt.Errorf("%s: %v", o.Func, cerr)
		}
		mr.Comparisons = append(mr.Comparisons, c)
		mr.Compared += c.Compared
		if c.Agree() {
			mr.Agree++
		} else {
			mr.Differ++
		}
	}
	if mr.Differ > 0 {
		if terr := blameOracle(ctx, p.Arch, mr.Comparisons); terr != nil && err == nil {
			err = terr
		}
	}
	return mr, err
}

// blameOracle runs the signatures the kernel and the model differ on
// through gcc (truth): where gcc's layout or placement is not the oracle's,
// the model's prediction rested on a wrong ABI placement, and the
// comparison says so.
func blameOracle(ctx context.Context, a *arch.Arch, cs []*Comparison) error {
	var fns []*ctype.Func
	var which []*Comparison
	for _, c := range cs {
		if !c.Agree() && c.Verdict != nil && c.Verdict.ABI != nil {
			fns = append(fns, c.fn)
			which = append(which, c)
		}
	}
	if len(fns) == 0 {
		return nil
	}
	results, err := truth.Options{Arch: a.Name}.Observe(ctx, fns, []truth.Compiler{truth.GCC})
	if err != nil {
		return fmt.Errorf("checking the oracle with gcc: %v", err)
	}
	for i, r := range results {
		if e := r.Errors[truth.GCC]; e != nil {
			which[i].OracleWrong = e.Error()
			continue
		}
		if ms := r.Observations[truth.GCC].Admits(*which[i].Verdict.ABI); len(ms) > 0 {
			var words []string
			for _, m := range ms[:min(4, len(ms))] {
				words = append(words, m.String())
			}
			which[i].OracleWrong = "gcc does not place it as the oracle does: " + strings.Join(words, "; ")
		}
	}
	return nil
}

// WriteText prints the summary and every difference.
func (mr *ModelReport) WriteText(w io.Writer) {
	var outs []string
	for _, k := range []Outcome{Attached, NotInBTF, LoadRefused, AttachRefused, Crashed, Failed} {
		if n := mr.Outcomes[k]; n > 0 {
			outs = append(outs, fmt.Sprintf("%d %s", n, k))
		}
	}
	fmt.Fprintf(w, "%s (%s) vs %s: %d signatures in %d boots: %s\n", mr.Kernel, mr.Release, mr.Target,
		len(mr.Observations), mr.Boots, strings.Join(outs, ", "))
	if mr.FentryRefused {
		fmt.Fprintf(w, "  the kernel refuses every fentry attach, the probe f(long) included (%s): its config, not the JIT; the model is not compared\n", mr.ProbeMessage)
		return
	}
	oracle := 0
	for _, c := range mr.Comparisons {
		if c.OracleWrong != "" {
			oracle++
		}
	}
	blame := ""
	if oracle > 0 {
		blame = fmt.Sprintf(", %d of them where gcc shows the ABI oracle wrong", oracle)
	}
	fmt.Fprintf(w, "  %d agree, %d differ%s (%d slot bytes compared)\n", mr.Agree, mr.Differ, blame, mr.Compared)
	for _, c := range mr.Comparisons {
		if c.Agree() {
			continue
		}
		fmt.Fprintf(w, "\n%s", c.C)
		if c.OracleWrong != "" {
			fmt.Fprintf(w, "  the ABI oracle is wrong here, not the kernel model: %s\n", c.OracleWrong)
		}
		for _, d := range c.Diffs {
			fmt.Fprintf(w, "  %s\n", d)
		}
		if c.Reading != "" {
			for _, l := range strings.Split(strings.TrimRight(c.Reading, "\n"), "\n") {
				fmt.Fprintf(w, "  %s\n", l)
			}
		}
	}
}
