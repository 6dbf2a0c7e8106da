// Package watch is the Go SDK for watchbox apps.
//
// An app is a Go main package built with
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared
//
// (watchbox build does this for you). It defines a type with the delegate
// methods it needs and registers a value of it from an init function; main
// never runs in a c-shared module:
//
//	type app struct{}
//
//	func (app) DidFinishLaunching() { watch.Printf("launched") }
//	func (app) DidBecomeActive()    { watch.Printf("active") }
//
//	// Compile-time checks: a method whose signature differs from the
//	// delegate's would never be called; these make it a build error.
//	var (
//		_ watch.Launcher  = app{}
//		_ watch.Activator = app{}
//	)
//
//	func init() { watch.Register(app{}) }
//
//	func main() {}
//
// Every delegate method is optional: the runtime is told "unhandled" for
// events the app has no method for. A panic in a method is recovered and
// reported to the runtime with its message; the app keeps running.
//
// Time (time.Now, time.Sleep, timers) and randomness (crypto/rand, math/rand)
// come from the runtime, so a virtual clock and seeded randomness apply to
// apps unchanged. Anything printed to stdout or stderr, and the Printf family
// here, goes to the runtime's log tagged with the app.
package watch

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strconv"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// Life-cycle delegate methods, named after WKApplicationDelegate. An app's
// delegate implements any subset of them.
type (
	// Launcher is called once per launch, cold or not, before anything else.
	Launcher interface{ DidFinishLaunching() }
	// ForegroundEnterer is called when the app is about to become frontmost.
	ForegroundEnterer interface{ WillEnterForeground() }
	// Activator is called when the app is frontmost and the wrist is raised.
	Activator interface{ DidBecomeActive() }
	// Resigner is called when the app stops being active (wrist down, or
	// before entering the background).
	Resigner interface{ WillResignActive() }
	// Backgrounder is called when the app leaves the foreground.
	Backgrounder interface{ DidEnterBackground() }
	// StateSaver is asked, before a hot reload (watchbox dev) replaces
	// the app's code, for the state the new version should carry on
	// with: any bytes (JSON, gob, ...), at most the device profile's
	// saved_state_bytes (32 KiB by default). An error, or a state over
	// the limit, makes the new version start cold.
	StateSaver interface{ SaveState() ([]byte, error) }
	// StateRestorer is called in the new version after a hot reload,
	// instead of its launch calls, with what the old version's SaveState
	// returned. It returns an error to refuse a state it cannot read (a
	// changed schema): the new version then starts cold, as at a launch,
	// with a fresh instance. An app without it always starts cold.
	StateRestorer interface{ RestoreState(state []byte) error }
	// EventHandler receives every event the delegate has no typed method
	// for, including kinds newer than this SDK. It reports whether it
	// handled the event.
	EventHandler interface{ HandleEvent(e *Event) bool }
)

// handlers are the registered delegate's methods, looked up once by
// Register: interface assertions are slow in Go's wasm port, and every event
// would otherwise pay for one.
var handlers delegate

// delegate holds the registered delegate's methods.
//
// The life-cycle methods and HandleEvent, which every event of an app
// reaches, are kept as the interfaces that declare them: a call through a
// method value (x.DidBecomeActive) goes through a wrapper function more
// (about 80 fuel an event; docs/performance.md, "the guest's share").
type delegate struct {
	launch     Launcher
	foreground ForegroundEnterer
	active     Activator
	resign     Resigner
	background Backgrounder
	eventer    EventHandler
	// event, when set, takes the events with no typed method before
	// eventer: the Bluetooth central manager's (centralEvent).
	event                                  func(*Event) bool
	tasks                                  func([]*Task)
	expire                                 func(int64)
	present, remote, complication, respond func(*Notification)
	userInfo, context, message             func([]byte)
	save                                   func() ([]byte, error)
	restore                                func([]byte) error
	extended                               func(*ExtendedRuntimeSession)
}

