package policy

import (
	"fmt"
	"time"
)

// Kinds of the background sessions.
const (
	KindWorkout  Kind = "workout"  // HKWorkoutSession
	KindLocation Kind = "location" // CLLocationManager updates
	KindAudio    Kind = "audio"    // AVAudioSession long-form playback
)

// Verdicts of the background sessions.
const (
	// Refuse: a session call was refused; the app's request fails.
	Refuse Verdict = "refuse"
	// Hold: the app keeps running in the background because a session
	// holds it.
	Hold Verdict = "hold"
	// End: a session ended.
	End Verdict = "end"
	// Queue: data for a suspended app is held until it runs again.
	Queue Verdict = "queue"
	// Deliver: held data was delivered.
	Deliver Verdict = "deliver"
)

// Rule identifiers of the background sessions (workout, location, audio).
const (
	RuleWorkoutRun        = "workout.run"             // a workout session started or was prepared
	RuleWorkoutMode       = "workout.mode"            // the manifest does not declare workout-processing
	RuleWorkoutForeground = "workout.foreground"      // a workout must start while the app is in the foreground: one started outside it fails (didFail errorBackgroundWorkoutSessionNotAllowed) and ends
	RuleWorkoutTransition = "workout.transition"      // the call is not allowed in the session's state (a stopped or ended session cannot restart)
	RuleWorkoutOneSystem  = "workout.one_system_wide" // another app started a workout: ours fails and ends
	RuleWorkoutHold       = "workout.keeps_running"   // a prepared or running workout keeps its app running in the background
	RuleWorkoutEnded      = "workout.ended"           // a workout ended (by the app, another workout, or its instance dying)
	RuleWorkoutRequest    = "workout.pause_request"   // the user pressed both side buttons: the app decides
	RuleWorkoutMotion     = "workout.motion"          // the user stopped or started moving
	RuleWorkoutEvent      = "workout.event"           // the session generated a lap, marker or segment event
	RuleWorkoutPauseLimit = "workout.pause_limit"     // pause_workout beyond max_workout_pauses pauses of one session: refused

	RuleLocationRun        = "location.run"           // location updates started
	RuleLocationMode       = "location.mode"          // background updates without the location mode
	RuleLocationForeground = "location.foreground"    // background updates must start while the app is in the foreground
	RuleLocationHold       = "location.keeps_running" // background updates keep the app running
	RuleLocationQueued     = "location.queued"        // a suspended app without background updates: updates are held
	RuleLocationDelivered  = "location.delivered"     // held updates delivered when the app runs again
	RuleLocationQueueLimit = "location.queue_limit"   // held updates beyond max_queued_locations: the oldest dropped

	RuleAudioRun          = "audio.run"           // long-form audio activated and playing
	RuleAudioMode         = "audio.mode"          // the manifest does not declare audio
	RuleAudioForeground   = "audio.foreground"    // long-form audio must be activated while the app is in the foreground
	RuleAudioNoRoute      = "audio.no_route"      // no eligible output route (Bluetooth headphones)
	RuleAudioHold         = "audio.keeps_running" // playing audio keeps the app running in the background
	RuleAudioInterruption = "audio.interruption"  // an interruption (a call) began or ended
	RuleAudioRouteLost    = "audio.route_lost"    // the headphones went away: playback stopped
)

// Session describes a background session's start for SessionStart.
type Session struct {
	Kind Kind   // KindWorkout, KindLocation or KindAudio
	Op   string // the request's op name, for the reason
	Mode string // the WKBackgroundModes value it needs
	// HasMode says whether the manifest declares Mode.
	HasMode bool
	// Foreground says whether it must start while the app is in the
	// foreground (active or inactive, the wrist down within the
	// frontmost timeout).
	Foreground bool
	// FailCode, when not 0, is the error the session fails with through
	// its delegate when it starts outside the foreground, instead of the
	// request being refused: HealthKit's startActivity returns nothing and
	// reports errorBackgroundWorkoutSessionNotAllowed (14) to didFail.
	FailCode int64
}

// foreground reports whether an app in state is in the foreground.
func foreground(state string) bool { return state == "active" || state == "inactive" }

