package host

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// Tests of the background sessions (workout, location, audio), one per
// rule id, on the virtual clock (09:00 start), with tests/apps/sessions
// driven by its /mode file and tests/apps/chaos for apps without the
// background modes.

const sessionsDir = "../tests/apps/sessions"

// virtualSessions loads tests/apps/sessions with mode on a virtual
// runtime, with the profile values set applied.
func virtualSessions(t *testing.T, mode []string, set ...string) (*harness, *App, *[]Decision) {
	t.Helper()
	var ds []Decision
	var mu sync.Mutex
	h := newHarness(t, Config{Virtual: true, Start: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		OnDecision: func(d Decision) { mu.Lock(); ds = append(ds, d); mu.Unlock() }})
	for _, s := range set {
		k, v, _ := strings.Cut(s, "=")
		must(t, h.rt.Set(k, v))
	}
	a := h.load(t, sessionsDir)
	setMode(t, a, mode...)
	return h, a, &ds
}

// lines returns the sessions app's log lines that start with prefix
// ("sessions: " and more).
func lines(h *harness, prefix string) []string { return h.guestLines("sessions: " + prefix) }

func wantRule(t *testing.T, ds []Decision, rule string, n int) []string {
	t.Helper()
	got := decisionsWith(ds, rule)
	if len(got) != n {
		t.Errorf("%d decisions %s, want %d: %q", len(got), rule, n, got)
	}
	return got
}

// Rule workout.run: a workout started in the foreground runs, and its
// delegate gets didChangeTo(running, from notStarted) with the date of the
// change.
func TestRuleWorkoutRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive prepare start"})
	must(t, a.Launch(ctx))
	must(t, h.rt.RunFor(ctx, time.Second))
	equal(t, "changes", lines(h, "changed"), []string{
		"sessions: changed notStarted->prepared at 09:00:00",
		"sessions: changed prepared->running at 09:00:00",
	})
	wantRule(t, *ds, policy.RuleWorkoutRun, 1)
}

// Rule workout.mode: an app without the workout-processing mode cannot
// start a workout; the refusal names the rule.
func TestRuleWorkoutMode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	args := msg.StartWorkout{SessionType: 37, Identifier: "w1"}.Encode(nil)
	h, a, ds := virtualChaos(t, "DidBecomeActive raw 48 "+hexOf(args))
	must(t, a.Launch(ctx))
	got := h.guestLines("chaos: raw")
	if len(got) != 1 || !strings.Contains(got[0], "-5") || !strings.Contains(got[0], "workout.mode") {
		t.Errorf("raw start_workout = %q, want -5 (not_allowed) naming workout.mode", got)
	}
	wantRule(t, *ds, policy.RuleWorkoutMode, 1)
}

// Rule workout.foreground: a workout must start while the app is in the
// foreground. Started from the background it is not refused (HealthKit,
// watchOS 10+): startActivity returns, then the delegate gets didFail
// (errorBackgroundWorkoutSessionNotAllowed, 14) and didChangeTo ended, in
// that order; the app is not held, and another app's workout goes on.
func TestRuleWorkoutForeground(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidEnterBackground start"})
	run := h.load(t, "../apps/workout")
	must(t, run.Launch(ctx)) // the run tracker's workout runs
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, time.Second))
	equal(t, "start", lines(h, "start"), []string{"sessions: start ok"})
	equal(t, "delegate", lines(h, ""), []string{
		"sessions: start ok",
		"sessions: failed 14 background workout session not allowed",
		"sessions: changed notStarted->ended at 09:00:00",
	})
	got := wantRule(t, *ds, policy.RuleWorkoutForeground, 1)
	if len(got) == 1 && !strings.Contains(got[0], "start_workout in the background: the workout session fails through its delegate (didFail errorBackgroundWorkoutSessionNotAllowed, HKError 14") {
		t.Errorf("decision = %q", got)
	}
	wantRule(t, *ds, policy.RuleWorkoutOneSystem, 0)
	if s := run.Sessions().Status(); len(s) == 0 || !strings.HasPrefix(s[0], "workout running") {
		t.Errorf("the run tracker's workout = %q, want it running still", s)
	}
	must(t, h.rt.RunFor(ctx, time.Minute))
	if a.State() != abi.StateSuspended {
		t.Errorf("state after the failed start = %v, want suspended (no workout holds it)", a.State())
	}
}

