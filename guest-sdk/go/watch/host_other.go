//go:build !wasip1

package watch

import (
	"fmt"
	"os"

	"github.com/watchbox/watchbox/abi"
)

// Outside a wasip1 build (unit tests, go vet) there is no runtime: logs go to
// stderr and every request is unsupported. Tests replace hostRequest to play
// the runtime.

func hostLog(level abi.Level, msg string) {
	fmt.Fprintf(os.Stderr, "%v: %s\n", level, msg)
}

var hostRequest = func(op abi.Op, args []byte) ([]byte, abi.Status) {
	return nil, abi.StatusUnsupported
}

// hostReply attaches fields to the current event's reply; tests replace
// it to read save_state's state.
var hostReply = func(b []byte) {}

// eventBuf holds the envelope of the event being handled: the tests'
// handle copies it there, as the runtime pushes it.
var eventBuf []byte

// pull reads nothing outside wasip1: there is no runtime to pull from.
func pull(uint32) bool { return false }
