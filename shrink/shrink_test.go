package shrink

import (
	"errors"
	"testing"

	"github.com/trampfuzz/trampfuzz/ctype"
)

func parse(t *testing.T, src string) *ctype.Func {
	t.Helper()
	fn, err := ctype.Parse("test.c", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return fn
}

// int128AtOddIndex is a structural stand-in for "the even-pair mismatch":
// some __int128 argument follows an odd number of arguments.
func int128AtOddIndex(fn *ctype.Func) bool {
	for i, p := range fn.Params {
		if b, ok := p.Type.(*ctype.Basic); ok && b.Kind == ctype.Int128 && i%2 == 1 {
			return true
		}
	}
	return false
}

// alignedMemberRecord holds when some argument is a record with a member
// that carries aligned(16) or more.
func alignedMemberRecord(fn *ctype.Func) bool {
	for _, p := range fn.Params {
		if r, ok := ctype.Underlying(p.Type).(*ctype.Record); ok {
			for _, m := range r.Members {
				if m.Aligned >= 16 {
					return true
				}
			}
		}
	}
	return false
}

const big = `struct inner { int x; double y; };
struct s1 { char a; struct inner in; long b __attribute__((aligned(16))); short c[4]; } __attribute__((aligned(32)));
typedef unsigned long long ull __attribute__((aligned(16)));
enum color { RED, GREEN = 5, BLUE = -1 };
long g(long p0, struct s1 *p1, enum color p2, ull p3, __int128 p4, struct inner p5, unsigned __int128 p6, __int128 p7, long double p8, struct s1 p9, int p10, float p11);
`

func TestMinimizeGolden(t *testing.T) {
	tests := []struct {
		name string
		pred Predicate
		want string
	}{
		// Every other argument and every type disappear; the argument before
		// the __int128 becomes the simplest scalar (int → char chain).
		{"int128 at odd index", int128AtOddIndex, "void f(char a0, __int128 a1);\n"},
		// One argument remains: a record with one member, aligned(16)
		// (lowered from nothing: 16 is the threshold), member type simplest.
		{"aligned member", alignedMemberRecord, "struct s1 { char m0 __attribute__((aligned(16))); };\nvoid f(struct s1 a0);\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, st, err := Minimize(parse(t, big), tc.pred, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if text := ctype.Render(got); text != tc.want {
				t.Errorf("minimized:\n%s\nwant:\n%s", text, tc.want)
			}
			if !st.Complete {
				t.Error("not complete")
			}
		})
	}
}

func TestMinimizeIsOneMinimalAndDeterministic(t *testing.T) {
	in := parse(t, big)
	a, _, err := Minimize(in, alignedMemberRecord, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := Minimize(in, alignedMemberRecord, Options{})
	if ctype.Render(a) != ctype.Render(b) {
		t.Fatalf("not deterministic:\n%s\n%s", ctype.Render(a), ctype.Render(b))
	}
	if ctype.Render(in) != ctype.Render(parse(t, big)) {
		t.Fatal("Minimize modified its input")
	}
	for _, m := range moves(a) {
		cand := ctype.Copy(a)
		if !m.apply(cand) || ctype.Check(cand) != nil || !less(measure(cand), measure(a)) {
			continue
		}
		if alignedMemberRecord(cand) {
			t.Errorf("not 1-minimal: move %q still reproduces:\n%s", m.name, ctype.Render(cand))
		}
	}
}

func TestMinimizeNotReproducing(t *testing.T) {
	_, _, err := Minimize(parse(t, "void f(int a);"), int128AtOddIndex, Options{})
	if !errors.Is(err, ErrNotReproducing) {
		t.Fatalf("err = %v, want ErrNotReproducing", err)
	}
}

func TestMinimizeRespectsMaxTests(t *testing.T) {
	_, st, err := Minimize(parse(t, big), int128AtOddIndex, Options{MaxTests: 3})
	if err != nil {
		t.Fatal(err)
	}
	if st.Complete || st.Tests > 3 {
		t.Fatalf("stats %+v: want incomplete with at most 3 tests", st)
	}
}
