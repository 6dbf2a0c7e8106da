package host

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/bundle"
)

// Tests of the system's own snapshots, forced expiry, mid-run profile
// changes, complication transfers and download latency, on the virtual
// clock (09:00 start).

func TestAppBackgroundedThenReturnToDefaultSnapshot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "Snapshot snapshot-done kept - next-info")
	must(t, a.Launch(ctx)) // the last interaction: 09:00
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, 61*time.Minute))
	equal(t, "guest", h.guestLines("chaos: "), []string{
		`chaos: task 1 snapshot (app_backgrounded) "" at 09:00:00`,
		"chaos: snapshot done 1 <nil>",
		// return_to_default_after (1 h) after the last interaction, with
		// the userInfo the last snapshot left for it
		`chaos: task 2 snapshot (return_to_default_state) "next-info" at 10:00:00`,
		"chaos: snapshot done 2 <nil>",
	})
	if got := decisionsWith(*ds, "snapshot.system"); len(got) != 2 {
		t.Errorf("system snapshot decisions = %q", got)
	}
	if a.State() != abi.StateSuspended {
		t.Errorf("state = %v, want suspended after the snapshot", a.State())
	}
}

func TestReturnToDefaultMovesWithEachInteraction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, _ := virtualChaos(t, "Snapshot snapshot-done kept -")
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, 30*time.Minute))
	must(t, a.Launch(ctx)) // 09:30: the user is back
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, 2*time.Hour))
	equal(t, "guest", h.guestLines("chaos: task"), []string{
		`chaos: task 1 snapshot (app_backgrounded) "" at 09:00:00`,
		`chaos: task 2 snapshot (app_backgrounded) "" at 09:30:00`,
		`chaos: task 3 snapshot (return_to_default_state) "" at 10:30:00`,
	})
}

func TestRestoredDefaultStateCancelsReturnToDefault(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "Snapshot snapshot-done restored -")
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, 2*time.Hour))
	equal(t, "guest", h.guestLines("chaos: task"), []string{`chaos: task 1 snapshot (app_backgrounded) "" at 09:00:00`})
	if got := decisionsWith(*ds, "snapshot.default_restored"); len(got) != 1 {
		t.Errorf("default-restored decisions = %q", got)
	}
}

func TestSnapshotExpirationSchedulesTheNext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "Snapshot snapshot-done restored 20m")
	a.Complication().SetActive(true)
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, 25*time.Minute))
	equal(t, "guest", h.guestLines("chaos: task"), []string{
		`chaos: task 1 snapshot (app_backgrounded) "" at 09:00:00`,
		`chaos: task 2 snapshot (app_scheduled) "" at 09:20:01`, // dates round up to a whole second
	})
	if got := decisionsWith(*ds, "snapshot.scheduled"); len(got) != 1 || !strings.Contains(got[0], "09:20:01") {
		t.Errorf("scheduled decisions = %q", got)
	}
}

func TestDistantFutureTurnsAutomaticSnapshotsOff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "Snapshot snapshot-done kept distant")
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, 2*time.Hour))
	equal(t, "guest", h.guestLines("chaos: task"), []string{`chaos: task 1 snapshot (app_backgrounded) "" at 09:00:00`})
	off := decisionsWith(*ds, "snapshot.automatic_off")
	if len(off) != 2 || !strings.Contains(off[0], "turned off") || !strings.Contains(off[1], "(app_backgrounded) not taken") {
		t.Errorf("automatic-off decisions = %q", off)
	}
	// A trigger still delivers one, and a real expiration turns them on.
	setMode(t, a, "Snapshot snapshot-done kept 1h")
	must(t, a.Tasks().Snapshot(ctx, abi.SnapshotPrelaunch))
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	lines := h.guestLines("chaos: task")
	equal(t, "after the trigger", lines[1:], []string{
		`chaos: task 2 snapshot (prelaunch) "" at 11:00:00`,
		`chaos: task 3 snapshot (app_backgrounded) "" at 11:00:00`,
	})
}

