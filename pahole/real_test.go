package pahole

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
	"github.com/trampfuzz/trampfuzz/ctype"
	"github.com/trampfuzz/trampfuzz/loc"
	"github.com/trampfuzz/trampfuzz/toolchain"
)

// realCases are compiled by aarch64-linux-gnu-gcc and encoded by Debian's
// pahole 1.24; the model must give the same BTF, type by type.
var realCases = []string{
	// scalars
	"long f(_Bool a, char b, signed char c, unsigned char d, short e, unsigned short g, int h, unsigned int i);",
	"unsigned long long f(long a, unsigned long b, long long c, unsigned long long d);",
	"__int128 f(long a, __int128 b, unsigned __int128 c);",
	"double f(float a, double b, long double c);",
	// pointers
	"struct inc;\nstruct node { struct node *next; struct inc *i; void *v; };\nvoid *f(struct node *a, void *b, char *c, struct node n);",
	// structs, packed, aligned
	"struct s1 { char a; long b; } __attribute__((packed));\nstruct s2 { long a __attribute__((aligned(16))); };\nvoid f(int a0, struct s1 a1, struct s2 a2, __int128 a3);",
	"struct al { long a; } __attribute__((aligned(16)));\nstruct q { u32 a; u32 b; } __attribute__((packed));\nvoid f(struct al a, struct q b);",
	// bit-fields
	"struct bf { int a : 3; int : 5; unsigned int b : 7; int : 0; char c; long d : 40; _Bool e : 1; };\nint f(struct bf x);",
	"struct pb { char c; int a : 12; unsigned int b : 20; } __attribute__((packed));\nint f(struct pb x, struct pb *y);",
	// unions and anonymous records
	"union u { int a; char b[5]; struct { short x; short y; } s; };\nstruct arrs { char a[3]; int m[2][3]; union { long l; double d; }; };\nvoid f(union u a, struct arrs b);",
	// enums, negative and 64-bit, packed
	"enum e1 { A = -1, B = 2 };\nenum e2 { C = 1, D = 0x100000000 };\nenum e3 { E = -5, F = 0x100000000 };\nenum e4 { G = 1, H = 200 } __attribute__((packed));\nenum e1 f(enum e1 a, enum e2 b, enum e3 c, enum e4 d);",
	// typedefs, chains and kernel names
	"typedef long t1;\ntypedef t1 t2;\nstruct s { u8 a; s16 b; __u64 c; };\ntypedef struct s s_t;\nt2 f(t1 a, t2 b, s_t c, u32 d, bool e);",
	// arrays inside records
	"struct a { int x[4]; char y[2][3][4]; long *z[2]; };\nvoid f(struct a x);",
	// many arguments, a packed struct on the stack: 1.24 encodes it
	"struct p { char c; long b; } __attribute__((packed));\nvoid f(long a0, long a1, long a2, long a3, long a4, long a5, long a6, long a7, struct p a8, __int128 a9, long a10, long a11);",
}

// definition turns a signature into a C file: its declarations, then a
// noinline, external definition whose body reads every parameter through
// an asm memory operand, so GCC keeps them and the symbol.
func definition(fn *ctype.Func) string {
	text := ctype.Render(fn)
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	var b strings.Builder
	b.WriteString(strings.Join(lines[:len(lines)-1], "\n"))
	b.WriteString("\n__attribute__((noinline)) ")
	var params []string
	for _, p := range fn.Params {
		params = append(params, ctype.Declarator(p.Type, p.Name))
	}
	if len(params) == 0 {
		params = []string{"void"}
	}
	b.WriteString(ctype.Declarator(fn.Return, fn.Name+"("+strings.Join(params, ", ")+")"))
	b.WriteString("\n{\n")
	for _, p := range fn.Params {
		fmt.Fprintf(&b, "\t__asm__ volatile(\"\" :: \"m\"(%s));\n", p.Name)
	}
	if r, ok := fn.Return.(*ctype.Basic); !ok || r.Kind != ctype.Void {
		fmt.Fprintf(&b, "\t%s;\n\t__builtin_memset(&r, 0, sizeof r);\n\treturn r;\n", ctype.Declarator(fn.Return, "r"))
	}
	b.WriteString("}\n")
	return b.String()
}

