package msg

import (
	"time"

	"github.com/watchbox/watchbox/abi"
)

// The messages of extended runtime sessions (WKExtendedRuntimeSession):
// events 52-56 and ops 52-55 (docs/abi.md sections 11 and 13).

// ExtendedSession is the payload of extended_session_did_start,
// extended_session_will_expire and handle_extended_session.
type ExtendedSession struct {
	SessionID   int64 // the id the guest gave the session
	SessionType int64 // an abi.SessionType
	Date        int64 // the expiration, Unix ns
}

var extendedSessionSpec = &Spec{Name: "extended_session", Doc: "extended_session_did_start, extended_session_will_expire, handle_extended_session", Fields: []FieldSpec{
	{Key: abi.FieldSessionID, Type: abi.TypeInt, Presence: Always},
	{Key: abi.FieldSessionType, Type: abi.TypeInt, Presence: Always},
	{Key: abi.FieldDate, Type: abi.TypeInt, Presence: Always, Doc: "the expiration"},
}}

// ExtendedSessionInvalidated is the payload of extended_session_invalidated
// (didInvalidateWith(reason, error)).
type ExtendedSessionInvalidated struct {
	SessionID    int64
	SessionType  int64  // an abi.SessionType
	Reason       int64  // an abi.InvalidationReason
	SessionError int64  // an abi.ExtendedError when Reason is abi.InvalidationError, else 0
	Error        string // the reason or error in words
}

var extendedSessionInvalidatedSpec = &Spec{Name: "extended_session_invalidated", Doc: "didInvalidateWith(reason, error)", Fields: []FieldSpec{
	{Key: abi.FieldSessionID, Type: abi.TypeInt, Presence: Always},
	{Key: abi.FieldSessionType, Type: abi.TypeInt, Presence: Always},
	{Key: abi.FieldReason, Type: abi.TypeInt, Presence: Always, Doc: "an invalidation reason"},
	{Key: abi.FieldSessionError, Type: abi.TypeInt, Presence: Optional, Doc: "with reason error"},
	{Key: abi.FieldError, Type: abi.TypeBytes, Presence: Optional, Doc: "the reason or error in words"},
}}

// SmartAlarmRepeat is the payload of smart_alarm_repeat: the haptic just
// played and the interval in force. The guest answers with a
// SmartAlarmRepeatReply.
type SmartAlarmRepeat struct {
	SessionID int64
	Haptic    int64         // an abi.Haptic
	Interval  time.Duration // until the next haptic, unless the reply changes it
}

var smartAlarmRepeatSpec = &Spec{Name: "smart_alarm_repeat", Doc: "notifyUser's repeat handler", Fields: []FieldSpec{
	{Key: abi.FieldSessionID, Type: abi.TypeInt, Presence: Always},
	{Key: abi.FieldHaptic, Type: abi.TypeInt, Presence: Always},
	{Key: abi.FieldInterval, Type: abi.TypeInt, Presence: Always},
}}

// SmartAlarmRepeatReply is the reply (event_reply) to smart_alarm_repeat,
// the repeat handler's answer.
type SmartAlarmRepeatReply struct {
	Interval time.Duration // the next interval, in (0, 60 s]; 0 stops the repeats
	Haptic   int64         // the next haptic (the handler's outHapticType)
}

var smartAlarmRepeatReplySpec = &Spec{Name: "smart_alarm_repeat_reply", Doc: "the reply to smart_alarm_repeat", Fields: []FieldSpec{
	{Key: abi.FieldInterval, Type: abi.TypeInt, Presence: Required, Doc: "the next interval; 0 stops the repeats"},
	{Key: abi.FieldHaptic, Type: abi.TypeInt, Presence: Always, Doc: "the next haptic"},
}}

// StartExtendedSession is the arguments of start_extended_session:
// start() without Date, start(at:) with it.
type StartExtendedSession struct {
	SessionID int64 // positive, new for every session object
	Date      int64 // scheduled start (smart alarm), Unix ns; 0: now
}

var startExtendedSessionSpec = &Spec{Name: "start_extended_session", Doc: "start() / start(at:)", Fields: []FieldSpec{
	{Key: abi.FieldSessionID, Type: abi.TypeInt, Presence: Required},
	{Key: abi.FieldDate, Type: abi.TypeInt, Presence: Optional, Doc: "scheduled start"},
}}

