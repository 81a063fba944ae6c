package layout_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/trampfuzz/trampfuzz/layout"
)

// distill runs Distill on real (marshalled and reloaded) BTF.
func distill(t *testing.T, f *btf.Func, ver string) (*layout.FuncModel, *layout.Rejection) {
	t.Helper()
	m, rej, err := layout.Distill(realBTF(t, f), lookup(t, ver))
	if err != nil {
		t.Fatalf("Distill(%s, %s): %v", f.Name, ver, err)
	}
	return m, rej
}

// The kernel's messages, word for word from btf_distill_func_proto()
// (kernel/bpf/btf.c at 720e6a435194 .. 252d36716326), and -EINVAL.
func TestDistillRejections(t *testing.T) {
	var many []param
	for i := 0; i < 13; i++ {
		many = append(many, p(fmt.Sprintf("a%d", i), tLong))
	}
	big := &btf.Struct{Name: "big", Size: 24, Members: []btf.Member{
		{Name: "a", Type: tLong}, {Name: "b", Type: tLong, Offset: 64}, {Name: "c", Type: tLong, Offset: 128}}}
	empty := &btf.Struct{Name: "empty", Size: 0}
	tests := []struct {
		fn   *btf.Func
		vers []string
		want string
	}{
		{fn("f13", tLong, many...), []string{"v6.0", "v6.17", "place-args"},
			"The function f13 has 13 arguments. Too many."},
		{fn("retstruct", sArg2, p("a", tInt)), []string{"v6.0", "v6.1", "v6.17", "v7.3"},
			"The function retstruct return type STRUCT is unsupported."},
		{fn("retunion", uArg2, p("a", tInt)), []string{"v6.0", "v6.17", "v6.18", "v7.3"},
			"The function retunion return type UNION is unsupported."},
		{fn("retfloat", &btf.Float{Name: "double", Size: 8}), []string{"v6.0", "v7.3", "place-args"},
			"The function retfloat return type FLOAT is unsupported."},
		// The last param of type id 0 is C's "...".
		{fn("varargs", tInt, p("fmt", tVoidPtr), p("", (*btf.Void)(nil))), []string{"v6.0", "v6.17", "place-args"},
			"The function varargs with variable args is unsupported."},
		{fn("farg", tInt, p("a", tInt), p("d", &btf.Float{Name: "double", Size: 8})), []string{"v6.0", "v6.17", "place-args"},
			"The function farg arg1 type FLOAT is unsupported."},
		{fn("arrarg", tInt, p("a", &btf.Array{Index: tInt, Type: tInt, Nelems: 4})), []string{"v6.0", "v7.3"},
			"The function arrarg arg0 type ARRAY is unsupported."},
		{fn("fwdarg", tInt, p("a", &btf.Fwd{Name: "opaque", Kind: btf.FwdStruct})), []string{"v6.0", "v7.3"},
			"The function fwdarg arg0 type FWD is unsupported."},
		{fn("protoarg", tInt, p("cb", &btf.FuncProto{Return: tInt})), []string{"v6.0", "v7.3"},
			"The function protoarg arg0 type FUNC_PROTO is unsupported."},
		// "No support of struct argument size greater than 16 bytes"
		{fn("bigarg", tInt, p("s", big)), []string{"v6.1", "v6.17", "v7.3", "place-args"},
			"The function bigarg arg0 type STRUCT is unsupported."},
		{fn("bigarg", tInt, p("s", big)), []string{"v6.0"},
			"The function bigarg arg0 type STRUCT is unsupported."},
		// A typedef of a struct is stripped first: the kernel names STRUCT.
		{fn("tdbig", tInt, p("s", &btf.Typedef{Name: "big_t", Type: big})), []string{"v6.17"},
			"The function tdbig arg0 type STRUCT is unsupported."},
		{fn("emptyarg", tInt, p("s", empty)), []string{"v6.1", "v6.17", "place-args"},
			"The function emptyarg has malformed void argument."},
		// const void as a param: __get_type_size strips CONST to btf_void,
		// which has no size kind: "UNKNOWN".
		{fn("cvoid", tInt, p("a", &btf.Const{Type: (*btf.Void)(nil)}), p("b", tInt)), []string{"v6.17"},
			"The function cvoid arg0 type UNKNOWN is unsupported."},
	}
	for _, tc := range tests {
		for _, ver := range tc.vers {
			t.Run(tc.fn.Name+"/"+ver, func(t *testing.T) {
				m, rej := distill(t, tc.fn, ver)
				if rej == nil {
					t.Fatalf("accepted, want %q; model %+v", tc.want, m)
				}
				if rej.Stage != layout.StageDistill || rej.Errno != layout.EINVAL || rej.Message != tc.want {
					t.Errorf("-want distill %d %q\n+got  %s %d %q", layout.EINVAL, tc.want, rej.Stage, rej.Errno, rej.Message)
				}
			})
		}
	}
}

