// Package tasks is the background tasks feature: the set of tasks open in
// an app, their delivery in one background_tasks event, their completion,
// the expiration warning and the kill at the deadline, forced triggers and
// expiries, and app-scheduled background refreshes.
package tasks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/system"
)

// Feature is one app's background tasks.
type Feature struct {
	a    *system.App
	open map[int64]*task // open background tasks
	next int64
}

// task is a background task delivered to an app and not yet completed.
type task struct {
	system.Task
	id     int64
	times  policy.TaskTimes
	forced bool // Expire moved its deadline
}

// record is t as a task record of the background_tasks event.
func (t *task) record() msg.Task {
	return msg.Task{ID: t.id, Kind: t.Kind, UserInfo: t.UserInfo, Reason: t.Reason,
		Session: t.Session, StatusCode: int64(t.Status), File: t.File, Error: t.Err,
		ContentPending: t.ContentPending, ErrorCode: t.ErrorCode}
}

// warnTimer and endTimer name an open task's two timers.
func (t *task) warnTimer() string { return fmt.Sprintf("task %d warning", t.id) }
func (t *task) endTimer() string  { return fmt.Sprintf("task %d deadline", t.id) }

// Register adds the tasks feature to a: its ops, its kill hook, and the
// core's Tasks service.
func Register(a *system.App) *Feature {
	f := &Feature{a: a, open: map[int64]*task{}}
	a.Features.Handle(abi.OpScheduleBackgroundRefresh, f.scheduleRefresh)
	a.Features.Handle(abi.OpCompleteTask, f.complete)
	a.Features.OnKill(f.drop) // a task is never delivered again (dropped.go)
	a.Features.Durable("tasks", f.save, f.restore)
	a.Tasks = f
	return f
}

// scheduleRefresh carries out scheduleBackgroundRefresh from the guest: one
// pending refresh per app, delivered at its due time if the rules allow.
func (f *Feature) scheduleRefresh(args []byte) ([]byte, abi.Status, string) {
	var m msg.ScheduleRefresh
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	if res, st, why, ok := system.RefuseUserInfo(abi.OpScheduleBackgroundRefresh, m.UserInfo); !ok {
		return res, st, why
	}
	return system.Done(f.a.Schedule(m.Date, m.UserInfo, policy.Schedules.Refresh, f.armRefresh))
}

// armRefresh sets the timer that delivers the pending refresh at t (none
// when t is zero), replacing any earlier one.
func (f *Feature) armRefresh(t time.Time) {
	f.a.Timers.ArmDue("refresh", "refresh due", t, func(p *policy.Policy, f policy.Facts, now time.Time) (policy.Request, policy.Decision, bool) {
		return p.Schedules().RefreshDue(f, now)
	}, func(req policy.Request) {
		info, _ := req.UserInfo.([]byte)
		f.Deliver(context.Background(), []*system.Task{{Kind: abi.TaskApplicationRefresh, UserInfo: info}})
	})
}

// Forced is a background task to force with Trigger.
type Forced struct {
	Kind     abi.TaskKind
	UserInfo []byte
	// Reason is a snapshot task's reason (default app_scheduled).
	Reason abi.SnapshotReason
	// Session is a URL session task's identifier; the task says no
	// download finished (status 0 and an error).
	Session string
}

// Check validates a forced task before anything is locked, and returns
// what the task is called in the decision that reports it.
func (f *Feature) Check(t *Forced) (string, error) {
	if t.Kind < abi.TaskApplicationRefresh || t.Kind > abi.TaskRelevantShortcut {
		return "", fmt.Errorf("host: unknown task kind %d", t.Kind)
	}
	if len(t.UserInfo) > system.MaxPayload {
		return "", fmt.Errorf("host: the task's userInfo is %d bytes; at most %d fit in one event", len(t.UserInfo), system.MaxPayload)
	}
	what := t.Kind.String()
	switch t.Kind {
	case abi.TaskSnapshot:
		if t.Reason == 0 {
			t.Reason = abi.SnapshotAppScheduled
		}
		if !f.a.Snapshots.Valid(t.Reason) {
			return "", fmt.Errorf("host: unknown snapshot reason %d", t.Reason)
		}
		what += " (" + t.Reason.String() + ")"
	case abi.TaskURLSession:
		if t.Session != "" {
			if !abi.ValidSessionID(t.Session) {
				return "", fmt.Errorf("host: %q is not a URL session identifier (letters, digits, '-', '_', '.')", t.Session)
			}
			what += " " + t.Session
		}
	}
	return what, nil
}

