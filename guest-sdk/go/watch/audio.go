package watch

import (
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/abi/msg"
)

// AudioDelegate receives an audio session's notifications.
type AudioDelegate interface {
	// DidInterrupt says an interruption (a call) began or ended; playback
	// stops while it lasts.
	DidInterrupt(s *AudioSession, began bool, date time.Time)
	// RouteDidChange says the Bluetooth headphones connected or went
	// away (playback then stops).
	RouteDidChange(s *AudioSession, connected bool, date time.Time)
}

// AudioSession is AVAudioSession for long-form background audio
// (category playback, route-sharing policy longFormAudio). Activation
// needs the audio background mode, the foreground and connected Bluetooth
// headphones; without them Activate fails, with AVAudioSession error
// 561145203 when no route is there. While it plays, the app keeps running
// in the background.
type AudioSession struct {
	// Delegate receives interruptions and route changes.
	Delegate AudioDelegate
}

// audio is the session notifications are for.
var audio *AudioSession

// Activate activates the session and starts playing.
func (s *AudioSession) Activate() error {
	audio = s
	audioHook = audioEvent
	updateTyped()
	_, err := Request(abi.OpActivateAudio, nil)
	return err
}

// Deactivate stops playing and deactivates the session.
func (s *AudioSession) Deactivate() error {
	_, err := Request(abi.OpDeactivateAudio, nil)
	return err
}

func audioEvent(kind abi.EventKind) (bool, error) {
	s := audio
	if s == nil || s.Delegate == nil {
		return false, nil
	}
	switch kind {
	case abi.EventAudioSessionInterrupted:
		var m msg.AudioSessionInterrupted
		if err := m.Decode(event.fields); err != nil {
			return false, err
		}
		s.Delegate.DidInterrupt(s, m.Reason == abi.AudioInterruptionBegan, time.Unix(0, m.Date).UTC())
	case abi.EventAudioRouteChanged:
		var m msg.AudioRoute
		if err := m.Decode(event.fields); err != nil {
			return false, err
		}
		s.Delegate.RouteDidChange(s, m.Route == abi.AudioRouteBluetooth, time.Unix(0, m.Date).UTC())
	default:
		return false, nil
	}
	return true, nil
}
