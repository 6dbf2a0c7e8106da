package abi

// Field is the key of an encoded field. Keys share one namespace across all
// events, replies and requests; docs/abi.md lists which appear where.
type Field uint16

// Field keys. The numeric values are part of the ABI.
const (
	FieldMessage              Field = 1  // bytes: UTF-8 text (error message, log line)
	FieldTask                 Field = 2  // record, repeated: one background task
	FieldTaskID               Field = 3  // int: a task's id, unique per app
	FieldTaskKind             Field = 4  // int: a TaskKind
	FieldUserInfo             Field = 5  // bytes: app-defined payload (JSON by convention)
	FieldSnapshotReason       Field = 6  // int: a SnapshotReason
	FieldSessionIdentifier    Field = 7  // bytes: a URL session's identifier
	FieldDate                 Field = 8  // int: Unix time in nanoseconds
	FieldSnapshot             Field = 9  // bool: complete with a snapshot
	FieldRestoredDefaultState Field = 10 // bool: snapshot task completion
	FieldURL                  Field = 11 // bytes: an absolute URL
	FieldStatusCode           Field = 12 // int: an HTTP status code
	FieldFile                 Field = 13 // bytes: a path inside the app's container
	FieldError                Field = 14 // bytes: an error description
	FieldState                Field = 15 // bytes: app state carried across a hot reload
	FieldAppState             Field = 16 // int: a State
	FieldLaunchCount          Field = 17 // int: cold launches of this app since the host loaded it
	FieldBundleID             Field = 18 // bytes: the app's CFBundleIdentifier
	FieldCold                 Field = 19 // bool: this launch started a new instance (cold)
	FieldReason               Field = 20 // int: a kind-specific reason code
	FieldTitle                Field = 21 // bytes: notification title
	FieldBody                 Field = 22 // bytes: notification body
	FieldIdentifier           Field = 23 // bytes: a notification's or session's identifier
	FieldCategory             Field = 24 // bytes: notification category
	FieldPayload              Field = 25 // bytes: the raw JSON of a push or phone message
	FieldInterval             Field = 26 // int: a duration in nanoseconds
	FieldRepeats              Field = 27 // bool: a trigger repeats
	FieldSessionType          Field = 28 // int: workout activity or extended session type
	FieldWorkoutState         Field = 29 // int: an HKWorkoutSessionState
	FieldHaptic               Field = 30 // int: a WKHapticType
	FieldLatitude             Field = 31 // float: degrees
	FieldLongitude            Field = 32 // float: degrees
	FieldRemaining            Field = 33 // int: budget left (pushes, alerts, refreshes)
	FieldComplication         Field = 34 // bytes: complication data
	FieldCalendar             Field = 35 // bytes: a calendar trigger's date components, a JSON object
	// FieldRefusal is UTF-8 text saying why the host refused a request: the
	// result a request leaves behind when it returns a negated status. A
	// new key, so that a guest that ignores it (or reads the result after a
	// failure) skips it as unknown.
	FieldRefusal Field = 36
	// Bluetooth central fields (60-63).
	FieldPeripheral     Field = 60 // bytes: a Bluetooth peripheral's name (bluetooth_scan's result: names, one a line)
	FieldService        Field = 61 // bytes: a GATT service UUID, such as 180D
	FieldCharacteristic Field = 62 // bytes: a GATT characteristic UUID (bluetooth_discover's result: SERVICE/CHARACTERISTIC, one a line)
	FieldValue          Field = 63 // bytes: a characteristic's value
)

// Field keys of the background sessions: workouts, location and audio
// (48-59; 40-47 belong to extended runtime sessions).
const (
	FieldFromState    Field = 48 // int: the HKWorkoutSessionState a workout left
	FieldErrorCode    Field = 49 // int: an HKError.Code, CBError.Code or WCError.Code (by the message it is in)
	FieldWorkoutEvent Field = 50 // int: an HKWorkoutEventType
	FieldHeartRate    Field = 51 // float: beats per minute
	FieldActiveEnergy Field = 52 // float: kilocalories since the workout started
	FieldDistance     Field = 53 // float: metres since the workout started
	FieldElapsed      Field = 54 // int: nanoseconds the workout ran, pauses left out
	FieldAltitude     Field = 55 // float: metres above sea level
	FieldBackground   Field = 56 // bool: allowsBackgroundLocationUpdates
	FieldRoute        Field = 57 // int: an audio output route (AudioRoute*)
	FieldSpeed        Field = 58 // float: metres per second
	FieldQueued       Field = 59 // bool: a location update the system held while the app was suspended
)

