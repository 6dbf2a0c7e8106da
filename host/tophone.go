package host

import (
	"fmt"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// maxSentToPhone bounds what an App keeps of the data it sent to the phone;
// the oldest is forgotten first.
const maxSentToPhone = 100

// sendToPhone carries out transferUserInfo from the watch app to the
// paired phone: the simulated phone is always there and takes it at once.
// What was sent is kept (SentToPhone) and reported as a decision, so that
// timelines and `watchbox status` show it.
func (a *App) sendToPhone(args []byte) ([]byte, abi.Status) {
	var payload []byte
	found := false
	r := abi.NewReader(args)
	for r.Next() {
		if v := r.Value(); v.Key == abi.FieldPayload && !found {
			b, err := v.Blob()
			if err != nil {
				return nil, abi.StatusBadArgument
			}
			payload, found = append([]byte(nil), b...), true
		}
	}
	if !found {
		return nil, abi.StatusBadArgument
	}
	if len(a.sentToPhone) >= maxSentToPhone {
		a.sentToPhone = append(a.sentToPhone[:0], a.sentToPhone[1:]...)
	}
	a.sentToPhone = append(a.sentToPhone, payload)
	a.rt.report(Decision{Time: a.now(), App: a.id, Kind: policy.KindDataDelivery, Verdict: policy.Run, Rule: policy.RulePhoneReceived,
		Reason: fmt.Sprintf("the phone received %d bytes: %s", len(payload), truncate(payload, 80))})
	return nil, abi.StatusOK
}

// SentToPhone returns what the app sent to the paired phone
// (send_to_phone), oldest first: the last 100 payloads.
func (a *App) SentToPhone() [][]byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([][]byte, len(a.sentToPhone))
	for i, p := range a.sentToPhone {
		out[i] = append([]byte(nil), p...)
	}
	return out
}
