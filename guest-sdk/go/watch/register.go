package watch

import (
	"reflect"
	"strings"

	delegates "github.com/watchbox/watchbox/internal/delegate"
)

// No reflection that lists methods here, or anywhere in the SDK: no
// reflect.Type.Method(i), reflect.Value.Method(i), NumMethod loops, nor
// MethodByName with a name that is not a constant. A call to any of them
// makes Go's linker keep every exported method of every type stored in an
// interface, in every app (the function is marked <ReflectMethod>, and
// dead-method elimination is off for the whole program): that took
// apps/hello from 3.1 MB to 4.5 MB of Wasm, and the host's compile and
// launch time with it (docs/performance.md, "Go module size"). Lookups of
// a constant name (t.MethodByName("DidFinishLaunching")) and Implements
// keep it on. TestNoReflectMethod in tests fails if a sample app's build is
// marked again, naming the function that did it.
//
// A misspelled delegate method (DidBecomeActiv) cannot be found without
// listing methods, so the host looks for those when it builds the app, in
// its sources (host/bundle, delegates.go).

// delegateMethods are the delegate methods Register checks, in the order
// of delegates.Methods (which holds their names and signatures): whether a
// value implements the interface that declares each, and a lookup of the
// method by its name, a constant (see above). The first is a type
// assertion, not reflect.Type.Implements: a reflect.TypeFor of each
// interface marks the types its method reaches as stored in an interface
// (ExtendedRuntimeSession, and through it abi's enums), which keeps their
// String and Error methods, and Implements's code: 9 KB of apps/hello.
var delegateMethods = [...]struct {
	implements func(any) bool
	lookup     func(reflect.Type) (reflect.Method, bool)
}{
	{func(d any) bool { _, ok := d.(Launcher); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("DidFinishLaunching") }},
	{func(d any) bool { _, ok := d.(ForegroundEnterer); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("WillEnterForeground") }},
	{func(d any) bool { _, ok := d.(Activator); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("DidBecomeActive") }},
	{func(d any) bool { _, ok := d.(Resigner); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("WillResignActive") }},
	{func(d any) bool { _, ok := d.(Backgrounder); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("DidEnterBackground") }},
	{func(d any) bool { _, ok := d.(BackgroundTaskHandler); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("HandleBackgroundTasks") }},
	{func(d any) bool { _, ok := d.(TaskExpirer); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("TaskWillExpire") }},
	{func(d any) bool { _, ok := d.(NotificationPresenter); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("WillPresentNotification") }},
	{func(d any) bool { _, ok := d.(NotificationResponder); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("DidReceiveNotification") }},
	{func(d any) bool { _, ok := d.(RemoteNotificationHandler); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("DidReceiveRemoteNotification") }},
	{func(d any) bool { _, ok := d.(ComplicationPushHandler); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("DidReceiveComplicationPush") }},
	{func(d any) bool { _, ok := d.(UserInfoReceiver); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("DidReceiveUserInfo") }},
	{func(d any) bool { _, ok := d.(ContextReceiver); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("DidReceiveApplicationContext") }},
	{func(d any) bool { _, ok := d.(MessageReceiver); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("DidReceiveMessage") }},
	{func(d any) bool { _, ok := d.(StateSaver); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("SaveState") }},
	{func(d any) bool { _, ok := d.(StateRestorer); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("RestoreState") }},
	{func(d any) bool { _, ok := d.(ExtendedSessionHandler); return ok }, func(t reflect.Type) (reflect.Method, bool) {
		return t.MethodByName("HandleExtendedRuntimeSession")
	}},
	{func(d any) bool { _, ok := d.(EventHandler); return ok }, func(t reflect.Type) (reflect.Method, bool) { return t.MethodByName("HandleEvent") }},
}

// delegateProblems returns what is wrong with d as a delegate, one
// sentence each: a value that implements no delegate method, a method
// named as a delegate method whose signature is not the delegate
// method's, and delegate methods declared on the pointer type when d is
// not a pointer. Register runs it once, at registration. (Misspelled
// names are the host's to find: see above.)
func delegateProblems(d any) []string {
	if d == nil {
		return []string{"watch.Register(nil): no delegate; every event will answer unhandled"}
	}
	t := reflect.TypeOf(d)
	var ptr any // a *T when d is a T
	if t.Kind() != reflect.Pointer {
		ptr = reflect.New(t).Interface()
	}
	var out []string
	implements := false
	for i, dm := range delegateMethods {
		if dm.implements(d) {
			implements = true
			continue
		}
		want := delegates.Methods[i]
		if m, ok := dm.lookup(t); ok {
			have := m.Name + strings.TrimPrefix(methodSig(m.Type), "func")
			out = append(out, "watch.Register: "+t.String()+" has method "+have+", which is not the delegate method "+want.Name+", so it is never called; change its signature to "+want.Sig)
		}
		// Methods on *T when a T was registered do not count: say so.
		if ptr != nil && dm.implements(ptr) {
			out = append(out, "watch.Register: "+want.Sig+" is declared on *"+t.String()+", but a "+t.String()+" value was registered, so it is never called; register a pointer (&"+t.String()+"{})")
		}
	}
	if !implements && len(out) == 0 {
		out = append(out, "watch.Register: "+t.String()+" implements no delegate method (such as DidFinishLaunching() or HandleBackgroundTasks(tasks []*watch.Task)); every event will answer unhandled")
	}
	return out
}

// methodSig prints a method's type without its receiver:
// "func(watch.Task)"; byte for uint8, as apps write it.
func methodSig(f reflect.Type) string {
	var in, out []string
	name := func(t reflect.Type) string { return strings.ReplaceAll(t.String(), "uint8", "byte") }
	for i := 1; i < f.NumIn(); i++ { // 0 is the receiver
		in = append(in, name(f.In(i)))
	}
	for i := range f.NumOut() {
		out = append(out, name(f.Out(i)))
	}
	s := "func(" + strings.Join(in, ", ") + ")"
	switch len(out) {
	case 0:
	case 1:
		s += " " + out[0]
	default:
		s += " (" + strings.Join(out, ", ") + ")"
	}
	return s
}
