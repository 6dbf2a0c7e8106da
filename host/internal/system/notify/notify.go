// Package notify is the notifications feature: local notifications
// (time-interval and calendar triggers, repeats, cancel), their
// presentation to the app or the user, taps, remote pushes (alert,
// content-available with its throttle, PushKit complication pushes with
// their budget and follow-up snapshot) and the complication data the app
// publishes.
package notify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/system"
	"github.com/watchbox/watchbox/host/push"
)

// DefaultAction is the action of a plain tap on a notification
// (UNNotificationDefaultActionIdentifier).
const DefaultAction = "com.apple.UNNotificationDefaultActionIdentifier"

// Feature is one app's notifications, pushes and complication data.
type Feature struct {
	a            *system.App
	pending      map[string]*notification // local notifications not yet delivered
	scheduled    int                      // notifications scheduled so far, for their seq
	delivered    []*notification          // delivered and not tapped, newest last
	pushes       int                      // alert pushes received, for their identifiers
	complication []byte                   // what the app last published for its complication
	snapshotting bool                     // a complication_update snapshot is being delivered
}

// Register adds the notifications feature to a: its ops and its close
// hook.
func Register(a *system.App) *Feature {
	f := &Feature{a: a, pending: map[string]*notification{}}
	a.Features.Handle(abi.OpScheduleNotification, f.schedule)
	a.Features.Handle(abi.OpCancelNotification, f.cancelOp)
	a.Features.Handle(abi.OpUpdateComplication, f.updateComplication)
	a.Features.Durable("notifications", f.save, f.restore)
	a.Features.OnClose(func() {
		for id := range f.pending {
			f.cancel(id, "the run ended")
		}
	})
	return f
}

// notification is a local notification the app scheduled, or one that was
// delivered (local or from an alert push) and can be tapped.
type notification struct {
	id, title, body, category string
	userInfo                  []byte
	interval                  time.Duration // time-interval trigger
	cal                       *calendar     // calendar trigger
	repeats                   bool
	at                        time.Time // when a pending one fires next
	seq                       int       // order of scheduling, to break ties in trim
}

// payload is n as the payload of notification_will_present.
func (n *notification) payload() msg.Notification {
	return msg.Notification{Identifier: n.id, Title: n.title, Body: n.body, Category: n.category, UserInfo: n.userInfo}
}

// response is n as the payload of notification_did_receive, for action.
func (n *notification) response(action string) msg.NotificationResponse {
	return msg.NotificationResponse{Notification: n.payload(), Action: action}
}

