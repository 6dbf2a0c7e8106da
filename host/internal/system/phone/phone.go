// Package phone is the paired phone, both ways (WatchConnectivity): data
// from the phone (user info, application context, messages, complication
// transfers) delivered at once to a frontmost app or later in the
// background, and data the app sends to the simulated phone; and, beside
// it, timely alerts from paired Bluetooth peripherals.
package phone

import (
	"context"
	"fmt"
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

// maxSent bounds what a Feature keeps of the data the app sent to the
// phone; the oldest is forgotten first.
const maxSent = 100

// Feature is one app's phone and Bluetooth peripherals.
type Feature struct {
	a     *system.App
	queue []item   // phone data waiting for a background app
	sent  [][]byte // what the app sent to the phone, oldest first
}

type item struct {
	kind    Data
	payload []byte
	at      time.Time // when it arrived
}

// Register adds the phone feature to a: its op and its hooks (opening the
// app resets its Bluetooth count; an active app gets the data waiting).
func Register(a *system.App) *Feature {
	f := &Feature{a: a}
	a.Features.Handle(abi.OpSendToPhone, f.sendToPhone)
	a.Features.OnOpen(func() {
		if a.Life.State() != abi.StateActive {
			f.resetBluetooth()
		}
	})
	a.Features.OnActive(f.flush)
	return f
}

// Receive delivers data from the paired phone. A frontmost app gets it at
// once; otherwise the system delivers it within data_delivery_delay by
// waking the app into the background with the data and a
// watch-connectivity task. A message needs the app to be reachable
// (frontmost) and is refused otherwise. Of several application contexts
// waiting, only the latest is delivered. The app's lock must be held.
func (f *Feature) Receive(ctx context.Context, kind Data, payload []byte) error {
	a := f.a
	now := a.Env.Clock.Now()
	if kind == Message && !a.Life.Frontmost() {
		a.Report(policy.Decision{Time: now, Kind: policy.KindDataDelivery, Verdict: policy.Drop, Rule: policy.RulePhoneUnreachable,
			Reason: fmt.Sprintf("phone message dropped: the watch app is not reachable (it is %v); sendMessage needs it frontmost", a.Life.State())})
		return nil
	}
	it := item{kind: kind, payload: append([]byte(nil), payload...), at: now}
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
		kept := f.queue[:0]
		for _, q := range f.queue {
			if q.kind != Context {
				kept = append(kept, q)
				continue
			}
			a.Report(policy.Decision{Time: now, Kind: policy.KindDataDelivery, Verdict: policy.Replaced, Rule: policy.RulePhoneContextReplaced,
				Reason: fmt.Sprintf("application context received at %s (%d bytes) replaced by the one received at %s: only the latest application context is delivered",
					q.at.UTC().Format("15:04:05"), len(q.payload), now.UTC().Format("15:04:05"))})
		}
		f.queue = kept
	}
	f.queue = append(f.queue, it)
	if !a.Timers.Armed("phone") {
		a.Timers.Set("phone", d.At, "phone data due", f.due)
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

// deliver hands data to the app: the data events, then (for a background
// app) the watch-connectivity task that woke it.
func (f *Feature) deliver(ctx context.Context, items []item) error {
	a := f.a
	background := !a.Life.Frontmost()
	if err := a.Life.Wake(ctx); err != nil {
		return err
	}
	for _, it := range items {
		if _, err := a.Call(ctx, it.kind.event(), msg.PhoneData{Payload: it.payload}.Encode(nil)); err != nil && !a.Guest.Running() {
			return err
		}
	}
	if background {
		return a.Tasks.Deliver(ctx, []*system.Task{{Kind: abi.TaskWatchConnectivity}})
	}
	return nil
}

// BluetoothAlert delivers a timely alert from a paired peripheral as a
// Bluetooth-alert background task, within bluetooth_alerts_per_day per
// rolling 24 h (shared with background scans); the decision warns when
// bluetooth_near_limit are left. Opening the app resets the count. The
// app's lock must be held.
func (f *Feature) BluetoothAlert(ctx context.Context, peripheral string) error {
	a := f.a
	now := a.Env.Clock.Now()
	d := a.Decide(func(p *policy.Policy, fa policy.Facts) policy.Decision { return p.Bluetooth().Alert(fa, now) })
	if d.Verdict != policy.Run {
		return nil
	}
	return a.Tasks.Deliver(ctx, []*system.Task{{Kind: abi.TaskBluetoothAlert, UserInfo: []byte(peripheral)}})
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
// paired phone: the simulated phone is always there and takes it at once.
// What was sent is kept (Sent) and reported as a decision, so that
// timelines and `watchbox status` show it.
func (f *Feature) sendToPhone(args []byte) ([]byte, abi.Status, string) {
	var m msg.SendToPhone
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	payload := m.Payload
	if len(f.sent) >= maxSent {
		f.sent = append(f.sent[:0], f.sent[1:]...)
	}
	f.sent = append(f.sent, payload)
	f.a.Report(policy.Decision{Time: f.a.Now(), Kind: policy.KindDataDelivery, Verdict: policy.Run, Rule: policy.RulePhoneReceived,
		Reason: fmt.Sprintf("the phone received %d bytes: %s", len(payload), system.Truncate(payload, 80))})
	return system.Done(nil)
}

// Sent returns copies of what the app sent to the paired phone, oldest
// first: the last 100 payloads. The app's lock must be held.
func (f *Feature) Sent() [][]byte {
	out := make([][]byte, len(f.sent))
	for i, p := range f.sent {
		out[i] = append([]byte(nil), p...)
	}
	return out
}
