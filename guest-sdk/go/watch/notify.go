package watch

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
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
	args := msg.ScheduleNotification{Identifier: n.ID, Title: n.Title, Body: n.Body, Category: n.Category,
		UserInfo: n.UserInfo, Repeats: n.Repeats}
	if n.After > 0 {
		args.Interval = n.After
	}
	if !n.At.IsZero() {
		args.Date = n.At.UnixNano()
	}
	if n.Calendar != nil {
		args.Calendar = appendCalendar(nil, n.Calendar)
	}
	_, err := Request(abi.OpScheduleNotification, args.Encode(nil))
	return err
}

// appendCalendar appends c as JSON, byte for byte what json.Marshal
// writes (keys sorted, escaped as it escapes them), without importing
// encoding/json: it costs every app that does not use it itself 21 KB of
// Wasm (docs/performance.md, "Go module size"). TestAppendCalendar
// compares the two.
func appendCalendar(b []byte, c map[string]int) []byte {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(c[k]), 10)
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string as encoding/json writes
// one: <, > and & escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029
// escaped.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, `\u202`...)
			b = append(b, hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// CancelNotification removes a pending local notification.
func CancelNotification(id string) error {
	_, err := Request(abi.OpCancelNotification, msg.CancelNotification{Identifier: id}.Encode(nil))
	return err
}

// decodeNotification reads a notification or push event's fields.
func decodeNotification(e *Event) (*Notification, error) {
	switch e.Kind {
	case abi.EventNotificationWillPresent:
		var m msg.Notification
		if err := m.Decode(e.fields); err != nil {
			return nil, err
		}
		return notification(m), nil
	case abi.EventNotificationDidReceive:
		var m msg.NotificationResponse
		if err := m.Decode(e.fields); err != nil {
			return nil, err
		}
		n := notification(m.Notification)
		n.Action = m.Action
		return n, nil
	}
	var m msg.Push
	if err := m.Decode(e.fields); err != nil {
		return nil, err
	}
	return &Notification{UserInfo: nilIfEmpty(m.UserInfo), Payload: nilIfEmpty(m.Payload)}, nil
}

func notification(m msg.Notification) *Notification {
	return &Notification{Identifier: m.Identifier, Title: m.Title, Body: m.Body, Category: m.Category, UserInfo: nilIfEmpty(m.UserInfo)}
}

// nilIfEmpty keeps what apps saw before package msg: an empty field read as
// nil.
func nilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
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

// payloadOf returns the payload of a phone event.
func payloadOf(e *Event) ([]byte, error) {
	var m msg.PhoneData
	if err := m.Decode(e.fields); err != nil {
		return nil, err
	}
	return nilIfEmpty(m.Payload), nil
}

// SendToPhone sends data to the paired phone (WCSession transferUserInfo):
// by convention a JSON object. The runtime's simulated phone takes it at
// once and shows it in timelines and `watchbox status`; while the phone is
// out of range the transfer is queued and sent when it is back. Without a
// paired phone it fails with a *StatusError whose Code is
// abi.WCErrorDeviceNotPaired.
func SendToPhone(payload []byte) error {
	_, err := Request(abi.OpSendToPhone, msg.SendToPhone{Payload: payload}.Encode(nil))
	return err
}

// SendMessageToPhone sends live data to the paired phone (WCSession
// sendMessage). It needs the phone reachable (PhoneSession): otherwise it
// fails with a *StatusError whose Code is abi.WCErrorNotReachable (or
// abi.WCErrorDeviceNotPaired), and nothing is queued.
func SendMessageToPhone(payload []byte) error {
	_, err := Request(abi.OpSendMessageToPhone, msg.SendToPhone{Payload: payload}.Encode(nil))
	return err
}

// PhoneState is the app's WatchConnectivity session (WCSession).
type PhoneState struct {
	// Reachable is isReachable: a phone is paired and in range, and the
	// app is frontmost, so live messages go both ways.
	Reachable bool
	// Paired says a phone is paired with the watch.
	Paired bool
	// ContentPending is hasContentPending: phone data is still to be
	// delivered to the app. A watch-connectivity task should stay open
	// until it is false.
	ContentPending bool
}

// PhoneSession returns the app's WatchConnectivity session state.
func PhoneSession() (PhoneState, error) {
	b, err := Request(abi.OpPhoneSession, nil)
	if err != nil {
		return PhoneState{}, err
	}
	var res msg.PhoneSession
	if err := res.Decode(b); err != nil {
		return PhoneState{}, resultError(abi.OpPhoneSession, err)
	}
	return PhoneState{Reachable: res.Reachable, Paired: res.Paired, ContentPending: res.ContentPending}, nil
}
