package system

import (
	"context"

	"github.com/watchbox/watchbox/abi"
)

// Op carries out one request op from the guest: its encoded fields in, its
// encoded result (or a failure status) out. It runs inside a guest call,
// with the app's lock held.
type Op func(args []byte) ([]byte, abi.Status)

// Registry is where features register their request ops and their hooks
// into the app's life cycle. Hooks run in the order they were added.
type Registry struct {
	ops          map[abi.Op]Op
	onKill       []func()
	onClose      []func()
	onOpen       []func()
	onActive     []func(context.Context) error
	onBackground []func(context.Context) error
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