// __get_type_size strips TYPEDEF, VOLATILE, CONST, RESTRICT and TYPE_TAG;
// PTR is 8, INT and ENUM their size; the flags follow
// __get_type_fmodel_flags of each version.
func TestDistillModel(t *testing.T) {
	enum32 := &btf.Enum{Name: "e32", Size: 4, Signed: true, Values: []btf.EnumValue{{Name: "A", Value: 1}}}
	enum64 := &btf.Enum{Name: "e64", Size: 8, Values: []btf.EnumValue{{Name: "B", Value: 1 << 40}}}
	wrapped := &btf.Const{Type: &btf.Volatile{Type: &btf.Typedef{Name: "s64", Type: tLong}}}
	restrictPtr := &btf.Restrict{Type: &btf.Pointer{Target: tChar}}
	tagged := &btf.TypeTag{Value: "user", Type: &btf.Pointer{Target: tInt}}
	f := fn("mixed", tInt128,
		p("a", wrapped), p("b", restrictPtr), p("c", tagged), p("d", enum32), p("e", enum64),
		p("f", sArg2), p("g", tInt128), p("h", tUint))

	type want struct {
		sizes []int
		flags []layout.Flag
		ret   int
	}
	S, G, A := layout.FlagStructArg, layout.FlagSignedArg, layout.FlagAlign16Arg
	cases := map[string]want{
		// v6.1: STRUCT_ARG (720e6a435194), no SIGNED_ARG yet.
		"v6.1": {[]int{8, 8, 8, 4, 8, 16, 16, 4}, []layout.Flag{0, 0, 0, 0, 0, S, 0, 0}, 16},
		// v6.17: SIGNED_ARG on signed INTs only (not the signed enum);
		// an __int128 never gets STRUCT_ARG.
		"v6.17": {[]int{8, 8, 8, 4, 8, 16, 16, 4}, []layout.Flag{G, 0, 0, 0, 0, S, G, 0}, 16},
		// v7.3: 457d4ecb47aa removed STRUCT_ARG.
		"v7.3": {[]int{8, 8, 8, 4, 8, 16, 16, 4}, []layout.Flag{G, 0, 0, 0, 0, 0, G, 0}, 16},
		// place-args: ALIGN16 for the 16-byte-aligned __int128 only.
		"place-args": {[]int{8, 8, 8, 4, 8, 16, 16, 4}, []layout.Flag{G, 0, 0, 0, 0, 0, G | A, 0}, 16},
	}
	for ver, w := range cases {
		t.Run(ver, func(t *testing.T) {
			m, rej := distill(t, f, ver)
			if rej != nil {
				t.Fatalf("rejected: %v", rej)
			}
			if m.NrArgs != 8 || !reflect.DeepEqual(m.ArgSize, w.sizes) || !reflect.DeepEqual(m.ArgFlags, w.flags) || m.RetSize != w.ret {
				t.Errorf("-want nr_args 8 sizes %v flags %v ret %d\n+got  nr_args %d sizes %v flags %v ret %d",
					w.sizes, w.flags, w.ret, m.NrArgs, m.ArgSize, m.ArgFlags, m.RetSize)
			}
			wantNames := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
			if !reflect.DeepEqual(m.ArgNames, wantNames) {
				t.Errorf("names %v, want %v", m.ArgNames, wantNames)
			}
			wantKinds := []string{"INT", "PTR", "PTR", "ENUM", "ENUM64", "STRUCT", "INT", "INT"}
			if !reflect.DeepEqual(m.ArgKinds, wantKinds) {
				t.Errorf("kinds %v, want %v", m.ArgKinds, wantKinds)
			}
		})
	}

	// v6.0 (before 720e6a435194) had no arg_flags and one ctx slot per arg.
	m, rej := distill(t, fn("v60", tVoidPtr, p("a", tLong), p("b", tInt128)), "v6.0")
	if rej != nil {
		t.Fatalf("v6.0 rejected: %v", rej)
	}
	if m.CtxSlotBySize || !reflect.DeepEqual(m.ArgFlags, []layout.Flag{0, 0}) || m.RetSize != 8 {
		t.Errorf("v6.0 model %+v: want CtxSlotBySize false, no flags, ret_size 8", m)
	}
}

