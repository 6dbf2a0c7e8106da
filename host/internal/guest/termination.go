package guest

import (
	"errors"
	"strings"

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

	// The Go runtime's fatal errors, read from the guest's stderr (a Go
	// guest prints "fatal error: ..." and traps): they replace trap or
	// exit when the runtime said why it died.

	// TerminationOutOfMemory: the runtime could not grow the heap within
	// the manifest's memoryLimit.
	TerminationOutOfMemory Termination = "out_of_memory"
	// TerminationDeadlock: every goroutine was blocked, so the handler
	// could never return ("all goroutines are asleep").
	TerminationDeadlock Termination = "deadlock"
	// TerminationStackOverflow: a goroutine's stack outgrew its limit or
	// the memory left for it, almost always unbounded recursion.
	TerminationStackOverflow Termination = "stack_overflow"
	// TerminationGoFatal: any other fatal error of the Go runtime
	// ("concurrent map writes", ...).
	TerminationGoFatal Termination = "go_fatal_error"
	// TerminationGoPanic: a panic the SDK could not recover, in a
	// goroutine the app started itself.
	TerminationGoPanic Termination = "unrecovered_panic"
)

// fatalStart reports whether a stderr line starts a Go runtime fatal
// report: what follows it (goroutine stacks) belongs to the crash record,
// not to the log one line at a time.
func fatalStart(line string) bool {
	return strings.HasPrefix(line, "fatal error: ") || strings.HasPrefix(line, "runtime: out of memory") ||
		strings.HasPrefix(line, "runtime: goroutine stack exceeds") || strings.HasPrefix(line, "panic: ")
}

// classifyFatal reads a Go runtime fatal report (lines from its first
// line on) and returns the termination it shows and the line that says
// so, or "" when the lines are not one.
func classifyFatal(lines []string) (Termination, string) {
	var first, fatal string
	stackGrowth := false
	for _, l := range lines {
		if first == "" && fatalStart(l) {
			first = l
		}
		if fatal == "" && strings.HasPrefix(l, "fatal error: ") {
			fatal = l
		}
		if strings.HasPrefix(l, "runtime: goroutine stack exceeds") || strings.HasPrefix(l, "runtime.newstack(") ||
			strings.HasPrefix(l, "runtime.stackalloc(") || strings.HasPrefix(l, "runtime.copystack(") {
			stackGrowth = true
		}
	}
	switch {
	case first == "":
		return "", ""
	case strings.HasPrefix(fatal, "fatal error: all goroutines are asleep"):
		return TerminationDeadlock, fatal
	case fatal == "fatal error: stack overflow" || (strings.Contains(fatal, "out of memory") && stackGrowth):
		return TerminationStackOverflow, first
	case strings.Contains(fatal, "out of memory") || strings.HasPrefix(first, "runtime: out of memory"):
		return TerminationOutOfMemory, first
	case fatal != "":
		return TerminationGoFatal, fatal
	case strings.HasPrefix(first, "panic: "):
		return TerminationGoPanic, first
	}
	return "", ""
}

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
