package scan

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/trampfuzz/trampfuzz/check"
	"github.com/trampfuzz/trampfuzz/ctype"
)

// Report is the result of scanning one file.
type Report struct {
	File string `json:"file"`
	// Input is "dwarf" or "btf".
	Input   string `json:"input"`
	Machine string `json:"machine,omitempty"`
	// Units is the number of DWARF compilation units.
	Units int `json:"units,omitempty"`
	// Functions counts the out-of-line functions (DWARF: subprograms with
	// code, one per instance; BTF: FUNC entries). Converted of them became
	// a ctype.Func; Skipped counts the others by reason.
	Functions int            `json:"functions"`
	Converted int            `json:"converted"`
	Skipped   map[string]int `json:"skipped,omitempty"`
	// Locations compares DWARF's parameter locations at entry with the
	// oracle (DWARF only).
	Locations *LocationReport `json:"locations,omitempty"`
	Targets   []*TargetReport `json:"targets"`
}

// TargetReport is the result for one target.
type TargetReport struct {
	Target string `json:"target"`
	// Functions is the number checked (Report.Converted).
	Functions int `json:"functions"`
	// Traceable: pahole emits BTF, btf_distill_func_proto and the JIT
	// accept the function (Safe + Misread + Ambiguous).
	Traceable int `json:"traceable"`
	// StructArgs: functions passing a struct or union by value.
	StructArgs int `json:"struct_args"`
	// StackArgs: functions with an argument (or a by-reference
	// argument's pointer) on the stack at entry, by AAPCS64.
	StackArgs int `json:"stack_args"`
	Safe      int `json:"safe"`
	Misread   int `json:"misread"`
	// MisreadUnreachable: misread functions that need a floating-point
	// argument, which arm64 kernel code never passes (included in
	// Misread).
	MisreadUnreachable int `json:"misread_unreachable"`
	Ambiguous          int `json:"ambiguous"`
	// PaholeSkips counts functions pahole leaves out of BTF, by reason;
	// Rejected those btf_distill_func_proto or the JIT refuses.
	PaholeSkips map[string]int `json:"pahole_skips,omitempty"`
	Rejected    map[string]int `json:"rejected,omitempty"`
	// Findings lists the misread and ambiguous functions, one entry per
	// distinct name and signature.
	Findings []*Finding `json:"findings,omitempty"`

	seen map[string]*Finding
}

// Finding is one misread or ambiguous function.
type Finding struct {
	Status Status `json:"status"`
	Func   string `json:"func"`
	// CU is the compilation unit, File and Line the declaration (DWARF).
	CU   string `json:"cu,omitempty"`
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Instances counts the out-of-line copies with this name and
	// signature (a static function in a header has one per unit).
	Instances int `json:"instances"`
	// Signature is the prototype as the input spells it; C is the
	// canonical C that was checked (pointers to records are void *: a
	// pointer's target does not change where it is passed).
	Signature string `json:"signature"`
	C         string `json:"c"`
	Class     string `json:"class,omitempty"`
	Reachable bool   `json:"reachable"`
	Known     bool   `json:"known"`
	// Args are the arguments the trampoline reads from the wrong place
	// (misread) or the record whose alignment decides (ambiguous).
	Args []FindingArg `json:"args"`
}

