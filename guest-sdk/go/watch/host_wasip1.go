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

// eventBuf holds the envelope of the event being handled. When the host
// has the push path (register_event_buffer, docs/abi.md section 6) it is
// the registered buffer, and the host writes each envelope that fits into
// it before calling watchbox_event; pushing says it is registered.
var (
	eventBuf = make([]byte, 4096)
	pushing  bool
)

// The SDK registers its buffer while the package initializes, in
// _initialize. A host before the push path answers unsupported, and the
// SDK pulls every envelope with event_read, as it always did.
func init() { pushing = registerEventBuffer(eventBuf) }

// registerEventBuffer makes b the buffer the host pushes envelopes into,
// and reports whether the host took it. A refused registration leaves the
// previous one in force.
func registerEventBuffer(b []byte) bool {
	var args [2 * (abi.FieldHeaderSize + 8)]byte
	w := abi.NewWriter(args[:0])
	w.Int(abi.FieldAddress, int64(uintptr(unsafe.Pointer(unsafe.SliceData(b)))))
	w.Int(abi.FieldLength, int64(len(b)))
	a := w.Bytes()
	return request(uint32(abi.OpRegisterEventBuffer), unsafe.Pointer(unsafe.SliceData(a)), uint32(len(a))) >= 0
}

// pull reads an envelope of size bytes into eventBuf with event_read,
// growing the buffer first when it is too small. While pushing, a grown
// buffer is registered in place of the old one, so that later envelopes of
// this size are pushed; if the host takes neither the new buffer nor the
// withdrawal of the old, the old one stays registered and eventBuf.
func pull(size uint32) bool {
	if size > abi.MaxEnvelope {
		return false
	}
	if int(size) > len(eventBuf) {
		b := make([]byte, max(size, 2*uint32(len(eventBuf))))
		if len(b) > abi.MaxEventBuffer {
			b = b[:abi.MaxEventBuffer]
		}
		if pushing && !registerEventBuffer(b) {
			if !registerEventBuffer(nil) {
				// A host that refuses even the withdrawal (the ABI does
				// not let it) still writes the old buffer: keep it, and
				// fail this envelope rather than ever read a pushed one
				// from the wrong place.
				return false
			}
			pushing = false
		}
		eventBuf = b
	}
	n := eventRead(unsafe.Pointer(unsafe.SliceData(eventBuf)), uint32(len(eventBuf)))
	return n >= 0 && uint32(n) == size
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
