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
	"github.com/watchbox/watchbox/host/sensors/gpx"
	"github.com/watchbox/watchbox/host/sensors/samples"
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

	s        *session           // the current session, nil if none
	finished []string           // identifiers of ended sessions, oldest first
	awake    system.FeatureHold // the feature holds the app awake

	hr      sensors.Source // heart rate fed from a file, indexed from the workout's start; nil: synthetic
	hrName  string
	route   *gpx.Track // a route fed, indexed from routeAt
	routeAt time.Time

	pending [][2]any // events waiting to be delivered: kind, fields
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

// Register adds the workout feature to a.
func Register(a *system.App, cfg Config) *Feature {
	f := &Feature{awake: system.FeatureHold{Session: "workout"}, a: a, sys: cfg.System, seed: cfg.Seed}
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
		return f.refuseTransition(abi.OpPrepareWorkout, f.s.state, "prepare needs a session that has not started")
	}
	if f.isFinished(m.Identifier) {
		return f.refuseTransition(abi.OpPrepareWorkout, abi.WorkoutEnded, "a stopped or ended session cannot be started again; create a new one")
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
	if f.isFinished(m.Identifier) {
		return f.refuseTransition(abi.OpStartWorkout, abi.WorkoutEnded, "a stopped or ended session cannot be started again; create a new one")
	}
	if f.s != nil && f.s.id == m.Identifier {
		switch f.s.state {
		case abi.WorkoutPrepared:
		case abi.WorkoutStopped:
			return f.refuseTransition(abi.OpStartWorkout, f.s.state, "a stopped or ended session cannot be started again; create a new one")
		default:
			return f.refuseTransition(abi.OpStartWorkout, f.s.state, "the session has already started")
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
		return f.refuseTransition(op, state, "it needs a "+names+" session")
	}
	now := f.a.Now()
	off := now.Sub(f.s.start)
	switch to {
	case abi.WorkoutPaused:
		f.sample(now) // the data up to the pause counts
		f.s.pauses.Pause(off)
		f.queue(abi.EventWorkoutEvent, msg.WorkoutEvent{Type: int64(abi.WorkoutEventPause), Date: now.UnixNano()}.Encode(nil))
	case abi.WorkoutRunning:
		f.s.pauses.Resume(off)
		f.s.last = off
		f.queue(abi.EventWorkoutEvent, msg.WorkoutEvent{Type: int64(abi.WorkoutEventResume), Date: now.UnixNano()}.Encode(nil))
	case abi.WorkoutStopped:
		if f.s.state == abi.WorkoutRunning {
			f.sample(now)
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
	if f.isFinished(m.Identifier) {
		return f.refuseTransition(abi.OpEndWorkout, abi.WorkoutEnded, "the session has already ended")
	}
	now := f.a.Now()
	if f.s == nil || f.s.id != m.Identifier {
		// A session that never started ends at once.
		f.queue(abi.EventWorkoutStateChanged, msg.WorkoutStateChanged{State: int64(abi.WorkoutEnded), From: int64(abi.WorkoutNotStarted), Date: now.UnixNano()}.Encode(nil))
		f.finish(m.Identifier)
		f.armFlush(now)
		return system.Done(nil)
	}
	if f.s.state == abi.WorkoutRunning {
		f.sample(now)
	}
	f.changeTo(abi.WorkoutEnded, now)
	f.a.Report(policy.Decision{Time: now, Kind: policy.KindWorkout, Verdict: policy.End, Rule: policy.RuleWorkoutEnded,
		Reason: fmt.Sprintf("workout %s ended by the app %s", system.Truncate([]byte(m.Identifier), 40), f.summary(now))})
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
	return system.Done(f.data(f.a.Now()).Encode(nil))
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
		f.queue(abi.EventWorkoutFailed, msg.WorkoutFailed{Error: "background workout session not allowed",
			Code: abi.ErrorBackgroundWorkoutSessionNotAllowed, Date: now.UnixNano()}.Encode(nil))
		f.queue(abi.EventWorkoutStateChanged, msg.WorkoutStateChanged{State: int64(abi.WorkoutEnded), From: int64(abi.WorkoutNotStarted),
			Date: now.UnixNano(), SessionType: m.SessionType}.Encode(nil))
		f.finish(m.Identifier)
		f.armFlush(now)
		res, st, why = system.Done(nil)
		return res, st, why, true
	}
	return nil, abi.StatusNotAllowed, d.Reason + " [" + d.Rule + "]", false
}

func (f *Feature) refuseTransition(op abi.Op, state abi.WorkoutState, why string) ([]byte, abi.Status, string) {
	now := f.a.Now()
	reason := fmt.Sprintf("%s refused: the session is %v; %s", op, state, why)
	f.a.Report(policy.Decision{Time: now, Kind: policy.KindWorkout, Verdict: policy.Refuse, Rule: policy.RuleWorkoutTransition,
		Reason: reason, Numbers: map[string]int64{"state": int64(state)}})
	return nil, abi.StatusNotAllowed, reason + " [" + policy.RuleWorkoutTransition + "]"
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
	s.hr = f.hr
	if s.hr == nil && f.route != nil && f.route.Points[0].HasHR {
		s.hr = f.routeSource(gpx.HeartRate, now)
	}
	if s.hr == nil {
		h := samples.DefaultHR(f.seed)
		h.Duration = synthLength
		h.Step = f.a.Env.Rules.Profile().WorkoutHeartRateInterval.D()
		if series, err := samples.SyntheticHR(h); err == nil {
			s.hr = series
		}
	}
	s.hr = sensors.Hold(s.hr)
	if f.route != nil {
		s.dist = f.routeSource(gpx.Distance, now)
	}
	f.s = s
}

// routeSource returns quantity q of the fed route, offset 0 at t (the
// workout's start), holding its ends.
func (f *Feature) routeSource(q gpx.Quantity, t time.Time) sensors.Source {
	return sensors.Hold(f.route.Source(q, f.route.Start().Add(t.Sub(f.routeAt))))
}

// changeTo moves the current session to state at t: the delegate's
// workout_state_changed, the hold on the app and the live data timer.
func (f *Feature) changeTo(state abi.WorkoutState, t time.Time) {
	s := f.s
	from := s.state
	s.state = state
	f.queue(abi.EventWorkoutStateChanged, msg.WorkoutStateChanged{State: int64(state), From: int64(from), Date: t.UnixNano(), SessionType: s.activity}.Encode(nil))
	if state == abi.WorkoutEnded {
		f.finish(s.id)
		f.sys.release(f)
	}
	f.syncHold()
	f.armSample(t)
	f.armFlush(t)
}

// finish remembers id as ended.
func (f *Feature) finish(id string) {
	if len(f.finished) >= maxFinished {
		f.finished = append(f.finished[:0], f.finished[1:]...)
	}
	f.finished = append(f.finished, id)
	if f.s != nil && f.s.id == id {
		f.a.Timers.Stop("workout.sample")
	}
}

func (f *Feature) isFinished(id string) bool {
	for _, x := range f.finished {
		if x == id {
			return true
		}
	}
	return false
}

// stateOf returns the state of session id.
func (f *Feature) stateOf(id string) abi.WorkoutState {
	switch {
	case f.isFinished(id):
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

// ---- events -----------------------------------------------------------------

// queue adds an event for the delegate; flush delivers them in order.
func (f *Feature) queue(kind abi.EventKind, fields []byte) {
	f.pending = append(f.pending, [2]any{kind, fields})
}

// armFlush delivers the queued events at t, after the guest call that
// queued them (HealthKit calls the delegate asynchronously).
func (f *Feature) armFlush(t time.Time) {
	if len(f.pending) > 0 {
		f.a.Timers.Set("workout.events", t, "workout events", func() { f.flush(context.Background()) })
	}
}

// flush delivers the queued events, waking or launching the app.
func (f *Feature) flush(ctx context.Context) error {
	f.a.Timers.Stop("workout.events")
	for len(f.pending) > 0 {
		ev := f.pending[0]
		f.pending = f.pending[1:]
		if _, err := f.a.Life.Deliver(ctx, ev[0].(abi.EventKind), ev[1].([]byte)); err != nil && !f.a.Guest.Running() {
			f.pending = nil
			return err
		}
	}
	f.a.Life.Settle() // a paused workout does not hold the app
	return nil
}

// ---- live data --------------------------------------------------------------

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
		f.sample(now)
		f.flush(context.Background())
		f.armSample(now)
	})
}

// sample collects the running session's data up to now and queues it for
// the delegate (workout_data).
func (f *Feature) sample(now time.Time) {
	s := f.s
	off := now.Sub(s.start)
	if off < s.last || off == s.last && s.lastHR > 0 || s.pauses.Paused(off) {
		return // nothing new since the last sample
	}
	hr, ok := s.hr.At(off)
	if !ok {
		hr = s.lastHR
	}
	// Active energy over the stretch since the last sample, at the
	// average of its two heart rates (the trapezoid rule).
	mins := (off - s.last).Minutes()
	avg := hr
	if s.lastHR > 0 {
		avg = (hr + s.lastHR) / 2
	}
	s.energy += samples.Body{}.ActiveKcalPerMin(avg) * mins
	s.last, s.lastHR = off, hr
	f.queue(abi.EventWorkoutData, f.data(now).Encode(nil))
}

// data returns the session's statistics at now.
func (f *Feature) data(now time.Time) msg.WorkoutData {
	s := f.s
	d := msg.WorkoutData{Date: now.UnixNano(), State: int64(s.state), HeartRate: s.lastHR, ActiveEnergy: round(s.energy, 1000)}
	if s.start.IsZero() {
		return d
	}
	off := max(0, now.Sub(s.start))
	d.Elapsed = int64(s.pauses.Elapsed(off))
	if s.dist != nil {
		if v, ok := s.pauses.Cumulative(s.dist, off); ok {
			d.Distance = round(v, 10)
		}
	}
	return d
}

// round rounds v to 1/per, so that the values a timeline prints are
// short.
func round(v, per float64) float64 {
	return float64(int64(v*per+0.5)) / per
}

// summary describes the session's totals at now, for decisions.
func (f *Feature) summary(now time.Time) string {
	d := f.data(now)
	return fmt.Sprintf("after %v running, %.1f km, %.0f kcal", time.Duration(d.Elapsed).Round(time.Second), d.Distance/1000, d.ActiveEnergy)
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
		f.flush(context.Background())
	})
}

