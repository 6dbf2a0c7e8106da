// Package peripheral is the Bluetooth central feature: an app scans for,
// connects to, discovers, reads and subscribes to simulated Bluetooth
// peripherals, as a watchOS app does during background app refresh to
// keep its complication current ("Interacting with Bluetooth peripherals
// during background app refresh").
//
// The peripherals are the runtime's (World), declared by a scenario or a
// live command. An app's connections last while it runs: while it is
// frontmost, or while a background task is open, and only within the
// task's time. They close when its last task completes (in the
// background), when it leaves the foreground with no task open (it is
// told, with bluetooth_disconnected), when it is suspended, and when a
// peripheral goes out of range (told). Background scans are charged to
// the Bluetooth budget shared with timely alerts. The rules are the
// policy's Bluetooth family (policy.Bluetooth.Central).
package peripheral

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/system"
)

// notifyTimer names the timer that delivers the next change of a
// subscribed characteristic whose value is a time series.
const notifyTimer = "bluetooth notify"

// Feature is one app's Bluetooth central: its connections and
// subscriptions.
type Feature struct {
	a     *system.App
	w     *World
	conns map[string]*conn // by peripheral name
}

// conn is one connection: the characteristics subscribed to, each with
// the value last delivered.
type conn struct {
	since time.Time
	subs  map[string][]byte // SERVICE/CHAR -> last value the app has
}

// Register adds the Bluetooth central feature to a, reading the
// peripherals of w: its ops and its hooks (connections close when the
// last background task completes, when the app leaves the foreground
// without one, when it is suspended, and with its instance).
func Register(a *system.App, w *World) *Feature {
	f := &Feature{a: a, w: w, conns: map[string]*conn{}}
	a.Features.Handle(abi.OpBluetoothScan, f.scan)
	a.Features.Handle(abi.OpBluetoothConnect, f.connect)
	a.Features.Handle(abi.OpBluetoothDiscover, f.discover)
	a.Features.Handle(abi.OpBluetoothRead, f.read)
	a.Features.Handle(abi.OpBluetoothSubscribe, f.subscribe)
	a.Features.Handle(abi.OpBluetoothDisconnect, f.disconnect)
	a.Features.OnKill(f.forget)
	a.Features.OnClose(f.forget)
	a.Features.OnTasksDone(func() {
		if !a.Life.Frontmost() {
			f.closeAll("the app's last background task completed")
		}
	})
	a.Features.OnSuspend(func() { f.closeAll("the app was suspended") })
	a.Features.OnBackground(f.background)
	return f
}

// Connection is one of an app's connections as `status` shows it.
type Connection struct {
	// Peripheral is the peripheral's name.
	Peripheral string
	// Since is when the app connected.
	Since time.Time
	// Subscriptions are the characteristics subscribed to,
	// SERVICE/CHARACTERISTIC, sorted.
	Subscriptions []string
}

// Connections returns the app's connections, in peripheral name order.
// The app's lock must be held.
func (f *Feature) Connections() []Connection {
	out := make([]Connection, 0, len(f.conns))
	for _, name := range f.names() {
		c := f.conns[name]
		cn := Connection{Peripheral: name, Since: c.since}
		for k := range c.subs {
			cn.Subscriptions = append(cn.Subscriptions, k)
		}
		slices.Sort(cn.Subscriptions)
		out = append(out, cn)
	}
	return out
}