func TestTasksOfAnAppWithoutHandlerAreCompletedByTheSystem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var ds []Decision
	h := newHarness(t, Config{Virtual: true, Start: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		OnDecision: func(d Decision) { ds = append(ds, d) }})
	a := h.load(t, helloDir)
	must(t, a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, nil))
	must(t, h.rt.RunFor(ctx, time.Minute))
	if got := decisionsWith(ds, "task.unhandled"); len(got) != 1 || !strings.Contains(got[0], "no background task handler") {
		t.Errorf("unhandled decisions = %q", got)
	}
	if a.Crashes().Count() != 0 || a.State() != abi.StateSuspended {
		t.Errorf("crashes %d, state %v: want no kill, suspended", a.Crashes().Count(), a.State())
	}
}

func TestExpireCallsTheHandlerThenKills(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t)
	if err := a.Tasks().Expire(ctx, 0); !errors.Is(err, ErrNoOpenTask) {
		t.Errorf("Expire with no task = %v, want ErrNoOpenTask", err)
	}
	must(t, a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, nil))
	must(t, h.rt.RunFor(ctx, 5*time.Second))
	must(t, a.Tasks().Expire(ctx, 0))
	must(t, h.rt.RunFor(ctx, 3*time.Second))
	equal(t, "guest", h.guestLines("chaos: task"), []string{
		`chaos: task 1 application_refresh "" at 09:00:00`,
		"chaos: task 1 will expire at 09:00:05",
	})
	kills := decisionsWith(*ds, "task.deadline")
	if len(kills) != 1 || !strings.Contains(kills[0], "forced expiry at 09:00:07") || !strings.Contains(kills[0], "0x2182bad2") {
		t.Errorf("kill decisions = %q", kills)
	}
	if a.Crashes().Count() != 1 || a.State() != abi.StateNotRunning {
		t.Errorf("crashes %d, state %v", a.Crashes().Count(), a.State())
	}

	// An app that completes in its expiration handler lives on.
	setMode(t, a, "Expire complete")
	must(t, a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, nil))
	must(t, a.Tasks().Expire(ctx, 0))
	must(t, h.rt.RunFor(ctx, 20*time.Second))
	if a.Crashes().Count() != 1 {
		t.Errorf("crashes = %d after completing in the handler, want still 1", a.Crashes().Count())
	}
}

// TestUncompletedSnapshotKillIsNamedSnapshot: the kill of a snapshot task
// left open says "snapshot task", not "refresh task".
func TestUncompletedSnapshotKillIsNamedSnapshot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "Snapshot nothing")
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx)) // the system's app_backgrounded snapshot, never completed
	must(t, h.rt.RunFor(ctx, time.Minute))
	kills := decisionsWith(*ds, "task.deadline")
	if len(kills) != 1 || !strings.Contains(kills[0], "killed: snapshot task not completed in time") {
		t.Errorf("kill decisions = %q, want one that names the snapshot task", kills)
	}
}

// TestCompletionSnapshotReplacesThePendingSnapshotRequest: completing a
// task with a snapshot replaces a pending scheduleSnapshotRefresh request,
// and the snapshot arrives as a snapshot task with reason app_scheduled
// (Apple's setTaskCompletedWithSnapshot; issue 14, model item 1).
func TestCompletionSnapshotReplacesThePendingSnapshotRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "DidEnterBackground schedule-snapshot 30m", "Tasks complete-snapshot", "Snapshot complete")
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx)) // the scheduled snapshot is pending for 09:30
	must(t, h.rt.RunFor(ctx, 5*time.Minute))
	must(t, a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, []byte("work"))) // completed with a snapshot
	must(t, h.rt.RunFor(ctx, 50*time.Minute))                                   // past 09:30; before the return to the default state
	var snaps []string
	for _, l := range h.guestLines("chaos: task ") {
		if strings.Contains(l, " snapshot ") {
			snaps = append(snaps, l)
		}
	}
	// The app_backgrounded snapshot, then the completion's, at once; the
	// request for 09:30 is gone.
	equal(t, "snapshot tasks", snaps, []string{
		`chaos: task 1 snapshot (app_backgrounded) "" at 09:00:00`,
		`chaos: task 3 snapshot (app_scheduled) "" at 09:05:00`,
	})
	if got := decisionsWith(*ds, "snapshot.completion_replaces"); len(got) != 1 || !strings.Contains(got[0], "replaced by the snapshot asked for on task completion") {
		t.Errorf("replaced = %q, want the pending request replaced once", got)
	}
}

