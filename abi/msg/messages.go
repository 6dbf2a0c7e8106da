package msg

import (
	"time"

	"github.com/watchbox/watchbox/abi"
)

// This file defines one type per event payload, per request operation's
// arguments and result, and the handler reply and refusal. Each has a Spec
// (its fields, in the order writers write them) and a binding of the spec's
// fields to its Go fields; Encode and Decode are the shared codec.
// docs/abi.md sections 11, 13 and 14 are the normative text.

// keyType is the wire type of every key (docs/abi.md section 14), indexed
// by key. An array of constants, so that it costs a guest nothing at start.
var keyType = [...]abi.Type{
	abi.FieldMessage: abi.TypeBytes, abi.FieldTask: abi.TypeRecord, abi.FieldTaskID: abi.TypeInt,
	abi.FieldTaskKind: abi.TypeInt, abi.FieldUserInfo: abi.TypeBytes, abi.FieldSnapshotReason: abi.TypeInt,
	abi.FieldSessionIdentifier: abi.TypeBytes, abi.FieldDate: abi.TypeInt, abi.FieldSnapshot: abi.TypeBool,
	abi.FieldRestoredDefaultState: abi.TypeBool, abi.FieldURL: abi.TypeBytes, abi.FieldStatusCode: abi.TypeInt,
	abi.FieldFile: abi.TypeBytes, abi.FieldError: abi.TypeBytes, abi.FieldState: abi.TypeBytes,
	abi.FieldAppState: abi.TypeInt, abi.FieldLaunchCount: abi.TypeInt, abi.FieldBundleID: abi.TypeBytes,
	abi.FieldCold: abi.TypeBool, abi.FieldReason: abi.TypeInt, abi.FieldTitle: abi.TypeBytes,
	abi.FieldBody: abi.TypeBytes, abi.FieldIdentifier: abi.TypeBytes, abi.FieldCategory: abi.TypeBytes,
	abi.FieldPayload: abi.TypeBytes, abi.FieldInterval: abi.TypeInt, abi.FieldRepeats: abi.TypeBool,
	abi.FieldSessionType: abi.TypeInt, abi.FieldWorkoutState: abi.TypeInt, abi.FieldHaptic: abi.TypeInt,
	abi.FieldLatitude: abi.TypeFloat, abi.FieldLongitude: abi.TypeFloat, abi.FieldRemaining: abi.TypeInt,
	abi.FieldComplication: abi.TypeBytes, abi.FieldCalendar: abi.TypeBytes, abi.FieldRefusal: abi.TypeBytes,
	abi.FieldFromState: abi.TypeInt, abi.FieldErrorCode: abi.TypeInt, abi.FieldWorkoutEvent: abi.TypeInt,
	abi.FieldHeartRate: abi.TypeFloat, abi.FieldActiveEnergy: abi.TypeFloat, abi.FieldDistance: abi.TypeFloat,
	abi.FieldElapsed: abi.TypeInt, abi.FieldAltitude: abi.TypeFloat, abi.FieldBackground: abi.TypeBool,
	abi.FieldRoute: abi.TypeInt, abi.FieldSpeed: abi.TypeFloat, abi.FieldQueued: abi.TypeBool,
	abi.FieldPeripheral: abi.TypeBytes, abi.FieldService: abi.TypeBytes, abi.FieldCharacteristic: abi.TypeBytes,
	abi.FieldValue:         abi.TypeBytes,
	abi.FieldExtendedState: abi.TypeInt, abi.FieldSessionID: abi.TypeInt, abi.FieldSessionError: abi.TypeInt,
	abi.FieldContentPending: abi.TypeBool, abi.FieldReachable: abi.TypeBool, abi.FieldPaired: abi.TypeBool,
	abi.FieldAddress: abi.TypeInt, abi.FieldLength: abi.TypeInt,
}

// KeyType returns the wire type every value of key has, and whether key is
// defined.
func KeyType(key abi.Field) (abi.Type, bool) {
	if int(key) >= len(keyType) || keyType[key] == 0 {
		return 0, false
	}
	return keyType[key], true
}

// ---- shared -----------------------------------------------------------------

// Empty is the payload of events that carry no fields (the five life-cycle
// events, save_state) and the arguments or result of operations that have
// none. Decode checks the framing and ignores every field.
type Empty struct{}

var emptySpec = &Spec{Name: "empty", Doc: "no fields"}

// Reply is what a handler attaches with event_reply, read by the host when
// the handler's status is error or bad_event (docs/abi.md section 16).
type Reply struct {
	Message string // why the handler failed
	Error   string // details, such as a stack trace; this host ignores it
}

var replySpec = &Spec{Name: "reply", Doc: "a handler's reply (event_reply)", Fields: []FieldSpec{
	{Key: abi.FieldMessage, Type: abi.TypeBytes, Presence: Optional, Doc: "why the handler failed"},
	{Key: abi.FieldError, Type: abi.TypeBytes, Presence: Optional, Doc: "details (the Go SDK sends a panic's stack trace)"},
}}

// Refusal is the result a request leaves when the host refuses it: request
// returns a negated status and result_read then returns these fields
// (docs/abi.md section 5). A guest that does not read it loses nothing
// but the reason.
type Refusal struct {
	Reason string // why, in words, e.g. `start_download: id "a b" has a space`
	// ErrorCode is the framework's error code for the refusal, when it
	// has one: a CBError.Code for Bluetooth ops, a WCError.Code for
	// phone ops (abi.CBError*, abi.WCError*); 0: none.
	ErrorCode int64
}

