// Package wattest checks that the test guests committed as .wasm files are
// what their .wat sources build to, so an edit to a .wat cannot silently
// leave the tests running the old module. The guest package's and the
// end-to-end tests' test guests are checked the same way.
package wattest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// CheckCommitted builds every .wat file matching pattern with wabt's
// wat2wasm and fails t for each whose .wasm beside it is missing or
// differs, saying the command that rebuilds it. Without wat2wasm it skips
// t, except under CI (CI set), where .ci/run installs wabt and a skip would
// hide a stale module.
func CheckCommitted(t *testing.T, pattern string) {
	t.Helper()
	wat2wasm, err := exec.LookPath("wat2wasm")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("no wat2wasm: .ci/run installs wabt; install it (Debian: apt install wabt)")
		}
		t.Skip("no wat2wasm (Debian: apt install wabt)")
	}
	srcs, err := filepath.Glob(pattern)
	if err != nil || len(srcs) == 0 {
		t.Fatalf("no %s: %v", pattern, err)
	}
	for _, src := range srcs {
		wasm := strings.TrimSuffix(src, ".wat") + ".wasm"
		out := filepath.Join(t.TempDir(), "out.wasm")
		if b, err := exec.Command(wat2wasm, src, "-o", out).CombinedOutput(); err != nil {
			t.Fatalf("wat2wasm %s: %v\n%s", src, err, b)
		}
		built, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(wasm)
		if err != nil {
			t.Fatalf("%v: build it with wat2wasm %s -o %s", err, src, wasm)
		}
		if !bytes.Equal(built, committed) {
			t.Errorf("%s is stale: rebuild it with wat2wasm %s -o %s", wasm, src, wasm)
		}
	}
}