// Trigger forces the background task t, checked by Check and named what,
// on the app now, whatever its budgets. The app's lock must be held.
func (f *Feature) Trigger(ctx context.Context, t Forced, what string) error {
	bt := &system.Task{Kind: t.Kind, UserInfo: t.UserInfo}
	switch t.Kind {
	case abi.TaskSnapshot:
		bt.Reason = t.Reason
	case abi.TaskURLSession:
		if t.Session != "" {
			bt.Session, bt.Err = t.Session, "forced by the developer: no download finished"
		}
	}
	now := f.a.Env.Clock.Now()
	f.a.Report(policy.Decision{Time: now, Kind: policy.KindTask, Verdict: policy.Run, At: now, Rule: policy.RuleTrigger,
		Reason: fmt.Sprintf("%s task triggered by the developer", what)})
	if bt.Kind == abi.TaskSnapshot && bt.UserInfo == nil {
		bt.UserInfo = f.a.Snapshots.TakeInfo()
	}
	return f.Deliver(ctx, []*system.Task{bt})
}

// Deliver hands tasks to the app in one background_tasks event, launching
// or waking it into the background first, and arms each task's expiration
// warning and deadline. Each open task holds the app awake.
func (f *Feature) Deliver(ctx context.Context, tasks []*system.Task) error {
	a := f.a
	if err := a.Life.Wake(ctx); err != nil {
		return err
	}
	now := a.Env.Clock.Now()
	var times policy.TaskTimes
	a.Env.Rules.Ask(func(p *policy.Policy) { times = p.TaskTimes(policy.KindRefresh, now) })
	var ev msg.BackgroundTasks
	opened := make([]*task, len(tasks))
	for i, st := range tasks {
		f.next++
		t := &task{Task: *st, id: f.next, times: times}
		opened[i] = t
		f.open[t.id] = t
		a.Holds.Hold()
		ev.Tasks = append(ev.Tasks, t.record())
		id := t.id
		a.Timers.Set(t.warnTimer(), t.times.Warning, "task warning", func() { f.warning(id) })
		a.Timers.Set(t.endTimer(), t.times.Deadline, "task deadline", func() { f.deadline(id) })
	}
	c, err := a.Call(ctx, abi.EventBackgroundTasks, ev.Encode(nil))
	f.completeUnhandled(c, opened)
	a.Life.Settle()
	return err
}

// completeUnhandled completes the tasks of a background_tasks event the
// app did not handle: with no handler the system completes them itself
// (no snapshot), as the default handle(_:) does, rather than kill the app.
func (f *Feature) completeUnhandled(c system.Call, tasks []*task) {
	if c.Status != abi.StatusUnhandled || !f.a.Guest.Running() {
		return
	}
	now := f.a.Now()
	for _, t := range tasks {
		if _, open := f.open[t.id]; open {
			f.finish(t, now, policy.RuleTaskUnhandled, fmt.Sprintf("%v task %d completed by the system: the app has no background task handler", t.Kind, t.id))
		}
	}
}

