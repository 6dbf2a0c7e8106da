package abi

// EventKind identifies what an event delivered to watchbox_event is about.
// The numeric values are part of the ABI; ranges group related kinds.
type EventKind uint16

// Life-cycle events (1-15), in the order watchOS calls the app delegate.
const (
	EventDidFinishLaunching  EventKind = 1 // applicationDidFinishLaunching
	EventWillEnterForeground EventKind = 2 // applicationWillEnterForeground
	EventDidBecomeActive     EventKind = 3 // applicationDidBecomeActive
	EventWillResignActive    EventKind = 4 // applicationWillResignActive
	EventDidEnterBackground  EventKind = 5 // applicationDidEnterBackground
)

// Background task events (16-31).
const (
	// EventBackgroundTasks delivers a set of background tasks, as
	// handle(_:) does: one FieldTask record per task.
	EventBackgroundTasks EventKind = 16
	// EventTaskWillExpire is the task's expiration handler: the task named
	// by FieldTaskID reaches its deadline shortly.
	EventTaskWillExpire EventKind = 17
)

// Notification, push and phone events (32-47).
const (
	EventNotificationWillPresent EventKind = 32 // a notification arrives while the app is frontmost
	EventNotificationDidReceive  EventKind = 33 // the user acted on a notification
	EventRemoteNotification      EventKind = 34 // a content-available push runs the app in the background
	EventComplicationPush        EventKind = 35 // a PushKit complication push
	EventPhoneUserInfo           EventKind = 36 // WCSession didReceiveUserInfo
	EventPhoneApplicationContext EventKind = 37 // WCSession didReceiveApplicationContext
	EventPhoneMessage            EventKind = 38 // WCSession didReceiveMessage
	// EventBluetoothValueUpdated is CBPeripheralDelegate
	// didUpdateValueFor: a subscribed characteristic's value changed.
	EventBluetoothValueUpdated EventKind = 39
	// EventBluetoothDisconnected is CBCentralManagerDelegate
	// didDisconnectPeripheral: a connection closed that the app did not
	// close itself.
	EventBluetoothDisconnected EventKind = 40
)

// Background and extended runtime session events (48-63).
const (
	EventWorkoutStateChanged        EventKind = 48 // HKWorkoutSession state change
	EventWorkoutFailed              EventKind = 49 // HKWorkoutSession didFailWithError
	EventAudioSessionInterrupted    EventKind = 50 // the audio session was interrupted or resumed
	EventLocationUpdate             EventKind = 51 // CLLocationManager didUpdateLocations
	EventExtendedSessionDidStart    EventKind = 52 // WKExtendedRuntimeSession didStart
	EventExtendedSessionWillExpire  EventKind = 53 // WKExtendedRuntimeSession willExpire
	EventExtendedSessionInvalidated EventKind = 54 // WKExtendedRuntimeSession didInvalidateWith
	EventSmartAlarmRepeat           EventKind = 55 // notifyUser's repeat handler
	EventWorkoutEvent               EventKind = 58 // HKWorkoutSessionDelegate didGenerate (pause request, motion paused, ...)
	EventWorkoutData                EventKind = 59 // HKLiveWorkoutBuilderDelegate didCollectDataOf: heart rate, energy, distance, elapsed time
	EventAudioRouteChanged          EventKind = 60 // AVAudioSession.routeChangeNotification
)

// Runtime events that watchOS has no counterpart for (64-79).
const (
	EventSaveState    EventKind = 64 // hot reload: reply with the state to carry over (FieldState)
	EventRestoreState EventKind = 65 // hot reload: restore the state in FieldState
)

var eventNames = [...]string{
	EventDidFinishLaunching:         "did_finish_launching",
	EventWillEnterForeground:        "will_enter_foreground",
	EventDidBecomeActive:            "did_become_active",
	EventWillResignActive:           "will_resign_active",
	EventDidEnterBackground:         "did_enter_background",
	EventBackgroundTasks:            "background_tasks",
	EventTaskWillExpire:             "task_will_expire",
	EventNotificationWillPresent:    "notification_will_present",
	EventNotificationDidReceive:     "notification_did_receive",
	EventRemoteNotification:         "remote_notification",
	EventComplicationPush:           "complication_push",
	EventPhoneUserInfo:              "phone_user_info",
	EventPhoneApplicationContext:    "phone_application_context",
	EventPhoneMessage:               "phone_message",
	EventBluetoothValueUpdated:      "bluetooth_value_updated",
	EventBluetoothDisconnected:      "bluetooth_disconnected",
	EventWorkoutStateChanged:        "workout_state_changed",
	EventWorkoutFailed:              "workout_failed",
	EventAudioSessionInterrupted:    "audio_session_interrupted",
	EventLocationUpdate:             "location_update",
	EventExtendedSessionDidStart:    "extended_session_did_start",
	EventExtendedSessionWillExpire:  "extended_session_will_expire",
	EventExtendedSessionInvalidated: "extended_session_invalidated",
	EventSmartAlarmRepeat:           "smart_alarm_repeat",
	EventWorkoutEvent:               "workout_event",
	EventWorkoutData:                "workout_data",
	EventAudioRouteChanged:          "audio_route_changed",
	EventSaveState:                  "save_state",
	EventRestoreState:               "restore_state",
	EventBluetoothError:             "bluetooth_error",         // phone.go
	EventHandleExtendedSession:      "handle_extended_session", // extended.go
}

