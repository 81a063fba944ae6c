package layout

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cilium/ebpf/btf"
)

// Kernel limits from include/linux/bpf.h (all modelled versions).
const (
	// MaxFuncArgs is MAX_BPF_FUNC_ARGS: "The longest tracepoint has 12 args".
	MaxFuncArgs = 12
	// maxArgSize is btf_distill_func_proto's "No support of struct argument
	// size greater than 16 bytes" (720e6a435194).
	maxArgSize = 16
	// maxModifierChain bounds the TYPEDEF/CONST/... chain we follow; the
	// kernel's BTF verifier rejects longer chains (MAX_RESOLVE_DEPTH 32).
	maxModifierChain = 32
)

// Errnos as the kernel returns them (negative).
const (
	// EINVAL is every btf_distill_func_proto failure.
	EINVAL = -22
	// ENOTSUPP is the kernel-internal 524 the arm64 JIT returns; userspace
	// sees -524 (v3 of 9014cf56f13d switched back to it from -EOPNOTSUPP).
	ENOTSUPP = -524
)

// Stage names where a function is rejected.
const (
	StageDistill = "distill"
	StageJIT     = "jit"
)

// Rejection is the kernel refusing a function: btf_distill_func_proto's log
// message (word for word, without the trailing newline) and -EINVAL, or the
// arm64 JIT's -ENOTSUPP. The JIT logs nothing; its Message says which check
// fired, naming the commit.
type Rejection struct {
	Stage   string `json:"stage"`
	Errno   int    `json:"errno"`
	Message string `json:"reason"`
	// Cause is the kernel check that refused, as a stable code; Message
	// says it in the kernel's words and varies with names and numbers.
	Cause Cause `json:"cause"`
}

// Cause is a stable code for a kernel check that refuses a function, so
// that other packages compare codes, not message text.
type Cause string

// The causes, by stage.
const (
	// btf_distill_func_proto (kernel/bpf/btf.c).
	CauseTooManyArgs Cause = "distill.too_many_args"
	CauseReturnType  Cause = "distill.return_type"
	CauseVariadic    Cause = "distill.variadic"
	CauseArgType     Cause = "distill.arg_type"
	CauseVoidArg     Cause = "distill.void_arg"
	// The trampoline JITs.
	CauseJITTooManyArgs  Cause = "jit.too_many_args"
	CauseJITStructArg    Cause = "jit.struct_arg"
	CauseJITTooManyRegs  Cause = "jit.too_many_regs"
	CauseJITStructStack  Cause = "jit.struct_on_stack"
	CauseJITTooManySlots Cause = "jit.too_many_slots"
)

func (r *Rejection) Error() string {
	return fmt.Sprintf("%s: %s (errno %d)", r.Stage, r.Message, r.Errno)
}

// Flag is one btf_func_model arg_flags bit. The Go values are trampfuzz's;
// the kernel's bit for each is in its comment (the proposal reuses BIT(0)).
type Flag uint8

const (
	// FlagStructArg is BTF_FMODEL_STRUCT_ARG, BIT(0): set for STRUCT args
	// from v6.1 (720e6a435194), for UNION args too from v6.18
	// (ccb4f5d91ec4), and removed by 457d4ecb47aa (modelled from v7.3).
	FlagStructArg Flag = 1 << iota
	// FlagSignedArg is BTF_FMODEL_SIGNED_ARG, BIT(1): a signed INT.
	FlagSignedArg
	// FlagAlign16Arg is the proposal's BTF_FMODEL_ALIGN16_ARG, BIT(0) there:
	// the argument's alignment, as computed from BTF, is above 8.
	FlagAlign16Arg
)

func (f Flag) String() string {
	var parts []string
	if f&FlagStructArg != 0 {
		parts = append(parts, "STRUCT_ARG")
	}
	if f&FlagSignedArg != 0 {
		parts = append(parts, "SIGNED_ARG")
	}
	if f&FlagAlign16Arg != 0 {
		parts = append(parts, "ALIGN16_ARG")
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, "|")
}

