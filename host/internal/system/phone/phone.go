// Package phone is the paired phone, both ways (WatchConnectivity): data
// from the phone (user info, application context, messages, complication
// transfers) delivered at once to a frontmost app or later in the
// background, and data the app sends to the simulated phone; and, beside
// it, timely alerts from paired Bluetooth peripherals.
package phone

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/system"
)

// Data says how data from the paired phone arrives (WatchConnectivity).
type Data int

// Kinds of phone data.
const (
	UserInfo Data = iota // transferUserInfo: queued, every transfer delivered in order
	Context              // updateApplicationContext: only the latest counts
	Message              // sendMessage: live, only while the watch app is reachable (frontmost)
	// Complication is transferCurrentComplicationUserInfo: user info
	// that wakes the app at once while its complication is on the active
	// face, within complication_transfers_per_day; otherwise it is sent as
	// ordinary user info.
	Complication
)

func (k Data) event() abi.EventKind {
	switch k {
	case Context:
		return abi.EventPhoneApplicationContext
	case Message:
		return abi.EventPhoneMessage
	}
	return abi.EventPhoneUserInfo
}

func (k Data) String() string {
	return [...]string{"user info", "application context", "message", "complication user info"}[k]
}

// keep appends it to list, of which the profile's max_phone_transfers
// (limit) are kept: the oldest beyond are dropped first. It returns the
// list and how many it dropped. With a limit of 0 nothing is kept.
func keep[T any](list []T, it T, limit int) ([]T, int) {
	n := min(max(len(list)-limit+1, 0), len(list))
	list = slices.Delete(list, 0, n)
	if limit > 0 {
		list = append(list, it)
	}
	return list, n
}

// dropped reports the n oldest transfers waiting for the phone dropped
// for the one that arrived at now (rule phone.queue_limit).
func (f *Feature) dropped(n int, what string, now time.Time) {
	if n == 0 {
		return
	}
	limit := f.a.Env.Rules.Profile().MaxPhoneTransfers
	f.a.Report(policy.Decision{Time: now, Kind: policy.KindDataDelivery, Verdict: policy.Drop, Rule: policy.RulePhoneQueueLimit,
		Reason:  fmt.Sprintf("%d %s waiting for the phone dropped, the oldest: at most %d wait (max_phone_transfers)", n, what, limit),
		Numbers: map[string]int64{"dropped": int64(n), "limit": int64(limit)}})
}

// Link is the watch's link to its paired phone, shared by every app of a
// runtime: whether a phone is paired, and whether it is in range.
// Its methods are safe for concurrent use.
type Link struct {
	mu         sync.Mutex
	outOfRange bool
	unpaired   bool
}

// NewLink returns a link to a paired phone in range.
func NewLink() *Link { return &Link{} }

// State returns whether the phone is in range and whether one is paired.
func (l *Link) State() (inRange, paired bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.outOfRange, !l.unpaired
}

// SetInRange puts the phone in range (on) or out of it.
func (l *Link) SetInRange(on bool) {
	l.mu.Lock()
	l.outOfRange = !on
	l.mu.Unlock()
}

// SetPaired pairs a phone (on) or unpairs it.
func (l *Link) SetPaired(on bool) {
	l.mu.Lock()
	l.unpaired = !on
	l.mu.Unlock()
}

// Feature is one app's phone and Bluetooth peripherals.
type Feature struct {
	a     *system.App
	link  *Link
	queue []item   // phone data waiting for a background app
	sent  [][]byte // what the app sent to the phone, oldest first
	// held is phone data for the app that waits on the phone while it is
	// out of range; outbox the app's transfers that wait on the watch.
	held   []item
	outbox [][]byte
	// pending is how many items of the delivery in progress are still to
	// be handed to the app (WCSession.hasContentPending).
	pending int
	// btError is a Bluetooth limit error waiting for the app to run in the
	// foreground (a timely alert the budget dropped), or nil.
	btError *msg.BluetoothError
}

type item struct {
	kind    Data
	payload []byte
	at      time.Time // when it arrived
}