// TestComplicationUpdateIsFollowedByASnapshot: an app's own complication
// update in the background is followed by a complication_update snapshot
// task, once for the call; a frontmost app that updates its complication
// gets no snapshot task (rule snapshot.frontmost; issue 14, model item 5).
func TestComplicationUpdateIsFollowedByASnapshot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "DidBecomeActive complication 18°C", "Tasks complication 19°C", "Tasks complication 20°C", "Tasks complete")
	must(t, a.Launch(ctx))                 // frontmost: no snapshot
	must(t, h.rt.RunFor(ctx, time.Minute)) // while it is active
	must(t, a.EnterBackground(ctx))
	must(t, a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, nil)) // two updates in one call: one snapshot
	must(t, h.rt.RunFor(ctx, time.Minute))
	var snaps []string
	for _, l := range h.guestLines("chaos: task ") {
		if strings.Contains(l, "complication_update") {
			snaps = append(snaps, l)
		}
	}
	equal(t, "complication_update snapshot tasks", snaps, []string{`chaos: task 3 snapshot (complication_update) at 09:01:00`})
	if got := decisionsWith(*ds, "snapshot.frontmost"); len(got) != 1 || !strings.Contains(got[0], "complicationUpdate") {
		t.Errorf("frontmost decisions = %q, want the update while active refused once", got)
	}
}

// TestBackgroundPushNeedsTheRemoteNotificationMode: watchOS delivers a
// content-available push only to an app that declares the
// remote-notification background mode; without it the push is refused
// with a decision that says why, and the app is not launched (rule
// background_push.no_mode, issue 14 model item 2).
func TestBackgroundPushNeedsTheRemoteNotificationMode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var ds []Decision
	var mu sync.Mutex
	h := newHarness(t, Config{Virtual: true, Start: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		OnDecision: func(d Decision) { mu.Lock(); ds = append(ds, d); mu.Unlock() }})
	a := h.load(t, helloDir) // declares no background mode
	must(t, a.Notifications().Push(ctx, parsePush(t, `{"aps":{"content-available":1}}`)))
	must(t, h.rt.RunFor(ctx, time.Minute))
	if a.Launches() != 0 {
		t.Errorf("launches = %d: the push woke an app without the mode", a.Launches())
	}
	mu.Lock()
	defer mu.Unlock()
	got := decisionsWith(ds, "background_push.no_mode")
	if len(got) != 1 || !strings.Contains(got[0], "remote-notification") || !strings.Contains(got[0], "WKBackgroundModes") {
		t.Errorf("decisions = %q, want one refusal naming the mode", got)
	}
	if run := decisionsWith(ds, "background_push.run"); len(run) != 0 {
		t.Errorf("the push ran: %q", run)
	}
}

// TestUncompletedTaskKillNamesItsKind: the kill of any background task
// left open at its deadline names the task's own kind (a Bluetooth alert,
// a watch-connectivity task), never "refresh task" (issue 14).
func TestUncompletedTaskKillNamesItsKind(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		do   func(ctx context.Context, a *App) error
		want string
	}{
		{"bluetooth alert", func(ctx context.Context, a *App) error { return a.Bluetooth().Alert(ctx, "cuff") },
			"killed: Bluetooth alert task not completed in time"},
		{"watch connectivity", func(ctx context.Context, a *App) error {
			return a.Phone().Deliver(ctx, PhoneUserInfo, []byte(`{"u":1}`))
		},
			"killed: watch connectivity task not completed in time"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			h, a, ds := virtualChaos(t) // no "Tasks" line: tasks stay open
			must(t, a.Launch(ctx))
			must(t, a.EnterBackground(ctx))
			must(t, c.do(ctx, a))
			must(t, h.rt.RunFor(ctx, 20*time.Minute))
			kills := decisionsWith(*ds, "task.deadline")
			if len(kills) != 1 || !strings.Contains(kills[0], c.want) {
				t.Errorf("kill decisions = %q, want one saying %q", kills, c.want)
			}
		})
	}
}

func TestSetChangesTheBudgetMidRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// No complication: 1 refresh an hour, one asked for every 10 minutes.
	h, a, ds := virtualChaos(t, "DidFinishLaunching schedule 10m", "Tasks complete", "Tasks schedule 10m")
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, 90*time.Minute))
	if err := h.rt.Set("refreshes_per_hour_no_complication", "many"); err == nil || !strings.Contains(err.Error(), "not a whole number") {
		t.Errorf("Set with a bad value = %v", err)
	}
	if err := h.rt.Set("refreshs_per_hour", "6"); err == nil || !strings.Contains(err.Error(), "unknown profile key") {
		t.Errorf("Set with a bad key = %v", err)
	}
	must(t, h.rt.Set("refreshes_per_hour_no_complication", "6"))
	must(t, h.rt.RunFor(ctx, 90*time.Minute))
	var ran []string
	for _, l := range h.guestLines("chaos: task ") {
		ran = append(ran, l[len(l)-8:])
	}
	// 1 an hour until 10:30; then the refresh delayed to 11:10:01 runs and
	// the next ones every 10 minutes.
	equal(t, "refresh times", ran, []string{"09:10:01", "10:10:01", "11:10:01", "11:20:02", "11:30:03", "11:40:04", "11:50:05"})
	if got := decisionsWith(*ds, "profile.set"); len(got) != 1 || !strings.Contains(got[0], "refreshes_per_hour_no_complication changed to 6") {
		t.Errorf("set decisions = %q", got)
	}
}

func TestComplicationTransfersWakeTheAppWithinTheDailyBudget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "Tasks complete")
	must(t, h.rt.Set("complication_transfers_per_day", "2"))
	a.Complication().SetActive(true)
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	for _, p := range []string{`{"t":1}`, `{"t":2}`, `{"t":3}`} {
		must(t, a.Phone().Deliver(ctx, PhoneComplication, []byte(p)))
	}
	a.Complication().SetActive(false)
	must(t, a.Phone().Deliver(ctx, PhoneComplication, []byte(`{"t":4}`)))
	must(t, h.rt.RunFor(ctx, 15*time.Minute))
	equal(t, "guest", h.guestLines("chaos: user info"), []string{
		`chaos: user info {"t":1} at 09:00:00`, // at once: within budget
		`chaos: user info {"t":2} at 09:00:00`,
		`chaos: user info {"t":3} at 09:10:00`, // budget spent: ordinary user info
		`chaos: user info {"t":4} at 09:10:00`, // not on the active face
	})
	if got := decisionsWith(*ds, "complication_transfer.run"); len(got) != 2 || !strings.Contains(got[1], "2 of 2 in the rolling 24 h used") {
		t.Errorf("run decisions = %q", got)
	}
	if len(decisionsWith(*ds, "complication_transfer.daily_budget")) != 1 || len(decisionsWith(*ds, "complication_transfer.inactive_face")) != 1 {
		t.Errorf("decisions = %v", *ds)
	}
}

func TestDownloadLatencyOnTheVirtualClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, Config{Virtual: true, Start: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		HTTPClient: &http.Client{Transport: routes{"/slow": "late", "/fast": "early"}},
		Latency: func(u string) time.Duration {
			if strings.HasSuffix(u, "/slow") {
				return 30 * time.Second
			}
			return 0
		}})
	a := chaos(t, h,
		"DidFinishLaunching download s1 https://weather.example/slow",
		"DidFinishLaunching download f1 https://weather.example/fast",
		"Tasks complete")
	must(t, a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, nil))
	must(t, h.rt.RunFor(ctx, time.Minute))
	var got []string
	for _, l := range h.guestLines("chaos: task") {
		if strings.Contains(l, "url_session") {
			got = append(got, l)
		}
	}
	equal(t, "downloads", got, []string{
		`chaos: task 2 url_session f1 status 200 file "/Downloads/f1" "early" error ""`,
		`chaos: task 3 url_session s1 status 200 file "/Downloads/s1" "late" error ""`,
	})
}

