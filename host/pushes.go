package host

import (
	"context"
	"errors"
	"fmt"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/push"
)

// Push delivers a remote push to the app, as APNs would (or xcrun simctl
// push). An alert push is presented to a frontmost, active app's delegate
// (notification_will_present) and otherwise shown to the user; a
// content-available push runs the app in the background for push_run_time,
// throttled to background_pushes_per_hour (held, newest wins); a PushKit
// complication push runs only while the app's complication is on the active
// face, within complication_pushes_per_day, and is followed by a
// complication-update snapshot. Every decision is reported.
func (a *App) Push(ctx context.Context, p *push.Push) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.rt.clock.Now()
	switch p.Type {
	case push.TypeAlert:
		a.pushes++
		a.present(ctx, &notification{id: fmt.Sprintf("push-%d", a.pushes), title: p.Alert.Title, body: p.Alert.Body,
			category: p.Category, userInfo: p.UserInfo})
		return nil
	case push.TypeBackground:
		d := a.rt.rules.decide(func(pol *policy.Policy) policy.Decision { return pol.BackgroundPush(a.facts(), p, now) })
		switch d.Verdict {
		case policy.Run:
			return a.runPush(ctx, abi.EventRemoteNotification, p)
		case policy.Throttle:
			a.armPush(d)
		}
		return nil
	case push.TypeComplication:
		d := a.rt.rules.decide(func(pol *policy.Policy) policy.Decision { return pol.ComplicationPush(a.facts(), now) })
		if d.Verdict != policy.Run {
			return nil
		}
		err := a.runPush(ctx, abi.EventComplicationPush, p)
		if d.Snapshot != "" && a.g.Running() {
			_, serr := a.systemSnapshot(ctx, abi.SnapshotComplicationUpdate)
			err = errors.Join(err, serr)
		}
		return err
	}
	return fmt.Errorf("host: push of unknown type %q", p.Type)
}

// runPush wakes (or launches) the app into the background and delivers a
// push event with its payload.
func (a *App) runPush(ctx context.Context, kind abi.EventKind, p *push.Push) error {
	if err := a.wake(ctx); err != nil {
		return err
	}
	var w abi.Writer
	w.Blob(abi.FieldPayload, p.Raw)
	w.Blob(abi.FieldUserInfo, p.UserInfo)
	_, err := a.call(ctx, kind, w.Bytes())
	a.settle()
	return err
}

// armPush holds a throttled background push until the decision's time.
func (a *App) armPush(d policy.Decision) {
	a.arm(&a.pushEv, "held push due", d.At, (*policy.Policy).PushDue, func(req policy.Request) {
		if p, ok := req.UserInfo.(*push.Push); ok {
			a.runPush(context.Background(), abi.EventRemoteNotification, p)
		}
	})
}
