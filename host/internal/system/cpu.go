package system

import (
	"sort"
	"strings"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/internal/policy"
)

// CPU is an app's background CPU monitor, the deterministic form of
// watchOS's limit on sessions that run in the background: while at least
// one feature watches it (a session runs), the CPU time of every call the
// app makes in the background (its fuel over instruction_rate) is added to
// a sliding window of background_cpu_window, and when the window's
// average goes above background_cpu_percent the watchers are told, once,
// right after the call (rule cpu.background_limit). A call's CPU counts at
// its start. Any session feature can watch (extended runtime sessions
// today; workouts can join without changes here).
type CPU struct {
	app      *App
	watchers map[string]func(policy.Decision)
	// slots hold the CPU time of background calls, one per sixtieth of
	// the window (at most 61 kept), oldest first.
	slots []cpuSlot
	// last is the event of the last background call counted: the call a
	// CPU kill is charged to.
	last abi.EventKind
}

type cpuSlot struct {
	n   int64 // the slot's number: time since the Unix epoch in slot lengths
	cpu time.Duration
}

// Watch makes f hear when the app passes the background CPU limit while
// it runs in the background; name identifies the watcher (one per
// feature). The first watcher starts a new window.
func (c *CPU) Watch(name string, f func(policy.Decision)) {
	if len(c.watchers) == 0 {
		c.slots = c.slots[:0]
	}
	if c.watchers == nil {
		c.watchers = map[string]func(policy.Decision){}
	}
	c.watchers[name] = f
}

// Unwatch stops the watcher name; without watchers nothing is measured.
func (c *CPU) Unwatch(name string) {
	delete(c.watchers, name)
	if len(c.watchers) == 0 {
		c.slots = c.slots[:0]
	}
}

// Watched reports whether any watcher is on.
func (c *CPU) Watched() bool { return len(c.watchers) > 0 }

// slot returns the length of a slot.
func (c *CPU) slot() time.Duration {
	w := c.app.Env.Rules.Profile().BackgroundCPUWindow.D()
	return max(w/60, time.Millisecond)
}

// Used returns the CPU time of background calls in the window before now.
func (c *CPU) Used(now time.Time) time.Duration {
	slot := c.slot()
	w := c.app.Env.Rules.Profile().BackgroundCPUWindow.D()
	first := now.Add(-w).UnixNano()/int64(slot) + 1
	var sum time.Duration
	for _, s := range c.slots {
		if s.n >= first {
			sum += s.cpu
		}
	}
	return sum
}

// add counts call c if it ran in the background under a watcher, then
// checks the limit.
func (c *CPU) add(call *Call) {
	a := c.app
	if len(c.watchers) == 0 || call.Fuel <= 0 || call.State != abi.StateBackground {
		return
	}
	c.last = call.Event
	slot := c.slot()
	n := call.Time.UnixNano() / int64(slot)
	cpu := a.Env.Rules.Profile().CPUTime(call.Fuel)
	if k := len(c.slots); k > 0 && c.slots[k-1].n == n {
		c.slots[k-1].cpu += cpu
	} else {
		c.slots = append(c.slots, cpuSlot{n, cpu})
	}
	if len(c.slots) > 61 {
		c.slots = append(c.slots[:0], c.slots[len(c.slots)-61:]...)
	}
	now := call.Time.Add(call.Duration)
	used := c.Used(now)
	names := make([]string, 0, len(c.watchers))
	for name := range c.watchers {
		names = append(names, name)
	}
	sort.Strings(names)
	d, over := policy.Decision{}, false
	a.Env.Rules.Decide(func(p *policy.Policy) policy.Decision {
		d, over = p.Sessions().BackgroundCPU(a.Facts(), used, "its "+strings.Join(names, " and ")+" session", now)
		return d
	})
	if !over {
		return
	}
	fs := make([]func(policy.Decision), len(names))
	for i, name := range names {
		fs[i] = c.watchers[name]
	}
	c.watchers = nil
	c.slots = c.slots[:0]
	// Right after the call, not inside it: the watchers end their
	// sessions, which may call the guest.
	a.Timers.Set("cpu.background_limit", now, "background CPU limit", func() {
		for _, f := range fs {
			f(d)
		}
	})
}
