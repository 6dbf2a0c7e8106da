// Package extended is the extended runtime session feature
// (WKExtendedRuntimeSession): self care and mindfulness sessions that keep
// a frontmost app running with the wrist down, physical therapy and smart
// alarm sessions that keep it running in the background, each up to its
// type's limit; smart alarms scheduled with start(at:) that relaunch the
// app at their date; notifyUser's repeating haptics; and the background
// CPU limit, which ends a session that uses too much CPU.
//
// The session's type is the manifest's extended background mode. The
// guest names each session object by an id of its own (positive, new for
// every object); the system keeps at most one running and one scheduled
// session per app. What the app asks for (start, start(at:), invalidate)
// is answered in the request's result, with the invalidation reason and
// error when the session became invalid, and the SDK calls the delegate;
// what the system decides (didStart, willExpire, an expiry, a crown press,
// the CPU limit) comes as events.
package extended

import (
	"context"
	"fmt"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/system"
	"github.com/watchbox/watchbox/host/profile"
)

// Timer names.
const (
	timerStart   = "extended.did_start"
	timerWarn    = "extended.will_expire"
	timerExpire  = "extended.expire"
	timerAlarm   = "extended.alarm"
	timerHaptic  = "extended.haptic"
	watcherName  = "extended runtime"
	maxHapticVal = int64(abi.HapticClick)
)

// Feature is one app's extended runtime sessions.
type Feature struct {
	a          *system.App
	run, sched *session
	// maxID is the highest session id the current instance used: an id
	// at or below it that is neither running nor scheduled is invalid.
	maxID  int64
	barOff bool // the user turned Background App Refresh off
}

type session struct {
	id      int64
	typ     abi.SessionType
	start   time.Time // when it started, or is scheduled to
	expires time.Time // while running
	owner   uint64    // the launch (instance) whose object it is
	notify  *notifying
}

// notifying is notifyUser's repeating haptic.
type notifying struct {
	haptic   abi.Haptic
	interval time.Duration
	handler  bool
}

// Register adds extended runtime sessions to app a.
func Register(a *system.App) *Feature {
	f := &Feature{a: a}
	a.Features.Handle(abi.OpStartExtendedSession, f.startOp)
	a.Features.Handle(abi.OpInvalidateExtendedSession, f.invalidateOp)
	a.Features.Handle(abi.OpNotifyUser, f.notifyOp)
	a.Features.Handle(abi.OpExtendedSessionState, f.stateOp)
	a.Features.OnKill(f.kill)
	a.Features.OnBackground(f.background)
	a.Features.Durable("extended", f.save, f.restore)
	return f
}

// modeType returns the session type of manifest m's extended mode, and
// the mode (0 and "" without one).
func modeType(m *bundle.Manifest) (abi.SessionType, bundle.BackgroundMode) {
	mode, ok := m.ExtendedRuntimeMode()
	if !ok {
		return 0, ""
	}
	switch mode {
	case bundle.ModeSelfCare:
		return abi.SessionSelfCare, mode
	case bundle.ModeMindfulness:
		return abi.SessionMindfulness, mode
	case bundle.ModePhysicalTherapy:
		return abi.SessionPhysicalTherapy, mode
	}
	return abi.SessionSmartAlarm, mode
}

// maxDuration returns the longest run of a session of type t under
// profile p.
func maxDuration(p *profile.Profile, t abi.SessionType) time.Duration {
	switch t {
	case abi.SessionSelfCare:
		return p.SelfCareMax.D()
	case abi.SessionMindfulness:
		return p.MindfulnessMax.D()
	case abi.SessionPhysicalTherapy:
		return p.PhysicalTherapyMax.D()
	}
	return p.SmartAlarmMax.D()
}

// launch returns the current instance's launch number.
func (f *Feature) launch() uint64 { n, _ := f.a.Life.Counts(); return n }

// mine returns s when it is the current instance's session id.
func (f *Feature) mine(s *session, id int64) bool {
	return s != nil && s.id == id && s.owner == f.launch()
}

// info is a session's result.
func (f *Feature) info(id int64) msg.ExtendedSessionInfo {
	t, _ := modeType(&f.a.Manifest)
	in := msg.ExtendedSessionInfo{SessionID: id, SessionType: int64(t)}
	switch {
	case f.mine(f.run, id):
		in.State, in.Date = int64(abi.ExtendedRunning), f.run.expires.UnixNano()
	case f.mine(f.sched, id):
		in.State, in.Date = int64(abi.ExtendedScheduled), f.sched.start.UnixNano()
	case id <= f.maxID:
		in.State = int64(abi.ExtendedInvalid)
	default:
		in.State = int64(abi.ExtendedNotStarted)
	}
	return in
}

