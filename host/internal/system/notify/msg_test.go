package notify

import (
	"bytes"
	"testing"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/abi/msg/msgtest"
	"github.com/watchbox/watchbox/host/push"
)

// The events this feature sends encode to the bytes of the ABI's golden
// table (what the v1 host wrote by hand): each case is rebuilt from the
// host's own notification or push and encoded as the feature does.
func TestEventsMatchTheGoldenWire(t *testing.T) {
	t.Parallel()
	note := func(m msg.Notification) *notification {
		return &notification{id: m.Identifier, title: m.Title, body: m.Body, category: m.Category, userInfo: m.UserInfo}
	}
	seen := map[abi.EventKind]bool{}
	for _, c := range msgtest.Cases() {
		var got []byte
		switch c.Event {
		case abi.EventNotificationWillPresent:
			got = note(*c.Value.(*msg.Notification)).payload().Encode(nil)
		case abi.EventNotificationDidReceive:
			v := c.Value.(*msg.NotificationResponse)
			got = note(v.Notification).response(v.Action).Encode(nil)
		case abi.EventRemoteNotification, abi.EventComplicationPush:
			v := c.Value.(*msg.Push)
			if v.Remaining != 0 {
				continue // complication pushes left: not sent by this host
			}
			got = pushPayload(&push.Push{Raw: v.Payload, UserInfo: v.UserInfo}).Encode(nil)
		default:
			continue
		}
		seen[c.Event] = true
		if !bytes.Equal(got, c.Wire) {
			t.Errorf("%s:\n got  % x\n want % x", c.Name, got, c.Wire)
		}
	}
	if len(seen) < 3 {
		t.Fatalf("only %v of this feature's events are in the golden table", seen)
	}
}
