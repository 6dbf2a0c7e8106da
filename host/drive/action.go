// Package drive is watchbox's one interpreter of user actions: launching an
// app, lowering the wrist, forcing a background task, data from the phone, a
// push, a tap on a notification, and the rest. `watchbox run`'s steps, its
// control endpoint and `watchbox simulate`'s scenarios all become Actions
// and are applied by a Driver, so that each verb means the same thing
// everywhere, and so that in-process users (a fuzzer, a test package for
// app authors, hot reload) drive apps the same way.
//
// An Action is data: a kind, the app it is for and its arguments, and for
// scenarios a time. Parsing text into Actions (ParseSteps here, package
// host/scenario for scenario files) is separate from applying them
// (Driver.Apply), which returns a Result the caller prints its own way.
// Timeline prints a simulation's trace, Routes answers its downloads, and
// Simulation plays a parsed scenario on the virtual clock.
package drive

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/push"
	"github.com/watchbox/watchbox/host/scenario"
	"github.com/watchbox/watchbox/host/sensors/gpx"
	"github.com/watchbox/watchbox/host/sensors/samples"
)

// Kind is what an action does. Its values are the verbs users type.
type Kind string

// Action kinds. docs/scenario.md and README.md describe each one.
const (
	Launch           Kind = "launch"            // the user opens the app: it becomes frontmost and active
	Open             Kind = "open"              // the same as Launch, as typed ("open APP")
	WristUp          Kind = "wrist-up"          // the user raises the wrist, looking at the app: Launch
	WristDown        Kind = "wrist-down"        // the user lowers the wrist
	Background       Kind = "background"        // the app leaves the foreground
	Suspend          Kind = "suspend"           // the system suspends the app
	Purge            Kind = "purge"             // the system purges the app without warning
	Trigger          Kind = "trigger"           // force a background task of Task now, budget or not
	Expire           Kind = "expire"            // make the app's open tasks (of Task, if set) expire now
	Push             Kind = "push"              // a remote push arrives
	Phone            Kind = "phone"             // WatchConnectivity data from the paired phone arrives
	PhoneLink        Kind = "phone-link"        // the phone goes out of range or comes back (Link "reachable"), or is unpaired or paired again ("paired"); written "phone reachable|paired on|off"
	BluetoothAlert   Kind = "bluetooth-alert"   // a paired peripheral sends a timely alert
	Peripheral       Kind = "peripheral"        // a simulated Bluetooth peripheral comes in range, changes a value, or goes
	Intent           Kind = "intent"            // a Siri intent runs
	RelevantShortcut Kind = "relevant-shortcut" // the system asks for relevant shortcuts
	TapNotification  Kind = "tap-notification"  // the user taps a delivered notification
	Complication     Kind = "complication"      // the app's complication goes on or off the active face
	Serve            Kind = "serve"             // add or replace a route of the HTTP test server
	Set              Kind = "set"               // change a device profile value
	Note             Kind = "note"              // a remark in the timeline; does nothing
	Sleep            Kind = "sleep"             // let Duration pass
	Status           Kind = "status"            // report the state of the app, or of every app
	Why              Kind = "why"               // report the system's decisions about the app, or every app
	Quit             Kind = "quit"              // end the run; Apply does nothing

	BothButtons       Kind = "both-buttons"       // the user presses both side buttons: a workout's pause or resume request
	OtherWorkout      Kind = "other-workout"      // another app of the watch starts a workout: the app's ends
	Motion            Kind = "motion"             // the user stops (On) or starts moving again during the app's workout
	Lap               Kind = "lap"                // the app's workout session generates a lap event
	Marker            Kind = "marker"             // the app's workout session generates a marker event
	Segment           Kind = "segment"            // the app's workout session generates a segment event
	HeartRate         Kind = "heart-rate"         // the app's workouts take their heart rate from Series (or File)
	Route             Kind = "route"              // the user follows the GPX route Track (or File) from now on
	Headphones        Kind = "headphones"         // Bluetooth headphones connect (On) or disconnect
	AudioInterruption Kind = "audio-interruption" // an audio interruption (a call) begins (On) or ends for the app
	Crown             Kind = "crown"              // the user presses the Digital Crown: the frontmost app goes to the background
	FireAlarm         Kind = "fire-alarm"         // the app's scheduled smart alarm fires now
	SuppressSession   Kind = "suppress-session"   // the system suppresses the app's extended runtime session
	BAR               Kind = "bar"                // the user turns Background App Refresh on or off (On) for the app
)

