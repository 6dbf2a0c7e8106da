// Package abi defines watchbox's host/guest ABI: the names, signatures,
// status codes, event kinds, request operations and the byte encoding shared
// by the host runtime and the guest SDKs.
//
// The normative description is docs/abi.md; this package is its Go form. It
// has no dependencies beyond the standard library so that guests can import
// it too.
package abi

// Version is the ABI version this package describes.
const Version = 1

// ImportModule is the Wasm import module name of every host function.
const ImportModule = "watchbox"

// MarkerPrefix starts the name of the export by which a guest declares its ABI
// version: a guest built for version N exports a function named
// MarkerPrefix+"N" (for example "watchbox_abi_v1"). The host reads it from the
// compiled module before running any guest code; the function is never called.
const MarkerPrefix = "watchbox_abi_v"

// Marker is the marker export of this ABI version.
const Marker = "watchbox_abi_v1"

// Names of the host functions (imports from ImportModule).
const (
	FuncEventRead  = "event_read"
	FuncEventReply = "event_reply"
	FuncLog        = "log"
	FuncRequest    = "request"
	FuncResultRead = "result_read"
)

// Names of the guest's exports.
const (
	ExportEvent      = "watchbox_event"
	ExportMemory     = "memory"
	ExportInitialize = "_initialize"
	ExportStart      = "_start"
)

// Status is the result code of a host function or of a guest handler.
//
// Host functions return an i32 that is either a non-negative value (a size or
// a count) or a negated Status. Guest handlers return a Status directly.
type Status int32

// Status codes. Their numeric values are part of the ABI.
const (
	StatusOK            Status = 0  // success
	StatusNotFound      Status = 1  // the named thing does not exist
	StatusBadArgument   Status = 2  // an argument or encoded field is invalid
	StatusInvalidMemory Status = 3  // a pointer/length pair is outside the guest's memory
	StatusUnsupported   Status = 4  // this host does not implement the operation
	StatusNotAllowed    Status = 5  // not permitted by the manifest or the app's state
	StatusLimit         Status = 6  // a budget, quota or size limit was reached
	StatusNoEvent       Status = 7  // event_read or event_reply outside a handler
	StatusInternal      Status = 8  // the host failed; not the guest's fault
	StatusUnhandled     Status = 16 // handler: the guest has no handler for this event
	StatusError         Status = 17 // handler: the handler failed; message in the reply
	StatusBadEvent      Status = 18 // handler: the guest could not decode the event
)

var statusNames = [...]string{
	StatusOK:            "ok",
	StatusNotFound:      "not_found",
	StatusBadArgument:   "bad_argument",
	StatusInvalidMemory: "invalid_memory",
	StatusUnsupported:   "unsupported",
	StatusNotAllowed:    "not_allowed",
	StatusLimit:         "limit",
	StatusNoEvent:       "no_event",
	StatusInternal:      "internal",
	StatusUnhandled:     "unhandled",
	StatusError:         "error",
	StatusBadEvent:      "bad_event",
}

// String returns the status's name as written in docs/abi.md.
func (s Status) String() string {
	if n := nameOf(statusNames[:], s); n != "" {
		return n
	}
	return "status(" + itoa(int64(s)) + ")"
}

// Level is a log level passed to the log host function.
type Level int32

// Log levels.
const (
	LevelDebug Level = 0
	LevelInfo  Level = 1
	LevelWarn  Level = 2
	LevelError Level = 3
)

// String returns the level's name.
func (l Level) String() string {
	switch l {
	case LevelDebug:
		return "debug"
	case LevelInfo:
		return "info"
	case LevelWarn:
		return "warn"
	case LevelError:
		return "error"
	}
	return "level(" + itoa(int64(l)) + ")"
}

func itoa(v int64) string {
	if v == 0 {
		return "0"
	}
	neg := v < 0
	if neg {
		v = -v
	}
	var b [20]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