// invalid is the result of a request that left session id invalid.
func invalid(id int64, t abi.SessionType, reason abi.InvalidationReason, e abi.ExtendedError) []byte {
	return msg.ExtendedSessionInfo{SessionID: id, State: int64(abi.ExtendedInvalid), SessionType: int64(t),
		Reason: int64(reason), SessionError: int64(e)}.Encode(nil)
}

// errorNamed returns the ExtendedError called name.
func errorNamed(name string) abi.ExtendedError {
	for _, e := range abi.ExtendedErrors() {
		if e.String() == name {
			return e
		}
	}
	return abi.ErrorUnknown
}

// checkID refuses a session id that is not positive.
func checkID(op abi.Op, id int64) ([]byte, abi.Status, string, bool) {
	if id <= 0 {
		res, st, why := system.Refuse(op, abi.StatusBadArgument, "session_id must be positive, got %d; give every session object an id of its own", id)
		return res, st, why, false
	}
	return nil, 0, "", true
}

// startOp is start_extended_session: start() or start(at:).
func (f *Feature) startOp(b []byte) ([]byte, abi.Status, string) {
	var args msg.StartExtendedSession
	if err := args.Decode(b); err != nil {
		return system.BadArgs(err)
	}
	id := args.SessionID
	if res, st, why, ok := checkID(abi.OpStartExtendedSession, id); !ok {
		return res, st, why
	}
	if f.mine(f.run, id) || f.mine(f.sched, id) {
		return system.Done(f.info(id).Encode(nil)) // started already: nothing changes
	}
	if id <= f.maxID {
		return system.Refuse(abi.OpStartExtendedSession, abi.StatusNotAllowed,
			"session %d is invalid (it ended or was refused); an invalid session cannot start again, create a new one", id)
	}
	f.maxID = id
	a := f.a
	typ, mode := modeType(&f.a.Manifest)
	req := policy.ExtendedRequest{ID: id, Mode: string(mode), Active: a.Life.State() == abi.StateActive,
		Running: f.run != nil, Scheduled: f.sched != nil, BARDisabled: f.barOff, Max: maxDuration(f.a.Env.Rules.Profile(), typ)}
	if args.Date != 0 {
		req.Date = time.Unix(0, args.Date).UTC()
	}
	now := a.Now()
	var out policy.ExtendedOutcome
	a.DecidePolicy(func(p *policy.Policy) policy.Decision {
		out = p.Sessions().ExtendedStart(a.Facts(), req, now)
		return out.Decision
	})
	switch {
	case out.InProgress:
		return system.Done(invalid(id, typ, abi.InvalidationSessionInProgress, 0))
	case out.Error != "":
		return system.Done(invalid(id, typ, abi.InvalidationError, errorNamed(out.Error)))
	}
	s := &session{id: id, typ: typ, start: out.Start, owner: f.launch()}
	if out.Verdict == policy.Scheduled {
		f.sched = s
		a.Timers.Set(timerAlarm, s.start, "smart alarm", f.fire)
		return system.Done(f.info(id).Encode(nil))
	}
	f.begin(s, now)
	// didStart comes right after this call, as watchOS calls the
	// delegate after start() returns.
	a.Timers.Set(timerStart, now, "extended session did start", func() { f.didStart(context.Background(), s) })
	return system.Done(f.info(id).Encode(nil))
}

// begin makes s the running session from now: the app is held awake
// (and frontmost, for a frontmost type), its CPU is watched, and its
// willExpire and expiry are armed.
func (f *Feature) begin(s *session, now time.Time) {
	a := f.a
	p := a.Env.Rules.Profile()
	s.start = now
	s.expires = now.Add(maxDuration(f.a.Env.Rules.Profile(), s.typ))
	f.run = s
	a.Holds.Hold()
	if s.typ.Frontmost() {
		a.Holds.HoldFrontmost()
	}
	a.CPU.Watch(watcherName, f.overCPU)
	a.Begin("session", fmt.Sprintf("extended %v session %d", s.typ, s.id), "extended")
	if lead := p.ExtendedWillExpire.D(); lead < s.expires.Sub(now) {
		a.Timers.Set(timerWarn, s.expires.Add(-lead), "extended session will expire", func() { f.willExpire(s) })
	}
	a.Timers.Set(timerExpire, s.expires, "extended session expires", func() {
		f.end(context.Background(), s, abi.InvalidationExpired, 0, policy.RuleExtendedExpired,
			fmt.Sprintf("extended %v session %d expired: it ran its whole %s (%s_max)", s.typ, s.id, dur(s.expires.Sub(s.start)), s.typ), nil, true)
	})
}

