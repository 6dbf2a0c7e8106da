package policy

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/host/profile"
)

const app = "com.example.weather"

// day0 is the virtual clock's day; at(9, 40) is 09:40 UTC on it.
var day0 = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

func at(h, m int) time.Time {
	return day0.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

func withComp() Facts  { return Facts{App: app, ComplicationActive: true} }
func dockOnly() Facts  { return Facts{App: app} }
func frontmost() Facts { return Facts{App: app, ComplicationActive: true, Frontmost: true} }

// logged is a Policy whose decisions a Log keeps, for the tests to ask why.
type logged struct {
	*Policy
	Log *Log
}

func (p logged) Why(app string, kinds ...Kind) []Decision { return p.Log.Why(app, kinds...) }

func newPolicy(t *testing.T, set ...string) logged {
	t.Helper()
	p := profile.Default()
	if err := p.ParseSet(set); err != nil {
		t.Fatal(err)
	}
	l := NewLog(0)
	pol := New(p)
	pol.Report = l.Append
	return logged{pol, l}
}

func check(t *testing.T, d Decision, v Verdict, rule, reason string) {
	t.Helper()
	if d.Verdict != v || d.Rule != rule || d.Reason != reason {
		t.Fatalf("got %v %s %q\nwant %v %s %q", d.Verdict, d.Rule, d.Reason, v, rule, reason)
	}
}

func checkAt(t *testing.T, d Decision, want time.Time) {
	t.Helper()
	if !d.At.Equal(want) {
		t.Fatalf("%s: At = %v, want %v", d, d.At, want)
	}
}

// runRefresh schedules a refresh for now and delivers it at now; it must run.
func runRefresh(t *testing.T, p *Policy, f Facts, now time.Time) {
	t.Helper()
	p.Schedules().Refresh(f, now, nil, now)
	_, d, ok := p.Schedules().RefreshDue(f, now)
	if !ok || d.Verdict != Run {
		t.Fatalf("refresh at %v: ok=%v %s", now, ok, d)
	}
}

// Rule 1, RefreshesPerHour = 4 (with a complication on the active face):
// four refreshes at 09:00, 09:10, 09:20, 09:30; the fifth, asked for at
// 09:40, is delayed to 10:00 and runs then; the window rolls.
func TestRule1RefreshHourlyBudget(t *testing.T) {
	p := newPolicy(t)
	if n, w := p.Schedules().RefreshBudget(withComp()); n != 4 || w != time.Hour {
		t.Fatalf("budget %d per %v", n, w)
	}
	for _, m := range []int{0, 10, 20, 30} {
		runRefresh(t, p.Policy, withComp(), at(9, m))
	}
	d := p.Schedules().Refresh(withComp(), at(9, 40), "fifth", at(9, 40))
	check(t, d, Delay, RuleRefreshBudget, "refresh delayed to 10:00: 4 of 4 this hour used")
	checkAt(t, d, at(10, 0))
	if d.Numbers["used"] != 4 || d.Numbers["limit"] != 4 || d.Numbers["window_s"] != 3600 {
		t.Fatalf("numbers %v", d.Numbers)
	}
	if _, _, ok := p.Schedules().RefreshDue(withComp(), at(10, 0).Add(-time.Second)); ok {
		t.Fatal("delivered before its due time")
	}
	r, d, ok := p.Schedules().RefreshDue(withComp(), at(10, 0))
	if !ok || r.UserInfo != "fifth" {
		t.Fatalf("ok=%v userInfo=%v", ok, r.UserInfo)
	}
	// The 09:00 refresh left the window at 10:00; 09:10-09:30 and this one count.
	check(t, d, Run, RuleRefreshRun, "refresh runs at 10:00: 4 of 4 this hour used")

	// The window keeps rolling: next room at 10:10, when 09:10 leaves it.
	d = p.Schedules().Refresh(withComp(), at(10, 1), nil, at(10, 1))
	check(t, d, Delay, RuleRefreshBudget, "refresh delayed to 10:10: 4 of 4 this hour used")
}

// Rule 1, RefreshesPerHourNoComp = 1: an app without a complication on the
// active face gets one refresh per rolling hour.
func TestRule1RefreshBudgetWithoutComplication(t *testing.T) {
	p := newPolicy(t)
	runRefresh(t, p.Policy, dockOnly(), at(9, 0))
	d := p.Schedules().Refresh(dockOnly(), at(9, 5), nil, at(9, 5))
	check(t, d, Delay, RuleRefreshBudget,
		"refresh delayed to 10:00: 1 of 1 this hour used (no complication on the active face)")

	// The complication leaving the face between scheduling and delivery
	// re-decides at delivery.
	p = newPolicy(t)
	runRefresh(t, p.Policy, withComp(), at(9, 0))
	check(t, p.Schedules().Refresh(withComp(), at(9, 30), nil, at(9, 5)), Scheduled, RuleRefreshScheduled,
		"refresh scheduled for 09:30 (its preferred date): 1 of 4 this hour used")
	_, d, _ = p.Schedules().RefreshDue(dockOnly(), at(9, 30))
	check(t, d, Delay, RuleRefreshBudget,
		"refresh delayed to 10:00: 1 of 1 this hour used (no complication on the active face)")
	if r, ok := p.Pending.Get(app, KindRefresh); !ok || !r.Due.Equal(at(10, 0)) {
		t.Fatalf("pending %v %v", r, ok)
	}
}

// Rule 1: the preferred date is a hint and a lower bound; never earlier.
func TestRule1PreferredDateIsALowerBound(t *testing.T) {
	tests := []struct {
		name      string
		preferred time.Time
		now       time.Time
		verdict   Verdict
		due       time.Time
		reason    string
	}{
		{"future", at(10, 30), at(9, 0), Scheduled, at(10, 30),
			"refresh scheduled for 10:30 (its preferred date): 0 of 4 this hour used"},
		{"past", at(8, 0), at(9, 0), Scheduled, at(9, 0),
			"refresh scheduled for 09:00 (now; preferred date 08:00 has passed): 0 of 4 this hour used"},
		{"none", time.Time{}, at(9, 0), Scheduled, at(9, 0),
			"refresh scheduled for 09:00 (now): 0 of 4 this hour used"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPolicy(t)
			d := p.Schedules().Refresh(withComp(), tt.preferred, nil, tt.now)
			check(t, d, tt.verdict, RuleRefreshScheduled, tt.reason)
			checkAt(t, d, tt.due)
			if _, _, ok := p.Schedules().RefreshDue(withComp(), tt.due.Add(-time.Nanosecond)); ok {
				t.Fatal("delivered before the preferred date")
			}
			if _, d, ok := p.Schedules().RefreshDue(withComp(), tt.due); !ok || d.Verdict != Run {
				t.Fatalf("not delivered at %v: %s", tt.due, d)
			}
		})
	}

	// Budget spent at the preferred date: delayed past it.
	p := newPolicy(t)
	for _, m := range []int{0, 10, 20, 30} {
		runRefresh(t, p.Policy, withComp(), at(9, m))
	}
	d := p.Schedules().Refresh(withComp(), at(9, 45), nil, at(9, 31))
	check(t, d, Delay, RuleRefreshBudget, "refresh delayed to 10:00: 4 of 4 this hour used")
}

