package abi

// The enumerations of the background sessions (docs/abi.md section 15).
// Where Apple's frameworks define raw values, these are the same numbers,
// so that a guest SDK for Swift-like code maps them one to one.

// WorkoutState is an HKWorkoutSessionState, carried in FieldWorkoutState
// and FieldFromState (HealthKit's raw values).
type WorkoutState int64

// Workout session states.
const (
	WorkoutNotStarted WorkoutState = 1 // HKWorkoutSessionState.notStarted
	WorkoutRunning    WorkoutState = 2 // .running
	WorkoutEnded      WorkoutState = 3 // .ended
	WorkoutPaused     WorkoutState = 4 // .paused
	WorkoutPrepared   WorkoutState = 5 // .prepared
	WorkoutStopped    WorkoutState = 6 // .stopped
)

// String returns the state's name, as HealthKit spells it ("notStarted").
func (s WorkoutState) String() string {
	switch s {
	case WorkoutNotStarted:
		return "notStarted"
	case WorkoutRunning:
		return "running"
	case WorkoutEnded:
		return "ended"
	case WorkoutPaused:
		return "paused"
	case WorkoutPrepared:
		return "prepared"
	case WorkoutStopped:
		return "stopped"
	}
	return "workoutState(" + itoa(int64(s)) + ")"
}

// WorkoutEventType is an HKWorkoutEventType, carried in FieldWorkoutEvent
// (HealthKit's raw values; this host sends these eight).
type WorkoutEventType int64

// Workout event types.
const (
	WorkoutEventPause                WorkoutEventType = 1 // the session paused
	WorkoutEventResume               WorkoutEventType = 2 // the session resumed
	WorkoutEventLap                  WorkoutEventType = 3 // a lap (a pool length in a swim): the lap verb
	WorkoutEventMarker               WorkoutEventType = 4 // a point of interest: the marker verb
	WorkoutEventMotionPaused         WorkoutEventType = 5 // the user stopped moving (auto-pause)
	WorkoutEventMotionResumed        WorkoutEventType = 6 // the user moves again
	WorkoutEventSegment              WorkoutEventType = 7 // a segment boundary (a set, an interval): the segment verb
	WorkoutEventPauseOrResumeRequest WorkoutEventType = 8 // the user pressed both side buttons: the app decides
)

// String returns the event type's name, as HealthKit spells it.
func (e WorkoutEventType) String() string {
	switch e {
	case WorkoutEventPause:
		return "pause"
	case WorkoutEventResume:
		return "resume"
	case WorkoutEventLap:
		return "lap"
	case WorkoutEventMarker:
		return "marker"
	case WorkoutEventSegment:
		return "segment"
	case WorkoutEventMotionPaused:
		return "motionPaused"
	case WorkoutEventMotionResumed:
		return "motionResumed"
	case WorkoutEventPauseOrResumeRequest:
		return "pauseOrResumeRequest"
	}
	return "workoutEvent(" + itoa(int64(e)) + ")"
}

// Error codes of workout_failed (FieldErrorCode): HKError.Code raw values.
const (
	ErrorAnotherWorkoutSessionStarted       int64 = 8  // HKError.errorAnotherWorkoutSessionStarted
	ErrorBackgroundWorkoutSessionNotAllowed int64 = 14 // HKError.errorBackgroundWorkoutSessionNotAllowed (watchOS 10+)
)

// AudioSessionActivationFailed is the AVAudioSession error code a long-form
// audio activation without an eligible route fails with (561145203,
// "Session activation failed"); the refusal of activate_audio quotes it.
const AudioSessionActivationFailed = 561145203

// Interruption types of audio_session_interrupted (FieldReason):
// AVAudioSession.InterruptionType raw values.
const (
	AudioInterruptionEnded int64 = 0 // .ended: the app may resume playing
	AudioInterruptionBegan int64 = 1 // .began: playback stopped (a call, an alarm)
)

// Audio output routes (FieldRoute).
const (
	AudioRouteNone      int64 = 0 // no eligible route: long-form audio cannot play
	AudioRouteBluetooth int64 = 1 // Bluetooth headphones are connected
)
