package policy

import (
	"fmt"
	"time"
)

// RunTime returns how long a content-available push may run the app in
// the background: Profile.PushRunTime.
func (p Pushes) RunTime() time.Duration { return p.Profile.PushRunTime.D() }

// BackgroundBudget is rule 5's throttle: at most Profile.BackgroundPushesPerHour
// background (content-available) pushes delivered per rolling hour per app.
func (p Pushes) BackgroundBudget() (limit int, window time.Duration) {
	b := p.pushBudget()
	return b.limit, b.window
}

func (p *Policy) pushBudget() budget {
	return budget{kinds: []Kind{KindBackgroundPush}, window: Hour, limit: p.Profile.BackgroundPushesPerHour}
}

// Background decides a content-available: 1 push that arrived for
// f.App at now; payload is carried through untouched.
//
// Rule 5: within the throttle the push runs now (verdict Run, rule
// "background_push.run") for up to [Pushes.RunTime], and is charged.
// Beyond it the push is throttled: held as the app's pending push until the
// rolling hour has room (verdict Throttle, rule
// "background_push.hourly_throttle"); deliver it with [Pushes.BackgroundDue].
// Throttled pushes coalesce: only the newest is delivered, so a push that
// arrives while another is held drops the held one (verdict Drop, rule
// "background_push.coalesced", logged). A throttle of 0 drops every push.
// The app's state does not matter.
func (p Pushes) Background(f Facts, payload any, now time.Time) Decision {
	if old, ok := p.Pending.Take(f.App, KindBackgroundPush); ok {
		p.record(Decision{
			App: f.App, Kind: KindBackgroundPush, Verdict: Drop, Time: now, Rule: RulePushCoalesced,
			Reason: fmt.Sprintf("background push received at %s dropped: superseded by a newer push received at %s; only the newest throttled push is delivered",
				clock(old.Made, now), clock(now, now)),
			Numbers: nums("received_unix", old.Made.Unix(), "superseded_by_unix", now.Unix()),
		})
	}
	b := p.pushBudget()
	s := b.slot(p.Ledger, f.App, now)
	d := Decision{App: f.App, Kind: KindBackgroundPush, Time: now, Numbers: b.numbers(s.used)}
	switch {
	case !s.ok:
		d.Verdict, d.Rule = Drop, RulePushThrottle
		d.Reason = fmt.Sprintf("background push dropped: the throttle is %d %s", b.limit, perPhrase(b.window))
	case s.at.After(now):
		p.Pending.Replace(Request{App: f.App, Kind: KindBackgroundPush, Made: now, Due: s.at, UserInfo: payload}, now)
		d.Verdict, d.Rule, d.At = Throttle, RulePushThrottle, s.at
		d.Reason = fmt.Sprintf("background push throttled to %s: %s", clock(s.at, now), b.usedPhrase(s.used))
	default:
		p.Ledger.Record(f.App, Entry{Kind: KindBackgroundPush, At: now, Charged: true})
		d.Verdict, d.Rule, d.At = Run, RulePushRun, now
		d.Numbers["used"] = int64(s.used + 1)
		d.Numbers["run_time_s"] = int64(p.Pushes().RunTime() / time.Second)
		d.Reason = fmt.Sprintf("background push runs at %s for up to %s: %s", clock(now, now), dur(p.Pushes().RunTime()), b.usedPhrase(s.used+1))
	}
	return p.record(d)
}

// BackgroundDue delivers app f.App's throttled push when it is due (its Due is not
// after now); ok is false when none is held or it is not due yet. It runs
// and is charged (rule "background_push.run"), or stays throttled when the
// window still has no room. r.UserInfo is the push's payload.
func (p Pushes) BackgroundDue(f Facts, now time.Time) (r Request, d Decision, ok bool) {
	return p.due(f, KindBackgroundPush, now, p.pushBudget(), "", RulePushThrottle, RulePushRun)
}

// ComplicationBudget is rule 6's budget: at most
// Profile.ComplicationPushesPerDay PushKit complication pushes delivered per
// rolling 24 h per app.
func (p Pushes) ComplicationBudget() (limit int, window time.Duration) {
	b := p.complicationBudget()
	return b.limit, b.window
}

func (p *Policy) complicationBudget() budget {
	return budget{kinds: []Kind{KindComplicationPush}, window: Day, limit: p.Profile.ComplicationPushesPerDay}
}