// Rule 2: one pending request of each kind; a new one replaces the old.
func TestRule2OnePendingReplaces(t *testing.T) {
	for _, k := range []Kind{KindRefresh, KindSnapshot} {
		t.Run(string(k), func(t *testing.T) {
			p := newPolicy(t)
			schedule, deliver := p.Schedules().Refresh, p.Schedules().RefreshDue
			if k == KindSnapshot {
				schedule, deliver = p.Schedules().Snapshot, p.Schedules().SnapshotDue
			}
			schedule(withComp(), at(10, 0), "old", at(9, 5))
			schedule(withComp(), at(10, 30), "new", at(9, 6))
			if p.Pending.Len() != 1 {
				t.Fatalf("%d pending", p.Pending.Len())
			}
			why := p.Why(app, k)
			if len(why) != 3 {
				t.Fatalf("why: %v", why)
			}
			check(t, why[1], Replaced, string(k)+".one_pending",
				fmt.Sprintf("%s for 10:00 (requested 09:05) replaced by a new request for 10:30: one pending %s per app", k, k))
			if _, _, ok := deliver(withComp(), at(10, 0)); ok {
				t.Fatal("the replaced request was delivered")
			}
			r, d, ok := deliver(withComp(), at(10, 30))
			if !ok || d.Verdict != Run || r.UserInfo != "new" {
				t.Fatalf("ok=%v %s userInfo=%v", ok, d, r.UserInfo)
			}
			if p.Pending.Len() != 0 {
				t.Fatal("still pending after delivery")
			}
		})
	}
}

// Rule 3: a refresh due while the app is frontmost is dropped.
func TestRule3RefreshDueWhileFrontmostIsDropped(t *testing.T) {
	p := newPolicy(t)
	p.Schedules().Refresh(withComp(), at(9, 40), nil, at(9, 0))
	_, d, ok := p.Schedules().RefreshDue(frontmost(), at(9, 40))
	if !ok {
		t.Fatal("not decided")
	}
	check(t, d, Drop, RuleRefreshFrontmost, "refresh dropped at 09:40: due while the app is frontmost")
	if p.Pending.Len() != 0 {
		t.Fatal("a dropped refresh stays pending")
	}
	if n := p.Ledger.Count(app, at(9, 40), Hour, KindRefresh); n != 0 {
		t.Fatalf("a dropped refresh was charged: %d", n)
	}
	// Same for an app-scheduled snapshot (watchbox's choice).
	p.Schedules().Snapshot(withComp(), at(9, 50), nil, at(9, 41))
	_, d, _ = p.Schedules().SnapshotDue(frontmost(), at(9, 50))
	check(t, d, Drop, RuleSnapshotFrontmost, "snapshot dropped at 09:50: due while the app is frontmost")
}