// Kinds returns every action kind, in the order above.
func Kinds() []Kind {
	return []Kind{Launch, Open, WristUp, WristDown, Background, Suspend, Purge, Trigger, Expire, Push, Phone, PhoneLink,
		BluetoothAlert, Peripheral, Intent, RelevantShortcut, TapNotification, Complication, Serve, Set, Note, Sleep, Status, Why, Quit,
		BothButtons, OtherWorkout, Motion, Lap, Marker, Segment, HeartRate, Route, Headphones, AudioInterruption,
		Crown, FireAlarm, SuppressSession, BAR}
}

// ActsOnApp reports whether actions of kind act on one app (the one named,
// else the current app). Status and Why act on every app when none is
// named; Sleep, Quit, Serve, Set, Note, Headphones, Peripheral and
// PhoneLink act on none.
func (k Kind) ActsOnApp() bool {
	switch k {
	case Sleep, Quit, Serve, Set, Note, Headphones, Peripheral, PhoneLink:
		return false
	}
	return true
}

// Action is one thing the user, the phone, the network or the system does.
// Which fields beyond Kind and App matter depends on Kind.
type Action struct {
	// Kind is what happens.
	Kind Kind
	// App names the app acted on: its bundle id, the id's last part, its
	// bundle directory or, in a simulation, its scenario alias. "" means
	// the current app (the one last launched or opened), or for Status and
	// Why every app; for Push, the push's Simulator Target Bundle first.
	App string
	// At is when the action happens in a scenario; zero means now.
	At time.Time
	// Line is the scenario line the action comes from, or 0.
	Line int

	// Task is the task kind of Trigger, and of Expire (0: every open task).
	Task abi.TaskKind
	// Reason is a triggered snapshot's reason (0: app_scheduled).
	Reason abi.SnapshotReason
	// Session is a triggered URL session task's identifier, or "".
	Session string
	// Peripheral names the Bluetooth peripheral of BluetoothAlert or of a
	// triggered bluetooth-alert task, sent as the task's user info, and
	// the simulated peripheral of Peripheral.
	Peripheral string
	// Characteristic is the characteristic Peripheral declares,
	// SERVICE/CHARACTERISTIC (as in 180D/2A37); Value its fixed value, or
	// Samples its time series (File names the series' file). On is false
	// for a peripheral going out of range.
	Characteristic string
	Value          []byte
	Samples        *samples.Series
	// Intent is the intent's name (Intent, a triggered intent-did-run);
	// it is shown, not sent to the app.
	Intent string
	// Phone is how Phone's data arrives.
	Phone abi.PhoneKind
	// Link is what PhoneLink changes: "reachable" (the phone in range,
	// On) or "paired" (a phone paired, On).
	Link string
	// Payload is a JSON object: Phone's data or Intent's parameters.
	Payload json.RawMessage
	// Push is the push of Push.
	Push *push.Push
	// File is the file Push or Payload was read from, or "".
	File string
	// Notification is the identifier of the notification TapNotification
	// taps; "" means the app's most recent one.
	Notification string
	// Choice is the notification action the user taps; "" means the
	// default action (a plain tap).
	Choice string
	// On says whether Complication puts the complication on or off the
	// face, and whether Peripheral's peripheral is in range.
	On bool
	// Route is the route Serve adds or replaces.
	Route *scenario.Route
	// Setting is Set's "key=value".
	Setting string
	// Text is Note's text.
	Text string
	// Duration is how long Sleep lets pass.
	Duration time.Duration
	// Track is Route's route; nil reads File.
	Track *gpx.Track
	// Series is HeartRate's heart rate; nil reads File.
	Series *samples.Series
}