// FuncModel is struct btf_func_model (include/linux/bpf.h) plus what the
// BPF side needs from BTF: argument names, a C-like type spelling, and the
// ctx slot layout the verifier uses.
type FuncModel struct {
	Name     string
	NrArgs   int
	ArgSize  []int
	ArgFlags []Flag
	ArgNames []string
	// ArgTypes spells each argument's BTF type C-like ("long",
	// "struct bpf_testmod_struct_arg_2", "void *").
	ArgTypes []string
	// ArgKinds is the BTF kind of each argument after modifiers are
	// stripped ("INT", "STRUCT", "UNION", "PTR", "ENUM", "ENUM64").
	ArgKinds []string
	RetSize  int
	RetFlags Flag
	// CtxSlotBySize is how the verifier finds an argument in the BPF ctx:
	// by size, ceil(size/8) slots each (get_ctx_arg_idx, 720e6a435194,
	// v6.1+), or, when false, one slot per argument (off / 8, v6.0).
	CtxSlotBySize bool
}

// ErrMalformedBTF is wrapped by every Distill error: input that is not a
// BTF function the kernel could have loaded (its BTF verifier would reject
// it before btf_distill_func_proto runs).
var ErrMalformedBTF = errors.New("malformed BTF")

// distillRules are the btf.c differences between versions.
type distillRules struct {
	structArgs  bool // STRUCT sized by __get_type_size (720e6a435194, v6.1)
	unionArgs   bool // UNION too: btf_type_is_struct (ccb4f5d91ec4, v6.18)
	sizeCheck16 bool // "ret < 0 || ret > 16" (720e6a435194)
	structFlag  bool // BTF_FMODEL_STRUCT_ARG exists (v6.1 .. 457d4ecb47aa)
	signedFlag  bool // BTF_FMODEL_SIGNED_ARG exists
	align16Flag bool // proposal: BTF_FMODEL_ALIGN16_ARG
	structRet16 bool // proposal: struct/union returns up to 16 bytes
	ctxBySize   bool // get_ctx_arg_idx (720e6a435194)
}

func rulesFor(k Kernel) distillRules {
	v, ok := k.concrete()
	if !ok {
		// yonghong-song/bpf@995dd580b74c kernel/bpf/btf.c: __get_type_size
		// takes btf_type_is_struct; __get_type_fmodel_flags has only
		// SIGNED_ARG; __get_arg_fmodel_flags adds ALIGN16_ARG when
		// btf_func_arg_align() > 8; the return check is "ret < 0 || ret > 16".
		return distillRules{structArgs: true, unionArgs: true, sizeCheck16: true,
			signedFlag: true, align16Flag: true, structRet16: true, ctxBySize: true}
	}
	return distillRules{
		structArgs:  v.atLeast(v6_1),
		unionArgs:   v.atLeast(v6_18),
		sizeCheck16: v.atLeast(v6_1),
		structFlag:  v.atLeast(v6_1) && v.less(v7_3),
		signedFlag:  v.atLeast(v6_3),
		ctxBySize:   v.atLeast(v6_1),
	}
}

