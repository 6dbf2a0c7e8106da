package host

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/sched"
)

// Decision is one decision of the system about an app's request, with the
// rule and numbers that decided it: what a developer reads to learn why a
// task did or did not run. Every rule and rule id is in the policy package.
type Decision = policy.Decision

// bgTask is a background task delivered to an app and not yet completed.
type bgTask struct {
	id        int64
	kind      abi.TaskKind
	reason    abi.SnapshotReason // for a snapshot task
	userInfo  []byte
	session   string // URL session: identifier, HTTP status, file or error
	status    int
	file, err string
	times     policy.TaskTimes
	forced    bool // Expire moved its deadline
	warn, end *sched.Event
}

// maxDecisions bounds the runtime's decision log; older decisions are
// forgotten first.
const maxDecisions = 10000

func (r *Runtime) report(d Decision) {
	d = d.Reported()
	r.decMu.Lock()
	if len(r.decisions) >= maxDecisions {
		r.decisions = append(r.decisions[:0], r.decisions[len(r.decisions)-maxDecisions/2:]...)
	}
	r.decisions = append(r.decisions, d)
	r.decMu.Unlock()
	r.log.Info().Str("app", d.App).Str("kind", d.Kind).Str("verdict", d.Verdict).Str("rule", d.Rule).Msg(d.Reason)
	if f := r.cfg.OnDecision; f != nil {
		f(d)
	}
}

// Why returns every decision the system made about the app, oldest first:
// scheduled, delayed, dropped and killed requests with the rule and numbers
// that decided them.
func (a *App) Why() []Decision {
	a.rt.decMu.Lock()
	defer a.rt.decMu.Unlock()
	var out []Decision
	for _, d := range a.rt.decisions {
		if d.App == a.id {
			out = append(out, d)
		}
	}
	return out
}

// SetComplicationActive says whether one of the app's complications is on
// the active watch face, which sets its refresh budget. It starts as the
// manifest's complication key.
func (a *App) SetComplicationActive(on bool) {
	a.mu.Lock()
	a.complication = on
	a.mu.Unlock()
}

// facts are what the policy needs to know of the app now.
func (a *App) facts() policy.Facts {
	return policy.Facts{
		App:                a.id,
		Frontmost:          a.state == abi.StateActive || a.state == abi.StateInactive,
		ComplicationActive: a.complication,
		LastInteraction:    a.lastInteraction,
	}
}

// scheduleRefresh carries out scheduleBackgroundRefresh from the guest: one
// pending refresh per app, delivered at its due time if the rules allow.
func (a *App) scheduleRefresh(args []byte) ([]byte, abi.Status) {
	return a.schedule(args, (*policy.Policy).ScheduleRefresh, a.armRefresh)
}

// scheduleSnapshot carries out scheduleSnapshotRefresh from the guest: like
// a refresh, one pending per app, under the snapshot budget; when it runs
// the app gets a snapshot task (reason app_scheduled).
func (a *App) scheduleSnapshot(args []byte) ([]byte, abi.Status) {
	return a.schedule(args, (*policy.Policy).ScheduleSnapshot, a.armSnapshot)
}

// scheduleRule is a policy rule that places an app's schedule request.
type scheduleRule func(p *policy.Policy, f policy.Facts, preferred time.Time, userInfo any, now time.Time) policy.Decision

// schedule decides a schedule request with rule and arms its delivery (or
// cancels the pending one when the request will not run). The result says
// the decision in words and, unless it was dropped, when it will run.
func (a *App) schedule(args []byte, rule scheduleRule, arm func(time.Time)) ([]byte, abi.Status) {
	preferred, userInfo, status := scheduleArgs(args)
	if status != abi.StatusOK {
		return nil, status
	}
	now := a.now()
	d := a.rt.rules.decide(func(p *policy.Policy) policy.Decision {
		return rule(p, a.facts(), preferred, userInfo, now)
	})
	var w abi.Writer
	w.String(abi.FieldMessage, d.Reason)
	switch d.Verdict {
	case policy.Scheduled, policy.Delay:
		arm(d.At)
		w.Int(abi.FieldDate, d.At.UnixNano())
	default:
		arm(time.Time{})
	}
	return w.Bytes(), abi.StatusOK
}

