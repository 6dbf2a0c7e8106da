package watch

import (
	"strconv"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// WorkoutState is an HKWorkoutSessionState.
type WorkoutState = abi.WorkoutState

// Workout session states.
const (
	WorkoutNotStarted = abi.WorkoutNotStarted
	WorkoutPrepared   = abi.WorkoutPrepared
	WorkoutRunning    = abi.WorkoutRunning
	WorkoutPaused     = abi.WorkoutPaused
	WorkoutStopped    = abi.WorkoutStopped
	WorkoutEnded      = abi.WorkoutEnded
)

// WorkoutEventType is an HKWorkoutEventType.
type WorkoutEventType = abi.WorkoutEventType

// Workout events a delegate gets.
const (
	WorkoutEventPause                = abi.WorkoutEventPause
	WorkoutEventResume               = abi.WorkoutEventResume
	WorkoutEventMotionPaused         = abi.WorkoutEventMotionPaused
	WorkoutEventMotionResumed        = abi.WorkoutEventMotionResumed
	WorkoutEventPauseOrResumeRequest = abi.WorkoutEventPauseOrResumeRequest
	WorkoutEventLap                  = abi.WorkoutEventLap
	WorkoutEventMarker               = abi.WorkoutEventMarker
	WorkoutEventSegment              = abi.WorkoutEventSegment
)

// Workout activity types (HKWorkoutActivityType raw values) for
// NewWorkoutSession.
const (
	ActivityCycling = 13
	ActivityRunning = 37
	ActivityWalking = 52
)

// WorkoutData is the live builder's statistics: the latest heart rate,
// and active energy, distance and elapsed time since the workout started,
// pauses left out.
type WorkoutData struct {
	Date         time.Time
	HeartRate    float64 // beats per minute
	ActiveEnergy float64 // kilocalories
	Distance     float64 // metres
	Elapsed      time.Duration
	State        WorkoutState
}

// WorkoutError is the error of WorkoutDelegate.DidFail: Code is an
// HKError.Code (abi.ErrorAnotherWorkoutSessionStarted, ...).
type WorkoutError struct {
	Code    int64
	Message string
}

func (e *WorkoutError) Error() string {
	return "workout: " + e.Message + " (HKError " + strconv.FormatInt(e.Code, 10) + ")"
}

// WorkoutDelegate receives a workout session's calls
// (HKWorkoutSessionDelegate and HKLiveWorkoutBuilderDelegate). Every method
// is required, as in HealthKit. On an error, DidFail comes before the
// DidChangeTo it causes.
type WorkoutDelegate interface {
	// DidChangeTo says the session moved from one state to another at
	// date (the time of the change, not of the call).
	DidChangeTo(s *WorkoutSession, to, from WorkoutState, date time.Time)
	// DidFail says the session failed: another workout started
	// (abi.ErrorAnotherWorkoutSessionStarted), or the app started or
	// prepared it outside the foreground
	// (abi.ErrorBackgroundWorkoutSessionNotAllowed; StartActivity itself
	// returns nil, as in HealthKit). DidChangeTo ended follows.
	DidFail(s *WorkoutSession, err *WorkoutError)
	// DidGenerate delivers a workout event: pause, resume, motion paused
	// or resumed, the user's request to pause or resume (both side
	// buttons), which the app decides, or a lap, marker or segment the
	// session generated (at date).
	DidGenerate(s *WorkoutSession, event WorkoutEventType, date time.Time)
	// DidCollect delivers live data, every few seconds while running.
	DidCollect(s *WorkoutSession, data WorkoutData)
}

// WorkoutSession is an HKWorkoutSession with its live builder. An app
// needs the workout-processing background mode and starts a workout while
// it is in the foreground; while the session is prepared or running the
// app keeps running when the wrist drops. A stopped or ended session
// cannot start again: make a new one.
type WorkoutSession struct {
	// Activity is the HKWorkoutActivityType (ActivityRunning, ...).
	Activity int64
	// Delegate receives the session's calls.
	Delegate WorkoutDelegate

	id    string
	state WorkoutState
}

// workouts counts the sessions made, for their identifiers.
var workouts int

// workout is the app's latest session: the one events are for.
var workout *WorkoutSession

// NewWorkoutSession returns a session, not started, of activity with
// delegate d.
func NewWorkoutSession(activity int64, d WorkoutDelegate) *WorkoutSession {
	workouts++
	s := &WorkoutSession{Activity: activity, Delegate: d, id: "w" + strconv.Itoa(workouts), state: WorkoutNotStarted}
	workout = s
	workoutHook = workoutEvent
	updateTyped()
	return s
}

// State returns the session's state as of the last DidChangeTo.
func (s *WorkoutSession) State() WorkoutState { return s.state }

// Prepare prepares the session (sensors warm up; no data yet).
func (s *WorkoutSession) Prepare() error {
	_, err := Request(abi.OpPrepareWorkout, msg.StartWorkout{SessionType: s.Activity, Identifier: s.id}.Encode(nil))
	return s.moved(err, WorkoutPrepared)
}

// StartActivity starts the workout running.
func (s *WorkoutSession) StartActivity() error {
	workout = s
	_, err := Request(abi.OpStartWorkout, msg.StartWorkout{SessionType: s.Activity, Identifier: s.id}.Encode(nil))
	return s.moved(err, WorkoutRunning)
}

// Pause pauses a running workout.
func (s *WorkoutSession) Pause() error { return s.call(abi.OpPauseWorkout, WorkoutPaused) }

// Resume resumes a paused workout.
func (s *WorkoutSession) Resume() error { return s.call(abi.OpResumeWorkout, WorkoutRunning) }

// StopActivity stops the workout's activity; End then ends the session.
func (s *WorkoutSession) StopActivity() error { return s.call(abi.OpStopWorkout, WorkoutStopped) }

// End ends the session for good.
func (s *WorkoutSession) End() error { return s.call(abi.OpEndWorkout, WorkoutEnded) }

func (s *WorkoutSession) call(op abi.Op, to WorkoutState) error {
	_, err := Request(op, msg.WorkoutCall{Identifier: s.id}.Encode(nil))
	return s.moved(err, to)
}

// moved records the state a call that succeeded moved the session to:
// State answers it at once, before DidChangeTo arrives.
func (s *WorkoutSession) moved(err error, to WorkoutState) error {
	if err == nil {
		s.state = to
	}
	return err
}

// Statistics returns the live builder's statistics now.
func (s *WorkoutSession) Statistics() (WorkoutData, error) {
	res, err := Request(abi.OpWorkoutStatistics, nil)
	if err != nil {
		return WorkoutData{}, err
	}
	var m msg.WorkoutData
	if err := m.Decode(res); err != nil {
		return WorkoutData{}, resultError(abi.OpWorkoutStatistics, err)
	}
	return workoutData(m), nil
}

func workoutData(m msg.WorkoutData) WorkoutData {
	return WorkoutData{Date: time.Unix(0, m.Date).UTC(), HeartRate: m.HeartRate, ActiveEnergy: m.ActiveEnergy,
		Distance: m.Distance, Elapsed: time.Duration(m.Elapsed), State: WorkoutState(m.State)}
}

// workoutEvent hands a workout event to the current session's delegate.
func workoutEvent(kind abi.EventKind) (bool, error) {
	s := workout
	if s == nil || s.Delegate == nil {
		return false, nil
	}
	switch kind {
	case abi.EventWorkoutStateChanged:
		var m msg.WorkoutStateChanged
		if err := m.Decode(event.fields); err != nil {
			return false, err
		}
		s.state = WorkoutState(m.State)
		s.Delegate.DidChangeTo(s, WorkoutState(m.State), WorkoutState(m.From), time.Unix(0, m.Date).UTC())
	case abi.EventWorkoutFailed:
		var m msg.WorkoutFailed
		if err := m.Decode(event.fields); err != nil {
			return false, err
		}
		s.Delegate.DidFail(s, &WorkoutError{Code: m.Code, Message: m.Error})
	case abi.EventWorkoutEvent:
		var m msg.WorkoutEvent
		if err := m.Decode(event.fields); err != nil {
			return false, err
		}
		s.Delegate.DidGenerate(s, WorkoutEventType(m.Type), time.Unix(0, m.Date).UTC())
	case abi.EventWorkoutData:
		var m msg.WorkoutData
		if err := m.Decode(event.fields); err != nil {
			return false, err
		}
		s.Delegate.DidCollect(s, workoutData(m))
	default:
		return false, nil
	}
	return true, nil
}