// didStart tells the app its session s runs.
func (f *Feature) didStart(ctx context.Context, s *session) {
	if f.run != s || !f.a.Guest.Running() {
		return
	}
	f.a.Life.Deliver(ctx, abi.EventExtendedSessionDidStart,
		msg.ExtendedSession{SessionID: s.id, SessionType: int64(s.typ), Date: s.expires.UnixNano()}.Encode(nil))
}

// willExpire warns the app that s ends soon.
func (f *Feature) willExpire(s *session) {
	a := f.a
	if f.run != s {
		return
	}
	lead := a.Env.Rules.Profile().ExtendedWillExpire.D()
	a.Report(policy.Decision{Time: a.Env.Clock.Now(), Kind: policy.KindExtendedSession, Verdict: policy.Warn, At: s.expires,
		Rule: policy.RuleExtendedWillExpire, Numbers: map[string]int64{"lead_s": int64(lead / time.Second)},
		Reason: fmt.Sprintf("extended %v session %d will expire at %s (extended_will_expire_lead=%s)", s.typ, s.id, s.expires.UTC().Format("15:04:05"), dur(lead))})
	if a.Guest.Running() {
		a.Life.Deliver(context.Background(), abi.EventExtendedSessionWillExpire,
			msg.ExtendedSession{SessionID: s.id, SessionType: int64(s.typ), Date: s.expires.UnixNano()}.Encode(nil))
	}
}

// end invalidates the running session s with reason (and error e),
// reports it under rule with why and nums, and tells the app when tell is
// set; the app's holds are released and it may settle into suspension.
func (f *Feature) end(ctx context.Context, s *session, reason abi.InvalidationReason, e abi.ExtendedError, rule, why string, nums map[string]int64, tell bool) {
	a := f.a
	if f.run != s {
		return
	}
	f.stop(rule)
	a.Report(policy.Decision{Time: a.Env.Clock.Now(), Kind: policy.KindExtendedSession, Verdict: policy.Invalidated,
		Rule: rule, Reason: why, Numbers: nums})
	if tell && a.Guest.Running() {
		m := msg.ExtendedSessionInvalidated{SessionID: s.id, SessionType: int64(s.typ), Reason: int64(reason)}
		m.Error = reason.String()
		if reason == abi.InvalidationError {
			m.SessionError, m.Error = int64(e), e.String()
		}
		a.Life.Deliver(ctx, abi.EventExtendedSessionInvalidated, m.Encode(nil))
	}
	a.Life.Settle()
}

// stop forgets the running session: its timers, holds and CPU watch; why
// is how it ended, for traces.
func (f *Feature) stop(why string) {
	a := f.a
	s := f.run
	if s == nil {
		return
	}
	f.run = nil
	a.End("session", fmt.Sprintf("extended %v session %d", s.typ, s.id), "extended", why)
	for _, t := range []string{timerStart, timerWarn, timerExpire, timerHaptic} {
		a.Timers.Stop(t)
	}
	a.CPU.Unwatch(watcherName)
	a.Holds.Release()
	if s.typ.Frontmost() {
		a.Holds.ReleaseFrontmost()
	}
}

// background ends a frontmost-only session when the app leaves the
// foreground (a crown press, another app, a notification tap); wrist
// down alone keeps it frontmost.
func (f *Feature) background(ctx context.Context) error {
	s := f.run
	if s == nil || !s.typ.Frontmost() {
		return nil
	}
	why := f.a.Life.Leaving()
	if why == "" {
		why = "the app left the foreground"
	}
	f.end(ctx, s, abi.InvalidationResignedFrontmost, 0, policy.RuleExtendedResignedFrontmost,
		fmt.Sprintf("extended %v session %d ended (resigned_frontmost): %s; a %v session runs only while its app is frontmost", s.typ, s.id, why, s.typ), nil, true)
	return nil
}

// overCPU ends the running session at the background CPU limit.
func (f *Feature) overCPU(d policy.Decision) {
	s := f.run
	if s == nil {
		return
	}
	f.end(context.Background(), s, abi.InvalidationError, abi.ErrorExceededResourceLimits, policy.RuleExtendedCPU,
		fmt.Sprintf("extended %v session %d invalidated (exceeded_resource_limits): %s", s.typ, s.id, d.Reason), d.Numbers, true)
}