// Register makes d the app's delegate: the value whose methods the runtime's
// events call. Call it from an init function: main never runs in a watchbox
// app, so a Register there is never called. A later call replaces d.
//
// Register warns, in the runtime's log, about a d that implements no
// delegate method, and about every method whose name is a delegate
// method's, or close to one, but whose signature is not (such as
// DidFinishLaunching() error), with the signature it needs. Compile-time
// checks catch those earlier:
//
//	var _ watch.Launcher = app{}
func Register(d any) {
	registered = ""
	for _, p := range delegateProblems(d) {
		hostLog(abi.LevelWarn, p)
	}
	handlers.launch, handlers.foreground, handlers.active, handlers.resign, handlers.background = nil, nil, nil, nil, nil
	handlers.event, handlers.eventer, handlers.tasks, handlers.expire = nil, nil, nil, nil
	handlers.present, handlers.remote, handlers.complication, handlers.respond = nil, nil, nil, nil
	if x, ok := d.(NotificationResponder); ok {
		handlers.respond = x.DidReceiveNotification
	}
	handlers.userInfo, handlers.context, handlers.message = nil, nil, nil
	if x, ok := d.(UserInfoReceiver); ok {
		handlers.userInfo = x.DidReceiveUserInfo
	}
	if x, ok := d.(ContextReceiver); ok {
		handlers.context = x.DidReceiveApplicationContext
	}
	if x, ok := d.(MessageReceiver); ok {
		handlers.message = x.DidReceiveMessage
	}
	if x, ok := d.(NotificationPresenter); ok {
		handlers.present = x.WillPresentNotification
	}
	if x, ok := d.(RemoteNotificationHandler); ok {
		handlers.remote = x.DidReceiveRemoteNotification
	}
	if x, ok := d.(ComplicationPushHandler); ok {
		handlers.complication = x.DidReceiveComplicationPush
	}
	if x, ok := d.(BackgroundTaskHandler); ok {
		handlers.tasks = x.HandleBackgroundTasks
	}
	if x, ok := d.(TaskExpirer); ok {
		handlers.expire = x.TaskWillExpire
	}
	if x, ok := d.(Launcher); ok {
		handlers.launch = x
	}
	if x, ok := d.(ForegroundEnterer); ok {
		handlers.foreground = x
	}
	if x, ok := d.(Activator); ok {
		handlers.active = x
	}
	if x, ok := d.(Resigner); ok {
		handlers.resign = x
	}
	if x, ok := d.(Backgrounder); ok {
		handlers.background = x
	}
	if x, ok := d.(EventHandler); ok {
		handlers.eventer = x
	}
	handlers.save, handlers.restore = nil, nil
	if x, ok := d.(StateSaver); ok {
		handlers.save = x.SaveState
	}
	if x, ok := d.(StateRestorer); ok {
		handlers.restore = x.RestoreState
	}
	handlers.extended = nil
	if x, ok := d.(ExtendedSessionHandler); ok {
		handlers.extended = x.HandleExtendedRuntimeSession
	}
	h := &handlers
	if h.launch == nil && h.foreground == nil && h.active == nil && h.resign == nil && h.background == nil &&
		h.tasks == nil && h.expire == nil && h.present == nil && h.remote == nil && h.complication == nil &&
		h.respond == nil && h.userInfo == nil && h.context == nil && h.message == nil && h.eventer == nil &&
		h.save == nil && h.restore == nil && h.extended == nil {
		registered = "watch.Register was given " + typeName(d) + ", which implements no delegate method"
	} else {
		registered = "yes"
	}
	launchOK = registered == "yes"
	updateTyped()
}

// registered is "yes" once Register was given a delegate, why not
// otherwise, and "" when Register was never called.
var registered string

// launchOK is registered == "yes", which every did_finish_launching checks.
var launchOK bool

// unregistered is the reply to did_finish_launching when there is no
// delegate: without it the launch would answer unhandled and the mistake
// (Register called from main, or given the wrong value) would go unseen.
func unregistered() string {
	why := registered
	if why == "" {
		why = "watch.Register was never called"
	}
	return why + ": no delegate method will ever be called; call watch.Register(yourDelegate) from an init function (main never runs in a watchbox app)"
}

// Event is the event being handled, as decoded from its envelope.
type Event struct {
	Kind abi.EventKind
	ID   uint64
	// Time is the host clock at delivery, in Unix nanoseconds.
	Time   int64
	fields []byte
}

// Fields returns a reader over the event's encoded fields.
func (e *Event) Fields() abi.Reader { return abi.NewReader(e.fields) }

// Decode decodes the event's fields into m, a payload type of package
// abi/msg (msg.ForEvent(e.Kind) gives the one for the kind).
func (e *Event) Decode(m msg.Message) error { return m.Decode(e.fields) }

