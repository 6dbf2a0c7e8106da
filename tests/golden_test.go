package tests

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/host/trace"
)

// update rewrites the golden files instead of comparing against them:
// go test ./tests -run Golden -update.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenRuns are the outputs that must not change unless on purpose: the
// text and --json timeline of every shipped scenario, --why for the apps of
// the day, and run --json of every sample app with a fixed seed. Among
// what they show: refresh, the hourly refresh budget delaying (never
// failing) refreshes without a complication and the background push
// throttle, with the numbers of each budget decision in --json; day, phone
// data waiting for the app until it opens, a phone message dropped while
// the app is not reachable, a slow and failing server, an expire with
// nothing open as a note, complication pushes and transfers, Bluetooth,
// intents and shortcuts, a purged app relaunching with its saved state,
// the system's snapshots and a mid-run profile change; weather,
// downloads from the scenario's routes updating the complication under
// the snapshot budget; heartstrap, Bluetooth peripherals read during
// background refresh, live values while frontmost, connections the system
// closes, background scans under the budget shared with alerts;
// breathe, a mindfulness session kept frontmost with
// the wrist down and ended by a crown press; alarm, a smart alarm
// scheduled at night, fired into a purged app that claims it, repeating
// haptics until the user stops it.
var goldenRuns = []struct {
	name string
	args []string
}{
	{"simulate-day.txt", []string{"simulate", "tests/scenarios/day.scenario"}},
	{"simulate-day.jsonl", []string{"simulate", "--json", "tests/scenarios/day.scenario"}},
	{"simulate-day-why-weather.txt", []string{"simulate", "--why", "weather", "tests/scenarios/day.scenario"}},
	{"simulate-day-why-messages.txt", []string{"simulate", "--why", "messages", "tests/scenarios/day.scenario"}},
	{"simulate-morning.txt", []string{"simulate", "tests/scenarios/morning.scenario"}},
	{"simulate-morning.jsonl", []string{"simulate", "--json", "tests/scenarios/morning.scenario"}},
	{"simulate-refresh.txt", []string{"simulate", "tests/scenarios/refresh.scenario"}},
	{"simulate-refresh.jsonl", []string{"simulate", "--json", "tests/scenarios/refresh.scenario"}},
	{"simulate-heartstrap.txt", []string{"simulate", "tests/scenarios/heartstrap.scenario"}},
	{"simulate-heartstrap.jsonl", []string{"simulate", "--json", "tests/scenarios/heartstrap.scenario"}},
	{"simulate-weather.txt", []string{"simulate", "tests/scenarios/weather.scenario"}},
	{"simulate-weather.jsonl", []string{"simulate", "--json", "tests/scenarios/weather.scenario"}},
	{"simulate-workout.txt", []string{"simulate", "tests/scenarios/workout.scenario"}},
	{"simulate-workout.jsonl", []string{"simulate", "--json", "tests/scenarios/workout.scenario"}},
	{"simulate-workout-why.txt", []string{"simulate", "--why", "run", "tests/scenarios/workout.scenario"}},
	{"simulate-breathe.txt", []string{"simulate", "tests/scenarios/breathe.scenario"}},
	{"simulate-alarm.txt", []string{"simulate", "tests/scenarios/alarm.scenario"}},
	{"simulate-alarm.jsonl", []string{"simulate", "--json", "tests/scenarios/alarm.scenario"}},
	{"simulate-alarm-why.txt", []string{"simulate", "--why", "alarm", "tests/scenarios/alarm.scenario"}},
	{"run-hello.jsonl", []string{"run", "--json", "--seed", "7", "--steps",
		"wrist-down, background, trigger snapshot, suspend, purge, wrist-up, status", "apps/hello"}},
	{"run-refresh.jsonl", []string{"run", "--json", "--seed", "7", "--steps",
		"wrist-down, background, trigger application-refresh, trigger watch-connectivity, expire, suspend, purge, wrist-up, status", "apps/refresh"}},
	{"run-messages.jsonl", []string{"run", "--json", "--seed", "7", "--steps",
		"wrist-down, background, trigger watch-connectivity, trigger snapshot, suspend, purge, wrist-up, status", "apps/messages"}},
	// No application refresh for weather: it would download from the network.
	{"run-weather.jsonl", []string{"run", "--json", "--seed", "7", "--steps",
		"wrist-down, background, trigger snapshot, trigger url-session forecast-1, suspend, purge, wrist-up, status", "apps/weather"}},
}

