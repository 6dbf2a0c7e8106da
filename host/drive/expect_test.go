package drive

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
	"github.com/watchbox/watchbox/host/scenario"
)

// record returns a Record of a made-up run of dev.watchbox.weather from
// 07:00: a refresh delivered at 07:30:01 and completed, a snapshot
// delivered at 08:00 that the system completed, a budget decision at
// 09:10, suspension at 07:40, and a trap at 10:00.
func record(t *testing.T) *Record {
	t.Helper()
	at := func(h, m, s int) time.Time { return time.Date(2026, 6, 1, h, m, s, 0, time.UTC) }
	const id = "dev.watchbox.weather"
	r := &Record{}
	var now time.Time
	logs := r.Logs(func() time.Time { return now })
	state := func(t time.Time, to string) {
		now = t
		logs.Write([]byte(`{"level":"info","app":"` + id + `","from":"x","to":"` + to + `","message":"state"}`))
	}
	state(at(7, 0, 0), "active")
	state(at(7, 1, 0), "background")
	// Completed during its call: the decision comes before the call.
	r.Decision(host.Decision{Time: at(7, 30, 1).Add(time.Millisecond), App: id, Kind: "task", Verdict: "completed", Rule: "task.completed",
		Reason: "application_refresh task 3 completed after 1ms (snapshot: false)"})
	r.Call(host.Call{App: id, Time: at(7, 30, 1), Event: abi.EventBackgroundTasks, State: abi.StateBackground})
	state(at(7, 40, 0), "suspended")
	r.Call(host.Call{App: id, Time: at(8, 0, 0), Event: abi.EventBackgroundTasks, Status: abi.StatusUnhandled, State: abi.StateBackground})
	r.Decision(host.Decision{Time: at(8, 0, 0), App: id, Kind: "task", Verdict: "completed", Rule: "task.unhandled",
		Reason: "snapshot task 4 completed by the system: the app has no background task handler"})
	r.Decision(host.Decision{Time: at(9, 10, 0), App: id, Kind: "refresh", Verdict: "delay", Rule: "refresh.hourly_budget",
		Reason: "refresh delayed to 10:00: 4 of 4 this hour used"})
	r.Call(host.Call{App: id, Time: at(10, 0, 0), Event: abi.EventBackgroundTasks, Crash: "unreachable", Termination: host.TerminationTrap})
	state(at(10, 0, 0), "not_running")
	return r
}