// SessionRef names one extended runtime session: the arguments of
// invalidate_extended_session and extended_session_state.
type SessionRef struct {
	SessionID int64
}

var sessionRefSpec = &Spec{Name: "session_ref", Doc: "invalidate_extended_session, extended_session_state", Fields: []FieldSpec{
	{Key: abi.FieldSessionID, Type: abi.TypeInt, Presence: Required},
}}

// ExtendedSessionInfo is the result of start_extended_session,
// invalidate_extended_session and extended_session_state.
type ExtendedSessionInfo struct {
	SessionID   int64
	State       int64 // an abi.ExtendedState
	SessionType int64 // an abi.SessionType (the manifest's), 0 if it declares none
	Date        int64 // the expiration while running, the start while scheduled, else 0
	// Reason and SessionError say why, when State is invalid because of
	// this request (a refused start, an invalidate); the Go SDK then
	// calls the delegate's DidInvalidate with them.
	Reason       int64 // an abi.InvalidationReason
	SessionError int64 // an abi.ExtendedError, with reason error
}

var extendedSessionInfoSpec = &Spec{Name: "extended_session_info", Doc: "state, type and expirationDate", Fields: []FieldSpec{
	{Key: abi.FieldSessionID, Type: abi.TypeInt, Presence: Always},
	{Key: abi.FieldExtendedState, Type: abi.TypeInt, Presence: Always},
	{Key: abi.FieldSessionType, Type: abi.TypeInt, Presence: Always},
	{Key: abi.FieldDate, Type: abi.TypeInt, Presence: Optional, Doc: "expiration (running) or start (scheduled)"},
	{Key: abi.FieldReason, Type: abi.TypeInt, Presence: Optional, Doc: "why it is invalid, when this request made it so"},
	{Key: abi.FieldSessionError, Type: abi.TypeInt, Presence: Optional, Doc: "with reason error"},
}}

// NotifyUser is the arguments of notify_user
// (notifyUser(hapticType:repeatHandler:)).
type NotifyUser struct {
	SessionID int64
	Haptic    int64 // an abi.Haptic
	Handler   bool  // a repeat handler is set: the host sends smart_alarm_repeat before each repeat
}

var notifyUserSpec = &Spec{Name: "notify_user", Doc: "notifyUser(hapticType:repeatHandler:)", Fields: []FieldSpec{
	{Key: abi.FieldSessionID, Type: abi.TypeInt, Presence: Required},
	{Key: abi.FieldHaptic, Type: abi.TypeInt, Presence: Always},
	{Key: abi.FieldRepeats, Type: abi.TypeBool, Presence: Optional, Doc: "a repeat handler is set"},
}}

// Spec describes ExtendedSession's fields.
func (*ExtendedSession) Spec() *Spec { return extendedSessionSpec }

// Encode appends the encoded fields of m to dst.
func (m ExtendedSession) Encode(dst []byte) []byte {
	return encodeTo(dst, extendedSessionSpec, m.bind())
}

// Decode replaces m with the ExtendedSession encoded in b.
func (m *ExtendedSession) Decode(b []byte) error {
	*m = ExtendedSession{}
	return decodeFlat(b, extendedSessionSpec, m.bind())
}

func (m *ExtendedSession) bind() []any { return []any{&m.SessionID, &m.SessionType, &m.Date} }

// Spec describes ExtendedSessionInvalidated's fields.
func (*ExtendedSessionInvalidated) Spec() *Spec { return extendedSessionInvalidatedSpec }

// Encode appends the encoded fields of m to dst.
func (m ExtendedSessionInvalidated) Encode(dst []byte) []byte {
	return encodeTo(dst, extendedSessionInvalidatedSpec, m.bind())
}

// Decode replaces m with the ExtendedSessionInvalidated encoded in b.
func (m *ExtendedSessionInvalidated) Decode(b []byte) error {
	*m = ExtendedSessionInvalidated{}
	return decodeFlat(b, extendedSessionInvalidatedSpec, m.bind())
}

func (m *ExtendedSessionInvalidated) bind() []any {
	return []any{&m.SessionID, &m.SessionType, &m.Reason, &m.SessionError, &m.Error}
}

