package msg

import "github.com/watchbox/watchbox/abi"

// The paired phone's session and the Bluetooth background-limit error:
// ops 66-67 and event 70, fields 37-39 (abi/phone.go). docs/abi.md
// sections 11 and 13 are the normative text.

// PhoneSession is the result of phone_session: the WCSession state.
type PhoneSession struct {
	Reachable      bool // isReachable: the phone is in range and the app runs in the foreground
	Paired         bool // a phone is paired with the watch
	ContentPending bool // hasContentPending: phone data is still to be delivered to the app
}

var phoneSessionSpec = &Spec{Name: "phone_session_result", Doc: "WCSession isReachable and hasContentPending", Fields: []FieldSpec{
	{Key: abi.FieldReachable, Type: abi.TypeBool, Presence: Always},
	{Key: abi.FieldPaired, Type: abi.TypeBool, Presence: Always},
	{Key: abi.FieldContentPending, Type: abi.TypeBool, Presence: Always},
}}

// BluetoothError is the payload of bluetooth_error: a CBError for a
// peripheral, outside any request or task.
type BluetoothError struct {
	Peripheral string
	ErrorCode  int64  // a CBError.Code (abi.CBErrorExceededBackgroundNotificationLimit)
	Error      string // what happened, in words
}

var bluetoothErrorSpec = &Spec{Name: "bluetooth_error", Doc: "a CBPeripheralDelegate error (the background budget was exceeded)", Fields: []FieldSpec{
	{Key: abi.FieldPeripheral, Type: abi.TypeBytes, Presence: Always},
	{Key: abi.FieldErrorCode, Type: abi.TypeInt, Presence: Always, Doc: "a CBError.Code"},
	{Key: abi.FieldError, Type: abi.TypeBytes, Presence: Always, Doc: "what happened"},
}}

// Spec describes PhoneSession's fields.
func (*PhoneSession) Spec() *Spec { return phoneSessionSpec }

// Encode appends the encoded fields of m to dst.
func (m PhoneSession) Encode(dst []byte) []byte { return encodeTo(dst, phoneSessionSpec, m.bind()) }

// Decode replaces m with the PhoneSession encoded in b.
func (m *PhoneSession) Decode(b []byte) error {
	*m = PhoneSession{}
	return decodeFlat(b, phoneSessionSpec, m.bind())
}

func (m *PhoneSession) bind() []any { return []any{&m.Reachable, &m.Paired, &m.ContentPending} }

// Spec describes BluetoothError's fields.
func (*BluetoothError) Spec() *Spec { return bluetoothErrorSpec }

// Encode appends the encoded fields of m to dst.
func (m BluetoothError) Encode(dst []byte) []byte { return encodeTo(dst, bluetoothErrorSpec, m.bind()) }

// Decode replaces m with the BluetoothError encoded in b.
func (m *BluetoothError) Decode(b []byte) error {
	*m = BluetoothError{}
	return decodeFlat(b, bluetoothErrorSpec, m.bind())
}

func (m *BluetoothError) bind() []any { return []any{&m.Peripheral, &m.ErrorCode, &m.Error} }
