package watchtest_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/watchtest"
)

// TestHello drives the hello sample through a launch, a wrist-down, a
// purge and a relaunch, and checks each kind of assertion on it.
func TestHello(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, "../apps/hello", watchtest.Start(time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC)))
	if app.Alias() != "hello" {
		t.Errorf("alias %q", app.Alias())
	}
	app.Launch()
	app.ExpectState(abi.StateActive)
	if got := string(app.ReadFile("launches")); got != "1\n" {
		t.Errorf("launches %q", got)
	}
	app.WristDown()
	app.Advance(5 * time.Minute)
	app.ExpectState(abi.StateSuspended)
	app.Expect("between 07:02 and 07:04 expect hello state background")
	app.Expect("at 07:02 expect hello task snapshot") // when it left the foreground
	if d := app.ExpectDecision("task.unhandled"); !strings.Contains(d.Reason, "snapshot task") {
		t.Errorf("task.unhandled decision %+v", d)
	}
	app.ExpectNoDecision("task.deadline")
	app.Purge()
	app.Launch()
	app.Expect(`expect hello file launches "2\n"`)
	app.Expect("expect no kill")
	if logs := app.Record().Logs(); len(logs) == 0 || logs[0] != "did finish launching (launch 1)" {
		t.Errorf("logs %q", logs)
	}
	var events []string
	for _, c := range app.Record().Calls() {
		events = append(events, c.EventName())
	}
	if !strings.HasPrefix(strings.Join(events, " "), "did_finish_launching will_enter_foreground did_become_active will_resign_active did_enter_background background_tasks") {
		t.Errorf("calls %v", events)
	}
}

// fakeT records what a failing assertion reports.
type fakeT struct {
	testing.TB
	errs []string
}

func (f *fakeT) Helper() {}
func (f *fakeT) Errorf(format string, args ...any) {
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

// TestFailuresSayWhatHappened: an assertion that does not hold fails the
// test with what was expected and what happened.
func TestFailuresSayWhatHappened(t *testing.T) {
	t.Parallel()
	f := &fakeT{TB: t}
	app := watchtest.New(f, "../apps/hello", watchtest.Start(time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC)))
	app.Launch()
	app.Expect("expect hello state background")
	app.Expect("expect hello task application-refresh")
	app.ExpectState(abi.StateSuspended)
	app.ExpectJSON("launches", `{"n": 1}`)
	app.WristDown()
	app.Advance(3 * time.Minute)
	app.ExpectNoDecision("snapshot.system")
	want := []string{
		"expect hello state background\n  want: dev.watchbox.hello background at 07:00:00.004 (the end of the run)\n  got:  active; changes nearby: 07:00:00.004 inactive, 07:00:00.004 active",
		"expect hello task application-refresh\n  want: application-refresh task delivered to dev.watchbox.hello in the run\n  got:  none; no task was delivered to dev.watchbox.hello in the run",
		"dev.watchbox.hello is active at 07:00:00.004, want suspended",
		"dev.watchbox.hello's file launches does not match\n  want: {\"n\": 1}\n  got:  1\n  differs at the top (want {\"n\":1}, got 1)",
		"want no decision [snapshot.system] about dev.watchbox.hello, got 1:\n07:02:00.004 snapshot (appBackgrounded) runs at 07:02:00.004: system snapshots are not charged to the snapshot budget",
	}
	if len(f.errs) != len(want) {
		t.Fatalf("%d errors, want %d:\n%s", len(f.errs), len(want), strings.Join(f.errs, "\n---\n"))
	}
	for i := range want {
		if f.errs[i] != want[i] {
			t.Errorf("error %d\n got %q\nwant %q", i, f.errs[i], want[i])
		}
	}
}
