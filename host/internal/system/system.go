// Package system is the watch system's per-app core: the app's lock, its
// life-cycle state machine (launch, foreground, background, suspend,
// purge), waking it for background work and settling it back to
// suspension while no keep-awake hold is taken, named timers, the calls
// into its guest with their records, the rules that decide and report
// (Rules), and a registry where each watchOS feature (background tasks,
// snapshots, notifications, phone, downloads) adds its request ops and its
// hooks. The features are packages beside it; they do not import each
// other, and where one needs another it goes through the core (Tasks,
// Snapshots).
package system

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/rs/zerolog"
	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/internal/clock"
	"github.com/watchbox/watchbox/host/internal/guest"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/sandboxfs"
)

// Env is what every app of one runtime shares.
type Env struct {
	Clock clock.Clock
	Sched *clock.Scheduler
	Rules *Rules
	// OnCall, if set, is called after every call into a guest, in order.
	OnCall func(Call)
	// OnSpan, if set, is called at the start and the end of what lasts
	// (pending notifications, sessions), for traces.
	OnSpan func(Span)
	// FrontmostTimeout and SuspendDelay return the delays in force (a
	// configured override, or the profile's); 0 or less disables them.
	FrontmostTimeout func() time.Duration
	SuspendDelay     func() time.Duration
}

// App is the system's side of one app. Its lock serializes everything done
// to the app; every method here and of its Lifecycle, Timers and Registry
// that does not say otherwise must be called with it held (Lock, Unlock).
type App struct {
	Env      *Env
	ID       string
	Manifest bundle.Manifest
	Log      zerolog.Logger
	FS       *sandboxfs.FS
	Guest    *guest.Guest
	// Timers are the app's named system timers (pending refresh, held
	// push, ...); the life-cycle timer is the App's own.
	Timers Timers
	// Features is the registry of the features' ops and hooks.
	Features Registry
	// Tasks and Snapshots are the features other features reach through
	// the core, set by those features when they register.
	Tasks     Tasks
	Snapshots Snapshots

	// Life is the app's life-cycle state machine.
	Life Lifecycle
	// Holds are the features' holds on the life cycle: keep-awake and
	// frontmost.
	Holds Holds
	// Crashes record how the app's instances died.
	Crashes Crashes
	// CPU measures the app's CPU while it runs in the background under a
	// session, for the background CPU limit.
	CPU CPU

	// Store saves the app's system state to its state file.
	Store Store
	// Reload swaps a new version of the app's module in (hot reload).
	Reload Reloader

	// live is Manifest for readers without the lock (a download's
	// redirect check, host.App.Manifest); SetManifest changes both.
	live atomic.Pointer[bundle.Manifest]

	gate decisionGate // what the guest's calls made the runtime report

	mu              sync.Mutex
	complication    bool // a complication is on the active face
	lastInteraction time.Time
}

// New returns the system's side of an app, not running.
func New(env *Env, id string, m bundle.Manifest, log zerolog.Logger) *App {
	a := &App{Env: env, ID: id, Manifest: m, Log: log, complication: m.Complication}
	a.live.Store(&m)
	a.Life.app = a
	a.Crashes.app = a
	a.Store.app = a
	a.Reload.app = a
	a.Holds.life = &a.Life
	a.CPU.app = a
	a.Timers = Timers{app: a, evs: map[string]timer{}}
	a.Features.ops = map[abi.Op]Op{}
	return a
}

// LiveManifest returns the manifest in force, for a reader that does not
// hold the lock; the result must not be changed.
func (a *App) LiveManifest() *bundle.Manifest { return a.live.Load() }

// SetManifest puts a reloaded manifest in force, as `watchbox dev` does
// when watchapp.json changes; its bundle identifier and memory limit must
// be the app's (the caller checks). Every key is read where it applies,
// so the change takes effect from the next use: the background modes,
// allowed hosts and extended frontmost timeout when a session, a request,
// a push or a download starts or the wrist next drops, the settings at the
// next app_info; the data quota at once (data already over a lowered
// quota stays readable and may shrink, but cannot grow); and the
// complication is put on or off the active face when its key changes.
func (a *App) SetManifest(m bundle.Manifest) error {
	if a.FS != nil && m.DataQuota != a.Manifest.DataQuota {
		if err := a.FS.SetQuota(int64(m.DataQuota)); err != nil {
			return err
		}
	}
	if m.Complication != a.Manifest.Complication {
		a.complication = m.Complication
	}
	a.Manifest = m
	a.live.Store(&m)
	return nil
}

