package host

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// System snapshots. The system asks an app for a snapshot of its own
// accord for four reasons: the app left the foreground (app_backgrounded),
// it has been idle return_to_default_after since the user last interacted
// with it (return_to_default_state), its complication was updated by a
// push (complication_update), or the developer triggers one (any reason,
// prelaunch included; watchbox never prelaunches an app on its own). None
// of them costs snapshot budget. An app turns them off by completing a
// snapshot task with an expiration of "distant future".

var policyReasons = map[abi.SnapshotReason]policy.SnapshotReason{
	abi.SnapshotAppBackgrounded:      policy.SnapshotAppBackgrounded,
	abi.SnapshotAppScheduled:         policy.SnapshotAppScheduled,
	abi.SnapshotComplicationUpdate:   policy.SnapshotComplicationUpdate,
	abi.SnapshotPrelaunch:            policy.SnapshotPrelaunch,
	abi.SnapshotReturnToDefaultState: policy.SnapshotReturnToDefaultState,
}

// systemSnapshot decides a system snapshot for reason and, unless the rules
// delay it, delivers the snapshot task (waking or launching the app into
// the background). It reports whether the snapshot was delayed, and until
// when. It must be called with the mutex held.
func (a *App) systemSnapshot(ctx context.Context, reason abi.SnapshotReason) (time.Time, error) {
	now := a.rt.clock.Now()
	if a.snapshotsOff {
		a.rt.report(Decision{Time: now, App: a.id, Kind: policy.KindSnapshot, Verdict: policy.Drop, Rule: policy.RuleSnapshotAutomaticOff,
			Reason: fmt.Sprintf("snapshot (%s) not taken: the app turned automatic snapshots off (its last snapshot expires in the distant future)", reason)})
		return time.Time{}, nil
	}
	d := a.rt.rules.decide(func(p *policy.Policy) policy.Decision { return p.SystemSnapshot(a.facts(), policyReasons[reason], now) })
	if d.Verdict == policy.Delay {
		return d.At, nil
	}
	return time.Time{}, a.deliverTasks(ctx, []*bgTask{{kind: abi.TaskSnapshot, reason: reason, userInfo: a.takeSnapshotInfo()}})
}

// takeSnapshotInfo returns the userInfo the app left for its next snapshot
// task when it completed the last one, once.
func (a *App) takeSnapshotInfo() []byte {
	info := a.snapshotInfo
	a.snapshotInfo = nil
	return info
}

// TriggerSnapshot forces a snapshot task with reason on the app now,
// whatever its budgets, as `trigger snapshot REASON` does; the app is
// launched or woken into the background if needed.
func (a *App) TriggerSnapshot(ctx context.Context, reason abi.SnapshotReason) error {
	return a.TriggerTask(ctx, ForcedTask{Kind: abi.TaskSnapshot, Reason: reason})
}

// backgrounded takes the app_backgrounded snapshot after the app entered the
// background, and arms its return_to_default_state snapshot.
func (a *App) backgrounded(ctx context.Context) error {
	a.armDefault(time.Time{}) // first: completing the snapshot may cancel it
	_, err := a.systemSnapshot(ctx, abi.SnapshotAppBackgrounded)
	return err
}

// armDefault arms the return_to_default_state snapshot: at t, or when
// return_to_default_after has passed since the user's last interaction
// when t is zero. A new interaction cancels it (foreground); leaving the
// foreground arms it again.
func (a *App) armDefault(t time.Time) {
	a.cancelDefault()
	if a.snapshotsOff || a.lastInteraction.IsZero() {
		return
	}
	if t.IsZero() {
		a.rt.rules.ask(func(p *policy.Policy) { t = p.ReturnToDefaultAt(a.facts()) })
	}
	a.defaultEv = a.rt.sched.At(t, a.id+" return to default", func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.defaultEv = nil
		if a.closed || a.state == abi.StateActive || a.state == abi.StateInactive {
			return // frontmost: leaving the foreground arms it again
		}
		if at, _ := a.systemSnapshot(context.Background(), abi.SnapshotReturnToDefaultState); !at.IsZero() {
			a.armDefault(at)
		}
	})
}

