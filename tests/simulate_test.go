package tests

import (
	"path/filepath"
	"testing"
)

// The timelines of the shipped scenarios (text, --json and --why) are
// golden files: see goldenRuns in golden_test.go. The tests here check
// what a golden file cannot: refusals, their messages and exit codes.

// TestSimulateRejectsBadScenarios: a scenario with a mistake is refused up
// front with its line and a suggestion, never run in part.
func TestSimulateRejectsBadScenarios(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.scenario")
	writeFile(t, filepath.Dir(bad), "bad.scenario", []byte("app x ../nowhere\nat 00:00 lanch x\n"))
	r := watchbox(t, nil, "simulate", bad)
	expect(t, r, exitUsage, "bad.scenario:2", `unknown verb "lanch"`, `did you mean "launch"`)
	r = watchbox(t, nil, "simulate")
	expect(t, r, exitUsage, "expected one scenario file")

	// A push whose Simulator Target Bundle names another app.
	dir := t.TempDir()
	writeFile(t, dir, "p.apns", []byte(`{"Simulator Target Bundle": "dev.watchbox.messages", "aps": {"alert": "hi"}}`))
	writeFile(t, dir, "s.scenario", []byte("start 2026-06-01T07:00:00Z\nduration 1h\napp weather "+
		filepath.Join(repoRoot, "apps", "weather")+"\nat 07:00 push weather p.apns\n"))
	r = watchbox(t, nil, "simulate", filepath.Join(dir, "s.scenario"))
	expect(t, r, exitUsage, "s.scenario:4", "targets dev.watchbox.messages (Simulator Target Bundle), but app weather is dev.watchbox.weather")
}

// TestSimulateWhyUnknownApp: --why of an app the scenario does not run is
// refused before the run, with the scenario's apps listed.
func TestSimulateWhyUnknownApp(t *testing.T) {
	scen := filepath.Join("tests", "scenarios", "day.scenario")
	expect(t, watchbox(t, nil, "simulate", "--why", "nope", scen), exitUsage,
		"--why nope: no such app in tests/scenarios/day.scenario; it has weather (dev.watchbox.weather), messages (dev.watchbox.messages)")
}