// names returns the connected peripherals' names, sorted.
func (f *Feature) names() []string {
	names := make([]string, 0, len(f.conns))
	for n := range f.conns {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (f *Feature) subscriptions() int {
	n := 0
	for _, c := range f.conns {
		n += len(c.subs)
	}
	return n
}

// decide applies the central rules to r, filled in with what the app
// holds and runs now.
func (f *Feature) decide(r policy.CentralRequest) policy.Decision {
	a := f.a
	now := a.Now()
	r.Tasks, r.Deadline = a.Tasks.Running()
	_, r.Connected = f.conns[r.Peripheral]
	r.Connections, r.Subscriptions = len(f.conns), f.subscriptions()
	if r.Op != policy.OpScan {
		r.Missing = f.w.missing(r.Peripheral, r.Service, r.Characteristic)
		if r.Op == policy.OpDisconnect && r.Connected {
			r.Missing = "" // out of range already: it was disconnected then
		}
	}
	return a.Decide(func(p *policy.Policy, fa policy.Facts) policy.Decision { return p.Bluetooth().Central(fa, r, now) })
}

// refuse is the answer of op to a decision that did not run: the status
// the rule stands for and the decision's reason.
func refuse(op abi.Op, d policy.Decision) ([]byte, abi.Status, string) {
	st := abi.StatusNotAllowed
	switch d.Rule {
	case policy.RuleBluetoothUnknown:
		st = abi.StatusNotFound
	case policy.RuleBluetoothConnectionLimit, policy.RuleBluetoothSubscriptionLimit, policy.RuleBluetoothBudget:
		st = abi.StatusLimit
	case policy.RuleBluetoothScanService:
		st = abi.StatusBadArgument
	}
	return system.Refuse(op, st, "%s [%s]", strings.TrimPrefix(d.Reason, op.String()+" refused: "), d.Rule)
}

// uuids canonicalizes a request's service and characteristic UUIDs ("" is
// left as it is).
func uuids(op abi.Op, service, char string) (string, string, []byte, abi.Status, string) {
	var err error
	if service != "" {
		if service, err = UUID(service); err != nil {
			res, st, why := system.Refuse(op, abi.StatusBadArgument, "service %v", err)
			return "", "", res, st, why
		}
	}
	if char != "" {
		if char, err = UUID(char); err != nil {
			res, st, why := system.Refuse(op, abi.StatusBadArgument, "characteristic %v", err)
			return "", "", res, st, why
		}
	}
	return service, char, nil, abi.StatusOK, ""
}

// scan carries out scanForPeripherals(withServices:): the names of the
// peripherals in range offering the service (any, in the foreground).
func (f *Feature) scan(args []byte) ([]byte, abi.Status, string) {
	var m msg.BluetoothScan
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	service, _, res, st, why := uuids(abi.OpBluetoothScan, m.Service, "")
	if st != abi.StatusOK {
		return res, st, why
	}
	d := f.decide(policy.CentralRequest{Op: policy.OpScan, Service: service})
	if d.Verdict != policy.Run {
		if d.Rule == policy.RuleBluetoothBudget {
			// watchOS 9: CBError leGattExceededBackgroundNotificationLimit
			return system.RefuseCode(abi.OpBluetoothScan, abi.StatusLimit, abi.CBErrorExceededBackgroundNotificationLimit,
				"%s [%s] (CBError %d, leGattExceededBackgroundNotificationLimit)",
				strings.TrimPrefix(d.Reason, abi.OpBluetoothScan.String()+" refused: "), d.Rule, abi.CBErrorExceededBackgroundNotificationLimit)
		}
		return refuse(abi.OpBluetoothScan, d)
	}
	out := msg.BluetoothScanResult{Peripherals: strings.Join(f.w.scan(service), "\n")}
	if _, near := d.Numbers["near_limit"]; near {
		out.ErrorCode = abi.CBErrorNearBackgroundNotificationLimit // watchOS 9: leGattNearBackgroundNotificationLimit
	}
	return system.Done(out.Encode(nil))
}

// connect carries out connect(_:).
func (f *Feature) connect(args []byte) ([]byte, abi.Status, string) {
	var m msg.BluetoothConnect
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	if p := CheckName(m.Peripheral); p != "" {
		return system.Refuse(abi.OpBluetoothConnect, abi.StatusBadArgument, "%s", p)
	}
	d := f.decide(policy.CentralRequest{Op: policy.OpConnect, Peripheral: m.Peripheral})
	if d.Verdict != policy.Run {
		return refuse(abi.OpBluetoothConnect, d)
	}
	if _, ok := f.conns[m.Peripheral]; !ok {
		f.conns[m.Peripheral] = &conn{since: f.a.Now(), subs: map[string][]byte{}}
	}
	return system.Done(nil)
}

// discover carries out discoverServices and discoverCharacteristics: every
// characteristic of a connected peripheral.
func (f *Feature) discover(args []byte) ([]byte, abi.Status, string) {
	var m msg.BluetoothDiscover
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	if p := CheckName(m.Peripheral); p != "" {
		return system.Refuse(abi.OpBluetoothDiscover, abi.StatusBadArgument, "%s", p)
	}
	d := f.decide(policy.CentralRequest{Op: policy.OpDiscover, Peripheral: m.Peripheral})
	if d.Verdict != policy.Run {
		return refuse(abi.OpBluetoothDiscover, d)
	}
	chars, _ := f.w.discover(m.Peripheral)
	return system.Done(msg.BluetoothDiscoverResult{Characteristics: strings.Join(chars, "\n")}.Encode(nil))
}

// read carries out readValue(for:): the characteristic's value now.
func (f *Feature) read(args []byte) ([]byte, abi.Status, string) {
	var m msg.BluetoothRead
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	if p := CheckName(m.Peripheral); p != "" {
		return system.Refuse(abi.OpBluetoothRead, abi.StatusBadArgument, "%s", p)
	}
	service, char, res, st, why := uuids(abi.OpBluetoothRead, m.Service, m.Characteristic)
	if st != abi.StatusOK {
		return res, st, why
	}
	now := f.a.Now()
	v, _, _ := f.w.value(m.Peripheral, service, char, now)
	d := f.decide(policy.CentralRequest{Op: policy.OpRead, Peripheral: m.Peripheral, Service: service, Characteristic: char,
		Value: system.Truncate(v, 40)})
	if d.Verdict != policy.Run {
		return refuse(abi.OpBluetoothRead, d)
	}
	return system.Done(msg.BluetoothValue{Peripheral: m.Peripheral, Service: service, Characteristic: char, Value: v}.Encode(nil))
}

// subscribe carries out setNotifyValue(true, for:): each later change of
// the value is delivered as bluetooth_value_updated while the connection
// lasts.
func (f *Feature) subscribe(args []byte) ([]byte, abi.Status, string) {
	var m msg.BluetoothSubscribe
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	if p := CheckName(m.Peripheral); p != "" {
		return system.Refuse(abi.OpBluetoothSubscribe, abi.StatusBadArgument, "%s", p)
	}
	service, char, res, st, why := uuids(abi.OpBluetoothSubscribe, m.Service, m.Characteristic)
	if st != abi.StatusOK {
		return res, st, why
	}
	key := service + "/" + char
	dup := false
	if c := f.conns[m.Peripheral]; c != nil {
		_, dup = c.subs[key]
	}
	d := f.decide(policy.CentralRequest{Op: policy.OpSubscribe, Peripheral: m.Peripheral, Service: service, Characteristic: char, Again: dup})
	if d.Verdict != policy.Run {
		return refuse(abi.OpBluetoothSubscribe, d)
	}
	if dup {
		return system.Done(nil) // already subscribed: nothing more held
	}
	v, _, _ := f.w.value(m.Peripheral, service, char, f.a.Now())
	f.conns[m.Peripheral].subs[key] = v
	f.arm()
	return system.Done(nil)
}

// disconnect carries out cancelPeripheralConnection(_:). The app closed
// it, so it is not told with bluetooth_disconnected.
func (f *Feature) disconnect(args []byte) ([]byte, abi.Status, string) {
	var m msg.BluetoothDisconnect
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	if p := CheckName(m.Peripheral); p != "" {
		return system.Refuse(abi.OpBluetoothDisconnect, abi.StatusBadArgument, "%s", p)
	}
	d := f.decide(policy.CentralRequest{Op: policy.OpDisconnect, Peripheral: m.Peripheral})
	if d.Verdict != policy.Run {
		return refuse(abi.OpBluetoothDisconnect, d)
	}
	delete(f.conns, m.Peripheral)
	f.arm()
	return system.Done(nil)
}

// forget drops every connection without a word: the instance is gone.
func (f *Feature) forget() {
	clear(f.conns)
	f.a.Timers.Stop(notifyTimer)
}

// closeAll closes every connection, reporting each with why; the app is
// not told (it is not running for it). It returns the names closed.
func (f *Feature) closeAll(why string) []string {
	names := f.names()
	now := f.a.Env.Clock.Now()
	for _, n := range names {
		f.a.Report(policy.Decision{Time: now, Kind: policy.KindPeripheral, Verdict: policy.Drop, Rule: policy.RuleBluetoothClosed,
			Reason: fmt.Sprintf("connection to %q closed by the system: %s", n, why)})
	}
	f.forget()
	return names
}

// background closes the connections of an app that left the foreground
// with no background task open, and tells it of each.
func (f *Feature) background(ctx context.Context) error {
	if len(f.conns) == 0 {
		return nil
	}
	if n, _ := f.a.Tasks.Running(); n > 0 {
		return nil
	}
	return f.tell(ctx, f.closeAll("the app left the foreground with no background task open"), "the app entered the background")
}

// tell delivers bluetooth_disconnected for each of names, with why.
func (f *Feature) tell(ctx context.Context, names []string, why string) error {
	for _, n := range names {
		if !f.a.Guest.Running() {
			return nil
		}
		if _, err := f.a.Call(ctx, abi.EventBluetoothDisconnected, msg.BluetoothDisconnected{Peripheral: n, Error: why}.Encode(nil)); err != nil && !f.a.Guest.Running() {
			return err
		}
	}
	return nil
}

// Gone is peripheral name going out of range (the runtime has removed
// it): the app's connection to it closes, and a running app is told. The
// app's lock must be held.
func (f *Feature) Gone(ctx context.Context, name string) error {
	if _, ok := f.conns[name]; !ok {
		return nil
	}
	delete(f.conns, name)
	f.arm()
	f.a.Report(policy.Decision{Time: f.a.Env.Clock.Now(), Kind: policy.KindPeripheral, Verdict: policy.Drop, Rule: policy.RuleBluetoothClosed,
		Reason: fmt.Sprintf("connection to %q closed: the peripheral went out of range", name)})
	return f.tell(ctx, []string{name}, "the peripheral went out of range")
}

// Changed delivers the changes of the app's subscribed characteristics
// (after a peripheral's value was declared again, or at a series'
// sample time) as bluetooth_value_updated events. The app's lock must be
// held.
func (f *Feature) Changed(ctx context.Context) error {
	now := f.a.Env.Clock.Now()
	for _, name := range f.names() {
		c := f.conns[name]
		if c == nil {
			continue
		}
		keys := make([]string, 0, len(c.subs))
		for k := range c.subs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			service, char, _ := strings.Cut(k, "/")
			v, _, ok := f.w.value(name, service, char, now)
			if !ok || string(v) == string(c.subs[k]) {
				continue
			}
			c.subs[k] = v
			if !f.a.Guest.Running() {
				return nil
			}
			f.a.Report(policy.Decision{Time: now, Kind: policy.KindPeripheral, Verdict: policy.Run, At: now, Rule: policy.RuleBluetoothNotified,
				Reason: fmt.Sprintf("%s of %q changed to %s: the app is subscribed", k, name, system.Truncate(v, 40))})
			ev := msg.BluetoothValue{Peripheral: name, Service: service, Characteristic: char, Value: v}
			if _, err := f.a.Call(ctx, abi.EventBluetoothValueUpdated, ev.Encode(nil)); err != nil && !f.a.Guest.Running() {
				return err
			}
			if f.conns[name] != c {
				break // the handler disconnected
			}
		}
	}
	f.arm()
	return nil
}

// arm sets the notify timer at the next change of a subscribed series
// value, or stops it when there is none.
func (f *Feature) arm() {
	now := f.a.Env.Clock.Now()
	var next time.Time
	for name, c := range f.conns {
		for k := range c.subs {
			service, char, _ := strings.Cut(k, "/")
			if _, t, ok := f.w.value(name, service, char, now); ok && !t.IsZero() && (next.IsZero() || t.Before(next)) {
				next = t
			}
		}
	}
	if next.IsZero() {
		f.a.Timers.Stop(notifyTimer)
		return
	}
	f.a.Timers.Set(notifyTimer, next, "bluetooth value changes", func() { f.Changed(context.Background()) })
}