// Distill is btf_distill_func_proto() (kernel/bpf/btf.c) of kernel k for fn:
// the function model, or the kernel's rejection (its log message and
// -EINVAL). The error is for input that is not a loadable BTF function (nil,
// a Func whose Type is not a FuncProto, a nil Go type, a void parameter that
// is not the last one, a modifier cycle); it wraps ErrMalformedBTF.
//
// The steps and messages are those of btf.c at 720e6a435194 (v6.1) through
// 252d36716326 (Aug 2026), with the per-version differences of rulesFor:
//  1. more than MAX_BPF_FUNC_ARGS params: "The function %s has %d arguments. Too many."
//  2. return type: __get_type_size < 0, or a struct/union: "The function %s return type %s is unsupported."
//  3. per param: a last param of type id 0: "The function %s with variable args is unsupported.";
//     size < 0 or > 16: "The function %s arg%d type %s is unsupported.";
//     size 0: "The function %s has malformed void argument."
func Distill(fn *btf.Func, k Kernel) (*FuncModel, *Rejection, error) {
	if !k.modelled() {
		return nil, nil, fmt.Errorf("layout.Distill: kernel %q is not a modelled kernel (use Lookup or Kernels)", k.Name)
	}
	if fn == nil {
		return nil, nil, fmt.Errorf("%w: nil *btf.Func", ErrMalformedBTF)
	}
	proto, ok := fn.Type.(*btf.FuncProto)
	if !ok || proto == nil {
		return nil, nil, fmt.Errorf("%w: func %q: type is %s, not a FUNC_PROTO", ErrMalformedBTF, fn.Name, describe(fn.Type))
	}
	// The kernel's BTF verifier (btf_func_proto_check) refuses a void
	// parameter anywhere but last, and resolves every type id.
	for i, p := range proto.Params {
		if p.Type == nil {
			return nil, nil, fmt.Errorf("%w: func %q: param %d has no type", ErrMalformedBTF, fn.Name, i)
		}
		if isVoid(p.Type) && i != len(proto.Params)-1 {
			return nil, nil, fmt.Errorf("%w: func %q: param %d is void but not the last (btf_func_proto_check: Invalid arg#%d)", ErrMalformedBTF, fn.Name, i, i+1)
		}
	}
	if proto.Return == nil {
		return nil, nil, fmt.Errorf("%w: func %q: return has no type", ErrMalformedBTF, fn.Name)
	}

	r := rulesFor(k)
	name := fn.Name
	nargs := len(proto.Params)
	reject := func(cause Cause, format string, args ...any) (*FuncModel, *Rejection, error) {
		return nil, &Rejection{Stage: StageDistill, Errno: EINVAL, Message: fmt.Sprintf(format, args...), Cause: cause}, nil
	}

	if nargs > MaxFuncArgs {
		return reject(CauseTooManyArgs, "The function %s has %d arguments. Too many.", name, nargs)
	}

	size, t, err := typeSize(proto.Return, r)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: func %q: return: %v", ErrMalformedBTF, name, err)
	}
	retIsComposite := isStructKind(t)
	// v6.1+: "ret < 0 || btf_type_is_struct(t)" (__btf_type_is_struct before
	// ccb4f5d91ec4; a union return fails __get_type_size there anyway, with
	// the same message). v6.0: "ret < 0" (no struct has a size). Proposal:
	// "ret < 0 || ret > 16".
	if size < 0 || (retIsComposite && !r.structRet16) || (r.structRet16 && size > maxArgSize) {
		return reject(CauseReturnType, "The function %s return type %s is unsupported.", name, kindString(t))
	}
	m := &FuncModel{
		Name:          name,
		NrArgs:        nargs,
		RetSize:       size,
		RetFlags:      typeFlags(t, r),
		CtxSlotBySize: r.ctxBySize,
	}

	for i, p := range proto.Params {
		if i == nargs-1 && isVoid(p.Type) {
			return reject(CauseVariadic, "The function %s with variable args is unsupported.", name)
		}
		size, t, err := typeSize(p.Type, r)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: func %q: param %d: %v", ErrMalformedBTF, name, i, err)
		}
		// 720e6a435194: "No support of struct argument size greater than 16 bytes"
		if size < 0 || (r.sizeCheck16 && size > maxArgSize) {
			return reject(CauseArgType, "The function %s arg%d type %s is unsupported.", name, i, kindString(t))
		}
		if size == 0 {
			return reject(CauseVoidArg, "The function %s has malformed void argument.", name)
		}
		flags := typeFlags(t, r)
		if r.align16Flag {
			align, err := naturalAlign(t, 0)
			if err != nil {
				return nil, nil, fmt.Errorf("%w: func %q: param %d: %v", ErrMalformedBTF, name, i, err)
			}
			if align > 8 {
				flags |= FlagAlign16Arg
			}
		}
		m.ArgSize = append(m.ArgSize, size)
		m.ArgFlags = append(m.ArgFlags, flags)
		m.ArgNames = append(m.ArgNames, p.Name)
		m.ArgTypes = append(m.ArgTypes, cSpelling(p.Type, 0))
		m.ArgKinds = append(m.ArgKinds, kindString(t))
	}
	return m, nil, nil
}