func TestWaitingPhoneDataArrivesWhenTheAppOpens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "Tasks complete")
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, a.Phone().Deliver(ctx, PhoneUserInfo, []byte(`{"u":1}`))) // due by 09:10
	must(t, h.rt.RunFor(ctx, 3*time.Minute))
	must(t, a.Launch(ctx))
	must(t, h.rt.RunFor(ctx, 20*time.Minute))
	equal(t, "guest", h.guestLines("chaos: user info"), []string{`chaos: user info {"u":1} at 09:03:00`})
	if got := decisionsWith(*ds, "data_delivery.frontmost"); len(got) != 1 || !strings.Contains(got[0], "1 phone item(s) waiting delivered now") {
		t.Errorf("decisions = %q", got)
	}
}

func TestOpeningAnAppBackgroundsTheFrontmostOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, _ := virtualChaos(t, "Tasks complete")
	b := h.load(t, helloDir)
	must(t, a.Launch(ctx))
	must(t, b.Launch(ctx))
	if a.State() != abi.StateBackground || b.State() != abi.StateActive {
		t.Errorf("states after opening hello: chaos %v, hello %v; want background, active", a.State(), b.State())
	}
	must(t, a.Notifications().Push(ctx, parsePush(t, `{"aps":{"alert":{"title":"Yo"}}}`)))
	must(t, a.Notifications().Tap(ctx, "", ""))
	if a.State() != abi.StateActive || b.State() != abi.StateBackground {
		t.Errorf("states after the tap: chaos %v, hello %v; want active, background", a.State(), b.State())
	}
	must(t, b.Notifications().Push(ctx, parsePush(t, `{"aps":{"alert":{"title":"Hi"}}}`)))
	if err := b.Notifications().Tap(ctx, "", ""); err != nil {
		t.Errorf("tapping hello's notification: %v", err)
	}
	if err := b.Notifications().Tap(ctx, "", ""); err == nil || !strings.Contains(err.Error(), "has no delivered notification to tap") {
		t.Errorf("a tap with nothing delivered = %v", err)
	}
}

// TestSlowDownloadDoesNotHoldUpOtherTimers: on the real clock a download
// that waits on its server must not delay the system's other timers (here a
// notification due while the server is still answering).
func TestSlowDownloadDoesNotHoldUpOtherTimers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	release := make(chan struct{})
	h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1,
		HTTPClient: &http.Client{Transport: slowRoute{release}}})
	a := chaos(t, h, "DidFinishLaunching download s1 https://weather.example/slow", "DidFinishLaunching notify n1 1500ms", "Tasks complete")
	must(t, a.Launch(ctx))
	deadline := time.Now().Add(10 * time.Second)
	for len(h.guestLines("chaos: present n1")) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if len(h.guestLines("chaos: present n1")) == 0 {
		t.Fatal("the notification due at 1.5 s was not presented while the download's server was still answering")
	}
	close(release)
	for len(h.guestLines("chaos: task")) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	equal(t, "download", h.guestLines("chaos: task"), []string{`chaos: task 1 url_session s1 status 200 file "/Downloads/s1" "at last" error ""`})
}

// slowRoute answers once release is closed.
type slowRoute struct{ release chan struct{} }

func (s slowRoute) RoundTrip(r *http.Request) (*http.Response, error) {
	<-s.release
	return (routes{"/slow": "at last"}).RoundTrip(r)
}

func TestAppReadsItsManifestSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1})
	b, err := bundle.Open(chaosDir)
	if err != nil {
		t.Fatal(err)
	}
	wasm, info, err := b.Wasm(ctx, bundle.BuildOptions{CacheDir: filepath.Join(testCache, "build")})
	if err != nil {
		t.Fatal(err)
	}
	m := b.Manifest
	m.Settings = []byte(`{"serverURL":"https://example.com"}`)
	a, err := h.rt.load(ctx, chaosDir, info.Path, m, bundle.NewModule(info.Path, wasm))
	if err != nil {
		t.Fatal(err)
	}
	setMode(t, a, "DidFinishLaunching settings")
	must(t, a.Launch(ctx))
	equal(t, "guest", h.guestLines("chaos: settings"), []string{`chaos: settings {"serverURL":"https://example.com"} <nil>`})
}

