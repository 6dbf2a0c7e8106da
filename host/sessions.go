package host

import (
	"context"
	"errors"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/system/extended"
	"github.com/watchbox/watchbox/host/sensors"
	"github.com/watchbox/watchbox/host/sensors/gpx"
	"github.com/watchbox/watchbox/host/sensors/samples"
)

// Sessions is an app's background and extended runtime sessions, and the
// user's and the system's actions on them. Get it with App.Sessions.
type Sessions struct{ a *App }

// Sessions returns the app's sessions.
func (a *App) Sessions() Sessions { return Sessions{a} }

// PressBothButtons is the user pressing both side buttons: the delegate of
// a running or paused workout gets a pauseOrResumeRequest event and the
// app decides whether to pause or resume. Without a workout nothing
// happens (a decision says so).
func (s Sessions) PressBothButtons(ctx context.Context) error {
	return s.a.locked(func() error { return s.a.workout.PressBothButtons(ctx) })
}

// WorkoutMotion is the user stopping (paused) or starting to move again
// during a running workout: its delegate gets motionPaused or
// motionResumed.
func (s Sessions) WorkoutMotion(ctx context.Context, paused bool) error {
	return s.a.locked(func() error { return s.a.workout.Motion(ctx, paused) })
}

// WorkoutEventType is an HKWorkoutEventType.
type WorkoutEventType = abi.WorkoutEventType

// GenerateWorkoutEvent is the app's workout session generating a lap,
// marker or segment event now (abi.WorkoutEventLap, WorkoutEventMarker,
// WorkoutEventSegment), as HealthKit does for a pool swim's laps or a
// workout's segments: the delegate of a running or paused workout gets it
// as workout_event (rule workout.event); without one a decision says so.
// Another event type is an error.
func (s Sessions) GenerateWorkoutEvent(ctx context.Context, ev WorkoutEventType) error {
	return s.a.locked(func() error { return s.a.workout.Generate(ctx, ev) })
}

// OtherAppStartsWorkout is another app of the watch, outside this run,
// starting a workout: one workout runs system-wide, so the app's workout
// gets didFail (errorAnotherWorkoutSessionStarted) and then ends.
func (s Sessions) OtherAppStartsWorkout(ctx context.Context) error {
	return s.a.locked(func() error { return s.a.workout.OtherApp(ctx) })
}

// FeedHeartRate makes the heart rate of the sample file at path (CSV or
// JSON of time and value, docs/scenario.md) the heart rate of the app's
// next workouts, offset 0 at each workout's start. Values must be 20 to
// 250 beats per minute.
func (s Sessions) FeedHeartRate(path string) error {
	hr, err := samples.ReadFile(path, samples.Options{})
	if err != nil {
		return err
	}
	if err := hr.CheckRange(20, 250, "heart rate"); err != nil {
		return err
	}
	return s.a.locked(func() error { s.a.workout.Feeds().SetHeartRate(hr, path); return nil })
}

// FeedRoute makes the GPX route at path the one the user follows from now
// on (its first point now, its timestamps' spacing kept, linear between
// them): workouts take their distance from it, and their heart rate when
// it has some and no heart rate file was fed.
func (s Sessions) FeedRoute(path string) error {
	t, err := gpx.ReadFile(path)
	if err != nil {
		return err
	}
	return s.FeedTrack(t)
}

// FeedTrack is FeedRoute with a route already read.
func (s Sessions) FeedTrack(t *gpx.Track) error {
	if t == nil || len(t.Points) == 0 {
		return errors.New("host: the route has no points")
	}
	return s.a.locked(func() error {
		now := s.a.rt.clock.Now()
		s.a.workout.Feeds().SetRoute(t, now)
		s.a.location.SetRoute(t, now)
		return nil
	})
}

// FeedSource is FeedHeartRate with a source already made (a synthetic
// series, say); nil goes back to the seeded synthetic heart rate.
func (s Sessions) FeedSource(src sensors.Source, name string) {
	s.a.sys.Lock()
	defer s.a.sys.Unlock()
	s.a.workout.Feeds().SetHeartRate(src, name)
}

