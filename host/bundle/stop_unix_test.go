//go:build unix

package bundle

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestStoppedBuildLeavesNoWorkDir stops a build while go build runs. The
// real go build dies of the SIGINT at once and leaves its work directory
// (go-buildNNN, made in $GOTMPDIR, else $TMPDIR); the fake here does the
// same. Before, that directory stayed in the system's temporary directory
// after every Ctrl-C of a first build; now it is made in the build's own
// temporary directory, which Build removes.
func TestStoppedBuildLeavesNoWorkDir(t *testing.T) {
	t.Parallel()
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	bin, sysTmp := t.TempDir(), t.TempDir()
	ready := filepath.Join(bin, "ready")
	gocmd := filepath.Join(bin, "go")
	script := "#!/bin/sh\n" +
		"if [ \"$1\" != build ]; then exec " + realGo + " \"$@\"; fi\n" +
		"mktemp -d \"${GOTMPDIR:-" + sysTmp + "}/go-build.XXXXXX\" > /dev/null || exit 1\n" +
		"touch " + ready + "\n" +
		"exec sleep 1000\n"
	if err := os.WriteFile(gocmd, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, _, err := Build(ctx, newApp(t), BuildOptions{CacheDir: cache, GoCmd: gocmd})
		done <- err
	}()
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(10 * time.Millisecond) {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the build ended before go build started: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("go build did not start")
		}
	}
	cancel()
	var stopped *StoppedError
	if err := <-done; !errors.As(err, &stopped) {
		t.Fatalf("stopped build: %v (%T), want a *StoppedError", err, err)
	}
	for _, dir := range []string{sysTmp, cache} {
		left, _ := filepath.Glob(filepath.Join(dir, "go-build.*"))
		tmps, _ := filepath.Glob(filepath.Join(dir, ".build-*"))
		if len(left)+len(tmps) > 0 {
			t.Errorf("left behind in %s: %q %q", dir, left, tmps)
		}
	}
}
