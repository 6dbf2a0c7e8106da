// Package scenario reads the scenario files of `watchbox simulate`: one or
// more apps run over a virtual period (a day, say) with timed events such as
// wrist raises, pushes, phone messages and Bluetooth alerts, and a local
// HTTP test server that answers the apps' requests.
//
// A scenario file is line based: one directive per line, blank lines and
// "#" comments ignored. docs/scenario.md describes the format completely;
// in short:
//
//	# A morning with the weather app.
//	start 2026-06-01T07:00:00Z
//	duration 6h
//	app weather ../../apps/weather
//	complication weather on
//	serve GET /forecast 200 data/forecast.json delay=300ms
//	at 07:00 launch weather
//	at +1m wrist-down
//	at 09:30 push weather push/rain.apns
//	at +2h trigger weather application-refresh
//
// Parse and ParseFile turn a file into a Scenario, a typed form whose
// events are sorted by time (events at the same time keep file order).
// They check everything they can and report every problem, each with its
// file, line and column.
package scenario

import (
	"encoding/json"
	"time"

	"github.com/watchbox/watchbox/abi"
	"github.com/watchbox/watchbox/host/profile"
	"github.com/watchbox/watchbox/host/push"
	"github.com/watchbox/watchbox/host/sensors/gpx"
	"github.com/watchbox/watchbox/host/sensors/samples"
)

// Defaults of the header directives.
var (
	// DefaultStart is the virtual start time when the file has no start.
	DefaultStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// DefaultDuration is the virtual period when the file has no duration.
	DefaultDuration = 24 * time.Hour
)

// MaxDuration is the longest virtual period a scenario may run: 10,000
// days, the most a duration in days may give ("10000d"), whichever way
// it is written. A run keeps its timeline in memory, so the period bounds
// the memory a scenario file can make simulate use (about 200 KiB a
// virtual day for the refresh sample, measured). Chosen here.
const MaxDuration = 10000 * 24 * time.Hour

const (
	// DefaultSeed is the seed when the file has no seed line.
	DefaultSeed int64 = 1
	// DefaultProfile is the profile name when the file has no profile
	// line: the built-in default device profile.
	DefaultProfile = "default"
)

// Scenario is a parsed scenario file.
type Scenario struct {
	// File is the file's name as given to Parse or ParseFile.
	File string
	// Dir is the directory relative paths in the file resolve against:
	// the file's own directory.
	Dir string
	// Start is the virtual time the scenario begins at.
	Start time.Time
	// Duration is how long the scenario runs; it ends at Start+Duration.
	Duration time.Duration
	// Seed seeds every random choice of the run.
	Seed int64
	// Profile is the device profile as written: DefaultProfile or a path.
	Profile string
	// ProfilePath is the profile file resolved against Dir, or "" for the
	// default profile.
	ProfilePath string
	// Sets are the top-level "set key=value" overrides, in file order,
	// applied to the profile before the scenario starts.
	Sets []string
	// Apps are the apps the scenario runs, in file order.
	Apps []App
	// Complications says, by app alias, whether the app has a complication
	// on the active watch face when the scenario starts. Apps missing here
	// have none.
	Complications map[string]bool
	// Routes are the local HTTP test server's routes from the start.
	Routes []Route
	// Events are the timed events, sorted by At; events at the same time
	// keep their file order.
	Events []Event
	// Expects are the expect lines, in file order: what the run must have
	// done, checked after it (see Expect).
	Expects []Expect
}

// End returns the virtual time the scenario ends at.
func (s *Scenario) End() time.Time { return s.Start.Add(s.Duration) }

// App returns the app with the given alias.
func (s *Scenario) App(alias string) (App, bool) {
	for _, a := range s.Apps {
		if a.Alias == alias {
			return a, true
		}
	}
	return App{}, false
}

