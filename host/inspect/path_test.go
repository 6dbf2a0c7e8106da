package inspect

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPathManifestFile: a bundle's watchapp.json given instead of the
// bundle (watchbox build apps/hello/watchapp.json) is reported as the
// manifest, with what to pass instead, as watchbox run reports it; it was
// "not a WebAssembly module".
func TestPathManifestFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	manifest := filepath.Join(dir, "watchapp.json")
	data := `{"CFBundleIdentifier": "dev.watchbox.t", "CFBundleDisplayName": "T", "abiVersion": 1, "source": "."}`
	if err := os.WriteFile(manifest, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Path(context.Background(), manifest, Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || len(rep.Problems) != 1 {
		t.Fatalf("problems %v, want one", rep.Problems)
	}
	if msg := rep.Problems[0].String(); !strings.Contains(msg, "is the manifest file; pass the bundle directory") {
		t.Errorf("problem %q does not say to pass the bundle directory", msg)
	}
}
