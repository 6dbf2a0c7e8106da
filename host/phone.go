package host

import (
	"context"
	"fmt"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// MaxPayload is the largest phone payload or forced task userInfo the
// runtime accepts: what fits in one event envelope with its other fields.
const MaxPayload = abi.MaxEnvelope - abi.HeaderSize - 1024

// PhoneData says how data from the paired phone arrives (WatchConnectivity).
type PhoneData int

// Kinds of phone data.
const (
	PhoneUserInfo PhoneData = iota // transferUserInfo: queued, every transfer delivered in order
	PhoneContext                   // updateApplicationContext: only the latest counts
	PhoneMessage                   // sendMessage: live, only while the watch app is reachable (frontmost)
	// PhoneComplication is transferCurrentComplicationUserInfo: user info
	// that wakes the app at once while its complication is on the active
	// face, within complication_transfers_per_day; otherwise it is sent as
	// ordinary user info.
	PhoneComplication
)

func (k PhoneData) event() abi.EventKind {
	switch k {
	case PhoneContext:
		return abi.EventPhoneApplicationContext
	case PhoneMessage:
		return abi.EventPhoneMessage
	}
	return abi.EventPhoneUserInfo
}

func (k PhoneData) String() string {
	return [...]string{"user info", "application context", "message", "complication user info"}[k]
}

// Phone delivers data from the paired phone. A frontmost app gets it at
// once; otherwise the system delivers it within data_delivery_delay by
// waking the app into the background with the data and a
// watch-connectivity task. A message needs the app to be reachable
// (frontmost) and is refused otherwise, as sendMessage fails when the watch
// app is not reachable. Of several application contexts waiting, only the
// latest is delivered.
func (a *App) Phone(ctx context.Context, kind PhoneData, payload []byte) error {
	if len(payload) > MaxPayload {
		return fmt.Errorf("host: %v for %s is %d bytes; at most %d fit in one event (the ABI's %d-byte envelope)", kind, a.id, len(payload), MaxPayload, abi.MaxEnvelope)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.rt.clock.Now()
	frontmost := a.state == abi.StateActive || a.state == abi.StateInactive
	if kind == PhoneMessage && !frontmost {
		a.rt.report(Decision{Time: now, App: a.id, Kind: policy.KindDataDelivery, Verdict: policy.Drop, Rule: policy.RulePhoneUnreachable,
			Reason: fmt.Sprintf("phone message dropped: the watch app is not reachable (it is %v); sendMessage needs it frontmost", a.state)})
		return nil
	}
	item := phoneItem{kind: kind, payload: append([]byte(nil), payload...)}
	if kind == PhoneComplication {
		d := a.rt.rules.decide(func(p *policy.Policy) policy.Decision { return p.ComplicationTransfer(a.facts(), now) })
		if d.Verdict == policy.Run {
			return a.deliverPhone(ctx, []phoneItem{item})
		}
		item.kind = PhoneUserInfo
	}
	d := a.rt.rules.decide(func(p *policy.Policy) policy.Decision { return p.DataDelivery(a.facts(), now, now) })
	if d.Verdict == policy.Run {
		return a.deliverPhone(ctx, []phoneItem{item})
	}
	if kind == PhoneContext {
		kept := a.phoneQueue[:0]
		for _, q := range a.phoneQueue {
			if q.kind != PhoneContext {
				kept = append(kept, q)
			}
		}
		a.phoneQueue = kept
	}
	a.phoneQueue = append(a.phoneQueue, item)
	if a.phoneEv == nil {
		a.phoneEv = a.rt.sched.At(d.At, a.id+" phone data due", a.phoneDue)
	}
	return nil
}

type phoneItem struct {
	kind    PhoneData
	payload []byte
}

// phoneDue delivers the phone data waiting for a background app.
func (a *App) phoneDue() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.phoneEv = nil
	if a.closed || len(a.phoneQueue) == 0 {
		return
	}
	items := a.phoneQueue
	a.phoneQueue = nil
	a.deliverPhone(context.Background(), items)
}

// flushPhone delivers the phone data waiting for the app at once, now that
// it is frontmost (as WatchConnectivity does on activation).
func (a *App) flushPhone(ctx context.Context) error {
	if len(a.phoneQueue) == 0 || !a.g.Running() || a.state != abi.StateActive {
		return nil
	}
	if a.phoneEv != nil {
		a.rt.sched.Cancel(a.phoneEv)
		a.phoneEv = nil
	}
	items := a.phoneQueue
	a.phoneQueue = nil
	a.rt.report(Decision{Time: a.rt.clock.Now(), App: a.id, Kind: policy.KindDataDelivery, Verdict: policy.Run, Rule: policy.RuleDataDeliveryAtOnce,
		Reason: fmt.Sprintf("%d phone item(s) waiting delivered now: the app is frontmost", len(items))})
	return a.deliverPhone(ctx, items)
}

// deliverPhone hands data to the app: the data events, then (for a
// background app) the watch-connectivity task that woke it.
func (a *App) deliverPhone(ctx context.Context, items []phoneItem) error {
	background := a.state != abi.StateActive && a.state != abi.StateInactive
	if err := a.wake(ctx); err != nil {
		return err
	}
	for _, it := range items {
		var w abi.Writer
		w.Blob(abi.FieldPayload, it.payload)
		if _, err := a.call(ctx, it.kind.event(), w.Bytes()); err != nil && !a.g.Running() {
			return err
		}
	}
	if background {
		return a.deliverTasks(ctx, []*bgTask{{kind: abi.TaskWatchConnectivity}})
	}
	return nil
}

// BluetoothAlert delivers a timely alert from a paired peripheral as a
// Bluetooth-alert background task, within bluetooth_alerts_per_day per
// rolling 24 h (shared with background scans); the decision warns when
// bluetooth_near_limit are left. Opening the app resets the count.
func (a *App) BluetoothAlert(ctx context.Context, peripheral string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.rt.clock.Now()
	d := a.rt.rules.decide(func(p *policy.Policy) policy.Decision { return p.BluetoothAlert(a.facts(), now) })
	if d.Verdict != policy.Run {
		return nil
	}
	return a.deliverTasks(ctx, []*bgTask{{kind: abi.TaskBluetoothAlert, userInfo: []byte(peripheral)}})
}

// resetBluetooth clears the app's Bluetooth alert count when the user opens
// it, if any were used.
func (a *App) resetBluetooth() {
	now := a.rt.clock.Now()
	var limit, used int
	a.rt.rules.ask(func(p *policy.Policy) {
		var window time.Duration
		limit, window = p.BluetoothBudget()
		used = p.Ledger.Count(a.id, now, window, policy.KindBluetoothAlert, policy.KindBluetoothScan)
	})
	if used > 0 && limit > 0 {
		a.rt.rules.decide(func(p *policy.Policy) policy.Decision { return p.ResetBluetooth(a.id, now) })
	}
}
