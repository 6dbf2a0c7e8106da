package watch

import (
	"encoding/json"
	"time"

	"github.com/watchbox/watchbox/abi"
)

// Notification is a notification delivered to the app.
type Notification struct {
	Identifier string
	Title      string
	Body       string
	Category   string
	UserInfo   []byte // the app's payload (for a push, its custom top-level keys, as JSON)
	Payload    []byte // the whole push, as JSON (background and complication pushes)
	Action     string // the action the user chose (notification_did_receive)
}

// Notification and push delegate methods.
type (
	// NotificationPresenter is called when a notification arrives while the
	// app is frontmost and active (userNotificationCenter willPresent).
	NotificationPresenter interface{ WillPresentNotification(n *Notification) }
	// RemoteNotificationHandler is called for a content-available push,
	// with the app in the background (didReceiveRemoteNotification).
	RemoteNotificationHandler interface{ DidReceiveRemoteNotification(n *Notification) }
	// ComplicationPushHandler is called for a PushKit complication push.
	ComplicationPushHandler interface{ DidReceiveComplicationPush(n *Notification) }
	// NotificationResponder is called when the user taps a notification
	// (userNotificationCenter didReceive); n.Action says which action.
	NotificationResponder interface{ DidReceiveNotification(n *Notification) }
)

// LocalNotification is a notification the app schedules
// (UNNotificationRequest).
type LocalNotification struct {
	ID, Title, Body, Category string
	UserInfo                  []byte
	// After is a time-interval trigger, At a date trigger and Calendar a
	// calendar trigger (UNCalendarNotificationTrigger). Exactly one is
	// set. Repeats needs After of at least a minute, or Calendar; a date
	// fires once.
	After time.Duration
	At    time.Time
	// Calendar holds the date components a fire time must match, in UTC:
	// any of "month", "day", "weekday" (1 is Sunday), "hour", "minute",
	// "second". Finer components left out are 0 and coarser ones match
	// anything: {"hour": 8} fires every day at 08:00:00 (with Repeats),
	// {"weekday": 2, "hour": 9, "minute": 30} every Monday at 09:30, and a
	// month alone its first day.
	Calendar map[string]int
	Repeats  bool
}

// ScheduleNotification schedules a local notification; one with the same
// ID replaces the pending one.
func ScheduleNotification(n LocalNotification) error {
	var w abi.Writer
	w.String(abi.FieldIdentifier, n.ID)
	w.String(abi.FieldTitle, n.Title)
	w.String(abi.FieldBody, n.Body)
	if n.Category != "" {
		w.String(abi.FieldCategory, n.Category)
	}
	if n.UserInfo != nil {
		w.Blob(abi.FieldUserInfo, n.UserInfo)
	}
	if n.After > 0 {
		w.Int(abi.FieldInterval, int64(n.After))
	}
	if !n.At.IsZero() {
		w.Int(abi.FieldDate, n.At.UnixNano())
	}
	if n.Calendar != nil {
		b, err := json.Marshal(n.Calendar)
		if err != nil {
			return err
		}
		w.Blob(abi.FieldCalendar, b)
	}
	w.Bool(abi.FieldRepeats, n.Repeats)
	_, err := Request(abi.OpScheduleNotification, w.Bytes())
	return err
}

// CancelNotification removes a pending local notification.
func CancelNotification(id string) error {
	var w abi.Writer
	w.String(abi.FieldIdentifier, id)
	_, err := Request(abi.OpCancelNotification, w.Bytes())
	return err
}

// decodeNotification reads a notification or push event's fields.
func decodeNotification(e *Event) *Notification {
	n := &Notification{}
	seen := map[abi.Field]bool{}
	r := e.Fields()
	for r.Next() {
		v := r.Value()
		if seen[v.Key] {
			continue
		}
		seen[v.Key] = true
		switch v.Key {
		case abi.FieldIdentifier:
			n.Identifier, _ = v.Text()
		case abi.FieldTitle:
			n.Title, _ = v.Text()
		case abi.FieldBody:
			n.Body, _ = v.Text()
		case abi.FieldCategory:
			n.Category, _ = v.Text()
		case abi.FieldUserInfo:
			b, _ := v.Blob()
			n.UserInfo = append([]byte(nil), b...)
		case abi.FieldPayload:
			b, _ := v.Blob()
			n.Payload = append([]byte(nil), b...)
		case abi.FieldMessage:
			n.Action, _ = v.Text()
		}
	}
	return n
}

// Phone delegate methods (WCSessionDelegate): data from the paired phone.
type (
	// UserInfoReceiver gets each transferUserInfo payload, in order.
	UserInfoReceiver interface{ DidReceiveUserInfo(payload []byte) }
	// ContextReceiver gets the latest application context.
	ContextReceiver interface{ DidReceiveApplicationContext(payload []byte) }
	// MessageReceiver gets a live message (only while the app is frontmost).
	MessageReceiver interface{ DidReceiveMessage(payload []byte) }
)

// payloadOf returns an event's payload field.
func payloadOf(e *Event) []byte {
	r := e.Fields()
	for r.Next() {
		if v := r.Value(); v.Key == abi.FieldPayload {
			b, _ := v.Blob()
			return append([]byte(nil), b...)
		}
	}
	return nil
}

// SendToPhone sends data to the paired phone (WCSession transferUserInfo):
// by convention a JSON object. The runtime's simulated phone takes it at
// once and shows it in timelines and `watchbox status`.
func SendToPhone(payload []byte) error {
	var w abi.Writer
	w.Blob(abi.FieldPayload, payload)
	_, err := Request(abi.OpSendToPhone, w.Bytes())
	return err
}
