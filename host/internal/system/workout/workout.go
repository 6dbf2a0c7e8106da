// Package workout is HKWorkoutSession with its live builder: the states
// notStarted, prepared, running, paused, stopped and ended, the calls
// that move between them, one workout system-wide, the events (pause or
// resume requests from both side buttons, motion paused and resumed) and
// live data (heart rate at the profile's cadence, active energy, distance
// and elapsed time without the pauses) from a sample file, a GPX route or
// a seeded synthetic generator, so that every run is the same.
//
// A prepared or running workout holds its app: the app keeps running in
// the background when the wrist drops, instead of being suspended.
package workout

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/system"
	"github.com/watchbox/watchbox/host/sensors"
)

// maxFinished is how many ended sessions an app's Feature remembers by
// identifier, so that a call on one is refused as on an ended session;
// older ones are forgotten (a guest making sessions cannot grow it).
const maxFinished = 16

// synthLength is how long the synthetic heart rate runs before it holds
// its last value.
const synthLength = 6 * time.Hour

// System is the one workout of a runtime: HealthKit runs one workout
// session system-wide. Its methods are safe for concurrent use.
type System struct {
	mu    sync.Mutex
	owner *Feature
}

// NewSystem returns a System with no workout.
func NewSystem() *System { return &System{} }

// claim makes f the owner and returns the previous one (nil if none or f).
func (s *System) claim(f *Feature) *Feature {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.owner
	s.owner = f
	if prev == f {
		return nil
	}
	return prev
}

// release forgets f as the owner, if it is.
func (s *System) release(f *Feature) {
	s.mu.Lock()
	if s.owner == f {
		s.owner = nil
	}
	s.mu.Unlock()
}

// Config is what the workout feature takes from the runtime.
type Config struct {
	// System is the runtime's one workout.
	System *System
	// Seed seeds the synthetic heart rate.
	Seed uint64
}

// Feature is one app's workout sessions.
type Feature struct {
	a    *system.App
	sys  *System
	seed uint64

	s      *session           // the current session, nil if none
	ended  ended              // identifiers of ended sessions
	awake  system.FeatureHold // the feature holds the app awake
	feeds  Feeds              // the sensor data fed for the next workouts
	events delegate           // the delegate's events waiting to be delivered
}

type session struct {
	id       string
	activity int64
	state    abi.WorkoutState
	start    time.Time // when it started running; zero before
	pauses   sensors.Pauses
	hr       sensors.Source
	dist     sensors.Source // nil without a route
	energy   float64
	last     time.Duration // offset of the latest sample
	lastHR   float64
}

// ended are the identifiers of an app's ended sessions, oldest first, at
// most maxFinished of them: a call on one is refused as on an ended
// session.
type ended []string

// add remembers id, forgetting the oldest beyond maxFinished.
func (e *ended) add(id string) {
	if len(*e) >= maxFinished {
		*e = append((*e)[:0], (*e)[1:]...)
	}
	*e = append(*e, id)
}

// has reports whether session id ended.
func (e ended) has(id string) bool {
	for _, x := range e {
		if x == id {
			return true
		}
	}
	return false
}

// Register adds the workout feature to a.
func Register(a *system.App, cfg Config) *Feature {
	f := &Feature{awake: system.FeatureHold{Session: "workout"}, a: a, sys: cfg.System, seed: cfg.Seed}
	f.events.a = a
	if f.sys == nil {
		f.sys = NewSystem()
	}
	a.Features.Handle(abi.OpPrepareWorkout, f.prepare)
	a.Features.Handle(abi.OpStartWorkout, f.start)
	a.Features.Handle(abi.OpPauseWorkout, func(b []byte) ([]byte, abi.Status, string) {
		return f.move(abi.OpPauseWorkout, b, abi.WorkoutPaused, abi.WorkoutRunning)
	})
	a.Features.Handle(abi.OpResumeWorkout, func(b []byte) ([]byte, abi.Status, string) {
		return f.move(abi.OpResumeWorkout, b, abi.WorkoutRunning, abi.WorkoutPaused)
	})
	a.Features.Handle(abi.OpStopWorkout, func(b []byte) ([]byte, abi.Status, string) {
		return f.move(abi.OpStopWorkout, b, abi.WorkoutStopped, abi.WorkoutRunning, abi.WorkoutPaused)
	})
	a.Features.Handle(abi.OpEndWorkout, f.end)
	a.Features.Handle(abi.OpWorkoutStatistics, f.statistics)
	a.Features.OnKill(f.killed)
	a.Features.OnClose(func() { f.sys.release(f) })
	a.Features.OnBackground(f.backgrounded)
	return f
}

