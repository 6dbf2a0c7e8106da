package host

import (
	"context"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// TestGoSDKTakesPushedEvents: the Go SDK registers a buffer and takes
// envelopes pushed into it (docs/abi.md section 6, the push path); an
// envelope longer than its buffer is pulled, and the SDK registers a
// larger buffer so that the next one of that size is pushed. The app
// reads every payload whole either way (each fits a log line).
func TestGoSDKTakesPushedEvents(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Virtual: true})
	a := chaos(t, h)
	ctx := context.Background()
	must(t, a.Launch(ctx))
	g := a.sys.Guest
	var want []string
	for i, c := range []struct {
		size   int
		pushed bool
	}{{100, true}, {6000, false}, {6000, true}, {14000, false}, {14000, true}, {100, true}} {
		text := strings.Repeat(string(rune('a'+i)), c.size)
		before := g.PushPath().Pushed
		call, err := a.Deliver(ctx, abi.EventPhoneMessage, msg.PhoneData{Payload: []byte(text)}.Encode(nil))
		if err != nil || call.Status != abi.StatusOK {
			t.Fatalf("event %d (%d bytes): %v %v %s %s", i, c.size, call.Status, err, call.Message, call.Crash)
		}
		if pushed := g.PushPath().Pushed == before+1; pushed != c.pushed {
			t.Errorf("event %d (%d bytes): pushed %v, want %v", i, c.size, pushed, c.pushed)
		}
		want = append(want, "chaos: message "+text)
	}
	got := h.guestLines("chaos: message")
	if len(got) != len(want) {
		t.Fatalf("the app logged %d messages; want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: the app read %d bytes, not the %d sent", i, len(got[i]), len(want[i]))
		}
	}
}
