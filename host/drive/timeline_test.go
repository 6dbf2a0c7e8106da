package drive

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host"
)

// TestTimelineShowsWhereAPanicHappened: a failed call shows the first
// frame in the app's code; SetVerbose adds the whole stack, indented.
func TestTimelineShowsWhereAPanicHappened(t *testing.T) {
	t.Parallel()
	c := host.Call{App: "dev.example.app", Time: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), Event: abi.EventDidBecomeActive,
		Status: abi.StatusError, Message: "panic in did_become_active handler: boom", Where: "/src/app/main.go:12",
		Stack: "goroutine 1 [running]:\nmain.f()\n\t/src/app/main.go:12 +0x1\n"}
	for _, verbose := range []bool{false, true} {
		var b bytes.Buffer
		tl := NewTimeline(&b, false)
		tl.SetVerbose(verbose)
		tl.Call(c)
		out := b.String()
		if !strings.Contains(out, "panic in did_become_active handler: boom (at /src/app/main.go:12)\n") {
			t.Errorf("verbose %v: the call line does not say where:\n%s", verbose, out)
		}
		if got := strings.Contains(out, "    goroutine 1 [running]:\n    main.f()\n    \t/src/app/main.go:12 +0x1\n"); got != verbose {
			t.Errorf("verbose %v: stack printed %v:\n%s", verbose, got, out)
		}
	}
}

// TestWhyFilter: --why lists every held-back decision but the system's
// routine snapshot bookkeeping by default, and only the verdicts named
// with a filter, informational ones included (issue 14, model item 6).
func TestWhyFilter(t *testing.T) {
	t.Parallel()
	ds := []host.Decision{
		{Verdict: "delay", Rule: "refresh.hourly_budget"},
		{Verdict: "drop", Rule: "snapshot.coalesced"},
		{Verdict: "replaced", Rule: "snapshot.completion_replaces"},
		{Verdict: "drop", Rule: "snapshot.default_restored"},
		{Verdict: "kill", Rule: "task.deadline"},
		{Verdict: "run", Rule: "refresh.run"},
		{Verdict: "replaced", Rule: "refresh.one_pending"},
	}
	shown := func(list string) []string {
		f, err := ParseWhyFilter(list)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, d := range ds {
			if f.Shows(d) {
				out = append(out, d.Rule)
			}
		}
		return out
	}
	for _, c := range []struct{ list, want string }{
		{"", "refresh.hourly_budget task.deadline refresh.one_pending"},
		{"killed", "task.deadline"},
		{"delayed, replaced", "refresh.hourly_budget snapshot.completion_replaces refresh.one_pending"},
		{"all", "refresh.hourly_budget snapshot.coalesced snapshot.completion_replaces snapshot.default_restored task.deadline refresh.one_pending"},
	} {
		if got := strings.Join(shown(c.list), " "); got != c.want {
			t.Errorf("--why-verdict %q shows %s, want %s", c.list, got, c.want)
		}
	}
	if _, err := ParseWhyFilter("kiled"); err == nil || !strings.Contains(err.Error(), `did you mean "killed"`) {
		t.Errorf("a misspelt verdict: %v", err)
	}
}

// TestTimelineCallLinesAreInTimeOrder: the decisions and log lines made
// during a call come after the call's line, which carries its start time,
// and a run that crosses midnight shows the new date (issue 14, model
// item 6).
func TestTimelineCallLinesAreInTimeOrder(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	tl := NewTimeline(&b, false)
	t0 := time.Date(2026, 6, 1, 23, 59, 0, 0, time.UTC)
	tl.Action(t0, Action{Kind: Background}, "dev.a")
	tl.Decision(host.Decision{Time: t0.Add(2 * time.Millisecond), App: "dev.a", Reason: "snapshot runs", Rule: "snapshot.system"})
	tl.Log(t0.Add(time.Millisecond), "dev.a", "info", "saved")
	tl.Call(host.Call{App: "dev.a", Time: t0, Event: abi.EventDidEnterBackground, State: abi.StateBackground, Fuel: 7})
	tl.Note(t0.Add(2*time.Minute), "dev.a", "next day")
	tl.Summary(t0, t0.Add(3*time.Minute), 1, false)
	want := []string{
		"23:59:00.000  dev.a                    > background",
		"23:59:00.000  dev.a                    did_enter_background     ok         background         7 fuel",
		"23:59:00.001  dev.a                    log: saved",
		"23:59:00.002  dev.a                    system: snapshot runs [snapshot.system]",
		"── 2026-06-02 ──",
		"00:01:00.000  dev.a                    note: next day",
		"simulated 23:59:00.000 to 2026-06-02 00:02:00.000: 1 app(s), 0 failed call(s)",
	}
	if got := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