// Rule 4, SnapshotsPerHour = 1: app-scheduled and task-completion snapshots
// share the budget; system snapshots are not charged.
func TestRule4SnapshotBudget(t *testing.T) {
	p := newPolicy(t)
	if n, w := p.Schedules().SnapshotBudget(); n != 1 || w != Hour {
		t.Fatalf("budget %d per %v", n, w)
	}
	p.Schedules().Snapshot(withComp(), at(9, 0), nil, at(9, 0))
	_, d, _ := p.Schedules().SnapshotDue(withComp(), at(9, 0))
	check(t, d, Run, RuleSnapshotRun, "snapshot runs at 09:00: 1 of 1 this hour used")

	// System snapshots run regardless and are not charged.
	for _, r := range []SnapshotReason{SnapshotAppBackgrounded, SnapshotComplicationUpdate, SnapshotPrelaunch} {
		d = p.SystemSnapshot(withComp(), r, at(9, 5))
		check(t, d, Run, RuleSnapshotSystem,
			fmt.Sprintf("snapshot (%s) runs at 09:05: system snapshots are not charged to the snapshot budget", r))
	}
	if n := p.Ledger.Count(app, at(9, 5), Hour, KindSnapshot); n != 1 {
		t.Fatalf("charged %d, want 1", n)
	}
	if n := len(p.Ledger.Entries(app, KindSnapshot)); n != 4 {
		t.Fatalf("recorded %d, want 4", n)
	}

	// Completing a task with snapshot=true asks for an app-scheduled
	// snapshot under the budget: spent, so delayed, and it replaces the
	// pending request (Apple: setTaskCompletedWithSnapshot replaces a
	// pending scheduleSnapshotRefresh).
	d = p.CompletionSnapshot(withComp(), at(9, 10))
	check(t, d, Delay, RuleSnapshotBudget, "snapshot on task completion delayed to 10:00: 1 of 1 this hour used")
	// A second one replaces the first.
	d = p.CompletionSnapshot(withComp(), at(9, 20))
	check(t, d, Delay, RuleSnapshotBudget, "snapshot on task completion delayed to 10:00: 1 of 1 this hour used")
	r, d, ok := p.Schedules().SnapshotDue(withComp(), at(10, 0))
	if !ok || r.Snapshot != SnapshotAppScheduled {
		t.Fatalf("ok=%v %+v", ok, r)
	}
	check(t, d, Run, RuleSnapshotRun, "snapshot runs at 10:00: 1 of 1 this hour used")

	// With room, a completion snapshot is due at once, as an app-scheduled
	// snapshot, and is charged when it runs.
	d = p.CompletionSnapshot(withComp(), at(11, 0))
	check(t, d, Scheduled, RuleSnapshotCompletion, "snapshot on task completion scheduled for 11:00, as an app-scheduled snapshot task: 0 of 1 this hour used")
	if _, d, ok = p.Schedules().SnapshotDue(withComp(), at(11, 0)); !ok {
		t.Fatal("the completion snapshot is not due at once")
	}
	check(t, d, Run, RuleSnapshotRun, "snapshot runs at 11:00: 1 of 1 this hour used")
	check(t, p.Schedules().Snapshot(withComp(), at(11, 30), nil, at(11, 1)), Delay, RuleSnapshotBudget,
		"snapshot delayed to 12:00: 1 of 1 this hour used")
}

// Rule 4, ReturnToDefaultAfter = 1 h: the returnToDefaultState snapshot
// comes 1 h after the last interaction.
func TestRule4ReturnToDefaultSnapshot(t *testing.T) {
	p := newPolicy(t)
	f := withComp()
	f.LastInteraction = at(9, 0)
	if got := p.ReturnToDefaultAt(f); !got.Equal(at(10, 0)) {
		t.Fatalf("due %v", got)
	}
	d := p.SystemSnapshot(f, SnapshotReturnToDefaultState, at(9, 30))
	check(t, d, Delay, RuleSnapshotDefault,
		"snapshot (returnToDefaultState) delayed to 10:00: 1 h after the last interaction at 09:00")
	checkAt(t, d, at(10, 0))
	d = p.SystemSnapshot(f, SnapshotReturnToDefaultState, at(10, 0))
	check(t, d, Run, RuleSnapshotSystem,
		"snapshot (returnToDefaultState) runs at 10:00: system snapshots are not charged to the snapshot budget")
}

