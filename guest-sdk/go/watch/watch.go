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
	"fmt"
	"runtime/debug"

	"github.com/watchbox/watchbox/abi"
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
	// EventHandler receives every event the delegate has no typed method
	// for, including kinds newer than this SDK. It reports whether it
	// handled the event.
	EventHandler interface{ HandleEvent(e *Event) bool }
)

// handlers are the registered delegate's methods, looked up once by
// Register: interface assertions are slow in Go's wasm port, and every event
// would otherwise pay for one.
var handlers struct {
	launch, foreground, active, resign, background func()
	tasks                                          func([]*Task)
	expire                                         func(int64)
	present, remote, complication, respond         func(*Notification)
	userInfo, context, message                     func([]byte)
	event                                          func(*Event) bool
}

// Register makes d the app's delegate: the value whose methods the runtime's
// events call. Call it from an init function. A later call replaces d.
func Register(d any) {
	handlers.launch, handlers.foreground, handlers.active, handlers.resign, handlers.background = nil, nil, nil, nil, nil
	handlers.event, handlers.tasks, handlers.expire = nil, nil, nil
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
		handlers.launch = x.DidFinishLaunching
	}
	if x, ok := d.(ForegroundEnterer); ok {
		handlers.foreground = x.WillEnterForeground
	}
	if x, ok := d.(Activator); ok {
		handlers.active = x.DidBecomeActive
	}
	if x, ok := d.(Resigner); ok {
		handlers.resign = x.WillResignActive
	}
	if x, ok := d.(Backgrounder); ok {
		handlers.background = x.DidEnterBackground
	}
	if x, ok := d.(EventHandler); ok {
		handlers.event = x.HandleEvent
	}
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

// current is the event being handled; nil outside a handler. It points at
// event, reused so that a call allocates nothing.
var (
	current *Event
	event   Event
)

// Current returns the event being handled, or nil outside a handler.
func Current() *Event { return current }

// reply collects the fields returned with the current event's status.
var reply abi.Writer

// handle decodes one envelope and calls the delegate. It returns the status
// for the host and the encoded reply fields, if any.
func handle(kind abi.EventKind, envelope []byte) (status abi.Status, out []byte) {
	reply.Reset()
	h, fields, err := abi.ParseEnvelope(envelope)
	if err != nil || h.Kind != kind {
		reply.String(abi.FieldMessage, fmt.Sprintf("watch: cannot decode %v event (%d bytes): %v", kind, len(envelope), err))
		return abi.StatusBadEvent, reply.Bytes()
	}
	event = Event{Kind: h.Kind, ID: h.ID, Time: h.Time, fields: fields}
	current = &event
	defer func() {
		current = nil
		if r := recover(); r != nil {
			reply.Reset()
			reply.String(abi.FieldMessage, fmt.Sprintf("panic in %v handler: %v", kind, r))
			reply.Blob(abi.FieldError, debug.Stack())
			status, out = abi.StatusError, reply.Bytes()
		}
	}()
	if !call(kind) {
		return abi.StatusUnhandled, nil
	}
	return abi.StatusOK, reply.Bytes()
}

// call invokes the delegate method for kind; it reports whether there was one.
func call(kind abi.EventKind) bool {
	var f func()
	switch kind {
	case abi.EventDidFinishLaunching:
		f = handlers.launch
	case abi.EventWillEnterForeground:
		f = handlers.foreground
	case abi.EventDidBecomeActive:
		f = handlers.active
	case abi.EventWillResignActive:
		f = handlers.resign
	case abi.EventDidEnterBackground:
		f = handlers.background
	case abi.EventBackgroundTasks:
		if handlers.tasks != nil {
			tasks, err := decodeTasks(current)
			if err != nil {
				panic(err)
			}
			handlers.tasks(tasks)
			return true
		}
	case abi.EventTaskWillExpire:
		if handlers.expire != nil {
			handlers.expire(taskID(current))
			return true
		}
	case abi.EventNotificationWillPresent, abi.EventRemoteNotification, abi.EventComplicationPush, abi.EventNotificationDidReceive:
		var h func(*Notification)
		switch kind {
		case abi.EventNotificationDidReceive:
			h = handlers.respond
		case abi.EventNotificationWillPresent:
			h = handlers.present
		case abi.EventRemoteNotification:
			h = handlers.remote
		default:
			h = handlers.complication
		}
		if h != nil {
			h(decodeNotification(current))
			return true
		}
	case abi.EventPhoneUserInfo, abi.EventPhoneApplicationContext, abi.EventPhoneMessage:
		var h func([]byte)
		switch kind {
		case abi.EventPhoneUserInfo:
			h = handlers.userInfo
		case abi.EventPhoneApplicationContext:
			h = handlers.context
		default:
			h = handlers.message
		}
		if h != nil {
			h(payloadOf(current))
			return true
		}
	}
	if f != nil {
		f()
		return true
	}
	if handlers.event != nil {
		return handlers.event(current)
	}
	return false
}

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
	res, err := Request(abi.OpAppInfo, nil)
	if err != nil {
		return Info{}, err
	}
	var info Info
	seen := map[abi.Field]bool{}
	r := abi.NewReader(res)
	for r.Next() {
		v := r.Value()
		if seen[v.Key] {
			continue // the first occurrence of a single-valued field wins
		}
		seen[v.Key] = true
		switch v.Key {
		case abi.FieldBundleID:
			info.BundleID, _ = v.Text()
		case abi.FieldAppState:
			s, _ := v.Int()
			info.State = abi.State(s)
		case abi.FieldLaunchCount:
			info.LaunchCount, _ = v.Int()
		case abi.FieldCold:
			info.Cold, _ = v.Bool()
		case abi.FieldPayload:
			b, _ := v.Blob()
			info.Settings = append([]byte(nil), b...)
		}
	}
	if err := r.Err(); err != nil {
		return info, fmt.Errorf("watch: app info: %w", err)
	}
	return info, nil
}

// StatusError is the error returned when the runtime refuses a request.
type StatusError struct {
	Op     abi.Op
	Status abi.Status
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("watch: %v request failed: %v", e.Op, e.Status)
}

// Request sends operation op with encoded fields args to the runtime and
// returns the encoded fields of its result. Most apps use the typed helpers
// instead.
func Request(op abi.Op, args []byte) ([]byte, error) {
	res, status := hostRequest(op, args)
	if status != abi.StatusOK {
		return nil, &StatusError{Op: op, Status: status}
	}
	return res, nil
}