// String returns the kind's name as written in docs/abi.md.
func (k EventKind) String() string {
	if n := nameOf(eventNames[:], k); n != "" {
		return n
	}
	return "event(" + itoa(int64(k)) + ")"
}

// EventKinds returns every defined event kind in numeric order.
func EventKinds() []EventKind {
	return definedKeys[EventKind](eventNames[:])
}

// TaskKind is the kind of a background task (WKRefreshBackgroundTask
// subclass), carried in FieldTaskKind.
type TaskKind uint16

// Background task kinds.
const (
	TaskApplicationRefresh TaskKind = 1 // WKApplicationRefreshBackgroundTask
	TaskSnapshot           TaskKind = 2 // WKSnapshotRefreshBackgroundTask
	TaskURLSession         TaskKind = 3 // WKURLSessionRefreshBackgroundTask
	TaskWatchConnectivity  TaskKind = 4 // WKWatchConnectivityRefreshBackgroundTask
	TaskBluetoothAlert     TaskKind = 5 // WKBluetoothAlertRefreshBackgroundTask
	TaskIntentDidRun       TaskKind = 6 // WKIntentDidRunRefreshBackgroundTask
	TaskRelevantShortcut   TaskKind = 7 // WKRelevantShortcutRefreshBackgroundTask
)

var taskNames = [...]string{
	TaskApplicationRefresh: "application_refresh",
	TaskSnapshot:           "snapshot",
	TaskURLSession:         "url_session",
	TaskWatchConnectivity:  "watch_connectivity",
	TaskBluetoothAlert:     "bluetooth_alert",
	TaskIntentDidRun:       "intent_did_run",
	TaskRelevantShortcut:   "relevant_shortcut",
}

// String returns the task kind's name.
func (k TaskKind) String() string {
	if n := nameOf(taskNames[:], k); n != "" {
		return n
	}
	return "task(" + itoa(int64(k)) + ")"
}

// SnapshotReason says why the system asks for a snapshot (FieldSnapshotReason).
type SnapshotReason uint16

// Snapshot reasons (WKSnapshotReason).
const (
	SnapshotAppBackgrounded      SnapshotReason = 1
	SnapshotAppScheduled         SnapshotReason = 2
	SnapshotComplicationUpdate   SnapshotReason = 3
	SnapshotPrelaunch            SnapshotReason = 4
	SnapshotReturnToDefaultState SnapshotReason = 5
)

var snapshotNames = [...]string{
	SnapshotAppBackgrounded:      "app_backgrounded",
	SnapshotAppScheduled:         "app_scheduled",
	SnapshotComplicationUpdate:   "complication_update",
	SnapshotPrelaunch:            "prelaunch",
	SnapshotReturnToDefaultState: "return_to_default_state",
}

// SnapshotReasons returns every defined snapshot reason in numeric order.
func SnapshotReasons() []SnapshotReason {
	return []SnapshotReason{SnapshotAppBackgrounded, SnapshotAppScheduled, SnapshotComplicationUpdate,
		SnapshotPrelaunch, SnapshotReturnToDefaultState}
}

// String returns the reason's name.
func (r SnapshotReason) String() string {
	if n := nameOf(snapshotNames[:], r); n != "" {
		return n
	}
	return "reason(" + itoa(int64(r)) + ")"
}

// Op is a request operation passed to the request host function.
type Op uint32

// Request operations. The host answers StatusUnsupported for an operation it
// does not implement yet; docs/abi.md says which ones a host version has.
const (
	OpAppInfo                   Op = 1  // the app's state, launch count and ids
	OpScheduleBackgroundRefresh Op = 16 // scheduleBackgroundRefresh(withPreferredDate:userInfo:)
	OpScheduleSnapshotRefresh   Op = 17 // scheduleSnapshotRefresh(withPreferredDate:userInfo:)
	OpCompleteTask              Op = 18 // setTaskCompletedWithSnapshot(_:)
	OpCompleteSnapshotTask      Op = 19 // setTaskCompleted(restoredDefaultState:estimatedSnapshotExpiration:userInfo:)
	OpStartDownload             Op = 20 // a background URL session download
	OpScheduleNotification      Op = 32 // UNUserNotificationCenter add
	OpCancelNotification        Op = 33 // removePendingNotificationRequests
	OpUpdateComplication        Op = 34 // publish complication data
	OpSendToPhone               Op = 35 // WCSession sendMessage / transferUserInfo
	OpBluetoothScan             Op = 36 // CBCentralManager scanForPeripherals(withServices:)
	OpBluetoothConnect          Op = 37 // CBCentralManager connect(_:)
	OpBluetoothDiscover         Op = 38 // CBPeripheral discoverServices and discoverCharacteristics
	OpBluetoothRead             Op = 39 // CBPeripheral readValue(for:)
	OpBluetoothSubscribe        Op = 40 // CBPeripheral setNotifyValue(true, for:)
	OpBluetoothDisconnect       Op = 41 // CBCentralManager cancelPeripheralConnection(_:)
	OpStartWorkout              Op = 48 // HKWorkoutSession startActivity
	OpPauseWorkout              Op = 49 // HKWorkoutSession pause
	OpResumeWorkout             Op = 50 // HKWorkoutSession resume
	OpEndWorkout                Op = 51 // HKWorkoutSession end
	OpStartExtendedSession      Op = 52 // WKExtendedRuntimeSession start / start(at:)
	OpInvalidateExtendedSession Op = 53
	OpNotifyUser                Op = 54 // smart alarm notifyUser(hapticType:repeatHandler:)
	OpPrepareWorkout            Op = 56 // HKWorkoutSession prepare
	OpStopWorkout               Op = 57 // HKWorkoutSession stopActivity
	OpStartLocationUpdates      Op = 58 // CLLocationManager startUpdatingLocation
	OpStopLocationUpdates       Op = 59 // CLLocationManager stopUpdatingLocation
	OpActivateAudio             Op = 60 // AVAudioSession activate (long-form audio) and play
	OpDeactivateAudio           Op = 61 // AVAudioSession setActive(false)
	OpWorkoutStatistics         Op = 62 // HKLiveWorkoutBuilder statistics and elapsedTime
)

