package policy

import (
	"fmt"
	"time"
)

// ReturnToDefaultAt returns when the returnToDefaultState snapshot comes
// due: Profile.ReturnToDefaultAfter after the app's last interaction. It is
// the zero time when the app has no recorded interaction.
func (p *Policy) ReturnToDefaultAt(f Facts) time.Time {
	if f.LastInteraction.IsZero() {
		return time.Time{}
	}
	return f.LastInteraction.Add(p.Profile.ReturnToDefaultAfter.D())
}

// SystemSnapshot decides a snapshot the system takes on its own, for reason
// appBackgrounded, returnToDefaultState, complicationUpdate or prelaunch.
//
// Rule 4 (watchbox's choice, see [Schedules.SnapshotBudget]): system snapshots
// are not limited by and not charged to the app's snapshot budget; they are
// recorded in the ledger uncharged. A returnToDefaultState snapshot asked
// for before Profile.ReturnToDefaultAfter has passed since f.LastInteraction
// is delayed to that time (verdict Delay, rule "snapshot.return_to_default");
// the caller asks again then, with fresh facts (a new interaction moves it).
// Every other system snapshot runs at once (rule "snapshot.system").
//
// Reason appScheduled is not a system reason: it is handled as
// [Schedules.Snapshot] with no preferred date.
func (p *Policy) SystemSnapshot(f Facts, reason SnapshotReason, now time.Time) Decision {
	if reason == SnapshotAppScheduled {
		return p.Schedules().Snapshot(f, time.Time{}, nil, now)
	}
	d := Decision{App: f.App, Kind: KindSnapshot, Time: now}
	if reason == SnapshotReturnToDefaultState {
		if due := p.ReturnToDefaultAt(f); due.After(now) {
			after := p.Profile.ReturnToDefaultAfter.D()
			d.Verdict, d.Rule, d.At = Delay, RuleSnapshotDefault, due
			d.Numbers = nums("return_to_default_after_s", after, "last_interaction_unix", f.LastInteraction.Unix())
			d.Reason = fmt.Sprintf("snapshot (%s) delayed to %s: %s after the last interaction at %s",
				reason, clock(due, now), dur(after), clock(f.LastInteraction, now))
			return p.record(d)
		}
	}
	p.Ledger.Record(f.App, Entry{Kind: KindSnapshot, At: now, Snapshot: reason})
	d.Verdict, d.Rule, d.At = Run, RuleSnapshotSystem, now
	d.Numbers = nums()
	d.Reason = fmt.Sprintf("snapshot (%s) runs at %s: system snapshots are not charged to the snapshot budget",
		reason, clock(now, now))
	return p.record(d)
}

// CompletionSnapshot decides the snapshot an app asks for by completing a
// background task with setTaskCompletedWithSnapshot(true). Apple's
// documentation of that call: the system takes the snapshot as an
// app-scheduled snapshot task, and it replaces any pending
// scheduleSnapshotRefresh request.
//
// So a pending snapshot request is replaced (verdict Replaced, rule
// "snapshot.completion_replaces"), and the new one becomes the app's pending
// snapshot, reason appScheduled, under the snapshot budget like any
// app-scheduled snapshot (rule 4): due now when the budget has room
// (verdict Scheduled, rule "snapshot.task_completion"), else when it has
// (verdict Delay, rule "snapshot.hourly_budget"). [Schedules.SnapshotDue]
// then runs and charges it, and the caller delivers a snapshot task with
// reason app_scheduled. A budget of 0 drops it (and the pending one).
func (p *Policy) CompletionSnapshot(f Facts, now time.Time) Decision {
	b := p.snapshotBudget()
	s := b.slot(p.Ledger, f.App, now)
	d := Decision{App: f.App, Kind: KindSnapshot, Time: now, Numbers: b.numbers(s.used)}
	replace := func() {
		if old, ok := p.Pending.Take(f.App, KindSnapshot); ok {
			p.record(Decision{App: f.App, Kind: KindSnapshot, Verdict: Replaced, Time: now, Rule: RuleSnapshotCompletionReplaces,
				Reason: fmt.Sprintf("snapshot pending for %s (requested %s) replaced by the snapshot asked for on task completion: completing a task with a snapshot replaces the pending snapshot request",
					clock(old.Due, now), clock(old.Made, now)),
				Numbers: nums("pending_limit", 1)})
		}
	}
	replace()
	if !s.ok {
		d.Verdict, d.Rule = Drop, RuleSnapshotBudget
		d.Reason = fmt.Sprintf("snapshot on task completion dropped: the budget is %d %s", b.limit, perPhrase(b.window))
		return p.record(d)
	}
	at := later(s.at, now)
	p.Pending.Replace(Request{App: f.App, Kind: KindSnapshot, Made: now, Due: at, Snapshot: SnapshotAppScheduled}, now)
	if at.After(now) {
		d.Verdict, d.Rule, d.At = Delay, RuleSnapshotBudget, at
		d.Reason = fmt.Sprintf("snapshot on task completion delayed to %s: %s", clock(at, now), b.usedPhrase(s.used))
		return p.record(d)
	}
	d.Verdict, d.Rule, d.At = Scheduled, RuleSnapshotCompletion, now
	d.Reason = fmt.Sprintf("snapshot on task completion scheduled for %s, as an app-scheduled snapshot task: %s", clock(now, now), b.usedPhrase(s.used))
	return p.record(d)
}
