package host

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/durable"
	"github.com/watchbox/watchbox/host/internal/policy"
)

const chaosID = "dev.watchbox.test.chaos"

// crashCopy copies the state file of app id from dir into a new state
// directory, as the host left it at this instant: what a restart after a
// SIGKILL now would find (the runtime that wrote it is not closed, so
// its final save never happens).
func crashCopy(t *testing.T, dir, id string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, id+".state"))
	if err != nil {
		t.Fatalf("no state file after the calls: %v", err)
	}
	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, id+".state"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSchedulesSurviveTheHostDying: a refresh, two notifications, a
// download in flight and the budget ledger saved by a runtime that never
// closed are there in the next runtime; what came due while it was down
// is delivered at once, late, and the rest at its time.
func TestSchedulesSurviveTheHostDying(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	web := &http.Client{Transport: routes{"/forecast": "sunny"}}
	h1 := newHarness(t, Config{Virtual: true, Start: start, StateDir: t.TempDir(), HTTPClient: web})
	a := chaos(t, h1,
		"DidBecomeActive schedule 30m",
		"DidBecomeActive notify soon 10m",
		"DidBecomeActive notify later 2h",
		"DidBecomeActive notify every 1h repeat",
		"DidBecomeActive download f1 https://weather.example/forecast",
		"Tasks complete")
	must(t, a.Launch(ctx))
	// The host dies now: the download is in flight, nothing has fired.
	state := crashCopy(t, h1.rt.cfg.StateDir, chaosID)

	var ds []Decision
	h2 := newHarness(t, Config{Virtual: true, Start: start.Add(90 * time.Minute), StateDir: state, DataDir: h1.data,
		HTTPClient: web, OnDecision: func(d Decision) { ds = append(ds, d) }})
	b := h2.load(t, chaosDir) // delivers what came due at once
	must(t, h2.rt.RunFor(ctx, 3*time.Hour))
	equal(t, "tasks", h2.guestLines("chaos: task"), []string{
		`chaos: task 1 application_refresh "refresh-info" at 10:30:00`,
		`chaos: task 2 url_session f1 status 200 file "/Downloads/f1" "sunny" error ""`,
	})
	equal(t, "late", decisionsWith(ds, "state.late"), []string{
		"10:30:00 dev.watchbox.test.chaos: notification soon at 2026-06-01T09:10:00Z passed while the host was down: delivered now, 1h20m0s late [state.late]",
		"10:30:00 dev.watchbox.test.chaos: refresh due at 2026-06-01T09:30:01Z passed while the host was down: delivered now, 59m59s late [state.late]",
		"10:30:00 dev.watchbox.test.chaos: notification every at 2026-06-01T10:00:00Z passed while the host was down: delivered now, 30m0s late [state.late]",
	})
	var presented []string
	for _, d := range ds {
		if d.Rule == policy.RuleNotificationPresented {
			presented = append(presented, d.Time.Format("15:04")+" "+strings.Fields(d.Reason)[1])
		}
	}
	// "every" fires once for the repeat it missed, then every hour from
	// the restart; "later" at its own time.
	equal(t, "presented", presented, []string{"10:30 soon", "10:30 every", "11:00 later", "11:30 every", "12:30 every", "13:30 every"})
	if got := decisionsWith(ds, "url_session.started"); len(got) != 1 || !strings.Contains(got[0], "restarted after the host stopped") {
		t.Errorf("url_session.started = %q, want the download restarted", got)
	}
	// The refresh that ran in the first runtime's life is not there, but
	// the ledger of the second has its own; the ledger itself is checked
	// by TestBudgetLedgerSurvivesTheHostDying.
	if n := b.Launches(); n != 1 {
		t.Errorf("launches = %d, want 1 (the background launch for the late refresh)", n)
	}
}