// kill forgets a running session with the instance that ran it. A
// scheduled smart alarm stays: the system relaunches the app for it.
func (f *Feature) kill() {
	a := f.a
	if s := f.run; s != nil {
		f.stop(policy.RuleExtendedInstanceEnded)
		if a.Life.Closing() {
			return // the end of the run, not the session's fate
		}
		a.Report(policy.Decision{Time: a.Env.Clock.Now(), Kind: policy.KindExtendedSession, Verdict: policy.Invalidated,
			Rule: policy.RuleExtendedInstanceEnded, Reason: fmt.Sprintf("extended %v session %d ended with the app's instance (no delegate call)", s.typ, s.id)})
	}
	f.maxID = 0
}

// invalidateOp is invalidate_extended_session.
func (f *Feature) invalidateOp(b []byte) ([]byte, abi.Status, string) {
	var args msg.SessionRef
	if err := args.Decode(b); err != nil {
		return system.BadArgs(err)
	}
	id := args.SessionID
	if res, st, why, ok := checkID(abi.OpInvalidateExtendedSession, id); !ok {
		return res, st, why
	}
	a := f.a
	typ, _ := modeType(&f.a.Manifest)
	now := a.Now()
	report := func(rule, verdict, why string) {
		a.Report(policy.Decision{Time: now, Kind: policy.KindExtendedSession, Verdict: verdict, Rule: rule, Reason: why})
	}
	switch {
	case f.mine(f.run, id):
		s := f.run
		f.stop(policy.RuleExtendedInvalidated)
		report(policy.RuleExtendedInvalidated, policy.Invalidated, fmt.Sprintf("extended %v session %d invalidated by the app after %s", s.typ, id, dur(now.Sub(s.start))))
		a.Life.Settle()
		return system.Done(invalid(id, typ, abi.InvalidationNone, 0))
	case f.mine(f.sched, id):
		if a.Life.State() != abi.StateActive {
			return system.Refuse(abi.OpInvalidateExtendedSession, abi.StatusNotAllowed,
				"a scheduled smart alarm is cancelled only while the app is active; the app is %v", a.Life.State())
		}
		f.sched = nil
		a.Timers.Stop(timerAlarm)
		report(policy.RuleExtendedInvalidated, policy.Invalidated, fmt.Sprintf("smart alarm %d cancelled by the app", id))
		return system.Done(invalid(id, typ, abi.InvalidationNone, 0))
	case id > f.maxID:
		f.maxID = id
		report(policy.RuleExtendedNotYetStarted, policy.Refused, fmt.Sprintf("extended session %d invalidated before it started (not_yet_started)", id))
		return system.Done(invalid(id, typ, abi.InvalidationError, abi.ErrorNotYetStarted))
	}
	return system.Done(f.info(id).Encode(nil)) // invalid already: nothing changes
}

// stateOp is extended_session_state.
func (f *Feature) stateOp(b []byte) ([]byte, abi.Status, string) {
	var args msg.SessionRef
	if err := args.Decode(b); err != nil {
		return system.BadArgs(err)
	}
	if res, st, why, ok := checkID(abi.OpExtendedSessionState, args.SessionID); !ok {
		return res, st, why
	}
	return system.Done(f.info(args.SessionID).Encode(nil))
}

// fire starts the scheduled smart alarm at its date: the instance that
// scheduled it gets didStart; otherwise the system launches the app into
// the background and hands it the session (handle_extended_session),
// which the app must claim or lose.
func (f *Feature) fire() {
	a := f.a
	s := f.sched
	if s == nil {
		return
	}
	f.sched = nil
	ctx := context.Background()
	now := a.Env.Clock.Now()
	own := a.Guest.Running() && s.owner == f.launch()
	how := "its app's instance is still alive: didStart"
	if !own {
		how = "its app is not running the instance that scheduled it: launched to claim it (handle_extended_session)"
	}
	a.Report(policy.Decision{Time: now, Kind: policy.KindExtendedSession, Verdict: policy.Run, At: now, Rule: policy.RuleExtendedAlarmFired,
		Reason: fmt.Sprintf("smart alarm %d fired; %s", s.id, how)})
	if err := a.Life.Wake(ctx); err != nil {
		return
	}
	if own {
		f.begin(s, now)
		f.didStart(ctx, s)
		return
	}
	c, _ := a.Life.Deliver(ctx, abi.EventHandleExtendedSession,
		msg.ExtendedSession{SessionID: s.id, SessionType: int64(s.typ), Date: now.Add(maxDuration(f.a.Env.Rules.Profile(), s.typ)).UnixNano()}.Encode(nil))
	if c.Status != abi.StatusOK || c.Crash != "" || !a.Guest.Running() {
		a.Report(policy.Decision{Time: a.Env.Clock.Now(), Kind: policy.KindExtendedSession, Verdict: policy.Drop, Rule: policy.RuleExtendedUnclaimed,
			Reason: fmt.Sprintf("smart alarm %d lost: the app did not claim it in handle_extended_session (it answered %s); set the session's delegate there", s.id, answer(c))})
		a.Life.Settle()
		return
	}
	s.owner = f.launch()
	f.maxID = max(f.maxID, s.id)
	f.begin(s, a.Env.Clock.Now())
	f.didStart(ctx, s)
}

