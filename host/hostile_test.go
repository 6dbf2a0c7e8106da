package host

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// Rule workout.pause_limit: the host keeps every pause of a workout
// session (and reads them all for each live sample), so a guest that
// pauses and resumes in a loop is refused past max_workout_pauses, with
// status limit and a decision; the session keeps running.
func TestRuleWorkoutPauseLimit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualSessions(t, []string{"DidBecomeActive start pause resume pause resume pause resume"}, "max_workout_pauses=2")
	must(t, a.Launch(ctx))
	must(t, h.rt.RunFor(ctx, time.Second))
	var errs []string
	for _, l := range lines(h, "") {
		if strings.Contains(l, "error") {
			errs = append(errs, l)
		}
	}
	if len(errs) != 2 || !strings.HasPrefix(errs[0], "sessions: pause error:") ||
		!strings.Contains(errs[0], "pause_workout refused: the session was paused 2 times, the most one session may be (max_workout_pauses=2) [workout.pause_limit]") ||
		!strings.Contains(errs[0], "(limit)") || !strings.HasPrefix(errs[1], "sessions: resume error:") {
		t.Errorf("errors = %q, want the third pause refused with limit (and so the resume after it)", errs)
	}
	if got := wantRule(t, *ds, policy.RuleWorkoutPauseLimit, 1); len(got) == 1 {
		for _, d := range *ds {
			if d.Rule == policy.RuleWorkoutPauseLimit && (d.Numbers["pauses"] != 2 || d.Numbers["limit"] != 2 || d.Verdict != "refuse") {
				t.Errorf("decision %+v", d)
			}
		}
	}
	if s := a.Sessions().Status(); len(s) == 0 || !strings.HasPrefix(s[0], "workout running") {
		t.Errorf("sessions = %q, want the workout running still", s)
	}
}

// Rule phone.queue_limit: the transfers an app queues for a phone out of
// range are kept up to max_phone_transfers, the oldest dropped beyond
// with a decision; the phone gets the newest when it is back, and its
// history of what it received is bounded the same way.
func TestPhoneTransfersAreCappedByTheProfile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, ds := capsHarness(t, nil, "max_phone_transfers=2")
	a := chaos(t, h, "DidFinishLaunching send a", "DidFinishLaunching send b", "DidFinishLaunching send c")
	must(t, h.rt.SetPhoneInRange(ctx, false))
	must(t, a.Launch(ctx))
	if got := decisionsWith(*ds, policy.RulePhoneQueueLimit); len(got) != 1 ||
		!strings.Contains(got[0], "1 transferUserInfo(s) from the app waiting for the phone dropped, the oldest: at most 2 wait (max_phone_transfers)") {
		t.Errorf("queue_limit decisions = %q, want the first transfer dropped", got)
	}
	must(t, h.rt.SetPhoneInRange(ctx, true))
	if got := a.Phone().Received(); len(got) != 2 || string(got[0]) != "b" || string(got[1]) != "c" {
		t.Errorf("the phone received %q, want the two newest, b and c", got)
	}
	setMode(t, a, "WillEnterForeground send d")
	must(t, a.EnterBackground(ctx))
	must(t, a.Launch(ctx))
	if got := a.Phone().Received(); len(got) != 2 || string(got[0]) != "c" || string(got[1]) != "d" {
		t.Errorf("the phone's history = %q, want the last two, c and d", got)
	}
}

// The delivered, untapped notifications an app keeps for a tap are the
// newest max_delivered_notifications.
func TestDeliveredNotificationsAreCappedByTheProfile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, _ := capsHarness(t, nil, "max_delivered_notifications=1")
	a := chaos(t, h, "DidFinishLaunching notify n1 10m", "DidFinishLaunching notify n2 20m")
	must(t, a.Launch(ctx))
	setMode(t, a)
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, time.Hour))
	if err := a.Notifications().Tap(ctx, "n1", ""); err == nil || !strings.Contains(err.Error(), `no delivered notification "n1"`) {
		t.Errorf("tapping n1, beyond max_delivered_notifications: %v", err)
	}
	must(t, a.Notifications().Tap(ctx, "n2", ""))
}

// A userInfo the app schedules comes back to it in a background_tasks
// event, so one too large for that event to stay within the ABI's 64 KiB
// envelope is refused with limit when scheduled (a guest with a 64 KiB
// buffer never needs a larger one); one that fits is taken.
func TestScheduledUserInfoFitsTheEnvelope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	start := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	big, fits := make([]byte, MaxPayload+1), make([]byte, MaxPayload)
	h, a, _ := virtualChaos(t,
		raw("DidFinishLaunching", abi.OpScheduleBackgroundRefresh, msg.ScheduleRefresh{Date: start.Add(time.Hour).UnixNano(), UserInfo: big}.Encode(nil)),
		raw("DidFinishLaunching", abi.OpScheduleSnapshotRefresh, msg.ScheduleSnapshot{Date: start.Add(time.Hour).UnixNano(), UserInfo: big}.Encode(nil)),
		raw("DidFinishLaunching", abi.OpScheduleBackgroundRefresh, msg.ScheduleRefresh{Date: start.Add(time.Hour).UnixNano(), UserInfo: fits}.Encode(nil)))
	must(t, a.Launch(ctx))
	got := h.guestLines("chaos: raw")
	want := fmt.Sprintf("userInfo is %d bytes; at most %d fit in the background_tasks event that delivers it (the ABI's 65536-byte envelope)", MaxPayload+1, MaxPayload)
	if len(got) != 3 || !strings.HasPrefix(got[0], "chaos: raw schedule_background_refresh -6 refusal") || !strings.Contains(got[0], want) ||
		!strings.HasPrefix(got[1], "chaos: raw schedule_snapshot_refresh -6 refusal") || !strings.Contains(got[1], want) ||
		!strings.Contains(got[2], "schedule_background_refresh") || !strings.Contains(got[2], " result ") {
		t.Errorf("requests:\n%s", strings.Join(got, "\n"))
	}
}