// DeviceProfile returns the device profile the scenario starts with: the
// default profile or the profile file, with the top-level set lines
// applied.
func (s *Scenario) DeviceProfile() (profile.Profile, error) {
	p := profile.Default()
	if s.ProfilePath != "" {
		var err error
		if p, err = profile.Load(s.ProfilePath); err != nil {
			return p, err
		}
	}
	if err := p.ParseSet(s.Sets); err != nil {
		return p, err
	}
	return p, nil
}

// App is one app of the scenario.
type App struct {
	// Alias is the short name events use for the app.
	Alias string
	// Dir is the app's bundle directory, resolved against the scenario's
	// directory. Parse does not check that it exists.
	Dir string
	// Line is the line of the app directive.
	Line int
}

// Route is one route of the local HTTP test server.
type Route struct {
	// Method is the HTTP method, upper case.
	Method string
	// Path is the request path the route answers, starting with "/".
	Path string
	// Status is the HTTP status code of the response.
	Status int
	// Body is the response body: inline text or JSON, or the contents of
	// File (nil when files are not read; see Options.SkipDataFiles).
	Body []byte
	// File is the body file resolved against the scenario's directory, or
	// "" for an inline body.
	File string
	// ContentType is the Content-Type of the response: as given with
	// type=, or inferred from the body (see docs/scenario.md).
	ContentType string
	// Delay is how long the server waits before it answers.
	Delay time.Duration
	// Line is the line of the serve directive.
	Line int
}

// Verb is what an event does.
type Verb string

// Event verbs. docs/scenario.md gives each one's arguments and meaning.
const (
	VerbLaunch           Verb = "launch"            // the user opens APP: it becomes frontmost and active ("open" is a synonym)
	VerbWristUp          Verb = "wrist-up"          // the user raises the wrist, optionally looking at APP
	VerbWristDown        Verb = "wrist-down"        // the user lowers the wrist
	VerbBackground       Verb = "background"        // APP leaves the foreground (the user goes to the watch face)
	VerbSuspend          Verb = "suspend"           // the system suspends APP
	VerbPurge            Verb = "purge"             // the system purges APP without warning
	VerbPush             Verb = "push"              // a remote push from a file arrives for APP
	VerbPhone            Verb = "phone"             // WatchConnectivity data from the paired phone arrives for APP
	VerbPhoneLink        Verb = "phone-link"        // written "phone reachable|paired on|off": the phone goes out of range or comes back, or is unpaired or paired again
	VerbBluetoothAlert   Verb = "bluetooth-alert"   // a paired peripheral sends APP a timely alert
	VerbPeripheral       Verb = "peripheral"        // a simulated Bluetooth peripheral comes in range, changes a value, or goes
	VerbIntent           Verb = "intent"            // a Siri intent of APP runs
	VerbRelevantShortcut Verb = "relevant-shortcut" // the system gives APP a chance to donate relevant shortcuts
	VerbTrigger          Verb = "trigger"           // force a background task of a kind now, budget or not
	VerbExpire           Verb = "expire"            // force APP's running background task(s) to expire
	VerbTapNotification  Verb = "tap-notification"  // the user taps a delivered notification of APP
	VerbComplication     Verb = "complication"      // APP's complication goes on or off the active face
	VerbServe            Verb = "serve"             // add or replace a route of the HTTP test server
	VerbSet              Verb = "set"               // change a device profile value
	VerbNote             Verb = "note"              // print a line in the timeline

	VerbBothButtons       Verb = "both-buttons"       // the user presses both side buttons: a workout's pause or resume request
	VerbOtherWorkout      Verb = "other-workout"      // another app of the watch starts a workout: APP's ends
	VerbMotion            Verb = "motion"             // the user stops (paused) or starts moving again (resumed) during APP's workout
	VerbLap               Verb = "lap"                // APP's workout session generates a lap event
	VerbMarker            Verb = "marker"             // APP's workout session generates a marker event
	VerbSegment           Verb = "segment"            // APP's workout session generates a segment event
	VerbHeartRate         Verb = "heart-rate"         // APP's workouts take their heart rate from a sample file
	VerbRoute             Verb = "route"              // the user follows a GPX route from now on (APP's location and workout distance)
	VerbHeadphones        Verb = "headphones"         // Bluetooth headphones connect (on) or disconnect (off)
	VerbAudioInterruption Verb = "audio-interruption" // an audio interruption (a call) begins or ends for APP
	VerbCrown             Verb = "crown"              // the user presses the Digital Crown: frontmost APP goes to the background
	VerbFireAlarm         Verb = "fire-alarm"         // APP's scheduled smart alarm fires now
	VerbSuppressSession   Verb = "suppress-session"   // the system suppresses APP's extended runtime session
	VerbBAR               Verb = "bar"                // the user turns Background App Refresh on or off for APP
)