// ---- ops --------------------------------------------------------------------

func (f *Feature) prepare(args []byte) ([]byte, abi.Status, string) {
	var m msg.StartWorkout
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	if f.s != nil && f.s.id == m.Identifier {
		return refuseTransition(f.a, abi.OpPrepareWorkout, f.s.state, "prepare needs a session that has not started")
	}
	if f.ended.has(m.Identifier) {
		return refuseTransition(f.a, abi.OpPrepareWorkout, abi.WorkoutEnded, "a stopped or ended session cannot be started again; create a new one")
	}
	if res, st, why, failed := f.allowed(abi.OpPrepareWorkout, m); failed || st != abi.StatusOK {
		return res, st, why
	}
	f.begin(m)
	f.changeTo(abi.WorkoutPrepared, f.a.Now())
	return system.Done(nil)
}

func (f *Feature) start(args []byte) ([]byte, abi.Status, string) {
	var m msg.StartWorkout
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	if f.ended.has(m.Identifier) {
		return refuseTransition(f.a, abi.OpStartWorkout, abi.WorkoutEnded, "a stopped or ended session cannot be started again; create a new one")
	}
	if f.s != nil && f.s.id == m.Identifier {
		switch f.s.state {
		case abi.WorkoutPrepared:
		case abi.WorkoutStopped:
			return refuseTransition(f.a, abi.OpStartWorkout, f.s.state, "a stopped or ended session cannot be started again; create a new one")
		default:
			return refuseTransition(f.a, abi.OpStartWorkout, f.s.state, "the session has already started")
		}
	} else {
		if res, st, why, failed := f.allowed(abi.OpStartWorkout, m); failed || st != abi.StatusOK {
			return res, st, why
		}
		f.begin(m)
	}
	now := f.a.Now()
	f.s.start = now
	f.changeTo(abi.WorkoutRunning, now)
	return system.Done(nil)
}

// move carries out pause, resume and stopActivity: the session id must be
// in one of the states from.
func (f *Feature) move(op abi.Op, args []byte, to abi.WorkoutState, from ...abi.WorkoutState) ([]byte, abi.Status, string) {
	var m msg.WorkoutCall
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	state := f.stateOf(m.Identifier)
	ok := false
	for _, s := range from {
		ok = ok || s == state
	}
	if !ok {
		names := ""
		for i, s := range from {
			if i > 0 {
				names += " or "
			}
			names += s.String()
		}
		return refuseTransition(f.a, op, state, "it needs a "+names+" session")
	}
	if to == abi.WorkoutPaused {
		if n, limit := f.s.pauses.Count(), f.a.Env.Rules.Profile().MaxWorkoutPauses; n >= limit {
			return refusePause(f.a, n, limit)
		}
	}
	now := f.a.Now()
	off := now.Sub(f.s.start)
	switch to {
	case abi.WorkoutPaused:
		f.s.sample(now, &f.events) // the data up to the pause counts
		f.s.pauses.Pause(off)
		f.events.queue(abi.EventWorkoutEvent, msg.WorkoutEvent{Type: int64(abi.WorkoutEventPause), Date: now.UnixNano()}.Encode(nil))
	case abi.WorkoutRunning:
		f.s.pauses.Resume(off)
		f.s.last = off
		f.events.queue(abi.EventWorkoutEvent, msg.WorkoutEvent{Type: int64(abi.WorkoutEventResume), Date: now.UnixNano()}.Encode(nil))
	case abi.WorkoutStopped:
		if f.s.state == abi.WorkoutRunning {
			f.s.sample(now, &f.events)
			f.s.pauses.Pause(off)
		}
	}
	f.changeTo(to, now)
	return system.Done(nil)
}

