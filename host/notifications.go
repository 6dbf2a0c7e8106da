package host

import (
	"context"
	"fmt"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/sched"
)

// DefaultAction is the action of a plain tap on a notification
// (UNNotificationDefaultActionIdentifier).
const DefaultAction = "com.apple.UNNotificationDefaultActionIdentifier"

// notification is a local notification the app scheduled, or one that was
// delivered (local or from an alert push) and can be tapped.
type notification struct {
	id, title, body, category string
	userInfo                  []byte
	interval                  time.Duration // time-interval trigger
	cal                       *calendar     // calendar trigger
	repeats                   bool
	ev                        *sched.Event
}

func (n *notification) fields(w *abi.Writer) {
	w.String(abi.FieldIdentifier, n.id)
	w.String(abi.FieldTitle, n.title)
	w.String(abi.FieldBody, n.body)
	if n.category != "" {
		w.String(abi.FieldCategory, n.category)
	}
	if n.userInfo != nil {
		w.Blob(abi.FieldUserInfo, n.userInfo)
	}
}

// scheduleNotification carries out UNUserNotificationCenter.add from the
// guest: a time-interval trigger (interval, optionally repeating) or a date
// trigger (date). A request with an identifier already pending replaces it.
func (a *App) scheduleNotification(args []byte) ([]byte, abi.Status) {
	n := &notification{}
	var at time.Time
	r := abi.NewReader(args)
	for r.Next() {
		v := r.Value()
		var err error
		switch v.Key {
		case abi.FieldIdentifier:
			n.id, err = v.Text()
		case abi.FieldTitle:
			n.title, err = v.Text()
		case abi.FieldBody:
			n.body, err = v.Text()
		case abi.FieldCategory:
			n.category, err = v.Text()
		case abi.FieldUserInfo:
			var b []byte
			b, err = v.Blob()
			n.userInfo = append([]byte(nil), b...)
		case abi.FieldInterval:
			var ns int64
			ns, err = v.Int()
			n.interval = time.Duration(ns)
		case abi.FieldDate:
			var ns int64
			ns, err = v.Int()
			at = time.Unix(0, ns).UTC()
		case abi.FieldRepeats:
			n.repeats, err = v.Bool()
		case abi.FieldCalendar:
			var b []byte
			if b, err = v.Blob(); err == nil {
				var c calendar
				if c, err = parseCalendar(b); err == nil {
					n.cal = &c
				} else {
					a.log.Warn().Str("notification", n.id).Msg(err.Error())
				}
			}
		}
		if err != nil {
			return nil, abi.StatusBadArgument
		}
	}
	now := a.now()
	triggers := 0
	for _, set := range []bool{n.interval > 0, !at.IsZero(), n.cal != nil} {
		if set {
			triggers++
		}
	}
	switch {
	case n.id == "", n.title == "" && n.body == "":
		return nil, abi.StatusBadArgument
	case triggers != 1:
		return nil, abi.StatusBadArgument // exactly one trigger
	case n.repeats && !at.IsZero():
		return nil, abi.StatusBadArgument // a date fires once; a repeating one is a calendar trigger
	case n.repeats && n.interval > 0 && n.interval < time.Minute:
		return nil, abi.StatusBadArgument // as iOS: a repeating trigger needs an interval of at least 60 s
	}
	switch {
	case n.interval > 0:
		at = now.Add(n.interval)
	case n.cal != nil:
		if at = n.cal.next(now); at.IsZero() {
			return nil, abi.StatusBadArgument // no date ever matches (February 30th)
		}
	}
	a.cancelNotification(n.id)
	a.pending[n.id] = n
	a.armNotification(n, at)
	a.rt.report(Decision{Time: now, App: a.id, Kind: policy.KindNotification, Verdict: policy.Scheduled, At: at, Rule: policy.RuleNotificationScheduled,
		Reason: fmt.Sprintf("notification %s scheduled for %s%s", n.id, whenPhrase(at, now), n.repeatPhrase())})
	return nil, abi.StatusOK
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

func (a *App) armNotification(n *notification, at time.Time) {
	n.ev = a.rt.sched.At(at, a.id+" notification "+n.id, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.closed || a.pending[n.id] != n {
			return
		}
		if n.repeats {
			now := a.rt.clock.Now()
			next := now.Add(n.interval)
			if n.cal != nil {
				next = n.cal.next(now)
			}
			a.armNotification(n, next)
		} else {
			delete(a.pending, n.id)
		}
		a.present(context.Background(), n)
	})
}

// present delivers a notification: to the app's delegate when it is
// frontmost and active, otherwise to the user, who may tap it later.
func (a *App) present(ctx context.Context, n *notification) {
	now := a.rt.clock.Now()
	if a.state == abi.StateActive && a.g.Running() {
		var w abi.Writer
		n.fields(&w)
		a.call(ctx, abi.EventNotificationWillPresent, w.Bytes())
		return
	}
	a.delivered = append(a.delivered, n)
	if len(a.delivered) > 64 {
		a.delivered = a.delivered[1:]
	}
	a.rt.report(Decision{Time: now, App: a.id, Kind: policy.KindNotification, Verdict: policy.Presented, Rule: policy.RuleNotificationPresented,
		Reason: fmt.Sprintf("notification %s presented to the user (the app is %v): %q", n.id, a.state, n.title)})
}

// cancelNotification carries out removePendingNotificationRequests.
func (a *App) cancelNotification(id string) bool {
	n, ok := a.pending[id]
	if ok {
		a.rt.sched.Cancel(n.ev)
		delete(a.pending, id)
	}
	return ok
}

func (a *App) cancelNotificationOp(args []byte) ([]byte, abi.Status) {
	r := abi.NewReader(args)
	for r.Next() {
		if v := r.Value(); v.Key == abi.FieldIdentifier {
			id, _ := v.Text()
			if !a.cancelNotification(id) {
				return nil, abi.StatusNotFound
			}
			return nil, abi.StatusOK
		}
	}
	return nil, abi.StatusBadArgument
}

// TapNotification is the user tapping a notification the app delivered
// (id "" means the latest) with an action (DefaultAction for a plain tap):
// the app is opened and its delegate gets notification_did_receive, with
// the action in the message field.
func (a *App) TapNotification(ctx context.Context, id, action string) error {
	a.mu.Lock()
	var n *notification
	for i := len(a.delivered) - 1; i >= 0; i-- {
		if id == "" || a.delivered[i].id == id {
			n = a.delivered[i]
			a.delivered = append(a.delivered[:i], a.delivered[i+1:]...)
			break
		}
	}
	a.mu.Unlock()
	switch {
	case n == nil && id == "":
		return fmt.Errorf("host: %s has no delivered notification to tap", a.id)
	case n == nil:
		return fmt.Errorf("host: %s has no delivered notification %q to tap", a.id, id)
	}
	if action == "" {
		action = DefaultAction
	}
	return a.bringForward(ctx, func() error {
		if err := a.foreground(ctx); err != nil && !a.g.Running() {
			return err
		}
		var w abi.Writer
		n.fields(&w)
		w.String(abi.FieldMessage, action)
		_, err := a.call(ctx, abi.EventNotificationDidReceive, w.Bytes())
		return err
	})
}
