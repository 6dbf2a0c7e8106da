package msg

import "github.com/watchbox/watchbox/abi"

// ForEvent returns a new, zero payload for events of kind, or nil for a kind
// no ABI version defines.
func ForEvent(kind abi.EventKind) Message {
	switch kind {
	case abi.EventDidFinishLaunching, abi.EventWillEnterForeground, abi.EventDidBecomeActive,
		abi.EventWillResignActive, abi.EventDidEnterBackground, abi.EventSaveState:
		return &Empty{}
	case abi.EventBackgroundTasks:
		return &BackgroundTasks{}
	case abi.EventTaskWillExpire:
		return &TaskWillExpire{}
	case abi.EventNotificationWillPresent:
		return &Notification{}
	case abi.EventNotificationDidReceive:
		return &NotificationResponse{}
	case abi.EventRemoteNotification, abi.EventComplicationPush:
		return &Push{}
	case abi.EventPhoneUserInfo, abi.EventPhoneApplicationContext, abi.EventPhoneMessage:
		return &PhoneData{}
	case abi.EventBluetoothValueUpdated:
		return &BluetoothValue{}
	case abi.EventBluetoothDisconnected:
		return &BluetoothDisconnected{}
	case abi.EventWorkoutStateChanged:
		return &WorkoutStateChanged{}
	case abi.EventWorkoutFailed:
		return &WorkoutFailed{}
	case abi.EventAudioSessionInterrupted:
		return &AudioSessionInterrupted{}
	case abi.EventLocationUpdate:
		return &LocationUpdate{}
	case abi.EventExtendedSessionDidStart, abi.EventExtendedSessionWillExpire, abi.EventHandleExtendedSession:
		return &ExtendedSession{}
	case abi.EventExtendedSessionInvalidated:
		return &ExtendedSessionInvalidated{}
	case abi.EventSmartAlarmRepeat:
		return &SmartAlarmRepeat{}
	case abi.EventRestoreState:
		return &RestoreState{}
	case abi.EventWorkoutEvent:
		return &WorkoutEvent{}
	case abi.EventWorkoutData:
		return &WorkoutData{}
	case abi.EventAudioRouteChanged:
		return &AudioRoute{}
	case abi.EventBluetoothError:
		return &BluetoothError{}
	}
	return nil
}

// ForOp returns new, zero arguments and result for operation op, or nils
// for an operation no ABI version defines. Operations without arguments or
// results use Empty. Whatever the op, a refused request's result is a
// Refusal instead.
func ForOp(op abi.Op) (args, result Message) {
	switch op {
	case abi.OpAppInfo:
		return &Empty{}, &AppInfo{}
	case abi.OpScheduleBackgroundRefresh:
		return &ScheduleRefresh{}, &ScheduleResult{}
	case abi.OpScheduleSnapshotRefresh:
		return &ScheduleSnapshot{}, &ScheduleResult{}
	case abi.OpCompleteTask:
		return &CompleteTask{}, &Empty{}
	case abi.OpCompleteSnapshotTask:
		return &CompleteSnapshotTask{}, &Empty{}
	case abi.OpStartDownload:
		return &StartDownload{}, &Empty{}
	case abi.OpScheduleNotification:
		return &ScheduleNotification{}, &Empty{}
	case abi.OpCancelNotification:
		return &CancelNotification{}, &Empty{}
	case abi.OpUpdateComplication:
		return &UpdateComplication{}, &Empty{}
	case abi.OpSendToPhone, abi.OpSendMessageToPhone:
		return &SendToPhone{}, &Empty{}
	case abi.OpPhoneSession:
		return &Empty{}, &PhoneSession{}
	case abi.OpBluetoothScan:
		return &BluetoothScan{}, &BluetoothScanResult{}
	case abi.OpBluetoothConnect:
		return &BluetoothConnect{}, &Empty{}
	case abi.OpBluetoothDiscover:
		return &BluetoothDiscover{}, &BluetoothDiscoverResult{}
	case abi.OpBluetoothRead:
		return &BluetoothRead{}, &BluetoothValue{}
	case abi.OpBluetoothSubscribe:
		return &BluetoothSubscribe{}, &Empty{}
	case abi.OpBluetoothDisconnect:
		return &BluetoothDisconnect{}, &Empty{}
	case abi.OpStartWorkout, abi.OpPrepareWorkout:
		return &StartWorkout{}, &Empty{}
	case abi.OpPauseWorkout, abi.OpResumeWorkout, abi.OpEndWorkout, abi.OpStopWorkout:
		return &WorkoutCall{}, &Empty{}
	case abi.OpStopLocationUpdates, abi.OpActivateAudio, abi.OpDeactivateAudio:
		return &Empty{}, &Empty{}
	case abi.OpStartLocationUpdates:
		return &StartLocationUpdates{}, &Empty{}
	case abi.OpWorkoutStatistics:
		return &Empty{}, &WorkoutData{}
	case abi.OpStartExtendedSession:
		return &StartExtendedSession{}, &ExtendedSessionInfo{}
	case abi.OpInvalidateExtendedSession, abi.OpExtendedSessionState:
		return &SessionRef{}, &ExtendedSessionInfo{}
	case abi.OpNotifyUser:
		return &NotifyUser{}, &Empty{}
	case abi.OpRegisterEventBuffer:
		return &EventBuffer{}, &Empty{}
	}
	return nil, nil
}

// Specs returns the spec of every message type of this package, each once,
// records before the messages that hold them: what generators (the C
// header) walk.
func Specs() []*Spec {
	return []*Spec{
		emptySpec, replySpec, refusalSpec,
		taskSpec, backgroundTasksSpec, taskWillExpireSpec, notificationSpec, notificationResponseSpec,
		pushSpec, phoneDataSpec, bluetoothValueSpec, bluetoothDisconnectedSpec, workoutStateChangedSpec, workoutFailedSpec, audioSessionInterruptedSpec,
		locationUpdateSpec, extendedSessionSpec, extendedSessionInvalidatedSpec, smartAlarmRepeatSpec,
		smartAlarmRepeatReplySpec, restoreStateSpec, savedStateSpec, workoutEventSpec, workoutDataSpec, audioRouteSpec,
		appInfoSpec, scheduleRefreshSpec, scheduleSnapshotSpec, scheduleResultSpec, completeTaskSpec,
		completeSnapshotTaskSpec, startDownloadSpec, scheduleNotificationSpec, cancelNotificationSpec,
		updateComplicationSpec, sendToPhoneSpec, bluetoothScanSpec, bluetoothScanResultSpec, bluetoothConnectSpec,
		bluetoothDiscoverSpec, bluetoothDiscoverResultSpec, bluetoothReadSpec, bluetoothSubscribeSpec,
		bluetoothDisconnectSpec, startWorkoutSpec, startExtendedSessionSpec, sessionRefSpec,
		extendedSessionInfoSpec, notifyUserSpec,
		workoutCallSpec, startLocationUpdatesSpec,
		phoneSessionSpec, bluetoothErrorSpec, eventBufferSpec,
	}
}

// Refuse returns the encoded result of a refused request: a Refusal
// holding reason. A host stores it as the request's result and returns the
// negated status.
func Refuse(reason string) []byte { return Refusal{Reason: reason}.Encode(nil) }