// typeSize is __get_type_size(): type id 0 is void (0); TYPEDEF, VOLATILE,
// CONST, RESTRICT and TYPE_TAG are stripped; PTR is sizeof(void *); INT and
// any ENUM give t->size, and so do STRUCT (from 720e6a435194) and UNION (from
// ccb4f5d91ec4); anything else is -EINVAL. It returns the stripped type,
// which the kernel names in its message.
func typeSize(typ btf.Type, r distillRules) (int, btf.Type, error) {
	if isVoid(typ) {
		return 0, typ, nil
	}
	t, err := stripModifiers(typ)
	if err != nil {
		return 0, nil, err
	}
	switch t := t.(type) {
	case *btf.Void:
		// A modifier of void: btf_type_by_id(btf, 0) is btf_void, which
		// is none of the sized kinds.
		return -1, t, nil
	case *btf.Pointer:
		return 8, t, nil
	case *btf.Int:
		// The BTF verifier caps an INT at 128 bits (btf_int_check_meta);
		// anything wider is corrupt BTF, not a kernel type.
		if t.Size == 0 || t.Size > 16 {
			return 0, nil, fmt.Errorf("INT %q of %d bytes (BTF integers are 1..16 bytes)", t.Name, t.Size)
		}
		return int(t.Size), t, nil
	case *btf.Enum:
		// btf_enum_check_meta: size 1, 2, 4 or 8.
		if t.Size == 0 || t.Size > 8 {
			return 0, nil, fmt.Errorf("ENUM %q of %d bytes (BTF enums are 1..8 bytes)", t.Name, t.Size)
		}
		return int(t.Size), t, nil
	case *btf.Struct:
		if r.structArgs {
			return int(t.Size), t, nil
		}
	case *btf.Union:
		if r.unionArgs {
			return int(t.Size), t, nil
		}
	}
	return -1, t, nil
}

// typeFlags is __get_type_fmodel_flags(): STRUCT_ARG for a struct (and a
// union from ccb4f5d91ec4) while the flag exists, SIGNED_ARG for a signed
// INT. A signed enum or an __int128 never gets STRUCT_ARG.
func typeFlags(t btf.Type, r distillRules) Flag {
	var f Flag
	switch t := t.(type) {
	case *btf.Struct:
		if r.structFlag {
			f |= FlagStructArg
		}
	case *btf.Union:
		if r.structFlag && r.unionArgs {
			f |= FlagStructArg
		}
	case *btf.Int:
		if r.signedFlag && t.Encoding == btf.Signed {
			f |= FlagSignedArg
		}
	}
	return f
}

// stripModifiers follows TYPEDEF, VOLATILE, CONST, RESTRICT and TYPE_TAG as
// btf_type_is_modifier() lists them.
func stripModifiers(typ btf.Type) (btf.Type, error) {
	for i := 0; ; i++ {
		if i > maxModifierChain {
			return nil, fmt.Errorf("modifier chain longer than %d (cycle?)", maxModifierChain)
		}
		var next btf.Type
		switch t := typ.(type) {
		case nil:
			return nil, errors.New("nil type")
		case *btf.Typedef:
			next = t.Type
		case *btf.Const:
			next = t.Type
		case *btf.Volatile:
			next = t.Type
		case *btf.Restrict:
			next = t.Type
		case *btf.TypeTag:
			next = t.Type
		default:
			return typ, nil
		}
		if next == nil {
			return nil, fmt.Errorf("%s with no target type", describe(typ))
		}
		typ = next
	}
}

// naturalAlign is the argument alignment as far as BTF shows it: an INT,
// ENUM or FLOAT is aligned to its size, a pointer to 8, an array to its
// element, a struct or union to its most aligned member. This is what the
// proposal's btf_func_arg_align() is modelled as [inferred: its body was not
// in the stored copy of the fork]; BTF records neither packed nor
// aligned(N), so neither can change it.
func naturalAlign(typ btf.Type, depth int) (int, error) {
	if depth > maxModifierChain {
		return 0, fmt.Errorf("type nesting deeper than %d (cycle?)", maxModifierChain)
	}
	t, err := stripModifiers(typ)
	if err != nil {
		return 0, err
	}
	switch t := t.(type) {
	case *btf.Int:
		return max(1, int(t.Size)), nil
	case *btf.Enum:
		return max(1, int(t.Size)), nil
	case *btf.Float:
		return max(1, int(t.Size)), nil
	case *btf.Pointer:
		return 8, nil
	case *btf.Array:
		return naturalAlign(t.Type, depth+1)
	case *btf.Struct:
		return membersAlign(t.Members, depth)
	case *btf.Union:
		return membersAlign(t.Members, depth)
	}
	return 1, nil
}