func (f *Feature) end(args []byte) ([]byte, abi.Status, string) {
	var m msg.WorkoutCall
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	if f.ended.has(m.Identifier) {
		return refuseTransition(f.a, abi.OpEndWorkout, abi.WorkoutEnded, "the session has already ended")
	}
	now := f.a.Now()
	if f.s == nil || f.s.id != m.Identifier {
		// A session that never started ends at once.
		f.events.queue(abi.EventWorkoutStateChanged, msg.WorkoutStateChanged{State: int64(abi.WorkoutEnded), From: int64(abi.WorkoutNotStarted), Date: now.UnixNano()}.Encode(nil))
		f.finish(m.Identifier)
		f.events.arm(now)
		return system.Done(nil)
	}
	if f.s.state == abi.WorkoutRunning {
		f.s.sample(now, &f.events)
	}
	f.changeTo(abi.WorkoutEnded, now)
	f.a.Report(policy.Decision{Time: now, Kind: policy.KindWorkout, Verdict: policy.End, Rule: policy.RuleWorkoutEnded,
		Reason: fmt.Sprintf("workout %s ended by the app %s", system.Truncate([]byte(m.Identifier), 40), f.s.summary(now))})
	return system.Done(nil)
}

func (f *Feature) statistics(args []byte) ([]byte, abi.Status, string) {
	var m msg.Empty
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	if f.s == nil {
		return system.Done(msg.WorkoutData{Date: f.a.Now().UnixNano(), State: int64(abi.WorkoutNotStarted)}.Encode(nil))
	}
	return system.Done(f.s.data(f.a.Now()).Encode(nil))
}

// allowed asks the policy whether session m may start now. A refusal is
// the op's answer. A start outside the foreground is not refused, as in
// HealthKit (watchOS 10+): the call succeeds, and the session fails
// through its delegate (didFail errorBackgroundWorkoutSessionNotAllowed,
// then didChangeTo ended) without touching any other workout; failed
// says so, with the op's answer.
func (f *Feature) allowed(op abi.Op, m msg.StartWorkout) (res []byte, st abi.Status, why string, failed bool) {
	a := f.a
	now := a.Now()
	d := a.Decide(func(p *policy.Policy, fa policy.Facts) policy.Decision {
		return p.SessionStart(fa, policy.Session{Kind: policy.KindWorkout, Op: op.String(), Mode: string(bundle.ModeWorkoutProcessing),
			HasMode: a.Manifest.HasBackgroundMode(bundle.ModeWorkoutProcessing), Foreground: true,
			FailCode: abi.ErrorBackgroundWorkoutSessionNotAllowed}, now)
	})
	switch d.Verdict {
	case policy.Run:
		res, st, why = system.Done(nil)
		return res, st, why, false
	case policy.End:
		f.events.queue(abi.EventWorkoutFailed, msg.WorkoutFailed{Error: "background workout session not allowed",
			Code: abi.ErrorBackgroundWorkoutSessionNotAllowed, Date: now.UnixNano()}.Encode(nil))
		f.events.queue(abi.EventWorkoutStateChanged, msg.WorkoutStateChanged{State: int64(abi.WorkoutEnded), From: int64(abi.WorkoutNotStarted),
			Date: now.UnixNano(), SessionType: m.SessionType}.Encode(nil))
		f.finish(m.Identifier)
		f.events.arm(now)
		res, st, why = system.Done(nil)
		return res, st, why, true
	}
	return nil, abi.StatusNotAllowed, d.Reason + " [" + d.Rule + "]", false
}

