package ctype

import (
	"strings"
	"testing"
)

func TestCopyIsDeepAndKeepsSharing(t *testing.T) {
	src := "struct node { struct node *next; int v; };\nstruct pair { struct node a; struct node b; };\nvoid f(struct pair a0, struct node *a1);\n"
	fn, err := Parse("c.c", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cp := Copy(fn)
	if Render(cp) != Render(fn) {
		t.Fatalf("copy renders differently:\n%s", Render(cp))
	}
	pair := cp.Params[0].Type.(*Record)
	node := pair.Members[0].Type.(*Record)
	if pair.Members[1].Type != node {
		t.Error("a record used twice was copied twice")
	}
	if node.Members[0].Type.(*Pointer).Elem != node {
		t.Error("the self-pointer does not point to the copy")
	}
	node.Members[1].Name = "w"
	if strings.Contains(Render(fn), " w;") {
		t.Error("editing the copy changed the original")
	}
}

func TestPrefixed(t *testing.T) {
	src := "enum e { A = 1 };\nstruct s { struct { int x; }; union { char c; } u; enum e k; };\ntypedef struct s t;\nvoid f(t a0, struct { long q; } a1);\n"
	fn, err := Parse("p.c", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	got := Render(Prefixed(fn, "g", "p_", "P_"))
	for _, w := range []string{"enum p_e { P_A = 1 };", "union p_anon1 { char c; };", "struct p_s { struct { int x; }; union p_anon1 u; enum p_e k; };", "typedef struct p_s p_t;", "struct p_anon2 { long q; };", "void g(p_t a0, struct p_anon2 a1);"} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
	if _, err := Parse("again.c", []byte(got)); err != nil {
		t.Fatalf("prefixed text does not parse: %v\n%s", err, got)
	}
}
