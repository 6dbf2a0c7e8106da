package tests

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/watchtest"
)

// Tests of extended runtime sessions (WKExtendedRuntimeSession), one per
// rule, each named by its rule id, on the virtual clock. The guests are
// the session-* test apps (package tests/apps/sessionlib under manifests
// of each mode), driven by commands sent as phone user info: a frontmost
// app gets them at once.

var t0 = time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC)

// session starts the session test app of mode at 07:00, launched.
func session(t *testing.T, mode string, opts ...watchtest.Option) *watchtest.App {
	t.Helper()
	app := watchtest.New(t, sessionBundle(t, mode), append([]watchtest.Option{watchtest.Start(t0), watchtest.CacheDir(testCache)}, opts...)...)
	app.Launch()
	return app
}

// sessionModes are the session-* test apps, by mode.
var sessionModes = []string{"alarm", "mindfulness", "none", "optin", "physical-therapy"}

// sessionBundles builds the session apps once per test binary. Their
// main.go files are one file (TestSessionAppsShareOneSource), so the five
// go builds, meterings and compilations would make five modules that
// differ only in their package paths: the source is built once, from
// apps/session-none, and each app becomes a bundle in a temporary
// directory with the app's own manifest and the one module.
var sessionBundles = sync.OnceValues(func() (string, error) {
	wasm, _, err := bundle.Build(context.Background(), "apps/session-none", bundle.BuildOptions{CacheDir: filepath.Join(testCache, "build")})
	if err != nil {
		return "", err
	}
	root := filepath.Join(runtimeDir, "session-bundles")
	for _, mode := range sessionModes {
		dir := filepath.Join(root, "session-"+mode)
		manifest, err := os.ReadFile(filepath.Join("apps", "session-"+mode, "watchapp.json"))
		if err != nil {
			return "", err
		}
		prebuilt := strings.Replace(string(manifest), `"source": "."`, `"module": "app.wasm"`, 1)
		if prebuilt == string(manifest) {
			return "", fmt.Errorf("apps/session-%s/watchapp.json has no \"source\": \".\"", mode)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, "watchapp.json"), []byte(prebuilt), 0o644); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, "app.wasm"), wasm, 0o644); err != nil {
			return "", err
		}
	}
	return root, nil
})

// sessionBundle returns the bundle directory of the session app of mode,
// built from the shared source (see sessionBundles).
func sessionBundle(t *testing.T, mode string) string {
	t.Helper()
	root, err := sessionBundles()
	if err != nil {
		t.Fatalf("building the session apps: %v", err)
	}
	return filepath.Join(root, "session-"+mode)
}

// TestSessionAppsShareOneSource: the session apps' main.go files are
// byte for byte the same, so that the module sessionBundles builds from
// one of them is the others' too.
func TestSessionAppsShareOneSource(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile("apps/session-none/main.go")
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob("apps/session-*")
	if len(dirs) != len(sessionModes) {
		t.Errorf("session apps %v, want one per mode of %v", dirs, sessionModes)
	}
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		got, err := os.ReadFile(filepath.Join(dir, "main.go"))
		if err != nil || len(files) != 1 || !bytes.Equal(got, want) {
			t.Errorf("%s: Go files %v (main.go: %v) are not one main.go like apps/session-none's", dir, files, err)
		}
	}
}

// do sends the app a command.
func do(app *watchtest.App, cmd string) { app.World().Phone("user-info", cmd) }

// logged fails the test unless the app logged a line containing want.
func logged(t *testing.T, app *watchtest.App, want string) {
	t.Helper()
	for _, l := range app.Record().Logs() {
		if strings.Contains(l, want) {
			return
		}
	}
	t.Errorf("the app never logged %q; it logged:\n%s", want, strings.Join(app.Record().Logs(), "\n"))
}