// Spec describes SmartAlarmRepeat's fields.
func (*SmartAlarmRepeat) Spec() *Spec { return smartAlarmRepeatSpec }

// Encode appends the encoded fields of m to dst.
func (m SmartAlarmRepeat) Encode(dst []byte) []byte {
	return encodeTo(dst, smartAlarmRepeatSpec, m.bind())
}

// Decode replaces m with the SmartAlarmRepeat encoded in b.
func (m *SmartAlarmRepeat) Decode(b []byte) error {
	*m = SmartAlarmRepeat{}
	return decodeFlat(b, smartAlarmRepeatSpec, m.bind())
}

func (m *SmartAlarmRepeat) bind() []any { return []any{&m.SessionID, &m.Haptic, &m.Interval} }

// Spec describes SmartAlarmRepeatReply's fields.
func (*SmartAlarmRepeatReply) Spec() *Spec { return smartAlarmRepeatReplySpec }

// Encode appends the encoded fields of m to dst.
func (m SmartAlarmRepeatReply) Encode(dst []byte) []byte {
	return encodeTo(dst, smartAlarmRepeatReplySpec, m.bind())
}

// Decode replaces m with the SmartAlarmRepeatReply encoded in b.
func (m *SmartAlarmRepeatReply) Decode(b []byte) error {
	*m = SmartAlarmRepeatReply{}
	return decodeFlat(b, smartAlarmRepeatReplySpec, m.bind())
}

func (m *SmartAlarmRepeatReply) bind() []any { return []any{&m.Interval, &m.Haptic} }

// Spec describes StartExtendedSession's fields.
func (*StartExtendedSession) Spec() *Spec { return startExtendedSessionSpec }

// Encode appends the encoded fields of m to dst.
func (m StartExtendedSession) Encode(dst []byte) []byte {
	return encodeTo(dst, startExtendedSessionSpec, m.bind())
}

// Decode replaces m with the StartExtendedSession encoded in b.
func (m *StartExtendedSession) Decode(b []byte) error {
	*m = StartExtendedSession{}
	return decodeFlat(b, startExtendedSessionSpec, m.bind())
}

func (m *StartExtendedSession) bind() []any { return []any{&m.SessionID, &m.Date} }

// Spec describes SessionRef's fields.
func (*SessionRef) Spec() *Spec { return sessionRefSpec }

// Encode appends the encoded fields of m to dst.
func (m SessionRef) Encode(dst []byte) []byte { return encodeTo(dst, sessionRefSpec, m.bind()) }

// Decode replaces m with the SessionRef encoded in b.
func (m *SessionRef) Decode(b []byte) error {
	*m = SessionRef{}
	return decodeFlat(b, sessionRefSpec, m.bind())
}

func (m *SessionRef) bind() []any { return []any{&m.SessionID} }

// Spec describes ExtendedSessionInfo's fields.
func (*ExtendedSessionInfo) Spec() *Spec { return extendedSessionInfoSpec }

// Encode appends the encoded fields of m to dst.
func (m ExtendedSessionInfo) Encode(dst []byte) []byte {
	return encodeTo(dst, extendedSessionInfoSpec, m.bind())
}

// Decode replaces m with the ExtendedSessionInfo encoded in b.
func (m *ExtendedSessionInfo) Decode(b []byte) error {
	*m = ExtendedSessionInfo{}
	return decodeFlat(b, extendedSessionInfoSpec, m.bind())
}

func (m *ExtendedSessionInfo) bind() []any {
	return []any{&m.SessionID, &m.State, &m.SessionType, &m.Date, &m.Reason, &m.SessionError}
}

// Spec describes NotifyUser's fields.
func (*NotifyUser) Spec() *Spec { return notifyUserSpec }

// Encode appends the encoded fields of m to dst.
func (m NotifyUser) Encode(dst []byte) []byte { return encodeTo(dst, notifyUserSpec, m.bind()) }

// Decode replaces m with the NotifyUser encoded in b.
func (m *NotifyUser) Decode(b []byte) error {
	*m = NotifyUser{}
	return decodeFlat(b, notifyUserSpec, m.bind())
}

func (m *NotifyUser) bind() []any { return []any{&m.SessionID, &m.Haptic, &m.Handler} }