// Register adds the phone feature to a, with the runtime's link to the
// phone: its ops and its hooks (opening the app resets its Bluetooth
// count; an active app gets the data waiting, and a Bluetooth limit error
// waiting).
func Register(a *system.App, link *Link) *Feature {
	f := &Feature{a: a, link: link}
	a.Features.Handle(abi.OpSendToPhone, f.sendToPhone)
	a.Features.Handle(abi.OpSendMessageToPhone, f.sendMessage)
	a.Features.Handle(abi.OpPhoneSession, f.session)
	a.Features.OnOpen(func() {
		if a.Life.State() != abi.StateActive {
			f.resetBluetooth()
		}
	})
	a.Features.OnActive(f.flush)
	a.Features.OnActive(f.tellBluetooth)
	return f
}

// reachable returns whether the app is reachable from the phone
// (WCSession.isReachable): a phone is paired and in range, and the app is
// frontmost. With why it is not, when it is not.
func (f *Feature) reachable() (bool, string, int64) {
	inRange, paired := f.link.State()
	switch {
	case !paired:
		return false, "no phone is paired with the watch", abi.WCErrorDeviceNotPaired
	case !inRange:
		return false, "the phone is out of range", abi.WCErrorNotReachable
	case !f.a.Life.Frontmost():
		return false, fmt.Sprintf("the watch app is not reachable (it is %v); sendMessage needs it frontmost", f.a.Life.State()), abi.WCErrorNotReachable
	}
	return true, "", 0
}

// Receive delivers data from the paired phone. A frontmost app gets it at
// once; otherwise the system delivers it within data_delivery_delay by
// waking the app into the background with a watch-connectivity task and
// then the data. A message needs the app to be reachable (a phone paired
// and in range, the app frontmost) and is refused otherwise. Without a
// paired phone nothing arrives; while the phone is out of range, the rest
// waits on the phone until it is back. Of several application contexts
// waiting, only the latest is delivered. The app's lock must be held.
func (f *Feature) Receive(ctx context.Context, kind Data, payload []byte) error {
	a := f.a
	now := a.Env.Clock.Now()
	inRange, paired := f.link.State()
	if !paired {
		a.Report(policy.Decision{Time: now, Kind: policy.KindDataDelivery, Verdict: policy.Drop, Rule: policy.RulePhoneUnpaired,
			Reason: fmt.Sprintf("phone %v dropped: no phone is paired with the watch", kind)})
		return nil
	}
	if kind == Message {
		if ok, why, _ := f.reachable(); !ok {
			a.Report(policy.Decision{Time: now, Kind: policy.KindDataDelivery, Verdict: policy.Drop, Rule: policy.RulePhoneUnreachable,
				Reason: "phone message dropped: " + why})
			return nil
		}
	}
	it := item{kind: kind, payload: append([]byte(nil), payload...), at: now}
	if !inRange {
		f.hold(it, now)
		return nil
	}
	if kind == Complication {
		d := a.Decide(func(p *policy.Policy, fa policy.Facts) policy.Decision { return p.Pushes().Transfer(fa, now) })
		if d.Verdict == policy.Run {
			return f.deliver(ctx, []item{it})
		}
		it.kind = UserInfo
	}
	d := a.Decide(func(p *policy.Policy, fa policy.Facts) policy.Decision { return p.DataDelivery(fa, now, now) })
	if d.Verdict == policy.Run {
		return f.deliver(ctx, []item{it})
	}
	if kind == Context {
		f.queue = f.replaceContext(f.queue, now)
	}
	f.queue = append(f.queue, it)
	if !a.Timers.Armed("phone") {
		a.Timers.Set("phone", d.At, "phone data due", f.due)
	}
	return nil
}

// replaceContext returns q without its application contexts, each
// reported as replaced by the one received at now.
func (f *Feature) replaceContext(q []item, now time.Time) []item {
	kept := q[:0]
	for _, it := range q {
		if it.kind != Context {
			kept = append(kept, it)
			continue
		}
		f.a.Report(policy.Decision{Time: now, Kind: policy.KindDataDelivery, Verdict: policy.Replaced, Rule: policy.RulePhoneContextReplaced,
			Reason: fmt.Sprintf("application context received at %s (%d bytes) replaced by the one received at %s: only the latest application context is delivered",
				it.at.UTC().Format("15:04:05"), len(it.payload), now.UTC().Format("15:04:05"))})
	}
	return kept
}

