//go:build !wasip1

package watch

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// stateful carries a counter across a hot reload.
type stateful struct {
	n       byte
	refuse  bool
	saveErr error
	big     bool
}

func (s *stateful) DidFinishLaunching() {}
func (s *stateful) SaveState() ([]byte, error) {
	if s.big {
		return make([]byte, abi.MaxEnvelope), nil
	}
	return []byte{s.n}, s.saveErr
}
func (s *stateful) RestoreState(b []byte) error {
	if s.refuse || len(b) != 1 {
		return errors.New("schema v1 is gone")
	}
	s.n = b[0]
	return nil
}

// TestSaveAndRestoreState is not parallel: it replaces hostReply.
func TestSaveAndRestoreState(t *testing.T) {
	var replied []byte
	hostReply = func(b []byte) { replied = append([]byte(nil), b...) }
	defer func() { hostReply = func([]byte) {} }()
	old := &stateful{n: 7}
	Register(old)
	defer Register(nil)
	status, _ := handle(abi.EventSaveState, envelope(abi.EventSaveState, nil))
	out := replied
	var saved msg.SavedState
	if err := saved.Decode(out); status != abi.StatusOK || err != nil || !bytes.Equal(saved.State, []byte{7}) {
		t.Fatalf("save_state: status %v, reply %v (%v), want ok and [7]", status, saved.State, err)
	}

	neu := &stateful{}
	Register(neu)
	fields := msg.RestoreState{State: saved.State}.Encode(nil)
	if status, _ := handle(abi.EventRestoreState, envelope(abi.EventRestoreState, fields)); status != abi.StatusOK || neu.n != 7 {
		t.Fatalf("restore_state: status %v, n = %d, want ok and 7", status, neu.n)
	}

	neu.refuse = true
	status, out = handle(abi.EventRestoreState, envelope(abi.EventRestoreState, fields))
	var r msg.Reply
	r.Decode(out)
	if status != abi.StatusError || !strings.Contains(r.Message, "RestoreState: schema v1 is gone") {
		t.Errorf("refused restore: status %v, message %q", status, r.Message)
	}

	neu.saveErr = errors.New("busy")
	status, out = handle(abi.EventSaveState, envelope(abi.EventSaveState, nil))
	r.Decode(out)
	if status != abi.StatusError || r.Message != "SaveState: busy" {
		t.Errorf("failed save: status %v, message %q", status, r.Message)
	}
	neu.big = true
	status, out = handle(abi.EventSaveState, envelope(abi.EventSaveState, nil))
	r.Decode(out)
	if status != abi.StatusError || !strings.Contains(r.Message, "fit in a restore_state event") {
		t.Errorf("oversized save: status %v, message %q", status, r.Message)
	}
}

func TestNoStateDelegateIsUnhandled(t *testing.T) {
	Register(&recorder{})
	defer Register(nil)
	for _, k := range []abi.EventKind{abi.EventSaveState, abi.EventRestoreState} {
		if s, _ := handle(k, envelope(k, msg.RestoreState{}.Encode(nil))); s != abi.StatusUnhandled {
			t.Errorf("%v without the delegate method: status %v, want unhandled", k, s)
		}
	}
}