// TestBudgetLedgerSurvivesTheHostDying: refreshes that ran before the
// host died still count against the hourly budget after it restarts.
func TestBudgetLedgerSurvivesTheHostDying(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	h1 := newHarness(t, Config{Virtual: true, Start: start, StateDir: t.TempDir()})
	a := chaos(t, h1, "DidEnterBackground schedule 1m", "Tasks schedule 1m", "Tasks complete")
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, h1.rt.RunFor(ctx, 20*time.Minute))
	count := func(h *harness) (n int) {
		h.rt.rules.Ask(func(p *policy.Policy) {
			n = p.Ledger.Count(chaosID, h.rt.Now(), time.Hour, policy.KindRefresh)
		})
		return n
	}
	before := count(h1)
	if before == 0 {
		t.Fatal("no refresh ran before the host died")
	}
	state := crashCopy(t, h1.rt.cfg.StateDir, chaosID)
	h2 := newHarness(t, Config{Virtual: true, Start: h1.rt.Now(), StateDir: state, DataDir: h1.data})
	h2.load(t, chaosDir)
	if after := count(h2); after < before {
		t.Errorf("refreshes in the last hour after the restart = %d, want at least the %d that ran before", after, before)
	}
}

// TestCleanCloseKeepsTheSchedules: closing the runtime (the end of a
// run) saves the schedules it takes down: the next run has them.
func TestCleanCloseKeepsTheSchedules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	h1 := newHarness(t, Config{Virtual: true, Start: start, StateDir: dir})
	a := chaos(t, h1, "DidBecomeActive notify later 2h")
	must(t, a.Launch(ctx))
	must(t, h1.rt.Close(ctx))
	var ds []Decision
	h2 := newHarness(t, Config{Virtual: true, Start: start.Add(time.Hour), StateDir: dir, DataDir: h1.data,
		OnDecision: func(d Decision) { ds = append(ds, d) }})
	h2.load(t, chaosDir)
	must(t, h2.rt.RunFor(ctx, 2*time.Hour))
	if got := decisionsWith(ds, policy.RuleNotificationPresented); len(got) != 1 || !strings.HasPrefix(got[0], "11:00:00") {
		t.Errorf("presented = %q, want the notification at 11:00", got)
	}
}

// TestBadStateFileFailsTheLoadAndIsKept: a truncated, corrupt or newer
// state file makes the load fail with an error that names the file and
// says what to do; the file is left byte for byte as it was.
func TestBadStateFileFailsTheLoadAndIsKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	good := durable.Encode([]byte(`{"app":"dev.watchbox.test.chaos"}`))
	cases := map[string]struct {
		data []byte
		want string
	}{
		"truncated": {good[:len(good)-5], "is truncated"},
		"corrupt":   {append(append([]byte{}, good[:len(good)-3]...), 'x', 'y', 'z'), "is corrupt: its checksum"},
		"newer":     {[]byte("watchbox-state v9 crc32c=00000000 len=2\n{}"), "written by a newer watchbox (format version 9"},
		"not json":  {durable.Encode([]byte("not json")), "is corrupt"},
		"other app": {durable.Encode([]byte(`{"app":"com.example.other"}`)), `belongs to app "com.example.other"`},
		"bad notification": {durable.Encode([]byte(`{"app":"dev.watchbox.test.chaos","features":{"notifications":{"pending":[{"id":""}]}}}`)),
			"notifications: a notification has no identifier"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, chaosID+".state")
			must(t, os.WriteFile(path, c.data, 0o644))
			h := newHarness(t, Config{Virtual: true, StateDir: dir})
			_, err := h.rt.Load(ctx, chaosDir)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Load error = %v, want one naming %s that says %q", err, path, c.want)
			}
			var de *durable.Error
			if name != "bad notification" && !errors.As(err, &de) {
				t.Errorf("error %T is not a *durable.Error", err)
			}
			if b, _ := os.ReadFile(path); string(b) != string(c.data) {
				t.Errorf("the state file changed: %q", b)
			}
			if len(h.rt.Apps()) != 0 {
				t.Errorf("the app is loaded despite its bad state file")
			}
		})
	}
}

// TestStateDirectoryIsOneRuntimes: while a runtime holds a state
// directory, a second one (another `watchbox run --data` on the same
// directory) is refused with an error that says what to do, instead of
// both writing the same apps' state files; once the first closes, the
// directory is free.
func TestStateDirectoryIsOneRuntimes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	h1 := newHarness(t, Config{Virtual: true, StateDir: dir})
	_, err := New(ctx, Config{Virtual: true, StateDir: dir, CacheDir: testCache, DataDir: t.TempDir()})
	if !errors.Is(err, durable.ErrLocked) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "--state") {
		t.Fatalf("second runtime on %s: err = %v, want one naming the directory and --state", dir, err)
	}
	must(t, h1.rt.Close(ctx))
	rt, err := New(ctx, Config{Virtual: true, StateDir: dir, CacheDir: testCache, DataDir: t.TempDir()})
	if err != nil {
		t.Fatalf("after the first runtime closed: %v", err)
	}
	must(t, rt.Close(ctx))
}

