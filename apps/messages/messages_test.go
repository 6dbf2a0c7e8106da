//go:build !wasip1

// Tests of the messages sample on the host, with package watchtest; the
// app itself is built for wasip1 by watchtest.New.
package main_test

import (
	"testing"
	"time"

	"github.com/watchbox/watchbox/watchtest"
)

// TestUnreadWhileInBackground: user info from the phone reaches the app in
// the background within data_delivery_delay, with a watch-connectivity
// task; the message is unread, saved in state.json, and read when the user
// opens the app, even after a purge.
func TestUnreadWhileInBackground(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, ".")
	app.Launch()
	app.Background()
	app.World().Phone("user-info", `{"from": "Ann", "text": "Lunch at 12?"}`)
	app.ExpectDecision("data_delivery.delay")
	app.Advance(11 * time.Minute)

	app.Expect("expect messages task watch-connectivity")
	app.ExpectJSON("state.json", `{"unread": 1, "recent": [{"from": "Ann", "text": "Lunch at 12?"}]}`)
	if got := app.Complication(); got != "1 unread · Ann: Lunch at 12?" {
		t.Errorf("complication %q", got)
	}

	app.Purge()
	app.Launch()
	app.ExpectJSON("state.json", `{"unread": 0}`)
	app.Expect("expect no kill")
}

// TestLiveMessageNeedsTheAppFrontmost: a sendMessage from the phone is
// dropped unless the app is frontmost (rule phone.unreachable), and shown
// at once when it is.
func TestLiveMessageNeedsTheAppFrontmost(t *testing.T) {
	t.Parallel()
	app := watchtest.New(t, ".")
	app.World().Phone("message", `{"from": "Ann", "text": "Are you there?"}`)
	app.ExpectDecision("phone.unreachable")

	app.Launch()
	app.World().Phone("message", `{"from": "Bob", "text": "Hi"}`)
	app.ExpectJSON("state.json", `{"unread": 0, "recent": [{"from": "Bob", "text": "Hi"}]}`)
}
