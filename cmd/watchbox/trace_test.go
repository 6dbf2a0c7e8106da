package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestTraceFileOnFailure: a run or simulate that fails before its apps
// are loaded (a mistyped bundle) leaves the file of --trace as it was, or
// makes none. Before, the file was emptied at the start: the trace of the
// last good run was lost, replaced by an empty file, which is not JSON.
// A run that gets going writes its trace there.
func TestTraceFileOnFailure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	trace := filepath.Join(dir, "run.json")
	const earlier = `[{"name":"an earlier run"}]`
	if err := os.WriteFile(trace, []byte(earlier), 0o644); err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(dir, "s.scenario")
	if err := os.WriteFile(scenario, []byte("app a "+filepath.Join(dir, "nope")+"\nat +1h launch a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	check := func(what string, code, want int, errb *bytes.Buffer, content func([]byte) bool) {
		t.Helper()
		if code != want {
			t.Errorf("%s: exit %d, want %d\nstderr:\n%s", what, code, want, errb)
		}
		data, err := os.ReadFile(trace)
		if err != nil || !content(data) {
			t.Errorf("%s: trace file %q (%v)", what, data, err)
		}
	}
	unchanged := func(b []byte) bool { return string(b) == earlier }
	var out, errb bytes.Buffer
	code := runCommand(context.Background(), []string{"--cache", cache, "--data", t.TempDir(), "--control", "off", "--trace", trace, "--steps", "status", filepath.Join(dir, "nope")}, &out, &errb)
	check("run of a missing bundle", code, exitInvalid, &errb, unchanged)

	errb.Reset()
	code = simulateCommand(context.Background(), []string{"--cache", cache, "--trace", trace, scenario}, &out, &errb)
	check("simulate of a missing bundle", code, exitInvalid, &errb, unchanged)

	none := filepath.Join(dir, "none.json")
	errb.Reset()
	code = runCommand(context.Background(), []string{"--cache", cache, "--data", t.TempDir(), "--control", "off", "--trace", none, "--steps", "status", filepath.Join(dir, "nope")}, &out, &errb)
	if _, err := os.Stat(none); code != exitInvalid || err == nil {
		t.Errorf("run of a missing bundle with a new trace file: exit %d, want %d, and the file made (stat: %v)", code, exitInvalid, err)
	}

	errb.Reset()
	code = runCommand(context.Background(), []string{"--cache", cache, "--data", t.TempDir(), "--control", "off", "--trace", trace, "--steps", "status", longBundle(t)}, &out, &errb)
	// The test guest spins in will_resign_active, at the shutdown: exit 4,
	// with a complete trace.
	check("run", code, exitCrash, &errb, func(b []byte) bool {
		var events []map[string]any
		return json.Unmarshal(b, &events) == nil && len(events) > 1
	})
}
