package host

import (
	"context"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/system/tasks"
)

// Tasks is an app's background tasks, as the system forces and expires
// them: what `watchbox trigger`, `expire` and scenario files do. Get it
// with App.Tasks.
type Tasks struct{ a *App }

// Tasks returns the app's background tasks.
func (a *App) Tasks() Tasks { return Tasks{a} }

// ForcedTask is a background task to force with Tasks.Force.
type ForcedTask = tasks.Forced

// ErrNoOpenTask is returned by Tasks.Expire when the app has no background
// task open.
var ErrNoOpenTask = tasks.ErrNoOpenTask

// Trigger forces a background task of kind on the app now, whatever its
// budgets, as `watchbox trigger` and scenario files do. userInfo is the
// task's payload (may be nil). The app is launched or woken into the
// background if needed.
func (t Tasks) Trigger(ctx context.Context, kind abi.TaskKind, userInfo []byte) error {
	return t.Force(ctx, ForcedTask{Kind: kind, UserInfo: userInfo})
}

// Force forces the background task f on the app now, whatever its
// budgets; the app is launched or woken into the background if needed.
func (t Tasks) Force(ctx context.Context, f ForcedTask) error {
	what, err := t.a.tasks.Check(&f)
	if err != nil {
		return err
	}
	return t.a.locked(func() error { return t.a.tasks.Trigger(ctx, f, what) })
}

// Snapshot forces a snapshot task with reason on the app now, whatever
// its budgets, as `trigger snapshot REASON` does; the app is launched or
// woken into the background if needed.
func (t Tasks) Snapshot(ctx context.Context, reason abi.SnapshotReason) error {
	return t.Force(ctx, ForcedTask{Kind: abi.TaskSnapshot, Reason: reason})
}

// Expire makes the app's open background tasks of kind (0: every kind)
// expire now, as Xcode's "simulate background task expiration" does: each
// task's expiration handler (task_will_expire) runs at once, and a task
// still open task_warning later gets the app killed as at a missed
// deadline (0x2182bad2). It returns ErrNoOpenTask when no such task is
// open.
func (t Tasks) Expire(ctx context.Context, kind abi.TaskKind) error {
	return t.a.locked(func() error { return t.a.tasks.Expire(ctx, kind) })
}
