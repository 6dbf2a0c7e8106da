package watch

import "github.com/watchbox/watchbox/abi"

// Notification is a notification delivered to the app.
type Notification struct {
	Identifier string
	Title      string
	Body       string
	Category   string
	UserInfo   []byte // the push's custom top-level keys, as a JSON object
	Payload    []byte // the whole push, as JSON
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
)

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