var opNames = [...]string{
	OpAppInfo:                   "app_info",
	OpScheduleBackgroundRefresh: "schedule_background_refresh",
	OpScheduleSnapshotRefresh:   "schedule_snapshot_refresh",
	OpCompleteTask:              "complete_task",
	OpCompleteSnapshotTask:      "complete_snapshot_task",
	OpStartDownload:             "start_download",
	OpScheduleNotification:      "schedule_notification",
	OpCancelNotification:        "cancel_notification",
	OpUpdateComplication:        "update_complication",
	OpSendToPhone:               "send_to_phone",
	OpBluetoothScan:             "bluetooth_scan",
	OpBluetoothConnect:          "bluetooth_connect",
	OpBluetoothDiscover:         "bluetooth_discover",
	OpBluetoothRead:             "bluetooth_read",
	OpBluetoothSubscribe:        "bluetooth_subscribe",
	OpBluetoothDisconnect:       "bluetooth_disconnect",
	OpStartWorkout:              "start_workout",
	OpPauseWorkout:              "pause_workout",
	OpResumeWorkout:             "resume_workout",
	OpEndWorkout:                "end_workout",
	OpStartExtendedSession:      "start_extended_session",
	OpInvalidateExtendedSession: "invalidate_extended_session",
	OpNotifyUser:                "notify_user",
	OpPrepareWorkout:            "prepare_workout",
	OpStopWorkout:               "stop_workout",
	OpStartLocationUpdates:      "start_location_updates",
	OpStopLocationUpdates:       "stop_location_updates",
	OpActivateAudio:             "activate_audio",
	OpDeactivateAudio:           "deactivate_audio",
	OpWorkoutStatistics:         "workout_statistics",
	OpSendMessageToPhone:        "send_message_to_phone",  // phone.go
	OpPhoneSession:              "phone_session",          // phone.go
	OpRegisterEventBuffer:       "register_event_buffer",  // push.go
	OpExtendedSessionState:      "extended_session_state", // extended.go
}

// String returns the operation's name.
func (o Op) String() string {
	if n := nameOf(opNames[:], o); n != "" {
		return n
	}
	return "op(" + itoa(int64(o)) + ")"
}

// Ops returns every defined request operation in numeric order.
func Ops() []Op {
	return definedKeys[Op](opNames[:])
}

// State is an app's life-cycle state, as reported by OpAppInfo.
type State uint8

// Life-cycle states (watchOS's WKApplicationState plus not running and
// suspended).
const (
	StateNotRunning State = 0
	StateInactive   State = 1
	StateActive     State = 2
	StateBackground State = 3
	StateSuspended  State = 4
)

var stateNames = [...]string{
	StateNotRunning: "not_running",
	StateInactive:   "inactive",
	StateActive:     "active",
	StateBackground: "background",
	StateSuspended:  "suspended",
}

// String returns the state's name.
func (s State) String() string {
	if n := nameOf(stateNames[:], s); n != "" {
		return n
	}
	return "state(" + itoa(int64(s)) + ")"
}

// The name tables are arrays indexed by value, "" for a value without a
// name: static data, where maps were built by code in every guest's
// _initialize (docs/performance.md, "Go module size").

// nameOf returns names[k], or "" when k has no name.
func nameOf[K ~uint8 | ~uint16 | ~uint32 | ~int32](names []string, k K) string {
	if k < 0 || uint64(k) >= uint64(len(names)) {
		return ""
	}
	return names[k]
}

// definedKeys returns the values that have a name, in numeric order.
func definedKeys[K ~uint16 | ~uint32](names []string) []K {
	var keys []K
	for k, n := range names {
		if n != "" {
			keys = append(keys, K(k))
		}
	}
	return keys
}