// answer names a call's outcome for a reason.
func answer(c system.Call) string {
	if c.Crash != "" {
		return "with a crash"
	}
	return c.Status.String()
}

// notifyOp is notify_user: a running smart alarm plays a haptic now and
// repeats it until the app stops it.
func (f *Feature) notifyOp(b []byte) ([]byte, abi.Status, string) {
	var args msg.NotifyUser
	if err := args.Decode(b); err != nil {
		return system.BadArgs(err)
	}
	if res, st, why, ok := checkID(abi.OpNotifyUser, args.SessionID); !ok {
		return res, st, why
	}
	if args.Haptic < 0 || args.Haptic > maxHapticVal {
		return system.Refuse(abi.OpNotifyUser, abi.StatusBadArgument, "haptic %d is not a haptic type (0-%d)", args.Haptic, maxHapticVal)
	}
	s := f.run
	if !f.mine(s, args.SessionID) || s.typ != abi.SessionSmartAlarm {
		return system.Refuse(abi.OpNotifyUser, abi.StatusNotAllowed, "session %d is not a running smart alarm session; notifyUser is for running smart alarms", args.SessionID)
	}
	s.notify = &notifying{haptic: abi.Haptic(args.Haptic), interval: f.a.Env.Rules.Profile().SmartAlarmRepeat.D(), handler: args.Handler}
	f.a.Timers.Set(timerHaptic, f.a.Now(), "smart alarm haptic", func() { f.haptic(s) })
	return system.Done(nil)
}

// haptic plays s's haptic, asks the repeat handler (if any) for the next
// interval and haptic, and arms the next repeat.
func (f *Feature) haptic(s *session) {
	a := f.a
	n := s.notify
	if f.run != s || n == nil {
		return
	}
	p := a.Env.Rules.Profile()
	now := a.Env.Clock.Now()
	played := n.haptic
	report := func() {
		a.Report(policy.Decision{Time: now, Kind: policy.KindExtendedSession, Verdict: policy.Notify, Rule: policy.RuleExtendedHaptic,
			Numbers: map[string]int64{"interval_ms": n.interval.Milliseconds()},
			Reason:  fmt.Sprintf("smart alarm %d played haptic %v (notifyUser); next in %s", s.id, played, n.interval)})
	}
	defer func() {
		if f.run == s && s.notify == n {
			report()
			a.Timers.Set(timerHaptic, a.Env.Clock.Now().Add(n.interval), "smart alarm haptic", func() { f.haptic(s) })
		}
	}()
	if n.handler && a.Guest.Running() {
		c, _ := a.Life.Deliver(context.Background(), abi.EventSmartAlarmRepeat,
			msg.SmartAlarmRepeat{SessionID: s.id, Haptic: int64(n.haptic), Interval: n.interval}.Encode(nil))
		if f.run != s || s.notify != n {
			return // the handler invalidated the session or started anew
		}
		var r msg.SmartAlarmRepeatReply
		if c.Status == abi.StatusOK && len(c.Reply) > 0 && r.Decode(c.Reply) == nil {
			t := a.Env.Clock.Now()
			switch {
			case r.Interval == 0:
				s.notify = nil
				n.interval = 0
				report()
				a.Report(policy.Decision{Time: t, Kind: policy.KindExtendedSession, Verdict: policy.Drop, Rule: policy.RuleExtendedNotifyStopped,
					Reason: fmt.Sprintf("smart alarm %d: the repeat handler returned 0, the haptics stop", s.id)})
				return
			case r.Interval < 0 || r.Interval > p.SmartAlarmRepeatMax.D() || r.Interval < p.SmartAlarmRepeatMin.D():
				next := min(max(r.Interval, p.SmartAlarmRepeatMin.D()), p.SmartAlarmRepeatMax.D())
				a.Report(policy.Decision{Time: t, Kind: policy.KindExtendedSession, Verdict: policy.Delay, Rule: policy.RuleExtendedNotifyInterval,
					Numbers: map[string]int64{"asked_ms": r.Interval.Milliseconds(), "min_ms": p.SmartAlarmRepeatMin.D().Milliseconds(), "max_ms": p.SmartAlarmRepeatMax.D().Milliseconds()},
					Reason:  fmt.Sprintf("smart alarm %d: the repeat handler asked for %s, outside (0, %s] or below smart_alarm_repeat_min=%s; repeating every %s", s.id, r.Interval, p.SmartAlarmRepeatMax.D(), p.SmartAlarmRepeatMin.D(), next)})
				n.interval = next
			default:
				n.interval = r.Interval
			}
			if r.Haptic >= 0 && r.Haptic <= maxHapticVal {
				n.haptic = abi.Haptic(r.Haptic)
			}
		}
	}
}

