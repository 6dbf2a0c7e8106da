//go:build wasip1

package watch

import (
	"unsafe"

	"github.com/watchbox/watchbox/abi"
)

//go:wasmimport watchbox event_read
func eventRead(ptr unsafe.Pointer, limit uint32) int32

//go:wasmimport watchbox event_reply
func eventReply(ptr unsafe.Pointer, size uint32) int32

//go:wasmimport watchbox log
func logWrite(level int32, ptr unsafe.Pointer, size uint32) int32

//go:wasmimport watchbox request
func request(op uint32, ptr unsafe.Pointer, size uint32) int32

//go:wasmimport watchbox result_read
func resultRead(ptr unsafe.Pointer, limit uint32) int32

// abiMarker declares the ABI version to the runtime; it is never called.
//
//go:wasmexport watchbox_abi_v1
func abiMarker() {}

var eventBuf = make([]byte, 4096)

//go:wasmexport watchbox_event
func watchboxEvent(kind int32, size int32) int32 {
	if int(size) > len(eventBuf) {
		eventBuf = make([]byte, size)
	}
	n := eventRead(unsafe.Pointer(unsafe.SliceData(eventBuf)), uint32(len(eventBuf)))
	if n < 0 || int(n) > len(eventBuf) {
		return int32(abi.StatusBadEvent)
	}
	status, out := handle(abi.EventKind(kind), eventBuf[:n])
	if len(out) > 0 {
		eventReply(unsafe.Pointer(unsafe.SliceData(out)), uint32(len(out)))
	}
	return int32(status)
}

// hostReply attaches fields to the current event's reply (event_reply).
func hostReply(b []byte) {
	eventReply(unsafe.Pointer(unsafe.SliceData(b)), uint32(len(b)))
}

func hostLog(level abi.Level, msg string) {
	logWrite(int32(level), unsafe.Pointer(unsafe.StringData(msg)), uint32(len(msg)))
}

var resultBuf = make([]byte, 256)

// hostRequest calls request and reads the result. When the host refuses
// (a negated status), the result it reads is the refusal: a msg.Refusal
// from a host that gives reasons, nothing (or, after a refusal before the
// op ran, the previous result) from one that does not.
func hostRequest(op abi.Op, args []byte) ([]byte, abi.Status) {
	status := abi.StatusOK
	n := request(uint32(op), unsafe.Pointer(unsafe.SliceData(args)), uint32(len(args)))
	if n < 0 {
		status = abi.Status(-n)
	}
	res, ok := readResult()
	if !ok && status == abi.StatusOK {
		return nil, abi.StatusInternal
	}
	return res, status
}

// readResult copies the last request's result, growing the buffer when the
// result does not fit.
func readResult() ([]byte, bool) {
	for {
		m := resultRead(unsafe.Pointer(unsafe.SliceData(resultBuf)), uint32(len(resultBuf)))
		switch {
		case m < 0:
			return nil, false
		case int(m) > len(resultBuf):
			resultBuf = make([]byte, m)
			continue
		}
		return append([]byte(nil), resultBuf[:m]...), true
	}
}
