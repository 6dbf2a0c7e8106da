package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
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
	expect(t, watchbox(t, nil, "fuzz", "nowhere"), exitInvalid, "nowhere is not an app bundle directory")
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

// TestFuzzProfile: --profile and --set choose the device profile the
// inputs run under, and the saved scenario names them, so that
// `watchbox simulate` replays the finding under the same profile. A
// profile with so low an instruction rate that the Go runtime's
// _initialize cannot finish makes every input a fuel-exhausted finding;
// the default profile makes none.
func TestFuzzProfile(t *testing.T) {
	t.Parallel()
	app := filepath.Join(repoRoot, "tests", "apps", "fuzzbug")
	dir := t.TempDir()
	expect(t, watchbox(t, nil, "fuzz", app, "--runs", "1", "--set", "no_such_key=1"), exitUsage, `unknown profile key "no_such_key"`)
	expect(t, watchbox(t, nil, "fuzz", app, "--runs", "1", "--cost-model", "wasmtime"), exitUsage, "strict cost model")
	expect(t, watchbox(t, nil, "fuzz", app, "--runs", "1", "--profile", filepath.Join(dir, "none.json")), exitUsage, "none.json")

	slow := writeFile(t, dir, "slow.json", []byte(`{"name": "slow-watch", "instruction_rate": 20000}`))
	for _, args := range [][]string{{"--profile", slow}, {"--set", "instruction_rate=20000"}} {
		findings := filepath.Join(t.TempDir(), "findings")
		r := watchbox(t, nil, append([]string{"fuzz", app, "--runs", "5", "--events", "push", "--findings", findings}, args...)...)
		expect(t, r, exitFound, "fuel-exhausted in instantiate", "_initialize used its whole CPU budget")
		scens, _ := filepath.Glob(filepath.Join(findings, "*", "finding.scenario"))
		if len(scens) != 1 {
			t.Fatalf("%v: %d saved scenarios, want 1", args, len(scens))
		}
		text, _ := os.ReadFile(scens[0])
		want := "set instruction_rate=20000\n"
		if args[0] == "--profile" {
			want = "profile " + slow + "\n"
		}
		if !strings.Contains(string(text), want) {
			t.Errorf("%v: the saved scenario does not name the profile (%q):\n%s", args, want, text)
		}
		expect(t, watchbox(t, nil, "simulate", scens[0]), exitCrash, "_initialize used its whole CPU budget")
		expect(t, watchbox(t, nil, "fuzz", app, "--replay", scens[0]), exitFound, "fuel-exhausted")
	}
	// The default profile: no finding in the same runs.
	expect(t, watchbox(t, nil, "fuzz", app, "--runs", "5", "--events", "push", "--findings", filepath.Join(dir, "none")), exitOK, "0 finding(s)")
}
