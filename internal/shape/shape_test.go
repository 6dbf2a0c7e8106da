package shape

import (
	"path/filepath"
	"testing"
)

// maxMethods is the most methods a type may declare (issue 8: "no type
// has more than about 25 methods").
const maxMethods = 25

// over are the types allowed above maxMethods for now, each with why it
// is not split yet: none today. A type added here must say why; remove
// its line when it is split: the test fails on a line whose type is no
// longer over, so the list cannot go stale.
var over = map[string]string{}

// TestMethodsPerType fails when a type of the module declares more than
// maxMethods methods. Run it with -v to see every type's count above 15:
//
//	go test ./internal/shape -run TestMethodsPerType -v
func TestMethodsPerType(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	types, err := MethodsPerType(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(types) < 100 {
		t.Fatalf("only %d types with methods under %s: not the module's root?", len(types), root)
	}
	seen := map[string]bool{}
	for _, ty := range types {
		if ty.Methods > 15 {
			t.Logf("%3d methods (%2d exported) %s", ty.Methods, ty.Exported, ty)
		}
		if ty.Methods <= maxMethods {
			continue
		}
		seen[ty.String()] = true
		if why, ok := over[ty.String()]; ok {
			t.Logf("    allowed for now: %s", why)
			continue
		}
		t.Errorf("%s declares %d methods, more than %d: split it by concern (docs/design.md)", ty, ty.Methods, maxMethods)
	}
	for name := range over {
		if !seen[name] {
			t.Errorf("%s is listed as over %d methods but is not (any more): remove it from the list", name, maxMethods)
		}
	}
}

// TestReceiverName covers every receiver form a method can have.
func TestReceiverName(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `package p
type A struct{}
func (A) v() {}
func (a *A) P() {}
type G[T any] struct{}
func (g G[T]) v() {}
func (g *G[T]) P() {}
type H[K comparable, V any] struct{}
func (h *H[K, V]) P() {}
func f() {}
`
	writeFile(t, filepath.Join(dir, "p.go"), src)
	writeFile(t, filepath.Join(dir, "p_test.go"), "package p\nfunc (A) inTest() {}\n")
	writeFile(t, filepath.Join(dir, "testdata", "x.go"), "package x\ntype X struct{}\nfunc (X) m() {}\n")
	types, err := MethodsPerType(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int{}
	for _, ty := range types {
		got[ty.String()] = [2]int{ty.Methods, ty.Exported}
	}
	want := map[string][2]int{"A": {2, 1}, "G": {2, 1}, "H": {1, 1}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %v (methods, exported), want %v", k, got[k], v)
		}
	}
}
