// Package msgtest is the golden round-trip table of package msg, shared by
// the tests of msg, the host and the guest SDKs.
//
// Every Case pairs a value of a msg type with the bytes the ABI v1 host or
// Go SDK wrote for it by hand before package msg existed (built here with
// abi.Writer, field by field, not with msg's encoder), so a test can check
// both directions: Value encodes to Wire, and Wire decodes to Value.
// Repeats and Malformed derive the first-occurrence and error cases from a
// Case.
package msgtest

import (
	"encoding/binary"
	"math"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// Case is one golden message.
type Case struct {
	// Name says which message: "event background_tasks",
	// "op schedule_notification args", "op app_info result", "reply".
	Name string
	// Event is the event kind whose payload this is, or 0.
	Event abi.EventKind
	// Op is the operation whose arguments or result this is, or 0;
	// Result tells which.
	Op     abi.Op
	Result bool
	// Value is the decoded message; a fresh copy on every call to Cases.
	Value msg.Message
	// Wire is its encoding, as written by hand by the v1 host or SDK.
	Wire []byte
}

// New returns a new zero message of c's type, to decode into.
func (c Case) New() msg.Message {
	switch {
	case c.Event != 0:
		return msg.ForEvent(c.Event)
	case c.Op != 0 && c.Result:
		_, r := msg.ForOp(c.Op)
		return r
	case c.Op != 0:
		a, _ := msg.ForOp(c.Op)
		return a
	}
	switch c.Value.(type) {
	case *msg.Reply:
		return &msg.Reply{}
	case *msg.Refusal:
		return &msg.Refusal{}
	case *msg.SavedState:
		return &msg.SavedState{}
	case *msg.Task:
		return &msg.Task{}
	case *msg.SmartAlarmRepeatReply:
		return &msg.SmartAlarmRepeatReply{}
	}
	panic("msgtest: case " + c.Name + " has no type")
}

const (
	t0   = int64(1767225600123456789) // 2026-01-01T00:00:00.123456789Z
	info = `{"a":1}`
)

func wire(f func(w *abi.Writer)) []byte {
	var w abi.Writer
	f(&w)
	return w.Bytes()
}

// Cases returns the golden table: every event payload and every
// operation's arguments and result at least once (several for messages
// whose optional fields matter), the reply and the refusal.
func Cases() []Case {
	task := func(w *abi.Writer, t msg.Task) {
		// host/tasks.go deliverTasks, ABI v1
		m := w.Begin(abi.FieldTask)
		w.Int(abi.FieldTaskID, t.ID)
		w.Int(abi.FieldTaskKind, int64(t.Kind))
		if t.UserInfo != nil {
			w.Blob(abi.FieldUserInfo, t.UserInfo)
		}
		if t.Reason != 0 {
			w.Int(abi.FieldSnapshotReason, int64(t.Reason))
		}
		if t.Session != "" {
			w.String(abi.FieldSessionIdentifier, t.Session)
			w.Int(abi.FieldStatusCode, t.StatusCode)
			if t.File != "" {
				w.String(abi.FieldFile, t.File)
			}
			if t.Error != "" {
				w.String(abi.FieldError, t.Error)
			}
		}
		w.End(m)
	}
	tasks := []msg.Task{
		{ID: 1, Kind: abi.TaskApplicationRefresh, UserInfo: []byte(info)},
		{ID: 2, Kind: abi.TaskSnapshot, Reason: abi.SnapshotAppBackgrounded},
		{ID: 3, Kind: abi.TaskURLSession, Session: "dl-1", StatusCode: 200, File: "/Downloads/dl-1"},
		{ID: 4, Kind: abi.TaskURLSession, Session: "dl-2", StatusCode: 0, Error: "connection refused"},
		{ID: 5, Kind: abi.TaskWatchConnectivity, UserInfo: []byte{}},
	}
	notif := msg.Notification{Identifier: "n1", Title: "Stand up", Body: "time to move", Category: "move", UserInfo: []byte(info)}
	notifWire := func(w *abi.Writer, n msg.Notification) {
		// host/notifications.go notification.fields, ABI v1
		w.String(abi.FieldIdentifier, n.Identifier)
		w.String(abi.FieldTitle, n.Title)
		w.String(abi.FieldBody, n.Body)
		if n.Category != "" {
			w.String(abi.FieldCategory, n.Category)
		}
		if n.UserInfo != nil {
			w.Blob(abi.FieldUserInfo, n.UserInfo)
		}
	}
	push := []byte(`{"aps":{"content-available":1},"a":1}`)

	cs := []Case{
		{Name: "event did_finish_launching", Event: abi.EventDidFinishLaunching, Value: &msg.Empty{}, Wire: nil},
		{Name: "event background_tasks", Event: abi.EventBackgroundTasks, Value: &msg.BackgroundTasks{Tasks: tasks},
			Wire: wire(func(w *abi.Writer) {
				for _, t := range tasks {
					task(w, t)
				}
			})},
		{Name: "event task_will_expire", Event: abi.EventTaskWillExpire, Value: &msg.TaskWillExpire{TaskID: 7},
			Wire: wire(func(w *abi.Writer) { w.Int(abi.FieldTaskID, 7) })},
		{Name: "event notification_will_present", Event: abi.EventNotificationWillPresent, Value: &notif,
			Wire: wire(func(w *abi.Writer) { notifWire(w, notif) })},
		{Name: "event notification_will_present (bare)", Event: abi.EventNotificationWillPresent,
			Value: &msg.Notification{Identifier: "push-1", Title: "Rain"},
			Wire:  wire(func(w *abi.Writer) { notifWire(w, msg.Notification{Identifier: "push-1", Title: "Rain"}) })},
		{Name: "event notification_did_receive", Event: abi.EventNotificationDidReceive,
			Value: &msg.NotificationResponse{Notification: notif, Action: "com.apple.UNNotificationDefaultActionIdentifier"},
			Wire: wire(func(w *abi.Writer) {
				notifWire(w, notif)
				w.String(abi.FieldMessage, "com.apple.UNNotificationDefaultActionIdentifier")
			})},
		{Name: "event remote_notification", Event: abi.EventRemoteNotification,
			Value: &msg.Push{Payload: push, UserInfo: []byte(info)},
			Wire: wire(func(w *abi.Writer) { // host/pushes.go runPush
				w.Blob(abi.FieldPayload, push)
				w.Blob(abi.FieldUserInfo, []byte(info))
			})},
		{Name: "event complication_push", Event: abi.EventComplicationPush,
			Value: &msg.Push{Payload: push, UserInfo: []byte{}, Remaining: 49},
			Wire: wire(func(w *abi.Writer) {
				w.Blob(abi.FieldPayload, push)
				w.Blob(abi.FieldUserInfo, nil)
				w.Int(abi.FieldRemaining, 49)
			})},
		{Name: "event phone_message", Event: abi.EventPhoneMessage, Value: &msg.PhoneData{Payload: []byte(info)},
			Wire: wire(func(w *abi.Writer) { w.Blob(abi.FieldPayload, []byte(info)) })}, // host/phone.go deliverPhone
		{Name: "event bluetooth_value_updated", Event: abi.EventBluetoothValueUpdated,
			Value: &msg.BluetoothValue{Peripheral: "strap", Service: "180D", Characteristic: "2A37", Value: []byte("72")},
			Wire: wire(func(w *abi.Writer) {
				w.String(abi.FieldPeripheral, "strap")
				w.String(abi.FieldService, "180D")
				w.String(abi.FieldCharacteristic, "2A37")
				w.Blob(abi.FieldValue, []byte("72"))
			})},
		{Name: "event bluetooth_error", Event: abi.EventBluetoothError,
			Value: &msg.BluetoothError{Peripheral: "strap", ErrorCode: abi.CBErrorExceededBackgroundNotificationLimit, Error: "budget spent"},
			Wire: wire(func(w *abi.Writer) { // host/internal/system/phone BluetoothAlert
				w.String(abi.FieldPeripheral, "strap")
				w.Int(abi.FieldErrorCode, 17)
				w.String(abi.FieldError, "budget spent")
			})},
		{Name: "op phone_session result", Op: abi.OpPhoneSession, Result: true,
			Value: &msg.PhoneSession{Reachable: false, Paired: true, ContentPending: true},
			Wire: wire(func(w *abi.Writer) { // host/internal/system/phone session
				w.Bool(abi.FieldReachable, false)
				w.Bool(abi.FieldPaired, true)
				w.Bool(abi.FieldContentPending, true)
			})},
		{Name: "op send_message_to_phone args", Op: abi.OpSendMessageToPhone, Value: &msg.SendToPhone{Payload: []byte(info)},
			Wire: wire(func(w *abi.Writer) { w.Blob(abi.FieldPayload, []byte(info)) })},
		{Name: "event bluetooth_disconnected", Event: abi.EventBluetoothDisconnected,
			Value: &msg.BluetoothDisconnected{Peripheral: "strap", Error: "out of range"},
			Wire: wire(func(w *abi.Writer) {
				w.String(abi.FieldPeripheral, "strap")
				w.String(abi.FieldError, "out of range")
			})},
		{Name: "event workout_state_changed", Event: abi.EventWorkoutStateChanged,
			Value: &msg.WorkoutStateChanged{State: 2, Date: t0, SessionType: 37, From: 5},
			Wire: wire(func(w *abi.Writer) { // host/internal/system/workout changeTo
				w.Int(abi.FieldWorkoutState, 2)
				w.Int(abi.FieldDate, t0)
				w.Int(abi.FieldSessionType, 37)
				w.Int(abi.FieldFromState, 5)
			})},
		{Name: "event workout_failed", Event: abi.EventWorkoutFailed,
			Value: &msg.WorkoutFailed{Error: "another workout session started", Code: abi.ErrorAnotherWorkoutSessionStarted, Date: t0},
			Wire: wire(func(w *abi.Writer) {
				w.String(abi.FieldError, "another workout session started")
				w.Int(abi.FieldErrorCode, 8)
				w.Int(abi.FieldDate, t0)
			})},
		{Name: "event workout_event", Event: abi.EventWorkoutEvent, Value: &msg.WorkoutEvent{Type: 8, Date: t0},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldWorkoutEvent, 8)
				w.Int(abi.FieldDate, t0)
			})},
		{Name: "event workout_data", Event: abi.EventWorkoutData,
			Value: &msg.WorkoutData{Date: t0, HeartRate: 152, ActiveEnergy: 12.5, Distance: 1234.5, Elapsed: int64(7 * time.Minute), State: 2},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldDate, t0)
				w.Float(abi.FieldHeartRate, 152)
				w.Float(abi.FieldActiveEnergy, 12.5)
				w.Float(abi.FieldDistance, 1234.5)
				w.Int(abi.FieldElapsed, int64(7*time.Minute))
				w.Int(abi.FieldWorkoutState, 2)
			})},
		{Name: "event audio_session_interrupted", Event: abi.EventAudioSessionInterrupted, Value: &msg.AudioSessionInterrupted{Reason: 1, Date: t0},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldReason, 1)
				w.Int(abi.FieldDate, t0)
			})},
		{Name: "event audio_route_changed", Event: abi.EventAudioRouteChanged, Value: &msg.AudioRoute{Route: 1, Date: t0},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldRoute, 1)
				w.Int(abi.FieldDate, t0)
			})},
		{Name: "event location_update", Event: abi.EventLocationUpdate,
			Value: &msg.LocationUpdate{Latitude: 51.5, Longitude: -0.125, Date: t0, Altitude: 12.5, Speed: 3.25, Queued: true},
			Wire: wire(func(w *abi.Writer) {
				w.Float(abi.FieldLatitude, 51.5)
				w.Float(abi.FieldLongitude, -0.125)
				w.Int(abi.FieldDate, t0)
				w.Float(abi.FieldAltitude, 12.5)
				w.Float(abi.FieldSpeed, 3.25)
				w.Bool(abi.FieldQueued, true)
			})},
		{Name: "event extended_session_did_start", Event: abi.EventExtendedSessionDidStart,
			Value: &msg.ExtendedSession{SessionID: 3, SessionType: int64(abi.SessionMindfulness), Date: t0},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldSessionID, 3)
				w.Int(abi.FieldSessionType, int64(abi.SessionMindfulness))
				w.Int(abi.FieldDate, t0)
			})},
		{Name: "event extended_session_will_expire", Event: abi.EventExtendedSessionWillExpire,
			Value: &msg.ExtendedSession{SessionID: 1, SessionType: int64(abi.SessionSelfCare), Date: t0},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldSessionID, 1)
				w.Int(abi.FieldSessionType, int64(abi.SessionSelfCare))
				w.Int(abi.FieldDate, t0)
			})},
		{Name: "event handle_extended_session", Event: abi.EventHandleExtendedSession,
			Value: &msg.ExtendedSession{SessionID: 9, SessionType: int64(abi.SessionSmartAlarm), Date: t0},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldSessionID, 9)
				w.Int(abi.FieldSessionType, int64(abi.SessionSmartAlarm))
				w.Int(abi.FieldDate, t0)
			})},
		{Name: "event extended_session_invalidated", Event: abi.EventExtendedSessionInvalidated,
			Value: &msg.ExtendedSessionInvalidated{SessionID: 2, SessionType: int64(abi.SessionPhysicalTherapy),
				Reason: int64(abi.InvalidationError), SessionError: int64(abi.ErrorExceededResourceLimits), Error: "exceeded_resource_limits"},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldSessionID, 2)
				w.Int(abi.FieldSessionType, int64(abi.SessionPhysicalTherapy))
				w.Int(abi.FieldReason, int64(abi.InvalidationError))
				w.Int(abi.FieldSessionError, int64(abi.ErrorExceededResourceLimits))
				w.String(abi.FieldError, "exceeded_resource_limits")
			})},
		{Name: "event extended_session_invalidated none", Event: abi.EventExtendedSessionInvalidated,
			Value: &msg.ExtendedSessionInvalidated{SessionID: 1, SessionType: int64(abi.SessionSelfCare)},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldSessionID, 1)
				w.Int(abi.FieldSessionType, int64(abi.SessionSelfCare))
				w.Int(abi.FieldReason, 0)
			})},
		{Name: "event smart_alarm_repeat", Event: abi.EventSmartAlarmRepeat,
			Value: &msg.SmartAlarmRepeat{SessionID: 4, Haptic: int64(abi.HapticFailure), Interval: 3 * time.Second},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldSessionID, 4)
				w.Int(abi.FieldHaptic, int64(abi.HapticFailure))
				w.Int(abi.FieldInterval, int64(3*time.Second))
			})},
		{Name: "smart_alarm_repeat reply", Value: &msg.SmartAlarmRepeatReply{Interval: 5 * time.Second, Haptic: int64(abi.HapticRetry)},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldInterval, int64(5*time.Second))
				w.Int(abi.FieldHaptic, int64(abi.HapticRetry))
			})},
		{Name: "event restore_state", Event: abi.EventRestoreState, Value: &msg.RestoreState{State: []byte("s")},
			Wire: wire(func(w *abi.Writer) { w.Blob(abi.FieldState, []byte("s")) })},
		{Name: "saved_state", Value: &msg.SavedState{State: []byte(`{"count":3}`)},
			Wire: wire(func(w *abi.Writer) { w.Blob(abi.FieldState, []byte(`{"count":3}`)) })},
		{Name: "saved_state empty", Value: &msg.SavedState{State: []byte{}},
			Wire: wire(func(w *abi.Writer) { w.Blob(abi.FieldState, []byte{}) })},

		{Name: "reply", Value: &msg.Reply{Message: "no can do", Error: "goroutine 1 [running]:"},
			Wire: wire(func(w *abi.Writer) { // guest-sdk/go/watch handle, ABI v1
				w.String(abi.FieldMessage, "no can do")
				w.String(abi.FieldError, "goroutine 1 [running]:")
			})},
		{Name: "refusal", Value: &msg.Refusal{Reason: `start_download: id "a b" has a space`},
			Wire: wire(func(w *abi.Writer) { w.String(abi.FieldRefusal, `start_download: id "a b" has a space`) })},

		{Name: "op app_info args", Op: abi.OpAppInfo, Value: &msg.Empty{}},
		{Name: "op app_info result", Op: abi.OpAppInfo, Result: true,
			Value: &msg.AppInfo{BundleID: "dev.watchbox.test.chello", State: abi.StateInactive, LaunchCount: 1, Cold: true, Settings: []byte(info)},
			Wire: wire(func(w *abi.Writer) { // host/instance.go request
				w.String(abi.FieldBundleID, "dev.watchbox.test.chello")
				w.Int(abi.FieldAppState, int64(abi.StateInactive))
				w.Int(abi.FieldLaunchCount, 1)
				w.Bool(abi.FieldCold, true)
				w.Blob(abi.FieldPayload, []byte(info))
			})},
		{Name: "op app_info result (no settings)", Op: abi.OpAppInfo, Result: true,
			Value: &msg.AppInfo{BundleID: "b", State: abi.StateNotRunning},
			Wire: wire(func(w *abi.Writer) {
				w.String(abi.FieldBundleID, "b")
				w.Int(abi.FieldAppState, 0)
				w.Int(abi.FieldLaunchCount, 0)
				w.Bool(abi.FieldCold, false)
			})},
		{Name: "op schedule_background_refresh args", Op: abi.OpScheduleBackgroundRefresh,
			Value: &msg.ScheduleRefresh{Date: t0, UserInfo: []byte(info)},
			Wire: wire(func(w *abi.Writer) { // guest-sdk/go/watch schedule
				w.Int(abi.FieldDate, t0)
				w.Blob(abi.FieldUserInfo, []byte(info))
			})},
		{Name: "op schedule_snapshot_refresh args", Op: abi.OpScheduleSnapshotRefresh,
			Value: &msg.ScheduleSnapshot{Date: t0},
			Wire:  wire(func(w *abi.Writer) { w.Int(abi.FieldDate, t0) })},
		{Name: "op schedule_background_refresh result", Op: abi.OpScheduleBackgroundRefresh, Result: true,
			Value: &msg.ScheduleResult{Message: "refresh scheduled", Date: t0 + 1},
			Wire: wire(func(w *abi.Writer) { // host/tasks.go schedule
				w.String(abi.FieldMessage, "refresh scheduled")
				w.Int(abi.FieldDate, t0+1)
			})},
		{Name: "op schedule_snapshot_refresh result (dropped)", Op: abi.OpScheduleSnapshotRefresh, Result: true,
			Value: &msg.ScheduleResult{Message: "dropped"},
			Wire:  wire(func(w *abi.Writer) { w.String(abi.FieldMessage, "dropped") })},
		{Name: "op complete_task args", Op: abi.OpCompleteTask, Value: &msg.CompleteTask{TaskID: 3, Snapshot: true},
			Wire: wire(func(w *abi.Writer) { // guest-sdk/go/watch Task.Complete
				w.Int(abi.FieldTaskID, 3)
				w.Bool(abi.FieldSnapshot, true)
			})},
		{Name: "op complete_task result", Op: abi.OpCompleteTask, Result: true, Value: &msg.Empty{}},
		{Name: "op complete_snapshot_task args", Op: abi.OpCompleteSnapshotTask,
			Value: &msg.CompleteSnapshotTask{TaskID: 2, RestoredDefaultState: true, Expiration: abi.DistantFuture, UserInfo: []byte(info)},
			Wire: wire(func(w *abi.Writer) { // guest-sdk/go/watch Task.CompleteSnapshot
				w.Int(abi.FieldTaskID, 2)
				w.Bool(abi.FieldRestoredDefaultState, true)
				w.Int(abi.FieldDate, abi.DistantFuture)
				w.Blob(abi.FieldUserInfo, []byte(info))
			})},
		{Name: "op complete_snapshot_task args (bare)", Op: abi.OpCompleteSnapshotTask,
			Value: &msg.CompleteSnapshotTask{TaskID: 2},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldTaskID, 2)
				w.Bool(abi.FieldRestoredDefaultState, false)
			})},
		{Name: "op start_download args", Op: abi.OpStartDownload,
			Value: &msg.StartDownload{Identifier: "dl-1", URL: "https://example.com/a.json"},
			Wire: wire(func(w *abi.Writer) { // guest-sdk/go/watch StartDownload
				w.String(abi.FieldSessionIdentifier, "dl-1")
				w.String(abi.FieldURL, "https://example.com/a.json")
			})},
		{Name: "op schedule_notification args", Op: abi.OpScheduleNotification,
			Value: &msg.ScheduleNotification{Identifier: "n1", Title: "Stand up", Body: "time to move", Category: "move",
				UserInfo: []byte(info), Interval: time.Hour, Repeats: true},
			Wire: wire(func(w *abi.Writer) { // guest-sdk/go/watch ScheduleNotification
				w.String(abi.FieldIdentifier, "n1")
				w.String(abi.FieldTitle, "Stand up")
				w.String(abi.FieldBody, "time to move")
				w.String(abi.FieldCategory, "move")
				w.Blob(abi.FieldUserInfo, []byte(info))
				w.Int(abi.FieldInterval, int64(time.Hour))
				w.Bool(abi.FieldRepeats, true)
			})},
		{Name: "op schedule_notification args (date)", Op: abi.OpScheduleNotification,
			Value: &msg.ScheduleNotification{Identifier: "n2", Title: "T", Date: t0},
			Wire: wire(func(w *abi.Writer) {
				w.String(abi.FieldIdentifier, "n2")
				w.String(abi.FieldTitle, "T")
				w.String(abi.FieldBody, "")
				w.Int(abi.FieldDate, t0)
				w.Bool(abi.FieldRepeats, false)
			})},
		{Name: "op schedule_notification args (calendar)", Op: abi.OpScheduleNotification,
			Value: &msg.ScheduleNotification{Identifier: "n3", Body: "B", Calendar: []byte(`{"hour":8}`), Repeats: true},
			Wire: wire(func(w *abi.Writer) {
				w.String(abi.FieldIdentifier, "n3")
				w.String(abi.FieldTitle, "")
				w.String(abi.FieldBody, "B")
				w.Blob(abi.FieldCalendar, []byte(`{"hour":8}`))
				w.Bool(abi.FieldRepeats, true)
			})},
		{Name: "op cancel_notification args", Op: abi.OpCancelNotification, Value: &msg.CancelNotification{Identifier: "n1"},
			Wire: wire(func(w *abi.Writer) { w.String(abi.FieldIdentifier, "n1") })},
		{Name: "op update_complication args", Op: abi.OpUpdateComplication, Value: &msg.UpdateComplication{Data: []byte(`{"t":"21°"}`)},
			Wire: wire(func(w *abi.Writer) { w.Blob(abi.FieldComplication, []byte(`{"t":"21°"}`)) })},
		{Name: "op send_to_phone args", Op: abi.OpSendToPhone, Value: &msg.SendToPhone{Payload: []byte(info)},
			Wire: wire(func(w *abi.Writer) { w.Blob(abi.FieldPayload, []byte(info)) })},
		{Name: "op start_workout args", Op: abi.OpStartWorkout, Value: &msg.StartWorkout{SessionType: 37, Identifier: "w1"},
			Wire: wire(func(w *abi.Writer) { // guest-sdk/go/watch WorkoutSession.StartActivity
				w.Int(abi.FieldSessionType, 37)
				w.String(abi.FieldIdentifier, "w1")
			})},
		{Name: "op end_workout args", Op: abi.OpEndWorkout, Value: &msg.WorkoutCall{Identifier: "w1"},
			Wire: wire(func(w *abi.Writer) { w.String(abi.FieldIdentifier, "w1") })},
		{Name: "op prepare_workout args", Op: abi.OpPrepareWorkout, Value: &msg.StartWorkout{SessionType: 52, Identifier: "w2"},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldSessionType, 52)
				w.String(abi.FieldIdentifier, "w2")
			})},
		{Name: "op stop_workout args", Op: abi.OpStopWorkout, Value: &msg.WorkoutCall{Identifier: "w2"},
			Wire: wire(func(w *abi.Writer) { w.String(abi.FieldIdentifier, "w2") })},
		{Name: "op workout_statistics result", Op: abi.OpWorkoutStatistics, Result: true,
			Value: &msg.WorkoutData{Date: t0, HeartRate: 140, Elapsed: int64(time.Minute), State: 4},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldDate, t0)
				w.Float(abi.FieldHeartRate, 140)
				w.Float(abi.FieldActiveEnergy, 0)
				w.Float(abi.FieldDistance, 0)
				w.Int(abi.FieldElapsed, int64(time.Minute))
				w.Int(abi.FieldWorkoutState, 4)
			})},
		{Name: "op start_location_updates args", Op: abi.OpStartLocationUpdates, Value: &msg.StartLocationUpdates{Background: true},
			Wire: wire(func(w *abi.Writer) { w.Bool(abi.FieldBackground, true) })},
		{Name: "op activate_audio args", Op: abi.OpActivateAudio, Value: &msg.Empty{}},
		{Name: "op bluetooth_scan args", Op: abi.OpBluetoothScan, Value: &msg.BluetoothScan{Service: "180D"},
			Wire: wire(func(w *abi.Writer) { w.String(abi.FieldService, "180D") })},
		{Name: "op bluetooth_scan result", Op: abi.OpBluetoothScan, Result: true, Value: &msg.BluetoothScanResult{Peripherals: "a\nstrap"},
			Wire: wire(func(w *abi.Writer) { w.String(abi.FieldPeripheral, "a\nstrap") })},
		{Name: "op bluetooth_connect args", Op: abi.OpBluetoothConnect, Value: &msg.BluetoothConnect{Peripheral: "strap"},
			Wire: wire(func(w *abi.Writer) { w.String(abi.FieldPeripheral, "strap") })},
		{Name: "op bluetooth_discover args", Op: abi.OpBluetoothDiscover, Value: &msg.BluetoothDiscover{Peripheral: "strap"},
			Wire: wire(func(w *abi.Writer) { w.String(abi.FieldPeripheral, "strap") })},
		{Name: "op bluetooth_discover result", Op: abi.OpBluetoothDiscover, Result: true, Value: &msg.BluetoothDiscoverResult{Characteristics: "180D/2A37"},
			Wire: wire(func(w *abi.Writer) { w.String(abi.FieldCharacteristic, "180D/2A37") })},
		{Name: "op bluetooth_read args", Op: abi.OpBluetoothRead, Value: &msg.BluetoothRead{Peripheral: "strap", Service: "180D", Characteristic: "2A37"},
			Wire: wire(func(w *abi.Writer) {
				w.String(abi.FieldPeripheral, "strap")
				w.String(abi.FieldService, "180D")
				w.String(abi.FieldCharacteristic, "2A37")
			})},
		{Name: "op bluetooth_read result", Op: abi.OpBluetoothRead, Result: true,
			Value: &msg.BluetoothValue{Peripheral: "strap", Service: "180D", Characteristic: "2A37", Value: []byte("72")},
			Wire: wire(func(w *abi.Writer) {
				w.String(abi.FieldPeripheral, "strap")
				w.String(abi.FieldService, "180D")
				w.String(abi.FieldCharacteristic, "2A37")
				w.Blob(abi.FieldValue, []byte("72"))
			})},
		{Name: "op bluetooth_subscribe args", Op: abi.OpBluetoothSubscribe, Value: &msg.BluetoothSubscribe{Peripheral: "strap", Service: "180D", Characteristic: "2A37"},
			Wire: wire(func(w *abi.Writer) {
				w.String(abi.FieldPeripheral, "strap")
				w.String(abi.FieldService, "180D")
				w.String(abi.FieldCharacteristic, "2A37")
			})},
		{Name: "op bluetooth_disconnect args", Op: abi.OpBluetoothDisconnect, Value: &msg.BluetoothDisconnect{Peripheral: "strap"},
			Wire: wire(func(w *abi.Writer) { w.String(abi.FieldPeripheral, "strap") })},
		{Name: "op start_extended_session args", Op: abi.OpStartExtendedSession, Value: &msg.StartExtendedSession{SessionID: 9, Date: t0},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldSessionID, 9)
				w.Int(abi.FieldDate, t0)
			})},
		{Name: "op start_extended_session result", Op: abi.OpStartExtendedSession, Result: true,
			Value: &msg.ExtendedSessionInfo{SessionID: 9, State: int64(abi.ExtendedScheduled), SessionType: int64(abi.SessionSmartAlarm), Date: t0},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldSessionID, 9)
				w.Int(abi.FieldExtendedState, int64(abi.ExtendedScheduled))
				w.Int(abi.FieldSessionType, int64(abi.SessionSmartAlarm))
				w.Int(abi.FieldDate, t0)
			})},
		{Name: "op invalidate_extended_session result", Op: abi.OpInvalidateExtendedSession, Result: true,
			Value: &msg.ExtendedSessionInfo{SessionID: 5, State: int64(abi.ExtendedInvalid), SessionType: int64(abi.SessionMindfulness),
				Reason: int64(abi.InvalidationError), SessionError: int64(abi.ErrorNotYetStarted)},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldSessionID, 5)
				w.Int(abi.FieldExtendedState, int64(abi.ExtendedInvalid))
				w.Int(abi.FieldSessionType, int64(abi.SessionMindfulness))
				w.Int(abi.FieldReason, int64(abi.InvalidationError))
				w.Int(abi.FieldSessionError, int64(abi.ErrorNotYetStarted))
			})},
		{Name: "op invalidate_extended_session args", Op: abi.OpInvalidateExtendedSession, Value: &msg.SessionRef{SessionID: 9},
			Wire: wire(func(w *abi.Writer) { w.Int(abi.FieldSessionID, 9) })},
		{Name: "op extended_session_state result", Op: abi.OpExtendedSessionState, Result: true,
			Value: &msg.ExtendedSessionInfo{SessionID: 1, State: int64(abi.ExtendedNotStarted), SessionType: int64(abi.SessionSelfCare)},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldSessionID, 1)
				w.Int(abi.FieldExtendedState, 0)
				w.Int(abi.FieldSessionType, int64(abi.SessionSelfCare))
			})},
		{Name: "op notify_user args", Op: abi.OpNotifyUser, Value: &msg.NotifyUser{SessionID: 9, Haptic: int64(abi.HapticNotification), Handler: true},
			Wire: wire(func(w *abi.Writer) {
				w.Int(abi.FieldSessionID, 9)
				w.Int(abi.FieldHaptic, 0)
				w.Bool(abi.FieldRepeats, true)
			})},
	}
	return cs
}

