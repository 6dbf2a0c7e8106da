package watch

import (
	"go/ast"
	"go/parser"
	"go/types"
	"reflect"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	delegates "github.com/watchbox/watchbox/internal/delegate"
)

// misfit has methods that look like delegate methods but are not.
type misfit struct{}

func (misfit) DidFinishLaunching() error        { return nil }
func (misfit) HandleBackgroundTasks(t Task)     {}
func (misfit) DidReceiveUserinfo(p []byte)      {}
func (misfit) DidBecomeActiv()                  {}
func (misfit) Render() string                   { return "" }
func (misfit) DidReceiveMessage(payload []byte) {} // a real one

// onPointer declares its delegate method on the pointer type.
type onPointer struct{}

func (*onPointer) DidFinishLaunching() {}

type nothing struct{}

func TestDelegateProblems(t *testing.T) {
	t.Parallel()
	got := strings.Join(delegateProblems(misfit{}), "\n")
	for _, want := range []string{
		"watch.Register: watch.misfit has method DidFinishLaunching() error, which is not the delegate method DidFinishLaunching, so it is never called; change its signature to DidFinishLaunching()",
		"watch.Register: watch.misfit has method HandleBackgroundTasks(watch.Task), which is not the delegate method HandleBackgroundTasks, so it is never called; change its signature to HandleBackgroundTasks(tasks []*watch.Task)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q; got:\n%s", want, got)
		}
	}
	// Misspelled names (DidReceiveUserinfo, DidBecomeActiv) are the host's
	// to find, at build time (host/bundle's TestDelegateWarnings): listing
	// methods here would cost every app a third of its size.
	for _, not := range []string{"Render", "DidReceiveMessage(", "implements no delegate", "Userinfo", "DidBecomeActiv("} {
		if strings.Contains(got, not) {
			t.Errorf("problems mention %q, which is fine or not the SDK's to report:\n%s", not, got)
		}
	}
	if p := delegateProblems(onPointer{}); len(p) != 1 || !strings.Contains(p[0], "watch.Register: DidFinishLaunching() is declared on *watch.onPointer, but a watch.onPointer value was registered, so it is never called; register a pointer (&watch.onPointer{})") {
		t.Errorf("a value whose methods are on its pointer: %q", p)
	}
	if p := delegateProblems(&onPointer{}); len(p) != 0 {
		t.Errorf("a good delegate: %q", p)
	}
	if p := delegateProblems(nothing{}); len(p) != 1 || !strings.Contains(p[0], "watch.nothing implements no delegate method") {
		t.Errorf("a value with no methods: %q", p)
	}
	if p := delegateProblems(full{}); len(p) != 0 {
		t.Errorf("a delegate with every method: %q", p)
	}
}

// full has every delegate method.
type full struct{}

func (full) DidFinishLaunching()                                    {}
func (full) WillEnterForeground()                                   {}
func (full) DidBecomeActive()                                       {}
func (full) WillResignActive()                                      {}
func (full) DidEnterBackground()                                    {}
func (full) HandleBackgroundTasks(tasks []*Task)                    {}
func (full) TaskWillExpire(taskID int64)                            {}
func (full) WillPresentNotification(n *Notification)                {}
func (full) DidReceiveNotification(n *Notification)                 {}
func (full) DidReceiveRemoteNotification(n *Notification)           {}
func (full) DidReceiveComplicationPush(n *Notification)             {}
func (full) DidReceiveUserInfo(payload []byte)                      {}
func (full) DidReceiveApplicationContext(payload []byte)            {}
func (full) DidReceiveMessage(payload []byte)                       {}
func (full) SaveState() ([]byte, error)                             { return nil, nil }
func (full) RestoreState(state []byte) error                        { return nil }
func (full) HandleExtendedRuntimeSession(s *ExtendedRuntimeSession) {}
func (full) HandleEvent(e *Event) bool                              { return false }

// delegateInterfaces are the delegate interfaces, in the order of
// delegates.Methods and delegateMethods.
var delegateInterfaces = []reflect.Type{
	reflect.TypeFor[Launcher](), reflect.TypeFor[ForegroundEnterer](), reflect.TypeFor[Activator](),
	reflect.TypeFor[Resigner](), reflect.TypeFor[Backgrounder](), reflect.TypeFor[BackgroundTaskHandler](),
	reflect.TypeFor[TaskExpirer](), reflect.TypeFor[NotificationPresenter](), reflect.TypeFor[NotificationResponder](),
	reflect.TypeFor[RemoteNotificationHandler](), reflect.TypeFor[ComplicationPushHandler](), reflect.TypeFor[UserInfoReceiver](),
	reflect.TypeFor[ContextReceiver](), reflect.TypeFor[MessageReceiver](), reflect.TypeFor[StateSaver](),
	reflect.TypeFor[StateRestorer](), reflect.TypeFor[ExtendedSessionHandler](), reflect.TypeFor[EventHandler](),
}