// hold keeps phone data on the phone while it is out of range: it is sent
// when the phone is back (transferUserInfo and updateApplicationContext
// queue; only the latest context is kept).
func (f *Feature) hold(it item, now time.Time) {
	if it.kind == Context {
		f.held = f.replaceContext(f.held, now)
	}
	var n int
	f.held, n = keep(f.held, it, f.a.Env.Rules.Profile().MaxPhoneTransfers)
	f.dropped(n, "phone transfer(s) for the app", now)
	f.a.Report(policy.Decision{Time: now, Kind: policy.KindDataDelivery, Verdict: policy.Delay, Rule: policy.RulePhoneHeld,
		Reason:  fmt.Sprintf("phone %v (%d bytes) waits on the phone: the phone is out of range; it is sent when the phone is back", it.kind, len(it.payload)),
		Numbers: map[string]int64{"waiting": int64(len(f.held))}})
}

// LinkChanged applies the link's new state to the app: a phone back in
// range gets the transfers queued for it and sends the data it held; an
// unpaired phone loses both. The app's lock must be held.
func (f *Feature) LinkChanged(ctx context.Context) error {
	a := f.a
	now := a.Env.Clock.Now()
	inRange, paired := f.link.State()
	if !paired {
		if n := len(f.held) + len(f.outbox); n > 0 {
			a.Report(policy.Decision{Time: now, Kind: policy.KindDataDelivery, Verdict: policy.Drop, Rule: policy.RulePhoneUnpaired,
				Reason:  fmt.Sprintf("%d phone transfer(s) waiting for the phone dropped: the phone was unpaired", n),
				Numbers: map[string]int64{"dropped": int64(n)}})
		}
		f.held, f.outbox = nil, nil
		return nil
	}
	if !inRange {
		return nil
	}
	for _, p := range f.outbox {
		f.received(p, "queued while the phone was out of range", now)
	}
	f.outbox = nil
	held := f.held
	f.held = nil
	for _, it := range held {
		if err := f.Receive(ctx, it.kind, it.payload); err != nil {
			return err
		}
	}
	return nil
}

// due delivers the phone data waiting for a background app.
func (f *Feature) due() {
	if len(f.queue) == 0 {
		return
	}
	items := f.queue
	f.queue = nil
	f.deliver(context.Background(), items)
}

// flush delivers the phone data waiting for the app at once, now that it
// is frontmost (as WatchConnectivity does on activation).
func (f *Feature) flush(ctx context.Context) error {
	a := f.a
	if len(f.queue) == 0 || !a.Guest.Running() || a.Life.State() != abi.StateActive {
		return nil
	}
	a.Timers.Stop("phone")
	items := f.queue
	f.queue = nil
	a.Report(policy.Decision{Time: a.Env.Clock.Now(), Kind: policy.KindDataDelivery, Verdict: policy.Run, Rule: policy.RuleDataDeliveryAtOnce,
		Reason: fmt.Sprintf("%d phone item(s) waiting delivered now: the app is frontmost", len(items))})
	return f.deliver(ctx, items)
}

// deliver hands data to the app: for a background app, first the
// watch-connectivity task that woke it, marked content pending; then the
// data events, as WatchConnectivity does. While they are delivered,
// phone_session reports content pending until the last one is handed
// over, so that the app completes the task only then.
func (f *Feature) deliver(ctx context.Context, items []item) error {
	a := f.a
	background := !a.Life.Frontmost()
	if err := a.Life.Wake(ctx); err != nil {
		return err
	}
	f.pending = len(items)
	defer func() { f.pending = 0 }()
	if background {
		if err := a.Tasks.Deliver(ctx, []*system.Task{{Kind: abi.TaskWatchConnectivity, ContentPending: len(items) > 0}}); err != nil {
			return err
		}
	}
	for i, it := range items {
		if !a.Guest.Running() {
			return nil // the task's call crashed, or the app was killed: the data is lost with it
		}
		f.pending = len(items) - i - 1
		if _, err := a.Call(ctx, it.kind.event(), msg.PhoneData{Payload: it.payload}.Encode(nil)); err != nil && !a.Guest.Running() {
			return err
		}
	}
	return nil
}