// A union gets STRUCT_ARG from v6.18 (ccb4f5d91ec4) until 457d4ecb47aa.
func TestDistillUnionFlag(t *testing.T) {
	for ver, want := range map[string]layout.Flag{"v6.18": layout.FlagStructArg, "v7.2": layout.FlagStructArg, "v7.3": 0} {
		m, rej := distill(t, fUnionArg2, ver)
		if rej != nil {
			t.Fatalf("%s: rejected: %v", ver, rej)
		}
		if m.ArgFlags[1] != want {
			t.Errorf("%s: union arg flags %v, want %v", ver, m.ArgFlags[1], want)
		}
	}
}

// Each flag of struct btf_func_model is pinned at the release that added
// it and, where it went away, the one that removed it: the last version
// without and the first with (kernel/bpf/btf.c __get_type_fmodel_flags at
// each commit). STRUCT_ARG: 720e6a435194 (v6.1; v6.0 refuses a struct
// argument); SIGNED_ARG: 49f67f393ff2 "bpf: btf: Add BTF_FMODEL_SIGNED_ARG
// flag", in the bpf-next pull of 2023-02-11, so v6.3; unions sized and
// flagged: ccb4f5d91ec4 (v6.18); STRUCT_ARG removed: 457d4ecb47aa (v7.3).
func TestDistillFlagFirstVersions(t *testing.T) {
	S, G := layout.FlagStructArg, layout.FlagSignedArg
	f := fn("flags", tInt, p("a", tInt), p("b", sArg2), p("c", tUint))
	cases := []struct {
		ver   string
		flags []layout.Flag // nil: refused by distill
	}{
		{"v6.0", nil},
		{"v6.1", []layout.Flag{0, S, 0}},
		{"v6.2", []layout.Flag{0, S, 0}},
		{"v6.3", []layout.Flag{G, S, 0}},
		{"v7.2", []layout.Flag{G, S, 0}},
		{"v7.3", []layout.Flag{G, 0, 0}},
	}
	for _, tc := range cases {
		m, rej := distill(t, f, tc.ver)
		switch {
		case tc.flags == nil && rej == nil:
			t.Errorf("%s: accepted a struct argument (flags %v); want the kernel's refusal", tc.ver, m.ArgFlags)
		case tc.flags != nil && rej != nil:
			t.Errorf("%s: rejected: %v", tc.ver, rej)
		case tc.flags != nil && !reflect.DeepEqual(m.ArgFlags, tc.flags):
			t.Errorf("%s: flags %v, want %v", tc.ver, m.ArgFlags, tc.flags)
		}
	}
	for ver, accepted := range map[string]bool{"v6.17": false, "v6.18": true} {
		if _, rej := distill(t, fUnionArg2, ver); (rej == nil) != accepted {
			t.Errorf("%s: union argument accepted %v, want %v (ccb4f5d91ec4)", ver, rej == nil, accepted)
		}
	}
}

