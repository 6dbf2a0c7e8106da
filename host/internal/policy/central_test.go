package policy

import (
	"testing"
	"time"
)

// The Bluetooth central rules (rule 7, central), one test per rule id, on
// the virtual clock: a background task delivered at 09:00 has its
// deadline at 09:00:15 (task_time).

// inTask is a request made within a background task delivered at 09:00.
func inTask(op string) CentralRequest {
	r := CentralRequest{Op: op, Peripheral: "strap", Tasks: 1, Deadline: at(9, 0).Add(15 * time.Second), Connected: op != OpConnect}
	switch op {
	case OpScan:
		r.Peripheral, r.Service = "", "180D"
	case OpRead, OpSubscribe:
		r.Service, r.Characteristic = "180D", "2A37"
	}
	return r
}

func background() Facts { return Facts{App: app, ComplicationActive: true, State: "background"} }

func TestCentralNotRunning(t *testing.T) {
	p := newPolicy(t)
	r := inTask(OpConnect)
	r.Tasks, r.Deadline = 0, time.Time{}
	check(t, p.Bluetooth().Central(background(), r, at(9, 0)), Drop, RuleBluetoothNotRunning,
		"bluetooth_connect refused: the app is background with no background task open; an app uses Bluetooth while it is frontmost or within a background task")
	// Frontmost, no task is needed.
	check(t, p.Bluetooth().Central(frontmost(), r, at(9, 0)), Run, RuleBluetoothConnect, `connected to peripheral "strap"`)
}

func TestCentralTaskTime(t *testing.T) {
	p := newPolicy(t)
	d := p.Bluetooth().Central(background(), inTask(OpRead), at(9, 0).Add(16*time.Second))
	check(t, d, Drop, RuleBluetoothTaskTime,
		"bluetooth_read refused: the background task's time ended at 09:00:15 (task_time 15s); Bluetooth work belongs before the task completes")
	if d.Numbers["late_ms"] != 1000 {
		t.Fatalf("numbers %v", d.Numbers)
	}
	// A nanosecond before the deadline it runs, with the time left.
	d = p.Bluetooth().Central(background(), inTask(OpRead), at(9, 0).Add(15*time.Second-time.Millisecond))
	if d.Verdict != Run || d.Numbers["left_ms"] != 1 {
		t.Fatalf("%s %v", d, d.Numbers)
	}
}

func TestCentralScanNeedsService(t *testing.T) {
	p := newPolicy(t)
	r := inTask(OpScan)
	r.Service = ""
	check(t, p.Bluetooth().Central(background(), r, at(9, 0)), Drop, RuleBluetoothScanService,
		"bluetooth_scan refused: a background scan must name the service it looks for (scanForPeripherals(withServices:) with a service UUID)")
}

func TestCentralScanForegroundIsFree(t *testing.T) {
	p := newPolicy(t)
	r := CentralRequest{Op: OpScan}
	for range 10 {
		check(t, p.Bluetooth().Central(frontmost(), r, at(9, 0)), Run, RuleBluetoothScanForeground,
			"Bluetooth scan for any peripheral runs: the app is frontmost, so it is not charged to the background budget")
	}
	if n := p.Ledger.Count(app, at(9, 0), Day, KindBluetoothScan); n != 0 {
		t.Fatalf("%d foreground scans charged", n)
	}
}

// Background scans share the 5 per rolling 24 h with timely alerts
// (bluetooth.run, bluetooth.daily_budget), with the near-limit warning at
// 1 left.
func TestCentralBackgroundScanBudget(t *testing.T) {
	p := newPolicy(t)
	for m := range 3 {
		p.Bluetooth().Alert(background(), at(8, m))
	}
	r := inTask(OpScan)
	d := p.Bluetooth().Central(background(), r, at(9, 0))
	check(t, d, Run, RuleBluetoothRun, "Bluetooth background scan runs at 09:00: 4 of 5 in the rolling 24 h used")
	if d.Warning != "near limit: 1 of 5 Bluetooth alerts and scans left in the rolling 24 h" {
		t.Fatalf("warning %q", d.Warning)
	}
	p.Bluetooth().Central(background(), r, at(9, 0).Add(time.Second))
	check(t, p.Bluetooth().Central(background(), r, at(9, 0).Add(2*time.Second)), Drop, RuleBluetoothBudget,
		"Bluetooth background scan dropped: 5 of 5 in the rolling 24 h used (alerts and scans); the next is allowed at 2024-06-02 08:00, or when the user opens the app")
}

