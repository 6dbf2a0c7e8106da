package system

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/internal/clock"
	"github.com/watchbox/watchbox/host/internal/guest"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/profile"
)

var t0 = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

func newApp(t *testing.T) (*App, *[]policy.Decision) {
	t.Helper()
	vc := clock.NewVirtual(t0)
	var reported []policy.Decision
	env := &Env{Clock: vc, Sched: clock.New(vc),
		Rules:            NewRules(profile.Default(), func(d policy.Decision) { reported = append(reported, d) }),
		FrontmostTimeout: func() time.Duration { return 0 }, SuspendDelay: func() time.Duration { return 0 }}
	return New(env, "dev.watchbox.test", bundle.Manifest{}, zerolog.Nop()), &reported
}

// A named timer runs once, under the app's lock; setting it again replaces
// it, stopping it disarms it, and a closed app's timers do not run.
func TestTimers(t *testing.T) {
	a, _ := newApp(t)
	var ran []string
	a.Timers.Set("x", t0.Add(time.Minute), "x", func() { ran = append(ran, "first") })
	a.Timers.Set("x", t0.Add(2*time.Minute), "x", func() {
		if a.mu.TryLock() {
			t.Error("the timer ran without the app's lock")
		}
		ran = append(ran, "second")
	})
	a.Timers.Set("y", t0.Add(time.Minute), "y", func() { ran = append(ran, "y") })
	if !a.Timers.Stop("y") || a.Timers.Stop("y") {
		t.Fatal("Stop: want true once")
	}
	if err := a.Env.Sched.RunUntil(context.Background(), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(ran) != 1 || ran[0] != "second" || a.Timers.Armed("x") {
		t.Fatalf("ran %v, armed %v", ran, a.Timers.Armed("x"))
	}
	a.Timers.Set("z", t0.Add(2*time.Hour), "z", func() { ran = append(ran, "z") })
	a.Life.closed = true
	a.Env.Sched.RunUntil(context.Background(), t0.Add(3*time.Hour))
	if len(ran) != 1 {
		t.Fatalf("a closed app's timer ran: %v", ran)
	}
}

// Holds nest, and never go below zero.
func TestHolds(t *testing.T) {
	a, _ := newApp(t)
	a.Holds.Hold()
	a.Holds.Hold()
	a.Holds.Release()
	if a.Holds.awake != 1 {
		t.Fatalf("holds = %d", a.Holds.awake)
	}
	a.Holds.Release()
	a.Holds.Release()
	if a.Holds.awake != 0 {
		t.Fatalf("holds = %d", a.Holds.awake)
	}
}

// Requests go to the op a feature registered; app_info is the core's, and
// an op nobody registered is unsupported, with a reason.
func TestRequestRegistry(t *testing.T) {
	a, _ := newApp(t)
	a.Features.Handle(abi.OpSendToPhone, func(args []byte) ([]byte, abi.Status, string) { return Done([]byte("ok")) })
	if res, st, why := a.Request(abi.OpSendToPhone, nil); st != abi.StatusOK || string(res) != "ok" || why != "" {
		t.Fatalf("registered op: %q %v %q", res, st, why)
	}
	if _, st, why := a.Request(abi.OpStartDownload, nil); st != abi.StatusUnsupported || why != "start_download: not implemented by this host" {
		t.Fatalf("unregistered op: %v %q", st, why)
	}
	res, st, _ := a.Request(abi.OpAppInfo, nil)
	var info msg.AppInfo
	if err := info.Decode(res); err != nil || st != abi.StatusOK || info.BundleID != "dev.watchbox.test" {
		t.Fatalf("app_info: %+v %v %v", info, st, err)
	}
}

// Decide reports what the rule decided; Report fills in the app.
func TestDecideReports(t *testing.T) {
	a, reported := newApp(t)
	d := a.Decide(func(p *policy.Policy, f policy.Facts) policy.Decision {
		return p.Schedules().Refresh(f, t0.Add(time.Hour), nil, t0)
	})
	if d.Verdict != policy.Scheduled || len(*reported) != 1 || (*reported)[0].Rule != d.Rule {
		t.Fatalf("decision %+v, reported %+v", d, *reported)
	}
	a.Report(policy.Decision{Time: t0, Kind: policy.KindTask, Verdict: policy.Completed, Rule: policy.RuleTaskCompleted})
	if got := (*reported)[1]; got.App != a.ID || got.Rule != policy.RuleTaskCompleted {
		t.Fatalf("Report: %+v", got)
	}
}

// A reason reported by App.Report quotes guest strings, so it is cut to
// maxReason bytes on a rune boundary: a guest cannot make the runtime's
// decision log hold its 64 KiB identifiers.
func TestReportCapsTheReason(t *testing.T) {
	t.Parallel()
	a, reported := newApp(t)
	long := "notification " + strings.Repeat("é", 40000) + " scheduled"
	a.Report(policy.Decision{Time: t0, Rule: "x", Reason: long})
	a.Report(policy.Decision{Time: t0, Rule: "x", Reason: "short"})
	got := (*reported)[0].Reason
	if len(got) > maxReason+3 || !strings.HasSuffix(got, "...") || !utf8.ValidString(got) || !strings.HasPrefix(got, "notification é") {
		t.Errorf("reason of %d bytes cut to %d bytes: %q...", len(long), len(got), got[:40])
	}
	if (*reported)[1].Reason != "short" || (*reported)[1].App != "dev.watchbox.test" {
		t.Errorf("short reason = %+v", (*reported)[1])
	}
}

// A feature's hold is taken once however often it is wanted, released
// once, and dropped without settling when the instance dies.
func TestFeatureHold(t *testing.T) {
	a, _ := newApp(t)
	var h FeatureHold
	h.Keep(&a.Life, true)
	h.Keep(&a.Life, true)
	if !h.Held() || a.Holds.awake != 1 {
		t.Fatalf("after two Keep(true): held %v, holds %d; want true, 1", h.Held(), a.Holds.awake)
	}
	h.Keep(&a.Life, false)
	h.Keep(&a.Life, false)
	if h.Held() || a.Holds.awake != 0 {
		t.Fatalf("after two Keep(false): held %v, holds %d; want false, 0", h.Held(), a.Holds.awake)
	}
	a.Holds.Hold() // another feature's
	h.Keep(&a.Life, true)
	h.Drop(&a.Life)
	h.Drop(&a.Life)
	if h.Held() || a.Holds.awake != 1 {
		t.Fatalf("after Drop: held %v, holds %d; want false and the other feature's 1", h.Held(), a.Holds.awake)
	}
}

// A call ended by host_calls_per_call is explained by that cap and how to
// raise it, not as a call that used its CPU budget (whose advice, a
// larger task_time, would not help).
func TestHostCallsCrashNamesItsCap(t *testing.T) {
	t.Parallel()
	a, _ := newApp(t)
	got := a.Crashes.reason(abi.EventBackgroundTasks, &guest.Crash{Termination: guest.TerminationCPU, HostCalls: true,
		Reason: "the call made more than 100000 watchbox host calls (event_read, event_reply, log, request, result_read): host_calls_per_call=100000"})
	want := "the call made more than 100000 watchbox host calls (event_read, event_reply, log, request, result_read): host_calls_per_call=100000; " +
		"raise it with --set host_calls_per_call=200000, or make fewer host calls in one event (a loop of requests or reads)"
	if got != want {
		t.Errorf("reason:\n got %s\nwant %s", got, want)
	}
}

// A refusal quotes at most maxQuoted bytes of each string, bytes or error
// it names: a guest's 64 KiB identifier, quoted whole with %q, cost the
// host milliseconds for every refused request and gave the guest a
// refusal four times the size of its request.
func TestRefusalQuotesBoundedArguments(t *testing.T) {
	t.Parallel()
	id := strings.Repeat("\x00", 64<<10)
	_, _, reason := Refuse(abi.OpStartDownload, abi.StatusBadArgument, "id %q %s", id, abi.SessionIDProblem(id))
	if len(reason) > 5*maxQuoted || !strings.HasPrefix(reason, `start_download: id "\x00\x00`) || !strings.Contains(reason, `..." `) {
		t.Errorf("refusal of %d bytes: %.80q...", len(reason), reason)
	}
	_, _, reason = Refuse(abi.OpScheduleNotification, abi.StatusBadArgument, "calendar %s: %v", []byte(strings.Repeat("{", 64<<10)),
		errors.New(strings.Repeat("é", 32<<10)))
	if len(reason) > 3*maxQuoted || !utf8.ValidString(reason) {
		t.Errorf("refusal of %d bytes (valid UTF-8: %v)", len(reason), utf8.ValidString(reason))
	}
	res, _, reason := RefuseCode(abi.OpSendToPhone, abi.StatusNotAllowed, 7, "%s", strings.Repeat("x", 64<<10))
	if len(reason) > 2*maxQuoted || len(res) > 3*maxQuoted {
		t.Errorf("RefuseCode: reason of %d bytes, record of %d", len(reason), len(res))
	}
	if _, _, reason := Refuse(abi.OpStartDownload, abi.StatusBadArgument, "id %q has a space", "a b"); reason != `start_download: id "a b" has a space` {
		t.Errorf("short reason = %q", reason)
	}
}
