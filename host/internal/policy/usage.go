package policy

import "time"

// Budget is one budget's state for an app at a moment.
type Budget struct {
	// Kind names the budget: refresh, snapshot, background_push,
	// complication_push, bluetooth_alert (alerts and scans) or
	// complication_transfer.
	Kind Kind
	// Used is how many charged requests fall in the window ending now.
	Used int
	// Limit is the budget's limit from the profile.
	Limit int
	// Window is the rolling window, Hour or Day.
	Window time.Duration
	// Next is when the next request is allowed: now when there is room,
	// zero when the limit is 0.
	Next time.Time
}

// Usage returns the state of each of app f.App's budgets at now, in a fixed
// order: refresh, snapshot, background push, complication push, Bluetooth,
// complication transfer.
func (p *Policy) Usage(f Facts, now time.Time) []Budget {
	spec := []struct {
		k Kind
		b budget
	}{
		{KindRefresh, p.refreshBudget(f)},
		{KindSnapshot, p.snapshotBudget()},
		{KindBackgroundPush, p.pushBudget()},
		{KindComplicationPush, p.complicationBudget()},
		{KindBluetoothAlert, p.bluetoothBudget()},
		{KindComplicationTransfer, p.complicationTransferBudget()},
	}
	out := make([]Budget, 0, len(spec))
	for _, s := range spec {
		sl := s.b.slot(p.Ledger, f.App, now)
		u := Budget{Kind: s.k, Used: sl.used, Limit: s.b.limit, Window: s.b.window}
		if sl.ok {
			u.Next = sl.at
		}
		out = append(out, u)
	}
	return out
}