func membersAlign(members []btf.Member, depth int) (int, error) {
	align := 1
	for _, m := range members {
		a, err := naturalAlign(m.Type, depth+1)
		if err != nil {
			return 0, err
		}
		align = max(align, a)
	}
	return align, nil
}

// isVoid reports whether typ is BTF type id 0. cilium/ebpf loads it as
// (*btf.Void)(nil).
func isVoid(typ btf.Type) bool {
	_, ok := typ.(*btf.Void)
	return ok
}

func isStructKind(t btf.Type) bool {
	switch t.(type) {
	case *btf.Struct, *btf.Union:
		return true
	}
	return false
}

// kindString is btf_type_str(): the kernel's btf_kind_str[] name of t's kind.
// Void (btf_void, kind 0) is "UNKNOWN".
func kindString(t btf.Type) string {
	switch t := t.(type) {
	case *btf.Int:
		return "INT"
	case *btf.Pointer:
		return "PTR"
	case *btf.Array:
		return "ARRAY"
	case *btf.Struct:
		return "STRUCT"
	case *btf.Union:
		return "UNION"
	case *btf.Enum:
		// cilium/ebpf marshals an 8-byte Enum as BTF_KIND_ENUM64.
		if t.Size == 8 {
			return "ENUM64"
		}
		return "ENUM"
	case *btf.Fwd:
		return "FWD"
	case *btf.Typedef:
		return "TYPEDEF"
	case *btf.Volatile:
		return "VOLATILE"
	case *btf.Const:
		return "CONST"
	case *btf.Restrict:
		return "RESTRICT"
	case *btf.Func:
		return "FUNC"
	case *btf.FuncProto:
		return "FUNC_PROTO"
	case *btf.Var:
		return "VAR"
	case *btf.Datasec:
		return "DATASEC"
	case *btf.Float:
		return "FLOAT"
	case *btf.TypeTag:
		return "TYPE_TAG"
	}
	return "UNKNOWN"
}

// describe names a type for an error message without formatting it deeply.
func describe(t btf.Type) string {
	if t == nil {
		return "nil"
	}
	return fmt.Sprintf("%T", t)
}

// cSpelling renders a BTF type C-like for loc.Arg.Type: the BTF names
// ("long", "u64"), "struct x", "union x", "enum x", "T *", "const T".
func cSpelling(typ btf.Type, depth int) string {
	if depth > maxModifierChain {
		return "..."
	}
	switch t := typ.(type) {
	case nil:
		return "?"
	case *btf.Void:
		return "void"
	case *btf.Int:
		return nameOr(t.Name, fmt.Sprintf("int%d", 8*t.Size))
	case *btf.Pointer:
		return cSpelling(t.Target, depth+1) + " *"
	case *btf.Struct:
		return "struct " + nameOr(t.Name, "(anon)")
	case *btf.Union:
		return "union " + nameOr(t.Name, "(anon)")
	case *btf.Enum:
		return "enum " + nameOr(t.Name, "(anon)")
	case *btf.Fwd:
		return t.Kind.String() + " " + t.Name
	case *btf.Typedef:
		return t.Name
	case *btf.Const:
		return "const " + cSpelling(t.Type, depth+1)
	case *btf.Volatile:
		return "volatile " + cSpelling(t.Type, depth+1)
	case *btf.Restrict:
		return cSpelling(t.Type, depth+1) + " restrict"
	case *btf.TypeTag:
		return cSpelling(t.Type, depth+1)
	case *btf.Float:
		return nameOr(t.Name, "float")
	case *btf.Array:
		return fmt.Sprintf("%s[%d]", cSpelling(t.Type, depth+1), t.Nelems)
	}
	return strings.ToLower(kindString(typ))
}

func nameOr(name, alt string) string {
	if name == "" {
		return alt
	}
	return name
}
