package policy

import (
	"fmt"
	"time"
)

// budget is a rolling-window budget as a rule applies it.
type budget struct {
	kinds  []Kind        // ledger kinds that count against it
	window time.Duration // Hour or Day
	limit  int
	note   string // appended to the numbers in reasons, e.g. " (no complication on the active face)"
}

func (b budget) slot(l *Ledger, app string, from time.Time) slot {
	return nextSlot(l.charged(app, b.kinds...), from, b.window, b.limit)
}

// usedPhrase is "4 of 4 this hour used" (plus the budget's note).
func (b budget) usedPhrase(used int) string {
	return fmt.Sprintf("%d of %d %s used%s", used, b.limit, windowPhrase(b.window), b.note)
}

func (b budget) numbers(used int) map[string]int64 {
	return nums("used", used, "limit", b.limit, "window_s", b.window)
}

// RefreshBudget is rule 1's budget for an app: at most
// Profile.RefreshesPerHour background refreshes per rolling hour while one
// of the app's complications is on the active face (shared by all of its
// complications), Profile.RefreshesPerHourNoComp otherwise. The limit is the
// one in force at the time of the decision; refreshes that ran while the
// other limit applied still count.
func (p Schedules) RefreshBudget(f Facts) (limit int, window time.Duration) {
	b := p.refreshBudget(f)
	return b.limit, b.window
}

func (p *Policy) refreshBudget(f Facts) budget {
	if f.ComplicationActive {
		return budget{kinds: []Kind{KindRefresh}, window: Hour, limit: p.Profile.RefreshesPerHour}
	}
	return budget{kinds: []Kind{KindRefresh}, window: Hour, limit: p.Profile.RefreshesPerHourNoComp,
		note: " (no complication on the active face)"}
}

// SnapshotBudget is rule 4's budget: at most Profile.SnapshotsPerHour
// budgeted snapshots per rolling hour for every app. Budgeted are the
// snapshots the app asks for: scheduleSnapshotRefresh (reason appScheduled)
// and completing a task with setTaskCompletedWithSnapshot(true). System
// snapshots (appBackgrounded, returnToDefaultState, complicationUpdate,
// prelaunch) are recorded but not charged and not limited by it: the system
// takes them on its own events, which are limited elsewhere (a
// complicationUpdate snapshot follows a complication push, itself limited by
// ComplicationPushesPerDay).
func (p Schedules) SnapshotBudget() (limit int, window time.Duration) {
	b := p.snapshotBudget()
	return b.limit, b.window
}

func (p *Policy) snapshotBudget() budget {
	return budget{kinds: []Kind{KindSnapshot}, window: Hour, limit: p.Profile.SnapshotsPerHour}
}

// Refresh is scheduleBackgroundRefresh(withPreferredDate:userInfo:).
//
// Rule 2: one pending refresh per app; this request replaces a pending one,
// which is logged as Replaced (rule "refresh.one_pending").
//
// Rule 1: the preferred date is a hint and the system never delivers the
// refresh earlier than it: the earliest delivery is max(preferred, now).
// When the refresh budget (see [Schedules.RefreshBudget]) is spent at that
// time, the refresh is delayed, never failed, to the earliest time the
// rolling window has room: verdict Delay, rule "refresh.hourly_budget",
// reason "refresh delayed to 10:00: 4 of 4 this hour used". Otherwise the
// verdict is Scheduled at the earliest delivery time. A budget of 0 drops
// the request (there is no time it could run).
//
// The returned decision's At is the request's due time; deliver it by
// calling [Schedules.RefreshDue] then. Scheduling charges nothing; the budget
// is charged when the refresh runs.
func (p Schedules) Refresh(f Facts, preferred time.Time, userInfo any, now time.Time) Decision {
	return p.schedule(f, KindRefresh, SnapshotReason(""), preferred, userInfo, now, p.refreshBudget(f),
		RuleRefreshScheduled, RuleRefreshBudget)
}

// RefreshDue delivers app f.App's pending refresh when it is due (its Due is
// not after now); ok is false when none is pending or it is not due yet.
//
// Rule 3: a refresh that comes due while the app is frontmost (active, or
// inactive but still frontmost) is dropped: verdict Drop, rule
// "refresh.frontmost". Rule 1 is checked again (the app's complication may
// have left the active face since it was scheduled): when the budget is
// spent the refresh stays pending, delayed to when the window has room.
// Otherwise the refresh runs (verdict Run) and is charged to the budget.
func (p Schedules) RefreshDue(f Facts, now time.Time) (r Request, d Decision, ok bool) {
	return p.due(f, KindRefresh, now, p.refreshBudget(f), RuleRefreshFrontmost, RuleRefreshBudget, RuleRefreshRun)
}

// Snapshot is scheduleSnapshotRefresh(withPreferredDate:userInfo:),
// a snapshot with reason appScheduled. It follows the same rules as
// [Schedules.Refresh] (one pending per app, the preferred date is a
// hint and a lower bound, delayed not failed) with the snapshot budget (see
// [Schedules.SnapshotBudget]); rule ids "snapshot.one_pending",
// "snapshot.scheduled", "snapshot.hourly_budget".
func (p Schedules) Snapshot(f Facts, preferred time.Time, userInfo any, now time.Time) Decision {
	return p.schedule(f, KindSnapshot, SnapshotAppScheduled, preferred, userInfo, now, p.snapshotBudget(),
		RuleSnapshotScheduled, RuleSnapshotBudget)
}