var refusalSpec = &Spec{Name: "refusal", Doc: "why a request was refused (result of a refused request)", Fields: []FieldSpec{
	{Key: abi.FieldRefusal, Type: abi.TypeBytes, Presence: Always, Doc: "the reason, UTF-8"},
	{Key: abi.FieldErrorCode, Type: abi.TypeInt, Presence: Optional, Doc: "the framework's error code (CBError, WCError), when it has one"},
}}

// ---- events -----------------------------------------------------------------

// Task is one background task: a task record of a background_tasks event.
type Task struct {
	ID       int64
	Kind     abi.TaskKind
	UserInfo []byte             // the payload given when it was scheduled; nil: none
	Reason   abi.SnapshotReason // snapshot tasks: why the system asks for one
	// A url_session task: the download's identifier, its HTTP status, and
	// the file holding the body in the app's container, or the error.
	Session    string
	StatusCode int64 // written whenever Session is
	File       string
	Error      string
	// ContentPending, on a watch_connectivity task, says phone data
	// follows the task (WCSession.hasContentPending when it was
	// delivered); phone_session says when all of it has come.
	ContentPending bool
	// ErrorCode, on a bluetooth_alert task, is
	// abi.CBErrorNearBackgroundNotificationLimit when this alert left one
	// in the Bluetooth budget; 0: none.
	ErrorCode int64
}

var taskSpec = &Spec{Name: "task", Doc: "one background task (a task record)", Fields: []FieldSpec{
	{Key: abi.FieldTaskID, Type: abi.TypeInt, Presence: Always},
	{Key: abi.FieldTaskKind, Type: abi.TypeInt, Presence: Always},
	{Key: abi.FieldUserInfo, Type: abi.TypeBytes, Presence: Optional},
	{Key: abi.FieldSnapshotReason, Type: abi.TypeInt, Presence: Optional, Doc: "snapshot tasks"},
	{Key: abi.FieldSessionIdentifier, Type: abi.TypeBytes, Presence: Optional, Doc: "url_session tasks"},
	{Key: abi.FieldStatusCode, Type: abi.TypeInt, Presence: Optional, With: abi.FieldSessionIdentifier, Doc: "url_session tasks"},
	{Key: abi.FieldFile, Type: abi.TypeBytes, Presence: Optional, Doc: "url_session tasks that succeeded"},
	{Key: abi.FieldError, Type: abi.TypeBytes, Presence: Optional, Doc: "url_session tasks that failed"},
	{Key: abi.FieldContentPending, Type: abi.TypeBool, Presence: Optional, Doc: "watch_connectivity tasks: phone data follows"},
	{Key: abi.FieldErrorCode, Type: abi.TypeInt, Presence: Optional, Doc: "bluetooth_alert tasks: CBError.Code 18 near the background limit"},
}}

// BackgroundTasks is the payload of background_tasks: one record per task.
type BackgroundTasks struct {
	Tasks []Task
}

var backgroundTasksSpec = &Spec{Name: "background_tasks", Doc: "handle(_ backgroundTasks:)", Fields: []FieldSpec{
	{Key: abi.FieldTask, Type: abi.TypeRecord, Presence: Repeated, Record: taskSpec, Doc: "one per task"},
}}

// TaskWillExpire is the payload of task_will_expire.
type TaskWillExpire struct {
	TaskID int64
}

var taskWillExpireSpec = &Spec{Name: "task_will_expire", Doc: "a task's expiration handler", Fields: []FieldSpec{
	{Key: abi.FieldTaskID, Type: abi.TypeInt, Presence: Always, Doc: "the task that expires shortly"},
}}

// Notification is the payload of notification_will_present: a local
// notification or an alert push arriving while the app is active.
type Notification struct {
	Identifier string
	Title      string
	Body       string
	Category   string // "": none
	UserInfo   []byte // nil: none
}

var notificationSpec = &Spec{Name: "notification_will_present", Doc: "userNotificationCenter willPresent", Fields: []FieldSpec{
	{Key: abi.FieldIdentifier, Type: abi.TypeBytes, Presence: Always},
	{Key: abi.FieldTitle, Type: abi.TypeBytes, Presence: Always},
	{Key: abi.FieldBody, Type: abi.TypeBytes, Presence: Always},
	{Key: abi.FieldCategory, Type: abi.TypeBytes, Presence: Optional},
	{Key: abi.FieldUserInfo, Type: abi.TypeBytes, Presence: Optional},
}}

// NotificationResponse is the payload of notification_did_receive: the
// user acted on a notification.
type NotificationResponse struct {
	Notification
	Action string // the action identifier: com.apple.UNNotificationDefaultActionIdentifier for a plain tap
}

var notificationResponseSpec = &Spec{Name: "notification_did_receive", Doc: "userNotificationCenter didReceive", Fields: []FieldSpec{
	{Key: abi.FieldIdentifier, Type: abi.TypeBytes, Presence: Always},
	{Key: abi.FieldTitle, Type: abi.TypeBytes, Presence: Always},
	{Key: abi.FieldBody, Type: abi.TypeBytes, Presence: Always},
	{Key: abi.FieldCategory, Type: abi.TypeBytes, Presence: Optional},
	{Key: abi.FieldUserInfo, Type: abi.TypeBytes, Presence: Optional},
	{Key: abi.FieldMessage, Type: abi.TypeBytes, Presence: Always, Doc: "the action identifier (com.apple.UNNotificationDefaultActionIdentifier for a plain tap)"},
}}