// TestSmartAlarmSurvivesTheHostDying (extended runtime sessions and
// state.late): a smart alarm scheduled with start(at:) for 10:00 is in the
// state file of a host that died at 09:00. A host back at 09:30 fires it
// at 10:00; one back only at 10:30 fires it at once, 30 min late, not
// lost. Either way no instance of the app owns it any more, so the app is
// launched and claims it (handle_extended_session), and it runs its 30
// min from when it started. The user's Background App Refresh setting
// comes back too. A running session is not saved (a reboot ends it).
func TestSmartAlarmSurvivesTheHostDying(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const alarmDir, alarmID = "../tests/apps/session-alarm", "dev.watchbox.test.session-alarm"
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	h1 := newHarness(t, Config{Virtual: true, Start: start, StateDir: t.TempDir()})
	a := h1.load(t, alarmDir)
	must(t, a.Launch(ctx))
	must(t, a.Phone().Deliver(ctx, PhoneUserInfo, []byte(`{"do": "start_at", "at": "2026-06-01T10:00:00Z"}`)))
	if got := h1.guestLines("session: start_at"); len(got) != 1 || !strings.Contains(got[0], "<nil>, state scheduled") {
		t.Fatalf("start_at = %q, want the alarm scheduled", got)
	}
	// The host dies now, the alarm scheduled.
	state := crashCopy(t, h1.rt.cfg.StateDir, alarmID)

	for _, tt := range []struct {
		name    string
		restart time.Time
		late    string // the state.late decision, "" for none
		until   string
		run     time.Duration
	}{
		{"back before the date", start.Add(30 * time.Minute), "", "10:30:00", 45 * time.Minute},
		{"back after the date", start.Add(90 * time.Minute),
			"10:30:00 " + alarmID + ": smart alarm at 2026-06-01T10:00:00Z passed while the host was down: delivered now, 30m0s late [state.late]", "11:00:00", 15 * time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var ds []Decision
			dir := t.TempDir()
			b, err := os.ReadFile(filepath.Join(state, alarmID+".state"))
			must(t, err)
			must(t, os.WriteFile(filepath.Join(dir, alarmID+".state"), b, 0o644))
			h2 := newHarness(t, Config{Virtual: true, Start: tt.restart, StateDir: dir, DataDir: h1.data,
				OnDecision: func(d Decision) { mu.Lock(); ds = append(ds, d); mu.Unlock() }})
			b2 := h2.load(t, alarmDir)
			if got := b2.Sessions().Status(); tt.late == "" && (len(got) != 1 || got[0] != "smart_alarm session 1 scheduled for 2026-06-01 10:00:00") {
				t.Errorf("sessions after the restore = %q, want the alarm scheduled", got)
			}
			must(t, h2.rt.RunFor(ctx, tt.run))
			var late []string
			if tt.late != "" {
				late = []string{tt.late}
			}
			equal(t, "late", decisionsWith(ds, "state.late"), late)
			fired := decisionsWith(ds, policy.RuleExtendedAlarmFired)
			if len(fired) != 1 || !strings.Contains(fired[0], "launched to claim it") {
				t.Errorf("alarm_fired = %q, want one, the app launched to claim it", fired)
			}
			equal(t, "session", h2.guestLines("session: "), []string{
				"session: claiming 1",
				"session: didStart 1 until " + tt.until,
			})
		})
	}
}