// The proposal's return check is "ret < 0 || ret > 16"
// (yonghong-song/bpf@995dd580b74c btf.c): a 16-byte struct return passes.
func TestDistillProposalStructReturn(t *testing.T) {
	m, rej := distill(t, fn("retstruct", sArg2, p("a", tInt)), "place-args")
	if rej != nil || m.RetSize != 16 {
		t.Fatalf("place-args: got %+v, %v; want ret_size 16", m, rej)
	}
}

// Input the kernel's BTF verifier would not load is an error wrapping
// ErrMalformedBTF, never a panic.
func TestDistillMalformed(t *testing.T) {
	k := lookup(t, "v7.3")
	loop := &btf.Typedef{Name: "loop"}
	loop.Type = loop
	nested := &btf.Struct{Name: "self", Size: 8}
	nested.Members = []btf.Member{{Name: "s", Type: nested}}
	tests := []struct {
		name string
		fn   *btf.Func
		k    layout.Kernel
	}{
		{"nil func", nil, k},
		{"func of int", &btf.Func{Name: "f", Type: tInt}, k},
		{"func of nil", &btf.Func{Name: "f"}, k},
		{"nil proto", &btf.Func{Name: "f", Type: (*btf.FuncProto)(nil)}, k},
		{"nil param type", fn("f", tInt, p("a", nil)), k},
		{"nil return", &btf.Func{Name: "f", Type: &btf.FuncProto{Params: []btf.FuncParam{{Name: "a", Type: tInt}}}}, k},
		{"void not last", fn("f", tInt, p("a", (*btf.Void)(nil)), p("b", tInt)), k},
		{"typedef cycle", fn("f", tInt, p("a", loop)), k},
		{"typedef of nil", fn("f", tInt, p("a", &btf.Typedef{Name: "t"})), k},
		{"struct cycle (align)", fn("f", tInt, p("a", nested)), lookup(t, "place-args")},
		// v6.0 has no "> 16" check, but no BTF integer is wider than 128 bits.
		{"int of 32 bytes", fn("f", tInt, p("a", &btf.Int{Name: "wide", Size: 32})), lookup(t, "v6.0")},
		{"enum of 16 bytes", fn("f", tInt, p("a", &btf.Enum{Name: "wide", Size: 16})), lookup(t, "v6.0")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, rej, err := layout.Distill(tc.fn, tc.k)
			if !errors.Is(err, layout.ErrMalformedBTF) {
				t.Fatalf("got model %+v, rejection %v, err %v; want ErrMalformedBTF", m, rej, err)
			}
		})
	}
	if _, _, err := layout.Distill(fStructArg1, layout.Kernel{}); err == nil {
		t.Error("Distill with a zero Kernel: want an error")
	}
}

func TestARM64BadInput(t *testing.T) {
	k := lookup(t, "v6.17")
	good := &layout.FuncModel{Name: "f", NrArgs: 1, ArgSize: []int{8}, ArgFlags: []layout.Flag{0},
		ArgNames: []string{"a"}, ArgTypes: []string{"long"}, ArgKinds: []string{"INT"}, CtxSlotBySize: true}
	if _, rej, err := layout.JIT(good, k, layout.Options{}); err != nil || rej != nil {
		t.Fatalf("good model: %v %v", rej, err)
	}
	bad := []*layout.FuncModel{
		nil,
		{Name: "f", NrArgs: 2, ArgSize: []int{8}},
		{Name: "f", NrArgs: 13},
		{Name: "f", NrArgs: 1, ArgSize: []int{17}, ArgFlags: []layout.Flag{0}, ArgNames: []string{"a"}, ArgTypes: []string{"x"}},
		{Name: "f", NrArgs: 1, ArgSize: []int{0}, ArgFlags: []layout.Flag{0}, ArgNames: []string{"a"}, ArgTypes: []string{"x"}},
		{Name: "f", NrArgs: -1},
	}
	for i, m := range bad {
		if _, _, err := layout.JIT(m, k, layout.Options{}); err == nil {
			t.Errorf("bad model %d: want an error", i)
		}
	}
	if _, _, err := layout.JIT(good, layout.Kernel{}, layout.Options{}); err == nil {
		t.Error("zero Kernel: want an error")
	}
}

