package abi

// The push path, an addition to ABI v1 (docs/abi.md section 6, "The push
// path"): a guest registers a buffer of its memory once, with op 68; the
// host then writes each event's envelope there before it calls
// watchbox_event, when the envelope fits, and says so by setting
// SizePushed in the call's size argument, so the guest needs no
// event_read. A guest that registers nothing is called as before (the pull
// path), and so is every call whose envelope does not fit.
const (
	// OpRegisterEventBuffer registers (or, with length 0, withdraws) the
	// buffer the host writes envelopes into: arguments FieldAddress and
	// FieldLength. A later registration replaces the earlier one.
	OpRegisterEventBuffer Op = 68

	// FieldAddress is a pointer into the guest's linear memory (int).
	FieldAddress Field = 64
	// FieldLength is a length in bytes (int).
	FieldLength Field = 65

	// SizePushed is set in watchbox_event's size argument when the host
	// wrote the envelope into the registered buffer; the envelope's size
	// is the argument with the bit cleared. Envelopes are at most
	// MaxEnvelope bytes, so the bit is free.
	SizePushed uint32 = 1 << 31

	// MinEventBuffer and MaxEventBuffer bound a registered buffer's
	// length: a header at least, and no more than the largest envelope
	// (a longer buffer is refused rather than silently used in part).
	MinEventBuffer = HeaderSize
	MaxEventBuffer = MaxEnvelope
)