// Rule workout.transition: a stopped or ended session cannot start again,
// and pause needs a running session.
func TestRuleWorkoutTransition(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive pause start stop start end start"})
	must(t, a.Launch(ctx))
	must(t, h.rt.RunFor(ctx, time.Second))
	got := lines(h, "")
	var errs []string
	for _, l := range got {
		if strings.Contains(l, "error") {
			errs = append(errs, l)
		}
	}
	if len(errs) != 3 || !strings.Contains(errs[0], "pause_workout refused: the session is notStarted") ||
		!strings.Contains(errs[1], "start_workout refused: the session is stopped; a stopped or ended session cannot be started again") ||
		!strings.Contains(errs[2], "start_workout refused: the session is ended") {
		t.Errorf("refusals = %q", errs)
	}
	wantRule(t, *ds, policy.RuleWorkoutTransition, 3)
	equal(t, "changes", lines(h, "changed"), []string{
		"sessions: changed notStarted->running at 09:00:00",
		"sessions: changed running->stopped at 09:00:00",
		"sessions: changed stopped->ended at 09:00:00",
	})
}

// Rule workout.keeps_running: a running workout keeps its app running in
// the background with the wrist down; a paused one does not, and the app
// is suspended; raising the wrist brings it back.
func TestRuleWorkoutKeepsRunning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive start"})
	must(t, a.Launch(ctx))
	must(t, a.WristDown(ctx))
	must(t, h.rt.RunFor(ctx, 30*time.Minute))
	if a.State() != abi.StateBackground {
		t.Errorf("state with a running workout = %v, want background", a.State())
	}
	wantRule(t, *ds, policy.RuleWorkoutHold, 1)
	if n := len(lines(h, "data")); n != 30*60/5 {
		t.Errorf("%d live data events in 30 min, want one every 5 s (%d)", n, 30*60/5)
	}
	setMode(t, a, "Request pause")
	must(t, a.Sessions().PressBothButtons(ctx))
	must(t, h.rt.RunFor(ctx, time.Minute))
	if a.State() != abi.StateSuspended {
		t.Errorf("state with a paused workout = %v, want suspended", a.State())
	}
	must(t, a.WristUp(ctx))
	if a.State() != abi.StateActive {
		t.Errorf("state after wrist-up = %v, want active", a.State())
	}
}

// Rule workout.one_system_wide: when another app starts a workout, ours
// gets didFail (errorAnotherWorkoutSessionStarted) and then didChangeTo
// ended, in that order; the same for another app outside the run.
func TestRuleWorkoutOneSystemWide(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive start"})
	must(t, a.Launch(ctx))
	must(t, h.rt.RunFor(ctx, time.Minute))
	run := h.load(t, "../apps/workout")
	must(t, run.Launch(ctx)) // the run tracker starts its own workout
	must(t, h.rt.RunFor(ctx, time.Second))
	equal(t, "ours", lines(h, "failed"), []string{"sessions: failed 8 another workout session started"})
	got := lines(h, "")
	fail, end := -1, -1
	for i, l := range got {
		switch {
		case strings.HasPrefix(l, "sessions: failed"):
			fail = i
		case strings.HasPrefix(l, "sessions: changed running->ended"):
			end = i
		}
	}
	if fail < 0 || end < fail {
		t.Errorf("didFail at %d, didChangeTo(ended) at %d: want didFail first\n%q", fail, end, got)
	}
	wantRule(t, *ds, policy.RuleWorkoutOneSystem, 1)
	// Another app outside the run ends the run tracker's workout.
	must(t, run.Sessions().OtherAppStartsWorkout(ctx))
	if got := run.Sessions().Status(); len(got) == 0 || !strings.HasPrefix(got[0], "workout ended") {
		t.Errorf("run tracker sessions = %q, want its workout ended", got)
	}
	wantRule(t, *ds, policy.RuleWorkoutOneSystem, 2)
}