// TestRealPahole124 compiles each case with aarch64-linux-gnu-gcc -g -O2,
// runs Debian's pahole 1.24 with the kernel's flags on the object
// (KernelFlags; pahole -J writes a .BTF section into the ELF file, with
// llvm-objcopy when there is none), loads that section with
// btf.LoadSpec and compares the function with Encode(..., "1.24", ...).
func TestRealPahole124(t *testing.T) {
	paths := toolchain.Require(t, toolchain.GCC, toolchain.Pahole)
	gcc, pahole := paths[0], paths[1]
	if out, err := exec.Command(pahole, "--version").Output(); err != nil || strings.TrimSpace(string(out)) != "v1.24" {
		t.Fatalf("pahole --version: %q %v; this test checks the 1.24 model against pahole 1.24", out, err)
	}
	dir := t.TempDir()
	for i, src := range realCases {
		fn := mustParse(t, src)
		cfile := filepath.Join(dir, fmt.Sprintf("case%d.c", i))
		obj := strings.TrimSuffix(cfile, ".c") + ".o"
		if err := os.WriteFile(cfile, []byte(definition(fn)), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(gcc, "-g", "-O2", "-c", cfile, "-o", obj).CombinedOutput(); err != nil {
			t.Fatalf("case %d: gcc: %v\n%s\n%s", i, err, out, definition(fn))
		}
		args := append([]string{"-J"}, KernelFlags(V1_24)...)
		cmd := exec.Command(pahole, append(args, obj)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("case %d: pahole: %v\n%s", i, err, stderr.String())
		}
		spec, err := btf.LoadSpec(obj)
		if err != nil {
			t.Fatalf("case %d: loading .BTF: %v", i, err)
		}
		var real *btf.Func
		if err := spec.TypeByName(fn.Name, &real); err != nil {
			t.Errorf("case %d: pahole 1.24 emitted no FUNC %s: %v\n%s", i, fn.Name, err, src)
			continue
		}
		model, skip, err := Encode(fn, V1_24, loc.Placement{})
		if err != nil || skip != nil {
			t.Errorf("case %d: model: %v %v", i, err, skip)
			continue
		}
		if err := sameBTF(real, model); err != nil {
			t.Errorf("case %d: real pahole 1.24 vs model: %v\n%s", i, err, src)
		}
	}
}

func TestDefinitionCompiles(t *testing.T) {
	// definition is the test's own C generator; a broken one would make
	// the real-pahole test vacuous, so check its shape here.
	got := definition(mustParse(t, "struct s { int a; };\nlong f(struct s a, int b);"))
	want := "struct s { int a; };\n__attribute__((noinline)) long f(struct s a, int b)\n{\n\t__asm__ volatile(\"\" :: \"m\"(a));\n\t__asm__ volatile(\"\" :: \"m\"(b));\n\tlong r;\n\t__builtin_memset(&r, 0, sizeof r);\n\treturn r;\n}\n"
	if got != want {
		t.Errorf("definition:\n%s\nwant:\n%s", got, want)
	}
}

// pahole 1.24 leaves out a function with an unnamed parameter
// (btf_encoder.c: "if (!has_arg_names(cu, &fn->proto)) continue"), as the
// model says for every version. C23 allows the unnamed parameter in a
// definition (GCC: -std=c2x).
func TestRealPahole124SkipsUnnamed(t *testing.T) {
	paths := toolchain.Require(t, toolchain.GCC, toolchain.Pahole)
	gcc, pahole := paths[0], paths[1]
	dir := t.TempDir()
	cfile, obj := filepath.Join(dir, "u.c"), filepath.Join(dir, "u.o")
	src := "__attribute__((noinline)) long f(int, long b) { return b; }\n__attribute__((noinline)) long g(int a, long b) { return a + b; }\n"
	if err := os.WriteFile(cfile, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gcc, "-std=c2x", "-g", "-O2", "-c", cfile, "-o", obj).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	if out, err := exec.Command(pahole, append(append([]string{"-J"}, KernelFlags(V1_24)...), obj)...).CombinedOutput(); err != nil {
		t.Fatalf("pahole: %v\n%s", err, out)
	}
	spec, err := btf.LoadSpec(obj)
	if err != nil {
		t.Fatal(err)
	}
	var fn *btf.Func
	if err := spec.TypeByName("g", &fn); err != nil {
		t.Fatalf("g (all parameters named) is missing: %v", err)
	}
	if err := spec.TypeByName("f", &fn); err == nil {
		t.Fatal("pahole 1.24 encoded f, which has an unnamed parameter")
	}
	_, skip, err := Encode(mustParse(t, "long f(int, long b);"), V1_24, loc.Placement{})
	if err != nil || skip == nil || skip.Reason != ReasonUnnamed {
		t.Fatalf("model: %+v %v, want the unnamed-parameter skip", skip, err)
	}
}