// Status describes the app's background sessions, one line each (as
// `status` prints them): the workout's state and live data, location
// updates, audio, extended runtime sessions. Empty when it has none.
func (s Sessions) Status() []string {
	s.a.sys.Lock()
	defer s.a.sys.Unlock()
	var out []string
	for _, line := range []string{s.a.workout.Status(), s.a.location.Status(), s.a.audio.Status(), s.a.ext.Status()} {
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

// OpenSessions says which kinds of session an app has open.
type OpenSessions struct {
	Workout  bool // a workout session not ended (not started, prepared, running or paused)
	Location bool // location updates on
	Audio    bool // an activated audio session
	Extended bool // an extended runtime session running, or one scheduled (a smart alarm)
}

// Open says which kinds of session the app has open: what Status
// describes, as flags.
func (s Sessions) Open() OpenSessions {
	s.a.sys.Lock()
	defer s.a.sys.Unlock()
	return OpenSessions{
		Workout:  s.a.workout.Open(),
		Location: s.a.location.Open(),
		Audio:    s.a.audio.Open(),
		Extended: s.a.ext.Open(),
	}
}

// Active reports whether a background session shows the app when the
// wrist is raised: a workout prepared, running or paused.
func (s Sessions) Active() bool {
	s.a.sys.Lock()
	defer s.a.sys.Unlock()
	return s.a.workout.Active() || s.a.location.Active() || s.a.audio.Active()
}

// AudioInterruption begins (began) or ends an interruption of the app's
// audio session, as a call does: playback stops while it lasts, and the
// app gets audio_session_interrupted either way.
func (s Sessions) AudioInterruption(ctx context.Context, began bool) error {
	return s.a.locked(func() error { return s.a.audio.Interruption(ctx, began) })
}

// SetHeadphones connects (on) or disconnects the simulated Bluetooth
// headphones, the output route long-form audio needs: apps with an active
// audio session get audio_route_changed, and lose playback when they go
// away.
func (r *Runtime) SetHeadphones(ctx context.Context, on bool) error {
	r.sessions.mu.Lock()
	r.sessions.headphones = on
	r.sessions.mu.Unlock()
	var errs []error
	for _, a := range r.Apps() {
		errs = append(errs, a.locked(func() error { return a.audio.SetRoute(ctx, on) }))
	}
	return errors.Join(errs...)
}

// PressCrown is the user pressing the Digital Crown while the app is
// frontmost: it leaves the foreground for the watch face
// (will_resign_active if active, did_enter_background), and a running
// self care or mindfulness session ends with resigned_frontmost. It does
// nothing to an app that is not frontmost.
func (s Sessions) PressCrown(ctx context.Context) error {
	a := s.a
	return a.locked(func() error {
		if !a.sys.Life.Frontmost() {
			a.sys.Life.Ignored("crown press")
			return nil
		}
		return a.sys.Life.BackgroundBecause(ctx, "the Digital Crown was pressed")
	})
}

// ErrNoSession is Suppress's and FireAlarm's error when the app has no
// extended runtime session running or scheduled.
var ErrNoSession = extended.ErrNoSession

// Suppress ends the app's running extended runtime session (or cancels
// its scheduled smart alarm) with reason suppressed_by_system, as watchOS
// does when the watch allows no session of its type (Apple does not say
// when; a developer forces it). It returns ErrNoSession when there is
// none.
func (s Sessions) Suppress(ctx context.Context) error {
	return s.a.locked(func() error { return s.a.ext.Suppress(ctx) })
}

// SetBackgroundAppRefresh is the user's Background App Refresh switch
// for the app: while it is off, extended runtime sessions fail to start
// with bar_disabled. It starts on.
func (s Sessions) SetBackgroundAppRefresh(on bool) {
	s.a.locked(func() error { s.a.ext.SetBackgroundAppRefresh(on); return nil }) // saved: the setting survives the host
}

// FireAlarm makes the app's scheduled smart alarm fire now instead of at
// its date, as `fire-alarm` does: the app is woken or launched for it. It
// returns ErrNoSession when none is scheduled.
func (s Sessions) FireAlarm(ctx context.Context) error {
	return s.a.locked(func() error { return s.a.ext.FireNow() })
}