// TestDelegateTable: the SDK's table of interface checks and
// constant-name lookups, and the shared list of names and signatures
// (internal/delegate, which the host's build-time check reads), say the
// same thing, entry by entry: an interface added to one and not the
// others, an entry that checks the wrong interface, or a lookup of the
// wrong name, fails here.
func TestDelegateTable(t *testing.T) {
	t.Parallel()
	if len(delegateMethods) != len(delegates.Methods) || len(delegateInterfaces) != len(delegates.Methods) {
		t.Fatalf("%d delegate checks, %d interfaces, %d entries in internal/delegate", len(delegateMethods), len(delegateInterfaces), len(delegates.Methods))
	}
	ft := reflect.TypeFor[full]()
	for i, dm := range delegateMethods {
		want := delegates.Methods[i]
		iface := delegateInterfaces[i]
		if iface.NumMethod() != 1 || iface.Method(0).Name != want.Name {
			t.Errorf("entry %d: interface %v, want one with the one method %s", i, iface, want.Name)
			continue
		}
		if !ft.Implements(iface) {
			t.Errorf("full does not implement %v: add %s to it", iface, want.Sig)
		}
		// A value whose only method is iface's (a struct embedding it)
		// passes entry i's check and no other.
		only := reflect.New(reflect.StructOf([]reflect.StructField{{Name: iface.Name(), Type: iface, Anonymous: true}})).Elem().Interface()
		for j, other := range delegateMethods {
			if got := other.implements(only); got != (i == j) {
				t.Errorf("entry %d (%s) says a value with only %v implements it: %v", j, delegates.Methods[j].Name, iface, got)
			}
		}
		m, ok := dm.lookup(ft)
		if !ok || m.Name != want.Name {
			t.Errorf("entry %d (%s): lookup found %q, %v", i, want.Name, m.Name, ok)
			continue
		}
		if got, sig := m.Name+strings.TrimPrefix(methodSig(m.Type), "func"), withoutNames(t, want); got != sig {
			t.Errorf("internal/delegate says %s, the interface %v has %s", want.Sig, iface, got)
		}
	}
}

// withoutNames writes a delegate signature as methodSig does: types only.
func withoutNames(t *testing.T, m delegates.Method) string {
	e, err := parser.ParseExpr("func" + strings.TrimPrefix(m.Sig, m.Name))
	if err != nil {
		t.Fatalf("%s: %v", m.Sig, err)
	}
	list := func(fl *ast.FieldList) []string {
		var out []string
		if fl == nil {
			return nil
		}
		for _, f := range fl.List {
			for range max(len(f.Names), 1) {
				out = append(out, types.ExprString(f.Type))
			}
		}
		return out
	}
	ft := e.(*ast.FuncType)
	s := m.Name + "(" + strings.Join(list(ft.Params), ", ") + ")"
	switch res := list(ft.Results); len(res) {
	case 0:
	case 1:
		s += " " + res[0]
	default:
		s += " (" + strings.Join(res, ", ") + ")"
	}
	return s
}

// TestLaunchWithoutDelegateFails: an app that never registered a delegate
// (Register called from main, which never runs) fails its launch with a
// message that says so, instead of answering unhandled to everything.
func TestLaunchWithoutDelegateFails(t *testing.T) {
	defer Register(nil)
	for _, tc := range []struct {
		name     string
		register func()
		want     string
	}{
		{"never registered", func() { registered = ""; handlers = delegate{} }, "watch.Register was never called"},
		{"no delegate method", func() { Register(nothing{}) }, "watch.Register was given watch.nothing, which implements no delegate method"},
	} {
		tc.register()
		s, out := handle(abi.EventDidFinishLaunching, envelope(abi.EventDidFinishLaunching, nil))
		var r msg.Reply
		if err := r.Decode(out); err != nil {
			t.Fatal(err)
		}
		if s != abi.StatusError || !strings.Contains(r.Message, tc.want) || !strings.Contains(r.Message, "from an init function") {
			t.Errorf("%s: launch = %v %q, want an error saying %q and what to do", tc.name, s, r.Message, tc.want)
		}
	}
	Register(&onPointer{})
	if s, _ := handle(abi.EventDidFinishLaunching, envelope(abi.EventDidFinishLaunching, nil)); s != abi.StatusOK {
		t.Errorf("a registered delegate's launch: %v", s)
	}
}