// event is the event being handled, reused so that a call allocates
// nothing; inEvent says whether a handler is running (Current).
var (
	event   Event
	inEvent bool
)

// Current returns the event being handled, or nil outside a handler.
func Current() *Event {
	if !inEvent {
		return nil
	}
	return &event
}

// reply holds the encoded fields returned with the current event's status;
// its buffer is reused from call to call. okReply is the answer a handler
// gives with status ok (smart_alarm_repeat's), reset before each event.
var reply, okReply []byte

// fail sets the reply to a handler failure and returns status.
func fail(status abi.Status, r msg.Reply) (abi.Status, []byte) {
	reply = r.Encode(reply[:0])
	return status, reply
}

// returned is false while watchboxEvent's handler runs: its deferred recoverPanic
// calls recover only when the handler did not return.
var returned bool

// watchboxEvent is the ABI's event entry point (docs/abi.md): it takes the
// envelope of an event of kind, size bytes, from eventBuf (pushed there,
// or pulled with event_read), decodes its
// header, calls the delegate under the panic guard, attaches the reply
// fields, if any, with hostReply, and returns the status for the host.
//
// It runs for every event, so it is written for the fuel it costs (every
// Go app pays it, in every call; docs/performance.md, "the guest's
// share"). Each Go function on the path costs some 100 fuel of its own
// (frame, stack check, resumption table), so the path is this one
// function: it is the export itself (outside wasip1 the directive is
// ignored, and the tests call it through handle), the header is read in
// place, a life-cycle event with no method answers before the panic guard
// is set up, the guard's deferred call is not a closure, and the
// life-cycle methods and HandleEvent are called from here. Only the other
// kinds' typed methods are a call further away, in typedEvent, which the
// kinds marked in untyped skip.
//
//go:wasmexport watchbox_event
func watchboxEvent(kindArg, size int32) (status int32) {
	kind := abi.EventKind(kindArg)
	n := uint32(size)
	if n&abi.SizePushed != 0 {
		// Pushed: the envelope is in eventBuf already.
		n &^= abi.SizePushed
		if n > uint32(len(eventBuf)) {
			return int32(abi.StatusBadEvent)
		}
	} else if !pull(n) {
		return int32(abi.StatusBadEvent)
	}
	envelope := eventBuf[:n]
	if len(envelope) < abi.HeaderSize || binary.LittleEndian.Uint16(envelope) != abi.Version ||
		abi.EventKind(binary.LittleEndian.Uint16(envelope[2:])) != kind {
		st, out := badEnvelope(kind, envelope)
		hostReply(out)
		return int32(st)
	}
	event.Kind = kind
	event.ID = binary.LittleEndian.Uint64(envelope[8:])
	event.Time = int64(binary.LittleEndian.Uint64(envelope[16:]))
	event.fields = envelope[abi.HeaderSize:]
	if kind <= abi.EventDidEnterBackground {
		if kind == abi.EventDidFinishLaunching && !launchOK {
			st, out := fail(abi.StatusError, msg.Reply{Message: unregistered()})
			hostReply(out)
			return int32(st)
		}
		if !lifeCycleHandled(kind) {
			return int32(abi.StatusUnhandled)
		}
	}
	okReply = okReply[:0]
	status = int32(abi.StatusError) // the answer after a recovered panic
	returned = false
	inEvent = true
	defer recoverPanic()
	var handled, done bool
	var err error
	switch kind {
	case abi.EventDidFinishLaunching:
		if h := handlers.launch; h != nil {
			h.DidFinishLaunching()
			handled, done = true, true
		}
	case abi.EventWillEnterForeground:
		if h := handlers.foreground; h != nil {
			h.WillEnterForeground()
			handled, done = true, true
		}
	case abi.EventDidBecomeActive:
		if h := handlers.active; h != nil {
			h.DidBecomeActive()
			handled, done = true, true
		}
	case abi.EventWillResignActive:
		if h := handlers.resign; h != nil {
			h.WillResignActive()
			handled, done = true, true
		}
	case abi.EventDidEnterBackground:
		if h := handlers.background; h != nil {
			h.DidEnterBackground()
			handled, done = true, true
		}
	default:
		if int(kind) >= len(untyped) || !untyped[kind] {
			handled, err, done = typedEvent(kind)
		}
	}
	if !done {
		if handlers.event != nil {
			handled = handlers.event(&event)
		} else if handlers.eventer != nil {
			handled = handlers.eventer.HandleEvent(&event)
		}
	}
	returned = true
	inEvent = false
	switch {
	case err != nil:
		st, out := abi.StatusBadEvent, []byte(nil)
		if sf, ok := err.(*stateFailure); ok {
			st, out = fail(abi.StatusError, msg.Reply{Message: sf.msg})
		} else {
			st, out = fail(abi.StatusBadEvent, msg.Reply{Message: "watch: cannot decode " + kind.String() + " event: " + err.Error()})
		}
		hostReply(out)
		return int32(st)
	case !handled:
		return int32(abi.StatusUnhandled)
	}
	if len(okReply) > 0 {
		hostReply(okReply)
	}
	return int32(abi.StatusOK)
}

