package system

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/internal/guest"
)

// Call records one call into a guest, as passed to Env.OnCall.
type Call struct {
	App     string        `json:"app"`
	Time    time.Time     `json:"time"` // when the call started, on the runtime's clock
	Event   abi.EventKind `json:"-"`
	ID      uint64        `json:"id"`
	Status  abi.Status    `json:"-"`
	Message string        `json:"message,omitempty"` // the handler's error message
	// Where is the first frame of a recovered panic (or of a Go runtime
	// fatal error) in the app's own code ("/src/app/main.go:42"), and
	// Stack the whole stack the guest sent (or the runtime's fatal report
	// from its stderr); both empty when there is none.
	Where string `json:"where,omitempty"`
	Stack string `json:"stack,omitempty"`
	Crash string `json:"crash,omitempty"` // why the instance died, if it did
	// Termination classifies a crash: trap, exit, cpu_time_exceeded,
	// wall_time_exceeded, task_not_finished, or a Go runtime fatal error
	// (out_of_memory, deadlock, stack_overflow, go_fatal_error,
	// unrecovered_panic). Empty when the instance survived.
	Termination guest.Termination `json:"termination,omitempty"`
	Fuel        int64             `json:"fuel"` // fuel the call used (0 when unmetered)
	State       abi.State         `json:"-"`    // the app's state after the call
	Duration    time.Duration     `json:"duration_ns"`
	// Reply is what the guest attached with event_reply to an ok answer
	// (nil when nothing), for events whose answer the system reads.
	Reply []byte `json:"-"`
}

// EventName returns the name of the call's event, or "instantiate" for a
// crash while the instance was starting.
func (c Call) EventName() string {
	if c.Event == 0 {
		return "instantiate"
	}
	return c.Event.String()
}

// CrashError reports a guest that trapped, exited or was killed by the
// system during a call. The instance is gone; the app relaunches cold on its
// next event.
type CrashError struct {
	App         string        // bundle id
	Event       abi.EventKind // the event being handled, zero while starting
	Termination guest.Termination
	Reason      string // the trap or exit message, or what the budget was and what to do
	Fuel        int64  // fuel the call used
	// Stack is the Go runtime's fatal report from the guest's stderr,
	// and Where its first frame in the app's own code; both empty when
	// the guest printed none.
	Stack string
	Where string
}

func (e *CrashError) Error() string {
	where := "in " + e.Event.String()
	if e.Event == 0 {
		where = "while starting"
	}
	code := ""
	if c := e.Termination.Code(); c != 0 {
		code = fmt.Sprintf(" [0x%x]", c)
	}
	at := ""
	if e.Where != "" && !strings.Contains(e.Reason, e.Where) {
		at = " (at " + e.Where + ")"
	}
	return fmt.Sprintf("app %s killed %s: %s%s: %s%s", e.App, where, e.Termination, code, e.Reason, at)
}

// HandlerError reports a handler that returned an error status, such as a
// recovered panic. The instance keeps running.
type HandlerError struct {
	App     string
	Event   abi.EventKind
	Status  abi.Status
	Message string
	Where   string // a recovered panic's first frame in the app's code, or ""
	Stack   string // the stack trace the guest sent, or ""
}

func (e *HandlerError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = "no message"
	}
	if e.Where != "" {
		msg += " (at " + e.Where + ")"
	}
	return fmt.Sprintf("app %s: %v handler failed (%v): %s", e.App, e.Event, e.Status, msg)
}

// Call delivers one event to the running instance and returns the guest's
// status; a crash kills the instance and is a *CrashError, a failed
// handler a *HandlerError.
func (a *App) Call(ctx context.Context, kind abi.EventKind, fields []byte) (Call, error) {
	var c Call
	err := a.CallInto(ctx, kind, fields, &c)
	return c, err
}

