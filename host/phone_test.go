package host

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
)

// TestBluetoothLimitErrorsReachTheApp: the watchOS 9 errors of the
// Bluetooth budget reach the app (issue 14, model item 3): the alert that
// leaves one in the budget carries leGattNearBackgroundNotificationLimit
// on its task, an alert beyond it is told as
// leGattExceededBackgroundNotificationLimit when the app next runs in the
// foreground, and a background scan, which shares the budget, gets both
// errors on the SDK call.
func TestBluetoothLimitErrorsReachTheApp(t *testing.T) {
	t.Parallel()
	t.Run("alerts", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		h, a, ds := virtualChaos(t, "Tasks complete")
		for i := 0; i < 6; i++ {
			must(t, a.Bluetooth().Alert(ctx, "strap"))
			must(t, h.rt.RunFor(ctx, time.Minute))
		}
		must(t, a.Launch(ctx)) // the user opens the app: told, and the count reset
		equal(t, "guest", h.guestLines("chaos: task"), []string{
			`chaos: task 1 bluetooth_alert "strap" at 09:00:00`,
			`chaos: task 2 bluetooth_alert "strap" at 09:01:00`,
			`chaos: task 3 bluetooth_alert "strap" at 09:02:00`,
			`chaos: task 4 bluetooth_alert "strap" at 09:03:00 error: bluetooth: leGattNearBackgroundNotificationLimit (CBError 18)`,
			`chaos: task 5 bluetooth_alert "strap" at 09:04:00`,
		})
		errs := h.guestLines("chaos: bluetooth error")
		if len(errs) != 1 || !strings.Contains(errs[0], `chaos: bluetooth error strap: bluetooth: leGattExceededBackgroundNotificationLimit (CBError 17): a timely alert from "strap" at 09:05:00 did not wake the app`) {
			t.Errorf("bluetooth errors = %q, want the exceeded error once, when the app opened", errs)
		}
		if got := decisionsWith(*ds, "bluetooth.exceeded_error"); len(got) != 1 {
			t.Errorf("exceeded_error decisions = %q, want 1", got)
		}
	})
	t.Run("scans", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		h, a, ds := virtualChaos(t, "Tasks scan 180D", "Tasks complete")
		for i := 0; i < 6; i++ {
			must(t, a.Tasks().Force(ctx, ForcedTask{Kind: abi.TaskApplicationRefresh}))
			must(t, h.rt.RunFor(ctx, time.Minute))
		}
		scans := h.guestLines("chaos: scan")
		const exceeded = "chaos: scan 0 found, code 17: bluetooth: leGattExceededBackgroundNotificationLimit (CBError 17): bluetooth_scan: " +
			"Bluetooth background scan dropped: 5 of 5 in the rolling 24 h used (alerts and scans)"
		if len(scans) == 6 && strings.HasPrefix(scans[5], exceeded) && strings.HasSuffix(scans[5], "[bluetooth.daily_budget] (CBError 17, leGattExceededBackgroundNotificationLimit)") {
			scans[5] = exceeded
		}
		equal(t, "guest", scans, []string{
			"chaos: scan 0 found, code 0: <nil>",
			"chaos: scan 0 found, code 0: <nil>",
			"chaos: scan 0 found, code 0: <nil>",
			"chaos: scan 0 found, code 18: bluetooth: leGattNearBackgroundNotificationLimit (CBError 18)",
			"chaos: scan 0 found, code 0: <nil>",
			exceeded,
		})
		if got := decisionsWith(*ds, "bluetooth.daily_budget"); len(got) != 1 {
			t.Errorf("budget drops = %q, want 1", got)
		}
	})
}