// Push is the payload of remote_notification and complication_push.
type Push struct {
	Payload   []byte // the whole push, JSON
	UserInfo  []byte // its custom top-level keys, JSON
	Remaining int64  // complication pushes left today; not sent by this host
}

var pushSpec = &Spec{Name: "push", Doc: "remote_notification and complication_push", Fields: []FieldSpec{
	{Key: abi.FieldPayload, Type: abi.TypeBytes, Presence: Always, Doc: "the whole push, JSON"},
	{Key: abi.FieldUserInfo, Type: abi.TypeBytes, Presence: Always, Doc: "the push's custom top-level keys, JSON"},
	{Key: abi.FieldRemaining, Type: abi.TypeInt, Presence: Optional, Doc: "complication_push: pushes left (not sent by this host)"},
}}

// PhoneData is the payload of phone_user_info, phone_application_context
// and phone_message.
type PhoneData struct {
	Payload []byte // JSON by convention
}

var phoneDataSpec = &Spec{Name: "phone_data", Doc: "phone_user_info, phone_application_context, phone_message", Fields: []FieldSpec{
	{Key: abi.FieldPayload, Type: abi.TypeBytes, Presence: Always, Doc: "the data, JSON by convention"},
}}

// WorkoutStateChanged is the payload of workout_state_changed
// (HKWorkoutSessionDelegate didChangeTo:from:date:).
type WorkoutStateChanged struct {
	State       int64 // the new abi.WorkoutState
	Date        int64 // when the state changed, Unix ns (not when the event arrives)
	SessionType int64 // the HKWorkoutActivityType the workout was started with
	From        int64 // the abi.WorkoutState it left
}

var workoutStateChangedSpec = &Spec{Name: "workout_state_changed", Doc: "HKWorkoutSessionDelegate didChangeTo:from:date:", Fields: []FieldSpec{
	{Key: abi.FieldWorkoutState, Type: abi.TypeInt, Presence: Always, Doc: "the new state"}, {Key: abi.FieldDate, Type: abi.TypeInt, Presence: Always, Doc: "when the state changed"},
	{Key: abi.FieldSessionType, Type: abi.TypeInt, Presence: Always, Doc: "the HKWorkoutActivityType"}, {Key: abi.FieldFromState, Type: abi.TypeInt, Presence: Always, Doc: "the state it left"},
}}

// WorkoutFailed is the payload of workout_failed (HKWorkoutSessionDelegate
// didFailWithError), which comes before the workout_state_changed it
// causes.
type WorkoutFailed struct {
	Error string // what happened, in words
	Code  int64  // an HKError.Code (abi.ErrorAnotherWorkoutSessionStarted, ...)
	Date  int64  // Unix ns
}

var workoutFailedSpec = &Spec{Name: "workout_failed", Doc: "HKWorkoutSessionDelegate didFailWithError", Fields: []FieldSpec{
	{Key: abi.FieldError, Type: abi.TypeBytes, Presence: Always}, {Key: abi.FieldErrorCode, Type: abi.TypeInt, Presence: Always, Doc: "an HKError.Code"},
	{Key: abi.FieldDate, Type: abi.TypeInt, Presence: Always},
}}

// AudioSessionInterrupted is the payload of audio_session_interrupted
// (AVAudioSession.interruptionNotification).
type AudioSessionInterrupted struct {
	Reason int64 // abi.AudioInterruptionBegan or abi.AudioInterruptionEnded
	Date   int64 // Unix ns
}

var audioSessionInterruptedSpec = &Spec{Name: "audio_session_interrupted", Doc: "AVAudioSession.interruptionNotification", Fields: []FieldSpec{
	{Key: abi.FieldReason, Type: abi.TypeInt, Presence: Always, Doc: "1 began, 0 ended (AVAudioSession.InterruptionType)"}, {Key: abi.FieldDate, Type: abi.TypeInt, Presence: Always},
}}

// LocationUpdate is the payload of location_update (CLLocationManagerDelegate
// didUpdateLocations, one location a call).
type LocationUpdate struct {
	Latitude, Longitude float64 // degrees, WGS84
	Date                int64   // the fix's time, Unix ns
	Altitude            float64 // metres; 0 when the route has no elevation
	Speed               float64 // metres per second
	Queued              bool    // held while the app was suspended, delivered when it ran again
}

var locationUpdateSpec = &Spec{Name: "location_update", Doc: "CLLocationManagerDelegate didUpdateLocations", Fields: []FieldSpec{
	{Key: abi.FieldLatitude, Type: abi.TypeFloat, Presence: Always}, {Key: abi.FieldLongitude, Type: abi.TypeFloat, Presence: Always}, {Key: abi.FieldDate, Type: abi.TypeInt, Presence: Always, Doc: "the fix's time"},
	{Key: abi.FieldAltitude, Type: abi.TypeFloat, Presence: Optional}, {Key: abi.FieldSpeed, Type: abi.TypeFloat, Presence: Always},
	{Key: abi.FieldQueued, Type: abi.TypeBool, Presence: Optional, Doc: "held while the app was suspended"},
}}

// RestoreState is the payload of restore_state (hot reload; provisional).
type RestoreState struct {
	State []byte
}

var restoreStateSpec = &Spec{Name: "restore_state", Doc: "hot reload: the state the old version saved", Fields: []FieldSpec{
	{Key: abi.FieldState, Type: abi.TypeBytes, Presence: Always, Doc: "what the save_state reply carried"},
}}