// TestWorkoutDeterministic runs the workout scenario twice: its live data
// (a heart rate file, a GPX route, the seeded synthetic generator) and
// every decision must come out byte for byte the same.
func TestWorkoutDeterministic(t *testing.T) {
	t.Parallel()
	args := []string{"simulate", "--json", "tests/scenarios/workout.scenario"}
	a, b := watchboxShared(t, args...), watchbox(t, nil, args...) // a: TestGolden's run too
	if a.code != exitOK || b.code != exitOK {
		t.Fatalf("exit codes %d and %d, want 0\n%s\n%s", a.code, b.code, a, b)
	}
	if a.stdout != b.stdout {
		t.Errorf("two runs of the same scenario differ:\n%s", lineDiff(a.stdout, b.stdout))
	}
}

// wallTime matches the fields that depend on the real clock: durations,
// and in a live run (run is on the real clock) the fuel of calls, since a
// guest that formats the time it reads, or whose Go runtime looks at it,
// runs more or fewer instructions from one moment to the next. simulate
// runs on the virtual clock, so its fuel is exact and compared.
var (
	wallTime = regexp.MustCompile(`"duration_ns":\d+`)
	liveFuel = regexp.MustCompile(`"fuel":\d+`)
)

// TestGolden runs each golden command and compares its stdout and exit code,
// byte for byte, with testdata/golden. What depends on the real clock is
// masked (see wallTime); states, decisions, the order of everything and
// the fuel of simulated calls count.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, g := range goldenRuns {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			var r result
			if g.args[0] == "run" {
				r = watchbox(t, nil, append([]string{"run", "--control", "off", "--data", t.TempDir()}, g.args[1:]...)...)
			} else {
				r = watchboxShared(t, g.args...) // the determinism tests' first runs
			}
			if r.code != exitOK {
				t.Errorf("exit code %d, want 0\n%s", r.code, r)
			}
			checkGolden(t, g.name, r)
		})
	}
}

// checkGolden compares r's stdout, byte for byte but for wall-clock
// durations, with testdata/golden/name, or with -update rewrites the file.
// Tests of timelines use it rather than looking for lines in them: a
// golden file shows every change, in order, and -update makes a change on
// purpose one command.
func checkGolden(t *testing.T, name string, r result) {
	t.Helper()
	got := masked(r)
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("watchbox %v differs from %s (rerun with -update if the change is on purpose):\n%s%s", r.args, path, lineDiff(string(want), string(got)), rerunVerdict(t, r, want))
	}
}

// masked is r's stdout as a golden file holds it: what depends on the
// real clock masked (see wallTime).
func masked(r result) []byte {
	got := wallTime.ReplaceAll([]byte(r.stdout), []byte(`"duration_ns":0`))
	if len(r.args) > 0 && r.args[0] == "run" {
		got = liveFuel.ReplaceAll(got, []byte(`"fuel":0`))
	}
	return got
}

