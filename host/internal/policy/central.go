package policy

import (
	"fmt"
	"time"
)

// KindPeripheral is what the decisions of the Bluetooth central rules are
// about: a scan, a connection to a simulated peripheral, a discovery, a
// read or a subscription, and a connection the system closed.
const KindPeripheral Kind = "peripheral"

// Rule ids of the Bluetooth central rules (rule 7, central; see
// [Bluetooth.Central]). The budget of background scans is rule 7's
// (RuleBluetoothRun, RuleBluetoothBudget).
const (
	RuleBluetoothNotRunning        = "bluetooth.not_running"        // no background task open and not frontmost
	RuleBluetoothTaskTime          = "bluetooth.task_time"          // the open task's time is over
	RuleBluetoothScanService       = "bluetooth.scan_needs_service" // a background scan names no service
	RuleBluetoothScanForeground    = "bluetooth.scan_foreground"    // a scan by the frontmost app: not charged
	RuleBluetoothUnknown           = "bluetooth.unknown"            // no such peripheral, service or characteristic
	RuleBluetoothNotConnected      = "bluetooth.not_connected"      // discover, read or subscribe without a connection
	RuleBluetoothConnectionLimit   = "bluetooth.connection_limit"   // beyond max_bluetooth_connections
	RuleBluetoothSubscriptionLimit = "bluetooth.subscription_limit" // beyond max_bluetooth_subscriptions
	RuleBluetoothConnect           = "bluetooth.connect"            // a connection opened
	RuleBluetoothDiscover          = "bluetooth.discover"           // services and characteristics discovered
	RuleBluetoothRead              = "bluetooth.read"               // a characteristic read
	RuleBluetoothSubscribe         = "bluetooth.subscribe"          // a characteristic subscribed to
	RuleBluetoothDisconnect        = "bluetooth.disconnect"         // the app closed a connection
	RuleBluetoothClosed            = "bluetooth.closed"             // the system closed a connection (task done, suspended, peripheral gone)
	RuleBluetoothNotified          = "bluetooth.value_updated"      // a subscribed value changed and the app was told
)

// Central ops, the Op of a [CentralRequest]: the ABI's names.
const (
	OpScan       = "bluetooth_scan"
	OpConnect    = "bluetooth_connect"
	OpDiscover   = "bluetooth_discover"
	OpRead       = "bluetooth_read"
	OpSubscribe  = "bluetooth_subscribe"
	OpDisconnect = "bluetooth_disconnect"
)

// CentralRequest is what the Bluetooth central rules know of one request
// of an app acting as a Bluetooth central.
type CentralRequest struct {
	// Op is the request (OpScan, OpConnect, ...).
	Op string
	// Peripheral, Service and Characteristic name what the request is
	// about, as far as it names anything (a scan names only Service).
	Peripheral, Service, Characteristic string
	// Tasks is how many background tasks the app has open; Deadline is
	// the earliest of their deadlines (zero when none is open).
	Tasks    int
	Deadline time.Time
	// Missing is what the simulated world lacks of what the request
	// names: "peripheral", "service" or "characteristic"; "" when all
	// exist.
	Missing string
	// Connected says whether the app is connected to Peripheral.
	Connected bool
	// Connections and Subscriptions are what the app holds before the
	// request.
	Connections, Subscriptions int
	// Again says a subscribe names a characteristic already subscribed
	// to: it holds nothing more, so no limit applies.
	Again bool
	// Value is the value a read returns, quoted in its reason.
	Value string
}

// what names r's object in a reason: `peripheral "strap"`,
// `characteristic 180D/2A37 of "strap"`.
func (r CentralRequest) what() string {
	switch {
	case r.Characteristic != "":
		return fmt.Sprintf("characteristic %s/%s of %q", r.Service, r.Characteristic, r.Peripheral)
	case r.Peripheral != "":
		return fmt.Sprintf("peripheral %q", r.Peripheral)
	case r.Service != "":
		return "peripherals with service " + r.Service
	}
	return "any peripheral"
}