// TestBackgroundAppRefreshSettingSurvivesTheHostDying: the user turned
// Background App Refresh off for the app before the host died; after the
// restart it is still off, so a smart alarm fails to schedule with
// bar_disabled.
func TestBackgroundAppRefreshSettingSurvivesTheHostDying(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const alarmDir, alarmID = "../tests/apps/session-alarm", "dev.watchbox.test.session-alarm"
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	h1 := newHarness(t, Config{Virtual: true, Start: start, StateDir: t.TempDir()})
	h1.load(t, alarmDir).Sessions().SetBackgroundAppRefresh(false)
	state := crashCopy(t, h1.rt.cfg.StateDir, alarmID)

	h2 := newHarness(t, Config{Virtual: true, Start: start.Add(time.Hour), StateDir: state, DataDir: h1.data})
	b := h2.load(t, alarmDir)
	must(t, b.Launch(ctx))
	must(t, b.Phone().Deliver(ctx, PhoneUserInfo, []byte(`{"do": "start_at", "at": "2026-06-01T12:00:00Z"}`)))
	if got := h2.guestLines("session: start_at"); len(got) != 1 || !strings.Contains(got[0], "bar_disabled") {
		t.Errorf("start_at after the restart = %q, want bar_disabled (the setting kept)", got)
	}
}

// TestEveryChangeIsSavedAtOnce: never lost data. A run that changes the
// state of every durable feature (a refresh and a snapshot scheduled,
// local notifications by interval, calendar and repeat, one cancelled,
// the complication's data, a download in flight, held background pushes,
// open tasks and the budget ledger) checks, after each of its actions
// and after every event of the scheduler, that the app's state file holds
// what the app's state is: a host killed at any of those instants loses
// nothing. A change that a feature makes without it being saved fails
// here, whichever feature it is.
func TestEveryChangeIsSavedAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	web := &http.Client{Transport: routes{"/forecast": "sunny"}}
	h := newHarness(t, Config{Virtual: true, Start: start, StateDir: t.TempDir(), HTTPClient: web})
	a := chaos(t, h,
		"DidBecomeActive schedule 30m",
		"DidBecomeActive schedule-snapshot 45m",
		"DidBecomeActive notify soon 10m",
		"DidBecomeActive notify every 1h repeat",
		`DidBecomeActive notify-cal cal {"hour":11,"minute":30}`,
		"DidBecomeActive notify gone 3h",
		"DidBecomeActive cancel gone",
		"DidBecomeActive complication c1",
		"DidBecomeActive download f1 https://weather.example/forecast",
		"Tasks schedule 20m",
		"Tasks complication c2",
		"Tasks complete",
		"Snapshot complete",
		"Phone complete")
	checks := 0
	saved := func(when string) {
		t.Helper()
		a.sys.Lock()
		unsaved, err := a.sys.Store.Unsaved()
		a.sys.Unlock()
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if unsaved {
			t.Fatalf("%s (%s): the app's state differs from its state file; a host killed now would lose it", when, h.rt.Now().UTC().Format("15:04:05"))
		}
		checks++
	}
	step := func(what string, err error) {
		t.Helper()
		must(t, err)
		saved(what)
	}
	step("launch", a.Launch(ctx))
	step("wrist down", a.WristDown(ctx))
	step("background", a.EnterBackground(ctx))
	for i := 1; i <= 3; i++ {
		step("background push", a.Notifications().Push(ctx, parsePush(t, fmt.Sprintf(`{"aps":{"content-available":1},"n":%d}`, i))))
	}
	step("phone data", a.Phone().Deliver(ctx, PhoneUserInfo, []byte("hi")))
	step("forced refresh", a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, nil))
	events := 0
	for h.rt.Now().Before(start.Add(6 * time.Hour)) {
		if !h.rt.sched.Step() {
			break
		}
		events++
		saved(fmt.Sprintf("after scheduler event %d", events))
	}
	step("launch again", a.Launch(ctx))
	step("tap", a.Notifications().Tap(ctx, "", DefaultAction))
	step("purge", a.Purge(ctx))
	t.Logf("%d scheduler events, %d checks", events, checks)
	if events < 10 {
		t.Errorf("only %d scheduler events in 6 h: the run exercised too little to prove anything", events)
	}
	// Every durable feature had something to save at some point.
	b, err := os.ReadFile(filepath.Join(h.rt.cfg.StateDir, chaosID+".state"))
	must(t, err)
	for _, part := range []string{`"ledger"`, `"notifications"`, `"tasks"`, `"snapshots"`} {
		if !strings.Contains(string(b), part) {
			t.Errorf("the final state file has no %s part: the run did not exercise it", part)
		}
	}
}
