// Package snapshots is the snapshots feature: snapshots the app schedules
// (under the snapshot budget) and the ones the system takes of its own
// accord, for four reasons: the app left the foreground
// (app_backgrounded), it has been idle return_to_default_after since the
// user last interacted with it (return_to_default_state), its
// complication was updated by a push (complication_update), or the
// developer triggers one (any reason, prelaunch included; watchbox never
// prelaunches an app on its own). None of the system's costs snapshot
// budget. An app turns them off by completing a snapshot task with an
// expiration of "distant future".
package snapshots

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/system"
)

var policyReasons = map[abi.SnapshotReason]policy.SnapshotReason{
	abi.SnapshotAppBackgrounded:      policy.SnapshotAppBackgrounded,
	abi.SnapshotAppScheduled:         policy.SnapshotAppScheduled,
	abi.SnapshotComplicationUpdate:   policy.SnapshotComplicationUpdate,
	abi.SnapshotPrelaunch:            policy.SnapshotPrelaunch,
	abi.SnapshotReturnToDefaultState: policy.SnapshotReturnToDefaultState,
}

// Feature is one app's snapshots.
type Feature struct {
	a    *system.App
	off  bool   // the app turned automatic snapshots off
	info []byte // userInfo for the next snapshot task
}

// Register adds the snapshots feature to a: its ops, its hooks (a kill or
// the user's opening the app cancels the return_to_default_state
// snapshot; entering the background takes app_backgrounded), and the
// core's Snapshots service.
func Register(a *system.App) *Feature {
	f := &Feature{a: a}
	a.Features.Handle(abi.OpScheduleSnapshotRefresh, f.schedule)
	a.Features.Handle(abi.OpCompleteSnapshotTask, f.complete)
	a.Features.OnKill(f.cancelDefault) // a relaunch starts in its default state anyway
	a.Features.OnOpen(f.cancelDefault)
	a.Features.OnBackground(f.backgrounded)
	a.Features.Durable("snapshots", f.save, f.restore)
	a.Snapshots = f
	return f
}

// Valid reports whether reason is a snapshot reason the system knows.
func (f *Feature) Valid(reason abi.SnapshotReason) bool {
	_, ok := policyReasons[reason]
	return ok
}

// schedule carries out scheduleSnapshotRefresh from the guest: like a
// refresh, one pending per app, under the snapshot budget; when it runs
// the app gets a snapshot task (reason app_scheduled).
func (f *Feature) schedule(args []byte) ([]byte, abi.Status, string) {
	var m msg.ScheduleSnapshot
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	if res, st, why, ok := system.RefuseUserInfo(abi.OpScheduleSnapshotRefresh, m.UserInfo); !ok {
		return res, st, why
	}
	return system.Done(f.a.Schedule(m.Date, m.UserInfo, policy.Schedules.Snapshot, f.Schedule))
}

// Schedule sets the timer that delivers the pending snapshot at t (none
// when t is zero): a snapshot task for the app, reason app_scheduled,
// whether scheduleSnapshotRefresh or a task completed with a snapshot
// asked for it.
func (f *Feature) Schedule(t time.Time) {
	f.a.Timers.ArmDue("snapshot", "snapshot due", t, func(p *policy.Policy, f policy.Facts, now time.Time) (policy.Request, policy.Decision, bool) {
		return p.Schedules().SnapshotDue(f, now)
	}, func(req policy.Request) {
		if req.Snapshot == policy.SnapshotAppScheduled {
			info, _ := req.UserInfo.([]byte)
			f.a.Tasks.Deliver(context.Background(), []*system.Task{{Kind: abi.TaskSnapshot, Reason: abi.SnapshotAppScheduled, UserInfo: info}})
		}
	})
}

// Take decides a system snapshot for reason and, unless the rules delay
// it, delivers the snapshot task (waking or launching the app into the
// background). It reports whether the snapshot was delayed, and until
// when.
func (f *Feature) Take(ctx context.Context, reason abi.SnapshotReason) (time.Time, error) {
	a := f.a
	now := a.Env.Clock.Now()
	if f.off {
		a.Report(policy.Decision{Time: now, Kind: policy.KindSnapshot, Verdict: policy.Drop, Rule: policy.RuleSnapshotAutomaticOff,
			Reason: fmt.Sprintf("snapshot (%s) not taken: the app turned automatic snapshots off (its last snapshot expires in the distant future)", reason)})
		return time.Time{}, nil
	}
	d := a.Decide(func(p *policy.Policy, fa policy.Facts) policy.Decision {
		return p.SystemSnapshot(fa, policyReasons[reason], now)
	})
	if d.Verdict == policy.Delay {
		return d.At, nil
	}
	return time.Time{}, a.Tasks.Deliver(ctx, []*system.Task{{Kind: abi.TaskSnapshot, Reason: reason, UserInfo: f.TakeInfo()}})
}