// refuseTransition refuses op of app a on a session in state, because
// of why (rule workout.transition).
func refuseTransition(a *system.App, op abi.Op, state abi.WorkoutState, why string) ([]byte, abi.Status, string) {
	now := a.Now()
	reason := fmt.Sprintf("%s refused: the session is %v; %s", op, state, why)
	a.Report(policy.Decision{Time: now, Kind: policy.KindWorkout, Verdict: policy.Refuse, Rule: policy.RuleWorkoutTransition,
		Reason: reason, Numbers: map[string]int64{"state": int64(state)}})
	return nil, abi.StatusNotAllowed, reason + " [" + policy.RuleWorkoutTransition + "]"
}

// refusePause refuses pause_workout on a session of app a paused n times
// already, limit being max_workout_pauses (rule workout.pause_limit): the
// host keeps every pause of a session, and reads them all for each live
// sample.
func refusePause(a *system.App, n, limit int) ([]byte, abi.Status, string) {
	reason := fmt.Sprintf("%s refused: the session was paused %d times, the most one session may be (max_workout_pauses=%d)",
		abi.OpPauseWorkout, n, limit)
	a.Report(policy.Decision{Time: a.Now(), Kind: policy.KindWorkout, Verdict: policy.Refuse, Rule: policy.RuleWorkoutPauseLimit,
		Reason: reason, Numbers: map[string]int64{"pauses": int64(n), "limit": int64(limit)}})
	return nil, abi.StatusLimit, reason + " [" + policy.RuleWorkoutPauseLimit + "]"
}

// begin makes m's session the app's current one, and the system's one
// workout: a session of another app (or an earlier one of this app)
// fails and ends.
func (f *Feature) begin(m msg.StartWorkout) {
	now := f.a.Now()
	if f.s != nil && f.s.state != abi.WorkoutEnded {
		f.preempted(now, "the app started another workout session")
	}
	if prev := f.sys.claim(f); prev != nil {
		prev.preemptLater(now, f.a.ID)
	}
	s := &session{id: m.Identifier, activity: m.SessionType, state: abi.WorkoutNotStarted}
	s.hr, s.dist = f.feeds.sources(now, f.seed, f.a.Env.Rules.Profile().WorkoutHeartRateInterval.D())
	f.s = s
}

// changeTo moves the current session to state at t: the delegate's
// workout_state_changed, the hold on the app and the live data timer.
func (f *Feature) changeTo(state abi.WorkoutState, t time.Time) {
	s := f.s
	from := s.state
	s.state = state
	f.events.queue(abi.EventWorkoutStateChanged, msg.WorkoutStateChanged{State: int64(state), From: int64(from), Date: t.UnixNano(), SessionType: s.activity}.Encode(nil))
	if state == abi.WorkoutEnded {
		f.finish(s.id)
		f.sys.release(f)
	}
	f.syncHold()
	f.armSample(t)
	f.events.arm(t)
}

// finish remembers id as ended.
func (f *Feature) finish(id string) {
	f.ended.add(id)
	if f.s != nil && f.s.id == id {
		f.a.Timers.Stop("workout.sample")
	}
}

// stateOf returns the state of session id.
func (f *Feature) stateOf(id string) abi.WorkoutState {
	switch {
	case f.ended.has(id):
		return abi.WorkoutEnded
	case f.s != nil && f.s.id == id:
		return f.s.state
	}
	return abi.WorkoutNotStarted
}

// syncHold holds the app while the session is prepared or running, and
// lets it settle otherwise.
func (f *Feature) syncHold() {
	f.awake.Keep(&f.a.Life, f.s != nil && (f.s.state == abi.WorkoutPrepared || f.s.state == abi.WorkoutRunning))
}