// session answers phone_session: isReachable, pairing and
// hasContentPending.
func (f *Feature) session(args []byte) ([]byte, abi.Status, string) {
	_, paired := f.link.State()
	ok, _, _ := f.reachable()
	return system.Done(msg.PhoneSession{Reachable: ok, Paired: paired, ContentPending: f.pending > 0 || len(f.queue) > 0}.Encode(nil))
}

// BluetoothAlert delivers a timely alert from a paired peripheral as a
// Bluetooth-alert background task, within bluetooth_alerts_per_day per
// rolling 24 h (shared with background scans). As watchOS 9 does, the
// alert that leaves bluetooth_near_limit in the budget carries the
// leGattNearBackgroundNotificationLimit error on its task; an alert beyond
// the budget wakes nothing, and the app is told
// leGattExceededBackgroundNotificationLimit (bluetooth_error) at once if
// it runs in the foreground, otherwise the next time it does. Opening the
// app resets the count. The app's lock must be held.
func (f *Feature) BluetoothAlert(ctx context.Context, peripheral string) error {
	a := f.a
	now := a.Env.Clock.Now()
	d := a.Decide(func(p *policy.Policy, fa policy.Facts) policy.Decision { return p.Bluetooth().Alert(fa, now) })
	if d.Verdict != policy.Run {
		if d.Rule == policy.RuleBluetoothBudget {
			f.btError = &msg.BluetoothError{Peripheral: peripheral, ErrorCode: abi.CBErrorExceededBackgroundNotificationLimit,
				Error: fmt.Sprintf("a timely alert from %q at %s did not wake the app: %s", peripheral, now.UTC().Format("15:04:05"), d.Reason)}
			return f.tellBluetooth(ctx)
		}
		return nil
	}
	t := &system.Task{Kind: abi.TaskBluetoothAlert, UserInfo: []byte(peripheral)}
	if _, near := d.Numbers["near_limit"]; near {
		t.ErrorCode = abi.CBErrorNearBackgroundNotificationLimit
	}
	return a.Tasks.Deliver(ctx, []*system.Task{t})
}

// tellBluetooth tells an active app the Bluetooth limit error waiting for
// it (bluetooth_error, leGattExceededBackgroundNotificationLimit).
func (f *Feature) tellBluetooth(ctx context.Context) error {
	a := f.a
	if f.btError == nil || !a.Guest.Running() || a.Life.State() != abi.StateActive {
		return nil
	}
	e := *f.btError
	f.btError = nil
	a.Report(policy.Decision{Time: a.Env.Clock.Now(), Kind: policy.KindBluetoothAlert, Verdict: policy.Run, Rule: policy.RuleBluetoothExceeded,
		Reason: fmt.Sprintf("the app is told leGattExceededBackgroundNotificationLimit (CBError %d) for %q: %s", e.ErrorCode, e.Peripheral, e.Error)})
	if _, err := a.Call(ctx, abi.EventBluetoothError, e.Encode(nil)); err != nil && !a.Guest.Running() {
		return err
	}
	return nil
}

// resetBluetooth clears the app's Bluetooth alert count when the user opens
// it, if any were used.
func (f *Feature) resetBluetooth() {
	a := f.a
	now := a.Env.Clock.Now()
	var limit, used int
	a.Env.Rules.Ask(func(p *policy.Policy) {
		var window time.Duration
		limit, window = p.Bluetooth().Budget()
		used = p.Ledger.Count(a.ID, now, window, policy.KindBluetoothAlert, policy.KindBluetoothScan)
	})
	if used > 0 && limit > 0 {
		a.Env.Rules.Decide(func(p *policy.Policy) policy.Decision { return p.Bluetooth().Reset(a.ID, now) })
	}
}

