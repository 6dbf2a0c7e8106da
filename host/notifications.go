package host

import (
	"context"

	"github.com/watchbox/watchbox/host/internal/system/notify"
	"github.com/watchbox/watchbox/host/push"
)

// Notifications is an app's remote pushes and delivered notifications, as
// APNs and the user reach them. Get it with App.Notifications.
type Notifications struct{ a *App }

// Notifications returns the app's pushes and notifications.
func (a *App) Notifications() Notifications { return Notifications{a} }

// DefaultAction is the action of a plain tap on a notification
// (UNNotificationDefaultActionIdentifier).
const DefaultAction = notify.DefaultAction

// Push delivers a remote push to the app, as APNs would (or xcrun simctl
// push). An alert push is presented to a frontmost, active app's delegate
// (notification_will_present) and otherwise shown to the user; a
// content-available push runs the app in the background for push_run_time,
// throttled to background_pushes_per_hour (held, newest wins); a PushKit
// complication push runs only while the app's complication is on the active
// face, within complication_pushes_per_day, and is followed by a
// complication-update snapshot. Every decision is reported.
func (n Notifications) Push(ctx context.Context, p *push.Push) error {
	return n.a.locked(func() error { return n.a.notify.Push(ctx, p) })
}

// Tap is the user tapping a notification the app delivered (id "" means
// the latest) with an action (DefaultAction for a plain tap): the app is
// opened and its delegate gets notification_did_receive, with the action
// in the message field.
func (n Notifications) Tap(ctx context.Context, id, action string) error {
	a := n.a
	a.sys.Lock()
	note, err := a.notify.Take(id)
	a.sys.Unlock()
	if err != nil {
		return err
	}
	return a.rt.front.bring(ctx, a, "a notification of "+a.sys.ID+" was tapped", func() error { return a.notify.Tap(ctx, note, action) })
}

// Complication is an app's complication on the watch face. Get it with
// App.Complication.
type Complication struct{ a *App }

// Complication returns the app's complication.
func (a *App) Complication() Complication { return Complication{a} }

// SetActive says whether one of the app's complications is on the active
// watch face, which sets its refresh budget. It starts as the manifest's
// complication key.
func (c Complication) SetActive(on bool) {
	c.a.sys.Lock()
	c.a.sys.SetComplicationActive(on)
	c.a.sys.Unlock()
}

// Data returns the complication data the app last published, or nil.
func (c Complication) Data() []byte {
	c.a.sys.Lock()
	defer c.a.sys.Unlock()
	return c.a.notify.Complication()
}