// Complication decides a PushKit complication push for f.App at now.
//
// Rule 6: it is delivered only while one of the app's complications is on
// the active face; otherwise it is dropped (rule
// "complication_push.inactive_face") and not charged. Beyond
// Profile.ComplicationPushesPerDay in the rolling 24 h it is dropped, not
// delayed (rule "complication_push.daily_budget"; watchbox's choice: a
// complication push carries current data, and a late one would show stale
// data), and the reason names when the next is allowed. A delivered push
// (rule "complication_push.run") is charged and is followed by a
// complicationUpdate snapshot: the decision's Snapshot field says so; take
// it with [Policy.SystemSnapshot] after the push has run.
func (p Pushes) Complication(f Facts, now time.Time) Decision {
	d := Decision{App: f.App, Kind: KindComplicationPush, Time: now}
	if !f.ComplicationActive {
		d.Verdict, d.Rule = Drop, RuleComplicationFace
		d.Numbers = nums()
		d.Reason = "complication push dropped: the app's complication is not on the active face"
		return p.record(d)
	}
	b := p.complicationBudget()
	s := b.slot(p.Ledger, f.App, now)
	d.Numbers = b.numbers(s.used)
	switch {
	case !s.ok:
		d.Verdict, d.Rule = Drop, RuleComplicationBudget
		d.Reason = fmt.Sprintf("complication push dropped: the budget is %d %s", b.limit, perPhrase(b.window))
	case s.at.After(now):
		d.Verdict, d.Rule = Drop, RuleComplicationBudget
		d.Numbers["next_unix"] = s.at.Unix()
		d.Reason = fmt.Sprintf("complication push dropped: %s; the next is allowed at %s", b.usedPhrase(s.used), clock(s.at, now))
	default:
		p.Ledger.Record(f.App, Entry{Kind: KindComplicationPush, At: now, Charged: true})
		d.Verdict, d.Rule, d.At = Run, RuleComplicationRun, now
		d.Numbers["used"] = int64(s.used + 1)
		d.Snapshot = SnapshotComplicationUpdate
		d.Reason = fmt.Sprintf("complication push runs at %s: %s; a %s snapshot follows",
			clock(now, now), b.usedPhrase(s.used+1), SnapshotComplicationUpdate)
	}
	return p.record(d)
}

// TransferBudget is rule 6b's budget: at most
// Profile.ComplicationTransfersPerDay transferCurrentComplicationUserInfo
// transfers in the rolling 24 h.
func (p Pushes) TransferBudget() (limit int, window time.Duration) {
	b := p.complicationTransferBudget()
	return b.limit, b.window
}

func (p *Policy) complicationTransferBudget() budget {
	return budget{kinds: []Kind{KindComplicationTransfer}, window: Day, limit: p.Profile.ComplicationTransfersPerDay}
}

// Transfer decides a transferCurrentComplicationUserInfo from
// the paired phone for f.App at now.
//
// Rule 6b: while one of the app's complications is on the active face and
// fewer than Profile.ComplicationTransfersPerDay ran in the rolling 24 h,
// the transfer wakes the app at once (verdict Run, rule
// "complication_transfer.run") and is charged. Otherwise it is not lost: as
// WatchConnectivity does, it is sent as an ordinary transferUserInfo,
// delivered on the data-delivery schedule (verdict Delay, rule
// "complication_transfer.inactive_face" or
// "complication_transfer.daily_budget"; decide its delivery with
// [Policy.DataDelivery]), and not charged.
func (p Pushes) Transfer(f Facts, now time.Time) Decision {
	d := Decision{App: f.App, Kind: KindComplicationTransfer, Time: now}
	if !f.ComplicationActive {
		d.Verdict, d.Rule = Delay, RuleTransferFace
		d.Numbers = nums()
		d.Reason = "complication transfer sent as ordinary user info: the app's complication is not on the active face"
		return p.record(d)
	}
	b := p.complicationTransferBudget()
	s := b.slot(p.Ledger, f.App, now)
	d.Numbers = b.numbers(s.used)
	if !s.ok || s.at.After(now) {
		d.Verdict, d.Rule = Delay, RuleTransferBudget
		d.Reason = fmt.Sprintf("complication transfer sent as ordinary user info: %s", b.usedPhrase(s.used))
		if !s.ok {
			d.Reason = fmt.Sprintf("complication transfer sent as ordinary user info: the budget is %d %s", b.limit, perPhrase(b.window))
		}
		return p.record(d)
	}
	p.Ledger.Record(f.App, Entry{Kind: KindComplicationTransfer, At: now, Charged: true})
	d.Verdict, d.Rule, d.At = Run, RuleTransferRun, now
	d.Numbers["used"] = int64(s.used + 1)
	d.Reason = fmt.Sprintf("complication transfer wakes the app at %s: %s", clock(now, now), b.usedPhrase(s.used+1))
	return p.record(d)
}
