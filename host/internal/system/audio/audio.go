// Package audio is AVAudioSession's long-form background audio on the
// watch: activation needs the audio background mode, the foreground and
// an eligible output route (simulated Bluetooth headphones); while it
// plays the app keeps running in the background; interruptions (a call)
// begin and end; headphones that go away stop playback.
package audio

import (
	"context"
	"fmt"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
	"github.com/watchbox/watchbox/host/bundle"
	"github.com/watchbox/watchbox/host/internal/policy"
	"github.com/watchbox/watchbox/host/internal/system"
)

// Feature is one app's audio session.
type Feature struct {
	a *system.App

	route       bool               // headphones connected
	active      bool               // the session is activated
	interrupted bool               // an interruption is under way
	awake       system.FeatureHold // the feature holds the app awake
}

// Register adds the audio feature to a; route says whether headphones are
// connected now.
func Register(a *system.App, route bool) *Feature {
	f := &Feature{awake: system.FeatureHold{Session: "audio"}, a: a, route: route}
	a.Features.Handle(abi.OpActivateAudio, f.activate)
	a.Features.Handle(abi.OpDeactivateAudio, f.deactivate)
	a.Features.OnKill(f.killed)
	a.Features.OnBackground(f.backgrounded)
	return f
}

func (f *Feature) activate(args []byte) ([]byte, abi.Status, string) {
	var m msg.Empty
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	a := f.a
	now := a.Now()
	d := a.Decide(func(p *policy.Policy, fa policy.Facts) policy.Decision {
		return p.SessionStart(fa, policy.Session{Kind: policy.KindAudio, Op: abi.OpActivateAudio.String(), Mode: string(bundle.ModeAudio),
			HasMode: a.Manifest.HasBackgroundMode(bundle.ModeAudio), Foreground: true}, now)
	})
	if d.Verdict != policy.Run {
		return nil, abi.StatusNotAllowed, d.Reason + " [" + d.Rule + "]"
	}
	if !f.route {
		reason := fmt.Sprintf("%s failed: AVAudioSession error %d, session activation failed: long-form audio needs an eligible output route, and no Bluetooth headphones are connected", abi.OpActivateAudio, abi.AudioSessionActivationFailed)
		a.Report(policy.Decision{Time: now, Kind: policy.KindAudio, Verdict: policy.Refuse, Rule: policy.RuleAudioNoRoute, Reason: reason,
			Numbers: map[string]int64{"error_code": abi.AudioSessionActivationFailed}})
		return nil, abi.StatusNotAllowed, reason + " [" + policy.RuleAudioNoRoute + "]"
	}
	f.active, f.interrupted = true, false
	f.syncHold()
	return system.Done(nil)
}

func (f *Feature) deactivate(args []byte) ([]byte, abi.Status, string) {
	var m msg.Empty
	if err := m.Decode(args); err != nil {
		return system.BadArgs(err)
	}
	f.active, f.interrupted = false, false
	f.syncHold()
	return system.Done(nil)
}

// playing reports whether audio plays now.
func (f *Feature) playing() bool { return f.active && !f.interrupted && f.route }

// syncHold holds the app while audio plays.
func (f *Feature) syncHold() {
	f.awake.Keep(&f.a.Life, f.playing())
}

// SetRoute connects (on) or disconnects the headphones. An app with an
// active session gets audio_route_changed; headphones that go away stop
// its playback (rule audio.route_lost). The app's lock must be held.
func (f *Feature) SetRoute(ctx context.Context, on bool) error {
	if f.route == on {
		return nil
	}
	f.route = on
	if !f.active {
		return nil
	}
	a := f.a
	now := a.Env.Clock.Now()
	route := abi.AudioRouteNone
	if on {
		route = abi.AudioRouteBluetooth
	} else {
		f.active = false
		a.Report(policy.Decision{Time: now, Kind: policy.KindAudio, Verdict: policy.End, Rule: policy.RuleAudioRouteLost,
			Reason: "the Bluetooth headphones disconnected: playback stopped, and the audio session is inactive"})
	}
	f.syncHold()
	return f.deliver(ctx, abi.EventAudioRouteChanged, msg.AudioRoute{Route: route, Date: now.UnixNano()}.Encode(nil))
}

// Interruption begins (began) or ends an interruption of the app's active
// session, as a call does: playback stops while it lasts and resumes
// after. The app gets audio_session_interrupted either way. The app's
// lock must be held.
func (f *Feature) Interruption(ctx context.Context, began bool) error {
	a := f.a
	now := a.Env.Clock.Now()
	if !f.active || f.interrupted == began {
		a.Report(policy.Decision{Time: now, Kind: policy.KindAudio, Verdict: policy.Drop, Rule: policy.RuleAudioInterruption,
			Reason: fmt.Sprintf("audio interruption %s ignored: the app's audio session is %s", map[bool]string{true: "began", false: "ended"}[began], f.state())})
		return nil
	}
	f.interrupted = began
	kind, what := abi.AudioInterruptionEnded, "ended: playback resumes"
	if began {
		kind, what = abi.AudioInterruptionBegan, "began (a call): playback stops until it ends"
	}
	a.Report(policy.Decision{Time: now, Kind: policy.KindAudio, Verdict: policy.Run, Rule: policy.RuleAudioInterruption,
		Reason: "audio interruption " + what})
	f.syncHold() // before the call, so that a resumed session is not suspended after it
	return f.deliver(ctx, abi.EventAudioSessionInterrupted, msg.AudioSessionInterrupted{Reason: kind, Date: now.UnixNano()}.Encode(nil))
}

func (f *Feature) deliver(ctx context.Context, kind abi.EventKind, fields []byte) error {
	_, err := f.a.Life.Deliver(ctx, kind, fields)
	f.a.Life.Settle()
	return err
}

// backgrounded reports that playing audio keeps the app running.
func (f *Feature) backgrounded(context.Context) error {
	if f.awake.Held() {
		f.a.Report(policy.Decision{Time: f.a.Env.Clock.Now(), Kind: policy.KindAudio, Verdict: policy.Hold, Rule: policy.RuleAudioHold,
			Reason: "the app keeps running in the background: it plays long-form audio"})
	}
	return nil
}

// killed ends the session with the instance.
func (f *Feature) killed() {
	f.active, f.interrupted = false, false
	f.awake.Drop(&f.a.Life)
}

func (f *Feature) state() string {
	switch {
	case !f.active:
		return "inactive"
	case f.interrupted:
		return "interrupted"
	}
	return "playing"
}

// Active reports whether audio plays.
func (f *Feature) Active() bool { return f.awake.Held() }

// Open reports whether the app's audio session is activated, playing or
// not.
func (f *Feature) Open() bool { return f.active }

// Status describes the app's audio session for `status`: "" when
// inactive.
func (f *Feature) Status() string {
	if !f.active {
		return ""
	}
	return "audio " + f.state()
}
