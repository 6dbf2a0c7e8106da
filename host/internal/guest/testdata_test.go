package guest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestTestdataWasmMatchesWat: the committed test guests are what their
// .wat sources build to, so an edit to a .wat cannot silently leave the
// tests running the old module. Skipped without wabt's wat2wasm, except
// under CI, where .ci/run installs it.
func TestTestdataWasmMatchesWat(t *testing.T) {
	t.Parallel()
	wat2wasm, err := exec.LookPath("wat2wasm")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("no wat2wasm: .ci/run installs wabt; install it (Debian: apt install wabt)")
		}
		t.Skip("no wat2wasm (Debian: apt install wabt)")
	}
	srcs, err := filepath.Glob("testdata/*.wat")
	if err != nil || len(srcs) == 0 {
		t.Fatalf("no testdata/*.wat: %v", err)
	}
	for _, src := range srcs {
		out := filepath.Join(t.TempDir(), "out.wasm")
		if b, err := exec.Command(wat2wasm, src, "-o", out).CombinedOutput(); err != nil {
			t.Fatalf("wat2wasm %s: %v\n%s", src, err, b)
		}
		built, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(strings.TrimSuffix(src, ".wat") + ".wasm")
		if err != nil {
			t.Fatalf("%v: build it with wat2wasm %s -o %s", err, src, strings.TrimSuffix(src, ".wat")+".wasm")
		}
		if !bytes.Equal(built, committed) {
			t.Errorf("%s is stale: rebuild it with wat2wasm %s -o %s", strings.TrimSuffix(src, ".wat")+".wasm", src, strings.TrimSuffix(src, ".wat")+".wasm")
		}
	}
}
