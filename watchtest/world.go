package watchtest

import (
	"encoding/json"
	"strings"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/drive"
	"github.com/watchbox/watchbox/host/push"
)

// World is what is around the watch in an App's run, which a test acts
// through: the push service, the paired phone, the simulated Bluetooth
// peripherals and the HTTP test server the app downloads from. Each
// method is an action, as App.Do's are: it happens at the current virtual
// time, on the timeline.
type World struct{ a *App }

// World returns what is around the app's watch.
func (a *App) World() World { return World{a} }

// Push sends the app the remote push in the .apns file.
func (w World) Push(file string) drive.Result {
	w.a.t.Helper()
	p, err := push.ParseFile(file, push.DefaultLimit)
	if err != nil {
		w.a.t.Fatalf("watchtest: Push: %v", err)
	}
	return w.a.Do(drive.Action{Kind: drive.Push, Push: p, File: file})
}

// Phone sends the app data from the paired phone: kind is user-info,
// context, message or complication, payload a JSON object.
func (w World) Phone(kind, payload string) drive.Result {
	w.a.t.Helper()
	k, err := abi.ParsePhoneKind(kind)
	if err != nil {
		w.a.t.Fatalf("watchtest: Phone: %v", err)
	}
	if !json.Valid([]byte(payload)) {
		w.a.t.Fatalf("watchtest: Phone: the payload is not JSON: %s", payload)
	}
	return w.a.Do(drive.Action{Kind: drive.Phone, Phone: k, Payload: json.RawMessage(payload)})
}

// Peripheral puts the simulated Bluetooth peripheral name in range with
// characteristic (SERVICE/CHARACTERISTIC, as in 180D/2A37) holding value,
// or changes that value; value "@FILE" reads a samples file (CSV or JSON
// time series, see host/sensors/samples) from now on. Subscribed apps are
// told of the change.
func (w World) Peripheral(name, characteristic, value string) drive.Result {
	w.a.t.Helper()
	act := drive.Action{Kind: drive.Peripheral, Peripheral: name, Characteristic: characteristic, On: true}
	if file, ok := strings.CutPrefix(value, "@"); ok {
		act.File = file
	} else {
		act.Value = []byte(value)
	}
	return w.a.Do(act)
}

// PeripheralOff takes the simulated peripheral name out of range:
// connected apps are disconnected.
func (w World) PeripheralOff(name string) drive.Result {
	w.a.t.Helper()
	return w.a.Do(drive.Action{Kind: drive.Peripheral, Peripheral: name})
}

// Serve adds or replaces a route of the HTTP test server from now on.
func (w World) Serve(method, path string, status int, body string) {
	w.a.t.Helper()
	r := route(method, path, status, body)
	w.a.Do(drive.Action{Kind: drive.Serve, Route: &r})
}