// scheduleArgs reads the date and user info of a schedule request. The
// system's timers have a resolution of one second: a date inside a second
// means the end of it.
func scheduleArgs(args []byte) (time.Time, []byte, abi.Status) {
	var preferred time.Time
	var userInfo []byte
	r := abi.NewReader(args)
	for r.Next() {
		v := r.Value()
		switch v.Key {
		case abi.FieldDate:
			ns, err := v.Int()
			if err != nil {
				return preferred, nil, abi.StatusBadArgument
			}
			preferred = time.Unix(0, ns).UTC()
		case abi.FieldUserInfo:
			b, err := v.Blob()
			if err != nil {
				return preferred, nil, abi.StatusBadArgument
			}
			userInfo = append([]byte(nil), b...)
		}
	}
	if preferred.IsZero() {
		return preferred, nil, abi.StatusBadArgument
	}
	if t := preferred.Truncate(time.Second); !t.Equal(preferred) {
		preferred = t.Add(time.Second)
	}
	return preferred, userInfo, abi.StatusOK
}

// armRefresh sets the scheduler event that delivers the pending refresh at
// t (none when t is zero), replacing any earlier one.
func (a *App) armRefresh(t time.Time) {
	a.arm(&a.refreshEv, "refresh due", t, (*policy.Policy).RefreshDue, func(req policy.Request) {
		info, _ := req.UserInfo.([]byte)
		a.deliverTasks(context.Background(), []*bgTask{{kind: abi.TaskApplicationRefresh, userInfo: info}})
	})
}

// dueFunc is a policy rule that decides, when a pending request comes due,
// whether it runs now, waits longer, or is dropped.
type dueFunc func(p *policy.Policy, f policy.Facts, now time.Time) (policy.Request, policy.Decision, bool)

// arm sets *ev to the scheduler event that, at t, asks due whether the
// app's pending request runs, and runs it with run (or waits again until
// the time the rule names). A zero t only cancels. Each kind of pending
// request (refresh, snapshot, held push) has its own *ev.
func (a *App) arm(ev **sched.Event, label string, t time.Time, due dueFunc, run func(policy.Request)) {
	if *ev != nil {
		a.rt.sched.Cancel(*ev)
		*ev = nil
	}
	if t.IsZero() {
		return
	}
	*ev = a.rt.sched.At(t, a.id+" "+label, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		*ev = nil
		if a.closed {
			return
		}
		now := a.rt.clock.Now()
		var req policy.Request
		var ok bool
		d := a.rt.rules.decide(func(p *policy.Policy) policy.Decision {
			var d policy.Decision
			req, d, ok = due(p, a.facts(), now)
			return d
		})
		if !ok {
			return
		}
		switch d.Verdict {
		case policy.Run:
			run(req)
		case policy.Delay, policy.Throttle:
			a.arm(ev, label, d.At, due, run)
		}
	})
}

// Trigger forces a background task of kind on the app now, whatever its
// budgets, as `watchbox trigger` and scenario files do. userInfo is the
// task's payload (may be nil). The app is launched or woken into the
// background if needed.
func (a *App) Trigger(ctx context.Context, kind abi.TaskKind, userInfo []byte) error {
	return a.TriggerTask(ctx, ForcedTask{Kind: kind, UserInfo: userInfo})
}

// ForcedTask is a background task to force with TriggerTask.
type ForcedTask struct {
	Kind     abi.TaskKind
	UserInfo []byte
	// Reason is a snapshot task's reason (default app_scheduled).
	Reason abi.SnapshotReason
	// Session is a URL session task's identifier; the task says no
	// download finished (status 0 and an error).
	Session string
}

