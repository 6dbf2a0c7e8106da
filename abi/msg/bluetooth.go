package msg

import "github.com/watchbox/watchbox/abi"

// The Bluetooth central messages (CBCentralManager and CBPeripheral):
// ops 36-41 and events 39-40, fields 60-63. docs/abi.md sections 11 and
// 13 are the normative text.

// BluetoothValue is the payload of bluetooth_value_updated and the result
// of bluetooth_read: one characteristic's value.
type BluetoothValue struct {
	Peripheral     string
	Service        string
	Characteristic string
	Value          []byte // the simulated peripheral's value: a number's decimal text, or the declared bytes
}

var bluetoothValueSpec = &Spec{Name: "bluetooth_value", Doc: "bluetooth_value_updated, and the result of bluetooth_read", Fields: []FieldSpec{
	{Key: abi.FieldPeripheral, Type: abi.TypeBytes, Presence: Always},
	{Key: abi.FieldService, Type: abi.TypeBytes, Presence: Always},
	{Key: abi.FieldCharacteristic, Type: abi.TypeBytes, Presence: Always},
	{Key: abi.FieldValue, Type: abi.TypeBytes, Presence: Always, Doc: "the characteristic's value"},
}}

// BluetoothDisconnected is the payload of bluetooth_disconnected.
type BluetoothDisconnected struct {
	Peripheral string
	Error      string // why the connection closed, in words
}

var bluetoothDisconnectedSpec = &Spec{Name: "bluetooth_disconnected", Doc: "centralManager didDisconnectPeripheral", Fields: []FieldSpec{
	{Key: abi.FieldPeripheral, Type: abi.TypeBytes, Presence: Always},
	{Key: abi.FieldError, Type: abi.TypeBytes, Presence: Always, Doc: "why the connection closed"},
}}

// BluetoothScan is the arguments of bluetooth_scan.
type BluetoothScan struct {
	Service string // only peripherals with this service; "": any (refused in the background)
}

var bluetoothScanSpec = &Spec{Name: "bluetooth_scan", Doc: "CBCentralManager scanForPeripherals(withServices:)", Fields: []FieldSpec{
	{Key: abi.FieldService, Type: abi.TypeBytes, Presence: Optional, Doc: "the service to scan for; required in the background"},
}}

// BluetoothScanResult is the result of bluetooth_scan.
type BluetoothScanResult struct {
	Peripherals string // the names of the peripherals found, one a line, in name order
	// ErrorCode is abi.CBErrorNearBackgroundNotificationLimit when this
	// background scan left one in the Bluetooth budget; 0: none.
	ErrorCode int64
}

var bluetoothScanResultSpec = &Spec{Name: "bluetooth_scan_result", Doc: "the peripherals found", Fields: []FieldSpec{
	{Key: abi.FieldPeripheral, Type: abi.TypeBytes, Presence: Always, Doc: "names, one a line (\"\\n\"), in name order; empty: none found"},
	{Key: abi.FieldErrorCode, Type: abi.TypeInt, Presence: Optional, Doc: "CBError.Code 18: the scan left one in the background budget"},
}}

// BluetoothConnect is the arguments of bluetooth_connect.
type BluetoothConnect struct {
	Peripheral string
}

var bluetoothConnectSpec = &Spec{Name: "bluetooth_connect", Doc: "CBCentralManager connect(_:)", Fields: []FieldSpec{
	{Key: abi.FieldPeripheral, Type: abi.TypeBytes, Presence: Required},
}}

// BluetoothDiscover is the arguments of bluetooth_discover.
type BluetoothDiscover struct {
	Peripheral string
}

var bluetoothDiscoverSpec = &Spec{Name: "bluetooth_discover", Doc: "CBPeripheral discoverServices and discoverCharacteristics", Fields: []FieldSpec{
	{Key: abi.FieldPeripheral, Type: abi.TypeBytes, Presence: Required},
}}

// BluetoothDiscoverResult is the result of bluetooth_discover.
type BluetoothDiscoverResult struct {
	Characteristics string // SERVICE/CHARACTERISTIC, one a line, in order
}

var bluetoothDiscoverResultSpec = &Spec{Name: "bluetooth_discover_result", Doc: "the peripheral's services and characteristics", Fields: []FieldSpec{
	{Key: abi.FieldCharacteristic, Type: abi.TypeBytes, Presence: Always, Doc: "SERVICE/CHARACTERISTIC, one a line (\"\\n\"), sorted"},
}}

