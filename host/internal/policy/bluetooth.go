package policy

import (
	"fmt"
	"time"
)

// Budget is rule 7's budget: Bluetooth timely alerts and background
// scans share Profile.BluetoothAlertsPerDay per rolling 24 h per app.
func (p Bluetooth) Budget() (limit int, window time.Duration) {
	b := p.bluetoothBudget()
	return b.limit, b.window
}

func (p *Policy) bluetoothBudget() budget {
	return budget{kinds: []Kind{KindBluetoothAlert, KindBluetoothScan}, window: Day, limit: p.Profile.BluetoothAlertsPerDay}
}

// Alert decides a Bluetooth timely alert (a BluetoothAlertRefresh
// task) for f.App at now.
//
// Rule 7: within Profile.BluetoothAlertsPerDay per rolling 24 h (shared with
// background scans) it runs and is charged (rule "bluetooth.run"); when the
// number left after it equals Profile.BluetoothNearLimit the decision
// carries a near-limit warning. Beyond the budget it is dropped (rule
// "bluetooth.daily_budget"); the reason names when the next is allowed.
// Opening the app resets the count ([Bluetooth.Reset]).
func (p Bluetooth) Alert(f Facts, now time.Time) Decision {
	return p.bluetooth(f, KindBluetoothAlert, now)
}

// Scan decides a Bluetooth background scan wake-up for f.App; it
// shares the alert budget (see [Bluetooth.Alert]).
func (p Bluetooth) Scan(f Facts, now time.Time) Decision {
	return p.bluetooth(f, KindBluetoothScan, now)
}

func (p *Policy) bluetooth(f Facts, k Kind, now time.Time) Decision {
	b := p.bluetoothBudget()
	s := b.slot(p.Ledger, f.App, now)
	d := Decision{App: f.App, Kind: k, Time: now, Numbers: b.numbers(s.used)}
	switch {
	case !s.ok:
		d.Verdict, d.Rule = Drop, RuleBluetoothBudget
		d.Reason = fmt.Sprintf("%s dropped: the budget is %d %s", noun(k), b.limit, perPhrase(b.window))
	case s.at.After(now):
		d.Verdict, d.Rule = Drop, RuleBluetoothBudget
		d.Numbers["next_unix"] = s.at.Unix()
		d.Reason = fmt.Sprintf("%s dropped: %s (alerts and scans); the next is allowed at %s, or when the user opens the app",
			noun(k), b.usedPhrase(s.used), clock(s.at, now))
	default:
		p.Ledger.Record(f.App, Entry{Kind: k, At: now, Charged: true})
		used := s.used + 1
		left := b.limit - used
		d.Verdict, d.Rule, d.At = Run, RuleBluetoothRun, now
		d.Numbers["used"] = int64(used)
		d.Numbers["left"] = int64(left)
		d.Reason = fmt.Sprintf("%s runs at %s: %s", noun(k), clock(now, now), b.usedPhrase(used))
		if left == p.Profile.BluetoothNearLimit {
			d.Numbers["near_limit"] = int64(p.Profile.BluetoothNearLimit)
			d.Warning = fmt.Sprintf("near limit: %d of %d Bluetooth alerts and scans left %s", left, b.limit, windowPhrase(b.window))
		}
	}
	return p.record(d)
}

// Reset resets app's Bluetooth alert and scan count, as opening
// the app does (rule 7). The decision (verdict Reset, rule
// "bluetooth.reset_on_open") is logged with the count it cleared.
func (p Bluetooth) Reset(app string, now time.Time) Decision {
	b := p.bluetoothBudget()
	used := p.Ledger.Count(app, now, b.window, b.kinds...)
	p.Ledger.Reset(app, b.kinds...)
	return p.record(Decision{
		App: app, Kind: KindBluetoothAlert, Verdict: Reset, Time: now, Rule: RuleBluetoothReset,
		Numbers: nums("cleared", used, "limit", b.limit, "window_s", b.window),
		Reason:  fmt.Sprintf("Bluetooth alert count reset at %s: the user opened the app (%d of %d had been used)", clock(now, now), used, b.limit),
	})
}
