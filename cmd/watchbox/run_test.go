package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/host"
)

// TestRunInterruptedBeforeLaunch: a run interrupted (Ctrl-C) while its
// apps load launches none. Before, a compile, which does not stop for the
// interrupt, ended, and the run launched the app with the interrupted
// context: its did_finish_launching "crashed" (deadline exceeded), and the
// run exited 4, the code of a guest failure.
func TestRunInterruptedBeforeLaunch(t *testing.T) {
	t.Parallel()
	dir := longBundle(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := runCommand(ctx, []string{"--cache", t.TempDir(), "--data", t.TempDir(), "--control", "off", "--steps", "status", dir}, &out, &errb)
	if code != exitError || out.Len() != 0 || !strings.Contains(errb.String(), "interrupted while loading the apps; nothing was launched") {
		t.Errorf("exit %d, want %d, with nothing launched\nstdout:\n%s\nstderr:\n%s", code, exitError, out.String(), errb.String())
	}
}

// longBundle writes a bundle of the test guest tests/testdata/long-v1.wasm.
func longBundle(t *testing.T) string {
	t.Helper()
	wasm, err := os.ReadFile(filepath.Join("..", "..", "tests", "testdata", "long-v1.wasm"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	manifest := `{"CFBundleIdentifier": "dev.watchbox.test.long", "CFBundleDisplayName": "Long", "abiVersion": 1, "memoryLimit": "2MiB", "module": "app.wasm"}`
	for name, data := range map[string][]byte{"watchapp.json": []byte(manifest), "app.wasm": wasm} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestRunJSONStateInUse: with --json, stderr is JSON lines, the warning
// of a run whose state directory another run holds included. It was a
// line of text among them.
func TestRunJSONStateInUse(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	ctx := context.Background()
	other, err := host.New(ctx, host.Config{CacheDir: t.TempDir(), DataDir: data, StateDir: filepath.Join(data, "state"), Virtual: true})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	var out, errb bytes.Buffer
	code := runCommand(ctx, []string{"--json", "--cache", t.TempDir(), "--data", data, "--control", "off", "--steps", "status", longBundle(t)}, &out, &errb)
	if code != exitOK && code != exitCrash { // the test guest spins at shutdown
		t.Fatalf("exit %d\nstderr:\n%s", code, errb.String())
	}
	warned := false
	for line := range strings.Lines(errb.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("stderr line is not JSON: %q", line)
			continue
		}
		msg, _ := rec["message"].(string)
		warned = warned || rec["level"] == "warn" && strings.Contains(msg, "is in use by another watchbox") && strings.Contains(msg, "this run saves no state")
	}
	if !warned {
		t.Errorf("no warning that the state directory is in use\nstderr:\n%s", errb.String())
	}
}

// TestRunJSONStepMessages: with --json, what a run says of its steps on
// stderr (an expire with nothing to expire, a step that fails) is a JSON
// log record, as the rest of stderr; it was a line of text. Without
// --json it is the line it was.
func TestRunJSONStepMessages(t *testing.T) {
	t.Parallel()
	bundle := longBundle(t)
	const expire = "watchbox run: expire: dev.watchbox.test.long has no open background task to expire (trigger one first)"
	for _, asJSON := range []bool{false, true} {
		args := []string{"--cache", t.TempDir(), "--data", t.TempDir(), "--control", "off", "--steps", "expire", bundle}
		if asJSON {
			args = append([]string{"--json"}, args...)
		}
		var out, errb bytes.Buffer
		runCommand(context.Background(), args, &out, &errb)
		if !asJSON {
			if !strings.Contains(errb.String(), expire+"\n") {
				t.Errorf("stderr lacks %q:\n%s", expire, errb.String())
			}
			continue
		}
		said := false
		for line := range strings.Lines(errb.String()) {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Errorf("--json: stderr line is not JSON: %q", line)
				continue
			}
			said = said || rec["level"] == "warn" && rec["message"] == expire
		}
		if !said {
			t.Errorf("--json: no warn record %q\nstderr:\n%s", expire, errb.String())
		}
	}
}
