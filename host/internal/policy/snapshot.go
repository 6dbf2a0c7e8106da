package policy

import (
	"fmt"
	"time"
)

// SnapshotTaskCompleted labels, in the ledger and in pending requests, a
// snapshot asked for by completing a background task with
// setTaskCompletedWithSnapshot(true). It is watchbox's label, not a
// WKSnapshotReason.
const SnapshotTaskCompleted SnapshotReason = "taskCompleted"

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

// CompletionSnapshot charges the snapshot an app asks for by completing a
// background task with setTaskCompletedWithSnapshot(true) (rule 4: it costs
// snapshot budget like an app-scheduled snapshot).
//
// Within budget the snapshot runs now and is charged (rule
// "snapshot.task_completion"). When the budget is spent it is delayed, not
// failed: it becomes the app's pending snapshot, due when the window has
// room (verdict Delay, rule "snapshot.hourly_budget"; deliver it with
// [Schedules.SnapshotDue]). If a snapshot is already pending it is merged into
// that one (verdict Drop, rule "snapshot.coalesced"): one pending snapshot
// per app, and the pending one keeps its date and userInfo. A budget of 0
// drops it.
func (p *Policy) CompletionSnapshot(f Facts, now time.Time) Decision {
	b := p.snapshotBudget()
	s := b.slot(p.Ledger, f.App, now)
	d := Decision{App: f.App, Kind: KindSnapshot, Time: now, Numbers: b.numbers(s.used)}
	switch {
	case !s.ok:
		d.Verdict, d.Rule = Drop, RuleSnapshotBudget
		d.Reason = fmt.Sprintf("snapshot on task completion dropped: the budget is %d %s", b.limit, perPhrase(b.window))
	case !s.at.After(now):
		p.Ledger.Record(f.App, Entry{Kind: KindSnapshot, At: now, Snapshot: SnapshotTaskCompleted, Charged: true})
		d.Verdict, d.Rule, d.At = Run, RuleSnapshotCompletion, now
		d.Numbers["used"] = int64(s.used + 1)
		d.Reason = fmt.Sprintf("snapshot on task completion runs at %s: %s", clock(now, now), b.usedPhrase(s.used+1))
	default:
		if old, ok := p.Pending.Get(f.App, KindSnapshot); ok {
			d.Verdict, d.Rule = Drop, RuleSnapshotCoalesced
			d.Reason = fmt.Sprintf("snapshot on task completion merged into the snapshot pending for %s: one pending snapshot per app; %s",
				clock(old.Due, now), b.usedPhrase(s.used))
			break
		}
		p.Pending.Replace(Request{App: f.App, Kind: KindSnapshot, Made: now, Due: s.at, Snapshot: SnapshotTaskCompleted}, now)
		d.Verdict, d.Rule, d.At = Delay, RuleSnapshotBudget, s.at
		d.Reason = fmt.Sprintf("snapshot on task completion delayed to %s: %s", clock(s.at, now), b.usedPhrase(s.used))
	}
	return p.record(d)
}