// Rule 5, BackgroundPushesPerHour = 3 and PushRunTime = 30 s: excess pushes
// are throttled to when the window has room, and coalesce to the newest.
func TestRule5BackgroundPushThrottleAndCoalescing(t *testing.T) {
	p := newPolicy(t)
	if p.Pushes().RunTime() != 30*time.Second {
		t.Fatalf("run time %v", p.Pushes().RunTime())
	}
	check(t, p.Pushes().Background(dockOnly(), "p1", at(9, 0)), Run, RulePushRun,
		"background push runs at 09:00 for up to 30 s: 1 of 3 this hour used")
	p.Pushes().Background(dockOnly(), "p2", at(9, 10))
	p.Pushes().Background(dockOnly(), "p3", at(9, 20))

	d := p.Pushes().Background(dockOnly(), "p4", at(9, 30))
	check(t, d, Throttle, RulePushThrottle, "background push throttled to 10:00: 3 of 3 this hour used")
	checkAt(t, d, at(10, 0))

	d = p.Pushes().Background(dockOnly(), "p5", at(9, 40))
	check(t, d, Throttle, RulePushThrottle, "background push throttled to 10:00: 3 of 3 this hour used")
	why := p.Why(app, KindBackgroundPush)
	check(t, why[len(why)-2], Drop, RulePushCoalesced,
		"background push received at 09:30 dropped: superseded by a newer push received at 09:40; only the newest throttled push is delivered")

	r, d, ok := p.Pushes().BackgroundDue(dockOnly(), at(10, 0))
	if !ok || r.UserInfo != "p5" {
		t.Fatalf("ok=%v payload=%v", ok, r.UserInfo)
	}
	check(t, d, Run, RulePushRun, "background push runs at 10:00 for up to 30 s: 3 of 3 this hour used")
	if d.Numbers["run_time_s"] != 30 {
		t.Fatalf("numbers %v", d.Numbers)
	}
	if p.Pending.Len() != 0 {
		t.Fatal("still pending")
	}
}

// Rule 6, ComplicationPushesPerDay = 50 per rolling 24 h, only while the
// complication is on the active face, followed by a complicationUpdate
// snapshot.
func TestRule6ComplicationPushes(t *testing.T) {
	p := newPolicy(t)
	check(t, p.Pushes().Complication(dockOnly(), at(8, 0)), Drop, RuleComplicationFace,
		"complication push dropped: the app's complication is not on the active face")

	var d Decision
	for i := 0; i < 50; i++ {
		d = p.Pushes().Complication(withComp(), at(9, 10*i))
		if d.Verdict != Run || d.Snapshot != SnapshotComplicationUpdate {
			t.Fatalf("push %d: %s", i+1, d)
		}
	}
	check(t, d, Run, RuleComplicationRun,
		"complication push runs at 17:10: 50 of 50 in the rolling 24 h used; a complicationUpdate snapshot follows")
	d = p.Pushes().Complication(withComp(), at(17, 20))
	check(t, d, Drop, RuleComplicationBudget,
		"complication push dropped: 50 of 50 in the rolling 24 h used; the next is allowed at 2024-06-02 09:00")
	if d.Snapshot != "" {
		t.Fatal("a dropped push asks for a snapshot")
	}
	check(t, p.Pushes().Complication(withComp(), at(33, 0)), Run, RuleComplicationRun,
		"complication push runs at 09:00: 50 of 50 in the rolling 24 h used; a complicationUpdate snapshot follows")
}

// Rule 6b, ComplicationTransfersPerDay = 50 transferCurrentComplicationUserInfo
// per rolling 24 h, waking the app at once only while the complication is on
// the active face; the others fall back to ordinary user info (Delay) and
// are not charged.
func TestRule6bComplicationTransfers(t *testing.T) {
	p := newPolicy(t)
	check(t, p.Pushes().Transfer(dockOnly(), at(8, 0)), Delay, RuleTransferFace,
		"complication transfer sent as ordinary user info: the app's complication is not on the active face")
	var d Decision
	for i := 0; i < 50; i++ {
		if d = p.Pushes().Transfer(withComp(), at(9, 10*i)); d.Verdict != Run {
			t.Fatalf("transfer %d: %s", i+1, d)
		}
	}
	check(t, d, Run, RuleTransferRun, "complication transfer wakes the app at 17:10: 50 of 50 in the rolling 24 h used")
	check(t, p.Pushes().Transfer(withComp(), at(17, 20)), Delay, RuleTransferBudget,
		"complication transfer sent as ordinary user info: 50 of 50 in the rolling 24 h used")
	check(t, p.Pushes().Transfer(withComp(), at(33, 0)), Run, RuleTransferRun,
		"complication transfer wakes the app at 09:00: 50 of 50 in the rolling 24 h used")
	if n := p.Ledger.Count(app, at(33, 0), Day, KindComplicationTransfer); n != 50 {
		t.Errorf("charged transfers in the window = %d, want 50 (fallbacks are not charged)", n)
	}
}