// rerunVerdict runs a simulate command whose output differed from its
// golden file once more and says which of the two the second run agrees
// with: a run on the virtual clock depends only on its inputs, so a second
// run that matches the golden file means the first was not deterministic,
// which is a bug to find, not a golden file to update. Commands on the
// real clock (run) are not rerun.
func rerunVerdict(t *testing.T, r result, want []byte) string {
	t.Helper()
	if len(r.args) == 0 || r.args[0] != "simulate" {
		return ""
	}
	got, first := masked(watchbox(t, nil, r.args...)), masked(r)
	switch {
	case bytes.Equal(got, want):
		return "\nA second run matched the golden file: the first run was NOT DETERMINISTIC (same inputs, different output). Do not update the golden file; find the cause."
	case bytes.Equal(got, first):
		return "\nA second run gave the same output as the first: the change is reproducible."
	}
	return "\nA second run differed from both the golden file and the first run: the output is NOT DETERMINISTIC. The second against the first:\n" + lineDiff(string(first), string(got))
}

// lineDiff shows the first lines where want and got part, with a little
// context, so that a failing golden comparison points at the change.
func lineDiff(want, got string) string {
	w, g := splitLines(want), splitLines(got)
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	var b bytes.Buffer
	for j := max(0, i-2); j < i; j++ {
		b.WriteString("  " + w[j] + "\n")
	}
	for j := i; j < min(len(w), i+5); j++ {
		b.WriteString("- " + w[j] + "\n")
	}
	for j := i; j < min(len(g), i+5); j++ {
		b.WriteString("+ " + g[j] + "\n")
	}
	b.WriteString("(" + itoa(len(w)) + " lines wanted, " + itoa(len(g)) + " got; first difference at line " + itoa(i+1) + ")")
	return b.String()
}

func splitLines(s string) []string {
	lines := bytes.Split([]byte(s), []byte("\n"))
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = string(l)
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestGoldenTrace: simulate --trace writes the refresh scenario as Chrome
// trace-event JSON that parses, whose spans nest per track and whose async
// spans close, byte for byte as testdata/golden/simulate-refresh.trace.json
// (the virtual clock makes it exact); run --trace's (on the real clock)
// parses and checks too.
func TestGoldenTrace(t *testing.T) {
	t.Parallel()
	t.Run("simulate", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(t.TempDir(), "refresh.trace.json")
		r := watchbox(t, nil, "simulate", "--trace", file, "tests/scenarios/refresh.scenario")
		if r.code != exitOK {
			t.Fatalf("exit code %d, want 0\n%s", r.code, r)
		}
		b := checkTrace(t, file)
		checkGolden(t, "simulate-refresh.trace.json", result{stdout: string(b)})
	})
	// The workout scenario's sessions (workout, location, audio) are
	// async spans from start to end (issue 14).
	t.Run("simulate-workout", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(t.TempDir(), "workout.trace.json")
		r := watchbox(t, nil, "simulate", "--trace", file, "tests/scenarios/workout.scenario")
		if r.code != exitOK {
			t.Fatalf("exit code %d, want 0\n%s", r.code, r)
		}
		b := checkTrace(t, file)
		if !strings.Contains(string(b), `"cat":"session"`) {
			t.Error("the workout trace has no session span")
		}
		checkGolden(t, "simulate-workout.trace.json", result{stdout: string(b)})
	})
	t.Run("run", func(t *testing.T) {
		t.Parallel()
		file := filepath.Join(t.TempDir(), "run.trace.json")
		r := watchbox(t, nil, "run", "--control", "off", "--data", t.TempDir(), "--trace", file, "--steps",
			"wrist-down, background, trigger application-refresh, trigger snapshot, suspend, purge, wrist-up", "apps/refresh")
		if r.code != exitOK {
			t.Fatalf("exit code %d, want 0\n%s", r.code, r)
		}
		b := checkTrace(t, file)
		for _, want := range []string{`"name":"dev.watchbox.refresh"`, `"name":"application_refresh task `, `"cat":"state"`, `"name":"fuel per call"`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("the trace has no %s", want)
			}
		}
	})
}

// checkTrace reads the trace file, parses it and checks it with
// host/trace's checker.
func checkTrace(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	events, err := trace.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := trace.Check(events); err != nil {
		t.Fatal(err)
	}
	return b
}