// SavedState is a guest's reply to save_state (event_reply, with status
// ok): the state to carry across a hot reload, which the new version gets
// in restore_state. A guest with nothing to carry answers unhandled.
type SavedState struct {
	State []byte
}

var savedStateSpec = &Spec{Name: "saved_state", Doc: "the reply to save_state (event_reply)", Fields: []FieldSpec{
	{Key: abi.FieldState, Type: abi.TypeBytes, Presence: Always, Doc: "the app's state, at most the profile's saved_state_bytes"},
}}

// ---- operations ---------------------------------------------------------------

// AppInfo is the result of app_info.
type AppInfo struct {
	BundleID    string
	State       abi.State
	LaunchCount int64
	Cold        bool
	Settings    []byte // the manifest's settings object, JSON; nil: none
}

var appInfoSpec = &Spec{Name: "app_info_result", Doc: "the running app, as the host sees it", Fields: []FieldSpec{
	{Key: abi.FieldBundleID, Type: abi.TypeBytes, Presence: Always},
	{Key: abi.FieldAppState, Type: abi.TypeInt, Presence: Always},
	{Key: abi.FieldLaunchCount, Type: abi.TypeInt, Presence: Always},
	{Key: abi.FieldCold, Type: abi.TypeBool, Presence: Always},
	{Key: abi.FieldPayload, Type: abi.TypeBytes, Presence: Optional, Doc: "the manifest's settings object, JSON"},
}}

// ScheduleRefresh is the arguments of schedule_background_refresh.
type ScheduleRefresh struct {
	Date     int64  // preferred date, Unix ns (the host rounds it up to a second)
	UserInfo []byte // nil: none
}

var scheduleRefreshSpec = &Spec{Name: "schedule_background_refresh", Doc: "scheduleBackgroundRefresh(withPreferredDate:userInfo:)", Fields: []FieldSpec{
	{Key: abi.FieldDate, Type: abi.TypeInt, Presence: Required, Doc: "the preferred date"},
	{Key: abi.FieldUserInfo, Type: abi.TypeBytes, Presence: Optional},
}}

// ScheduleSnapshot is the arguments of schedule_snapshot_refresh.
type ScheduleSnapshot struct {
	Date     int64  // preferred date, Unix ns
	UserInfo []byte // nil: none
}

var scheduleSnapshotSpec = &Spec{Name: "schedule_snapshot_refresh", Doc: "scheduleSnapshotRefresh(withPreferredDate:userInfo:)", Fields: []FieldSpec{
	{Key: abi.FieldDate, Type: abi.TypeInt, Presence: Required, Doc: "the preferred date"},
	{Key: abi.FieldUserInfo, Type: abi.TypeBytes, Presence: Optional},
}}

// ScheduleResult is the result of schedule_background_refresh and
// schedule_snapshot_refresh.
type ScheduleResult struct {
	Message string // the system's decision in words
	Date    int64  // when it will be delivered, Unix ns; 0: dropped
}

var scheduleResultSpec = &Spec{Name: "schedule_result", Doc: "the system's decision on a schedule request", Fields: []FieldSpec{
	{Key: abi.FieldMessage, Type: abi.TypeBytes, Presence: Always, Doc: "the decision in words"},
	{Key: abi.FieldDate, Type: abi.TypeInt, Presence: Optional, Doc: "when it will be delivered; absent when dropped"},
}}

// CompleteTask is the arguments of complete_task.
type CompleteTask struct {
	TaskID   int64
	Snapshot bool
}

var completeTaskSpec = &Spec{Name: "complete_task", Doc: "setTaskCompletedWithSnapshot(_:)", Fields: []FieldSpec{
	{Key: abi.FieldTaskID, Type: abi.TypeInt, Presence: Always},
	{Key: abi.FieldSnapshot, Type: abi.TypeBool, Presence: Always},
}}

// CompleteSnapshotTask is the arguments of complete_snapshot_task.
type CompleteSnapshotTask struct {
	TaskID               int64
	RestoredDefaultState bool
	Expiration           int64  // Unix ns; 0: leave the schedule alone; abi.DistantFuture: automatic snapshots off
	UserInfo             []byte // for the next snapshot task; nil: none
}

var completeSnapshotTaskSpec = &Spec{Name: "complete_snapshot_task",
	Doc: "setTaskCompleted(restoredDefaultState:estimatedSnapshotExpiration:userInfo:)", Fields: []FieldSpec{
		{Key: abi.FieldTaskID, Type: abi.TypeInt, Presence: Always},
		{Key: abi.FieldRestoredDefaultState, Type: abi.TypeBool, Presence: Always},
		{Key: abi.FieldDate, Type: abi.TypeInt, Presence: Optional, Doc: "the snapshot's expiration"},
		{Key: abi.FieldUserInfo, Type: abi.TypeBytes, Presence: Optional},
	}}

// StartDownload is the arguments of start_download.
type StartDownload struct {
	Identifier string // the session identifier (abi.ValidSessionID)
	URL        string // http or https
}

var startDownloadSpec = &Spec{Name: "start_download", Doc: "a background URLSession download", Fields: []FieldSpec{
	{Key: abi.FieldSessionIdentifier, Type: abi.TypeBytes, Presence: Required},
	{Key: abi.FieldURL, Type: abi.TypeBytes, Presence: Required},
}}

// ScheduleNotification is the arguments of schedule_notification: exactly
// one of Interval, Date and Calendar is the trigger.
type ScheduleNotification struct {
	Identifier string
	Title      string
	Body       string
	Category   string        // "": none
	UserInfo   []byte        // nil: none
	Interval   time.Duration // a time-interval trigger; 0: none
	Date       int64         // a date trigger, Unix ns; 0: none
	Calendar   []byte        // a calendar trigger, JSON date components; nil: none
	Repeats    bool
}

