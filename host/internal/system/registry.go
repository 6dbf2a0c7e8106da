package system

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// Op carries out one request op from the guest: its encoded fields in, its
// encoded result out, or a status other than abi.StatusOK with the reason
// the guest reads (docs/abi.md, refusal reasons). It runs inside a guest
// call, with the app's lock held.
type Op func(args []byte) (res []byte, status abi.Status, reason string)

// Done is the answer of an op that succeeded with result res.
func Done(res []byte) ([]byte, abi.Status, string) { return res, abi.StatusOK, "" }

// Refuse is the answer of an op that refuses a request with status: the
// reason starts with the op's name, followed by format's words, as in
// "start_download: id \"a b\" has a space". A string, bytes or error
// argument longer than maxQuoted bytes is cut there first (quotable).
func Refuse(op abi.Op, status abi.Status, format string, args ...any) ([]byte, abi.Status, string) {
	return nil, status, op.String() + ": " + fmt.Sprintf(format, quotable(args)...)
}

// maxQuoted is the most of a string, bytes or error argument a refusal's
// reason quotes: the guest chose most of them (identifiers, URLs,
// calendar components, up to a 64 KiB request), and quoting 64 KiB with
// %q cost the host milliseconds for each refused request, which a guest
// could repeat in a loop. Reasons the host writes itself are shorter.
const maxQuoted = 512

// quotable cuts each string, []byte or error in args longer than
// maxQuoted bytes to its first maxQuoted (on a UTF-8 boundary), marked
// with "...", in place, and returns args.
func quotable(args []any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case string:
			if len(v) > maxQuoted {
				args[i] = cut(v, maxQuoted)
			}
		case []byte:
			if len(v) > maxQuoted {
				args[i] = cut(string(v[:maxQuoted+1]), maxQuoted)
			}
		case error:
			if s := v.Error(); len(s) > maxQuoted {
				args[i] = cut(s, maxQuoted)
			}
		}
	}
	return args
}

// RefuseCode is Refuse (its arguments cut as Refuse cuts them) with the
// framework's error code of the refusal
// (a CBError or WCError code), which the guest reads in the refusal
// record's error_code.
func RefuseCode(op abi.Op, status abi.Status, code int64, format string, args ...any) ([]byte, abi.Status, string) {
	reason := op.String() + ": " + fmt.Sprintf(format, quotable(args)...)
	return msg.Refusal{Reason: reason, ErrorCode: code}.Encode(nil), status, reason
}

// BadArgs is the answer of an op whose arguments did not decode: err is a
// *msg.Error, whose text already starts with the op's name.
func BadArgs(err error) ([]byte, abi.Status, string) {
	return nil, abi.StatusBadArgument, err.Error()
}

// Registry is where features register their request ops and their hooks
// into the app's life cycle. Hooks run in the order they were added.
type Registry struct {
	ops          map[abi.Op]Op
	onKill       []func()
	onClose      []func()
	onOpen       []func()
	onActive     []func(context.Context) error
	onBackground []func(context.Context) error
	durable      []durableHook
	onSuspend    []func()
	onTasksDone  []func()
}

// Handle makes f answer the guest's requests of op.
func (r *Registry) Handle(op abi.Op, f Op) { r.ops[op] = f }

// OnKill adds f to what happens when the instance goes (crash, purge,
// missed deadline): the feature forgets what belonged to that instance.
func (r *Registry) OnKill(f func()) { r.onKill = append(r.onKill, f) }

// OnClose adds f to what happens when the runtime shuts the app down, after
// its last calls and kill. Named timers are stopped by the core.
func (r *Registry) OnClose(f func()) { r.onClose = append(r.onClose, f) }

// OnOpen adds f to what happens when the user opens the app, before its
// calls (the app's state is still the one it is opened from).
func (r *Registry) OnOpen(f func()) { r.onOpen = append(r.onOpen, f) }

// OnActive adds f to what happens after the app was opened (it is active
// unless a call failed).
func (r *Registry) OnActive(f func(context.Context) error) { r.onActive = append(r.onActive, f) }

// OnBackground adds f to what happens once the app entered the background
// from the foreground, before it settles.
func (r *Registry) OnBackground(f func(context.Context) error) {
	r.onBackground = append(r.onBackground, f)
}

// OnSuspend adds f to what happens when the app is suspended, just before
// its state becomes suspended: the feature closes what a suspended app
// cannot keep. f makes no call into the guest.
func (r *Registry) OnSuspend(f func()) { r.onSuspend = append(r.onSuspend, f) }

// OnTasksDone adds f to what happens when the app's last open background
// task is completed (by the app or by the system). It may run inside the
// guest's complete_task request, so f makes no call into the guest.
func (r *Registry) OnTasksDone(f func()) { r.onTasksDone = append(r.onTasksDone, f) }

// TasksDone runs the OnTasksDone hooks; the background tasks feature calls
// it when its last open task is completed.
func (r *Registry) TasksDone() {
	for _, f := range r.onTasksDone {
		f()
	}
}

// durableHook is one feature's part of the saved state.
type durableHook struct {
	name    string
	save    func() any
	restore func(raw json.RawMessage, now time.Time) error
}

// Durable adds a feature's part of the app's saved state, under name:
// save returns it (anything encoding/json encodes; nil for nothing), and
// restore takes it back when the runtime starts again with the same state
// directory, at now, before any of the app's calls. A restore arms the
// feature's timers at their saved times; the core then fires, in time
// order, those whose time passed while the host was down.
func (r *Registry) Durable(name string, save func() any, restore func(raw json.RawMessage, now time.Time) error) {
	r.durable = append(r.durable, durableHook{name, save, restore})
}
