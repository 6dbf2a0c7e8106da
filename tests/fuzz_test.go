package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestFuzzCommand: watchbox fuzz refuses bad flags and bundles with a
// clear message; a short campaign of a sound app exits 0 with a summary
// or a JSON object; a saved finding replays through --replay and through
// watchbox simulate.
func TestFuzzCommand(t *testing.T) {
	t.Parallel()
	hello := filepath.Join(repoRoot, "apps", "hello")
	expect(t, watchbox(t, nil, "fuzz"), exitUsage, "expected one app bundle")
	expect(t, watchbox(t, nil, "fuzz", "nowhere"), exitUsage, "nowhere is not an app bundle directory")
	expect(t, watchbox(t, nil, "fuzz", hello, "--time", "1s", "--runs", "3"), exitUsage, "give --time or --runs, not both")
	expect(t, watchbox(t, nil, "fuzz", hello, "--events", "pushes"), exitUsage, `unknown event kind "pushes"`, "life, task, push")
	expect(t, watchbox(t, nil, "fuzz", hello, "-j", "0"), exitUsage, "-j 0: want 1 to 256 workers")
	expect(t, watchbox(t, nil, "fuzz", hello, "--replay", filepath.Join(t.TempDir(), "x.scenario")), exitUsage, "--replay")
	bad := t.TempDir()
	writeFile(t, bad, "watchapp.json", []byte(`{"CFBundleIdentifier": "x"}`))
	expect(t, watchbox(t, nil, "fuzz", bad, "--runs", "1"), exitInvalid, "watchbox fuzz:")

	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	r := watchbox(t, nil, "fuzz", hello, "--runs", "40", "--events", "life,push,phone", "--corpus", corpus,
		"--findings", filepath.Join(dir, "findings"), "--json")
	expect(t, r, exitOK)
	var res struct {
		Runs     int64
		Edges    int
		Corpus   int
		Findings []json.RawMessage
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("--json: %v\n%s", err, r.stdout)
	}
	if res.Runs != 40 || res.Edges == 0 || res.Corpus == 0 || len(res.Findings) != 0 {
		t.Errorf("result %+v", res)
	}
	files, _ := os.ReadDir(corpus)
	if len(files) != res.Corpus {
		t.Errorf("%d corpus files, corpus %d", len(files), res.Corpus)
	}
	// A corpus entry replays; hello has nothing to find.
	expect(t, watchbox(t, nil, "fuzz", hello, "--replay", filepath.Join(corpus, files[0].Name())), exitOK, "nothing found")
}

// TestFuzzFindingReplays: a scenario saved as a finding of the planted
// bug replays under watchbox simulate and watchbox fuzz --replay.
func TestFuzzFindingReplays(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "push-1.apns", []byte(`{"aps":{"content-available":1},"level":42,"message":"abcdefghijklm"}`))
	scen := writeFile(t, dir, "finding.scenario", []byte("start 2026-01-01T00:00:00Z\nduration 1h\nseed 1\napp app "+
		filepath.Join(repoRoot, "tests", "apps", "fuzzbug")+"\nat +1s push app push-1.apns\n"))
	expect(t, watchbox(t, nil, "simulate", scen), exitCrash, "planted bug")
	expect(t, watchbox(t, nil, "fuzz", filepath.Join(repoRoot, "tests", "apps", "fuzzbug"), "--replay", scen), exitFound,
		"panic in remote_notification", "planted bug")
}