// armSample arms the next live data sample of a running session.
func (f *Feature) armSample(t time.Time) {
	if f.s == nil || f.s.state != abi.WorkoutRunning {
		f.a.Timers.Stop("workout.sample")
		return
	}
	every := f.a.Env.Rules.Profile().WorkoutHeartRateInterval.D()
	f.a.Timers.Set("workout.sample", t.Add(every), "workout data", func() {
		now := f.a.Env.Clock.Now()
		if f.s == nil || f.s.state != abi.WorkoutRunning {
			return
		}
		f.s.sample(now, &f.events)
		f.events.flush(context.Background())
		f.armSample(now)
	})
}

// ---- the system and the user -----------------------------------------------

// preemptLater ends f's workout because the app other started one: the
// call comes from other's lock, so it runs on f's own timer.
func (f *Feature) preemptLater(t time.Time, other string) {
	a := f.a
	a.Env.Sched.At(t, a.ID+" workout preempted", func() {
		a.Lock()
		defer a.Unlock()
		if a.Life.Closed() || f.s == nil || f.s.state == abi.WorkoutEnded {
			return
		}
		f.preempted(t, other+" started a workout")
		f.events.flush(context.Background())
	})
}

// preempted fails and ends the current session: another workout started
// (rule workout.one_system_wide). didFail comes before didChangeTo.
func (f *Feature) preempted(t time.Time, who string) {
	s := f.s
	f.a.Report(policy.Decision{Time: t, Kind: policy.KindWorkout, Verdict: policy.End, Rule: policy.RuleWorkoutOneSystem,
		Reason: fmt.Sprintf("workout ended: %s, and one workout runs system-wide (errorAnotherWorkoutSessionStarted) %s", who, f.s.summary(t))})
	if s.state == abi.WorkoutRunning {
		f.s.sample(t, &f.events)
	}
	f.events.queue(abi.EventWorkoutFailed, msg.WorkoutFailed{Error: "another workout session started", Code: abi.ErrorAnotherWorkoutSessionStarted, Date: t.UnixNano()}.Encode(nil))
	f.changeTo(abi.WorkoutEnded, t)
}

// OtherApp is another app of the watch (not one of this run) starting a
// workout: the app's workout fails and ends. The app's lock must be held.
func (f *Feature) OtherApp(ctx context.Context) error {
	now := f.a.Env.Clock.Now()
	if f.s == nil || f.s.state == abi.WorkoutEnded {
		f.a.Report(policy.Decision{Time: now, Kind: policy.KindWorkout, Verdict: policy.Drop, Rule: policy.RuleWorkoutOneSystem,
			Reason: "another app started a workout; this app has none running"})
		return nil
	}
	f.sys.release(f)
	f.preempted(now, "another app")
	return f.events.flush(ctx)
}

// PressBothButtons is the user pressing both side buttons: a running or
// paused workout's delegate gets a pauseOrResumeRequest event, and the app
// decides. The app's lock must be held.
func (f *Feature) PressBothButtons(ctx context.Context) error {
	return f.userEvent(ctx, abi.WorkoutEventPauseOrResumeRequest, policy.RuleWorkoutRequest, "the user pressed both side buttons")
}

// Motion is the user stopping (paused) or starting to move again: a
// running workout's delegate gets motionPaused or motionResumed. The
// app's lock must be held.
func (f *Feature) Motion(ctx context.Context, paused bool) error {
	if paused {
		return f.userEvent(ctx, abi.WorkoutEventMotionPaused, policy.RuleWorkoutMotion, "the user stopped moving")
	}
	return f.userEvent(ctx, abi.WorkoutEventMotionResumed, policy.RuleWorkoutMotion, "the user moves again")
}

// Generate is the session generating a lap, marker or segment event at
// the current time, as HealthKit does during a workout (laps of a pool
// swim, segments): a running or paused workout's delegate gets it
// (workout_event). Other event types are an error. The app's lock must
// be held.
func (f *Feature) Generate(ctx context.Context, ev abi.WorkoutEventType) error {
	switch ev {
	case abi.WorkoutEventLap, abi.WorkoutEventMarker, abi.WorkoutEventSegment:
	default:
		return fmt.Errorf("workout: %v is not a lap, marker or segment event; pause and resume come from the app's calls, requests from both-buttons, motion from the motion verb", ev)
	}
	return f.userEvent(ctx, ev, policy.RuleWorkoutEvent, "the workout session generated a "+ev.String())
}