// schedule carries out UNUserNotificationCenter.add from the guest: a
// time-interval trigger (interval, optionally repeating), a date trigger
// (date) or a calendar trigger (calendar, optionally repeating). A request
// with an identifier already pending replaces it.
func (f *Feature) schedule(args []byte) ([]byte, abi.Status, string) {
	var m msg.ScheduleNotification
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	refuse := func(format string, args ...any) ([]byte, abi.Status, string) {
		return system.Refuse(abi.OpScheduleNotification, abi.StatusBadArgument, format, args...)
	}
	n := &notification{id: m.Identifier, title: m.Title, body: m.Body, category: m.Category, userInfo: m.UserInfo,
		interval: m.Interval, repeats: m.Repeats}
	var at time.Time
	if m.Date != 0 {
		at = time.Unix(0, m.Date).UTC()
	}
	if m.Calendar != nil {
		c, err := parseCalendar(m.Calendar)
		if err != nil {
			return refuse("notification %q: %v", n.id, err)
		}
		n.cal = &c
	}
	now := f.a.Now()
	triggers := 0
	for _, set := range []bool{n.interval > 0, !at.IsZero(), n.cal != nil} {
		if set {
			triggers++
		}
	}
	switch {
	case n.id == "":
		return refuse("the identifier is empty")
	case n.title == "" && n.body == "":
		return refuse("notification %q has neither a title nor a body", n.id)
	case triggers != 1:
		return refuse("notification %q has %d triggers; give exactly one of interval (above 0), date and calendar", n.id, triggers)
	case n.repeats && !at.IsZero():
		return refuse("notification %q: a date trigger fires once and cannot repeat (a calendar trigger can)", n.id)
	case n.repeats && n.interval > 0 && n.interval < time.Minute:
		// as iOS: a repeating trigger needs an interval of at least 60 s
		return refuse("a repeating time-interval trigger needs at least 60 s, got %v s", n.interval.Seconds())
	}
	// The notification comes back to the app in an event, with the
	// action of a tap: its content must leave room for that within the
	// ABI's envelope, as a scheduled userInfo must (system.MaxPayload).
	if size := len(n.payload().Encode(nil)); size > system.MaxPayload {
		return system.Refuse(abi.OpScheduleNotification, abi.StatusLimit,
			"notification %q is %d bytes (identifier, title, body, category and userInfo encoded); at most %d fit in the event that presents it (the ABI's %d-byte envelope)",
			n.id, size, system.MaxPayload, abi.MaxEnvelope)
	}
	switch {
	case n.interval > 0:
		at = now.Add(n.interval)
	case n.cal != nil:
		if at = n.cal.next(now); at.IsZero() {
			return refuse("notification %q: the calendar components %s never match a date", n.id, m.Calendar) // February 30th
		}
	}
	f.cancel(n.id, "replaced by a new request with its identifier")
	f.scheduled++
	n.seq = f.scheduled
	f.pending[n.id] = n
	f.arm(n, at)
	f.begin(n)
	f.a.Report(policy.Decision{Time: now, Kind: policy.KindNotification, Verdict: policy.Scheduled, At: at, Rule: policy.RuleNotificationScheduled,
		Reason: fmt.Sprintf("notification %s scheduled for %s%s", n.id, whenPhrase(at, now), n.repeatPhrase())})
	f.trim(now)
	return system.Done(nil)
}