// Repeats returns wire with a second copy of every field that is not
// repeated appended after all of them, at every nesting level, each copy
// holding a different value of the same wire type (and, for ints, one that
// is out of range for any enumeration), plus a copy of the first field with
// the wrong wire type. A reader that applies the first-occurrence rule
// decodes it to the same value as wire.
func Repeats(wire []byte, s *msg.Spec) []byte {
	var out, dups []byte
	wrong := false
	r := abi.NewReader(wire)
	for r.Next() {
		v := r.Value()
		i := indexOf(s, v.Key)
		if i >= 0 && s.Fields[i].Presence == msg.Repeated {
			out = appendField(out, v.Key, v.Type, Repeats(v.Data, s.Fields[i].Record))
			continue
		}
		out = appendField(out, v.Key, v.Type, v.Data)
		dups = appendField(dups, v.Key, v.Type, other(v))
		if !wrong {
			// a repeat of the wrong wire type is ignored as well
			dups = appendField(dups, v.Key, wrongType(v.Type), []byte("x"))
			wrong = true
		}
	}
	return append(out, dups...)
}

func indexOf(s *msg.Spec, key abi.Field) int {
	for i, f := range s.Fields {
		if f.Key == key {
			return i
		}
	}
	return -1
}

func wrongType(t abi.Type) abi.Type {
	if t == abi.TypeBytes {
		return abi.TypeInt
	}
	return abi.TypeBytes
}

