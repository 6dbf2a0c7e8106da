package watch

import (
	"strconv"
	"strings"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// Bluetooth central delegate methods, named after CBCentralManagerDelegate
// and CBPeripheralDelegate. The delegate given to NewCentralManager
// implements any subset of them.
type (
	// ValueObserver is told each change of a characteristic the app
	// subscribed to (didUpdateValueFor), while the connection lasts.
	ValueObserver interface {
		DidUpdateValue(c *Characteristic, value []byte)
	}
	// DisconnectObserver is told when a connection closed that the app did
	// not close itself (didDisconnectPeripheral): the peripheral went out
	// of range, or the app left the foreground with no background task
	// open. reason says which.
	DisconnectObserver interface {
		DidDisconnect(p *Peripheral, reason string)
	}
	// ErrorObserver is told a Bluetooth error that no call or task
	// carries: a timely alert from p that did not wake the app because
	// the background budget was spent
	// (leGattExceededBackgroundNotificationLimit), told when the app
	// next runs in the foreground.
	ErrorObserver interface {
		DidFail(p *Peripheral, err *BluetoothError)
	}
)

// BluetoothError is a Core Bluetooth error (CBError): Code is its raw
// value, abi.CBErrorNearBackgroundNotificationLimit or
// abi.CBErrorExceededBackgroundNotificationLimit for the background
// budget timely alerts and background scans share (5 per 24 h).
type BluetoothError struct {
	Code    int64
	Message string // what happened, when the runtime said
}

func (e *BluetoothError) Error() string {
	name := "CBError"
	switch e.Code {
	case abi.CBErrorNearBackgroundNotificationLimit:
		name = "leGattNearBackgroundNotificationLimit"
	case abi.CBErrorExceededBackgroundNotificationLimit:
		name = "leGattExceededBackgroundNotificationLimit"
	}
	if e.Message != "" {
		return "bluetooth: " + name + " (CBError " + strconv.FormatInt(e.Code, 10) + "): " + e.Message
	}
	return "bluetooth: " + name + " (CBError " + strconv.FormatInt(e.Code, 10) + ")"
}

// CentralManager is the app's Bluetooth central (CBCentralManager): it
// scans for peripherals and connects to them. The runtime's peripherals
// are simulated, declared by a scenario or a live command.
//
// Bluetooth works while the app runs: while it is frontmost, or within a
// background task's time. Connections close when the app completes its
// last background task, so an app reads what it needs and then completes
// the task:
//
//	func (a *app) HandleBackgroundTasks(tasks []*watch.Task) {
//		strap := a.central.Peripheral("strap")
//		if err := strap.Connect(); err == nil {
//			v, _ := strap.Characteristic("180D", "2A37").Read()
//			watch.UpdateComplication(v)
//			strap.Disconnect()
//		}
//		for _, t := range tasks {
//			t.Complete(false)
//		}
//	}
//
// A background scan must name a service, and it is charged to the
// Bluetooth budget it shares with timely alerts (5 per 24 h); a scan by
// the frontmost app is not.
type CentralManager struct {
	values      func(*Characteristic, []byte)
	disconnects func(*Peripheral, string)
	errs        func(*Peripheral, *BluetoothError)
}

// central is the manager whose delegate receives Bluetooth events.
var central *CentralManager

// NewCentralManager returns the app's central manager, whose delegate
// (nil, or a ValueObserver and/or DisconnectObserver) receives its events.
// Call it after Register (in DidFinishLaunching, say): it takes the
// Bluetooth events before the app's HandleEvent, if any. A later call
// replaces the delegate.
func NewCentralManager(delegate any) *CentralManager {
	m := &CentralManager{}
	if x, ok := delegate.(ValueObserver); ok {
		m.values = x.DidUpdateValue
	}
	if x, ok := delegate.(DisconnectObserver); ok {
		m.disconnects = x.DidDisconnect
	}
	if x, ok := delegate.(ErrorObserver); ok {
		m.errs = x.DidFail
	}
	if registered == "" {
		Warnf("watch.NewCentralManager was called before watch.Register; Register replaces the event handler, so call NewCentralManager after it (in DidFinishLaunching)")
	}
	handlers.event = centralEvent
	central = m
	return m
}

// centralEvent is the delegate's event handler while a central manager
// exists: Bluetooth events first, then the app's HandleEvent.
func centralEvent(e *Event) bool {
	if central != nil && central.handle(e) {
		return true
	}
	return handlers.eventer != nil && handlers.eventer.HandleEvent(e)
}

// handle delivers a Bluetooth event to the manager's delegate; it reports
// whether e was one it has a method for.
func (m *CentralManager) handle(e *Event) bool {
	switch e.Kind {
	case abi.EventBluetoothValueUpdated:
		if m.values == nil {
			return false
		}
		var v msg.BluetoothValue
		if err := e.Decode(&v); err != nil {
			Warnf("watch: cannot decode %v event: %v", e.Kind, err)
			return true
		}
		p := &Peripheral{Name: v.Peripheral}
		m.values(&Characteristic{Peripheral: p, Service: v.Service, UUID: v.Characteristic}, v.Value)
		return true
	case abi.EventBluetoothDisconnected:
		if m.disconnects == nil {
			return false
		}
		var v msg.BluetoothDisconnected
		if err := e.Decode(&v); err != nil {
			Warnf("watch: cannot decode %v event: %v", e.Kind, err)
			return true
		}
		m.disconnects(&Peripheral{Name: v.Peripheral}, v.Error)
		return true
	case abi.EventBluetoothError:
		if m.errs == nil {
			return false
		}
		var v msg.BluetoothError
		if err := e.Decode(&v); err != nil {
			Warnf("watch: cannot decode %v event: %v", e.Kind, err)
			return true
		}
		m.errs(&Peripheral{Name: v.Peripheral}, &BluetoothError{Code: v.ErrorCode, Message: v.Error})
		return true
	}
	return false
}

// Scan returns the peripherals in range that offer service (a UUID such
// as "180D"; "" for any, which only the frontmost app may ask for).
//
// A background scan is charged to the Bluetooth budget. When the budget
// is spent it fails with a *BluetoothError of code
// abi.CBErrorExceededBackgroundNotificationLimit (its Message is the
// runtime's reason). When the scan leaves one in the budget it returns
// the peripherals found and a *BluetoothError of code
// abi.CBErrorNearBackgroundNotificationLimit: the scan ran.
func (m *CentralManager) Scan(service string) ([]*Peripheral, error) {
	b, err := Request(abi.OpBluetoothScan, msg.BluetoothScan{Service: service}.Encode(nil))
	if se, ok := err.(*StatusError); ok && se.Code != 0 {
		return nil, &BluetoothError{Code: se.Code, Message: se.Reason}
	}
	if err != nil {
		return nil, err
	}
	var res msg.BluetoothScanResult
	if err := res.Decode(b); err != nil {
		return nil, resultError(abi.OpBluetoothScan, err)
	}
	var out []*Peripheral
	for _, name := range lines(res.Peripherals) {
		out = append(out, &Peripheral{Name: name})
	}
	if res.ErrorCode != 0 {
		return out, &BluetoothError{Code: res.ErrorCode}
	}
	return out, nil
}

// Peripheral returns the peripheral called name, known from an earlier
// scan, without scanning (retrievePeripherals).
func (m *CentralManager) Peripheral(name string) *Peripheral { return &Peripheral{Name: name} }

// Peripheral is a Bluetooth peripheral (CBPeripheral), by its name.
type Peripheral struct {
	Name string
}

// Connect connects to the peripheral (connect(_:)).
func (p *Peripheral) Connect() error {
	_, err := Request(abi.OpBluetoothConnect, msg.BluetoothConnect{Peripheral: p.Name}.Encode(nil))
	return err
}

// Disconnect closes the connection (cancelPeripheralConnection(_:)); the
// delegate is not told.
func (p *Peripheral) Disconnect() error {
	_, err := Request(abi.OpBluetoothDisconnect, msg.BluetoothDisconnect{Peripheral: p.Name}.Encode(nil))
	return err
}

// Discover returns every characteristic of the connected peripheral, by
// service (discoverServices and discoverCharacteristics).
func (p *Peripheral) Discover() ([]*Characteristic, error) {
	b, err := Request(abi.OpBluetoothDiscover, msg.BluetoothDiscover{Peripheral: p.Name}.Encode(nil))
	if err != nil {
		return nil, err
	}
	var res msg.BluetoothDiscoverResult
	if err := res.Decode(b); err != nil {
		return nil, resultError(abi.OpBluetoothDiscover, err)
	}
	var out []*Characteristic
	for _, l := range lines(res.Characteristics) {
		service, char, _ := strings.Cut(l, "/")
		out = append(out, &Characteristic{Peripheral: p, Service: service, UUID: char})
	}
	return out, nil
}

// Characteristic returns the characteristic uuid of service on the
// peripheral, without discovering it.
func (p *Peripheral) Characteristic(service, uuid string) *Characteristic {
	return &Characteristic{Peripheral: p, Service: service, UUID: uuid}
}

// Characteristic is one characteristic of a peripheral's service
// (CBCharacteristic).
type Characteristic struct {
	Peripheral *Peripheral
	Service    string // the service's UUID, such as "180D"
	UUID       string // the characteristic's UUID, such as "2A37"
}

// Read reads the characteristic's value now (readValue(for:)). A
// simulated series value is the number's decimal text, such as "72".
func (c *Characteristic) Read() ([]byte, error) {
	b, err := Request(abi.OpBluetoothRead, msg.BluetoothRead{Peripheral: c.Peripheral.Name, Service: c.Service, Characteristic: c.UUID}.Encode(nil))
	if err != nil {
		return nil, err
	}
	var res msg.BluetoothValue
	if err := res.Decode(b); err != nil {
		return nil, resultError(abi.OpBluetoothRead, err)
	}
	return res.Value, nil
}

// Subscribe asks to be told each change of the value
// (setNotifyValue(true, for:)): the central manager's ValueObserver is
// called while the connection lasts.
func (c *Characteristic) Subscribe() error {
	_, err := Request(abi.OpBluetoothSubscribe, msg.BluetoothSubscribe{Peripheral: c.Peripheral.Name, Service: c.Service, Characteristic: c.UUID}.Encode(nil))
	return err
}

// lines splits s at "\n"; nil for "".
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