// lifeCycleHandled reports whether a life-cycle event of kind has a
// method to call: its own, or HandleEvent.
func lifeCycleHandled(kind abi.EventKind) bool {
	h := &handlers
	if h.eventer != nil || h.event != nil {
		return true
	}
	switch kind {
	case abi.EventDidFinishLaunching:
		return h.launch != nil
	case abi.EventWillEnterForeground:
		return h.foreground != nil
	case abi.EventDidBecomeActive:
		return h.active != nil
	case abi.EventWillResignActive:
		return h.resign != nil
	case abi.EventDidEnterBackground:
		return h.background != nil
	}
	return true
}

// recoverPanic is watchboxEvent's deferred call: after a panic in a
// handler it attaches the panic's message and stack as the reply.
func recoverPanic() {
	if returned {
		return
	}
	returned = true
	inEvent = false
	if r := recover(); r != nil {
		_, out := fail(abi.StatusError, msg.Reply{Message: "panic in " + event.Kind.String() + " handler: " + panicText(r), Error: string(stack())})
		hostReply(out)
	}
}

// stack is runtime/debug.Stack: the calling goroutine's stack trace.
// (Importing runtime/debug would import fmt and os with it, and run
// their initialization in every app.)
func stack() []byte {
	buf := make([]byte, 1024)
	for {
		n := runtime.Stack(buf, false)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// badEnvelope is handle's answer to an envelope it cannot read.
func badEnvelope(kind abi.EventKind, envelope []byte) (abi.Status, []byte) {
	h, _, err := abi.ParseEnvelope(envelope)
	if err == nil {
		err = errors.New("the envelope says " + h.Kind.String())
	}
	return fail(abi.StatusBadEvent, msg.Reply{Message: "watch: cannot decode " + kind.String() + " event (" + strconv.Itoa(len(envelope)) + " bytes): " + err.Error()})
}

// maxState is the most state the SDK sends: what one restore_state
// envelope can carry (the host's saved_state_bytes may be lower).
const maxState = abi.MaxEnvelope - abi.HeaderSize - abi.FieldHeaderSize

// stateFailure is a SaveState or RestoreState that failed: the handler's
// error, not an event the SDK could not decode.
type stateFailure struct{ msg string }

func (f *stateFailure) Error() string { return f.msg }

// stateEvent handles save_state and restore_state with the delegate's
// SaveState and RestoreState; ok is false for other kinds, and when the
// delegate has no such method. It is reached only from typedEvent's
// default case.
func stateEvent(kind abi.EventKind) (handled bool, err error, ok bool) {
	switch {
	case kind == abi.EventSaveState && handlers.save != nil:
		state, err := handlers.save()
		if err != nil {
			return true, &stateFailure{"SaveState: " + err.Error()}, true
		}
		if len(state) > maxState {
			return true, &stateFailure{"SaveState returned " + strconv.Itoa(len(state)) + " bytes; at most " + strconv.Itoa(maxState) + " fit in a restore_state event"}, true
		}
		if state == nil {
			state = []byte{}
		}
		reply = msg.SavedState{State: state}.Encode(reply[:0])
		hostReply(reply)
		return true, nil, true
	case kind == abi.EventRestoreState && handlers.restore != nil:
		var m msg.RestoreState
		if err := m.Decode(event.fields); err != nil {
			return false, err, true
		}
		if err := handlers.restore(m.State); err != nil {
			return true, &stateFailure{"RestoreState: " + err.Error()}, true
		}
		return true, nil, true
	}
	return false, nil, false
}

// typedEvent invokes the delegate method or session hook for an event of
// a kind that is neither life-cycle nor marked in untyped, for
// watchboxEvent. done is false when there is none, and the event goes on
// to HandleEvent.
func typedEvent(kind abi.EventKind) (handled bool, err error, done bool) {
	switch kind {
	case abi.EventBackgroundTasks:
		if handlers.tasks != nil {
			tasks, err := decodeTasks(&event)
			if err != nil {
				return false, err, true
			}
			handlers.tasks(tasks)
			return true, nil, true
		}
	case abi.EventTaskWillExpire:
		if handlers.expire != nil {
			var m msg.TaskWillExpire
			if err := m.Decode(event.fields); err != nil {
				return false, err, true
			}
			handlers.expire(m.TaskID)
			return true, nil, true
		}
	case abi.EventNotificationWillPresent, abi.EventRemoteNotification, abi.EventComplicationPush, abi.EventNotificationDidReceive:
		if h := notificationHandler(kind); h != nil {
			n, err := decodeNotification(&event)
			if err != nil {
				return false, err, true
			}
			h(n)
			return true, nil, true
		}
	case abi.EventExtendedSessionDidStart, abi.EventExtendedSessionWillExpire, abi.EventExtendedSessionInvalidated,
		abi.EventSmartAlarmRepeat, abi.EventHandleExtendedSession:
		if handled, err := extendedEvent(kind, &event); handled || err != nil {
			return handled, err, true
		}
	case abi.EventPhoneUserInfo, abi.EventPhoneApplicationContext, abi.EventPhoneMessage:
		if h := phoneHandler(kind); h != nil {
			p, err := payloadOf(&event)
			if err != nil {
				return false, err, true
			}
			h(p)
			return true, nil, true
		}
	case abi.EventWorkoutStateChanged, abi.EventWorkoutFailed, abi.EventWorkoutEvent, abi.EventWorkoutData:
		if workoutHook != nil {
			handled, err := workoutHook(kind)
			return handled, err, true
		}
	case abi.EventLocationUpdate:
		if locationHook != nil {
			handled, err := locationHook(kind)
			return handled, err, true
		}
	case abi.EventAudioSessionInterrupted, abi.EventAudioRouteChanged:
		if audioHook != nil {
			handled, err := audioHook(kind)
			return handled, err, true
		}
	default:
		return stateEvent(kind)
	}
	return false, nil, false
}

// notificationHandler is the delegate's method for a notification event.
func notificationHandler(kind abi.EventKind) func(*Notification) {
	switch kind {
	case abi.EventNotificationDidReceive:
		return handlers.respond
	case abi.EventNotificationWillPresent:
		return handlers.present
	case abi.EventRemoteNotification:
		return handlers.remote
	}
	return handlers.complication
}

// phoneHandler is the delegate's method for a phone event.
func phoneHandler(kind abi.EventKind) func([]byte) {
	switch kind {
	case abi.EventPhoneUserInfo:
		return handlers.userInfo
	case abi.EventPhoneApplicationContext:
		return handlers.context
	}
	return handlers.message
}

// untyped marks the event kinds whose events go straight to HandleEvent,
// without typedEvent's call: those with no typed delegate method and no
// session hook, the bulk of an app's events (the bench app's phone
// messages, every event of an app with HandleEvent alone). The others,
// and every kind until Register runs, go through typedEvent: the
// extended runtime session's kinds always do (extendedEvent answers for
// sessions with no delegate method), as do kinds this SDK does not know.
var untyped [256]bool

// updateTyped recomputes untyped from the delegate's methods and the
// session hooks; Register and the hooks' setters call it.
func updateTyped() {
	h := &handlers
	for k := range untyped {
		kind := abi.EventKind(k)
		on := true
		switch kind {
		case abi.EventDidFinishLaunching, abi.EventWillEnterForeground, abi.EventDidBecomeActive,
			abi.EventWillResignActive, abi.EventDidEnterBackground:
			// watchboxEvent's own cases
		case abi.EventBackgroundTasks:
			on = h.tasks != nil
		case abi.EventTaskWillExpire:
			on = h.expire != nil
		case abi.EventNotificationWillPresent, abi.EventRemoteNotification, abi.EventComplicationPush, abi.EventNotificationDidReceive:
			on = notificationHandler(kind) != nil
		case abi.EventPhoneUserInfo, abi.EventPhoneApplicationContext, abi.EventPhoneMessage:
			on = phoneHandler(kind) != nil
		case abi.EventWorkoutStateChanged, abi.EventWorkoutFailed, abi.EventWorkoutEvent, abi.EventWorkoutData:
			on = workoutHook != nil
		case abi.EventLocationUpdate:
			on = locationHook != nil
		case abi.EventAudioSessionInterrupted, abi.EventAudioRouteChanged:
			on = audioHook != nil
		case abi.EventSaveState:
			on = h.save != nil
		case abi.EventRestoreState:
			on = h.restore != nil
		}
		untyped[k] = !on
	}
}

// The session types' event handlers, set when an app makes one, so that
// an app without sessions links none of their code.
var workoutHook, locationHook, audioHook func(abi.EventKind) (bool, error)

// Printf writes a message to the runtime's log at info level.
func Printf(format string, args ...any) { logf(abi.LevelInfo, format, args) }

// Debugf writes a message to the runtime's log at debug level.
func Debugf(format string, args ...any) { logf(abi.LevelDebug, format, args) }

// Warnf writes a message to the runtime's log at warn level.
func Warnf(format string, args ...any) { logf(abi.LevelWarn, format, args) }

func logf(level abi.Level, format string, args []any) {
	hostLog(level, fmt.Sprintf(format, args...))
}

// Info describes the running app, as the runtime sees it.
type Info struct {
	BundleID    string
	State       abi.State
	LaunchCount int64 // cold launches since the host loaded the app
	Cold        bool  // this instance was started by the current launch
	// Settings is the manifest's "settings" object (JSON), or nil: the
	// app's own configuration, such as a server URL.
	Settings []byte
}

// App asks the runtime about the running app.
func App() (Info, error) {
	b, err := Request(abi.OpAppInfo, nil)
	if err != nil {
		return Info{}, err
	}
	var res msg.AppInfo
	if err := res.Decode(b); err != nil {
		return Info{}, resultError(abi.OpAppInfo, err)
	}
	return Info{BundleID: res.BundleID, State: res.State, LaunchCount: res.LaunchCount, Cold: res.Cold, Settings: nilIfEmpty(res.Settings)}, nil
}

// StatusError is the error returned when the runtime refuses a request.
type StatusError struct {
	Op     abi.Op
	Status abi.Status
	// Reason is the runtime's explanation, or "" when it gave none (hosts
	// before refusal reasons, and refusals before the op runs).
	Reason string
	// Code is the framework's error code, when the refusal has one: a
	// CBError.Code for Bluetooth ops, a WCError.Code for phone ops
	// (abi.CBError*, abi.WCError*); 0: none.
	Code int64
}

// Error returns "watch: OP: REASON (STATUS)", or "watch: OP request
// failed: STATUS" without a reason. A reason that starts with the op's
// name, as the runtime's do (docs/abi.md), is not prefixed with it again.
func (e *StatusError) Error() string {
	if e.Reason != "" {
		if op := e.Op.String() + ": "; len(e.Reason) >= len(op) && e.Reason[:len(op)] == op {
			return "watch: " + e.Reason + " (" + e.Status.String() + ")"
		}
		return "watch: " + e.Op.String() + ": " + e.Reason + " (" + e.Status.String() + ")"
	}
	return "watch: " + e.Op.String() + " request failed: " + e.Status.String()
}

// resultError reports a result the SDK cannot decode.
func resultError(op abi.Op, err error) error {
	return &wrapError{"watch: " + op.String() + ": cannot decode the result: " + err.Error(), err}
}

// Request sends operation op with encoded fields args to the runtime and
// returns the encoded fields of its result. Most apps use the typed helpers
// instead. When the runtime refuses, the error is a *StatusError holding
// the reason the runtime gave, if any (a msg.Refusal result).
func Request(op abi.Op, args []byte) ([]byte, error) {
	res, status := hostRequest(op, args)
	if status != abi.StatusOK {
		var r msg.Refusal
		if r.Decode(res) != nil {
			r = msg.Refusal{} // an unreadable reason is no reason
		}
		return nil, &StatusError{Op: op, Status: status, Reason: r.Reason, Code: r.ErrorCode}
	}
	return res, nil
}