// CallInto is Call with the call's record written into *c, for the warm
// event path (App.Deliver): the record is some 200 bytes, and passing it
// by value through the layers of a call cost a warm event tens of
// nanoseconds in copies (docs/performance.md, "Issue 10, part 2, fourth
// pass").
func (a *App) CallInto(ctx context.Context, kind abi.EventKind, fields []byte, c *Call) error {
	_, budget := budgetOf(a.Env.Rules.Profile(), kind)
	var res guest.Result
	a.gate.on = true // not guestRuns: a closure and a defer on the warm event path
	a.Guest.Call(ctx, kind, fields, budget, &res)
	a.gate.on = false
	// Cleared, then filled field by field: a composite literal is built on
	// the stack and copied, which showed in a warm event's profile.
	*c = Call{}
	c.App, c.Time, c.Event, c.ID, c.Duration, c.Fuel = a.ID, res.Start, kind, res.ID, res.Duration, res.Fuel
	if res.Crash != nil {
		reason := a.Crashes.reason(kind, res.Crash)
		crash := &CrashError{App: a.ID, Event: kind, Termination: res.Crash.Termination, Reason: reason, Fuel: res.Fuel}
		crash.Stack, crash.Where = fatalStack(res.Crash)
		a.Life.Kill(ctx)
		a.Crashes.n++
		c.Crash, c.Termination, c.Stack, c.Where = crash.Reason, crash.Termination, crash.Stack, crash.Where
		c.State = a.Life.state
		a.endCall(res.Start.Add(res.Duration))
		a.Store.Save()
		a.record(c)
		return crash
	}
	c.Status = res.Status
	c.State = a.Life.state
	c.Reply = res.Reply
	var herr error
	if c.Status != abi.StatusOK && c.Status != abi.StatusUnhandled {
		c.Message, c.Stack = res.Message, res.Details
		c.Where = AppFrame(res.Details)
		herr = &HandlerError{App: a.ID, Event: kind, Status: c.Status, Message: c.Message, Where: c.Where, Stack: c.Stack}
	}
	a.endCall(res.Start.Add(res.Duration))
	a.Store.Save() // before the call is reported: what it scheduled is on disk
	a.record(c)
	return herr
}

// record counts and reports the finished call c. It keeps no pointer to
// c.
func (a *App) record(c *Call) {
	if c.Crash != "" {
		// A copy, made on the heap only here: c is the caller's.
		last := *c
		a.Crashes.last = &last
	}
	a.CPU.add(c)
	ev := a.Log.Debug()
	switch {
	case c.Crash != "":
		ev = a.Log.Error().Str("crash", c.Crash)
	case c.Message != "":
		ev = a.Log.Error().Str("error", c.Message)
	}
	if !ev.Enabled() {
		if f := a.Env.OnCall; f != nil {
			f(*c)
		}
		return
	}
	status := c.Status.String()
	if c.Termination != "" {
		ev = ev.Str("termination", string(c.Termination))
		status = "crash" // the guest answered nothing; its status is no "ok"
	}
	if c.Where != "" {
		ev = ev.Str("at", c.Where)
	}
	ev.Str("event", c.EventName()).Str("status", status).Int64("fuel", c.Fuel).Dur("duration", c.Duration).Msg("call")
	if f := a.Env.OnCall; f != nil {
		f(*c)
	}
}

// fatalStack returns a crash's Go runtime report as one text, and its
// first frame in the app's own code.
func fatalStack(c *guest.Crash) (stack, where string) {
	if len(c.Stderr) == 0 {
		return "", ""
	}
	stack = strings.Join(c.Stderr, "\n")
	return stack, AppFrame(stack)
}

// Request answers one request from the guest (guest.Handler): app_info
// itself, every other op through the op a feature registered for it.
func (a *App) Request(op abi.Op, args []byte) ([]byte, abi.Status, string) {
	if op == abi.OpAppInfo {
		return Done(msg.AppInfo{BundleID: a.ID, State: a.Life.state, LaunchCount: int64(a.Life.launches),
			Cold: a.Life.cold, Settings: a.Manifest.Settings}.Encode(nil))
	}
	if f, ok := a.Features.ops[op]; ok {
		return f(args)
	}
	return Refuse(op, abi.StatusUnsupported, "not implemented by this host")
}
