package tests

import (
	"bufio"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestSimulateRefreshScenario runs the shipped refresh scenario: a morning
// of background refreshes under the hourly budget, on the virtual clock.
func TestSimulateRefreshScenario(t *testing.T) {
	scen := filepath.Join("tests", "scenarios", "refresh.scenario")
	r := watchbox(t, nil, "simulate", scen)
	expect(t, r, exitOK,
		// scheduled on entering the background, 2 min after the wrist went down
		"07:03:00.000  dev.watchbox.refresh     system: refresh scheduled for 07:18:01 (its preferred date): 0 of 4 this hour used [refresh.scheduled]",
		"07:18:01.000  dev.watchbox.refresh     log: application_refresh task 1 (refresh 1 since launch)",
		// without the complication, the budget delays (never fails) the next one
		"08:03:04.000  dev.watchbox.refresh     system: refresh delayed to 08:48:03: 3 of 1 this hour used (no complication on the active face) [refresh.hourly_budget]",
		"10:00:00.000  dev.watchbox.refresh     > trigger watch-connectivity",
		"log: watch_connectivity task 6",
		// 3 background pushes an hour; the 4th is held
		"10:32:00.000  dev.watchbox.refresh     system: background push runs at 10:32 for up to 30 s: 3 of 3 this hour used [background_push.run]",
		"10:33:00.000  dev.watchbox.refresh     system: background push throttled to 11:30: 3 of 3 this hour used [background_push.hourly_throttle]",
		"simulated 07:00:00.000 to 11:00:00.000: 1 app(s), 0 failed call(s)")
	again := watchbox(t, nil, "simulate", scen)
	if again.stdout != r.stdout {
		t.Errorf("two runs of the same scenario printed different timelines:\n%s\n---\n%s", r.stdout, again.stdout)
	}

	j := watchbox(t, nil, "simulate", "--json", scen)
	expect(t, j, exitOK)
	types := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(j.stdout))
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("not JSON: %q: %v", sc.Text(), err)
		}
		types[rec["type"].(string)]++
	}
	for _, typ := range []string{"step", "call", "log", "decision", "summary"} {
		if types[typ] == 0 {
			t.Errorf("no %q records in the JSON trace: %v", typ, types)
		}
	}
}

// TestSimulateRefusesWhatItCannotRun: a scenario that needs parts of the
// background model not built yet is refused up front, naming each line,
// rather than run with events silently skipped.
func TestSimulateRefusesWhatItCannotRun(t *testing.T) {
	r := watchbox(t, nil, "simulate", filepath.Join("tests", "scenarios", "day.scenario"))
	expect(t, r, exitUsage, "cannot simulate yet", "day.scenario:43: expire (not built yet)", "day.scenario:67: set (not built yet)")
	bad := filepath.Join(t.TempDir(), "bad.scenario")
	writeFile(t, filepath.Dir(bad), "bad.scenario", []byte("app x ../nowhere\nat 00:00 lanch x\n"))
	r = watchbox(t, nil, "simulate", bad)
	expect(t, r, exitUsage, "bad.scenario:2", `unknown verb "lanch"`, `did you mean "launch"`)
	r = watchbox(t, nil, "simulate")
	expect(t, r, exitUsage, "expected one scenario file")
}

// TestSimulateWeatherScenario: the weather sample app through a morning:
// refreshes start background downloads from the scenario's routes, the
// downloads wake the app, which updates its complication and completes
// with a snapshot under the snapshot budget.
func TestSimulateWeatherScenario(t *testing.T) {
	scen := filepath.Join("tests", "scenarios", "weather.scenario")
	r := watchbox(t, nil, "simulate", scen)
	expect(t, r, exitOK,
		"06:33:02.000  dev.watchbox.weather     system: download forecast-1 finished: HTTP 200, 40 bytes in /Downloads/forecast-1 [url_session.finished]",
		"log: forecast: Oslo 11°C cloudy",
		// the fraction of a second is the CPU time of earlier calls: it moves
		// when the app or the SDK changes, so only the second is pinned here
		"system: snapshot on task completion delayed to 07:33:02.",
		"07:33:02.001  dev.watchbox.weather     system: snapshot runs at 07:33:02.",
		"log: forecast: Oslo 17°C sunny",
		"forecast download forecast-",
		"status 503",
		"simulated 06:00:00.000 to 11:00:00.000: 1 app(s), 0 failed call(s)")
	if again := watchbox(t, nil, "simulate", scen); again.stdout != r.stdout {
		t.Errorf("two runs differ")
	}
}
