package host

import (
	"context"
	"errors"
	"sync"

	"github.com/watchbox/watchbox/host/internal/system/workout"
	"github.com/watchbox/watchbox/host/sensors"
	"github.com/watchbox/watchbox/host/sensors/gpx"
	"github.com/watchbox/watchbox/host/sensors/samples"
)

// sessions is what the background sessions of a runtime's apps share.
type sessions struct {
	workouts *workout.System // the one workout system-wide

	mu         sync.Mutex
	headphones bool // simulated Bluetooth headphones are connected
}

// PressBothButtons is the user pressing both side buttons: the delegate of
// a running or paused workout gets a pauseOrResumeRequest event and the
// app decides whether to pause or resume. Without a workout nothing
// happens (a decision says so).
func (a *App) PressBothButtons(ctx context.Context) error {
	return a.locked(func() error { return a.workout.PressBothButtons(ctx) })
}

// WorkoutMotion is the user stopping (paused) or starting to move again
// during a running workout: its delegate gets motionPaused or
// motionResumed.
func (a *App) WorkoutMotion(ctx context.Context, paused bool) error {
	return a.locked(func() error { return a.workout.Motion(ctx, paused) })
}

// OtherAppStartsWorkout is another app of the watch, outside this run,
// starting a workout: one workout runs system-wide, so the app's workout
// gets didFail (errorAnotherWorkoutSessionStarted) and then ends.
func (a *App) OtherAppStartsWorkout(ctx context.Context) error {
	return a.locked(func() error { return a.workout.OtherApp(ctx) })
}

// FeedHeartRate makes the heart rate of the sample file at path (CSV or
// JSON of time and value, docs/scenario.md) the heart rate of the app's
// next workouts, offset 0 at each workout's start. Values must be 20 to
// 250 beats per minute.
func (a *App) FeedHeartRate(path string) error {
	s, err := samples.ReadFile(path, samples.Options{})
	if err != nil {
		return err
	}
	if err := s.CheckRange(20, 250, "heart rate"); err != nil {
		return err
	}
	return a.locked(func() error { a.workout.SetHeartRate(s, path); return nil })
}

// FeedRoute makes the GPX route at path the one the user follows from now
// on (its first point now, its timestamps' spacing kept, linear between
// them): workouts take their distance from it, and their heart rate when
// it has some and no heart rate file was fed.
func (a *App) FeedRoute(path string) error {
	t, err := gpx.ReadFile(path)
	if err != nil {
		return err
	}
	return a.FeedTrack(t)
}

// FeedTrack is FeedRoute with a route already read.
func (a *App) FeedTrack(t *gpx.Track) error {
	if t == nil || len(t.Points) == 0 {
		return errors.New("host: the route has no points")
	}
	return a.locked(func() error {
		now := a.rt.clock.Now()
		a.workout.SetRoute(t, now)
		a.location.SetRoute(t, now)
		return nil
	})
}

// FeedSource is FeedHeartRate with a source already made (a synthetic
// series, say); nil goes back to the seeded synthetic heart rate.
func (a *App) FeedSource(src sensors.Source, name string) {
	a.sys.Lock()
	defer a.sys.Unlock()
	a.workout.SetHeartRate(src, name)
}

// Sessions describes the app's background sessions, one line each (as
// `status` prints them): the workout's state and live data, location
// updates, audio, extended runtime sessions. Empty when it has none.
func (a *App) Sessions() []string {
	a.sys.Lock()
	defer a.sys.Unlock()
	var out []string
	for _, s := range []string{a.workout.Status(), a.location.Status(), a.audio.Status(), a.ext.Status()} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// InSession reports whether a background session shows the app when the
// wrist is raised: a workout prepared, running or paused.
func (a *App) InSession() bool {
	a.sys.Lock()
	defer a.sys.Unlock()
	return a.workout.Active() || a.location.Active() || a.audio.Active()
}

// AudioInterruption begins (began) or ends an interruption of the app's
// audio session, as a call does: playback stops while it lasts, and the
// app gets audio_session_interrupted either way.
func (a *App) AudioInterruption(ctx context.Context, began bool) error {
	return a.locked(func() error { return a.audio.Interruption(ctx, began) })
}

// headphones reports whether the simulated Bluetooth headphones are
// connected.
func (r *Runtime) headphones() bool {
	r.sessions.mu.Lock()
	defer r.sessions.mu.Unlock()
	return r.sessions.headphones
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
