package watch

import (
	"strings"
	"testing"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
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
		"watch.misfit has method DidFinishLaunching() error, which is not the delegate method DidFinishLaunching, so it is never called; change its signature to DidFinishLaunching()",
		"watch.misfit has method HandleBackgroundTasks(watch.Task), which is not the delegate method HandleBackgroundTasks, so it is never called; change its signature to HandleBackgroundTasks(tasks []*watch.Task)",
		"watch.misfit has method DidReceiveUserinfo([]byte), which is no delegate method, so it is never called; did you mean DidReceiveUserInfo(payload []byte)?",
		"did you mean DidBecomeActive()?",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q; got:\n%s", want, got)
		}
	}
	for _, not := range []string{"Render", "DidReceiveMessage(", "implements no delegate"} {
		if strings.Contains(got, not) {
			t.Errorf("problems mention %q, which is fine:\n%s", not, got)
		}
	}
	if p := delegateProblems(onPointer{}); len(p) != 1 || !strings.Contains(p[0], "register a pointer (&watch.onPointer{})") {
		t.Errorf("a value whose methods are on its pointer: %q", p)
	}
	if p := delegateProblems(&onPointer{}); len(p) != 0 {
		t.Errorf("a good delegate: %q", p)
	}
	if p := delegateProblems(nothing{}); len(p) != 1 || !strings.Contains(p[0], "watch.nothing implements no delegate method") {
		t.Errorf("a value with no methods: %q", p)
	}
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