// Event is one timed event. Which fields beyond At, Line, Column, Verb and
// App are set depends on the verb; docs/scenario.md lists them.
type Event struct {
	// At is the event's virtual time, in [Start, Start+Duration].
	At time.Time
	// Line and Column locate the event's "at" in the file.
	Line, Column int
	// Verb is what happens. "open" is read as VerbLaunch.
	Verb Verb
	// App is the alias of the app the event is for; "" for wrist-down,
	// serve, set, note and a wrist-up without an app.
	App string

	// File is the data file of push (the .apns file) and of phone and
	// intent when their payload is given as @FILE, resolved against the
	// scenario's directory.
	File string
	// Push is the parsed push file (push); nil when files are not read.
	Push *push.Push
	// Phone is the kind of phone data (phone).
	Phone abi.PhoneKind
	// Link is what a phone-link line changes: "reachable" or "paired"
	// (with On).
	Link string
	// Payload is a JSON object: the phone data (phone) or the intent's
	// parameters (intent, optional). Nil when it comes from a file that
	// was not read.
	Payload json.RawMessage
	// Task is the task kind (trigger; expire, where 0 means every
	// running task of the app).
	Task abi.TaskKind
	// Reason is the snapshot reason (trigger APP snapshot REASON), or 0.
	Reason abi.SnapshotReason
	// Session is the URL session identifier (trigger APP url-session
	// SESSION), or "".
	Session string
	// Peripheral names the Bluetooth peripheral (bluetooth-alert, trigger
	// APP bluetooth-alert PERIPHERAL), or "".
	Peripheral string
	// Characteristic is the characteristic a peripheral line declares,
	// SERVICE/CHARACTERISTIC in upper case (as in 180D/2A37); "" for
	// peripheral NAME off.
	Characteristic string
	// Value is the fixed value a peripheral line gives it, or nil;
	// Samples the time series it gives as @FILE (File names the file), or
	// nil (and nil when data files are not read).
	Value   []byte
	Samples *samples.Series
	// Intent is the intent's name (intent, trigger APP intent-did-run
	// INTENT), or "".
	Intent string
	// Notification is the identifier of the notification to tap
	// (tap-notification); "" means the app's most recent one.
	Notification string
	// Action is the notification action to perform (tap-notification
	// action=ID); "" means the default action.
	Action string
	// On says whether the complication goes on or off (complication),
	// whether the phone is reachable or paired (phone-link), and
	// whether the peripheral is in range (peripheral: false for
	// peripheral NAME off).
	On bool
	// Route is the route to add or replace (serve).
	Route *Route
	// Set is the "key=value" profile override (set).
	Set string
	// Text is the note's text (note).
	Text string
	// Track is the route of route; nil when files are not read.
	Track *gpx.Track
	// Series is the heart rate of heart-rate; nil when files are not
	// read.
	Series *samples.Series
}

// Options change what Parse checks.
type Options struct {
	// SkipDataFiles leaves the data files the scenario names (push files,
	// route bodies, @FILE payloads, a profile file) unread and unchecked.
	// App bundle directories are never checked by Parse.
	SkipDataFiles bool
}
