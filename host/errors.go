package host

import (
	"errors"
	"fmt"
	"strings"

	"github.com/watchbox/watchbox/abi"
)

// Problem is one thing wrong with an app: its manifest, its module or its
// use of the ABI.
type Problem struct {
	// Where names the file, key, import or export concerned.
	Where string `json:"where"`
	// Message says what is wrong and what to do about it.
	Message string `json:"message"`
}

func (p Problem) String() string {
	if p.Where == "" {
		return p.Message
	}
	return p.Where + ": " + p.Message
}

// InvalidAppError reports an app the runtime refuses to run, with every
// problem found.
type InvalidAppError struct {
	Path     string
	Problems []Problem
}

func (e *InvalidAppError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid app %s", e.Path)
	if len(e.Problems) == 1 {
		b.WriteString(": " + e.Problems[0].String())
		return b.String()
	}
	fmt.Fprintf(&b, " (%d problems):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - " + p.String())
	}
	return b.String()
}

// CrashError reports a guest that trapped or otherwise died during a call.
// The instance is gone; the app relaunches cold on its next event.
type CrashError struct {
	App    string        // bundle id
	Event  abi.EventKind // the event being handled, zero during instantiation
	Reason string        // the trap or exit message
}

func (e *CrashError) Error() string {
	if e.Event == 0 {
		return fmt.Sprintf("app %s crashed while starting: %s", e.App, e.Reason)
	}
	return fmt.Sprintf("app %s crashed in %v: %s", e.App, e.Event, e.Reason)
}

// HandlerError reports a handler that returned an error status, such as a
// recovered panic. The instance keeps running.
type HandlerError struct {
	App     string
	Event   abi.EventKind
	Status  abi.Status
	Message string
}

func (e *HandlerError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "no message"
	}
	return fmt.Sprintf("app %s: %v handler failed (%v): %s", e.App, e.Event, e.Status, msg)
}

// IsInvalidApp reports whether err is, or wraps, an *InvalidAppError.
func IsInvalidApp(err error) bool {
	var e *InvalidAppError
	return errors.As(err, &e)
}

// IsGuestFailure reports whether err is, or wraps, a guest crash or a
// failed handler.
func IsGuestFailure(err error) bool {
	var c *CrashError
	var h *HandlerError
	return errors.As(err, &c) || errors.As(err, &h)
}