// whenPhrase is "15:04:05", with the date first when t is on another day
// than now.
func whenPhrase(t, now time.Time) string {
	t, now = t.UTC(), now.UTC()
	if t.YearDay() != now.YearDay() || t.Year() != now.Year() {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("15:04:05")
}

func (n *notification) repeatPhrase() string {
	switch {
	case !n.repeats:
		return ""
	case n.cal != nil:
		return ", repeating whenever the calendar matches"
	}
	return fmt.Sprintf(", repeating every %s", n.interval)
}

func (f *Feature) arm(n *notification, at time.Time) {
	n.at = at
	name := "notification " + n.id
	f.a.Timers.Set(name, at, name, func() {
		if f.pending[n.id] != n {
			return
		}
		f.a.End(spanCat, spanName(n), n.id, "delivered")
		if n.repeats {
			now := f.a.Env.Clock.Now()
			next := now.Add(n.interval)
			if n.cal != nil {
				next = n.cal.next(now)
			}
			f.arm(n, next)
			f.begin(n)
		} else {
			delete(f.pending, n.id)
		}
		f.a.Store.Save() // presented at most once, even if the host dies now
		f.present(context.Background(), n)
	})
}

// present delivers a notification: to the app's delegate when it is
// frontmost and active, otherwise to the user, who may tap it later.
func (f *Feature) present(ctx context.Context, n *notification) {
	a := f.a
	now := a.Env.Clock.Now()
	if a.Life.State() == abi.StateActive && a.Guest.Running() {
		a.Call(ctx, abi.EventNotificationWillPresent, n.payload().Encode(nil))
		return
	}
	f.delivered = newest(append(f.delivered, n), a.Env.Rules.Profile().MaxDeliveredNotifications)
	shown := n.title // an alert push given as a plain string has only a body
	if shown == "" {
		shown = n.body
	}
	a.Report(policy.Decision{Time: now, Kind: policy.KindNotification, Verdict: policy.Presented, Rule: policy.RuleNotificationPresented,
		Reason: fmt.Sprintf("notification %s presented to the user (the app is %v): %q", n.id, a.Life.State(), shown)})
}

// newest returns the last max of ns (the profile's
// max_delivered_notifications): the delivered notifications an app keeps
// for a tap.
func newest(ns []*notification, max int) []*notification {
	if len(ns) > max {
		ns = slices.Delete(ns, 0, len(ns)-max) // clears the tail: no pointer to a dropped one stays
	}
	return ns
}

// cancel carries out removePendingNotificationRequests; why says why, for
// traces.
func (f *Feature) cancel(id, why string) bool {
	n, ok := f.pending[id]
	if ok {
		f.a.Timers.Stop("notification " + id)
		delete(f.pending, id)
		f.a.End(spanCat, spanName(n), id, why)
	}
	return ok
}

// spanCat is the trace category of pending notifications.
const spanCat = "notification"

// spanName names a pending notification's trace span.
func spanName(n *notification) string { return "notification " + short(n.id) }

// begin reports n pending from now, for traces.
func (f *Feature) begin(n *notification) { f.a.Begin(spanCat, spanName(n), n.id) }

func (f *Feature) cancelOp(args []byte) ([]byte, abi.Status, string) {
	var m msg.CancelNotification
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	if !f.cancel(m.Identifier, "cancelled by the app") {
		return system.Refuse(abi.OpCancelNotification, abi.StatusNotFound, "no notification %q is pending", m.Identifier)
	}
	return system.Done(nil)
}

// Tapped is a notification the user tapped, taken from those delivered.
type Tapped struct{ n *notification }

// Take removes the delivered notification id ("" means the latest) for a
// tap. The app's lock must be held.
func (f *Feature) Take(id string) (Tapped, error) {
	for i := len(f.delivered) - 1; i >= 0; i-- {
		if id == "" || f.delivered[i].id == id {
			n := f.delivered[i]
			f.delivered = append(f.delivered[:i], f.delivered[i+1:]...)
			return Tapped{n}, nil
		}
	}
	if id == "" {
		return Tapped{}, fmt.Errorf("host: %s has no delivered notification to tap", f.a.ID)
	}
	return Tapped{}, fmt.Errorf("host: %s has no delivered notification %q to tap", f.a.ID, id)
}

// Tap opens the app for the tapped notification t with action (default
// DefaultAction): its delegate gets notification_did_receive, with the
// action in the message field. The app's lock must be held.
func (f *Feature) Tap(ctx context.Context, t Tapped, action string) error {
	if action == "" {
		action = DefaultAction
	}
	a := f.a
	if err := a.Life.Foreground(ctx); err != nil && !a.Guest.Running() {
		return err
	}
	_, err := a.Call(ctx, abi.EventNotificationDidReceive, t.n.response(action).Encode(nil))
	return err
}

// Push delivers a remote push to the app, as APNs would. The app's lock
// must be held.
func (f *Feature) Push(ctx context.Context, p *push.Push) error {
	a := f.a
	now := a.Env.Clock.Now()
	switch p.Type {
	case push.TypeAlert:
		f.pushes++
		f.present(ctx, &notification{id: fmt.Sprintf("push-%d", f.pushes), title: p.Alert.Title, body: p.Alert.Body,
			category: p.Category, userInfo: p.UserInfo})
		return nil
	case push.TypeBackground:
		if !a.Manifest.HasBackgroundMode(bundle.ModeRemoteNotification) {
			a.Report(policy.Decision{Time: now, Kind: policy.KindBackgroundPush, Verdict: policy.Drop, Rule: policy.RulePushNoMode,
				Reason: "background push refused: the app does not declare the remote-notification background mode; " +
					`add "remote-notification" to WKBackgroundModes in watchapp.json to receive content-available pushes`})
			return nil
		}
		d := a.Decide(func(pol *policy.Policy, fa policy.Facts) policy.Decision { return pol.Pushes().Background(fa, p, now) })
		switch d.Verdict {
		case policy.Run:
			return f.runPush(ctx, abi.EventRemoteNotification, p)
		case policy.Throttle:
			f.armPush(d)
		}
		return nil
	case push.TypeComplication:
		d := a.Decide(func(pol *policy.Policy, fa policy.Facts) policy.Decision { return pol.Pushes().Complication(fa, now) })
		if d.Verdict != policy.Run {
			return nil
		}
		err := f.runPush(ctx, abi.EventComplicationPush, p)
		if d.Snapshot != "" && a.Guest.Running() {
			// One snapshot for the push, whether or not the app also
			// published new data in it.
			a.Timers.Stop(complicationSnapshot)
			err = errors.Join(err, f.complicationSnapshot(ctx))
		}
		return err
	}
	return fmt.Errorf("host: push of unknown type %q", p.Type)
}

// runPush wakes (or launches) the app into the background and delivers a
// push event with its payload.
func (f *Feature) runPush(ctx context.Context, kind abi.EventKind, p *push.Push) error {
	a := f.a
	if err := a.Life.Wake(ctx); err != nil {
		return err
	}
	_, err := a.Call(ctx, kind, pushPayload(p).Encode(nil))
	a.Life.Settle()
	return err
}

// pushPayload is p as the payload of remote_notification and
// complication_push (user_info is always written, even when empty).
func pushPayload(p *push.Push) msg.Push { return msg.Push{Payload: p.Raw, UserInfo: p.UserInfo} }

// armPush holds a throttled background push until the decision's time.
func (f *Feature) armPush(d policy.Decision) {
	f.a.Timers.ArmDue("push", "held push due", d.At, func(p *policy.Policy, f policy.Facts, now time.Time) (policy.Request, policy.Decision, bool) {
		return p.Pushes().BackgroundDue(f, now)
	}, func(req policy.Request) {
		if p, ok := req.UserInfo.(*push.Push); ok {
			f.runPush(context.Background(), abi.EventRemoteNotification, p)
		}
	})
}

// updateComplication stores the complication data the app publishes
// (reloading its complication timeline), shown by Complication.
func (f *Feature) updateComplication(args []byte) ([]byte, abi.Status, string) {
	var m msg.UpdateComplication
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	data := m.Data
	if len(data) == 0 {
		return system.Refuse(abi.OpUpdateComplication, abi.StatusBadArgument, "the complication data is empty")
	}
	f.complication = data
	now := f.a.Now()
	f.a.Report(policy.Decision{Time: now, Kind: policy.KindComplication, Verdict: policy.Run, Rule: policy.RuleComplicationUpdated,
		Reason: fmt.Sprintf("complication updated: %s", system.Truncate(data, 80))})
	// The complication's new look needs a new snapshot: the system takes
	// a complication_update snapshot once the call that published it has
	// returned (one for several updates in a call). An update made while
	// handling that snapshot asks for none, or the two would loop.
	if f.snapshotting {
		return system.Done(nil)
	}
	f.a.Timers.Set(complicationSnapshot, now, "complication update snapshot", func() {
		if f.a.Guest.Running() {
			f.complicationSnapshot(context.Background())
		}
	})
	return system.Done(nil)
}

// complicationSnapshot is the timer of the complication_update snapshot
// that follows the app's own complication update.
const complicationSnapshot = "complication-snapshot"

// complicationSnapshot takes the complication_update snapshot that
// follows a complication update, as a background task; an app that is
// frontmost shows its own interface and gets none (rule
// snapshot.frontmost).
func (f *Feature) complicationSnapshot(ctx context.Context) error {
	a := f.a
	if a.Life.Frontmost() {
		a.Report(policy.Decision{Time: a.Env.Clock.Now(), Kind: policy.KindSnapshot, Verdict: policy.Drop, Rule: policy.RuleSnapshotFrontmost,
			Reason: "snapshot (complicationUpdate) not taken: the app is frontmost, and a snapshot task is a background task"})
		return nil
	}
	f.snapshotting = true
	defer func() { f.snapshotting = false }()
	_, err := a.Snapshots.Take(ctx, abi.SnapshotComplicationUpdate)
	return err
}

// Complication returns a copy of the complication data the app last
// published, or nil. The app's lock must be held.
func (f *Feature) Complication() []byte { return append([]byte(nil), f.complication...) }