// BluetoothRead is the arguments of bluetooth_read.
type BluetoothRead struct {
	Peripheral     string
	Service        string
	Characteristic string
}

var bluetoothReadSpec = &Spec{Name: "bluetooth_read", Doc: "CBPeripheral readValue(for:)", Fields: []FieldSpec{
	{Key: abi.FieldPeripheral, Type: abi.TypeBytes, Presence: Required},
	{Key: abi.FieldService, Type: abi.TypeBytes, Presence: Required},
	{Key: abi.FieldCharacteristic, Type: abi.TypeBytes, Presence: Required},
}}

// BluetoothSubscribe is the arguments of bluetooth_subscribe.
type BluetoothSubscribe struct {
	Peripheral     string
	Service        string
	Characteristic string
}

var bluetoothSubscribeSpec = &Spec{Name: "bluetooth_subscribe", Doc: "CBPeripheral setNotifyValue(true, for:)", Fields: []FieldSpec{
	{Key: abi.FieldPeripheral, Type: abi.TypeBytes, Presence: Required},
	{Key: abi.FieldService, Type: abi.TypeBytes, Presence: Required},
	{Key: abi.FieldCharacteristic, Type: abi.TypeBytes, Presence: Required},
}}

// BluetoothDisconnect is the arguments of bluetooth_disconnect.
type BluetoothDisconnect struct {
	Peripheral string
}

var bluetoothDisconnectSpec = &Spec{Name: "bluetooth_disconnect", Doc: "CBCentralManager cancelPeripheralConnection(_:)", Fields: []FieldSpec{
	{Key: abi.FieldPeripheral, Type: abi.TypeBytes, Presence: Required},
}}

// Spec describes BluetoothValue's fields.
func (*BluetoothValue) Spec() *Spec { return bluetoothValueSpec }

// Encode appends the encoded fields of m to dst.
func (m BluetoothValue) Encode(dst []byte) []byte { return encodeTo(dst, bluetoothValueSpec, m.bind()) }

// Decode replaces m with the BluetoothValue encoded in b.
func (m *BluetoothValue) Decode(b []byte) error {
	*m = BluetoothValue{}
	return decodeFlat(b, bluetoothValueSpec, m.bind())
}

func (m *BluetoothValue) bind() []any {
	return []any{&m.Peripheral, &m.Service, &m.Characteristic, &m.Value}
}

// Spec describes BluetoothDisconnected's fields.
func (*BluetoothDisconnected) Spec() *Spec { return bluetoothDisconnectedSpec }

// Encode appends the encoded fields of m to dst.
func (m BluetoothDisconnected) Encode(dst []byte) []byte {
	return encodeTo(dst, bluetoothDisconnectedSpec, m.bind())
}

// Decode replaces m with the BluetoothDisconnected encoded in b.
func (m *BluetoothDisconnected) Decode(b []byte) error {
	*m = BluetoothDisconnected{}
	return decodeFlat(b, bluetoothDisconnectedSpec, m.bind())
}

func (m *BluetoothDisconnected) bind() []any { return []any{&m.Peripheral, &m.Error} }

// Spec describes BluetoothScan's fields.
func (*BluetoothScan) Spec() *Spec { return bluetoothScanSpec }

// Encode appends the encoded fields of m to dst.
func (m BluetoothScan) Encode(dst []byte) []byte { return encodeTo(dst, bluetoothScanSpec, m.bind()) }

// Decode replaces m with the BluetoothScan encoded in b.
func (m *BluetoothScan) Decode(b []byte) error {
	*m = BluetoothScan{}
	return decodeFlat(b, bluetoothScanSpec, m.bind())
}

func (m *BluetoothScan) bind() []any { return []any{&m.Service} }

// Spec describes BluetoothScanResult's fields.
func (*BluetoothScanResult) Spec() *Spec { return bluetoothScanResultSpec }

// Encode appends the encoded fields of m to dst.
func (m BluetoothScanResult) Encode(dst []byte) []byte {
	return encodeTo(dst, bluetoothScanResultSpec, m.bind())
}

// Decode replaces m with the BluetoothScanResult encoded in b.
func (m *BluetoothScanResult) Decode(b []byte) error {
	*m = BluetoothScanResult{}
	return decodeFlat(b, bluetoothScanResultSpec, m.bind())
}