var scheduleNotificationSpec = &Spec{Name: "schedule_notification", Doc: "UNUserNotificationCenter add", Fields: []FieldSpec{
	{Key: abi.FieldIdentifier, Type: abi.TypeBytes, Presence: Required},
	{Key: abi.FieldTitle, Type: abi.TypeBytes, Presence: Always},
	{Key: abi.FieldBody, Type: abi.TypeBytes, Presence: Always},
	{Key: abi.FieldCategory, Type: abi.TypeBytes, Presence: Optional},
	{Key: abi.FieldUserInfo, Type: abi.TypeBytes, Presence: Optional},
	{Key: abi.FieldInterval, Type: abi.TypeInt, Presence: Optional, Doc: "a time-interval trigger"},
	{Key: abi.FieldDate, Type: abi.TypeInt, Presence: Optional, Doc: "a date trigger"},
	{Key: abi.FieldCalendar, Type: abi.TypeBytes, Presence: Optional, Doc: "a calendar trigger"},
	{Key: abi.FieldRepeats, Type: abi.TypeBool, Presence: Always},
}}

// CancelNotification is the arguments of cancel_notification.
type CancelNotification struct {
	Identifier string
}

var cancelNotificationSpec = &Spec{Name: "cancel_notification", Doc: "removePendingNotificationRequests", Fields: []FieldSpec{
	{Key: abi.FieldIdentifier, Type: abi.TypeBytes, Presence: Required},
}}

// UpdateComplication is the arguments of update_complication.
type UpdateComplication struct {
	Data []byte // the complication data, in the app's own format
}

var updateComplicationSpec = &Spec{Name: "update_complication", Doc: "publish complication data", Fields: []FieldSpec{
	{Key: abi.FieldComplication, Type: abi.TypeBytes, Presence: Required},
}}

// SendToPhone is the arguments of send_to_phone.
type SendToPhone struct {
	Payload []byte // JSON object by convention
}

var sendToPhoneSpec = &Spec{Name: "send_to_phone", Doc: "WCSession transferUserInfo, and sendMessage (send_message_to_phone)", Fields: []FieldSpec{
	{Key: abi.FieldPayload, Type: abi.TypeBytes, Presence: Required},
}}

// StartWorkout is the arguments of start_workout (startActivity) and of
// prepare_workout (prepare).
type StartWorkout struct {
	SessionType int64  // an HKWorkoutActivityType raw value (37 running); used when the call creates the session
	Identifier  string // the session object's identifier, chosen by the guest; a new one is a new session
}

var startWorkoutSpec = &Spec{Name: "start_workout", Doc: "HKWorkoutSession startActivity and prepare", Fields: []FieldSpec{
	{Key: abi.FieldSessionType, Type: abi.TypeInt, Presence: Always, Doc: "an HKWorkoutActivityType"},
	{Key: abi.FieldIdentifier, Type: abi.TypeBytes, Presence: Required, Doc: "the session's identifier"},
}}

// WorkoutCall is the arguments of pause_workout, resume_workout,
// stop_workout and end_workout: the session they act on.
type WorkoutCall struct {
	Identifier string // the session's identifier, as given to prepare_workout or start_workout
}

var workoutCallSpec = &Spec{Name: "workout_call", Doc: "pause_workout, resume_workout, stop_workout, end_workout", Fields: []FieldSpec{
	{Key: abi.FieldIdentifier, Type: abi.TypeBytes, Presence: Required, Doc: "the session's identifier"},
}}

// Spec describes Empty's fields.
func (*Empty) Spec() *Spec { return emptySpec }

// Encode appends the encoded fields of m to dst.
func (m Empty) Encode(dst []byte) []byte { return encodeTo(dst, emptySpec, m.bind()) }

// Decode replaces m with the Empty encoded in b.
func (m *Empty) Decode(b []byte) error {
	*m = Empty{}
	return decodeFlat(b, emptySpec, m.bind())
}

func (m *Empty) bind() []any { return []any{} }

// Spec describes Reply's fields.
func (*Reply) Spec() *Spec { return replySpec }

// Encode appends the encoded fields of m to dst.
func (m Reply) Encode(dst []byte) []byte { return encodeTo(dst, replySpec, m.bind()) }

// Decode replaces m with the Reply encoded in b.
func (m *Reply) Decode(b []byte) error {
	*m = Reply{}
	return decodeFlat(b, replySpec, m.bind())
}

func (m *Reply) bind() []any { return []any{&m.Message, &m.Error} }

// Spec describes Refusal's fields.
func (*Refusal) Spec() *Spec { return refusalSpec }

// Encode appends the encoded fields of m to dst.
func (m Refusal) Encode(dst []byte) []byte { return encodeTo(dst, refusalSpec, m.bind()) }

// Decode replaces m with the Refusal encoded in b.
func (m *Refusal) Decode(b []byte) error {
	*m = Refusal{}
	return decodeFlat(b, refusalSpec, m.bind())
}

func (m *Refusal) bind() []any { return []any{&m.Reason, &m.ErrorCode} }

// Spec describes Task's fields.
func (*Task) Spec() *Spec { return taskSpec }

// Encode appends the encoded fields of m to dst.
func (m Task) Encode(dst []byte) []byte { return encodeTo(dst, taskSpec, m.bind()) }

