package watch

import "github.com/watchbox/watchbox/abi"

// handle delivers envelope, an event of kind, as the runtime does with
// watchbox_event on the push path, and returns the event's status and its
// reply fields.
func handle(kind abi.EventKind, envelope []byte) (abi.Status, []byte) {
	if len(eventBuf) < len(envelope) {
		eventBuf = make([]byte, len(envelope))
	}
	n := copy(eventBuf, envelope)
	status := abi.Status(watchboxEvent(int32(kind), int32(uint32(n)|abi.SizePushed)))
	switch status {
	case abi.StatusOK:
		return status, okReply
	case abi.StatusUnhandled:
		return status, nil
	}
	return status, reply
}
