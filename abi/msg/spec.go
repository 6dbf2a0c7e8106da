// Package msg gives every event payload and every request operation's
// arguments and result of the watchbox ABI one Go type, with one encoder and
// one decoder, so that the host and the guest SDKs stop writing field
// layouts by hand.
//
// Each type describes its fields once, in a Spec (key, wire type, presence),
// and binds them to its struct fields. Encode and Decode are the same two
// table-driven functions for every type; the rules of docs/abi.md section 9
// are written once, there:
//
//   - unknown keys are skipped, at every nesting level;
//   - a key that is not repeated and occurs more than once: the first
//     occurrence wins, the others are ignored;
//   - a value of the wrong wire type or size, a missing required field or an
//     enumeration out of range is an *Error naming the message and the field.
//
// The package uses only the standard library and package abi, so that guests
// can import it. The same specs generate the C header guest-sdk/c/watchbox.h
// (internal/genheader; run go generate ./abi/...).
//
// Host side, decoding a request and answering it (a refusal with its
// reason as the result, see Refuse):
//
//	var args msg.ScheduleRefresh
//	if err := args.Decode(b); err != nil {
//		return msg.Refuse(err.Error()), abi.StatusBadArgument
//	}
//	return msg.ScheduleResult{Message: reason, Date: at}.Encode(nil), abi.StatusOK
//
// Guest side, the reverse:
//
//	res, err := watch.Request(abi.OpScheduleBackgroundRefresh, msg.ScheduleRefresh{Date: d}.Encode(nil))
package msg

import "github.com/watchbox/watchbox/abi"

// Presence says when a field is written and whether a reader needs it.
type Presence uint8

// Presences.
const (
	// Optional fields are left out when their Go value is the zero value
	// (0, "", false, a nil slice; an empty but non-nil []byte is written),
	// unless With names a field that was written. Readers accept their
	// absence.
	Optional Presence = iota
	// Always fields are written even when zero. Readers accept their
	// absence (and read the zero value).
	Always
	// Required fields are written even when zero, and a reader refuses
	// data without them.
	Required
	// Repeated fields (records) occur once per element, in order. Every
	// occurrence counts; none is ignored.
	Repeated
)

// String returns the presence's name, as used in docs and the C header.
func (p Presence) String() string {
	switch p {
	case Optional:
		return "optional"
	case Always:
		return "always"
	case Required:
		return "required"
	case Repeated:
		return "repeated"
	}
	return "presence(?)"
}

// FieldSpec describes one field of a message.
type FieldSpec struct {
	Key      abi.Field
	Type     abi.Type
	Presence Presence
	// With, for an Optional field, names an earlier field of the same
	// message: when that one is written, this one is written too, even
	// when zero (a url_session task's status_code goes with its
	// session_identifier).
	With abi.Field
	// Record is the spec of a record field's contents.
	Record *Spec
	// Doc says what the field means in this message, when its key's
	// general meaning (docs/abi.md section 14) is not enough.
	Doc string
}

// Spec describes one message: an event payload, a request's arguments or
// result, a record or a reply.
type Spec struct {
	// Name identifies the message in errors and in the C header
	// (struct wb_NAME): the event's or operation's name for an event
	// payload or request arguments, NAME_result for a result.
	Name string
	// Doc is a one-line description.
	Doc string
	// Provisional marks messages of events and operations no host
	// delivers or implements yet: their field lists may change
	// (docs/abi.md sections 11 and 13).
	Provisional bool
	// Fields lists the fields in the order writers write them.
	Fields []FieldSpec
}

// index returns the position of key in s.Fields, or -1.
func (s *Spec) index(key abi.Field) int {
	for i := range s.Fields {
		if s.Fields[i].Key == key {
			return i
		}
	}
	return -1
}

// Message is implemented by a pointer to every message type of this
// package.
type Message interface {
	// Spec describes the message's fields.
	Spec() *Spec
	// Encode appends the message's encoded fields to dst.
	Encode(dst []byte) []byte
	// Decode replaces the message with the one encoded in b. It returns an
	// *Error for malformed data.
	Decode(b []byte) error
}
