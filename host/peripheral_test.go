package host

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// Rule bluetooth.closed, on suspension: an app that connected to a
// peripheral in a background task, and holds the task open, loses the
// connection when the system suspends it; the task being open does not
// keep it. The app is not told (it is not running for it), and after it
// wakes in the next task a read on the old connection is refused
// (bluetooth.not_connected) until it connects again. On the virtual clock,
// with tests/apps/chaos making the raw Bluetooth requests.
func TestRuleBluetoothClosedOnSuspension(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	connect := msg.BluetoothConnect{Peripheral: "strap"}.Encode(nil)
	read := msg.BluetoothRead{Peripheral: "strap", Service: "180F", Characteristic: "2A19"}.Encode(nil)
	h, a, ds := virtualChaos(t, "Tasks raw 37 "+hexOf(connect))
	must(t, h.rt.DeclarePeripheral(ctx, "strap", "180F", "2A19", PeripheralValue{Bytes: []byte("87")}))
	must(t, a.Launch(ctx))
	must(t, a.EnterBackground(ctx))

	// A refresh task: the app connects and leaves the task open.
	must(t, h.rt.RunFor(ctx, time.Second))
	must(t, a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, nil))
	if got := h.guestLines("chaos: raw bluetooth_connect"); len(got) != 1 || strings.Contains(got[0], "refusal") {
		t.Fatalf("connect in the task = %q, want it accepted", got)
	}
	if n, _ := a.sys.Tasks.Running(); n != 1 {
		t.Fatalf("%d background tasks open, want the refresh still open", n)
	}
	if cs := a.Bluetooth().Connections(); len(cs) != 1 || cs[0].Peripheral != "strap" {
		t.Fatalf("connections with the task open = %+v, want strap", cs)
	}
	wantRule(t, *ds, policy.RuleBluetoothClosed, 0)

	// The system suspends the app with its task still open.
	h.events()
	must(t, a.Suspend(ctx))
	closed := wantRule(t, *ds, policy.RuleBluetoothClosed, 1)
	if len(closed) == 1 && !strings.Contains(closed[0], `connection to "strap" closed by the system: the app was suspended`) {
		t.Errorf("closed = %q, want the suspension named", closed)
	}
	if cs := a.Bluetooth().Connections(); len(cs) != 0 {
		t.Errorf("connections after the suspension = %+v, want none", cs)
	}
	if got := h.events(); len(got) != 0 {
		t.Errorf("the app was called for its suspension: %q, want no call (no bluetooth_disconnected)", got)
	}

	// Woken by the next task, the app's read finds no connection.
	setMode(t, a, "Tasks raw 39 "+hexOf(read))
	must(t, a.Tasks().Trigger(ctx, abi.TaskApplicationRefresh, nil))
	got := h.guestLines("chaos: raw bluetooth_read")
	if len(got) != 1 || !strings.Contains(got[0], "refusal") || !strings.Contains(got[0], policy.RuleBluetoothNotConnected) {
		t.Errorf("read after the suspension = %q, want a refusal naming %s", got, policy.RuleBluetoothNotConnected)
	}
}
