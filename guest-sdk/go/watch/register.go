package watch

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/watchbox/watchbox/internal/suggest"
)

// delegateMethods are the delegate methods Register looks for, each with
// the interface that declares it and its signature as an app writes it.
var delegateMethods = []struct {
	name  string
	iface reflect.Type
	sig   string
}{
	{"DidFinishLaunching", reflect.TypeFor[Launcher](), "DidFinishLaunching()"},
	{"WillEnterForeground", reflect.TypeFor[ForegroundEnterer](), "WillEnterForeground()"},
	{"DidBecomeActive", reflect.TypeFor[Activator](), "DidBecomeActive()"},
	{"WillResignActive", reflect.TypeFor[Resigner](), "WillResignActive()"},
	{"DidEnterBackground", reflect.TypeFor[Backgrounder](), "DidEnterBackground()"},
	{"HandleBackgroundTasks", reflect.TypeFor[BackgroundTaskHandler](), "HandleBackgroundTasks(tasks []*watch.Task)"},
	{"TaskWillExpire", reflect.TypeFor[TaskExpirer](), "TaskWillExpire(taskID int64)"},
	{"WillPresentNotification", reflect.TypeFor[NotificationPresenter](), "WillPresentNotification(n *watch.Notification)"},
	{"DidReceiveNotification", reflect.TypeFor[NotificationResponder](), "DidReceiveNotification(n *watch.Notification)"},
	{"DidReceiveRemoteNotification", reflect.TypeFor[RemoteNotificationHandler](), "DidReceiveRemoteNotification(n *watch.Notification)"},
	{"DidReceiveComplicationPush", reflect.TypeFor[ComplicationPushHandler](), "DidReceiveComplicationPush(n *watch.Notification)"},
	{"DidReceiveUserInfo", reflect.TypeFor[UserInfoReceiver](), "DidReceiveUserInfo(payload []byte)"},
	{"DidReceiveApplicationContext", reflect.TypeFor[ContextReceiver](), "DidReceiveApplicationContext(payload []byte)"},
	{"DidReceiveMessage", reflect.TypeFor[MessageReceiver](), "DidReceiveMessage(payload []byte)"},
	{"SaveState", reflect.TypeFor[StateSaver](), "SaveState() ([]byte, error)"},
	{"RestoreState", reflect.TypeFor[StateRestorer](), "RestoreState(state []byte) error"},
	{"HandleExtendedRuntimeSession", reflect.TypeFor[ExtendedSessionHandler](), "HandleExtendedRuntimeSession(s *watch.ExtendedRuntimeSession)"},
	{"HandleEvent", reflect.TypeFor[EventHandler](), "HandleEvent(e *watch.Event) bool"},
}

// delegateProblems returns what is wrong with d as a delegate, one
// sentence each: a value that implements no delegate method, a method
// whose name is a delegate method's (or close to one) but whose
// signature is not, and delegate methods declared on the pointer type
// when d is not a pointer. Register runs it once, at registration.
func delegateProblems(d any) []string {
	if d == nil {
		return []string{"watch.Register(nil): no delegate; every event will answer unhandled"}
	}
	t := reflect.TypeOf(d)
	var out []string
	implements := false
	for _, dm := range delegateMethods {
		implements = implements || t.Implements(dm.iface)
	}
	// Methods on *T when a T was registered do not count: say so.
	if t.Kind() != reflect.Pointer {
		pt := reflect.PointerTo(t)
		for _, dm := range delegateMethods {
			if !t.Implements(dm.iface) && pt.Implements(dm.iface) {
				out = append(out, fmt.Sprintf("watch.Register: %s is declared on *%v, but a %v value was registered, so it is never called; register a pointer (&%v{})", dm.sig, t, t, t))
			}
		}
	}
	for i := range t.NumMethod() {
		m := t.Method(i)
		if isDelegate(t, m.Name) {
			continue // a delegate method, as it should be
		}
		for _, dm := range delegateMethods {
			if t.Implements(dm.iface) || !nearName(m.Name, dm.name) {
				continue
			}
			have := m.Name + strings.TrimPrefix(methodSig(m.Type), "func")
			if m.Name == dm.name {
				out = append(out, fmt.Sprintf("watch.Register: %v has method %s, which is not the delegate method %s, so it is never called; change its signature to %s", t, have, dm.name, dm.sig))
			} else {
				out = append(out, fmt.Sprintf("watch.Register: %v has method %s, which is no delegate method, so it is never called; did you mean %s?", t, have, dm.sig))
			}
		}
	}
	if !implements && len(out) == 0 {
		out = append(out, fmt.Sprintf("watch.Register: %v implements no delegate method (such as DidFinishLaunching() or HandleBackgroundTasks(tasks []*watch.Task)); every event will answer unhandled", t))
	}
	return out
}

// isDelegate reports whether name is a delegate method that t implements.
func isDelegate(t reflect.Type, name string) bool {
	for _, dm := range delegateMethods {
		if dm.name == name && t.Implements(dm.iface) {
			return true
		}
	}
	return false
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

// nearName reports whether method name a is a delegate method name b or a
// likely misspelling of it: the same letters in another case, or at most
// two edits apart.
func nearName(a, b string) bool {
	if a == b || strings.EqualFold(a, b) {
		return true
	}
	return suggest.Distance(strings.ToLower(a), strings.ToLower(b)) <= 2
}