func TestCentralUnknown(t *testing.T) {
	p := newPolicy(t)
	for _, c := range []struct{ missing, reason string }{
		{"peripheral", `bluetooth_read refused: no peripheral "strap"; declare it with the peripheral verb, or scan and discover to learn the names`},
		{"service", `bluetooth_read refused: no service "180D" on "strap"; declare it with the peripheral verb, or scan and discover to learn the names`},
		{"characteristic", `bluetooth_read refused: no characteristic "2A37" in service 180D of "strap"; declare it with the peripheral verb, or scan and discover to learn the names`},
	} {
		r := inTask(OpRead)
		r.Missing = c.missing
		check(t, p.Bluetooth().Central(background(), r, at(9, 0)), Drop, RuleBluetoothUnknown, c.reason)
	}
}

func TestCentralNotConnected(t *testing.T) {
	p := newPolicy(t)
	r := inTask(OpSubscribe)
	r.Connected = false
	check(t, p.Bluetooth().Central(background(), r, at(9, 0)), Drop, RuleBluetoothNotConnected,
		`bluetooth_subscribe refused: peripheral "strap" is not connected; connect to it first (connections close when the task completes)`)
}

func TestCentralConnectionLimit(t *testing.T) {
	p := newPolicy(t, "max_bluetooth_connections=2")
	r := inTask(OpConnect)
	r.Connections = 2
	d := p.Bluetooth().Central(background(), r, at(9, 0))
	check(t, d, Drop, RuleBluetoothConnectionLimit,
		"bluetooth_connect refused: the app already has 2 of 2 connections (max_bluetooth_connections)")
	if d.Numbers["limit"] != 2 {
		t.Fatalf("numbers %v", d.Numbers)
	}
	// Connecting again to a connected peripheral holds nothing more.
	r.Connected = true
	check(t, p.Bluetooth().Central(background(), r, at(9, 0)), Run, RuleBluetoothConnect, `connected to peripheral "strap" (already connected)`)
}

func TestCentralSubscriptionLimit(t *testing.T) {
	p := newPolicy(t, "max_bluetooth_subscriptions=1")
	r := inTask(OpSubscribe)
	r.Subscriptions = 1
	check(t, p.Bluetooth().Central(background(), r, at(9, 0)), Drop, RuleBluetoothSubscriptionLimit,
		"bluetooth_subscribe refused: the app already has 1 of 1 subscriptions (max_bluetooth_subscriptions)")
	r.Again = true
	check(t, p.Bluetooth().Central(background(), r, at(9, 0)), Run, RuleBluetoothSubscribe,
		"subscribed to characteristic 180D/2A37 of \"strap\" (already subscribed)")
}

// What runs is reported under the op's own rule.
func TestCentralRuns(t *testing.T) {
	p := newPolicy(t)
	r := inTask(OpRead)
	r.Value = "72"
	for _, c := range []struct {
		r            CentralRequest
		rule, reason string
	}{
		{inTask(OpConnect), RuleBluetoothConnect, `connected to peripheral "strap"`},
		{inTask(OpDiscover), RuleBluetoothDiscover, `discovered the services of peripheral "strap"`},
		{r, RuleBluetoothRead, `read characteristic 180D/2A37 of "strap": 72`},
		{inTask(OpSubscribe), RuleBluetoothSubscribe, `subscribed to characteristic 180D/2A37 of "strap"`},
		{inTask(OpDisconnect), RuleBluetoothDisconnect, `disconnected from peripheral "strap" by the app`},
	} {
		d := p.Bluetooth().Central(background(), c.r, at(9, 0))
		check(t, d, Run, c.rule, c.reason)
		checkAt(t, d, at(9, 0))
	}
}