// preempted fails and ends the current session: another workout started
// (rule workout.one_system_wide). didFail comes before didChangeTo.
func (f *Feature) preempted(t time.Time, who string) {
	s := f.s
	f.a.Report(policy.Decision{Time: t, Kind: policy.KindWorkout, Verdict: policy.End, Rule: policy.RuleWorkoutOneSystem,
		Reason: fmt.Sprintf("workout ended: %s, and one workout runs system-wide (errorAnotherWorkoutSessionStarted) %s", who, f.summary(t))})
	if s.state == abi.WorkoutRunning {
		f.sample(t)
	}
	f.queue(abi.EventWorkoutFailed, msg.WorkoutFailed{Error: "another workout session started", Code: abi.ErrorAnotherWorkoutSessionStarted, Date: t.UnixNano()}.Encode(nil))
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
	return f.flush(ctx)
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
	f.queue(abi.EventWorkoutEvent, msg.WorkoutEvent{Type: int64(ev), Date: now.UnixNano()}.Encode(nil))
	return f.flush(ctx)
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
	f.pending = nil
	f.a.Timers.Stop("workout.events")
	f.a.Timers.Stop("workout.sample")
	if f.s != nil && f.s.state != abi.WorkoutEnded && !f.a.Life.Closing() {
		now := f.a.Env.Clock.Now()
		f.a.Report(policy.Decision{Time: now, Kind: policy.KindWorkout, Verdict: policy.End, Rule: policy.RuleWorkoutEnded,
			Reason: fmt.Sprintf("workout ended with the app's instance (%v before) %s", f.s.state, f.summary(now))})
	}
	f.awake.Drop(&f.a.Life)
	f.s = nil
	f.finished = nil // the guest's session objects died with it
	f.sys.release(f)
}

// ---- feeds and status -------------------------------------------------------

// SetHeartRate makes src (named name) the heart rate of the app's next
// workouts, offset 0 at each workout's start; nil goes back to the
// synthetic generator. The app's lock must be held.
func (f *Feature) SetHeartRate(src sensors.Source, name string) {
	f.hr, f.hrName = src, name
}

// SetRoute makes t the route the user follows from at on: a workout's
// distance, and its heart rate when the route has some and no heart rate
// file was fed. The app's lock must be held.
func (f *Feature) SetRoute(t *gpx.Track, at time.Time) {
	f.route, f.routeAt = t, at
}

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
	d := f.data(now)
	return fmt.Sprintf("workout %v: %v elapsed, %.0f bpm, %.2f km, %.0f kcal", f.s.state, time.Duration(d.Elapsed).Round(time.Second), d.HeartRate, d.Distance/1000, d.ActiveEnergy)
}