// Rule 7, BluetoothAlertsPerDay = 5 per rolling 24 h shared with scans, a
// near-limit warning at BluetoothNearLimit = 1 left, reset on opening.
func TestRule7BluetoothAlerts(t *testing.T) {
	p := newPolicy(t)
	var ds []Decision
	ds = append(ds, p.Bluetooth().Alert(dockOnly(), at(9, 0)))
	ds = append(ds, p.Bluetooth().Scan(dockOnly(), at(9, 10)))
	ds = append(ds, p.Bluetooth().Alert(dockOnly(), at(9, 20)))
	ds = append(ds, p.Bluetooth().Alert(dockOnly(), at(9, 30)))
	ds = append(ds, p.Bluetooth().Alert(dockOnly(), at(9, 40)))
	for i, d := range ds {
		if d.Verdict != Run {
			t.Fatalf("%d: %s", i+1, d)
		}
		if want := i == 3; (d.Warning != "") != want {
			t.Fatalf("%d: warning %q", i+1, d.Warning)
		}
	}
	check(t, ds[3], Run, RuleBluetoothRun, "Bluetooth alert runs at 09:30: 4 of 5 in the rolling 24 h used")
	if ds[3].Warning != "near limit: 1 of 5 Bluetooth alerts and scans left in the rolling 24 h" {
		t.Fatalf("warning %q", ds[3].Warning)
	}
	d := p.Bluetooth().Alert(dockOnly(), at(10, 0))
	check(t, d, Drop, RuleBluetoothBudget,
		"Bluetooth alert dropped: 5 of 5 in the rolling 24 h used (alerts and scans); the next is allowed at 2024-06-02 09:00, or when the user opens the app")

	check(t, p.Bluetooth().Reset(app, at(11, 0)), Reset, RuleBluetoothReset,
		"Bluetooth alert count reset at 11:00: the user opened the app (5 of 5 had been used)")
	check(t, p.Bluetooth().Alert(dockOnly(), at(11, 1)), Run, RuleBluetoothRun,
		"Bluetooth alert runs at 11:01: 1 of 5 in the rolling 24 h used")
}

// Rule 8, TaskTime = 15 s and TaskWarning = 2 s (PushRunTime = 30 s for a
// push): warning at 09:00:13, deadline 09:00:15, then the app is killed.
func TestRule8TaskDeadline(t *testing.T) {
	p := newPolicy(t)
	tt := p.TaskTimes(KindRefresh, at(9, 0))
	if !tt.Warning.Equal(at(9, 0).Add(13*time.Second)) || !tt.Deadline.Equal(at(9, 0).Add(15*time.Second)) {
		t.Fatalf("%+v", tt)
	}
	if _, ok := p.TaskExpired(app, KindRefresh, at(9, 0), tt.Deadline.Add(-time.Nanosecond)); ok {
		t.Fatal("killed before the deadline")
	}
	d, ok := p.TaskExpired(app, KindRefresh, at(9, 0), tt.Deadline)
	if !ok {
		t.Fatal("not killed at the deadline")
	}
	check(t, d, Kill, RuleTaskDeadline,
		"killed: refresh task not completed in time: delivered at 09:00, due by 09:00:15 (15 s) (0x2182bad2 background task not finished in time)")
	checkAt(t, d, tt.Deadline)

	pt := p.TaskTimes(KindBackgroundPush, at(9, 0))
	if !pt.Deadline.Equal(at(9, 0).Add(30*time.Second)) || !pt.Warning.IsZero() {
		t.Fatalf("%+v", pt)
	}
}

// Rule 9, DataDeliveryDelay = 10 min: data for a backgrounded app is
// delivered by 10 min after it arrived; at once when frontmost.
func TestRule9DataDelivery(t *testing.T) {
	p := newPolicy(t)
	if got := p.DataDeliveryBy(at(9, 0)); !got.Equal(at(9, 10)) {
		t.Fatalf("by %v", got)
	}
	d := p.DataDelivery(dockOnly(), at(9, 0), at(9, 0))
	check(t, d, Delay, RuleDataDeliveryDelay,
		"data delivery delayed to 09:10: the app is in the background; data that arrived at 09:00 is delivered within 10 min")
	checkAt(t, d, at(9, 10))
	notRunning := dockOnly()
	notRunning.State = "not_running"
	check(t, p.DataDelivery(notRunning, at(9, 0), at(9, 0)), Delay, RuleDataDeliveryDelay,
		"data delivery delayed to 09:10: the app is not running; data that arrived at 09:00 is delivered within 10 min")
	check(t, p.DataDelivery(dockOnly(), at(9, 0), at(9, 10)), Run, RuleDataDeliveryDelay,
		"data delivery runs at 09:10: data that arrived at 09:00 is delivered within 10 min")
	check(t, p.DataDelivery(frontmost(), at(9, 0), at(9, 0)), Run, RuleDataDeliveryAtOnce,
		"data delivery runs at 09:00: the app is frontmost")
}