// Decode replaces m with the Task encoded in b.
func (m *Task) Decode(b []byte) error {
	*m = Task{}
	return decodeFlat(b, taskSpec, m.bind())
}

func (m *Task) bind() []any {
	return []any{&m.ID, &m.Kind, &m.UserInfo, &m.Reason, &m.Session, &m.StatusCode, &m.File, &m.Error, &m.ContentPending, &m.ErrorCode}
}

// Spec describes BackgroundTasks's fields.
func (*BackgroundTasks) Spec() *Spec { return backgroundTasksSpec }

// Encode appends the encoded fields of m to dst.
func (m BackgroundTasks) Encode(dst []byte) []byte {
	return encodeTo(dst, backgroundTasksSpec, m.bind())
}

// Decode replaces m with the BackgroundTasks encoded in b.
func (m *BackgroundTasks) Decode(b []byte) error {
	*m = BackgroundTasks{}
	return decode(b, backgroundTasksSpec, m.bind())
}

func (m *BackgroundTasks) bind() []any { return []any{&m.Tasks} }

// Spec describes TaskWillExpire's fields.
func (*TaskWillExpire) Spec() *Spec { return taskWillExpireSpec }

// Encode appends the encoded fields of m to dst.
func (m TaskWillExpire) Encode(dst []byte) []byte { return encodeTo(dst, taskWillExpireSpec, m.bind()) }

// Decode replaces m with the TaskWillExpire encoded in b.
func (m *TaskWillExpire) Decode(b []byte) error {
	*m = TaskWillExpire{}
	return decodeFlat(b, taskWillExpireSpec, m.bind())
}

func (m *TaskWillExpire) bind() []any { return []any{&m.TaskID} }

// Spec describes Notification's fields.
func (*Notification) Spec() *Spec { return notificationSpec }

// Encode appends the encoded fields of m to dst.
func (m Notification) Encode(dst []byte) []byte { return encodeTo(dst, notificationSpec, m.bind()) }

// Decode replaces m with the Notification encoded in b.
func (m *Notification) Decode(b []byte) error {
	*m = Notification{}
	return decodeFlat(b, notificationSpec, m.bind())
}

func (m *Notification) bind() []any {
	return []any{&m.Identifier, &m.Title, &m.Body, &m.Category, &m.UserInfo}
}

// Spec describes NotificationResponse's fields.
func (*NotificationResponse) Spec() *Spec { return notificationResponseSpec }

// Encode appends the encoded fields of m to dst.
func (m NotificationResponse) Encode(dst []byte) []byte {
	return encodeTo(dst, notificationResponseSpec, m.bind())
}

// Decode replaces m with the NotificationResponse encoded in b.
func (m *NotificationResponse) Decode(b []byte) error {
	*m = NotificationResponse{}
	return decodeFlat(b, notificationResponseSpec, m.bind())
}

func (m *NotificationResponse) bind() []any {
	return []any{&m.Identifier, &m.Title, &m.Body, &m.Category, &m.UserInfo, &m.Action}
}

// Spec describes Push's fields.
func (*Push) Spec() *Spec { return pushSpec }

// Encode appends the encoded fields of m to dst.
func (m Push) Encode(dst []byte) []byte { return encodeTo(dst, pushSpec, m.bind()) }

// Decode replaces m with the Push encoded in b.
func (m *Push) Decode(b []byte) error {
	*m = Push{}
	return decodeFlat(b, pushSpec, m.bind())
}

func (m *Push) bind() []any { return []any{&m.Payload, &m.UserInfo, &m.Remaining} }

// Spec describes PhoneData's fields.
func (*PhoneData) Spec() *Spec { return phoneDataSpec }

// Encode appends the encoded fields of m to dst.
func (m PhoneData) Encode(dst []byte) []byte { return encodeTo(dst, phoneDataSpec, m.bind()) }

// Decode replaces m with the PhoneData encoded in b.
func (m *PhoneData) Decode(b []byte) error {
	*m = PhoneData{}
	return decodeFlat(b, phoneDataSpec, m.bind())
}

func (m *PhoneData) bind() []any { return []any{&m.Payload} }

// Spec describes WorkoutStateChanged's fields.
func (*WorkoutStateChanged) Spec() *Spec { return workoutStateChangedSpec }

// Encode appends the encoded fields of m to dst.
func (m WorkoutStateChanged) Encode(dst []byte) []byte {
	return encodeTo(dst, workoutStateChangedSpec, m.bind())
}

// Decode replaces m with the WorkoutStateChanged encoded in b.
func (m *WorkoutStateChanged) Decode(b []byte) error {
	*m = WorkoutStateChanged{}
	return decodeFlat(b, workoutStateChangedSpec, m.bind())
}

func (m *WorkoutStateChanged) bind() []any { return []any{&m.State, &m.Date, &m.SessionType, &m.From} }

// Spec describes WorkoutFailed's fields.
func (*WorkoutFailed) Spec() *Spec { return workoutFailedSpec }

// Encode appends the encoded fields of m to dst.
func (m WorkoutFailed) Encode(dst []byte) []byte { return encodeTo(dst, workoutFailedSpec, m.bind()) }

// Decode replaces m with the WorkoutFailed encoded in b.
func (m *WorkoutFailed) Decode(b []byte) error {
	*m = WorkoutFailed{}
	return decodeFlat(b, workoutFailedSpec, m.bind())
}

func (m *WorkoutFailed) bind() []any { return []any{&m.Error, &m.Code, &m.Date} }

