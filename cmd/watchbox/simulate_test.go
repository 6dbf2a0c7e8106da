package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSimulateInterrupted: an interrupted simulate is not a pass. Before,
// it exited 0 with "simulated 07:00:00.000 to 11:00:00.000", the whole
// scenario, though the rest of it never ran and its expect lines were not
// checked: a CI job stopped by its timeout passed.
func TestSimulateInterrupted(t *testing.T) {
	t.Parallel()
	scenario := filepath.Join(t.TempDir(), "s.scenario")
	text := "start 2026-01-01T07:00:00Z\nduration 4h\napp long " + longBundle(t) + "\nat +1h launch long\nexpect long state active\n"
	if err := os.WriteFile(scenario, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := simulateCommand(ctx, []string{"--cache", t.TempDir(), scenario}, &out, &errb)
	if code != exitError || !strings.Contains(errb.String(), "interrupted; the rest of "+scenario+" did not run and its expect lines were not checked") {
		t.Errorf("exit %d, want %d, saying the scenario was interrupted\nstderr:\n%s", code, exitError, errb.String())
	}
	if want := "simulated 07:00:00.000 to 07:00:00.000 (interrupted: the rest of the scenario did not run): 1 app(s)"; !strings.Contains(out.String(), want) {
		t.Errorf("stdout %q lacks %q", out.String(), want)
	}
}