// A local notification comes back to the app in notification_will_present
// or notification_did_receive (with the tap's action), so content too
// large for that event to stay within the 64 KiB envelope is refused with
// limit when scheduled; content that fits is taken. The big one fits its
// request (65,536 bytes) but, tapped, made a 65,590-byte envelope.
func TestNotificationContentFitsTheEnvelope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	note := func(id string, userInfo int) []byte {
		return msg.ScheduleNotification{Identifier: id, Title: "t", Interval: time.Hour, UserInfo: make([]byte, userInfo)}.Encode(nil)
	}
	h, a, _ := virtualChaos(t,
		raw("DidFinishLaunching", abi.OpScheduleNotification, note("big", 65_475)),
		raw("DidFinishLaunching", abi.OpScheduleNotification, note("fits", 60_000)))
	must(t, a.Launch(ctx))
	got := h.guestLines("chaos: raw")
	if len(got) != 2 || !strings.HasPrefix(got[0], "chaos: raw schedule_notification -6 refusal") ||
		!strings.Contains(got[0], `notification \"big\" is 65511 bytes (identifier, title, body, category and userInfo encoded); at most 64488 fit`) ||
		got[1] != "chaos: raw schedule_notification 0 result " {
		t.Errorf("requests:\n%s", strings.Join(got, "\n"))
	}
}

// A call that makes more watchbox host calls than host_calls_per_call is
// killed as cpu_time_exceeded, and the crash says which cap and how to
// raise it (not the CPU budget, which a larger task_time would not
// help); the app launches again afterwards.
func TestHostCallsPerCallKillIsExplained(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, _ := capsHarness(t, nil, "host_calls_per_call=20")
	var mode []string
	for range 30 {
		mode = append(mode, raw("DidBecomeActive", abi.OpAppInfo, nil))
	}
	a := chaos(t, h, mode...)
	err := a.Launch(ctx)
	var ce *CrashError
	if !errors.As(err, &ce) {
		t.Fatalf("Launch error = %v, want a CrashError", err)
	}
	if ce.Termination != TerminationCPU || !strings.Contains(ce.Reason, "the call made more than 20 watchbox host calls") ||
		!strings.HasSuffix(ce.Reason, "raise it with --set host_calls_per_call=40, or make fewer host calls in one event (a loop of requests or reads)") {
		t.Errorf("crash = %v, want cpu_time_exceeded naming host_calls_per_call", err)
	}
	setMode(t, a)
	must(t, a.Launch(ctx))
}

// Rule output.decisions_per_call: the decisions a call's requests make the
// runtime report (log, timeline, OnDecision) are capped at
// decisions_per_call; the rest are dropped and counted in one decision at
// the call's end. What the requests did stands (every notification is
// pending), and the next call starts a new count.
func TestDecisionsPerCallAreCapped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, ds := capsHarness(t, nil, "decisions_per_call=5")
	var mode []string
	for i := range 12 {
		mode = append(mode, fmt.Sprintf("DidFinishLaunching notify n%d 1h", i))
	}
	a := chaos(t, h, mode...)
	must(t, a.Launch(ctx))
	if got := decisionsWith(*ds, policy.RuleNotificationScheduled); len(got) != 5 {
		t.Errorf("%d notification.scheduled decisions reported, want decisions_per_call = 5: %q", len(got), got)
	}
	dropped := decisionsWith(*ds, policy.RuleDecisionsPerCall)
	if len(dropped) != 1 || !strings.Contains(dropped[0], "7 decisions about the app dropped: the call made the system decide more than 5 times (decisions_per_call)") {
		t.Errorf("decisions_per_call decisions = %q", dropped)
	}
	for _, d := range *ds {
		if d.Rule == policy.RuleDecisionsPerCall && (d.Numbers["dropped"] != 7 || d.Numbers["limit"] != 5 || d.Verdict != "drop") {
			t.Errorf("decision %+v", d)
		}
	}
	if got := h.guestLines("chaos: notify"); len(got) != 12 || got[11] != "chaos: notify n11: <nil>" {
		t.Errorf("scheduling = %q, want all 12 taken", got)
	}
	setMode(t, a, "WillEnterForeground notify m1 1h")
	must(t, a.EnterBackground(ctx))
	must(t, a.Launch(ctx))
	if got := decisionsWith(*ds, policy.RuleNotificationScheduled); len(got) != 6 || !strings.Contains(got[5], "notification m1 scheduled") {
		t.Errorf("after the next call: %q, want m1's decision reported", got)
	}
}