// Spec describes AudioSessionInterrupted's fields.
func (*AudioSessionInterrupted) Spec() *Spec { return audioSessionInterruptedSpec }

// Encode appends the encoded fields of m to dst.
func (m AudioSessionInterrupted) Encode(dst []byte) []byte {
	return encodeTo(dst, audioSessionInterruptedSpec, m.bind())
}

// Decode replaces m with the AudioSessionInterrupted encoded in b.
func (m *AudioSessionInterrupted) Decode(b []byte) error {
	*m = AudioSessionInterrupted{}
	return decodeFlat(b, audioSessionInterruptedSpec, m.bind())
}

func (m *AudioSessionInterrupted) bind() []any { return []any{&m.Reason, &m.Date} }

// Spec describes LocationUpdate's fields.
func (*LocationUpdate) Spec() *Spec { return locationUpdateSpec }

// Encode appends the encoded fields of m to dst.
func (m LocationUpdate) Encode(dst []byte) []byte { return encodeTo(dst, locationUpdateSpec, m.bind()) }

// Decode replaces m with the LocationUpdate encoded in b.
func (m *LocationUpdate) Decode(b []byte) error {
	*m = LocationUpdate{}
	return decodeFlat(b, locationUpdateSpec, m.bind())
}

func (m *LocationUpdate) bind() []any {
	return []any{&m.Latitude, &m.Longitude, &m.Date, &m.Altitude, &m.Speed, &m.Queued}
}

// Spec describes RestoreState's fields.
func (*RestoreState) Spec() *Spec { return restoreStateSpec }

// Encode appends the encoded fields of m to dst.
func (m RestoreState) Encode(dst []byte) []byte { return encodeTo(dst, restoreStateSpec, m.bind()) }

// Decode replaces m with the RestoreState encoded in b.
func (m *RestoreState) Decode(b []byte) error {
	*m = RestoreState{}
	return decodeFlat(b, restoreStateSpec, m.bind())
}

func (m *RestoreState) bind() []any { return []any{&m.State} }

// Spec describes AppInfo's fields.
func (*AppInfo) Spec() *Spec { return appInfoSpec }

// Encode appends the encoded fields of m to dst.
func (m AppInfo) Encode(dst []byte) []byte { return encodeTo(dst, appInfoSpec, m.bind()) }

// Decode replaces m with the AppInfo encoded in b.
func (m *AppInfo) Decode(b []byte) error {
	*m = AppInfo{}
	return decodeFlat(b, appInfoSpec, m.bind())
}

func (m *AppInfo) bind() []any {
	return []any{&m.BundleID, &m.State, &m.LaunchCount, &m.Cold, &m.Settings}
}

// Spec describes ScheduleRefresh's fields.
func (*ScheduleRefresh) Spec() *Spec { return scheduleRefreshSpec }

// Encode appends the encoded fields of m to dst.
func (m ScheduleRefresh) Encode(dst []byte) []byte {
	return encodeTo(dst, scheduleRefreshSpec, m.bind())
}

// Decode replaces m with the ScheduleRefresh encoded in b.
func (m *ScheduleRefresh) Decode(b []byte) error {
	*m = ScheduleRefresh{}
	return decodeFlat(b, scheduleRefreshSpec, m.bind())
}

func (m *ScheduleRefresh) bind() []any { return []any{&m.Date, &m.UserInfo} }

// Spec describes ScheduleSnapshot's fields.
func (*ScheduleSnapshot) Spec() *Spec { return scheduleSnapshotSpec }

// Encode appends the encoded fields of m to dst.
func (m ScheduleSnapshot) Encode(dst []byte) []byte {
	return encodeTo(dst, scheduleSnapshotSpec, m.bind())
}

// Decode replaces m with the ScheduleSnapshot encoded in b.
func (m *ScheduleSnapshot) Decode(b []byte) error {
	*m = ScheduleSnapshot{}
	return decodeFlat(b, scheduleSnapshotSpec, m.bind())
}

func (m *ScheduleSnapshot) bind() []any { return []any{&m.Date, &m.UserInfo} }

// Spec describes ScheduleResult's fields.
func (*ScheduleResult) Spec() *Spec { return scheduleResultSpec }

// Encode appends the encoded fields of m to dst.
func (m ScheduleResult) Encode(dst []byte) []byte { return encodeTo(dst, scheduleResultSpec, m.bind()) }

// Decode replaces m with the ScheduleResult encoded in b.
func (m *ScheduleResult) Decode(b []byte) error {
	*m = ScheduleResult{}
	return decodeFlat(b, scheduleResultSpec, m.bind())
}

func (m *ScheduleResult) bind() []any { return []any{&m.Message, &m.Date} }

// Spec describes CompleteTask's fields.
func (*CompleteTask) Spec() *Spec { return completeTaskSpec }

// Encode appends the encoded fields of m to dst.
func (m CompleteTask) Encode(dst []byte) []byte { return encodeTo(dst, completeTaskSpec, m.bind()) }

// Decode replaces m with the CompleteTask encoded in b.
func (m *CompleteTask) Decode(b []byte) error {
	*m = CompleteTask{}
	return decodeFlat(b, completeTaskSpec, m.bind())
}

func (m *CompleteTask) bind() []any { return []any{&m.TaskID, &m.Snapshot} }

// Spec describes CompleteSnapshotTask's fields.
func (*CompleteSnapshotTask) Spec() *Spec { return completeSnapshotTaskSpec }

// Encode appends the encoded fields of m to dst.
func (m CompleteSnapshotTask) Encode(dst []byte) []byte {
	return encodeTo(dst, completeSnapshotTaskSpec, m.bind())
}