// TestRuleExtendedStarted (extended.started): start() while active runs
// the session for its type's limit (mindfulness: 1 h); didStart comes
// after the call, and the state and expiration date can be read.
func TestRuleExtendedStarted(t *testing.T) {
	t.Parallel()
	app := session(t, "mindfulness")
	do(app, `{"do": "start"}`)
	d := app.ExpectDecision("extended.started")
	if d.Numbers["max_s"] != 3600 {
		t.Errorf("max_s %d, want 3600", d.Numbers["max_s"])
	}
	logged(t, app, "session: start 1 -> <nil>, state running")
	app.Advance(time.Second) // didStart comes after the call
	logged(t, app, "session: didStart 1 until 08:00:00")
	do(app, `{"do": "state"}`)
	logged(t, app, "session: state 1 running until 08:00:00")
}

// TestRuleExtendedWillExpireAndExpired (extended.will_expire,
// extended.expired): willExpire comes extended_will_expire_lead before
// the limit, then the session is invalidated with reason expired; a
// frontmost session kept the app frontmost with the wrist down all along.
func TestRuleExtendedWillExpireAndExpired(t *testing.T) {
	t.Parallel()
	app := session(t, "mindfulness")
	do(app, `{"do": "start"}`)
	app.WristDown()
	app.Advance(59*time.Minute + 40*time.Second)
	if d := app.ExpectDecision("extended.will_expire"); d.Numbers["lead_s"] != 30 {
		t.Errorf("lead_s %d, want 30", d.Numbers["lead_s"])
	}
	logged(t, app, "session: willExpire 1")
	if s := app.State().String(); s != "inactive" {
		t.Errorf("state %s after 59 min with the wrist down, want inactive (kept frontmost)", s)
	}
	app.Advance(time.Minute)
	app.ExpectDecision("extended.expired")
	logged(t, app, "session: didInvalidate 1 expired <nil>")
}