func TestRepeatingCalendarNotification(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, `DidFinishLaunching notify-cal standup {"hour":9,"minute":30} repeat`,
		`DidFinishLaunching notify-cal once {"weekday":3,"hour":7} `, `DidFinishLaunching notify-cal never {"month":2,"day":30}`)
	must(t, a.Launch(ctx)) // Monday 2026-06-01 09:00
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, 48*time.Hour))
	equal(t, "guest", h.guestLines("chaos: notify"), []string{
		"chaos: notify standup: <nil>", "chaos: notify once: <nil>",
		`chaos: notify never: watch: schedule_notification: notification "never": the calendar components {"day":30,"month":2} never match a date (bad_argument)`,
	})
	var presented []string
	for _, d := range *ds {
		if d.Rule == "notification.presented" {
			presented = append(presented, d.Time.Format("01-02 15:04")+" "+strings.Fields(d.Reason)[1])
		}
	}
	equal(t, "presented", presented, []string{"06-01 09:30 standup", "06-02 07:00 once", "06-02 09:30 standup"})
	if got := decisionsWith(*ds, "notification.scheduled"); len(got) != 2 || !strings.Contains(got[0], "repeating whenever the calendar matches") ||
		!strings.Contains(got[1], "scheduled for 2026-06-02 07:00:00") {
		t.Errorf("scheduled decisions = %q", got)
	}
}

func TestSendToPhone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, `DidFinishLaunching send {"read":2}`)
	must(t, a.Launch(ctx))
	equal(t, "guest", h.guestLines("chaos: send"), []string{"chaos: send <nil>"})
	if got := a.Phone().Received(); len(got) != 1 || string(got[0]) != `{"read":2}` {
		t.Errorf("SentToPhone() = %q", got)
	}
	if got := decisionsWith(*ds, "phone.received"); len(got) != 1 || !strings.Contains(got[0], `the phone received 10 bytes: {"read":2}`) {
		t.Errorf("decisions = %q", got)
	}
}

// TestOnlyOneFrontmostUnderConcurrentLaunches: launches that race still
// leave one app frontmost, and one app's cancelled request does not
// interrupt the app it sends to the background.
func TestOnlyOneFrontmostUnderConcurrentLaunches(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{FrontmostTimeout: -1, SuspendDelay: -1})
	apps := []*App{h.load(t, helloDir), h.load(t, "../apps/refresh"), chaos(t, h)}
	for round := 0; round < 5; round++ {
		var wg sync.WaitGroup
		for _, a := range apps {
			wg.Add(1)
			go func() { defer wg.Done(); must(t, a.Launch(context.Background())) }()
		}
		wg.Wait()
		front := 0
		for _, a := range apps {
			if s := a.State(); s == abi.StateActive || s == abi.StateInactive {
				front++
			}
		}
		if front != 1 {
			t.Fatalf("round %d: %d apps frontmost, want 1", round, front)
		}
	}

	// The opener's request is cancelled: that must not interrupt the
	// frontmost app's leaving calls.
	must(t, apps[2].Launch(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	apps[0].Launch(ctx)
	if apps[2].Crashes().Count() != 0 || apps[2].State() != abi.StateBackground {
		t.Errorf("the app sent to the background: %v, %d crash(es); want background, none (the opener's context ended)", apps[2].State(), apps[2].Crashes().Count())
	}
}

func TestOversizedPhoneDataIsRefused(t *testing.T) {
	t.Parallel()
	_, a, _ := virtualChaos(t)
	err := a.Phone().Deliver(context.Background(), PhoneUserInfo, make([]byte, 70<<10))
	if err == nil || !strings.Contains(err.Error(), "is 71680 bytes; at most 64488 fit in one event") {
		t.Errorf("Phone with 70 KiB = %v", err)
	}
	err = a.Tasks().Force(context.Background(), ForcedTask{Kind: abi.TaskApplicationRefresh, UserInfo: make([]byte, 70<<10)})
	if err == nil || !strings.Contains(err.Error(), "fit in one event") {
		t.Errorf("TriggerTask with 70 KiB of userInfo = %v", err)
	}
}