// TriggerTask forces the background task t on the app now, whatever its
// budgets; the app is launched or woken into the background if needed.
func (a *App) TriggerTask(ctx context.Context, t ForcedTask) error {
	if t.Kind < abi.TaskApplicationRefresh || t.Kind > abi.TaskRelevantShortcut {
		return fmt.Errorf("host: unknown task kind %d", t.Kind)
	}
	if len(t.UserInfo) > MaxPayload {
		return fmt.Errorf("host: the task's userInfo is %d bytes; at most %d fit in one event", len(t.UserInfo), MaxPayload)
	}
	bt := &bgTask{kind: t.Kind, userInfo: t.UserInfo}
	what := t.Kind.String()
	switch t.Kind {
	case abi.TaskSnapshot:
		bt.reason = t.Reason
		if bt.reason == 0 {
			bt.reason = abi.SnapshotAppScheduled
		}
		if _, ok := policyReasons[bt.reason]; !ok {
			return fmt.Errorf("host: unknown snapshot reason %d", t.Reason)
		}
		what += " (" + bt.reason.String() + ")"
	case abi.TaskURLSession:
		if t.Session != "" {
			if !abi.ValidSessionID(t.Session) {
				return fmt.Errorf("host: %q is not a URL session identifier (letters, digits, '-', '_', '.')", t.Session)
			}
			bt.session, bt.err = t.Session, "forced by the developer: no download finished"
			what += " " + t.Session
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.rt.clock.Now()
	a.rt.report(Decision{Time: now, App: a.id, Kind: policy.KindTask, Verdict: policy.Run, At: now, Rule: policy.RuleTrigger,
		Reason: fmt.Sprintf("%s task triggered by the developer", what)})
	if bt.kind == abi.TaskSnapshot && bt.userInfo == nil {
		bt.userInfo = a.takeSnapshotInfo()
	}
	return a.deliverTasks(ctx, []*bgTask{bt})
}

// deliverTasks hands tasks to the app in one background_tasks event,
// launching or waking it into the background first, and arms each task's
// expiration warning and deadline. It must be called with the mutex held.
func (a *App) deliverTasks(ctx context.Context, tasks []*bgTask) error {
	if err := a.wake(ctx); err != nil {
		return err
	}
	now := a.rt.clock.Now()
	var times policy.TaskTimes
	a.rt.rules.ask(func(p *policy.Policy) { times = p.TaskTimes(policy.KindRefresh, now) })
	var w abi.Writer
	for _, t := range tasks {
		a.nextTask++
		t.id = a.nextTask
		t.times = times
		a.tasks[t.id] = t
		mark := w.Begin(abi.FieldTask)
		w.Int(abi.FieldTaskID, t.id)
		w.Int(abi.FieldTaskKind, int64(t.kind))
		if t.userInfo != nil {
			w.Blob(abi.FieldUserInfo, t.userInfo)
		}
		if t.reason != 0 {
			w.Int(abi.FieldSnapshotReason, int64(t.reason))
		}
		if t.session != "" {
			w.String(abi.FieldSessionIdentifier, t.session)
			w.Int(abi.FieldStatusCode, int64(t.status))
			if t.file != "" {
				w.String(abi.FieldFile, t.file)
			}
			if t.err != "" {
				w.String(abi.FieldError, t.err)
			}
		}
		w.End(mark)
		id := t.id
		t.warn = a.rt.sched.At(t.times.Warning, a.id+" task warning", func() { a.taskWarning(id) })
		t.end = a.rt.sched.At(t.times.Deadline, a.id+" task deadline", func() { a.taskDeadline(id) })
	}
	c, err := a.call(ctx, abi.EventBackgroundTasks, w.Bytes())
	if c.Status == abi.StatusUnhandled && a.g.Running() {
		// No handler: the system completes the tasks itself (no snapshot),
		// as the default handle(_:) does, rather than kill the app.
		now := a.now()
		for _, t := range tasks {
			if _, open := a.tasks[t.id]; open {
				a.finishTask(t, now, policy.RuleTaskUnhandled, fmt.Sprintf("%v task %d completed by the system: the app has no background task handler", t.kind, t.id))
			}
		}
	}
	a.settle()
	return err
}

// wake launches the app into the background, or wakes it there from
// suspension, so that it can run background work.
func (a *App) wake(ctx context.Context) error {
	switch a.state {
	case abi.StateNotRunning:
		if err := a.coldStart(ctx, abi.StateBackground); err != nil && !a.g.Running() {
			return err
		}
	case abi.StateSuspended:
		a.stopTimer()
		a.cold = false
		a.setState(abi.StateBackground)
	}
	if !a.g.Running() {
		return fmt.Errorf("host: %s is not running", a.id)
	}
	return nil
}

// settle suspends a background app with no open task once its work is done,
// as watchOS does after setTaskCompleted.
func (a *App) settle() {
	if d := a.rt.suspendDelay(); a.state == abi.StateBackground && len(a.tasks) == 0 && a.g.Running() && d > 0 {
		a.after(d, abi.StateBackground, a.suspend)
	}
}

// completeTask carries out setTaskCompletedWithSnapshot from the guest.
func (a *App) completeTask(args []byte) ([]byte, abi.Status) {
	var id int64
	snapshot := false
	r := abi.NewReader(args)
	for r.Next() {
		v := r.Value()
		switch v.Key {
		case abi.FieldTaskID:
			n, err := v.Int()
			if err != nil {
				return nil, abi.StatusBadArgument
			}
			id = n
		case abi.FieldSnapshot:
			b, err := v.Bool()
			if err != nil {
				return nil, abi.StatusBadArgument
			}
			snapshot = b
		}
	}
	t, ok := a.tasks[id]
	if !ok {
		return nil, abi.StatusNotFound
	}
	now := a.now()
	a.finishTask(t, now, policy.RuleTaskCompleted, fmt.Sprintf("%v task %d completed after %s (snapshot: %v)", t.kind, id, now.Sub(t.times.Delivered), snapshot))
	if snapshot {
		d := a.rt.rules.decide(func(p *policy.Policy) policy.Decision { return p.CompletionSnapshot(a.facts(), now) })
		if d.Verdict == policy.Delay {
			a.armSnapshot(d.At)
		}
	}
	a.settle()
	return nil, abi.StatusOK
}

// finishTask closes an open task and reports it with reason.
func (a *App) finishTask(t *bgTask, now time.Time, rule, reason string) {
	a.rt.sched.Cancel(t.warn)
	a.rt.sched.Cancel(t.end)
	delete(a.tasks, t.id)
	a.rt.report(Decision{Time: now, App: a.id, Kind: policy.KindTask, Verdict: policy.Completed, Rule: rule, Reason: reason})
}

// taskWarning runs on the scheduler shortly before an open task's deadline:
// the app's expiration handler.
func (a *App) taskWarning(id int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, open := a.tasks[id]; !open || !a.g.Running() || a.closed {
		return
	}
	var w abi.Writer
	w.Int(abi.FieldTaskID, id)
	a.call(context.Background(), abi.EventTaskWillExpire, w.Bytes())
}

// ErrNoOpenTask is returned by Expire when the app has no background task
// open.
var ErrNoOpenTask = errors.New("host: the app has no open background task to expire")

// Expire makes the app's open background tasks expire now, as Xcode's
// "simulate background task expiration" does: each task's expiration
// handler (task_will_expire) runs at once, and a task still open
// task_warning later gets the app killed as at a missed deadline
// (0x2182bad2). It returns ErrNoOpenTask when no task is open.
func (a *App) Expire(ctx context.Context) error { return a.ExpireTasks(ctx, 0) }

// ExpireTasks is Expire for the open tasks of kind only (0: every kind).
func (a *App) ExpireTasks(ctx context.Context, kind abi.TaskKind) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	ids := make([]int64, 0, len(a.tasks))
	for id, t := range a.tasks {
		if kind == 0 || t.kind == kind {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || !a.g.Running() {
		return ErrNoOpenTask
	}
	slices.Sort(ids)
	now := a.rt.clock.Now()
	grace := a.rt.rules.profile().TaskWarning.D()
	var errs []error
	for _, id := range ids {
		t, open := a.tasks[id]
		if !open || !a.g.Running() {
			continue
		}
		a.rt.sched.Cancel(t.warn)
		a.rt.sched.Cancel(t.end)
		t.forced = true
		t.times.Deadline = now.Add(grace)
		t.end = a.rt.sched.At(t.times.Deadline, a.id+" task deadline", func() { a.taskDeadline(id) })
		a.rt.report(Decision{Time: now, App: a.id, Kind: policy.KindTask, Verdict: policy.Expire, At: t.times.Deadline, Rule: policy.RuleTaskExpireForced,
			Reason: fmt.Sprintf("%v task %d forced to expire by the developer: expiration handler now, deadline %s later", t.kind, id, grace)})
		var w abi.Writer
		w.Int(abi.FieldTaskID, id)
		if _, err := a.call(ctx, abi.EventTaskWillExpire, w.Bytes()); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// taskDeadline runs on the scheduler at an open task's deadline: the app is
// killed (watchOS's 0x2182bad2).
func (a *App) taskDeadline(id int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t, open := a.tasks[id]
	if !open || a.closed {
		return
	}
	now := a.rt.clock.Now()
	if t.forced {
		a.rt.report(Decision{Time: now, App: a.id, Kind: policy.KindTask, Verdict: policy.Kill, At: t.times.Deadline, Rule: policy.RuleTaskDeadline,
			Reason: fmt.Sprintf("killed: %v task %d not completed by its forced expiry at %s (%s background task not finished in time)",
				t.kind, id, t.times.Deadline.UTC().Format("15:04:05"), policy.CodeTaskNotFinished)})
	} else {
		a.rt.rules.decide(func(p *policy.Policy) policy.Decision {
			d, _ := p.TaskExpired(a.id, policy.KindRefresh, t.times.Delivered, now)
			return d
		})
	}
	if a.g.Running() {
		a.crashes++
		a.record(Call{App: a.id, Time: now, Event: abi.EventBackgroundTasks, Crash: fmt.Sprintf("%v task %d not completed in time", t.kind, id),
			Termination: TerminationTaskDeadline, State: abi.StateNotRunning})
	}
	a.kill(context.Background())
}

// dropTasks forgets the open tasks of an instance that is gone.
func (a *App) dropTasks() {
	for id, t := range a.tasks {
		a.rt.sched.Cancel(t.warn)
		a.rt.sched.Cancel(t.end)
		delete(a.tasks, id)
	}
}

// updateComplication stores the complication data the app publishes
// (reloading its complication timeline), shown by Complication.
func (a *App) updateComplication(args []byte) ([]byte, abi.Status) {
	var data []byte
	r := abi.NewReader(args)
	for r.Next() {
		if v := r.Value(); v.Key == abi.FieldComplication {
			b, err := v.Blob()
			if err != nil {
				return nil, abi.StatusBadArgument
			}
			data = append([]byte(nil), b...)
		}
	}
	if data == nil {
		return nil, abi.StatusBadArgument
	}
	a.complicationData = data
	now := a.now()
	a.rt.report(Decision{Time: now, App: a.id, Kind: policy.KindComplication, Verdict: policy.Run, Rule: policy.RuleComplicationUpdated,
		Reason: fmt.Sprintf("complication updated: %s", truncate(data, 80))})
	return nil, abi.StatusOK
}

// Complication returns the complication data the app last published, or
// nil.
func (a *App) Complication() []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]byte(nil), a.complicationData...)
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}

// armSnapshot sets the event that delivers the pending snapshot at t (none
// when t is zero): an
// app-scheduled snapshot is a snapshot task for the app; a snapshot held
// back from a task completion is taken by the system without one.
func (a *App) armSnapshot(t time.Time) {
	a.arm(&a.snapshotEv, "snapshot due", t, (*policy.Policy).SnapshotDue, func(req policy.Request) {
		if req.Snapshot == policy.SnapshotAppScheduled {
			info, _ := req.UserInfo.([]byte)
			a.deliverTasks(context.Background(), []*bgTask{{kind: abi.TaskSnapshot, reason: abi.SnapshotAppScheduled, userInfo: info}})
		}
	})
}