// TestRuleExtendedResignedFrontmost (extended.resigned_frontmost): a
// frontmost-only session ends when its app leaves the foreground, by a
// crown press, another app opening (twice) or a tap on another app's
// notification; wrist down alone does not end it. A background type keeps running.
func TestRuleExtendedResignedFrontmost(t *testing.T) {
	t.Parallel()
	t.Run("crown", func(t *testing.T) {
		t.Parallel()
		app := session(t, "mindfulness")
		do(app, `{"do": "start"}`)
		app.WristDown()
		app.Advance(5 * time.Minute)
		app.ExpectNoDecision("extended.resigned_frontmost")
		app.Do(drive.Action{Kind: drive.Crown})
		d := app.ExpectDecision("extended.resigned_frontmost")
		if !strings.Contains(d.Reason, "the Digital Crown was pressed") {
			t.Errorf("reason %q does not name the crown", d.Reason)
		}
		logged(t, app, "session: didInvalidate 1 resigned_frontmost <nil>")
	})
	t.Run("another app", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		sc := dir + "/two.scenario"
		abs := func(p string) string { a, _ := filepath.Abs(p); return a }
		text := "start 2026-06-01T07:00:00Z\nduration 20m\n" +
			"app breathe " + abs("../apps/breathe") + "\napp hello " + abs("../apps/hello") + "\n" +
			"at 07:00 launch breathe\nat 07:05 open hello\nat 07:06 launch breathe\nat 07:08 wrist-down\nat 07:09 open hello\n" +
			"at 07:05 expect breathe decision extended.resigned_frontmost\nat 07:09 expect breathe decision extended.resigned_frontmost\n"
		if err := os.WriteFile(sc, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		r := watchbox(t, nil, "simulate", sc)
		if r.code != exitOK || !strings.Contains(r.stdout, "another app opened: dev.watchbox.hello") {
			t.Errorf("exit %d\n%s", r.code, r)
		}
	})
	t.Run("notification tap", func(t *testing.T) {
		// A mindfulness session keeps breathe frontmost with the wrist
		// down; an alert push reaches messages, whose notification the
		// user taps: messages opens and breathe leaves the foreground, so
		// its session ends with resigned_frontmost, the tap named.
		t.Parallel()
		dir := t.TempDir()
		sc := dir + "/tap.scenario"
		abs := func(p string) string { a, _ := filepath.Abs(p); return a }
		text := "start 2026-06-01T07:00:00Z\nduration 20m\n" +
			"app breathe " + abs("../apps/breathe") + "\napp messages " + abs("../apps/messages") + "\n" +
			"at 07:00 launch breathe\nat 07:01 wrist-down\n" +
			"at 07:05 push messages " + abs("scenarios/push/new-message.apns") + "\n" +
			"at 07:08 note the wrist has been down 7 min: the session keeps breathe frontmost\n" +
			"at 07:09 tap-notification messages\n" +
			"at 07:00 expect breathe decision extended.started\n" +
			"at 07:09 expect breathe decision extended.resigned_frontmost\n" +
			"expect no breathe decision extended.expired\n" +
			"expect breathe file state.json {\"session\": \"ended\", \"minutes\": 8, \"ended\": \"resigned_frontmost\"}\n"
		if err := os.WriteFile(sc, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		r := watchbox(t, nil, "simulate", sc)
		const why = "extended mindfulness session 1 ended (resigned_frontmost): a notification of dev.watchbox.messages was tapped"
		if r.code != exitOK || !strings.Contains(r.stdout, why) {
			t.Errorf("exit %d, want %d and a decision %q\n%s", r.code, exitOK, why, r)
		}
		// Up to the tap, with the wrist down 8 min (far past the 2 min
		// frontmost timeout), the session had not ended.
		for _, l := range strings.Split(r.stdout, "\n") {
			if strings.Contains(l, "[extended.resigned_frontmost]") && !strings.Contains(l, "07:09:00") {
				t.Errorf("resigned_frontmost outside the 07:09 tap: %s", l)
			}
		}
	})
	t.Run("background type keeps running", func(t *testing.T) {
		t.Parallel()
		app := session(t, "physical-therapy")
		do(app, `{"do": "start"}`)
		app.Do(drive.Action{Kind: drive.Crown})
		app.Advance(30 * time.Minute)
		app.ExpectNoDecision("extended.resigned_frontmost")
		if s := app.State().String(); s != "background" {
			t.Errorf("state %s 30 min into a physical therapy session in the background, want background (not suspended)", s)
		}
		app.Advance(31 * time.Minute)
		app.ExpectDecision("extended.expired")
		app.Advance(time.Minute)
		if s := app.State().String(); s != "suspended" {
			t.Errorf("state %s after the session expired, want suspended", s)
		}
	})
}

// TestRuleExtendedNotYetStarted (extended.not_yet_started): invalidating
// a session that never started gives reason error, not_yet_started.
func TestRuleExtendedNotYetStarted(t *testing.T) {
	t.Parallel()
	app := session(t, "mindfulness")
	do(app, `{"do": "new"}`)
	do(app, `{"do": "invalidate"}`)
	app.ExpectDecision("extended.not_yet_started")
	logged(t, app, "session: didInvalidate 1 error watch: extended runtime session: not_yet_started")
	logged(t, app, "state invalid")
}

// TestRuleExtendedInvalidated (extended.invalidated): the app's own
// invalidate() ends a running session with reason none.
func TestRuleExtendedInvalidated(t *testing.T) {
	t.Parallel()
	app := session(t, "mindfulness")
	do(app, `{"do": "start"}`)
	app.Advance(3 * time.Minute)
	do(app, `{"do": "invalidate"}`)
	app.ExpectDecision("extended.invalidated")
	logged(t, app, "session: didInvalidate 1 none <nil>")
	app.ExpectNoDecision("extended.expired")
}

// TestRuleExtendedMustBeActive (extended.must_be_active): a session
// starts only while the app is active; wrist down (inactive) is not.
func TestRuleExtendedMustBeActive(t *testing.T) {
	t.Parallel()
	app := session(t, "mindfulness")
	app.WristDown()
	do(app, `{"do": "start"}`)
	app.ExpectDecision("extended.must_be_active")
	logged(t, app, "must_be_active_to_start_or_schedule")
}

// TestRuleExtendedNotApproved (extended.not_approved): an app whose
// manifest declares no extended mode cannot start a session; a smart
// alarm cannot start() without a date.
func TestRuleExtendedNotApproved(t *testing.T) {
	t.Parallel()
	app := session(t, "none")
	do(app, `{"do": "start"}`)
	app.ExpectDecision("extended.not_approved")
	logged(t, app, "not_approved_to_start_session")

	alarm := session(t, "alarm")
	do(alarm, `{"do": "start"}`)
	alarm.ExpectDecision("extended.not_approved")
}

// TestRuleExtendedNotSchedulable (extended.not_schedulable): only smart
// alarms can be scheduled with start(at:).
func TestRuleExtendedNotSchedulable(t *testing.T) {
	t.Parallel()
	app := session(t, "physical-therapy")
	do(app, `{"do": "start_at", "at": "2026-06-01T09:00:00Z"}`)
	app.ExpectDecision("extended.not_schedulable")
	logged(t, app, "not_approved_to_schedule")
}

// TestRuleExtendedInProgress (extended.session_in_progress): one running
// session per app; a second start() is invalidated with
// session_in_progress.
func TestRuleExtendedInProgress(t *testing.T) {
	t.Parallel()
	app := session(t, "mindfulness")
	do(app, `{"do": "start"}`)
	do(app, `{"do": "new"}`)
	do(app, `{"do": "start"}`)
	app.ExpectDecision("extended.session_in_progress")
	logged(t, app, "session: didInvalidate 2 session_in_progress")
}

// TestRuleExtendedScheduleWindow (extended.scheduled,
// extended.too_far_ahead, extended.too_far_past, extended.started): a
// smart alarm is scheduled at most 36 h ahead; a date up to 1 min in the
// past starts at once; more than 1 min in the past fails; one scheduled
// session per app.
func TestRuleExtendedScheduleWindow(t *testing.T) {
	t.Parallel()
	app := session(t, "alarm")
	do(app, `{"do": "start_at", "at": "2026-06-02T19:00:01Z"}`) // 36 h + 1 s
	if d := app.ExpectDecision("extended.too_far_ahead"); d.Numbers["limit_s"] != 36*3600 {
		t.Errorf("limit_s %d", d.Numbers["limit_s"])
	}
	logged(t, app, "scheduled_too_far_in_advance")
	do(app, `{"do": "new"}`)
	do(app, `{"do": "start_at", "at": "2026-06-01T06:58:59Z"}`)
	app.ExpectDecision("extended.too_far_past")
	do(app, `{"do": "new"}`)
	do(app, `{"do": "start_at", "at": "2026-06-02T19:00:00Z"}`) // exactly 36 h
	app.ExpectDecision("extended.scheduled")
	logged(t, app, "state scheduled")
	do(app, `{"do": "new"}`)
	do(app, `{"do": "start_at", "at": "2026-06-02T06:00:00Z"}`)
	app.ExpectDecision("extended.session_in_progress")
	do(app, `{"do": "new"}`)
	do(app, `{"do": "start_at", "at": "2026-06-01T06:59:30Z"}`) // 30 s in the past: at once
	if d := app.ExpectDecision("extended.started"); d.Numbers["past_s"] != 30 {
		t.Errorf("past_s %d, want 30", d.Numbers["past_s"])
	}
}

// TestRuleExtendedAlarmFired (extended.alarm_fired,
// extended.unclaimed): at its date a smart alarm starts; a purged app is
// launched and handed the session, which it must claim; one that does
// not loses it.
func TestRuleExtendedAlarmFired(t *testing.T) {
	t.Parallel()
	t.Run("claimed", func(t *testing.T) {
		t.Parallel()
		app := session(t, "alarm")
		do(app, `{"do": "start_at", "at": "2026-06-01T08:00:00Z"}`)
		app.Background()
		app.Purge()
		app.Advance(61 * time.Minute)
		app.ExpectDecision("extended.alarm_fired")
		logged(t, app, "session: claiming 1")
		logged(t, app, "session: didStart 1 until 08:30:00")
		app.ExpectNoDecision("extended.unclaimed")
	})
	t.Run("unclaimed", func(t *testing.T) {
		t.Parallel()
		app := session(t, "alarm")
		do(app, `{"do": "noclaim"}`)
		do(app, `{"do": "start_at", "at": "2026-06-01T08:00:00Z"}`)
		app.Background()
		app.Purge()
		app.Advance(61 * time.Minute)
		app.ExpectDecision("extended.unclaimed")
		app.ExpectNoDecision("extended.started")
	})
	t.Run("same instance", func(t *testing.T) {
		t.Parallel()
		app := session(t, "alarm")
		do(app, `{"do": "start_at", "at": "2026-06-01T07:30:00Z"}`)
		app.Do(drive.Action{Kind: drive.FireAlarm}) // fire-alarm: now, not at 07:30
		app.ExpectDecision("extended.alarm_fired")
		logged(t, app, "session: didStart 1 until 07:30:00")
	})
}

// TestRuleExtendedNotify (extended.haptic, extended.notify_stopped,
// extended.notify_interval): notifyUser repeats every 3 s without a
// handler; a handler sets the next interval, out-of-range answers are
// brought into [smart_alarm_repeat_min, 60 s], and 0 stops the repeats.
func TestRuleExtendedNotify(t *testing.T) {
	t.Parallel()
	t.Run("default", func(t *testing.T) {
		t.Parallel()
		app := session(t, "alarm")
		do(app, `{"do": "start_at", "at": "2026-06-01T06:59:59Z"}`)
		do(app, `{"do": "notify"}`)
		app.Advance(10 * time.Second)
		n := 0
		for _, d := range app.Record().Decisions() {
			if d.Rule == "extended.haptic" {
				n++
				if d.Numbers["interval_ms"] != 3000 {
					t.Errorf("interval %d ms, want 3000", d.Numbers["interval_ms"])
				}
			}
		}
		if n != 4 { // at 0, 3, 6 and 9 s
			t.Errorf("%d haptics in 10 s, want 4", n)
		}
	})
	t.Run("handler", func(t *testing.T) {
		t.Parallel()
		app := session(t, "alarm")
		do(app, `{"do": "start_at", "at": "2026-06-01T06:59:59Z"}`)
		do(app, `{"do": "notify", "handler": true, "interval_ms": 90000, "stop_after": 3}`)
		app.Advance(5 * time.Minute)
		if d := app.ExpectDecision("extended.notify_interval"); d.Numbers["max_ms"] != 60000 {
			t.Errorf("max_ms %d", d.Numbers["max_ms"])
		}
		app.ExpectDecision("extended.notify_stopped")
	})
}

// TestRuleExtendedSuppressed (extended.suppressed): the system
// suppresses a running session (suppress-session), reason
// suppressed_by_system.
func TestRuleExtendedSuppressed(t *testing.T) {
	t.Parallel()
	app := session(t, "physical-therapy")
	do(app, `{"do": "start"}`)
	app.Do(drive.Action{Kind: drive.SuppressSession})
	app.ExpectDecision("extended.suppressed")
	logged(t, app, "session: didInvalidate 1 suppressed_by_system <nil>")
}

// TestRuleExtendedBarDisabled (extended.bar_disabled): with Background
// App Refresh off, a session fails to start with bar_disabled.
func TestRuleExtendedBarDisabled(t *testing.T) {
	t.Parallel()
	app := session(t, "physical-therapy")
	app.Do(drive.Action{Kind: drive.BAR, On: false})
	do(app, `{"do": "start"}`)
	app.ExpectDecision("extended.bar_disabled")
	logged(t, app, "bar_disabled")
}

// TestRuleExtendedEndedWithInstance (extended.ended_with_instance): a
// purge ends the running session with the instance, with no delegate
// call.
func TestRuleExtendedEndedWithInstance(t *testing.T) {
	t.Parallel()
	app := session(t, "physical-therapy")
	do(app, `{"do": "start"}`)
	app.Purge()
	app.ExpectDecision("extended.ended_with_instance")
}

// TestRuleCPUBackgroundLimit (cpu.background_limit,
// extended.exceeded_resource_limits): a physical therapy session's app
// that spends more than 80 % CPU over 60 s in the background has its
// session invalidated with exceeded_resource_limits; the decision says
// the numbers. An app under the limit keeps its session.
func TestRuleCPUBackgroundLimit(t *testing.T) {
	t.Parallel()
	// The limit is on the device's CPU time, fuel / instruction_rate: a
	// device 25 times slower than the default (10 M instructions/s) makes
	// every second of it 25 times less fuel for the host to run, with
	// the same decisions and numbers (the budgets are in time too).
	run := func(t *testing.T, burnMS int, tasks int) *watchtest.App {
		app := session(t, "physical-therapy", watchtest.Set("instruction_rate", "10000000"))
		do(app, `{"do": "burn", "burn_ms": `+itoa(burnMS)+`}`)
		do(app, `{"do": "start"}`)
		app.Do(drive.Action{Kind: drive.Crown})
		app.Advance(20 * time.Second)
		for range tasks {
			app.Trigger("application-refresh")
			app.Advance(time.Second)
		}
		return app
	}
	t.Run("over", func(t *testing.T) {
		t.Parallel()
		app := run(t, 14000, 6) // 14 s of CPU every 15 s: 56 s in 60 s
		d := app.ExpectDecision("cpu.background_limit")
		if d.Numbers["limit_percent"] != 80 || d.Numbers["window_s"] != 60 || d.Numbers["percent_x10"] <= 800 {
			t.Errorf("numbers %v", d.Numbers)
		}
		app.ExpectDecision("extended.exceeded_resource_limits")
		logged(t, app, "session: didInvalidate 1 error watch: extended runtime session: exceeded_resource_limits")
	})
	t.Run("under", func(t *testing.T) {
		t.Parallel()
		app := run(t, 2000, 6)
		app.ExpectNoDecision("cpu.background_limit")
		app.ExpectNoDecision("extended.exceeded_resource_limits")
	})
}

// TestExtendedFrontmostTimeout: the manifest key extendedFrontmostTimeout
// keeps an app frontmost extended_frontmost_timeout (1 h) after the wrist
// drops instead of frontmost_timeout (2 min).
func TestExtendedFrontmostTimeout(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, sessionBundle(t, "optin"), watchtest.Start(t0), watchtest.CacheDir(testCache))
	app.Launch()
	app.WristDown()
	app.Advance(59 * time.Minute)
	if s := app.State().String(); s != "inactive" {
		t.Errorf("state %s 59 min after wrist down, want inactive (frontmost)", s)
	}
	app.Advance(2 * time.Minute)
	if s := app.State().String(); s == "inactive" {
		t.Errorf("still inactive 61 min after wrist down")
	}

	plain := session(t, "none")
	plain.WristDown()
	plain.Advance(3 * time.Minute)
	if s := plain.State().String(); s == "inactive" {
		t.Errorf("an app without the opt-in is still frontmost 3 min after wrist down")
	}
}

// TestExtendedScenariosAreDeterministic: the same scenario twice gives
// byte-identical output.
func TestExtendedScenariosAreDeterministic(t *testing.T) {
	t.Parallel()
	for _, sc := range []string{"tests/scenarios/alarm.scenario", "tests/scenarios/breathe.scenario"} {
		a := watchboxShared(t, "simulate", "--json", sc) // alarm's: TestGolden's run too
		b := watchbox(t, nil, "simulate", "--json", sc)
		if a.code != exitOK || a.stdout != b.stdout {
			t.Errorf("%s: two runs differ (exit %d, %d)\n%s", sc, a.code, b.code, lineDiff(a.stdout, b.stdout))
		}
	}
}
