package abi

// The paired phone's session (WCSession) and the errors watchOS 9 gives
// for the Bluetooth background budget: ops 66-67, event 70 and fields
// 37-39. The error codes are Apple's raw values (CBError.Code,
// WCError.Code), carried in error_code.
const (
	// OpSendMessageToPhone is WCSession sendMessage: live data for the
	// phone, refused (error_code WCErrorNotReachable or
	// WCErrorDeviceNotPaired) unless the phone is reachable. Its
	// arguments are send_to_phone's.
	OpSendMessageToPhone Op = 66
	// OpPhoneSession asks for the session's state: isReachable,
	// whether a phone is paired, and hasContentPending.
	OpPhoneSession Op = 67

	// EventBluetoothError is a CBError for a peripheral that no request
	// or task carries: the Bluetooth background budget was exceeded
	// (leGattExceededBackgroundNotificationLimit) and a timely alert did
	// not wake the app (CBPeripheralDelegate's error callbacks).
	EventBluetoothError EventKind = 70

	// FieldContentPending is WCSession.hasContentPending (bool): phone
	// data is still to be delivered to the app.
	FieldContentPending Field = 37
	// FieldReachable is WCSession.isReachable (bool).
	FieldReachable Field = 38
	// FieldPaired says a phone is paired with the watch (bool).
	FieldPaired Field = 39
)

// Error codes carried in error_code (FieldErrorCode) by Bluetooth and
// phone requests, tasks and events: Apple's raw values.
const (
	// CBErrorExceededBackgroundNotificationLimit is CBError.Code
	// leGattExceededBackgroundNotificationLimit: the Bluetooth budget
	// shared by timely alerts and background scans is spent.
	CBErrorExceededBackgroundNotificationLimit int64 = 17
	// CBErrorNearBackgroundNotificationLimit is CBError.Code
	// leGattNearBackgroundNotificationLimit: one alert or scan is left
	// in the budget.
	CBErrorNearBackgroundNotificationLimit int64 = 18
	// WCErrorDeviceNotPaired is WCError.Code deviceNotPaired.
	WCErrorDeviceNotPaired int64 = 7005
	// WCErrorNotReachable is WCError.Code notReachable.
	WCErrorNotReachable int64 = 7007
)
