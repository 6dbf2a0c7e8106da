package tasks

import (
	"fmt"
	"slices"

	"github.com/watchbox/watchbox/host/internal/policy"
)

// drop forgets the open tasks of an instance that is gone (a crash, a
// purge, a kill at a task's deadline). watchOS does not deliver a task
// again whose app crashed: the task ends with the instance, and the next
// launch, in the background or the foreground, starts without it. Each
// one dropped is reported (rule task.not_redelivered), except when the
// runtime is shutting down, where nothing more would run anyway.
func (f *Feature) drop() {
	a := f.a
	ids := make([]int64, 0, len(f.open))
	for id := range f.open {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	now := a.Env.Clock.Now()
	for _, id := range ids {
		t := f.open[id]
		f.forget(t)
		if a.Life.Closing() {
			continue
		}
		a.Report(policy.Decision{Time: now, Kind: policy.KindTask, Verdict: policy.Drop, Rule: policy.RuleTaskNotRedelivered,
			Reason: fmt.Sprintf("%v task %d dropped: the app's instance ended before completing it (crash, purge or kill); it is not delivered again", t.Kind, id)})
	}
}

// forget closes an open task without a decision: its timers stop and its
// keep-awake hold is released.
func (f *Feature) forget(t *task) {
	f.a.Timers.Stop(t.warnTimer())
	f.a.Timers.Stop(t.endTimer())
	delete(f.open, t.id)
	f.a.Holds.Release()
}