// Central decides a request of app f.App acting as a Bluetooth central
// (CBCentralManager, CBPeripheral) at now. The rules, in order:
//
//   - Bluetooth is used while the app runs: frontmost, or with a background
//     task open (rule "bluetooth.not_running" otherwise);
//   - in the background, within the open tasks' time: before the earliest
//     deadline ("bluetooth.task_time");
//   - a background scan names a service ("bluetooth.scan_needs_service",
//     as Core Bluetooth requires) and is charged to the Bluetooth budget
//     shared with timely alerts ([Bluetooth.Scan]: "bluetooth.run" or
//     "bluetooth.daily_budget"); a frontmost app's scan is not charged
//     ("bluetooth.scan_foreground");
//   - what the request names exists ("bluetooth.unknown");
//   - discover, read and subscribe need a connection
//     ("bluetooth.not_connected");
//   - at most Profile.MaxBluetoothConnections connections and
//     Profile.MaxBluetoothSubscriptions subscriptions per app
//     ("bluetooth.connection_limit", "bluetooth.subscription_limit").
//
// What runs is reported under the op's rule ("bluetooth.connect",
// "bluetooth.read", ...). Refusals have the verdict Drop.
func (p Bluetooth) Central(f Facts, r CentralRequest, now time.Time) Decision {
	d := Decision{App: f.App, Kind: KindPeripheral, Time: now}
	drop := func(rule, format string, args ...any) Decision {
		d.Verdict, d.Rule = Drop, rule
		d.Reason = r.Op + " refused: " + fmt.Sprintf(format, args...)
		return p.record(d)
	}
	state := f.State
	if state == "" {
		state = "not frontmost"
	}
	switch {
	case !f.Frontmost && r.Tasks == 0:
		return drop(RuleBluetoothNotRunning, "the app is %s with no background task open; an app uses Bluetooth while it is frontmost or within a background task", state)
	case !f.Frontmost && !now.Before(r.Deadline):
		d.Numbers = nums("late_ms", int64(now.Sub(r.Deadline)/time.Millisecond))
		return drop(RuleBluetoothTaskTime, "the background task's time ended at %s (task_time %s); Bluetooth work belongs before the task completes",
			clock(r.Deadline, now), p.Profile.TaskTime.D())
	}
	if r.Op == OpScan {
		if f.Frontmost {
			d.Verdict, d.Rule, d.At = Run, RuleBluetoothScanForeground, now
			d.Reason = fmt.Sprintf("Bluetooth scan for %s runs: the app is frontmost, so it is not charged to the background budget", r.what())
			return p.record(d)
		}
		if r.Service == "" {
			return drop(RuleBluetoothScanService, "a background scan must name the service it looks for (scanForPeripherals(withServices:) with a service UUID)")
		}
		return p.bluetooth(f, KindBluetoothScan, now)
	}
	switch {
	case r.Missing != "":
		name := map[string]string{"peripheral": r.Peripheral, "service": r.Service, "characteristic": r.Characteristic}[r.Missing]
		return drop(RuleBluetoothUnknown, "no %s %q%s; declare it with the peripheral verb, or scan and discover to learn the names", r.Missing, name, of(r))
	case r.Op != OpConnect && !r.Connected:
		return drop(RuleBluetoothNotConnected, "peripheral %q is not connected; connect to it first (connections close when the task completes)", r.Peripheral)
	case r.Op == OpConnect && !r.Connected && r.Connections >= p.Profile.MaxBluetoothConnections:
		d.Numbers = nums("connections", r.Connections, "limit", p.Profile.MaxBluetoothConnections)
		return drop(RuleBluetoothConnectionLimit, "the app already has %d of %d connections (max_bluetooth_connections)", r.Connections, p.Profile.MaxBluetoothConnections)
	case r.Op == OpSubscribe && !r.Again && r.Subscriptions >= p.Profile.MaxBluetoothSubscriptions:
		d.Numbers = nums("subscriptions", r.Subscriptions, "limit", p.Profile.MaxBluetoothSubscriptions)
		return drop(RuleBluetoothSubscriptionLimit, "the app already has %d of %d subscriptions (max_bluetooth_subscriptions)", r.Subscriptions, p.Profile.MaxBluetoothSubscriptions)
	}
	d.Verdict, d.At = Run, now
	switch r.Op {
	case OpConnect:
		d.Rule = RuleBluetoothConnect
		d.Reason = fmt.Sprintf("connected to %s", r.what())
		if r.Connected {
			d.Reason += " (already connected)"
		}
	case OpDiscover:
		d.Rule, d.Reason = RuleBluetoothDiscover, fmt.Sprintf("discovered the services of %s", r.what())
	case OpRead:
		d.Rule, d.Reason = RuleBluetoothRead, fmt.Sprintf("read %s: %s", r.what(), r.Value)
	case OpSubscribe:
		d.Rule, d.Reason = RuleBluetoothSubscribe, fmt.Sprintf("subscribed to %s", r.what())
		if r.Again {
			d.Reason += " (already subscribed)"
		}
	default:
		d.Rule, d.Reason = RuleBluetoothDisconnect, fmt.Sprintf("disconnected from %s by the app", r.what())
	}
	if !f.Frontmost {
		d.Numbers = nums("left_ms", int64(r.Deadline.Sub(now)/time.Millisecond))
	}
	return p.record(d)
}

// of says what a missing service or characteristic was looked for in.
func of(r CentralRequest) string {
	switch {
	case r.Characteristic != "" && r.Missing == "characteristic":
		return fmt.Sprintf(" in service %s of %q", r.Service, r.Peripheral)
	case r.Missing == "service":
		return fmt.Sprintf(" on %q", r.Peripheral)
	}
	return ""
}