// ErrNoSession is Suppress's error when the app has no running or
// scheduled session.
var ErrNoSession = fmt.Errorf("no extended runtime session running or scheduled")

// Suppress ends the app's running session, or else cancels its scheduled
// one, with reason suppressed_by_system, as watchOS does when the watch is
// in a state that allows no session of its type. watchbox cannot know
// when that happens on a watch, so a developer forces it.
func (f *Feature) Suppress(ctx context.Context) error {
	a := f.a
	if s := f.run; s != nil {
		f.end(ctx, s, abi.InvalidationSuppressedBySystem, 0, policy.RuleExtendedSuppressed,
			fmt.Sprintf("extended %v session %d suppressed by the system (forced)", s.typ, s.id), nil, true)
		return nil
	}
	if s := f.sched; s != nil {
		f.sched = nil
		a.Timers.Stop(timerAlarm)
		a.Report(policy.Decision{Time: a.Env.Clock.Now(), Kind: policy.KindExtendedSession, Verdict: policy.Invalidated,
			Rule: policy.RuleExtendedSuppressed, Reason: fmt.Sprintf("smart alarm %d suppressed by the system (forced)", s.id)})
		if a.Guest.Running() && s.owner == f.launch() {
			a.Life.Deliver(ctx, abi.EventExtendedSessionInvalidated, msg.ExtendedSessionInvalidated{SessionID: s.id, SessionType: int64(s.typ),
				Reason: int64(abi.InvalidationSuppressedBySystem), Error: abi.InvalidationSuppressedBySystem.String()}.Encode(nil))
		}
		return nil
	}
	return ErrNoSession
}

// FireNow fires the scheduled smart alarm now, as at its date; it returns
// ErrNoSession when none is scheduled.
func (f *Feature) FireNow() error {
	if f.sched == nil {
		return ErrNoSession
	}
	f.a.Timers.Stop(timerAlarm)
	f.fire()
	return nil
}

// SetBackgroundAppRefresh turns the user's Background App Refresh setting
// for the app on or off; while it is off, sessions fail to start with
// bar_disabled.
func (f *Feature) SetBackgroundAppRefresh(on bool) { f.barOff = !on }

// Open reports whether the app has an extended runtime session running or
// scheduled.
func (f *Feature) Open() bool { return f.run != nil || f.sched != nil }

// Status describes the app's sessions for `status`: "mindfulness session
// 1 running until 07:40:00", "smart alarm 2 scheduled for 07:00:00", or ""
// when there is none.
func (f *Feature) Status() string {
	var out string
	if s := f.run; s != nil {
		out = fmt.Sprintf("%v session %d running until %s", s.typ, s.id, s.expires.UTC().Format("15:04:05"))
		if s.notify != nil {
			out += fmt.Sprintf(", notifying every %s", s.notify.interval)
		}
	}
	if s := f.sched; s != nil {
		if out != "" {
			out += "; "
		}
		out += fmt.Sprintf("%v session %d scheduled for %s", s.typ, s.id, s.start.UTC().Format("2006-01-02 15:04:05"))
	}
	return out
}

// dur formats a duration for a reason: "10 min", "1 h", "42 s".
func dur(d time.Duration) string {
	switch {
	case d != 0 && d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d != 0 && d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return d.Round(time.Second).String()
}
