package policy

import (
	"fmt"
	"time"
)

// TaskTimes are the times of one background task's run (rule 8).
type TaskTimes struct {
	// Delivered is when the task was handed to the app.
	Delivered time.Time
	// Budget is how long the task may run: Profile.TaskTime, or
	// Profile.PushRunTime for a background push.
	Budget time.Duration
	// Warning is when the expiration handler is called:
	// Deadline - Profile.TaskWarning. It is zero for a background push,
	// which has no expiration handler.
	Warning time.Time
	// Deadline is when the task must have been completed:
	// Delivered + Budget. An app whose task is still open then is killed.
	Deadline time.Time
}

// TaskTimes returns the warning and deadline of a task of kind k delivered
// at delivered (rule 8): a background task must complete within
// Profile.TaskTime and is warned Profile.TaskWarning before that; a
// background push runs for Profile.PushRunTime.
func (p *Policy) TaskTimes(k Kind, delivered time.Time) TaskTimes {
	t := TaskTimes{Delivered: delivered, Budget: p.Profile.TaskTime.D()}
	if k == KindBackgroundPush {
		t.Budget = p.Profile.PushRunTime.D()
	}
	t.Deadline = delivered.Add(t.Budget)
	if k != KindBackgroundPush {
		t.Warning = t.Deadline.Add(-p.Profile.TaskWarning.D())
	}
	return t
}

// TaskExpired decides the fate of app's task of kind k, delivered at
// delivered and still not completed at now (rule 8). Before the deadline
// ok is false: nothing happens yet. From the deadline on the app is killed:
// verdict Kill, rule "task.deadline", At the missed deadline, and the
// reason carries termination code 0x2182bad2.
func (p *Policy) TaskExpired(app string, k Kind, delivered, now time.Time) (d Decision, ok bool) {
	t := p.TaskTimes(k, delivered)
	if now.Before(t.Deadline) {
		return Decision{}, false
	}
	return p.record(Decision{
		App: app, Kind: k, Verdict: Kill, Time: now, At: t.Deadline, Rule: RuleTaskDeadline,
		Numbers: nums("budget_s", t.Budget, "delivered_unix", delivered.Unix(), "deadline_unix", t.Deadline.Unix()),
		Reason: fmt.Sprintf("killed: %s task not completed in time: delivered at %s, due by %s (%s) (%s background task not finished in time)",
			noun(k), clock(delivered, now), clock(t.Deadline, now), dur(t.Budget), CodeTaskNotFinished),
	}), true
}
