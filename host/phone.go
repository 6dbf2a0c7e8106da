package host

import (
	"context"
	"errors"
	"fmt"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/system"
	"github.com/watchbox/watchbox/host/internal/system/phone"
)

// Phone is the paired phone as an app sees it (WatchConnectivity). Get it
// with App.Phone.
type Phone struct{ a *App }

// Phone returns the app's paired phone.
func (a *App) Phone() Phone { return Phone{a} }

// PhoneData says how data from the paired phone arrives (WatchConnectivity).
type PhoneData = phone.Data

// Kinds of phone data.
const (
	PhoneUserInfo = phone.UserInfo // transferUserInfo: queued, every transfer delivered in order
	PhoneContext  = phone.Context  // updateApplicationContext: only the latest counts
	PhoneMessage  = phone.Message  // sendMessage: live, only while the watch app is reachable (a phone paired and in range, the app frontmost)
	// PhoneComplication is transferCurrentComplicationUserInfo: user info
	// that wakes the app at once while its complication is on the active
	// face, within complication_transfers_per_day; otherwise it is sent as
	// ordinary user info.
	PhoneComplication = phone.Complication
)

// MaxPayload is the largest phone payload or forced task userInfo the
// runtime accepts: what fits in one event envelope with its other fields.
const MaxPayload = system.MaxPayload

// Deliver is the phone sending data to the app. A frontmost app gets it
// at once; otherwise the system delivers it within data_delivery_delay by
// waking the app into the background with a watch-connectivity task and
// then the data. A message needs the app to be reachable (a phone paired
// and in range, the app frontmost) and is refused otherwise, as
// sendMessage fails when the watch app is not reachable. Without a paired
// phone nothing arrives; while the phone is out of range the rest waits
// on the phone (Runtime.SetPhoneInRange). Of several application contexts
// waiting, only the latest is delivered.
func (p Phone) Deliver(ctx context.Context, kind PhoneData, payload []byte) error {
	if len(payload) > MaxPayload {
		return fmt.Errorf("host: %v for %s is %d bytes; at most %d fit in one event (the ABI's %d-byte envelope)", kind, p.a.sys.ID, len(payload), MaxPayload, abi.MaxEnvelope)
	}
	return p.a.locked(func() error { return p.a.phone.Receive(ctx, kind, payload) })
}

// Received returns what the phone received from the app (send_to_phone,
// send_message_to_phone), oldest first: the last max_phone_transfers payloads.
func (p Phone) Received() [][]byte {
	p.a.sys.Lock()
	defer p.a.sys.Unlock()
	return p.a.phone.Sent()
}

// SetPhoneInRange puts the paired phone in range of the watch (on) or out
// of it. Out of range, no app is reachable: phone messages both ways are
// refused (sendMessage fails with WCError notReachable), while user-info
// transfers and application contexts wait on their side (rule
// phone.held_unreachable) and go across when the phone is back.
func (r *Runtime) SetPhoneInRange(ctx context.Context, on bool) error {
	r.link.SetInRange(on)
	return r.phoneLinkChanged(ctx)
}

// SetPhonePaired pairs the phone with the watch (on) or unpairs it.
// Without a paired phone nothing goes across (rule phone.unpaired, WCError
// deviceNotPaired), and the transfers waiting on either side are dropped.
func (r *Runtime) SetPhonePaired(ctx context.Context, on bool) error {
	r.link.SetPaired(on)
	return r.phoneLinkChanged(ctx)
}

// PhoneLink returns whether the phone is in range and whether one is
// paired.
func (r *Runtime) PhoneLink() (inRange, paired bool) { return r.link.State() }

func (r *Runtime) phoneLinkChanged(ctx context.Context) error {
	var errs []error
	for _, a := range r.Apps() {
		errs = append(errs, a.locked(func() error { return a.phone.LinkChanged(ctx) }))
	}
	return errors.Join(errs...)
}