var fieldNames = [...]string{
	FieldMessage:              "message",
	FieldTask:                 "task",
	FieldTaskID:               "task_id",
	FieldTaskKind:             "task_kind",
	FieldUserInfo:             "user_info",
	FieldSnapshotReason:       "snapshot_reason",
	FieldSessionIdentifier:    "session_identifier",
	FieldDate:                 "date",
	FieldSnapshot:             "snapshot",
	FieldRestoredDefaultState: "restored_default_state",
	FieldURL:                  "url",
	FieldStatusCode:           "status_code",
	FieldFile:                 "file",
	FieldError:                "error",
	FieldState:                "state",
	FieldAppState:             "app_state",
	FieldLaunchCount:          "launch_count",
	FieldBundleID:             "bundle_id",
	FieldCold:                 "cold",
	FieldReason:               "reason",
	FieldTitle:                "title",
	FieldBody:                 "body",
	FieldIdentifier:           "identifier",
	FieldCategory:             "category",
	FieldPayload:              "payload",
	FieldInterval:             "interval",
	FieldRepeats:              "repeats",
	FieldSessionType:          "session_type",
	FieldWorkoutState:         "workout_state",
	FieldHaptic:               "haptic",
	FieldLatitude:             "latitude",
	FieldLongitude:            "longitude",
	FieldRemaining:            "remaining",
	FieldComplication:         "complication",
	FieldCalendar:             "calendar",
	FieldRefusal:              "refusal",
	FieldFromState:            "from_state",
	FieldErrorCode:            "error_code",
	FieldWorkoutEvent:         "workout_event",
	FieldHeartRate:            "heart_rate",
	FieldActiveEnergy:         "active_energy",
	FieldDistance:             "distance",
	FieldElapsed:              "elapsed",
	FieldAltitude:             "altitude",
	FieldBackground:           "background",
	FieldRoute:                "route",
	FieldSpeed:                "speed",
	FieldQueued:               "queued",
	FieldPeripheral:           "peripheral",
	FieldService:              "service",
	FieldCharacteristic:       "characteristic",
	FieldValue:                "value",
	FieldContentPending:       "content_pending", // phone.go
	FieldReachable:            "reachable",       // phone.go
	FieldPaired:               "paired",          // phone.go
	FieldAddress:              "address",         // push.go
	FieldLength:               "length",          // push.go
	FieldExtendedState:        "extended_state",  // extended.go
	FieldSessionID:            "session_id",      // extended.go
	FieldSessionError:         "session_error",   // extended.go
}

// String returns the field's name.
func (f Field) String() string {
	if n := nameOf(fieldNames[:], f); n != "" {
		return n
	}
	return "field(" + itoa(int64(f)) + ")"
}

// Fields returns every defined field key in numeric order.
func Fields() []Field {
	return definedKeys[Field](fieldNames[:])
}

// DistantFuture is the FieldDate value that means "never", Foundation's
// distantFuture: a snapshot task completed with it as its expiration turns
// the system's automatic snapshots off.
const DistantFuture int64 = 1<<63 - 1

// MaxSessionID is the longest URL session identifier, in bytes.
const MaxSessionID = 128

// ValidSessionID reports whether id may name a URL session
// (FieldSessionIdentifier): 1 to MaxSessionID bytes of ASCII letters,
// digits, '-', '_' and '.', and not "." or "..". The host stores a
// download under /Downloads/ID, so the rule keeps it one plain file name.
func ValidSessionID(id string) bool { return SessionIDProblem(id) == "" }

// SessionIDProblem says what is wrong with id as a URL session identifier
// (see ValidSessionID), in words that follow `id "..."`, such as
// `has a space`; it returns "" for a valid id. Hosts use it in refusal
// reasons: start_download: id "a b" has a space.
func SessionIDProblem(id string) string {
	switch {
	case id == "":
		return "is empty"
	case len(id) > MaxSessionID:
		return "is longer than " + itoa(MaxSessionID) + " bytes"
	case id == "." || id == "..":
		return "is not a file name"
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			switch {
			case c == ' ':
				return "has a space"
			case c < ' ' || c == 0x7f:
				return "has a control character"
			case c > 0x7f:
				return "has a non-ASCII character " + string(c)
			}
			return "has the character " + string(c) + " (only letters, digits, '-', '_' and '.' are allowed)"
		}
	}
	return ""
}