// Rule workout.pause_request: both side buttons give the delegate a
// pauseOrResumeRequest; the app decides (here: it pauses, then resumes),
// and elapsed time leaves the pause out.
func TestRuleWorkoutPauseRequest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive start"}, "workout_heart_rate_interval=1m")
	must(t, a.Launch(ctx))
	must(t, h.rt.RunFor(ctx, 2*time.Minute))
	setMode(t, a, "Request pause")
	must(t, a.Sessions().PressBothButtons(ctx))
	must(t, h.rt.RunFor(ctx, 3*time.Minute))
	setMode(t, a, "Request resume")
	must(t, a.Sessions().PressBothButtons(ctx))
	must(t, h.rt.RunFor(ctx, 61*time.Second))
	wantRule(t, *ds, policy.RuleWorkoutRequest, 2)
	data := lines(h, "data")
	// The pause and resume are dated by the guest's clock inside the
	// call, a fraction of a millisecond after the press.
	if len(data) == 0 || !strings.Contains(data[len(data)-1], "at 09:06:00 hr") || !strings.Contains(data[len(data)-1], "elapsed 3m0") {
		t.Errorf("last data = %q, want 3 min elapsed at 09:06 (a 3-minute pause left out)", data)
	}
	// Without a workout, the press is only a decision.
	setMode(t, a, "Request end")
	must(t, a.Sessions().PressBothButtons(ctx))
	must(t, h.rt.RunFor(ctx, time.Second))
	must(t, a.Sessions().PressBothButtons(ctx))
	if got := decisionsWith(*ds, policy.RuleWorkoutRequest); !strings.Contains(got[len(got)-1], "no running or paused workout") {
		t.Errorf("press without a workout: %q", got[len(got)-1])
	}
}

// Rule workout.motion: motion paused and resumed reach the delegate.
func TestRuleWorkoutMotion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive start"})
	must(t, a.Launch(ctx))
	must(t, a.Sessions().WorkoutMotion(ctx, true))
	must(t, a.Sessions().WorkoutMotion(ctx, false))
	equal(t, "events", lines(h, "event"), []string{
		"sessions: event motionPaused at 09:00:00",
		"sessions: event motionResumed at 09:00:00",
	})
	wantRule(t, *ds, policy.RuleWorkoutMotion, 2)
}

// Rule workout.event: the session's lap, marker and segment events reach a
// running or paused workout's delegate with their dates, with the wrist
// down and the app in the background; without a workout they are only a
// decision, and other event types are refused.
func TestRuleWorkoutEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive start"})
	must(t, a.Sessions().GenerateWorkoutEvent(ctx, abi.WorkoutEventLap)) // not launched: no workout
	must(t, a.Launch(ctx))
	must(t, a.WristDown(ctx))
	must(t, h.rt.RunFor(ctx, 10*time.Minute))
	must(t, a.Sessions().GenerateWorkoutEvent(ctx, abi.WorkoutEventLap))
	must(t, h.rt.RunFor(ctx, 90*time.Second))
	must(t, a.Sessions().GenerateWorkoutEvent(ctx, abi.WorkoutEventMarker))
	must(t, h.rt.RunFor(ctx, time.Minute))
	must(t, a.Sessions().GenerateWorkoutEvent(ctx, abi.WorkoutEventSegment))
	if err := a.Sessions().GenerateWorkoutEvent(ctx, abi.WorkoutEventPause); err == nil || !strings.Contains(err.Error(), "pause is not a lap, marker or segment event") {
		t.Errorf("a pause event = %v, want an error", err)
	}
	equal(t, "events", lines(h, "event"), []string{
		"sessions: event lap at 09:10:00",
		"sessions: event marker at 09:11:30",
		"sessions: event segment at 09:12:30",
	})
	got := wantRule(t, *ds, policy.RuleWorkoutEvent, 4)
	if len(got) == 4 && !strings.Contains(got[0], "no lap event, the app has no running or paused workout") {
		t.Errorf("event without a workout = %q", got[0])
	}
	if a.State() != abi.StateBackground {
		t.Errorf("state = %v, want background (the running workout holds the app)", a.State())
	}
}

// Rule workout.ended: a workout ends with its instance (a purge), and the
// relaunched app can start a new one.
func TestRuleWorkoutEnded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive start"})
	must(t, a.Launch(ctx))
	must(t, a.WristDown(ctx))
	must(t, h.rt.RunFor(ctx, 10*time.Minute))
	must(t, a.Purge(ctx))
	got := wantRule(t, *ds, policy.RuleWorkoutEnded, 1)
	if len(got) == 1 && !strings.Contains(got[0], "ended with the app's instance") {
		t.Errorf("decision = %q", got[0])
	}
	must(t, a.Launch(ctx))
	must(t, h.rt.RunFor(ctx, time.Second))
	if c := lines(h, "changed"); len(c) != 2 || c[1] != "sessions: changed notStarted->running at 09:10:00" {
		t.Errorf("changes = %q, want a new workout after the relaunch", c)
	}
}