// Changing the profile's numbers changes the outcomes: the numbers come from
// the profile, not from the code.
func TestProfileNumbersDecide(t *testing.T) {
	tests := []struct {
		set  []string
		run  func(p *Policy) Decision
		want string
	}{
		{[]string{"refreshes_per_hour=2"}, func(p *Policy) Decision {
			runRefresh(t, p, withComp(), at(9, 0))
			runRefresh(t, p, withComp(), at(9, 10))
			return p.Schedules().Refresh(withComp(), at(9, 20), nil, at(9, 20))
		}, "refresh delayed to 10:00: 2 of 2 this hour used"},
		{[]string{"refreshes_per_hour_no_complication=3"}, func(p *Policy) Decision {
			runRefresh(t, p, dockOnly(), at(9, 0))
			return p.Schedules().Refresh(dockOnly(), at(9, 20), nil, at(9, 20))
		}, "refresh scheduled for 09:20 (its preferred date): 1 of 3 this hour used (no complication on the active face)"},
		{[]string{"snapshots_per_hour=2"}, func(p *Policy) Decision {
			p.CompletionSnapshot(withComp(), at(9, 0))
			p.Schedules().SnapshotDue(withComp(), at(9, 0))
			p.CompletionSnapshot(withComp(), at(9, 1))
			_, d, _ := p.Schedules().SnapshotDue(withComp(), at(9, 1))
			return d
		}, "snapshot runs at 09:01: 2 of 2 this hour used"},
		{[]string{"background_pushes_per_hour=1"}, func(p *Policy) Decision {
			p.Pushes().Background(dockOnly(), nil, at(9, 0))
			return p.Pushes().Background(dockOnly(), nil, at(9, 1))
		}, "background push throttled to 10:00: 1 of 1 this hour used"},
		{[]string{"push_run_time=20s"}, func(p *Policy) Decision {
			return p.Pushes().Background(dockOnly(), nil, at(9, 0))
		}, "background push runs at 09:00 for up to 20 s: 1 of 3 this hour used"},
		{[]string{"complication_pushes_per_day=2"}, func(p *Policy) Decision {
			p.Pushes().Complication(withComp(), at(9, 0))
			p.Pushes().Complication(withComp(), at(9, 1))
			return p.Pushes().Complication(withComp(), at(9, 2))
		}, "complication push dropped: 2 of 2 in the rolling 24 h used; the next is allowed at 2024-06-02 09:00"},
		{[]string{"bluetooth_alerts_per_day=3", "bluetooth_near_limit=2"}, func(p *Policy) Decision {
			return p.Bluetooth().Alert(dockOnly(), at(9, 0))
		}, "Bluetooth alert runs at 09:00: 1 of 3 in the rolling 24 h used; warning: near limit: 2 of 3 Bluetooth alerts and scans left in the rolling 24 h"},
		{[]string{"task_time=10s", "task_warning=1s"}, func(p *Policy) Decision {
			d, _ := p.TaskExpired(app, KindRefresh, at(9, 0), at(9, 1))
			if w := p.TaskTimes(KindRefresh, at(9, 0)).Warning; !w.Equal(at(9, 0).Add(9 * time.Second)) {
				t.Errorf("warning at %v", w)
			}
			return d
		}, "killed: refresh task not completed in time: delivered at 09:00, due by 09:00:10 (10 s) (0x2182bad2 background task not finished in time)"},
		{[]string{"data_delivery_delay=5m"}, func(p *Policy) Decision {
			return p.DataDelivery(dockOnly(), at(9, 0), at(9, 0))
		}, "data delivery delayed to 09:05: the app is in the background; data that arrived at 09:00 is delivered within 5 min"},
		{[]string{"return_to_default_after=30m"}, func(p *Policy) Decision {
			return p.SystemSnapshot(Facts{App: app, LastInteraction: at(9, 0)}, SnapshotReturnToDefaultState, at(9, 10))
		}, "snapshot (returnToDefaultState) delayed to 09:30: 30 min after the last interaction at 09:00"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.set, ","), func(t *testing.T) {
			p := newPolicy(t, tt.set...)
			d := tt.run(p.Policy)
			got := d.Reason
			if d.Warning != "" {
				got += "; warning: " + d.Warning
			}
			if got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// A budget of 0 has no time a request could run: dropped, not delayed.
func TestZeroBudgetDrops(t *testing.T) {
	p := newPolicy(t, "refreshes_per_hour_no_complication=0", "background_pushes_per_hour=0")
	p.Schedules().Refresh(dockOnly(), at(10, 0), nil, at(9, 0))
	d := p.Schedules().Refresh(dockOnly(), at(10, 30), nil, at(9, 1))
	check(t, d, Drop, RuleRefreshBudget, "refresh dropped: the budget is 0 per hour (no complication on the active face)")
	if p.Pending.Len() != 0 {
		t.Fatal("a request that can never run is pending")
	}
	check(t, p.Pushes().Background(dockOnly(), nil, at(9, 0)), Drop, RulePushThrottle,
		"background push dropped: the throttle is 0 per hour")
}

// The rolling window: an entry at t counts in (t-1h, t], so it still counts
// at 09:59:59.999 and no longer at 10:00.
func TestRollingWindowBoundary(t *testing.T) {
	ts := []time.Time{at(9, 0)}
	if s := nextSlot(ts, at(10, 0).Add(-time.Millisecond), Hour, 1); !s.at.Equal(at(10, 0)) || s.used != 1 {
		t.Fatalf("%+v", s)
	}
	if s := nextSlot(ts, at(10, 0), Hour, 1); !s.at.Equal(at(10, 0)) || s.used != 0 {
		t.Fatalf("%+v", s)
	}
	// Sub-second times show in reasons.
	p := newPolicy(t, "refreshes_per_hour=1")
	runRefresh(t, p.Policy, withComp(), at(9, 0).Add(1500*time.Millisecond))
	check(t, p.Schedules().Refresh(withComp(), time.Time{}, nil, at(9, 1)), Delay, RuleRefreshBudget,
		"refresh delayed to 10:00:01.500: 1 of 1 this hour used")
}

// The ledger forgets what no rule looks at any more.
func TestLedgerPrune(t *testing.T) {
	l := NewLedger()
	l.Record(app, Entry{Kind: KindBluetoothAlert, At: at(9, 0), Charged: true})
	l.Record(app, Entry{Kind: KindRefresh, At: at(10, 0), Charged: true})
	l.Prune(at(33, 0))
	if es := l.Entries(app); len(es) != 1 || es[0].Kind != KindRefresh {
		t.Fatalf("%+v", es)
	}
	l.Record(app, Entry{Kind: KindRefresh, At: at(34, 0), Charged: true})
	if es := l.Entries(app); len(es) != 1 || !es[0].At.Equal(at(34, 0)) {
		t.Fatalf("record did not prune: %+v", es)
	}
	l.Prune(at(60, 0))
	if len(l.apps) != 0 {
		t.Fatal("empty app kept")
	}
}

// The decision log answers "why didn't my task run", per app and kind, in
// time order, with readable lines.
func TestWhy(t *testing.T) {
	p := newPolicy(t)
	for _, m := range []int{0, 10, 20, 30} {
		runRefresh(t, p.Policy, withComp(), at(9, m))
	}
	p.Schedules().Refresh(withComp(), at(9, 40), nil, at(9, 40))
	p.Pushes().Background(withComp(), nil, at(9, 41))
	p.Bluetooth().Alert(Facts{App: "com.example.other"}, at(9, 42))

	why := p.Why(app, KindRefresh)
	if len(why) != 9 {
		t.Fatalf("%d decisions", len(why))
	}
	for i := 1; i < len(why); i++ {
		if why[i].Time.Before(why[i-1].Time) {
			t.Fatal("not in time order")
		}
	}
	want := "2024-06-01 09:40:00 com.example.weather: refresh delayed to 10:00: 4 of 4 this hour used [refresh.hourly_budget]"
	if got := Line(why[len(why)-1]); got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if n := len(p.Why(app)); n != 10 {
		t.Fatalf("all kinds: %d", n)
	}
	if n := len(p.Why("com.example.other")); n != 1 {
		t.Fatalf("other app: %d", n)
	}
	if tl := Timeline(p.Why(app, KindBackgroundPush)); tl !=
		"2024-06-01 09:41:00 com.example.weather: background push runs at 09:41 for up to 30 s: 1 of 3 this hour used [background_push.run]\n" {
		t.Fatalf("%q", tl)
	}

	l := NewLog(2)
	for i := 0; i < 5; i++ {
		l.Append(Decision{App: app, Time: at(9, i)})
	}
	if l.Len() != 2 || l.Forgotten() != 3 || !l.All()[0].Time.Equal(at(9, 3)) {
		t.Fatalf("len %d forgotten %d", l.Len(), l.Forgotten())
	}
}

// Identical inputs give identical decisions.
func TestDeterministic(t *testing.T) {
	scenario := func() string {
		p := newPolicy(t)
		f := withComp()
		for i := 0; i < 12; i++ {
			now := at(9, 7*i)
			p.Schedules().Refresh(f, now.Add(3*time.Minute), i, now)
			p.Schedules().RefreshDue(f, now.Add(3*time.Minute))
			p.Pushes().Background(f, i, now)
			p.Pushes().BackgroundDue(f, now)
			p.CompletionSnapshot(f, now)
			p.Schedules().SnapshotDue(f, now)
			p.Bluetooth().Alert(f, now)
			p.Pushes().Complication(f, now)
		}
		return Timeline(p.Log.All())
	}
	a, b := scenario(), scenario()
	if a != b || a == "" {
		t.Fatalf("runs differ:\n%s\n---\n%s", a, b)
	}
}

func TestUsage(t *testing.T) {
	p := newPolicy(t)
	for _, m := range []int{0, 10, 20, 30} {
		runRefresh(t, p.Policy, withComp(), at(9, m))
	}
	u := p.Usage(withComp(), at(9, 40))
	if u[0].Kind != KindRefresh || u[0].Used != 4 || u[0].Limit != 4 || !u[0].Next.Equal(at(10, 0)) {
		t.Fatalf("%+v", u[0])
	}
	if u[4].Kind != KindBluetoothAlert || u[4].Limit != 5 || u[4].Window != Day || !u[4].Next.Equal(at(9, 40)) {
		t.Fatalf("%+v", u[4])
	}
	if u[5].Kind != KindComplicationTransfer || u[5].Limit != 50 || u[5].Window != Day {
		t.Fatalf("%+v", u[5])
	}
}

func TestFormatting(t *testing.T) {
	ref := at(9, 0)
	for _, tt := range []struct {
		t    time.Time
		want string
	}{
		{at(10, 0), "10:00"},
		{at(10, 0).Add(15 * time.Second), "10:00:15"},
		{at(10, 0).Add(250 * time.Millisecond), "10:00:00.250"},
		{at(33, 0), "2024-06-02 09:00"},
		{at(10, 0).In(time.FixedZone("X", 3600)), "10:00"},
	} {
		if got := clock(tt.t, ref); got != tt.want {
			t.Errorf("clock(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
	for d, want := range map[time.Duration]string{15 * time.Second: "15 s", 10 * time.Minute: "10 min", Day: "24 h", 1500 * time.Millisecond: "1.5s"} {
		if got := dur(d); got != want {
			t.Errorf("dur(%v) = %q, want %q", d, got, want)
		}
	}
	if d := (Decision{Reason: "r", Warning: "w"}).Reported(); d.Reason != "r; warning: w" || d.Warning != "" {
		t.Errorf("Reported: %+v", d)
	}
}

// Pending requests come out in due order, so the caller knows when to wake.
func TestPendingOrder(t *testing.T) {
	p := newPolicy(t, "background_pushes_per_hour=1")
	b := Facts{App: "com.example.b", ComplicationActive: true}
	p.Schedules().Refresh(withComp(), at(10, 30), nil, at(9, 0))
	p.Schedules().Snapshot(b, at(10, 0), nil, at(9, 0))
	p.Pushes().Background(withComp(), nil, at(9, 0))
	p.Pushes().Background(withComp(), nil, at(9, 1)) // throttled to 10:00
	var got []string
	for _, r := range p.Pending.All() {
		got = append(got, clock(r.Due, at(9, 0))+" "+r.App+" "+string(r.Kind))
	}
	want := "10:00 com.example.b snapshot|10:00 com.example.weather background_push|10:30 com.example.weather refresh"
	if strings.Join(got, "|") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, "|"), want)
	}
	if r, ok := p.Pending.Next(); !ok || r.App != "com.example.b" {
		t.Fatalf("next %+v", r)
	}
	if _, ok := NewPending().Next(); ok {
		t.Fatal("next of empty")
	}
}

// The budget getters report the profile's numbers.
func TestBudgetsComeFromTheProfile(t *testing.T) {
	p := newPolicy(t, "refreshes_per_hour=7", "refreshes_per_hour_no_complication=2", "snapshots_per_hour=3",
		"background_pushes_per_hour=5", "complication_pushes_per_day=9", "bluetooth_alerts_per_day=4",
		"complication_transfers_per_day=6")
	type got struct {
		n int
		w time.Duration
	}
	g := func(n int, w time.Duration) got { return got{n, w} }
	for name, tt := range map[string]struct{ got, want got }{
		"refresh":         {g(p.Schedules().RefreshBudget(withComp())), got{7, Hour}},
		"refresh no comp": {g(p.Schedules().RefreshBudget(dockOnly())), got{2, Hour}},
		"snapshot":        {g(p.Schedules().SnapshotBudget()), got{3, Hour}},
		"push":            {g(p.Pushes().BackgroundBudget()), got{5, Hour}},
		"complication":    {g(p.Pushes().ComplicationBudget()), got{9, Day}},
		"bluetooth":       {g(p.Bluetooth().Budget()), got{4, Day}},
		"transfer":        {g(p.Pushes().TransferBudget()), got{6, Day}},
	} {
		if tt.got != tt.want {
			t.Errorf("%s: %+v, want %+v", name, tt.got, tt.want)
		}
	}
}
