package host

import (
	"context"
	"time"

	"github.com/watchbox/watchbox/abi"
)

// call delivers one event to the instance and returns the guest's status.
// A crash kills the instance. It must be called with the App's mutex held.
func (a *App) call(ctx context.Context, kind abi.EventKind, fields []byte) (Call, error) {
	res := a.g.Call(ctx, kind, fields, a.budget(kind))
	c := Call{App: a.id, Time: res.Start, Event: kind, ID: res.ID, Duration: res.Duration, Fuel: res.Fuel}
	if res.Crash != nil {
		crash := &CrashError{App: a.id, Event: kind, Termination: res.Crash.Termination, Reason: res.Crash.Reason, Fuel: res.Fuel}
		a.kill(ctx)
		a.crashes++
		c.Crash, c.Termination = crash.Reason, crash.Termination
		c.State = a.state
		a.record(c)
		return c, crash
	}
	c.Status = res.Status
	c.State = a.state
	var herr error
	if c.Status != abi.StatusOK && c.Status != abi.StatusUnhandled {
		c.Message = res.Message
		herr = &HandlerError{App: a.id, Event: kind, Status: c.Status, Message: c.Message}
	}
	a.record(c)
	return c, herr
}

// budget returns the time budget of a call of kind, from the profile.
func (a *App) budget(kind abi.EventKind) time.Duration {
	p := a.rt.rules.profile()
	switch kind {
	case abi.EventDidFinishLaunching:
		return p.LaunchTime.D()
	case abi.EventWillEnterForeground, abi.EventDidBecomeActive, abi.EventWillResignActive, abi.EventDidEnterBackground:
		return p.LifecycleTime.D()
	case abi.EventBackgroundTasks:
		return p.TaskTime.D()
	case abi.EventRemoteNotification:
		return p.PushRunTime.D()
	}
	return p.EventTime.D()
}

// requests answers the guest's requests for its App (guest.Handler).
type requests struct{ a *App }

func (h requests) Request(op abi.Op, args []byte) ([]byte, abi.Status) { return h.a.request(op, args) }

// request carries out one system request from the guest.
func (a *App) request(op abi.Op, args []byte) ([]byte, abi.Status) {
	switch op {
	case abi.OpScheduleBackgroundRefresh:
		return a.scheduleRefresh(args)
	case abi.OpScheduleSnapshotRefresh:
		return a.scheduleSnapshot(args)
	case abi.OpCompleteTask:
		return a.completeTask(args)
	case abi.OpCompleteSnapshotTask:
		return a.completeSnapshotTask(args)
	case abi.OpSendToPhone:
		return a.sendToPhone(args)
	case abi.OpStartDownload:
		return a.startDownload(args)
	case abi.OpUpdateComplication:
		return a.updateComplication(args)
	case abi.OpScheduleNotification:
		return a.scheduleNotification(args)
	case abi.OpCancelNotification:
		return a.cancelNotificationOp(args)
	case abi.OpAppInfo:
		var w abi.Writer
		w.String(abi.FieldBundleID, a.id)
		w.Int(abi.FieldAppState, int64(a.state))
		w.Int(abi.FieldLaunchCount, int64(a.launches))
		w.Bool(abi.FieldCold, a.cold)
		if a.manifest.Settings != nil {
			w.Blob(abi.FieldPayload, a.manifest.Settings)
		}
		return w.Bytes(), abi.StatusOK
	}
	return nil, abi.StatusUnsupported
}