func (a *App) cancelDefault() {
	if a.defaultEv != nil {
		a.rt.sched.Cancel(a.defaultEv)
		a.defaultEv = nil
	}
}

// distantFuture is the first expiration that counts as Foundation's
// distantFuture: later than any date an int64 of nanoseconds can hold
// less one second (abi.DistantFuture is the exact value SDKs send).
const distantFuture = math.MaxInt64 - int64(time.Second)

// completeSnapshotTask carries out
// setTaskCompleted(restoredDefaultState:estimatedSnapshotExpiration:userInfo:)
// from the guest for a snapshot task: userInfo goes to the next snapshot
// task; restoredDefaultState cancels the pending return_to_default_state
// snapshot; the expiration schedules the next snapshot then (as
// scheduleSnapshotRefresh would), or, when it is abi.DistantFuture, turns
// automatic snapshots off until a later completion names a real date.
func (a *App) completeSnapshotTask(args []byte) ([]byte, abi.Status) {
	var id, expires int64
	var restored bool
	var info []byte
	r := abi.NewReader(args)
	for r.Next() {
		v := r.Value()
		var err error
		switch v.Key {
		case abi.FieldTaskID:
			id, err = v.Int()
		case abi.FieldRestoredDefaultState:
			restored, err = v.Bool()
		case abi.FieldDate:
			expires, err = v.Int()
		case abi.FieldUserInfo:
			var b []byte
			b, err = v.Blob()
			info = append([]byte(nil), b...)
		}
		if err != nil {
			return nil, abi.StatusBadArgument
		}
	}
	t, ok := a.tasks[id]
	if !ok {
		return nil, abi.StatusNotFound
	}
	if t.kind != abi.TaskSnapshot {
		return nil, abi.StatusBadArgument
	}
	now := a.now()
	a.finishTask(t, now, policy.RuleTaskCompleted, fmt.Sprintf("%v task %d (%v) completed after %s (restored default state: %v)",
		t.kind, id, t.reason, now.Sub(t.times.Delivered), restored))
	if restored && a.defaultEv != nil {
		a.cancelDefault()
		a.rt.report(Decision{Time: now, App: a.id, Kind: policy.KindSnapshot, Verdict: policy.Drop, Rule: policy.RuleSnapshotDefaultRestored,
			Reason: fmt.Sprintf("snapshot (%s) not needed: the app restored its default state", policy.SnapshotReturnToDefaultState)})
	}
	switch {
	case expires >= distantFuture:
		if !a.snapshotsOff {
			a.snapshotsOff = true
			a.cancelDefault()
			a.rt.report(Decision{Time: now, App: a.id, Kind: policy.KindSnapshot, Verdict: policy.Drop, Rule: policy.RuleSnapshotAutomaticOff,
				Reason: "automatic snapshots turned off: the snapshot expires in the distant future"})
		}
	case expires > 0:
		if a.snapshotsOff {
			a.snapshotsOff = false
			a.rt.report(Decision{Time: now, App: a.id, Kind: policy.KindSnapshot, Verdict: policy.Run, Rule: policy.RuleSnapshotAutomaticOn,
				Reason: "automatic snapshots turned on again: the snapshot has an expiration date"})
		}
		at := time.Unix(0, expires).UTC()
		if at.After(now) {
			// The scheduled snapshot carries the userInfo.
			var w abi.Writer
			w.Int(abi.FieldDate, expires)
			if info != nil {
				w.Blob(abi.FieldUserInfo, info)
			}
			a.scheduleSnapshot(w.Bytes())
			info = nil
		}
	}
	if info != nil {
		a.snapshotInfo = info // for the next snapshot task, whatever its reason
	}
	a.settle()
	return nil, abi.StatusOK
}