// Live data comes from a fed heart rate file when there is one, and the
// synthetic generator is the same for the same seed.
func TestWorkoutDataFromFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, _ := virtualSessions(t, []string{"DidBecomeActive start"})
	must(t, a.Sessions().FeedHeartRate("../host/sensors/testdata/sample-app/hr.json"))
	must(t, a.Launch(ctx))
	must(t, h.rt.RunFor(ctx, 15*time.Second))
	equal(t, "data", lines(h, "data"), []string{
		"sessions: data at 09:00:05 hr 74 elapsed 5s dist 0 kcal 0.2",
		"sessions: data at 09:00:10 hr 74 elapsed 10s dist 0 kcal 0.4",
		"sessions: data at 09:00:15 hr 75 elapsed 15s dist 0 kcal 0.5",
	})
}

// Rule location.run and location.keeps_running: background updates from
// a GPX route keep the app running and arrive at location_interval.
func TestRuleLocationRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive loc-bg"}, "location_interval=1m")
	must(t, a.Sessions().FeedRoute("../host/sensors/testdata/sample-app/route.gpx"))
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, 10*time.Minute))
	if a.State() != abi.StateBackground {
		t.Errorf("state = %v, want background", a.State())
	}
	if got := lines(h, "location"); len(got) != 10 || !strings.HasPrefix(got[0], "sessions: location 37.7") {
		t.Errorf("updates = %q, want 10 in Golden Gate Park", got)
	}
	wantRule(t, *ds, policy.RuleLocationRun, 1)
	wantRule(t, *ds, policy.RuleLocationHold, 1)
}

// Rule location.mode: background updates need the location mode.
func TestRuleLocationMode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	args := msg.StartLocationUpdates{Background: true}.Encode(nil)
	h, a, ds := virtualChaos(t, "DidBecomeActive raw 58 "+hexOf(args))
	must(t, a.Launch(ctx))
	if got := h.guestLines("chaos: raw"); len(got) != 1 || !strings.Contains(got[0], "location.mode") {
		t.Errorf("raw start_location_updates = %q", got)
	}
	wantRule(t, *ds, policy.RuleLocationMode, 1)
}

// Rule location.foreground: background updates must start in the
// foreground.
func TestRuleLocationForeground(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, a, ds := virtualSessions(t, []string{"DidEnterBackground loc-bg"})
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	wantRule(t, *ds, policy.RuleLocationForeground, 1)
}

// Rules location.queued, location.queue_limit and location.delivered: a
// suspended app without background updates gets its updates held, at most
// max_queued_locations (the oldest dropped), and receives them when it
// runs again.
func TestRuleLocationQueued(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive loc-fg"}, "location_interval=1m", "max_queued_locations=3")
	must(t, a.Sessions().FeedRoute("../host/sensors/testdata/sample-app/route.gpx"))
	must(t, a.Launch(ctx))
	must(t, a.Suspend(ctx))
	must(t, h.rt.RunFor(ctx, 5*time.Minute+30*time.Second))
	if n := len(lines(h, "location")); n != 0 {
		t.Errorf("%d updates reached the suspended app", n)
	}
	wantRule(t, *ds, policy.RuleLocationQueued, 1)
	wantRule(t, *ds, policy.RuleLocationQueueLimit, 1)
	must(t, a.Launch(ctx))
	got := lines(h, "location")
	if len(got) != 3 || !strings.Contains(got[0], "at 09:03:00 queued true") || !strings.Contains(got[2], "at 09:05:00 queued true") {
		t.Errorf("held updates = %q, want the last 3 (09:03-09:05), queued", got)
	}
	wantRule(t, *ds, policy.RuleLocationDelivered, 1)
}