// TestWatchConnectivityTaskComesFirst: a background app woken for phone
// data gets the watch-connectivity task first, marked content pending,
// then the data calls; phone_session reports content pending until the
// last item is handed over, so the app completes the task then (issue 14,
// model item 4).
func TestWatchConnectivityTaskComesFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, _ := virtualChaos(t, "Tasks session", "Phone session", "Phone complete-when-done")
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))
	must(t, h.rt.RunFor(ctx, time.Minute))
	must(t, a.Phone().Deliver(ctx, PhoneUserInfo, []byte(`{"u":1}`)))
	must(t, a.Phone().Deliver(ctx, PhoneContext, []byte(`{"c":1}`)))
	must(t, a.Phone().Deliver(ctx, PhoneUserInfo, []byte(`{"u":2}`)))
	must(t, h.rt.RunFor(ctx, time.Hour))
	equal(t, "guest", h.guestLines("chaos: "), []string{
		`chaos: task 2 watch_connectivity "" at 09:11:00 content pending`, // task 1: the app_backgrounded snapshot
		"chaos: session reachable=false paired=true pending=true <nil>",
		`chaos: user info {"u":1} at 09:11:00`,
		"chaos: session reachable=false paired=true pending=true <nil>",
		`chaos: context {"c":1} at 09:11:00`,
		"chaos: session reachable=false paired=true pending=true <nil>",
		`chaos: user info {"u":2} at 09:11:00`,
		"chaos: session reachable=false paired=true pending=false <nil>",
		"chaos: complete 2 <nil>",
	})
	if a.Crashes().Count() != 0 {
		t.Errorf("%d crash(es): the task was completed in time, want none", a.Crashes().Count())
	}
}

// TestPhoneReachability: the phone can go out of range and be unpaired
// (issue 14, model item 4). isReachable follows; sendMessage fails with
// WCError notReachable (deviceNotPaired without a phone) and queues
// nothing, while transferUserInfo queues until the phone is back; data
// from the phone waits on the phone, except messages, which are refused.
func TestPhoneReachability(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h, a, ds := virtualChaos(t, "DidBecomeActive session", `DidBecomeActive send-message {"m":1}`, `DidBecomeActive send {"u":1}`)
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))

	must(t, h.rt.SetPhoneInRange(ctx, false))
	must(t, a.Phone().Deliver(ctx, PhoneUserInfo, []byte(`{"from":"phone"}`))) // waits on the phone
	must(t, a.Launch(ctx))
	must(t, a.Phone().Deliver(ctx, PhoneMessage, []byte(`{"live":1}`))) // refused: out of range
	must(t, h.rt.SetPhoneInRange(ctx, true))                            // the queued transfer goes, the held user info comes
	must(t, a.EnterBackground(ctx))

	must(t, h.rt.SetPhonePaired(ctx, false))
	must(t, a.Launch(ctx))
	must(t, a.Phone().Deliver(ctx, PhoneUserInfo, []byte(`{"from":"nobody"}`))) // no phone: nothing arrives

	equal(t, "guest", h.guestLines("chaos: "), []string{
		"chaos: session reachable=true paired=true pending=false <nil>",
		"chaos: send-message <nil>",
		"chaos: send <nil>",
		"chaos: session reachable=false paired=true pending=false <nil>",
		"chaos: send-message watch: send_message_to_phone: the phone is out of range [phone.unreachable] (WCError 7007, notReachable) (not_allowed)",
		"chaos: send <nil>",
		`chaos: user info {"from":"phone"} at 09:00:00`,
		"chaos: session reachable=false paired=false pending=false <nil>",
		"chaos: send-message watch: send_message_to_phone: no phone is paired with the watch [phone.unpaired] (WCError 7005, deviceNotPaired) (not_allowed)",
		"chaos: send watch: send_to_phone: no phone is paired with the watch [phone.unpaired] (WCError 7005, deviceNotPaired) (not_allowed)",
	})
	if got := a.Phone().Received(); len(got) != 3 || string(got[2]) != `{"u":1}` {
		t.Errorf("SentToPhone() = %q, want the message, the transfer and the queued transfer", got)
	}
	if got := decisionsWith(*ds, "phone.held_unreachable"); len(got) != 2 {
		t.Errorf("held decisions = %q, want the phone's user info and the app's transfer", got)
	}
	if got := decisionsWith(*ds, "phone.unreachable"); len(got) != 2 || !strings.Contains(got[1], "phone message dropped: the phone is out of range") {
		t.Errorf("unreachable decisions = %q, want the app's sendMessage and the phone's message", got)
	}
	if got := decisionsWith(*ds, "phone.unpaired"); len(got) != 3 {
		t.Errorf("unpaired decisions = %q, want sendMessage, transferUserInfo and the phone's user info", got)
	}
	if got := decisionsWith(*ds, "phone.received"); len(got) != 3 || !strings.Contains(got[2], "queued while the phone was out of range") {
		t.Errorf("received decisions = %q", got)
	}
}