// SessionStart decides whether a background session may start for f.App
// at now.
//
// Rule 20 (workout, location, audio): a session needs its background mode
// declared in WKBackgroundModes (rules "workout.mode", "location.mode",
// "audio.mode") and, when s.Foreground, must be started while the app is
// in the foreground (rules "workout.foreground", "location.foreground",
// "audio.foreground"); Apple: "Enabling background sessions". A workout
// started outside the foreground is not refused: the call returns and the
// session fails through its delegate with errorBackgroundWorkoutSessionNotAllowed
// (HKError 14, watchOS 10+), then ends (verdict End, same rule; s.FailCode).
// Otherwise it runs (rules "workout.run", "location.run", "audio.run").
func (p *Policy) SessionStart(f Facts, s Session, now time.Time) Decision {
	d := Decision{App: f.App, Kind: s.Kind, Time: now, Numbers: nums("has_mode", b2i(s.HasMode), "foreground", b2i(foreground(f.State)))}
	switch {
	case !s.HasMode:
		d.Verdict, d.Rule = Refuse, s.Kind+".mode"
		d.Reason = fmt.Sprintf("%s refused: the manifest's WKBackgroundModes does not declare %q", s.Op, s.Mode)
	case s.Foreground && !foreground(f.State) && s.FailCode != 0:
		d.Verdict, d.Rule = End, s.Kind+".foreground"
		d.Numbers["error_code"] = int64(s.FailCode)
		d.Reason = fmt.Sprintf("%s in the %s: the %s session fails through its delegate (didFail errorBackgroundWorkoutSessionNotAllowed, HKError %d, watchOS 10+) and ends; a %s session must start while the app is in the foreground",
			s.Op, f.State, s.Kind, s.FailCode, s.Kind)
	case s.Foreground && !foreground(f.State):
		d.Verdict, d.Rule = Refuse, s.Kind+".foreground"
		d.Reason = fmt.Sprintf("%s refused: a %s session must start while the app is in the foreground; it is %s", s.Op, s.Kind, f.State)
	default:
		d.Verdict, d.Rule, d.At = Run, s.Kind+".run", now
		d.Reason = fmt.Sprintf("%s at %s", s.Op, clock(now, now))
	}
	return p.record(d)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// QueueLocation decides what happens to a location update for a suspended
// app that has not asked for background updates, with queued updates
// already held.
//
// Rule 21: the update is held (rule "location.queued") and delivered when
// the app runs again; Apple: "Handling location updates in the
// background". At most Profile.MaxQueuedLocations are held: beyond, the
// oldest is dropped (rule "location.queue_limit"). Only the first update
// held and the first dropped of a stretch are worth a decision; the
// caller reports the decision it wants (this rule records none).
func (p *Policy) QueueLocation(f Facts, queued int, now time.Time) (drop bool, d Decision) {
	limit := p.Profile.MaxQueuedLocations
	d = Decision{App: f.App, Kind: KindLocation, Time: now, Numbers: nums("queued", queued, "limit", limit)}
	if queued >= limit {
		d.Verdict, d.Rule = Drop, RuleLocationQueueLimit
		d.Reason = fmt.Sprintf("location update dropped: %d updates held for the %s app, the limit is %d (max_queued_locations); the oldest goes", queued, f.State, limit)
		return true, d
	}
	d.Verdict, d.Rule = Queue, RuleLocationQueued
	d.Reason = fmt.Sprintf("location update held: the app is %s without background updates (allowsBackgroundLocationUpdates off); it gets them when it runs again", f.State)
	return false, d
}

// SessionRuleIDs returns the rule ids of the background sessions.
func SessionRuleIDs() []string {
	return []string{
		RuleWorkoutRun, RuleWorkoutMode, RuleWorkoutForeground, RuleWorkoutTransition, RuleWorkoutOneSystem,
		RuleWorkoutHold, RuleWorkoutEnded, RuleWorkoutRequest, RuleWorkoutMotion, RuleWorkoutEvent,
		RuleLocationRun, RuleLocationMode, RuleLocationForeground, RuleLocationHold, RuleLocationQueued,
		RuleLocationDelivered, RuleLocationQueueLimit,
		RuleAudioRun, RuleAudioMode, RuleAudioForeground, RuleAudioNoRoute, RuleAudioHold, RuleAudioInterruption,
		RuleAudioRouteLost,
	}
}