// Decode replaces m with the CompleteSnapshotTask encoded in b.
func (m *CompleteSnapshotTask) Decode(b []byte) error {
	*m = CompleteSnapshotTask{}
	return decodeFlat(b, completeSnapshotTaskSpec, m.bind())
}

func (m *CompleteSnapshotTask) bind() []any {
	return []any{&m.TaskID, &m.RestoredDefaultState, &m.Expiration, &m.UserInfo}
}

// Spec describes StartDownload's fields.
func (*StartDownload) Spec() *Spec { return startDownloadSpec }

// Encode appends the encoded fields of m to dst.
func (m StartDownload) Encode(dst []byte) []byte { return encodeTo(dst, startDownloadSpec, m.bind()) }

// Decode replaces m with the StartDownload encoded in b.
func (m *StartDownload) Decode(b []byte) error {
	*m = StartDownload{}
	return decodeFlat(b, startDownloadSpec, m.bind())
}

func (m *StartDownload) bind() []any { return []any{&m.Identifier, &m.URL} }

// Spec describes ScheduleNotification's fields.
func (*ScheduleNotification) Spec() *Spec { return scheduleNotificationSpec }

// Encode appends the encoded fields of m to dst.
func (m ScheduleNotification) Encode(dst []byte) []byte {
	return encodeTo(dst, scheduleNotificationSpec, m.bind())
}

// Decode replaces m with the ScheduleNotification encoded in b.
func (m *ScheduleNotification) Decode(b []byte) error {
	*m = ScheduleNotification{}
	return decodeFlat(b, scheduleNotificationSpec, m.bind())
}

func (m *ScheduleNotification) bind() []any {
	return []any{&m.Identifier, &m.Title, &m.Body, &m.Category, &m.UserInfo, &m.Interval, &m.Date, &m.Calendar, &m.Repeats}
}

// Spec describes CancelNotification's fields.
func (*CancelNotification) Spec() *Spec { return cancelNotificationSpec }

// Encode appends the encoded fields of m to dst.
func (m CancelNotification) Encode(dst []byte) []byte {
	return encodeTo(dst, cancelNotificationSpec, m.bind())
}

// Decode replaces m with the CancelNotification encoded in b.
func (m *CancelNotification) Decode(b []byte) error {
	*m = CancelNotification{}
	return decodeFlat(b, cancelNotificationSpec, m.bind())
}

func (m *CancelNotification) bind() []any { return []any{&m.Identifier} }

// Spec describes UpdateComplication's fields.
func (*UpdateComplication) Spec() *Spec { return updateComplicationSpec }

// Encode appends the encoded fields of m to dst.
func (m UpdateComplication) Encode(dst []byte) []byte {
	return encodeTo(dst, updateComplicationSpec, m.bind())
}

// Decode replaces m with the UpdateComplication encoded in b.
func (m *UpdateComplication) Decode(b []byte) error {
	*m = UpdateComplication{}
	return decodeFlat(b, updateComplicationSpec, m.bind())
}

func (m *UpdateComplication) bind() []any { return []any{&m.Data} }

// Spec describes SendToPhone's fields.
func (*SendToPhone) Spec() *Spec { return sendToPhoneSpec }

// Encode appends the encoded fields of m to dst.
func (m SendToPhone) Encode(dst []byte) []byte { return encodeTo(dst, sendToPhoneSpec, m.bind()) }

// Decode replaces m with the SendToPhone encoded in b.
func (m *SendToPhone) Decode(b []byte) error {
	*m = SendToPhone{}
	return decodeFlat(b, sendToPhoneSpec, m.bind())
}

func (m *SendToPhone) bind() []any { return []any{&m.Payload} }

// Spec describes StartWorkout's fields.
func (*StartWorkout) Spec() *Spec { return startWorkoutSpec }

// Encode appends the encoded fields of m to dst.
func (m StartWorkout) Encode(dst []byte) []byte { return encodeTo(dst, startWorkoutSpec, m.bind()) }

// Decode replaces m with the StartWorkout encoded in b.
func (m *StartWorkout) Decode(b []byte) error {
	*m = StartWorkout{}
	return decodeFlat(b, startWorkoutSpec, m.bind())
}

func (m *StartWorkout) bind() []any { return []any{&m.SessionType, &m.Identifier} }

// Spec describes WorkoutCall's fields.
func (*WorkoutCall) Spec() *Spec { return workoutCallSpec }

// Encode appends the encoded fields of m to dst.
func (m WorkoutCall) Encode(dst []byte) []byte { return encodeTo(dst, workoutCallSpec, m.bind()) }

// Decode replaces m with the WorkoutCall encoded in b.
func (m *WorkoutCall) Decode(b []byte) error {
	*m = WorkoutCall{}
	return decodeFlat(b, workoutCallSpec, m.bind())
}

func (m *WorkoutCall) bind() []any { return []any{&m.Identifier} }

// Spec describes SavedState's fields.
func (*SavedState) Spec() *Spec { return savedStateSpec }

// Encode appends the encoded fields of m to dst.
func (m SavedState) Encode(dst []byte) []byte { return encodeTo(dst, savedStateSpec, m.bind()) }

// Decode replaces m with the SavedState encoded in b.
func (m *SavedState) Decode(b []byte) error {
	*m = SavedState{}
	return decodeFlat(b, savedStateSpec, m.bind())
}

func (m *SavedState) bind() []any { return []any{&m.State} }
