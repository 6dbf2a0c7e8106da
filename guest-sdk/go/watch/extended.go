package watch

import (
	"errors"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// ExtendedRuntimeSession is a WKExtendedRuntimeSession: it keeps the app
// running after the user stops interacting with it, up to its type's
// limit. The type is the manifest's extended background mode (self-care,
// mindfulness, physical-therapy or alarm). Create one with
// NewExtendedRuntimeSession, set its Delegate, then Start it (or, for a
// smart alarm, StartAt a date). A session that became invalid cannot
// start again; create a new one.
//
//	s := watch.NewExtendedRuntimeSession()
//	s.Delegate = app
//	if err := s.Start(); err != nil {
//		watch.Printf("no session: %v", err)
//	}
type ExtendedRuntimeSession struct {
	// Delegate gets the session's didStart, willExpire and
	// didInvalidateWith calls. Set it before Start: calls that come
	// without one are lost, and a smart alarm handed to the app at its
	// date (HandleExtendedRuntimeSession) is claimed only by setting it.
	Delegate ExtendedRuntimeSessionDelegate

	id         int64
	state      abi.ExtendedState
	typ        abi.SessionType
	expiration time.Time
	repeat     func(*abi.Haptic) time.Duration
}

// ExtendedRuntimeSessionDelegate is WKExtendedRuntimeSessionDelegate.
type ExtendedRuntimeSessionDelegate interface {
	// ExtendedRuntimeSessionDidStart: the session runs (after Start, or
	// at a smart alarm's date).
	ExtendedRuntimeSessionDidStart(s *ExtendedRuntimeSession)
	// ExtendedRuntimeSessionWillExpire: the session reaches its limit
	// soon (the runtime's extended_will_expire_lead before it).
	ExtendedRuntimeSessionWillExpire(s *ExtendedRuntimeSession)
	// ExtendedRuntimeSessionDidInvalidate: the session ended or could
	// not start; err is a *SessionError when reason is
	// abi.InvalidationError, else nil.
	ExtendedRuntimeSessionDidInvalidate(s *ExtendedRuntimeSession, reason abi.InvalidationReason, err error)
}

// ExtendedSessionHandler is the app delegate method watchOS calls with a
// scheduled smart alarm's session when it launched the app for it
// (WKApplicationDelegate handle(_ extendedRuntimeSession:)). The app
// claims the session by setting its Delegate; without that it is lost.
type ExtendedSessionHandler interface {
	HandleExtendedRuntimeSession(s *ExtendedRuntimeSession)
}

// SessionError is the error of an invalidated session
// (WKExtendedRuntimeSessionErrorCode).
type SessionError struct {
	Code abi.ExtendedError
}

// Error returns "watch: extended runtime session: CODE".
func (e *SessionError) Error() string { return "watch: extended runtime session: " + e.Code.String() }

// sessions are the app's live session objects by id, so events find
// their object; lastSessionID is the last id given.
var (
	sessions      = map[int64]*ExtendedRuntimeSession{}
	lastSessionID int64
)

// NewExtendedRuntimeSession returns a new session, not started
// (WKExtendedRuntimeSession.session()).
func NewExtendedRuntimeSession() *ExtendedRuntimeSession {
	lastSessionID++
	s := &ExtendedRuntimeSession{id: lastSessionID}
	sessions[s.id] = s
	return s
}

// ID returns the id the session is known by in the runtime's log.
func (s *ExtendedRuntimeSession) ID() int64 { return s.id }

// State returns the session's state, as the runtime has it now.
func (s *ExtendedRuntimeSession) State() abi.ExtendedState {
	if b, err := Request(abi.OpExtendedSessionState, msg.SessionRef{SessionID: s.id}.Encode(nil)); err == nil {
		s.update(b)
	}
	return s.state
}

// Type returns the session's type (the manifest's extended mode), known
// once the session was started or scheduled.
func (s *ExtendedRuntimeSession) Type() abi.SessionType { return s.typ }

// ExpirationDate returns when a running session ends; the zero time
// before it runs.
func (s *ExtendedRuntimeSession) ExpirationDate() time.Time { return s.expiration }

// Start starts the session now (start()). The app must be active. An
// error means the session is invalid; the delegate's DidInvalidate has
// been called with the reason.
func (s *ExtendedRuntimeSession) Start() error { return s.start(0) }

// StartAt schedules a smart alarm session for t (start(at:)): at most 36
// hours ahead; a date up to a minute in the past starts it at once. The
// app must be active.
func (s *ExtendedRuntimeSession) StartAt(t time.Time) error { return s.start(t.UnixNano()) }

func (s *ExtendedRuntimeSession) start(date int64) error {
	b, err := Request(abi.OpStartExtendedSession, msg.StartExtendedSession{SessionID: s.id, Date: date}.Encode(nil))
	if err != nil {
		return err
	}
	return s.update(b)
}

// Invalidate stops a running session or cancels a scheduled one; on a
// session never started the delegate gets not_yet_started. A scheduled
// smart alarm is cancelled only while the app is active.
func (s *ExtendedRuntimeSession) Invalidate() error {
	b, err := Request(abi.OpInvalidateExtendedSession, msg.SessionRef{SessionID: s.id}.Encode(nil))
	if err != nil {
		return err
	}
	if err := s.update(b); err != nil {
		var se *SessionError
		if e, ok := err.(*SessionError); ok {
			se = e
		}
		if se == nil || se.Code != abi.ErrorNotYetStarted {
			return err
		}
	}
	return nil
}

// NotifyUser plays haptic h now and repeats it until the session ends or
// repeat returns 0 (notifyUser(hapticType:repeatHandler:)); only a running
// smart alarm session may. repeat, if not nil, is called after each
// haptic and returns the interval to the next one, in (0, 60] seconds; it
// may change the next haptic through its argument. Without it the haptic
// repeats every 3 seconds.
func (s *ExtendedRuntimeSession) NotifyUser(h abi.Haptic, repeat func(next *abi.Haptic) time.Duration) error {
	s.repeat = repeat
	_, err := Request(abi.OpNotifyUser, msg.NotifyUser{SessionID: s.id, Haptic: int64(h), Handler: repeat != nil}.Encode(nil))
	return err
}

// update takes a start, invalidate or state result; a result that made
// the session invalid calls the delegate and returns the error.
func (s *ExtendedRuntimeSession) update(b []byte) error {
	var in msg.ExtendedSessionInfo
	if err := in.Decode(b); err != nil {
		return &wrapError{"watch: extended runtime session: cannot decode the result: " + err.Error(), err}
	}
	was := s.state
	s.state, s.typ = abi.ExtendedState(in.State), abi.SessionType(in.SessionType)
	if s.state == abi.ExtendedRunning {
		s.expiration = time.Unix(0, in.Date)
	}
	if s.state != abi.ExtendedInvalid || was == abi.ExtendedInvalid {
		return nil
	}
	delete(sessions, s.id)
	reason := abi.InvalidationReason(in.Reason)
	var err error
	if reason == abi.InvalidationError {
		err = &SessionError{Code: abi.ExtendedError(in.SessionError)}
	} else if reason == abi.InvalidationSessionInProgress {
		err = errors.New("watch: extended runtime session: " + reason.String())
	}
	if s.Delegate != nil {
		s.Delegate.ExtendedRuntimeSessionDidInvalidate(s, reason, err)
	}
	return err
}

// extendedEvent handles the extended session events; it reports whether
// it handled kind, and sets reply for smart_alarm_repeat.
func extendedEvent(kind abi.EventKind, e *Event) (bool, error) {
	switch kind {
	case abi.EventExtendedSessionDidStart, abi.EventExtendedSessionWillExpire, abi.EventHandleExtendedSession:
		var m msg.ExtendedSession
		if err := m.Decode(e.fields); err != nil {
			return false, err
		}
		if kind == abi.EventHandleExtendedSession {
			if handlers.extended == nil {
				return false, nil
			}
			s := &ExtendedRuntimeSession{id: m.SessionID, typ: abi.SessionType(m.SessionType), state: abi.ExtendedScheduled}
			lastSessionID = max(lastSessionID, s.id)
			handlers.extended(s)
			if s.Delegate == nil {
				return false, nil // not claimed: the system drops it
			}
			sessions[s.id] = s
			return true, nil
		}
		s := sessions[m.SessionID]
		if s == nil || s.Delegate == nil {
			return false, nil
		}
		s.typ, s.expiration = abi.SessionType(m.SessionType), time.Unix(0, m.Date)
		if kind == abi.EventExtendedSessionDidStart {
			s.state = abi.ExtendedRunning
			s.Delegate.ExtendedRuntimeSessionDidStart(s)
		} else {
			s.Delegate.ExtendedRuntimeSessionWillExpire(s)
		}
		return true, nil
	case abi.EventExtendedSessionInvalidated:
		var m msg.ExtendedSessionInvalidated
		if err := m.Decode(e.fields); err != nil {
			return false, err
		}
		s := sessions[m.SessionID]
		if s == nil {
			return false, nil
		}
		delete(sessions, s.id)
		s.state = abi.ExtendedInvalid
		reason := abi.InvalidationReason(m.Reason)
		var err error
		if reason == abi.InvalidationError {
			err = &SessionError{Code: abi.ExtendedError(m.SessionError)}
		}
		if s.Delegate == nil {
			return false, nil
		}
		s.Delegate.ExtendedRuntimeSessionDidInvalidate(s, reason, err)
		return true, nil
	case abi.EventSmartAlarmRepeat:
		var m msg.SmartAlarmRepeat
		if err := m.Decode(e.fields); err != nil {
			return false, err
		}
		s := sessions[m.SessionID]
		if s == nil || s.repeat == nil {
			return false, nil
		}
		h := abi.Haptic(m.Haptic)
		next := s.repeat(&h)
		okReply = msg.SmartAlarmRepeatReply{Interval: next, Haptic: int64(h)}.Encode(okReply[:0])
		return true, nil
	}
	return false, nil
}