// A JIT rejection is -ENOTSUPP (524 in the kernel, -524 to userspace) and
// names the commit whose check fired.
func TestJITRejectionText(t *testing.T) {
	for ver, commit := range map[string]string{"v6.0": "efc9909fdce0", "v6.1": "eb707dde264a", "v6.5": "90564f1e3dd6"} {
		k := lookup(t, ver)
		m, rej, err := layout.Distill(realBTF(t, fFentry11), k)
		if err != nil || rej != nil {
			t.Fatalf("%s: Distill: %v %v", ver, rej, err)
		}
		_, rej, err = layout.JIT(m, k, layout.Options{})
		if err != nil || rej == nil || rej.Errno != layout.ENOTSUPP || rej.Stage != layout.StageJIT || !strings.Contains(rej.Message, commit) {
			t.Errorf("%s: got %v, %v; want -524 from the JIT naming %s", ver, rej, err, commit)
		}
	}
	k := lookup(t, "v6.16")
	m, _ := distill(t, fStructArg9, "v6.16")
	_, rej, _ := layout.JIT(m, k, layout.Options{})
	if rej == nil || !strings.Contains(rej.Message, "9014cf56f13d") || !strings.Contains(rej.Message, "arg7") {
		t.Errorf("v6.16 struct_arg_9: got %v, want calc_arg_aux (9014cf56f13d) rejecting arg7", rej)
	}
	// The proposal caps the BPF ctx at 12 slots: seven 16-byte structs are 14.
	var seven []param
	for i := 0; i < 7; i++ {
		seven = append(seven, p(fmt.Sprintf("s%d", i), sArg2))
	}
	f := fn("seven_structs", tInt, seven...)
	if got := run(t, f, "place-args", layout.Options{}); !strings.HasPrefix(got, jitReject) {
		t.Errorf("place-args, 14 slots: got %s, want -ENOTSUPP", got)
	}
	// Mainline v6.17 takes it: 4 structs in x0..x7, 3 packed on the stack.
	if got := run(t, f, "v6.17", layout.Options{}); strings.HasPrefix(got, "reject") {
		t.Errorf("v6.17, 14 slots: got %s, want a placement", got)
	}
}

// Every argument carries the kernel code path that placed it.
func TestRules(t *testing.T) {
	k := lookup(t, "v6.17")
	m, _ := distill(t, fStructArg9, "v6.17")
	tr, rej, err := layout.JIT(m, k, layout.Options{})
	if err != nil || rej != nil {
		t.Fatal(rej, err)
	}
	if got := tr.Placement.Args[0].Rules; len(got) != 1 || got[0] != "arm64 calc_arg_aux (9014cf56f13d): args_in_regs" {
		t.Errorf("arg0 rules %q", got)
	}
	if got := tr.Placement.Args[7].Rules; len(got) != 1 || !strings.Contains(got[0], "FP+32") {
		t.Errorf("arg7 rules %q, want the FP+32 stack read", got)
	}
	if tr.Placement.Args[7].Type != "struct bpf_testmod_struct_arg_5" || tr.Placement.Args[1].Type != "void *" || tr.Placement.Args[0].Type != "u64" {
		t.Errorf("types %q %q %q", tr.Placement.Args[0].Type, tr.Placement.Args[1].Type, tr.Placement.Args[7].Type)
	}
	if len(tr.Slots) != tr.Ctx.Count || tr.Slots[7].String() != "sp+0" || tr.Slots[6].String() != "x6.0" {
		t.Errorf("slots %v", tr.Slots)
	}
}