func (f *Feature) userEvent(ctx context.Context, ev abi.WorkoutEventType, rule, what string) error {
	now := f.a.Env.Clock.Now()
	if f.s == nil || f.s.state != abi.WorkoutRunning && f.s.state != abi.WorkoutPaused {
		state := abi.WorkoutNotStarted
		if f.s != nil {
			state = f.s.state
		}
		f.a.Report(policy.Decision{Time: now, Kind: policy.KindWorkout, Verdict: policy.Drop, Rule: rule,
			Reason: fmt.Sprintf("%s: no %v event, the app has no running or paused workout (it is %v)", what, ev, state)})
		return nil
	}
	decides := "; the app decides"
	if rule == policy.RuleWorkoutEvent {
		decides = " (didGenerate)"
	}
	f.a.Report(policy.Decision{Time: now, Kind: policy.KindWorkout, Verdict: policy.Run, Rule: rule,
		Reason: fmt.Sprintf("%s: the workout's delegate gets %v%s", what, ev, decides)})
	f.events.queue(abi.EventWorkoutEvent, msg.WorkoutEvent{Type: int64(ev), Date: now.UnixNano()}.Encode(nil))
	return f.events.flush(ctx)
}

// backgrounded reports that a prepared or running workout keeps the app
// running in the background.
func (f *Feature) backgrounded(context.Context) error {
	if f.awake.Held() {
		now := f.a.Env.Clock.Now()
		f.a.Report(policy.Decision{Time: now, Kind: policy.KindWorkout, Verdict: policy.Hold, Rule: policy.RuleWorkoutHold,
			Reason: fmt.Sprintf("the app keeps running in the background: its workout is %v (not suspended; raising the wrist brings it back)", f.s.state)})
	}
	return nil
}

// killed ends the session with the instance.
func (f *Feature) killed() {
	f.events.drop()
	f.a.Timers.Stop("workout.sample")
	if f.s != nil && f.s.state != abi.WorkoutEnded && !f.a.Life.Closing() {
		now := f.a.Env.Clock.Now()
		f.a.Report(policy.Decision{Time: now, Kind: policy.KindWorkout, Verdict: policy.End, Rule: policy.RuleWorkoutEnded,
			Reason: fmt.Sprintf("workout ended with the app's instance (%v before) %s", f.s.state, f.s.summary(now))})
	}
	f.awake.Drop(&f.a.Life)
	f.s = nil
	f.ended = nil // the guest's session objects died with it
	f.sys.release(f)
}

// ---- status -----------------------------------------------------------------

// Active reports whether the app has a prepared, running or paused
// workout: raising the wrist shows it.
func (f *Feature) Active() bool {
	return f.s != nil && (f.s.state == abi.WorkoutPrepared || f.s.state == abi.WorkoutRunning || f.s.state == abi.WorkoutPaused)
}

// Open reports whether the app has a workout session that has not ended,
// in whatever other state (not started, prepared, running, paused).
func (f *Feature) Open() bool { return f.s != nil && f.s.state != abi.WorkoutEnded }

// Status describes the app's workout for `status`: "" when it has none.
func (f *Feature) Status() string {
	if f.s == nil {
		return ""
	}
	now := f.a.Env.Clock.Now()
	if f.s.state == abi.WorkoutEnded || f.s.start.IsZero() {
		return "workout " + f.s.state.String()
	}
	d := f.s.data(now)
	return fmt.Sprintf("workout %v: %v elapsed, %.0f bpm, %.2f km, %.0f kcal", f.s.state, time.Duration(d.Elapsed).Round(time.Second), d.HeartRate, d.Distance/1000, d.ActiveEnergy)
}