// Lock takes the app's lock.
func (a *App) Lock() { a.mu.Lock() }

// Unlock releases the app's lock.
func (a *App) Unlock() { a.mu.Unlock() }

// Now is the guest's time inside a call, else the runtime's clock.
func (a *App) Now() time.Time { return a.Guest.Now() }

// SetComplicationActive says whether one of the app's complications is on
// the active watch face.
func (a *App) SetComplicationActive(on bool) { a.complication = on }

// Facts are what the policy needs to know of the app now.
func (a *App) Facts() policy.Facts {
	return policy.Facts{
		App:                a.ID,
		Frontmost:          a.Life.Frontmost(),
		ComplicationActive: a.complication,
		LastInteraction:    a.lastInteraction,
		State:              a.Life.State().String(),
	}
}

// Decide runs a rule about this app with its facts now and reports what
// it decided.
func (a *App) Decide(rule func(p *policy.Policy, f policy.Facts) policy.Decision) policy.Decision {
	return a.Env.Rules.DecideWith(a.emit, func(p *policy.Policy) policy.Decision { return rule(p, a.Facts()) })
}

// DecidePolicy runs rule f on the policy as Rules.Decide does, its
// decisions about this app reported through the app's gate (emit), for a
// rule that needs no Facts or builds its own.
func (a *App) DecidePolicy(f func(p *policy.Policy) policy.Decision) policy.Decision {
	return a.Env.Rules.DecideWith(a.emit, f)
}

// decisionGate counts the decisions about the app reported while its
// guest runs (what its requests make the runtime report), since the end
// of its last call, and those dropped over decisions_per_call.
type decisionGate struct {
	on         bool // the guest runs: an event call or _initialize (guestRuns)
	n, dropped int
}

// guestRuns runs f, a new instance's _initialize, with the app's decision
// gate on: the decisions its requests make count against
// decisions_per_call, and its end reports those dropped (endCall).
// CallInto does the same for an event.
func (a *App) guestRuns(f func()) {
	a.gate.on = true
	defer func() { a.gate.on = false }() // if f panics
	f()
	a.endCall(a.Env.Clock.Now())
}

// emit reports d. A decision about this app made while its guest runs
// counts against the profile's decisions_per_call: past it, it is dropped
// and counted, and the call's end reports how many (endCall). Without
// the cap, a guest looping on requests (scheduling one notification
// again and again) made the runtime log, print in the timeline and pass
// to OnDecision one decision for each, as many as its host calls.
func (a *App) emit(d policy.Decision) {
	if d.App == a.ID && a.gate.on {
		a.gate.n++
		if limit := a.Env.Rules.Profile().DecisionsPerCall; limit > 0 && a.gate.n > limit {
			a.gate.dropped++
			return
		}
	}
	a.Env.Rules.Report(d)
}

// endCall reports, at now, how many decisions about the app the call (or
// _initialize) that just ended dropped over decisions_per_call, if any,
// and starts the count again for the next call.
func (a *App) endCall(now time.Time) {
	if n := a.gate.dropped; n > 0 {
		limit := a.Env.Rules.Profile().DecisionsPerCall
		a.Env.Rules.Report(policy.Decision{Time: now, App: a.ID, Kind: policy.KindOutput, Verdict: policy.Drop, Rule: policy.RuleDecisionsPerCall,
			Reason:  fmt.Sprintf("%d decisions about the app dropped: the call made the system decide more than %d times (decisions_per_call)", n, limit),
			Numbers: map[string]int64{"dropped": int64(n), "limit": int64(limit)}})
	}
	a.gate = decisionGate{}
}

// Report reports a decision about this app made without a policy rule
// (its App is filled in). Such reasons quote what the guest chose (an
// identifier, a title, a URL), so a reason is cut to maxReason bytes: the
// runtime keeps decisions, and their size must not be the guest's choice.
func (a *App) Report(d policy.Decision) {
	d.App = a.ID
	d.Reason = capReason(d.Reason)
	a.emit(d)
}

// maxReason is the longest reason App.Report passes on, in bytes.
const maxReason = 512

// capReason cuts r to maxReason bytes (on a UTF-8 boundary) and marks the
// cut with "...".
func capReason(r string) string { return cut(r, maxReason) }

// cut cuts s to at most n bytes (on a UTF-8 boundary) and marks the cut
// with "...".
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "..."
}

// LastInteraction is when the user last interacted with the app (zero if
// never).
func (a *App) LastInteraction() time.Time { return a.lastInteraction }
