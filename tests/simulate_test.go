package tests

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The timelines of the shipped scenarios (text, --json and --why) are
// golden files: see goldenRuns in golden_test.go. The tests here check
// what a golden file cannot: refusals, their messages and exit codes.

// TestSimulateRejectsBadScenarios: a scenario with a mistake is refused up
// front with its line and a suggestion, never run in part.
func TestSimulateRejectsBadScenarios(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	scen := filepath.Join("tests", "scenarios", "day.scenario")
	expect(t, watchbox(t, nil, "simulate", "--why", "nope", scen), exitUsage,
		"--why nope: no such app in tests/scenarios/day.scenario; it has weather (dev.watchbox.weather), messages (dev.watchbox.messages)")
	expect(t, watchbox(t, nil, "simulate", "--why", "wether", scen), exitUsage,
		`--why wether: no such app in tests/scenarios/day.scenario (did you mean "weather"?); it has weather`)
}

// TestSimulateExpectations: a scenario whose expectations fail exits 5
// and ends its timeline with each failure, what was expected and what
// happened; --json has one expectation record per expect line. (The
// shipped scenarios' expectations all pass: see goldenRuns.)
func TestSimulateExpectations(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	scen := writeFile(t, dir, "x.scenario", []byte("start 2026-06-01T07:00:00Z\nduration 1h\napp hello "+
		filepath.Join(repoRoot, "apps", "hello")+"\n"+
		"at 07:00 launch hello\nat +1m wrist-down\n"+
		"expect no kill\n"+
		"at 07:10 expect hello state active\n"+
		"expect hello task snapshot\n"+
		"expect hello file launches \"1\\n\"\n"+
		"expect hello file launches {\"n\": 1}\n"))
	r := watchbox(t, nil, "simulate", scen)
	expect(t, r, exitExpect,
		"expectations: 2 of 5 failed\n",
		"FAIL "+scen+":7: at 07:10 expect hello state active\n",
		"     want: dev.watchbox.hello active at 07:10:59.999 (the end of 07:10)\n",
		"     got:  suspended; changes nearby: 07:00:00.004 inactive, 07:00:00.004 active, 07:01:00.000 inactive, 07:03:00.000 background, 07:03:10.000 suspended, 08:00:00.000 background\n",
		"FAIL "+scen+":10: expect hello file launches {\"n\": 1}\n",
		"     got:  1; differs at the top (want {\"n\":1}, got 1)\n",
		"watchbox simulate: 2 of 5 expectation(s) failed")
	if strings.Contains(r.stdout, ":6: expect") || strings.Contains(r.stdout, ":8: ") || strings.Contains(r.stdout, ":9: ") {
		t.Errorf("passing expectations are listed:\n%s", r.stdout)
	}

	r = watchbox(t, nil, "simulate", "--json", scen)
	if r.code != exitExpect {
		t.Errorf("--json: exit code %d, want %d", r.code, exitExpect)
	}
	var pass []bool
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var rec struct {
			Type string `json:"type"`
			Line int    `json:"line"`
			Pass bool   `json:"pass"`
			Want string `json:"want"`
			Got  string `json:"got"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if rec.Type == "expectation" {
			if rec.Line != 6+len(pass) || rec.Want == "" || rec.Got == "" {
				t.Errorf("record %s", line)
			}
			pass = append(pass, rec.Pass)
		}
	}
	if want := []bool{true, false, true, true, false}; !slices.Equal(pass, want) {
		t.Errorf("--json pass fields %v, want %v", pass, want)
	}
}

// TestHeartstrapDeterministic: the Bluetooth scenario (peripherals whose
// values come from a samples file, subscriptions notified at sample times,
// background scans under the budget) prints the same bytes twice, as text
// and as JSON.
func TestHeartstrapDeterministic(t *testing.T) {
	t.Parallel()
	scen := "tests/scenarios/heartstrap.scenario" // as goldenRuns spell it: TestGolden's runs are the first ones
	for _, args := range [][]string{{"simulate", scen}, {"simulate", "--json", scen}} {
		first := watchboxShared(t, args...)
		second := watchbox(t, nil, args...)
		if first.code != exitOK || second.code != exitOK {
			t.Fatalf("%v: exit %d and %d\n%s", args, first.code, second.code, first)
		}
		if first.stdout != second.stdout {
			t.Errorf("%v: two runs differ:\n%s\n---\n%s", args, first.stdout, second.stdout)
		}
	}
}
