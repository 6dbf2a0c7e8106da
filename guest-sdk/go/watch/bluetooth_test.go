//go:build !wasip1

package watch

import (
	"errors"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// The central manager's requests carry the golden bytes and read the
// golden results.
func TestCentralRequestsMatchGolden(t *testing.T) {
	var gotOp abi.Op
	var gotArgs []byte
	var result []byte
	fakeHost(t, func(op abi.Op, args []byte) ([]byte, abi.Status) {
		gotOp, gotArgs = op, append([]byte(nil), args...)
		return result, abi.StatusOK
	})
	check := func(name string, err error) {
		t.Helper()
		c := golden(t, name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if gotOp != c.Op || string(gotArgs) != string(c.Wire) {
			t.Errorf("%s: sent op %v % x, want op %v % x", name, gotOp, gotArgs, c.Op, c.Wire)
		}
	}
	m := &CentralManager{}
	result = golden(t, "op bluetooth_scan result").Wire
	found, err := m.Scan("180D")
	check("op bluetooth_scan args", err)
	if len(found) != 2 || found[0].Name != "a" || found[1].Name != "strap" {
		t.Errorf("scan: %v", found)
	}
	result = nil
	strap := m.Peripheral("strap")
	check("op bluetooth_connect args", strap.Connect())
	result = golden(t, "op bluetooth_discover result").Wire
	chars, err := strap.Discover()
	check("op bluetooth_discover args", err)
	if len(chars) != 1 || chars[0].Service != "180D" || chars[0].UUID != "2A37" || chars[0].Peripheral != strap {
		t.Errorf("discover: %+v", chars)
	}
	result = golden(t, "op bluetooth_read result").Wire
	v, err := strap.Characteristic("180D", "2A37").Read()
	check("op bluetooth_read args", err)
	if string(v) != "72" {
		t.Errorf("read %q", v)
	}
	result = nil
	check("op bluetooth_subscribe args", strap.Characteristic("180D", "2A37").Subscribe())
	check("op bluetooth_disconnect args", strap.Disconnect())
}

// A refusal comes back as a *StatusError with the runtime's reason.
func TestCentralRefusal(t *testing.T) {
	fakeHost(t, func(op abi.Op, args []byte) ([]byte, abi.Status) {
		return msg.Refuse(`bluetooth_connect: no peripheral "strap" [bluetooth.unknown]`), abi.StatusNotFound
	})
	err := (&CentralManager{}).Peripheral("strap").Connect()
	var se *StatusError
	if !errors.As(err, &se) || se.Status != abi.StatusNotFound || !strings.Contains(err.Error(), "bluetooth.unknown") {
		t.Errorf("err %v", err)
	}
}

type observer struct{ got []string }

func (o *observer) DidUpdateValue(c *Characteristic, value []byte) {
	o.got = append(o.got, c.Peripheral.Name+" "+c.Service+"/"+c.UUID+"="+string(value))
}
func (o *observer) DidDisconnect(p *Peripheral, reason string) {
	o.got = append(o.got, p.Name+" gone: "+reason)
}

// The central manager's delegate gets the Bluetooth events; the app's
// HandleEvent keeps the others, also after Register is called again.
func TestCentralEvents(t *testing.T) {
	r := &recorder{}
	Register(r)
	defer Register(nil)
	o := &observer{}
	NewCentralManager(o)
	defer func() { central = nil }()
	for range 2 { // again after a second Register
		ev := msg.BluetoothValue{Peripheral: "strap", Service: "180D", Characteristic: "2A37", Value: []byte("72")}
		if s, _ := handle(abi.EventBluetoothValueUpdated, envelope(abi.EventBluetoothValueUpdated, ev.Encode(nil))); s != abi.StatusOK {
			t.Errorf("value updated: status %v", s)
		}
		gone := msg.BluetoothDisconnected{Peripheral: "strap", Error: "out of range"}
		if s, _ := handle(abi.EventBluetoothDisconnected, envelope(abi.EventBluetoothDisconnected, gone.Encode(nil))); s != abi.StatusOK {
			t.Errorf("disconnected: status %v", s)
		}
		var w abi.Writer
		w.String(abi.FieldPayload, "hi")
		if s, _ := handle(abi.EventPhoneMessage, envelope(abi.EventPhoneMessage, w.Bytes())); s != abi.StatusOK {
			t.Errorf("the app's own HandleEvent: status %v", s)
		}
		Register(r)
		NewCentralManager(o)
	}
	if got := strings.Join(o.got, "; "); got != "strap 180D/2A37=72; strap gone: out of range; strap 180D/2A37=72; strap gone: out of range" {
		t.Errorf("delegate got %q", got)
	}
	if got := strings.Join(r.got, ","); got != "payload hi,payload hi" {
		t.Errorf("app got %q", got)
	}
	// Without a method for it, the event is unhandled.
	NewCentralManager(nil)
	if s, _ := handle(abi.EventBluetoothDisconnected, envelope(abi.EventBluetoothDisconnected, nil)); s != abi.StatusUnhandled {
		t.Errorf("no observer: status %v", s)
	}
}