// FindingArg is one argument of a finding, with both placements as runs
// ("x2.0-7 x3.0-7").
type FindingArg struct {
	Index int    `json:"index"`
	Name  string `json:"name,omitempty"`
	Type  string `json:"type"`
	ABI   string `json:"abi"`
	JIT   string `json:"jit"`
	// ABIAligned is, for an ambiguous argument, where the ABI puts it if
	// the record is 16-byte aligned; Reason says which reading misreads.
	ABIAligned string `json:"abi_aligned,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// LocationReport compares DWARF's parameter locations at entry with the
// oracle's placement.
type LocationReport struct {
	Params   int `json:"params"`
	Compared int `json:"compared"`
	Agree    int `json:"agree"`
	Disagree int `json:"disagree"`
	// NotComparable counts, by reason, the parameters whose DWARF
	// location does not say where the value is at entry.
	NotComparable map[string]int    `json:"not_comparable,omitempty"`
	Disagreements []LocDisagreement `json:"disagreements,omitempty"`
}

// LocDisagreement is one parameter whose DWARF entry location differs
// from the oracle's placement.
type LocDisagreement struct {
	Func    string `json:"func"`
	CU      string `json:"cu,omitempty"`
	Param   int    `json:"param"`
	Name    string `json:"name,omitempty"`
	Type    string `json:"type"`
	Variant string `json:"variant"`
	// DWARF and Oracle are the bytes as runs ("?" for bytes DWARF leaves
	// undescribed, which are not compared).
	DWARF  string   `json:"dwarf"`
	Oracle string   `json:"oracle"`
	Rules  []string `json:"rules,omitempty"`
}

func newReport(path, input string, targets []check.Target) *Report {
	rep := &Report{File: path, Input: input, Skipped: map[string]int{}}
	for _, t := range targets {
		rep.Targets = append(rep.Targets, &TargetReport{Target: t.String(), PaholeSkips: map[string]int{},
			Rejected: map[string]int{}, seen: map[string]*Finding{}})
	}
	return rep
}

// addLocations compares one function's DWARF locations with the oracle.
func (rep *Report) addLocations(f *function) {
	if f.Fn == nil {
		return
	}
	lr := rep.Locations
	for i, p := range f.Params {
		lr.Params++
		if p.Why != "" {
			lr.NotComparable[p.Why]++
			continue
		}
		lr.Compared++
		same := true
		for b, l := range p.DWARF {
			if !l.IsZero() && (b >= len(p.Oracle) || p.Oracle[b] != l) {
				same = false
			}
		}
		if same {
			lr.Agree++
			continue
		}
		lr.Disagree++
		prm := f.Fn.Params[i]
		lr.Disagreements = append(lr.Disagreements, LocDisagreement{Func: f.Name, CU: f.CU, Param: i, Name: prm.Name,
			Type: ctype.TypeString(prm.Type), Variant: f.Variant, DWARF: locString(p.DWARF),
			Oracle: locString(p.Oracle), Rules: p.Rules})
	}
}

// add counts one function's judgement.
func (tr *TargetReport) add(f *function, j *judgement) {
	tr.Functions++
	v := j.Verdict
	if hasStructArg(f.Fn) {
		tr.StructArgs++
	}
	if onStack(v.ABI) {
		tr.StackArgs++
	}
	switch j.Status {
	case Rejected:
		if v.Rejected.Stage == check.StagePahole {
			tr.PaholeSkips[reasonKey(v)]++
		} else {
			tr.Rejected[reasonKey(v)]++
		}
		return
	case Safe:
		tr.Safe++
	case Misread:
		tr.Misread++
		if !v.Reachable {
			tr.MisreadUnreachable++
		}
	case Ambiguous:
		tr.Ambiguous++
	}
	tr.Traceable++
	if j.Status == Safe {
		return
	}
	c := ctype.Render(f.Fn)
	key := string(j.Status) + "\x00" + f.Name + "\x00" + c
	if fd, ok := tr.seen[key]; ok {
		fd.Instances++
		return
	}
	fd := &Finding{Status: j.Status, Func: f.Name, CU: f.CU, File: f.File, Line: f.Line, Instances: 1,
		Signature: f.source(), C: c, Reachable: v.Reachable}
	switch j.Status {
	case Misread:
		fd.Class = strings.Replace(v.Class, normName, f.Name, -1)
		fd.Known = v.Known != nil
		for _, m := range v.Mismatches {
			fd.Args = append(fd.Args, FindingArg{Index: m.Index, Name: f.Fn.Params[m.Index].Name, Type: ctype.TypeString(f.Fn.Params[m.Index].Type),
				ABI: locString(m.ABI), JIT: locString(m.JIT)})
		}
	case Ambiguous:
		a := j.AmbVerdict
		mis, reading := v, "natural alignment"
		if a.Kind == check.Mismatch {
			mis, reading = a, "16-byte alignment"
		}
		fd.Class = mis.Class
		fd.Known = mis.Known != nil
		fd.Reachable = mis.Reachable
		i := j.AmbArg
		fa := FindingArg{Index: i, Name: f.Fn.Params[i].Name, Type: ctype.TypeString(f.Fn.Params[i].Type),
			ABI: argRuns(v.ABI, i), ABIAligned: argRuns(a.ABI, i),
			Reason: "BTF cannot show this record's alignment; with " + reading + " the trampoline misreads (" + mis.Problem + ")"}
		if v.JIT != nil {
			fa.JIT = argRuns(v.JIT, i)
		}
		fd.Args = append(fd.Args, fa)
	}
	tr.seen[key] = fd
	tr.Findings = append(tr.Findings, fd)
}

func (tr *TargetReport) sortFindings() {
	sort.SliceStable(tr.Findings, func(i, j int) bool {
		a, b := tr.Findings[i], tr.Findings[j]
		if a.Status != b.Status {
			return a.Status == Misread
		}
		return a.Func < b.Func
	})
}

// WriteText prints the report for people: counts per target, then every
// finding with both placements.
func (rep *Report) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s (%s", rep.File, rep.Input)
	if rep.Units > 0 {
		fmt.Fprintf(w, ", %d units", rep.Units)
	}
	fmt.Fprintf(w, "): %d functions, %d converted, %d skipped\n", rep.Functions, rep.Converted, rep.Functions-rep.Converted)
	for _, k := range sortedKeys(rep.Skipped) {
		fmt.Fprintf(w, "  skipped %6d  %s\n", rep.Skipped[k], k)
	}
	if lr := rep.Locations; lr != nil {
		fmt.Fprintf(w, "DWARF entry locations: %d parameters, %d compared with the oracle: %d agree, %d disagree\n",
			lr.Params, lr.Compared, lr.Agree, lr.Disagree)
		for _, k := range sortedKeys(lr.NotComparable) {
			fmt.Fprintf(w, "  not compared %6d  %s\n", lr.NotComparable[k], k)
		}
		for _, d := range lr.Disagreements {
			fmt.Fprintf(w, "  DISAGREE %s (%s) param %d %s %s [%s]\n    dwarf:  %s\n    oracle: %s\n",
				d.Func, d.CU, d.Param, d.Type, d.Name, d.Variant, d.DWARF, d.Oracle)
		}
	}
	for _, t := range rep.Targets {
		fmt.Fprintf(w, "\n%s: %d functions, %d traceable, %d with struct args, %d with stack args; %d safe, %d misread",
			t.Target, t.Functions, t.Traceable, t.StructArgs, t.StackArgs, t.Safe, t.Misread)
		if t.MisreadUnreachable > 0 {
			fmt.Fprintf(w, " (%d not reachable in kernel builds)", t.MisreadUnreachable)
		}
		fmt.Fprintf(w, ", %d ambiguous\n", t.Ambiguous)
		for _, k := range sortedKeys(t.PaholeSkips) {
			fmt.Fprintf(w, "  pahole skips %6d  %s\n", t.PaholeSkips[k], k)
		}
		for _, k := range sortedKeys(t.Rejected) {
			fmt.Fprintf(w, "  rejected    %6d  %s\n", t.Rejected[k], k)
		}
		for _, fd := range t.Findings {
			where := fd.CU
			if fd.File != "" && fd.Line > 0 {
				where = fmt.Sprintf("%s:%d", fd.File, fd.Line)
				if fd.CU != "" && fd.CU != fd.File {
					where += " in " + fd.CU
				}
			}
			if where != "" {
				where = " (" + where + ")"
			}
			inst := ""
			if fd.Instances > 1 {
				inst = fmt.Sprintf(" ×%d", fd.Instances)
			}
			fmt.Fprintf(w, "  %s %s%s%s\n    %s\n", strings.ToUpper(string(fd.Status)), fd.Func, where, inst, fd.Signature)
			if fd.Class != "" {
				note := ""
				if !fd.Reachable {
					note = " (not reachable in kernel builds)"
				}
				if !fd.Known {
					note += " [unknown class]"
				}
				fmt.Fprintf(w, "    class: %s%s\n", fd.Class, note)
			}
			for _, a := range fd.Args {
				fmt.Fprintf(w, "    arg %d %s %s:\n      abi: %s\n      jit: %s\n", a.Index, a.Type, a.Name, a.ABI, a.JIT)
				if a.ABIAligned != "" {
					fmt.Fprintf(w, "      abi if 16-byte aligned: %s\n      %s\n", a.ABIAligned, a.Reason)
				}
			}
		}
	}
}

// Count returns, over all targets, the number of functions with status s.
func (rep *Report) Count(s Status) int {
	n := 0
	for _, t := range rep.Targets {
		switch s {
		case Misread:
			n += t.Misread
		case Ambiguous:
			n += t.Ambiguous
		case Safe:
			n += t.Safe
		}
	}
	return n
}
