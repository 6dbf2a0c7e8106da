package guest

import (
	"testing"

	"github.com/watchbox/watchbox/internal/wattest"
)

// TestTestdataWasmMatchesWat: the committed test guests are what their
// .wat sources build to. Skipped without wabt's wat2wasm, except under CI,
// where .ci/run installs it.
func TestTestdataWasmMatchesWat(t *testing.T) {
	t.Parallel()
	wattest.CheckCommitted(t, "testdata/*.wat")
}
