package host

import (
	"context"
	"errors"
	"fmt"

	"github.com/watchbox/watchbox/host/internal/system/peripheral"
	"github.com/watchbox/watchbox/host/sensors/samples"
)

// PeripheralValue is what a simulated Bluetooth characteristic holds:
// fixed bytes, or a time series (such as a heart-rate file) whose value at
// a time is its last sample at or before it, sent as the number's decimal
// text.
type PeripheralValue = peripheral.Value

// Peripheral is a simulated Bluetooth peripheral: its name and its
// characteristics, SERVICE/CHARACTERISTIC.
type Peripheral = peripheral.Peripheral

// Connection is one of an app's connections to a simulated peripheral,
// with its subscriptions.
type Connection = peripheral.Connection

// ParseCharacteristic splits "SERVICE/CHARACTERISTIC" (as in 180D/2A37)
// into its two Bluetooth UUIDs, upper case.
func ParseCharacteristic(s string) (service, characteristic string, err error) {
	return peripheral.ParseCharacteristic(s)
}

// CheckPeripheralName says what is wrong with name as a simulated
// peripheral's name, or "".
func CheckPeripheralName(name string) string { return peripheral.CheckName(name) }

// ReadSamples reads a time series file (CSV or JSON, see package
// host/sensors/samples) as a characteristic's value.
func ReadSamples(path string) (*samples.Series, error) {
	return samples.ReadFile(path, samples.Options{Interp: samples.Step})
}

// DeclarePeripheral puts the simulated peripheral name in range, or gives
// it, the characteristic service/characteristic holding v from now on
// (replacing its value). Apps subscribed to the characteristic are told
// of the change (bluetooth_value_updated) if its value changed. Errors
// of guests are joined.
func (r *Runtime) DeclarePeripheral(ctx context.Context, name, service, characteristic string, v PeripheralValue) error {
	if err := r.world.Declare(name, service, characteristic, v, r.clock.Now()); err != nil {
		return err
	}
	var errs []error
	for _, a := range r.Apps() {
		errs = append(errs, a.locked(func() error { return a.periph.Changed(ctx) }))
	}
	return errors.Join(errs...)
}

// RemovePeripheral takes the simulated peripheral name out of range:
// apps connected to it are disconnected, and a running app is told
// (bluetooth_disconnected).
func (r *Runtime) RemovePeripheral(ctx context.Context, name string) error {
	if !r.world.Remove(name) {
		return fmt.Errorf("host: no peripheral %q is in range", name)
	}
	var errs []error
	for _, a := range r.Apps() {
		errs = append(errs, a.locked(func() error { return a.periph.Gone(ctx, name) }))
	}
	return errors.Join(errs...)
}

// Peripherals returns the simulated peripherals in range, in name order.
func (r *Runtime) Peripherals() []Peripheral { return r.world.Peripherals() }

// Bluetooth is an app's side of Bluetooth: alerts from paired
// peripherals and its connections to simulated ones. Get it with
// App.Bluetooth.
type Bluetooth struct{ a *App }

// Bluetooth returns the app's Bluetooth side.
func (a *App) Bluetooth() Bluetooth { return Bluetooth{a} }

// Alert delivers a timely alert from a paired peripheral as a
// Bluetooth-alert background task, within bluetooth_alerts_per_day per
// rolling 24 h (shared with background scans). The alert that leaves
// bluetooth_near_limit carries leGattNearBackgroundNotificationLimit on its
// task; one beyond the budget wakes nothing and the app is told
// leGattExceededBackgroundNotificationLimit when it next runs in the
// foreground. Opening the app resets the count.
func (b Bluetooth) Alert(ctx context.Context, peripheral string) error {
	return b.a.locked(func() error { return b.a.phone.BluetoothAlert(ctx, peripheral) })
}

// Connections returns the app's connections to simulated peripherals, in
// peripheral name order.
func (b Bluetooth) Connections() []Connection {
	b.a.sys.Lock()
	defer b.a.sys.Unlock()
	return b.a.periph.Connections()
}