// FromEvent returns the action of a scenario event.
func FromEvent(ev scenario.Event) Action {
	return Action{
		Kind: Kind(ev.Verb), App: ev.App, At: ev.At, Line: ev.Line,
		Task: ev.Task, Reason: ev.Reason, Session: ev.Session, Peripheral: ev.Peripheral, Intent: ev.Intent,
		Phone: ev.Phone, Link: ev.Link, Payload: ev.Payload, Push: ev.Push, File: ev.File,
		Notification: ev.Notification, Choice: ev.Action, On: ev.On, Route: ev.Route, Setting: ev.Set, Text: ev.Text,
		Track: ev.Track, Series: ev.Series,
		Characteristic: ev.Characteristic, Value: ev.Value, Samples: ev.Samples,
	}
}

// Detail returns what a timeline shows after the kind: the task kind and
// its detail of Trigger and Expire, the kind of Phone, "KEY=VALUE" of Set,
// method and path of Serve, the intent of Intent, on or off, the push
// file's name, Sleep's duration; "# TEXT" for Note (instead of the kind);
// "" when there is nothing to show.
func (a Action) Detail() string {
	var words []string
	switch a.Kind {
	case Note:
		return "# " + a.Text
	case Trigger, Expire:
		if a.Task != 0 {
			words = append(words, abi.TaskKindName(a.Task))
		}
		if a.Reason != 0 {
			words = append(words, abi.SnapshotReasonName(a.Reason))
		}
		for _, w := range []string{a.Session, a.Peripheral, a.Intent} {
			if w != "" {
				words = append(words, w)
			}
		}
	case Phone:
		words = append(words, a.Phone.String())
	case Set:
		words = append(words, a.Setting)
	case Serve:
		if a.Route != nil {
			words = append(words, a.Route.Method, a.Route.Path)
		}
	case Intent:
		words = append(words, a.Intent)
	case Complication, BAR:
		words = append(words, map[bool]string{true: "on", false: "off"}[a.On])
	case Peripheral:
		words = append(words, a.Peripheral)
		switch {
		case !a.On:
			words = append(words, "off")
		case a.File != "":
			words = append(words, a.Characteristic, "@"+filepath.Base(a.File))
		default:
			words = append(words, a.Characteristic, strconv.Quote(string(a.Value)))
		}
	case Push, Route, HeartRate:
		if a.File != "" {
			words = append(words, filepath.Base(a.File))
		}
	case Headphones:
		words = append(words, map[bool]string{true: "on", false: "off"}[a.On])
	case PhoneLink:
		words = append(words, a.Link, map[bool]string{true: "on", false: "off"}[a.On])
	case Motion:
		words = append(words, map[bool]string{true: "paused", false: "resumed"}[a.On])
	case AudioInterruption:
		words = append(words, map[bool]string{true: "began", false: "ended"}[a.On])
	case Sleep:
		words = append(words, a.Duration.String())
	}
	return strings.Join(words, " ")
}

// String returns the action as a line of text: its kind, its app if it
// names one, and its Detail, as in "trigger weather snapshot prelaunch".
func (a Action) String() string {
	if a.Kind == Note {
		return a.Detail()
	}
	if a.Kind == PhoneLink {
		return string(Phone) + " " + a.Detail() // as a scenario writes it
	}
	s := string(a.Kind)
	if a.App != "" {
		s += " " + a.App
	}
	if d := a.Detail(); d != "" {
		s += " " + d
	}
	if a.Kind == TapNotification {
		if a.Notification != "" {
			s += " " + a.Notification
		}
		if a.Choice != "" {
			s += " action=" + a.Choice
		}
	}
	return s
}
