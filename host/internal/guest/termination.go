package guest

import (
	"errors"

	"github.com/tetratelabs/wazero/sys"
	"github.com/watchbox/watchbox/host/meter"
)

// Termination says why an instance ended during a call, in the spirit of
// watchOS's termination codes. Empty means the instance survived.
type Termination string

// Terminations.
const (
	TerminationTrap Termination = "trap" // the guest trapped (unreachable, out of bounds, stack overflow, ...)
	TerminationExit Termination = "exit" // the guest called proc_exit (a Go runtime fatal error exits 2)
	// TerminationCPU: the call used its whole fuel budget, watchOS's
	// 0xc51bad01 ("too much CPU time").
	TerminationCPU Termination = "cpu_time_exceeded"
	// TerminationWall: the call ran past its wall-clock deadline, watchOS's
	// 0xc51bad02 ("too much wall time").
	TerminationWall Termination = "wall_time_exceeded"
	// TerminationInterrupted: the host was interrupted (Ctrl-C) during the call.
	TerminationInterrupted Termination = "interrupted"
	// TerminationTaskDeadline: a background task was still open at its
	// deadline, watchOS's 0x2182bad2. The system, not a call, ends the
	// instance this way; it is here so that one type names every ending.
	TerminationTaskDeadline Termination = "task_not_finished"
)

// Code returns watchOS's termination code for t, or 0 if it has none.
func (t Termination) Code() uint32 {
	switch t {
	case TerminationCPU:
		return 0xc51bad01
	case TerminationWall:
		return 0xc51bad02
	case TerminationTaskDeadline:
		return 0x2182bad2
	}
	return 0
}

// classify says how a call that returned err ended, given the meter's
// outcome.
func classify(o meter.Outcome, err error) Termination {
	switch {
	case err == nil:
		return ""
	case o == meter.FuelExhausted:
		return TerminationCPU
	case o == meter.DeadlineExceeded:
		return TerminationWall
	}
	var exit *sys.ExitError
	if errors.As(err, &exit) {
		return TerminationExit
	}
	return TerminationTrap
}
