// Command bench is the guest of the host's call benchmarks. It handles any
// event by summing the bytes of its payload field, and also exports bare
// functions that wazero can call directly, as the baseline.
package main

import (
	"unsafe"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/guest-sdk/go/watch"
)

type app struct{}

var sum int

func (app) DidFinishLaunching() {}

func (app) HandleEvent(e *watch.Event) bool {
	r := e.Fields()
	for r.Next() {
		if v := r.Value(); v.Key == abi.FieldPayload {
			b, _ := v.Blob()
			for _, c := range b {
				sum += int(c)
			}
		}
	}
	return true
}

var buf [4096]byte

// bareBuffer returns the address of a buffer the baseline writes into.
//
//go:wasmexport bare_buffer
func bareBuffer() uint32 { return uint32(uintptr(unsafe.Pointer(&buf[0]))) }

// bare is the baseline call: it sums n bytes the host wrote to the buffer.
//
//go:wasmexport bare
func bare(kind, n int32) int32 {
	for _, c := range buf[:n] {
		sum += int(c)
	}
	return 0
}

func init() { watch.Register(app{}) }

func main() {}