// Rules audio.run and audio.keeps_running: long-form audio with the
// headphones connected plays, and keeps the app running.
func TestRuleAudioRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive audio-on"})
	must(t, h.rt.SetHeadphones(ctx, true))
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, time.Hour))
	if a.State() != abi.StateBackground {
		t.Errorf("state = %v, want background while audio plays", a.State())
	}
	wantRule(t, *ds, policy.RuleAudioRun, 1)
	wantRule(t, *ds, policy.RuleAudioHold, 1)
}

// Rule audio.mode: long-form audio needs the audio mode.
func TestRuleAudioMode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "DidBecomeActive raw 60 -")
	must(t, a.Launch(ctx))
	if got := h.guestLines("chaos: raw"); len(got) != 1 || !strings.Contains(got[0], "audio.mode") {
		t.Errorf("raw activate_audio = %q", got)
	}
	wantRule(t, *ds, policy.RuleAudioMode, 1)
}

// Rule audio.foreground: activation must happen in the foreground.
func TestRuleAudioForeground(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidEnterBackground audio-on"})
	must(t, h.rt.SetHeadphones(ctx, true))
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	wantRule(t, *ds, policy.RuleAudioForeground, 1)
}

// Rule audio.no_route: without headphones activation fails with
// AVAudioSession error 561145203.
func TestRuleAudioNoRoute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive audio-on"})
	must(t, a.Launch(ctx))
	if got := lines(h, "audio-on"); len(got) != 1 || !strings.Contains(got[0], "561145203") {
		t.Errorf("activation = %q, want error 561145203", got)
	}
	wantRule(t, *ds, policy.RuleAudioNoRoute, 1)
}

// Rules audio.interruption and audio.route_lost: a call interrupts
// playback (the app is suspended meanwhile) and its end resumes it;
// headphones that go away stop it.
func TestRuleAudioInterruption(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive audio-on"})
	must(t, h.rt.SetHeadphones(ctx, true))
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, a.Sessions().AudioInterruption(ctx, true))
	must(t, h.rt.RunFor(ctx, time.Minute))
	if a.State() != abi.StateSuspended {
		t.Errorf("state during the interruption = %v, want suspended", a.State())
	}
	must(t, a.Sessions().AudioInterruption(ctx, false))
	must(t, h.rt.RunFor(ctx, time.Minute))
	if a.State() != abi.StateBackground {
		t.Errorf("state after the interruption = %v, want background (playing)", a.State())
	}
	wantRule(t, *ds, policy.RuleAudioInterruption, 2)
	must(t, h.rt.SetHeadphones(ctx, false))
	must(t, h.rt.RunFor(ctx, time.Minute))
	if a.State() != abi.StateSuspended {
		t.Errorf("state after the headphones went = %v, want suspended", a.State())
	}
	equal(t, "audio", lines(h, "interrupted"), []string{
		"sessions: interrupted began true at 09:00:00",
		"sessions: interrupted began false at 09:01:00",
	})
	equal(t, "route", lines(h, "route"), []string{"sessions: route connected false at 09:02:00"})
	wantRule(t, *ds, policy.RuleAudioRouteLost, 1)
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// Rule cpu.background_limit for a workout: an app that keeps going over
// the background CPU limit while its workout holds it in the background
// is killed with the CPU termination reason (not merely suspended), and
// the workout ends with the instance.
func TestRuleWorkoutBackgroundCPULimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive start", "Data spin"}, "background_cpu_percent=1")
	must(t, a.Launch(ctx))
	must(t, a.WristDown(ctx))
	must(t, h.rt.RunFor(ctx, 5*time.Minute))
	got := wantRule(t, *ds, policy.RuleCPUBackgroundLimit, 1)
	if len(got) == 1 && !strings.Contains(got[0], "its workout session ends") {
		t.Errorf("the limit's reason does not name the workout: %q", got[0])
	}
	wantRule(t, *ds, policy.RuleWorkoutEnded, 1)
	if a.State() != abi.StateNotRunning {
		t.Errorf("state after the CPU limit = %v, want not_running (killed)", a.State())
	}
	c := a.Crashes().Last()
	if c == nil || c.Termination != "cpu_time_exceeded" || !strings.Contains(c.Crash, "background_cpu_percent=1") {
		t.Fatalf("last crash = %+v, want cpu_time_exceeded with the limit's reason", c)
	}
	if c.EventName() != "workout_data" {
		t.Errorf("the kill is charged to %s, want the last background call, workout_data", c.EventName())
	}
}
