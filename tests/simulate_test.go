package tests

import (
	"bufio"
	"encoding/json"
	"path/filepath"
	"regexp"
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
		// task 1 is the system's app_backgrounded snapshot at 07:03
		"07:03:00.000  dev.watchbox.refresh     system: snapshot (appBackgrounded) runs at 07:03: system snapshots are not charged to the snapshot budget [snapshot.system]",
		"07:18:01.000  dev.watchbox.refresh     log: application_refresh task 2 (refresh 1 since launch)",
		// without the complication, the budget delays (never fails) the next one
		"08:03:04.000  dev.watchbox.refresh     system: refresh delayed to 08:48:03: 3 of 1 this hour used (no complication on the active face) [refresh.hourly_budget]",
		"10:00:00.000  dev.watchbox.refresh     > trigger watch-connectivity",
		"log: watch_connectivity task 9 (refresh 6 since launch)",
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
	// Budget decisions carry the numbers that decided them.
	if !strings.Contains(j.stdout, `"rule":"refresh.hourly_budget","reason":"refresh delayed to 08:48:03: 3 of 1 this hour used (no complication on the active face)","numbers":{"limit":1,"used":3,"window_s":3600}}`) {
		t.Errorf("the JSON trace lacks the numbers of the 08:03:04 budget decision")
	}
	for _, typ := range []string{"step", "call", "log", "decision", "summary"} {
		if types[typ] == 0 {
			t.Errorf("no %q records in the JSON trace: %v", typ, types)
		}
	}
}

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

// TestSimulateDayScenario runs the shipped day: both sample apps through
// 24 h with every scenario verb, twice, byte for byte the same.
func TestSimulateDayScenario(t *testing.T) {
	scen := filepath.Join("tests", "scenarios", "day.scenario")
	r := watchbox(t, nil, "simulate", scen)
	expect(t, r, exitOK,
		// messages: phone data waiting for the app arrives when it opens
		"08:13:00.004  dev.watchbox.messages    system: 2 phone item(s) waiting delivered now: the app is frontmost [data_delivery.frontmost]",
		"dev.watchbox.messages    log: shown: Ann: Lunch at 12?",
		// a phone message needs the app reachable
		"08:06:00.000  dev.watchbox.messages    system: phone message dropped: the watch app is not reachable (it is not_running); sendMessage needs it frontmost [phone.unreachable]",
		// the slow, failing server (serve ... delay=5s)
		"it completes in 6s [url_session.started]",
		"warn: forecast download forecast-",
		// expire with nothing open is a note, not a failure
		"09:05:10.000  dev.watchbox.weather     note: nothing to expire: no open background task",
		// complication push, then the complication-update snapshot
		"[complication_push.run]",
		"snapshot (complicationUpdate) runs at 10:30",
		// the phone's complication transfer wakes the app at once
		"10:45:00.000  dev.watchbox.weather     system: complication transfer wakes the app at 10:45: 1 of 50 in the rolling 24 h used [complication_transfer.run]",
		"10:45:00.000  dev.watchbox.weather     log: complication: 19°C (from the phone)",
		// Bluetooth, intents, shortcuts
		"[bluetooth.run]",
		"intent_did_run task triggered by the developer [trigger]",
		"relevant_shortcut task triggered by the developer [trigger]",
		// the purged messages app relaunches with its unread count
		"14:00:00.004  dev.watchbox.messages    log: launched: ",
		// system snapshots
		"snapshot (returnToDefaultState) runs at 15:01",
		"15:30:00.000  dev.watchbox.weather     system: snapshot (return_to_default_state) task triggered by the developer [trigger]",
		// a mid-run profile change
		"16:00:00.000                           system: profile refreshes_per_hour changed to 2 [profile.set]",
		"simulated 07:00:00.000 to 2026-06-02 07:00:00.000: 2 app(s), 0 failed call(s)")
	// Asking why: what the system held back for the weather app.
	w := watchbox(t, nil, "simulate", "--why", "weather", scen)
	expect(t, w, exitOK, "why: what the system held back for dev.watchbox.weather\n",
		"dev.watchbox.weather     delay: snapshot on task completion delayed to ")
	expect(t, watchbox(t, nil, "simulate", "--why", "nope", scen), exitUsage,
		"--why nope: no such app in tests/scenarios/day.scenario; it has weather (dev.watchbox.weather), messages (dev.watchbox.messages)")
	if again := watchbox(t, nil, "simulate", scen); again.stdout != r.stdout {
		t.Errorf("two runs of the day differ")
	}
}

// TestSimulateWeatherScenario: the weather sample app through a morning:
// refreshes start background downloads from the scenario's routes, the
// downloads wake the app, which updates its complication and completes
// with a snapshot under the snapshot budget.
func TestSimulateWeatherScenario(t *testing.T) {
	scen := filepath.Join("tests", "scenarios", "weather.scenario")
	r := watchbox(t, nil, "simulate", scen)
	expect(t, r, exitOK,
		"06:03:00.000  dev.watchbox.weather     system: snapshot (appBackgrounded) runs at 06:03: system snapshots are not charged to the snapshot budget [snapshot.system]",

		"log: forecast: Oslo 11°C cloudy",
		// the fraction of a second is the CPU time of earlier calls: it moves
		// when the app or the SDK changes, so only the second is pinned here
		"system: snapshot on task completion delayed to 07:33:02.",
		"dev.watchbox.weather     system: snapshot runs at 07:33:02.",
		"log: forecast: Oslo 17°C sunny",
		"forecast download forecast-",
		"status 503",
		"simulated 06:00:00.000 to 11:00:00.000: 1 app(s), 0 failed call(s)")
	// Fractions of a second are the CPU time of earlier calls: they move
	// when the app or the SDK changes, so only the second is pinned.
	finished := regexp.MustCompile(`(?m)^06:33:02\.\d{3}  dev\.watchbox\.weather     system: download forecast-2 finished: HTTP 200, 40 bytes in /Downloads/forecast-2 \[url_session\.finished\]$`)
	if !finished.MatchString(r.stdout) {
		t.Errorf("the timeline lacks the 06:33:02 download of forecast-2\n%s", r)
	}
	if again := watchbox(t, nil, "simulate", scen); again.stdout != r.stdout {
		t.Errorf("two runs differ")
	}
}