// sendToPhone carries out transferUserInfo from the watch app to the
// paired phone: a phone in range takes it at once; while it is out of
// range the transfer is queued (rule phone.held_unreachable) and sent when
// it is back; without a paired phone it fails (WCError deviceNotPaired).
func (f *Feature) sendToPhone(args []byte) ([]byte, abi.Status, string) {
	var m msg.SendToPhone
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	inRange, paired := f.link.State()
	now := f.a.Now()
	switch {
	case !paired:
		f.a.Report(policy.Decision{Time: now, Kind: policy.KindDataDelivery, Verdict: policy.Drop, Rule: policy.RulePhoneUnpaired,
			Reason: fmt.Sprintf("transferUserInfo of %d bytes to the phone refused: no phone is paired with the watch", len(m.Payload))})
		return system.RefuseCode(abi.OpSendToPhone, abi.StatusNotAllowed, abi.WCErrorDeviceNotPaired,
			"no phone is paired with the watch [%s] (WCError %d, deviceNotPaired)", policy.RulePhoneUnpaired, abi.WCErrorDeviceNotPaired)
	case !inRange:
		var n int
		f.outbox, n = keep(f.outbox, m.Payload, f.a.Env.Rules.Profile().MaxPhoneTransfers)
		f.dropped(n, "transferUserInfo(s) from the app", now)
		f.a.Report(policy.Decision{Time: now, Kind: policy.KindDataDelivery, Verdict: policy.Delay, Rule: policy.RulePhoneHeld,
			Reason:  fmt.Sprintf("transferUserInfo of %d bytes queued: the phone is out of range; it is sent when the phone is back", len(m.Payload)),
			Numbers: map[string]int64{"queued": int64(len(f.outbox))}})
		return system.Done(nil)
	}
	f.received(m.Payload, "", now)
	return system.Done(nil)
}

// sendMessage carries out sendMessage from the watch app to the paired
// phone: only while the phone is reachable (paired, in range, the app
// frontmost); otherwise it fails with WCError notReachable or
// deviceNotPaired, and nothing is queued.
func (f *Feature) sendMessage(args []byte) ([]byte, abi.Status, string) {
	var m msg.SendToPhone
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	if ok, why, code := f.reachable(); !ok {
		rule, name := policy.RulePhoneUnreachable, "notReachable"
		if code == abi.WCErrorDeviceNotPaired {
			rule, name = policy.RulePhoneUnpaired, "deviceNotPaired"
		}
		f.a.Report(policy.Decision{Time: f.a.Now(), Kind: policy.KindDataDelivery, Verdict: policy.Drop, Rule: rule,
			Reason: fmt.Sprintf("sendMessage of %d bytes to the phone refused: %s", len(m.Payload), why)})
		return system.RefuseCode(abi.OpSendMessageToPhone, abi.StatusNotAllowed, code, "%s [%s] (WCError %d, %s)", why, rule, code, name)
	}
	f.received(m.Payload, "", f.a.Now())
	return system.Done(nil)
}

// received is the simulated phone taking payload: it is kept (Sent) and
// reported as a decision, so that timelines and `watchbox status` show it.
func (f *Feature) received(payload []byte, note string, at time.Time) {
	f.sent, _ = keep(f.sent, payload, f.a.Env.Rules.Profile().MaxPhoneTransfers)
	if note != "" {
		note = " (" + note + ")"
	}
	f.a.Report(policy.Decision{Time: at, Kind: policy.KindDataDelivery, Verdict: policy.Run, Rule: policy.RulePhoneReceived,
		Reason: fmt.Sprintf("the phone received %d bytes%s: %s", len(payload), note, system.Truncate(payload, 80))})
}

// Sent returns copies of what the app sent to the paired phone, oldest
// first: the last max_phone_transfers payloads. The app's lock must be
// held.
func (f *Feature) Sent() [][]byte {
	out := make([][]byte, len(f.sent))
	for i, p := range f.sent {
		out[i] = append([]byte(nil), p...)
	}
	return out
}
