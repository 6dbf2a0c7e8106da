package host

import (
	"context"
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
	PhoneMessage  = phone.Message  // sendMessage: live, only while the watch app is reachable (frontmost)
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
// waking the app into the background with the data and a
// watch-connectivity task. A message needs the app to be reachable
// (frontmost) and is refused otherwise, as sendMessage fails when the
// watch app is not reachable. Of several application contexts waiting,
// only the latest is delivered.
func (p Phone) Deliver(ctx context.Context, kind PhoneData, payload []byte) error {
	if len(payload) > MaxPayload {
		return fmt.Errorf("host: %v for %s is %d bytes; at most %d fit in one event (the ABI's %d-byte envelope)", kind, p.a.sys.ID, len(payload), MaxPayload, abi.MaxEnvelope)
	}
	return p.a.locked(func() error { return p.a.phone.Receive(ctx, kind, payload) })
}

// Received returns what the app sent to the phone (send_to_phone), oldest
// first: the last 100 payloads.
func (p Phone) Received() [][]byte {
	p.a.sys.Lock()
	defer p.a.sys.Unlock()
	return p.a.phone.Sent()
}
