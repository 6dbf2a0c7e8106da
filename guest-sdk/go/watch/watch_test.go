package watch

import (
	"strings"
	"testing"

	"github.com/watchbox/watchbox/abi"
)

type recorder struct{ got []string }

func (r *recorder) DidFinishLaunching() { r.got = append(r.got, "launch") }
func (r *recorder) DidBecomeActive()    { panic("boom") }
func (r *recorder) HandleEvent(e *Event) bool {
	f := e.Fields()
	for f.Next() {
		if v := f.Value(); v.Key == abi.FieldPayload {
			b, _ := v.Text()
			r.got = append(r.got, "payload "+b)
		}
	}
	return e.Kind == abi.EventPhoneMessage
}

func envelope(kind abi.EventKind, fields []byte) []byte {
	return append(abi.AppendHeader(nil, abi.Header{Version: abi.Version, Kind: kind, ID: 1}), fields...)
}

func TestHandleDispatchesRecoversAndReports(t *testing.T) {
	r := &recorder{}
	Register(r)
	defer Register(nil)

	if s, _ := handle(abi.EventDidFinishLaunching, envelope(abi.EventDidFinishLaunching, nil)); s != abi.StatusOK {
		t.Errorf("launch status = %v", s)
	}
	var w abi.Writer
	w.String(abi.FieldPayload, "hi")
	if s, _ := handle(abi.EventPhoneMessage, envelope(abi.EventPhoneMessage, w.Bytes())); s != abi.StatusOK {
		t.Errorf("phone message status = %v", s)
	}
	if s, _ := handle(abi.EventLocationUpdate, envelope(abi.EventLocationUpdate, nil)); s != abi.StatusUnhandled {
		t.Errorf("an event HandleEvent declines: status %v, want unhandled", s)
	}
	if s, _ := handle(abi.EventWillResignActive, envelope(abi.EventWillResignActive, nil)); s != abi.StatusUnhandled {
		t.Errorf("an event with no method: status %v, want unhandled", s)
	}
	s, out := handle(abi.EventDidBecomeActive, envelope(abi.EventDidBecomeActive, nil))
	if s != abi.StatusError {
		t.Fatalf("panicking handler: status %v", s)
	}
	rd := abi.NewReader(out)
	rd.Next()
	if msg, _ := rd.Value().Text(); !strings.Contains(msg, "panic in did_become_active handler: boom") {
		t.Errorf("reply message = %q", msg)
	}
	if Current() != nil {
		t.Error("Current() is set outside a handler")
	}
	if s, _ := handle(abi.EventDidBecomeActive, []byte{1, 2}); s != abi.StatusBadEvent {
		t.Errorf("malformed envelope: status %v", s)
	}
	if s, _ := handle(abi.EventDidBecomeActive, envelope(abi.EventDidFinishLaunching, nil)); s != abi.StatusBadEvent {
		t.Errorf("kind mismatch: status %v", s)
	}
	if strings.Join(r.got, ",") != "launch,payload hi" {
		t.Errorf("calls = %v", r.got)
	}
}
