package truth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/toolchain"
	"github.com/trampfuzz/trampfuzz/truth"
)

func requireX86(t testing.TB) {
	t.Helper()
	toolchain.Require(t, toolchain.HostGCC, toolchain.Clang)
}

// x86Cases are written from the x86-64 psABI 1.0 §3.2.3 text and its
// Figures 3.5/3.6 example, and from the LLVM issues that describe clang's
// __int128 passing (llvm-project#41784, #59011), not from this package's
// output. want is per compiler where they differ; wrong is a placement the
// rules exclude, which the observation must reject. Bytes 10–15 of a long
// double are padding that a compiler need not pass (x87 copies carry 10
// bytes), so the cases list long doubles by their first 10 bytes only.
var x86Cases = []struct {
	name string
	src  string
	// want[c] lists each argument's bytes as folded runs; a missing
	// compiler uses want[""].
	want  map[truth.Compiler][]string
	wrong []string
}{
	{
		name: "psABI Figure 3.5 example without __m256",
		src: "struct structparm { int a, b; double d; };\n" +
			"void f(int e, int f, struct structparm s, int g, int h, long double ld, double m, double n, int i, int j, int k);",
		want: map[truth.Compiler][]string{"": {"rdi.0-3", "rsi.0-3", "rdx.0-7 xmm0.0-7", "rcx.0-3", "r8.0-3", "sp+0-9",
			"xmm1.0-7", "xmm2.0-7", "r9.0-3", "sp+16-19", "sp+24-27"}},
		wrong: []string{"rdi.0-3", "rsi.0-3", "rdx.0-7 rcx.0-7", "r8.0-3", "r9.0-3", "sp+0-9",
			"xmm0.0-7", "xmm1.0-7", "sp+16-19", "sp+24-27", "sp+32-35"},
	},
	{
		name: "MEMORY return takes rdi",
		src: "struct big { long a, b, c; };\n" +
			"struct big f(long a0, int a1);",
		want:  map[truth.Compiler][]string{"": {"rsi.0-7", "rdx.0-3"}},
		wrong: []string{"rdi.0-7", "rsi.0-3"},
	},
	{
		name: "records over 16 bytes go by value on the stack, later INTEGER arguments take registers",
		src: "struct big { long a, b, c; };\n" +
			"void f(struct big a0, long a1, long a2, long a3, long a4, long a5, long a6, int a7, struct big a8);",
		want: map[truth.Compiler][]string{"": {"sp+0-23", "rdi.0-7", "rsi.0-7", "rdx.0-7", "rcx.0-7", "r8.0-7",
			"r9.0-7", "sp+24-27", "sp+32-55"}},
		wrong: []string{"rdi.0-7 rsi.0-7 rdx.0-7", "rcx.0-7", "r8.0-7", "r9.0-7", "sp+0-7", "sp+8-15", "sp+16-23",
			"sp+24-27", "sp+32-55"},
	},
	{
		name: "__int128 with only r9 free",
		src:  "long f(long a0, long a1, long a2, long a3, long a4, unsigned __int128 t, long a6);",
		// #59011: gcc 12 reads t from [rsp+8] and [rsp+16] (sp+0, sp+8), clang the low half from r9.
		want: map[truth.Compiler][]string{
			truth.GCC:   {"rdi.0-7", "rsi.0-7", "rdx.0-7", "rcx.0-7", "r8.0-7", "sp+0-15", "r9.0-7"},
			truth.Clang: {"rdi.0-7", "rsi.0-7", "rdx.0-7", "rcx.0-7", "r8.0-7", "r9.0-7 sp+0-7", "sp+8-15"},
		},
		wrong: []string{"rdi.0-7", "rsi.0-7", "rdx.0-7", "rcx.0-7", "r8.0-7", "sp+8-23", "sp+0-7"},
	},
}

func TestX86Cases(t *testing.T) {
	requireX86(t)
	var fns []*ctype.Func
	for _, c := range x86Cases {
		fns = append(fns, parse(t, c.src))
	}
	results, err := truth.Options{Arch: truth.ArchX86_64}.Observe(context.Background(), fns, truth.Both)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range x86Cases {
		t.Run(c.name, func(t *testing.T) {
			r := results[i]
			for _, cc := range truth.Both {
				if err := r.Errors[cc]; err != nil {
					t.Fatalf("%s: %v", cc, err)
				}
				o := r.Observations[cc]
				if o == nil || o.Compiler != cc || len(o.Args) != len(fns[i].Params) {
					t.Fatalf("%s: observation %v", cc, o)
				}
				want := c.want[cc]
				if want == nil {
					want = c.want[""]
				}
				if ms := valueMismatches(o.Admits(partial(t, fns[i], want))); ms != "" {
					t.Errorf("%s does not admit the psABI placement:\n%s\nobserved:\n%s", cc, ms, o)
				}
				if ms := o.Admits(partial(t, fns[i], c.wrong)); len(valueMismatches(ms)) == 0 {
					t.Errorf("%s admits a placement the rules exclude: %v\nobserved:\n%s", cc, c.wrong, o)
				}
			}
		})
	}
}

// partial is placement for runs that may cover fewer bytes than the
// argument has (a long double's first 10); the rest stay the zero Loc.
func partial(t testing.TB, fn *ctype.Func, args []string) loc.Placement {
	t.Helper()
	p := loc.Placement{Func: fn.Name}
	for i, a := range args {
		size := int(ctype.Sizeof(fn.Params[i].Type))
		bytes := make([]loc.Loc, size)
		copy(bytes, locs(t, a))
		p.Args = append(p.Args, loc.Arg{Index: i, Type: ctype.TypeString(fn.Params[i].Type), Size: size, Bytes: bytes})
	}
	return p
}

// valueMismatches drops the bytes partial left unplaced.
func valueMismatches(ms []truth.Mismatch) string {
	var keep []truth.Mismatch
	for _, m := range ms {
		if !m.Placed.IsZero() {
			keep = append(keep, m)
		}
	}
	return mismatches(keep)
}

// A long double reaches the callee exactly in its 10 value bytes, whatever
// the pattern (the harness keeps it a normal x87 number), with gcc and
// clang, on the stack and inside a record.
func TestX86LongDouble(t *testing.T) {
	requireX86(t)
	fn := parse(t, "struct ld { long double x; };\nvoid f(long double a0, int a1, struct ld a2, long double a3);")
	results, err := truth.Options{Arch: truth.ArchX86_64, Seed: 9}.Observe(context.Background(), []*ctype.Func{fn}, truth.Both)
	if err != nil {
		t.Fatal(err)
	}
	// psABI: long double is X87/X87UP, passed in memory, 16-aligned.
	want := partial(t, fn, []string{"sp+0-9", "rdi.0-3", "sp+16-25", "sp+32-41"})
	for _, cc := range truth.Both {
		o := results[0].Observations[cc]
		if o == nil {
			t.Fatalf("%s: %v", cc, results[0].Errors[cc])
		}
		if ms := valueMismatches(o.Admits(want)); ms != "" {
			t.Errorf("%s:\n%s\nobserved:\n%s", cc, ms, o)
		}
	}
}

func TestUnknownArch(t *testing.T) {
	_, err := truth.Options{Arch: "riscv64"}.Observe(context.Background(), nil, truth.Both)
	if !errors.Is(err, truth.ErrUnknownArch) || !strings.Contains(err.Error(), "known: arm64, x86_64") {
		t.Errorf("error %v, want ErrUnknownArch naming the known architectures", err)
	}
}