// Redeliver hands every open task again, in one background_tasks event
// with the same ids, to an instance that never saw them: the new version
// of a hot reload that started cold (it did not take the old version's
// state, so it cannot know which tasks the old one held). Each task keeps
// its delivery time, warning and deadline: the system gave it its run
// time when it first delivered it, and a reload adds none; nothing is
// counted against a budget again, and the task still holds the app awake
// once. A task whose expiration warning already went to the old version
// gets it again, after the event. Each one is reported (rule
// task.redelivered). It returns how many tasks were delivered again. The
// app's lock must be held.
func (f *Feature) Redeliver(ctx context.Context) (int, error) {
	a := f.a
	if len(f.open) == 0 || !a.Guest.Running() {
		return 0, nil
	}
	ids := make([]int64, 0, len(f.open))
	for id := range f.open {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	now := a.Env.Clock.Now()
	var ev msg.BackgroundTasks
	tasks := make([]*task, len(ids))
	for i, id := range ids {
		t := f.open[id]
		tasks[i] = t
		ev.Tasks = append(ev.Tasks, t.record())
		a.Report(policy.Decision{Time: now, Kind: policy.KindTask, Verdict: policy.Run, At: t.times.Deadline, Rule: policy.RuleTaskRedelivered,
			Reason: fmt.Sprintf("%v task %d delivered again: the new version from a hot reload started cold and never saw it; its deadline stays %s (%s left)",
				t.Kind, id, t.times.Deadline.UTC().Format("15:04:05"), max(t.times.Deadline.Sub(now), 0).Round(time.Millisecond))})
	}
	c, err := a.Call(ctx, abi.EventBackgroundTasks, ev.Encode(nil))
	f.completeUnhandled(c, tasks)
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	for _, t := range tasks {
		// The old version was warned: the new one is too.
		if _, open := f.open[t.id]; !open || !a.Guest.Running() || t.times.Warning.IsZero() || (now.Before(t.times.Warning) && !t.forced) {
			continue
		}
		if _, err := a.Call(ctx, abi.EventTaskWillExpire, msg.TaskWillExpire{TaskID: t.id}.Encode(nil)); err != nil {
			errs = append(errs, err)
		}
	}
	a.Life.Settle()
	return len(tasks), errors.Join(errs...)
}

// Open returns the open task id.
func (f *Feature) Open(id int64) (system.OpenTask, bool) {
	t, ok := f.open[id]
	if !ok {
		return system.OpenTask{}, false
	}
	return system.OpenTask{ID: id, Kind: t.Kind, Reason: t.Reason, Delivered: t.times.Delivered}, true
}

// Running returns how many tasks are open and the earliest of their
// deadlines (zero when none is open).
func (f *Feature) Running() (n int, deadline time.Time) {
	for _, t := range f.open {
		if deadline.IsZero() || t.times.Deadline.Before(deadline) {
			deadline = t.times.Deadline
		}
	}
	return len(f.open), deadline
}

// Finish closes the open task id and reports it under rule.
func (f *Feature) Finish(id int64, now time.Time, rule, reason string) {
	if t, ok := f.open[id]; ok {
		f.finish(t, now, rule, reason)
	}
}

// complete carries out setTaskCompletedWithSnapshot from the guest.
func (f *Feature) complete(args []byte) ([]byte, abi.Status, string) {
	var m msg.CompleteTask
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	id, snapshot := m.TaskID, m.Snapshot
	t, ok := f.open[id]
	if !ok {
		return system.Refuse(abi.OpCompleteTask, abi.StatusNotFound, "task %d is not open", id)
	}
	a := f.a
	now := a.Now()
	f.finish(t, now, policy.RuleTaskCompleted, fmt.Sprintf("%v task %d completed after %s (snapshot: %v)", t.Kind, id, now.Sub(t.times.Delivered), snapshot))
	if snapshot {
		// An app-scheduled snapshot task, due now or when the budget has
		// room; it replaced any pending snapshot request, so the timer is
		// re-armed (or, when dropped, stopped).
		d := a.Decide(func(p *policy.Policy, fa policy.Facts) policy.Decision { return p.CompletionSnapshot(fa, now) })
		a.Snapshots.Schedule(d.At)
	}
	a.Life.Settle()
	return system.Done(nil)
}

// finish closes an open task and reports it with reason.
func (f *Feature) finish(t *task, now time.Time, rule, reason string) {
	f.a.Timers.Stop(t.warnTimer())
	f.a.Timers.Stop(t.endTimer())
	delete(f.open, t.id)
	f.a.Holds.Release()
	f.a.Report(policy.Decision{Time: now, Kind: policy.KindTask, Verdict: policy.Completed, Rule: rule, Reason: reason})
	if len(f.open) == 0 {
		f.a.Features.TasksDone()
	}
}

// warning runs on a timer shortly before an open task's deadline: the
// app's expiration handler.
func (f *Feature) warning(id int64) {
	a := f.a
	if _, open := f.open[id]; !open || !a.Guest.Running() {
		return
	}
	a.Call(context.Background(), abi.EventTaskWillExpire, msg.TaskWillExpire{TaskID: id}.Encode(nil))
}

// ErrNoOpenTask is returned by Expire when the app has no background task
// open.
var ErrNoOpenTask = errors.New("host: the app has no open background task to expire")

// Expire makes the app's open background tasks of kind (0: every kind)
// expire now: each task's expiration handler runs at once, and a task
// still open task_warning later gets the app killed as at a missed
// deadline. It returns ErrNoOpenTask when no task is open. The app's lock
// must be held.
func (f *Feature) Expire(ctx context.Context, kind abi.TaskKind) error {
	a := f.a
	ids := make([]int64, 0, len(f.open))
	for id, t := range f.open {
		if kind == 0 || t.Kind == kind {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || !a.Guest.Running() {
		return ErrNoOpenTask
	}
	slices.Sort(ids)
	now := a.Env.Clock.Now()
	grace := a.Env.Rules.Profile().TaskWarning.D()
	var errs []error
	for _, id := range ids {
		t, open := f.open[id]
		if !open || !a.Guest.Running() {
			continue
		}
		a.Timers.Stop(t.warnTimer())
		a.Timers.Stop(t.endTimer())
		t.forced = true
		t.times.Deadline = now.Add(grace)
		a.Timers.Set(t.endTimer(), t.times.Deadline, "task deadline", func() { f.deadline(id) })
		a.Report(policy.Decision{Time: now, Kind: policy.KindTask, Verdict: policy.Expire, At: t.times.Deadline, Rule: policy.RuleTaskExpireForced,
			Reason: fmt.Sprintf("%v task %d forced to expire by the developer: expiration handler now, deadline %s later", t.Kind, id, grace)})
		if _, err := a.Call(ctx, abi.EventTaskWillExpire, msg.TaskWillExpire{TaskID: id}.Encode(nil)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// policyKind is the policy's kind of a background task of kind k, so that
// a decision about the task (its kill at the deadline) names it: an
// application refresh is the policy's refresh, a snapshot its snapshot,
// and every other kind keeps its own name (url_session,
// watch_connectivity, bluetooth_alert, ...).
func policyKind(k abi.TaskKind) policy.Kind {
	switch k {
	case abi.TaskApplicationRefresh:
		return policy.KindRefresh
	case abi.TaskSnapshot:
		return policy.KindSnapshot
	}
	return policy.Kind(k.String())
}

// deadline runs on a timer at an open task's deadline: the app is killed
// (watchOS's 0x2182bad2).
func (f *Feature) deadline(id int64) {
	a := f.a
	t, open := f.open[id]
	if !open {
		return
	}
	now := a.Env.Clock.Now()
	if t.forced {
		a.Report(policy.Decision{Time: now, Kind: policy.KindTask, Verdict: policy.Kill, At: t.times.Deadline, Rule: policy.RuleTaskDeadline,
			Reason: fmt.Sprintf("killed: %v task %d not completed by its forced expiry at %s (%s background task not finished in time)",
				t.Kind, id, t.times.Deadline.UTC().Format("15:04:05"), policy.CodeTaskNotFinished)})
	} else {
		kind := policyKind(t.Kind)
		a.Env.Rules.Decide(func(p *policy.Policy) policy.Decision {
			d, _ := p.TaskExpired(a.ID, kind, t.times.Delivered, now)
			return d
		})
	}
	f.forget(t) // its kill is the decision above; other open tasks are dropped with the instance
	a.Crashes.MissedDeadline(now, abi.EventBackgroundTasks, fmt.Sprintf("%v task %d not completed in time", t.Kind, id))
}
