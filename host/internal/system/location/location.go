// Package location is CLLocationManager's updates in the background:
// positions from a GPX route (linear between its timestamped points) at
// the profile's location_interval. With allowsBackgroundLocationUpdates
// (and the location background mode) the app keeps running and gets
// every update; without it a suspended app's updates are held, at most
// max_queued_locations, and delivered when it runs again.
package location

import (
	"context"
	"fmt"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/system"
	"github.com/watchbox/watchbox/host/sensors/gpx"
)

// Feature is one app's location updates.
type Feature struct {
	a *system.App

	on         bool               // updates are on
	background bool               // allowsBackgroundLocationUpdates
	awake      system.FeatureHold // the feature holds the app awake

	route   *gpx.Track
	routeAt time.Time // when the route's first point is

	queue   []msg.LocationUpdate // held for a suspended app
	dropped int                  // held updates dropped at the cap since the last delivery
}

// Register adds the location feature to a.
func Register(a *system.App) *Feature {
	f := &Feature{awake: system.FeatureHold{Session: "location"}, a: a}
	a.Features.Handle(abi.OpStartLocationUpdates, f.start)
	a.Features.Handle(abi.OpStopLocationUpdates, f.stop)
	a.Features.OnKill(f.killed)
	a.Features.OnActive(func(ctx context.Context) error { return f.deliverQueued(ctx) })
	a.Features.OnBackground(f.backgrounded)
	return f
}

func (f *Feature) start(args []byte) ([]byte, abi.Status, string) {
	var m msg.StartLocationUpdates
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	a := f.a
	now := a.Now()
	if m.Background {
		d := a.Decide(func(p *policy.Policy, fa policy.Facts) policy.Decision {
			return p.SessionStart(fa, policy.Session{Kind: policy.KindLocation, Op: abi.OpStartLocationUpdates.String() + " (background)",
				Mode: string(bundle.ModeLocation), HasMode: a.Manifest.HasBackgroundMode(bundle.ModeLocation), Foreground: true}, now)
		})
		if d.Verdict != policy.Run {
			return nil, abi.StatusNotAllowed, d.Reason + " [" + d.Rule + "]"
		}
	}
	f.on, f.background = true, m.Background
	f.syncHold()
	f.arm(now)
	return system.Done(nil)
}

func (f *Feature) stop(args []byte) ([]byte, abi.Status, string) {
	var m msg.Empty
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	f.on, f.background = false, false
	f.a.Timers.Stop("location.fix")
	f.syncHold()
	return system.Done(nil)
}

// syncHold holds the app while background updates are on.
func (f *Feature) syncHold() {
	f.awake.Keep(&f.a.Life, f.on && f.background)
}

// arm arms the next fix after t.
func (f *Feature) arm(t time.Time) {
	if !f.on {
		return
	}
	every := f.a.Env.Rules.Profile().LocationInterval.D()
	f.a.Timers.Set("location.fix", t.Add(every), "location fix", func() {
		now := f.a.Env.Clock.Now()
		f.fix(context.Background(), now)
		f.arm(now)
	})
}

// fix makes the update at now and delivers it, or holds it for a
// suspended app.
func (f *Feature) fix(ctx context.Context, now time.Time) {
	if f.route == nil || !f.on {
		return
	}
	x, _ := f.route.At(f.route.Clamp(f.route.Start().Add(now.Sub(f.routeAt))))
	u := msg.LocationUpdate{Latitude: x.Lat, Longitude: x.Lon, Date: now.UnixNano(), Speed: x.Speed}
	if x.HasEle {
		u.Altitude = x.Ele
	}
	a := f.a
	switch a.Life.State() {
	case abi.StateNotRunning:
		return
	case abi.StateSuspended:
		f.hold(now, u)
		return
	}
	if err := f.deliverQueued(ctx); err != nil {
		return
	}
	a.Life.Deliver(ctx, abi.EventLocationUpdate, u.Encode(nil))
}

// hold keeps u for the suspended app.
func (f *Feature) hold(now time.Time, u msg.LocationUpdate) {
	a := f.a
	var drop bool
	var d policy.Decision
	a.Env.Rules.Ask(func(p *policy.Policy) { drop, d = p.QueueLocation(a.Facts(), len(f.queue), now) })
	if drop {
		if f.dropped == 0 {
			a.Report(d)
		}
		f.dropped++
		f.queue = append(f.queue[:0], f.queue[1:]...)
	} else if len(f.queue) == 0 {
		a.Report(d)
	}
	u.Queued = true
	f.queue = append(f.queue, u)
}

// deliverQueued delivers the held updates, oldest first, now that the app
// runs.
func (f *Feature) deliverQueued(ctx context.Context) error {
	a := f.a
	if len(f.queue) == 0 || !a.Guest.Running() || a.Life.State() == abi.StateSuspended {
		return nil
	}
	q := f.queue
	f.queue = nil
	now := a.Env.Clock.Now()
	a.Report(policy.Decision{Time: now, Kind: policy.KindLocation, Verdict: policy.Deliver, Rule: policy.RuleLocationDelivered,
		Numbers: map[string]int64{"delivered": int64(len(q)), "dropped": int64(f.dropped)},
		Reason:  fmt.Sprintf("%d held location update(s) delivered: the app is %v again (%d dropped at max_queued_locations)", len(q), a.Life.State(), f.dropped)})
	f.dropped = 0
	for _, u := range q {
		if _, err := a.Call(ctx, abi.EventLocationUpdate, u.Encode(nil)); err != nil && !a.Guest.Running() {
			return err
		}
	}
	return nil
}

// backgrounded reports that background updates keep the app running.
func (f *Feature) backgrounded(context.Context) error {
	if f.awake.Held() {
		f.a.Report(policy.Decision{Time: f.a.Env.Clock.Now(), Kind: policy.KindLocation, Verdict: policy.Hold, Rule: policy.RuleLocationHold,
			Reason: "the app keeps running in the background: its location updates allow background updates"})
	}
	return nil
}

// killed stops the updates with the instance.
func (f *Feature) killed() {
	f.on, f.background = false, false
	f.queue, f.dropped = nil, 0
	f.a.Timers.Stop("location.fix")
	f.awake.Drop(&f.a.Life)
}

// SetRoute makes t the route the user follows, its first point at at. The
// app's lock must be held.
func (f *Feature) SetRoute(t *gpx.Track, at time.Time) { f.route, f.routeAt = t, at }

// Active reports whether background location updates keep the app
// running.
func (f *Feature) Active() bool { return f.awake.Held() }

// Open reports whether the app has location updates on.
func (f *Feature) Open() bool { return f.on }

// Status describes the app's location updates for `status`: "" when off.
func (f *Feature) Status() string {
	switch {
	case !f.on:
		return ""
	case f.background:
		return "location updates on, in the background"
	case len(f.queue) > 0:
		return fmt.Sprintf("location updates on, %d held while suspended", len(f.queue))
	}
	return "location updates on (not in the background)"
}