// other returns a value of v's type that differs from v's.
func other(v abi.Value) []byte {
	switch v.Type {
	case abi.TypeInt:
		n := binary.LittleEndian.Uint64(v.Data) ^ 0x7fff_0000_0000_0001
		return binary.LittleEndian.AppendUint64(nil, n)
	case abi.TypeFloat:
		f := math.Float64frombits(binary.LittleEndian.Uint64(v.Data)) + 1
		return binary.LittleEndian.AppendUint64(nil, math.Float64bits(f))
	case abi.TypeBool:
		return []byte{1 - v.Data[0]}
	}
	return append([]byte("second copy of "), v.Data...)
}

func appendField(dst []byte, key abi.Field, t abi.Type, val []byte) []byte {
	dst = binary.LittleEndian.AppendUint16(dst, uint16(key))
	dst = append(dst, byte(t), 0)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(val)))
	return append(dst, val...)
}

// Malformed is a broken encoding of a case's message, and what Decode must
// say about it.
type Malformed struct {
	What  string // how the data is broken
	Wire  []byte
	Field string // the *msg.Error's Field
	Err   error  // what errors.Is finds in the error
}

// Malformeds derives the broken variants of c.Wire: cut short by one byte,
// the first field with the wrong wire type, and each required field left
// out.
func Malformeds(c Case) []Malformed {
	s := c.Value.Spec()
	var out []Malformed
	if len(c.Wire) > 0 {
		out = append(out, Malformed{What: "cut short", Wire: c.Wire[:len(c.Wire)-1], Err: abi.ErrShort})
		r := abi.NewReader(c.Wire)
		r.Next()
		v := r.Value()
		bad := appendField(nil, v.Key, wrongType(v.Type), []byte("x"))
		rest := c.Wire[r.Offset():]
		out = append(out, Malformed{What: "first field of the wrong type", Wire: append(bad, rest...), Field: v.Key.String(), Err: msg.ErrWireType})
	}
	for _, f := range s.Fields {
		if f.Presence != msg.Required {
			continue
		}
		var without []byte
		r := abi.NewReader(c.Wire)
		for r.Next() {
			if v := r.Value(); v.Key != f.Key {
				without = appendField(without, v.Key, v.Type, v.Data)
			}
		}
		out = append(out, Malformed{What: "without " + f.Key.String(), Wire: without, Field: f.Key.String(), Err: msg.ErrMissing})
	}
	return out
}