func (m *BluetoothScanResult) bind() []any { return []any{&m.Peripherals, &m.ErrorCode} }

// Spec describes BluetoothConnect's fields.
func (*BluetoothConnect) Spec() *Spec { return bluetoothConnectSpec }

// Encode appends the encoded fields of m to dst.
func (m BluetoothConnect) Encode(dst []byte) []byte {
	return encodeTo(dst, bluetoothConnectSpec, m.bind())
}

// Decode replaces m with the BluetoothConnect encoded in b.
func (m *BluetoothConnect) Decode(b []byte) error {
	*m = BluetoothConnect{}
	return decodeFlat(b, bluetoothConnectSpec, m.bind())
}

func (m *BluetoothConnect) bind() []any { return []any{&m.Peripheral} }

// Spec describes BluetoothDiscover's fields.
func (*BluetoothDiscover) Spec() *Spec { return bluetoothDiscoverSpec }

// Encode appends the encoded fields of m to dst.
func (m BluetoothDiscover) Encode(dst []byte) []byte {
	return encodeTo(dst, bluetoothDiscoverSpec, m.bind())
}

// Decode replaces m with the BluetoothDiscover encoded in b.
func (m *BluetoothDiscover) Decode(b []byte) error {
	*m = BluetoothDiscover{}
	return decodeFlat(b, bluetoothDiscoverSpec, m.bind())
}

func (m *BluetoothDiscover) bind() []any { return []any{&m.Peripheral} }

// Spec describes BluetoothDiscoverResult's fields.
func (*BluetoothDiscoverResult) Spec() *Spec { return bluetoothDiscoverResultSpec }

// Encode appends the encoded fields of m to dst.
func (m BluetoothDiscoverResult) Encode(dst []byte) []byte {
	return encodeTo(dst, bluetoothDiscoverResultSpec, m.bind())
}

// Decode replaces m with the BluetoothDiscoverResult encoded in b.
func (m *BluetoothDiscoverResult) Decode(b []byte) error {
	*m = BluetoothDiscoverResult{}
	return decodeFlat(b, bluetoothDiscoverResultSpec, m.bind())
}

func (m *BluetoothDiscoverResult) bind() []any { return []any{&m.Characteristics} }

// Spec describes BluetoothRead's fields.
func (*BluetoothRead) Spec() *Spec { return bluetoothReadSpec }

// Encode appends the encoded fields of m to dst.
func (m BluetoothRead) Encode(dst []byte) []byte { return encodeTo(dst, bluetoothReadSpec, m.bind()) }

// Decode replaces m with the BluetoothRead encoded in b.
func (m *BluetoothRead) Decode(b []byte) error {
	*m = BluetoothRead{}
	return decodeFlat(b, bluetoothReadSpec, m.bind())
}

func (m *BluetoothRead) bind() []any { return []any{&m.Peripheral, &m.Service, &m.Characteristic} }

// Spec describes BluetoothSubscribe's fields.
func (*BluetoothSubscribe) Spec() *Spec { return bluetoothSubscribeSpec }

// Encode appends the encoded fields of m to dst.
func (m BluetoothSubscribe) Encode(dst []byte) []byte {
	return encodeTo(dst, bluetoothSubscribeSpec, m.bind())
}

// Decode replaces m with the BluetoothSubscribe encoded in b.
func (m *BluetoothSubscribe) Decode(b []byte) error {
	*m = BluetoothSubscribe{}
	return decodeFlat(b, bluetoothSubscribeSpec, m.bind())
}

func (m *BluetoothSubscribe) bind() []any { return []any{&m.Peripheral, &m.Service, &m.Characteristic} }

// Spec describes BluetoothDisconnect's fields.
func (*BluetoothDisconnect) Spec() *Spec { return bluetoothDisconnectSpec }

// Encode appends the encoded fields of m to dst.
func (m BluetoothDisconnect) Encode(dst []byte) []byte {
	return encodeTo(dst, bluetoothDisconnectSpec, m.bind())
}

// Decode replaces m with the BluetoothDisconnect encoded in b.
func (m *BluetoothDisconnect) Decode(b []byte) error {
	*m = BluetoothDisconnect{}
	return decodeFlat(b, bluetoothDisconnectSpec, m.bind())
}

func (m *BluetoothDisconnect) bind() []any { return []any{&m.Peripheral} }
