package tests

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoReflectMethod: no sample app's build reaches a function that
// lists methods by reflection (marked <ReflectMethod> by Go's linker,
// such as a reflect.Type.Method(i) loop). One such function anywhere in
// the SDK, abi or an app turns off dead-method elimination for the whole
// program: every exported method of every type stored in an interface is
// kept, and apps/hello grew from 3.3 MB to 4.5 MB of Wasm, with the
// compile and launch time that goes with it (docs/performance.md, "Go
// module size"). The failure names the function: see the comment at the
// top of guest-sdk/go/watch/register.go for what to use instead.
func TestNoReflectMethod(t *testing.T) {
	if testing.Short() {
		t.Skip("links every sample app")
	}
	t.Parallel()
	// One go command for every app: with several main packages and no
	// -o, go build links each and discards the result.
	cmd := exec.Command("go", "build", "-ldflags=-dumpdep", "./apps/...")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build -ldflags=-dumpdep ./apps/...: %v\n%.2000s", err, out)
	}
	var marked []string
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, "<ReflectMethod>") {
			marked = append(marked, strings.TrimSpace(line))
		}
	}
	if len(marked) > 0 {
		t.Errorf("a sample app's build reaches functions marked <ReflectMethod> (listing methods by reflection), which keeps every exported method in every app; %d dependency lines name them, the first:\n%s",
			len(marked), strings.Join(marked[:min(len(marked), 40)], "\n"))
	}
	if !strings.Contains(string(out), "main.main") {
		t.Errorf("go build -ldflags=-dumpdep printed no dependencies; did it link?\n%.2000s", out)
	}
}