// TakeInfo returns the userInfo the app left for its next snapshot task
// when it completed the last one, once.
func (f *Feature) TakeInfo() []byte {
	info := f.info
	f.info = nil
	return info
}

// backgrounded takes the app_backgrounded snapshot after the app entered
// the background, and arms its return_to_default_state snapshot.
func (f *Feature) backgrounded(ctx context.Context) error {
	f.armDefault(time.Time{}) // first: completing the snapshot may cancel it
	_, err := f.Take(ctx, abi.SnapshotAppBackgrounded)
	return err
}

// armDefault arms the return_to_default_state snapshot: at t, or when
// return_to_default_after has passed since the user's last interaction
// when t is zero. A new interaction cancels it (foreground); leaving the
// foreground arms it again.
func (f *Feature) armDefault(t time.Time) {
	a := f.a
	f.cancelDefault()
	if f.off || a.LastInteraction().IsZero() {
		return
	}
	if t.IsZero() {
		a.Env.Rules.Ask(func(p *policy.Policy) { t = p.ReturnToDefaultAt(a.Facts()) })
	}
	a.Timers.Set("default", t, "return to default", func() {
		if a.Life.Frontmost() {
			return // frontmost: leaving the foreground arms it again
		}
		if at, _ := f.Take(context.Background(), abi.SnapshotReturnToDefaultState); !at.IsZero() {
			f.armDefault(at)
		}
	})
}

func (f *Feature) cancelDefault() { f.a.Timers.Stop("default") }

// distantFuture is the first expiration that counts as Foundation's
// distantFuture: later than any date an int64 of nanoseconds can hold
// less one second (abi.DistantFuture is the exact value SDKs send).
const distantFuture = math.MaxInt64 - int64(time.Second)

// complete carries out
// setTaskCompleted(restoredDefaultState:estimatedSnapshotExpiration:userInfo:)
// from the guest for a snapshot task: userInfo goes to the next snapshot
// task; restoredDefaultState cancels the pending return_to_default_state
// snapshot; the expiration schedules the next snapshot then (as
// scheduleSnapshotRefresh would), or, when it is abi.DistantFuture, turns
// automatic snapshots off until a later completion names a real date.
func (f *Feature) complete(args []byte) ([]byte, abi.Status, string) {
	var m msg.CompleteSnapshotTask
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	id, restored, expires, info := m.TaskID, m.RestoredDefaultState, m.Expiration, m.UserInfo
	a := f.a
	t, ok := a.Tasks.Open(id)
	if !ok {
		return system.Refuse(abi.OpCompleteSnapshotTask, abi.StatusNotFound, "task %d is not open", id)
	}
	if t.Kind != abi.TaskSnapshot {
		return system.Refuse(abi.OpCompleteSnapshotTask, abi.StatusBadArgument,
			"task %d is of kind %v, not a snapshot task: complete it with complete_task", id, t.Kind)
	}
	if res, st, why, ok := system.RefuseUserInfo(abi.OpCompleteSnapshotTask, info); !ok {
		return res, st, why
	}
	now := a.Now()
	a.Tasks.Finish(id, now, policy.RuleTaskCompleted, fmt.Sprintf("%v task %d (%v) completed after %s (restored default state: %v)",
		t.Kind, id, t.Reason, now.Sub(t.Delivered), restored))
	if restored && a.Timers.Armed("default") {
		f.cancelDefault()
		a.Report(policy.Decision{Time: now, Kind: policy.KindSnapshot, Verdict: policy.Drop, Rule: policy.RuleSnapshotDefaultRestored,
			Reason: fmt.Sprintf("snapshot (%s) not needed: the app restored its default state", policy.SnapshotReturnToDefaultState)})
	}
	switch {
	case expires >= distantFuture:
		if !f.off {
			f.off = true
			f.cancelDefault()
			a.Report(policy.Decision{Time: now, Kind: policy.KindSnapshot, Verdict: policy.Drop, Rule: policy.RuleSnapshotAutomaticOff,
				Reason: "automatic snapshots turned off: the snapshot expires in the distant future"})
		}
	case expires > 0:
		if f.off {
			f.off = false
			a.Report(policy.Decision{Time: now, Kind: policy.KindSnapshot, Verdict: policy.Run, Rule: policy.RuleSnapshotAutomaticOn,
				Reason: "automatic snapshots turned on again: the snapshot has an expiration date"})
		}
		at := time.Unix(0, expires).UTC()
		if at.After(now) {
			// The scheduled snapshot carries the userInfo.
			a.Schedule(expires, info, policy.Schedules.Snapshot, f.Schedule)
			info = nil
		}
	}
	if info != nil {
		f.info = info // for the next snapshot task, whatever its reason
	}
	a.Life.Settle()
	return system.Done(nil)
}
