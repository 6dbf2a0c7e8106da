package abi

// Extended runtime sessions (WKExtendedRuntimeSession): the values of the
// fields session_type, extended_state, reason and session_error in the
// extended session events and operations, and of haptic in notify_user.
// The numbers are part of the ABI (docs/abi.md section 15); they are
// watchbox's, chosen in Apple's order, not WatchKit's raw values (its
// invalidation reason "error" is -1 there, 5 here).

// Extended-session event, operation and fields: event 56, op 55 and
// fields 40-47 belong to extended runtime sessions.
const (
	// EventHandleExtendedSession is WKApplicationDelegate's
	// handle(_ extendedRuntimeSession:): a scheduled smart alarm's
	// session, handed to an app the system launched for it at its start
	// date. The app claims it by answering ok (the Go SDK: by setting the
	// session's delegate); an app that does not loses it.
	EventHandleExtendedSession EventKind = 56

	// OpExtendedSessionState asks for a session's state, type and
	// expiration date (WKExtendedRuntimeSession.state, expirationDate).
	OpExtendedSessionState Op = 55

	// FieldExtendedState is an ExtendedState (int).
	FieldExtendedState Field = 40
	// FieldSessionID is an extended runtime session's id (int): chosen by
	// the guest, positive, and new for every session object it creates.
	FieldSessionID Field = 41
	// FieldSessionError is an ExtendedError (int), set when the reason is
	// InvalidationError.
	FieldSessionError Field = 42
)

// SessionType is the type of an extended runtime session, given by the
// manifest's background mode (field session_type).
type SessionType uint8

// Extended runtime session types.
const (
	SessionSelfCare        SessionType = 1 // self-care: frontmost, 10 min
	SessionMindfulness     SessionType = 2 // mindfulness: frontmost, 1 h
	SessionPhysicalTherapy SessionType = 3 // physical-therapy: background, 1 h
	SessionSmartAlarm      SessionType = 4 // alarm: background, schedulable, 30 min
)

var sessionTypeNames = [...]string{"", "self_care", "mindfulness", "physical_therapy", "smart_alarm"}

// String returns the type's name.
func (t SessionType) String() string {
	if t >= 1 && int(t) < len(sessionTypeNames) {
		return sessionTypeNames[t]
	}
	return "session_type(" + itoa(int64(t)) + ")"
}

// SessionTypes returns every session type in numeric order.
func SessionTypes() []SessionType {
	return []SessionType{SessionSelfCare, SessionMindfulness, SessionPhysicalTherapy, SessionSmartAlarm}
}

// Frontmost reports whether sessions of type t run only while the app is
// frontmost (self care, mindfulness); the others run in the background.
func (t SessionType) Frontmost() bool { return t == SessionSelfCare || t == SessionMindfulness }

// ExtendedState is WKExtendedRuntimeSessionState (field extended_state).
type ExtendedState uint8

// Extended runtime session states, with WatchKit's raw values.
const (
	ExtendedNotStarted ExtendedState = 0
	ExtendedScheduled  ExtendedState = 1
	ExtendedRunning    ExtendedState = 2
	ExtendedInvalid    ExtendedState = 3
)

var extendedStateNames = [...]string{"not_started", "scheduled", "running", "invalid"}

// String returns the state's name.
func (s ExtendedState) String() string {
	if int(s) < len(extendedStateNames) {
		return extendedStateNames[s]
	}
	return "extended_state(" + itoa(int64(s)) + ")"
}

// InvalidationReason is WKExtendedRuntimeSessionInvalidationReason (field
// reason of extended_session_invalidated).
type InvalidationReason uint8

// Invalidation reasons.
const (
	InvalidationNone               InvalidationReason = 0 // the app invalidated it
	InvalidationSessionInProgress  InvalidationReason = 1 // the app already has a running (or scheduled) session
	InvalidationExpired            InvalidationReason = 2 // it reached its time limit
	InvalidationResignedFrontmost  InvalidationReason = 3 // a frontmost-only session's app left the foreground
	InvalidationSuppressedBySystem InvalidationReason = 4 // the watch is in a state that does not allow it
	InvalidationError              InvalidationReason = 5 // see the session_error field (WatchKit's -1)
)

var invalidationNames = [...]string{"none", "session_in_progress", "expired", "resigned_frontmost", "suppressed_by_system", "error"}

// String returns the reason's name.
func (r InvalidationReason) String() string {
	if int(r) < len(invalidationNames) {
		return invalidationNames[r]
	}
	return "invalidation(" + itoa(int64(r)) + ")"
}

// InvalidationReasons returns every invalidation reason in numeric order.
func InvalidationReasons() []InvalidationReason {
	return []InvalidationReason{InvalidationNone, InvalidationSessionInProgress, InvalidationExpired,
		InvalidationResignedFrontmost, InvalidationSuppressedBySystem, InvalidationError}
}

// ExtendedError is WKExtendedRuntimeSessionErrorCode (field
// session_error), with WatchKit's raw values.
type ExtendedError uint8

// Extended runtime session errors.
const (
	ErrorUnknown                       ExtendedError = 1
	ErrorScheduledTooFarInAdvance      ExtendedError = 2
	ErrorMustBeActiveToStartOrSchedule ExtendedError = 3
	ErrorNotYetStarted                 ExtendedError = 4
	ErrorExceededResourceLimits        ExtendedError = 5
	ErrorBarDisabled                   ExtendedError = 6
	ErrorNotApprovedToStartSession     ExtendedError = 7
	ErrorNotApprovedToSchedule         ExtendedError = 8
)

var extendedErrorNames = [...]string{"", "unknown", "scheduled_too_far_in_advance", "must_be_active_to_start_or_schedule",
	"not_yet_started", "exceeded_resource_limits", "bar_disabled", "not_approved_to_start_session", "not_approved_to_schedule"}

// String returns the error's name.
func (e ExtendedError) String() string {
	if e >= 1 && int(e) < len(extendedErrorNames) {
		return extendedErrorNames[e]
	}
	return "session_error(" + itoa(int64(e)) + ")"
}

// ExtendedErrors returns every extended session error in numeric order.
func ExtendedErrors() []ExtendedError {
	return []ExtendedError{ErrorUnknown, ErrorScheduledTooFarInAdvance, ErrorMustBeActiveToStartOrSchedule,
		ErrorNotYetStarted, ErrorExceededResourceLimits, ErrorBarDisabled, ErrorNotApprovedToStartSession,
		ErrorNotApprovedToSchedule}
}

// Haptic is a WKHapticType (field haptic), with WatchKit's raw values.
type Haptic uint8

// Haptic types.
const (
	HapticNotification  Haptic = 0
	HapticDirectionUp   Haptic = 1
	HapticDirectionDown Haptic = 2
	HapticSuccess       Haptic = 3
	HapticFailure       Haptic = 4
	HapticRetry         Haptic = 5
	HapticStart         Haptic = 6
	HapticStop          Haptic = 7
	HapticClick         Haptic = 8
)

var hapticNames = [...]string{"notification", "direction_up", "direction_down", "success", "failure", "retry", "start", "stop", "click"}

// String returns the haptic's name.
func (h Haptic) String() string {
	if int(h) < len(hapticNames) {
		return hapticNames[h]
	}
	return "haptic(" + itoa(int64(h)) + ")"
}

// Haptics returns every haptic type in numeric order.
func Haptics() []Haptic {
	return []Haptic{HapticNotification, HapticDirectionUp, HapticDirectionDown, HapticSuccess, HapticFailure,
		HapticRetry, HapticStart, HapticStop, HapticClick}
}
