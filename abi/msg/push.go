package msg

import "github.com/watchbox/watchbox/abi"

// EventBuffer is the arguments of register_event_buffer (op 68, the push
// path; abi/push.go, docs/abi.md section 6): the buffer of the guest's
// memory the host writes envelopes into. Length 0 withdraws it.
type EventBuffer struct {
	Address int64 // where the buffer starts in the guest's linear memory (a u32)
	Length  int64 // its length in bytes: 0, or abi.MinEventBuffer to abi.MaxEventBuffer
}

var eventBufferSpec = &Spec{Name: "register_event_buffer", Doc: "the push path's buffer (0 length: none)", Fields: []FieldSpec{
	{Key: abi.FieldAddress, Type: abi.TypeInt, Presence: Required, Doc: "a pointer into the guest's memory"},
	{Key: abi.FieldLength, Type: abi.TypeInt, Presence: Required, Doc: "bytes; 0 withdraws the buffer"},
}}

// Spec describes EventBuffer's fields.
func (*EventBuffer) Spec() *Spec { return eventBufferSpec }

// Encode appends the encoded fields of m to dst.
func (m EventBuffer) Encode(dst []byte) []byte { return encodeTo(dst, eventBufferSpec, m.bind()) }

// Decode replaces m with the EventBuffer encoded in b.
func (m *EventBuffer) Decode(b []byte) error {
	*m = EventBuffer{}
	return decodeFlat(b, eventBufferSpec, m.bind())
}

func (m *EventBuffer) bind() []any { return []any{&m.Address, &m.Length} }
