package host

import (
	"errors"
	"fmt"
	"strings"

	"github.com/watchbox/watchbox/host/inspect"
	"github.com/watchbox/watchbox/host/internal/guest"
	"github.com/watchbox/watchbox/host/internal/system"
)

// Problem is one thing wrong with an app: its manifest, its module or its
// use of the ABI.
type Problem = inspect.Problem

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

// Termination says why the system ended an app instance, in the spirit of
// watchOS's termination codes.
type Termination = guest.Termination

// Terminations.
const (
	TerminationTrap = guest.TerminationTrap // the guest trapped (unreachable, out of bounds, ...) with no Go runtime report
	TerminationExit = guest.TerminationExit // the guest called proc_exit
	// TerminationCPU: the call used its whole fuel budget, watchOS's
	// 0xc51bad01 ("too much CPU time").
	TerminationCPU = guest.TerminationCPU
	// TerminationWall: the call ran past its wall-clock deadline, watchOS's
	// 0xc51bad02 ("too much wall time").
	TerminationWall = guest.TerminationWall
	// TerminationInterrupted: the host was interrupted (Ctrl-C) during the call.
	TerminationInterrupted = guest.TerminationInterrupted
	// TerminationTaskDeadline: a background task was still open at its
	// deadline, watchOS's 0x2182bad2.
	TerminationTaskDeadline = guest.TerminationTaskDeadline
	// TerminationOutOfMemory: the Go runtime could not grow the heap
	// within the manifest's memoryLimit (read from the guest's stderr).
	TerminationOutOfMemory = guest.TerminationOutOfMemory
	// TerminationDeadlock: every goroutine was blocked ("all goroutines
	// are asleep - deadlock!").
	TerminationDeadlock = guest.TerminationDeadlock
	// TerminationStackOverflow: a goroutine's stack outgrew its limit or
	// the memory left, almost always unbounded recursion.
	TerminationStackOverflow = guest.TerminationStackOverflow
	// TerminationGoFatal: another fatal error of the Go runtime.
	TerminationGoFatal = guest.TerminationGoFatal
	// TerminationGoPanic: a panic in a goroutine the app started, which
	// the SDK's handler recovery does not cover.
	TerminationGoPanic = guest.TerminationGoPanic
)

// CrashError reports a guest that trapped, exited or was killed by the
// system during a call. The instance is gone; the app relaunches cold on its
// next event.
type CrashError = system.CrashError

// HandlerError reports a handler that returned an error status, such as a
// recovered panic. The instance keeps running.
type HandlerError = system.HandlerError

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