// check parses expect lines for an app weather and checks each against
// the made-up run; files are read from container.
func check(t *testing.T, container string, lines ...string) []Outcome {
	t.Helper()
	src := "start 2026-06-01T07:00:00Z\nduration 6h\napp weather w\n" + strings.Join(lines, "\n") + "\n"
	sc, err := scenario.Parse(filepath.Join(t.TempDir(), "s.scenario"), []byte(src), scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := Checker{Record: record(t), Start: sc.Start, End: sc.End(),
		Apps: map[string]AppRef{"weather": {ID: "dev.watchbox.weather", Container: container}}}
	var out []Outcome
	for _, e := range sc.Expects {
		out = append(out, c.Check(e))
	}
	return out
}

// TestCheck checks each kind of expectation against a made-up run, both
// ways: the ones that hold pass and say what matched, the ones that do
// not fail and say what happened nearby.
func TestCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "Documents"), 0o755)
	os.WriteFile(filepath.Join(dir, "Documents", "last.json"), []byte(`{"temp": 21, "city": "Oslo", "days": [1, 2]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "note.txt"), []byte("hi\n"), 0o644)
	tests := []struct {
		line string
		pass bool
		got  string // a part of Got
	}{
		{"expect weather task application-refresh", true, "07:30:01.000 application-refresh task 3"},
		{"at 07:30 expect weather task application-refresh", true, "task 3"},
		{"at 07:31 expect weather task application-refresh", false, "none; nearest: 07:30:01.000 application-refresh task 3"},
		{"between 07:00 and 07:59 expect no weather task snapshot", true, "none"},
		{"between 07:00 and 08:00 expect no weather task snapshot", false, "08:00:00.000 snapshot task 4"},
		{"at 09:00 expect weather task url-session", false, "none; no task was delivered to dev.watchbox.weather at 09:00"},
		{"expect weather task url-session", false, "no url-session task at all; other tasks in the run: 07:30:01.000 application-refresh task 3; 08:00:00.000 snapshot task 4"},
		{"expect weather decision refresh.hourly_budget", true, "refresh delayed to 10:00"},
		{"expect decision refresh.hourly_budget", true, "[refresh.hourly_budget]"},
		{"at 09:00 expect weather decision refresh.hourly_budget", false, "nearest: 09:10:00.000 dev.watchbox.weather: refresh delayed"},
		{"expect weather decision task.deadline", false, "no [task.deadline] decision at all; others in the run: "},
		{"expect no weather decision task.deadline", true, "none"},
		{"at 07:35 expect weather state background", true, "background"},
		{"at 07:39:59 expect weather state background", true, "background"},
		{"at 07:40:00 expect weather state suspended", true, "suspended"},
		{"at 07:40 expect weather state background", false, "suspended; changes nearby: 07:00:00.000 active, 07:01:00.000 background, 07:40:00.000 suspended"},
		{"between 07:20 and 07:50 expect weather state suspended", true, "background at 07:20:00.000"},
		{"between 07:50 and 09:00 expect weather state background", false, "suspended at 07:50:00.000; changes: none"},
		{"between 07:50 and 09:00 expect no weather state active", true, ""},
		{"expect weather state not-running", true, "not_running"},
		{"expect no kill", false, "10:00:00.000 dev.watchbox.weather killed in background_tasks: trap: unreachable"},
		{"between 07:00 and 09:00 expect no weather kill", true, "none"},
		{"at 11:00 expect weather kill", false, "none; nearest: 10:00:00.000"},
		{`expect weather file Documents/last.json {"temp": 21}`, true, `{"temp":21,"city":"Oslo","days":[1,2]}`},
		{`expect weather file Documents/last.json {"city": "Oslo", "days": [1, 2], "temp": 21.0}`, true, ""},
		{`expect weather file Documents/last.json {"temp": 19, "sky": "sunny"}`, false, `differs at .sky (want "sunny", missing), .temp (want 19, got 21)`},
		{`expect weather file Documents/last.json {"days": [1]}`, false, `differs at .days (want [1], got [1,2])`},
		{`expect weather file note.txt "hi\n"`, true, `"hi\n"`},
		{`expect weather file note.txt "hi"`, false, `"hi\n"`},
		{`expect weather file note.txt {}`, false, "not JSON"},
		{`expect weather file gone.json {}`, false, "no such file; the container holds: Documents/last.json, note.txt"},
		{"expect no weather file gone.json", true, "no such file"},
		{"expect no weather file note.txt", false, "it exists: hi"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			t.Parallel()
			o := check(t, dir, tt.line)[0]
			if o.Pass != tt.pass || !strings.Contains(o.Got, tt.got) || o.Want == "" {
				t.Errorf("pass %v, want %v\nwant: %s\ngot:  %s\n(looking for %q in got)", o.Pass, tt.pass, o.Want, o.Got, tt.got)
			}
		})
	}
}

// TestRecordTasks: a task is placed at the background_tasks call that
// delivered it, whether its end came during the call (completed) or after
// it (unhandled).
func TestRecordTasks(t *testing.T) {
	t.Parallel()
	ts := record(t).Tasks()
	if len(ts) != 2 {
		t.Fatalf("tasks %+v", ts)
	}
	if ts[0].Kind != abi.TaskApplicationRefresh || ts[0].ID != 3 || ts[0].Time.Format("15:04:05.000") != "07:30:01.000" || ts[0].Rule != "task.completed" {
		t.Errorf("first task %+v", ts[0])
	}
	if ts[1].Kind != abi.TaskSnapshot || ts[1].Time.Format("15:04:05") != "08:00:00" || ts[1].Rule != "task.unhandled" {
		t.Errorf("second task %+v", ts[1])
	}
}