// SnapshotDue delivers app f.App's pending snapshot when it is due, like
// [Schedules.RefreshDue]. watchbox's choice: an app-scheduled snapshot due
// while the app is frontmost is dropped as a refresh is (rule
// "snapshot.frontmost"), since the system takes an appBackgrounded snapshot
// when the app leaves the foreground anyway. A delivered snapshot is
// charged to the snapshot budget.
func (p Schedules) SnapshotDue(f Facts, now time.Time) (r Request, d Decision, ok bool) {
	return p.due(f, KindSnapshot, now, p.snapshotBudget(), RuleSnapshotFrontmost, RuleSnapshotBudget, RuleSnapshotRun)
}

// schedule places a request that waits for its preferred date and a budget.
func (p *Policy) schedule(f Facts, k Kind, reason SnapshotReason, preferred time.Time, userInfo any, now time.Time,
	b budget, ruleScheduled, ruleBudget string) Decision {
	earliest := later(preferred, now)
	s := b.slot(p.Ledger, f.App, earliest)
	d := Decision{App: f.App, Kind: k, Time: now, Numbers: b.numbers(s.used)}
	if !preferred.IsZero() {
		d.Numbers["preferred_unix"] = preferred.Unix()
	}
	req := Request{App: f.App, Kind: k, Made: now, Preferred: preferred, Due: s.at, Snapshot: reason, UserInfo: userInfo}

	if _, replaced, ok := p.Pending.Replace(req, now); ok {
		p.record(replaced)
	}
	if !s.ok {
		// The new request superseded the old one but can never run.
		p.Pending.Take(f.App, k)
	}

	switch {
	case !s.ok:
		d.Verdict, d.Rule = Drop, ruleBudget
		d.Reason = fmt.Sprintf("%s dropped: the budget is %d %s%s", noun(k), b.limit, perPhrase(b.window), b.note)
	case s.at.After(earliest):
		d.Verdict, d.Rule, d.At = Delay, ruleBudget, s.at
		d.Reason = fmt.Sprintf("%s delayed to %s: %s", noun(k), clock(s.at, now), b.usedPhrase(s.used))
	default:
		d.Verdict, d.Rule, d.At = Scheduled, ruleScheduled, s.at
		var when string
		switch {
		case preferred.IsZero():
			when = "now"
		case !preferred.Before(now):
			when = "its preferred date"
		default:
			when = "now; preferred date " + clock(preferred, now) + " has passed"
		}
		d.Reason = fmt.Sprintf("%s scheduled for %s (%s): %s", noun(k), clock(s.at, now), when, b.usedPhrase(s.used))
	}
	return p.record(d)
}

// due delivers a pending request whose time has come.
func (p *Policy) due(f Facts, k Kind, now time.Time, b budget, ruleFrontmost, ruleBudget, ruleRun string) (Request, Decision, bool) {
	r, ok := p.Pending.Get(f.App, k)
	if !ok || r.Due.After(now) {
		return Request{}, Decision{}, false
	}
	d := Decision{App: f.App, Kind: k, Time: now}
	if ruleFrontmost != "" && f.Frontmost {
		p.Pending.Take(f.App, k)
		d.Verdict, d.Rule = Drop, ruleFrontmost
		d.Reason = fmt.Sprintf("%s dropped at %s: due while the app is frontmost", noun(k), clock(now, now))
		d.Numbers = nums("due_unix", r.Due.Unix())
		return r, p.record(d), true
	}
	s := b.slot(p.Ledger, f.App, now)
	d.Numbers = b.numbers(s.used)
	switch {
	case !s.ok:
		p.Pending.Take(f.App, k)
		d.Verdict, d.Rule = Drop, ruleBudget
		d.Reason = fmt.Sprintf("%s dropped: the budget is %d %s%s", noun(k), b.limit, perPhrase(b.window), b.note)
	case s.at.After(now):
		r.Due = s.at
		p.Pending.m[pendingKey{f.App, k}] = r
		d.Verdict, d.Rule, d.At = Delay, ruleBudget, s.at
		if k == KindBackgroundPush {
			d.Verdict = Throttle
			d.Reason = fmt.Sprintf("%s throttled to %s: %s", noun(k), clock(s.at, now), b.usedPhrase(s.used))
		} else {
			d.Reason = fmt.Sprintf("%s delayed to %s: %s", noun(k), clock(s.at, now), b.usedPhrase(s.used))
		}
	default:
		p.Pending.Take(f.App, k)
		p.Ledger.Record(f.App, Entry{Kind: k, At: now, Snapshot: r.Snapshot, Charged: true})
		d.Verdict, d.Rule, d.At = Run, ruleRun, now
		d.Numbers["used"] = int64(s.used + 1)
		d.Reason = fmt.Sprintf("%s runs at %s: %s", noun(k), clock(now, now), b.usedPhrase(s.used+1))
		if k == KindBackgroundPush {
			d.Numbers["run_time_s"] = int64(p.Profile.PushRunTime.D() / time.Second)
			d.Reason = fmt.Sprintf("%s runs at %s for up to %s: %s", noun(k), clock(now, now),
				dur(p.Profile.PushRunTime.D()), b.usedPhrase(s.used+1))
		}
	}
	return r, p.record(d), true
}

// perPhrase is "per hour", "per rolling 24 h".
func perPhrase(w time.Duration) string {
	switch w {
	case Hour:
		return "per hour"
	case Day:
		return "per rolling 24 h"
	}
	return "per " + dur(w)
}
