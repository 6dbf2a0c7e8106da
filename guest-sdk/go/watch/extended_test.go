//go:build !wasip1

package watch

import (
	"errors"
	"testing"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// sessionRecorder is a session delegate that records its calls.
type sessionRecorder struct{ calls []string }

func (r *sessionRecorder) ExtendedRuntimeSessionDidStart(s *ExtendedRuntimeSession) {
	r.calls = append(r.calls, "start")
}
func (r *sessionRecorder) ExtendedRuntimeSessionWillExpire(s *ExtendedRuntimeSession) {
	r.calls = append(r.calls, "expire")
}
func (r *sessionRecorder) ExtendedRuntimeSessionDidInvalidate(s *ExtendedRuntimeSession, reason abi.InvalidationReason, err error) {
	r.calls = append(r.calls, reason.String())
	var se *SessionError
	if errors.As(err, &se) {
		r.calls = append(r.calls, se.Code.String())
	}
}

// TestExtendedSessionSDK: a refused start calls DidInvalidate with the
// result's reason and error and returns the error; the events reach the
// session's delegate; the repeat handler's answer is the reply.
func TestExtendedSessionSDK(t *testing.T) {
	fakeHost(t, func(op abi.Op, args []byte) ([]byte, abi.Status) {
		var ref msg.StartExtendedSession
		ref.Decode(args)
		switch op {
		case abi.OpStartExtendedSession:
			if ref.SessionID == 1 {
				return msg.ExtendedSessionInfo{SessionID: 1, State: int64(abi.ExtendedInvalid), Reason: int64(abi.InvalidationError),
					SessionError: int64(abi.ErrorMustBeActiveToStartOrSchedule)}.Encode(nil), abi.StatusOK
			}
			return msg.ExtendedSessionInfo{SessionID: ref.SessionID, State: int64(abi.ExtendedRunning), SessionType: 4, Date: 42}.Encode(nil), abi.StatusOK
		case abi.OpNotifyUser:
			return nil, abi.StatusOK
		}
		return nil, abi.StatusUnsupported
	})
	r := &sessionRecorder{}
	s := NewExtendedRuntimeSession()
	s.Delegate = r
	s.id = 1
	var se *SessionError
	if err := s.Start(); !errors.As(err, &se) || se.Code != abi.ErrorMustBeActiveToStartOrSchedule {
		t.Fatalf("Start: %v", err)
	}
	if len(r.calls) != 2 || r.calls[0] != "error" || r.calls[1] != "must_be_active_to_start_or_schedule" {
		t.Fatalf("delegate calls %v", r.calls)
	}

	s2 := NewExtendedRuntimeSession()
	s2.Delegate = r
	if err := s2.Start(); err != nil || s2.ExpirationDate().UnixNano() != 42 {
		t.Fatalf("Start: %v, expiration %v", err, s2.ExpirationDate())
	}
	ev := msg.ExtendedSession{SessionID: s2.ID(), SessionType: 4, Date: 42}.Encode(nil)
	if st, _ := handle(abi.EventExtendedSessionDidStart, envelope(abi.EventExtendedSessionDidStart, ev)); st != abi.StatusOK {
		t.Fatalf("did_start: %v", st)
	}
	if err := s2.NotifyUser(abi.HapticNotification, func(next *abi.Haptic) time.Duration {
		*next = abi.HapticRetry
		return 7 * time.Second
	}); err != nil {
		t.Fatal(err)
	}
	rep := msg.SmartAlarmRepeat{SessionID: s2.ID(), Interval: 3 * time.Second}.Encode(nil)
	st, out := handle(abi.EventSmartAlarmRepeat, envelope(abi.EventSmartAlarmRepeat, rep))
	var reply msg.SmartAlarmRepeatReply
	if st != abi.StatusOK || reply.Decode(out) != nil || reply.Interval != 7*time.Second || reply.Haptic != int64(abi.HapticRetry) {
		t.Fatalf("smart_alarm_repeat: %v %+v", st, reply)
	}
	inv := msg.ExtendedSessionInvalidated{SessionID: s2.ID(), Reason: int64(abi.InvalidationExpired)}.Encode(nil)
	if st, _ := handle(abi.EventExtendedSessionInvalidated, envelope(abi.EventExtendedSessionInvalidated, inv)); st != abi.StatusOK {
		t.Fatalf("invalidated: %v", st)
	}
	if got := r.calls[len(r.calls)-2:]; got[0] != "start" || got[1] != "expired" {
		t.Errorf("delegate calls %v", r.calls)
	}
	// A handle_extended_session the delegate does not claim is unhandled.
	if st, _ := handle(abi.EventHandleExtendedSession, envelope(abi.EventHandleExtendedSession, ev)); st != abi.StatusUnhandled {
		t.Errorf("unclaimed handle_extended_session answered %v", st)
	}
}
